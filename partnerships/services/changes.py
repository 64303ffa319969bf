"""The one way a service corrects a record's own fields: set the named fields, validate
the whole record, save. Unknown field names are refused rather than silently set."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

RecordT = TypeVar("RecordT", bound=models.Model)


def save_changes(record: RecordT, changes: dict[str, Any]) -> RecordT:
    """Set each of ``changes`` (model field names, or a foreign key's ``_id`` name) on
    ``record``, then ``full_clean()`` and save it."""
    known: set[str] = set()
    for field in record._meta.concrete_fields:
        known.update((field.name, field.attname))
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValidationError(
            f"{type(record)._meta.verbose_name} has no field {', '.join(unknown)} that can be changed here."
        )
    for name, value in changes.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record
