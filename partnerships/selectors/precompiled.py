"""Querysets compiled to SQL once per process and run again with new values: for reads
whose ORM building and compiling cost more than the query (the partnership detail's).

``Precompiled(build)``: ``build(*values)`` returns a queryset whose only parameters that
vary are ``values``, ids (each a plain parameter of the compiled SQL, e.g. ``pk=value``).
It is built and compiled by the ORM once with two sets of stand-in ids; ``objects(*values)`` runs that
SQL with the real values and turns the rows into model instances the way the ORM's own
``ModelIterable`` does (select_related parties, annotations, converters). A build whose
compiled SQL does not take the stand-ins as plain parameters is refused at once
(``NotPrecompilable``), so no request ever runs a wrong query. ``prefetch_related`` is not
carried over: the caller fetches related rows itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]


class NotPrecompilable(Exception):
    """The build's SQL does not take its values as plain parameters."""


#: two sets of stand-in ids (within any id column's range): the compiled SQL's parameters
#: that differ between the two compilings, each as its stand-in, are the values' places
_STANDS = (2_000_000_001, 2_000_100_001)


def _stands(base: int, arity: int) -> list[int]:
    return [base + slot for slot in range(arity)]


class _Compiled:
    def __init__(self, build: Callable[..., QuerySet[Any]], alias: str, arity: int) -> None:
        compiled = []
        for base in _STANDS:
            queryset = build(*_stands(base, arity))
            # prefetch_related is not carried over (the caller fetches related rows)
            queryset = queryset.prefetch_related(None)
            compiler = queryset.query.get_compiler(alias)
            compiled.append((compiler, *compiler.as_sql()))
        (compiler, sql, params), (_, other_sql, other_params) = compiled
        if sql != other_sql or len(params) != len(other_params):
            raise NotPrecompilable("the SQL depends on the values")
        first, second = _stands(_STANDS[0], arity), _stands(_STANDS[1], arity)
        self.slots: list[int | None] = []
        self.constants: list[Any] = []
        for param, other in zip(params, other_params, strict=True):
            if param in first and other in second and first.index(param) == second.index(other):
                self.slots.append(first.index(param))
                self.constants.append(None)
            elif param == other:
                self.slots.append(None)
                self.constants.append(param)
            else:
                raise NotPrecompilable(f"a value inside a parameter: {param!r}")
        if {slot for slot in self.slots if slot is not None} != set(range(arity)):
            raise NotPrecompilable("a value is not a parameter of the compiled SQL")
        self.sql = sql
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model: type[Model] = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.fields = (start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, alias)
        self.annotation_col_map = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([column[0] for column in select[0 : compiler.col_count]])

    def objects(self, alias: str, values: tuple[Any, ...]) -> list[Any]:
        params = [
            constant if slot is None else values[slot]
            for slot, constant in zip(self.slots, self.constants, strict=True)
        ]
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        start, end = self.fields
        found = []
        for row in rows:
            obj = self.model.from_db(alias, self.init_list, row[start:end])
            for populator in self.related_populators:
                populator.populate(row, obj)
            for name, position in self.annotation_col_map.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class Precompiled:
    """``build(*values)``'s model instances, by SQL compiled once per database alias."""

    def __init__(self, build: Callable[..., QuerySet[Any]], arity: int = 1) -> None:
        self.build = build
        self.arity = arity
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = _Compiled(self.build, alias, self.arity)
                    self._compiled[alias] = compiled
        return compiled

    def objects(self, *values: Any) -> list[Any]:
        if len(values) != self.arity:
            raise TypeError(f"{self.arity} values expected, got {len(values)}")
        model = self._model()
        alias = router.db_for_read(model)
        return self._for(alias).objects(alias, values)

    def _model(self) -> type[Model]:
        model = self.__dict__.get("model")
        if model is None:
            model = self.build(*_stands(_STANDS[0], self.arity)).model
            self.__dict__["model"] = model
        return model
