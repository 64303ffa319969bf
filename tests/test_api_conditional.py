"""ETag, Last-Modified, 304; Cache-Control; CORS; throttling."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.throttling import AnonRateThrottle

from partnerships import services
from partnerships.api.conditional import PUBLIC_MODELS
from partnerships.dates import PartialDate
from partnerships.models import FeedEntry, Partnership
from tests.apitools import body, token_header, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, cite

pytestmark = [pytest.mark.django_db]

ENDPOINTS = [
    ("partnership-list", None, {"country": "US"}),
    ("partnership-detail", 3, {}),
    ("locality-list", None, {}),
    ("locality-detail", 31, {}),
    ("organization-list", None, {}),
    ("organization-detail", 1, {}),
    ("source-list", None, {}),
    ("source-detail", 1, {}),
    ("reported-figure-list", None, {}),
    ("stats", None, {"group_by": "status"}),
    ("changes", None, {}),
]


@pytest.fixture
def settled_seed(seed):
    """The seed, with its edit history an hour old (as it is outside tests)."""
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for model in PUBLIC_MODELS:
        model.history.model.objects.update(history_date=an_hour_ago)
    FeedEntry.objects.update(committed_at=an_hour_ago)  # the change feed's log too


@pytest.mark.usefixtures("unthrottled")
@pytest.mark.parametrize(("name", "pk", "params"), ENDPOINTS)
def test_a_repeated_request_with_its_etag_gets_304(client, settled_seed, name, pk, params):
    first = client.get(url(name, pk, **params))
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    again = client.get(url(name, pk, **params), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(url(name, pk, **params), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304


@pytest.mark.usefixtures("unthrottled")
def test_a_change_gives_a_new_etag_and_a_full_answer(client, seed):
    first = client.get(url("partnership-detail", 3))
    services.record_status_event(
        partnership=Partnership.objects.get(pk=3),
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        citations=[cite()],
    )
    second = client.get(url("partnership-detail", 3), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.json()["status"] == "suspended"


@pytest.mark.usefixtures("unthrottled")
def test_a_deletion_moves_last_modified_of_a_list(client, db):
    """The rows left on a page cannot tell that one went away; Last-Modified still moves."""
    keep, gone = LocalityFactory(), LocalityFactory()
    first = client.get(url("locality-list"))
    assert first["Last-Modified"] != http_date(0)
    gone.delete()  # most likely within the same second as the first answer
    # A client that only sends If-Modified-Since gets the new list, not a 304.
    again = client.get(url("locality-list"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200
    assert [row["id"] for row in again.json()["results"]] == [keep.pk]
    assert again["ETag"] != first["ETag"]


@pytest.mark.usefixtures("unthrottled")
def test_exports_have_weak_validators_and_304(client, seed):
    first = client.get(url("partnership-list", format="csv"))
    body(first)
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    again = client.get(url("partnership-list", format="csv"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = client.get(url("partnership-list", format="csv", country="RU"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


@pytest.mark.usefixtures("unthrottled")
def test_authenticated_answers_are_private(client, staff_editor, seed):
    response = client.get(url("partnership-list"), **token_header(staff_editor))
    assert "private" in response["Cache-Control"]


@pytest.mark.usefixtures("unthrottled")
def test_cors_allows_get_from_any_origin(client, seed):
    response = client.get(url("partnership-list"), HTTP_ORIGIN="https://city.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        url("partnership-list"),
        HTTP_ORIGIN="https://city.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # Only the API: the HTML pages are not opened to other origins.
    page = client.get("/", HTTP_ORIGIN="https://city.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_anonymous_clients_are_throttled_with_retry_after(client, db, monkeypatch, staff_editor):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    cache.clear()
    try:
        statuses = [client.get(url("locality-list")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        throttled = client.get(url("locality-list"))
        assert throttled.status_code == 429
        assert 0 < int(throttled["Retry-After"]) <= 60
        assert throttled.json()["status"] == 429
        # A client with a token is not anonymous.
        assert client.get(url("locality-list"), **token_header(staff_editor)).status_code == 200
    finally:
        cache.clear()
