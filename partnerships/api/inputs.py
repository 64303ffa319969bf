"""Reading a request: the ``format`` asked for, the ``as_of`` date, the citations of a
write (as the services' inputs), and validation messages renamed to the API's field names."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request

from .. import services
from ..filters import IsoDateField

# A model's field names in validation messages, as the API's fields call them.
FIELD_NAMES = {
    "level": "kind",
    "established_on": "established",
    "established_precision": "established",
    "effective_on": "date",
    "effective_precision": "date",
    "is_internal_record": "internal_record",
    "__all__": "non_field_errors",
}


def renamed(error: ValidationError) -> ValidationError:
    """The error with the model's field names replaced by the API's (messages of two model
    fields that are one API field are joined)."""
    if isinstance(error.detail, dict):
        renamed: dict[str, Any] = {}
        for key, messages in error.detail.items():
            name = FIELD_NAMES.get(key, key)
            if isinstance(messages, list) and isinstance(renamed.get(name, []), list):
                renamed.setdefault(name, []).extend(messages)
            else:
                renamed[name] = messages
        return ValidationError(renamed)
    return error


def format_of(request: Request) -> str:
    """The format content negotiation chose: ``json``, ``csv`` or ``geojson``."""
    renderer = getattr(request, "accepted_renderer", None)
    return str(getattr(renderer, "format", "json"))


def absolute(request: Request, view_name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(view_name, kwargs={"pk": pk}))


def as_of(request: Request) -> datetime.date | None:
    """The ``as_of`` query parameter as a date; a bad one is a 400 naming it."""
    raw = request.query_params.get("as_of")
    if raw is None:
        return None
    try:
        date: datetime.date = IsoDateField().clean(raw)
    except DjangoValidationError as error:
        raise ValidationError({"as_of": list(error.messages)}) from None
    return date


def citations(request: Request, items: Iterable[Mapping[str, Any]]) -> list[services.CitationInput]:
    """The service's citation inputs; a new source described here is created by the
    service, in the same transaction as the claim it supports."""
    items = list(items)
    if any(item.get("source_id") is None for item in items) and not request.user.has_perm(
        "partnerships.add_source"
    ):
        raise PermissionDenied("Describing a new source needs the permission to add sources.")
    return [
        services.CitationInput(
            source=item["source_id"]
            if item.get("source_id") is not None
            else services.SourceInput(**item["source"]),
            quote=item["quote"],
            locator=item["locator"],
        )
        for item in items
    ]
