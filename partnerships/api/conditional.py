"""ETag, Last-Modified and Cache-Control for the API's GET responses.

The ETag of a JSON response is a hash of its body, so it changes exactly when the answer
does. Last-Modified is when anything in the registry last changed (the newest row of any
edit-history table): a deletion changes it too, which the rows left on a page could not
tell (``selectors.registry_changed_at``). Exports are streamed, so their ETag is weak:
derived from that time and the query.

Writes are conditional the other way round (``require_match``): a write that changes an
existing record takes ``If-Match`` with the ETag of the record's detail as a plain GET
gets it now (``current_etag``); a stale one is a 412, a missing one a 428 where the
write would otherwise overwrite blindly. The check runs inside the write's transaction,
after the record's row is locked, so two writes sent with the same ETag get one 2xx and
one 412, as if sent one after the other.
"""

import copy
import datetime
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from rest_framework import status
from rest_framework.exceptions import APIException
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


# ------------------------------------------------------------------ conditional writes


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since the ETag you sent (If-Match): nothing was written. "
        "GET it again, apply your change to what is stored now, and send its new ETag."
    )
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "This write changes an existing record: send If-Match with the ETag of its detail "
        "(from a GET), so that a change made since is not overwritten."
    )
    default_code = "precondition_required"


_CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def if_match(request: Request) -> list[str] | None:
    """The entity tags of the request's If-Match header (["*"] for any), or None without one."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    tags, current = [], ""
    quoted = False
    for char in raw:  # split on commas outside quotes
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            tags.append(current.strip())
            current = ""
        else:
            current += char
    tags.append(current.strip())
    return [tag for tag in tags if tag]


def current_etag(request: Request, view: Callable[..., HttpResponseBase], **kwargs: Any) -> str | None:
    """The ETag a plain GET (JSON, no parameters, no conditions) of ``view`` answers now,
    or None when that is not a 200 (no such record): the same computation as the GET's."""
    get = copy.copy(request._request)
    get.method = "GET"
    get.GET = QueryDict("")
    get.META = {key: value for key, value in get.META.items() if key not in _CONDITIONAL_HEADERS}
    get.META.update({"REQUEST_METHOD": "GET", "QUERY_STRING": "", "HTTP_ACCEPT": "application/json"})
    response = view(get, **kwargs)
    if response.status_code != 200:
        return None
    return str(response["ETag"])


def require_match(tags: list[str] | None, etag: str | None, *, required: bool) -> None:
    """Refuse the write unless If-Match (``tags``) names ``etag``, the current one: a 428
    without the header where it is ``required``, a 412 when it names another version
    (strong comparison: a weak tag never matches; ``*`` matches any existing record)."""
    if tags is None:
        if required:
            raise PreconditionRequired
        return
    if etag is None:
        raise PreconditionFailed("No such record to change (If-Match).")
    if "*" in tags or (not etag.startswith("W/") and etag in tags):
        return
    raise PreconditionFailed
