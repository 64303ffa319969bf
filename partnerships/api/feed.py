"""The change feed (GET /api/v1/changes/): the change log (``FeedEntry``) served in order.

Each entry is one committed change of a public record — ``partnership``, ``locality``,
``organization``, ``source`` or ``reported_figure`` — written in the transaction that made
it (see ``partnerships.services.feed`` for which changes make which entries). A page is a
primary-key range scan: ``id > cursor ORDER BY id LIMIT n``; the cursor is the id
(``seq``) of the last entry served, as a decimal string, "0" for the beginning. Ids are
handed out in commit order, so a reader that has seen entry N has seen every entry before
it: a mirror that stores its cursor after applying a page never misses a change.

Cursors of the earlier feed (an opaque base64 of a time, a stream name and a history id)
keep working: they map to just before the first entry at or after their time, so a client
holding one gets every change since (and perhaps a few it had, which are idempotent).

``API_CHANGES_SETTLE_SECONDS`` (default 0) holds back entries younger than that many
seconds; a page stops at the first such entry, so nothing behind it is skipped.
"""

import base64
import binascii
import datetime
import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from ..models import FeedEntry

DETAIL_VIEWS = {
    "partnership": "api:partnership-detail",
    "locality": "api:locality-detail",
    "organization": "api:organization-detail",
    "source": "api:source-detail",
    "reported_figure": "api:reported-figure-detail",
}
PUBLIC_TYPES = tuple(DETAIL_VIEWS)
BEGINNING = 0
MAX_CURSOR = 2**63 - 1

COLUMNS = ("id", "committed_at", "record_type", "record_id", "action", "target_id")

_INVALID = {"since": ["Not a cursor this API gave out: pass the `cursor` of a changes page."]}


# ------------------------------------------------------------------------- cursor


def encode_cursor(position: int) -> str:
    return str(position)


def decode_cursor(text: str | None) -> int:
    """The entry id to continue after: a cursor this feed gave out, or an earlier feed's
    (mapped by its time, see ``position_at``)."""
    if not text:
        return BEGINNING
    if len(text) > 500 or not text.isascii():
        raise ValidationError(_INVALID)
    if text.isdigit():
        position = int(text)
        if position > MAX_CURSOR:
            raise ValidationError(_INVALID)
        return position
    return position_at(_legacy_moment(text))


def _legacy_moment(text: str) -> datetime.datetime:
    """The time of a cursor of the feed before the change log: base64 of
    ``[iso time, stream, history id]``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        moment, stream, history_id = json.loads(raw)
        moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None or not isinstance(stream, str) or not isinstance(history_id, int):
            raise ValueError
        if "\x00" in stream or not 0 <= history_id <= MAX_CURSOR:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(_INVALID) from None
    return moment


def position_at(moment: datetime.datetime) -> int:
    """Just before the first entry committed at or after ``moment`` (the end of the feed
    when there is none). Served by the committed_at index."""
    first = (
        FeedEntry.objects.filter(committed_at__gte=moment)
        .order_by("committed_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    if first is not None:
        return int(first) - 1
    return latest_position()


def latest_position() -> int:
    """The cursor of the newest entry: where a snapshot or an export taken now stands."""
    last = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return int(last) if last is not None else BEGINNING


def latest_change_time() -> datetime.datetime | None:
    return FeedEntry.objects.order_by("-id").values_list("committed_at", flat=True).first()


# -------------------------------------------------------------------------- query


def settle_seconds() -> float:
    return float(getattr(settings, "API_CHANGES_SETTLE_SECONDS", 0))


def changes_after(position: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` entries after the position, in cursor order, in one query: a range
    scan of the primary key. Entries younger than the settle window end the page."""
    rows = list(FeedEntry.objects.filter(id__gt=position).order_by("id").values_list(*COLUMNS)[:limit])
    window = settle_seconds()
    if window > 0:
        cutoff = timezone.now() - datetime.timedelta(seconds=window)
        for index, row in enumerate(rows):
            if row[1] > cutoff:
                return rows[:index]
    return rows


class Entries:
    """Turns rows into the API's entries; detail URLs built once per type."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self.prefixes: dict[str, tuple[str, str]] = {}

    def url(self, record_type: str, pk: int) -> str:
        if record_type not in self.prefixes:
            template = self.request.build_absolute_uri(
                reverse(DETAIL_VIEWS[record_type], kwargs={"pk": 999999999})
            )
            head, _, tail = template.rpartition("999999999")
            self.prefixes[record_type] = (head, tail)
        head, tail = self.prefixes[record_type]
        return f"{head}{pk}{tail}"

    def entry(self, row: tuple[Any, ...]) -> dict[str, Any]:
        seq, moment, record_type, record_id, action, target_id = row
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        item: dict[str, Any] = {
            "seq": seq,
            "type": record_type,
            "id": record_id,
            "action": action,
            "changed_at": moment,
        }
        if action in ("deleted", "merged"):
            item["deleted_at"] = moment
            item["url"] = None
            if action == "merged":
                item["merged_into"] = {"id": target_id, "url": self.url(record_type, target_id)}
        else:
            item["url"] = self.url(record_type, record_id)
        return item
