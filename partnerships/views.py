"""Public pages. Thin: each view asks the selectors (``partnerships.selectors``: the reads
it shares with the API and the admin), the querysets, the FilterSets and the services for
what it shows and renders it. Every page runs a fixed number of queries whatever the
number of rows it shows (related rows come through select_related and prefetch_related)."""

import datetime

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods

from registry.clients import client_ip

from . import country_stats, embedding, licensing, list_rows, selectors, services
from .filters import PartnershipFilterSet, country_code
from .models import (
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    Source,
    StatusEvent,
)
from .public_forms import CorrectionForm
from .validators import country_name, validate_country_code

PAGE_SIZE = 50
SEARCH_LIMIT = 50
MAP_LIMIT = 2000  # more partnerships than this: the map shows flows between countries
MAP_FLOW_TABLE = 100  # the biggest flows, as a table under the map
LATEST_CHANGES = 10
# The country page's rankings: partner countries and most-partnered localities shown.
COUNTRY_PARTNERS = 25
COUNTRY_LOCALITIES = 10

# The FilterSet's ``ordering`` values offered on the pages ("" is by place name).
ORDERINGS = [
    ("", "place name"),
    ("-established", "newest established first"),
    ("established", "oldest established first"),
    ("-updated_at", "recently changed first"),
]

_CITATIONS = selectors.citations_with_sources()


def _events_with_citations():
    return StatusEvent.objects.select_related("declaring_organization").prefetch_related(_CITATIONS)


# -------------------------------------------------------------------------- filtering


# Filters whose refusal leaves no list at all: without them the rows would be every
# country's, which a reader who asked for one country takes for that country's.
REFUSED_WITHOUT_ROWS = frozenset({"country", "between"})


def _filter_partnerships(request, queryset=None):
    """The PartnershipFilterSet on the query string. A bad parameter does not fail the
    page: it is left out (django-filter applies only the valid ones) and named in a
    message, with the value the visitor gave, so they can correct it. A country the page
    cannot understand (REFUSED_WITHOUT_ROWS) is different: the page then lists nothing
    rather than every country's partnerships; ``rows(filterset, errors)`` gives the rows."""
    filterset = PartnershipFilterSet(
        request.GET, queryset=queryset if queryset is not None else Partnership.objects.with_parties()
    )
    errors = []
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            filter_ = filterset.filters.get(name)
            label = filter_.label if filter_ is not None and filter_.label else name
            errors.append({"name": name, "label": label, "messages": messages})
    return filterset, errors


def _refused(errors) -> bool:
    return any(error["name"] in REFUSED_WITHOUT_ROWS for error in errors)


def _rows(filterset, errors):
    """The rows a listing page shows: none when a country filter was refused."""
    return filterset.qs.none() if _refused(errors) else filterset.qs


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _filter_context(request, filterset, errors):
    cleaned = filterset.form.cleaned_data if hasattr(filterset.form, "cleaned_data") else {}
    query = _query_without(request, "page")
    # The download holds exactly the rows the page shows: parameters the page left out
    # (shown with a message) are left out of it too, rather than making the API refuse.
    applied = _query_without(request, "page", "format", *(error["name"] for error in errors))
    csv_query = f"{applied}&format=csv" if applied else "format=csv"
    return {
        "filterset": filterset,
        "filter_errors": errors,
        "refused": _refused(errors),
        "error_names": {error["name"] for error in errors},
        "params": request.GET,
        "as_of": cleaned.get("as_of"),
        "query": query,
        "query_without_as_of": _query_without(request, "page", "as_of"),
        "csv_url": f"{reverse('api:partnership-list')}?{csv_query}",
        "statuses": Partnership.Status.choices,
        "orderings": ORDERINGS,
        "levels": Partnership.Level.choices,
        "organizations": Organization.objects.only("id", "name", "abbreviation").order_by("name"),
        "countries": _registry_countries(),
    }


def _registry_countries():
    """The countries the registry has localities in, for the filter's suggestions."""
    codes = selectors.locality_countries()
    return sorted(((code, country_name(code)) for code in codes), key=lambda item: item[1])


# ------------------------------------------------------------------------------- pages


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


@require_GET
def country_detail(request, code):
    # Only ASCII letters are worth upper-casing ("ß".upper() is "SS", a real code).
    if code.isascii() and code != code.upper():
        target = reverse("partnerships:country-detail", kwargs={"code": code.upper()})
        if request.GET:
            target = f"{target}?{request.GET.urlencode()}"
        return redirect(target, permanent=True)
    try:
        validate_country_code(code)
    except ValidationError:
        return render(
            request,
            "partnerships/country_unknown.html",
            {"code": code},
            status=404,
        )
    # The sections above the list, counted in SQL (selectors: a few rows each, however
    # many partnerships the country has).
    figures = list(selectors.reported_figures().filter(Q(country_a=code) | Q(country_b=code)))
    overview = selectors.country_overview(code, localities=COUNTRY_LOCALITIES)
    comparisons = selectors.figure_counts(figures)
    years = country_stats.counts_from_spans(selectors.country_status_spans(code, today=datetime.date.today()))
    established = overview["established"]
    filterset, errors = _filter_partnerships(
        request, queryset=Partnership.objects.in_country(code).with_parties()
    )
    # Without a filter of its own, the list's count from the list index (index-only); and
    # without an order either, its rows by precompiled SQL, written (list_rows).
    index_count = None if _refused(errors) else filterset.index_count(within=code)
    lean = list_rows.country_page_rows(filterset, code) if index_count is not None and not errors else None
    paginator = Paginator(_rows(filterset, errors) if lean is None else lean, PAGE_SIZE)
    if index_count is not None:
        paginator.count = index_count  # a cached property: set, it is not computed again
    page = paginator.get_page(request.GET.get("page"))
    if lean is None:
        page.object_list = licensing.with_row_licenses(page.object_list)
    else:
        page.object_list = list_rows.with_html(page.object_list)
    list_url = reverse("partnerships:partnership-list")
    partners = [
        {
            "code": partner.code,
            "name": country_name(partner.code),
            "count": partner.count,
            "domestic": partner.domestic,
            "url": f"{list_url}?{urlencode({'country': code, 'domestic': 'true'})}"
            if partner.domestic
            else f"{list_url}?{urlencode({'between': f'{code},{partner.code}'})}",
        }
        for partner in overview["partners"]
    ]
    context = _filter_context(request, filterset, errors)
    context.update(
        {
            "code": code,
            "name": country_name(code),
            "total": overview["total"],
            "headline": overview["headline"],
            "partners": partners[:COUNTRY_PARTNERS],
            "more_partners": max(len(partners) - COUNTRY_PARTNERS, 0),
            "top_localities": overview["top_localities"],
            "page": page,
            "years": years,
            "chart": country_stats.stacked_chart(years),
            "established": established,
            "established_chart": country_stats.established_chart(established),
            "comparisons": comparisons,
            "chart_statuses": country_stats.CHART_STATUSES,
            "action": reverse("partnerships:country-detail", kwargs={"code": code}),
            "filtered": bool(_query_without(request, "page")),
            "list_url": f"{list_url}?{urlencode({'country': code})}",
            "feed_url": reverse("partnerships:feed-country", kwargs={"code": code}),
        }
    )
    return render(request, "partnerships/country_detail.html", context)


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


def _map_points(partnerships) -> list[dict]:
    """What the map script draws: each partnership's two places and its status."""
    points = []
    for p in partnerships:
        a, b = p.locality_a, p.locality_b
        points.append(
            {
                "id": p.pk,
                "name": str(p),
                "url": p.get_absolute_url(),
                "status": getattr(p, "status", None) or p.current_status or "",
                "a": {"name": a.name, "lon": _float(a.longitude), "lat": _float(a.latitude)},
                "b": {"name": b.name, "lon": _float(b.longitude), "lat": _float(b.latitude)},
            }
        )
    return points


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


def _float(value):
    return None if value is None else float(value)


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


# ------------------------------------------------------------------------- corrections


def _correction_target(kind: str, pk: int) -> Partnership | Locality:
    """The partnership or locality a correction is about."""
    if kind == "partnership":
        return get_object_or_404(Partnership.objects.with_parties(), pk=pk)
    if kind == "locality":
        return get_object_or_404(Locality, pk=pk)
    raise Http404("Corrections are for partnerships and localities.")


def _correction_limit() -> tuple[int, int]:
    """(submissions, seconds): how many suggestions one address may send in a window."""
    return settings.CORRECTIONS_PER_IP, settings.CORRECTIONS_WINDOW_SECONDS


def _client_key(request) -> str:
    # X-Forwarded-For only as far as NUM_PROXIES trusts it: a client can write any it likes.
    return f"corrections:{client_ip(request)}"


def _over_limit(request) -> bool:
    limit, _window = _correction_limit()
    return cache.get(_client_key(request), 0) >= limit


def _count_submission(request) -> None:
    _limit, window = _correction_limit()
    key = _client_key(request)
    # add() starts the window only if none is running, so the window is fixed, not sliding.
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=window)


@require_http_methods(["GET", "POST"])
def correction_create(request, kind, pk):
    target = _correction_target(kind, pk)
    limit, window = _correction_limit()
    if request.method == "POST":
        if _over_limit(request):
            # The form again, with what the reader typed, under the limit's message: a 429
            # must not throw their text away.
            response = render(
                request,
                "partnerships/correction_limited.html",
                {
                    "form": CorrectionForm(request.POST),
                    "target": target,
                    "kind": kind,
                    "limit": limit,
                    "window_minutes": window // 60,
                },
                status=429,
            )
            response["Retry-After"] = str(window)
            return response
        form = CorrectionForm(request.POST)
        if form.is_valid():
            _count_submission(request)
            if not form.is_from_a_bot():
                services.submit_correction(
                    partnership=target if isinstance(target, Partnership) else None,
                    locality=target if isinstance(target, Locality) else None,
                    message=form.cleaned_data["message"],
                    source_url=form.cleaned_data["source_url"],
                    contact=form.cleaned_data["contact"],
                )
            thanks = reverse("partnerships:correction-thanks")
            return redirect(f"{thanks}?{urlencode({'back': target.get_absolute_url()})}")
    else:
        form = CorrectionForm()
    return render(
        request,
        "partnerships/correction_form.html",
        {"form": form, "target": target, "kind": kind},
    )


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the SVG icon base.html
    links to (a redirect, so the static files' cache-busting names apply)."""
    return redirect(static("partnerships/favicon.svg"))


@require_GET
def correction_thanks(request):
    back = request.GET.get("back", "")
    if not (
        back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = ""
    return render(request, "partnerships/correction_thanks.html", {"back": back})
