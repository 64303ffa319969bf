"""The admin's import page in Chromium: a curator follows "Import partnerships" from the
changelist, uploads the example file, reads the preview and imports it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerships.admin import imports as admin_import
from partnerships.models import Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "partnerships.csv"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Uploads waiting for confirmation go to the test's own directory."""
    monkeypatch.setattr(admin_import, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def test_uploading_previewing_and_importing_a_file(page, output_dir, django_user_model):
    call_command("load_seed", stdout=StringIO())
    django_user_model.objects.create_superuser("curator", password="pw-for-tests-only")
    seeded = Partnership.objects.count()

    page.goto(reverse("admin:login") + "?next=" + reverse("admin:partnerships_partnership_changelist"))
    page.fill("input[name=username]", "curator")
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Import partnerships").click()
    page.wait_for_url("**" + reverse("admin-import-partnerships"))

    page.set_input_files("input[name=file]", str(EXAMPLE))
    page.fill("input[name=source]", "https://example.org/member-list")
    page.fill("input[name=source_title]", "Member list 2024")
    page.screenshot(path=output_dir / "1-upload.png", full_page=True)
    page.click("input[type=submit]")

    page.wait_for_selector(".import-summary")
    summary = page.locator(".import-summary").inner_text()
    # Seattle–Tashkent, Cincinnati–Kharkov (an alias), Maryland–Leningrad Oblast and
    # Worcester–Kherson are in the seed: matched, not duplicated.
    assert "Dry run, nothing written: 7 rows: 3 partnerships to create, 4 to update" in summary
    assert page.locator(".import-create tbody tr").count() == 3
    assert page.locator(".import-update tbody tr").count() == 4
    assert "Cincinnati – Kharkiv" in page.locator(".import-update").inner_text()
    page.screenshot(path=output_dir / "2-preview.png", full_page=True)
    assert Partnership.objects.count() == seeded

    page.get_by_role("button", name="Import 3 new and 4 updated partnerships").click()
    page.wait_for_url("**" + reverse("admin:partnerships_partnership_changelist"))
    assert "Imported: 7 rows: 3 partnerships created, 4 updated" in page.locator(".messagelist").inner_text()
    page.screenshot(path=output_dir / "3-imported.png", full_page=True)
    assert Partnership.objects.count() == seeded + 3
