"""Constraint violations as the refusals they stand for.

The services check every rule before writing (``full_clean``, including the models'
unique constraints), so one request after another is refused cleanly. Two writes racing
each other can both pass the check; then the database's constraint refuses the second
(``IntegrityError``). ``constraint_refusal`` turns that into the ValidationError the
sequential case gives — the constraint's own ``violation_error_message`` — so that the
API (``api/exceptions.py``), the admin and the import answer a race as they answer the
same write sent a moment later. Used in those places only; an IntegrityError of no named
constraint of the app stays what it is (a bug to report)."""

from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

APP_LABEL = "partnerships"

#: The field a constraint's refusal is shown on when the sequential check names one
#: (the model's clean() or its unique field); any other is a non-field error.
CONSTRAINT_FIELDS = {
    "partnership_unique_pair": "locality_b",
    "partnership_distinct_parties": "locality_b",
}


@cache
def _constraints() -> dict[str, tuple[models.BaseConstraint, type[models.Model]]]:
    found: dict[str, tuple[models.BaseConstraint, type[models.Model]]] = {}
    for model in apps.get_app_config(APP_LABEL).get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = (constraint, model)
    return found


def violated_constraint(error: BaseException) -> models.BaseConstraint | None:
    """The app's named constraint an IntegrityError reports, or None. PostgreSQL names it
    in the error (``constraint_name``); SQLite's message names a check constraint, and a
    unique one only by its columns, so it is not found there."""
    if not isinstance(error, IntegrityError):
        return None
    cause = error.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    known = _constraints()
    if name in known:
        return known[name][0]
    text = str(error)
    for candidate, (constraint, _) in known.items():
        if candidate in text:
            return constraint
    return None


def refusal_field(constraint: models.BaseConstraint) -> str | None:
    """The field the sequential check shows ``constraint``'s refusal on, or None."""
    if constraint.name in CONSTRAINT_FIELDS:
        return CONSTRAINT_FIELDS[constraint.name]
    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
    return fields[0] if len(fields) == 1 else None


def constraint_refusal(error: BaseException) -> ValidationError | None:
    """The ValidationError the sequential case gives for a constraint a race violated —
    the constraint's message, on the field the sequential check names — or None when the
    error is no violation of a named constraint of the app."""
    constraint = violated_constraint(error)
    if constraint is None:
        return None
    message = constraint.get_violation_error_message() or f"The record breaks the rule {constraint.name}."
    refusal = ValidationError(message, code=constraint.violation_error_code or "unique")
    field = refusal_field(constraint)
    return ValidationError({field: [refusal]}) if field else refusal


def is_uniqueness_refusal(error: ValidationError) -> bool:
    """Whether a ValidationError is a uniqueness check (a unique field, or a unique
    constraint's message) refusing a record: someone else wrote it first."""
    items = [e for es in error.error_dict.values() for e in es] if hasattr(error, "error_dict") else []
    items = items or list(error.error_list)
    unique_messages = {
        str(constraint.get_violation_error_message())
        for constraint, _ in _constraints().values()
        if isinstance(constraint, models.UniqueConstraint)
    }
    return any(e.code in {"unique", "unique_together"} or str(e.message) in unique_messages for e in items)
