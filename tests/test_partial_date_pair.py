"""PartialDatePair: a model's date column and precision column as one PartialDate, with
the validation, display and CHECK constraint of the pair (partnerships.models.base)."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.migrations.loader import MigrationLoader

from partnerships.dates import PartialDate, partial_date_constraint
from partnerships.models import (
    Activity,
    LocalityAlias,
    PartialDatePair,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory

# model, pair, date column, precision column, required, constraint
PAIRS = [
    (
        Partnership,
        "established",
        "established_on",
        "established_precision",
        False,
        "partnership_established_precision",
    ),
    (
        Partnership,
        "current_status_since_partial",
        "current_status_since",
        "current_status_since_precision",
        False,
        "partnership_status_since_precision",
    ),
    (StatusEvent, "effective", "effective_on", "effective_precision", True, "event_effective_precision"),
    (Activity, "occurred", "occurred_on", "occurred_precision", False, "activity_occurred_precision"),
    (ReportedFigure, "as_of_partial", "as_of", "as_of_precision", True, "figure_as_of_precision"),
    (Source, "published", "published_on", "published_precision", False, "source_published_precision"),
    (
        LocalityAlias,
        "valid_from_partial",
        "valid_from",
        "valid_from_precision",
        False,
        "alias_valid_from_precision",
    ),
    (LocalityAlias, "valid_to_partial", "valid_to", "valid_to_precision", False, "alias_valid_to_precision"),
]
IDS = [f"{model.__name__}.{pair}" for model, pair, *_ in PAIRS]
# Partnership.current_status_since is derived from the status events, which are validated
# themselves; Partnership.clean() has never checked it.
VALIDATED_BY_CLEAN = [p for p in PAIRS if p[1] != "current_status_since_partial"]
VALIDATED_IDS = [i for i in IDS if i != "Partnership.current_status_since_partial"]

JULY_2002 = PartialDate(datetime.date(2002, 7, 1), "month")
FIFTH_OF_JULY = datetime.date(2002, 7, 5)
MONTH_MESSAGE = (
    "With month precision, enter the first of the month (2002-07-01): the date stands for its whole month."
)


def _columns(obj, date_field, precision_field):
    return getattr(obj, date_field), getattr(obj, precision_field)


def _declared_pairs(model):
    return {
        name: attr
        for klass in model.__mro__
        for name, attr in vars(klass).items()
        if isinstance(attr, PartialDatePair)
    }


def test_every_precision_column_belongs_to_a_declared_pair():
    declared = set()
    for model in apps.get_app_config("partnerships").get_models():
        if model.__name__.startswith("Historical"):
            continue
        pairs = _declared_pairs(model)
        declared |= {(model, name) for name in pairs}
        covered = {pair.precision_field for pair in pairs.values()}
        precision_columns = {f.name for f in model._meta.concrete_fields if f.name.endswith("_precision")}
        assert precision_columns == covered, model
    assert declared == {(model, pair) for model, pair, *_ in PAIRS}


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_the_pair_knows_its_columns(model, pair, date_field, precision_field, required, name):
    declared = getattr(model, pair)
    assert isinstance(declared, PartialDatePair)
    assert isinstance(declared, property)  # what lets Django take it as a constructor keyword
    assert (declared.date_field, declared.precision_field, declared.required) == (
        date_field,
        precision_field,
        required,
    )
    assert declared.fset is not None  # get_or_create() takes only properties with a setter
    assert model._meta.get_field(date_field).null is not required


# ---------------------------------------------------------------------- get and set


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_reading_gives_the_partial_date_or_none(model, pair, date_field, precision_field, required, name):
    obj = model(**{date_field: datetime.date(2002, 7, 1), precision_field: "month"})
    assert getattr(obj, pair) == JULY_2002
    setattr(obj, date_field, None)
    assert getattr(obj, pair) is None
    obj = model(**{date_field: datetime.date(2002, 7, 1), precision_field: ""})
    assert getattr(obj, pair) is None


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_setting_writes_both_columns(model, pair, date_field, precision_field, required, name):
    obj = model()
    setattr(obj, pair, PartialDate.parse("2002"))
    assert _columns(obj, date_field, precision_field) == (datetime.date(2002, 1, 1), "year")
    assert getattr(obj, pair) == PartialDate.parse("2002")
    setattr(obj, pair, None)
    assert _columns(obj, date_field, precision_field) == (None, "")
    assert getattr(obj, pair) is None


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_the_pair_is_a_constructor_keyword(model, pair, date_field, precision_field, required, name):
    obj = model(**{pair: PartialDate.parse("1993-05-04")})
    assert _columns(obj, date_field, precision_field) == (datetime.date(1993, 5, 4), "day")
    obj = model(**{date_field: datetime.date(1993, 5, 4), precision_field: "day", pair: None})
    assert _columns(obj, date_field, precision_field) == (None, "")


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_setting_anything_but_a_partial_date_or_none_is_refused(
    model, pair, date_field, precision_field, required, name
):
    obj = model(**{pair: JULY_2002})
    with pytest.raises(TypeError, match="PartialDate"):
        setattr(obj, pair, "2002-07")
    with pytest.raises(TypeError):
        setattr(obj, pair, datetime.date(2002, 7, 1))
    assert getattr(obj, pair) == JULY_2002


def test_columns_are_the_keyword_arguments_of_the_two_columns():
    assert Partnership.established.columns(JULY_2002) == {
        "established_on": datetime.date(2002, 7, 1),
        "established_precision": "month",
    }
    assert Partnership.established.columns(None) == {"established_on": None, "established_precision": ""}
    with pytest.raises(TypeError):
        Partnership.established.columns("2002-07")


@pytest.mark.django_db
def test_create_with_the_pair_saves_both_columns():
    source = Source.objects.create(title="Gazette", published=JULY_2002)
    event = StatusEvent.objects.create(
        partnership=PartnershipFactory(), status="active", effective=PartialDate.parse("1993")
    )
    source.refresh_from_db()
    event.refresh_from_db()
    assert (source.published_on, source.published_precision, source.published) == (
        datetime.date(2002, 7, 1),
        "month",
        JULY_2002,
    )
    assert (event.effective_on, event.effective_precision) == (datetime.date(1993, 1, 1), "year")


@pytest.mark.django_db
def test_get_or_create_and_filter_take_the_pair():
    locality_a, locality_b = LocalityFactory(), LocalityFactory()
    partnership, created = Partnership.objects.get_or_create(
        locality_a=locality_a, locality_b=locality_b, defaults={"established": PartialDate.parse("1973")}
    )
    assert created
    partnership.refresh_from_db()
    assert partnership.established == PartialDate.parse("1973")
    found = Partnership.objects.filter(**Partnership.established.columns(PartialDate.parse("1973")))
    assert list(found) == [partnership]
    assert not Partnership.objects.filter(**Partnership.established.columns(None)).exists()


# -------------------------------------------------------------------------- display


def test_display_shows_what_is_known_and_nothing_for_no_date():
    assert Source.published.display(Source(published=JULY_2002)) == "July 2002"
    assert Source.published.display(Source(published=PartialDate.parse("2002-07-15"))) == "15 July 2002"
    assert Source.published.display(Source()) == ""


def test_display_does_not_fail_where_reading_does():
    # A form may have put columns that do not validate yet on the instance it shows.
    source = Source(published_on=FIFTH_OF_JULY, published_precision="month")
    assert Source.published.display(source) == "July 2002"
    with pytest.raises(ValueError, match="first day"):
        _ = source.published


def test_models_show_their_dates_in_their_names():
    figure = ReportedFigure(count=70, qualifier="more_than", country_a="US", country_b="RU")
    figure.as_of_partial = PartialDate.parse("2002")
    assert str(figure) == "US–RU: more than 70 partnerships (2002)"
    source = Source(title="Report", publisher="Gazette", published=JULY_2002)
    assert str(source) == "Report (Gazette, July 2002)"
    assert str(Source(title="Report")) == "Report"


# ----------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"),
    VALIDATED_BY_CLEAN,
    ids=VALIDATED_IDS,
)
def test_clean_reports_a_date_not_on_the_start_of_its_period_on_the_date_column(
    model, pair, date_field, precision_field, required, name
):
    obj = model(**{date_field: FIFTH_OF_JULY, precision_field: "month"})
    assert getattr(model, pair).errors(obj) == {date_field: MONTH_MESSAGE}
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    assert exc.value.message_dict[date_field] == [MONTH_MESSAGE]


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"),
    VALIDATED_BY_CLEAN,
    ids=VALIDATED_IDS,
)
def test_clean_reports_a_missing_date_as_its_pair_requires(
    model, pair, date_field, precision_field, required, name
):
    obj = model(**{date_field: None, precision_field: "year"})
    if required:
        expected = {date_field: "Give a date; with only a year or month known, choose that precision."}
    else:
        expected = {precision_field: "A precision needs a date."}
    assert getattr(model, pair).errors(obj) == expected
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    assert {key: exc.value.message_dict[key] for key in expected} == {k: [v] for k, v in expected.items()}


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"),
    VALIDATED_BY_CLEAN,
    ids=VALIDATED_IDS,
)
def test_clean_reports_a_date_without_a_precision_on_the_precision_column(
    model, pair, date_field, precision_field, required, name
):
    obj = model(**{date_field: datetime.date(2002, 7, 1), precision_field: ""})
    message = "Choose whether the date is known to the day, the month or the year."
    assert getattr(model, pair).errors(obj) == {precision_field: message}


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"),
    VALIDATED_BY_CLEAN,
    ids=VALIDATED_IDS,
)
def test_a_well_formed_pair_has_no_errors(model, pair, date_field, precision_field, required, name):
    assert getattr(model, pair).errors(model(**{pair: JULY_2002})) == {}


def test_a_planned_activity_may_lie_in_the_future_and_only_a_planned_one():
    next_year = PartialDate.parse(str(datetime.date.today().year + 1))
    future = "This date is in the future; the registry records what has happened."
    assert Activity.occurred.errors(Activity(occurred=next_year)) == {"occurred_on": future}
    assert Activity.occurred.errors(Activity(occurred=next_year), allow_future=True) == {}
    Activity(occurred=next_year, is_planned=True).clean()
    with pytest.raises(ValidationError) as exc:
        Activity(occurred=next_year, is_planned=False).clean()
    assert exc.value.message_dict == {"occurred_on": [future]}


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"),
    [p for p in VALIDATED_BY_CLEAN if p[0] is not Activity],
    ids=[i for i in VALIDATED_IDS if not i.startswith("Activity")],
)
def test_other_dates_may_not_lie_in_the_future(model, pair, date_field, precision_field, required, name):
    tomorrow = PartialDate(datetime.date.today() + datetime.timedelta(days=1))
    errors = getattr(model, pair).errors(model(**{pair: tomorrow}))
    assert errors == {date_field: "This date is in the future; the registry records what has happened."}


# ---------------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_the_pair_adds_its_check_constraint_once(model, pair, date_field, precision_field, required, name):
    named = [c for c in model._meta.constraints if c.name == name]
    assert named == [partial_date_constraint(date_field, precision_field, name=name, required=required)]
    assert getattr(model, pair).constraint() == named[0]


def test_the_migrations_hold_the_constraints_the_pairs_add():
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    for model, _pair, _date, _precision, _required, name in PAIRS:
        migrated = state.apps.get_model("partnerships", model.__name__)
        (in_migrations,) = [c for c in migrated._meta.constraints if c.name == name]
        (in_model,) = [c for c in model._meta.constraints if c.name == name]
        assert in_migrations == in_model


def _saved(model):
    """A valid saved row of the model, its dates left as its factory or defaults make them."""
    if model is Partnership:
        return PartnershipFactory()
    if model is StatusEvent:
        return StatusEvent.objects.create(
            partnership=PartnershipFactory(), status="active", effective=JULY_2002
        )
    if model is Activity:
        return Activity.objects.create(partnership=PartnershipFactory(), description="A visit")
    if model is ReportedFigure:
        return ReportedFigure.objects.create(count=1, as_of_partial=JULY_2002)
    if model is Source:
        return SourceFactory()
    return LocalityAlias.objects.create(locality=LocalityFactory(), name="Old name")


def _write_bypassing_django(obj, **columns):
    # QuerySet.update() runs no clean() and no save(): only the database stands in the way.
    extra = {"current_status": "active"} if "current_status_since" in columns else {}
    type(obj).objects.filter(pk=obj.pk).update(**columns, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_the_database_refuses_a_date_not_on_the_start_of_its_period(
    model, pair, date_field, precision_field, required, name
):
    obj = _saved(model)
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        _write_bypassing_django(obj, **{date_field: FIFTH_OF_JULY, precision_field: "month"})
    _write_bypassing_django(obj, **{date_field: FIFTH_OF_JULY, precision_field: "day"})
    obj.refresh_from_db()
    assert getattr(obj, pair) == PartialDate(FIFTH_OF_JULY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "pair", "date_field", "precision_field", "required", "name"), PAIRS, ids=IDS
)
def test_the_database_refuses_a_precision_without_a_date(
    model, pair, date_field, precision_field, required, name
):
    obj = _saved(model)
    with pytest.raises(IntegrityError), transaction.atomic():
        _write_bypassing_django(obj, **{date_field: None, precision_field: "year"})
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        _write_bypassing_django(obj, **{date_field: datetime.date(2002, 1, 1), precision_field: ""})
