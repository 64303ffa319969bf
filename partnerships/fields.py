"""Search keys: normalised copies of name fields, for lookups that ignore case and
diacritics (see ``partnerships.text.normalize_name``). Migrations refer to
``partnerships.fields.SearchKeyField`` by this path."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models

from .identity import identity_key
from .text import normalize_name

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    # The stubs make fields generic (the types one sets and gets); Django's classes are not.
    _CharField = models.CharField[str | int | Combinable, str]
else:
    _CharField = models.CharField


class SearchKeyField(_CharField):
    """A normalised copy of another field, kept in step on save() and bulk_create()
    (Django calls pre_save for both; see SearchKeyedModel for partial saves), so lookups
    that ignore case and diacritics are a plain indexed comparison on PostgreSQL and
    SQLite alike."""

    def __init__(self, *args: Any, populate_from: str, **kwargs: Any) -> None:
        self.populate_from = populate_from
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["populate_from"] = self.populate_from
        for key, default in (("editable", False), ("blank", True), ("db_index", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = normalize_name(getattr(model_instance, self.populate_from) or "")[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


class IdentityKeyField(SearchKeyField):
    """The identity key of a name (``partnerships.identity.identity_key``): its folded base
    and, from its words or the model's ``kind``, its area. Kept in step as search keys are."""

    def __init__(self, *args: Any, populate_from: str, kind_from: str = "kind", **kwargs: Any) -> None:
        self.kind_from = kind_from
        super().__init__(*args, populate_from=populate_from, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.kind_from != "kind":
            kwargs["kind_from"] = self.kind_from
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = identity_key(
            getattr(model_instance, self.populate_from) or "",
            getattr(model_instance, self.kind_from, "") or "",
        )[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


def fill_search_keys(instance: models.Model) -> None:
    """Compute an instance's search keys now, so clean() can check them before saving."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, SearchKeyField):
            field.pre_save(instance, add=instance._state.adding)


class SearchKeyedModel(models.Model):
    """For models with search keys: Django prepares only the listed fields on
    save(update_fields=[...]), so a key whose source is listed is added to the list.
    QuerySet.update() and bulk_update() bypass this; code using them sets the keys itself
    (normalize_name)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        if update_fields is not None:
            listed = set(update_fields)
            update_fields = listed | {
                field.name
                for field in self._meta.concrete_fields
                if isinstance(field, SearchKeyField)
                and (field.populate_from in listed or getattr(field, "kind_from", None) in listed)
            }
        super().save(*args, update_fields=update_fields, **kwargs)
