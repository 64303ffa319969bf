"""The changelist's rows, written as Django's ``result_list`` writes them, cheaper.

Django's ``items_for_result()`` works out, for every cell of every row, what depends
only on the column: which model field or callable it is, its CSS class, its empty value,
whether it links to the change page, the choices' labels (a dict built per cell); and
for each row's link it reverses the change URL and then resolves it again to add the
preserved filters. On a 100-row changelist that was about half of the page's time.
Here that is worked out once per column, the change URL once per page (reversed with a
marker in the key's place, which each row's key replaces), and each row is joined into
one string, so that the template writes a row as one item.

The HTML is Django's own, byte for byte: ``tests/test_admin_changelists.py`` renders
every registered model admin's changelist both ways (and with filters, a search, a
sort, a popup) and compares them. A changelist with ``list_editable`` (a formset) takes
Django's own path. ``templates/admin/partnerships/change_list.html`` puts
``{% lean_result_list cl %}`` (``partnerships/templatetags/admin_rows.py``) where
Django's template has ``{% result_list cl %}``."""

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.contrib.admin.templatetags.admin_list import (  # type: ignore[attr-defined]
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

_DATE_TYPES = (datetime.date, datetime.time)
# Put in the change URL where a row's key goes (an int: the admin quotes no int).
_MARKER = 918273645546372819


def lean_result_list(cl: ChangeList) -> dict[str, Any]:
    """The context of ``change_list_results.html``, as Django's ``result_list()`` makes
    it, with each row one pre-joined item."""
    if cl.formset:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [ResultList(None, [row]) for row in rows(cl)],
    }


def rows(cl: ChangeList) -> list[SafeString]:
    """Each result's ``<td>``s (and ``<th>``), joined."""
    columns = [_Column(cl, index, name) for index, name in enumerate(cl.list_display)]
    if any(column.link for column in columns):
        link = _ChangeLink(cl)
        for column in columns:
            column.change_link = link
    return [mark_safe("".join([column.cell(result) for column in columns])) for result in cl.result_list]


class _ChangeLink:
    """A row's change URL with the preserved filters, as ``items_for_result()`` makes
    it: reversed (and its filters added) once, then each row's key put in."""

    def __init__(self, cl: ChangeList) -> None:
        self.cl = cl
        self.context: Any = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
        self.template: tuple[str, str] | None = None
        # A ChangeList that makes its URLs its own way is asked for each one.
        if type(cl).url_for_result is ChangeList.url_for_result:
            try:
                url = add_preserved_filters(
                    self.context, cl.url_for_result(cast(Any, _Keyed(cl.pk_attname, _MARKER)))
                )
            except NoReverseMatch:
                pass
            else:
                before, _, after = url.partition(str(_MARKER))
                if url.count(str(_MARKER)) == 1:
                    self.template = (before, after)

    def url(self, result: Any) -> str:
        """Raises NoReverseMatch as ``cl.url_for_result()`` does."""
        key = getattr(result, self.cl.pk_attname)
        if self.template is not None and type(key) is int:
            return f"{self.template[0]}{key}{self.template[1]}"
        return add_preserved_filters(self.context, self.cl.url_for_result(result))


class _Keyed:
    """Something with a key only, to reverse the change URL with the marker."""

    def __init__(self, attname: str, key: int) -> None:
        setattr(self, attname, key)


class _Column:
    """One ``list_display`` column: what ``items_for_result()`` decides per cell that
    depends on the column only, decided once; ``cell()`` writes one row's cell."""

    change_link: _ChangeLink

    def __init__(self, cl: ChangeList, index: int, name: Any) -> None:
        self.cl = cl
        self.name = name
        model_admin = cl.model_admin
        self.model_admin = model_admin
        # The model admin's empty value; a callable's own (its empty_value_display)
        # unless the lookup itself failed.
        self.base_empty = self.empty = model_admin.get_empty_value_display()
        self.classes = f"field-{_coerce_field_name(name, index)}"
        # Which column links to the change page: the first one, or those named in
        # list_display_links; the row's first link is a <th> (Django's ``first``).
        links = cl.list_display_links
        self.link: bool
        if links is None:
            self.link = False
        elif not links:
            self.link = index == 0
        else:
            self.link = name in links
        self.tag = "td"
        if self.link:
            earlier = [n for n in cl.list_display[:index] if links and n in links]
            self.tag = "th" if not earlier else "td"
        self.pk = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname

        try:
            self.field: Any = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            self.field = None
        # How the value is read: a model field's attribute, a callable, a model admin
        # method; anything else (a model attribute or property, a path) as Django does.
        self.value: Callable[[Any], Any] | None = None
        self.attr: Any = None
        if self.field is not None:
            self.value = self._field_value
        elif callable(name):
            self.attr = name
            self.value = name
        elif hasattr(model_admin, name) and name != "__str__":
            self.attr = getattr(model_admin, name)
            self.value = self.attr
        elif name == "__str__":
            self.attr = cl.model.__str__
            self.value = _call_str
        self.empty = getattr(self.attr, "empty_value_display", self.empty)
        self.choices: dict[Any, Any] | None = None
        self.nowrap = False
        self.display: Callable[[Any, Any], tuple[Any, bool]] = self._from_value
        self.boolean = False
        field = self.field
        if field is not None and not field.auto_created:
            self.nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
            if isinstance(field.remote_field, models.ManyToOneRel):
                self.display = self._related
            elif getattr(field, "flatchoices", None):
                try:
                    self.choices = dict(field.flatchoices)
                except TypeError:
                    pass
                else:
                    self.display = self._choice
            else:
                self.display = self._field
        elif self.value is not None:
            if name == "action_checkbox":
                self.classes = "action-checkbox"
            boolean = getattr(self.attr, "boolean", False)
            if isinstance(self.attr, property) and hasattr(self.attr, "fget"):
                boolean = getattr(self.attr.fget, "boolean", False)
            self.boolean = boolean
            self.display = self._from_value
        self.row_class = mark_safe(f' class="{self.classes}"')
        self.row_class_nowrap = mark_safe(f' class="{self.classes} nowrap"')

    # ---- the value and how Django shows it

    def _field_value(self, result: Any) -> Any:
        return getattr(result, self.name)

    def _related(self, result: Any, value: Any) -> tuple[Any, bool]:
        related = getattr(result, self.field.name)
        return (self.empty if related is None else related), self.nowrap

    def _choice(self, result: Any, value: Any) -> tuple[Any, bool]:
        try:
            return self.choices.get(value, self.empty), self.nowrap  # type: ignore[union-attr]
        except TypeError:  # an unhashable value: Django's own way
            return display_for_field(value, self.field, self.empty, avoid_link=self.link), self.nowrap

    def _field(self, result: Any, value: Any) -> tuple[Any, bool]:
        return display_for_field(value, self.field, self.empty, avoid_link=self.link), self.nowrap

    def _from_value(self, result: Any, value: Any) -> tuple[Any, bool]:
        if not self.boolean and (type(value) is str or type(value) is SafeString):
            return (value or self.empty), False
        return display_for_value(value, self.empty, self.boolean), isinstance(value, _DATE_TYPES)

    def _lookup(self, result: Any) -> tuple[Any, str]:
        """Django's own per-cell lookup, for a column read any other way."""
        classes = [self.classes]
        try:
            f, attr, value = lookup_field(self.name, result, self.model_admin)
        except ObjectDoesNotExist:
            return self.base_empty, self.row_class
        empty = getattr(attr, "empty_value_display", self.base_empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if f is None or f.auto_created:
            if self.name == "action_checkbox":
                classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            shown = display_for_value(value, empty, boolean)
            if isinstance(value, _DATE_TYPES):
                classes.append("nowrap")
        else:
            if isinstance(f.remote_field, models.ManyToOneRel):
                related = getattr(result, f.name)
                shown = empty if related is None else related
            else:
                shown = display_for_field(value, f, empty, avoid_link=self.link)
            if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                classes.append("nowrap")
        return shown, mark_safe(f' class="{" ".join(classes)}"')

    # ---- the cell

    def cell(self, result: Any) -> str:
        if self.value is None:
            shown, row_class = self._lookup(result)
        else:
            try:
                value = self.value(result)
            except ObjectDoesNotExist:
                shown, row_class = self.base_empty, self.row_class
            else:
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                shown, nowrap = self.display(result, value)
                row_class = self.row_class_nowrap if nowrap else self.row_class
        if not self.link:
            return f"<td{row_class}>{conditional_escape(shown)}</td>"
        inner: str
        try:
            url = self.change_link.url(result)
        except NoReverseMatch:
            inner = conditional_escape(shown)
        else:
            popup = (
                format_html(' data-popup-opener="{}"', result.serializable_value(self.pk))
                if self.cl.is_popup
                else ""
            )
            inner = f'<a href="{conditional_escape(url)}"{popup}>{conditional_escape(shown)}</a>'
        return f"<{self.tag}{row_class}>{inner}</{self.tag}>"


def _call_str(result: Any) -> Any:
    return result.__str__()
