"""The Atom feeds of status events (partnerships.feeds): all, per country, per pair of
countries, per locality. Each is checked as Atom 1.0 (RFC 4287: the feed's and every
entry's required elements) with xml.etree, and each entry carries its citations."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality, StatusEvent

from .factories import LocalityFactory, SourceFactory, cite, partnership_with_history

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response) -> ET.Element:
    """The feed's root element, after checking what RFC 4287 requires of it and of every
    entry: id, title and updated (an RFC 3339 date-time); a self and an alternate link;
    each entry with a link to its page and content or summary."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            found = element.find(f"{ATOM}{required}")
            assert found is not None and (found.text or "").strip(), (element.tag, required)
        updated = element.find(f"{ATOM}updated").text
        datetime.datetime.fromisoformat(updated)  # RFC 3339
    rels = {link.get("rel") for link in root.findall(f"{ATOM}link")}
    assert {"self", "alternate"} <= rels
    ids = [entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    for entry in root.findall(f"{ATOM}entry"):
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href").startswith("http://testserver/partnerships/")
        assert entry.find(f"{ATOM}summary") is not None or entry.find(f"{ATOM}content") is not None
    return root


def entries(root):
    return root.findall(f"{ATOM}entry")


def summary(entry) -> str:
    return entry.find(f"{ATOM}summary").text or ""


def related(entry) -> set[str]:
    return {link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel") == "related"}


def test_the_feed_of_all_status_events_carries_their_citations(client, seed):
    root = parse_atom(client.get(reverse("partnerships:feed-all")))
    found = entries(root)
    events = StatusEvent.objects.prefetch_related("citations__source").select_related(
        "partnership__locality_a", "partnership__locality_b"
    )
    assert len(found) == min(events.count(), 50)
    by_id = {entry.find(f"{ATOM}id").text: entry for entry in found}
    for event in events:
        entry = by_id[f"status-event-{event.pk}"]
        title = entry.find(f"{ATOM}title").text
        assert title == f"{event.partnership}: {event.describe()}"
        text = summary(entry)
        assert event.citations.exists()
        for citation in event.citations.all():
            assert citation.source.title in text
            if citation.quote:
                # The quote as the template escaped it (quotes become entities).
                assert citation.quote.replace("'", "&#x27;").replace('"', "&quot;")[:40] in text
            if citation.source.url:
                assert citation.source.url in related(entry)
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.endswith(f"{event.partnership.get_absolute_url()}#event-{event.pk}")
    # The seed's July 2002 bulletin reports statuses: its entries say so.
    seattle = next(entry for entry in found if "Seattle" in entry.find(f"{ATOM}title").text)
    assert "reported active in July 2002" in seattle.find(f"{ATOM}title").text


@pytest.fixture
def stories(db):
    """A US–RU suspension, a DE–FR partnership and a domestic DE–DE one."""
    source = SourceFactory(title="Council votes to pause ties", url="https://news.example.org/pause")
    us_ru = partnership_with_history(
        ("active", "1993"),
        locality_a=LocalityFactory(name="Springfield", country="US"),
        locality_b=LocalityFactory(name="Zarechny", country="RU"),
    )
    services.record_status_event(
        partnership=us_ru,
        status="suspended",
        effective=PartialDate.parse("2022-03-04"),
        citations=[cite(source, quote="the council voted to pause the relationship")],
    )
    de_fr = partnership_with_history(
        ("active", "1962"),
        locality_a=LocalityFactory(name="Mainz", country="DE"),
        locality_b=LocalityFactory(name="Dijon", country="FR"),
    )
    de_de = partnership_with_history(
        ("active", "1990"),
        locality_a=LocalityFactory(name="Kiel", country="DE"),
        locality_b=LocalityFactory(name="Stralsund", country="DE"),
    )
    return us_ru, de_fr, de_de


def _titles(root) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in entries(root)]


@pytest.mark.usefixtures("stories")
def test_country_feed(client):
    root = parse_atom(client.get(reverse("partnerships:feed-country", kwargs={"code": "RU"})))
    assert root.find(f"{ATOM}title").text == "Partnership registry: status changes in Russian Federation"
    titles = _titles(root)
    assert titles[0] == "Springfield – Zarechny: suspended on 4 March 2022"  # newest recorded first
    assert titles[1] == "Springfield – Zarechny: became active in 1993"
    assert len(titles) == 2
    suspended = entries(root)[0]
    assert "the council voted to pause the relationship" in summary(suspended)
    assert "https://news.example.org/pause" in related(suspended)
    germany = _titles(parse_atom(client.get(reverse("partnerships:feed-country", kwargs={"code": "de"}))))
    assert sorted(germany) == [
        "Kiel – Stralsund: became active in 1990",
        "Mainz – Dijon: became active in 1962",
    ]
    assert client.get(reverse("partnerships:feed-country", kwargs={"code": "XX"})).status_code == 404


@pytest.mark.usefixtures("stories")
def test_pair_of_countries_feed(client):
    root = parse_atom(client.get(reverse("partnerships:feed-between", kwargs={"pair": "FR,DE"})))
    assert _titles(root) == ["Mainz – Dijon: became active in 1962"]
    # Names as the filters take them; one country twice is its domestic partnerships.
    names = parse_atom(client.get(reverse("partnerships:feed-between", kwargs={"pair": "USA,Russia"})))
    assert len(entries(names)) == 2
    domestic = parse_atom(client.get(reverse("partnerships:feed-between", kwargs={"pair": "DE,DE"})))
    assert _titles(domestic) == ["Kiel – Stralsund: became active in 1990"]
    for bad in ("US", "US,Narnia", "US,RU,UA"):
        assert client.get(reverse("partnerships:feed-between", kwargs={"pair": bad})).status_code == 404


@pytest.mark.usefixtures("stories")
def test_locality_feed(client):
    kiel = Locality.objects.get(name="Kiel")
    root = parse_atom(client.get(reverse("partnerships:feed-locality", kwargs={"pk": kiel.pk})))
    assert _titles(root) == ["Kiel – Stralsund: became active in 1990"]
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href").endswith(kiel.get_absolute_url())
    assert client.get(reverse("partnerships:feed-locality", kwargs={"pk": 999999})).status_code == 404


def _alternate(response) -> str:
    text = response.text
    head = text[: text.index("</head>")]
    marker = '<link rel="alternate" type="application/atom+xml"'
    assert marker in head
    start = head.index(marker)
    tag = head[start : head.index(">", start)]
    return tag.split('href="')[1].split('"')[0]


@pytest.mark.usefixtures("stories")
def test_pages_link_their_feed(client):
    kiel = Locality.objects.get(name="Kiel")
    assert _alternate(client.get(reverse("partnerships:home"))) == reverse("partnerships:feed-all")
    assert _alternate(client.get(reverse("partnerships:country-detail", kwargs={"code": "DE"}))) == reverse(
        "partnerships:feed-country", kwargs={"code": "DE"}
    )
    assert _alternate(client.get(kiel.get_absolute_url())) == reverse(
        "partnerships:feed-locality", kwargs={"pk": kiel.pk}
    )
    listing = reverse("partnerships:partnership-list")
    assert _alternate(client.get(listing, {"between": "US,Russia"})) == reverse(
        "partnerships:feed-between", kwargs={"pair": "US,RU"}
    )
    assert _alternate(client.get(listing, {"country": "de"})) == reverse(
        "partnerships:feed-country", kwargs={"code": "DE"}
    )
    # A list of every country has no feed of its own on the list page (the home page's).
    assert "application/atom+xml" not in client.get(listing).text.split("</head>")[0]


@pytest.mark.parametrize("rows", [1, 60])
def test_feed_query_count_does_not_grow(client, db, django_assert_num_queries, rows):
    for n in range(rows):
        partnership_with_history(
            ("active", str(1990 + n % 30)),
            locality_a=LocalityFactory(country="US"),
            locality_b=LocalityFactory(country="RU"),
        )
    # the events with their partnerships and parties, their citations with sources
    with django_assert_num_queries(2):
        root = parse_atom(client.get(reverse("partnerships:feed-country", kwargs={"code": "US"})))
    assert len(entries(root)) == min(rows, 50)
