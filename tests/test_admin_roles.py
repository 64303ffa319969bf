"""The staff roles from the data migration: each group can do exactly its part, and
people who are not staff cannot reach the admin at all."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from partnerships.models import Locality, Partnership, StatusEvent
from tests.factories import LocalityFactory, SourceFactory, partnership_with_history
from tests.test_admin import add_url, change_url, changelist_url, delete_url
from tests.test_admin_concurrency import post_data
from tests.test_admin_history import version_url

REVIEW_URL = "admin:partnerships_partnership_review"


def client_in(django_user_model, group: str) -> Client:
    user = django_user_model.objects.create_user(group.lower(), password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def partnership(db):
    return partnership_with_history(("active", "1990"), description="Signed in 1990.")


def can_add_locality(client) -> bool:
    data = {
        "name": "Lviv",
        "kind": "city",
        "country": "UA",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    return (
        client.post(add_url(Locality), data).status_code == 302
        and Locality.objects.filter(name="Lviv").exists()
    )


def can_change(client, partnership) -> bool:
    page = client.get(change_url(partnership))
    if (
        page.status_code != 200
        or "adminform" not in page.context
        or not page.context["has_change_permission"]
    ):
        return False
    response = client.post(change_url(partnership), {**post_data(page), "description": "Edited."})
    partnership.refresh_from_db()
    return response.status_code == 302 and partnership.description == "Edited."


def can_record_status_change(client, partnership) -> bool:
    data = {
        "partnership": partnership.pk,
        "status": "suspended",
        "effective_on": "2022-03-01",
        "effective_precision": "month",
        "source": SourceFactory().pk,
        "quote": "It was suspended.",
    }
    client.post(add_url(StatusEvent), data)
    return partnership.events.filter(status="suspended").exists()


def can_delete(client) -> bool:
    locality = LocalityFactory(name="Spare", country="FR")
    client.post(delete_url(locality), {"post": "yes"})
    return not Locality.objects.filter(pk=locality.pk).exists()


def can_restore(client, partnership) -> bool:
    first = partnership.history.earliest()
    page = client.get(version_url(partnership, first))
    if page.status_code != 200:
        return False
    response = client.post(version_url(partnership, first), post_data(page))
    partnership.refresh_from_db()
    return response.status_code == 302 and partnership.description == first.description


def can_verify(client, partnership) -> bool:
    client.post(reverse(REVIEW_URL), {"_selected_action": [partnership.pk]})
    partnership.refresh_from_db()
    return partnership.last_verified_by_id == client.user.pk


def abilities(client, partnership) -> dict[str, bool]:
    result = {"view": client.get(changelist_url(Partnership)).status_code == 200}
    result["add"] = can_add_locality(client)
    result["change"] = can_change(client, partnership)
    result["record status change"] = can_record_status_change(client, partnership)
    result["restore"] = can_restore(client, partnership)
    result["verify"] = can_verify(client, partnership)
    result["delete"] = can_delete(client)
    return result


EXPECTED = {
    "Viewers": {"view"},
    "Editors": {"view", "add", "change", "record status change"},
    "Reviewers": {"view", "add", "change", "record status change", "restore", "verify", "delete"},
}


@pytest.mark.parametrize("group", list(EXPECTED))
def test_each_group_can_do_exactly_its_part(django_user_model, partnership, group):
    client = client_in(django_user_model, group)
    # Something to restore: a later version than the first.
    partnership.description = "Changed later."
    partnership.save()

    result = abilities(client, partnership)

    assert {ability for ability, allowed in result.items() if allowed} == EXPECTED[group]


@pytest.mark.parametrize("group", list(EXPECTED))
def test_the_buttons_match_the_role(django_user_model, partnership, group):
    client = client_in(django_user_model, group)
    changelist = client.get(changelist_url(Partnership)).content.decode()
    history = client.get(reverse("admin:partnerships_partnership_history", args=[partnership.pk]))
    queue = client.get(reverse(REVIEW_URL)).content.decode()
    assert ('value="delete_selected"' in changelist) == (group == "Reviewers")
    assert ('value="mark_verified"' in changelist) == (group == "Reviewers")
    assert ('value="record_status_change"' in changelist) == (group != "Viewers")
    assert ("Mark the selected partnerships verified" in queue) == (group == "Reviewers")
    assert history.context["revert_disabled"] == (group != "Reviewers")


def test_viewers_cannot_post_the_review_queue(django_user_model, partnership):
    client = client_in(django_user_model, "Viewers")
    assert client.get(reverse(REVIEW_URL)).status_code == 200
    assert client.post(reverse(REVIEW_URL), {"_selected_action": [partnership.pk]}).status_code == 403


def test_the_groups_hold_the_documented_permissions(db):
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    viewers, editors, reviewers = codenames("Viewers"), codenames("Editors"), codenames("Reviewers")
    assert viewers < editors < reviewers
    assert all(code.startswith("view_") for code in viewers)
    assert {"add_partnership", "change_partnership", "add_statusevent"} <= editors
    assert not {code for code in editors if code.startswith("delete_") or "historical" in code}
    assert "verify_partnership" not in editors
    assert {"delete_partnership", "change_historicalpartnership", "verify_partnership"} <= reviewers


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("admin:index"),
        lambda p: changelist_url(Partnership),
        lambda p: change_url(p),
        lambda p: reverse("admin:partnerships_partnership_history", args=[p.pk]),
        lambda p: reverse(REVIEW_URL),
    ],
    ids=["index", "changelist", "change", "history", "review"],
)
def test_non_staff_users_are_sent_to_the_admin_login(non_staff_user, client, partnership, url):
    client.force_login(non_staff_user)
    response = client.get(url(partnership))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
