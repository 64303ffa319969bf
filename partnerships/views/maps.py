"""The map: the selected partnerships as lines, or as country-to-country flows when
there are more than MAP_LIMIT of them."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import selectors
from .common import _filter_context, _filter_partnerships, _map_points, _query_without, _refused, _rows

MAP_LIMIT = 2000  # more partnerships than this: the map shows flows between countries
MAP_FLOW_TABLE = 100  # the biggest flows, as a table under the map


def _index_scope(filterset) -> tuple[str, str] | None:
    """(country, other country or "") when the only filter is one country or a pair of
    countries (what ``PartnershipFilterSet.index_count`` counts), else None."""
    data = {name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "", [])}
    data.pop("ordering", None)
    if set(data) == {"country"} and len(data["country"]) == 1:
        return data["country"][0], ""
    if set(data) == {"between"}:
        first, second = data["between"]
        return first, second
    return None


@require_GET
def map_view(request):
    """The whole selection: its partnerships as lines when there are at most MAP_LIMIT of
    them (a country, a locality, a filter), else as country-to-country flows with their
    counts, coloured by the status most of them have, each linking to its list."""
    filterset, errors = _filter_partnerships(request)
    context = _filter_context(request, filterset, errors)
    list_url = f"{reverse('partnerships:partnership-list')}?{context['query']}"
    # Lines or flows? From the index's count when it has one, else from the rows
    # themselves (at most MAP_LIMIT + 1 of them).
    partnerships = []
    total = None if _refused(errors) else filterset.index_count()
    if total is None or total <= MAP_LIMIT:
        partnerships = list(_rows(filterset, errors)[: MAP_LIMIT + 1])
    flows = []
    if (total is not None and total > MAP_LIMIT) or len(partnerships) > MAP_LIMIT:
        base = _query_without(request, "page", "between")
        flows_url = f"{reverse('partnerships:partnership-list')}?{base}".rstrip("?")
        scope = _index_scope(filterset) if total is not None else None
        if scope is not None:
            # One country or a pair, current statuses: counted from the list index alone.
            flows = selectors.country_map_flows(scope[0], other=scope[1], list_url=flows_url)
        else:
            flows = selectors.map_flows(filterset.qs, list_url=flows_url)
        partnerships = []
        total = sum(flow["count"] for flow in flows)
    context.update(
        {
            "partnerships": partnerships,
            "flows": flows,
            "flow_table": [
                (flow, [flow["by_status"].get(key, 0) for key in selectors.STATUS_KEYS])
                for flow in flows[:MAP_FLOW_TABLE]
            ],
            "flow_table_cut": len(flows) > MAP_FLOW_TABLE,
            "total": total,
            "limit": MAP_LIMIT,
            "map_points": flows or _map_points(partnerships),
            "unplaced": [
                p for p in partnerships if p.locality_a.latitude is None or p.locality_b.latitude is None
            ],
            "list_url": list_url,
        }
    )
    return render(request, "partnerships/map.html", context)
