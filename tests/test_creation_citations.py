"""Every fact cited, at creation too: a partnership enters the registry with a citation or
explicitly marked as an internal record, which puts it in the review queue — through the
service, the admin's add page, the API and imports alike. Partnerships within one country
are allowed and labelled domestic."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships import services
from partnerships.importing.service import SourceSpec, import_partnerships
from partnerships.models import Citation, Partnership, Source
from partnerships.selectors import needing_review, review_reasons

from .apitools import unthrottled  # noqa: F401
from .factories import LocalityFactory, SourceFactory, cite
from .test_admin import add_url, form_errors
from .test_api_writes import post

UNCITED = "uncited"


@pytest.fixture
def pair(db):
    return LocalityFactory(name="Springfield", country="US"), LocalityFactory(name="Tula", country="RU")


def reasons(partnership) -> list[str]:
    found = needing_review(Partnership.objects.filter(pk=partnership.pk)).first()
    return review_reasons(found) if found else []


# ------------------------------------------------------------------------- the service


def test_service_refuses_an_uncited_partnership(pair):
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(locality_a=pair[0], locality_b=pair[1])
    assert "needs a citation" in exc.value.message_dict["citations"][0]
    assert not Partnership.objects.exists()


def test_service_reports_every_refusal_at_once(pair):
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(locality_a=pair[0], locality_b=pair[0])
    assert set(exc.value.message_dict) >= {"locality_b", "citations"}


def test_service_takes_an_internal_record_to_the_review_queue(pair, django_user_model):
    partnership = services.create_partnership(locality_a=pair[0], locality_b=pair[1], internal_record=True)
    assert partnership.is_internal_record and not partnership.citations.exists()
    assert "partnership recorded as internal (no citation)" in reasons(partnership)
    assert list(needing_review(Partnership.objects.all(), UNCITED)) == [partnership]
    # A reviewer's verification takes it off the queue for that reason.
    reviewer = django_user_model.objects.create_user("rita", is_staff=True)
    services.verify_partnership(partnership=partnership, user=reviewer)
    assert reasons(partnership) == []


def test_service_refuses_an_internal_record_with_a_citation(pair):
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(
            locality_a=pair[0], locality_b=pair[1], internal_record=True, citations=[cite()]
        )
    assert "is_internal_record" in exc.value.message_dict
    assert not Partnership.objects.exists() and not Citation.objects.exists()


def test_a_cited_partnership_is_not_queued_as_uncited(pair):
    partnership = services.create_partnership(locality_a=pair[0], locality_b=pair[1], citations=[cite()])
    assert not partnership.is_internal_record
    assert "partnership recorded as internal (no citation)" not in reasons(partnership)


def test_a_domestic_partnership_is_allowed_and_labelled(client, db):
    kiel, stralsund = (
        LocalityFactory(name="Kiel", country="DE"),
        LocalityFactory(name="Stralsund", country="DE"),
    )
    partnership = services.create_partnership(locality_a=kiel, locality_b=stralsund, citations=[cite()])
    assert partnership.is_domestic
    other = services.create_partnership(
        locality_a=kiel, locality_b=LocalityFactory(name="Vaasa", country="FI"), citations=[cite()]
    )
    assert not other.is_domestic
    listing = reverse("partnerships:partnership-list")
    response = client.get(listing, {"domestic": "true"})
    assert list(response.context["page"].object_list) == [partnership]
    assert 'Kiel – Stralsund</a> <span class="tag">domestic</span>' in response.text
    assert list(client.get(listing, {"domestic": "false"}).context["page"].object_list) == [other]
    assert '<select id="id_domestic" name="domestic">' in client.get(listing).text
    # The API takes the same filter.
    api = client.get(reverse("api:partnership-list"), {"domestic": "true"}).json()
    assert [row["id"] for row in api["results"]] == [partnership.pk]
    # Anything but true/false is refused, never read as "no filter" (schemathesis found it).
    refused = client.get(reverse("api:partnership-list"), {"domestic": "null"})
    assert refused.status_code == 400 and "domestic" in refused.json()["errors"]


# ----------------------------------------------------------------------------- the API


def test_api_refuses_an_uncited_partnership(client, staff_editor, pair):
    response = post(
        client, "partnership-list", {"locality_a": pair[0].pk, "locality_b": pair[1].pk}, user=staff_editor
    )
    assert response.status_code == 400
    assert "needs a citation" in response.json()["errors"]["citations"][0]
    assert not Partnership.objects.exists()


def test_api_creates_a_cited_or_an_internal_partnership(client, staff_editor, pair):
    source = SourceFactory()
    cited = post(
        client,
        "partnership-list",
        {
            "locality_a": pair[0].pk,
            "locality_b": pair[1].pk,
            "citations": [{"source_id": source.pk, "quote": "q"}],
        },
        user=staff_editor,
    )
    assert cited.status_code == 201, cited.content
    internal = post(
        client,
        "partnership-list",
        {"locality_a": pair[0].pk, "locality_b": LocalityFactory(country="UA").pk, "internal_record": True},
        user=staff_editor,
    )
    assert internal.status_code == 201, internal.content
    partnership = Partnership.objects.get(pk=internal.json()["id"])
    assert partnership.is_internal_record
    assert "partnership recorded as internal (no citation)" in reasons(partnership)
    both = post(
        client,
        "partnership-list",
        {
            "locality_a": pair[1].pk,
            "locality_b": LocalityFactory(country="UA").pk,
            "internal_record": True,
            "citations": [{"source_id": source.pk, "quote": "q"}],
        },
        user=staff_editor,
    )
    assert both.status_code == 400 and "internal_record" in both.json()["errors"]


# --------------------------------------------------------------------------- the admin


def admin_data(pair, **extra) -> dict:
    return {"locality_a": pair[0].pk, "locality_b": pair[1].pk, "level": "sister_city", **extra}


def test_admin_refuses_an_uncited_partnership(editor_client, pair):
    page = editor_client.get(add_url(Partnership)).content.decode()
    assert 'name="is_internal_record"' in page and 'name="new_source_title"' in page
    response = editor_client.post(add_url(Partnership), admin_data(pair))
    assert "needs a citation" in " ".join(form_errors(response)["source"])
    assert not Partnership.objects.exists()


def test_admin_adds_a_partnership_citing_a_picked_or_a_new_source(editor_client, pair):
    source = SourceFactory()
    response = editor_client.post(
        add_url(Partnership), admin_data(pair, source=source.pk, quote="They signed.")
    )
    assert response.status_code == 302, form_errors(response)
    (citation,) = Partnership.objects.get().citations.all()
    assert citation.source == source and citation.quote == "They signed."
    other = (pair[0], LocalityFactory(country="UA"))
    response = editor_client.post(
        add_url(Partnership),
        admin_data(
            other, new_source_title="Council minutes", new_source_url="https://example.org/m", quote="q"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    created = Partnership.objects.get(locality_b=other[1])
    assert [c.source.title for c in created.citations.all()] == ["Council minutes"]
    assert Source.objects.filter(title="Council minutes").count() == 1


def test_admin_adds_an_internal_record_to_the_review_queue(editor_client, pair):
    response = editor_client.post(add_url(Partnership), admin_data(pair, is_internal_record="on"))
    assert response.status_code == 302, form_errors(response)
    partnership = Partnership.objects.get()
    assert partnership.is_internal_record and not partnership.citations.exists()
    assert "partnership recorded as internal (no citation)" in reasons(partnership)
    # Shown, not editable, on the change page.
    page = editor_client.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    assert 'name="is_internal_record"' not in page.content.decode()


def test_admin_refuses_an_internal_record_with_a_citation(editor_client, pair):
    response = editor_client.post(
        add_url(Partnership), admin_data(pair, source=SourceFactory().pk, is_internal_record="on")
    )
    assert "internal record has no citation" in " ".join(form_errors(response)["is_internal_record"])
    assert not Partnership.objects.exists()


# ----------------------------------------------------------------------------- imports


def test_imports_cite_every_partnership_they_create(db):
    rows = [
        (2, {"a_name": "Seattle", "a_country": "US", "b_name": "Tashkent", "b_country": "UZ"}),
        (3, {"a_name": "Kiel", "a_country": "DE", "b_name": "Stralsund", "b_country": "DE"}),
    ]
    report = import_partnerships(rows=rows, source=SourceSpec(title="A list", url="https://example.org/l"))
    assert report.written, report.summary()
    assert Partnership.objects.count() == 2
    for partnership in Partnership.objects.all():
        assert [c.source.title for c in partnership.citations.all()] == ["A list"]
        assert not partnership.is_internal_record
    assert Partnership.objects.get(locality_a__name="Kiel").is_domestic
    # Without any source, an import writes nothing.
    refused = import_partnerships(rows=[(2, {**rows[0][1], "b_name": "Bukhara"})], source=None)
    assert not refused.written and "no source" in refused.errors[0].message
