"""PartialDatePair: a model's date column and precision column as one PartialDate, with
the validation, display and CHECK constraint of the pair (partnerships.models.base)."""

import datetime
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
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
    precision_field,
)
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory


@dataclass(frozen=True)
class Case:
    """A declared pair: its model, its name, its columns, whether a date is required and
    the name of its CHECK constraint."""

    model: type[models.Model]
    pair: str
    date_field: str
    precision_field: str
    required: bool
    constraint: str

    def __str__(self) -> str:
        return f"{self.model.__name__}.{self.pair}"

    @property
    def declared(self) -> PartialDatePair:
        return getattr(self.model, self.pair)

    def build(self, date, precision):
        return self.model(**{self.date_field: date, self.precision_field: precision})

    def columns(self, obj):
        return getattr(obj, self.date_field), getattr(obj, self.precision_field)


PAIRS = [
    Case(
        Partnership,
        "established",
        "established_on",
        "established_precision",
        False,
        "partnership_established_precision",
    ),
    Case(
        Partnership,
        "current_status_since_partial",
        "current_status_since",
        "current_status_since_precision",
        False,
        "partnership_status_since_precision",
    ),
    Case(
        Partnership,
        "current_status_reported_partial",
        "current_status_reported",
        "current_status_reported_precision",
        False,
        "partnership_status_reported_precision",
    ),
    Case(StatusEvent, "effective", "effective_on", "effective_precision", True, "event_effective_precision"),
    Case(Activity, "occurred", "occurred_on", "occurred_precision", False, "activity_occurred_precision"),
    Case(ReportedFigure, "as_of_partial", "as_of", "as_of_precision", True, "figure_as_of_precision"),
    Case(Source, "published", "published_on", "published_precision", False, "source_published_precision"),
    Case(
        LocalityAlias,
        "valid_from_partial",
        "valid_from",
        "valid_from_precision",
        False,
        "alias_valid_from_precision",
    ),
    Case(
        LocalityAlias, "valid_to_partial", "valid_to", "valid_to_precision", False, "alias_valid_to_precision"
    ),
]
# Partnership.current_status_since and _reported are derived from the status events, which
# are validated themselves; Partnership.clean() does not check them.
DERIVED = {"current_status_since_partial", "current_status_reported_partial"}
VALIDATED_BY_CLEAN = [c for c in PAIRS if c.pair not in DERIVED]
every_pair = pytest.mark.parametrize("case", PAIRS, ids=str)
every_validated_pair = pytest.mark.parametrize("case", VALIDATED_BY_CLEAN, ids=str)

JULY_2002 = PartialDate(datetime.date(2002, 7, 1), "month")
FIFTH_OF_JULY = datetime.date(2002, 7, 5)
MONTH_MESSAGE = (
    "With month precision, enter the first of the month (2002-07-01): the date stands for its whole month."
)
FUTURE_MESSAGE = "This date is in the future; the registry records what has happened."


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
    assert declared == {(case.model, case.pair) for case in PAIRS}


@every_pair
def test_the_pair_knows_its_columns(case):
    declared = case.declared
    assert isinstance(declared, property)  # what lets Django take it as a constructor keyword
    assert (declared.date_field, declared.precision_field, declared.required) == (
        case.date_field,
        case.precision_field,
        case.required,
    )
    assert declared.fset is not None  # get_or_create() takes only properties with a setter
    assert case.model._meta.get_field(case.date_field).null is not case.required


def test_a_pair_belongs_on_a_concrete_model():
    with pytest.raises(TypeError, match="concrete model"):

        class Dated(models.Model):
            on = models.DateField(null=True)
            on_precision = precision_field(blank=True)
            when = PartialDatePair("on", "on_precision", required=False, constraint="dated_on_precision")

            class Meta:
                abstract = True
                app_label = "partnerships"


# ---------------------------------------------------------------------- get and set


@every_pair
def test_reading_gives_the_partial_date_or_none(case):
    obj = case.build(datetime.date(2002, 7, 1), "month")
    assert getattr(obj, case.pair) == JULY_2002
    setattr(obj, case.date_field, None)
    assert getattr(obj, case.pair) is None
    assert getattr(case.build(datetime.date(2002, 7, 1), ""), case.pair) is None


@every_pair
def test_setting_writes_both_columns(case):
    obj = case.model()
    setattr(obj, case.pair, PartialDate.parse("2002"))
    assert case.columns(obj) == (datetime.date(2002, 1, 1), "year")
    assert getattr(obj, case.pair) == PartialDate.parse("2002")
    setattr(obj, case.pair, None)
    assert case.columns(obj) == (None, "")
    assert getattr(obj, case.pair) is None


@every_pair
def test_the_pair_is_a_constructor_keyword(case):
    obj = case.model(**{case.pair: PartialDate.parse("1993-05-04")})
    assert case.columns(obj) == (datetime.date(1993, 5, 4), "day")
    # Properties are set after the fields, so the pair wins over its columns.
    obj = case.model(
        **{case.date_field: datetime.date(1993, 5, 4), case.precision_field: "day", case.pair: None}
    )
    assert case.columns(obj) == (None, "")


@every_pair
def test_setting_anything_but_a_partial_date_or_none_is_refused(case):
    obj = case.model(**{case.pair: JULY_2002})
    with pytest.raises(TypeError, match="PartialDate"):
        setattr(obj, case.pair, "2002-07")
    with pytest.raises(TypeError):
        setattr(obj, case.pair, datetime.date(2002, 7, 1))
    assert getattr(obj, case.pair) == JULY_2002


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


@every_validated_pair
def test_clean_reports_a_date_not_on_the_start_of_its_period_on_the_date_column(case):
    obj = case.build(FIFTH_OF_JULY, "month")
    assert case.declared.errors(obj) == {case.date_field: MONTH_MESSAGE}
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    assert exc.value.message_dict[case.date_field] == [MONTH_MESSAGE]


@every_validated_pair
def test_clean_reports_a_missing_date_as_its_pair_requires(case):
    obj = case.build(None, "year")
    if case.required:
        expected = {case.date_field: "Give a date; with only a year or month known, choose that precision."}
    else:
        expected = {case.precision_field: "A precision needs a date."}
    assert case.declared.errors(obj) == expected
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    assert {key: exc.value.message_dict[key] for key in expected} == {k: [v] for k, v in expected.items()}


@every_validated_pair
def test_clean_reports_a_date_without_a_precision_on_the_precision_column(case):
    obj = case.build(datetime.date(2002, 7, 1), "")
    message = "Choose whether the date is known to the day, the month or the year."
    assert case.declared.errors(obj) == {case.precision_field: message}


@every_validated_pair
def test_a_well_formed_pair_has_no_errors_and_a_future_one_has(case):
    assert case.declared.errors(case.model(**{case.pair: JULY_2002})) == {}
    tomorrow = PartialDate(datetime.date.today() + datetime.timedelta(days=1))
    assert case.declared.errors(case.model(**{case.pair: tomorrow})) == {case.date_field: FUTURE_MESSAGE}


def test_a_planned_activity_may_lie_in_the_future_and_only_a_planned_one():
    next_year = PartialDate.parse(str(datetime.date.today().year + 1))
    assert Activity.occurred.errors(Activity(occurred=next_year), allow_future=True) == {}
    Activity(occurred=next_year, is_planned=True).clean()
    with pytest.raises(ValidationError) as exc:
        Activity(occurred=next_year, is_planned=False).clean()
    assert exc.value.message_dict == {"occurred_on": [FUTURE_MESSAGE]}


# ---------------------------------------------------------------------- constraints


@every_pair
def test_the_pair_adds_its_check_constraint_once(case):
    named = [c for c in case.model._meta.constraints if c.name == case.constraint]
    expected = partial_date_constraint(
        case.date_field, case.precision_field, name=case.constraint, required=case.required
    )
    assert named == [expected]
    assert case.declared.constraint() == expected


def test_the_migrations_hold_the_constraints_the_pairs_add():
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    for case in PAIRS:
        migrated = state.apps.get_model("partnerships", case.model.__name__)
        (in_migrations,) = [c for c in migrated._meta.constraints if c.name == case.constraint]
        assert in_migrations == case.declared.constraint()


def _saved(model):
    """A valid saved row of the model."""
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


def _write_bypassing_django(case, obj, date, precision):
    # QuerySet.update() runs no clean() and no save(): only the database stands in the way.
    # (A current status needs its date, and a date its current status.)
    extra = {"current_status": "active"} if case.date_field == "current_status_since" else {}
    columns = {case.date_field: date, case.precision_field: precision}
    case.model.objects.filter(pk=obj.pk).update(**columns, **extra)


@pytest.mark.django_db
@every_pair
def test_the_database_refuses_a_date_not_on_the_start_of_its_period(case):
    obj = _saved(case.model)
    with pytest.raises(IntegrityError, match=case.constraint), transaction.atomic():
        _write_bypassing_django(case, obj, FIFTH_OF_JULY, "month")
    _write_bypassing_django(case, obj, FIFTH_OF_JULY, "day")
    obj.refresh_from_db()
    assert getattr(obj, case.pair) == PartialDate(FIFTH_OF_JULY)


@pytest.mark.django_db
@every_pair
def test_the_database_refuses_a_precision_without_a_date_and_a_date_without_one(case):
    obj = _saved(case.model)
    with pytest.raises(IntegrityError), transaction.atomic():  # a required date is NOT NULL, too
        _write_bypassing_django(case, obj, None, "year")
    with pytest.raises(IntegrityError, match=case.constraint), transaction.atomic():
        _write_bypassing_django(case, obj, datetime.date(2002, 1, 1), "")
