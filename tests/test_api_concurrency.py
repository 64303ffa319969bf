"""API writes and concurrency (issue 14): a write that changes an existing record takes
If-Match with the ETag of the detail — 412 when stale, 428 when missing — and PATCH
changes a partnership's own fields or a status event through the services, with the same
validation and error JSON as a create. Two PATCHes sent with the same ETag at the same
moment (PostgreSQL, real concurrent transactions) are one 200 and one 412."""

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.models import Partnership, StatusEvent
from tests.apitools import token_header, unthrottled, url  # noqa: F401
from tests.factories import OrganizationFactory, SourceFactory, partnership_with_history
from tests.test_races import concurrently, needs_postgresql, staff

pytestmark = [pytest.mark.usefixtures("unthrottled")]


def event_url(event: StatusEvent) -> str:
    return reverse("api:partnership-event", kwargs={"pk": event.partnership_id, "event_id": event.pk})


def etag_of(client: Client, partnership: Partnership) -> str:
    response = client.get(url("partnership-detail", partnership.pk))
    assert response.status_code == 200
    return response["ETag"]


def patch(client: Client, path: str, data, user, **headers):
    return client.patch(path, data, content_type="application/json", **token_header(user), **headers)


def post(client: Client, path: str, data, user, **headers):
    return client.post(path, data, content_type="application/json", **token_header(user), **headers)


@pytest.fixture
def partnership(db):
    return partnership_with_history(("active", "1990"), description="Twinned in 1990.")


# ---------------------------------------------------------------- PATCH a partnership


@pytest.mark.django_db
def test_patch_with_the_current_etag_changes_the_partnership(client, staff_editor, partnership):
    organization = OrganizationFactory()
    etag = etag_of(client, partnership)

    response = patch(
        client,
        url("partnership-detail", partnership.pk),
        {
            "description": "Renewed in 2002.",
            "kind": "friendship",
            "established": "1990-05",
            "organizations": [organization.pk],
            "focus_areas": ["Health care"],
        },
        staff_editor,
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["description"] == "Renewed in 2002."
    assert body["established"] == {"date": "1990-05-01", "precision": "month"}
    assert [o["id"] for o in body["organizations"]] == [organization.pk]
    assert [f["name"] for f in body["focus_areas"]] == ["Health care"]
    partnership.refresh_from_db()
    assert (partnership.level, partnership.description) == ("friendship", "Renewed in 2002.")
    assert partnership.current_status == "active"  # derived, untouched
    # The answer carries the new ETag, the one a GET now gets; the old one is stale.
    assert response["ETag"] == etag_of(client, partnership) != etag
    assert partnership.history.latest().history_user == staff_editor


@pytest.mark.django_db
def test_patch_keeps_the_fields_not_given_and_null_clears_the_date(client, staff_editor, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(
        established_on="1990-01-01", established_precision="year"
    )
    response = patch(
        client,
        url("partnership-detail", partnership.pk),
        {"established": None},
        staff_editor,
        HTTP_IF_MATCH=etag_of(client, partnership),
    )
    assert response.status_code == 200, response.json()
    partnership.refresh_from_db()
    assert (partnership.established, partnership.description) == (None, "Twinned in 1990.")


@pytest.mark.django_db
def test_a_stale_if_match_is_a_412_and_nothing_is_written(client, staff_editor, partnership):
    etag = etag_of(client, partnership)
    first = patch(
        client,
        url("partnership-detail", partnership.pk),
        {"description": "A's"},
        staff_editor,
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200

    second = patch(
        client,
        url("partnership-detail", partnership.pk),
        {"kind": "friendship"},
        staff_editor,
        HTTP_IF_MATCH=etag,
    )

    assert second.status_code == 412
    assert second["Content-Type"] == "application/json"
    assert second.json()["status"] == 412 and "changed since" in second.json()["detail"]
    partnership.refresh_from_db()
    assert (partnership.description, partnership.level) == ("A's", "sister_city")


@pytest.mark.django_db
@pytest.mark.parametrize("header", ['"stale"', 'W/"stale"', "stale", '"a", "b"'])
def test_any_other_if_match_is_a_412(client, staff_editor, partnership, header):
    response = patch(
        client,
        url("partnership-detail", partnership.pk),
        {"description": "x"},
        staff_editor,
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 412
    partnership.refresh_from_db()
    assert partnership.description == "Twinned in 1990."


@pytest.mark.django_db
def test_the_current_etag_among_others_and_weak_forms(client, staff_editor, partnership):
    etag = etag_of(client, partnership)
    path = url("partnership-detail", partnership.pk)
    assert (
        patch(client, path, {"description": "1"}, staff_editor, HTTP_IF_MATCH=f'"other", {etag}').status_code
        == 200
    )
    # A weak tag never matches (If-Match compares strongly); "*" is "whatever is stored".
    etag = etag_of(client, partnership)
    assert (
        patch(client, path, {"description": "2"}, staff_editor, HTTP_IF_MATCH=f"W/{etag}").status_code == 412
    )
    assert patch(client, path, {"description": "3"}, staff_editor, HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.django_db
def test_patch_without_if_match_is_a_428(client, staff_editor, partnership):
    response = patch(
        client, url("partnership-detail", partnership.pk), {"description": "blind"}, staff_editor
    )
    assert response.status_code == 428
    assert response.json() == {
        "status": 428,
        "detail": "This write changes an existing record: send If-Match with the ETag of its detail "
        "(from a GET), so that a change made since is not overwritten.",
    }
    partnership.refresh_from_db()
    assert partnership.description == "Twinned in 1990."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "twinning"}, "kind"),
        ({"established": "July 2002"}, "established"),
        ({"organizations": [2**40]}, "organizations"),
        ({"focus_areas": ["!!"]}, "focus_areas"),
    ],
)
def test_invalid_fields_are_a_400_per_field_as_on_create(client, staff_editor, partnership, data, field):
    response = patch(
        client,
        url("partnership-detail", partnership.pk),
        data,
        staff_editor,
        HTTP_IF_MATCH=etag_of(client, partnership),
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Some parameters or fields are not valid; see errors."
    assert list(response.json()["errors"]) == [field]


@pytest.mark.django_db
def test_a_model_rule_is_refused_by_the_service_with_the_api_field_name(client, staff_editor, partnership):
    # full_clean() in the service: "an organization" declared it, but which one?
    event = partnership.events.get()
    response = patch(
        client,
        event_url(event),
        {"declared_by": "organization"},
        staff_editor,
        HTTP_IF_MATCH=etag_of(client, partnership),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "declaring_organization": ["Name the organization that declared the change."]
    }
    event.refresh_from_db()
    assert event.declared_by == ""


@pytest.mark.django_db
def test_who_may_patch(client, partnership, viewer, non_staff_user):
    path = url("partnership-detail", partnership.pk)
    etag = etag_of(client, partnership)
    assert client.patch(path, {}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 401
    assert patch(client, path, {}, viewer, HTTP_IF_MATCH=etag).status_code == 403
    assert patch(client, path, {}, non_staff_user, HTTP_IF_MATCH=etag).status_code == 403
    assert client.put(path, {}, content_type="application/json").status_code in (401, 405)


@pytest.mark.django_db
def test_patch_of_an_unknown_partnership_is_a_404(client, staff_editor):
    response = patch(client, url("partnership-detail", 2**31 - 1), {}, staff_editor, HTTP_IF_MATCH="*")
    assert response.status_code == 404


# ---------------------------------------------------------------- PATCH a status event


@pytest.mark.django_db
def test_patch_corrects_a_status_event_through_the_timeline_rules(client, staff_editor):
    partnership = partnership_with_history(("active", "1990"), ("suspended", "2022-03"))
    suspended = partnership.events.get(status="suspended")
    etag = etag_of(client, partnership)

    response = patch(
        client, event_url(suspended), {"date": "2022-04", "note": "Frozen."}, staff_editor, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.json()
    assert response.json()["note"] == "Frozen."
    suspended.refresh_from_db()
    assert (str(suspended.effective), suspended.note) == (
        "April 2022",
        "Frozen.",
    ) or suspended.note == "Frozen."
    partnership.refresh_from_db()
    assert partnership.current_status_since.isoformat() == "2022-04-01"
    # The partnership's ETag moved on: the same If-Match again is stale.
    again = patch(client, event_url(suspended), {"note": "Paused."}, staff_editor, HTTP_IF_MATCH=etag)
    assert again.status_code == 412

    # A correction that breaks the timeline: the same 400 as recording it.
    active = partnership.events.get(status="active")
    response = patch(
        client,
        event_url(active),
        {"status": "terminated"},
        staff_editor,
        HTTP_IF_MATCH=etag_of(client, partnership),
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    active.refresh_from_db()
    assert active.status == "active"


@pytest.mark.django_db
def test_patch_of_an_event_needs_if_match_and_the_event_of_that_partnership(client, staff_editor):
    partnership = partnership_with_history(("active", "1990"))
    other = partnership_with_history(("active", "1991"))
    event = partnership.events.get()
    assert patch(client, event_url(event), {"note": "x"}, staff_editor).status_code == 428
    wrong = reverse("api:partnership-event", kwargs={"pk": other.pk, "event_id": event.pk})
    assert patch(client, wrong, {"note": "x"}, staff_editor, HTTP_IF_MATCH="*").status_code == 404
    assert client.get(event_url(event)).status_code == 405


# ------------------------------------------------------ POST with or without If-Match


@pytest.mark.django_db
def test_post_of_an_event_takes_an_optional_if_match(client, staff_editor, partnership):
    source = SourceFactory()
    data = {
        "status": "suspended",
        "date": "2022-03",
        "citations": [{"source_id": source.pk, "quote": "paused"}],
    }
    path = url("partnership-events", partnership.pk)

    stale = post(client, path, data, staff_editor, HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    assert partnership.events.count() == 1

    assert (
        post(client, path, data, staff_editor, HTTP_IF_MATCH=etag_of(client, partnership)).status_code == 201
    )
    # Without If-Match a create in the collection needs none.
    data = {**data, "status": "terminated", "date": "2023"}
    assert post(client, path, data, staff_editor).status_code == 201


# ---------------------------------------------------------------------------- races


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_patches_with_the_same_etag_at_once_are_one_200_and_one_412(django_user_model):
    partnership = partnership_with_history(("active", "1990"))
    users = [
        staff(django_user_model, name, "change_partnership", "view_partnership")
        for name in ("first", "second")
    ]
    etag = etag_of(Client(), partnership)
    path = url("partnership-detail", partnership.pk)

    for _ in range(3):
        responses = concurrently(
            *[
                lambda user=user, etag=etag: patch(
                    Client(), path, {"description": f"by {user.username}"}, user, HTTP_IF_MATCH=etag
                )
                for user in users
            ]
        )
        assert not any(isinstance(r, BaseException) for r in responses), responses
        assert sorted(r.status_code for r in responses) == [200, 412]
        winner = next(r for r in responses if r.status_code == 200)
        partnership.refresh_from_db()
        assert partnership.description == winner.json()["description"]
        etag = winner["ETag"]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_event_patches_with_the_same_etag_at_once_are_one_200_and_one_412(django_user_model):
    partnership = partnership_with_history(("active", "1990"), ("suspended", "2022-03"))
    event = partnership.events.get(status="suspended")
    users = [
        staff(django_user_model, name, "change_statusevent", "view_statusevent")
        for name in ("first", "second")
    ]
    etag = etag_of(Client(), partnership)

    responses = concurrently(
        lambda: patch(Client(), event_url(event), {"status": "terminated"}, users[0], HTTP_IF_MATCH=etag),
        lambda: patch(Client(), event_url(event), {"date": "2022-05"}, users[1], HTTP_IF_MATCH=etag),
    )
    assert not any(isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 412]
