"""The browser-test set-up itself: Chromium starts, renders a page from the live server with
its stylesheet, and the screenshot shows that page (not a blank or unstyled one)."""

import base64

import pytest
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.models import Partnership, Source, StatusEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The home page lists this many of the latest status changes.
LATEST_CHANGES = 10
# registry.css: buttons are filled with --accent (#0b5cad).
ACCENT = (0x0B, 0x5C, 0xAD)

# Decodes a PNG with the browser's own decoder (no imaging library needed) and reports, for
# the whole image and for each box, how many distinct colours it has and whether it holds
# the given colour.
_INSPECT_PNG = """
async ({png, boxes, colour}) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  context.drawImage(image, 0, 0);
  const wanted = (colour[0] << 16) | (colour[1] << 8) | colour[2];
  const inspect = ({x, y, width, height}) => {
    const data = context.getImageData(x, y, width, height).data;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return {colours: colours.size, has_colour: colours.has(wanted)};
  };
  return {
    width: canvas.width,
    height: canvas.height,
    whole: inspect({x: 0, y: 0, width: canvas.width, height: canvas.height}),
    boxes: boxes.map(inspect),
  };
}
"""


def _inspect_screenshot(page, png, boxes, colour=ACCENT):
    """Decode `png` in a blank tab of the same browser and inspect the given boxes."""
    blank = page.context.new_page()
    try:
        return blank.evaluate(
            _INSPECT_PNG,
            {"png": base64.b64encode(png).decode("ascii"), "boxes": boxes, "colour": list(colour)},
        )
    finally:
        blank.close()


def _box(locator):
    """The element's box in whole page pixels (the page is not scrolled)."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    assert box["width"] >= 1 and box["height"] >= 1, f"{locator} has no size: {box}"
    return {key: max(0, round(box[key])) for key in ("x", "y", "width", "height")}


def test_chromium_renders_the_home_page(page, seed, output_dir):
    by_status = dict(Partnership.objects.order_by().values_list("current_status").annotate(n=Count("id")))
    total = sum(by_status.values())
    sources = Source.objects.count()
    latest = [
        str(event.partnership)
        for event in StatusEvent.objects.select_related(
            "partnership__locality_a", "partnership__locality_b"
        ).order_by("-effective_on", "-id")[:LATEST_CHANGES]
    ]
    assert total == 18 and sources == 5 and len(latest) == LATEST_CHANGES  # the seed data

    response = page.goto(reverse("partnerships:home"))
    assert response is not None and response.status == 200
    expect(page).to_have_title("Partnership registry")

    # What a reader needs: where they are, how to search, what the registry holds now.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Partnerships between communities, dated and cited")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Partnerships", "Map", "Reported figures", "Search"])
    search = page.get_by_role("searchbox", name="Search places, partnerships, organizations and sources")
    expect(search).to_be_visible()
    button = page.get_by_role("button", name="Search")
    expect(button).to_be_visible()

    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["The registry today", "Latest status changes and reports"]
    )
    counts = page.locator("ul.headline > li")
    expected_counts = [f"{total} partnerships"]
    expected_counts += [f"{by_status.get(status.value, 0)} {status.label}" for status in Partnership.Status]
    if by_status.get(""):
        expected_counts.append(f"{by_status['']} without a recorded status")
    expected_counts.append(f"{sources} sources cited")
    expect(counts).to_have_text(expected_counts)
    expect(counts.first.get_by_role("link")).to_have_attribute(
        "href", reverse("partnerships:partnership-list")
    )

    changes = page.locator("ol.timeline > li")
    expect(changes.locator(".event-head a")).to_have_text(latest)
    expect(page.locator("footer.site")).to_contain_text("Every status is dated and every fact cited.")

    # The stylesheet was served and applied.
    expect(button).to_have_css("background-color", "rgb({}, {}, {})".format(*ACCENT))

    # The screenshot shows that page: the whole width, the page's full height, varied
    # pixels, ink where the heading, search box and lists are, and the styled button.
    assert page.evaluate("[window.scrollX, window.scrollY]") == [0, 0]
    page_height = page.evaluate("document.documentElement.scrollHeight")
    boxes = {
        "heading": _box(heading),
        "search box": _box(search),
        "counts": _box(page.locator("ul.headline")),
        "latest changes": _box(page.locator("ol.timeline")),
        "button": _box(button),
    }
    png = page.screenshot(path=output_dir / "home.png", full_page=True)
    assert png == (output_dir / "home.png").read_bytes()
    seen = _inspect_screenshot(page, png, list(boxes.values()))
    assert (seen["width"], seen["height"]) == (1280, page_height)
    assert seen["whole"]["colours"] >= 32, seen["whole"]  # text, links, borders: not blank
    for name, result in zip(boxes, seen["boxes"], strict=True):
        assert result["colours"] >= 2, f"the {name} is blank in the screenshot: {result}"
    assert seen["boxes"][-1]["has_colour"], "the screenshot's Search button is not the accent colour"
