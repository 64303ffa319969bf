"""Pair context's looser name tests (LocalityIndex.match_partner): when a name that is not
a recorded partner's may still be that partner's: a similar spelling (a transliteration,
a typo), one of the two names of a merged municipality, a township word set aside."""

import re
from difflib import SequenceMatcher

from partnerships.identity import NameParts

from .candidates import Candidate
from .names import _PARENTHESES

# Pair context (LocalityIndex.match_partner): a name that is not a partner's, spelt
# differently (a transliteration, a typo), is that partner's when the two names' skeletons
# (folded, "sch"/"sh"/"sz" as "s", "c" as "k", no spaces) are at least this similar
# (difflib's ratio: twice the matching characters over both lengths). Measured on the
# bundled Wikipedia list: of the 13,500 pairs of two different partners of one place in one
# country, 13 reach 0.8 (Vadsø/Vardø, Luton/Sutton …: the risk), against the variants
# Kalarasch/Călărași (0.93) and Yokneam Elit/Illit (0.91).
PARTNER_SIMILARITY = 0.8
# Just under that bar, a typo: the same length and first letter, at most two letters
# different ("Zouguldag" for Zonguldak, 0.78). Measured on the same list (its 11,972 such
# pairs on 2026-12-03): one pair of two different places is such a typo of the other
# (Columbus/Columbia), against 8 more between 0.75 and 0.8 without the typo's condition.
PARTNER_TYPO_SIMILARITY = 0.75

# Words naming a municipality that some lists add and others leave out, but that cannot
# be dropped everywhere: Ypsilanti and Ypsilanti Township are two places. Set aside only
# in pair context ("Redford Township" for the partner Redford).
_SOFT_ADMIN = re.compile(r"\b(?:charter\s+)?township\b", re.IGNORECASE)


def _skeleton(key: str) -> str:
    return re.sub(r"sch|sh|sz", "s", key).replace("c", "k").replace(" ", "")


def _similarity(first: str, second: str) -> float:
    """How alike two folded names are (PARTNER_SIMILARITY): difflib's ratio of their skeletons."""
    return SequenceMatcher(None, _skeleton(first), _skeleton(second)).ratio()


def _alike(first: str, second: str) -> bool:
    """Whether two folded names are alike enough for pair context: PARTNER_SIMILARITY,
    or PARTNER_TYPO_SIMILARITY and a typo: the same length and first letter, at most two
    letters different."""
    ratio = _similarity(first, second)
    if ratio >= PARTNER_SIMILARITY:
        return True
    one, other = _skeleton(first), _skeleton(second)
    return (
        ratio >= PARTNER_TYPO_SIMILARITY
        and len(one) == len(other)
        and one[:1] == other[:1]
        and sum(x != y for x, y in zip(one, other, strict=True)) <= 2
    )


# Words that make another place of a name, not a merged municipality of two: "West
# Lafayette", "New Belgrade", "Bad Oeynhausen", "Pembroke Dock", "Malacca City" (folded,
# as identity keys hold them).
_NAME_WORDS = frozenset(
    [
        "north",
        "south",
        "east",
        "vest",
        "nev",
        "old",
        "upper",
        "lover",
        "great",
        "little",
        "saint",
        "san",
        "santa",
        "sankt",
        "port",
        "fort",
        "mount",
        "bad",
        "nord",
        "sud",
        "ost",
        "neu",
        "alt",
        "gros",
        "klein",
        "ober",
        "unter",
        "nieder",
        "novi",
        "novo",
        "nova",
        "stari",
        "citi",
        "tovn",
        "vilage",
        "dock",
        "haven",
        "bai",
        "beach",
        "park",
        "hils",
        "heights",
        "springs",
        "fals",
        "harbour",
        "harbor",
        "bridge",
        "vale",
        "valei",
        "center",
        "centre",
    ]
)
_COMPOUND = re.compile(r"^\s*[^\W\d_]+(?:-| )[^\W\d_]+\s*$")


def _part_of_compound(parts: NameParts, candidate: "Candidate") -> bool:
    """Whether the name is one of the two names of a merged municipality's compound name
    ("Holten" of "Rijssen-Holten", "Malborghetto" of "Malborghetto Valbruna"): the
    candidate's name is two words (or two joined by a hyphen), neither a word that makes
    another place of a name (_NAME_WORDS: "West Lafayette" is not Lafayette, "Pembroke
    Dock" not Pembroke); a list's "City – Part" ("Havana – Cerro") is not a compound.
    Measured on the first list (2026-12-03): none of its 11,972 pairs of two partners of
    one place in one country fits (without the dash and the words, 75 did: Havana and
    "Havana – Cerro", Pembroke and Pembroke Dock …)."""
    if not _COMPOUND.match(_PARENTHESES.sub(" ", candidate.name)):
        return False
    for key in candidate.identities:
        base, _, area = key.partition(" #")
        words = base.split()
        if area != parts.area or len(words) != 2 or parts.base not in words or words[0] == words[1]:
            continue
        other = words[1] if words[0] == parts.base else words[0]
        if other not in _NAME_WORDS and parts.base not in _NAME_WORDS and len(other) >= 3:
            return True
    return False
