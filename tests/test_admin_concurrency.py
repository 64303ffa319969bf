"""No lost updates: two staff members open the same record; the second save is refused
with who changed it and when, the differences, and what they typed kept; saving again
deliberately overwrites."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from partnerships.models import Locality, Organization, Partnership, Source, StatusEvent
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
