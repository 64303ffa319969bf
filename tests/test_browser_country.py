"""The country page and the locality embed in a real browser (Debian's Chromium through
Playwright), at 1280 and 375 px: the country page's sections, its rankings leading to the
filtered list, no sideways scroll and the key column in view on a phone, the filters
folded; the embed framed by a city's page (and nothing else framed), running no script.
Screenshots go to test-results/test_browser_country/<test>/ (docs/screenshots/ holds
copies for the README)."""

import datetime
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.models import Locality, Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTRY = reverse("partnerships:country-detail", kwargs={"code": "US"})


@pytest.fixture
def city_site():
    """A city's own web site: a real HTTP server on another origin (127.0.0.1 and its own
    port, while the registry's live server is localhost), serving one page whose HTML the
    test sets with ``city_site.page = …``."""

    class Site:
        page = ""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = Site.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.url = f"http://127.0.0.1:{server.server_port}/partners.html"
    try:
        yield Site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def us_with_start_years(seed):
    """The seed, plus 24 US partnerships with a start year and no status events (as
    imported lists have them): the page then has both charts."""
    towns = Locality.objects.bulk_create([Locality(name=f"Springfield {i}", country="US") for i in range(12)])
    partners = Locality.objects.bulk_create(
        [
            Locality(name=f"{country} partner {i}", country=country)
            for i in range(6)
            for country in ("DE", "JP", "FR", "MX")
        ]
    )
    Partnership.objects.bulk_create(
        Partnership(
            locality_a=towns[i % 12],
            locality_b=partner,
            level=Partnership.Level.SISTER_CITY,
            established_on=datetime.date(1955 + (i * 7) % 60, 1, 1),
            established_precision="year",
        )
        for i, partner in enumerate(partners)
    )


def _open(browser, live_server, width: int):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_country_page_at_1280_and_375(browser, live_server, us_with_start_years, output_dir):
    context, page = _open(browser, live_server, 1280)
    try:
        page.goto(COUNTRY)
        expect(page.locator("h1")).to_have_text("Partnerships in United States (US)")
        expect(page.locator("#country-headline li").first).to_contain_text("proposed")
        partners = page.locator("#partner-countries ol.ranked li")
        expect(partners.first).to_contain_text("Russian Federation")
        expect(partners.first.locator(".count")).to_have_text("7")
        expect(page.locator("#top-localities ol.ranked li")).to_have_count(10)
        expect(page.locator("#status-chart svg")).to_be_visible()
        expect(page.locator("#established-chart svg rect.bar").first).to_be_visible()
        expect(page.locator("table.figures tbody tr").first).to_be_visible()
        # The filters are folded at first; opening them shows the form.
        expect(page.locator("form.filters")).to_be_hidden()
        page.screenshot(path=output_dir / "country-1280.png", full_page=True)
        page.screenshot(
            path=output_dir / "country-1280-top.png", clip={"x": 0, "y": 0, "width": 1280, "height": 1700}
        )
        # A partner country leads to the list of that pair.
        partners.first.locator("a").click()
        page.wait_for_url("**/partnerships/?between=US%2CRU")
        expect(page.locator("table.partnerships tbody tr")).to_have_count(7)
    finally:
        context.close()

    context, page = _open(browser, live_server, 375)
    try:
        page.goto(COUNTRY)
        page.wait_for_load_state("networkidle")
        # No sideways scroll; the figures' key column (the scope) is in view, as cards.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        key = page.locator("table.figures tbody th[scope=row]").first
        box = key.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        reported = page.locator("table.figures tbody td[data-label=Reported]").first
        assert reported.bounding_box()["x"] + reported.bounding_box()["width"] <= 375
        # The filters do not fill the first screen: folded, one line.
        expect(page.locator("form.filters")).to_be_hidden()
        summary = page.locator("details.filter-box > summary")
        assert summary.bounding_box()["height"] < 60
        page.screenshot(path=output_dir / "country-375.png", full_page=True)
        page.screenshot(path=output_dir / "country-375-first-screen.png")
        page.locator("table.figures tbody tr").nth(1).screenshot(
            path=output_dir / "country-375-figure-card.png"
        )
        summary.click()
        expect(page.locator("form.filters")).to_be_visible()
        page.get_by_label("Status", exact=True).select_option("active")
        page.get_by_role("button", name="Show partnerships").click()
        page.wait_for_url("**status=active**")
        expect(page.locator("details.filter-box")).to_have_attribute("open", "")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def _city_page(live_server, path: str) -> str:
    return (
        "<!doctype html><html><head><title>Our partner cities</title></head><body>"
        "<h1>Seattle's partner cities</h1>"
        f'<iframe id="partners" src="{live_server.url}{path}" title="Partnerships" '
        'width="100%" height="420" style="border:1px solid #ccc"></iframe></body></html>'
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_embed_framed_by_a_city_page(browser, live_server, seed, city_site, output_dir, width):
    seattle = Locality.objects.get(name="Seattle")
    embed = reverse("partnerships:locality-embed", kwargs={"pk": seattle.pk})
    context, page = _open(browser, live_server, width)
    try:
        # A city's own site, on another origin, frames the embed.
        city_site.page = _city_page(live_server, embed)
        page.goto(city_site.url)
        frame = page.frame_locator("#partners")
        expect(frame.locator("h1")).to_have_text("Partnerships of Seattle")
        expect(frame.locator(".embed-rows li")).to_have_count(1)
        expect(frame.locator(".embed-rows li")).to_contain_text("Tashkent")
        expect(frame.locator(".embed-rows li .status")).to_have_text("reported active, July 2002")
        expect(frame.locator(".credit a").first).to_have_text("Data from the Partnership registry")
        # No script in it, and none may run.
        embedded = next(f for f in page.frames if f.url.endswith(embed))
        assert embedded.evaluate("document.scripts.length") == 0
        page.screenshot(path=output_dir / f"embed-in-city-page-{width}.png", full_page=True)
        # The same city page cannot frame any other page of the registry.
        other = seattle.get_absolute_url()
        city_site.page = _city_page(live_server, other)
        page.goto(city_site.url)
        page.wait_for_load_state("load")
        (blocked,) = page.frames[1:]
        blocked.wait_for_url(re.compile(r"^chrome-error://"))  # Chromium's "refused to connect" instead
        expect(page.frame_locator("#partners").locator("h1", has_text="Seattle")).to_have_count(0)
        page.screenshot(path=output_dir / f"locality-page-refused-{width}.png", full_page=True)
        # The locality page offers the snippet that frames it.
        page.goto(f"{live_server.url}{other}")
        snippet = page.locator("#embed-snippet")
        expect(snippet).to_have_value(re.compile(rf'^<iframe src="{re.escape(live_server.url + embed)}"'))
        section = page.locator("h2#embed")
        section.scroll_into_view_if_needed()
        page.screenshot(path=output_dir / f"locality-embed-snippet-{width}.png")
    finally:
        context.close()


def test_embed_in_russian_at_375(browser, live_server, seed, output_dir):
    kharkiv = Locality.objects.get(name="Kharkiv")
    context, page = _open(browser, live_server, 375)
    try:
        page.goto(reverse("partnerships:locality-embed", kwargs={"pk": kharkiv.pk}) + "?lang=ru")
        expect(page.locator("h1")).to_have_text("Города-побратимы: Харьков")
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=output_dir / "embed-ru-375.png", full_page=True)
    finally:
        context.close()
