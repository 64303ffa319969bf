"""One record's page: a partnership, a locality, an organization, a source."""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import embedding, licensing, selectors
from ..models import Locality, LocalityAlias, Organization, OrganizationRelationship, Partnership, Source
from .common import _CITATIONS, _events_with_citations, _map_points


@require_GET
def partnership_detail(request, pk):
    partnership = selectors.partnership_detail(pk)
    if partnership is None:
        raise Http404("No such partnership.")
    return render(
        request,
        "partnerships/partnership_detail.html",
        {
            "partnership": partnership,
            "licenses": licensing.partnership_licenses(partnership),
            "last_changed": selectors.partnership_changed_at(partnership),
            "map_points": _map_points([partnership]),
        },
    )


@require_GET
def locality_detail(request, pk):
    locality = get_object_or_404(
        Locality.objects.select_related("parent").prefetch_related(
            Prefetch("aliases", queryset=LocalityAlias.objects.order_by("valid_from", "name")),
            Prefetch("children", queryset=Locality.objects.order_by("name")),
            _CITATIONS,
        ),
        pk=pk,
    )
    if locality.merged_into_id is not None:
        # Merged into another record: that one is the place now.
        return redirect(
            reverse("partnerships:locality-detail", kwargs={"pk": locality.merged_into_id}), permanent=True
        )
    partnerships = licensing.with_row_licenses(
        Partnership.objects.as_of(None).involving(locality).with_parties()
    )
    embed_path = reverse("partnerships:locality-embed", kwargs={"pk": locality.pk})
    languages = sorted({alias.language.split("-")[0].lower() for alias in locality.aliases.all()} - {""})
    return render(
        request,
        "partnerships/locality_detail.html",
        {
            "locality": locality,
            "partnerships": partnerships,
            "licenses": licensing.licenses_for(locality.citations.all()),
            "embed_url": request.build_absolute_uri(embed_path),
            "embed_languages": [lang for lang in languages if lang in embedding.LABELS and lang != "en"],
            "feed_url": reverse("partnerships:feed-locality", kwargs={"pk": locality.pk}),
        },
    )


@require_GET
def organization_detail(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    partnerships = Partnership.objects.as_of(None).filter(organizations=organization).with_parties()
    figures = organization.reported_figures.prefetch_related(_CITATIONS)
    relationships = (
        OrganizationRelationship.objects.filter(
            Q(from_organization=organization) | Q(to_organization=organization)
        )
        .select_related("from_organization", "to_organization")
        .prefetch_related(_CITATIONS)
    )
    declared = (
        _events_with_citations()
        .filter(declaring_organization=organization)
        .select_related("partnership__locality_a", "partnership__locality_b")
        .order_by("-effective_on", "-id")
    )
    return render(
        request,
        "partnerships/organization_detail.html",
        {
            "organization": organization,
            "partnerships": partnerships,
            "figures": figures,
            "relationships": relationships,
            "declared_events": declared,
        },
    )


@require_GET
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
        "locality",
    ).order_by("id")
    return render(
        request,
        "partnerships/source_detail.html",
        {"source": source, "citations": citations, "license": licensing.source_license(source)},
    )
