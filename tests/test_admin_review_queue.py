"""The review queue: what needs review and why, cleared by a reviewer's verification
until new events need it again; the "needs review" filter; bounded queries."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership
from tests.factories import PartnershipFactory, cite, partnership_with_history
from tests.test_admin import changelist_url, results

REVIEW_URL = reverse("admin:partnerships_partnership_review")


@pytest.fixture
def reviewer(db, django_user_model):
    user = django_user_model.objects.create_user("rita", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def queue(client, **params) -> dict:
    response = client.get(REVIEW_URL, params)
    assert response.status_code == 200
    return {p: p.reasons for p in response.context["page"].object_list}


def verified(partnership, user, *, days_ago=0):
    services.verify_partnership(partnership=partnership, user=user)
    if days_ago:
        # Tests only: pretend the verification is older.
        Partnership.objects.filter(pk=partnership.pk).update(
            last_verified_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    partnership.refresh_from_db()
    return partnership


def record(partnership, status, when, *, internal=False):
    services.record_status_event(
        partnership=partnership,
        status=status,
        effective=PartialDate.parse(when),
        citations=[] if internal else [cite()],
        internal_record=internal,
    )


def test_each_reason_is_listed(reviewer):
    never = partnership_with_history(("active", "1990"))
    stale = verified(partnership_with_history(("active", "1991")), reviewer.user, days_ago=400)
    recent = verified(partnership_with_history(("active", "1992")), reviewer.user, days_ago=30)
    disagree = verified(partnership_with_history(("active", "1993")), reviewer.user)
    record(disagree, "suspended", "1993")  # same date, another status
    internal = verified(partnership_with_history(("active", "1994")), reviewer.user)
    record(internal, "suspended", "2022", internal=True)

    shown = queue(reviewer)

    assert recent not in shown
    assert shown[never] == ["never verified"]
    assert shown[stale] == ["verified over a year ago"]
    assert shown[disagree] == ["sources disagree: different statuses on the same date"]
    assert shown[internal] == ["status change recorded as internal (no citation)"]
    assert list(queue(reviewer, reason="internal")) == [internal]


def test_never_verified_partnerships_show_every_other_reason_too(reviewer):
    partnership = partnership_with_history(("active", "1990"))
    record(partnership, "suspended", "2022", internal=True)
    assert queue(reviewer)[partnership] == [
        "never verified",
        "status change recorded as internal (no citation)",
    ]


def test_a_reviewer_clears_an_item_until_new_events_need_review(reviewer):
    partnership = partnership_with_history(("active", "1990"))
    record(partnership, "suspended", "2022", internal=True)

    response = reviewer.post(REVIEW_URL, {"_selected_action": [partnership.pk]})

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.last_verified_by == reviewer.user
    assert partnership not in queue(reviewer)

    record(partnership, "active", "2023")  # cited: no reason to review
    assert partnership not in queue(reviewer)
    record(partnership, "suspended", "2024", internal=True)
    assert queue(reviewer)[partnership] == ["status change recorded as internal (no citation)"]


def test_the_changelist_filters_what_needs_review_and_links_the_queue(reviewer):
    never = partnership_with_history(("active", "1990"))
    fine = verified(partnership_with_history(("active", "1991")), reviewer.user)
    assert results(reviewer.get(changelist_url(Partnership), {"review": "any"})) == [never]
    assert results(reviewer.get(changelist_url(Partnership), {"review": "never"})) == [never]
    assert fine in results(reviewer.get(changelist_url(Partnership)))
    assert REVIEW_URL in reviewer.get(changelist_url(Partnership)).content.decode()
    assert REVIEW_URL in reviewer.get(reverse("admin:index")).content.decode()


def test_the_change_form_shows_the_verification(reviewer):
    partnership = verified(partnership_with_history(("active", "1990")), reviewer.user)
    page = reviewer.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    assert "by rita" in page.content.decode()


@pytest.mark.parametrize("rows", [1, 100])
def test_review_queue_queries_do_not_grow_with_rows(reviewer, django_assert_max_num_queries, rows):
    for i in range(rows):
        partnership = PartnershipFactory()
        record(partnership, "active", "1990")
        record(partnership, "suspended", "1990", internal=i % 2 == 0)
    # session, user, the user's and groups' permissions, the count and the page
    with django_assert_max_num_queries(6):
        shown = queue(reviewer)
    assert len(shown) == rows


@pytest.mark.parametrize("rows", [1, 100])
def test_needs_review_filter_queries_do_not_grow_with_rows(reviewer, django_assert_max_num_queries, rows):
    for _ in range(rows):
        record(PartnershipFactory(), "active", "1990")
    # As the unfiltered partnership changelist (tests/test_admin.py).
    with django_assert_max_num_queries(10):
        found = results(reviewer.get(changelist_url(Partnership), {"review": "any"}))
    assert len(found) == rows
