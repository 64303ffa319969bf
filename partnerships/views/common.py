"""What the public pages share: the PartnershipFilterSet read from the query string
(a bad parameter named, not fatal), the rows and template context of a filtered listing,
the page size and orderings offered, citations prefetched with their sources, and the
points the map script draws."""

import functools

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .. import selectors
from ..filters import PartnershipFilterSet
from ..models import Organization, Partnership, StatusEvent
from ..validators import country_name

PAGE_SIZE = 50


# The FilterSet's ``ordering`` values offered on the pages ("" is by place name).
ORDERINGS = [
    ("", "place name"),
    ("-established", "newest established first"),
    ("established", "oldest established first"),
    ("-updated_at", "recently changed first"),
]

_CITATIONS = selectors.citations_with_sources()


def _events_with_citations():
    return StatusEvent.objects.select_related("declaring_organization").prefetch_related(_CITATIONS)


# -------------------------------------------------------------------------- filtering


# Filters whose refusal leaves no list at all: without them the rows would be every
# country's, which a reader who asked for one country takes for that country's.
REFUSED_WITHOUT_ROWS = frozenset({"country", "between"})


def _filter_partnerships(request, queryset=None):
    """The PartnershipFilterSet on the query string. A bad parameter does not fail the
    page: it is left out (django-filter applies only the valid ones) and named in a
    message, with the value the visitor gave, so they can correct it. A country the page
    cannot understand (REFUSED_WITHOUT_ROWS) is different: the page then lists nothing
    rather than every country's partnerships; ``rows(filterset, errors)`` gives the rows."""
    filterset = PartnershipFilterSet(
        request.GET, queryset=queryset if queryset is not None else Partnership.objects.with_parties()
    )
    errors = []
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            filter_ = filterset.filters.get(name)
            label = filter_.label if filter_ is not None and filter_.label else name
            errors.append({"name": name, "label": label, "messages": messages})
    return filterset, errors


def _refused(errors) -> bool:
    return any(error["name"] in REFUSED_WITHOUT_ROWS for error in errors)


def _rows(filterset, errors):
    """The rows a listing page shows: none when a country filter was refused."""
    return filterset.qs.none() if _refused(errors) else filterset.qs


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _filter_context(request, filterset, errors):
    cleaned = filterset.form.cleaned_data if hasattr(filterset.form, "cleaned_data") else {}
    query = _query_without(request, "page")
    # The download holds exactly the rows the page shows: parameters the page left out
    # (shown with a message) are left out of it too, rather than making the API refuse.
    applied = _query_without(request, "page", "format", *(error["name"] for error in errors))
    csv_query = f"{applied}&format=csv" if applied else "format=csv"
    return {
        "filterset": filterset,
        "filter_errors": errors,
        "refused": _refused(errors),
        "error_names": {error["name"] for error in errors},
        "params": request.GET,
        "as_of": cleaned.get("as_of"),
        "query": query,
        "query_without_as_of": _query_without(request, "page", "as_of"),
        "csv_url": f"{reverse('api:partnership-list')}?{csv_query}",
        "statuses": Partnership.Status.choices,
        "orderings": ORDERINGS,
        "levels": Partnership.Level.choices,
        "organizations": Organization.objects.only("id", "name", "abbreviation").order_by("name"),
        "countries": _registry_countries(),
    }


def _registry_countries():
    """The countries the registry has localities in, for the filter's suggestions: the
    ``<option>`` elements of its datalist, written once per set of countries (every list
    page has the same two hundred)."""
    return _country_options(tuple(selectors.locality_countries()))


@functools.lru_cache(maxsize=16)
def _country_options(codes: tuple[str, ...]) -> SafeString:
    named = sorted(((code, country_name(code)) for code in codes), key=lambda item: item[1])
    return format_html_join("", '<option value="{}">{}</option>', named)


def _map_points(partnerships) -> list[dict]:
    """What the map script draws: each partnership's two places and its status."""
    points = []
    for p in partnerships:
        a, b = p.locality_a, p.locality_b
        points.append(
            {
                "id": p.pk,
                "name": str(p),
                "url": p.get_absolute_url(),
                "status": getattr(p, "status", None) or p.current_status or "",
                "a": {"name": a.name, "lon": _float(a.longitude), "lat": _float(a.latitude)},
                "b": {"name": b.name, "lon": _float(b.longitude), "lat": _float(b.latitude)},
            }
        )
    return points


def _float(value):
    return None if value is None else float(value)
