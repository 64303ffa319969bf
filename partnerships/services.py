"""Every write that touches more than one model, or that must obey the registry's rules,
goes through here: the admin, the API, imports and the seed builder all call these
functions, so the rules hold whichever door the data comes in by."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .dates import PartialDate
from .models import (
    Activity,
    Citation,
    CorrectionRequest,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)

Status = Partnership.Status


@dataclass(frozen=True)
class SourceInput:
    """A source described on the spot, created by the service that cites it."""

    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: PartialDate | None = None
    kind: str = Source.Kind.NEWS_ARTICLE
    language: str = "en"


@dataclass(frozen=True)
class CitationInput:
    """What supports a claim: an existing source, or a SourceInput created with the claim
    (in the same transaction, so a refused claim leaves no orphan source behind)."""

    source: "Source | SourceInput"
    quote: str = ""
    locator: str = ""


@dataclass(frozen=True)
class AliasInput:
    name: str
    kind: str = LocalityAlias.Kind.VARIANT
    language: str = ""
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None


# --------------------------------------------------------------- status transitions

# Which status may follow which. None is "no event yet": a partnership comes into the
# record proposed or active. A terminated one comes back only by an explicit "active".
ALLOWED_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({Status.PROPOSED, Status.ACTIVE}),
    Status.PROPOSED: frozenset({Status.ACTIVE, Status.TERMINATED}),
    Status.ACTIVE: frozenset({Status.SUSPENDED, Status.TERMINATED}),
    Status.SUSPENDED: frozenset({Status.ACTIVE, Status.TERMINATED}),
    Status.TERMINATED: frozenset({Status.ACTIVE}),
}


def transition_error(previous: StatusEvent | None, new_status: str) -> str | None:
    """Why ``new_status`` cannot follow ``previous`` (None when it can)."""
    prev_status = previous.status if previous else None
    if new_status in ALLOWED_TRANSITIONS[prev_status]:
        return None
    label = Status(new_status).label
    if previous is None:
        return (
            f"A partnership's first recorded status must be proposed or active: it cannot be {label} "
            "before it existed. Record when it was proposed or became active first."
        )
    if prev_status == new_status:
        return (
            f"It is already {label} (since {previous.effective}). To confirm that with another source, "
            "add the source as a citation of that event instead of recording the same status again."
        )
    if prev_status == Status.TERMINATED:
        return (
            f"A terminated partnership cannot become {label} (terminated since {previous.effective}). "
            "Only an explicit “active” event re-establishes it."
        )
    return f"A {Status(prev_status).label} partnership (since {previous.effective}) cannot become {label}."


def _sort_key(event: StatusEvent):
    # An event not saved yet goes after saved ones of the same date.
    return (event.effective_on, event.pk is None, event.pk or 0)


def validate_timeline(events: Iterable[StatusEvent]) -> None:
    """Check every consecutive pair of a partnership's events, in date order."""
    previous = None
    for event in sorted(events, key=_sort_key):
        error = transition_error(previous, event.status)
        if error:
            raise ValidationError({"status": f"On {event.effective}: {error}"})
        previous = event


def _lock(partnership: Partnership) -> Partnership:
    # Serialises timeline writes to one partnership: two concurrent events cannot both
    # be validated against the same, stale timeline.
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _refresh_current_status(partnership: Partnership) -> None:
    latest = partnership.events.order_by("-effective_on", "-id").first()
    partnership.current_status = latest.status if latest else ""
    partnership.current_status_since = latest.effective_on if latest else None
    partnership.current_status_since_precision = latest.effective_precision if latest else ""
    partnership.save(
        update_fields=[
            "current_status",
            "current_status_since",
            "current_status_since_precision",
            "updated_at",
        ]
    )


def _require_citations(citations: Sequence[CitationInput], internal_record: bool) -> None:
    if internal_record and citations:
        raise ValidationError(
            {"is_internal_record": "An internal record has no citation: untick it or drop the citation."}
        )
    if not internal_record and not citations:
        raise ValidationError(
            {
                "citations": "A status change needs a citation: pick or add the source that says so "
                "(or mark it explicitly as an internal record)."
            }
        )


@transaction.atomic
def record_status_event(
    *,
    partnership: Partnership,
    status: str,
    effective: PartialDate,
    note: str = "",
    declared_by: str = "",
    declaring_organization: Organization | None = None,
    citations: Sequence[CitationInput] = (),
    internal_record: bool = False,
    recorded_by=None,
) -> StatusEvent:
    """Record a dated status change with its citations and update the current status."""
    partnership = _lock(partnership)
    _require_citations(citations, internal_record)
    event = StatusEvent(
        partnership=partnership,
        status=status,
        effective_on=effective.date,
        effective_precision=effective.precision,
        note=note,
        declared_by=declared_by,
        declaring_organization=declaring_organization,
        is_internal_record=internal_record,
        recorded_by=recorded_by,
    )
    event.full_clean()
    validate_timeline([*partnership.events.all(), event])
    event.save()
    _add_citations(citations, status_event=event)
    _refresh_current_status(partnership)
    return event


@transaction.atomic
def update_status_event(
    *,
    event: StatusEvent,
    status: str | None = None,
    effective: PartialDate | None = None,
    note: str | None = None,
    declared_by: str | None = None,
    declaring_organization: Organization | None = None,
) -> StatusEvent:
    """Correct an event; the whole timeline must still make sense afterwards. Arguments
    left at None keep their value; ``declared_by`` and ``declaring_organization`` are
    replaced together when either is given."""
    partnership = _lock(event.partnership)
    event = StatusEvent.objects.get(pk=event.pk)
    if status is not None:
        event.status = status
    if effective is not None:
        event.effective_on, event.effective_precision = effective.date, effective.precision
    if note is not None:
        event.note = note
    if declared_by is not None or declaring_organization is not None:
        event.declared_by = declared_by if declared_by is not None else StatusEvent.DeclaredBy.ORGANIZATION
        event.declaring_organization = declaring_organization
    event.full_clean()
    validate_timeline([event if e.pk == event.pk else e for e in partnership.events.all()])
    event.save()
    _refresh_current_status(partnership)
    return event


@transaction.atomic
def delete_status_event(*, event: StatusEvent) -> None:
    """Remove an event (with its citations) if the remaining timeline still makes sense."""
    partnership = _lock(event.partnership)
    validate_timeline([e for e in partnership.events.all() if e.pk != event.pk])
    event.delete()
    _refresh_current_status(partnership)


# ----------------------------------------------------------------------- citations


def add_citation(*, citation: CitationInput, **target) -> Citation:
    """Attach a source to one claim: partnership=, status_event=, activity=,
    reported_figure=, organization_relationship= or locality=."""
    record = Citation(
        source=citation.source, quote=citation.quote.strip(), locator=citation.locator, **target
    )
    record.full_clean()
    record.save()
    return record


def _create_described_source(source: SourceInput) -> Source:
    return create_source(**{field.name: getattr(source, field.name) for field in fields(source)})


def _add_citations(citations: Sequence[CitationInput], **target) -> None:
    """Cite each input for the claim, creating the sources described on the spot. Errors
    in such a source name its place in the input, e.g. ``citations.0.source.title``."""
    for index, citation in enumerate(citations):
        if isinstance(citation.source, SourceInput):
            try:
                source = _create_described_source(citation.source)
            except ValidationError as error:
                raise ValidationError(
                    {
                        f"citations.{index}.source.{field}": messages
                        for field, messages in error.message_dict.items()
                    }
                ) from None
            citation = replace(citation, source=source)
        add_citation(citation=citation, **target)


# ---------------------------------------------------------------------- localities


@transaction.atomic
def create_locality(
    *,
    name: str,
    country: str,
    kind: str = Locality.Kind.CITY,
    native_name: str = "",
    subdivision: str = "",
    parent: Locality | None = None,
    latitude=None,
    longitude=None,
    wikidata_id: str = "",
    description: str = "",
    aliases: Iterable[AliasInput] = (),
) -> Locality:
    locality = Locality(
        name=name.strip(),
        native_name=native_name.strip(),
        country=country,
        kind=kind,
        subdivision=subdivision,
        parent=parent,
        latitude=latitude,
        longitude=longitude,
        wikidata_id=wikidata_id,
        description=description,
    )
    locality.full_clean()
    locality.save()
    for alias in aliases:
        add_locality_alias(locality=locality, alias=alias)
    return locality


def add_locality_alias(*, locality: Locality, alias: AliasInput) -> LocalityAlias:
    record = LocalityAlias(
        locality=locality,
        name=alias.name.strip(),
        kind=alias.kind,
        language=alias.language,
        valid_from=alias.valid_from.date if alias.valid_from else None,
        valid_from_precision=alias.valid_from.precision if alias.valid_from else "",
        valid_to=alias.valid_to.date if alias.valid_to else None,
        valid_to_precision=alias.valid_to.precision if alias.valid_to else "",
    )
    record.full_clean()
    record.save()
    return record


# ------------------------------------------------------------ organizations, sources


def create_organization(
    *,
    name: str,
    abbreviation: str = "",
    kind: str = Organization.Kind.NONPROFIT,
    country: str = "",
    url: str = "",
    description: str = "",
) -> Organization:
    organization = Organization(
        name=name.strip(),
        abbreviation=abbreviation,
        kind=kind,
        country=country,
        url=url,
        description=description,
    )
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def relate_organizations(
    *,
    from_organization: Organization,
    to_organization: Organization,
    description: str,
    citations: Sequence[CitationInput],
) -> OrganizationRelationship:
    if not citations:
        raise ValidationError({"citations": "Cite the source that describes this relationship."})
    relationship = OrganizationRelationship(
        from_organization=from_organization,
        to_organization=to_organization,
        description=description,
    )
    relationship.full_clean()
    relationship.save()
    _add_citations(citations, organization_relationship=relationship)
    return relationship


def create_source(
    *,
    title: str,
    publisher: str = "",
    author: str = "",
    published: PartialDate | None = None,
    url: str = "",
    archived_url: str = "",
    accessed_on=None,
    language: str = "en",
    kind: str = Source.Kind.NEWS_ARTICLE,
    notes: str = "",
) -> Source:
    source = Source(
        title=title.strip(),
        publisher=publisher,
        author=author,
        published_on=published.date if published else None,
        published_precision=published.precision if published else "",
        url=url,
        archived_url=archived_url,
        accessed_on=accessed_on,
        language=language,
        kind=kind,
        notes=notes,
    )
    source.full_clean()
    source.save()
    return source


# -------------------------------------------------------------------- partnerships


def _focus_area(name: str) -> FocusArea:
    area, _ = FocusArea.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return area


@transaction.atomic
def create_partnership(
    *,
    locality_a: Locality,
    locality_b: Locality,
    level: str = Partnership.Level.SISTER_CITY,
    established: PartialDate | None = None,
    description: str = "",
    organizations: Iterable[Organization] = (),
    focus_areas: Iterable[str] = (),
    citations: Sequence[CitationInput] = (),
) -> Partnership:
    """Create a partnership (refused if the pair exists in either order)."""
    partnership = Partnership(
        locality_a=locality_a,
        locality_b=locality_b,
        level=level,
        established_on=established.date if established else None,
        established_precision=established.precision if established else "",
        description=description,
    )
    partnership.full_clean()
    partnership.save()
    partnership.organizations.set(organizations)
    partnership.focus_areas.set([_focus_area(name) for name in focus_areas])
    _add_citations(citations, partnership=partnership)
    return partnership


@transaction.atomic
def add_activity(
    *,
    partnership: Partnership,
    kind: str,
    description: str,
    occurred: PartialDate | None = None,
    is_planned: bool = False,
    citations: Sequence[CitationInput],
) -> Activity:
    if not citations:
        raise ValidationError({"citations": "Cite the source that reports this activity."})
    activity = Activity(
        partnership=partnership,
        kind=kind,
        description=description,
        occurred_on=occurred.date if occurred else None,
        occurred_precision=occurred.precision if occurred else "",
        is_planned=is_planned,
    )
    activity.full_clean()
    activity.save()
    _add_citations(citations, activity=activity)
    return activity


@transaction.atomic
def add_reported_figure(
    *,
    count: int,
    as_of: PartialDate,
    citations: Sequence[CitationInput],
    qualifier: str = ReportedFigure.Qualifier.EXACTLY,
    measure: str = ReportedFigure.Measure.PARTNERSHIPS,
    country_a: str = "",
    country_b: str = "",
    status: str = "",
    organization: Organization | None = None,
    description: str = "",
) -> ReportedFigure:
    if not citations:
        raise ValidationError({"citations": "Cite the source that states this figure."})
    figure = ReportedFigure(
        count=count,
        qualifier=qualifier,
        measure=measure,
        country_a=country_a,
        country_b=country_b,
        status=status,
        as_of=as_of.date,
        as_of_precision=as_of.precision,
        organization=organization,
        description=description,
    )
    figure.full_clean()
    figure.save()
    _add_citations(citations, reported_figure=figure)
    return figure


# ------------------------------------------------------------------- staff curation
# What the admin needs beyond the services above: citations removed only while the claim
# keeps the ones it needs, one cited status change for many partnerships, corrections of
# activities, figures and relationships, saving (or restoring) a partnership without
# touching its derived fields, and the reviewers' verification.


def _claim_needs_citation(citation: Citation) -> bool:
    # A partnership's and a locality's own citations are optional (most localities were
    # typed in by staff from common knowledge); an event needs one unless it is an
    # internal record; activities, figures and relationships always need one.
    if citation.partnership_id or citation.locality_id:
        return False
    if citation.status_event_id:
        return not citation.status_event.is_internal_record
    return True


@transaction.atomic
def remove_citation(*, citation: Citation) -> None:
    """Remove a citation, unless it is the last one of a claim that needs a citation."""
    citation = Citation.objects.select_related("status_event").get(pk=citation.pk)
    target = citation.target
    if _claim_needs_citation(citation):
        # Locked so that two staff members cannot each remove one of the last two.
        type(target).objects.select_for_update().get(pk=target.pk)
        if not target.citations.exclude(pk=citation.pk).exists():
            raise ValidationError(
                f"This is the only citation of {target._meta.verbose_name} “{target}”, which needs one: "
                "add the new source first, then remove this one."
            )
    citation.delete()


@transaction.atomic
def record_status_change(
    *,
    partnerships: Sequence[Partnership],
    status: str,
    effective: PartialDate,
    note: str = "",
    declared_by: str = "",
    declaring_organization: Organization | None = None,
    source: Source | SourceInput | None = None,
    quote: str = "",
    locator: str = "",
    internal_record: bool = False,
    recorded_by=None,
) -> list[StatusEvent]:
    """Record one status change, with one citation, for each of the partnerships (a news
    report that many were suspended). ``source`` is an existing source or a SourceInput to
    create on the spot. All or nothing: if any transition is refused nothing is written,
    and for several partnerships the errors name each one refused."""
    if isinstance(source, SourceInput):
        # Created once, then cited by every partnership's event.
        source = _create_described_source(source)
    citations = [CitationInput(source=source, quote=quote, locator=locator)] if source else []
    events, refusals = [], []
    for partnership in partnerships:
        try:
            with transaction.atomic():
                events.append(
                    record_status_event(
                        partnership=partnership,
                        status=status,
                        effective=effective,
                        note=note,
                        declared_by=declared_by,
                        declaring_organization=declaring_organization,
                        citations=citations,
                        internal_record=internal_record,
                        recorded_by=recorded_by,
                    )
                )
        except ValidationError as error:
            if len(partnerships) == 1:
                raise
            refusals.append(f"{partnership}: {' '.join(error.messages)}")
    if refusals:
        raise ValidationError(refusals)
    return events


def _save_changes(record, changes: dict):
    for name, value in changes.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def update_activity(*, activity: Activity, **changes) -> Activity:
    """Correct an activity's own fields (kind, occurred_on, description, …); its
    citations are added and removed with add_citation() and remove_citation()."""
    return _save_changes(activity, changes)


@transaction.atomic
def update_reported_figure(*, figure: ReportedFigure, **changes) -> ReportedFigure:
    return _save_changes(figure, changes)


@transaction.atomic
def update_organization_relationship(
    *, relationship: OrganizationRelationship, **changes
) -> OrganizationRelationship:
    return _save_changes(relationship, changes)


DERIVED_PARTNERSHIP_FIELDS = (
    "current_status",
    "current_status_since",
    "current_status_since_precision",
    "last_verified_at",
    "last_verified_by",
)


@transaction.atomic
def save_partnership(*, partnership: Partnership) -> Partnership:
    """Save staff edits of a partnership's own fields, or an earlier version restored from
    its history. The derived fields are never taken from the edited object: the current
    status is recomputed from the events and the verification is kept as stored, so a
    restored version cannot contradict the timeline."""
    stored = _lock(partnership)
    for name in DERIVED_PARTNERSHIP_FIELDS:
        setattr(partnership, name, getattr(stored, name))
    latest = partnership.events.order_by("-effective_on", "-id").first()
    partnership.current_status = latest.status if latest else ""
    partnership.current_status_since = latest.effective_on if latest else None
    partnership.current_status_since_precision = latest.effective_precision if latest else ""
    partnership.full_clean()
    partnership.save()
    return partnership


@transaction.atomic
def verify_partnership(*, partnership: Partnership, user) -> Partnership:
    """A reviewer has checked the record against its sources: it leaves the review queue
    until a year has passed or new status changes that need review are recorded."""
    partnership.last_verified_at = timezone.now()
    partnership.last_verified_by = user
    partnership.save(update_fields=["last_verified_at", "last_verified_by"])
    return partnership


@transaction.atomic
def review_corrections(*, corrections: Iterable[CorrectionRequest], status: str, user, note: str = ""):
    """Staff's decision on public correction requests: accepted or rejected, by whom and
    when. Each one is saved on its own so that its edit history records the decision."""
    if status not in (CorrectionRequest.Status.ACCEPTED, CorrectionRequest.Status.REJECTED):
        raise ValidationError({"status": "A reviewed correction is accepted or rejected."})
    reviewed = []
    for correction in corrections:
        correction.status = status
        correction.reviewed_by = user
        correction.reviewed_at = timezone.now()
        if note:
            correction.staff_note = note
        correction.full_clean()
        correction.save()
        reviewed.append(correction)
    return reviewed


# ----------------------------------------------------------------------- corrections


@transaction.atomic
def submit_correction(
    *,
    message: str,
    partnership: Partnership | None = None,
    locality: Locality | None = None,
    source_url: str = "",
    contact: str = "",
) -> CorrectionRequest:
    """Store a visitor's suggested correction for staff to read. Nothing else changes:
    staff decide in the admin whether and how the records are corrected."""
    correction = CorrectionRequest(
        partnership=partnership,
        locality=locality,
        message=message.strip(),
        source_url=source_url.strip(),
        contact=contact.strip(),
    )
    correction.full_clean()
    correction.save()
    return correction
