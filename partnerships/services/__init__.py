"""Every write that touches more than one model, or that must obey the registry's rules,
goes through here: the admin, the API, imports and the seed builder all call these
functions, so the rules hold whichever door the data comes in by.

The rooms: ``inputs`` (plain values callers hand in), ``sources`` (sources and
citations), ``timeline`` (status events and the derived current status), ``records``
(localities, organizations, partnerships, activities, figures) and ``curation``
(verification and correction requests), ``merging`` (merging two records of one place,
and splitting a wrong merge); ``changes`` holds the one way an update service
sets, validates and saves a record's own fields. Import from ``partnerships.services``; the
names below are its public surface."""

from .curation import annotate_correction, review_corrections, submit_correction, verify_partnership
from .inputs import AliasInput, CitationInput, SourceInput
from .merging import MergePlan, mark_not_duplicate, merge_localities, plan_merge, split_locality
from .records import (
    add_activity,
    add_locality_alias,
    add_reported_figure,
    create_focus_area,
    create_locality,
    create_organization,
    create_partnership,
    relate_organizations,
    remove_locality_alias,
    update_activity,
    update_focus_area,
    update_locality,
    update_locality_alias,
    update_organization,
    update_organization_relationship,
    update_partnership,
    update_reported_figure,
)
from .sources import (
    add_citation,
    create_described_source,
    create_source,
    remove_citation,
    update_citation,
    update_source,
)
from .timeline import (
    ALLOWED_TRANSITIONS,
    CURRENT_STATUS_FIELDS,
    DERIVED_PARTNERSHIP_FIELDS,
    current_status_fields,
    delete_status_event,
    record_status_change,
    record_status_event,
    refresh_current_status,
    save_partnership,
    status_steps,
    transition_error,
    update_status_event,
    validate_timeline,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CURRENT_STATUS_FIELDS",
    "DERIVED_PARTNERSHIP_FIELDS",
    "AliasInput",
    "CitationInput",
    "MergePlan",
    "SourceInput",
    "add_activity",
    "add_citation",
    "add_locality_alias",
    "add_reported_figure",
    "annotate_correction",
    "create_described_source",
    "create_focus_area",
    "create_locality",
    "create_organization",
    "create_partnership",
    "create_source",
    "current_status_fields",
    "delete_status_event",
    "mark_not_duplicate",
    "merge_localities",
    "plan_merge",
    "record_status_change",
    "record_status_event",
    "refresh_current_status",
    "relate_organizations",
    "remove_citation",
    "remove_locality_alias",
    "review_corrections",
    "save_partnership",
    "split_locality",
    "status_steps",
    "submit_correction",
    "transition_error",
    "update_activity",
    "update_citation",
    "update_focus_area",
    "update_locality",
    "update_locality_alias",
    "update_organization",
    "update_organization_relationship",
    "update_partnership",
    "update_reported_figure",
    "update_source",
    "update_status_event",
    "validate_timeline",
    "verify_partnership",
]
