"""Creating and correcting the records themselves: localities and their aliases,
organizations and their relationships, partnerships, activities and reported figures."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ..dates import PartialDate
from ..gazetteer import check_coordinates
from ..models import (
    Activity,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
)
from .changes import save_changes, save_valid
from .inputs import AliasInput, CitationInput
from .sources import _add_citations
from .timeline import save_partnership


@transaction.atomic
def create_locality(
    *,
    name: str,
    country: str,
    kind: str = Locality.Kind.CITY,
    native_name: str = "",
    subdivision: str = "",
    parent: Locality | None = None,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
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
    set_coordinates_check(locality)
    save_valid(locality)
    for alias in aliases:
        add_locality_alias(locality=locality, alias=alias)
    return locality


def add_locality_alias(*, locality: Locality, alias: AliasInput) -> LocalityAlias:
    record = LocalityAlias(
        locality=locality,
        name=alias.name.strip(),
        kind=alias.kind,
        language=alias.language,
        provenance=alias.provenance,
        **LocalityAlias.valid_from_partial.columns(alias.valid_from),
        **LocalityAlias.valid_to_partial.columns(alias.valid_to),
    )
    return save_valid(record)


# ------------------------------------------------------------------ organizations


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
    return save_valid(organization)


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
    save_valid(relationship)
    _add_citations(citations, organization_relationship=relationship)
    return relationship


def _focus_area(name: str) -> FocusArea:
    area, _ = FocusArea.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return area


@transaction.atomic
def create_focus_area(*, name: str, slug: str = "") -> FocusArea:
    """Create a focus area; the slug defaults to one made from the name."""
    name = name.strip()
    area = FocusArea(name=name, slug=slug or slugify(name))
    return save_valid(area)


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
    internal_record: bool = False,
) -> Partnership:
    """Create a partnership: refused if the pair exists in either order, and refused
    without a citation unless it is marked ``internal_record`` (staff know of it without a
    citable source; the review queue then lists it). Both parties may lie in one country
    (a domestic partnership). Every refusal is reported at once, with nothing written."""
    partnership = Partnership(
        locality_a=locality_a,
        locality_b=locality_b,
        level=level,
        **Partnership.established.columns(established),
        description=description,
        is_internal_record=internal_record,
    )
    errors: dict[str, list[str]] = {}
    try:
        partnership.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if internal_record and citations:
        errors["is_internal_record"] = ["An internal record has no citation: untick it or drop the citation."]
    if not internal_record and not citations:
        errors["citations"] = [
            "A partnership needs a citation: pick or add the source that reports it "
            "(or mark it explicitly as an internal record, which sends it to the review queue)."
        ]
    if errors:
        raise ValidationError(errors)
    partnership.save()
    partnership.organizations.set(organizations)
    partnership.focus_areas.set([_focus_area(name) for name in focus_areas])
    _add_citations(citations, partnership=partnership)
    return partnership


# The fields of a partnership update_partnership() changes (the API's PATCH): its own,
# not its parties (another pair is another partnership) nor its derived status.
PARTNERSHIP_OWN_FIELDS = ("level", "established", "description")


@transaction.atomic
def update_partnership(
    *,
    partnership: Partnership,
    organizations: Iterable[Organization] | None = None,
    focus_areas: Iterable[str] | None = None,
    **changes: Any,
) -> Partnership:
    """Change a partnership's own fields (``level``, ``established`` as a PartialDate or
    None, ``description``); ``organizations`` and ``focus_areas`` (names), when given,
    replace the lists. Validated as a whole, saved with save_partnership()."""
    unknown = sorted(set(changes) - set(PARTNERSHIP_OWN_FIELDS))
    if unknown:
        raise ValidationError(f"A partnership's {', '.join(unknown)} cannot be changed here.")
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    for name, value in changes.items():
        setattr(partnership, name, value)
    saved = save_partnership(partnership=partnership)
    if organizations is not None:
        saved.organizations.set(organizations)
    if focus_areas is not None:
        saved.focus_areas.set([_focus_area(name) for name in focus_areas])
    return saved


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
        **Activity.occurred.columns(occurred),
        is_planned=is_planned,
    )
    save_valid(activity)
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
        **ReportedFigure.as_of_partial.columns(as_of),
        organization=organization,
        description=description,
    )
    save_valid(figure)
    _add_citations(citations, reported_figure=figure)
    return figure


# ------------------------------------------------------------- corrections of a record
# Each sets the named fields of the record (refusing a name that is no field), validates
# the whole record and saves it: see changes.save_changes.


@transaction.atomic
def update_locality(*, locality: Locality, **changes: Any) -> Locality:
    """Correct a locality's own fields (name, country, kind, coordinates, parent, …); its
    aliases and citations have services of their own."""
    if {"latitude", "longitude", "country", "kind"} & set(changes):
        for name in ("latitude", "longitude", "country", "kind"):
            if name in changes:
                setattr(locality, name, changes[name])
        set_coordinates_check(locality)
        changes = {**changes, "coordinates_check": locality.coordinates_check}
    return save_changes(locality, changes)


def set_coordinates_check(locality: Locality) -> None:
    """Flag coordinates that lie outside the locality's country (partnerships.gazetteer):
    shown to staff; a flag never stops a write nor vetoes a match."""
    check = check_coordinates(locality.latitude, locality.longitude, locality.country, locality.kind)
    locality.coordinates_check = check.result


@transaction.atomic
def update_locality_alias(*, alias: LocalityAlias, **changes: Any) -> LocalityAlias:
    """Correct an alias: its name, kind, language or the dates it was in use."""
    return save_changes(alias, changes)


@transaction.atomic
def remove_locality_alias(*, alias: LocalityAlias) -> None:
    """Remove one of a locality's other names (its edit history keeps the name)."""
    alias.delete()


@transaction.atomic
def update_organization(*, organization: Organization, **changes: Any) -> Organization:
    return save_changes(organization, changes)


@transaction.atomic
def update_organization_relationship(
    *, relationship: OrganizationRelationship, **changes: Any
) -> OrganizationRelationship:
    """Correct what a relationship between two organizations says, or whom it joins
    (the pair stays unique, in its own order)."""
    return save_changes(relationship, changes)


@transaction.atomic
def update_focus_area(*, focus_area: FocusArea, **changes: Any) -> FocusArea:
    """Rename a focus area (the slug, its address, changes only when given)."""
    return save_changes(focus_area, changes)


@transaction.atomic
def update_activity(*, activity: Activity, **changes: Any) -> Activity:
    """Correct an activity's own fields (kind, occurred_on, description, …); its
    citations are added and removed with add_citation() and remove_citation()."""
    return save_changes(activity, changes)


@transaction.atomic
def update_reported_figure(*, figure: ReportedFigure, **changes: Any) -> ReportedFigure:
    return save_changes(figure, changes)
