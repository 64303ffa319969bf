"""Reported figures (counts a source states), each with its citations: added with the
first citation through services.add_reported_figure(), corrected through
update_reported_figure()."""

from django.contrib import admin
from django.http import HttpRequest

from .. import services
from ..models import ReportedFigure
from .base import RegistryAdmin, partial_date_column
from .forms import RegistryModelForm, ReportedFigureAddForm, changed_values, model_values
from .sources import RequiredCitationInline


@admin.register(ReportedFigure)
class ReportedFigureAdmin(RegistryAdmin):
    add_form = ReportedFigureAddForm
    list_display = [
        "__str__",
        "count",
        "qualifier",
        "measure",
        "country_a",
        "country_b",
        "dated",
        "organization",
    ]
    list_filter = ["measure", "qualifier", "status", "country_a"]
    list_select_related = ["organization"]
    search_fields = ["description", "organization__name", "=country_a", "=country_b"]
    autocomplete_fields = ["organization"]
    inlines = [RequiredCitationInline]
    add_inlines = []  # the add form carries the first citation

    dated = partial_date_column("as_of", "as_of_precision", "as of")

    def create(
        self, request: HttpRequest, obj: ReportedFigure, form: ReportedFigureAddForm
    ) -> ReportedFigure:
        values = model_values(obj, form, partial_dates={"as_of": ("as_of", "as_of_precision")})
        return services.add_reported_figure(citations=form.citations(), **values)

    def update(self, request: HttpRequest, obj: ReportedFigure, form: RegistryModelForm) -> ReportedFigure:
        return services.update_reported_figure(figure=obj, **changed_values(obj, form))
