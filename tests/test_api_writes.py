"""POST /api/v1/partnerships/ and /api/v1/partnerships/{id}/events/: staff with a token and
the model permission write through the services; everyone else gets 401 or 403."""

import pytest
from django.contrib.auth.models import Permission

from partnerships.models import Partnership, Source, StatusEvent
from tests.apitools import token_header, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, OrganizationFactory, SourceFactory, partnership_with_history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def post(client, name, data, pk=None, user=None):
    headers = token_header(user) if user is not None else {}
    return client.post(url(name, pk), data, content_type="application/json", **headers)


@pytest.fixture
def pair(db):
    return LocalityFactory(name="Springfield", country="US"), LocalityFactory(name="Tula", country="RU")


def test_staff_with_a_token_creates_a_partnership(client, staff_editor, pair):
    organization = OrganizationFactory()
    source = SourceFactory()
    response = post(
        client,
        "partnership-list",
        {
            "locality_a": pair[0].pk,
            "locality_b": pair[1].pk,
            "kind": "sister_city",
            "established": "1992-06",
            "organizations": [organization.pk],
            "focus_areas": ["Education"],
            "citations": [
                {"source_id": source.pk, "quote": "signed in June 1992"},
                {"source": {"title": "City council minutes", "published": "1992"}, "quote": "approved"},
            ],
        },
        user=staff_editor,
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    partnership = Partnership.objects.get(pk=created["id"])
    assert response["Location"] == created["url"]
    assert created["established"] == {"date": "1992-06-01", "precision": "month"}
    assert [o["id"] for o in created["organizations"]] == [organization.pk]
    assert [f["name"] for f in created["focus_areas"]] == ["Education"]
    assert {c["quote"] for c in created["citations"]} == {"signed in June 1992", "approved"}
    assert Source.objects.filter(title="City council minutes").exists()
    # The edit history records the token's user.
    assert partnership.history.earliest().history_user == staff_editor


def test_a_duplicate_pair_in_either_order_is_refused(client, staff_editor, pair):
    assert (
        post(
            client,
            "partnership-list",
            {"locality_a": pair[0].pk, "locality_b": pair[1].pk, "internal_record": True},
            user=staff_editor,
        ).status_code
        == 201
    )
    response = post(
        client, "partnership-list", {"locality_a": pair[1].pk, "locality_b": pair[0].pk}, user=staff_editor
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["errors"]["locality_b"][0]
    assert Partnership.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"locality_b": "pair1"}, "locality_a"),
        ({"locality_a": 2**70, "locality_b": "pair1"}, "locality_a"),
        ({"locality_a": "pair0", "locality_b": "pair0"}, "locality_b"),
        ({"locality_a": "pair0", "locality_b": "pair1", "established": "1992-13"}, "established"),
        ({"locality_a": "pair0", "locality_b": "pair1", "kind": "twin"}, "kind"),
        ({"locality_a": "pair0", "locality_b": "pair1", "focus_areas": ["!!!"]}, "focus_areas"),
        ({"locality_a": "pair0", "locality_b": "pair1", "description": "a\x00b"}, "description"),
        (
            {"locality_a": "pair0", "locality_b": "pair1", "citations": [{"quote": "no source"}]},
            "citations.0.non_field_errors",
        ),
        (
            {
                "locality_a": "pair0",
                "locality_b": "pair1",
                "citations": [{"source_id": 999999, "quote": "q"}],
            },
            "citations.0.source_id",
        ),
    ],
)
def test_invalid_fields_are_400_per_field(client, staff_editor, pair, data, field):
    data = {
        key: (pair[int(value[-1])].pk if isinstance(value, str) and value.startswith("pair") else value)
        for key, value in data.items()
    }
    response = post(client, "partnership-list", data, user=staff_editor)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Partnership.objects.count() == 0


def test_a_refused_write_leaves_no_new_source_behind(client, staff_editor, pair):
    data = {
        "locality_a": pair[0].pk,
        "locality_b": pair[0].pk,  # refused by the service
        "citations": [{"source": {"title": "Orphan"}, "quote": "q"}],
    }
    assert post(client, "partnership-list", data, user=staff_editor).status_code == 400
    assert not Source.objects.filter(title="Orphan").exists()


def test_anonymous_writes_get_401(client, pair):
    response = post(client, "partnership-list", {"locality_a": pair[0].pk, "locality_b": pair[1].pk})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["status"] == 401
    partnership = partnership_with_history(("active", "1995"))
    assert (
        post(
            client, "partnership-events", {"status": "suspended", "date": "2022"}, pk=partnership.pk
        ).status_code
        == 401
    )


def test_a_bad_token_gets_401(client, pair):
    response = client.post(
        url("partnership-list"),
        {"locality_a": pair[0].pk, "locality_b": pair[1].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token nonsense",
    )
    assert response.status_code == 401


def test_users_without_the_permission_get_403(client, viewer, non_staff_user, pair, django_user_model):
    data = {"locality_a": pair[0].pk, "locality_b": pair[1].pk}
    assert post(client, "partnership-list", data, user=viewer).status_code == 403
    assert post(client, "partnership-list", data, user=non_staff_user).status_code == 403
    # The permission without staff status is not enough either.
    outsider = django_user_model.objects.create_user(username="outsider", password="x")
    outsider.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    assert post(client, "partnership-list", data, user=outsider).status_code == 403
    assert Partnership.objects.count() == 0


def test_staff_record_a_status_event_with_citations(client, staff_editor):
    partnership = partnership_with_history(("active", "1995"))
    source = SourceFactory()
    response = post(
        client,
        "partnership-events",
        {
            "status": "suspended",
            "date": "2022-03",
            "note": "Frozen by the council",
            "declared_by": "locality_a",
            "citations": [{"source_id": source.pk, "quote": "suspended all ties", "locator": "p. 2"}],
        },
        pk=partnership.pk,
        user=staff_editor,
    )
    assert response.status_code == 201, response.json()
    event = response.json()
    assert event["status"] == "suspended"
    assert event["date"] == {"date": "2022-03-01", "precision": "month"}
    assert event["citations"] == [
        {
            "source": {
                "id": source.pk,
                "title": source.title,
                "publisher": source.publisher,
                "url": source.url,
                "published": {"date": source.published_on.isoformat(), "precision": "day"},
                "api_url": f"http://testserver{url('source-detail', source.pk)}",
            },
            "quote": "suspended all ties",
            "locator": "p. 2",
        }
    ]
    recorded = StatusEvent.objects.get(pk=event["id"])
    assert recorded.recorded_by == staff_editor
    assert recorded.history.earliest().history_user == staff_editor
    partnership.refresh_from_db()
    assert partnership.current_status == "suspended"
    assert partnership.history.latest().history_user == staff_editor
    # And the detail shows it.
    detail = client.get(url("partnership-detail", partnership.pk)).json()
    assert detail["status"] == "suspended" and detail["events"][-1]["note"] == "Frozen by the council"
    listed = client.get(url("partnership-events", partnership.pk)).json()
    assert [e["status"] for e in listed] == ["active", "suspended"]


def test_an_internal_record_needs_no_citation(client, staff_editor):
    partnership = partnership_with_history(("active", "1995"))
    response = post(
        client,
        "partnership-events",
        {"status": "terminated", "date": "2023", "internal_record": True},
        pk=partnership.pk,
        user=staff_editor,
    )
    assert response.status_code == 201
    assert response.json()["is_internal_record"] is True


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "suspended", "date": "2022"}, "citations"),  # no citation, not internal
        ({"status": "active", "date": "2022", "internal_record": True}, "status"),  # active twice
        ({"status": "paused", "date": "2022", "internal_record": True}, "status"),
        ({"status": "suspended", "date": "22", "internal_record": True}, "date"),
        ({"status": "suspended", "date": "2099", "internal_record": True}, "date"),  # the future
        (
            {"status": "suspended", "date": "2022", "declared_by": "organization", "internal_record": True},
            "declaring_organization",
        ),
    ],
)
def test_event_rules_are_the_services_rules(client, staff_editor, data, field):
    partnership = partnership_with_history(("active", "1995"))
    response = post(client, "partnership-events", data, pk=partnership.pk, user=staff_editor)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert partnership.events.count() == 1


def test_events_of_an_unknown_partnership_are_404(client, staff_editor):
    data = {"status": "suspended", "date": "2022", "internal_record": True}
    assert post(client, "partnership-events", data, pk=999999, user=staff_editor).status_code == 404
    assert post(client, "partnership-events", data, pk=10**25, user=staff_editor).status_code == 404


def test_event_permissions(client, viewer, staff_editor, django_user_model):
    partnership = partnership_with_history(("active", "1995"))
    data = {"status": "suspended", "date": "2022", "citations": [{"source": {"title": "New"}, "quote": "q"}]}
    assert post(client, "partnership-events", data, pk=partnership.pk, user=viewer).status_code == 403
    # Describing a new source also needs the permission to add sources.
    clerk = django_user_model.objects.create_user(username="clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="add_statusevent"))
    assert post(client, "partnership-events", data, pk=partnership.pk, user=clerk).status_code == 403
    assert partnership.events.count() == 1
    assert post(client, "partnership-events", data, pk=partnership.pk, user=staff_editor).status_code == 201
