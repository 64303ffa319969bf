"""The OpenAPI schema, the docs page, and a schemathesis run over every GET operation,
in-process against the WSGI application, with the seed loaded: no server error, and every
status code, content type and response body as the schema documents them. Generated
input includes NUL bytes, huge numbers and invalid values (negative testing)."""

import re

import pytest
import schemathesis
import yaml
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.apitools import unthrottled, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_schema_is_openapi_3_and_documents_the_api(client, db):
    response = client.get(url("schema"))
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in [
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{id}/",
        "/api/v1/partnerships/{id}/events/",
        "/api/v1/localities/",
        "/api/v1/localities/{id}/",
        "/api/v1/organizations/",
        "/api/v1/sources/",
        "/api/v1/reported-figures/",
        "/api/v1/stats/",
        "/api/v1/changes/",
    ]:
        assert path in paths, path
    listing = paths["/api/v1/partnerships/"]["get"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert parameters >= {
        "country",
        "between",
        "status",
        "kind",
        "locality",
        "organization",
        "q",
        "as_of",
        "established_after",
        "established_before",
        "updated_since",
        "ordering",
        "page",
        "page_size",
        "format",
    }
    assert set(listing["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/geo+json",
    }
    assert {"400", "404", "429"} <= set(listing["responses"])
    assert {"400", "401", "403"} <= set(paths["/api/v1/partnerships/"]["post"]["responses"])


def test_docs_are_served_from_our_static_files(client, db):
    response = client.get(url("docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    for reference in references:
        assert reference.startswith(("/static/", "/api/")), reference
    assert "cdn" not in html.lower() and "//unpkg" not in html and "jsdelivr" not in html


EXAMPLES_PER_MODE = 25


@pytest.fixture
def connection_kept_open():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction on PostgreSQL; Django's own test client suspends that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("connection_kept_open")
def test_every_get_operation_conforms(seed):
    """schemathesis' pytest plugin (``from_fixture``) does not run under pytest 9, so the
    operations' Hypothesis strategies are driven here directly, one operation at a time."""
    from registry.wsgi import application

    api_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
        method="GET"
    )
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_MODE * 2,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(checks=CHECKS)

        try:
            check()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error
