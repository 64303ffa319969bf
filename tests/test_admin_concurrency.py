"""No lost updates: two staff members open the same record; the second save is refused
with who changed it and when, the differences, and what they typed kept; saving again
deliberately overwrites."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from partnerships.models import (
    Citation,
    Locality,
    LocalityAlias,
    Organization,
    Partnership,
    Source,
    StatusEvent,
)
from tests.factories import LocalityFactory, OrganizationFactory, SourceFactory, partnership_with_history
from tests.test_admin import change_url


def post_data(response) -> dict:
    """What a browser would post from a change page as shown: the main form's and every
    inline form's current values, hidden fields included."""
    forms = [response.context["adminform"].form]
    inlines = response.context.get("inline_admin_formsets", [])
    for inline in inlines:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def resubmit_data(response) -> dict:
    """The redisplayed form's data, as the browser would send it again."""
    return dict(response.context["adminform"].form.data.lists())


@pytest.fixture
def two_editors(db, django_user_model):
    """Alice and Bob, both in the Editors group, each logged in in their own browser."""
    clients = []
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, password="pw-for-tests-only", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


# Per model: a record, the field both edit, and the values Alice and Bob type.
CASES = {
    Partnership: (lambda: partnership_with_history(("active", "1990")), "description", "Alice's", "Bob's"),
    Locality: (lambda: LocalityFactory(name="Kharkiv", country="UA"), "native_name", "Харків", "Харьков"),
    Organization: (
        lambda: OrganizationFactory(name="Sister Cities International"),
        "abbreviation",
        "SCI",
        "SC-I",
    ),
    Source: (lambda: SourceFactory(title="Kharkiv report"), "publisher", "Kyiv Post", "Kyiv Independent"),
    StatusEvent: (
        lambda: partnership_with_history(("active", "1990")).events.get(),
        "note",
        "Signed in the city hall.",
        "Signed in Kharkiv.",
    ),
}


@pytest.mark.parametrize("model", list(CASES), ids=lambda m: m.__name__)
def test_the_second_save_is_refused_and_shows_the_differences(two_editors, model):
    make, field, alice_value, bob_value = CASES[model]
    record = make()
    alice, bob = two_editors
    original = getattr(record, field)

    alice_data = post_data(alice.get(change_url(record)))
    bob_data = post_data(bob.get(change_url(record)))

    response = alice.post(change_url(record), {**alice_data, field: alice_value})
    assert response.status_code == 302

    response = bob.post(change_url(record), {**bob_data, field: bob_value})

    assert response.status_code == 200
    record.refresh_from_db()
    assert getattr(record, field) == alice_value  # Alice's save stands
    form = response.context["adminform"].form
    (message,) = form.non_field_errors()
    assert "Changed by alice at" in message and "since you opened it" in message
    # The table: what Bob opened, what Alice stored, what Bob typed.
    label = str(form.fields[field].label)
    assert (
        f"<th scope='row'>{label}</th><td>{original or '—'}</td><td>{alice_value}</td><td>{bob_value}</td>"
        in message.replace("&#x27;", "'")
    )
    # What Bob typed is still in the form.
    assert form[field].value() == bob_value

    # Having seen the differences, Bob saves again: now deliberately, it goes through.
    response = bob.post(change_url(record), resubmit_data(response))
    assert response.status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == bob_value


def test_changes_to_fields_not_on_the_form_do_not_block_a_save(two_editors, django_user_model):
    from partnerships import services

    partnership = partnership_with_history(("active", "1990"))
    alice, _ = two_editors
    data = post_data(alice.get(change_url(partnership)))
    # Meanwhile a reviewer verifies it (no field of the form changes).
    services.verify_partnership(partnership=partnership, user=django_user_model.objects.get(username="bob"))

    response = alice.post(change_url(partnership), {**data, "description": "Updated."})

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.description == "Updated."
    assert partnership.last_verified_by.username == "bob"  # the verification is kept


def test_a_save_without_the_opened_version_is_refused(two_editors):
    locality = LocalityFactory(name="Kharkiv", country="UA")
    alice, _ = two_editors
    data = post_data(alice.get(change_url(locality)))
    del data["opened_version"]
    locality.native_name = "Харків"
    locality.save()  # a change the form knows nothing about

    response = alice.post(change_url(locality), {**data, "description": "Second city of Ukraine."})

    assert response.status_code == 200
    assert "since you opened it" in " ".join(response.context["adminform"].form.non_field_errors())
    locality.refresh_from_db()
    assert (locality.native_name, locality.description) == ("Харків", "")


# ------------------------------------------------------------- the whole record: inlines


def form_of(response, model, obj):
    """``obj``'s row in its inline on the page."""
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    ]
    (form,) = [form for form in formset.forms if form.instance.pk == obj.pk]
    return form


def row_of(response, model, obj) -> str:
    """The html name prefix of ``obj``'s row in its inline ("citations-0")."""
    return form_of(response, model, obj).prefix


def inline_errors(response, model) -> str:
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    ]
    messages = [*formset.non_form_errors(), *[e for form in formset.forms for e in form.non_field_errors()]]
    return " ".join(messages).replace("&#x27;", "'")


@pytest.fixture
def cited_partnership(db):
    from partnerships import services

    partnership = partnership_with_history(("active", "1990"))
    citation = services.add_citation(
        citation=services.CitationInput(
            source=SourceFactory(title="Kharkiv report"), quote="Signed in 1990."
        ),
        partnership=partnership,
    )
    return partnership, citation


def test_a_stale_edit_of_a_citation_is_refused_and_the_other_edit_kept(two_editors, cited_partnership):
    """The issue's example: Alice edits a citation's quote and saves; Bob, from a form
    opened before, edits only its locator: refused, Alice's quote stands, Bob's input is
    shown again with the differences; saving again is deliberate."""
    partnership, citation = cited_partnership
    alice, bob = two_editors
    alice_page, bob_page = alice.get(change_url(partnership)), bob.get(change_url(partnership))
    row = row_of(alice_page, Citation, citation)

    response = alice.post(
        change_url(partnership), {**post_data(alice_page), f"{row}-quote": "Signed on 1 May."}
    )
    assert response.status_code == 302
    response = bob.post(change_url(partnership), {**post_data(bob_page), f"{row}-locator": "p. 4"})

    assert response.status_code == 200
    citation.refresh_from_db()
    assert (citation.quote, citation.locator) == ("Signed on 1 May.", "")  # Alice's edit survives
    errors = inline_errors(response, Citation)
    assert (
        "Citation Kharkiv report: “Signed on 1 May.” — Changed by alice at" in errors
        and "since you opened it" in errors
    )
    assert "<td>Signed in 1990.</td><td>Signed on 1 May.</td><td>Signed in 1990.</td>" in errors
    assert form_of(response, Citation, citation)["locator"].value() == "p. 4"  # what Bob typed is kept

    # Having seen the differences, Bob types Alice's quote back and saves: it goes through.
    data = {**post_data(response), f"{row}-quote": "Signed on 1 May."}
    assert bob.post(change_url(partnership), data).status_code == 302
    citation.refresh_from_db()
    assert (citation.quote, citation.locator) == ("Signed on 1 May.", "p. 4")


def may_delete(username: str) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.get(username=username).groups.add(Group.objects.get(name="Reviewers"))


def test_a_stale_delete_tick_on_a_citation_changed_since_is_refused(two_editors, cited_partnership):
    partnership, citation = cited_partnership
    alice, bob = two_editors
    may_delete("bob")
    alice_page, bob_page = alice.get(change_url(partnership)), bob.get(change_url(partnership))
    row = row_of(alice_page, Citation, citation)

    alice.post(change_url(partnership), {**post_data(alice_page), f"{row}-quote": "Signed on 1 May."})
    response = bob.post(change_url(partnership), {**post_data(bob_page), f"{row}-DELETE": "on"})

    assert response.status_code == 200
    assert Citation.objects.filter(pk=citation.pk, quote="Signed on 1 May.").exists()
    errors = inline_errors(response, Citation)
    assert "which you marked for deletion — Changed by alice at" in errors
    # Deleting again, having seen what changed, is deliberate.
    assert bob.post(change_url(partnership), post_data(response)).status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_a_stale_row_posted_as_opened_does_not_overwrite_the_newer_edit(two_editors, cited_partnership):
    """Bob changes only the description; his browser posts the citation Alice edited since
    with its old values, which would overwrite her quote: refused, nothing saved."""
    partnership, citation = cited_partnership
    alice, bob = two_editors
    alice_page, bob_page = alice.get(change_url(partnership)), bob.get(change_url(partnership))
    row = row_of(alice_page, Citation, citation)
    bob_data = post_data(bob_page)

    alice.post(change_url(partnership), {**post_data(alice_page), f"{row}-quote": "Signed on 1 May."})
    # Bob's browser posts what it showed: the old quote, as typed when he opened it.
    response = bob.post(change_url(partnership), {**bob_data, "description": "Bob's"})

    # The old quote differs from the stored one, so the row reads as an edit: refused.
    assert response.status_code == 200
    citation.refresh_from_db()
    partnership.refresh_from_db()
    assert (citation.quote, partnership.description) == ("Signed on 1 May.", "")


def test_fresh_inline_edits_go_through(two_editors, cited_partnership):
    partnership, citation = cited_partnership
    alice, _ = two_editors
    page = alice.get(change_url(partnership))
    row = row_of(page, Citation, citation)

    response = alice.post(change_url(partnership), {**post_data(page), f"{row}-locator": "p. 4"})

    assert response.status_code == 302
    citation.refresh_from_db()
    assert (citation.quote, citation.locator) == ("Signed in 1990.", "p. 4")
    # Saving an untouched page writes no new version of the citation.
    versions = citation.history.count()
    page = alice.get(change_url(partnership))
    assert alice.post(change_url(partnership), post_data(page)).status_code == 302
    assert citation.history.count() == versions


def test_a_stale_edit_of_an_alias_is_refused(two_editors):
    from partnerships import services

    may_delete("bob")
    locality = LocalityFactory(name="Kharkiv", country="UA")
    alias = services.add_locality_alias(locality=locality, alias=services.AliasInput(name="Kharkov"))
    alice, bob = two_editors
    alice_page, bob_page = alice.get(change_url(locality)), bob.get(change_url(locality))
    row = row_of(alice_page, LocalityAlias, alias)

    assert (
        alice.post(change_url(locality), {**post_data(alice_page), f"{row}-language": "ru"}).status_code
        == 302
    )
    response = bob.post(change_url(locality), {**post_data(bob_page), f"{row}-name": "Charkow"})

    assert response.status_code == 200
    alias.refresh_from_db()
    assert (alias.name, alias.language) == ("Kharkov", "ru")
    assert "Changed by alice at" in inline_errors(response, LocalityAlias)

    # And a stale deletion of it.
    response = bob.post(change_url(locality), {**post_data(bob_page), f"{row}-DELETE": "on"})
    assert response.status_code == 200
    assert LocalityAlias.objects.filter(pk=alias.pk).exists()


def test_editing_a_citation_deleted_since_names_the_deletion(two_editors, cited_partnership):
    from partnerships import services

    partnership, citation = cited_partnership
    _, bob = two_editors
    bob_page = bob.get(change_url(partnership))
    row = row_of(bob_page, Citation, citation)
    services.remove_citation(citation=citation)

    response = bob.post(change_url(partnership), {**post_data(bob_page), f"{row}-locator": "p. 4"})

    assert response.status_code == 200
    assert "deleted by someone outside the admin at" in inline_errors(response, Citation)
    assert "since you opened it" in inline_errors(response, Citation)
    assert not Citation.objects.filter(pk=citation.pk).exists()  # not re-created


def test_the_rows_versions_cost_one_query_whatever_the_number_of_rows(two_editors, cited_partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships import services

    partnership, _ = cited_partnership
    alice, _ = two_editors

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice.get(change_url(partnership)).status_code == 200
        return len(captured)

    source = SourceFactory(title="Another report")

    def cite(n: int) -> None:
        services.add_citation(
            citation=services.CitationInput(source=source, quote=f"Quote {n}."), partnership=partnership
        )

    cite(0)
    queries()  # the first page also fills the caches (content types, permissions)
    two_rows = queries()
    for n in range(1, 6):
        cite(n)
    assert queries() == two_rows
