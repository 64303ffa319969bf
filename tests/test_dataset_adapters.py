"""The two bundled data sets, imported through their adapters: a slice of each real file."""

import csv
import gzip
import io

import pytest
from django.core.management import call_command

from partnerships.dates import PartialDate
from partnerships.importing.datasets import DATASET_DIR, HEKMAN, MUENCHDO
from partnerships.importing.service import import_partnerships
from partnerships.models import Citation, Locality, Partnership, Source

HEKMAN_SLICE = 600  # reaches "England, United Kingdom" (row 352) and "Setagaya (Tokyo)" (row 373)
MUENCHDO_SLICE = 700


def raw_rows(dataset, limit):
    with gzip.open(DATASET_DIR / dataset.filename, "rt", encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return [row for _, row in zip(range(limit), reader, strict=False)]


def import_slice(name, limit, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_dataset", name, "--limit", str(limit), "--no-progress", *extra, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def test_the_data_sets_are_bundled_with_their_notes():
    readme = (DATASET_DIR / "README.md").read_text(encoding="utf-8")
    for dataset in (HEKMAN, MUENCHDO):
        assert (DATASET_DIR / dataset.filename).exists()
        assert dataset.filename in readme
    assert "CC BY-SA 4.0" in readme and "MIT" in readme


@pytest.mark.django_db
def test_hekman_slice(django_assert_max_num_queries):
    out, _ = import_slice("hekman", HEKMAN_SLICE)
    assert "Imported" in out
    source = Source.objects.get(url=HEKMAN.source.url)
    assert source.kind == Source.Kind.DATASET and "CC BY-SA" in source.notes
    rows = raw_rows(HEKMAN, HEKMAN_SLICE)
    assert Partnership.objects.count() > 0.9 * len(rows)
    # Every partnership cites the data set, quoting its line and naming its row.
    assert Citation.objects.filter(source=source, partnership__isnull=False).count() == (
        Partnership.objects.count()
    )
    citation = Citation.objects.get(
        locator="row 2 of hekman_twin_cities_geocoded.csv", partnership__isnull=False
    )
    assert citation.quote == "Berat,Albania,40.7022,19.9583,Amasya,Turkey,40.65,35.8331"
    berat_amasya = citation.partnership
    assert {berat_amasya.locality_a.country, berat_amasya.locality_b.country} == {"AL", "TR"}
    # So does every locality it created, naming the first row that names it.
    assert Citation.objects.filter(source=source, locality__isnull=False).count() == Locality.objects.count()
    assert berat_amasya.locality_a.citations.get().locator == "row 2 of hekman_twin_cities_geocoded.csv"
    # No dates, no kind of agreement, no status: none is made up.
    assert not Partnership.objects.exclude(established_on=None).exists()
    assert set(Partnership.objects.values_list("level", flat=True)) == {Partnership.Level.PARTNERSHIP}
    assert not Partnership.objects.exclude(current_status="").exists()
    # "England, United Kingdom" is GB, in England; coordinates are kept.
    whitby = Locality.objects.get(name="Whitby")
    assert (whitby.country, whitby.subdivision) == ("GB", "GB-ENG")
    assert whitby.latitude is not None
    # Berat is listed in many rows and created once.
    assert Locality.objects.filter(name="Berat", country="AL").count() == 1
    # Idempotent.
    before = (Locality.objects.count(), Partnership.objects.count(), Citation.objects.count())
    out, _ = import_slice("hekman", HEKMAN_SLICE)
    assert "0 partnerships created, 0 updated" in out
    assert (Locality.objects.count(), Partnership.objects.count(), Citation.objects.count()) == before


FORMS = {"p": {"sister_city", "sister_county", "sister_state"}, "f": {"friendship"}, "k": {"cooperation"}}


@pytest.mark.django_db
def test_muenchdo_slice():
    report = import_partnerships(
        rows=MUENCHDO.rows(limit=MUENCHDO_SLICE),
        source=MUENCHDO.source,
        skip_bad_rows=True,
        repeated_pairs="skip",
    )
    assert report.written
    outcomes = {o.row: o for o in report.outcomes}
    source = Source.objects.get(url=MUENCHDO.source.url)
    rows = raw_rows(MUENCHDO, MUENCHDO_SLICE)
    seen_forms = set()
    checked = 0
    for number, raw in enumerate(rows, 2):
        citation = Citation.objects.filter(
            source=source, locator=f"row {number} of {MUENCHDO.filename[:-3]}", partnership__isnull=False
        ).first()
        if citation is None:
            # A bad row is reported, a repeated pair skipped with a note: never dropped silently.
            assert outcomes[number].action in ("error", "unchanged"), outcomes[number]
            assert outcomes[number].message
            continue
        partnership = citation.partnership
        # The start year is the established date, with year precision.
        assert partnership.established == PartialDate.parse(raw["seit"])
        assert partnership.established_precision == "year"
        assert partnership.level in FORMS[raw["form"]], (number, raw["form"], partnership.level)
        seen_forms.add(raw["form"])
        german = partnership.locality_a
        assert german.country == "DE"
        assert german.subdivision.startswith("DE-") or not raw["bundesland"]
        checked += 1
    assert checked > 0.9 * len(rows)
    assert seen_forms == {"p", "f", "k"}
    # "Aachen (Kreis) (Aachen, Stadt)" is the district, not the city of Aachen.
    assert Locality.objects.get(name="Aachen", country="DE").kind == Locality.Kind.CITY
    # Partner coordinates are dropped where they are the country's centroid (Kapstadt).
    cape_town = Locality.objects.get(name="Kapstadt")
    assert cape_town.country == "ZA" and cape_town.latitude is None


@pytest.mark.django_db
def test_both_data_sets_share_their_localities():
    import_slice("muenchdo", 60, "--skip-bad-rows")
    aachen = Locality.objects.get(name="Aachen", country="DE")
    # A hand-made row in the import format finds the same Aachen by another spelling.
    call_command(
        "import_partnerships",
        str(DATASET_DIR.parent.parent / "docs" / "examples" / "partnerships.csv"),
        "--source",
        "Example list",
        "--no-progress",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert (
        Partnership.objects.involving(aachen).count()
        > Partnership.objects.involving(aachen).filter(citations__source__title="Example list").count()
    )
    assert Locality.objects.filter(name_key="aachen", country="DE", kind="city").count() == 1
