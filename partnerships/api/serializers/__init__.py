"""Serializers of the public API, v1, by purpose:

- ``base``: partial dates, record URLs, the error shape;
- ``references``: the small references records make to each other;
- ``partnerships``: partnerships, their status events and activities;
- ``records``: localities, organizations, sources, reported figures;
- ``reports``: statistics and the change feed;
- ``inputs``: request bodies (they parse and check; writes go through the services).

Output serializers are read-only and shape exactly what the contract promises. Everything
is importable from here (``from . import serializers as s``).
"""

from .base import (
    ApiUrlField,
    ErrorSerializer,
    OptionalURLField,
    PartialDateOutField,
    PartialDateSerializer,
    partial_date,
)
from .inputs import (
    CitationInput,
    NewSourceInput,
    PartialDateInputField,
    PartnershipInput,
    PartnershipPatchInput,
    StatusEventInput,
    StatusEventPatchInput,
)
from .partnerships import (
    ActivitySerializer,
    PartnershipDetailSerializer,
    PartnershipSerializer,
    StatusEventSerializer,
)
from .records import (
    AliasSerializer,
    CitedClaimSerializer,
    LocalityDetailSerializer,
    LocalityPartnershipSerializer,
    LocalitySerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    ReportedFigureSerializer,
    SourceSerializer,
)
from .references import (
    CitationSerializer,
    FocusAreaSerializer,
    LocalityRefSerializer,
    OrganizationRefSerializer,
    SourceRefSerializer,
)
from .reports import (
    ChangePageSerializer,
    ChangeSerializer,
    StatsGroupSerializer,
    StatsSerializer,
)

__all__ = [
    "ActivitySerializer",
    "AliasSerializer",
    "ApiUrlField",
    "ChangePageSerializer",
    "ChangeSerializer",
    "CitationInput",
    "CitationSerializer",
    "CitedClaimSerializer",
    "ErrorSerializer",
    "FocusAreaSerializer",
    "LocalityDetailSerializer",
    "LocalityPartnershipSerializer",
    "LocalityRefSerializer",
    "LocalitySerializer",
    "NewSourceInput",
    "OptionalURLField",
    "OrganizationDetailSerializer",
    "OrganizationRefSerializer",
    "OrganizationSerializer",
    "PartialDateInputField",
    "PartialDateOutField",
    "PartialDateSerializer",
    "PartnershipDetailSerializer",
    "PartnershipInput",
    "PartnershipPatchInput",
    "PartnershipSerializer",
    "ReportedFigureSerializer",
    "SourceRefSerializer",
    "SourceSerializer",
    "StatsGroupSerializer",
    "StatsSerializer",
    "StatusEventInput",
    "StatusEventPatchInput",
    "StatusEventSerializer",
    "partial_date",
]
