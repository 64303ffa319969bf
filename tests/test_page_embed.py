"""/localities/<id>/embed/: one locality's partnerships for a city's own site, in its
language, without script, and the only page that may be framed; the locality page's
copy-paste snippet."""

import html

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality, LocalityAlias

from .factories import LocalityFactory, SourceFactory, cite, partnership_with_history


def embed_url(locality):
    return reverse("partnerships:locality-embed", kwargs={"pk": locality.pk})


def csp(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in (p.strip() for p in policy.split(";")) if part
    }


def test_seed_embed_lists_partnerships_with_status_and_sources(client, seed):
    seattle = Locality.objects.get(name="Seattle")
    response = client.get(embed_url(seattle))
    assert response.status_code == 200
    text = response.text
    assert '<html lang="en">' in text
    assert "<h1>Partnerships of Seattle</h1>" in text
    assert ">Tashkent</a>" in text
    # The seed's July 2002 bulletin only reports the status.
    assert "reported active, July 2002" in text and "since July 2002" not in text
    assert "Sources: " in text
    row = response.context["rows"][0]
    assert row.citations and all(c.source.title[:20] in html.unescape(text) for c in row.citations)
    # "Data from …", back to the locality's page on the registry, and the licence.
    assert (
        f'<a href="http://testserver{seattle.get_absolute_url()}" target="_blank" rel="noopener">Data from the Partnership registry</a>'
        in text
    )
    assert "CC BY 4.0" in text


def test_embed_runs_no_script(client, seed):
    seattle = Locality.objects.get(name="Seattle")
    response = client.get(embed_url(seattle))
    text = response.text.lower()
    assert "<script" not in text
    for handler in ("onclick=", "onload=", "onerror=", "javascript:"):
        assert handler not in text
    # And the browser is told to run none, even if some were injected.
    assert csp(response)["script-src"] == "'none'"


def test_only_the_embed_may_be_framed(client, seed):
    seattle = Locality.objects.get(name="Seattle")
    embed = client.get(embed_url(seattle))
    assert "X-Frame-Options" not in embed
    assert csp(embed)["frame-ancestors"] == "*"
    for path in (
        reverse("partnerships:home"),
        seattle.get_absolute_url(),
        reverse("partnerships:partnership-list"),
        reverse("partnerships:country-detail", kwargs={"code": "US"}),
        reverse("partnerships:feed-all"),
        reverse("api:partnership-list"),
    ):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert csp(response)["frame-ancestors"] == "'none'", path
        if "script-src" in csp(response) and path != reverse("api:partnership-list"):
            assert csp(response)["script-src"] == "'self'", path


@pytest.fixture
def munich(db):
    munich = LocalityFactory(name="Munich", country="DE")
    services.add_locality_alias(
        locality=munich,
        alias=services.AliasInput(name="München", kind=LocalityAlias.Kind.NATIVE, language="de"),
    )
    bordeaux = LocalityFactory(name="Bordeaux", country="FR")
    kyiv = LocalityFactory(name="Kyiv", country="UA")
    services.add_locality_alias(
        locality=kyiv, alias=services.AliasInput(name="Kiew", kind=LocalityAlias.Kind.VARIANT, language="de")
    )
    services.add_locality_alias(
        locality=kyiv,
        alias=services.AliasInput(
            name="Kiev (old)",
            kind=LocalityAlias.Kind.FORMER,
            language="de",
            valid_to=PartialDate.parse("2020"),
        ),
    )
    source = SourceFactory(title="Stadtrat bestätigt Partnerschaft", url="https://example.de/rat")
    partnership_with_history(("active", "1964-05-07"), locality_a=munich, locality_b=bordeaux)
    p = partnership_with_history(("active", "1989-10"), locality_a=kyiv, locality_b=munich)
    services.record_status_event(
        partnership=p,
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        citations=[cite(source, quote="ausgesetzt")],
    )
    return munich


def test_embed_in_the_city_language(client, munich):
    response = client.get(embed_url(munich), {"lang": "de"})
    assert response["Content-Language"] == "de"
    text = response.text
    assert '<html lang="de">' in text
    assert "<h1>Partnerschaften von München</h1>" in text
    # Names from the aliases in that language still in use; dates in German.
    assert ">Kiew</a>" in text and "Kiev (old)" not in text
    assert ">Bordeaux</a>" in text
    assert "aktiv seit 7. Mai 1964" in text
    assert "ausgesetzt seit März 2022" in text
    assert "Quellen: " in text and "Stadtrat bestätigt Partnerschaft" in text
    assert "Daten aus dem Partnerschaftsregister" in text
    # Rows in the order of the names as shown.
    assert [row.partner_name for row in response.context["rows"]] == ["Bordeaux", "Kiew"]


def test_embed_language_falls_back_to_english(client, munich):
    for lang in ("xx", "", "<script>"):
        response = client.get(embed_url(munich), {"lang": lang})
        assert '<html lang="en">' in response.text and "<h1>Partnerships of Munich</h1>" in response.text
        assert "<script>" not in response.text
    assert client.get(embed_url(munich), {"lang": "de-AT"}).context["lang"] == "de"


def test_embed_of_a_locality_without_partnerships(client, db):
    lonely = LocalityFactory(name="Lonely", country="FR")
    response = client.get(embed_url(lonely), {"lang": "fr"})
    assert "<h1>Jumelages de Lonely</h1>" in response.text
    assert "Aucun jumelage" in response.text
    assert client.get(reverse("partnerships:locality-embed", kwargs={"pk": 999999})).status_code == 404


def test_locality_page_offers_the_snippet(client, munich):
    response = client.get(munich.get_absolute_url())
    text = response.text
    snippet = html.unescape(
        text.split('<textarea id="embed-snippet"')[1].split(">", 1)[1].split("</textarea>")[0]
    )
    assert snippet.startswith(f'<iframe src="http://testserver{embed_url(munich)}"')
    assert 'title="Partnerships of Munich"' in snippet and snippet.endswith("</iframe>")
    assert "<code>de</code>" in text  # the languages its aliases have


@pytest.mark.parametrize("rows", [1, 30])
def test_embed_query_count_does_not_grow(client, db, django_assert_num_queries, rows):
    hub = LocalityFactory(name="Hub", country="US")
    for n in range(rows):
        partner = LocalityFactory(country="DE")
        services.add_locality_alias(
            locality=partner, alias=services.AliasInput(name=f"Ort {n}", kind="variant", language="de")
        )
        partnership_with_history(("active", str(1990 + n % 20)), locality_a=hub, locality_b=partner)
    # the locality and its aliases, the partnerships, the first and the second parties'
    # aliases, the citations with their sources
    with django_assert_num_queries(6):
        response = client.get(embed_url(hub), {"lang": "de"})
    assert len(response.context["rows"]) == rows
    assert all(row.partner_name.startswith("Ort ") for row in response.context["rows"])
