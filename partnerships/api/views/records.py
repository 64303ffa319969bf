"""The other records' read-only endpoints, list and detail: localities (a merged
record redirects to the one it was merged into), organizations, sources and reported
figures."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse as django_reverse
from rest_framework.renderers import JSONRenderer

from ... import selectors
from ...filters import LocalityFilterSet, OrganizationFilterSet, ReportedFigureFilterSet, SourceFilterSet
from ...models import Citation, Locality, LocalityAlias, Organization, Partnership, ReportedFigure, Source
from .. import serializers as s
from ..exports import Geometry, locality_point
from ..mixins import ReadOnlyDetail, ReadOnlyList
from ..renderers import CSVRenderer, GeoJSONRenderer
from ..schema import detail_schema, list_schema

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
