"""The locality embed: one locality's partnerships for a city's own web site, in its
language, without script; the only page that may be framed."""

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from .. import embedding, licensing, selectors
from ..models import Locality, Partnership

# The embed may be framed by any site (a city's own pages), and runs no script at all.
EMBED_CSP = {"frame-ancestors": settings.EMBED_FRAME_ANCESTORS, "script-src": ["'none'"]}


@require_GET
@xframe_options_exempt
@csp_replace(EMBED_CSP, REPORT_ONLY=hasattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY"))  # type: ignore[arg-type]  # django-csp types views as taking the request only
def locality_embed(request: HttpRequest, pk: int) -> HttpResponse:
    """One locality's partnerships for a city's web site, in its language (``?lang=de``):
    a small page without script, the only page that may be framed."""
    locality = get_object_or_404(Locality.objects.prefetch_related("aliases"), pk=pk)
    lang = embedding.language(request.GET.get("lang", ""))
    partnerships = list(
        Partnership.objects.involving(locality)
        .select_related("locality_a", "locality_b")
        .prefetch_related("locality_a__aliases", "locality_b__aliases")
    )
    rows = embedding.rows(locality, partnerships, selectors.citations_by_partnership(partnerships), lang)
    labels = embedding.LABELS[lang]
    registry = embedding.REGISTRY_NAMES[lang]
    name = embedding.name_in(locality, lang)
    response = render(
        request,
        "partnerships/locality_embed.html",
        {
            "locality": locality,
            "name": name,
            "lang": lang,
            "labels": labels,
            "title": labels["title"].format(place=name),
            "data_from": labels["data_from"].format(registry=registry),
            "rows": rows,
            "page_url": request.build_absolute_uri(locality.get_absolute_url()),
            "base": request.build_absolute_uri("/").rstrip("/"),
            "licenses": licensing.licenses_for(citation for row in rows for citation in row.citations),
        },
    )
    response["Content-Language"] = lang
    return response
