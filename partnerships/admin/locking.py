"""No lost updates: every admin change form carries the edit-history version it was
opened at, and a save over a later change is refused with "Changed by X at T" and a
three-way table of the differences; and the form of an earlier version being restored."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.utils import get_m2m_reverse_field_name

VERSION_FIELD = "opened_version"


def latest_version(model, pk):
    """The record's newest edit-history row (None if it has none yet)."""
    history = getattr(model, model._meta.simple_history_manager_attribute)
    return (
        history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )


def version_id(model, pk) -> int:
    latest = latest_version(model, pk)
    return latest.history_id if latest else 0


def _shown(model, name: str, value) -> str:
    """A field's value as staff read it: choice labels, related records' names."""
    if value in (None, "", []):
        return "—"
    field = model._meta.get_field(name)
    if field.many_to_many:
        if isinstance(value, list | tuple) and value and isinstance(value[0], dict):
            key = field.m2m_reverse_field_name()
            value = [row[key] for row in value]
        if not isinstance(value, list | tuple):
            return ", ".join(str(obj) for obj in value) or "—"
        related = field.related_model._default_manager.in_bulk([getattr(item, "pk", item) for item in value])
        return ", ".join(str(obj) for obj in related.values()) or "—"
    if field.is_relation:
        if not isinstance(value, models.Model):
            value = field.related_model._default_manager.filter(pk=value).first() or value
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@dataclass
class Conflict:
    """What changed since a staff member opened a form: who, when, and per field what
    they opened, what is stored now and what they typed."""

    user: object
    when: datetime.datetime
    rows: list[tuple[str, str, str, str]]


class VersionedFormMixin:
    """Optimistic locking for an admin change form. A hidden field carries the edit
    history version the user opened; a save when a later version has changed any field
    of this form is refused with who changed it, when and the differences, keeping what
    the user typed. The refusal moves the hidden version on, so saving again (after
    reviewing the differences) deliberately overwrites."""

    conflict: Conflict | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = version_id(type(self.instance), self.instance.pk)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._check_version(cleaned_data)
        return cleaned_data

    def _check_version(self, cleaned_data):
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
        history = getattr(model, model._meta.simple_history_manager_attribute)
        opened = history.filter(history_id=opened_id).first() if opened_id else None
        rows = []
        if opened is not None and current is not None:
            delta = current.diff_against(opened, included_fields=fields, foreign_keys_are_objs=False)
            for change in delta.changes:
                rows.append(self._row(model, change.field, change.old, change.new, cleaned_data))
        elif current is not None:
            # The version opened is unknown (none was sent, or the record had no edit
            # history yet): show what is stored wherever it differs from what was typed.
            for name in fields:
                stored = getattr(current, model._meta.get_field(name).attname, None)
                if model._meta.get_field(name).many_to_many:
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
        )
        self.add_error(None, self._conflict_message())
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = current_id
        self.data = data

    def _conflict_message(self):
        conflict = self.conflict
        who = conflict.user or "someone outside the admin"
        when = timezone.localtime(conflict.when).strftime("%Y-%m-%d %H:%M:%S %Z") if conflict.when else "?"
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            conflict.rows,
        )
        return format_html(
            "Changed by {} at {} since you opened it. Nothing was saved. Compare the versions "
            "below: what you typed is kept in the form; save again to replace the stored values "
            "with it, or reload the page to start from the stored version."
            "<table class='conflict'><thead><tr><th>field</th><th>when you opened it</th>"
            "<th>stored now</th><th>you typed</th></tr></thead><tbody>{}</tbody></table>",
            who,
            when,
            rows,
        )

    def _row(self, model, name, opened, stored, cleaned_data):
        label = str(self.fields[name].label or model._meta.get_field(name).verbose_name)
        opened_shown = "(not known)" if opened is None else _shown(model, name, opened)
        return (label, opened_shown, _shown(model, name, stored), _shown(model, name, cleaned_data.get(name)))


def _is_model_field(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete or field.many_to_many


def versioned_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """The form class with optimistic locking (see VersionedFormMixin)."""
    return type(
        form_class.__name__,
        (VersionedFormMixin, form_class),
        {VERSION_FIELD: forms.IntegerField(required=False, widget=forms.HiddenInput)},
    )


def restoring_form(form_class: type[forms.ModelForm], model, version_id) -> type[forms.ModelForm]:
    """The form of an earlier version, restored from the edit history: its many-to-many
    fields start as they were then too (simple-history's historical instance carries
    only the other fields)."""
    history = getattr(model, model._meta.simple_history_manager_attribute)
    record = history.filter(history_id=version_id).first()
    m2m_fields = getattr(record, "_history_m2m_fields", []) if record else []

    class RestoringForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in m2m_fields:
                if field.name in self.fields:
                    key = get_m2m_reverse_field_name(field)
                    self.initial[field.name] = list(getattr(record, field.name).values_list(key, flat=True))

    RestoringForm.__name__ = form_class.__name__
    return RestoringForm
