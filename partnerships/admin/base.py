"""The base of every admin here, RegistryAdmin, and what the model admins share: columns,
links, the country filter, search by any name, and deletion through a service that may
refuse.

RegistryAdmin's one way to write: its forms only validate; once the page's form and
every inline formset are valid, ``save_model()`` calls the model admin's ``create()`` (on
the add page) or ``update()`` (on a change page, and when restoring an earlier version),
each one service call, and ``save_related()`` saves the inline formsets, whose rows are
service calls too (formsets.py). When a service refuses, the whole attempt is rolled
back and the page is shown again with the refusal as the form's errors and what was
typed kept (``showing_refusals()``)."""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange

from .. import selectors
from ..dates import format_partial_date
from ..integrity import constraint_refusal
from ..models import Citation, Partnership
from ..validators import country_name
from .forms import RegistryModelForm, refusal_pending
from .locking import VERSION_FIELD, history_of

PARTIES = ["locality_a", "locality_b"]
EVENT_PARTIES = ["partnership__locality_a", "partnership__locality_b"]
# A web address typed without its scheme is taken to be https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
CITATIONS_WITH_SOURCES = Prefetch("citations", queryset=Citation.objects.select_related("source"))


def partial_date_column(date_field: str, precision_field: str, description: str) -> Callable[..., str]:
    """A list or read-only column showing a date as precisely as it is known ("2002")."""

    @admin.display(description=description, ordering=date_field)
    def column(self: admin.ModelAdmin, obj: models.Model) -> str:
        return format_partial_date(getattr(obj, date_field), getattr(obj, precision_field))

    return column


def count_column(annotation: str, description: str) -> Callable[..., int]:
    """A list column showing a count that the admin's queryset annotates, sortable by it."""

    @admin.display(description=description, ordering=annotation)
    def column(self: admin.ModelAdmin, obj: models.Model) -> int:
        return int(getattr(obj, annotation))

    return column


def admin_change_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def admin_add_url(model: type[models.Model], **initial: Any) -> str:
    """The add page, with initial values for its form."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add") + f"?{urlencode(initial)}"


def citation_list(citations: Iterable[Citation], *, add_link: str = "") -> SafeString | str:
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


# ----------------------------------------------------------- writes through services


class ServiceRefusal(Exception):
    """A service refused what a valid form asked for. Raised out of the admin's
    transaction, which rolls the attempt back, to be shown on the page."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


ViewResult = TypeVar("ViewResult")


def showing_refusals(view: Callable[..., ViewResult], *args: Any) -> ViewResult:
    """Run an admin form view; when a service refused the save (its transaction has
    rolled back), run it once more with the refusal pending, so that the page's form,
    validating the same data again, shows the refusal as its errors (and writes nothing:
    an invalid form is not saved)."""
    try:
        return view(*args)
    except ServiceRefusal as refusal:
        with refusal_pending(refusal.error):
            return view(*args)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's object the record the service wrote, which may be another
    instance: the admin goes on with ``obj`` (the inlines, the log entry, the redirect)."""
    if saved is not obj:
        obj.__dict__.update(saved.__dict__)


# ---------------------------------------------------- edit history and lost updates

# Bookkeeping columns that change on every save; the history shows what staff changed.
HISTORY_HIDDEN_FIELDS = {
    "created_at",
    "updated_at",
    "name_key",
    "native_name_key",
    "title_key",
    "identity_key",
}


class RegistryAdmin(SimpleHistoryAdmin):
    """The base of every admin here.

    Writes: through the services, as the module docstring says; a model admin says
    which with ``create()`` and ``update()``. ``add_form`` is the form of the add page
    when it differs from the change page's ``form``, and ``add_inlines`` its inlines
    when they differ from ``inlines``.

    Edit history: each record's History page lists who changed what and when, with each
    field's old and new value; changes made through the API, imports and services are
    there too (django-simple-history records every save and delete).

    Restore: an earlier version can be restored from the history by whoever may change
    the model's historical records (the Reviewers group: ``change_historical<model>``).

    No lost updates: every change form carries the version it was opened at and refuses
    to overwrite a later change (locking.VersionedModelForm)."""

    form: type[forms.ModelForm] = RegistryModelForm
    add_form: type[forms.ModelForm] | None = None
    add_inlines: list[type[admin.options.InlineModelAdmin]] | None = None
    object_history_list_template = "admin/object_history_list.html"

    # ---- the changelist

    def action_checkbox(self, obj: Any) -> SafeString:
        """Each changelist row's checkbox, the same HTML as Django's own, written directly:
        Django renders a form widget's template for every row (about 0.8 ms a row, a third
        of a 100-row changelist's time)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    # ---- writes

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        """Add the record the valid add form describes (ModelForm has put its values on
        ``obj``), with one service call; return what the service wrote."""
        raise NotImplementedError(f"{type(self).__name__} adds no {self.opts.verbose_name}")

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        """Save the valid change form's edits (or a restored version), which ModelForm has
        put on ``obj``, with one service call; return what the service wrote."""
        raise NotImplementedError(f"{type(self).__name__} changes no {self.opts.verbose_name}")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = self.update(request, obj, form) if change else self.create(request, obj, form)
        except ValidationError as error:
            raise ServiceRefusal(error) from error
        except IntegrityError as error:  # a race lost to another write: as if sent after it
            if (refusal := constraint_refusal(error)) is None:
                raise
            raise ServiceRefusal(refusal) from error
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        try:
            super().save_related(request, form, formsets, change)
        except ValidationError as error:
            # A row of an inline: said above the form, since no field of it is the row's.
            raise ServiceRefusal(ValidationError(error.messages)) from error

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return showing_refusals(super().changeform_view, request, object_id, form_url, extra_context)

    # ---- forms, fields and inlines

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None and self.add_form is not None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Every form declares the version field; only a change page carries it.
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [name for name in fields if name != VERSION_FIELD]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [VERSION_FIELD], "classes": ["hidden"]})]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        if obj is None and self.add_inlines is not None:
            return self.add_inlines
        return super().get_inlines(request, obj)

    # ---- history

    def has_view_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.has_view_permission(request, obj))

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """May restore an earlier version (reviewers)."""
        history_model = history_of(self.model).model
        return bool(
            request.user.has_perm(f"{history_model._meta.app_label}.change_{history_model._meta.model_name}")
        )

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (
            self.has_change_history_permission(request, obj) and self.has_change_permission(request, obj)
        )

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # simple-history lets anyone who may view the history post a revert: only those
        # who may restore can.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return showing_refusals(self._restore_view, request, object_id, version_id, extra_context)

    def _restore_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any
    ) -> HttpResponse:
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
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


# What the mixins below extend, for the type checker: they are mixed into ModelAdmins.
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class MatchingSearchMixin:
    """Search by the model's own matching (any name, ignoring case and accents): the
    QuerySet's ``matching()``. Django's search box and autocomplete need
    ``search_fields``, which this replaces."""

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False


class CountryFilter(admin.SimpleListFilter):
    """Localities in a country, or partnerships with a party in it (``in_country``)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        codes = selectors.locality_countries()
        return [(code, f"{country_name(code)} ({code})") for code in codes]

    def queryset(self, request: Any, queryset: Any) -> Any:
        return queryset.in_country(self.value()) if self.value() else queryset


class PartnershipSearchMixin(_ModelAdminBase):
    """Search also finds the rows of the partnerships one of whose parties has a
    matching name (any of its names, ignoring case and accents)."""

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            partnerships = Partnership.objects.matching(search_term).values("pk")
            results |= queryset.filter(partnership__in=partnerships)
        return results, may_have_duplicates


# ------------------------------------------------------------------- deletion


def refusal_redirect(
    modeladmin: admin.ModelAdmin, request: HttpRequest, object_id: str, what: str, error: ValidationError
) -> HttpResponseRedirect:
    """Back to the change page with the service's reason, when it refused a deletion."""
    modeladmin.message_user(request, f"{what} was not deleted. {' '.join(error.messages)}", messages.ERROR)
    opts = modeladmin.opts
    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


# The description is Django's own (set by its @admin.action, which the stubs do not know).
@admin.action(permissions=["delete"], description=delete_selected.short_description)  # type: ignore[attr-defined]
def all_or_nothing_delete(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
    """Django's delete action, all or nothing: when a service refuses one deletion,
    nothing is deleted (nor logged) and the message says why."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        modeladmin.message_user(request, f"Nothing was deleted. {' '.join(error.messages)}", messages.ERROR)
        return None


class ServiceDeleteMixin(_ModelAdminBase):
    """Deletion (one record, or the delete action) through a service that may refuse:
    the model admin's ``delete()``."""

    def delete(self, obj: Any) -> None:
        raise NotImplementedError

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        django_delete = actions.get("delete_selected")
        if django_delete is not None:
            _, name, description = django_delete
            actions[name] = (all_or_nothing_delete, name, description)
        return actions

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in self.deletion_order(queryset):
            try:
                self.delete(obj)
            except ValidationError as error:
                raise ValidationError(f"{obj}: {' '.join(error.messages)}") from error

    def deletion_order(self, queryset: Any) -> Any:
        return queryset

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            # The service refused; the view's transaction has rolled back its log entry.
            return refusal_redirect(self, request, object_id, f"The {self.opts.verbose_name}", error)
