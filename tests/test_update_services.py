"""The update services the admin's change pages call: each sets the named fields,
validates the whole record and saves, and refuses a name that is no field."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from partnerships import services
from partnerships.models import FocusArea, LocalityAlias
from tests.factories import (
    LocalityFactory,
    OrganizationFactory,
    SourceFactory,
    cite,
    partnership_with_history,
)

pytestmark = pytest.mark.django_db


def test_update_locality_saves_changed_fields():
    locality = LocalityFactory(name="Kharkov", country="UA")
    services.update_locality(locality=locality, name="Kharkiv", subdivision="UA-63")
    locality.refresh_from_db()
    assert (locality.name, locality.subdivision) == ("Kharkiv", "UA-63")


def test_update_locality_validates_before_saving():
    locality = LocalityFactory(name="Kharkiv", country="UA")
    with pytest.raises(ValidationError) as error:
        services.update_locality(locality=locality, country="XX")
    assert "country" in error.value.message_dict
    locality.refresh_from_db()
    assert locality.country == "UA"


def test_update_locality_refuses_an_unknown_field():
    locality = LocalityFactory(name="Kharkiv")
    with pytest.raises(ValidationError, match="no field colour"):
        services.update_locality(locality=locality, colour="blue")


def test_update_locality_alias():
    locality = LocalityFactory(name="Kharkiv")
    alias = services.add_locality_alias(locality=locality, alias=services.AliasInput(name="Kharkov"))
    services.update_locality_alias(alias=alias, name="Charkiw", language="de")
    assert LocalityAlias.objects.get(pk=alias.pk).name == "Charkiw"
    assert LocalityAlias.objects.get(pk=alias.pk).language == "de"


def test_remove_locality_alias_keeps_its_history():
    locality = LocalityFactory(name="Kharkiv")
    alias = services.add_locality_alias(locality=locality, alias=services.AliasInput(name="Kharkov"))
    pk = alias.pk
    services.remove_locality_alias(alias=alias)
    assert not locality.aliases.exists()
    history = LocalityAlias.history.filter(id=pk).order_by("history_id")
    assert [h.history_type for h in history] == ["+", "-"]


def test_annotate_correction_sets_only_the_note():
    correction = services.submit_correction(message="Wrong year.", locality=LocalityFactory())
    services.annotate_correction(correction=correction, staff_note=" Checked the source. ")
    correction.refresh_from_db()
    assert (correction.staff_note, correction.status, correction.reviewed_at) == (
        "Checked the source.",
        "new",
        None,
    )


def test_update_organization():
    organization = OrganizationFactory(name="Sister Cities")
    services.update_organization(organization=organization, abbreviation="SCI", url="https://example.org/")
    organization.refresh_from_db()
    assert (organization.abbreviation, organization.url) == ("SCI", "https://example.org/")
    with pytest.raises(ValidationError):
        services.update_organization(organization=organization, url="not a url")


def test_create_and_update_focus_area():
    area = services.create_focus_area(name=" Youth exchange ")
    assert (area.name, area.slug) == ("Youth exchange", "youth-exchange")
    assert services.create_focus_area(name="Trade", slug="commerce").slug == "commerce"
    with pytest.raises(ValidationError):
        services.create_focus_area(name="Youth exchange")
    services.update_focus_area(focus_area=area, name="Youth exchanges")
    assert FocusArea.objects.get(pk=area.pk).name == "Youth exchanges"
    assert FocusArea.objects.get(pk=area.pk).slug == "youth-exchange"


def test_update_source():
    source = SourceFactory(title="Report")
    services.update_source(source=source, title="Annual report", published_on=datetime.date(2001, 1, 1))
    source.refresh_from_db()
    assert (source.title, source.published_on) == ("Annual report", datetime.date(2001, 1, 1))
    with pytest.raises(ValidationError, match="no field headline"):
        services.update_source(source=source, headline="x")


def test_update_citation():
    partnership = partnership_with_history(("active", "1993"))
    citation = services.add_citation(citation=cite(quote="twinned"), partnership=partnership)
    other = SourceFactory()
    services.update_citation(citation=citation, source=other, quote="twinned in 1993", locator="p. 4")
    citation.refresh_from_db()
    assert (citation.source, citation.quote, citation.locator) == (other, "twinned in 1993", "p. 4")
    with pytest.raises(ValidationError):
        # A citation supports exactly one claim.
        services.update_citation(citation=citation, status_event=partnership.events.get())
