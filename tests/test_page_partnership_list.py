"""/partnerships/: the list with the API's filters, as-of time travel, pagination and CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from partnerships.models import Organization, Partnership

from .factories import LocalityFactory, PartnershipFactory, partnership_with_history, varied_registry

URL = reverse("partnerships:partnership-list")


def names(response):
    return [str(p) for p in response.context["page"].object_list]


@pytest.fixture
def suspended_in_2022(db):
    """The seed has no suspension: one like the many US–Russian ones after February 2022."""
    return partnership_with_history(
        ("active", "1993"),
        ("suspended", "2022-03"),
        locality_a=LocalityFactory(name="Springfield", country="US"),
        locality_b=LocalityFactory(name="Zarechny", country="RU"),
    )


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_every_partnership_with_its_status_and_date_precision(self, client):
        response = client.get(URL)
        assert response.status_code == 200
        assert len(names(response)) == 18 == response.context["page"].paginator.count
        text = response.text
        assert "Tver Oblast – Louisiana" in text and "status-proposed" in text
        assert "July 2002" in text and "August 2025" in text
        assert "2002-07-01" not in text

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "KHARKOV"}, ["Cincinnati – Kharkiv"]),
            ({"q": "Харьков"}, ["Cincinnati – Kharkiv"]),
            ({"country": "ua"}, ["Cincinnati – Kharkiv", "Iowa – Cherkasy Oblast", "Kherson – Worcester"]),
            ({"country": "UZ,TJ"}, ["Boulder – Dushanbe", "Seattle – Tashkent"]),
            ({"status": "proposed"}, ["Tver Oblast – Louisiana"]),
            (
                {"between": "RU,US", "kind": "sister_state"},
                ["Maryland – Leningrad Oblast", "Tver Oblast – Louisiana"],
            ),
        ],
    )
    def test_filters(self, client, params, expected):
        assert names(client.get(URL, params)) == expected

    def test_between_two_countries(self, client):
        response = client.get(URL, {"between": "US,RU"})
        assert len(names(response)) == 7
        assert "Kherson – Worcester" not in names(response)

    def test_organization(self, client):
        c4c = Organization.objects.get(name="Cities4Cities")
        response = client.get(URL, {"organization": c4c.pk})
        assert names(response) == ["Kherson – Worcester"]
        assert f'<option value="{c4c.pk}" selected>' in response.text

    def test_as_of_leaves_out_what_did_not_exist_yet(self, client):
        response = client.get(URL, {"as_of": "2020-01-01"})
        assert len(names(response)) == 17 and "Kherson – Worcester" not in names(response)
        assert "Partnerships as of 1 January 2020" in response.text
        # The picker shows the chosen date.
        assert 'type="date" value="2020-01-01"' in response.text
        # Before July 2002 the seed's partnerships were only announced, not yet recorded.
        assert names(client.get(URL, {"as_of": "2002-06-30"})) == []

    def test_bad_parameters_show_the_page_with_a_message_for_each(self, client):
        response = client.get(
            URL,
            {
                "q": "kharkov",
                "country": "XX",
                "status": "bogus",
                "as_of": "2020-02-31",
                "between": "US",
                "established_after": "20",
                "organization": "abc",
                "page": "x",
            },
        )
        assert response.status_code == 200
        text = response.text
        assert "Some filters could not be used and were left out" in text
        assert "“XX” is not an ISO 3166-1 alpha-2 country code" in text
        assert "Unknown value “bogus”" in text
        assert "“2020-02-31” is not a date of the form YYYY-MM-DD" in text
        assert "Give exactly 2 country codes" in text
        assert "“20” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD" in text
        errors = {error["name"] for error in response.context["filter_errors"]}
        assert errors == {"country", "status", "as_of", "between", "established_after", "organization"}
        # The visitor's values stay in the form so they can correct them.
        assert 'value="XX"' in text and 'aria-invalid="true"' in text
        # A country the page cannot understand lists nothing rather than every country's
        # partnerships (issue 13); without the country filters the valid filter still applies.
        assert names(response) == []
        assert "Nothing is listed until the country is corrected" in text
        response = client.get(
            URL,
            {
                "q": "kharkov",
                "status": "bogus",
                "as_of": "2020-02-31",
                "established_after": "20",
                "organization": "abc",
                "page": "x",
            },
        )
        assert {error["name"] for error in response.context["filter_errors"]} == {
            "status",
            "as_of",
            "established_after",
            "organization",
        }
        assert names(response) == ["Cincinnati – Kharkiv"]
        assert "Nothing is listed" not in response.text

    @pytest.mark.parametrize("value", ["\x00", "a" * 201])
    def test_unusable_text_is_a_message_not_an_error(self, client, value):
        response = client.get(URL, {"q": value})
        assert response.status_code == 200
        assert response.context["filter_errors"]

    @pytest.mark.parametrize("name", ["country", "between", "status", "kind", "as_of", "established_after"])
    @pytest.mark.parametrize("value", ["%s", "%(x)s", "%", "{0}"])
    def test_format_characters_in_values_are_a_message(self, client, name, value):
        response = client.get(URL, {name: value})
        assert response.status_code == 200
        assert [error["name"] for error in response.context["filter_errors"]] == [name]
        assert "Some filters could not be used" in response.text

    def test_csv_link_carries_exactly_the_current_filter(self, client):
        response = client.get(URL, {"country": "UA", "status": "active", "page": "1"})
        csv_url = response.context["csv_url"]
        assert csv_url == reverse("api:partnership-list") + "?country=UA&status=active&format=csv"
        assert csv_url.replace("&", "&amp;") in response.text
        download = client.get(csv_url)
        assert download.status_code == 200
        assert download["Content-Type"].startswith("text/csv")
        body = b"".join(download.streaming_content) if download.streaming else download.content
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert len(rows) == 3

    def test_csv_link_leaves_out_what_the_page_left_out(self, client):
        # (An unknown country is not left out but refused, with no list and no CSV link:
        # see TestCountryNames; an unknown status is left out.)
        response = client.get(URL, {"status": "bogus", "country": "UA", "format": "json"})
        assert response.context["csv_url"] == reverse("api:partnership-list") + "?country=UA&format=csv"
        body = b"".join(client.get(response.context["csv_url"]).streaming_content)
        assert (
            len(list(csv.DictReader(io.StringIO(body.decode())))) == response.context["page"].paginator.count
        )

    def test_csv_link_without_filters(self, client):
        response = client.get(URL)
        assert response.context["csv_url"] == reverse("api:partnership-list") + "?format=csv"


@pytest.mark.usefixtures("seed")
class TestCountryNames:
    """?country= takes a country's name as well as its code; one it cannot understand is
    refused and lists nothing, never every country's partnerships (issue 13)."""

    @pytest.mark.parametrize("country", ["Russia", "russia", "Russian Federation", "RU"])
    def test_a_name_is_understood(self, client, country):
        response = client.get(URL, {"country": country})
        assert len(names(response)) == 7
        assert not response.context["filter_errors"]
        assert f'value="{country}"' in response.text
        assert response.context["csv_url"].endswith("format=csv")

    def test_aliases(self, client):
        assert names(client.get(URL, {"country": "USA"})) == names(client.get(URL, {"country": "US"}))
        assert names(client.get(URL, {"country": "Kyrgyzstan"})) == ["Colorado Springs – Bishkek"]
        assert len(names(client.get(URL, {"between": "USA,Russia"}))) == 7

    @pytest.mark.parametrize(("name", "value"), [("country", "Narnia"), ("between", "Russia,Narnia")])
    def test_a_name_it_cannot_understand_lists_nothing(self, client, name, value):
        response = client.get(URL, {name: value, "status": "active"})
        assert response.status_code == 200
        assert names(response) == []
        text = response.text
        assert "“Narnia” is not an ISO 3166-1 alpha-2 country code" in text
        assert "Nothing is listed until the country is corrected or cleared" in text
        assert 'value="Narnia"' in text or 'value="Russia,Narnia"' in text
        # No table, count, CSV or map link that would pass for the country's.
        assert 'class="partnerships' not in text
        assert "Download CSV" not in text

    def test_the_map_shows_nothing_either(self, client):
        response = client.get(reverse("partnerships:map"), {"country": "Narnia"})
        assert response.status_code == 200
        assert response.context["partnerships"] == [] and response.context["map_points"] == []
        assert "Nothing is listed until the country is corrected" in response.text


def test_as_of_shows_the_status_on_that_date(client, seed, suspended_in_2022):
    before = client.get(URL, {"as_of": "2021-12-31", "q": "Springfield"})
    assert names(before) == ["Springfield – Zarechny"]
    assert before.context["page"].object_list[0].status == "active"
    assert "Status on 31 December 2021" in before.text
    assert 'status-active">active' in before.text and "1993" in before.text

    today = client.get(URL, {"q": "Springfield"})
    assert today.context["page"].object_list[0].status == "suspended"
    assert 'status-suspended">suspended' in today.text and "March 2022" in today.text

    assert names(client.get(URL, {"as_of": "2021-12-31", "status": "suspended"})) == []
    assert "Springfield – Zarechny" in names(client.get(URL, {"as_of": "2021-12-31", "status": "active"}))
    assert names(client.get(URL, {"status": "suspended"})) == ["Springfield – Zarechny"]


def test_established_filters(client, db):
    PartnershipFactory(
        established_on=datetime.date(1990, 1, 1),
        established_precision="year",
        locality_a=LocalityFactory(name="Early"),
    )
    PartnershipFactory(
        established_on=datetime.date(2005, 6, 1),
        established_precision="month",
        locality_a=LocalityFactory(name="Later"),
    )
    assert [n.split(" – ")[0] for n in names(client.get(URL, {"established_before": "1990"}))] == ["Early"]
    assert [n.split(" – ")[0] for n in names(client.get(URL, {"established_after": "2005-06"}))] == ["Later"]


def test_pagination_keeps_the_filters(client, db):
    for _ in range(55):
        partnership_with_history(("active", "2001"))
    response = client.get(URL, {"status": "active"})
    page = response.context["page"]
    assert page.paginator.num_pages == 2 and len(page.object_list) == 50
    assert 'href="?status=active&amp;page=2"' in response.text
    second = client.get(URL, {"status": "active", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert 'href="?status=active&amp;page=1"' in second.text
    # Out-of-range and non-numeric pages fall back instead of failing.
    assert client.get(URL, {"page": "999"}).context["page"].number == 2
    assert client.get(URL, {"page": "x"}).context["page"].number == 1


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    for _ in range(rows):
        partnership_with_history(("active", "2001"), ("suspended", "2022-03"))
    # count, rows, the rows' data-set licences, the organization and country choices of the form
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"as_of": "2021-12-31", "country": "US"})
    assert len(response.context["page"].object_list) == min(rows, 50)
    assert {p.status for p in response.context["page"].object_list} == {"active"}
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert Partnership.objects.count() == rows


def test_order_by_establishment(client, db):
    for name, year in (("Middle", "1990"), ("Oldest", "1960"), ("Newest", "2010")):
        PartnershipFactory(
            locality_a=LocalityFactory(name=name),
            established_on=datetime.date(int(year), 1, 1),
            established_precision="year",
        )
    PartnershipFactory(locality_a=LocalityFactory(name="Undated"))
    response = client.get(URL, {"ordering": "-established"})
    assert [n.split(" – ")[0] for n in names(response)] == ["Newest", "Middle", "Oldest", "Undated"]
    assert '<option value="-established" selected>' in response.text
    response = client.get(URL, {"ordering": "established"})
    assert [n.split(" – ")[0] for n in names(response)] == ["Oldest", "Middle", "Newest", "Undated"]
    response = client.get(URL, {"ordering": "sideways"})
    assert response.status_code == 200 and "Order by" in response.text
    assert [error["name"] for error in response.context["filter_errors"]] == ["ordering"]


# ------------------------------------------- the rows written without the row template


LEAN_LISTS = [
    {"country": "DE"},
    {"country": "FR", "page": "2"},
    {"country": "DE", "status": "active"},
    {"country": "FR", "status": "active,suspended"},
    {"between": "DE,FR"},
    {"between": "FR,DE", "status": "suspended"},
    {"country": "UA"},
    {"country": "NO"},  # no partnerships
]


@pytest.mark.parametrize("query", LEAN_LISTS)
def test_the_written_rows_are_the_templates_bytes(db, client, monkeypatch, query, settings):
    """A list the index serves writes its rows without the row template
    (partnerships.list_rows); the page is the same, byte for byte, as the template's."""
    from partnerships import list_rows

    varied_registry()
    written = client.get(URL, query)
    assert isinstance(written.context["page"].object_list, list_rows.PageRows)
    monkeypatch.setattr(list_rows, "page_rows", lambda filterset: None)
    rendered = client.get(URL, query)
    assert not isinstance(rendered.context["page"].object_list, list_rows.PageRows)
    assert written.content == rendered.content
    if query != {"country": "NO"}:
        assert written.context["page"].object_list, query
        assert [str(row) for row in written.context["page"].object_list] == names(rendered)


def test_the_written_rows_cover_every_variant(db, client):
    """The data above has what the row template branches on, in the written rows."""
    varied_registry()
    text = client.get(URL, {"country": "DE"}).text + client.get(URL, {"country": "FR"}).text
    for fragment in (
        '<span class="tag">domestic</span>',
        'class="tag licence"',
        "CC BY-SA 4.0",
        "MIT (the repository)",
        "Bad &lt;Tölz&gt; &amp; &quot;Wolfratshausen&quot;",
        "L&#x27;Haÿ-les-Roses",
        "reported <span",
        "no status recorded",
        ", last reported ",
        "since 1973",
        "status-suspended",
    ):
        assert fragment in text, fragment


def test_other_lists_render_the_row_template(db, client):
    """As of a date, another order or a search: not a precompiled shape."""
    from partnerships import list_rows

    varied_registry()
    for query in (
        {"country": "DE", "ordering": "-established"},
        {"country": "DE", "as_of": "2000-01-01"},
        {"q": "Köln"},
    ):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert not isinstance(response.context["page"].object_list, list_rows.PageRows), query
