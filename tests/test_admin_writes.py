"""One way to write from an admin form: the form only validates (``is_valid()`` writes
nothing), then the admin calls the model's service; a service's refusal comes back as
the form's errors, with nothing written, no server error and what was typed kept."""

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry

from partnerships import services
from partnerships.admin.forms import (
    ActivityAddForm,
    LocalityAdminForm,
    OrganizationRelationshipAddForm,
    PartnershipAdminForm,
    ReportedFigureAddForm,
    StatusChangeForm,
    StatusEventAddForm,
    StatusEventChangeForm,
)
from partnerships.models import (
    Activity,
    Citation,
    CorrectionRequest,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory, cite, partnership_with_history
from tests.test_admin import MAKERS, _claim_data, add_url, change_url, event_data, form_errors
from tests.test_admin_concurrency import post_data


def rows() -> dict[str, int]:
    """How many rows every table of the app holds, edit history included."""
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("partnerships").get_models()
    }


def spy(monkeypatch, name, *, meanwhile=None) -> list[dict]:
    """Record each call of the service ``name`` (which still runs); ``meanwhile`` runs
    first, as another user's write would between the form's validation and the save."""
    real = getattr(services, name)
    calls = []

    def service(**kwargs):
        calls.append(kwargs)
        if meanwhile is not None:
            meanwhile(**kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, name, service)
    return calls


# ------------------------------------------------------------ is_valid() writes nothing


def _valid_forms():
    source = SourceFactory()
    partnership = partnership_with_history(("active", "1989"))
    a, b = LocalityFactory(country="UA"), LocalityFactory(country="US")
    event = partnership.events.get()
    cited = {"source": source.pk, "locator": "p. 1"}
    return [
        LocalityAdminForm({"name": "Lviv", "kind": "city", "country": "UA"}),
        PartnershipAdminForm({"locality_a": a.pk, "locality_b": b.pk, "level": "sister_city"}),
        StatusEventAddForm({**event_data(partnership), **cited}),
        StatusEventChangeForm(
            {
                **event_data(partnership, note="Corrected."),
                "opened_version": event.history.latest().history_id,
            },
            instance=event,
        ),
        ActivityAddForm({**_claim_data(Activity), **cited}),
        ReportedFigureAddForm({**_claim_data(ReportedFigure), **cited}),
        OrganizationRelationshipAddForm({**_claim_data(OrganizationRelationship), **cited}),
        StatusChangeForm(
            {
                **event_data(partnership),
                "new_source_title": "A new report",
                "new_source_published_precision": "",
                "is_internal_record": "",
            }
        ),
    ]


def test_validating_an_admin_form_writes_nothing(db):
    forms = _valid_forms()
    before = rows()
    for form in forms:
        assert form.is_valid(), (type(form).__name__, form.errors)
    assert rows() == before


# ----------------------------------------------- add and change go through the service

ADD_SERVICES = {
    Locality: "create_locality",
    Organization: "create_organization",
    Source: "create_source",
    Citation: "add_citation",
    FocusArea: "create_focus_area",
    Partnership: "create_partnership",
    StatusEvent: "record_status_change",
    Activity: "add_activity",
    ReportedFigure: "add_reported_figure",
    OrganizationRelationship: "relate_organizations",
}


def add_data(model) -> dict:
    if model is Locality:
        return {
            "name": "Lviv",
            "kind": "city",
            "country": "UA",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        }
    if model is Organization:
        return {"name": "Sister Cities International", "kind": Organization.Kind.NONPROFIT}
    if model is Source:
        return {"title": "A report", "language": "en", "kind": Source.Kind.NEWS_ARTICLE}
    if model is Citation:
        return {"source": SourceFactory().pk, "quote": "They signed.", "partnership": PartnershipFactory().pk}
    if model is FocusArea:
        return {"name": "Education", "slug": "education"}
    if model is Partnership:
        a, b = LocalityFactory(), LocalityFactory()
        return {
            "locality_a": a.pk,
            "locality_b": b.pk,
            "level": Partnership.Level.SISTER_CITY,
            "source": SourceFactory().pk,
            "quote": "They signed.",
        }
    if model is StatusEvent:
        return event_data(partnership_with_history(("active", "1989")), source=SourceFactory().pk)
    return {**_claim_data(model), "source": SourceFactory().pk}


@pytest.mark.parametrize("model", list(ADD_SERVICES), ids=lambda m: m.__name__)
def test_the_admin_adds_each_model_through_its_service(superuser_client, monkeypatch, model):
    data = add_data(model)
    count = model.objects.count()
    calls = spy(monkeypatch, ADD_SERVICES[model])

    response = superuser_client.post(add_url(model), data)

    assert response.status_code == 302, form_errors(response)
    assert len(calls) == 1
    assert model.objects.count() == count + 1
    added = model.objects.latest("pk")
    assert LogEntry.objects.get().object_id == str(added.pk)


# Per model: the service that saves a change, and a field with the value typed.
CHANGE_SERVICES = {
    Locality: ("update_locality", "description", "Second city of Ukraine."),
    Organization: ("update_organization", "abbreviation", "SCI"),
    Source: ("update_source", "publisher", "Kyiv Post"),
    Citation: ("update_citation", "quote", "They signed in 1989."),
    FocusArea: ("update_focus_area", "name", "Culture"),
    Partnership: ("save_partnership", "description", "Signed in 1989."),
    StatusEvent: ("update_status_event", "note", "Signed in the city hall."),
    Activity: ("update_activity", "description", "Two delegations visited."),
    ReportedFigure: ("update_reported_figure", "description", "Sister cities, as the source counts them."),
    OrganizationRelationship: ("update_organization_relationship", "description", "Partner associations."),
}


@pytest.mark.parametrize("model", list(CHANGE_SERVICES), ids=lambda m: m.__name__)
def test_the_admin_saves_each_models_changes_through_its_service(superuser_client, monkeypatch, model):
    MAKERS[model](1)
    record = model.objects.first()
    name, field, value = CHANGE_SERVICES[model]
    data = post_data(superuser_client.get(change_url(record)))
    calls = spy(monkeypatch, name)

    response = superuser_client.post(change_url(record), {**data, field: value})

    assert response.status_code == 302, form_errors(response)
    assert len(calls) == 1
    record.refresh_from_db()
    assert getattr(record, field) == value


def test_the_aliases_inline_goes_through_the_alias_services(superuser_client, monkeypatch):
    locality = LocalityFactory(name="Kharkiv", country="UA")
    services.add_locality_alias(locality=locality, alias=services.AliasInput("Charkow"))
    data = post_data(superuser_client.get(change_url(locality)))
    added, updated = spy(monkeypatch, "add_locality_alias"), spy(monkeypatch, "update_locality_alias")
    data |= {
        "aliases-0-name": "Charkiw",
        "aliases-1-name": "Kharkov",
        "aliases-1-kind": LocalityAlias.Kind.FORMER,
    }

    response = superuser_client.post(change_url(locality), data)

    assert response.status_code == 302, form_errors(response)
    assert (len(added), len(updated)) == (1, 1)
    assert sorted(locality.aliases.values_list("name", flat=True)) == ["Charkiw", "Kharkov"]


def test_removing_an_alias_in_the_inline_goes_through_its_service(superuser_client, monkeypatch):
    locality = LocalityFactory(name="Kharkiv", country="UA")
    alias = services.add_locality_alias(locality=locality, alias=services.AliasInput("Charkow"))
    data = post_data(superuser_client.get(change_url(locality)))
    removed, pk = spy(monkeypatch, "remove_locality_alias"), alias.pk

    response = superuser_client.post(change_url(locality), {**data, "aliases-0-DELETE": "on"})

    assert response.status_code == 302, form_errors(response)
    assert len(removed) == 1
    assert not locality.aliases.exists()
    assert LocalityAlias.history.filter(id=pk).latest().history_type == "-"


def test_a_correction_requests_staff_note_goes_through_its_service(superuser_client, monkeypatch):
    correction = services.submit_correction(message="The date is wrong.", locality=LocalityFactory())
    data = post_data(superuser_client.get(change_url(correction)))
    annotated = spy(monkeypatch, "annotate_correction")

    response = superuser_client.post(change_url(correction), {**data, "staff_note": "  Asked the city.  "})

    assert response.status_code == 302, form_errors(response)
    assert len(annotated) == 1
    correction.refresh_from_db()
    assert (correction.staff_note, correction.status) == ("Asked the city.", CorrectionRequest.Status.NEW)


def test_the_citations_inline_goes_through_the_citation_services(superuser_client, monkeypatch):
    partnership = partnership_with_history(("active", "1989"))
    kept, removed = (services.add_citation(citation=cite(), partnership=partnership) for _ in range(2))
    source = SourceFactory()
    page = superuser_client.get(change_url(partnership))
    data = post_data(page)
    (citations,) = [i for i in page.context["inline_admin_formsets"] if i.formset.model is Citation]
    index = {form.instance.pk: i for i, form in enumerate(citations.formset.forms)}
    calls = {name: spy(monkeypatch, name) for name in ("add_citation", "update_citation", "remove_citation")}
    data |= {
        f"citations-{index[kept.pk]}-quote": "Corrected quote.",
        f"citations-{index[removed.pk]}-DELETE": "on",
        "citations-TOTAL_FORMS": "3",
        "citations-2-source": source.pk,
    }

    response = superuser_client.post(change_url(partnership), data)

    assert response.status_code == 302, form_errors(response)
    assert {name: len(made) for name, made in calls.items()} == dict.fromkeys(calls, 1)
    assert sorted((c.source_id, c.quote) for c in partnership.citations.all()) == sorted(
        [(kept.source_id, "Corrected quote."), (source.pk, "")]
    )


# --------------------------------------------------------- a refusal, on the form


def test_a_partnership_added_meanwhile_is_refused_with_the_services_message(superuser_client, monkeypatch):
    a, b = LocalityFactory(), LocalityFactory()
    data = {"locality_a": a.pk, "locality_b": b.pk, "level": "sister_city", "description": "Typed."}
    # The form finds no such partnership; another editor adds it before the save.
    calls = spy(
        monkeypatch,
        "create_partnership",
        meanwhile=lambda **_: PartnershipFactory(locality_a=b, locality_b=a),
    )
    before = rows()

    response = superuser_client.post(add_url(Partnership), data)

    assert len(calls) == 1
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "already exists" in str(form.errors)  # the model's rule, through the service
    assert form["description"].value() == "Typed."  # what was typed is kept
    assert rows() == before  # nothing written: not the partnership, not the log
    assert not LogEntry.objects.exists()


def test_a_change_refused_by_the_service_shows_on_the_form(superuser_client, monkeypatch):
    source = SourceFactory(url="https://example.org/a")
    url = "https://example.org/b"
    data = post_data(superuser_client.get(change_url(source)))
    spy(monkeypatch, "update_source", meanwhile=lambda **_: SourceFactory(url=url))
    sources = Source.objects.count()

    response = superuser_client.post(change_url(source), {**data, "url": url})

    assert "A source with this URL already exists" in str(form_errors(response))
    assert response.context["adminform"].form["url"].value() == url
    assert Source.objects.count() == sources
    source.refresh_from_db()
    assert source.url == "https://example.org/a"


def test_an_inline_row_refused_by_the_service_shows_above_the_form(superuser_client, monkeypatch):
    activity = services.add_activity(
        partnership=PartnershipFactory(),
        kind=Activity.Kind.VISIT,
        description="A delegation visited.",
        citations=[cite(), cite()],
    )
    first, second = activity.citations.order_by("-created_at", "-id")
    data = post_data(superuser_client.get(change_url(activity)))
    # Staff remove the first citation; meanwhile someone removes the second.
    spy(monkeypatch, "remove_citation", meanwhile=lambda **_: Citation.objects.filter(pk=second.pk).delete())

    response = superuser_client.post(change_url(activity), {**data, "citations-0-DELETE": "on"})

    assert response.status_code == 200
    assert "only citation" in " ".join(response.context["adminform"].form.non_field_errors())
    assert set(activity.citations.all()) == {first, second}  # all rolled back
    assert not LogEntry.objects.exists()


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="pw-for-tests-only"))
    return client
