"""The FilterSets behind every listing. The HTML pages and the API use the same ones, so a
query string means the same thing on /partnerships/ and on /api/v1/partnerships/.

Every parameter is validated: a bad value makes the FilterSet invalid with a message per
parameter (the API answers 400 with them, the pages show them) instead of reaching the
database. Form CharFields already refuse NUL characters, which PostgreSQL cannot store.

One module a purpose:

- ``partnerships``: the partnership listings' FilterSet and its counts from the list index;
- ``records``: the other listings' FilterSets (localities, organizations, sources, reported
  figures);
- ``fields``: the form fields and Filter classes they are built of, and ``MAX_ID``;
- ``countries``: which country a visitor's code or name means (``country_code``).

Everything public is importable from here (``from partnerships.filters import
PartnershipFilterSet``).
"""

from .countries import COUNTRY_ALIASES, country_code
from .fields import (
    MAX_ID,
    ChoiceListField,
    ChoiceListFilter,
    CountryFilter,
    CountryListField,
    IdField,
    IdFilter,
    IsoDateField,
    IsoDateFilter,
    NullsLastOrderingFilter,
    PartialDateField,
    PartialDateFilter,
)
from .partnerships import PartnershipFilterSet
from .records import LocalityFilterSet, OrganizationFilterSet, ReportedFigureFilterSet, SourceFilterSet

__all__ = [
    "COUNTRY_ALIASES",
    "MAX_ID",
    "ChoiceListField",
    "ChoiceListFilter",
    "CountryFilter",
    "CountryListField",
    "IdField",
    "IdFilter",
    "IsoDateField",
    "IsoDateFilter",
    "LocalityFilterSet",
    "NullsLastOrderingFilter",
    "OrganizationFilterSet",
    "PartialDateField",
    "PartialDateFilter",
    "PartnershipFilterSet",
    "ReportedFigureFilterSet",
    "SourceFilterSet",
    "country_code",
]
