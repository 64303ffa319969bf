"""The licences of what the registry republishes: its own records, and each imported data
set's (a row imported from the Hekman/twincities list is Wikipedia text, CC BY-SA 4.0).
A record's licences are the registry's plus those of the data sets its citations name
(matched by the data set's source URL); the pages and the API show them."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .importing.datasets import HEKMAN, MUENCHDO


@dataclass(frozen=True)
class License:
    applies_to: str
    name: str
    url: str
    attribution: str
    share_alike: bool = False

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "applies_to": self.applies_to,
            "name": self.name,
            "url": self.url,
            "attribution": self.attribution,
            "share_alike": self.share_alike,
        }


REGISTRY_LICENSE = License(
    applies_to="the registry's own records (curated partnerships, status events, citations)",
    name="CC BY 4.0",
    url="https://creativecommons.org/licenses/by/4.0/",
    attribution="Partnership registry",
)

# Keyed by the URL of the Source record an import creates for the data set.
DATASET_LICENSES: dict[str, License] = {
    HEKMAN.source.url: License(
        applies_to="rows imported from Hekman/twincities, scraped from the English Wikipedia",
        name="CC BY-SA 4.0",
        url="https://creativecommons.org/licenses/by-sa/4.0/",
        attribution=(
            "Wikipedia contributors, “List of twin towns and sister cities in …” (English Wikipedia), "
            "via Hekman/twincities (MIT, © 2026 Erik Hekman)"
        ),
        share_alike=True,
    ),
    MUENCHDO.source.url: License(
        applies_to="rows imported from muenchdo/TwinTowns",
        name="MIT (the repository); the upstream data's licence is unknown",
        url="https://github.com/muenchdo/TwinTowns",
        attribution="Dominik Muench, muenchdo/TwinTowns (© 2015)",
    ),
}


def source_license(source) -> License | None:
    """The licence of a data set's Source record, or None for any other source."""
    return DATASET_LICENSES.get(getattr(source, "url", "") or "")


def licenses_for(citations: Iterable) -> list[License]:
    """The licences of a record with these citations: the registry's, then each cited data
    set's, once each."""
    found: list[License] = [REGISTRY_LICENSE]
    for citation in citations:
        licence = source_license(citation.source)
        if licence is not None and licence not in found:
            found.append(licence)
    return found


def partnership_licenses(partnership) -> list[License]:
    """A partnership's licences, from its own and its events' citations (as prefetched by
    selectors.partnership_detail)."""
    citations = list(partnership.citations.all())
    for event in partnership.events.all():
        citations.extend(event.citations.all())
    return licenses_for(citations)


def with_row_licenses(partnerships: Iterable) -> list:
    """The partnerships as a list, each with ``dataset_licenses``: the licences of the data
    sets it was imported from (by its own and its events' citations), for a list row to
    name beside the registry's own. One query for all the rows."""
    rows = list(partnerships)
    found = dataset_licenses_of([row.pk for row in rows])
    for row in rows:
        row.dataset_licenses = found[row.pk]
    return rows


def dataset_licenses_of(ids: list[int]) -> dict[int, list[License]]:
    """Each partnership's data-set licences (``with_row_licenses``), by id, in the order of
    the citations that name them: one query, none for no ids. Plain SQL (a UNION ALL of two
    lookups, each served by an index: the citation's partnership, the event's partnership;
    an OR across the event's join read every citation), as the ORM would write it less
    quickly, for every list page."""
    from django.db import connections, router

    from .models import Citation, Source, StatusEvent

    found: dict[int, list[License]] = {pk: [] for pk in ids}
    if not ids:
        return found
    connection = connections[router.db_for_read(Citation)]
    citation, source, event = (
        connection.ops.quote_name(model._meta.db_table) for model in (Citation, Source, StatusEvent)
    )
    urls = list(DATASET_LICENSES)
    url_in = ", ".join(["%s"] * len(urls))
    id_params: list[Any]
    if connection.vendor == "postgresql":
        own_ids, event_ids, id_params = (
            "c.partnership_id = ANY(%s)",
            "e.partnership_id = ANY(%s)",
            [list(ids)],
        )
    else:
        marks = ", ".join(["%s"] * len(ids))
        own_ids, event_ids, id_params = (
            f"c.partnership_id IN ({marks})",
            f"e.partnership_id IN ({marks})",
            list(ids),
        )
    sql = (
        f"SELECT c.partnership_id, s.url, c.id FROM {citation} c JOIN {source} s ON s.id = c.source_id "
        f"WHERE s.url IN ({url_in}) AND {own_ids} "
        "UNION ALL "
        f"SELECT e.partnership_id, s.url, c.id FROM {citation} c JOIN {event} e ON e.id = c.status_event_id "
        f"JOIN {source} s ON s.id = c.source_id WHERE s.url IN ({url_in}) AND {event_ids}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*urls, *id_params, *urls, *id_params])
        cited = cursor.fetchall()
    for pk, url, _id in sorted(cited, key=lambda row: row[2]):
        licences = found[pk]
        licence = DATASET_LICENSES[url]
        if licence not in licences:
            licences.append(licence)
    return found
