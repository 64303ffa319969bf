"""Citations in the admin: a claim that needs a citation keeps at least one (removal
goes through services.remove_citation()); corrections of activities, figures and
relationships go through their services and land in the edit history."""

import pytest
from django.contrib.messages import get_messages

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Activity, Citation, Locality
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory, cite
from tests.test_admin import add_url, change_url, changelist_url, delete_url, form_errors
from tests.test_admin_concurrency import post_data


@pytest.fixture
def activity(db):
    return services.add_activity(
        partnership=PartnershipFactory(),
        kind=Activity.Kind.VISIT,
        description="A delegation visited.",
        occurred=PartialDate.parse("2019-05"),
        citations=[cite(quote="A delegation visited in May.")],
    )


def with_deleted(data, *indexes):
    return {**data, **{f"citations-{i}-DELETE": "on" for i in indexes}}


def test_removing_the_only_citation_is_refused(superuser_client, activity):
    data = post_data(superuser_client.get(change_url(activity)))
    response = superuser_client.post(change_url(activity), with_deleted(data, 0))
    assert "at least one citation" in str(form_errors(response)["citations"])
    assert activity.citations.count() == 1


def test_a_citation_is_replaced_in_one_save(superuser_client, activity):
    old = activity.citations.get()
    new_source = SourceFactory()
    data = post_data(superuser_client.get(change_url(activity)))
    data = with_deleted(data, 0) | {
        "citations-TOTAL_FORMS": "2",
        "citations-1-source": new_source.pk,
        "citations-1-quote": "The visit took place.",
    }
    response = superuser_client.post(change_url(activity), data)
    assert response.status_code == 302, form_errors(response)
    assert [c.source for c in activity.citations.all()] == [new_source]
    assert not Citation.objects.filter(pk=old.pk).exists()


def test_one_of_two_citations_can_be_removed(superuser_client, activity):
    services.add_citation(citation=cite(), activity=activity)
    data = post_data(superuser_client.get(change_url(activity)))
    response = superuser_client.post(change_url(activity), with_deleted(data, 0))
    assert response.status_code == 302, form_errors(response)
    assert activity.citations.count() == 1


def test_deleting_the_only_citation_on_its_own_page_is_refused(superuser_client, activity):
    citation = activity.citations.get()
    response = superuser_client.post(delete_url(citation), {"post": "yes"})
    assert response.status_code == 302
    assert any("only citation" in str(m) for m in get_messages(response.wsgi_request))
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_editors_cannot_remove_citations(editor_client, activity):
    page = editor_client.get(change_url(activity))
    assert "citations-0-DELETE" not in post_data(page) and "citations-0-DELETE" not in page.content.decode()


def test_correcting_an_activity_goes_through_the_service_into_the_history(
    editor_client, staff_editor, activity
):
    data = post_data(editor_client.get(change_url(activity)))
    response = editor_client.post(change_url(activity), {**data, "description": "Two delegations visited."})
    assert response.status_code == 302, form_errors(response)
    activity.refresh_from_db()
    assert activity.description == "Two delegations visited."
    latest = activity.history.latest()
    assert (latest.description, latest.history_user) == ("Two delegations visited.", staff_editor)


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="pw-for-tests-only"))
    return client


def test_a_citation_cannot_be_moved_to_another_claim(editor_client, activity):
    citation = activity.citations.get()
    form = editor_client.get(change_url(citation)).context["adminform"].form
    assert not set(Citation.TARGETS) & set(form.fields)


def test_a_localitys_citations_are_optional_in_its_admin(superuser_client, db):
    locality = LocalityFactory()
    assert "citations-TOTAL_FORMS" not in post_data(superuser_client.get(add_url(Locality)))
    citation = services.add_citation(citation=cite(quote="A town on the river."), locality=locality)
    page = superuser_client.get(change_url(locality))
    assert "A town on the river." in page.content.decode()
    # Its only citation can go: a locality needs none.
    response = superuser_client.post(change_url(locality), with_deleted(post_data(page), 0))
    assert response.status_code == 302, form_errors(response)
    assert not Citation.objects.filter(pk=citation.pk).exists()
    # A new one is added on the same page.
    source = SourceFactory()
    data = post_data(superuser_client.get(change_url(locality))) | {
        "citations-TOTAL_FORMS": "1",
        "citations-0-source": source.pk,
        "citations-0-locator": "row 3",
    }
    response = superuser_client.post(change_url(locality), data)
    assert response.status_code == 302, form_errors(response)
    assert [(c.source, c.locator) for c in locality.citations.all()] == [(source, "row 3")]


def test_the_citation_list_shows_and_filters_locality_citations(superuser_client, db):
    locality = LocalityFactory(name="Kharkiv")
    services.add_citation(citation=cite(), locality=locality)
    services.add_citation(citation=cite(), partnership=PartnershipFactory())
    response = superuser_client.get(changelist_url(Citation), {"claim": "locality"})
    assert [c.locality for c in response.context["cl"].result_list] == [locality]
    assert "locality: Kharkiv" in response.content.decode()
