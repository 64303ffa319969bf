"""Suggest a correction: the public form on partnership and locality pages. Submissions go
to staff (CorrectionRequest); nothing is published. CSRF, a honeypot, a per-address rate
limit and length limits keep abuse out."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from partnerships import services
from partnerships.models import CorrectionRequest, Locality, Partnership

from .factories import partnership_with_history

THANKS = reverse("partnerships:correction-thanks")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # The limit lives in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partnership(db):
    return partnership_with_history(("active", "2001"))


def form_url(target, kind="partnership"):
    return reverse("partnerships:correction-create", kwargs={"kind": kind, "pk": target.pk})


VALID = {
    "message": "The partnership was suspended in March 2022, not terminated.",
    "source_url": "https://news.example.org/suspension",
    "contact": "reader@example.org",
    "website": "",
}


def test_form_has_labels_and_a_hidden_honeypot(client, partnership):
    response = client.get(form_url(partnership))
    assert response.status_code == 200
    text = response.text
    for name in ("message", "source_url", "contact"):
        assert f'<label for="id_{name}">' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert '<div class="honeypot" aria-hidden="true">' in text
    assert 'tabindex="-1"' in text
    assert 'maxlength="2000"' in text
    assert str(partnership) in text


def test_happy_path_partnership(client, partnership):
    response = client.post(form_url(partnership), VALID)
    assert response.status_code == 302
    assert response["Location"] == f"{THANKS}?back={partnership.get_absolute_url().replace('/', '%2F')}"
    correction = CorrectionRequest.objects.get()
    assert correction.partnership == partnership and correction.locality is None
    assert correction.message == VALID["message"]
    assert correction.source_url == VALID["source_url"]
    assert correction.contact == VALID["contact"]
    assert correction.status == CorrectionRequest.Status.NEW
    thanks = client.get(response["Location"])
    assert "Thank you" in thanks.text
    assert f'<a href="{partnership.get_absolute_url()}">Back to the page you came from</a>' in thanks.text
    # Nothing is published: the page does not show the suggestion.
    assert VALID["message"] not in client.get(partnership.get_absolute_url()).text


def test_happy_path_locality_with_only_a_message(client, seed):
    kharkiv = Locality.objects.get(name="Kharkiv")
    response = client.post(form_url(kharkiv, "locality"), {"message": "  Also spelt Charkiw in German.  "})
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get()
    assert correction.locality == kharkiv and correction.partnership is None
    assert correction.message == "Also spelt Charkiw in German."
    assert correction.source_url == "" and correction.contact == ""


def test_thanks_page_never_links_elsewhere(client, db):
    response = client.get(THANKS, {"back": "https://evil.example.com/"})
    assert "evil.example.com" not in response.text
    response = client.get(THANKS, {"back": "//evil.example.com/"})
    assert "evil.example.com" not in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"message": ""}, "Please say what is wrong."),
        ({"message": "   "}, "Please say what is wrong."),
        ({"message": "x" * 2001}, "Please keep it to 2000 characters (it has 2001)."),
        ({"message": "ok", "source_url": "not a url"}, "Enter a web address"),
        ({"message": "ok", "source_url": "https://example.org/" + "a" * 500}, "at most 500 characters"),
        ({"message": "ok", "contact": "c" * 201}, "at most 200 characters"),
    ],
)
def test_invalid_input_is_shown_and_nothing_stored(client, partnership, data, message):
    response = client.post(form_url(partnership), data)
    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert not CorrectionRequest.objects.exists()


def test_the_longest_allowed_message(client, partnership):
    assert client.post(form_url(partnership), {"message": "x" * 2000}).status_code == 302
    assert len(CorrectionRequest.objects.get().message) == 2000


def test_honeypot_thanks_the_bot_and_stores_nothing(client, partnership):
    response = client.post(form_url(partnership), {**VALID, "website": "http://spam.example.com"})
    assert response.status_code == 302 and response["Location"].startswith(THANKS)
    assert not CorrectionRequest.objects.exists()


def test_rate_limit_per_address(client, partnership, settings):
    settings.CORRECTIONS_PER_IP = 3
    for _ in range(3):
        assert client.post(form_url(partnership), VALID).status_code == 302
    response = client.post(form_url(partnership), VALID)
    assert response.status_code == 429
    assert "already sent 3 suggestions in the last 60 minutes" in response.text
    assert response["Retry-After"] == "3600"
    assert CorrectionRequest.objects.count() == 3
    # Another address is not affected; the form itself still shows.
    assert client.post(form_url(partnership), VALID, REMOTE_ADDR="10.0.0.7").status_code == 302
    assert client.get(form_url(partnership)).status_code == 200
    # Bots filling the honeypot use up the allowance too.
    cache.clear()
    for _ in range(3):
        client.post(form_url(partnership), {**VALID, "website": "spam"})
    assert client.post(form_url(partnership), VALID).status_code == 429
    assert CorrectionRequest.objects.count() == 4


def test_the_429_page_keeps_what_the_reader_typed(client, partnership, settings):
    settings.CORRECTIONS_PER_IP = 1
    client.post(form_url(partnership), VALID)
    typed = {
        **VALID,
        "message": "Suspended on 4 March 2022 <b>not</b> terminated & the mayor said so.",
    }
    response = client.post(form_url(partnership), typed)
    assert response.status_code == 429
    text = response.text
    # The limit's message first, then the form with the reader's text, escaped, to send later.
    assert text.index("already sent 1 suggestion in the last 60 minutes") < text.index("<form")
    assert "Suspended on 4 March 2022 &lt;b&gt;not&lt;/b&gt; terminated &amp; the mayor said so." in text
    assert 'value="https://news.example.org/suspension"' in text
    assert 'value="reader@example.org"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert f'href="{partnership.get_absolute_url()}"' in text
    assert CorrectionRequest.objects.count() == 1


def test_rate_limit_window_is_configurable(client, partnership, settings):
    settings.CORRECTIONS_PER_IP = 1
    settings.CORRECTIONS_WINDOW_SECONDS = 600
    client.post(form_url(partnership), VALID)
    response = client.post(form_url(partnership), VALID)
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert "in the last 10 minutes" in response.text


def test_csrf_is_required(partnership):
    client = Client(enforce_csrf_checks=True)
    response = client.post(form_url(partnership), VALID)
    assert response.status_code == 403
    assert not CorrectionRequest.objects.exists()
    # With the token from the form it goes through.
    client.get(form_url(partnership))
    token = client.cookies["csrftoken"].value
    response = client.post(form_url(partnership), {**VALID, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CorrectionRequest.objects.count() == 1


def test_unknown_target_or_kind(client, db):
    assert client.get(form_url(Partnership(pk=987654))).status_code == 404
    assert client.get("/corrections/source/1/").status_code == 404
    assert client.put(form_url(Partnership(pk=987654))).status_code == 405


def test_service_needs_exactly_one_target(db, partnership):
    with pytest.raises(ValidationError):
        services.submit_correction(message="?")
    with pytest.raises(ValidationError):
        services.submit_correction(message="?", partnership=partnership, locality=partnership.locality_a)
    with pytest.raises(ValidationError):
        services.submit_correction(message="x" * 2001, partnership=partnership)
    assert not CorrectionRequest.objects.exists()


def test_query_count(client, partnership, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get(form_url(partnership))
