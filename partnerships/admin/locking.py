"""No lost updates: every admin change form carries the edit-history version it was
opened at, and a save over a later change is refused with "Changed by X at T since you
opened it" and a three-way table of the differences (what was opened, what is stored
now, what was typed), keeping what was typed.

The whole record is covered: each row of an editable inline (a claim's citations, a
locality's other names) carries its own version too (VersionedInlineForm, shown by
VersionedInlineMixin), so a stale edit of a row, or a stale "delete" tick on a row
changed since, is refused the same way; a row deleted since is named, not re-created.

The check is validation only: it reads the edit history (and, inside the admin's
transaction, locks the record's row until the save is over) and writes nothing."""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

VERSION_FIELD = "opened_version"


def history_of(model: type[models.Model]) -> Any:
    """The model's edit-history manager (django-simple-history's, which is untyped)."""
    # simple-history adds the attribute to the model's options, which the stubs do not know.
    return getattr(model, model._meta.simple_history_manager_attribute)  # type: ignore[attr-defined]


def latest_version(model: type[models.Model], pk: Any) -> Any:
    """The record's newest edit-history row (None if it has none yet)."""
    return (
        history_of(model)
        .filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )


def version_id(model: type[models.Model], pk: Any) -> int:
    latest = latest_version(model, pk)
    return latest.history_id if latest else 0


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    """A field's value as staff read it: choice labels, related records' names."""
    if value in (None, "", []):
        return "—"
    field = _field(model, name)
    if field.many_to_many:
        assert isinstance(field, models.ManyToManyField)
        if isinstance(value, list | tuple) and value and isinstance(value[0], dict):
            key = field.m2m_reverse_field_name()
            value = [row[key] for row in value]
        if not isinstance(value, list | tuple):
            return ", ".join(str(obj) for obj in value) or "—"
        related = _related_model(field)._default_manager.in_bulk(
            [getattr(item, "pk", item) for item in value]
        )
        return ", ".join(str(obj) for obj in related.values()) or "—"
    if field.is_relation:
        if not isinstance(value, models.Model):
            value = _related_model(field)._default_manager.filter(pk=value).first() or value
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _field(model: type[models.Model], name: str) -> models.Field:
    """A field of the form's model: the form's fields are concrete or many-to-many."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _related_model(field: models.Field) -> type[models.Model]:
    related = field.related_model
    assert isinstance(related, type) and issubclass(related, models.Model)
    return related


def _is_model_field(model: type[models.Model], name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(field.concrete or field.many_to_many)


@dataclass
class Conflict:
    """What changed since a staff member opened a form: who, when, and per field what
    they opened, what is stored now and what they typed."""

    user: object
    when: datetime.datetime | None
    rows: list[tuple[str, str, str, str]]
    # Which part of the record, for a row of an inline: "Citation Kharkiv report: “…”".
    what: str = ""

    def message(self) -> SafeString:
        who = self.user or "someone outside the admin"
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M:%S %Z") if self.when else "?"
        rows = format_html_join(
            "", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>", self.rows
        )
        return format_html(
            "{}Changed by {} at {} since you opened it. Nothing was saved. Compare the versions "
            "below: what you typed is kept in the form; save again to replace the stored values "
            "with it, or reload the page to start from the stored version."
            "<table class='conflict'><thead><tr><th>field</th><th>when you opened it</th>"
            "<th>stored now</th><th>you typed</th></tr></thead><tbody>{}</tbody></table>",
            f"{self.what} — " if self.what else "",
            who,
            when,
            rows,
        )


class VersionedModelForm(forms.ModelForm):
    """Optimistic locking for an admin change form. A hidden field carries the edit
    history version the user opened; a save when a later version has changed any field
    of this form is refused with who changed it, when and the differences, keeping what
    the user typed. The refusal moves the hidden version on, so saving again (after
    reviewing the differences) deliberately overwrites. An add form has no version."""

    opened_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    conflict: Conflict | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = self.current_version()

    def current_version(self) -> int:
        return version_id(type(self.instance), self.instance.pk)

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.instance.pk is not None:
            self._check_version(self.cleaned_data)
        return self.cleaned_data

    def _check_version(self, cleaned_data: dict[str, Any]) -> None:
        model = type(self.instance)
        if transaction.get_connection().in_atomic_block:
            # Held until the admin's transaction ends: no save slips in between this
            # check and this form's own save.
            list(
                model._default_manager.select_for_update().filter(pk=self.instance.pk).order_by().values("pk")
            )
        current = latest_version(model, self.instance.pk)
        current_id = current.history_id if current else 0
        opened_id = cleaned_data.get(VERSION_FIELD)
        if opened_id == current_id:
            return
        fields = [name for name in self.fields if name != VERSION_FIELD and _is_model_field(model, name)]
        opened = history_of(model).filter(history_id=opened_id).first() if opened_id else None
        rows = []
        if opened is not None and current is not None:
            delta = current.diff_against(opened, included_fields=fields, foreign_keys_are_objs=False)
            for change in delta.changes:
                rows.append(self._row(model, change.field, change.old, change.new, cleaned_data))
        elif current is not None:
            # The version opened is unknown (none was sent, or the record had no edit
            # history yet): show what is stored wherever it differs from what was typed.
            for name in fields:
                stored = getattr(current, _field(model, name).attname, None)
                if _field(model, name).many_to_many:
                    stored = list(getattr(self.instance, name).all())
                row = self._row(model, name, None, stored, cleaned_data)
                if row[2] != row[3]:
                    rows.append(row)
        if opened is not None and not rows:
            return  # the changes since touched none of the fields on this form
        self.conflict = Conflict(
            user=current.history_user if current else None,
            when=current.history_date if current else None,
            rows=rows,
            what=self.conflict_subject(),
        )
        self.add_error(None, self.conflict.message())
        data = self.data.copy() if isinstance(self.data, QueryDict) else {**self.data}
        data[self.add_prefix(VERSION_FIELD)] = str(current_id)
        self.data = data

    def conflict_subject(self) -> str:
        """What a conflict is about, when it is not the page's own record."""
        return ""

    def _row(
        self, model: type[models.Model], name: str, opened: Any, stored: Any, cleaned_data: dict[str, Any]
    ) -> tuple[str, str, str, str]:
        label = str(self.fields[name].label or _field(model, name).verbose_name)
        opened_shown = "(not known)" if opened is None else _shown(model, name, opened)
        return (label, opened_shown, _shown(model, name, stored), _shown(model, name, cleaned_data.get(name)))


class VersionedInlineForm(VersionedModelForm):
    """A row of an inline formset with the version check of its own record. Only a row
    the user changed or marked for deletion is checked: an untouched row overwrites
    nothing (the formset does not save it), whatever happened to it since. The hidden
    version is not an edit of the row."""

    DELETION = "DELETE"  # the formset's "delete" box (forms.formsets.DELETION_FIELD_NAME)

    def __init__(self, *args: Any, versions: dict[Any, int] | None = None, **kwargs: Any) -> None:
        self.versions = versions  # every row's version, loaded by the formset in one query
        super().__init__(*args, **kwargs)

    def current_version(self) -> int:
        if self.versions is not None:
            return self.versions.get(self.instance.pk, 0)
        return super().current_version()

    @cached_property
    def changed_data(self) -> list[str]:
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def marked_for_deletion(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get(self.DELETION))

    def clean(self) -> dict[str, Any]:
        cleaned_data = forms.ModelForm.clean(self) or self.cleaned_data
        if self.instance.pk is not None and (self.has_changed() or self.marked_for_deletion()):
            self._check_version(cleaned_data)
        elif self.instance.pk is None and (deleted := self._deleted_since()) is not None:
            who = deleted.history_user or "someone outside the admin"
            when = timezone.localtime(deleted.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
            self.add_error(
                None,
                f"{str(self._meta.model._meta.verbose_name).capitalize()} {deleted.instance}: deleted by "
                f"{who} at {when} since you opened it. Nothing was saved; reload the page to start "
                "from the stored version.",
            )
        return cleaned_data

    def _deleted_since(self) -> Any:
        """The deletion of the row this form was opened on, if it was deleted since (the
        formset then gives the form no instance, and its id is "not a valid choice")."""
        pk_name = self._meta.model._meta.pk.name
        if pk_name not in self.errors or not (pk := self.data.get(self.add_prefix(pk_name))):
            return None
        try:
            return (
                history_of(self._meta.model)
                .filter(**{self._meta.model._meta.pk.attname: pk}, history_type="-")
                .select_related("history_user")
                .order_by("-history_id")
                .first()
            )
        except (TypeError, ValueError):
            return None

    def conflict_subject(self) -> str:
        subject = f"{str(self.instance._meta.verbose_name).capitalize()} {self.instance}"
        return f"{subject}, which you marked for deletion" if self.marked_for_deletion() else subject


class VersionedInlineMixin(admin.options.InlineModelAdmin):
    """An editable inline whose rows carry their versions (VersionedInlineForm); its
    formset must be a VersionedFormSetMixin, which refuses stale deletions (a deleted
    row's own errors do not count for Django's formsets)."""

    form = VersionedInlineForm

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        return fields if VERSION_FIELD in fields else [*fields, VERSION_FIELD]


class VersionedFormSetMixin(forms.BaseModelFormSet):
    """Hands each row its version, all of them read in one query (a page's query count
    does not grow with its rows); ``clean()`` refuses stale deletions."""

    @cached_property
    def row_versions(self) -> dict[Any, int]:
        model = self.model
        pk = model._meta.pk.attname
        rows = (
            history_of(model)
            .filter(**{f"{pk}__in": [obj.pk for obj in self.get_queryset()]})
            .values(pk)
            .annotate(latest=models.Max("history_id"))
            .order_by()
        )
        return {row[pk]: row["latest"] for row in rows}

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < self.initial_form_count():
            kwargs["versions"] = self.row_versions
        return kwargs

    def clean(self) -> None:
        super().clean()
        refuse_stale_deletions(self)


def refuse_stale_deletions(formset: forms.BaseModelFormSet) -> None:
    """Raise the conflicts of the rows marked for deletion that changed since they were
    opened, which Django's formsets would otherwise skip (and delete)."""
    conflicts = [
        form.conflict.message()
        for form in formset.forms
        if isinstance(form, VersionedInlineForm) and form.conflict is not None and form.marked_for_deletion()
    ]
    if conflicts:
        raise forms.ValidationError(conflicts)
