"""Partnership.objects.as_of(date) and the other partnership filters."""

import datetime

import pytest

from partnerships import services
from partnerships.models import Partnership
from tests.factories import LocalityFactory, PartnershipFactory, cite, partnership_with_history

pytestmark = pytest.mark.django_db

D = datetime.date


def status_on(partnership, date):
    """(status, status_since, status_since_precision) on the date, or None if left out."""
    row = Partnership.objects.as_of(date).filter(pk=partnership.pk).first()
    return (row.status, row.status_since, row.status_since_precision) if row else None


def as_of_rows(date):
    return [
        (p.pk, p.status, p.status_since, p.status_since_precision)
        for p in Partnership.objects.as_of(date).order_by("pk")
    ]


# ------------------------------------------------------------ precision boundaries


def test_year_precision_event_is_in_force_from_first_january():
    partnership = partnership_with_history(("active", "2022"))
    assert status_on(partnership, D(2021, 12, 31)) is None
    assert status_on(partnership, D(2022, 1, 1)) == ("active", D(2022, 1, 1), "year")
    assert status_on(partnership, D(2022, 12, 31)) == ("active", D(2022, 1, 1), "year")


def test_month_precision_event_is_in_force_from_the_first_of_the_month():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2002-07"))
    assert status_on(partnership, D(2002, 6, 30)) == ("active", D(1993, 1, 1), "year")
    assert status_on(partnership, D(2002, 7, 1)) == ("suspended", D(2002, 7, 1), "month")


def test_day_precision_event_is_in_force_on_its_day_not_the_day_before():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2022-03-04"))
    assert status_on(partnership, D(2022, 3, 3)) == ("active", D(1993, 1, 1), "year")
    assert status_on(partnership, D(2022, 3, 4)) == ("terminated", D(2022, 3, 4), "day")


def test_a_later_event_in_the_same_year_takes_over_from_its_own_date():
    partnership = partnership_with_history(("active", "2022"), ("suspended", "2022-03"))
    assert status_on(partnership, D(2022, 2, 28)) == ("active", D(2022, 1, 1), "year")
    assert status_on(partnership, D(2022, 3, 1)) == ("suspended", D(2022, 3, 1), "month")


def test_re_establishment_is_seen_from_its_date():
    partnership = partnership_with_history(
        ("active", "1993"), ("terminated", "2001"), ("active", "2010-06-15")
    )
    assert status_on(partnership, D(1995, 5, 5)) == ("active", D(1993, 1, 1), "year")
    assert status_on(partnership, D(2010, 6, 14)) == ("terminated", D(2001, 1, 1), "year")
    assert status_on(partnership, D(2010, 6, 15)) == ("active", D(2010, 6, 15), "day")


def test_events_on_the_same_day_resolve_to_the_last_recorded():
    partnership = partnership_with_history(
        ("active", "1993"), ("suspended", "2022-03-01"), ("terminated", "2022-03-01")
    )
    assert status_on(partnership, D(2022, 3, 1)) == ("terminated", D(2022, 3, 1), "day")


# ------------------------------------------------------------ which partnerships


def test_partnerships_whose_first_event_is_later_are_left_out():
    early = partnership_with_history(("active", "1993"))
    late = partnership_with_history(("proposed", "2005-05"), ("active", "2006"))
    assert as_of_rows(D(2000, 1, 1)) == [(early.pk, "active", D(1993, 1, 1), "year")]
    assert {row[0] for row in as_of_rows(D(2005, 5, 1))} == {early.pk, late.pk}


def test_an_established_date_alone_says_when_it_began_with_an_unknown_status():
    established = PartnershipFactory(established_on=D(2010, 1, 1), established_precision="year")
    assert status_on(established, D(2009, 12, 31)) is None
    assert status_on(established, D(2010, 1, 1)) == (None, None, None)


def test_established_before_its_first_event_exists_without_a_status_until_then():
    partnership = partnership_with_history(
        ("active", "2012"), established_on=D(2010, 1, 1), established_precision="year"
    )
    assert status_on(partnership, D(2009, 12, 31)) is None
    assert status_on(partnership, D(2011, 6, 1)) == (None, None, None)
    assert status_on(partnership, D(2012, 1, 1)) == ("active", D(2012, 1, 1), "year")


def test_a_partnership_with_no_dated_fact_is_kept_with_an_unknown_status():
    # Imported lists often give neither a date nor a status: it is not known to be
    # absent at any date, so it is shown, never with a made-up status.
    undated = PartnershipFactory()
    assert status_on(undated, D(1950, 1, 1)) == (None, None, None)
    assert status_on(undated, None) == (None, None, None)


def test_ended_partnerships_are_kept_with_their_status_then():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2001"))
    assert as_of_rows(D(2020, 1, 1)) == [(partnership.pk, "terminated", D(2001, 1, 1), "year")]


def test_as_of_composes_with_other_filters():
    active = partnership_with_history(("active", "1993"))
    partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    on = D(2023, 1, 1)
    assert list(Partnership.objects.as_of(on).filter(status="active")) == [active]


# ---------------------------------------------------------------- date=None


@pytest.fixture
def mixed_partnerships():
    return [
        partnership_with_history(("active", "1993")),
        partnership_with_history(("active", "1993"), ("suspended", "2022-03")),
        partnership_with_history(("proposed", "2019-05-15")),
        partnership_with_history(("active", "1990"), ("terminated", "2001"), ("active", "2010-06-15")),
        PartnershipFactory(),  # no events: no status at any date
    ]


def test_without_a_date_uses_the_stored_current_status(mixed_partnerships):
    expected = sorted(
        (p.pk, p.current_status or None, p.current_status_since, p.current_status_since_precision or None)
        for p in mixed_partnerships
    )
    assert as_of_rows(None) == expected
    assert [row[1] for row in expected] == ["active", "suspended", "proposed", "active", None]
    assert as_of_rows(None)[1] == (mixed_partnerships[1].pk, "suspended", D(2022, 3, 1), "month")


def test_without_a_date_equals_as_of_today(mixed_partnerships):
    assert as_of_rows(None) == as_of_rows(datetime.date.today())
    assert len(as_of_rows(None)) == 5


def test_without_a_date_really_reads_the_stored_column(mixed_partnerships):
    # The stored column is what date=None reports, even if it were out of step.
    target = mixed_partnerships[0]
    Partnership.objects.filter(pk=target.pk).update(
        current_status="terminated", current_status_since=D(2020, 1, 1), current_status_since_precision="year"
    )
    assert status_on(target, None) == ("terminated", D(2020, 1, 1), "year")
    assert status_on(target, datetime.date.today()) == ("active", D(1993, 1, 1), "year")


def test_historical_counts_differ_from_today(mixed_partnerships):
    on = D(2015, 1, 1)
    # The undated partnership without events is in both, with an unknown status.
    assert sorted(str(row[1]) for row in as_of_rows(on)) == ["None", "active", "active", "active"]
    assert sorted(str(row[1]) for row in as_of_rows(None)) == [
        "None",
        "active",
        "active",
        "proposed",
        "suspended",
    ]


# -------------------------------------------------------------------- queries


def _populate(count):
    countries = ["RU", "UA", "DE", "FR", "JP"]
    for i in range(count):
        history = [("active", f"{1980 + i % 30}"), ("suspended", f"{2011 + i % 5}-0{1 + i % 9}")]
        if i % 3 == 0:
            history.append(("active", f"{2017 + i % 4}-03-0{1 + i % 9}"))
        partnership_with_history(*history, locality_b=LocalityFactory(country=countries[i % 5]))


@pytest.mark.parametrize("count", [3, 60])
def test_as_of_with_parties_is_one_query(django_assert_num_queries, count):
    _populate(count)
    with django_assert_num_queries(1):
        rows = [
            (p.locality_a.name, p.locality_b.name, p.status, p.status_since, p.status_since_precision)
            for p in Partnership.objects.as_of(D(2019, 1, 1)).with_parties()
        ]
    assert len(rows) == count
    # Re-activated in 2017 or 2018: every third one whose index is 0 or 1 modulo 4.
    expected_active = sum(1 for i in range(count) if i % 3 == 0 and i % 4 in (0, 1))
    assert sum(1 for row in rows if row[2] == "active") == expected_active
    assert sum(1 for row in rows if row[2] == "suspended") == count - expected_active


@pytest.mark.parametrize("count", [3, 60])
def test_current_status_with_parties_is_one_query(django_assert_num_queries, count):
    _populate(count)
    with django_assert_num_queries(1):
        rows = list(Partnership.objects.as_of(None).with_parties())
        names = [(p.locality_a.name, p.locality_b.name, p.status) for p in rows]
    assert len(names) == count


# ------------------------------------------------------------------- filters


@pytest.fixture
def places():
    cincinnati = services.create_locality(name="Cincinnati", country="US")
    kharkiv = services.create_locality(
        name="Kharkiv",
        native_name="Харків",
        country="UA",
        aliases=[services.AliasInput(name="Kharkov")],
    )
    seattle = services.create_locality(name="Seattle", country="US")
    tashkent = services.create_locality(name="Tashkent", country="UZ")
    tver = services.create_locality(name="Tver", country="RU")
    pairs = {
        "cincinnati-kharkiv": services.create_partnership(
            locality_a=cincinnati, locality_b=kharkiv, citations=[cite()]
        ),
        "tashkent-seattle": services.create_partnership(
            locality_a=tashkent, locality_b=seattle, citations=[cite()]
        ),
        "tver-seattle": services.create_partnership(locality_a=tver, locality_b=seattle, citations=[cite()]),
        "kharkiv-tver": services.create_partnership(locality_a=kharkiv, locality_b=tver, citations=[cite()]),
    }
    return {
        "cincinnati": cincinnati,
        "kharkiv": kharkiv,
        "seattle": seattle,
        "tashkent": tashkent,
        "tver": tver,
    }, pairs


def test_in_country_finds_partnerships_with_a_party_in_any_country(places):
    _, pairs = places
    assert set(Partnership.objects.in_country("UZ")) == {pairs["tashkent-seattle"]}
    assert set(Partnership.objects.in_country("UA", "UZ")) == {
        pairs["cincinnati-kharkiv"],
        pairs["tashkent-seattle"],
        pairs["kharkiv-tver"],
    }
    assert not Partnership.objects.in_country("JP").exists()


def test_between_finds_pairs_of_countries_in_either_order(places):
    _, pairs = places
    assert set(Partnership.objects.between("US", "RU")) == {pairs["tver-seattle"]}
    assert set(Partnership.objects.between("RU", "US")) == {pairs["tver-seattle"]}
    assert set(Partnership.objects.between("UA", "US")) == {pairs["cincinnati-kharkiv"]}
    assert not Partnership.objects.between("US", "UZ").exclude(pk=pairs["tashkent-seattle"].pk).exists()
    assert not Partnership.objects.between("UA", "UZ").exists()


@pytest.mark.parametrize("text", ["Kharkov", "kharkiv", "Харків", "KHARK"])
def test_matching_finds_partnerships_by_either_partys_names(places, text):
    _, pairs = places
    assert set(Partnership.objects.matching(text)) == {pairs["cincinnati-kharkiv"], pairs["kharkiv-tver"]}


def test_matching_by_alias_finds_cincinnati_kharkiv(places):
    _, pairs = places
    found = Partnership.objects.matching("Kharkov").filter(locality_a__name="Cincinnati")
    assert list(found) == [pairs["cincinnati-kharkiv"]]
    assert str(found.get()) == "Cincinnati – Kharkiv"


def test_matching_with_empty_text_finds_nothing(places):
    assert not Partnership.objects.matching("  ").exists()


def test_involving_finds_partnerships_on_either_side(places):
    localities, pairs = places
    assert set(Partnership.objects.involving(localities["seattle"])) == {
        pairs["tashkent-seattle"],
        pairs["tver-seattle"],
    }
    assert set(Partnership.objects.involving(localities["tver"])) == {
        pairs["tver-seattle"],
        pairs["kharkiv-tver"],
    }


def test_for_pair_finds_the_partnership_in_either_order(places):
    localities, pairs = places
    seattle, tashkent, cincinnati = localities["seattle"], localities["tashkent"], localities["cincinnati"]
    assert list(Partnership.objects.for_pair(seattle, tashkent)) == [pairs["tashkent-seattle"]]
    assert list(Partnership.objects.for_pair(tashkent, seattle)) == [pairs["tashkent-seattle"]]
    assert list(Partnership.objects.for_pair(seattle.pk, tashkent.pk)) == [pairs["tashkent-seattle"]]
    assert not Partnership.objects.for_pair(seattle, cincinnati).exists()


def test_active_uses_the_current_status():
    active = partnership_with_history(("active", "1993"))
    partnership_with_history(("active", "1993"), ("suspended", "2022"))
    PartnershipFactory()
    assert list(Partnership.objects.active()) == [active]
