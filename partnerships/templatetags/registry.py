"""Template tags and filters of the public pages: partial dates, pagination links, who
declared a status change, counts."""

from django import template

from .. import wording
from ..dates import PartialDate, format_partial_date

register = template.Library()


@register.simple_tag
def partial_date(date, precision):
    """A date as precisely as it is known: {% partial_date p.established_on p.established_precision %}."""
    return format_partial_date(date, precision)


_MISSING = object()


def _status_dates(p):
    """(since, its precision, reported, its precision) of a partnership: as annotated by
    as_of() (a date in the past, or current), else its stored current status."""
    if getattr(p, "status_since", _MISSING) is not _MISSING:
        return (
            p.status_since,
            p.status_since_precision,
            getattr(p, "status_reported", None),
            getattr(p, "status_reported_precision", None),
        )
    return (
        p.current_status_since,
        p.current_status_since_precision,
        p.current_status_reported,
        p.current_status_reported_precision,
    )


@register.filter
def reported_only(p) -> bool:
    """{% if p|reported_only %}: its status is known from attestations only (a source
    reports it on a date; no change is recorded), so it reads "reported active in July
    2002", never "since"."""
    since, _precision, reported, _reported_precision = _status_dates(p)
    return wording.is_reported_only(since, reported)


@register.simple_tag
def status_when(p):
    """After a partnership's status: "since 1973", "in July 2002" (after "reported …",
    when reported_only), "since 1973, last reported in July 2002"; "" when undated."""
    return wording.status_after(*_status_dates(p))


@register.filter
def event_prefix(event) -> str:
    """The word before an event's status: "reported", "became" or ""."""
    return wording.event_prefix(event.kind, event.status)


@register.filter
def preposition(precision) -> str:
    """{{ event.effective_precision|preposition }}: "on" (a day) or "in" (a month, a year)."""
    return wording.preposition(precision)


@register.simple_tag
def at(date, precision):
    """{% at event.effective_on event.effective_precision %}: "on 4 March 2022", "in July 2002"."""
    return wording.at(date, precision)


@register.filter(name="partial_date")
def partial_date_filter(value):
    """{{ event.effective|partial_date }}: a PartialDate (or None) as "July 2002"."""
    if isinstance(value, PartialDate):
        return str(value)
    return "" if value is None else value


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current query string with another page number, for pagination links."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@register.filter
def party_name(event):
    """Who declared a status change, by name where the record says which party."""
    partnership = event.partnership
    declared = event.declared_by
    if declared == "locality_a":
        return partnership.locality_a.name
    if declared == "locality_b":
        return partnership.locality_b.name
    if declared == "both":
        return f"{partnership.locality_a.name} and {partnership.locality_b.name}"
    if declared == "organization" and event.declaring_organization_id:
        return str(event.declaring_organization)
    return ""


@register.filter
def get_count(counts, key):
    """{{ year.counts|get_count:status }}: a count from a dict, 0 when absent."""
    return counts.get(key, 0)


_SINGULAR_MEASURES = {"partnerships": "partnership", "localities": "locality taking part"}


@register.filter
def figure_count(figure):
    """ "more than 70 partnerships", "1 partnership": a reported figure's number and unit."""
    qualifier = "" if figure.qualifier == "exactly" else f"{figure.get_qualifier_display()} "
    unit = _SINGULAR_MEASURES[figure.measure] if figure.count == 1 else figure.get_measure_display()
    return f"{qualifier}{figure.count} {unit}"
