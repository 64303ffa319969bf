"""ETag, Last-Modified and Cache-Control for the API's GET responses.

The ETag of a JSON response is a hash of its body, so it changes exactly when the answer
does. Last-Modified is when anything in the registry last changed (the newest row of any
edit-history table): a deletion changes it too, which the rows left on a page could not
tell. Exports are streamed, so their ETag is weak: derived from that time and the query.
"""

import datetime
import hashlib
import time

from django.db.models import DateTimeField, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from ..models import (
    Activity,
    Citation,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)

# Everything the API shows. CorrectionRequest is private and left out.
PUBLIC_MODELS = (
    Partnership,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Source,
    FocusArea,
    StatusEvent,
    Activity,
    ReportedFigure,
    Citation,
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MAX_AGE = 60


def registry_changed_expression():
    """An SQL expression: the time of the newest edit-history row of any public table.
    Each part is one index lookup (history_date is indexed)."""
    newest = [
        Coalesce(
            Subquery(model.history.model.objects.order_by("-history_date").values("history_date")[:1]),
            Value(EPOCH),
            output_field=DateTimeField(),
        )
        for model in PUBLIC_MODELS
    ]
    return Greatest(*newest, output_field=DateTimeField())


def registry_last_changed() -> datetime.datetime:
    """The same, as one query of its own (for responses that have no row to carry it)."""
    row = (
        Partnership.objects.annotate(changed=registry_changed_expression())
        .order_by()
        .values_list("changed", flat=True)[:1]
    )
    found = list(row)
    if found:
        return found[0]
    # No partnership at all: ask through a table that always has a row to hang it on.
    from django.contrib.contenttypes.models import ContentType

    return (
        ContentType.objects.annotate(changed=registry_changed_expression())
        .order_by()
        .values_list("changed", flat=True)
        .first()
        or EPOCH
    )


def _as_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def strong_etag(content: bytes, content_type: str) -> str:
    digest = hashlib.sha256(content_type.encode() + b"\0" + content).hexdigest()[:32]
    return f'"{digest}"'


def weak_etag(*parts: str) -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def set_cache_headers(request, response, *, etag: str, last_modified: datetime.datetime | None):
    """Add the validators and caching headers; answer 304 when the client's copy is current."""
    timestamp = None
    settled = True
    if last_modified:
        timestamp = int(_as_utc(last_modified).timestamp())
        # HTTP dates have whole seconds: a change later in the same second would not move
        # Last-Modified, and a client's If-Modified-Since would hide it. While that second
        # lasts, claim a second earlier and answer If-Modified-Since in full.
        if int(time.time()) <= timestamp:
            timestamp -= 1
            settled = False
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return get_conditional_response(
        request, etag=etag, last_modified=timestamp if settled else None, response=response
    )
