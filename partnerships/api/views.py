"""Endpoints of the public API, v1. Thin: each view parses its input (``inputs``), reads
through ``partnerships.selectors`` or a queryset, writes through ``partnerships.services``
and renders with ``serializers``. What they share lives beside them: ``mixins`` (errors,
cache validators, lists), ``exports`` (CSV and GeoJSON), ``schema`` (the OpenAPI extras)
and ``permissions``."""

import builtins
import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse as django_reverse
from django.utils.http import urlencode
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from .. import selectors, services
from ..filters import (
    MAX_ID,
    LocalityFilterSet,
    OrganizationFilterSet,
    PartnershipFilterSet,
    ReportedFigureFilterSet,
    SourceFilterSet,
)
from ..models import (
    Citation,
    Locality,
    LocalityAlias,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from . import feed, inputs
from . import serializers as s
from .conditional import PreconditionRequired, current_etag, if_match, require_match
from .exceptions import django_validation_error_as_drf
from .exports import Geometry, locality_point, partnership_line
from .inputs import format_of
from .mixins import ApiMixin, ListMixin, ReadOnlyDetail, ReadOnlyList
from .pagination import ApiPagination, _positive_int
from .permissions import ReadOnly, StaffModelPermissions
from .renderers import CSVRenderer, FastJSONRenderer, GeoJSONRenderer, csv_chunks
from .schema import (
    AS_OF_PARAMETER,
    ERRORS,
    IF_MATCH_OPTIONAL,
    IF_MATCH_REQUIRED,
    PATCH_ERRORS,
    PRECONDITION_FAILED,
    WRITE_ERRORS,
    detail_schema,
    filterset_parameters,
    list_schema,
)
from .serializers import lean, lean_exports, lean_pages

# ------------------------------------------------------------------- partnerships


def _partnership_detail(pk: int, as_of: datetime.date | None = None) -> Partnership:
    partnership = selectors.partnership_detail(pk, as_of=as_of)
    if partnership is None:
        raise Http404
    return partnership


class _LazyRows:
    """A FilterSet's queryset built on first use: ``model`` at once (the FilterSet asks it),
    the rows (``build()``) when ``all()`` is called, as ``FilterSet.qs`` does."""

    def __init__(self, build: "Callable[[], QuerySet[Partnership]]") -> None:
        self.build = build
        self.model = Partnership

    def all(self) -> "QuerySet[Partnership]":
        return self.build().all()


@list_schema(
    "Partnerships",
    s.PartnershipSerializer,
    geojson=True,
    description="Partnerships matching the filters, paginated; `?format=csv` or `?format=geojson` "
    "for all of them (a line between the two parties; null geometry without coordinates).",
    post=extend_schema(
        summary="Create a partnership",
        description="Staff with an API token and the `add_partnership` permission (and `add_source` "
        "to describe new sources). The same rules as the admin: a pair that exists in either "
        "order is refused.",
        request=s.PartnershipInput,
        responses={201: s.PartnershipDetailSerializer, **WRITE_ERRORS},
    ),
)
class PartnershipList(ListMixin, generics.ListCreateAPIView):
    permission_classes = [StaffModelPermissions]
    renderer_classes = [FastJSONRenderer, CSVRenderer, GeoJSONRenderer]
    serializer_class = s.PartnershipSerializer
    filterset_class = PartnershipFilterSet
    queryset = Partnership.objects.all()
    export_name = "partnerships"
    csv_indexed = {"localities": (2, s.LocalityRefSerializer)}

    def get_queryset(self) -> "QuerySet[Partnership]":
        return selectors.partnership_rows()

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.PartnershipInput if self.request.method == "POST" else s.PartnershipSerializer

    def geometry(self, obj: Partnership) -> Geometry:
        return partnership_line(obj)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The lean path (serializers/lean.py): the serializer's rows from plain tuples, the
        # count from the list index when the filters allow, three queries per page.
        filterset = self.partnership_filterset()
        fmt = format_of(request)
        if fmt in ("csv", "geojson"):
            return self.export(filterset.qs, fmt)  # type: ignore[return-value]  # see ListMixin.list
        assert isinstance(self.paginator, ApiPagination)
        # One country or a pair (± status): the page's SQL compiled once per shape
        # (lean_pages), not the FilterSet's queryset built and compiled per request.
        rows: Any = lean_pages.precompiled_rows(filterset)
        if rows is None:
            queryset = filterset.qs
            rows = lean.page_rows(queryset)
            if filterset.form.cleaned_data.get("q") and not filterset.index_join:
                # A name's matches: the page cut on the partnerships' own sort keys first.
                rows = lean.CutFirst(
                    queryset, selectors.partnership_rows().as_of(filterset.form.cleaned_data.get("as_of"))
                )
        page = self.paginator.paginate_queryset(rows, request, self, count=filterset.count())
        if page:
            self.last_modified = page[0][-1]
        return self.paginator.get_paginated_response(lean.RowBuilder(request).rows(page))

    def csv_columns(self) -> "builtins.list[str]":
        # Each row's licences (the serializer's ``license``: their names) and whom to credit
        # (issue 13).
        return [*super().csv_columns(), "attribution"]

    def export_content(self, queryset: "QuerySet[Any]", fmt: str) -> Iterator[bytes]:
        builder = lean.RowBuilder(self.request)
        if fmt == "csv":
            # The cells straight from the rows' tuples (lean.RowBuilder.csv_rows), written a
            # chunk at a time; the columns are the serializer's, as the generic export has them.
            columns = self.csv_columns()
            if tuple(columns) != lean.CSV_COLUMNS:
                raise AssertionError(f"the serializer's CSV columns changed: {columns}; update lean.csv_rows")
            if lean_exports.supported(queryset):
                # PostgreSQL: organizations, focus areas and licences in the rows' own query.
                return csv_chunks(lean_exports.csv_rows(queryset, builder), columns)
            rows = (row for chunk in lean.export_csv_rows(queryset, builder) for row in chunk)
            return csv_chunks(rows, columns)
        if lean_exports.supported(queryset):
            return lean.geojson_bytes(lean_exports.features(queryset, builder))
        return lean.geojson_bytes(
            {"type": "Feature", "id": t[0], "geometry": lean.line(t), "properties": row}
            for row, t in lean.export_rows(queryset, builder, geometry=True)
        )

    def partnership_filterset(self) -> PartnershipFilterSet:
        """The request's filters, validated (a bad one is a 400, as DjangoFilterBackend says).
        Its queryset, ``get_queryset()``, is built only when ``qs`` is asked for (a
        precompiled page never does)."""
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, _LazyRows(self.get_queryset), self)
        assert isinstance(filterset, PartnershipFilterSet)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PartnershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = inputs.citations(request, values["citations"])
        try:
            partnership = services.create_partnership(
                locality_a=values["locality_a"],
                locality_b=values["locality_b"],
                level=values["kind"],
                established=values["established"],
                description=values["description"],
                organizations=values["organizations"],
                focus_areas=values["focus_areas"],
                citations=citations,
                internal_record=values["internal_record"],
            )
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        created = _partnership_detail(partnership.pk)
        body = s.PartnershipDetailSerializer(created, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _known_id(*ids: int) -> None:
    """A 404 for an id no row can have (the path's int converter takes any size)."""
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise Http404


def _locked_partnership(pk: int) -> Partnership:
    """The partnership's row, locked until the write's transaction ends (404 if none)."""
    partnership = Partnership.objects.select_for_update().filter(pk=pk).first()
    if partnership is None:
        raise Http404
    return partnership


def _check_partnership_etag(request: Request, pk: int, *, required: bool) -> None:
    """If-Match against the partnership detail's current ETag; call with its row locked."""
    tags = if_match(request)
    if tags is not None or required:
        require_match(tags, current_etag(request, PartnershipDetail.as_view(), pk=pk), required=required)


@detail_schema(
    "A partnership",
    s.PartnershipDetailSerializer,
    description="With its status events and their citations, its own citations and its activities.",
    parameters=[AS_OF_PARAMETER],
    patch=extend_schema(
        summary="Change a partnership",
        description="Staff with an API token and the `change_partnership` permission. Send "
        "`If-Match` with the ETag of this detail (a GET without parameters): a change made since "
        "is a 412, a request without it a 428. Each field given replaces the stored value; the "
        "parties and the status (which follows the status events) are not changed here. The "
        "answer is the detail, with its new ETag.",
        parameters=[IF_MATCH_REQUIRED],
        request=s.PartnershipPatchInput,
        responses={200: s.PartnershipDetailSerializer, **PATCH_ERRORS},
    ),
)
class PartnershipDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.PartnershipDetailSerializer
    queryset = Partnership.objects.all()

    def get_object(self) -> Partnership:
        partnership = _partnership_detail(self.kwargs["pk"], inputs.as_of(self.request))
        self.remember_last_modified([partnership])
        return partnership

    def patch(self, request: Request, pk: int) -> Response:
        _known_id(pk)
        if not Partnership.objects.filter(pk=pk).exists():
            raise Http404
        if if_match(request) is None:
            raise PreconditionRequired
        data = s.PartnershipPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "kind" in values:
            values["level"] = values.pop("kind")
        try:
            with transaction.atomic():
                partnership = _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=True)
                services.update_partnership(partnership=partnership, **values)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        body = s.PartnershipDetailSerializer(
            _partnership_detail(pk), context=self.get_serializer_context()
        ).data
        etag = current_etag(request, PartnershipDetail.as_view(), pk=pk)
        return Response(body, headers={"ETag": etag} if etag else None)


@extend_schema_view(
    get=extend_schema(
        summary="A partnership's status events",
        responses={200: s.StatusEventSerializer(many=True), **ERRORS},
    ),
    post=extend_schema(
        summary="Record a status event",
        description="Staff with an API token and the `add_statusevent` permission. The same rules as "
        "the admin: allowed transitions, a timeline that fits, and a citation unless "
        "`internal_record` is true. `If-Match` (the partnership detail's ETag) is optional: "
        "when sent, a partnership changed since is a 412.",
        parameters=[IF_MATCH_OPTIONAL],
        request=s.StatusEventInput,
        responses={201: s.StatusEventSerializer, **WRITE_ERRORS, **PRECONDITION_FAILED},
    ),
)
class PartnershipEvents(ApiMixin, generics.GenericAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.StatusEventSerializer
    # The model permission checked for POST: add_statusevent.
    queryset = StatusEvent.objects.all()
    # A partnership has a handful of events: all of them, unpaginated and unfiltered.
    pagination_class = None
    filter_backends = []

    def get(self, request: Request, pk: int) -> Response:
        partnership = _partnership_detail(pk)
        self.remember_last_modified([partnership])
        events = partnership.events.all()
        return Response(
            s.StatusEventSerializer(events, many=True, context=self.get_serializer_context()).data
        )

    def post(self, request: Request, pk: int) -> Response:
        _known_id(pk)
        partnership = Partnership.objects.filter(pk=pk).first()
        if partnership is None:
            raise Http404
        data = s.StatusEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = inputs.citations(request, values["citations"])
        try:
            with transaction.atomic():
                _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=False)
                event = self._record(request, partnership, values, citations)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        event = StatusEvent.objects.select_related("declaring_organization").get(pk=event.pk)
        body = s.StatusEventSerializer(event, context=self.get_serializer_context()).data
        location = inputs.absolute(request, "api:partnership-detail", partnership.pk)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _record(
        request: Request,
        partnership: Partnership,
        values: dict[str, Any],
        citations: list[services.CitationInput],
    ) -> StatusEvent:
        return services.record_status_event(
            partnership=partnership,
            status=values["status"],
            effective=values["date"],
            kind=values["kind"],
            note=values["note"],
            declared_by=values["declared_by"],
            declaring_organization=values["declaring_organization"],
            citations=citations,
            internal_record=values["internal_record"],
            # Only staff with the add permission get here (StaffModelPermissions).
            recorded_by=request.user if request.user.is_authenticated else None,
        )


@extend_schema_view(
    patch=extend_schema(
        summary="Correct a status event",
        description="Staff with an API token and the `change_statusevent` permission. Send `If-Match` "
        "with the ETag of the partnership's detail (a GET of `partnerships/{id}/` without "
        "parameters): a partnership changed since is a 412, a request without it a 428. Each field "
        "given replaces the stored value (`declared_by` and `declaring_organization` together); "
        "the same rules as recording one: allowed transitions and a timeline that fits.",
        parameters=[IF_MATCH_REQUIRED],
        request=s.StatusEventPatchInput,
        responses={200: s.StatusEventSerializer, **PATCH_ERRORS},
    ),
)
class PartnershipEvent(ApiMixin, generics.GenericAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.StatusEventSerializer
    # The model permission checked for PATCH: change_statusevent.
    queryset = StatusEvent.objects.all()
    pagination_class = None
    filter_backends = []

    def patch(self, request: Request, pk: int, event_id: int) -> Response:
        _known_id(pk, event_id)
        if not StatusEvent.objects.filter(pk=event_id, partnership_id=pk).exists():
            raise Http404
        if if_match(request) is None:
            raise PreconditionRequired
        data = s.StatusEventPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "date" in values:
            values["effective"] = values.pop("date")
        try:
            with transaction.atomic():
                _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=True)
                event = services.update_status_event(event=StatusEvent.objects.get(pk=event_id), **values)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        event = StatusEvent.objects.select_related("declaring_organization").get(pk=event.pk)
        return Response(s.StatusEventSerializer(event, context=self.get_serializer_context()).data)


# --------------------------------------------------------------------- localities


def _locality_rows() -> "QuerySet[Locality]":
    # A record merged into another is a redirect (LocalityDetail), not a locality of its own.
    return Locality.objects.filter(merged_into__isnull=True).annotate(
        registry_changed=selectors.registry_changed_expression()
    )


@list_schema(
    "Localities",
    s.LocalitySerializer,
    geojson=True,
    description="`?format=geojson`: points (null geometry without coordinates).",
)
class LocalityList(ReadOnlyList):
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    serializer_class = s.LocalitySerializer
    filterset_class = LocalityFilterSet
    export_name = "localities"
    rows = staticmethod(_locality_rows)

    def geometry(self, obj: Locality) -> Geometry:
        return locality_point(obj)


@detail_schema(
    "A locality",
    s.LocalityDetailSerializer,
    description="With its aliases, its partnerships and the sources cited for it (e.g. the "
    "data set an import created it from).",
)
class LocalityDetail(ReadOnlyDetail):
    serializer_class = s.LocalityDetailSerializer

    @staticmethod
    def rows() -> "QuerySet[Locality]":
        return _locality_rows().prefetch_related(
            Prefetch("aliases", LocalityAlias.objects.order_by("valid_from", "name", "id")),
            selectors.citations_with_sources(),
        )

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A record merged into another answers with a permanent redirect to it.
        merged_into = (
            Locality.objects.filter(pk=self.kwargs["pk"], merged_into__isnull=False)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if merged_into is not None:
            return HttpResponsePermanentRedirect(
                django_reverse("api:locality-detail", kwargs={"pk": merged_into})
            )
        return super().retrieve(request, *args, **kwargs)

    def get_object(self) -> Locality:
        locality: Locality = super().get_object()
        locality.api_partnerships = list(  # type: ignore[attr-defined]  # read by LocalityDetailSerializer
            Partnership.objects.with_parties()
            .involving(locality)
            .order_by("locality_a__name", "locality_b__name", "id")
        )
        return locality


# ------------------------------------------------------------------ organizations


def _organization_rows() -> "QuerySet[Organization]":
    return Organization.objects.annotate(registry_changed=selectors.registry_changed_expression())


@list_schema("Organizations", s.OrganizationSerializer)
class OrganizationList(ReadOnlyList):
    serializer_class = s.OrganizationSerializer
    filterset_class = OrganizationFilterSet
    export_name = "organizations"
    rows = staticmethod(_organization_rows)


@detail_schema("An organization", s.OrganizationDetailSerializer)
class OrganizationDetail(ReadOnlyDetail):
    serializer_class = s.OrganizationDetailSerializer
    rows = staticmethod(_organization_rows)


# ------------------------------------------------------------------------ sources


def _source_rows() -> "QuerySet[Source]":
    return Source.objects.annotate(registry_changed=selectors.registry_changed_expression()).prefetch_related(
        Prefetch(
            "citations",
            Citation.objects.select_related("status_event", "activity").order_by("id"),
        )
    )


@list_schema(
    "Sources",
    s.SourceSerializer,
    description="Each source with what cites it (`cited_by`: the claim, its id, the partnership it "
    "concerns, the quote).",
)
class SourceList(ReadOnlyList):
    serializer_class = s.SourceSerializer
    filterset_class = SourceFilterSet
    export_name = "sources"
    rows = staticmethod(_source_rows)


@detail_schema("A source", s.SourceSerializer)
class SourceDetail(ReadOnlyDetail):
    serializer_class = s.SourceSerializer
    rows = staticmethod(_source_rows)


# ---------------------------------------------------------------- reported figures


def _figure_rows() -> "QuerySet[ReportedFigure]":
    return selectors.reported_figures().annotate(registry_changed=selectors.registry_changed_expression())


@list_schema(
    "Reported figures",
    s.ReportedFigureSerializer,
    description="Counts that sources state, to set beside the registry's own.",
)
class ReportedFigureList(ReadOnlyList):
    serializer_class = s.ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet
    export_name = "reported-figures"
    # The CSV names the organization by id and name only.
    csv_only = {"organization": ("id", "name")}
    rows = staticmethod(_figure_rows)


@detail_schema("A reported figure", s.ReportedFigureSerializer)
class ReportedFigureDetail(ReadOnlyDetail):
    serializer_class = s.ReportedFigureSerializer
    rows = staticmethod(_figure_rows)


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


# ----------------------------------------------------------------------- fallback


@extend_schema(exclude=True)
class NotFound(ApiMixin, APIView):
    """Any other path under /api/v1/: a JSON 404 rather than the site's HTML page."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise Http404

    post = put = patch = delete = get
