"""Resolving imported place names to localities, in memory (the import service's matching
phase). The rules, in the order they are tried, are the docstring of ``index``.

One module a purpose:

- ``index``: LocalityIndex, the matcher that decides: it loads a country's localities and
  aliases once and resolves each place by Wikidata id, name, alias, name key or the
  gazetteer (and, for a recorded pair, a partner's looser name), coordinates ruling out
  and ranking candidates;
- ``candidates``: what it compares and answers: Place, Candidate, Match and the ways a
  match is made (METHODS);
- ``names``: match keys, trailing disambiguators, qualifiers that only locate, the kind a
  name's own words give;
- ``similarity``: pair context's looser name tests (similar spellings, typos, a merged
  municipality's compound name);
- ``coordinates``: the distance between two points and a city's tolerance.

Every public name is importable from here (``from partnerships.importing.matching import
LocalityIndex, Place``). A module reads its own constants: to change one (a test's
monkeypatch), change it in the module that uses it (``similarity.PARTNER_SIMILARITY``,
``index.CITY_WITH_PARTS``).
"""

from .candidates import (
    BY_ALIAS,
    BY_GAZETTEER,
    BY_ID,
    BY_NAME,
    BY_NAME_KEY,
    BY_PARTNER,
    METHODS,
    NEW,
    Candidate,
    Match,
    Place,
)
from .coordinates import CITY_TOLERANCE_KM, distance_km
from .index import CITY_WITH_PARTS, LocalityIndex
from .names import match_key, split_disambiguator
from .similarity import PARTNER_SIMILARITY, PARTNER_TYPO_SIMILARITY

__all__ = [
    "BY_ALIAS",
    "BY_GAZETTEER",
    "BY_ID",
    "BY_NAME",
    "BY_NAME_KEY",
    "BY_PARTNER",
    "CITY_TOLERANCE_KM",
    "CITY_WITH_PARTS",
    "METHODS",
    "NEW",
    "PARTNER_SIMILARITY",
    "PARTNER_TYPO_SIMILARITY",
    "Candidate",
    "LocalityIndex",
    "Match",
    "Place",
    "distance_km",
    "match_key",
    "split_disambiguator",
]
