"""Dates with a precision.

Sources often give only a year or a month ("July 2002"). Such a date is stored as the
first day of its period plus its precision, so that it sorts and compares like any date
(an event dated "2022" is in force from 2022-01-01) and still reads honestly ("2002").
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CheckConstraint, Func, IntegerField, Q
from django.db.models.lookups import Exact

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


class DatePrecision(models.TextChoices):
    # Shared by every dated model, hence not nested in one of them.
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


_PARTIAL_DATE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str = DatePrecision.DAY

    def __post_init__(self) -> None:
        if self.precision not in DatePrecision.values:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.date != first_of_period(self.date, self.precision):
            raise ValueError(f"{self.date} is not the first day of its {self.precision}")

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; the precision follows the form."""
        match = _PARTIAL_DATE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(match["year"])
        month = int(match["month"] or 1)
        day = int(match["day"] or 1)
        try:
            date = datetime.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid date: {exc}") from None
        if match["day"]:
            return cls(date, DatePrecision.DAY)
        if match["month"]:
            return cls(date, DatePrecision.MONTH)
        return cls(date, DatePrecision.YEAR)

    @property
    def last_day(self) -> datetime.date:
        """The last day of the period, for "established before" style filters."""
        if self.precision == DatePrecision.YEAR:
            return datetime.date(self.date.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            days = calendar.monthrange(self.date.year, self.date.month)[1]
            return datetime.date(self.date.year, self.date.month, days)
        return self.date

    def iso(self) -> str:
        """The shortest ISO 8601 form that says exactly what is known."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def __str__(self) -> str:
        return format_partial_date(self.date, self.precision)


def first_of_period(date: datetime.date, precision: str) -> datetime.date:
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


def format_partial_date(date: datetime.date | None, precision: str | None) -> str:
    """Human form: "2002", "July 2002", "15 July 2002"; "" for no date."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return f"{calendar.month_name[date.month]} {date.year}"
    return f"{date.day} {calendar.month_name[date.month]} {date.year}"


def validate_partial_date(
    date: datetime.date | None,
    precision: str,
    *,
    field: str,
    precision_field: str,
    required: bool = True,
    allow_future: bool = False,
) -> dict[str, str]:
    """Errors (by field name) for a date/precision pair; empty when it is fine."""
    if date is None:
        if required:
            return {field: "Give a date; with only a year or month known, choose that precision."}
        if precision:
            return {precision_field: "A precision needs a date."}
        return {}
    if precision not in DatePrecision.values:
        return {precision_field: "Choose whether the date is known to the day, the month or the year."}
    if date != first_of_period(date, precision):
        what = "1 January" if precision == DatePrecision.YEAR else "the first of the month"
        return {
            field: f"With {precision} precision, enter {what} ({first_of_period(date, precision)}): "
            f"the date stands for its whole {precision}."
        }
    if not allow_future and date > datetime.date.today():
        return {field: "This date is in the future; the registry records what has happened."}
    return {}


def raise_for(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


class _DatePart(Func):
    """EXTRACT that also holds in SQLite CHECK constraints without Django's own functions,
    so the database enforces precision even for writes that bypass Django."""

    output_field = IntegerField()
    part: str = ""
    sqlite_offset: int = 0  # SQLite stores dates as 'YYYY-MM-DD' text

    def as_sql(
        self,
        compiler: "SQLCompiler",
        connection: "BaseDatabaseWrapper",
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> "_AsSqlType":
        return super().as_sql(
            compiler,
            connection,
            function,
            f"EXTRACT({self.part} FROM %(expressions)s)",
            arg_joiner,
            **extra_context,
        )

    def as_sqlite(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra_context: Any
    ) -> "_AsSqlType":
        return super().as_sql(
            compiler,
            connection,
            template=f"CAST(substr(%(expressions)s, {self.sqlite_offset}, 2) AS INTEGER)",
            **extra_context,
        )


class DayOfMonth(_DatePart):
    part = "DAY"
    sqlite_offset = 9


class MonthOfYear(_DatePart):
    part = "MONTH"
    sqlite_offset = 6


def partial_date_constraint(
    date_field: str, precision_field: str, *, name: str, required: bool
) -> CheckConstraint:
    """A CHECK that the date is the first day of its period, and that a precision goes
    with a date (and only with a date)."""
    day_one: Exact[int] = Exact(DayOfMonth(date_field), 1)
    month_one: Exact[int] = Exact(MonthOfYear(date_field), 1)
    with_date = Q(**{f"{date_field}__isnull": False}) & (
        Q(**{precision_field: DatePrecision.DAY})
        | (Q(**{precision_field: DatePrecision.MONTH}) & Q(day_one))
        | (Q(**{precision_field: DatePrecision.YEAR}) & Q(day_one) & Q(month_one))
    )
    condition = with_date
    if not required:
        condition |= Q(**{f"{date_field}__isnull": True, precision_field: ""})
    return CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message="A date must be the first day of its period (month or year precision).",
    )
