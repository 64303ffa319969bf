"""Public pages. Thin: each view asks a queryset for its rows and renders them."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from .models import (
    Activity,
    Citation,
    Locality,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)

_CITATIONS = Prefetch("citations", queryset=Citation.objects.select_related("source"))


def _as_of_param(request) -> tuple[datetime.date | None, str]:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return None, f"“{raw}” is not a date of the form YYYY-MM-DD; showing current statuses."


def home(request):
    counts = dict(
        Partnership.objects.exclude(current_status="")
        .values_list("current_status")
        .annotate(n=Count("id"))
        .values_list("current_status", "n")
    )
    latest_events = (
        StatusEvent.objects.select_related("partnership__locality_a", "partnership__locality_b")
        .prefetch_related(_CITATIONS)
        .order_by("-effective_on", "-id")[:10]
    )
    return render(
        request,
        "partnerships/home.html",
        {
            "counts": [(status, counts.get(status.value, 0)) for status in Partnership.Status],
            "latest_events": latest_events,
        },
    )


def partnership_list(request):
    as_of, error = _as_of_param(request)
    partnerships = Partnership.objects.as_of(as_of).with_parties()
    q = request.GET.get("q", "").strip()
    if q:
        partnerships = partnerships.matching(q)
    page = Paginator(partnerships, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/partnership_list.html",
        {"page": page, "as_of": as_of, "q": q, "error": error},
    )


def partnership_detail(request, pk):
    partnership = get_object_or_404(
        Partnership.objects.with_parties().prefetch_related(
            _CITATIONS,
            "organizations",
            "focus_areas",
            Prefetch(
                "events",
                queryset=StatusEvent.objects.prefetch_related(_CITATIONS).order_by("effective_on", "id"),
            ),
            Prefetch("activities", queryset=Activity.objects.prefetch_related(_CITATIONS)),
        ),
        pk=pk,
    )
    return render(request, "partnerships/partnership_detail.html", {"partnership": partnership})


def locality_detail(request, pk):
    locality = get_object_or_404(Locality.objects.select_related("parent").prefetch_related("aliases"), pk=pk)
    partnerships = Partnership.objects.involving(locality).with_parties()
    return render(
        request,
        "partnerships/locality_detail.html",
        {"locality": locality, "partnerships": partnerships},
    )


def organization_detail(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    partnerships = organization.partnerships.with_parties()
    figures = organization.reported_figures.prefetch_related(_CITATIONS)
    return render(
        request,
        "partnerships/organization_detail.html",
        {"organization": organization, "partnerships": partnerships, "figures": figures},
    )


def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    citations = source.citations.select_related(
        "partnership__locality_a",
        "partnership__locality_b",
        "status_event__partnership__locality_a",
        "status_event__partnership__locality_b",
        "activity__partnership__locality_a",
        "activity__partnership__locality_b",
        "reported_figure",
        "organization_relationship__from_organization",
        "organization_relationship__to_organization",
    )
    return render(request, "partnerships/source_detail.html", {"source": source, "citations": citations})


def figure_list(request):
    figures = ReportedFigure.objects.select_related("organization").prefetch_related(_CITATIONS)
    country = request.GET.get("country", "").strip().upper()
    if country:
        figures = figures.filter(Q(country_a=country) | Q(country_b=country))
    return render(request, "partnerships/figure_list.html", {"figures": figures, "country": country})
