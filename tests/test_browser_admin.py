"""The admin in Chromium: a curator logs in, finds Cincinnati–Kharkiv by its former name
"Kharkov", records its suspension citing a new source with a quote in the one form, and
sees the change in the partnership's edit history."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerships.models import Partnership, Source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = (
    "Cincinnati's council voted to suspend the sister-city relationship with Kharkiv's Russian-era partner."
)


def test_recording_a_cited_suspension_and_seeing_it_in_the_history(page, output_dir, django_user_model):
    # As `make run` does: the seed data, each record with its first version in the history.
    call_command("load_seed", stdout=StringIO())
    django_user_model.objects.create_superuser("curator", password="pw-for-tests-only")
    partnership = Partnership.objects.matching("Kharkov").get(locality_a__name="Cincinnati")
    assert partnership.current_status == "active"

    page.goto(reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.fill("input[name=username]", "curator")
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url("**" + reverse("admin:index"))
    assert page.locator("#site-name").inner_text() == "Partnership registry"

    page.goto(reverse("admin:partnerships_partnership_changelist"))
    page.fill("#searchbar", "Kharkov")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=Kharkov*")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 1
    page.screenshot(path=output_dir / "1-search.png", full_page=True)
    page.get_by_role("link", name="Cincinnati – Kharkiv").click()

    page.get_by_role("link", name="Record a status change").click()
    page.wait_for_selector("select[name=status]")
    page.select_option("select[name=status]", "suspended")
    page.fill("input[name=effective_on]", "2022-03-01")
    page.select_option("select[name=effective_precision]", "month")
    page.fill("textarea[name=note]", "Suspended after the council's vote.")
    page.fill("input[name=new_source_title]", "Council suspends sister-city ties")
    page.fill("input[name=new_source_publisher]", "Cincinnati Enquirer")
    page.fill("input[name=new_source_url]", "https://enquirer.example.com/2022/03/sister-city")
    page.fill("input[name=new_source_published_on]", "2022-03-04")
    page.select_option("select[name=new_source_published_precision]", "day")
    page.fill("textarea[name=quote]", QUOTE)
    page.screenshot(path=output_dir / "2-record-form.png", full_page=True)
    page.click("input[name=_save]")

    # Back on the partnership: the timeline shows the suspension with its source.
    page.wait_for_url("**" + reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    content = page.content()
    assert "Suspended since March 2022" in content or "suspended since March 2022" in content
    assert "Council suspends sister-city ties" in content
    page.screenshot(path=output_dir / "3-partnership-change.png", full_page=True)
    source = Source.objects.get(title="Council suspends sister-city ties")
    (citation,) = source.citations.all()
    assert citation.quote == QUOTE and citation.status_event.partnership == partnership

    page.get_by_role("link", name="History").first.click()
    page.wait_for_url("**/history/")
    history = page.locator("#change-history")
    latest = history.locator("tbody tr").first
    assert "curator" in latest.inner_text()
    assert "Current status: active \u2192 suspended" in " ".join(latest.inner_text().split())
    page.screenshot(path=output_dir / "4-history.png", full_page=True)
