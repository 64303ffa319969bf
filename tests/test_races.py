"""Races (issue 14): two writes of the same record at the same moment get the answer the
sequential case gives — one succeeds, the other is refused cleanly (a 400 with the rule's
message, a form error, the import's report) — never a 500.

Each race runs real concurrent transactions: two threads, each with its own database
connection, released together by a barrier; where the window between the services'
check and the write is too short to hit reliably, the test holds both writes at that
point (after their checks passed, before their INSERT) so that the database's constraint
is what decides. PostgreSQL only: SQLite lets one writer at a time hold the database
file, so two transactions cannot both pass the check before either writes."""

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.urls import reverse

from partnerships.api.exceptions import api_exception_handler
from partnerships.importing.service import SourceSpec, import_partnerships
from partnerships.integrity import constraint_refusal
from partnerships.models import Locality, Partnership, Source, StatusEvent
from tests.apitools import token_header, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory

POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgresql = pytest.mark.skipif(
    not POSTGRESQL,
    reason="SQLite serialises writers on one database file: two transactions cannot race",
)
pytestmark = [pytest.mark.usefixtures("unthrottled")]


def concurrently(*calls: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run the calls at the same moment, each in its own thread with its own database
    connection; their results (or the exceptions they raised), in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:  # reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a racing write never finished (a deadlock?)"
    return results


def hold_inserts(monkeypatch, model, parties: int = 2) -> None:
    """Make ``parties`` creations of ``model`` wait for each other after their checks
    and before their INSERT: both have passed the services' checks, neither has written."""
    barrier = threading.Barrier(parties)
    original = model.save

    def save(self, *args, **kwargs):
        if self.pk is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", save)


def staff(django_user_model, name: str, *codenames: str):
    user = django_user_model.objects.create_user(username=name, password="pw-for-tests-only", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="partnerships", codename__in=codenames)
    )
    return user


def post_json(path: str, data: dict, user) -> Any:
    return Client().post(path, data, content_type="application/json", **token_header(user))


# ---------------------------------------------------------------- without a race


@pytest.mark.django_db
def test_an_integrity_error_of_a_named_constraint_is_the_constraints_refusal():
    error = IntegrityError('duplicate key value violates unique constraint "partnership_unique_pair"')
    refusal = constraint_refusal(error)
    assert refusal is not None
    assert refusal.message_dict == {
        "locality_b": ["A partnership between these two localities already exists."]
    }
    response = api_exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "detail": "Some parameters or fields are not valid; see errors.",
        "errors": {"locality_b": ["A partnership between these two localities already exists."]},
    }
    source = constraint_refusal(IntegrityError('violates unique constraint "source_unique_url"'))
    assert source is not None and source.messages == ["A source with this URL already exists."]
    assert constraint_refusal(IntegrityError("something else")) is None
    assert api_exception_handler(IntegrityError("something else"), {}) is None  # still a 500: a bug


# ---------------------------------------------------------------- the API


@pytest.fixture
def two_staff(django_user_model):
    codes = ("add_partnership", "add_statusevent", "view_partnership")
    return staff(django_user_model, "first", *codes), staff(django_user_model, "second", *codes)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reverse_order", [False, True], ids=["same order", "either order"])
def test_the_same_pair_created_at_once_through_the_api_is_one_201_and_one_clean_400(
    monkeypatch, two_staff, reverse_order
):
    a, b = LocalityFactory(name="Springfield", country="US"), LocalityFactory(name="Tula", country="RU")
    c, d = LocalityFactory(name="Lyon", country="FR"), LocalityFactory(name="Turin", country="IT")
    path = url("partnership-list")
    # The sequential case, for comparison.
    assert (
        post_json(
            path, {"locality_a": c.pk, "locality_b": d.pk, "internal_record": True}, two_staff[0]
        ).status_code
        == 201
    )
    sequential = post_json(
        path, {"locality_a": d.pk, "locality_b": c.pk, "internal_record": True}, two_staff[1]
    )
    assert sequential.status_code == 400

    hold_inserts(monkeypatch, Partnership)
    second = (b, a) if reverse_order else (a, b)
    responses = concurrently(
        lambda: post_json(
            path, {"locality_a": a.pk, "locality_b": b.pk, "internal_record": True}, two_staff[0]
        ),
        lambda: post_json(
            path,
            {"locality_a": second[0].pk, "locality_b": second[1].pk, "internal_record": True},
            two_staff[1],
        ),
    )
    assert not any(isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [201, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert refused["Content-Type"] == "application/json"
    body, expected = refused.json(), sequential.json()
    assert set(body) == set(expected) and body["status"] == expected["status"]
    assert body["detail"] == expected["detail"]
    assert set(body["errors"]) == set(expected["errors"]) == {"locality_b"}
    assert body["errors"]["locality_b"][0].startswith(
        "A partnership between these two localities already exists"
    )
    assert Partnership.objects.for_pair(a.pk, b.pk).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_status_event_recorded_at_once_is_one_201_and_the_sequential_400(monkeypatch, two_staff):
    partnership = PartnershipFactory()
    other = PartnershipFactory()
    source = SourceFactory()
    event = {"status": "active", "date": "1993", "citations": [{"source_id": source.pk, "quote": "signed"}]}
    assert post_json(url("partnership-events", other.pk), event, two_staff[0]).status_code == 201
    sequential = post_json(url("partnership-events", other.pk), event, two_staff[1])
    assert sequential.status_code == 400

    # The first to lock the partnership holds it a moment, so the other one waits for it.
    original = StatusEvent.save

    def slow_save(self, *args, **kwargs):
        if self.pk is None:
            time.sleep(0.5)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StatusEvent, "save", slow_save)
    path = url("partnership-events", partnership.pk)
    responses = concurrently(
        lambda: post_json(path, event, two_staff[0]),
        lambda: post_json(path, event, two_staff[1]),
    )
    assert not any(isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [201, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert refused.json() == sequential.json()
    assert partnership.events.count() == 1


# ---------------------------------------------------------------- the admin


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_pair_added_at_once_in_the_admin_is_a_form_error(monkeypatch, django_user_model):
    a, b = LocalityFactory(name="Springfield", country="US"), LocalityFactory(name="Tula", country="RU")
    editors = [
        staff(django_user_model, name, "add_partnership", "change_partnership", "view_partnership")
        for name in ("first", "second")
    ]
    clients = []
    for editor in editors:
        client = Client()
        client.force_login(editor)
        clients.append(client)
    add = reverse("admin:partnerships_partnership_add")
    hold_inserts(monkeypatch, Partnership)

    def add_pair(client, first, second):
        data = {
            "locality_a": first.pk,
            "locality_b": second.pk,
            "level": "sister_city",
            "description": "Typed.",
            # Uncited: an internal record, as creation requires one or a citation.
            "is_internal_record": "on",
        }
        return client.post(add, data)

    responses = concurrently(lambda: add_pair(clients[0], a, b), lambda: add_pair(clients[1], b, a))
    assert not any(isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    form = refused.context["adminform"].form
    assert "A partnership between these two localities already exists" in str(form.errors)
    assert form["description"].value() == "Typed."
    assert Partnership.objects.for_pair(a.pk, b.pk).count() == 1


# ---------------------------------------------------------------- imports


ROWS = [
    (2, {"a_name": "Seattle", "a_country": "US", "b_name": "Tashkent", "b_country": "UZ"}),
    (3, {"a_name": "Köln", "a_country": "DE", "b_name": "Kyoto", "b_country": "JP"}),
]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_answer_as_one_after_the_other(monkeypatch):
    from partnerships.importing import service

    source = SourceSpec(title="Sister cities list", url="https://example.org/list.csv")
    original = service._apply

    def slow_apply(*args, **kwargs):
        time.sleep(0.5)  # the first import holds its lock a while: the other one waits
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_apply", slow_apply)
    reports = concurrently(
        lambda: import_partnerships(rows=ROWS, source=source, label="first"),
        lambda: import_partnerships(rows=ROWS, source=source, label="second"),
    )
    assert not any(isinstance(r, BaseException) for r in reports), reports
    assert all(not r.file_error for r in reports), [r.file_error for r in reports]
    assert sorted((r.created, r.unchanged) for r in reports) == [(0, 2), (2, 0)]
    assert Partnership.objects.count() == 2
    assert Locality.objects.count() == 4  # no locality created twice
    assert Source.objects.filter(url=source.url).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_racing_an_edit_of_the_same_pair_gives_the_registry_changed_report(monkeypatch):
    from partnerships import services
    from partnerships.importing import service

    seattle = services.create_locality(name="Seattle", country="US")
    tashkent = services.create_locality(name="Tashkent", country="UZ")
    planned = threading.Event()
    original = service._apply

    def apply_after_the_edit(*args, **kwargs):
        planned.set()
        time.sleep(0.5)  # meanwhile, staff record the same pair (committed)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_apply", apply_after_the_edit)

    def edit():
        assert planned.wait(10)
        return services.create_partnership(locality_a=tashkent, locality_b=seattle, internal_record=True)

    report, created = concurrently(
        lambda: import_partnerships(rows=ROWS, source=SourceSpec(title="List")), edit
    )
    assert isinstance(created, Partnership), created
    assert not report.written
    assert "the registry changed while importing" in report.summary()
    assert Partnership.objects.count() == 1
    assert not Locality.objects.filter(name="Köln").exists()
    assert connection.vendor == "postgresql"
