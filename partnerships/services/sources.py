"""Sources and citations: creating a source, citing it for a claim, removing a citation
only while the claim keeps the ones it needs."""

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..dates import PartialDate
from ..models import Citation, Source
from .changes import save_changes
from .inputs import CitationInput, SourceInput


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


@transaction.atomic
def update_source(*, source: Source, **changes: Any) -> Source:
    """Correct a source's own fields (title, publisher, published_on, url, …)."""
    return save_changes(source, changes)


@transaction.atomic
def update_citation(*, citation: Citation, **changes: Any) -> Citation:
    """Correct a citation's source, quote or locator (or the claim it supports; the
    record's own validation keeps it to exactly one)."""
    return save_changes(citation, changes)


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
