"""Ranked locality search (exact, alias, prefix, substring/trigram) and "did you mean"."""

import difflib
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from .. import models
from ..gazetteer import gazetteer
from ..identity import identity_key
from ..models import (
    Partnership,
)
from ..text import normalize_name

SEARCH_EXACT, SEARCH_OTHER_NAME, SEARCH_PREFIX, SEARCH_SUBSTRING = 0, 1, 2, 3
SUGGESTIONS = 5
_SIMILARITY = 0.3  # pg_trgm's own default threshold


def _gazetteer_keys(text: str) -> dict[str, set[str]]:
    """{country: search keys of the names} of the gazetteer's cities known by this name
    ("Kiev": {"UA": {"kyiv", "kiev", …}}): a search finds a city by its exonyms."""

    found: dict[str, set[str]] = {}
    for city in gazetteer().cities(text)[:10]:
        found.setdefault(city.country, set()).update(normalize_name(n) for n in city.names)
    return found


def search_localities(
    text: str, queryset: "QuerySet[models.Locality] | None" = None
) -> "QuerySet[models.Locality]":
    """Localities matching the text, ranked (annotation ``search_rank``) and ordered:
    exact name, native name or alias first; then another name of the same place (the
    same identity key, or a gazetteer city known by the text: "Kiev" finds Kyiv,
    "Москва" Moscow); then names starting with the text; then names containing it.
    Records merged into another are left out."""

    base = (queryset if queryset is not None else models.Locality.objects.all()).filter(
        merged_into__isnull=True
    )
    key = normalize_name(text)
    if not key:
        return base.none()
    aliases = models.LocalityAlias.objects.filter(locality=OuterRef("pk"))
    exact = Q(name_key=key) | Q(native_name_key=key) | Exists(aliases.filter(name_key=key))
    other = Q(identity_key=identity_key(text))
    gazetteer_keys = _gazetteer_keys(text)
    for country, keys in gazetteer_keys.items():
        other |= Q(country=country) & (Q(name_key__in=keys) | Q(Exists(aliases.filter(name_key__in=keys))))
    prefix = (
        Q(name_key__startswith=key)
        | Q(native_name_key__startswith=key)
        | Exists(aliases.filter(name_key__startswith=key))
    )
    substring = (
        Q(name_key__contains=key)
        | Q(native_name_key__contains=key)
        | Exists(aliases.filter(name_key__contains=key))
    )

    # The rows to rank, found through indexes first: the substring lookups (which cover
    # the exact and prefix ones) by their trigram indexes on PostgreSQL, the other names by
    # their b-tree indexes, as one UNION of ids; the OR below, with its EXISTS per row,
    # then runs on those rows only (on its own it reads every locality).
    candidates = _search_candidates(key, identity_key(text), gazetteer_keys)
    rank = Case(
        When(exact, then=Value(SEARCH_EXACT)),
        When(other, then=Value(SEARCH_OTHER_NAME)),
        When(prefix, then=Value(SEARCH_PREFIX)),
        default=Value(SEARCH_SUBSTRING),
        output_field=IntegerField(),
    )
    return (
        base.filter(pk__in=candidates)
        .filter(exact | other | prefix | substring)
        .annotate(search_rank=rank)
        .order_by("search_rank", "name", "country", "id")
    )


def _search_candidates(key: str, identity: str, gazetteer_keys: dict[str, set[str]]) -> "QuerySet[Any]":
    """The ids of every locality ``search_localities`` can find (a superset: its own
    conditions still decide), one indexed lookup per part."""
    localities = models.Locality.objects.order_by()
    aliases = models.LocalityAlias.objects.order_by()
    parts: list[QuerySet[Any]] = [
        localities.filter(native_name_key__contains=key).values("pk"),
        aliases.filter(name_key__contains=key).values("locality_id"),
        localities.filter(identity_key=identity).values("pk"),
    ]
    for country, keys in gazetteer_keys.items():
        parts.append(localities.filter(country=country, name_key__in=keys).values("pk"))
        parts.append(aliases.filter(name_key__in=keys, locality__country=country).values("locality_id"))
    return localities.filter(name_key__contains=key).values("pk").union(*parts)


def did_you_mean(text: str, *, limit: int = SUGGESTIONS) -> list["models.Locality"]:
    """Localities whose names are like the text, for a search that found nothing:
    trigram similarity (pg_trgm) on PostgreSQL, difflib over the search keys on SQLite."""

    key = normalize_name(text)
    if not key:
        return []
    live = models.Locality.objects.filter(merged_into__isnull=True)
    if connection.vendor == "postgresql":
        similarity = Func(F("name_key"), Value(key), function="similarity", output_field=FloatField())
        return list(
            live.annotate(similarity=similarity)
            .filter(similarity__gte=_SIMILARITY)
            .order_by("-similarity", "name", "id")[:limit]
        )

    keys = list(live.values_list("name_key", flat=True).distinct())
    close = difflib.get_close_matches(key, keys, n=limit, cutoff=0.75)
    found = {loc.name_key: loc for loc in live.filter(name_key__in=close).order_by("id")}
    return [found[k] for k in close if k in found]


def search_partnerships(text: str, localities: "QuerySet[models.Locality]") -> "QuerySet[Any]":
    """The partnerships the search page lists: those of the best-ranked localities first
    (a partnership of Köln before one of "Sokolniki (Moscow)" whose text only contains
    the name), then those matching the text otherwise. One query, like the page's others."""
    ranks = localities.order_by().values("search_rank")  # type: ignore[misc]  # an annotation
    found = localities.order_by().values("pk")
    partnerships = Partnership.objects.as_of(None).with_parties()
    matching = partnerships.filter(
        Q(pk__in=partnerships.matching(text).values("pk"))
        | Q(locality_a_id__in=found)
        | Q(locality_b_id__in=found)
    )
    unranked = Value(SEARCH_SUBSTRING + 1)
    rank = Least(
        Coalesce(Subquery(ranks.filter(pk=OuterRef("locality_a_id"))[:1]), unranked),
        Coalesce(Subquery(ranks.filter(pk=OuterRef("locality_b_id"))[:1]), unranked),
    )
    return matching.annotate(search_rank=rank).order_by(
        "search_rank", "locality_a__name", "locality_b__name", "id"
    )
