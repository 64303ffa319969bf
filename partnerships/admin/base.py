"""The base of every admin here (edit history, restore, no lost updates) and the
mixins and helpers the model admins share: columns, links, filters, search, deletion
through a service that may refuse."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange

from ..dates import format_partial_date
from ..models import (
    Citation,
    Locality,
    Partnership,
)
from ..validators import country_name
from .forms import (
    ServiceModelForm,
)
from .locking import VERSION_FIELD, restoring_form, versioned_form

PARTIES = ["locality_a", "locality_b"]
EVENT_PARTIES = ["partnership__locality_a", "partnership__locality_b"]
# A web address typed without its scheme is taken to be https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
CITATIONS_WITH_SOURCES = Prefetch("citations", queryset=Citation.objects.select_related("source"))


def partial_date_column(date_field: str, precision_field: str, description: str):
    """A list or read-only column showing a date as precisely as it is known ("2002")."""

    @admin.display(description=description, ordering=date_field)
    def column(self, obj):
        return format_partial_date(getattr(obj, date_field), getattr(obj, precision_field))

    return column


def admin_change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def admin_add_url(model, **initial) -> str:
    """The add page, with initial values for its form."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add") + f"?{urlencode(initial)}"


def citation_list(citations, *, add_link: str = ""):
    """Citations as a list of linked sources with their quotes and locators."""
    items = format_html_join(
        "",
        "<li><a href='{}'>{}</a>{}{}</li>",
        (
            (
                admin_change_url(citation),
                citation.source,
                format_html(" — “{}”", citation.quote) if citation.quote else "",
                format_html(" ({})", citation.locator) if citation.locator else "",
            )
            for citation in citations
        ),
    )
    link = format_html("<p><a href='{}'>Add a citation</a></p>", add_link) if add_link else ""
    return format_html("<ul>{}</ul>{}", items, link) if items else link or "—"


# ---------------------------------------------------- edit history and lost updates

# Bookkeeping columns that change on every save; the history shows what staff changed.
HISTORY_HIDDEN_FIELDS = {"created_at", "updated_at", "name_key", "native_name_key", "title_key"}


class RegistryAdmin(SimpleHistoryAdmin):
    """The base of every admin here.

    Edit history: each record's History page lists who changed what and when, with each
    field's old and new value; changes made through the API, imports and services are
    there too (django-simple-history records every save and delete).

    Restore: an earlier version can be restored from the history by whoever may change
    the model's historical records (the Reviewers group: ``change_historical<model>``).

    No lost updates: every change form carries the version it was opened at and refuses
    to overwrite a later change (forms.VersionedFormMixin)."""

    object_history_list_template = "admin/object_history_list.html"

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = versioned_form(kwargs.get("form", self.form))
        form = super().get_form(request, obj, **kwargs)
        version = getattr(request, "restoring_version", None)
        return restoring_form(form, self.model, version) if version and obj is not None else form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [VERSION_FIELD], "classes": ["hidden"]})]

    # ---- history

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        """May restore an earlier version (reviewers)."""
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        return request.user.has_perm(
            f"{history_model._meta.app_label}.change_{history_model._meta.model_name}"
        )

    def revert_disabled(self, request, obj=None):
        return not (
            self.has_change_history_permission(request, obj) and self.has_change_permission(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post a revert: only those
        # who may restore can.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        request.restoring_version = version_id
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=HISTORY_HIDDEN_FIELDS,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                # simple-history compares editable fields only; the derived ones (the
                # current status, the verification) are part of the history too.
                for field in previous.tracked_fields:
                    if field.editable or field.name in HISTORY_HIDDEN_FIELDS:
                        continue
                    old, new = getattr(current, field.attname), getattr(previous, field.attname)
                    if old != new:
                        if field.is_relation:
                            old, new = getattr(current, field.name), getattr(previous, field.name)
                        delta.changes.append(ModelChange(field.name, old, new))
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


class CountryFilter(admin.SimpleListFilter):
    """Localities in a country, or partnerships with a party in it (``in_country``)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Locality.objects.order_by("country").values_list("country", flat=True).distinct()
        return [(code, f"{country_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        return queryset.in_country(self.value()) if self.value() else queryset


class PartnershipSearchMixin:
    """Search also finds the rows of the partnerships one of whose parties has a
    matching name (any of its names, ignoring case and accents)."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            partnerships = Partnership.objects.matching(search_term).values("pk")
            results |= queryset.filter(partnership__in=partnerships)
        return results, may_have_duplicates


class ServiceFormAdmin(RegistryAdmin):
    """An admin whose add form (``add_form``), and maybe its change form (``form``), is a
    forms.ServiceModelForm: the service has written by the time such a form is valid, so
    save_model() has nothing left to do for it, and its page has no inlines."""

    add_form: type[ServiceModelForm]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        form = self.form if obj else self.add_form
        return [] if issubclass(form, ServiceModelForm) else super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        if not isinstance(form, ServiceModelForm):
            super().save_model(request, obj, form, change)


def refusal_redirect(modeladmin, request, object_id, what: str, error: ValidationError):
    """Back to the change page with the service's reason, when it refused a deletion."""
    modeladmin.message_user(request, f"{what} was not deleted. {' '.join(error.messages)}", messages.ERROR)
    opts = modeladmin.opts
    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


def all_or_nothing_delete(modeladmin, request, queryset):
    """Django's delete action, all or nothing: when a service refuses one deletion,
    nothing is deleted (nor logged) and the message says why."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        modeladmin.message_user(request, f"Nothing was deleted. {' '.join(error.messages)}", messages.ERROR)
        return None


all_or_nothing_delete.allowed_permissions = ("delete",)
all_or_nothing_delete.short_description = delete_selected.short_description


class ServiceDeleteMixin:
    """Deletion (one record, or the delete action) through a service that may refuse."""

    delete_service = None  # a function taking the record as ``record_argument``
    record_argument = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions[name] = (all_or_nothing_delete, name, description)
        return actions

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.record_argument: obj})

    def delete_queryset(self, request, queryset):
        for obj in self.deletion_order(queryset):
            try:
                type(self).delete_service(**{self.record_argument: obj})
            except ValidationError as error:
                raise ValidationError(f"{obj}: {' '.join(error.messages)}") from error

    def deletion_order(self, queryset):
        return queryset

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            # The service refused; the view's transaction has rolled back its log entry.
            return refusal_redirect(self, request, object_id, f"The {self.opts.verbose_name}", error)


def changed_values(obj, form) -> dict:
    """The model fields the form changed, with their new values (for update services)."""
    names = {field.name for field in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in form.changed_data if name in names}
