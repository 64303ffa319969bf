"""The partnership list's index table: one row per party of a partnership, with the
party's country, the other party's country and the partnership's sort keys, so that
"partnerships with a party in DE", "between DE and FR" (each also with a status: the
partnership's current status is copied too) and "involving this locality" are
each one ordered index scan instead of a join of every partnership with its localities.

The rows are derived data, written by the database itself: triggers (migration
``0006_perf_list_index``, ``0007_perf_faster_triggers``, ``0009_apilist_party_status``,
``0010_pages_party_year``, ``0013_pages_status_steps``)
rebuild a partnership's rows whenever it is created or its parties change, copy its
status whenever that changes, and rewrite the rows of every partnership of a locality
whose name or country changes, on PostgreSQL and SQLite alike, whichever path writes (services, the import's
bulk paths, the admin, fixtures). No Python code writes them; ``Partnership.sort_name_a``
and ``sort_name_b`` (copies of the parties' names, for ordering) are kept the same way, as is
the rows' copies of the year the partnership was established and of its status steps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .. import steps
from .localities import Locality
from .partnerships import Partnership


class PartnershipParty(models.Model):
    """One side of a partnership, as the list filters see it (written by triggers only)."""

    #: rows the database writes: left out of snapshots (partnerships.exporting)
    DERIVED_BY_DATABASE = True

    class Side(models.TextChoices):
        A = "a", "first party"
        B = "b", "second party"

    # DO_NOTHING: a trigger deletes a partnership's rows before the partnership itself.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.DO_NOTHING, related_name="parties", editable=False, db_index=False
    )
    side = models.CharField(max_length=1, choices=Side.choices, editable=False)
    locality = models.ForeignKey(
        Locality, on_delete=models.DO_NOTHING, related_name="+", editable=False, db_index=False
    )
    country = models.CharField(max_length=2, editable=False)
    other_country = models.CharField(max_length=2, editable=False)
    # The row that stands for the partnership in its party's country: side a, and side b
    # unless both parties lie in the same country (a domestic partnership counts once).
    is_country_row = models.BooleanField(editable=False)
    sort_name_a = models.CharField(max_length=200, editable=False)
    sort_name_b = models.CharField(max_length=200, editable=False)
    # A copy of Partnership.current_status ("" for none known), for ?status= beside a
    # country or a pair: counted and paged from the index alone (0009_apilist_party_status).
    status = models.CharField(max_length=10, editable=False, db_default="")
    # A copy of the year the partnership was established, for the country page's and the
    # map's counts (index-only; 0010_pages_party_year). Nullable (no year known; and so that
    # SQLite adds it without rebuilding the table and dropping its triggers).
    established_year = models.IntegerField(null=True, editable=False)
    # A copy of Partnership.status_steps, for the country page's chart of statuses over the
    # years: the country's partnerships counted by their steps, index-only
    # (0013_pages_status_steps). Nullable for the same reason.
    status_steps = models.CharField(max_length=steps.MAX_LENGTH, null=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = "partnership party (list index)"
        verbose_name_plural = "partnership parties (list index)"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "side"], name="party_one_row_per_side"),
        ]
        indexes = [
            # ?country=DE, in the list's default order: an ordered index scan that stops
            # after one page; the count is an index-only scan of the same index.
            models.Index(
                fields=["country", "sort_name_a", "sort_name_b", "partnership"],
                condition=Q(is_country_row=True),
                name="party_country_order_idx",
            ),
            # ?between=DE,FR: the same, for a pair of countries.
            models.Index(
                fields=["country", "other_country", "sort_name_a", "sort_name_b", "partnership"],
                condition=Q(is_country_row=True),
                name="party_between_order_idx",
            ),
            # ?country=DE&status=active: the page in order and the count, index-only.
            models.Index(
                fields=["country", "status", "sort_name_a", "sort_name_b", "partnership"],
                condition=Q(is_country_row=True),
                name="party_country_status_idx",
            ),
            # ?between=DE,FR&status=active: the same, for a pair of countries.
            models.Index(
                fields=["country", "other_country", "status", "sort_name_a", "sort_name_b", "partnership"],
                condition=Q(is_country_row=True),
                name="party_between_status_idx",
            ),
            # ?locality=…, ?q=… (the localities a name matches) and a locality's partnerships.
            models.Index(fields=["locality", "partnership"], name="party_locality_idx"),
            # The country page's counts by status and year established, and the map's
            # flows of one country by partner country and status: index-only scans.
            models.Index(
                fields=["country", "status", "established_year", "other_country"],
                condition=Q(is_country_row=True),
                name="party_country_year_idx",
            ),
            # The country page's chart of statuses over the years: the country's
            # partnerships counted by their status steps, index-only
            # (selectors.country_status_spans).
            models.Index(
                fields=["country", "status_steps"],
                condition=Q(is_country_row=True),
                name="party_country_steps_idx",
            ),
            # The country page's most-partnered localities: the country's rows counted
            # per locality, index-only (selectors.country_overview).
            models.Index(fields=["country", "locality", "partnership"], name="party_country_locality_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id}{self.side}: {self.country}→{self.other_country}"
