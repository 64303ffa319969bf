"""The moderation list of corrections suggested by the public."""

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.models import CorrectionRequest
from tests.factories import LocalityFactory, PartnershipFactory
from tests.test_admin import change_url, changelist_url, results


def suggest(target, message="The partnership was suspended in 2022."):
    kind = "partnership" if target._meta.model_name == "partnership" else "locality"
    return services.submit_correction(message=message, **{kind: target})


def act(client, action, corrections):
    return client.post(
        changelist_url(CorrectionRequest), {"action": action, "_selected_action": [c.pk for c in corrections]}
    )


def test_newest_first_with_links_to_the_public_and_admin_pages(editor_client):
    partnership, locality = PartnershipFactory(), LocalityFactory()
    older, newer = suggest(partnership), suggest(locality, "Its native name is misspelt.")

    response = editor_client.get(changelist_url(CorrectionRequest))

    assert results(response) == [newer, older]
    page = response.content.decode()
    for target in (partnership, locality):
        assert target.get_absolute_url() in page
        assert change_url(target) in page


def test_accepting_and_rejecting_record_who_and_when(editor_client, staff_editor):
    first, second, third = (suggest(PartnershipFactory()) for _ in range(3))

    assert act(editor_client, "mark_accepted", [first, second]).status_code == 302
    assert act(editor_client, "mark_rejected", [third]).status_code == 302

    for correction, status in ((first, "accepted"), (second, "accepted"), (third, "rejected")):
        correction.refresh_from_db()
        assert (correction.status, correction.reviewed_by) == (status, staff_editor)
        assert correction.reviewed_at is not None
        assert correction.history.latest().history_user == staff_editor
    assert results(editor_client.get(changelist_url(CorrectionRequest), {"status__exact": "new"})) == []
    assert (
        len(results(editor_client.get(changelist_url(CorrectionRequest), {"status__exact": "accepted"}))) == 2
    )


def test_staff_cannot_add_corrections_and_viewers_cannot_decide(editor_client, viewer_client):
    assert editor_client.get(reverse("admin:partnerships_correctionrequest_add")).status_code == 403
    correction = suggest(PartnershipFactory())
    act(viewer_client, "mark_accepted", [correction])
    correction.refresh_from_db()
    assert correction.status == "new"


@pytest.mark.parametrize("rows", [1, 100])
def test_moderation_list_queries_do_not_grow_with_rows(editor_client, django_assert_max_num_queries, rows):
    for i in range(rows):
        suggest(PartnershipFactory() if i % 2 else LocalityFactory())
    with django_assert_max_num_queries(7):
        response = editor_client.get(changelist_url(CorrectionRequest))
    assert len(results(response)) == rows
