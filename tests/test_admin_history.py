"""Edit history in the admin: who changed what, when, from which value to which, for
admin changes, service writes and bulk actions alike; restoring an earlier version."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality, Partnership
from tests.factories import LocalityFactory, cite, partnership_with_history
from tests.test_admin import change_url, changelist_url
from tests.test_admin_concurrency import post_data


def history_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def version_url(obj, record) -> str:
    return reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history", args=[obj.pk, record.history_id]
    )


def member(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def reviewer(db, django_user_model):
    return member(django_user_model, "rita", "Reviewers")


@pytest.fixture
def editor(db, django_user_model):
    return member(django_user_model, "eddie", "Editors")


def changes_shown(response) -> list[tuple]:
    """(user, [(field, old, new), …]) per history row, newest first."""
    return [
        (
            record.history_user.username if record.history_user else None,
            [
                (c["field"], str(c["old"]), str(c["new"]))
                for c in getattr(record, "history_delta_changes", [])
            ],
        )
        for record in response.context["page_obj"]
    ]


def test_an_admin_edit_shows_who_changed_which_field_from_what_to_what(editor):
    _, client = editor
    locality = LocalityFactory(name="Kharkov", country="UA")
    response = client.post(
        change_url(locality), {**post_data(client.get(change_url(locality))), "name": "Kharkiv"}
    )
    assert response.status_code == 302

    response = client.get(history_url(locality))

    assert response.status_code == 200
    newest = changes_shown(response)[0]
    assert newest == ("eddie", [("Name", "Kharkov", "Kharkiv")])  # bookkeeping columns left out
    page = response.content.decode()
    assert "Kharkov" in page and "Kharkiv" in page and "eddie" in page


def test_a_status_change_through_the_service_shows_in_the_partnership_history(editor):
    user, client = editor
    partnership = partnership_with_history(("active", "1989"))
    services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        citations=[cite()],
        recorded_by=user,
    )
    response = client.get(history_url(partnership))
    fields = {field: (old, new) for field, old, new in changes_shown(response)[0][1]}
    assert fields["Current status"] == ("active", "suspended")


def test_the_verify_action_writes_history_for_each_partnership(reviewer):
    user, client = reviewer
    selected = [partnership_with_history(("active", "1990")) for _ in range(3)]
    response = client.post(
        changelist_url(Partnership), {"action": "mark_verified", "_selected_action": [p.pk for p in selected]}
    )
    assert response.status_code == 302
    for partnership in selected:
        latest = partnership.history.latest()
        assert (latest.history_user, latest.last_verified_by_id) == (user, user.pk)


def test_a_reviewer_restores_an_earlier_version(reviewer, editor):
    _, editor_client = editor
    _, reviewer_client = reviewer
    locality = LocalityFactory(name="Kharkiv", country="UA", description="Second city of Ukraine.")
    first = locality.history.latest()
    editor_client.post(
        change_url(locality), {**post_data(editor_client.get(change_url(locality))), "description": "Oops."}
    )

    page = reviewer_client.get(version_url(locality, first))
    assert page.status_code == 200
    assert "Revert" in page.content.decode()
    response = reviewer_client.post(version_url(locality, first), post_data(page))

    assert response.status_code == 302
    locality.refresh_from_db()
    assert locality.description == "Second city of Ukraine."
    assert locality.history.latest().history_user.username == "rita"


def test_editors_and_viewers_cannot_restore(editor, viewer_client):
    _, client = editor
    locality = LocalityFactory(name="Kharkiv", country="UA", description="Original.")
    first = locality.history.latest()
    locality.description = "Changed."
    locality.save()

    for someone in (client, viewer_client):
        page = someone.get(version_url(locality, first))
        assert page.status_code == 200  # they may look at it
        assert 'name="_save"' not in page.content.decode()  # no Revert button
        assert someone.post(version_url(locality, first), {"description": "Original."}).status_code == 403
    locality.refresh_from_db()
    assert locality.description == "Changed."
    assert (
        "Choose a date from the list below to revert"
        not in client.get(history_url(locality)).content.decode()
    )


def test_restoring_a_partnership_keeps_its_status_consistent_with_the_events(reviewer):
    _, client = reviewer
    partnership = partnership_with_history(("active", "1989"), description="Signed in 1989.")
    before_suspension = partnership.history.latest()
    services.record_status_event(
        partnership=partnership, status="suspended", effective=PartialDate.parse("2022"), citations=[cite()]
    )
    partnership.refresh_from_db()
    partnership.description = "Suspended in 2022."
    services.save_partnership(partnership=partnership)
    assert before_suspension.current_status == "active"

    page = client.get(version_url(partnership, before_suspension))
    response = client.post(version_url(partnership, before_suspension), post_data(page))

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.description == "Signed in 1989."  # restored
    assert partnership.current_status == "suspended"  # still what the events say
    assert partnership.current_status_since_partial == PartialDate.parse("2022")


def test_viewers_see_the_history(viewer_client):
    locality = LocalityFactory(name="Kharkiv", country="UA")
    response = viewer_client.get(history_url(locality))
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 1


def test_the_history_of_a_deleted_record_is_kept(reviewer):
    _, client = reviewer
    locality = LocalityFactory(name="Kharkiv", country="UA")
    pk = locality.pk
    response = client.post(reverse("admin:partnerships_locality_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Locality.objects.filter(pk=pk).exists()
    assert Locality.history.filter(id=pk, history_type="-").exists()


def test_restoring_a_partnership_restores_its_organizations_too(reviewer):
    from tests.factories import OrganizationFactory

    _, client = reviewer
    sci, urc = OrganizationFactory(name="Sister Cities International"), OrganizationFactory(name="URC")
    partnership = partnership_with_history(("active", "1989"))
    partnership.organizations.add(sci)
    with_sci = partnership.history.latest()
    partnership.organizations.set([urc])

    page = client.get(version_url(partnership, with_sci))
    assert page.context["adminform"].form.initial["organizations"] == [sci.pk]
    response = client.post(version_url(partnership, with_sci), post_data(page))

    assert response.status_code == 302
    assert list(partnership.organizations.all()) == [sci]
