"""A country's page: its overview counted in SQL (partner countries, most-partnered
localities, status over the years, reported figures) above its filtered list."""

import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .. import country_stats, licensing, list_rows, selectors
from ..models import Partnership
from ..validators import country_name, validate_country_code
from .common import PAGE_SIZE, _filter_context, _filter_partnerships, _query_without, _refused, _rows

# The country page's rankings: partner countries and most-partnered localities shown.
COUNTRY_PARTNERS = 25
COUNTRY_LOCALITIES = 10


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
