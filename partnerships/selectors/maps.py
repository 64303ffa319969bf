"""The map's country-to-country flows, counted per status."""

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    QuerySet,
)

from .. import models
from ..validators import country_name
from .stats import STATUS_KEYS, _status_counts

if TYPE_CHECKING:
    from .stats import AsOf


class MapFlow(TypedDict):
    a: str
    b: str
    na: str
    nb: str
    name: str
    count: int
    by_status: dict[str, int]
    status: str
    url: str


def _numeric(code: str) -> str:
    """ISO 3166-1 numeric, as the vendored world atlas names its country shapes."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return str(int(country.numeric)) if country is not None else ""


def map_flows(partnerships: "QuerySet[AsOf]", *, list_url: str) -> list[MapFlow]:
    """Every partnership of the selection, counted per pair of countries (unordered) and
    per status (the queryset's ``status``: current or as of its date), biggest flow first;
    ``url``: the list of that pair. One query, whatever the number of partnerships."""
    rows = (
        partnerships.order_by()
        .values_list("locality_a__country", "locality_b__country", "status")
        .annotate(n=Count("pk"))
    )
    return _flows(rows, list_url=list_url)


def country_map_flows(code: str, *, other: str = "", list_url: str) -> list[MapFlow]:
    """``map_flows`` of the partnerships with a party in the country (with ``other``: and
    one in that country), by current status, from the list index alone: an index-only
    scan of ``party_country_year_idx``, however many partnerships the country has."""
    rows = models.PartnershipParty.objects.order_by().filter(country=code, is_country_row=True)
    if other:
        rows = rows.filter(other_country=other)
    counted = rows.values_list("country", "other_country", "status").annotate(n=Count("*"))
    return _flows(counted, list_url=list_url)


def _flows(rows: Any, *, list_url: str) -> list[MapFlow]:
    """Flows from (country, country, status or ""/None, count) rows."""
    flows: dict[tuple[str, str], dict[str, int]] = {}
    for country_1, country_2, status, n in rows:
        key = tuple(sorted((country_1, country_2)))
        bucket = flows.setdefault((key[0], key[1]), _status_counts())
        bucket[status or "unknown"] += n
    found: list[MapFlow] = []
    for (a, b), by_status in flows.items():
        count = sum(by_status.values())
        found.append(
            {
                "a": a,
                "b": b,
                "na": _numeric(a),
                "nb": _numeric(b),
                "name": f"{country_name(a)} – {country_name(b)}",
                "count": count,
                "by_status": {key: value for key, value in by_status.items() if value},
                # The colour: the status most of them have.
                "status": max(STATUS_KEYS, key=lambda key: by_status[key]),
                "url": f"{list_url}{'&' if '?' in list_url else '?'}between={a},{b}",
            }
        )
    found.sort(key=lambda flow: (-flow["count"], flow["a"], flow["b"]))
    return found
