"""manage.py evaluate_identity on a tiny built-in pair of lists (not the real data): the
report's fields — each sampled party's landing, method, distance and "new", the new
localities with a likely duplicate, the namesakes matched far away — and nothing kept."""

import csv
import gzip

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partnerships import services
from partnerships.importing.datasets import HEKMAN, MUENCHDO
from partnerships.models import Locality

FIRST = [
    # city1, country1, lat1, lng1, city2, country2, lat2, lng2
    ("Köln", "Germany", "50.9375", "6.9603", "Kyiv", "Ukraine", "50.45", "30.5236"),
    ("Lübeck", "Germany", "53.8697", "10.6864", "La Rochelle", "France", "46.16", "-1.15"),
    ("Roth", "Germany", "49.2461", "11.0911", "Stetten", "Switzerland", "47.7", "8.6"),
]


def _muenchdo(municipality, lat, lon, place, partner, country, plat="", plon="", pplace=""):
    return {
        "municipality": municipality,
        "bundesland": "Bayern",
        "state": "Bavaria",
        "latitude": lat,
        "longitude": lon,
        "municipality_place_name": place,
        "partnergemeinde": partner,
        "country": country,
        "seit": "1990",
        "form": "p",
        "partner_latitude": plat,
        "partner_longitude": plon,
        "partner_place_name": pplace,
    }


SECOND = [
    # Köln again, and Kiew: Kyiv by the gazetteer.
    _muenchdo("Köln", "50.94", "6.96", "Köln, Germany", "Kiew", "Ukraine"),
    # A namesake of Roth 120 km away (the row's coordinates put it elsewhere): a new one.
    # (Its partner is not the first Roth's: with Stetten, pair context would make it that Roth.)
    _muenchdo("Roth", "50.2", "12.3", "Roth, 95111, Bayern, Germany", "Kiew", "Ukraine"),
    # Roth (the town) matched by name 60 km away, its coordinates being the hekman ones' error.
    _muenchdo("Neustadt", "49.5", "10.5", "Neustadt, Bayern, Germany", "Neustadt", "Austria"),
    _muenchdo("Neustadt", "49.51", "10.51", "Neustadt, Bayern, Germany", "Neustadt", "Austria"),
]


def _write(path, columns, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row if isinstance(row, tuple) else [row.get(c, "") for c in columns])


@pytest.fixture
def lists(tmp_path):
    first, second = tmp_path / "first.csv.gz", tmp_path / "second.csv.gz"
    _write(first, HEKMAN.columns, FIRST)
    _write(second, MUENCHDO.columns, SECOND)
    return first, second


def test_the_report_says_where_each_sampled_party_landed(db, lists, tmp_path):
    first, second = lists
    out = tmp_path / "report.md"
    call_command("evaluate_identity", out=str(out), first=str(first), second=str(second), sample=4)
    text = out.read_text()
    lines = text.splitlines()
    # Each of the four rows, both parties, in the sample table.
    sample = [line for line in lines if line.startswith("| ") and line.split("|")[2].strip() in ("a", "b")]
    assert len(sample) == 8
    by_party = {(cells[1].strip(), cells[2].strip()): cells for cells in (line.split("|") for line in sample)}
    koeln = by_party[("2", "a")]
    assert (
        "Köln (DE, #" in koeln[4]
        and koeln[5].strip() == "name"
        and float(koeln[6]) < 1
        and not koeln[7].strip()
    )
    kiew = by_party[("2", "b")]
    assert "Kyiv (UA, #" in kiew[4] and kiew[5].strip() == "gazetteer"
    roth = by_party[("3", "a")]
    assert roth[5].strip() == "new" and roth[7].strip() == "yes"
    # The repeated Neustadt pair lands on the localities the row before created.
    assert by_party[("5", "b")][4] == by_party[("4", "b")][4]
    assert by_party[("5", "b")][7].strip() == "yes"
    # The totals.
    assert "- Localities the second import created: 3" in text  # Roth, Neustadt (DE), Neustadt (AT)
    assert "- Parties matched to a locality farther from the row's coordinates than its kind allows" in text
    assert "neither flagged outside its country): 0, of them by pair context: 0" in text
    assert "## New localities with a likely duplicate" in text
    # The same Roth name key and same kind, but 108 km apart: not a likely duplicate.
    assert "with a likely duplicate (duplicate queue): 0" in text
    # Nothing kept.
    assert not Locality.objects.exists()


def test_a_namesake_matched_far_away_and_a_likely_duplicate_are_counted(db, lists, tmp_path):
    first, second = lists
    rows = [
        # A district matches within its kind's 150 km: 100 km off is not counted.
        _muenchdo("Roth (Kreis)", "50.15", "11.09", "Roth, Bayern, Germany", "Köln", "Germany"),
        # A near spelling the matching misses, 1 km from Lübeck: the queue's likely duplicate.
        # (With Lübeck's partner La Rochelle, pair context would find Lübeck.)
        _muenchdo("Lübecke", "53.87", "10.69", "Lübecke, Germany", "Kiew", "Ukraine"),
        # Roth–Stetten again, Roth geocoded 120 km off: pair context finds the first list's
        # Roth, and the count of parties matched far away shows it.
        _muenchdo("Roth", "50.2", "12.3", "Roth, 95111, Bayern, Germany", "Stetten", "Switzerland"),
    ]
    _write(
        first,
        HEKMAN.columns,
        [*FIRST, ("Roth (district)", "Germany", "49.25", "11.09", "Kyiv", "Ukraine", "", "")],
    )
    _write(second, MUENCHDO.columns, rows)
    out = tmp_path / "report.md"
    call_command("evaluate_identity", out=str(out), first=str(first), second=str(second), sample=3)
    text = out.read_text()
    assert "- Localities the second import created: 1" in text
    assert "with a likely duplicate (duplicate queue): 1 (100.00%)" in text
    assert "near each other with similar names" in text
    assert "neither flagged outside its country): 1, of them by pair context: 1" in text
    far = [line for line in text.splitlines() if line.startswith("| 4 | Roth (DE) |")]
    # In the list of those matched far away, and in the list of pair-context matches.
    assert len(far) == 2 and ", city)" in far[0] and far[0].endswith("| partner |")
    assert float(far[0].split("|")[4]) == pytest.approx(137, abs=1)
    assert not [line for line in text.splitlines() if line.startswith("| 2 | Roth (Kreis) (DE) |")]
    assert "## Parties matched by pair context" in text


def test_the_sample_is_scored_against_the_ground_truth(db, lists, tmp_path):
    first, second = lists
    truth = tmp_path / "truth.csv"
    with truth.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "seed",
                "row",
                "side",
                "name",
                "country",
                "expected",
                "locality",
                "latitude",
                "longitude",
                "note",
            ]
        )
        writer.writerow([12, 2, "a", "Köln", "DE", "existing", "Köln", "50.9375", "6.9603", ""])
        writer.writerow([12, 2, "b", "Kiew", "UA", "existing", "Kyiv", "50.45", "30.5236", ""])
        # Judged wrongly on purpose: the command must say so.
        writer.writerow([12, 3, "a", "Roth", "DE", "existing", "Roth", "49.2461", "11.0911", ""])
        writer.writerow([12, 3, "b", "Kiew", "UA", "new", "", "", "", ""])
        writer.writerow([12, 4, "a", "Neustadt", "DE", "unsure", "", "", "", ""])
        writer.writerow([13, 4, "b", "Neustadt", "AT", "new", "", "", "", "another seed: ignored"])
    out = tmp_path / "report.md"
    call_command(
        "evaluate_identity", out=str(out), first=str(first), second=str(second), sample=4, truth=str(truth)
    )
    text = out.read_text()
    assert (
        "- Against the ground truth: 2 right, 2 wrong, 1 unsure of 5 parties judged (40.0% right, at best "
        "60.0%); 3 sampled parties not in the ground truth" in text
    )
    verdicts = {
        (cells[1].strip(), cells[2].strip()): cells[8].strip()
        for cells in (line.split("|") for line in text.splitlines() if line.startswith("| "))
        if len(cells) > 9 and cells[2].strip() in ("a", "b")
    }
    assert verdicts[("2", "a")] == verdicts[("2", "b")] == "right"
    assert verdicts[("3", "a")] == "WRONG: Roth (DE) of the first list"
    assert verdicts[("3", "b")].startswith("WRONG: a place of its own, not Kyiv (#")
    assert verdicts[("4", "a")] == "unsure" and verdicts[("4", "b")] == ""


def test_it_refuses_a_registry_that_is_not_empty(db, tmp_path):
    services.create_locality(name="Köln", country="DE")
    with pytest.raises(CommandError, match="not empty"):
        call_command("evaluate_identity", out=str(tmp_path / "report.md"))
