"""Organizations and the cited relationships between them."""

from django.contrib import admin

from .. import services
from ..models import (
    Organization,
    OrganizationRelationship,
)
from .base import (
    URL_FIELDS,
    RegistryAdmin,
    ServiceFormAdmin,
    changed_values,
)
from .forms import (
    OrganizationRelationshipAddForm,
)
from .sources import RequiredCitationInline

# ----------------------------------------------------------------------- organizations


@admin.register(Organization)
class OrganizationAdmin(RegistryAdmin):
    list_display = ["name", "abbreviation", "kind", "country", "url"]
    list_filter = ["kind", "country"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Name (case and accents are ignored) or abbreviation."
    formfield_overrides = URL_FIELDS

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(ServiceFormAdmin):
    add_form = OrganizationRelationshipAddForm
    list_display = ["from_organization", "to_organization", "description"]
    list_select_related = ["from_organization", "to_organization"]
    search_fields = ["from_organization__name", "to_organization__name", "description"]
    autocomplete_fields = ["from_organization", "to_organization"]
    inlines = [RequiredCitationInline]

    def save_model(self, request, obj, form, change):
        if change:
            services.update_organization_relationship(relationship=obj, **changed_values(obj, form))
        else:
            super().save_model(request, obj, form, change)
