"""Views of the public API, v1. Thin: the FilterSets in ``partnerships.filters`` decide what
a query string means, the querysets in ``partnerships.models`` how to fetch it, and
``partnerships.services`` how to write."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..filters import (
    IsoDateField,
    LocalityFilterSet,
    OrganizationFilterSet,
    PartnershipFilterSet,
    ReportedFigureFilterSet,
    SourceFilterSet,
)
from ..models import (
    Activity,
    Citation,
    Locality,
    LocalityAlias,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from ..validators import country_name
from . import feed
from . import serializers as s
from .conditional import (
    registry_changed_expression,
    registry_last_changed,
    set_cache_headers,
    strong_etag,
    weak_etag,
)
from .exceptions import django_validation_error_as_drf
from .pagination import ApiPagination, _positive_int
from .renderers import CSVRenderer, GeoJSONRenderer, csv_lines, flatten, geojson_chunks

EXPORT_CHUNK = 500

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="A bad parameter: the messages name each one."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such record (or page)."),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests: wait for Retry-After seconds."),
}
WRITE_ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid fields: the messages name each one."),
    401: OpenApiResponse(s.ErrorSerializer, description="No credentials: send `Authorization: Token …`."),
    403: OpenApiResponse(s.ErrorSerializer, description="The token's user lacks the permission."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such partnership."),
}
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "geojson"],
    description="`csv` and `geojson` return every matching row (all pages), streamed; "
    "`page` and `page_size` do not apply to them.",
)
CSV_ONLY_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="`csv` returns every matching row (all pages), streamed.",
)
AS_OF_PARAMETER = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="YYYY-MM-DD: the status as it was on that date."
)

# A model's field names in validation messages, as the API's fields call them.
FIELD_NAMES = {
    "level": "kind",
    "established_on": "established",
    "established_precision": "established",
    "effective_on": "date",
    "effective_precision": "date",
    "is_internal_record": "internal_record",
    "__all__": "non_field_errors",
}


def _renamed(error: ValidationError) -> ValidationError:
    if isinstance(error.detail, dict):
        renamed: dict = {}
        for key, messages in error.detail.items():
            name = FIELD_NAMES.get(key, key)
            if isinstance(messages, list) and isinstance(renamed.get(name, []), list):
                renamed.setdefault(name, []).extend(messages)
            else:
                renamed[name] = messages
        return ValidationError(renamed)
    return error


def _format_of(request) -> str:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", "json")


def _absolute(request, view_name: str, pk) -> str:
    return request.build_absolute_uri(reverse(view_name, kwargs={"pk": pk}))


# --------------------------------------------------------------------------- base


class ApiMixin:
    """Shared by every view: JSON errors, unknown ``format`` as 400, cache validators."""

    renderer_classes = [JSONRenderer]
    pagination_class = ApiPagination
    #: set by views that fetched it with their rows, to spare a query
    last_modified: datetime.datetime | None = None

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            formats = ", ".join(r.format for r in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format; choose from {formats}."]}) from None

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError):
            exc = _renamed(exc)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON whatever format was asked for.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
        ):
            response.render()
            changed = self.last_modified or registry_last_changed()
            return set_cache_headers(
                request,
                response,
                etag=strong_etag(response.content, response["Content-Type"]),
                last_modified=changed,
            )
        return response

    def _remember_last_modified(self, objects):
        first = next(iter(objects), None)
        if first is not None and getattr(first, "registry_changed", None) is not None:
            self.last_modified = first.registry_changed

    # ---------------------------------------------------------------- exports

    csv_columns: list[str] = []
    csv_indexed: tuple[str, ...] = ()
    export_name = "export"

    def export(self, queryset, fmt: str):
        request = self.request
        changed = registry_last_changed()
        media_type = request.accepted_renderer.media_type
        probe = StreamingHttpResponse(content_type=media_type)
        answer = set_cache_headers(
            request,
            probe,
            etag=weak_etag(changed.isoformat(), request.get_full_path(), media_type),
            last_modified=changed,
        )
        if answer.status_code == 304:
            return answer
        rows = (self.export_row(obj) for obj in queryset.iterator(chunk_size=EXPORT_CHUNK))
        if fmt == "csv":
            content = csv_lines((flatten(row, indexed=self.csv_indexed) for row in rows), self.csv_columns)
            probe["Content-Type"] = "text/csv; charset=utf-8"
            probe["Content-Disposition"] = f'attachment; filename="{self.export_name}.csv"'
        else:
            content = geojson_chunks(self.feature(obj, data) for obj, data in rows)
            probe["Content-Disposition"] = f'attachment; filename="{self.export_name}.geojson"'
        probe.streaming_content = (chunk.encode() for chunk in content)
        return probe

    def export_row(self, obj):
        data = self.get_serializer(obj).data
        return (obj, data) if _format_of(self.request) == "geojson" else data

    def feature(self, obj, data):
        raise NotImplementedError


class ListViewSchema(AutoSchema):
    """A list view with several content types is still a list (pagination, filters)."""

    def _is_list_view(self, serializer=None):
        if serializer is None and self.method == "GET" and isinstance(self.view, ListModelMixin):
            return True
        return super()._is_list_view(serializer)


class ListMixin(ApiMixin):
    schema = ListViewSchema()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        fmt = _format_of(request)
        if fmt in ("csv", "geojson"):
            return self.export(queryset, fmt)
        page = self.paginate_queryset(queryset)
        self._remember_last_modified(page)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class StaffModelPermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs a staff account with the model permission, as in the admin."""

    def has_permission(self, request, view):
        writing = request.method not in permissions.SAFE_METHODS
        if writing and request.user and request.user.is_authenticated and not request.user.is_staff:
            return False
        return super().has_permission(request, view)


class ReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


# ------------------------------------------------------------------- partnerships


def partnership_rows():
    return (
        Partnership.objects.with_parties()
        .prefetch_related(
            Prefetch("organizations", Organization.objects.order_by("name", "id")), "focus_areas"
        )
        .annotate(registry_changed=registry_changed_expression())
    )


def _partnership_feature(obj, data):
    a, b = obj.locality_a, obj.locality_b
    geometry = None
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        geometry = {
            "type": "LineString",
            "coordinates": [[float(a.longitude), float(a.latitude)], [float(b.longitude), float(b.latitude)]],
        }
    return {"type": "Feature", "id": obj.pk, "geometry": geometry, "properties": data}


LIST_PARAMETERS = [
    FORMAT_PARAMETER,
    OpenApiParameter("page", int, description="Page number, from 1; past the last page is a 404."),
    OpenApiParameter("page_size", int, description="Results per page, 1 to 200 (default 50)."),
]


@extend_schema_view(
    get=extend_schema(
        summary="Partnerships",
        description="Partnerships matching the filters, paginated; `?format=csv` or `?format=geojson` "
        "for all of them (a line between the two parties; null geometry without coordinates).",
        parameters=LIST_PARAMETERS,
        responses={
            (200, "application/json"): s.PartnershipSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
            **ERRORS,
        },
    ),
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
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    serializer_class = s.PartnershipSerializer
    filterset_class = PartnershipFilterSet
    queryset = Partnership.objects.all()
    export_name = "partnerships"
    csv_indexed = ("localities",)
    csv_columns = [
        "id",
        "url",
        "html_url",
        "kind",
        *[f"localities.{i}.{f}" for i in (0, 1) for f in ("id", "name", "country", "kind", "url")],
        "established.date",
        "established.precision",
        "status",
        "status_since.date",
        "status_since.precision",
        "organizations",
        "focus_areas",
        "updated_at",
    ]

    def get_queryset(self):
        return partnership_rows()

    def get_serializer_class(self):
        return s.PartnershipInput if self.request.method == "POST" else s.PartnershipSerializer

    def feature(self, obj, data):
        return _partnership_feature(obj, data)

    def export_row(self, obj):
        data = s.PartnershipSerializer(obj, context=self.get_serializer_context()).data
        return (obj, data) if _format_of(self.request) == "geojson" else data

    def create(self, request, *args, **kwargs):
        data = s.PartnershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = _citations(request, values["citations"])
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
            )
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        created = partnership_detail_object(partnership.pk, None)
        body = s.PartnershipDetailSerializer(created, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _citations(request, items) -> list[services.CitationInput]:
    """The service's citation inputs; a new source described here is created by the
    service, in the same transaction as the claim it supports."""
    if any(item.get("source_id") is None for item in items) and not request.user.has_perm(
        "partnerships.add_source"
    ):
        raise PermissionDenied("Describing a new source needs the permission to add sources.")
    return [
        services.CitationInput(
            source=item["source_id"]
            if item.get("source_id") is not None
            else services.SourceInput(**item["source"]),
            quote=item["quote"],
            locator=item["locator"],
        )
        for item in items
    ]


def _as_of(request):
    raw = request.query_params.get("as_of")
    if raw is None:
        return None
    try:
        return IsoDateField().clean(raw)
    except DjangoValidationError as error:
        raise ValidationError({"as_of": list(error.messages)}) from None


def partnership_detail_object(pk, as_of):
    """A partnership with everything the detail shows, in a fixed number of queries: its
    row, organizations, focus areas, events, activities, and all their citations at once."""
    partnership = partnership_rows().as_of(as_of).filter(pk=pk).first()
    if partnership is None:
        raise Http404
    events = list(
        StatusEvent.objects.filter(partnership=partnership)
        .select_related("declaring_organization")
        .order_by("effective_on", "id")
    )
    activities = list(Activity.objects.filter(partnership=partnership).order_by("occurred_on", "id"))
    citations = list(
        Citation.objects.filter(
            Q(partnership=partnership)
            | Q(status_event__partnership=partnership)
            | Q(activity__partnership=partnership)
        )
        .select_related("source")
        .order_by("id")
    )
    by_event: dict[int, list] = {}
    by_activity: dict[int, list] = {}
    own = []
    for citation in citations:
        if citation.status_event_id:
            by_event.setdefault(citation.status_event_id, []).append(citation)
        elif citation.activity_id:
            by_activity.setdefault(citation.activity_id, []).append(citation)
        else:
            own.append(citation)
    for event in events:
        event._prefetched_objects_cache = {"citations": by_event.get(event.pk, [])}
    for activity in activities:
        activity._prefetched_objects_cache = {"citations": by_activity.get(activity.pk, [])}
    partnership._prefetched_objects_cache.update(
        {"events": events, "activities": activities, "citations": own}
    )
    return partnership


@extend_schema_view(
    get=extend_schema(
        summary="A partnership",
        description="With its status events and their citations, its own citations and its activities.",
        parameters=[AS_OF_PARAMETER],
        responses={200: s.PartnershipDetailSerializer, **ERRORS},
    )
)
class PartnershipDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [ReadOnly]
    serializer_class = s.PartnershipDetailSerializer
    queryset = Partnership.objects.all()

    def get_object(self):
        partnership = partnership_detail_object(self.kwargs["pk"], _as_of(self.request))
        self.last_modified = partnership.registry_changed
        return partnership


@extend_schema_view(
    get=extend_schema(
        summary="A partnership's status events",
        responses={200: s.StatusEventSerializer(many=True), **ERRORS},
    ),
    post=extend_schema(
        summary="Record a status event",
        description="Staff with an API token and the `add_statusevent` permission. The same rules as "
        "the admin: allowed transitions, a timeline that fits, and a citation unless "
        "`internal_record` is true.",
        request=s.StatusEventInput,
        responses={201: s.StatusEventSerializer, **WRITE_ERRORS},
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

    def get(self, request, pk):
        partnership = partnership_detail_object(pk, None)
        self.last_modified = partnership.registry_changed
        events = partnership._prefetched_objects_cache["events"]
        return Response(
            s.StatusEventSerializer(events, many=True, context=self.get_serializer_context()).data
        )

    def post(self, request, pk):
        partnership = Partnership.objects.filter(pk=pk).first()
        if partnership is None:
            raise Http404
        data = s.StatusEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = _citations(request, values["citations"])
        try:
            event = services.record_status_event(
                partnership=partnership,
                status=values["status"],
                effective=values["date"],
                note=values["note"],
                declared_by=values["declared_by"],
                declaring_organization=values["declaring_organization"],
                citations=citations,
                internal_record=values["internal_record"],
                recorded_by=request.user,
            )
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        event = StatusEvent.objects.select_related("declaring_organization").get(pk=event.pk)
        body = s.StatusEventSerializer(event, context=self.get_serializer_context()).data
        location = _absolute(request, "api:partnership-detail", partnership.pk)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


# --------------------------------------------------------------------- localities


def _locality_feature(obj, data):
    geometry = None
    if obj.latitude is not None and obj.longitude is not None:
        geometry = {"type": "Point", "coordinates": [float(obj.longitude), float(obj.latitude)]}
    return {"type": "Feature", "id": obj.pk, "geometry": geometry, "properties": data}


@extend_schema_view(
    get=extend_schema(
        summary="Localities",
        description="`?format=geojson`: points (null geometry without coordinates).",
        parameters=LIST_PARAMETERS,
        responses={
            (200, "application/json"): s.LocalitySerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
            **ERRORS,
        },
    )
)
class LocalityList(ListMixin, generics.ListAPIView):
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    serializer_class = s.LocalitySerializer
    filterset_class = LocalityFilterSet
    export_name = "localities"
    # Flat already: the CSV has the JSON's columns.
    csv_columns = s.LocalitySerializer.Meta.fields

    def get_queryset(self):
        return Locality.objects.annotate(registry_changed=registry_changed_expression())

    def feature(self, obj, data):
        return _locality_feature(obj, data)


@extend_schema_view(
    get=extend_schema(
        summary="A locality",
        description="With its aliases, its partnerships and the sources cited for it (e.g. the "
        "data set an import created it from).",
        responses={200: s.LocalityDetailSerializer, **ERRORS},
    )
)
class LocalityDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [ReadOnly]
    serializer_class = s.LocalityDetailSerializer

    def get_queryset(self):
        return Locality.objects.annotate(registry_changed=registry_changed_expression()).prefetch_related(
            Prefetch("aliases", LocalityAlias.objects.order_by("valid_from", "name", "id")),
            Prefetch("citations", Citation.objects.select_related("source").order_by("id")),
        )

    def get_object(self):
        locality = super().get_object()
        self.last_modified = locality.registry_changed
        locality.api_partnerships = list(
            Partnership.objects.with_parties()
            .involving(locality)
            .order_by("locality_a__name", "locality_b__name", "id")
        )
        return locality


# ------------------------------------------------------------------ organizations


@extend_schema_view(
    get=extend_schema(
        summary="Organizations",
        parameters=[CSV_ONLY_FORMAT, *LIST_PARAMETERS[1:]],
        responses={
            (200, "application/json"): s.OrganizationSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS,
        },
    )
)
class OrganizationList(ListMixin, generics.ListAPIView):
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = s.OrganizationSerializer
    filterset_class = OrganizationFilterSet
    export_name = "organizations"
    csv_columns = s.OrganizationSerializer.Meta.fields

    def get_queryset(self):
        return Organization.objects.annotate(registry_changed=registry_changed_expression())


@extend_schema_view(
    get=extend_schema(summary="An organization", responses={200: s.OrganizationDetailSerializer, **ERRORS})
)
class OrganizationDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [ReadOnly]
    serializer_class = s.OrganizationDetailSerializer

    def get_queryset(self):
        return Organization.objects.annotate(registry_changed=registry_changed_expression())

    def get_object(self):
        organization = super().get_object()
        self.last_modified = organization.registry_changed
        return organization


# ------------------------------------------------------------------------ sources


def source_rows():
    return Source.objects.annotate(registry_changed=registry_changed_expression()).prefetch_related(
        Prefetch(
            "citations",
            Citation.objects.select_related("status_event", "activity").order_by("id"),
        )
    )


@extend_schema_view(
    get=extend_schema(
        summary="Sources",
        description="Each source with what cites it (`cited_by`: the claim, its id, the partnership it "
        "concerns, the quote).",
        parameters=[CSV_ONLY_FORMAT, *LIST_PARAMETERS[1:]],
        responses={
            (200, "application/json"): s.SourceSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS,
        },
    )
)
class SourceList(ListMixin, generics.ListAPIView):
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = s.SourceSerializer
    filterset_class = SourceFilterSet
    export_name = "sources"
    csv_columns = [
        "id",
        "api_url",
        "html_url",
        "title",
        "publisher",
        "author",
        "published.date",
        "published.precision",
        "url",
        "archived_url",
        "accessed_on",
        "language",
        "kind",
        "notes",
        "updated_at",
        "cited_by",
    ]

    def get_queryset(self):
        return source_rows()


@extend_schema_view(get=extend_schema(summary="A source", responses={200: s.SourceSerializer, **ERRORS}))
class SourceDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [ReadOnly]
    serializer_class = s.SourceSerializer

    def get_queryset(self):
        return source_rows()

    def get_object(self):
        source = super().get_object()
        self.last_modified = source.registry_changed
        return source


# ---------------------------------------------------------------- reported figures


def figure_rows():
    return (
        ReportedFigure.objects.select_related("organization")
        .annotate(registry_changed=registry_changed_expression())
        .prefetch_related(Prefetch("citations", Citation.objects.select_related("source").order_by("id")))
    )


@extend_schema_view(
    get=extend_schema(
        summary="Reported figures",
        description="Counts that sources state, to set beside the registry's own.",
        parameters=[CSV_ONLY_FORMAT, *LIST_PARAMETERS[1:]],
        responses={
            (200, "application/json"): s.ReportedFigureSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS,
        },
    )
)
class ReportedFigureList(ListMixin, generics.ListAPIView):
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = s.ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet
    export_name = "reported-figures"
    csv_columns = [
        "id",
        "url",
        "count",
        "qualifier",
        "measure",
        "country_a",
        "country_b",
        "status",
        "as_of.date",
        "as_of.precision",
        "organization.id",
        "organization.name",
        "description",
        "citations",
        "updated_at",
    ]

    def get_queryset(self):
        return figure_rows()


@extend_schema_view(
    get=extend_schema(summary="A reported figure", responses={200: s.ReportedFigureSerializer, **ERRORS})
)
class ReportedFigureDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [ReadOnly]
    serializer_class = s.ReportedFigureSerializer

    def get_queryset(self):
        return figure_rows()

    def get_object(self):
        figure = super().get_object()
        self.last_modified = figure.registry_changed
        return figure


# -------------------------------------------------------------------------- stats

STATUS_KEYS = [*Partnership.Status.values, "unknown"]


def _filterset_parameters():
    """The partnership list's filters as OpenAPI parameters, for views that use them by hand."""
    return [
        OpenApiParameter(name, str, description=str(f.extra.get("help_text") or f.label or ""))
        for name, f in PartnershipFilterSet.base_filters.items()
        if name != "ordering"
    ]


@extend_schema_view(
    get=extend_schema(
        summary="Statistics",
        description="Partnerships matching the same filters as the partnership list, counted per "
        "country (a partnership counts once in each of its parties' countries), status or kind, "
        "and per status; beside them, the figures sources report for the same scope "
        "(the same countries, the same status).",
        parameters=[
            OpenApiParameter(
                "group_by", str, enum=["country", "status", "kind"], description="Default: country."
            ),
            *_filterset_parameters(),
        ],
        responses={200: s.StatsSerializer, **ERRORS},
    )
)
class Stats(ApiMixin, APIView):
    permission_classes = [ReadOnly]

    def get(self, request):
        group_by = request.query_params.get("group_by", "country")
        if group_by not in ("country", "status", "kind"):
            raise ValidationError({"group_by": ["Choose country, status or kind."]})
        filterset = PartnershipFilterSet(
            request.query_params, queryset=Partnership.objects.all(), request=request
        )
        if not filterset.is_valid():
            raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
        queryset = filterset.qs.order_by()
        counts: dict[str, dict[str, int]] = {}

        def add(key, status_value, number):
            bucket = counts.setdefault(key, dict.fromkeys(STATUS_KEYS, 0))
            bucket[status_value or "unknown"] += number

        if group_by == "country":
            for side in ("locality_a__country", "locality_b__country"):
                for row in queryset.values(side, "status").annotate(n=Count("pk")):
                    add(row[side], row["status"], row["n"])
            # A partnership within one country counts once there, not twice.
            same = queryset.filter(locality_a__country=F("locality_b__country"))
            for row in same.values("locality_a__country", "status").annotate(n=Count("pk")):
                add(row["locality_a__country"], row["status"], -row["n"])
            by_status = dict.fromkeys(STATUS_KEYS, 0)
            for row in queryset.values("status").annotate(n=Count("pk")):
                by_status[row["status"] or "unknown"] += row["n"]
        else:
            field = "level" if group_by == "kind" else "status"
            fields = {field, "status"}
            for row in queryset.values(*fields).annotate(n=Count("pk")):
                add(row[field] or "unknown", row["status"], row["n"])
            by_status = dict.fromkeys(STATUS_KEYS, 0)
            for bucket in counts.values():
                for key, number in bucket.items():
                    by_status[key] += number
        labels = {
            "country": country_name,
            "kind": lambda key: dict(Partnership.Level.choices).get(key, key),
            "status": lambda key: dict(Partnership.Status.choices).get(key, key),
        }[group_by]
        groups = [
            {"key": key, "label": labels(key), "count": sum(bucket.values()), "by_status": bucket}
            for key, bucket in counts.items()
            if sum(bucket.values())
        ]
        groups.sort(key=lambda group: (-group["count"], group["key"]))
        figures = figure_rows().filter(_figure_scope(filterset.form.cleaned_data))
        return Response(
            {
                "group_by": group_by,
                "as_of": filterset.form.cleaned_data.get("as_of"),
                "total": sum(by_status.values()),
                "by_status": by_status,
                "groups": groups,
                "reported_figures": s.ReportedFigureSerializer(
                    figures, many=True, context={"request": request}
                ).data,
            }
        )


def _figure_scope(data) -> Q:
    """Reported figures about the same scope as the partnership filters."""
    scope = Q(measure=ReportedFigure.Measure.PARTNERSHIPS)
    if data.get("between"):
        first, second = data["between"]
        scope &= Q(country_a=first, country_b=second) | Q(country_a=second, country_b=first)
    elif data.get("country"):
        scope &= Q(country_a__in=data["country"], country_b="")
    else:
        scope &= Q(country_a="")
    scope &= Q(status__in=data["status"]) if data.get("status") else Q(status="")
    return scope


# ------------------------------------------------------------------------ changes


@extend_schema_view(
    get=extend_schema(
        summary="Change feed",
        description="Every creation, update and deletion of partnerships, localities, organizations, "
        "sources and reported figures, oldest first. Start without `since`; then pass the "
        "`cursor` of the last page as `since`. A created or updated record: fetch its `url`. "
        "A tombstone (`action: deleted`): remove it. Changes to a record's parts (a status "
        "event, a citation, an alias) are updates of that record. Entries appear after a short "
        "settle window, so that no late-committing change is skipped.",
        parameters=[
            OpenApiParameter("since", str, description="The `cursor` of the previous page."),
            OpenApiParameter("page_size", int, description="Entries per page, 1 to 200 (default 100)."),
        ],
        responses={200: s.ChangePageSerializer, **ERRORS},
    )
)
class Changes(ApiMixin, APIView):
    permission_classes = [ReadOnly]

    def get(self, request):
        position = feed.decode_cursor(request.query_params.get("since"))
        limit = _positive_int(request, "page_size", maximum=200) or 100
        rows = feed.changes_after(position, limit + 1)
        results = []
        for row in rows[:limit]:
            item, position = feed.entry(row, request)
            results.append(item)
        cursor = feed.encode_cursor(position)
        next_url = None
        if len(rows) > limit:
            query = {"since": cursor}
            if "page_size" in request.query_params:
                query["page_size"] = limit
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response({"next": next_url, "cursor": cursor, "results": results})


# ----------------------------------------------------------------------- fallback


@extend_schema(exclude=True)
class NotFound(ApiMixin, APIView):
    """Any other path under /api/v1/: a JSON 404 rather than the site's HTML page."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, *args, **kwargs):
        raise Http404

    post = put = patch = delete = get
