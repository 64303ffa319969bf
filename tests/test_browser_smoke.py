"""The browser-test set-up itself: Chromium starts and renders a page from the live server."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_renders_the_home_page(page, seed, output_dir):
    page.goto(reverse("partnerships:home"))
    assert "Partnership registry" in page.title()
    page.screenshot(path=output_dir / "home.png", full_page=True)
    assert (output_dir / "home.png").stat().st_size > 0
