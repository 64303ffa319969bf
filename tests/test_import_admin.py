"""The admin's import page: upload, dry-run preview, confirm; only for staff who may add."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.admin import imports as admin_import
from partnerships.admin.imports import SESSION_KEY
from partnerships.models import Partnership

URL = reverse("admin-import-partnerships")

GOOD = "a_name,a_country,b_name,b_country,established\nSeattle,US,Tashkent,Uzbekistan,1973\nKöln,DE,Kyoto,JP,1963\n"
BAD = GOOD + "Lyon,FR,Atlantis City,Atlantis,\n"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Uploads waiting for confirmation go to the test's own directory."""
    monkeypatch.setattr(admin_import, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def upload(client, text, name="pairs.csv", **fields):
    data = {
        "step": "preview",
        "source": "https://example.org/pairs",
        "file": SimpleUploadedFile(name, text.encode()),
    }
    return client.post(URL, {**data, **fields})


def test_the_changelist_links_to_the_import_page(editor_client):
    response = editor_client.get(reverse("admin:partnerships_partnership_changelist"))
    assert response.status_code == 200
    assert URL in response.content.decode()
    assert "Import partnerships" in response.content.decode()


def test_the_page_shows_an_upload_form(editor_client):
    response = editor_client.get(URL)
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_the_preview_writes_nothing_and_confirming_imports_the_same_file(editor_client, staff_editor):
    response = upload(editor_client, GOOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dry run, nothing written: 2 rows: 2 partnerships to create" in page
    assert "Seattle – Tashkent" in page
    assert Partnership.objects.count() == 0
    token = response.context["token"]
    response = editor_client.post(URL, {"step": "confirm", "token": token})
    assert response.status_code == 302
    assert response.url == reverse("admin:partnerships_partnership_changelist")
    assert Partnership.objects.count() == 2
    assert Partnership.history.filter(history_user=staff_editor).count() == 2
    # The upload is gone: confirming twice does not import twice.
    assert token not in editor_client.session.get(SESSION_KEY, {})
    response = editor_client.post(URL, {"step": "confirm", "token": token}, follow=True)
    assert "no longer available" in response.content.decode()
    assert Partnership.objects.count() == 2


def test_bad_rows_are_listed_with_row_number_and_reason(editor_client):
    response = upload(editor_client, BAD)
    page = response.content.decode()
    assert response.context["report"].errors[0].row == 4
    assert "unknown country “Atlantis”" in page
    assert 'value="confirm"' not in page  # nothing to confirm while rows are bad
    response = editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    assert response.status_code == 200 and Partnership.objects.count() == 0


def test_bad_rows_can_be_skipped(editor_client):
    response = upload(editor_client, BAD, skip_bad_rows="on")
    assert 'value="confirm"' in response.content.decode()
    editor_client.post(URL, {"step": "confirm", "token": response.context["token"]})
    assert Partnership.objects.count() == 2


def test_an_unreadable_file_is_a_form_error(editor_client):
    response = upload(editor_client, "name,country\nx,y\n")
    assert response.status_code == 200
    assert "missing required column" in response.content.decode()
    response = upload(editor_client, GOOD, name="pairs.xlsx")
    assert "Upload a .csv" in response.content.decode()


def test_cancel_forgets_the_upload(editor_client, upload_dir):
    token = upload(editor_client, GOOD).context["token"]
    assert len(list(upload_dir.iterdir())) == 1
    editor_client.post(URL, {"step": "cancel", "token": token})
    assert token not in editor_client.session.get(SESSION_KEY, {})
    assert not list(upload_dir.iterdir())
    assert Partnership.objects.count() == 0


def test_a_forged_token_imports_nothing(editor_client):
    response = editor_client.post(URL, {"step": "confirm", "token": "../../etc/passwd"}, follow=True)
    assert "no longer available" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_who_may_not_add_partnerships_are_refused(viewer_client, method):
    response = getattr(viewer_client, method)(URL)
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
