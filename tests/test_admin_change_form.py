"""The partnership change form: timeline and citations newest first, the current status
read-only, and a query count that does not grow with the number of events or citations."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import StatusEvent
from tests.factories import SourceFactory, cite, partnership_with_history
from tests.test_admin import change_url


def with_events(n):
    """A partnership with n status events (alternating active and suspended), each cited,
    and n citations of its own."""
    partnership = partnership_with_history(("active", "1950"))
    for year in range(1951, 1950 + n):
        status = "suspended" if year % 2 else "active"
        services.record_status_event(
            partnership=partnership, status=status, effective=PartialDate.parse(str(year)), citations=[cite()]
        )
    source = SourceFactory()
    for i in range(n):
        services.add_citation(citation=cite(source, quote=f"Quote {i}"), partnership=partnership)
    return partnership


@pytest.mark.parametrize("n", [1, 30])
def test_change_form_queries_do_not_grow_with_events(editor_client, django_assert_max_num_queries, n):
    partnership = with_events(n)
    # session, user, the partnership, permissions, organizations and focus areas chosen,
    # the version for the lost-update check, the events with their citations, the
    # partnership's citations, content types, and both parties (form and page title).
    with django_assert_max_num_queries(18):
        response = editor_client.get(change_url(partnership))
    assert response.status_code == 200
    (events,) = [i for i in response.context["inline_admin_formsets"] if i.formset.model is StatusEvent]
    assert len(events.formset.forms) == n


def test_timeline_and_citations_are_newest_first_and_status_read_only(editor_client):
    partnership = with_events(3)
    response = editor_client.get(change_url(partnership))
    events, citations = response.context["inline_admin_formsets"]
    dates = [form.instance.effective_on for form in events.formset.forms]
    assert dates == sorted(dates, reverse=True)
    quotes = [form.instance.quote for form in citations.formset.forms]
    assert quotes == ["Quote 2", "Quote 1", "Quote 0"]
    assert "current_status" not in response.context["adminform"].form.fields
    assert "active since 1952" in response.content.decode()
