"""Status events: allowed transitions, citations, and the stored current status."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Citation, Partnership, StatusEvent
from tests.factories import (
    OrganizationFactory,
    PartnershipFactory,
    SourceFactory,
    cite,
    partnership_with_history,
)

pytestmark = pytest.mark.django_db


def record(partnership, status, when, **kwargs):
    kwargs.setdefault("citations", [] if kwargs.get("internal_record") else [cite()])
    return services.record_status_event(
        partnership=partnership, status=status, effective=PartialDate.parse(when), **kwargs
    )


def stored(partnership):
    """The partnership's stored current status, read back from the database."""
    row = Partnership.objects.get(pk=partnership.pk)
    return (row.current_status, row.current_status_since, row.current_status_since_precision)


def latest_event(partnership):
    event = StatusEvent.objects.filter(partnership=partnership).order_by("-effective_on", "-id").first()
    return (event.status, event.effective_on, event.effective_precision) if event else ("", None, "")


def timeline(partnership):
    return list(
        StatusEvent.objects.filter(partnership=partnership)
        .order_by("effective_on", "id")
        .values_list("status", "effective_on")
    )


def assert_refused_and_unchanged(partnership, action, match):
    """The action is refused with a message matching ``match`` and changes nothing."""
    before = (timeline(partnership), stored(partnership), Citation.objects.count())
    with pytest.raises(ValidationError, match=match):
        action()
    assert (timeline(partnership), stored(partnership), Citation.objects.count()) == before


# ------------------------------------------------------------------ first event


@pytest.mark.parametrize("status", ["proposed", "active"])
def test_first_event_may_be_proposed_or_active(status):
    partnership = PartnershipFactory()
    event = record(partnership, status, "1993-05")
    assert event.pk is not None
    assert stored(partnership) == (status, datetime.date(1993, 5, 1), "month")


@pytest.mark.parametrize("status", ["suspended", "terminated"])
def test_first_event_may_not_be_suspended_or_terminated(status):
    partnership = PartnershipFactory()
    assert_refused_and_unchanged(
        partnership,
        lambda: record(partnership, status, "1993"),
        "first recorded status must be proposed or active",
    )
    assert stored(partnership) == ("", None, "")


# ------------------------------------------------------------------ transitions


@pytest.mark.parametrize(
    "history",
    [
        [("proposed", "1991"), ("active", "1993")],
        [("proposed", "1991"), ("terminated", "1992")],
        [("active", "1993"), ("suspended", "2022-03")],
        [("active", "1993"), ("suspended", "2014"), ("active", "2016"), ("suspended", "2022-03")],
        [("active", "1993"), ("terminated", "2022-03-04")],
        [("active", "1993"), ("suspended", "2014"), ("terminated", "2022")],
        [("active", "1993"), ("terminated", "2001"), ("active", "2010-06-15")],
    ],
    ids=lambda h: "->".join(s for s, _ in h),
)
def test_allowed_transitions_are_recorded(history):
    partnership = partnership_with_history(*history)
    assert [s for s, _ in timeline(partnership)] == [s for s, _ in history]
    last_status, last_when = history[-1]
    last = PartialDate.parse(last_when)
    assert stored(partnership) == (last_status, last.date, last.precision)


def test_terminated_cannot_become_suspended_and_says_only_active_re_establishes():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2001"))
    with pytest.raises(ValidationError) as exc:
        record(partnership, "suspended", "2005")
    message = " ".join(exc.value.message_dict["status"])
    assert "terminated partnership cannot become suspended" in message
    assert "Only an explicit “active” event re-establishes it" in message
    assert stored(partnership) == ("terminated", datetime.date(2001, 1, 1), "year")
    assert len(timeline(partnership)) == 2


def test_terminated_cannot_become_proposed():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2001"))
    assert_refused_and_unchanged(
        partnership, lambda: record(partnership, "proposed", "2005"), "re-establishes"
    )


def test_suspended_cannot_go_back_to_proposed():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022"))
    assert_refused_and_unchanged(
        partnership,
        lambda: record(partnership, "proposed", "2023"),
        "suspended partnership .* cannot become proposed",
    )


@pytest.mark.parametrize("status", ["proposed", "active", "suspended", "terminated"])
def test_the_same_status_twice_in_a_row_is_refused(status):
    history = {
        "proposed": [("proposed", "1990")],
        "active": [("active", "1993")],
        "suspended": [("active", "1993"), ("suspended", "2014")],
        "terminated": [("active", "1993"), ("terminated", "2014")],
    }[status]
    partnership = partnership_with_history(*history)
    assert_refused_and_unchanged(
        partnership, lambda: record(partnership, status, "2020"), f"already {status}"
    )


def test_an_event_in_the_middle_that_breaks_the_next_transition_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    # terminated in 2010, then "suspended" in 2022 would follow a termination.
    assert_refused_and_unchanged(
        partnership, lambda: record(partnership, "terminated", "2010"), "On March 2022"
    )


def test_an_event_in_the_middle_that_duplicates_the_previous_status_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    assert_refused_and_unchanged(partnership, lambda: record(partnership, "active", "2010"), "already active")


def test_an_event_before_the_first_event_must_itself_be_a_valid_start():
    partnership = partnership_with_history(("active", "1993"))
    assert_refused_and_unchanged(
        partnership, lambda: record(partnership, "suspended", "1990"), "first recorded status"
    )


def test_an_event_in_the_middle_that_fits_is_accepted_and_current_status_stays_latest():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2022-03"))
    record(partnership, "suspended", "2014-04")
    assert [s for s, _ in timeline(partnership)] == ["active", "suspended", "terminated"]
    assert stored(partnership) == ("terminated", datetime.date(2022, 3, 1), "month")


def test_an_earlier_proposed_event_does_not_change_the_current_status():
    partnership = partnership_with_history(("active", "1993"))
    record(partnership, "proposed", "1991")
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")


def test_two_events_on_the_same_date_are_ordered_by_recording():
    partnership = partnership_with_history(("active", "1993"))
    record(partnership, "suspended", "2022-03-01")
    record(partnership, "terminated", "2022-03-01")
    assert stored(partnership) == ("terminated", datetime.date(2022, 3, 1), "day")


def test_a_future_event_is_refused():
    partnership = partnership_with_history(("active", "1993"))
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert_refused_and_unchanged(partnership, lambda: record(partnership, "suspended", tomorrow), "future")


# -------------------------------------------------------------------- citations


def test_an_event_stores_its_citations():
    partnership = PartnershipFactory()
    source_1, source_2 = SourceFactory(), SourceFactory()
    event = record(
        partnership,
        "active",
        "1993",
        citations=[
            services.CitationInput(source=source_1, quote="signed in 1993", locator="p. 4"),
            services.CitationInput(source=source_2),
        ],
    )
    citations = list(event.citations.order_by("id"))
    assert [(c.source, c.quote, c.locator) for c in citations] == [
        (source_1, "signed in 1993", "p. 4"),
        (source_2, "", ""),
    ]
    assert not event.is_internal_record


def test_an_event_without_a_citation_is_refused():
    partnership = partnership_with_history(("active", "1993"))
    assert_refused_and_unchanged(
        partnership, lambda: record(partnership, "suspended", "2022", citations=[]), "needs a citation"
    )


def test_an_internal_record_needs_no_citation():
    partnership = PartnershipFactory()
    event = record(partnership, "active", "1993", internal_record=True)
    assert event.is_internal_record
    assert not event.citations.exists()
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")


def test_an_internal_record_with_a_citation_is_refused():
    partnership = partnership_with_history(("active", "1993"))
    with pytest.raises(ValidationError) as exc:
        record(partnership, "suspended", "2022", internal_record=True, citations=[cite()])
    assert "is_internal_record" in exc.value.message_dict
    assert len(timeline(partnership)) == 1
    assert stored(partnership)[0] == "active"


def test_a_refused_transition_writes_no_event_and_no_citation():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2001"))
    events, citations = StatusEvent.objects.count(), Citation.objects.count()
    with pytest.raises(ValidationError):
        record(partnership, "suspended", "2005", citations=[cite(), cite()])
    assert (StatusEvent.objects.count(), Citation.objects.count()) == (events, citations)
    assert stored(partnership) == ("terminated", datetime.date(2001, 1, 1), "year")


def test_an_invalid_citation_rolls_back_the_whole_event():
    partnership = partnership_with_history(("active", "1993"))
    unsaved = SourceFactory.build()
    events, citations = StatusEvent.objects.count(), Citation.objects.count()
    with pytest.raises(ValidationError):
        record(partnership, "suspended", "2022", citations=[cite(), services.CitationInput(source=unsaved)])
    assert (StatusEvent.objects.count(), Citation.objects.count()) == (events, citations)
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")


# -------------------------------------------------------------- declared by


def test_declared_by_organization_requires_the_organization():
    partnership = partnership_with_history(("active", "1993"))
    assert_refused_and_unchanged(
        partnership,
        lambda: record(partnership, "suspended", "2022", declared_by="organization"),
        "Name the organization",
    )


def test_declared_by_organization_with_the_organization_is_recorded():
    partnership = partnership_with_history(("active", "1993"))
    organization = OrganizationFactory()
    event = record(
        partnership, "suspended", "2022", declared_by="organization", declaring_organization=organization
    )
    assert StatusEvent.objects.get(pk=event.pk).declaring_organization == organization


def test_a_declaring_organization_without_declared_by_organization_is_refused():
    partnership = partnership_with_history(("active", "1993"))
    assert_refused_and_unchanged(
        partnership,
        lambda: record(
            partnership, "suspended", "2022", declared_by="both", declaring_organization=OrganizationFactory()
        ),
        "an organization",
    )


def test_db_refuses_declared_by_organization_without_the_organization():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusEvent.objects.create(
            partnership=partnership,
            status="active",
            effective_on=datetime.date(1993, 1, 1),
            effective_precision="year",
            declared_by="organization",
        )


def test_db_refuses_an_organization_when_not_declared_by_one():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusEvent.objects.create(
            partnership=partnership,
            status="active",
            effective_on=datetime.date(1993, 1, 1),
            effective_precision="year",
            declared_by="locality_a",
            declaring_organization=OrganizationFactory(),
        )


def test_db_refuses_an_unknown_status():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusEvent.objects.create(
            partnership=partnership,
            status="frozen",
            effective_on=datetime.date(1993, 1, 1),
            effective_precision="year",
        )


# ------------------------------------------------------------------------ update


def test_update_to_the_latest_event_moves_the_current_status():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    event = partnership.events.get(status="suspended")
    services.update_status_event(event=event, status="terminated", effective=PartialDate.parse("2022-03-04"))
    assert stored(partnership) == ("terminated", datetime.date(2022, 3, 4), "day")
    assert stored(partnership) == latest_event(partnership)


def test_update_that_moves_an_event_past_the_next_one_is_refused_when_the_order_breaks():
    partnership = partnership_with_history(("proposed", "1990"), ("active", "1993"))
    proposed = partnership.events.get(status="proposed")
    # Moving the proposal after the activation would make "active -> proposed": refused.
    assert_refused_and_unchanged(
        partnership,
        lambda: services.update_status_event(event=proposed, effective=PartialDate.parse("1995")),
        "cannot become proposed",
    )


def test_update_of_an_earlier_event_leaves_the_current_status():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    first = partnership.events.get(status="active")
    services.update_status_event(
        event=first, effective=PartialDate.parse("1993-06-01"), note="signed in June"
    )
    assert StatusEvent.objects.get(pk=first.pk).note == "signed in June"
    assert stored(partnership) == ("suspended", datetime.date(2022, 3, 1), "month")


def test_update_that_moves_the_last_event_earlier_changes_which_is_latest():
    partnership = partnership_with_history(("proposed", "1990"), ("active", "1993"), ("suspended", "2022"))
    # Move the suspension to 1993-06 - still after active, still the latest.
    suspended = partnership.events.get(status="suspended")
    services.update_status_event(event=suspended, effective=PartialDate.parse("1993-06"))
    assert stored(partnership) == ("suspended", datetime.date(1993, 6, 1), "month")
    assert stored(partnership) == latest_event(partnership)


def test_update_that_breaks_the_timeline_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("terminated", "2001"), ("active", "2010"))
    middle = partnership.events.get(status="terminated")
    assert_refused_and_unchanged(
        partnership,
        lambda: services.update_status_event(event=middle, status="active"),
        "already active",
    )


def test_update_to_the_same_status_as_the_previous_event_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022"))
    last = partnership.events.get(status="suspended")
    assert_refused_and_unchanged(
        partnership, lambda: services.update_status_event(event=last, status="active"), "already active"
    )


def test_update_can_set_and_clear_the_declaring_organization():
    partnership = partnership_with_history(("active", "1993"))
    event = partnership.events.get()
    organization = OrganizationFactory()
    services.update_status_event(event=event, declared_by="organization", declaring_organization=organization)
    assert StatusEvent.objects.get(pk=event.pk).declaring_organization == organization
    services.update_status_event(event=event, declared_by="both")
    refreshed = StatusEvent.objects.get(pk=event.pk)
    assert (refreshed.declared_by, refreshed.declaring_organization) == ("both", None)


def test_update_naming_only_the_organization_declares_it_by_that_organization():
    partnership = partnership_with_history(("active", "1993"))
    event = partnership.events.get()
    organization = OrganizationFactory()
    services.update_status_event(event=event, declaring_organization=organization)
    refreshed = StatusEvent.objects.get(pk=event.pk)
    assert (refreshed.declared_by, refreshed.declaring_organization) == ("organization", organization)


def test_update_to_declared_by_organization_without_one_is_refused():
    partnership = partnership_with_history(("active", "1993"))
    event = partnership.events.get()
    with pytest.raises(ValidationError, match="Name the organization"):
        services.update_status_event(event=event, declared_by="organization")
    assert StatusEvent.objects.get(pk=event.pk).declared_by == ""


# ------------------------------------------------------------------------ delete


def test_delete_of_the_latest_event_returns_to_the_previous_status():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    services.delete_status_event(event=partnership.events.get(status="suspended"))
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")
    assert stored(partnership) == latest_event(partnership)


def test_delete_of_the_only_event_clears_the_current_status():
    partnership = partnership_with_history(("active", "1993"))
    event = partnership.events.get()
    citation_ids = list(event.citations.values_list("id", flat=True))
    services.delete_status_event(event=event)
    assert stored(partnership) == ("", None, "")
    assert not StatusEvent.objects.filter(partnership=partnership).exists()
    assert not Citation.objects.filter(id__in=citation_ids).exists()


def test_delete_that_would_leave_an_impossible_timeline_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2014"), ("active", "2016"))
    assert_refused_and_unchanged(
        partnership,
        lambda: services.delete_status_event(event=partnership.events.get(status="suspended")),
        "already active",
    )


def test_delete_of_the_first_event_that_would_leave_a_suspended_start_is_refused():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2014"))
    assert_refused_and_unchanged(
        partnership,
        lambda: services.delete_status_event(event=partnership.events.get(status="active")),
        "first recorded status",
    )


def test_delete_of_a_first_proposed_event_is_allowed():
    partnership = partnership_with_history(("proposed", "1990"), ("active", "1993"))
    services.delete_status_event(event=partnership.events.get(status="proposed"))
    assert [s for s, _ in timeline(partnership)] == ["active"]
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")


# ----------------------------------------------------- current status invariant


def test_current_status_always_equals_the_latest_event_through_a_sequence_of_changes():
    partnership = PartnershipFactory()
    steps = [
        lambda: record(partnership, "proposed", "1990"),
        lambda: record(partnership, "active", "1993-05-12"),
        lambda: record(partnership, "suspended", "2014-03"),
        lambda: record(partnership, "active", "2016"),
        lambda: record(partnership, "terminated", "2022-03-04"),
        lambda: services.update_status_event(
            event=partnership.events.get(status="terminated"), effective=PartialDate.parse("2022")
        ),
        lambda: record(partnership, "active", "2023-07"),
        lambda: services.delete_status_event(event=partnership.events.order_by("-effective_on").first()),
    ]
    for step in steps:
        step()
        assert stored(partnership) == latest_event(partnership)
    assert stored(partnership) == ("terminated", datetime.date(2022, 1, 1), "year")


def test_record_from_a_stale_partnership_instance_still_sees_the_whole_timeline():
    partnership = PartnershipFactory()
    stale = Partnership.objects.get(pk=partnership.pk)
    record(partnership, "active", "1993")
    # The stale instance knows nothing of the first event; the service must not rely on it.
    with pytest.raises(ValidationError, match="already active"):
        record(stale, "active", "1994")
    assert stored(partnership) == ("active", datetime.date(1993, 1, 1), "year")


def test_the_current_status_rule_takes_the_latest_event_or_nothing():
    event = StatusEvent(
        status="suspended", effective_on=datetime.date(2022, 3, 1), effective_precision="month"
    )
    assert services.current_status_fields(event) == {
        "current_status": "suspended",
        "current_status_since": datetime.date(2022, 3, 1),
        "current_status_since_precision": "month",
    }
    assert services.current_status_fields(None) == {
        "current_status": "",
        "current_status_since": None,
        "current_status_since_precision": "",
    }
    assert tuple(services.current_status_fields(None)) == services.CURRENT_STATUS_FIELDS


def test_refresh_current_status_repairs_a_stale_copy():
    partnership = partnership_with_history(("active", "1993"), ("suspended", "2022-03"))
    Partnership.objects.filter(pk=partnership.pk).update(
        current_status="", current_status_since=None, current_status_since_precision=""
    )
    services.refresh_current_status(Partnership.objects.get(pk=partnership.pk))
    assert stored(partnership) == ("suspended", datetime.date(2022, 3, 1), "month")
