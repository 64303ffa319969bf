"""The change log (FeedEntry) behind the change feed, filled from the edit history.

The backfill gives every record that exists a "created" entry at its first recorded
version (or its created_at when it has no history), an "updated" entry at its latest
change when that is later (its own history and its parts': events, activities, citations,
aliases, relationships), and every record that was deleted a "created" and a "deleted"
entry: per record, created first and deleted last; all in the order of their dates, so an
old (time-based) cursor maps to the first entry at or after its time. Changes of records
that only repeated another's data (a renamed locality in its partnerships) are not
backfilled: a mirror started from an old cursor refetches the records it is told of."""

import datetime

from django.db import migrations, models
from django.db.models import Max, Min

PUBLIC = {
    "partnership": "Partnership",
    "locality": "Locality",
    "organization": "Organization",
    "source": "Source",
    "reported_figure": "ReportedFigure",
}
RANK = {"created": 0, "updated": 1, "deleted": 2}


def backfill(apps, schema_editor):
    alias = schema_editor.connection.alias
    FeedEntry = apps.get_model("partnerships", "FeedEntry")
    if FeedEntry.objects.using(alias).exists():
        return

    def history(name):
        return apps.get_model("partnerships", f"Historical{name}").objects.using(alias).order_by()

    first: dict = {}
    latest: dict = {}
    gone: dict = {}

    def seen(key, moment):
        if key[1] is None or moment is None:
            return
        if key not in first or moment < first[key]:
            first[key] = moment
        if key not in latest or moment > latest[key]:
            latest[key] = moment

    existing = set()
    for kind, name in PUBLIC.items():
        model = apps.get_model("partnerships", name)
        for pk, created_at in (
            model.objects.using(alias).values_list("pk", "created_at").iterator(chunk_size=5000)
        ):
            existing.add((kind, pk))
            first.setdefault((kind, pk), created_at)
        rows = history(name).values("id").annotate(a=Min("history_date"), b=Max("history_date"))
        for row in rows.iterator(chunk_size=5000):
            seen((kind, row["id"]), row["a"])
            seen((kind, row["id"]), row["b"])
        deletions = history(name).filter(history_type="-").values("id").annotate(b=Max("history_date"))
        for row in deletions.iterator(chunk_size=5000):
            gone[(kind, row["id"])] = row["b"]

    def parts(name, fields):
        rows = history(name).values(*fields).annotate(b=Max("history_date"))
        return rows.iterator(chunk_size=5000)

    event_partnership = dict(history("StatusEvent").values_list("id", "partnership_id").distinct())
    activity_partnership = dict(history("Activity").values_list("id", "partnership_id").distinct())
    for name in ("StatusEvent", "Activity"):
        for row in parts(name, ["partnership_id"]):
            seen(("partnership", row["partnership_id"]), row["b"])
    for row in parts("Partnership", ["locality_a_id", "locality_b_id"]):
        seen(("locality", row["locality_a_id"]), row["b"])
        seen(("locality", row["locality_b_id"]), row["b"])
    for row in parts("LocalityAlias", ["locality_id"]):
        seen(("locality", row["locality_id"]), row["b"])
    for row in parts("OrganizationRelationship", ["from_organization_id", "to_organization_id"]):
        seen(("organization", row["from_organization_id"]), row["b"])
        seen(("organization", row["to_organization_id"]), row["b"])
    citation_fields = [
        "source_id",
        "partnership_id",
        "status_event_id",
        "activity_id",
        "locality_id",
        "reported_figure_id",
    ]
    for row in parts("Citation", citation_fields):
        partnership = (
            row["partnership_id"]
            or event_partnership.get(row["status_event_id"])
            or activity_partnership.get(row["activity_id"])
        )
        for key in (
            ("source", row["source_id"]),
            ("partnership", partnership),
            ("locality", row["locality_id"]),
            ("reported_figure", row["reported_figure_id"]),
        ):
            seen(key, row["b"])

    entries = []
    for key in existing:
        entries.append((first[key], "created", key))
        if latest.get(key) is not None and latest[key] > first[key]:
            entries.append((latest[key], "updated", key))
    for key, moment in gone.items():
        if key in existing or key not in first:
            continue
        created = min(first[key], moment)
        entries.append((created, "created", key))
        entries.append((max(moment, created), "deleted", key))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    entries.sort(key=lambda e: (e[0] or epoch, RANK[e[1]], e[2]))
    batch = []
    for moment, action, (kind, pk) in entries:
        batch.append(FeedEntry(committed_at=moment or epoch, record_type=kind, record_id=pk, action=action))
        if len(batch) >= 5000:
            FeedEntry.objects.using(alias).bulk_create(batch)
            batch = []
    FeedEntry.objects.using(alias).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0005_status_event_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("committed_at", models.DateTimeField()),
                (
                    "record_type",
                    models.CharField(
                        choices=[
                            ("partnership", "partnership"),
                            ("locality", "locality"),
                            ("organization", "organization"),
                            ("source", "source"),
                            ("reported_figure", "reported figure"),
                        ],
                        max_length=20,
                    ),
                ),
                ("record_id", models.BigIntegerField()),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("created", "created"),
                            ("updated", "updated"),
                            ("deleted", "deleted"),
                            ("merged", "merged"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "target_id",
                    models.BigIntegerField(
                        blank=True,
                        help_text="For a merge: the record of the same type it was merged into.",
                        null=True,
                    ),
                ),
            ],
            options={
                "verbose_name": "feed entry",
                "verbose_name_plural": "feed entries",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["committed_at"], name="feedentry_committed_at")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("action", "merged"), ("target_id__isnull", False)),
                            models.Q(
                                models.Q(("action", "merged"), _negated=True), ("target_id__isnull", True)
                            ),
                            _connector="OR",
                        ),
                        name="feedentry_target_only_for_merges",
                        violation_error_message="A merge names the record it went into; no other entry does.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "record_type__in",
                                ["partnership", "locality", "organization", "source", "reported_figure"],
                            ),
                            ("action__in", ["created", "updated", "deleted", "merged"]),
                        ),
                        name="feedentry_known_type_and_action",
                        violation_error_message="Unknown record type or action.",
                    ),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
