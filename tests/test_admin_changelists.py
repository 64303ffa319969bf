"""The partnership and locality changelists at scale: each row's checkbox is Django's own
HTML, written without a widget template; one COUNT per changelist (no second count of
every row); the country filter's choices from one query."""

from unittest import mock

import pytest
from django.contrib import admin
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.admin.rows import rows
from partnerships.models import Job, Locality, Partnership

from .factories import LocalityFactory, PartnershipFactory
from .test_admin import MAKERS


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


# ------------------------------------------------- the rows, as Django writes them


def _djangos_and_lean(cl):
    """The changelist's results table as Django's ``{% result_list %}`` writes it, and
    as ``{% lean_result_list %}`` does."""
    context = {"cl": cl, "opts": cl.opts}
    django_html = engines["django"].from_string("{% load admin_list %}{% result_list cl %}").render(context)
    lean_html = (
        engines["django"].from_string("{% load admin_rows %}{% lean_result_list cl %}").render(context)
    )
    return django_html, lean_html


@pytest.fixture
def every_kind_of_row(db, awkward):
    """Rows of every model the admin lists: the admin tests' makers, names that need
    escaping, a parent locality (a foreign-key column), aliases, an unset date, a
    verified partnership (a date-time column), a locality with coordinates outside its
    country, a correction request and a job."""
    for make in MAKERS.values():
        make(2)
    parent = LocalityFactory(name="Bayern & <Franken>", country="DE")
    child = LocalityFactory(name="Nürnberg", country="DE", parent=parent)
    services.add_locality_alias(locality=child, alias=services.AliasInput(name='Nuremberg "<b>"'))
    Partnership.objects.filter(pk=awkward.pk).update(last_verified_at=timezone.now())
    services.submit_correction(message="<i>Wrong</i> & late", partnership=awkward)
    Job.objects.create(kind=Job.Kind.IMPORT, params={"name": "big.csv"}, report={"rows": 0})
    Locality.objects.filter(pk=child.pk).update(
        latitude=35.0, longitude=139.0, coordinates_check=Locality.CoordinatesCheck.OUTSIDE
    )


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


# A plain list, a search, a sort by two columns, a filter, a popup, preserved filters.
PARAMS = [{}, {"q": "saint"}, {"o": "-2.3"}, {"country": "DE"}, {"_popup": "1"}, {"_changelist_filters": "x"}]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_rows_are_djangos_own_html(admin_client, every_kind_of_row, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    shown = 0
    for params in PARAMS:
        response = admin_client.get(url, params)
        if response.status_code != 200:  # a filter this changelist does not have
            assert response.status_code == 302 and "e=1" in response["Location"], (
                params,
                response.status_code,
            )
            continue
        cl = response.context["cl"]
        django_html, lean_html = _djangos_and_lean(cl)
        assert lean_html == django_html, params
        shown += len(cl.result_list)
        if model._meta.app_label == "partnerships" and model._meta.model_name != "job":
            # The page writes them so (the app's change_list.html; the jobs have their own).
            assert lean_html in response.text, params
    assert shown or model._meta.app_label != "partnerships"


@pytest.mark.parametrize("model", [Partnership, Locality])
def test_the_rows_are_written_without_djangos_per_cell_lookups(admin_client, every_kind_of_row, model):
    url = reverse(f"admin:partnerships_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    cl = response.context["cl"]
    assert len(cl.result_list) > 2
    with mock.patch("django.contrib.admin.templatetags.admin_list.items_for_result") as per_cell:
        lean_rows = rows(cl)
    per_cell.assert_not_called()
    assert len(lean_rows) == len(cl.result_list)
    assert all(row.count('class="action-select"') == 1 for row in lean_rows)
