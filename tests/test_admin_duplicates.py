"""Duplicates are stopped at the door: a partnership that exists (in either order) is
refused with a link to it; a locality named like one in the same country needs an
explicit "save anyway"."""

import pytest

from partnerships import services
from partnerships.models import Locality, LocalityAlias, Partnership
from tests.factories import LocalityFactory, partnership_with_history
from tests.test_admin import add_url, change_url, form_errors


@pytest.fixture
def kharkiv(db):
    kharkiv = LocalityFactory(name="Kharkiv", native_name="Харків", country="UA")
    services.add_locality_alias(
        locality=kharkiv, alias=services.AliasInput("Kharkov", kind=LocalityAlias.Kind.FORMER)
    )
    return kharkiv


@pytest.mark.parametrize("order", ["same", "reverse"])
def test_a_duplicate_partnership_is_refused_with_a_link_to_it(editor_client, kharkiv, order):
    cincinnati = LocalityFactory(name="Cincinnati", country="US")
    existing = partnership_with_history(("active", "1989"), locality_a=cincinnati, locality_b=kharkiv)
    a, b = (cincinnati, kharkiv) if order == "same" else (kharkiv, cincinnati)

    response = editor_client.post(
        add_url(Partnership), {"locality_a": a.pk, "locality_b": b.pk, "level": "sister_city"}
    )

    errors = form_errors(response)
    (message,) = errors["locality_b"]
    assert "already exists" in message
    assert f"<a href='{change_url(existing)}'>{existing}</a>" in message
    assert f"href='{change_url(existing)}'" in response.content.decode().replace("&#x27;", "'")
    assert "__all__" not in errors  # said once, with the link
    assert list(Partnership.objects.all()) == [existing]


def locality_data(name, country, **extra) -> dict:
    return {
        "name": name,
        "kind": "city",
        "country": country,
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.mark.parametrize("name", ["Kharkiv", "kharkov", "Харків"])
def test_a_namesake_in_the_same_country_warns_with_the_candidates(editor_client, kharkiv, name):
    response = editor_client.post(add_url(Locality), locality_data(name, "UA"))

    (warning,) = form_errors(response)["__all__"]
    assert "already exists in UA" in warning
    assert change_url(kharkiv) in warning and "Kharkov" in warning
    form = response.context["adminform"].form
    assert not form.fields["save_anyway"].widget.is_hidden  # now offered
    assert Locality.objects.count() == 1

    response = editor_client.post(add_url(Locality), locality_data(name, "UA", save_anyway="on"))
    assert response.status_code == 302, form_errors(response)
    assert Locality.objects.count() == 2


def test_a_namesake_in_another_country_is_no_duplicate(editor_client, kharkiv):
    response = editor_client.post(add_url(Locality), locality_data("Kharkov", "RU"))
    assert response.status_code == 302, form_errors(response)


def test_the_add_form_does_not_offer_save_anyway_before_the_warning(editor_client):
    form = editor_client.get(add_url(Locality)).context["adminform"].form
    assert form.fields["save_anyway"].widget.is_hidden


def test_an_other_name_typed_for_the_new_locality_is_checked_too(editor_client, kharkiv):
    data = locality_data("Charkiw", "UA") | {
        "aliases-TOTAL_FORMS": "1",
        "aliases-0-name": "Kharkov",
        "aliases-0-kind": LocalityAlias.Kind.FORMER,
    }
    response = editor_client.post(add_url(Locality), data)
    assert change_url(kharkiv) in form_errors(response)["__all__"][0]
    assert Locality.objects.count() == 1
