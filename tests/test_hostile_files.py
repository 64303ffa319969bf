"""Hostile import files (issue 14): limits on the decompressed size, the rows, a line and
a cell, enforced while the file is read (a 1 GB gzip bomb is refused quickly within
bounded memory); control characters refused with their row and column; the preview and
the import giving the same answer for every refusal; uploads deleted however their
preview or import ends. The admin's upload page and the import_partnerships command
read files the same way (formats.read_file)."""

import gzip
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnerships.admin import imports as admin_import
from partnerships.admin.imports import SESSION_KEY
from partnerships.importing import formats
from partnerships.importing.formats import ImportFileError, read_file
from partnerships.importing.service import SourceSpec, import_partnerships
from partnerships.models import Locality, Partnership, Source

URL = reverse("admin-import-partnerships")
HEADER = "a_name,a_country,b_name,b_country,established,source_title,source_url\n"
GOOD = "Seattle,US,Tashkent,Uzbekistan,1973,,\nKöln,DE,Kyoto,JP,1963,,\n"
SOURCE = SourceSpec.from_text("https://example.org/pairs")


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(admin_import, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def uploads(upload_dir) -> list[Path]:
    return sorted(upload_dir.iterdir()) if upload_dir.exists() else []


def upload(client, content: bytes | str, name="pairs.csv", **fields):
    data = content.encode() if isinstance(content, str) else content
    post = {"step": "preview", "source": "https://example.org/pairs", "file": SimpleUploadedFile(name, data)}
    return client.post(URL, {**post, **fields})


def write_bomb(path: Path, *, gigabytes: float = 1.0, prefix: bytes = b"") -> Path:
    """A .csv.gz of ``gigabytes`` of zeros (after ``prefix``), about 1 MB on disk: the
    same gzip member of 1 MiB of zeros, repeated (a gzip file may hold many members)."""
    member = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
    with open(path, "wb") as out:
        if prefix:
            out.write(gzip.compress(prefix))
        for _ in range(int(gigabytes * 1024)):
            out.write(member)
    return path


# ---------------------------------------------------------------- decompression bombs

MEASURE = textwrap.dedent(
    """
    import resource, sys, time, django
    django.setup()
    from partnerships.importing.formats import ImportFileError, read_file
    started = time.monotonic()
    try:
        read_file(sys.argv[1])
        outcome = "read"
    except ImportFileError as exc:
        outcome = str(exc)
    # This process's own peak resident memory (VmHWM; ru_maxrss may include the parent's
    # at the fork that started it).
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{time.monotonic() - started:.2f}|{peak}|{outcome}")
    """
)


def measure(path: Path) -> tuple[float, int, str]:
    """Read ``path`` in a fresh process: (seconds, peak memory in MB, error or "read")."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "registry.settings"),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=120,
        check=True,
    )
    seconds, peak, outcome = result.stdout.strip().splitlines()[-1].split("|", 2)
    return float(seconds), int(peak), outcome


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        (b"", "longer than 100,000 characters"),  # one line of zeros
        (HEADER.encode(), "longer than 100,000 characters"),  # a header, then zeros
    ],
)
def test_a_gzip_bomb_is_refused_quickly_within_bounded_memory(tmp_path, prefix, reason):
    bomb = write_bomb(tmp_path / "bomb.csv.gz", prefix=prefix)
    assert bomb.stat().st_size < 1_200_000
    seconds, peak_mb, outcome = measure(bomb)
    assert reason in outcome
    assert seconds < 5
    assert peak_mb < 200


def test_a_bomb_of_short_lines_stops_at_the_size_limit_within_bounded_memory(tmp_path):
    line = b"Seattle,US,Tashkent,UZ,,,\n"
    block = gzip.compress(line * ((1 << 20) // len(line)), compresslevel=9)
    bomb = tmp_path / "lines.csv.gz"
    with open(bomb, "wb") as out:
        out.write(gzip.compress(HEADER.encode()))
        for _ in range(1024):  # about 1 GB of rows
            out.write(block)
    seconds, peak_mb, outcome = measure(bomb)
    assert "more than 50,000 rows" in outcome or "larger than 20 MB" in outcome
    assert seconds < 10
    assert peak_mb < 200


def test_the_decompressed_size_is_limited(tmp_path):
    text = HEADER + GOOD * 50
    path = tmp_path / "pairs.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert len(read_file(path)) == 100
    with (
        formats.open_text(path, max_bytes=len(text.encode()) - 1) as stream,
        pytest.raises(ImportFileError, match=r"larger than .* MB of text"),
    ):
        list(formats.read_rows(stream))
    with formats.open_text(path, max_bytes=len(text.encode())) as stream:
        assert len(list(formats.read_rows(stream))) == 100


def test_a_broken_gzip_file_is_refused(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress((HEADER + GOOD).encode())[:-12])
    with pytest.raises(ImportFileError, match="cannot be decompressed"):
        read_file(path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ImportFileError, match="cannot be decompressed"):
        read_file(path)


def test_the_row_line_and_cell_limits(tmp_path, monkeypatch):
    path = tmp_path / "pairs.csv"
    monkeypatch.setattr(formats, "MAX_ROWS", 3)
    path.write_text(HEADER + GOOD + GOOD)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_file(path)
    path.write_text(HEADER + GOOD)
    assert len(read_file(path)) == 2
    path.write_text(HEADER + "Seattle,US," + "x" * 100_001 + ",UZ\n")
    with pytest.raises(ImportFileError, match="Line 2 is longer than 100,000 characters"):
        read_file(path)
    path.write_text(HEADER + "Seattle,US,Tashkent,UZ,,," + "x" * 20_001 + "\n")
    with pytest.raises(
        ImportFileError, match="Row 2, source_url: a cell of 20,001 characters; the limit is 20,000"
    ):
        read_file(path)
    # A quoted cell over many short lines is a cell too.
    path.write_text(HEADER + 'Seattle,US,Tashkent,UZ,,,"' + "x\n" * 10_001 + '"\n')
    with pytest.raises(ImportFileError, match="Row 2, source_url: a cell of 20,002 characters"):
        read_file(path)


def test_the_admin_refuses_a_bomb_quickly_and_keeps_nothing(editor_client, tmp_path, upload_dir):
    bomb = write_bomb(tmp_path / "bomb.csv.gz", prefix=HEADER.encode())
    started = time.monotonic()
    response = upload(editor_client, bomb.read_bytes(), name="bomb.csv.gz")
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "longer than 100,000 characters" in response.content.decode()
    assert uploads(upload_dir) == []
    assert not editor_client.session.get(SESSION_KEY)


def test_the_command_refuses_a_bomb(db, tmp_path):
    bomb = write_bomb(tmp_path / "bomb.csv.gz", gigabytes=0.1, prefix=HEADER.encode())
    with pytest.raises(CommandError, match="longer than 100,000 characters"):
        call_command("import_partnerships", str(bomb), "--source", "List")


# ---------------------------------------------------------------- control characters


def test_a_nul_in_the_header_names_its_column(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("a_name\0,a_country,b_name,b_country\nSeattle,US,Tashkent,UZ\n")
    with pytest.raises(ImportFileError) as refused:
        read_file(path)
    message = str(refused.value)
    assert "header (row 1), column 1 (a_name\\x00)" in message
    assert "U+0000 NUL at character 7" in message
    assert "missing required column" not in message


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        ("Tash\0kent", "U+0000"),
        ("Tash\x07kent", "U+0007"),
        ("Tash\x1bkent", "U+001B"),
        ("Tash\x7fkent", "U+007F"),
        ("Tash\x85kent", "U+0085"),
    ],
)
def test_control_characters_are_refused_with_row_and_column(db, tmp_path, cell, named):
    path = tmp_path / "ctl.csv"
    path.write_text(HEADER + GOOD + f"Lyon,FR,{cell},UZ,,,\n", encoding="utf-8")
    for dry_run in (True, False):
        report = import_partnerships(rows=read_file(path), source=SOURCE, dry_run=dry_run)
        (error,) = report.errors
        assert error.row == 4
        assert error.message.startswith(f"b_name: holds a control character ({named}")
        assert "at character 5" in error.message
    assert Partnership.objects.count() == 0


def test_tabs_and_line_breaks_inside_a_quote_are_text(db, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(
        'a_name,a_country,b_name,b_country,quote\nSeattle,US,Tashkent,UZ,"first line\r\n\tsecond line"\n'
    )
    report = import_partnerships(rows=read_file(path), source=SOURCE)
    assert report.written and not report.errors


# ------------------------------------------------- the preview and the import agree

REFUSALS = [
    # (what, row text after the two good rows, reason at row 4)
    ("bad country", "Lyon,FR,Atlantis City,Atlantis,,,", "unknown country “Atlantis”"),
    ("bad date", "Lyon,FR,Beersheba,IL,1959-13,,", "the established date “1959-13” is not a date"),
    ("NUL", "Lyon,FR,Beer\0sheba,IL,,,", "b_name: holds a control character (U+0000"),
    ("control character", "Lyon,FR,Beer\x08sheba,IL,,,", "b_name: holds a control character (U+0008"),
    (
        "javascript: URL",
        "Lyon,FR,Beersheba,IL,,A list,javascript:alert(1)",
        "source: url: Enter a valid URL.",
    ),
    ("over-long name", f"Lyon,FR,{'B' * 10_000},IL,,,", "at most 200 characters (it has 10000)"),
    (
        "over-long source title",
        f"Lyon,FR,Beersheba,IL,,{'T' * 501},",
        "source: title: Ensure this value has at most 500",
    ),
    ("same party twice", "Lyon,FR,Lyon,FR,,,", "both parties are the same locality"),
]


@pytest.mark.parametrize(("what", "line", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
@pytest.mark.parametrize("skip_bad_rows", [False, True])
def test_the_preview_and_the_import_give_the_same_reason(db, tmp_path, what, line, reason, skip_bad_rows):
    path = tmp_path / "pairs.csv"
    path.write_text(HEADER + GOOD + line + "\n", encoding="utf-8")
    preview = import_partnerships(
        rows=read_file(path), source=SOURCE, dry_run=True, skip_bad_rows=skip_bad_rows
    )
    imported = import_partnerships(rows=read_file(path), source=SOURCE, skip_bad_rows=skip_bad_rows)
    assert not preview.file_error and not imported.file_error, imported.file_error
    assert [(e.row, e.message) for e in preview.errors] == [(e.row, e.message) for e in imported.errors]
    (error,) = imported.errors
    assert error.row == 4 and reason in error.message, error.message
    assert "registry changed" not in imported.summary()
    assert imported.written is skip_bad_rows
    assert Partnership.objects.count() == (2 if skip_bad_rows else 0)
    assert not Source.objects.filter(url__startswith="javascript").exists()


FILE_REFUSALS = [
    ("NUL in the header", "a_name,a_country\0,b_name,b_country\n" + GOOD, "column 2 (a_country\\x00)"),
    ("too long a line", HEADER + GOOD + "Lyon,FR," + "B" * 100_001 + ",IL\n", "Line 4 is longer than"),
    ("too large a cell", HEADER + GOOD + f"Lyon,FR,Beersheba,IL,,{'T' * 20_001},\n", "Row 4, source_title"),
    ("not CSV", HEADER + GOOD + 'Lyon,FR,"Beer"sheba",IL\n' + "\0" * 3, None),
]


@pytest.mark.parametrize(("what", "text", "reason"), FILE_REFUSALS, ids=[r[0] for r in FILE_REFUSALS])
def test_a_file_refused_whole_is_refused_by_the_preview_and_the_command_alike(
    editor_client, tmp_path, upload_dir, what, text, reason
):
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    try:
        read_file(path)
    except ImportFileError as exc:
        expected = str(exc)
    else:  # the file is readable: its rows are refused instead
        rows_report = import_partnerships(rows=read_file(path), source=SOURCE, dry_run=True)
        assert rows_report.errors and reason is None
        return
    assert reason is None or reason in expected
    with pytest.raises(CommandError) as refused:
        call_command("import_partnerships", str(path), "--source", "List")
    assert str(refused.value) == expected
    response = upload(editor_client, text)
    assert response.context["form"].errors["file"] == [expected]
    assert uploads(upload_dir) == []


def test_too_many_rows_are_refused_by_the_preview_and_the_command_alike(editor_client, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_ROWS", 2)
    text = HEADER + GOOD + "Lyon,FR,Beersheba,IL,,,\n"
    path = tmp_path / "pairs.csv"
    path.write_text(text)
    with pytest.raises(CommandError, match="more than 2 rows"):
        call_command("import_partnerships", str(path), "--source", "List")
    response = upload(editor_client, text)
    assert "more than 2 rows" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize(("what", "line", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_admin_preview_and_import_agree(editor_client, upload_dir, what, line, reason):
    response = upload(editor_client, HEADER + GOOD + line + "\n", skip_bad_rows="on")
    preview = response.context["report"]
    (error,) = preview.errors
    assert error.row == 4 and reason in error.message
    assert 'value="confirm"' in response.content.decode()
    response = editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    assert response.status_code == 302, response.context["report"].summary()
    assert Partnership.objects.count() == 2
    assert Locality.objects.filter(name__in=["Beersheba", "Atlantis City"]).count() == 0
    assert uploads(upload_dir) == []


def test_the_command_and_the_service_report_a_javascript_url_as_a_row_error(db, tmp_path, capsys):
    path = tmp_path / "pairs.csv"
    path.write_text(HEADER + "Lyon,FR,Beersheba,IL,,A list,javascript:alert(1)\n")
    with pytest.raises((CommandError, SystemExit)):
        call_command("import_partnerships", str(path), "--source", "List", "--no-progress")
    out = capsys.readouterr()
    assert "source: url: Enter a valid URL." in out.out + out.err
    assert "registry changed" not in out.out + out.err


# ---------------------------------------------------------------- uploads cleaned up


def test_a_refused_file_leaves_no_upload(editor_client, upload_dir):
    upload(editor_client, "name,country\nx,y\n")
    assert uploads(upload_dir) == []


def test_an_unexpected_error_in_the_preview_leaves_no_upload(editor_client, upload_dir, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(admin_import, "import_partnerships", broken)
    with pytest.raises(RuntimeError):
        upload(editor_client, HEADER + GOOD)
    assert uploads(upload_dir) == []


def test_a_preview_with_bad_rows_keeps_its_upload_until_it_ends(editor_client, upload_dir):
    response = upload(editor_client, HEADER + GOOD + "Lyon,FR,Atlantis City,Atlantis,,,\n")
    assert len(uploads(upload_dir)) == 1  # the page offers Cancel
    editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    assert uploads(upload_dir) == []  # an import that writes nothing ends it too


def test_a_successful_import_leaves_no_upload(editor_client, upload_dir):
    response = upload(editor_client, HEADER + GOOD)
    assert len(uploads(upload_dir)) == 1
    editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    assert Partnership.objects.count() == 2
    assert uploads(upload_dir) == []


def test_an_import_the_registry_refuses_leaves_no_upload(editor_client, upload_dir, monkeypatch):
    from partnerships import services
    from partnerships.importing import service

    seattle = services.create_locality(name="Seattle", country="US")
    tashkent = services.create_locality(name="Tashkent", country="UZ")
    response = upload(editor_client, HEADER + GOOD)
    original = service._apply

    def someone_else_first(planned, used, sources, **kwargs):
        services.create_partnership(locality_a=tashkent, locality_b=seattle, internal_record=True)
        original(planned, used, sources, **kwargs)

    monkeypatch.setattr(service, "_apply", someone_else_first)
    response = editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    page = response.content.decode()
    assert "the registry changed while importing" in page
    assert "upload the file again" in page
    assert uploads(upload_dir) == []


def test_an_unexpected_error_in_the_import_leaves_no_upload(editor_client, upload_dir, monkeypatch):
    response = upload(editor_client, HEADER + GOOD)

    def broken(**kwargs):
        raise RuntimeError("boom")

    # The import runs as a job (partnerships.jobs): its failure is the job's, shown on its
    # page, not an error of the request that started it.
    from partnerships.jobs import tasks
    from partnerships.models import Job

    monkeypatch.setattr(tasks, "import_partnerships", broken)
    response = editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.state == Job.State.FAILED and "RuntimeError: boom" in job.summary
    assert Partnership.objects.count() == 0
    assert uploads(upload_dir) == []
    assert not any(job.directory.iterdir())  # the job's copy of the upload is gone too


def test_a_new_upload_ends_the_users_earlier_preview(editor_client, upload_dir):
    first = upload(editor_client, HEADER + GOOD).context["token"]
    second = upload(editor_client, HEADER + GOOD).context["token"]
    assert [p.name.split(".")[0] for p in uploads(upload_dir)] == [second]
    assert first not in editor_client.session[SESSION_KEY]


def test_an_abandoned_preview_is_deleted_an_hour_later(editor_client, upload_dir):
    upload(editor_client, HEADER + GOOD)
    (path,) = uploads(upload_dir)
    editor_client.get(URL)
    assert uploads(upload_dir) == [path]  # still fresh
    old = time.time() - admin_import.STALE_AFTER_SECONDS - 1
    os.utime(path, (old, old))
    editor_client.get(URL)  # any visit of the page
    assert uploads(upload_dir) == []


def test_the_limits_are_documented():
    doc = (Path(settings.BASE_DIR) / "docs" / "import-format.md").read_text()
    for name in ("MAX_FILE_BYTES", "MAX_ROWS", "MAX_LINE_CHARS", "MAX_FIELD_CHARS"):
        assert name in doc
