"""The duplicate review queue and the merge pages in the admin: seeded duplicates found,
"not a duplicate" remembered, a merge previewed (conflicts shown) then done."""

import pytest
from django.urls import reverse

from partnerships.models import Locality, LocalityNotDuplicate, Partnership
from tests.factories import LocalityFactory, partnership_with_history

QUEUE = reverse("admin:partnerships_locality_duplicates")
MERGE = reverse("admin:partnerships_locality_merge")


@pytest.fixture
def seeded(db):
    def place(name, country, lat=None, lon=None, **extra):
        return LocalityFactory(name=name, country=country, latitude=lat, longitude=lon, **extra)

    made = {
        "Köln": place("Köln", "DE", "50.93640", "6.95280"),
        "Cologne": place("Cologne", "DE", "50.93750", "6.96030"),  # 200 m away
        "Frankfurt (Oder)": place("Frankfurt (Oder)", "DE"),
        "Frankfurt an der Oder": place("Frankfurt an der Oder", "DE"),
        "Frankfurt am Main": place("Frankfurt am Main", "DE"),
        "Roth": place("Roth", "DE", "49.24610", "11.09110"),
        "Roth (district)": place("Roth (district)", "DE", "49.25", "11.08", kind="county"),
        "Stetten (Aargau)": place("Stetten (Aargau)", "CH"),
        "Stetten (Schaffhausen)": place("Stetten (Schaffhausen)", "CH"),
        "Aachen": place("Aachen", "DE"),
        "Cape Town": place("Cape Town", "ZA"),
        "Kapstadt": place("Kapstadt", "ZA"),
    }
    made["pair1"] = partnership_with_history(locality_a=made["Aachen"], locality_b=made["Cape Town"])
    made["pair2"] = partnership_with_history(locality_a=made["Aachen"], locality_b=made["Kapstadt"])
    return made


def pairs(response, key):
    return {frozenset((p.first.name, p.second.name)) for p in response.context[key]}


def test_the_queue_finds_the_seeded_duplicates_and_keeps_namesakes_apart(editor_client, seeded):
    response = editor_client.get(QUEUE)
    assert response.status_code == 200
    found = pairs(response, "localities")
    assert frozenset(("Köln", "Cologne")) in found
    assert frozenset(("Frankfurt (Oder)", "Frankfurt an der Oder")) in found
    assert frozenset(("Cape Town", "Kapstadt")) in found
    for apart in [
        ("Frankfurt am Main", "Frankfurt (Oder)"),
        ("Roth", "Roth (district)"),
        ("Stetten (Aargau)", "Stetten (Schaffhausen)"),
    ]:
        assert frozenset(apart) not in found
    (duplicate,) = response.context["partnerships"]
    assert {duplicate.first, duplicate.second} == {seeded["pair1"], seeded["pair2"]}


def test_not_a_duplicate_is_remembered(editor_client, seeded):
    koln, cologne = seeded["Köln"], seeded["Cologne"]
    response = editor_client.post(QUEUE, {"kind": "locality", "first": cologne.pk, "second": koln.pk})
    assert response.status_code == 302
    editor_client.post(
        QUEUE, {"kind": "locality", "first": koln.pk, "second": cologne.pk}
    )  # again: same answer
    assert LocalityNotDuplicate.objects.count() == 1
    assert frozenset(("Köln", "Cologne")) not in pairs(editor_client.get(QUEUE), "localities")
    p1, p2 = seeded["pair1"], seeded["pair2"]
    editor_client.post(QUEUE, {"kind": "partnership", "first": p1.pk, "second": p2.pk})
    assert not editor_client.get(QUEUE).context["partnerships"]


def test_the_merge_page_shows_what_happens_then_merges(editor_client, seeded):
    kapstadt, cape_town = seeded["Kapstadt"], seeded["Cape Town"]
    preview = editor_client.get(MERGE, {"source": kapstadt.pk, "target": cape_town.pk})
    assert preview.status_code == 200
    assert [(f.kept, f.folded) for f in preview.context["plan"].folds] == [(seeded["pair1"], seeded["pair2"])]
    assert Partnership.objects.count() == 2  # nothing written yet
    done = editor_client.post(MERGE, {"source": kapstadt.pk, "target": cape_town.pk, "confirm": "yes"})
    assert done.status_code == 302
    assert Locality.objects.get(pk=kapstadt.pk).merged_into_id == cape_town.pk
    assert list(Partnership.objects.all()) == [seeded["pair1"]]
    assert "Kapstadt" in {a.name for a in cape_town.aliases.all()}


def test_the_list_action_leads_to_the_merge_page(editor_client, seeded):
    koln, cologne = seeded["Köln"], seeded["Cologne"]
    response = editor_client.post(
        reverse("admin:partnerships_locality_changelist"),
        {"action": "merge_two", "_selected_action": [koln.pk, cologne.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MERGE}?source={cologne.pk}&target={koln.pk}"


def test_the_queue_is_for_staff_who_may_curate(viewer_client, db):
    assert viewer_client.get(QUEUE).status_code == 403
