"""The partnership list page's rows for the lists the list index serves (one country or a
pair, ± status, in the default order; the country page's list without a filter of its
own): the page's rows as plain tuples from the API's precompiled page query
(``api.serializers.lean_pages``), and their table rows written here in Python instead of
by ``_partnership_row.html`` once per row.

Rendering that template for 50 rows (an include, two nested includes and a dozen
lookups, tags and filters each) cost the HTML list more than its queries; these rows are
the template's bytes exactly (tests/test_page_partnership_list.py renders every list both
ways and compares the pages), and any other list — as of a date, a search, other filters
or orders, the locality and country pages — renders the template."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from . import wording
from .api.serializers.lean import url_maker
from .licensing import License, dataset_licenses_of
from .models import Partnership

LEVELS = {str(value): str(label) for value, label in Partnership.Level.choices}
_CODE = "Zq"  # a stand-in country code: the country page's path is reversed once


@functools.lru_cache(maxsize=64)
def _country_path(script_prefix: str, urlconf: Any) -> tuple[str, str]:
    """The country page's path around a stand-in code, reversed once per script prefix and
    URLconf (as ``lean.url_maker`` does for a page by id)."""
    prefix, suffix = reverse("partnerships:country-detail", kwargs={"code": _CODE}).split(_CODE)
    return prefix, suffix


class ListRow(NamedTuple):
    """One row of the page (``lean.COLUMNS`` and ``registry_changed``), named as a
    partnership's attributes are where the tests and the templates read them."""

    pk: int
    level: str
    established_on: datetime.date | None
    established_precision: str
    status: str | None
    status_since: datetime.date | None
    status_since_precision: str | None
    status_reported: datetime.date | None
    status_reported_precision: str | None
    updated_at: datetime.datetime
    locality_a_id: int
    locality_a_name: str
    locality_a_country: str
    locality_a_kind: str
    locality_b_id: int
    locality_b_name: str
    locality_b_country: str
    locality_b_kind: str
    registry_changed: Any

    def __str__(self) -> str:  # as Partnership's
        return f"{self.locality_a_name} – {self.locality_b_name}"


class PageRows(list[ListRow]):
    """A page's rows, with their table rows as ``html``."""

    html: SafeString


def page_rows(filterset: Any) -> Any | None:
    """The list's rows for the paginator by the precompiled page query, or None when the
    filters are not of a precompiled shape (then render the queryset's rows)."""
    from .api.serializers.lean_pages import precompiled_rows

    return precompiled_rows(filterset)


def country_page_rows(filterset: Any, code: str) -> Any | None:
    """The country page's list rows by the precompiled page query of ``?country=<code>``
    when the visitor set no filter and no order of their own; None otherwise."""
    from .api.serializers.lean_pages import precompiled_country_rows

    if any(value not in (None, "", []) for value in filterset.form.cleaned_data.values()):
        return None
    return precompiled_country_rows(code)


def with_html(rows: Iterable[Sequence[Any]]) -> PageRows:
    """The page's rows with their ``<tr>`` rows written (one query, for the data-set
    licences)."""
    page = PageRows(ListRow(*t) for t in rows)
    page.html = write_rows(page, dataset_licenses_of([row.pk for row in page]))
    return page


@functools.lru_cache(maxsize=64)
def _licence(licence: License) -> str:
    return (
        f' <a class="tag licence" href="{escape(licence.url)}" rel="license" '
        f'title="{escape(capfirst(licence.applies_to))}; credit {escape(licence.attribution)}">'
        f"{escape(licence.name)}</a>"
    )


def write_rows(rows: Sequence[ListRow], licences: dict[int, list[License]]) -> SafeString:
    """``_partnership_row.html`` for each row, byte for byte."""
    detail = url_maker(None, "partnerships:partnership-detail")
    country_prefix, country_suffix = _country_path(get_script_prefix(), get_urlconf())
    out = []
    for row in rows:
        status, since, reported = row.status, row.status_since, row.status_reported
        a_country, b_country = row.locality_a_country, row.locality_b_country
        tags = ' <span class="tag">domestic</span>' if a_country == b_country else ""
        tags += "".join(_licence(licence) for licence in licences.get(row.pk, ()))
        if status:
            prefix = "reported " if wording.is_reported_only(since, reported) else ""
            status_html = f'{prefix}<span class="status status-{escape(status)}">{escape(status)}</span>\n'
        else:
            status_html = '<span class="status status-unknown">no status recorded</span>\n'
        when = wording.status_after(
            since, row.status_since_precision, reported, row.status_reported_precision
        )
        out.append(
            "<tr>\n"
            f'  <th scope="row"><a href="{escape(detail(row.pk))}">{escape(row.locality_a_name)} – '
            f"{escape(row.locality_b_name)}</a>{tags}</th>\n"
            f'  <td class="countries"><a href="{escape(f"{country_prefix}{a_country}{country_suffix}")}">'
            f"{escape(a_country)}</a>–"
            f'<a href="{escape(f"{country_prefix}{b_country}{country_suffix}")}">{escape(b_country)}</a></td>\n'
            f'  <td class="level">{escape(LEVELS.get(row.level, row.level))}</td>\n'
            f"  <td>{status_html}</td>\n"
            f"  <td>{escape(when)}</td>\n"
            "</tr>\n"
        )
    return mark_safe("".join(out))  # every value above is escaped
