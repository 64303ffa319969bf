"""Reported figures (counts a source states), each with its citations."""

from django.contrib import admin

from .. import services
from ..models import (
    ReportedFigure,
)
from .base import (
    ServiceFormAdmin,
    changed_values,
    partial_date_column,
)
from .forms import (
    ReportedFigureAddForm,
)
from .sources import RequiredCitationInline


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ServiceFormAdmin):
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

    dated = partial_date_column("as_of", "as_of_precision", "as of")

    def save_model(self, request, obj, form, change):
        if change:
            services.update_reported_figure(figure=obj, **changed_values(obj, form))
        else:
            super().save_model(request, obj, form, change)
