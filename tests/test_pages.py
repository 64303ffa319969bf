"""What every public page shares: the layout and its accessibility rules, the 404 page,
the reported-figures page, and static files served by WhiteNoise in production."""

import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from partnerships.models import Locality, Organization, Partnership, Source

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class PageAudit(HTMLParser):
    """Collects what the accessibility checks below need from a page."""

    FORM_CONTROLS = {"input", "select", "textarea"}
    UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.headings = []
        self.ids = []
        self.label_targets = set()
        self.controls = []
        self.headers_without_scope = 0
        self.html_lang = None
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        if tag in self.FORM_CONTROLS and attrs.get("type") not in self.UNLABELLED_INPUTS:
            self.controls.append(attrs)
        if tag == "th" and "scope" not in attrs:
            self.headers_without_scope += 1
        if tag == "a":
            self.links.append(attrs.get("href"))

    def unlabelled_controls(self):
        return [
            control
            for control in self.controls
            if control.get("id") not in self.label_targets
            and not control.get("aria-label")
            and not control.get("aria-labelledby")
        ]


def audit(response) -> PageAudit:
    parser = PageAudit()
    parser.feed(response.content.decode())
    return parser


def public_urls():
    partnership = Partnership.objects.matching("Tashkent").get()
    return [
        reverse("partnerships:home"),
        reverse("partnerships:partnership-list"),
        reverse("partnerships:partnership-list") + "?country=XX&as_of=2021-12-31",
        partnership.get_absolute_url(),
        Locality.objects.get(name="Astana").get_absolute_url(),
        reverse("partnerships:country-detail", kwargs={"code": "US"}),
        Organization.objects.get(abbreviation="SCI").get_absolute_url(),
        Source.objects.get(author="Philip H. de Leon").get_absolute_url(),
        reverse("partnerships:search") + "?q=kharkov",
        reverse("partnerships:map") + "?status=active",
        reverse("partnerships:figure-list"),
        reverse("partnerships:correction-create", kwargs={"kind": "partnership", "pk": partnership.pk}),
        reverse("partnerships:correction-thanks"),
    ]


def test_every_page_is_well_formed_and_accessible(client, seed):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        page = audit(response)
        assert page.html_lang == "en", url
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in page.tags, (url, landmark)
        assert page.links[0] == "#main", url  # the skip link comes first
        assert "main" in page.ids, url
        assert page.headings.count(1) == 1, (url, page.headings)
        for previous, heading in zip(page.headings, page.headings[1:], strict=False):
            assert heading <= previous + 1, (url, page.headings)  # no skipped levels
        assert not page.unlabelled_controls(), (url, page.unlabelled_controls())
        assert page.headers_without_scope == 0, url
        duplicates = {i for i in page.ids if page.ids.count(i) > 1}
        assert not duplicates, (url, duplicates)
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in response.text


def test_current_section_is_marked_in_the_navigation(client, seed):
    text = client.get(reverse("partnerships:map")).text
    assert f'<a href="{reverse("partnerships:map")}" aria-current="page">Map</a>' in text


def test_css_keeps_focus_visible_and_adapts_to_narrow_screens():
    css = (PROJECT_ROOT / "static" / "partnerships" / "registry.css").read_text()
    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert "@media (max-width: 40rem)" in css
    assert "url(" not in css  # nothing fetched from elsewhere


def test_404_page_uses_the_site_layout(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert 'href="#main"' in response.text


def test_figures_page(client, seed):
    response = client.get(reverse("partnerships:figure-list"), {"country": "cn"})
    assert "upward of 100" in response.text
    assert response.context["country"] == "CN"
    assert len(response.context["figures"]) == 1


def test_figures_page_bad_country_is_a_message(client, seed):
    response = client.get(reverse("partnerships:figure-list"), {"country": "Narnia"})
    assert response.status_code == 200
    assert "is not an ISO 3166-1 alpha-2 country code" in response.text
    # Refused, not ignored: every country's figures would pass for Narnia's (issue 13).
    assert len(response.context["figures"]) == 0
    assert 'value="Narnia"' in response.text


def test_figures_page_understands_country_names(client, seed):
    response = client.get(reverse("partnerships:figure-list"), {"country": "China"})
    assert response.context["country"] == "CN"
    assert len(response.context["figures"]) == 1


@pytest.mark.parametrize("rows", [1, 100])
def test_figures_page_query_count(client, db, django_assert_max_num_queries, rows):
    from partnerships import services
    from partnerships.dates import PartialDate

    from .factories import OrganizationFactory, cite

    organization = OrganizationFactory()
    for n in range(rows):
        services.add_reported_figure(
            count=n,
            country_a="US",
            organization=organization,
            as_of=PartialDate.parse("2020"),
            citations=[cite()],
        )
    with django_assert_max_num_queries(2):
        response = client.get(reverse("partnerships:figure-list"))
    assert len(response.context["figures"]) == rows


def test_favicon_is_linked_and_favicon_ico_does_not_404(client, db):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    icon = static("partnerships/favicon.svg")
    page = client.get(reverse("partnerships:home"))
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page.text
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon
    path = finders.find("partnerships/favicon.svg")
    assert path and Path(path).read_text().startswith("<svg xmlns=")
    assert client.post("/favicon.ico").status_code == 405


def test_whitenoise_and_manifest_storage_are_configured():
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


PRODUCTION_STATIC = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.conf import settings
    settings.STATIC_ROOT = sys.argv[1]
    from django.core.management import call_command
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.template import Context, Template
    from django.test import Client
    print("STORAGE", settings.STORAGES["staticfiles"]["BACKEND"])
    for name in sys.argv[2:]:
        url = Template("{% load static %}{% static name %}").render(Context({"name": name}))
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        print("STATIC", name, url, response.status_code, response.get("Content-Encoding", "-"),
              response.get("Cache-Control", "-"))
    """
)


def test_production_serves_collected_static_files_with_whitenoise(tmp_path):
    """collectstatic with the production storage (hashed, compressed names; it fails on a
    broken reference in CSS), then WhiteNoise answers for the files the pages use."""
    names = [
        "partnerships/registry.css",
        "partnerships/map.js",
        "partnerships/favicon.svg",
        "vendor/d3-geo-3.1.2/d3-geo.min.js",
        "vendor/world-atlas-2.0.2/countries-110m.json",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-production-like-secret-for-the-static-test-0123456789",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    script = tmp_path / "static_check.py"
    script.write_text(PRODUCTION_STATIC)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "static"), *names],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "STORAGE whitenoise.storage.CompressedManifestStaticFilesStorage" in lines
    served = [line.split(" ", 6) for line in lines if line.startswith("STATIC ")]
    assert len(served) == len(names)
    for _label, name, url, status, encoding, cache_control in (row[:6] for row in served):
        stem, _, extension = name.rpartition(".")
        assert (
            url.startswith(f"/static/{stem}.") and url.endswith(f".{extension}") and url != f"/static/{name}"
        )
        assert status == "200", (name, status)
        assert encoding == "gzip", name
        assert cache_control.startswith("max-age="), name


@pytest.mark.parametrize(
    "path",
    [
        "/partnerships/99999999999999999999999/",
        "/localities/99999999999999999999999/",
        "/organizations/99999999999999999999999/",
        "/sources/99999999999999999999999/",
        "/corrections/partnership/99999999999999999999999/",
        "/corrections/locality/99999999999999999999999/",
    ],
)
def test_ids_beyond_the_database_range_are_404(client, db, path):
    assert client.get(path).status_code == 404
