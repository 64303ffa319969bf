"""Admin forms: those whose writes go through partnerships.services (ServiceModelForm and
its subclasses), and the inline formset of a locality's other names."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from . import services
from .models import Activity, Citation, OrganizationRelationship, ReportedFigure, StatusEvent


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
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field = self.service_error_fields.get(key, key)
            self.add_error(field if field in self.fields else None, errors)


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
        if not cleaned_data.get("source") and (cleaned_data.get("quote") or cleaned_data.get("locator")):
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
    """Records a status change with services.record_status_event()."""

    #: The staff member recording it; the admin sets it for each request.
    recorded_by = None

    class Meta:
        model = StatusEvent
        fields = [*STATUS_EVENT_FIELDS, "is_internal_record"]

    def save_through_service(self):
        event = self.instance
        return services.record_status_event(
            partnership=event.partnership,
            status=event.status,
            effective=event.effective,
            note=event.note,
            declared_by=event.declared_by,
            declaring_organization=event.declaring_organization,
            citations=self.citations(),
            internal_record=event.is_internal_record,
            recorded_by=self.recorded_by,
        )


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
