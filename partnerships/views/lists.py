"""The listing pages: the home page (counts by status, the latest changes), the
partnership list, the reported figures and the search."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .. import licensing, list_rows, selectors
from ..filters import country_code
from ..models import Organization, Partnership, Source
from .common import PAGE_SIZE, _events_with_citations, _filter_context, _filter_partnerships, _refused, _rows

SEARCH_LIMIT = 50


LATEST_CHANGES = 10


@require_GET
def home(request):
    by_status = selectors.current_status_counts()
    latest_events = (
        _events_with_citations()
        .select_related("partnership__locality_a", "partnership__locality_b")
        .order_by("-effective_on", "-id")[:LATEST_CHANGES]
    )
    return render(
        request,
        "partnerships/home.html",
        {
            "counts": [(status, by_status.get(status.value, 0)) for status in Partnership.Status],
            "unknown_count": by_status.get("", 0),
            "total": sum(by_status.values()),
            "latest_events": latest_events,
            "source_count": Source.objects.count(),
        },
    )


@require_GET
def partnership_list(request):
    filterset, errors = _filter_partnerships(request)
    # The count from the list index when the filters allow (one country, a pair); then
    # the page's rows by precompiled SQL, written without the row template (list_rows).
    index_count = None if _refused(errors) else filterset.index_count()
    lean = list_rows.page_rows(filterset) if index_count is not None and not errors else None
    paginator = Paginator(_rows(filterset, errors) if lean is None else lean, PAGE_SIZE)
    if index_count is not None:
        paginator.count = index_count  # a cached property: set, it is not computed again
    page = paginator.get_page(request.GET.get("page"))
    if lean is None:
        page.object_list = licensing.with_row_licenses(page.object_list)
    else:
        page.object_list = list_rows.with_html(page.object_list)
    context = _filter_context(request, filterset, errors)
    context["page"] = page
    context["feed_url"] = _list_feed_url(filterset, errors)
    return render(request, "partnerships/partnership_list.html", context)


def _list_feed_url(filterset, errors) -> str:
    """The Atom feed matching a list of one pair of countries or one country, else ""."""
    if errors:
        return ""
    cleaned = filterset.form.cleaned_data
    if cleaned.get("between"):
        return reverse("partnerships:feed-between", kwargs={"pair": ",".join(cleaned["between"])})
    if len(cleaned.get("country") or ()) == 1:
        return reverse("partnerships:feed-country", kwargs={"code": cleaned["country"][0]})
    return ""


@require_GET
def figure_list(request):
    figures = selectors.reported_figures()
    given = request.GET.get("country", "").strip()
    country = country_code(given) if given else ""
    error = ""
    if country is None:
        # Not every figure: a reader who asked for one country would take them for its own.
        shown = given.upper() if len(given) == 2 else given
        error = (
            f"“{shown}” is not an ISO 3166-1 alpha-2 country code (e.g. US, RU) nor a country name "
            "the registry knows (e.g. Russia); no figures are shown until it is corrected or cleared."
        )
        figures = figures.none()
        country = ""
    elif country:
        figures = figures.filter(Q(country_a=country) | Q(country_b=country))
    return render(
        request,
        "partnerships/figure_list.html",
        {"figures": figures, "country": country, "given": given, "error": error},
    )


SEARCH_MAX_LENGTH = 200


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()
    error = ""
    results = None
    if len(q) > SEARCH_MAX_LENGTH:
        error = f"Please search for at most {SEARCH_MAX_LENGTH} characters."
    elif "\x00" in q:
        error = "The search text contains a character that cannot be searched for."
    elif q:
        # Ranked: exact names first, then other names of the place, prefixes, substrings.
        localities = selectors.search_localities(q).select_related("parent").prefetch_related("aliases")
        partnerships = selectors.search_partnerships(q, localities)
        organizations = Organization.objects.matching(q)
        sources = Source.objects.matching(q)
        results = [
            ("localities", "Places", localities.count(), list(localities[:SEARCH_LIMIT])),
            ("partnerships", "Partnerships", partnerships.count(), list(partnerships[:SEARCH_LIMIT])),
            ("organizations", "Organizations", organizations.count(), list(organizations[:SEARCH_LIMIT])),
            ("sources", "Sources", sources.count(), list(sources[:SEARCH_LIMIT])),
        ]
    return render(
        request,
        "partnerships/search.html",
        {
            "q": q,
            "error": error,
            "results": results,
            "total": sum(count for _key, _label, count, _rows in results) if results else 0,
            "did_you_mean": (
                selectors.did_you_mean(q)
                if results and not any(count for _k, _l, count, _r in results)
                else []
            ),
            "limit": SEARCH_LIMIT,
            "list_url": f"{reverse('partnerships:partnership-list')}?{urlencode({'q': q})}",
        },
    )
