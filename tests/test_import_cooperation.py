"""Imports that cooperate: lists naming each pair from both sides, the bundled data sets'
known bad rows reported and skipped, and the command-line option."""

import io

import pytest
from django.core.management import call_command

from partnerships.importing.datasets import HEKMAN
from partnerships.importing.report import ERROR, UNCHANGED
from partnerships.importing.rows import SourceSpec
from partnerships.importing.service import import_partnerships
from partnerships.models import Partnership
from tests.test_dataset_adapters import raw_rows

SOURCE = SourceSpec(title="A Wikidata extract")

BOTH_SIDES = [
    (2, {"a_name": "Köln", "a_country": "DE", "b_name": "Liverpool", "b_country": "GB"}),
    (3, {"a_name": "Liverpool", "a_country": "GB", "b_name": "Köln", "b_country": "DE"}),
    (4, {"a_name": "Köln", "a_country": "DE", "b_name": "Turku", "b_country": "FI"}),
]


def test_a_list_naming_pairs_from_both_sides_is_refused_without_the_option(db):
    report = import_partnerships(rows=BOTH_SIDES, source=SOURCE)
    assert not report.written
    assert [(o.row, o.action) for o in report.errors] == [(3, ERROR)]


def test_the_both_sides_option_reports_repeats_as_the_same_partnership(db):
    report = import_partnerships(rows=BOTH_SIDES, source=SOURCE, repeated_pairs="skip")
    assert report.written and report.created == 2
    (repeat,) = [o for o in report.outcomes if o.action == UNCHANGED]
    assert repeat.row == 3 and "the same partnership as row 2" in repeat.message
    assert Partnership.objects.count() == 2


def test_the_command_line_option(db, tmp_path):
    path = tmp_path / "wikidata.csv"
    lines = ["a_name,a_country,b_name,b_country"]
    lines += [",".join(r[k] for k in ("a_name", "a_country", "b_name", "b_country")) for _, r in BOTH_SIDES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_partnerships",
        str(path),
        "--source",
        "Wikidata",
        "--both-sides",
        "--no-progress",
        stdout=out,
        stderr=err,
    )
    assert "2 partnerships created" in out.getvalue() and "1 unchanged" in out.getvalue()
    assert "Matched by: new 3" in out.getvalue()


@pytest.fixture
def hekman_known_bad_rows():
    """The bundled file's rows that the data set's notes name as bad, with their numbers."""
    wanted = set(HEKMAN.known_bad_rows)
    rows = []
    for number, raw in enumerate(raw_rows(HEKMAN, max(wanted)), 2):
        if number in wanted:
            rows.append((number, HEKMAN.convert(raw)))
    return rows


def test_the_bundled_data_sets_known_bad_rows_are_reported_and_skipped(db, hekman_known_bad_rows):
    good = (2, {"a_name": "Aachen", "a_country": "DE", "b_name": "Reims", "b_country": "FR"})
    report = import_partnerships(
        rows=[good, *hekman_known_bad_rows],
        source=HEKMAN.source,
        repeated_pairs="skip",
        known_bad_rows=HEKMAN.known_bad_rows,
    )
    # Each row named is bad indeed, and none of them stops the good one.
    assert sorted(o.row for o in report.errors) == sorted(HEKMAN.known_bad_rows)
    assert report.ok and report.written and report.created == 1
    assert f"{len(HEKMAN.known_bad_rows)} known bad rows skipped" in report.summary()
    # Without the list they stop the import, as any bad row does.
    again = import_partnerships(
        rows=[good, *hekman_known_bad_rows], source=HEKMAN.source, repeated_pairs="skip"
    )
    assert not again.ok
