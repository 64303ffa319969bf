"""Issue 13, point 1: a status *change* ("suspended on 4 March 2022", "active since 1973")
is worded apart from an *attestation*, a source reporting the status on its date
("reported active in July 2002"). The transition rules apply to changes; an attestation
agrees with the timeline or is refused; "as of" keeps working."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership, StatusEvent
from tests.apitools import csv_rows, get_json, unthrottled, url  # noqa: F401

from .factories import LocalityFactory, PartnershipFactory, cite, partnership_with_history

ATTESTATION = StatusEvent.Kind.ATTESTATION
P = PartialDate.parse


def words(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, spaces folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def record(partnership, status, when, kind=StatusEvent.Kind.CHANGE):
    return services.record_status_event(
        partnership=partnership, status=status, effective=P(when), kind=kind, citations=[cite()]
    )


def row_text(html: str, name: str) -> str:
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if name in r)
    return words(row)


# ------------------------------------------------------------------------------ seed


@pytest.mark.usefixtures("seed", "unthrottled")
class TestSeed:
    def july_2002(self):
        return list(Partnership.objects.filter(events__effective_on=datetime.date(2002, 7, 1)).distinct())

    def test_every_seed_event_is_an_attestation(self):
        assert StatusEvent.objects.count() == 18
        assert set(StatusEvent.objects.values_list("kind", flat=True)) == {ATTESTATION}
        kherson = Partnership.objects.matching("Kherson").get()
        assert kherson.events.get().kind == ATTESTATION

    def test_the_list_reads_reported_never_since(self, client):
        html = client.get(reverse("partnerships:partnership-list")).text
        partnerships = self.july_2002()
        assert len(partnerships) == 17
        for p in partnerships:
            text = row_text(html, f"{p.locality_a.name} – {p.locality_b.name}")
            assert f"reported {p.current_status} in July 2002" in text, text
            assert "since" not in text
        assert "reported active in August 2025" in row_text(html, "Kherson – Worcester")

    def test_the_detail_page_reads_reported_active_in_july_2002(self, client):
        seattle = Partnership.objects.matching("Tashkent").get()
        text = words(client.get(seattle.get_absolute_url()).text)
        assert "Current status reported active in July 2002" in text
        assert "reported active in July 2002" in text.split("Status timeline", 1)[1]
        assert "since July 2002" not in text and "active since" not in text

    def test_the_home_page_and_source_page_word_reports(self, client):
        text = words(client.get(reverse("partnerships:home")).text)
        assert "reported active in August 2025" in text
        assert (
            "since" not in text.split("Latest status changes and reports", 1)[1].split("Found a mistake")[0]
        )

    def test_the_api_reports_status_reported(self, client):
        seattle = Partnership.objects.matching("Tashkent").get()
        page = get_json(client, "partnership-list", page_size=200)
        row = next(r for r in page["results"] if r["id"] == seattle.pk)
        july = {"date": "2002-07-01", "precision": "month"}
        assert row["status"] == "active" and row["status_since"] == july and row["status_reported"] == july
        detail = get_json(client, "partnership-detail", seattle.pk)
        assert detail["status_reported"] == july
        assert [event["kind"] for event in detail["events"]] == ["attestation"]

    def test_the_csv_carries_status_reported(self, client):
        rows = csv_rows(client.get(url("partnership-list", format="csv", q="Tashkent")))
        assert rows[0]["status_reported.date"] == "2002-07-01" == rows[0]["status_since.date"]

    def test_the_schema_documents_status_reported(self, client):
        schema = client.get(reverse("api:schema"), {"format": "json"}).json()
        properties = schema["components"]["schemas"]["Partnership"]["properties"]
        assert "status_reported" in properties
        assert "reported active in July 2002" in properties["status_reported"]["description"]

    def test_the_admin_timeline_words_it(self, admin_client):
        seattle = Partnership.objects.matching("Tashkent").get()
        content = admin_client.get(reverse("admin:partnerships_partnership_change", args=[seattle.pk])).text
        assert "reported active in July 2002" in content
        assert "active since July 2002" not in content

    def test_a_later_change_reads_since(self, client):
        duluth = Partnership.objects.matching("Petrozavodsk").get()
        record(duluth, "suspended", "2022-03-04")
        duluth.refresh_from_db()
        assert duluth.current_status_since_partial == P("2022-03-04")
        assert duluth.current_status_reported is None
        text = words(client.get(duluth.get_absolute_url()).text)
        assert "Current status suspended since 4 March 2022" in text
        assert "suspended on 4 March 2022" in text and "reported active in July 2002" in text


# --------------------------------------------------------------------- the wording


def test_a_real_change_reads_since(client, db):
    p = partnership_with_history(
        ("active", "1973"),
        locality_a=LocalityFactory(name="Seattle", country="US"),
        locality_b=LocalityFactory(name="Tashkent", country="UZ"),
    )
    text = words(client.get(p.get_absolute_url()).text)
    assert "Current status active since 1973" in text
    assert "became active in 1973" in text and "reported" not in text.split("Status timeline", 1)[1]
    listed = row_text(client.get(reverse("partnerships:partnership-list")).text, "Seattle – Tashkent")
    assert "active since 1973" in listed and "reported" not in listed


def test_an_attestation_after_a_change_keeps_since_and_adds_reported(client, db):
    p = partnership_with_history(("active", "1973"))
    record(p, "active", "2002-07", kind=ATTESTATION)
    p.refresh_from_db()
    assert p.current_status == "active"
    assert p.current_status_since_partial == P("1973")
    assert p.current_status_reported_partial == P("2002-07")
    text = words(client.get(p.get_absolute_url()).text)
    assert "active since 1973, last reported in July 2002" in text
    assert "reported active in July 2002" in text and "became active in 1973" in text
    admin_words = services.timeline.reported_status_fields(p.events.all())
    assert admin_words["current_status_since"] == datetime.date(1973, 1, 1)


def test_event_wording():
    def phrase(kind, status, when):
        date = P(when)
        return StatusEvent(
            kind=kind, status=status, effective_on=date.date, effective_precision=date.precision
        )

    assert phrase(ATTESTATION, "active", "2002-07").describe() == "reported active in July 2002"
    assert phrase("change", "active", "1973").describe() == "became active in 1973"
    assert phrase("change", "suspended", "2022-03-04").describe() == "suspended on 4 March 2022"
    assert phrase("change", "terminated", "2023-05").describe() == "terminated in May 2023"


# ------------------------------------------------------------------------- the rules


def test_an_attestation_may_repeat_the_current_status(db):
    p = partnership_with_history(("active", "1973"))
    record(p, "active", "2002-07", kind=ATTESTATION)
    record(p, "active", "2010", kind=ATTESTATION)
    p.refresh_from_db()
    assert p.current_status_reported_partial == P("2010")
    # The same as a change is still refused: it is already active.
    with pytest.raises(ValidationError, match="already reported active"):
        record(p, "active", "2012")


def test_an_attestation_that_contradicts_the_timeline_is_refused(db):
    p = partnership_with_history(("active", "1973"), ("terminated", "2015"))
    with pytest.raises(ValidationError) as refused:
        record(p, "active", "2016", kind=ATTESTATION)
    message = " ".join(refused.value.messages)
    assert "A source reporting it active contradicts the timeline" in message
    assert "terminated" in message and "record that change" in message
    assert p.events.count() == 2
    # Before the termination it agrees.
    record(p, "active", "2002-07", kind=ATTESTATION)
    # Nor may a later change contradict an attestation.
    q = PartnershipFactory()
    record(q, "active", "2002-07", kind=ATTESTATION)
    with pytest.raises(ValidationError, match="already reported active"):
        record(q, "active", "2005")
    with pytest.raises(ValidationError, match="A source reporting it suspended contradicts"):
        record(q, "suspended", "2003", kind=ATTESTATION)


def test_an_attestation_with_nothing_before_it_tells_the_status_then(db):
    p = PartnershipFactory()
    # A first *change* cannot be "suspended"; a first report of one can.
    with pytest.raises(ValidationError, match="first recorded status"):
        record(p, "suspended", "2022")
    record(p, "suspended", "2022-06", kind=ATTESTATION)
    p.refresh_from_db()
    assert (p.current_status, p.current_status_since_partial, p.current_status_reported_partial) == (
        "suspended",
        P("2022-06"),
        P("2022-06"),
    )
    # The changes that follow start from the reported status.
    record(p, "terminated", "2023")
    with pytest.raises(ValidationError):
        services.timeline.delete_status_event(event=p.events.get(kind=ATTESTATION))
    p.refresh_from_db()
    assert p.current_status == "terminated" and p.current_status_reported is None


def test_changing_the_kind_is_checked_too(db):
    p = partnership_with_history(("active", "1973"))
    attestation = record(p, "active", "2002-07", kind=ATTESTATION)
    with pytest.raises(ValidationError, match="already active"):
        services.update_status_event(event=attestation, kind=StatusEvent.Kind.CHANGE)
    attestation.refresh_from_db()
    assert attestation.kind == ATTESTATION


# -------------------------------------------------------------------------- as of


def test_as_of_an_attestation_tells_the_status_on_its_date(db):
    p = partnership_with_history(("active", "1973"))
    record(p, "active", "2002-07", kind=ATTESTATION)
    record(p, "suspended", "2022-03-04")
    q = PartnershipFactory()
    record(q, "active", "2002-07", kind=ATTESTATION)

    def on(date, partnership):
        row = Partnership.objects.as_of(date).filter(pk=partnership.pk).first()
        if row is None:
            return None
        return (row.status, row.status_since, row.status_reported)

    D = datetime.date
    assert on(D(2000, 1, 1), p) == ("active", D(1973, 1, 1), None)
    assert on(D(2010, 1, 1), p) == ("active", D(1973, 1, 1), D(2002, 7, 1))
    assert on(D(2023, 1, 1), p) == ("suspended", D(2022, 3, 4), None)
    assert on(D(2010, 1, 1), q) == ("active", D(2002, 7, 1), D(2002, 7, 1))
    assert on(D(2000, 1, 1), q) is None  # nothing known of it yet, as before
    # Today, as_of(a date) and the stored current status agree.
    today = datetime.date.today()
    for partnership in (p, q):
        partnership.refresh_from_db()
        assert on(today, partnership) == (
            partnership.current_status,
            partnership.current_status_since,
            partnership.current_status_reported,
        )
        assert on(None, partnership) == on(today, partnership)


@pytest.mark.usefixtures("unthrottled")
def test_the_api_records_an_attestation(client, staff_editor):
    from tests.apitools import token_header

    partnership = partnership_with_history(("active", "1973"))

    def post(data):
        return client.post(
            url("partnership-events", partnership.pk),
            {"internal_record": True, **data},
            content_type="application/json",
            **token_header(staff_editor),
        )

    response = post({"kind": "attestation", "status": "active", "date": "2002-07"})
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "attestation"
    # Without a kind it is a change, as before: "active" again is refused.
    assert post({"status": "active", "date": "2010"}).status_code == 400
    refused = post({"kind": "attestation", "status": "terminated", "date": "2010"})
    assert refused.status_code == 400 and "contradicts the timeline" in str(refused.json()["errors"])
    detail = get_json(client, "partnership-detail", partnership.pk)
    assert detail["status_since"] == {"date": "1973-01-01", "precision": "year"}
    assert detail["status_reported"] == {"date": "2002-07-01", "precision": "month"}
