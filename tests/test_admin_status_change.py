"""Recording a status change in the admin: one form on the partnership (an existing or a
new source, a quote, or the internal-record flag) and the bulk action for several
partnerships with one citation; both go through services.record_status_change()."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from partnerships.dates import PartialDate
from partnerships.models import Citation, Partnership, Source, StatusEvent
from tests.factories import SourceFactory, partnership_with_history
from tests.test_admin import add_url, change_url, changelist_url, form_errors, messages_of

NEW_SOURCE = {
    "new_source_title": "Cincinnati suspends ties with Kharkov's twin",
    "new_source_publisher": "Cincinnati Enquirer",
    "new_source_url": "https://enquirer.example.com/2022/03/suspended",
    "new_source_published_on": "2022-03-04",
    "new_source_published_precision": "day",
}


def change_data(partnership=None, **overrides) -> dict:
    data = {
        "status": "suspended",
        "effective_on": "2022-03-01",
        "effective_precision": "month",
        "declared_by": "",
        "declaring_organization": "",
        "note": "",
        "source": "",
        "quote": "",
        "locator": "",
        **dict.fromkeys(NEW_SOURCE, ""),
    }
    if partnership is not None:
        data["partnership"] = partnership.pk
    return data | overrides


@pytest.fixture
def active(db):
    return partnership_with_history(("active", "1989"))


# ------------------------------------------------------------------- the one form


def test_the_partnership_links_to_the_form_prefilled_with_it(editor_client, active):
    page = editor_client.get(change_url(active)).content.decode()
    link = add_url(StatusEvent) + f"?partnership={active.pk}"
    assert link in page
    response = editor_client.get(link)
    form = response.context["adminform"].form
    assert form.initial["partnership"] == str(active.pk)
    for name in ("status", "effective_on", "effective_precision", "note", "declared_by", "source", "quote"):
        assert name in form.fields
    assert "new_source_title" in form.fields and "is_internal_record" in form.fields


def test_recording_with_a_new_source_and_quote(editor_client, staff_editor, active):
    sources = Source.objects.count()
    data = change_data(active, quote="The council suspended the sister-city ties.", **NEW_SOURCE)

    response = editor_client.post(add_url(StatusEvent), data)

    assert response.status_code == 302, form_errors(response)
    assert response.url == change_url(active)  # back to the partnership and its timeline
    source = Source.objects.get(title=NEW_SOURCE["new_source_title"])
    assert Source.objects.count() == sources + 1
    assert (source.publisher, source.url, source.published) == (
        "Cincinnati Enquirer",
        NEW_SOURCE["new_source_url"],
        PartialDate.parse("2022-03-04"),
    )
    event = active.events.get(status="suspended")
    assert event.recorded_by == staff_editor
    assert [(c.source, c.quote) for c in event.citations.all()] == [
        (source, "The council suspended the sister-city ties.")
    ]
    active.refresh_from_db()
    assert (active.current_status, active.current_status_since_partial) == (
        "suspended",
        PartialDate.parse("2022-03"),
    )
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(event.pk)


def test_an_existing_and_a_new_source_together_are_refused(editor_client, active):
    data = change_data(active, source=SourceFactory().pk, **NEW_SOURCE)
    response = editor_client.post(add_url(StatusEvent), data)
    assert "not both" in " ".join(form_errors(response)["new_source_title"])
    assert active.events.count() == 1


def test_a_new_source_needs_a_title(editor_client, active):
    data = change_data(active, new_source_publisher="Kyiv Post")
    response = editor_client.post(add_url(StatusEvent), data)
    assert "title" in " ".join(form_errors(response)["new_source_title"])
    assert active.events.count() == 1


def test_a_refused_transition_creates_no_source_either(editor_client):
    terminated = partnership_with_history(("active", "1989"), ("terminated", "2010"))
    sources, citations = Source.objects.count(), Citation.objects.count()

    response = editor_client.post(
        add_url(StatusEvent), change_data(terminated, effective_on="2015-01-01", **NEW_SOURCE)
    )

    assert "A terminated partnership cannot become suspended" in " ".join(form_errors(response)["status"])
    assert (Source.objects.count(), Citation.objects.count()) == (sources, citations)
    assert terminated.events.count() == 2


def test_a_new_source_whose_url_exists_is_refused_on_its_field(editor_client, active):
    existing = SourceFactory(url=NEW_SOURCE["new_source_url"])
    response = editor_client.post(add_url(StatusEvent), change_data(active, **NEW_SOURCE))
    assert "A source with this URL already exists" in str(form_errors(response))
    assert active.events.count() == 1
    assert list(Source.objects.filter(url=existing.url)) == [existing]


def test_without_a_source_it_must_be_marked_internal(editor_client, active):
    response = editor_client.post(add_url(StatusEvent), change_data(active))
    assert "needs a citation" in " ".join(form_errors(response)["source"])

    response = editor_client.post(add_url(StatusEvent), change_data(active, is_internal_record="on"))
    assert response.status_code == 302, form_errors(response)
    assert active.events.get(status="suspended").is_internal_record


# ------------------------------------------------------------------ the bulk action


def bulk(client, partnerships, **data):
    return client.post(
        changelist_url(Partnership),
        {"action": "record_status_change", "_selected_action": [p.pk for p in partnerships], **data},
    )


def test_the_bulk_action_shows_one_form_for_the_selection(editor_client):
    selected = [partnership_with_history(("active", "1990")) for _ in range(3)]
    response = bulk(editor_client, selected)
    assert response.status_code == 200
    assert response.context["partnerships"] == sorted(selected, key=lambda p: p.pk)
    assert not response.context["form"].is_bound
    page = response.content.decode()
    assert "Record for all 3" in page
    assert all(str(p) in page for p in selected)


def test_the_bulk_action_records_one_cited_change_for_each(editor_client, staff_editor):
    selected = [partnership_with_history(("active", "1990")) for _ in range(3)]
    other = partnership_with_history(("active", "1990"))
    sources = Source.objects.count()

    response = bulk(
        editor_client, selected, apply="1", **change_data(quote="All three were suspended.", **NEW_SOURCE)
    )

    assert response.status_code == 302, response.context and response.context["form"].errors
    assert any("for 3 partnership(s)" in message for message in messages_of(response))
    (source,) = Source.objects.filter(title=NEW_SOURCE["new_source_title"])
    assert Source.objects.count() == sources + 1
    for partnership in selected:
        partnership.refresh_from_db()
        assert partnership.current_status == "suspended"
        (event,) = partnership.events.filter(status="suspended")
        assert event.recorded_by == staff_editor
        assert [(c.source, c.quote) for c in event.citations.all()] == [(source, "All three were suspended.")]
        # The edit history has the change and who made it.
        latest = partnership.history.latest()
        assert (latest.current_status, latest.history_user) == ("suspended", staff_editor)
    other.refresh_from_db()
    assert other.current_status == "active"
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 3


def test_a_refused_bulk_change_writes_nothing_and_names_the_partnership(editor_client):
    fine = partnership_with_history(("active", "1990"))
    terminated = partnership_with_history(("active", "1990"), ("terminated", "2010"))
    events, sources = StatusEvent.objects.count(), Source.objects.count()

    response = bulk(editor_client, [fine, terminated], apply="1", **change_data(**NEW_SOURCE))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert str(terminated) in errors and "cannot become suspended" in errors
    assert str(fine) not in errors
    assert (StatusEvent.objects.count(), Source.objects.count()) == (events, sources)
    fine.refresh_from_db()
    assert fine.current_status == "active"
    assert "Nothing was recorded" in response.content.decode()


def test_the_bulk_action_with_an_existing_source(editor_client):
    selected = [partnership_with_history(("active", "1990")) for _ in range(2)]
    source = SourceFactory()
    response = bulk(editor_client, selected, apply="1", **change_data(source=source.pk, locator="p. 3"))
    assert response.status_code == 302
    assert Citation.objects.filter(source=source, locator="p. 3", status_event__isnull=False).count() == 2


def test_viewers_are_not_offered_the_bulk_action(viewer_client):
    partnership = partnership_with_history(("active", "1990"))
    response = viewer_client.get(changelist_url(Partnership))
    assert "record_status_change" not in response.content.decode()
    response = bulk(viewer_client, [partnership], apply="1", **change_data(is_internal_record="on"))
    assert partnership.events.count() == 1
    assert response.status_code in (200, 302, 403)
