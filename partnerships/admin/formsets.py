"""The inline formsets of the admin's pages, whose rows are written through the services:
a locality's other names, and a claim's citations (optional ones, and the citations of a
claim that needs one, which keeps at least one).

Like the admin's forms they only validate, each row's version included (no lost
updates, locking.py). Django's admin saves them in save_related(),
once the page's form and every formset are valid; each new, changed and removed row is
then one service call (``create()``, ``update()``, ``remove()``), and a refusal is shown
on the page (base.RegistryAdmin.save_related)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models

from .. import services
from ..models import Citation, LocalityAlias
from .forms import changed_values
from .locking import VersionedFormSetMixin


class ServiceInlineFormSet(VersionedFormSetMixin, forms.BaseInlineFormSet):
    """An inline formset whose saves are service calls. Its rows carry their versions
    (locking.VersionedInlineForm, on the inlines): a stale edit or deletion of a row is
    refused."""

    def create(self, form: forms.ModelForm) -> models.Model:
        """Write the new row the form describes; ``self.instance`` is the page's record."""
        raise NotImplementedError

    def update(self, obj: Any, changes: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def remove(self, obj: Any) -> None:
        raise NotImplementedError

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Any:
        return self.create(form) if commit else super().save_new(form, commit)

    def save_existing(self, form: forms.ModelForm, obj: Any, commit: bool = True) -> Any:
        return (
            self.update(obj, changed_values(obj, form))
            if commit
            else super().save_existing(form, obj, commit)
        )

    def delete_existing(self, obj: Any, commit: bool = True) -> None:
        if commit:
            self.remove(obj)

    def marked_deleted(self, form: forms.BaseForm) -> bool:
        # Django's own test for a row whose "delete" box is ticked (missing from the stubs).
        return bool(self._should_delete_form(form))  # type: ignore[attr-defined]


class LocalityAliasFormSet(ServiceInlineFormSet):
    """A locality's other names. Refuses two new names of one locality that differ only
    in case or accents: the database would refuse them with an error page, and neither
    model validation (which sees only saved names) nor the formset's own unique check
    (which skips ``name_key``, not a form field) can see the pair."""

    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self.marked_deleted(form) or form.errors:
                continue
            key = form.instance.name_key  # filled by LocalityAlias.clean()
            if key in seen:
                form.add_error("name", "This name is already given above (ignoring case and accents).")
            seen.add(key)

    def create(self, form: forms.ModelForm) -> LocalityAlias:
        alias = form.instance
        return services.add_locality_alias(
            locality=self.instance,
            alias=services.AliasInput(
                name=alias.name,
                kind=alias.kind,
                language=alias.language,
                valid_from=alias.valid_from_partial,
                valid_to=alias.valid_to_partial,
            ),
        )

    def update(self, obj: LocalityAlias, changes: dict[str, Any]) -> LocalityAlias:
        return services.update_locality_alias(alias=obj, **changes)

    def remove(self, obj: LocalityAlias) -> None:
        services.remove_locality_alias(alias=obj)


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option is rendered from the object its form already
    holds (loaded with the formset's own query), not with one query per form."""

    preloaded: models.Model | None = None  # the related object of this form's instance, set per form

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        obj = self.preloaded
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if obj is None or selected != {str(obj.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(obj)
        options.append(self.create_option(name, obj.pk, label, bool(selected), len(options)))
        return [(None, options, 0)]


class CitationFormSet(ServiceInlineFormSet):
    """A claim's citations, each row's source shown from the row itself (see
    PreloadedAutocompleteSelect). Optional citations (a partnership's, a locality's)
    are removed freely; services.remove_citation() knows which ones are."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        widget = form.fields["source"].widget
        widget = getattr(widget, "widget", widget)  # inside the add/change links
        instance = getattr(form, "instance", None)
        if isinstance(widget, PreloadedAutocompleteSelect) and instance is not None and instance.source_id:
            widget.preloaded = instance.source

    def create(self, form: forms.ModelForm) -> Citation:
        citation = form.instance
        return services.add_citation(
            citation=services.CitationInput(
                source=citation.source, quote=citation.quote, locator=citation.locator
            ),
            **{self.fk.name: self.instance},
        )

    def update(self, obj: Citation, changes: dict[str, Any]) -> Citation:
        return services.update_citation(citation=obj, **changes)

    def remove(self, obj: Citation) -> None:
        services.remove_citation(citation=obj)


class RequiredCitationFormSet(CitationFormSet):
    """The citations of a claim that needs one: the formset keeps at least one, and
    services.remove_citation() refuses to remove the last one."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if not self.marked_deleted(form) and (form.instance.pk or form.has_changed())
        ]
        if not kept:
            raise ValidationError(
                "This record needs at least one citation: add the new source before removing the last one."
            )

    def save(self, commit: bool = True) -> list[Any]:
        # New citations first, so that replacing the only one never leaves none.
        new = self.save_new_objects(commit)
        return self.save_existing_objects(commit) + new
