"""All API errors as JSON of one shape: ``{"status", "detail", "errors"?}``.

A write that lost a race to another (two staff creating the same pair at the same
moment) breaks a database constraint instead of failing the services' checks; the
handler answers it as the services' refusal of the same write sent a moment later: a
400 with the constraint's message (``partnerships.integrity``), never a 500."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler

from ..integrity import constraint_refusal


def _as_lists(detail) -> dict[str, list[str]]:
    """DRF's nested error details, flattened to {name: [messages]} ("citations.0.quote")."""
    errors: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                errors.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in value)
            else:
                for index, item in enumerate(value):
                    if item:
                        walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            errors.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return errors


def django_validation_error_as_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {key: list(messages) for key, messages in error.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": list(error.messages)})


def api_exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        exc = constraint_refusal(exc) or exc
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "Some parameters or fields are not valid; see errors."
        body["errors"] = _as_lists(exc.detail)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        body["detail"] = str(detail or getattr(exc, "detail", "") or "Not found.")
    response.data = body
    return response
