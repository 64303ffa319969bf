"""Name normalisation for search and matching."""

import re

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_name(value: str) -> str:
    """A search key: transliterated to ASCII, lower case, punctuation folded to single
    spaces. "Köln" -> "koln", "KHARKIV" -> "kharkiv", "Харків" -> "kharkiv",
    "St. Petersburg" -> "st petersburg"."""
    if not value:
        return ""
    return _NON_ALNUM.sub(" ", unidecode(value).lower()).strip()
