"""Dates with a precision: parsing, display, validation and the database CHECK constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.dates import (
    DatePrecision,
    PartialDate,
    first_of_period,
    format_partial_date,
    raise_for,
    validate_partial_date,
)
from partnerships.models import Activity, LocalityAlias, Partnership, ReportedFigure, Source, StatusEvent
from tests.factories import LocalityFactory, PartnershipFactory

# ------------------------------------------------------------------------- parsing


def test_parse_year_gives_first_of_january_with_year_precision():
    parsed = PartialDate.parse("2002")
    assert parsed.date == datetime.date(2002, 1, 1)
    assert parsed.precision == DatePrecision.YEAR


def test_parse_month_gives_first_of_month_with_month_precision():
    parsed = PartialDate.parse("2002-07")
    assert parsed.date == datetime.date(2002, 7, 1)
    assert parsed.precision == DatePrecision.MONTH


def test_parse_full_date_gives_day_precision():
    parsed = PartialDate.parse("2002-07-15")
    assert parsed.date == datetime.date(2002, 7, 15)
    assert parsed.precision == DatePrecision.DAY


def test_parse_ignores_surrounding_whitespace():
    assert PartialDate.parse("  2002-07 ") == PartialDate(datetime.date(2002, 7, 1), DatePrecision.MONTH)


def test_parse_accepts_leap_day_in_leap_year():
    assert PartialDate.parse("2004-02-29").date == datetime.date(2004, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2002-13",
        "2002-00",
        "02-07",
        "",
        "   ",
        "2002-02-30",
        "2003-02-29",
        "2002-7",
        "2002/07/15",
        "July 2002",
    ],
)
def test_parse_rejects_malformed_or_impossible_dates(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError):
        PartialDate.parse(None)


def test_partial_date_refuses_a_date_that_is_not_the_start_of_its_period():
    with pytest.raises(ValueError, match="first day"):
        PartialDate(datetime.date(2002, 7, 15), DatePrecision.MONTH)
    with pytest.raises(ValueError, match="first day"):
        PartialDate(datetime.date(2002, 7, 1), DatePrecision.YEAR)


def test_partial_date_refuses_an_unknown_precision():
    with pytest.raises(ValueError, match="precision"):
        PartialDate(datetime.date(2002, 1, 1), "decade")


# ------------------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2002", "2002"),
        ("2002-07", "July 2002"),
        ("2002-07-15", "15 July 2002"),
        ("1993-01-05", "5 January 1993"),
    ],
)
def test_str_shows_only_what_is_known(text, shown):
    assert str(PartialDate.parse(text)) == shown


@pytest.mark.parametrize("text", ["2002", "2002-07", "2002-07-15"])
def test_iso_round_trips_the_parsed_text(text):
    assert PartialDate.parse(text).iso() == text


def test_format_partial_date_of_no_date_is_empty():
    assert format_partial_date(None, "") == ""


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("2002", datetime.date(2002, 12, 31)),
        ("2002-07", datetime.date(2002, 7, 31)),
        ("2002-06", datetime.date(2002, 6, 30)),
        ("2003-02", datetime.date(2003, 2, 28)),
        ("2004-02", datetime.date(2004, 2, 29)),
        ("2002-07-15", datetime.date(2002, 7, 15)),
    ],
)
def test_last_day_is_the_end_of_the_period(text, last):
    assert PartialDate.parse(text).last_day == last


def test_partial_dates_sort_by_date():
    dates = [PartialDate.parse(t) for t in ("2002-07-15", "2001", "2002-07")]
    assert [d.iso() for d in sorted(dates)] == ["2001", "2002-07", "2002-07-15"]


def test_first_of_period():
    day = datetime.date(2002, 7, 15)
    assert first_of_period(day, DatePrecision.YEAR) == datetime.date(2002, 1, 1)
    assert first_of_period(day, DatePrecision.MONTH) == datetime.date(2002, 7, 1)
    assert first_of_period(day, DatePrecision.DAY) == day


# ---------------------------------------------------------------------- validation


def _validate(date, precision, **kwargs):
    return validate_partial_date(date, precision, field="when", precision_field="when_precision", **kwargs)


def test_validate_accepts_a_well_formed_past_date():
    assert _validate(datetime.date(2002, 7, 1), DatePrecision.MONTH) == {}
    assert _validate(datetime.date(2002, 1, 1), DatePrecision.YEAR) == {}
    assert _validate(datetime.date(2002, 7, 15), DatePrecision.DAY) == {}


def test_validate_month_precision_not_on_the_first_names_the_first_of_the_month():
    errors = _validate(datetime.date(2002, 7, 5), DatePrecision.MONTH)
    assert set(errors) == {"when"}
    assert "first of the month" in errors["when"]
    assert "2002-07-01" in errors["when"]


def test_validate_year_precision_not_on_first_january_names_first_january():
    errors = _validate(datetime.date(2002, 7, 1), DatePrecision.YEAR)
    assert set(errors) == {"when"}
    assert "1 January" in errors["when"]
    assert "2002-01-01" in errors["when"]


def test_validate_refuses_a_future_date():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    errors = _validate(tomorrow, DatePrecision.DAY)
    assert set(errors) == {"when"}
    assert "future" in errors["when"]


def test_validate_allows_a_future_date_when_asked():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert _validate(tomorrow, DatePrecision.DAY, allow_future=True) == {}


def test_validate_requires_a_date_when_required():
    assert set(_validate(None, DatePrecision.DAY)) == {"when"}


def test_validate_optional_date_with_no_date_and_no_precision_is_fine():
    assert _validate(None, "", required=False) == {}


def test_validate_precision_without_a_date_is_an_error_on_the_precision():
    errors = _validate(None, DatePrecision.YEAR, required=False)
    assert set(errors) == {"when_precision"}


def test_validate_date_without_a_precision_is_an_error_on_the_precision():
    errors = _validate(datetime.date(2002, 7, 1), "", required=False)
    assert set(errors) == {"when_precision"}


def test_raise_for_raises_only_when_there_are_errors():
    raise_for({})
    with pytest.raises(ValidationError) as exc:
        raise_for({"when": "bad"})
    assert exc.value.message_dict == {"when": ["bad"]}


@pytest.mark.django_db
def test_model_clean_reports_the_precision_error_on_the_date_field():
    partnership = PartnershipFactory()
    event = StatusEvent(
        partnership=partnership,
        status="active",
        effective_on=datetime.date(2002, 7, 5),
        effective_precision=DatePrecision.MONTH,
    )
    with pytest.raises(ValidationError) as exc:
        event.full_clean()
    assert "effective_on" in exc.value.message_dict
    assert any("first of the month" in m for m in exc.value.message_dict["effective_on"])


# ------------------------------------------------------------ database constraints


def _create_event(partnership, day, precision):
    return StatusEvent.objects.create(
        partnership=partnership, status="active", effective_on=day, effective_precision=precision
    )


@pytest.mark.django_db
def test_db_refuses_month_precision_event_not_on_the_first():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        _create_event(partnership, datetime.date(2002, 7, 5), DatePrecision.MONTH)
    assert not StatusEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day", [datetime.date(2002, 7, 1), datetime.date(2002, 1, 5), datetime.date(2002, 7, 5)]
)
def test_db_refuses_year_precision_event_not_on_first_january(day):
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        _create_event(partnership, day, DatePrecision.YEAR)
    assert not StatusEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "precision"),
    [
        (datetime.date(2002, 7, 5), DatePrecision.DAY),
        (datetime.date(2002, 7, 1), DatePrecision.MONTH),
        (datetime.date(2002, 1, 1), DatePrecision.YEAR),
        (datetime.date(2002, 12, 31), DatePrecision.DAY),
    ],
)
def test_db_accepts_dates_that_start_their_period(day, precision):
    partnership = PartnershipFactory()
    _create_event(partnership, day, precision)
    stored = StatusEvent.objects.get()
    assert (stored.effective_on, stored.effective_precision) == (day, precision)


@pytest.mark.django_db
def test_db_refuses_an_unknown_precision():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        _create_event(partnership, datetime.date(2002, 1, 1), "")


@pytest.mark.django_db
def test_db_refuses_optional_date_with_a_precision_but_no_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="Undated", published_on=None, published_precision=DatePrecision.YEAR)


@pytest.mark.django_db
def test_db_refuses_optional_date_without_a_precision():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="Dated", published_on=datetime.date(2002, 1, 1), published_precision="")


@pytest.mark.django_db
def test_db_accepts_optional_date_left_empty():
    Source.objects.create(title="Undated", published_on=None, published_precision="")
    assert Source.objects.filter(title="Undated").exists()


@pytest.mark.django_db
def test_db_refuses_bad_precision_on_every_dated_model():
    partnership = PartnershipFactory()
    locality = LocalityFactory()
    bad_month = datetime.date(2002, 7, 5)
    writes = [
        lambda: Partnership.objects.create(
            locality_a=LocalityFactory(),
            locality_b=LocalityFactory(),
            established_on=bad_month,
            established_precision="month",
        ),
        lambda: Activity.objects.create(
            partnership=partnership, description="x", occurred_on=bad_month, occurred_precision="month"
        ),
        lambda: ReportedFigure.objects.create(count=1, as_of=bad_month, as_of_precision="month"),
        lambda: Source.objects.create(title="x", published_on=bad_month, published_precision="month"),
        lambda: LocalityAlias.objects.create(
            locality=locality, name="Old", valid_from=bad_month, valid_from_precision="month"
        ),
        lambda: LocalityAlias.objects.create(
            locality=locality, name="Older", valid_to=bad_month, valid_to_precision="month"
        ),
    ]
    for write in writes:
        with pytest.raises(IntegrityError), transaction.atomic():
            write()
