"""Merging two records of one place (services.merge_localities) and splitting a wrong
merge: everything moves, partnerships of the same pair fold into one, the history says
so, and the merged record redirects (pages and API)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Activity, Citation, Locality, LocalityAlias, Partnership, StatusEvent
from tests.factories import LocalityFactory, SourceFactory, cite, partnership_with_history


@pytest.fixture
def places(db):
    return {
        "Köln": LocalityFactory(name="Köln", country="DE"),
        "Cologne": LocalityFactory(name="Cologne", country="DE", wikidata_id="Q365"),
        "Aachen": LocalityFactory(name="Aachen", country="DE"),
        "Kapstadt": LocalityFactory(name="Kapstadt", country="ZA"),
        "Cape Town": LocalityFactory(name="Cape Town", country="ZA"),
        "Liverpool": LocalityFactory(name="Liverpool", country="GB"),
    }


def test_merge_moves_everything_and_leaves_a_redirect(places, client):
    kolnb, cologne, liverpool = places["Köln"], places["Cologne"], places["Liverpool"]
    moved = partnership_with_history(("active", "1952"), locality_a=liverpool, locality_b=cologne)
    services.add_locality_alias(locality=cologne, alias=services.AliasInput("Colonia", language="es"))
    source = SourceFactory()
    services.add_citation(locality=cologne, citation=cite(source))
    child = LocalityFactory(name="Porz (Cologne)", country="DE", parent=cologne, kind="county")

    services.merge_localities(source=cologne, target=kolnb)

    moved.refresh_from_db()
    assert moved.locality_b_id == kolnb.pk
    names = dict(LocalityAlias.objects.filter(locality=kolnb).values_list("name", "provenance"))
    assert names == {"Colonia": "curated", "Cologne": f"merge:#{cologne.pk}"}
    assert (
        Citation.objects.filter(locality=kolnb).count()
        == Citation.objects.filter(locality__isnull=False).count()
    )
    child.refresh_from_db()
    assert child.parent_id == kolnb.pk
    cologne.refresh_from_db()
    kolnb.refresh_from_db()
    assert cologne.merged_into_id == kolnb.pk and cologne.wikidata_id == ""
    assert kolnb.wikidata_id == "Q365"  # what A lacked, B knew
    # The edit history names the merge.
    reason = f"Merged Cologne (#{cologne.pk}) into Köln (#{kolnb.pk})"
    assert moved.history.latest().history_change_reason == reason
    assert cologne.history.latest().history_change_reason == reason
    assert cologne.history.latest().merged_into_id == kolnb.pk
    # Redirects, on the API and the pages.
    response = client.get(reverse("api:locality-detail", kwargs={"pk": cologne.pk}))
    assert response.status_code == 301
    assert response["Location"] == reverse("api:locality-detail", kwargs={"pk": kolnb.pk})
    page = client.get(reverse("partnerships:locality-detail", kwargs={"pk": cologne.pk}))
    assert page.status_code == 301
    assert page["Location"] == kolnb.get_absolute_url()
    assert client.get(reverse("api:locality-detail", kwargs={"pk": kolnb.pk})).status_code == 200
    listed = client.get(reverse("api:locality-list"), {"page_size": 100}).json()
    assert cologne.pk not in {row["id"] for row in listed["results"]}


def test_partnerships_that_become_the_same_pair_fold_into_one(places):
    aachen, kapstadt, cape_town = places["Aachen"], places["Kapstadt"], places["Cape Town"]
    kept = partnership_with_history(
        ("active", "1998"), locality_a=aachen, locality_b=cape_town, level="sister_city"
    )
    folded = partnership_with_history(locality_a=kapstadt, locality_b=aachen, level="friendship")
    source = SourceFactory()
    activity = services.add_activity(
        partnership=folded,
        kind=Activity.Kind.VISIT,
        description="A delegation visited",
        occurred=PartialDate.parse("2005"),
        citations=[cite(source)],
    )
    folded_citations = set(Citation.objects.filter(partnership=folded).values_list("pk", flat=True))

    plan = services.plan_merge(source=kapstadt, target=cape_town)
    assert [(f.kept, f.folded) for f in plan.folds] == [(kept, folded)]
    assert plan.conflicts == [f"{kept} (#{kept.pk}): level sister city kept, friendship agreement dropped"]
    with pytest.raises(ValidationError, match="Confirm the conflicts"):
        services.merge_localities(source=kapstadt, target=cape_town)
    assert Partnership.objects.filter(pk=folded.pk).exists()  # nothing written

    services.merge_localities(source=kapstadt, target=cape_town, confirm_conflicts=True)

    assert not Partnership.objects.filter(pk=folded.pk).exists()
    assert list(Partnership.objects.involving(aachen)) == [kept]
    activity.refresh_from_db()
    assert activity.partnership_id == kept.pk
    assert folded_citations <= set(Citation.objects.filter(partnership=kept).values_list("pk", flat=True))
    assert StatusEvent.objects.filter(partnership=kept).count() == 1
    # The folded record's history ends with its deletion, naming the record kept.
    last = Partnership.history.filter(id=folded.pk).latest()
    assert last.history_type == "-" and f"#{kept.pk}" in last.history_change_reason


def test_a_merge_that_makes_no_sense_is_refused(places):
    aachen, cape_town, kolnb = places["Aachen"], places["Cape Town"], places["Köln"]
    with pytest.raises(ValidationError, match="different countries"):
        services.merge_localities(source=cape_town, target=aachen)
    partnership_with_history(locality_a=aachen, locality_b=kolnb)
    with pytest.raises(ValidationError, match="between the two"):
        services.merge_localities(source=kolnb, target=aachen)
    assert not Locality.objects.filter(merged_into__isnull=False).exists()


def test_a_wrong_merge_is_split_again(db):
    aargau = LocalityFactory(name="Stetten (Aargau)", country="CH")
    schaffhausen = LocalityFactory(name="Stetten (Schaffhausen)", country="CH")
    partner = LocalityFactory(name="Stetten am kalten Markt", country="DE")
    real = partnership_with_history(locality_a=schaffhausen, locality_b=partner)
    services.merge_localities(source=schaffhausen, target=aargau)
    real.refresh_from_db()
    assert real.locality_a_id == aargau.pk
    alias = LocalityAlias.objects.get(locality=aargau, name="Stetten (Schaffhausen)")

    restored = services.split_locality(
        locality=aargau,
        partnerships=[real],
        aliases=[alias],
        restore=Locality.objects.get(pk=schaffhausen.pk),
    )

    assert restored.pk == schaffhausen.pk and restored.merged_into_id is None
    real.refresh_from_db()
    assert real.locality_a_id == schaffhausen.pk
    assert not LocalityAlias.objects.filter(name="Stetten (Schaffhausen)").exists()
    new = services.split_locality(locality=aargau, name="Stetten AG (village)")
    assert new.pk and new.country == "CH"
