"""ETag, Last-Modified and Cache-Control for the API's GET responses.

The ETag of a JSON response is a hash of its body, so it changes exactly when the answer
does. Last-Modified is when anything in the registry last changed (the newest row of any
edit-history table): a deletion changes it too, which the rows left on a page could not
tell (``selectors.registry_changed_at``). Exports are streamed, so their ETag is weak:
derived from that time and the query.
"""

import datetime
import hashlib
import time

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from rest_framework.request import Request

# The tables whose edit history dates Last-Modified (see ``selectors.registry_changed_at``).
from ..selectors import PUBLIC_MODELS as PUBLIC_MODELS

MAX_AGE = 60


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


def set_cache_headers(
    request: HttpRequest | Request,
    response: HttpResponseBase,
    *,
    etag: str,
    last_modified: datetime.datetime | None,
) -> HttpResponseBase:
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
    answer = get_conditional_response(
        request._request if isinstance(request, Request) else request,
        etag=etag,
        last_modified=timestamp if settled else None,
        # Django only copies headers from it, which a streamed response has too (the stub
        # names HttpResponse).
        response=response,  # type: ignore[arg-type]
    )
    return response if answer is None else answer
