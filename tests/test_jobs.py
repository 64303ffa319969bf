"""Background jobs (partnerships.jobs): imports and full exports as jobs, their admin pages,
the kept results, and the published exports served with ETags.

Jobs run in-process here (tests/conftest.py: django-tasks' immediate backend); the real
queue, with a real ``db_worker`` process, is in tests/test_scale_out.py."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships import services
from partnerships.admin import imports as admin_import
from partnerships.jobs import publishing
from partnerships.jobs import services as jobs
from partnerships.models import Job, Partnership
from tests.factories import cite

IMPORT_URL = reverse("admin-import-partnerships")
GOOD = "a_name,a_country,b_name,b_country,established\nSeattle,US,Tashkent,Uzbekistan,1973\nKöln,DE,Kyoto,JP,1963\n"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(admin_import, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def preview(client, text, **fields):
    data = {
        "step": "preview",
        "source": "https://example.org/pairs",
        "file": SimpleUploadedFile("pairs.csv", text.encode()),
    }
    return client.post(IMPORT_URL, {**data, **fields})


def test_a_confirmed_import_is_a_job_with_its_report_kept(editor_client, staff_editor):
    token = preview(editor_client, GOOD + "Lyon,FR,Atlantis City,Atlantis,\n", skip_bad_rows="on").context[
        "token"
    ]
    editor_client.post(IMPORT_URL, {"step": "confirm", "token": token})
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.kind == Job.Kind.IMPORT and job.state == Job.State.SUCCEEDED
    assert job.requested_by == staff_editor and job.started_at and job.finished_at
    assert job.summary.startswith("Imported: 3 rows: 2 partnerships created")
    assert Partnership.objects.count() == 2
    assert job.task_id  # the queue's own record of it
    page = editor_client.get(job.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Import report" in text and "unknown country “Atlantis”" in text
    assert 'http-equiv="refresh"' not in text  # a finished job's page stays put
    report = editor_client.get(reverse("admin:partnerships_job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0] == ["row", "outcome", "partnership", "details"]
    assert [row[:2] for row in rows[1:]] == [["2", "create"], ["3", "create"], ["4", "error"]]


def test_a_running_jobs_page_shows_its_live_progress_and_reloads(editor_client, staff_editor):
    job = Job.objects.create(kind=Job.Kind.IMPORT, requested_by=staff_editor, params={"name": "big.csv"})
    jobs.mark_running(job)
    jobs.record_progress(job, "matching localities", 5000, 20000, row=False)  # the cache only
    assert Job.objects.get(pk=job.pk).done == 0
    page = editor_client.get(job.get_absolute_url()).content.decode()
    assert "matching localities: 5000 of 20000" in page
    assert '<progress max="20000" value="5000">' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    listing = editor_client.get(reverse("admin:partnerships_job_changelist")).content.decode()
    assert "matching localities: 5,000 of 20,000 (25%)" in listing


def test_jobs_are_for_staff_who_may_import_or_view_them(client, django_user_model, staff_editor):
    from django.contrib.auth.models import Permission

    job = Job.objects.create(kind=Job.Kind.IMPORT, requested_by=staff_editor, report={"rows": 0})
    pages = [job.get_absolute_url(), reverse("admin:partnerships_job_download", args=[job.pk])]
    assert all(client.get(page).status_code == 302 for page in pages)  # anonymous: to the login
    staff = django_user_model.objects.create_user(
        username="staff-only", password="pw-for-tests", is_staff=True
    )
    client.force_login(staff)
    assert all(client.get(page).status_code == 403 for page in pages)
    assert (
        client.post(reverse("admin:partnerships_job_start_export"), {"name": "partnerships.csv"}).status_code
        == 403
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_job"))
    staff = django_user_model.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert all(client.get(page).status_code == 200 for page in pages)
    assert not Job.objects.filter(kind=Job.Kind.EXPORT).exists()


def test_an_export_job_from_the_admin_keeps_a_downloadable_file(editor_client, seed, settings):
    settings.PUBLIC_URL = "https://testserver"  # the address the exported URLs name
    listing = editor_client.get(reverse("admin:partnerships_job_changelist")).content.decode()
    assert "Export partnerships.csv" in listing
    response = editor_client.post(
        reverse("admin:partnerships_job_start_export"), {"name": "partnerships.csv"}
    )
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response.url == job.get_absolute_url()
    assert job.state == Job.State.SUCCEEDED, job.summary
    assert job.summary.startswith(f"{Partnership.objects.count()} rows")
    download = editor_client.get(reverse("admin:partnerships_job_download", args=[job.pk]))
    body = b"".join(download.streaming_content)
    # The file is the API's own full CSV, byte for byte.
    api = editor_client.get(reverse("api:partnership-list"), {"format": "csv"}, secure=True)
    assert body == b"".join(api.streaming_content)
    assert len(body.decode().splitlines()) == Partnership.objects.count() + 1
    assert (
        editor_client.post(reverse("admin:partnerships_job_start_export"), {"name": "../x"}).status_code
        == 302
    )
    assert Job.objects.filter(kind=Job.Kind.EXPORT).count() == 1


def test_a_published_export_is_served_with_an_etag_and_regenerated_when_the_registry_changes(client, seed):
    url = reverse("published-export", args=["partnerships.csv"])
    # The first request finds nothing published: it queues the export (run at once here).
    served = client.get(url)
    assert Job.objects.filter(kind=Job.Kind.EXPORT, state=Job.State.SUCCEEDED).count() == 1
    assert served.status_code == 200
    etag = served["ETag"]
    assert etag.startswith('"') and served["Cache-Control"] == "public, max-age=60"
    assert served["Content-Disposition"] == 'attachment; filename="partnerships.csv"'
    body = b"".join(served.streaming_content)
    assert len(body.decode().splitlines()) == Partnership.objects.count() + 1
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Nothing changed: no new job.
    assert Job.objects.filter(kind=Job.Kind.EXPORT).count() == 1
    # A change: the next request queues a new export (and meanwhile would serve the old file).
    a, b = (
        services.create_locality(name="Lyon", country="FR"),
        services.create_locality(name="Beersheba", country="IL"),
    )
    services.create_partnership(locality_a=a, locality_b=b, citations=[cite()])

    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert Job.objects.filter(kind=Job.Kind.EXPORT).count() == 2
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"Beersheba" in b"".join(changed.streaming_content)


def test_while_the_first_export_is_prepared_the_answer_is_503_with_retry_after(client, seed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no worker
    url = reverse("published-export", args=["partnerships.geojson"])
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 503 and answer["Retry-After"] == "30"
        assert "being prepared" in answer.json()["detail"]
    # One job queued, however many ask.
    assert Job.objects.filter(kind=Job.Kind.EXPORT, state=Job.State.QUEUED).count() == 1


def test_an_import_job_refreshes_the_published_exports_it_changed(editor_client, seed):
    publishing.publish("partnerships.csv")
    token = preview(editor_client, GOOD).context["token"]
    editor_client.post(IMPORT_URL, {"step": "confirm", "token": token})
    exports = Job.objects.filter(kind=Job.Kind.EXPORT)
    # Only the export that was published is made again (the others were never asked for).
    assert [job.params["name"] for job in exports] == ["partnerships.csv"]
    body = publishing.current("partnerships.csv").path.read_text()
    assert "Kyoto" in body and publishing.is_fresh(publishing.current("partnerships.csv"))


def test_an_unknown_export_is_404(client, db):
    assert client.get(reverse("published-export", args=["secrets.txt"])).status_code == 404


def test_a_published_file_is_replaced_whole_and_old_versions_pruned(db, seed, settings):
    first = publishing.publish("localities.csv")
    assert publishing.current("localities.csv") == first
    a = services.create_locality(name="Lyon", country="FR")
    assert a and not publishing.is_fresh(first)
    second = publishing.publish("localities.csv")
    third_locality = services.create_locality(name="Beersheba", country="IL")
    assert third_locality
    third = publishing.publish("localities.csv")
    files = sorted(p.name for p in settings.PUBLISHED_EXPORTS_DIR.glob("localities-*.csv"))
    assert files == sorted({second.file, third.file})
    assert publishing.current("localities.csv") == third and publishing.is_fresh(third)
