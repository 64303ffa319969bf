"""What the model modules share: the timestamps, the precision column and the partial-date
pair.

A date that a source gives only to the month or the year is stored in two columns: the
first day of its period and its precision (see ``partnerships.dates``). A model declares
each such pair once, as a ``PartialDatePair`` next to its two columns; the pair then
brings the whole rule: the value (a ``PartialDate`` or ``None``, readable and settable,
also as a constructor keyword), its display, the validation its model's ``clean()``
reports, and the database CHECK constraint, which it adds to the model's
``Meta.constraints`` itself.
"""

from __future__ import annotations

from typing import Any, Self, overload

from django.db import models
from django.db.models import CheckConstraint
from django.db.models.expressions import Combinable

from ..dates import (
    DatePrecision,
    PartialDate,
    format_partial_date,
    partial_date_constraint,
    validate_partial_date,
)

PRECISION_HELP = (
    "How much of the date the source gives: the day, only the month (enter the 1st), "
    "or only the year (enter 1 January). It is shown as given, e.g. “2002”, never “2002-01-01”."
)


def precision_field(*, blank: bool = False) -> models.CharField[str | int | Combinable, str]:
    """The precision column of a partial date; ``blank`` for a date that may be unknown."""
    return models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=blank,
        default="" if blank else DatePrecision.DAY,
        help_text=PRECISION_HELP,
    )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PartialDatePair(property):
    """A date column and its precision column, read and written as one ``PartialDate``.

    Declared once on the model, after its two columns::

        established = PartialDatePair(
            "established_on", "established_precision",
            required=False, constraint="partnership_established_precision",
        )

    - ``partnership.established`` is a ``PartialDate``, or ``None`` when the date (or, for
      an optional date, the precision) is empty. Like ``PartialDate`` itself, reading a
      pair whose date does not start its period raises ``ValueError``.
    - ``partnership.established = PartialDate(...)`` sets both columns; ``= None`` empties
      them (date ``None``, precision ``""``). It works as a keyword of the model's
      constructor and of ``objects.create()`` too, as Django accepts a property there.
      ``save(update_fields=...)`` needs the column names, not the pair's.
    - ``Partnership.established.columns(value)`` is the same as keyword arguments for the
      two columns, ``{"established_on": ..., "established_precision": ...}``.
    - ``Partnership.established.errors(partnership)`` gives the errors ``clean()``
      reports, keyed by the column names (``partnerships.dates.validate_partial_date``).
    - ``Partnership.established.display(partnership)`` is the date as people read it
      ("July 2002"; "" for none), never failing on columns that do not yet validate.
    - The CHECK constraint named ``constraint`` (``partial_date_constraint``) joins the
      model's ``Meta.constraints``; Meta does not list it again.
    """

    def __init__(self, date_field: str, precision_field: str, *, required: bool, constraint: str) -> None:
        super().__init__(self._read, self._write, doc=f"{date_field} with its precision, as a PartialDate.")
        self.date_field = date_field
        self.precision_field = precision_field
        self.required = required
        self.constraint_name = constraint

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        """Called by Django's model metaclass: put the pair on the class and its CHECK
        among the model's constraints (also where migrations look for them, which is
        only when Meta itself declares constraints). Only a concrete model can have one:
        Django would not pass an abstract model's pair on to its children."""
        if cls._meta.abstract:
            raise TypeError(f"{cls.__name__}.{name}: declare a PartialDatePair on a concrete model")
        setattr(cls, name, self)
        constraints = [*cls._meta.constraints, self.constraint()]
        cls._meta.constraints = constraints
        cls._meta.original_attrs["constraints"] = constraints

    @overload
    def __get__(self, instance: None, owner: type | None = None, /) -> Self: ...

    @overload
    def __get__(self, instance: models.Model, owner: type | None = None, /) -> PartialDate | None: ...

    def __get__(
        self, instance: models.Model | None, owner: type | None = None, /
    ) -> Self | PartialDate | None:
        if instance is None:
            return self
        return self._read(instance)

    def __set__(self, instance: models.Model, value: PartialDate | None, /) -> None:
        self._write(instance, value)

    def _columns(self, instance: models.Model) -> tuple[Any, str]:
        return getattr(instance, self.date_field), getattr(instance, self.precision_field)

    def _read(self, instance: models.Model) -> PartialDate | None:
        date, precision = self._columns(instance)
        return PartialDate(date, precision) if date is not None and precision else None

    def _write(self, instance: models.Model, value: PartialDate | None) -> None:
        for column, column_value in self.columns(value).items():
            setattr(instance, column, column_value)

    def columns(self, value: PartialDate | None) -> dict[str, Any]:
        """The two column values that store the value, by column name: for keyword
        arguments where the pair's own name cannot go (``filter()``, or a constructor
        that the type checker's Django plugin must follow, as it knows only fields)."""
        if value is not None and not isinstance(value, PartialDate):
            raise TypeError(f"{self.date_field}: expected a PartialDate or None, not {value!r}")
        return {
            self.date_field: value.date if value is not None else None,
            self.precision_field: value.precision if value is not None else "",
        }

    def display(self, instance: models.Model) -> str:
        """The date as people read it: "2002", "July 2002", "15 July 2002"; "" for none."""
        return format_partial_date(*self._columns(instance))

    def errors(self, instance: models.Model, *, allow_future: bool = False) -> dict[str, str]:
        """What is wrong with the instance's pair, by column name; empty when it is fine."""
        date, precision = self._columns(instance)
        return validate_partial_date(
            date,
            precision,
            field=self.date_field,
            precision_field=self.precision_field,
            required=self.required,
            allow_future=allow_future,
        )

    def constraint(self) -> CheckConstraint:
        return partial_date_constraint(
            self.date_field, self.precision_field, name=self.constraint_name, required=self.required
        )
