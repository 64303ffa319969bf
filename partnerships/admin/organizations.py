"""Organizations and the cited relationships between them: added and corrected through
services.create_organization()/update_organization() and relate_organizations() (with
its first citation)/update_organization_relationship()."""

from django.contrib import admin
from django.http import HttpRequest

from .. import services
from ..models import Organization, OrganizationRelationship
from .base import URL_FIELDS, MatchingSearchMixin, RegistryAdmin
from .forms import OrganizationRelationshipAddForm, RegistryModelForm, changed_values, model_values
from .sources import RequiredCitationInline


@admin.register(Organization)
class OrganizationAdmin(MatchingSearchMixin, RegistryAdmin):
    list_display = ["name", "abbreviation", "kind", "country", "url"]
    list_filter = ["kind", "country"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Name (case and accents are ignored) or abbreviation."
    formfield_overrides = URL_FIELDS

    def create(self, request: HttpRequest, obj: Organization, form: RegistryModelForm) -> Organization:
        return services.create_organization(**model_values(obj, form))

    def update(self, request: HttpRequest, obj: Organization, form: RegistryModelForm) -> Organization:
        return services.update_organization(organization=obj, **changed_values(obj, form))


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(RegistryAdmin):
    add_form = OrganizationRelationshipAddForm
    list_display = ["from_organization", "to_organization", "description"]
    list_select_related = ["from_organization", "to_organization"]
    search_fields = ["from_organization__name", "to_organization__name", "description"]
    autocomplete_fields = ["from_organization", "to_organization"]
    inlines = [RequiredCitationInline]
    add_inlines = []  # the add form carries the first citation

    def create(
        self, request: HttpRequest, obj: OrganizationRelationship, form: OrganizationRelationshipAddForm
    ) -> OrganizationRelationship:
        return services.relate_organizations(citations=form.citations(), **model_values(obj, form))

    def update(
        self, request: HttpRequest, obj: OrganizationRelationship, form: RegistryModelForm
    ) -> OrganizationRelationship:
        return services.update_organization_relationship(relationship=obj, **changed_values(obj, form))
