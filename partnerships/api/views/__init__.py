"""Endpoints of the public API, v1. Thin: each view parses its input (``inputs``), reads
through ``partnerships.selectors`` or a queryset, writes through ``partnerships.services``
and renders with ``serializers``. What they share lives beside them: ``mixins`` (errors,
cache validators, lists), ``exports`` (CSV and GeoJSON), ``schema`` (the OpenAPI extras)
and ``permissions``.

One module a purpose:

- ``partnerships``: the partnership list and detail, a partnership's status events and one
  status event (reads and writes);
- ``records``: localities, organizations, sources and reported figures (read-only);
- ``stats``: the statistics and the change feed;
- ``errors``: the JSON 404 for any other path.

Every endpoint is importable from here (``from . import views``; ``views.PartnershipList``).
"""

from .errors import NotFound
from .partnerships import PartnershipDetail, PartnershipEvent, PartnershipEvents, PartnershipList
from .records import (
    LocalityDetail,
    LocalityList,
    OrganizationDetail,
    OrganizationList,
    ReportedFigureDetail,
    ReportedFigureList,
    SourceDetail,
    SourceList,
)
from .stats import Changes, Stats

__all__ = [
    "Changes",
    "LocalityDetail",
    "LocalityList",
    "NotFound",
    "OrganizationDetail",
    "OrganizationList",
    "PartnershipDetail",
    "PartnershipEvent",
    "PartnershipEvents",
    "PartnershipList",
    "ReportedFigureDetail",
    "ReportedFigureList",
    "SourceDetail",
    "SourceList",
    "Stats",
]
