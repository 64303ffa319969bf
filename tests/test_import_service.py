"""The import service and the import_partnerships command."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.importing.formats import COLUMNS, ImportFileError, read_rows
from partnerships.importing.service import SourceSpec, import_partnerships
from partnerships.models import Citation, Locality, Partnership, Source, StatusEvent

SOURCE = SourceSpec(title="Sister cities list 2024", url="https://example.org/list.csv")


def row(a="Seattle", a_country="US", b="Tashkent", b_country="Uzbekistan", **extra):
    return {"a_name": a, "a_country": a_country, "b_name": b, "b_country": b_country, **extra}


def numbered(*rows):
    return [(n, r) for n, r in enumerate(rows, 2)]


def run(*rows, **kwargs):
    kwargs.setdefault("source", SOURCE)
    return import_partnerships(rows=numbered(*rows), **kwargs)


def csv_text(*rows):
    buffer = io.StringIO()
    buffer.write(",".join(COLUMNS) + "\n")
    for r in rows:
        buffer.write(",".join(f'"{r.get(c, "")}"' for c in COLUMNS) + "\n")
    return buffer.getvalue()


def counts():
    return (
        Locality.objects.count(),
        Partnership.objects.count(),
        Citation.objects.count(),
        StatusEvent.objects.count(),
        Source.objects.count(),
        Partnership.history.count(),
        Locality.history.count(),
    )


GOOD = [
    row(),
    row("Köln", "DE", "Kyoto", "JP", level="sister city", established="1963"),
    row(
        "Hamburg",
        "Germany",
        "St. Petersburg",
        "Russia",
        established="1957-07",
        quote="Partnerschaft seit 1957",
    ),
    row(
        "Worcester",
        "US",
        "Kherson",
        "UA",
        level="partnership",
        established="2022-08-15",
        status="active",
        status_date="2022-08-15",
    ),
]


def test_a_file_creates_partnerships_localities_and_citations(db, staff_editor):
    report = run(*GOOD, user=staff_editor, label="list.csv")
    assert report.written and not report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert report.localities_created == 8
    cologne = Partnership.objects.get(locality_a__name="Köln")
    assert cologne.level == Partnership.Level.SISTER_CITY
    assert cologne.established == PartialDate.parse("1963")
    assert str(cologne.established) == "1963"
    hamburg = Partnership.objects.get(locality_a__name="Hamburg")
    assert hamburg.established.precision == "month"
    assert hamburg.locality_b.country == "RU"
    # Every partnership cites the data set, with the row's quote.
    source = Source.objects.get(url=SOURCE.url)
    assert source.kind == Source.Kind.DATASET
    assert Citation.objects.filter(source=source, partnership__isnull=False).count() == 4
    assert hamburg.citations.get().quote == "Partnerschaft seit 1957"
    # A status with its date becomes the first, cited event, and the current status.
    kherson = Partnership.objects.get(locality_b__name="Kherson")
    event = kherson.events.get()
    assert (event.status, event.effective_on) == ("active", datetime.date(2022, 8, 15))
    assert event.citations.get().source == source
    assert kherson.current_status == "active"
    assert kherson.current_status_since == datetime.date(2022, 8, 15)
    # The edit history names the importing user and the import.
    history = cologne.history.get()
    assert history.history_user == staff_editor
    assert "list.csv" in history.history_change_reason
    assert Locality.history.filter(history_user=staff_editor).count() == 8
    # Each new locality cites the data set too: it is the registry's ground for the place.
    assert Citation.objects.filter(source=source, locality__isnull=False).count() == 8
    assert {c.locality for c in Citation.objects.filter(locality__isnull=False)} == set(
        Locality.objects.all()
    )
    assert Citation.history.filter(history_change_reason__contains="list.csv").count() == 5 + 8


def test_reimporting_the_same_file_changes_nothing(db):
    run(*GOOD)
    before = counts()
    report = run(*GOOD)
    assert (report.created, report.updated, report.unchanged, len(report.errors)) == (0, 0, 4, 0)
    assert report.localities_matched == 8 and report.localities_created == 0
    assert counts() == before


def test_only_the_localities_an_import_creates_cite_its_data_set(db):
    kharkiv = services.create_locality(name="Kharkiv", country="UA")
    run(row("Kharkov", "UA", "Cincinnati", "US", locator="row 12"), row("Cincinnati", "US", "Kyoto", "JP"))
    source = Source.objects.get(url=SOURCE.url)
    # The matched locality was known before: the data set is no ground for it.
    assert not kharkiv.citations.exists()
    # A new one cites the data set once, where the first row naming it sits.
    cincinnati = Locality.objects.get(name="Cincinnati")
    citation = cincinnati.citations.get()
    assert (citation.source, citation.locator, citation.quote) == (source, "row 12", "")
    assert Locality.objects.get(name="Kyoto").citations.get().source == source
    assert citation.history.get().history_type == "+"


def test_reimporting_cites_no_locality_again(db):
    run(*GOOD)
    other = SourceSpec(title="German list", url="https://example.org/de.csv")
    before = Citation.objects.filter(locality__isnull=False).count()
    assert before == 8
    run(*GOOD)
    run(row("Köln", "DE", "Kyoto", "JP"), source=other)
    assert Citation.objects.filter(locality__isnull=False).count() == before
    assert not Citation.objects.filter(source__url=other.url, locality__isnull=False).exists()


def test_a_dry_run_writes_nothing(db):
    before = counts()
    report = run(*GOOD, dry_run=True)
    assert report.created == 4 and not report.written
    assert counts() == before


def test_existing_localities_are_matched_across_spellings(db):
    kharkiv = services.create_locality(
        name="Kharkiv", native_name="Харків", country="UA", aliases=[services.AliasInput(name="Kharkov")]
    )
    cincinnati = services.create_locality(name="Cincinnati", country="US", subdivision="US-OH")
    report = run(row("CINCINNATI", "United States", "Kharkov (Ukraine)", "UA"))
    assert report.localities_matched == 2 and report.localities_created == 0
    assert Partnership.objects.for_pair(kharkiv, cincinnati).exists()


def test_a_pair_already_recorded_in_reverse_order_is_the_same_partnership(db):
    run(row("Seattle", "US", "Tashkent", "UZ"))
    report = run(row("Tashkent", "UZ", "Seattle", "US"))
    assert report.unchanged == 1 and not report.errors
    assert Partnership.objects.count() == 1


def test_a_second_file_updates_and_cites_what_it_adds(db):
    run(row("Köln", "DE", "Kyoto", "JP"))
    other = SourceSpec(title="German list", url="https://example.org/de.csv")
    report = run(row("Kyoto", "JP", "Koln", "DE", established="1963", level="friendship"), source=other)
    assert report.updated == 1
    assert "established" in report.outcomes[0].message
    partnership = Partnership.objects.get()
    assert partnership.established == PartialDate.parse("1963")
    assert partnership.level == "friendship"
    assert {c.source.url for c in partnership.citations.all()} == {SOURCE.url, other.url}
    assert partnership.history.first().history_type == "~"


def test_a_new_status_for_a_recorded_partnership_is_checked_against_its_timeline(db):
    run(row(status="active", status_date="1991"))
    # The bulk path stores the timeline's steps as the services would (partnerships.steps).
    assert Partnership.objects.get().status_steps == "A1991"
    report = run(row(status="suspended", status_date="2022-03"))
    assert report.updated == 1 and report.written
    partnership = Partnership.objects.get()
    assert partnership.current_status == "suspended"
    assert partnership.status_steps == "A1991S2022"
    # A terminated partnership would need an explicit "active" first: refused, per row.
    run(row(status="terminated", status_date="2023"))
    report = run(row(status="suspended", status_date="2024"))
    assert not report.written
    assert "terminated" in report.errors[0].message


BAD = [
    (row(b_country="Atlantis"), "unknown country “Atlantis”"),
    (row("Springfield", "US", "Springfield", "US"), "both parties are the same locality"),
    (row("Lyon", "FR", "Turin", "IT", established="2999"), "future"),
    (row("Kyoto", "JP", "Koln", "DE"), "the same partnership as row 3"),
    (row("", "FR", "Lille", "FR"), "first party's name is empty"),
    (row("X" * 10_000, "FR", "Nice", "FR"), "at most 200 characters"),
]


def test_bad_rows_get_one_clear_error_each_and_nothing_is_written(db):
    before = counts()
    report = run(*GOOD, *(r for r, _ in BAD))
    assert not report.written and not report.ok
    errors = {e.row: e.message for e in report.errors}
    expected_rows = range(2 + len(GOOD), 2 + len(GOOD) + len(BAD))
    assert sorted(errors) == list(expected_rows)
    for number, (_, expected) in zip(expected_rows, BAD, strict=True):
        assert expected in errors[number], (number, errors[number])
    assert counts() == before


def test_skipping_bad_rows_imports_the_good_ones(db):
    report = run(*GOOD, *(r for r, _ in BAD), skip_bad_rows=True)
    assert report.written and len(report.errors) == len(BAD)
    assert Partnership.objects.count() == len(GOOD)
    assert not Locality.objects.filter(name__in=["Lyon", "Turin", "Lille", "Nice"]).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"a_latitude": "91", "a_longitude": "0"}, "latitude"),
        ({"a_latitude": "abc", "a_longitude": "0"}, "not a number"),
        ({"a_latitude": "50"}, "both coordinates"),
        ({"established": "2002-13"}, "not a date"),
        ({"established": "July 2002"}, "not a date"),
        ({"level": "twinned"}, "unknown level"),
        ({"a_kind": "village"}, "unknown first party kind"),
        ({"status": "active"}, "needs a status date"),
        ({"status": "dormant", "status_date": "2002"}, "unknown status"),
        ({"status": "suspended", "status_date": "2002"}, "first recorded status must be proposed or active"),
        ({"a_subdivision": "US-XX"}, "not an ISO 3166-2 subdivision"),
        ({"a_wikidata_id": "1490"}, "Wikidata"),
        ({"locator": "p. " + "9" * 200}, "citation: locator: Ensure this value has at most 200 characters"),
    ],
)
def test_invalid_cells_are_reported_with_the_reason(db, extra, message):
    report = run(row(**extra))
    assert len(report.errors) == 1
    assert message in report.errors[0].message
    assert Partnership.objects.count() == 0


def test_every_citation_an_import_writes_is_validated_first(db, monkeypatch):
    from partnerships.importing import applying

    checked = []
    check_record = applying.check_record
    monkeypatch.setattr(
        applying, "check_record", lambda record: checked.append(record) or check_record(record)
    )
    report = run(row(status="active", status_date="1973", locator="line 2"))
    assert report.written
    citations = [record for record in checked if isinstance(record, Citation)]
    assert len(citations) == Citation.objects.count() == 4  # the two new localities, the pair, its event
    assert {c.locator for c in citations} == {"line 2"}


def test_rows_without_any_source_are_refused(db):
    report = import_partnerships(rows=numbered(row()), source=None)
    assert "no source" in report.errors[0].message
    report = import_partnerships(rows=numbered(row(source_title="A list", source_url="https://x.example/l")))
    assert report.written
    assert Source.objects.get().url == "https://x.example/l"


def test_ambiguous_names_are_reported_not_guessed(db):
    for lat in ("39.8", "42.1"):
        services.create_locality(
            name="Springfield", country="US", latitude=Decimal(lat), longitude=Decimal("-89")
        )
    report = run(row("Springfield", "US", "Tashkent", "UZ"))
    assert report.localities_ambiguous == 1
    assert "matches 2 localities" in report.errors[0].message
    report = run(row("Springfield", "US", "Tashkent", "UZ", a_latitude="42.0", a_longitude="-89.1"))
    assert report.written and report.localities_matched == 1


def test_the_query_count_does_not_grow_with_rows(db, django_assert_max_num_queries):
    def make(n, offset):
        return [
            row(f"Town {offset + i}", "FR", f"Stadt {offset + i}", "DE", established="1990") for i in range(n)
        ]

    # A fixed handful of reads, then inserts in batches (on SQLite a batch is capped by its
    # 999 parameters, a few dozen rows; 200 rows make 400 localities, each with a citation
    # and their history, 45 queries in all; plus the change log's entries, one per new
    # record, in batches of 199 on SQLite: 600 entries, 4 inserts): far below one query per
    # row. On PostgreSQL the count is the same at 10 and at 200 rows.
    for size, offset in ((10, 0), (200, 1000)):
        with django_assert_max_num_queries(55):
            report = run(*make(size, offset))
        assert report.created == size
    # Re-importing (everything matched, nothing to write) is as cheap.
    with django_assert_max_num_queries(10):
        assert run(*make(200, 1000)).unchanged == 200


def test_reading_csv_files(tmp_path):
    text = csv_text(row(), row("Köln", "DE", "Kyoto", "JP"))
    numbers = [n for n, _ in read_rows(io.StringIO(text))]
    assert numbers == [2, 3]
    semicolons = "a_name;a_country;b_name;b_country\nKöln;DE;Kyoto;JP\n\n"
    assert list(read_rows(io.StringIO(semicolons))) == [
        (2, {"a_name": "Köln", "a_country": "DE", "b_name": "Kyoto", "b_country": "JP"})
    ]
    with pytest.raises(ImportFileError, match="missing required column"):
        list(read_rows(io.StringIO("a_name,b_name\nx,y\n")))
    with pytest.raises(ImportFileError, match="unknown column"):
        list(read_rows(io.StringIO("a_name,a_country,b_name,b_country,colour\n")))
    with pytest.raises(ImportFileError, match="empty"):
        list(read_rows(io.StringIO("")))


def test_the_command_imports_a_file_with_a_progress_bar(db, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(csv_text(*GOOD), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_partnerships",
        str(path),
        "--source",
        "https://example.org/pairs",
        dry_run=True,
        stdout=out,
        stderr=err,
    )
    assert "Dry run" in out.getvalue() and Partnership.objects.count() == 0
    assert "checking rows" in err.getvalue() and "4/4" in err.getvalue()
    call_command(
        "import_partnerships", str(path), "--source", "https://example.org/pairs", stdout=out, stderr=err
    )
    assert Partnership.objects.count() == 4
    assert Source.objects.get().url == "https://example.org/pairs"


def test_the_command_fails_on_bad_rows_and_names_them(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(row(), row(b_country="Atlantis")), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing written"):
        call_command("import_partnerships", str(path), "--source", "List", stderr=err, stdout=io.StringIO())
    assert "row 3: unknown country" in err.getvalue()
    assert Partnership.objects.count() == 0
    call_command(
        "import_partnerships",
        str(path),
        "--source",
        "List",
        "--skip-bad-rows",
        "--no-progress",
        stderr=err,
        stdout=io.StringIO(),
    )
    assert Partnership.objects.count() == 1


def test_the_command_reports_unreadable_files(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_partnerships", str(tmp_path / "missing.csv"), "--source", "List")
    path = tmp_path / "latin1.csv"
    path.write_bytes("a_name,a_country,b_name,b_country\nK\xf6ln,DE,Kyoto,JP\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_partnerships", str(path), "--source", "List")


def test_a_concurrent_write_of_the_same_pair_rolls_the_import_back(db, monkeypatch):
    from partnerships.importing import service

    seattle = services.create_locality(name="Seattle", country="US")
    tashkent = services.create_locality(name="Tashkent", country="UZ")
    original = service._apply

    def someone_else_first(planned, used, sources, **kwargs):
        # Someone records the same pair between the import's check and its write.
        services.create_partnership(locality_a=tashkent, locality_b=seattle, internal_record=True)
        original(planned, used, sources, **kwargs)

    monkeypatch.setattr(service, "_apply", someone_else_first)
    report = run(row("Köln", "DE", "Kyoto", "JP"), row())
    assert not report.written and not report.ok
    assert "the registry changed while importing" in report.summary()
    assert not Partnership.objects.filter(locality_a__name="Köln").exists()
    assert not Locality.objects.filter(name="Köln").exists()
