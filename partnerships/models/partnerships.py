"""Partnerships: the partnership itself (two localities, its level, when it was
established, its current status as derived from its status events), the focus areas it is
tagged with and the queries that filter partnerships (by country, by party, as they stood
on a date). Its status events and activities are in ``timeline``."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Least, NullIf
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .. import steps
from ..dates import DatePrecision, raise_for
from ..text import normalize_name
from .base import PartialDatePair, TimestampedModel, precision_field
from .localities import Locality
from .organizations import Organization


class FocusArea(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _parties() -> models.QuerySet[Any]:
    from .parties import PartnershipParty  # the index table refers back to Partnership

    return PartnershipParty.objects.order_by()


def _name_matches(text: str) -> models.QuerySet[Any]:
    """The ids of the localities whose name, native name or an alias contains the text
    (normalised): what Locality.matching() finds, as one UNION."""
    from .localities import LocalityAlias

    key = normalize_name(text)
    by_name = Locality.objects.order_by().filter(name_key__contains=key).values("pk")
    by_native = Locality.objects.order_by().filter(native_name_key__contains=key).values("pk")
    by_alias = LocalityAlias.objects.order_by().filter(name_key__contains=key).values("locality_id")
    return by_name.union(by_native, by_alias)


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def with_parties(self) -> PartnershipQuerySet:
        return self.select_related("locality_a", "locality_b")

    def as_of(self, date: datetime.date | None = None) -> PartnershipQuerySet:
        """Partnerships that existed on the date, each annotated with ``status``,
        ``status_since`` and ``status_since_precision`` (and ``status_reported`` with its
        precision: when it was last reported, see Partnership.current_status_reported) as
        they were then.

        Without a date, the current status (stored on the row) is used. With one, the
        status is that of the latest event on or before it. A partnership is left out
        when it is known not to exist yet: its first event and its establishment date are
        both later (or one is later and the other unknown). One with no dated fact at all
        is kept, with an unknown (null) status, as is one established by then whose first
        status event is later. Either way it is one SQL query, whatever the number of rows."""
        if date is None:
            return self.annotate(
                status=NullIf(F("current_status"), Value("")),
                status_since=F("current_status_since"),
                status_since_precision=NullIf(F("current_status_since_precision"), Value("")),
                status_reported=F("current_status_reported"),
                status_reported_precision=NullIf(F("current_status_reported_precision"), Value("")),
            )
        events = StatusEvent.objects.filter(partnership=OuterRef("pk"))
        latest = events.filter(effective_on__lte=date).order_by("-effective_on", "-id")
        # ``status_since`` is the latest *change*'s date (the latest attestation's when no
        # change is recorded by then); ``status_reported`` the latest attestation's when it
        # is later than that change: the same rule as the stored current status.
        change = latest.filter(kind=StatusEvent.Kind.CHANGE)
        report = latest.filter(kind=StatusEvent.Kind.ATTESTATION)
        reported_later = Q(_change_on__isnull=True) | Q(_report_on__gt=F("_change_on"))
        return (
            self.annotate(
                status=Subquery(latest.values("status")[:1]),
                _change_on=Subquery(change.values("effective_on")[:1]),
                _change_precision=Subquery(change.values("effective_precision")[:1]),
                _report_on=Subquery(report.values("effective_on")[:1]),
                _report_precision=Subquery(report.values("effective_precision")[:1]),
            ).annotate(
                status_since=Coalesce(F("_change_on"), F("_report_on")),
                status_since_precision=Coalesce(F("_change_precision"), F("_report_precision")),
                status_reported=Case(
                    When(reported_later, then=F("_report_on")), default=None, output_field=models.DateField()
                ),
                status_reported_precision=Case(
                    When(reported_later, then=F("_report_precision")),
                    default=None,
                    output_field=models.CharField(),
                ),
            )
        ).filter(
            Q(status__isnull=False)
            | Q(established_on__lte=date)
            | (Q(established_on__isnull=True) & ~Exists(events))
        )

    def active(self) -> PartnershipQuerySet:
        return self.filter(current_status=Partnership.Status.ACTIVE)

    # The country, between and name filters go through the list index table
    # (PartnershipParty, models/parties.py): an ordered index scan, not a join of every
    # partnership with both localities. One country or a pair is a join that yields at most
    # one index row per partnership (so the list can be ordered by the index and counted
    # from it); several countries a semi-join (a partnership with a party in each of two
    # of them is listed once).

    def in_country(self, *codes: str) -> PartnershipQuerySet:
        """Partnerships with a party in any of the countries."""
        if len(codes) == 1:
            return self.on_index(country=codes[0])
        return self.filter(pk__in=_parties().filter(country__in=codes).values("partnership_id"))

    def between(self, country_1: str, country_2: str) -> PartnershipQuerySet:
        """Partnerships with one party in each of the two countries."""
        return self.on_index(country=country_1, other_country=country_2)

    def on_index(self, **conditions: Any) -> PartnershipQuerySet:
        """Partnerships whose country row in the list index (PartnershipParty with
        ``is_country_row``) meets every condition (``country="DE"``, ``other_country=…``,
        ``status__in=[…]``), in one join: conditions on the same row, served by one index."""
        lookups = {f"parties__{lookup}": value for lookup, value in conditions.items()}
        return self.filter(**lookups, parties__is_country_row=True)

    def involving(self, locality: Locality | int) -> PartnershipQuerySet:
        return self.filter(Q(locality_a=locality) | Q(locality_b=locality))

    def matching(self, text: str) -> PartnershipQuerySet:
        """Partnerships where either party's name or alias contains the text."""
        localities: models.QuerySet[Any] = Locality.objects.matching(text)
        if not localities.query.is_empty():
            # The same localities as Locality.matching(), found as a union of three
            # substring lookups that each use a trigram index on PostgreSQL (an OR with an
            # EXISTS in one WHERE would scan every locality).
            localities = _name_matches(text)
        return self.filter(pk__in=_parties().filter(locality__in=localities).values("partnership_id"))

    def for_pair(self, locality_1: Locality | int, locality_2: Locality | int) -> PartnershipQuerySet:
        """The partnership between two localities, whichever order they were entered in."""
        return self.filter(
            Q(locality_a=locality_1, locality_b=locality_2) | Q(locality_a=locality_2, locality_b=locality_1)
        )


class Partnership(TimestampedModel):
    """A partnership between two distinct localities. It is unordered: Seattle–Tashkent
    and Tashkent–Seattle are the same partnership."""

    class Level(models.TextChoices):
        SISTER_CITY = "sister_city", "sister city"
        SISTER_COUNTY = "sister_county", "sister county"
        SISTER_STATE = "sister_state", "sister state or region"
        FRIENDSHIP = "friendship", "friendship agreement"
        COOPERATION = "cooperation", "cooperation agreement"
        PARTNERSHIP = "partnership", "city partnership (kind not stated)"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "proposed"
        ACTIVE = "active", "active"
        SUSPENDED = "suspended", "suspended"
        TERMINATED = "terminated", "terminated"

    locality_a = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="partnerships_as_a",
        verbose_name="first party",
    )
    locality_b = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="partnerships_as_b",
        verbose_name="second party",
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.SISTER_CITY)
    established_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it was signed or founded, as precisely as a source says.",
    )
    established_precision = precision_field(blank=True)
    established = PartialDatePair(
        "established_on",
        "established_precision",
        required=False,
        constraint="partnership_established_precision",
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="partnerships",
        help_text="Organizations that facilitate it.",
    )
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="partnerships")
    description = models.TextField(blank=True)
    # A partnership enters the registry with a citation, or marked as an internal record
    # (staff know of it without a citable source): services.create_partnership() refuses
    # it otherwise, and the review queue lists it until a reviewer verifies it.
    is_internal_record = models.BooleanField(
        default=False,
        help_text="Tick only for a partnership staff know of without a citable source; it is flagged for review.",
    )

    # Derived from the status events and written by one function only,
    # partnerships.services.timeline.refresh_current_status(); stored so that "current
    # status" filters are a plain indexed column.
    current_status = models.CharField(max_length=10, choices=Status.choices, blank=True, editable=False)
    current_status_since = models.DateField(null=True, blank=True, editable=False)
    current_status_since_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )
    current_status_since_partial = PartialDatePair(
        "current_status_since",
        "current_status_since_precision",
        required=False,
        constraint="partnership_status_since_precision",
    )
    # When the current status was last *reported* (a StatusEvent of kind attestation) later
    # than its latest change; when no change is recorded at all, the latest report's date,
    # equal to current_status_since. Written with it, by refresh_current_status() only.
    current_status_reported = models.DateField(null=True, blank=True, editable=False)
    current_status_reported_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )
    current_status_reported_partial = PartialDatePair(
        "current_status_reported",
        "current_status_reported_precision",
        required=False,
        constraint="partnership_status_reported_precision",
    )

    # The timeline in years, for the country page's chart of statuses over the years
    # ("A1973S2022": partnerships.steps, the rule and its format), written with
    # the current status by the same functions and copied to the list-index rows, where the
    # chart counts a country's partnerships by it from an index (0013_pages_status_steps)
    # instead of reading every event. NULL: no event. Nullable, so that SQLite adds the
    # column without rebuilding the table (which would drop its triggers).
    status_steps = models.CharField(  # noqa: DJ001 (NULL: no event; see above)
        max_length=steps.MAX_LENGTH, null=True, blank=True, editable=False
    )

    # Set by partnerships.services.curation.verify_partnership() when a reviewer has checked
    # the record against its sources; the review queue lists what was never or long ago
    # verified.
    last_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # The parties' names, for the lists' default order (copies of locality_a.name and
    # locality_b.name): written by database triggers only, like PartnershipParty's rows
    # (models/parties.py), and left out of the edit history, which records the parties.
    sort_name_a = models.CharField(max_length=200, blank=True, default="", editable=False)
    sort_name_b = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = PartnershipQuerySet.as_manager()

    # Who changed what, when: every save through the admin, the API, imports and
    # bulk actions (bulk_create_with_history) lands in HistoricalPartnership.
    history = HistoricalRecords(
        m2m_fields=[organizations, focus_areas],
        excluded_fields=["sort_name_a", "sort_name_b", "status_steps"],
    )

    class Meta:
        # The parties' names (stored copies: an index serves the order), as before.
        ordering = ["sort_name_a", "sort_name_b", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(locality_a=F("locality_b")),
                name="partnership_distinct_parties",
                violation_error_message="A partnership needs two different localities.",
            ),
            models.UniqueConstraint(
                Least("locality_a", "locality_b"),
                Greatest("locality_a", "locality_b"),
                name="partnership_unique_pair",
                violation_error_message="A partnership between these two localities already exists.",
            ),
            models.CheckConstraint(
                condition=Q(current_status="", current_status_since__isnull=True)
                | (
                    Q(current_status__in=["proposed", "active", "suspended", "terminated"])
                    & Q(current_status_since__isnull=False)
                ),
                name="partnership_current_status_dated",
                violation_error_message="A current status needs the date since when it holds.",
            ),
        ]
        indexes = [
            # Lists filtered by current status (status=active, the home page counts).
            models.Index(fields=["current_status"], name="partnership_status_idx"),
            # The change feed and updated_since filters.
            models.Index(fields=["updated_at"], name="partnership_updated_idx"),
            # The review queue: never verified first, then the oldest verifications.
            models.Index(fields=["last_verified_at"], name="partnership_verified_idx"),
            # Unfiltered lists in their default order (by the parties' names).
            models.Index(fields=["sort_name_a", "sort_name_b", "id"], name="partnership_name_order_idx"),
            # ?ordering=established / -established and ?ordering=updated_at.
            models.Index(fields=["established_on", "id"], name="partnership_established_idx"),
        ]

    def __str__(self) -> str:
        a = self.locality_a.name if self.locality_a_id else "?"
        b = self.locality_b.name if self.locality_b_id else "?"
        return f"{a} – {b}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership-detail", kwargs={"pk": self.pk})

    @property
    def is_domestic(self) -> bool:
        """Both parties in one country (German–German twinnings exist): "domestic" in lists."""
        return self.locality_a.country == self.locality_b.country

    @property
    def localities(self) -> tuple[Locality, Locality]:
        return (self.locality_a, self.locality_b)

    def clean(self) -> None:
        errors = Partnership.established.errors(self)
        if self.locality_a_id and self.locality_b_id:
            if self.locality_a_id == self.locality_b_id:
                errors["locality_b"] = "A partnership needs two different localities."
            else:
                existing = (
                    Partnership.objects.for_pair(self.locality_a_id, self.locality_b_id)
                    .exclude(pk=self.pk)
                    .first()
                )
                if existing is not None:
                    errors["locality_b"] = (
                        f"A partnership between these two localities already exists: {existing} "
                        f"(record #{existing.pk}), whichever order they are entered in."
                    )
        raise_for(errors)


# StatusEvent and Activity live in timeline.py, which imports Partnership from here: they
# are imported last, for as_of() and for the imports from this module that name them.
from .timeline import Activity, StatusEvent  # noqa: E402, F401 (re-exported)
