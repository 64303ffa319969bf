"""The partnership and locality changelists at scale: each row's checkbox is Django's own
HTML, written without a widget template; one COUNT per changelist (no second count of
every row); the country filter's choices from one query."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import Locality, Partnership

from .factories import LocalityFactory, PartnershipFactory


@pytest.fixture
def awkward(db):
    """Names that need escaping, in a partnership's and a locality's str()."""
    a = LocalityFactory(name='O\'Brien & <Söhne> "Nord"', country="DE")
    b = LocalityFactory(name="Saint-Étienne", country="FR")
    return PartnershipFactory(locality_a=a, locality_b=b)


@pytest.mark.parametrize("model", [Partnership, Locality])
def test_the_checkbox_is_djangos_own_html(awkward, model):
    model_admin = admin.site._registry[model]
    objects = list(model.objects.all())
    assert objects
    for obj in objects:
        assert model_admin.action_checkbox(obj) == admin.ModelAdmin.action_checkbox(model_admin, obj)
    assert "&lt;Söhne&gt;" in model_admin.action_checkbox(objects[0]) or model is Locality


def _counts(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("model", [Partnership, Locality])
@pytest.mark.parametrize("params", [{}, {"q": "saint"}, {"country": "DE"}])
def test_one_count_per_changelist(editor_client, awkward, model, params):
    url = reverse(f"admin:partnerships_{model._meta.model_name}_changelist")
    response, counts = _counts(editor_client, url, params)
    assert len(counts) == 1, counts
    changelist = response.context["cl"]
    assert changelist.result_count == changelist.queryset.count()
    assert changelist.full_result_count is None
    if params.get("q") == "saint":
        names = {str(obj) for obj in changelist.result_list}
        assert any("Saint-Étienne" in name for name in names), names
    # Every row still has its checkbox.
    assert response.text.count('class="action-select"') == len(changelist.result_list) > 0


def test_country_filter_choices(editor_client, awkward):
    LocalityFactory(country="JP")
    url = reverse("admin:partnerships_locality_changelist")
    response = editor_client.get(url)
    (country_filter,) = [
        f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "country"
    ]
    codes = [value for value, _label in country_filter.lookup_choices]
    assert (
        codes == sorted({"DE", "FR", "JP"}) == sorted(set(Locality.objects.values_list("country", flat=True)))
    )
