"""The reports: ``Stats`` (the partnership list's filters counted by country, status or
kind, beside the figures sources report) and ``Changes`` (the change feed, page by page
from a cursor)."""

from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ... import selectors
from ...filters import PartnershipFilterSet
from ...models import Partnership
from .. import feed
from .. import serializers as s
from ..mixins import ApiMixin
from ..pagination import _positive_int
from ..permissions import ReadOnly
from ..schema import ERRORS, filterset_parameters

# -------------------------------------------------------------------------- stats


@extend_schema_view(
    get=extend_schema(
        summary="Statistics",
        description="Partnerships matching the same filters as the partnership list, counted per "
        "country (a partnership counts once in each of its parties' countries), status or kind, "
        "and per status; beside them, the figures sources report for the same scope "
        "(the same countries, the same status).",
        parameters=[
            OpenApiParameter(
                "group_by", str, enum=list(selectors.GROUPINGS), description="Default: country."
            ),
            *filterset_parameters(),
        ],
        responses={200: s.StatsSerializer, **ERRORS},
    )
)
class Stats(ApiMixin, APIView):
    permission_classes = [ReadOnly]
    schema_filterset = PartnershipFilterSet  # its parameters' schemas (schema.exact_parameters)

    def get(self, request: Request) -> Response:
        group_by = request.query_params.get("group_by", "country")
        if group_by not in selectors.GROUPINGS:
            raise ValidationError({"group_by": ["Choose country, status or kind."]})
        filterset = PartnershipFilterSet(
            request.query_params, queryset=Partnership.objects.all(), request=request
        )
        if not filterset.is_valid():
            raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
        filters = filterset.form.cleaned_data
        counts = selectors.partnership_counts(filterset.qs, group_by=group_by)
        scope = selectors.figure_scope(
            countries=filters.get("country") or (),
            between=filters.get("between") or (),
            statuses=filters.get("status") or (),
        )
        figures = selectors.reported_figures().filter(scope)
        return Response(
            {
                "group_by": group_by,
                "as_of": filters.get("as_of"),
                **counts,
                "reported_figures": s.ReportedFigureSerializer(
                    figures, many=True, context={"request": request}
                ).data,
            }
        )


# ------------------------------------------------------------------------ changes


@extend_schema_view(
    get=extend_schema(
        summary="Change feed",
        description="Every creation, update and deletion of partnerships, localities, organizations, "
        "sources and reported figures, in commit order: one entry per committed change of a record. "
        "Start without `since` (or from the `feed_cursor` of a snapshot or the `X-Feed-Cursor` of "
        "a full export); then pass the `cursor` of the last page as `since`. The cursor is the "
        "`seq` of the last entry served; entries are numbered in commit order, so nothing "
        "committed later is numbered lower. A created or updated record: fetch its `url`. A "
        "tombstone (`action: deleted`): remove it. A merge (`action: merged`): remove it and "
        "fetch `merged_into.url`. Per record, `created` comes first and `deleted` last. Changes "
        "to a record's parts (a status event, a citation, an alias) are updates of that record; "
        "a change of a record whose data another repeats (a locality's name in its "
        "partnerships) is an update of that other record too. Cursors of the earlier, "
        "time-based feed are accepted and continue from their time.",
        parameters=[
            OpenApiParameter(
                "since",
                str,
                description="The `cursor` of the previous page (a decimal entry number; 0 is the beginning).",
            ),
            OpenApiParameter("page_size", int, description="Entries per page, 1 to 200 (default 100)."),
        ],
        responses={200: s.ChangePageSerializer, **ERRORS},
    )
)
class Changes(ApiMixin, APIView):
    permission_classes = [ReadOnly]

    def get(self, request: Request) -> Response:
        position = feed.decode_cursor(request.query_params.get("since"))
        limit = _positive_int(request, "page_size", maximum=200) or 100
        rows = feed.changes_after(position, limit + 1)
        entries = feed.Entries(request)
        results = [entries.entry(row) for row in rows[:limit]]
        if rows:
            position = rows[:limit][-1][0]
            # Entries never change once committed: the page changes only by growing.
            self.last_modified = rows[:limit][-1][1]
        else:
            self.last_modified = feed.latest_change_time()
        cursor = feed.encode_cursor(position)
        next_url = None
        if len(rows) > limit:
            query: dict[str, str | int] = {"since": cursor}
            if "page_size" in request.query_params:
                query["page_size"] = limit
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response({"next": next_url, "cursor": cursor, "results": results})
