"""The admin's status-event forms take the event's kind: a change (the default) or an
attestation (a source reporting the status on its date), on the add page, the change
page and the bulk status change alike; the list shows and filters it."""

from django.urls import reverse

from partnerships.models import StatusEvent

from .factories import SourceFactory, partnership_with_history
from .test_admin import add_url, change_url, event_data, form_errors, opened_version


def test_add_page_records_an_attestation(editor_client):
    partnership = partnership_with_history(("active", "1993"))
    page = editor_client.get(add_url(StatusEvent)).content.decode()
    assert '<select name="kind"' in page and '<option value="attestation">' in page
    data = event_data(
        partnership,
        kind="attestation",
        status="active",
        effective_on="2002-07-01",
        source=SourceFactory().pk,
        quote="listed as active",
    )
    response = editor_client.post(add_url(StatusEvent), data)
    assert response.status_code == 302, form_errors(response)
    event = partnership.events.get(effective_on="2002-07-01")
    assert event.kind == StatusEvent.Kind.ATTESTATION
    partnership.refresh_from_db()
    # An attestation does not move "since": it is a report of the status then.
    assert str(partnership.current_status_since) == "1993-01-01"
    assert str(partnership.current_status_reported) == "2002-07-01"


def test_add_page_without_a_kind_records_a_change(editor_client):
    partnership = partnership_with_history(("active", "1993"))
    response = editor_client.post(
        add_url(StatusEvent), event_data(partnership, source=SourceFactory().pk, quote="paused")
    )
    assert response.status_code == 302, form_errors(response)
    assert partnership.events.get(status="suspended").kind == StatusEvent.Kind.CHANGE


def test_change_page_corrects_the_kind(editor_client):
    partnership = partnership_with_history(("active", "1993"))
    event = partnership.events.get()
    page = editor_client.get(change_url(event)).content.decode()
    assert '<select name="kind"' in page
    data = event_data(
        partnership,
        kind="attestation",
        status="active",
        effective_on="1993-01-01",
        effective_precision="year",
        **opened_version(editor_client, event),
    )
    data.pop("partnership")
    response = editor_client.post(change_url(event), data)
    assert response.status_code == 302, form_errors(response)
    event.refresh_from_db()
    assert event.kind == StatusEvent.Kind.ATTESTATION
    partnership.refresh_from_db()
    assert partnership.current_status == "active"  # an attestation with nothing before it tells the status


def test_bulk_status_change_takes_the_kind(editor_client):
    first = partnership_with_history(("active", "1993"))
    second = partnership_with_history(("active", "1995"))
    url = reverse("admin:partnerships_partnership_changelist")
    response = editor_client.post(
        url,
        {
            "action": "record_status_change",
            "_selected_action": [first.pk, second.pk],
            "apply": "1",
            "kind": "attestation",
            "status": "active",
            "effective_on": "2002-07-01",
            "effective_precision": "month",
            "source": SourceFactory().pk,
            "quote": "listed",
        },
    )
    assert response.status_code == 302
    for partnership in (first, second):
        assert partnership.events.get(effective_on="2002-07-01").kind == StatusEvent.Kind.ATTESTATION


def test_event_list_shows_and_filters_the_kind(editor_client):
    partnership_with_history(("active", "1993"))
    url = reverse("admin:partnerships_statusevent_changelist")
    page = editor_client.get(url).content.decode()
    assert "column-kind" in page
    assert editor_client.get(url, {"kind__exact": "attestation"}).context["cl"].result_count == 0
    assert editor_client.get(url, {"kind__exact": "change"}).context["cl"].result_count == 1
