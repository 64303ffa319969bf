"""The admin's forms. They validate and nothing else: ``is_valid()`` never writes. Once a
form (and every inline formset of its page) is valid, the admin calls the service that
writes (``RegistryAdmin.create()``/``update()`` in base.py, or the view of an action);
a service's refusal comes back onto the form as its errors (``add_service_error()``),
keeping what was typed.

Here: RegistryModelForm (the base of every admin model form: the lost-update check,
a restored version's many-to-many values, service errors), the fields of a citation and
of a source described on the spot (declared once, as form mixins), the add forms of the
claims that need a citation, the one-form status change, and the duplicate checks at
the door (partnerships, localities)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.models import to_historic
from simple_history.utils import get_m2m_reverse_field_name

from .. import services
from ..dates import DatePrecision, PartialDate
from ..models import (
    Activity,
    Citation,
    Locality,
    LocalityAlias,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from .locking import VersionedModelForm

# ----------------------------------------------------------- a service's refusal, shown

# The refusal of the attempt the admin has just rolled back, while it shows the page
# again (see base.showing_refusals): the page's form takes it as its errors.
_pending_refusal: ContextVar[ValidationError | None] = ContextVar("pending_refusal", default=None)


@contextmanager
def refusal_pending(error: ValidationError) -> Iterator[None]:
    token = _pending_refusal.set(error)
    try:
        yield
    finally:
        _pending_refusal.reset(token)


def add_service_error(form: forms.BaseForm, error: ValidationError, error_fields: dict[str, str]) -> None:
    """Show a service's ValidationError on the form: each key on the field of that name
    (or the one ``error_fields`` names for it), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = error_fields.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


def changed_values(obj: models.Model, form: forms.BaseForm) -> dict[str, Any]:
    """The model fields the form changed, with their new values (for update services)."""
    names = {field.name for field in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in form.changed_data if name in names}


def model_values(
    obj: models.Model, form: forms.BaseForm, *, partial_dates: Mapping[str, tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The values of the model fields on the form, as ModelForm put them on ``obj``, for
    a create service whose arguments are named after the fields. ``partial_dates`` names
    the service's PartialDate arguments, each with its pair of columns (date, precision),
    e.g. ``{"occurred": ("occurred_on", "occurred_precision")}``."""
    names = {field.name for field in obj._meta.concrete_fields}
    values = {name: getattr(obj, name) for name in form.fields if name in names}
    for argument, (date_field, precision_field) in (partial_dates or {}).items():
        date, precision = values.pop(date_field), values.pop(precision_field)
        values[argument] = PartialDate(date, precision) if date is not None and precision else None
    return values


class RegistryModelForm(VersionedModelForm):
    """The base of every admin model form: validation only, with the lost-update check
    (locking.VersionedModelForm). The form of an earlier version being restored starts
    with that version's many-to-many values too (simple-history's historical instance
    carries only the other fields)."""

    #: Where to show service errors keyed by something that is not a form field.
    service_error_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = to_historic(self.instance)
        for field in getattr(record, "_history_m2m_fields", []):
            if field.name in self.fields:
                key = get_m2m_reverse_field_name(field)
                self.initial[field.name] = list(getattr(record, field.name).values_list(key, flat=True))

    def full_clean(self) -> None:
        super().full_clean()
        refusal = _pending_refusal.get()
        if refusal is not None and self.is_bound:
            _pending_refusal.set(None)  # the page's own form shows it, once
            self.add_service_error(refusal)

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error, self.service_error_fields)


# ------------------------------------------------------------- a citation, old or new


def _formfield(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """The form field of one of the model's fields, with ``kwargs`` changed."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.formfield(**kwargs)


def _autocomplete(model: type[models.Model], name: str) -> AutocompleteSelect:
    """The admin's search-as-you-type widget for one of the model's foreign keys."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.ForeignKey)
    return AutocompleteSelect(field, admin.site)


def _source_field(help_text: str) -> Any:
    """The pick of a source from the registry, for a citation."""
    return _formfield(
        Citation, "source", required=False, widget=_autocomplete(Citation, "source"), help_text=help_text
    )


class CitationFields(forms.Form):
    """The first citation of a claim, on the claim's own form: a source picked from the
    existing ones, with the words that support the claim and where they are. Whether a
    citation is required is the service's decision."""

    source = _source_field("The source that says so. Add a new source first if it is not in the registry.")
    quote = _formfield(Citation, "quote", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    locator = _formfield(Citation, "locator", required=False)

    service_error_fields: ClassVar[dict[str, str]] = {"citations": "source"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        cited = data.get("source") or data.get("new_source_title")
        if not cited and (data.get("quote") or data.get("locator")):
            self.add_error("source", "Pick the source that the quote and locator refer to.")
        return self.cleaned_data

    def citations(self) -> list[services.CitationInput]:
        source = self.cleaned_data["source"]
        if source is None:
            return []
        return [
            services.CitationInput(
                source=source, quote=self.cleaned_data["quote"], locator=self.cleaned_data["locator"]
            )
        ]


# Where create_source()'s errors about the new source are shown.
NEW_SOURCE_ERROR_FIELDS = {
    "title": "new_source_title",
    "publisher": "new_source_publisher",
    "url": "new_source_url",
    "published_on": "new_source_published_on",
    "published_precision": "new_source_published_precision",
}


class NewSourceFields(forms.Form):
    """A source described on the spot, for when it is not in the registry yet: either
    that or an existing source, never both; a new one needs its title."""

    new_source_title = forms.CharField(
        label="or a new source: title",
        required=False,
        max_length=_formfield(Source, "title").max_length,
        help_text="Only when the source is not in the registry yet: it is added with this citation.",
    )
    new_source_publisher = forms.CharField(label="publisher", required=False, max_length=200)
    new_source_url = forms.URLField(label="URL", required=False, max_length=1000, assume_scheme="https")
    new_source_published_on = _formfield(
        Source, "published_on", label="published", required=False, widget=AdminDateWidget
    )
    new_source_published_precision = _formfield(
        Source, "published_precision", label="published: precision", required=False
    )

    service_error_fields: ClassVar[dict[str, str]] = {"citations": "source", **NEW_SOURCE_ERROR_FIELDS}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        new_fields = [name for name in NEW_SOURCE_ERROR_FIELDS.values() if data.get(name)]
        if data.get("source") and new_fields:
            self.add_error("new_source_title", "Pick an existing source or describe a new one, not both.")
        elif new_fields and not data.get("new_source_title"):
            self.add_error("new_source_title", "Give the new source's title.")
        return self.cleaned_data

    def source_choice(self) -> Source | services.SourceInput | None:
        data = self.cleaned_data
        if data.get("source"):
            return data["source"]
        if not data.get("new_source_title"):
            return None
        published_on = data.get("new_source_published_on")
        precision = data.get("new_source_published_precision") or DatePrecision.DAY
        return services.SourceInput(
            title=data["new_source_title"],
            publisher=data.get("new_source_publisher", ""),
            url=data.get("new_source_url", ""),
            published=PartialDate(published_on, precision) if published_on else None,
        )


# ------------------------------------------------------------------ status changes

# The fields of a status event that staff enter, on the add and change pages alike.
STATUS_EVENT_FIELDS = [
    "partnership",
    "kind",
    "status",
    "effective_on",
    "effective_precision",
    "declared_by",
    "declaring_organization",
    "note",
]


def _kind_field() -> Any:
    """A status event's kind, change or attestation; left empty, a change (the model's
    default), so that a form posted without it records a change as before."""
    return _formfield(StatusEvent, "kind", required=False, initial=StatusEvent.Kind.CHANGE)


class EventKindField(forms.Form):
    kind = _kind_field()

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or StatusEvent.Kind.CHANGE


class StatusChangeForm(EventKindField, CitationFields, NewSourceFields, forms.Form):
    """One status change with one citation, for several partnerships at once (the bulk
    action on the partnership list, which calls services.record_status_change() with
    ``change()`` once the form is valid)."""

    status = _formfield(StatusEvent, "status")
    effective_on = _formfield(StatusEvent, "effective_on", widget=AdminDateWidget)
    effective_precision = _formfield(StatusEvent, "effective_precision")
    declared_by = _formfield(StatusEvent, "declared_by", required=False)
    declaring_organization = _formfield(
        StatusEvent,
        "declaring_organization",
        required=False,
        widget=_autocomplete(StatusEvent, "declaring_organization"),
    )
    note = _formfield(StatusEvent, "note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = _source_field("The source that says so, cited for every partnership selected.")
    is_internal_record = _formfield(StatusEvent, "is_internal_record")

    service_error_fields: ClassVar[dict[str, str]] = NewSourceFields.service_error_fields
    field_order = [*STATUS_EVENT_FIELDS[1:], "source", *NEW_SOURCE_ERROR_FIELDS.values(), "quote", "locator"]

    def change(self) -> dict[str, Any]:
        """The change, as services.record_status_change() takes it (without the
        partnerships and who records it)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "status": data["status"],
            "effective": PartialDate(data["effective_on"], data["effective_precision"]),
            "note": data["note"],
            "declared_by": data["declared_by"],
            "declaring_organization": data["declaring_organization"],
            "source": self.source_choice(),
            "quote": data["quote"],
            "locator": data["locator"],
            "internal_record": data["is_internal_record"],
        }

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error, self.service_error_fields)


class StatusEventAddForm(EventKindField, CitationFields, NewSourceFields, RegistryModelForm):
    """Records a status change in one form: the change, and its citation of a source
    picked from the registry or described on the spot (or the internal-record flag)."""

    service_error_fields: ClassVar[dict[str, str]] = NewSourceFields.service_error_fields

    class Meta:
        model = StatusEvent
        fields = [*STATUS_EVENT_FIELDS, "is_internal_record"]


class StatusEventChangeForm(EventKindField, RegistryModelForm):
    """Corrects a status event (the admin calls services.update_status_event())."""

    class Meta:
        model = StatusEvent
        fields = STATUS_EVENT_FIELDS[1:]


# ------------------------------------------------------- claims that need a citation


class ActivityAddForm(CitationFields, RegistryModelForm):
    class Meta:
        model = Activity
        fields = ["partnership", "kind", "occurred_on", "occurred_precision", "is_planned", "description"]


class ReportedFigureAddForm(CitationFields, RegistryModelForm):
    class Meta:
        model = ReportedFigure
        fields = "__all__"  # all its editable fields: the count, what it counts, its date


class OrganizationRelationshipAddForm(CitationFields, RegistryModelForm):
    class Meta:
        model = OrganizationRelationship
        fields = ["from_organization", "to_organization", "description"]


# --------------------------------------------------------------- duplicates at the door


class PartnershipAdminForm(RegistryModelForm):
    """Refuses a partnership that exists already, in either order, linking to it."""

    class Meta:
        model = Partnership
        fields = [
            "locality_a",
            "locality_b",
            "level",
            "established_on",
            "established_precision",
            "description",
            "organizations",
            "focus_areas",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # BaseModelForm's model validation, untyped in the stubs
        # Read from the instance: a field with errors has left cleaned_data.
        a, b = self.instance.locality_a_id, self.instance.locality_b_id
        if not (a and b) or a == b:
            return
        existing = Partnership.objects.for_pair(a, b).exclude(pk=self.instance.pk).first()
        if existing is None:
            return
        url = reverse("admin:partnerships_partnership_change", args=[existing.pk])
        # The model's own messages (field and constraint) name it without a link.
        self.errors.pop(NON_FIELD_ERRORS, None)
        self.errors["locality_b"] = self.error_class(
            [
                format_html(
                    "A partnership between these two localities already exists, whichever order "
                    "they are entered in: <a href='{}'>{}</a>. Open it to add to it instead.",
                    url,
                    existing,
                )
            ]
        )
        self.cleaned_data.pop("locality_b", None)


class PartnershipAddForm(CitationFields, NewSourceFields, PartnershipAdminForm):
    """Adds a partnership with its first citation — a source picked from the registry or
    described on the spot, with the quoted words — or, when no source can be cited, the
    internal-record mark that sends it to the review queue (services.create_partnership()
    refuses it with neither)."""

    source = _source_field("The source that reports this partnership.")
    service_error_fields: ClassVar[dict[str, str]] = NewSourceFields.service_error_fields

    class Meta(PartnershipAdminForm.Meta):
        fields = [*PartnershipAdminForm.Meta.fields, "is_internal_record"]

    def citations(self) -> list[services.CitationInput]:
        source = self.source_choice()
        if source is None:
            return []
        data = self.cleaned_data
        return [services.CitationInput(source=source, quote=data["quote"], locator=data["locator"])]


class LocalityAdminForm(RegistryModelForm):
    """Warns when a new locality has the name or any alias of one in the same country,
    listing them, and saves only once "save anyway" is ticked."""

    save_anyway = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Save anyway",
        help_text="Tick if this is a different place that shares the name (there are many Springfields).",
    )

    class Meta:
        model = Locality
        fields = "__all__"  # all its editable fields: names, kind, place, coordinates, description

    duplicate_candidates: list[Locality] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.instance.pk is None and not self.cleaned_data.get("save_anyway"):
            self._warn_about_namesakes(self.cleaned_data)
        return self.cleaned_data

    def _typed_aliases(self) -> list[str]:
        """The other names typed in the aliases inline of the same page (validated only
        after this form, so read as posted)."""
        locality = LocalityAlias._meta.get_field("locality")
        assert isinstance(locality, models.ForeignKey)
        prefix = locality.remote_field.get_accessor_name()
        return [
            value.strip()
            for key, value in self.data.items()
            if key.startswith(f"{prefix}-")
            and key.endswith("-name")
            and not self.data.get(key.removesuffix("name") + "DELETE")
        ]

    def _warn_about_namesakes(self, cleaned_data: dict[str, Any]) -> None:
        country = cleaned_data.get("country")
        typed = (cleaned_data.get("name"), cleaned_data.get("native_name"), *self._typed_aliases())
        names = {str(name) for name in typed if name}
        if not country or not names:
            return
        candidates = Locality.objects.none()
        for name in names:
            candidates |= Locality.objects.named(name).in_country(country)
        self.duplicate_candidates = list(candidates.distinct().prefetch_related("aliases")[:20])
        if not self.duplicate_candidates:
            return
        self.fields["save_anyway"].widget = forms.CheckboxInput()
        links = format_html_join(
            ", ",
            "<a href='{}' target='_blank'>{}</a>{}",
            (
                (
                    reverse("admin:partnerships_locality_change", args=[candidate.pk]),
                    candidate,
                    format_html(" (also {})", ", ".join(a.name for a in candidate.aliases.all()))
                    if candidate.aliases.all()
                    else "",
                )
                for candidate in self.duplicate_candidates
            ),
        )
        self.add_error(
            None,
            format_html(
                "A locality with this name already exists in {}: {}. If it is the same place, "
                "use it instead. If it is another place with the same name, tick “Save anyway” "
                "below and save again.",
                country,
                links,
            ),
        )
