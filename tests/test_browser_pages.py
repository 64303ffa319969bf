"""The public pages in a real browser (Debian's Chromium through Playwright): filtering,
time travel, following citations, the offline map, a correction, a phone-sized screen.
Each test saves screenshots to test-results/test_browser_pages/<test>/."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.models import CorrectionRequest, Partnership, Source

from .factories import LocalityFactory, partnership_with_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = reverse("partnerships:partnership-list")


def rows(page):
    return page.locator("table.partnerships tbody tr th a").all_inner_texts()


def test_filter_the_list_by_country_and_status(page, seed, output_dir):
    page.goto(LIST)
    expect(page.locator("table.partnerships tbody tr")).to_have_count(18)
    page.get_by_label("Country", exact=True).fill("UA")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Show partnerships").click()
    page.wait_for_url(re.compile(r"country=UA"))
    assert "status=active" in page.url
    assert rows(page) == ["Cincinnati – Kharkiv", "Iowa – Cherkasy Oblast", "Kherson – Worcester"]
    expect(page.get_by_label("Status")).to_have_value("active")
    page.screenshot(path=output_dir / "list-ua-active.png", full_page=True)

    page.get_by_label("Status").select_option("proposed")
    page.get_by_label("Country", exact=True).fill("RU")
    page.get_by_role("button", name="Show partnerships").click()
    page.wait_for_url(re.compile(r"status=proposed"))
    assert rows(page) == ["Tver Oblast – Louisiana"]

    # A bad value is explained on the page, which still works.
    page.get_by_label("Country", exact=True).fill("XX")
    page.get_by_role("button", name="Show partnerships").click()
    expect(page.get_by_role("alert")).to_contain_text("“XX” is not an ISO 3166-1 alpha-2 country code")
    page.screenshot(path=output_dir / "list-bad-country.png", full_page=True)


def test_time_travel_with_the_as_of_picker(page, seed, output_dir):
    partnership_with_history(
        ("active", "1993"),
        ("suspended", "2022-03"),
        locality_a=LocalityFactory(name="Springfield", country="US"),
        locality_b=LocalityFactory(name="Zarechny", country="RU"),
    )
    page.goto(f"{LIST}?q=Springfield")
    row = page.locator("table.partnerships tbody tr", has_text="Springfield – Zarechny")
    expect(row.locator(".status")).to_have_text("suspended")
    expect(row).to_contain_text("March 2022")

    page.get_by_label("As of").fill("2021-12-31")
    page.get_by_role("button", name="Show partnerships").click()
    page.wait_for_url(re.compile(r"as_of=2021-12-31"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerships as of 31 December 2021")
    expect(row.locator(".status")).to_have_text("active")
    expect(row).to_contain_text("1993")
    expect(page.get_by_label("As of")).to_have_value("2021-12-31")
    page.screenshot(path=output_dir / "as-of-2021.png", full_page=True)

    # Back before the seed's partnerships were recorded: only the 1993 one existed.
    page.get_by_label("Place name").fill("")
    page.get_by_label("As of").fill("2000-01-01")
    page.get_by_role("button", name="Show partnerships").click()
    page.wait_for_url(re.compile(r"as_of=2000-01-01"))
    assert rows(page) == ["Springfield – Zarechny"]

    page.get_by_role("link", name="Show today's statuses").click()
    page.wait_for_url(lambda url: "as_of" not in url)
    expect(page.locator("table.partnerships tbody tr")).to_have_count(19)
    page.screenshot(path=output_dir / "today.png", full_page=True)


def test_open_a_partnership_and_follow_a_citation(page, seed, output_dir):
    page.goto(LIST)
    page.get_by_role("link", name="Rochester – Veliky Novgorod").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rochester – Veliky Novgorod")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("July 2002")
    expect(timeline.locator("q").first).to_have_text(
        "The sister city agreement between Rochester, NY, and Velikiy Novgorod, Russia"
    )
    # The small map of the two places draws too.
    expect(page.locator("#partnership-map-canvas svg path.country").first).to_be_attached()
    expect(page.locator("#partnership-map-canvas svg path.link")).to_have_count(1)
    page.screenshot(path=output_dir / "partnership.png", full_page=True)

    timeline.locator("a.source-page").first.click()
    source = Source.objects.get(author="Philip H. de Leon")
    page.wait_for_url(re.compile(re.escape(source.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(source.title)
    expect(page.locator("body")).to_contain_text("The sister city agreement between Rochester, NY")
    page.screenshot(path=output_dir / "source.png", full_page=True)


def test_the_map_draws_countries_and_lines_offline(page, seed, live_server, output_dir):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(reverse("partnerships:map"))
    canvas = page.locator("#partnership-points-canvas")
    expect(canvas).to_have_attribute("data-drawn", "18")
    assert page.locator("#partnership-points-canvas svg path.country").count() > 150
    lines = page.locator("#partnership-points-canvas svg path.link")
    expect(lines).to_have_count(18)
    assert page.locator("path.link.stroke-proposed").count() == 1
    assert page.locator("path.link.stroke-active").count() == 17
    # Lines are drawn (non-empty geometry) in the status colour.
    assert all(len(d) > 10 for d in lines.evaluate_all("nodes => nodes.map(n => n.getAttribute('d'))"))
    colour = page.locator("path.link.stroke-active").first.evaluate("n => getComputedStyle(n).stroke")
    assert colour == "rgb(31, 122, 58)"
    # Everything came from the registry itself: no tile server, no CDN.
    server = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in requests} == {server}
    page.screenshot(path=output_dir / "map.png", full_page=True)

    # Filtered like the list; a line is a keyboard-usable link to its partnership.
    page.get_by_label("Country", exact=True).fill("UZ")
    page.get_by_role("button", name="Show partnerships").click()
    expect(canvas).to_have_attribute("data-drawn", "1")
    link = page.locator("#partnership-points-canvas a.partnership")
    link.focus()
    page.keyboard.press("Enter")
    tashkent = Partnership.objects.matching("Tashkent").get()
    page.wait_for_url(re.compile(re.escape(tashkent.get_absolute_url()) + "$"))
    page.screenshot(path=output_dir / "followed-line.png", full_page=True)


def test_submit_a_correction(page, seed, output_dir):
    cache.clear()  # the rate limit's counter, shared with the live server
    kharkiv = Partnership.objects.matching("Kharkiv").get()
    page.goto(kharkiv.get_absolute_url())
    page.get_by_role("link", name=re.compile("Suggest a correction")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_role("alert")).to_contain_text("Please say what is wrong.")
    page.get_by_label("What is wrong?").fill("The partnership was renewed in 2023 with a new agreement.")
    page.get_by_label("A source that shows it (optional)").fill("https://news.example.org/renewed")
    page.get_by_label("Your e-mail or name (optional)").fill("reader@example.org")
    page.screenshot(path=output_dir / "form.png", full_page=True)
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.screenshot(path=output_dir / "thanks.png", full_page=True)
    correction = CorrectionRequest.objects.get()
    assert correction.partnership == kharkiv
    assert correction.source_url == "https://news.example.org/renewed"
    assert correction.status == CorrectionRequest.Status.NEW
    page.get_by_role("link", name="Back to the page you came from").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cincinnati – Kharkiv")


PHONE_PAGES = {
    "home": lambda: reverse("partnerships:home"),
    "list": lambda: LIST,
    "country": lambda: reverse("partnerships:country-detail", kwargs={"code": "US"}),
    "map": lambda: reverse("partnerships:map"),
    "partnership": lambda: Partnership.objects.matching("Kherson").get().get_absolute_url(),
    "source": lambda: Source.objects.get(author="Philip H. de Leon").get_absolute_url(),
    "correction": lambda: reverse(
        "partnerships:correction-create",
        kwargs={"kind": "partnership", "pk": Partnership.objects.matching("Kherson").get().pk},
    ),
}


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_readable_on_a_phone(browser, live_server, seed, output_dir, name):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(PHONE_PAGES[name]())
        page.wait_for_load_state("networkidle")
        # No sideways scrolling of the page (wide tables scroll inside their own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # The skip link is the first thing the keyboard reaches, and it is visible then.
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to content"
        assert page.locator(".skip").bounding_box()["x"] >= 0
        page.screenshot(path=output_dir / "phone.png", full_page=True)
    finally:
        context.close()
