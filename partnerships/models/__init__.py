"""The registry's models, one module per group of records:

- ``base``: timestamps, the precision column and ``PartialDatePair`` (a date with its
  precision, with its validation, constraint and display);
- ``localities``: Locality, LocalityAlias and the name searches;
- ``organizations``: Organization and OrganizationRelationship;
- ``sources``: Source;
- ``partnerships``: FocusArea and Partnership (with its queries);
- ``timeline``: a partnership's StatusEvent and Activity;
- ``parties``: PartnershipParty, the list filters' index table (written by triggers);
- ``figures``: ReportedFigure;
- ``citations``: Citation, which ties a source to one claim of any of the above;
- ``corrections``: CorrectionRequest;
- ``duplicates``: the duplicate queue's "not a duplicate" answers;
- ``feed``: FeedEntry, the change log the change feed serves;
- ``Job`` (from ``partnerships.jobs.models``): the background jobs (imports, exports).

Import from ``partnerships.models``: every name below is re-exported here, and the app
label, model names, tables and migrations are those of the single module this once was.
"""

# After the registry's own models: the jobs package is a room of its own.
from partnerships.jobs.models import Job

from .base import PRECISION_HELP, PartialDatePair, TimestampedModel, precision_field
from .citations import CITATION_TARGETS, Citation, CitationTarget
from .corrections import CorrectionRequest
from .duplicates import LocalityNotDuplicate, PartnershipNotDuplicate
from .feed import FeedEntry
from .figures import ReportedFigure
from .localities import Locality, LocalityAlias, LocalityQuerySet
from .organizations import Organization, OrganizationQuerySet, OrganizationRelationship
from .parties import PartnershipParty
from .partnerships import FocusArea, Partnership, PartnershipQuerySet
from .sources import Source, SourceQuerySet
from .timeline import Activity, StatusEvent

__all__ = [
    "CITATION_TARGETS",
    "PRECISION_HELP",
    "Activity",
    "Citation",
    "CitationTarget",
    "CorrectionRequest",
    "FeedEntry",
    "FocusArea",
    "Job",
    "Locality",
    "LocalityAlias",
    "LocalityNotDuplicate",
    "LocalityQuerySet",
    "Organization",
    "OrganizationQuerySet",
    "OrganizationRelationship",
    "PartialDatePair",
    "Partnership",
    "PartnershipNotDuplicate",
    "PartnershipParty",
    "PartnershipQuerySet",
    "ReportedFigure",
    "Source",
    "SourceQuerySet",
    "StatusEvent",
    "TimestampedModel",
    "precision_field",
]
