"""The partnership list's page query compiled once per shape of filter, for the lists the
list index serves: one country or a pair (``between``), with or without ``?status=``,
in the default order, not as of a date (the filters ``PartnershipFilterSet.index_count``
counts from the index).

Building the FilterSet's queryset and compiling it cost the API list more per request
than the query itself (about 5 ms of ~12 ms at 1× data). So the queryset is built once
per shape (which filters, how many statuses), by the FilterSet's own ``filter_queryset``
with stand-in values, and compiled by the ORM; each request runs that SQL with its own
values in the stand-ins' places, plus the page's LIMIT and OFFSET. The SQL is the ORM's
(the same plan, the same rows, in the same order: tests/test_lean_rows.py compares the
answers with the serializer's and these rows with the queryset's); a shape whose
compiled query does not take the stand-ins as plain parameters, or whose sliced SQL is
not the unsliced one with a LIMIT, is not precompiled and goes the ORM's way.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models.sql.compiler import SQLCompiler

from ...models import Partnership
from .lean import page_rows


def _stand(slot: int) -> str:
    """A stand-in value, found again among the compiled query's parameters: a text no
    country code or status can be (form validation refuses it)."""
    return f"\x00stand-in {slot}\x00"


def shape_of(filterset: Any) -> tuple[tuple[str, int], list[Any]] | None:
    """``((filter, number of statuses), values)`` when the validated ``filterset``'s page
    can run precompiled SQL; None otherwise."""
    data = {name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "", [])}
    statuses = data.pop("status", None) or []
    if set(data) == {"country"} and len(data["country"]) == 1:
        return ("country", len(statuses)), [data["country"][0], *statuses]
    if set(data) == {"between"} and len(data["between"]) == 2:
        return ("between", len(statuses)), [*data["between"], *statuses]
    return None


class _Compiled:
    """One shape's SQL: ``sql`` with ``%s`` for every parameter, ``slots[i]`` the index of
    the request's value for parameter i (or None: ``constants[i]`` is fixed)."""

    def __init__(
        self, sql: str, slots: list[int | None], constants: list[Any], compiler: SQLCompiler
    ) -> None:
        self.sql = sql
        self.slots = slots
        self.constants = constants
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.compiler = compiler

    def params(self, values: Sequence[Any]) -> list[Any]:
        return [
            constant if slot is None else values[slot]
            for slot, constant in zip(self.slots, self.constants, strict=True)
        ]


@functools.cache
def _compiled(shape: tuple[str, int], alias: str) -> _Compiled | None:
    from ...filters import PartnershipFilterSet
    from ...selectors import partnership_rows

    kind, statuses = shape
    # A valid FilterSet of this shape, its values then replaced by the stand-ins, so that
    # its own filter_queryset builds the queryset (the same code as every request's).
    data = {"country": "DE"} if kind == "country" else {"between": "DE,FR"}
    if statuses:
        data["status"] = ",".join(["active"] * statuses)
    filterset = PartnershipFilterSet(data, queryset=partnership_rows())
    if not filterset.is_valid():  # pragma: no cover - the data above is valid
        return None
    stands = [_stand(slot) for slot in range(statuses + (1 if kind == "country" else 2))]
    slot_of = {stand: slot for slot, stand in enumerate(stands)}
    cleaned = filterset.form.cleaned_data
    if kind == "country":
        cleaned["country"] = [stands[0]]
    else:
        cleaned["between"] = stands[:2]
    if statuses:
        cleaned["status"] = stands[-statuses:]
    queryset = page_rows(filterset.filter_queryset(filterset.queryset.all())).using(alias)
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    slots: list[int | None] = []
    constants: list[Any] = []
    for param in params:
        if isinstance(param, str) and param in slot_of:
            slots.append(slot_of[param])
            constants.append(None)
        elif "stand-in" in repr(param):
            return None  # a stand-in inside another value: not a plain parameter
        else:
            slots.append(None)
            constants.append(param)
    if sorted(slot for slot in slots if slot is not None) != list(range(len(stands))):
        return None  # a stand-in used twice, or not at all: not a plain parameter
    # The page is the same SQL with a LIMIT (and an OFFSET past the first page).
    sliced, _ = queryset[3:10].query.get_compiler(alias).as_sql()
    if sliced != f"{sql} LIMIT 7 OFFSET 3":
        return None
    return _Compiled(sql, slots, constants, compiler)


class PrecompiledRows:
    """The page rows (``lean.page_rows``' tuples) of a list of a precompiled shape, for
    the paginator: each slice runs the shape's SQL with the request's values."""

    def __init__(self, compiled: _Compiled, values: list[Any], alias: str) -> None:
        self.compiled = compiled
        self.values = values
        self.alias = alias

    def __getitem__(self, page: slice) -> list[Any]:
        start = page.start or 0
        if page.stop is None or page.step is not None:
            raise ValueError("a page is a slice with a start and a stop")
        if page.stop <= start:
            return []
        compiled = self.compiled
        sql = f"{compiled.sql} LIMIT {int(page.stop) - int(start)}"
        if start:
            sql += f" OFFSET {int(start)}"
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, compiled.params(self.values))
            rows: list[Any] = cursor.fetchall()
        if compiled.converters:
            rows = [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]
        return rows


def precompiled_rows(filterset: Any) -> PrecompiledRows | None:
    """The page rows of the validated ``filterset`` by precompiled SQL, or None when its
    filters are not of a precompiled shape (then build ``filterset.qs``)."""
    found = shape_of(filterset)
    if found is None:
        return None
    shape, values = found
    alias = router.db_for_read(Partnership)
    compiled = _compiled(shape, alias)
    if compiled is None:
        return None
    return PrecompiledRows(compiled, values, alias)


def precompiled_country_rows(code: str) -> PrecompiledRows | None:
    """The page rows of ``?country=<code>`` alone (the country page's list without a filter
    of its own), or None when that shape is not precompiled."""
    alias = router.db_for_read(Partnership)
    compiled = _compiled(("country", 0), alias)
    return None if compiled is None else PrecompiledRows(compiled, [code], alias)
