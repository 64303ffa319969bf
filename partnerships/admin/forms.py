"""The admin's forms: those whose writes go through partnerships.services, the
duplicate checks at the door, and the inline formsets of aliases and citations."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

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


class LocalityAliasFormSet(forms.BaseInlineFormSet):
    """Refuses two new names of one locality that differ only in case or accents: the
    database would refuse them with an error page, and neither model validation (which
    sees only saved names) nor the formset's own unique check (which skips ``name_key``,
    not a form field) can see the pair."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            key = form.instance.name_key  # filled by LocalityAlias.clean()
            if key in seen:
                form.add_error("name", "This name is already given above (ignoring case and accents).")
            seen.add(key)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose save is a service call, made while validating.

    The admin saves a valid form with ``instance.save()`` once validation is over, when a
    service's ValidationError could only be a server error. So this form calls its
    service as the last step of validation, after the fields and the model's clean()
    have passed (where Django's UserCreationForm runs its password validation): a refusal
    shows as form errors, and on success ``self.instance`` is what the service wrote. The
    admin runs the whole request in one transaction, and its save_model() must not save
    again (admin.ServiceFormAdmin sees to both).

    Use it only on pages without inlines: the admin validates inline formsets after the
    form, when the service has already written.
    """

    #: Where to show service errors keyed by something that is not a form field.
    service_error_fields: dict[str, str] = {}

    def save_through_service(self):
        """Call the service with the values ModelForm has put on ``self.instance``;
        return what it wrote."""
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = self.save_through_service()
        except ValidationError as error:
            self.add_service_error(error)

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error, self.service_error_fields)


def _citation_field(name: str, **kwargs) -> forms.Field:
    return Citation._meta.get_field(name).formfield(required=False, **kwargs)


class CitedServiceModelForm(ServiceModelForm):
    """An add form for a claim with its first citation: a source picked from the
    existing ones, with the words that support the claim and where they are. Whether a
    citation is required is the service's decision."""

    source = _citation_field(
        "source",
        widget=AutocompleteSelect(Citation._meta.get_field("source"), admin.site),
        help_text="The source that says so. Add a new source first if it is not in the registry.",
    )
    quote = _citation_field("quote", widget=forms.Textarea(attrs={"rows": 3}))
    locator = _citation_field("locator")

    service_error_fields = {"citations": "source"}

    def clean(self):
        cleaned_data = super().clean()
        cited = cleaned_data.get("source") or cleaned_data.get("new_source_title")
        if not cited and (cleaned_data.get("quote") or cleaned_data.get("locator")):
            self.add_error("source", "Pick the source that the quote and locator refer to.")
        return cleaned_data

    def citations(self) -> list[services.CitationInput]:
        source = self.cleaned_data["source"]
        if source is None:
            return []
        return [
            services.CitationInput(
                source=source, quote=self.cleaned_data["quote"], locator=self.cleaned_data["locator"]
            )
        ]


# ------------------------------------------------------------- a citation, old or new


def new_source_fields() -> dict[str, forms.Field]:
    """A source described on the spot, for when it is not in the registry yet."""
    published_on = Source._meta.get_field("published_on")
    return {
        "new_source_title": forms.CharField(
            label="or a new source: title",
            required=False,
            max_length=Source._meta.get_field("title").max_length,
            help_text="Only when the source is not in the registry yet: it is added with this citation.",
        ),
        "new_source_publisher": forms.CharField(label="publisher", required=False, max_length=200),
        "new_source_url": forms.URLField(label="URL", required=False, max_length=1000, assume_scheme="https"),
        "new_source_published_on": published_on.formfield(
            label="published", required=False, widget=AdminDateWidget
        ),
        "new_source_published_precision": Source._meta.get_field("published_precision").formfield(
            label="published: precision", required=False
        ),
    }


# Where create_source()'s errors about the new source are shown.
NEW_SOURCE_ERROR_FIELDS = {
    "title": "new_source_title",
    "publisher": "new_source_publisher",
    "url": "new_source_url",
    "published_on": "new_source_published_on",
    "published_precision": "new_source_published_precision",
}


def clean_source_choice(form: forms.BaseForm, cleaned_data: dict) -> None:
    """An existing source or a new one, never both; a new one needs its title."""
    new_fields = [name for name in NEW_SOURCE_ERROR_FIELDS.values() if cleaned_data.get(name)]
    if cleaned_data.get("source") and new_fields:
        form.add_error("new_source_title", "Pick an existing source or describe a new one, not both.")
    elif new_fields and not cleaned_data.get("new_source_title"):
        form.add_error("new_source_title", "Give the new source's title.")


def source_choice(cleaned_data: dict) -> Source | services.SourceInput | None:
    if cleaned_data.get("source"):
        return cleaned_data["source"]
    if not cleaned_data.get("new_source_title"):
        return None
    published_on = cleaned_data.get("new_source_published_on")
    precision = cleaned_data.get("new_source_published_precision") or DatePrecision.DAY
    return services.SourceInput(
        title=cleaned_data["new_source_title"],
        publisher=cleaned_data.get("new_source_publisher", ""),
        url=cleaned_data.get("new_source_url", ""),
        published=PartialDate(published_on, precision) if published_on else None,
    )


class StatusChangeForm(forms.Form):
    """One status change with one citation, for several partnerships at once (the bulk
    action on the partnership list); services.record_status_change() records it."""

    status = StatusEvent._meta.get_field("status").formfield()
    effective_on = StatusEvent._meta.get_field("effective_on").formfield(widget=AdminDateWidget)
    effective_precision = StatusEvent._meta.get_field("effective_precision").formfield()
    declared_by = StatusEvent._meta.get_field("declared_by").formfield(required=False)
    declaring_organization = StatusEvent._meta.get_field("declaring_organization").formfield(
        required=False,
        widget=AutocompleteSelect(StatusEvent._meta.get_field("declaring_organization"), admin.site),
    )
    note = StatusEvent._meta.get_field("note").formfield(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = _citation_field(
        "source",
        widget=AutocompleteSelect(Citation._meta.get_field("source"), admin.site),
        help_text="The source that says so, cited for every partnership selected.",
    )
    locals().update(new_source_fields())
    quote = _citation_field("quote", widget=forms.Textarea(attrs={"rows": 3}))
    locator = _citation_field("locator")
    is_internal_record = StatusEvent._meta.get_field("is_internal_record").formfield()

    service_error_fields = {"citations": "source", **NEW_SOURCE_ERROR_FIELDS}

    def clean(self):
        cleaned_data = super().clean()
        clean_source_choice(self, cleaned_data)
        cited = cleaned_data.get("source") or cleaned_data.get("new_source_title")
        if not cited and (cleaned_data.get("quote") or cleaned_data.get("locator")):
            self.add_error("source", "Pick the source that the quote and locator refer to.")
        return cleaned_data

    def record(self, *, partnerships, recorded_by) -> list[StatusEvent]:
        """Record it through the service; a refusal becomes this form's errors (and
        nothing is written)."""
        data = self.cleaned_data
        try:
            return services.record_status_change(
                partnerships=partnerships,
                status=data["status"],
                effective=PartialDate(data["effective_on"], data["effective_precision"]),
                note=data["note"],
                declared_by=data["declared_by"],
                declaring_organization=data["declaring_organization"],
                source=source_choice(data),
                quote=data["quote"],
                locator=data["locator"],
                internal_record=data["is_internal_record"],
                recorded_by=recorded_by,
            )
        except ValidationError as error:
            add_service_error(self, error, self.service_error_fields)
            return []


def add_service_error(form, error: ValidationError, error_fields: dict[str, str]) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = error_fields.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


# The fields of a status event that staff enter, on the add and change pages alike.
STATUS_EVENT_FIELDS = [
    "partnership",
    "status",
    "effective_on",
    "effective_precision",
    "declared_by",
    "declaring_organization",
    "note",
]


class StatusEventAddForm(CitedServiceModelForm):
    """Records a status change in one form: the change, and its citation of a source
    picked from the registry or described on the spot (or the internal-record flag),
    through services.record_status_change()."""

    locals().update(new_source_fields())

    #: The staff member recording it; the admin sets it for each request.
    recorded_by = None

    service_error_fields = {"citations": "source", **NEW_SOURCE_ERROR_FIELDS}

    class Meta:
        model = StatusEvent
        fields = [*STATUS_EVENT_FIELDS, "is_internal_record"]

    def clean(self):
        cleaned_data = super().clean()
        clean_source_choice(self, cleaned_data)
        return cleaned_data

    def save_through_service(self):
        event = self.instance
        (recorded,) = services.record_status_change(
            partnerships=[event.partnership],
            status=event.status,
            effective=event.effective,
            note=event.note,
            declared_by=event.declared_by,
            declaring_organization=event.declaring_organization,
            source=source_choice(self.cleaned_data),
            quote=self.cleaned_data["quote"],
            locator=self.cleaned_data["locator"],
            internal_record=event.is_internal_record,
            recorded_by=self.recorded_by,
        )
        return recorded


class StatusEventChangeForm(ServiceModelForm):
    """Corrects a status event with services.update_status_event()."""

    class Meta:
        model = StatusEvent
        fields = [
            "status",
            "effective_on",
            "effective_precision",
            "declared_by",
            "declaring_organization",
            "note",
        ]

    def save_through_service(self):
        event = self.instance
        return services.update_status_event(
            event=event,
            status=event.status,
            effective=event.effective,
            note=event.note,
            declared_by=event.declared_by,
            declaring_organization=event.declaring_organization,
        )


class ActivityAddForm(CitedServiceModelForm):
    """Adds an activity with its citation through services.add_activity()."""

    class Meta:
        model = Activity
        fields = ["partnership", "kind", "occurred_on", "occurred_precision", "is_planned", "description"]

    def save_through_service(self):
        activity = self.instance
        return services.add_activity(
            partnership=activity.partnership,
            kind=activity.kind,
            description=activity.description,
            occurred=activity.occurred,
            is_planned=activity.is_planned,
            citations=self.citations(),
        )


class ReportedFigureAddForm(CitedServiceModelForm):
    """Adds a reported figure with its citation through services.add_reported_figure()."""

    class Meta:
        model = ReportedFigure
        fields = [
            "count",
            "qualifier",
            "measure",
            "country_a",
            "country_b",
            "status",
            "as_of",
            "as_of_precision",
            "organization",
            "description",
        ]

    def save_through_service(self):
        figure = self.instance
        return services.add_reported_figure(
            count=figure.count,
            as_of=figure.as_of_partial,
            citations=self.citations(),
            qualifier=figure.qualifier,
            measure=figure.measure,
            country_a=figure.country_a,
            country_b=figure.country_b,
            status=figure.status,
            organization=figure.organization,
            description=figure.description,
        )


class OrganizationRelationshipAddForm(CitedServiceModelForm):
    """Relates two organizations, with a citation, through services.relate_organizations()."""

    class Meta:
        model = OrganizationRelationship
        fields = ["from_organization", "to_organization", "description"]

    def save_through_service(self):
        relationship = self.instance
        return services.relate_organizations(
            from_organization=relationship.from_organization,
            to_organization=relationship.to_organization,
            description=relationship.description,
            citations=self.citations(),
        )


# --------------------------------------------------------------- duplicates at the door


class PartnershipAdminForm(forms.ModelForm):
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

    def _post_clean(self):
        super()._post_clean()
        # Read from the instance: a field with errors has left cleaned_data.
        a, b = self.instance.locality_a_id, self.instance.locality_b_id
        if not (a and b) or a == b:
            return
        existing = Partnership.objects.for_pair(a, b).exclude(pk=self.instance.pk).first()
        if existing is None:
            return
        url = reverse("admin:partnerships_partnership_change", args=[existing.pk])
        # The model's own messages (field and constraint) name it without a link.
        self._errors.pop(NON_FIELD_ERRORS, None)
        self._errors["locality_b"] = self.error_class(
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


class LocalityAdminForm(forms.ModelForm):
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
        fields = [
            "name",
            "native_name",
            "kind",
            "country",
            "subdivision",
            "parent",
            "latitude",
            "longitude",
            "wikidata_id",
            "description",
        ]

    duplicate_candidates: list[Locality] = []

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None and not cleaned_data.get("save_anyway"):
            self._warn_about_namesakes(cleaned_data)
        return cleaned_data

    def _typed_aliases(self) -> list[str]:
        """The other names typed in the aliases inline of the same page (validated only
        after this form, so read as posted)."""
        prefix = LocalityAlias._meta.get_field("locality").remote_field.get_accessor_name()
        return [
            value.strip()
            for key, value in self.data.items()
            if key.startswith(f"{prefix}-")
            and key.endswith("-name")
            and not self.data.get(key.removesuffix("name") + "DELETE")
        ]

    def _warn_about_namesakes(self, cleaned_data):
        country = cleaned_data.get("country")
        names = {cleaned_data.get("name"), cleaned_data.get("native_name"), *self._typed_aliases()}
        names -= {None, ""}
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


# ------------------------------------------------------------ citations of a claim


class RequiredCitationFormSet(forms.BaseInlineFormSet):
    """The citations of a claim that needs one: removals go through
    services.remove_citation(), and the formset keeps at least one."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]
        if not kept:
            raise ValidationError(
                "This record needs at least one citation: add the new source before removing the last one."
            )

    def save(self, commit=True):
        # New citations first, so that replacing the only one never leaves none.
        new = self.save_new_objects(commit)
        return self.save_existing_objects(commit) + new

    def delete_existing(self, obj, commit=True):
        if commit:
            services.remove_citation(citation=obj)


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option is rendered from the object its form already
    holds (loaded with the formset's own query), not with one query per form."""

    preloaded = None  # the related object of this form's instance, set per form

    def optgroups(self, name, value, attr=None):
        obj = self.preloaded
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if obj is None or selected != {str(obj.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(obj)
        options.append(self.create_option(name, obj.pk, label, selected, len(options)))
        return [(None, options, 0)]
