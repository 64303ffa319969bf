"""Helpers shared by the API tests (tests/test_api_*.py)."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle


@pytest.fixture
def unthrottled(monkeypatch):
    """The anonymous rate limit is real in the suite; most API tests make many requests."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})
    cache.clear()
    yield
    cache.clear()


def url(name: str, pk=None, **params) -> str:
    path = reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def get_json(client, name: str, pk=None, *, expect: int = 200, **params):
    response = client.get(url(name, pk, **params))
    assert response.status_code == expect, (response.status_code, body(response)[:500])
    assert response["Content-Type"].startswith("application/json")
    return json.loads(body(response))


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def token_header(user) -> dict:
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def ids(page) -> list[int]:
    return [row["id"] for row in page["results"]]
