"""The partnership's timeline in years (``Partnership.status_steps``, "A1973S2022"), stored
beside its current status and copied to its list-index rows, so that the country page's
chart of statuses over the years counts a country's partnerships by their steps from an
index (``party_country_steps_idx``) instead of reading every status event of them (half
a second for Germany at 10× data).

The services write the partnership's column (``services.timeline.status_steps``, with the
current status); the database copies it to the rows like the status and the year
established (0009_apilist_party_status, 0010_pages_party_year): the row writers write it,
and the status trigger now also follows it. Both columns are nullable without a default,
so SQLite adds them without rebuilding the tables (and dropping their triggers). The
existing partnerships' steps are computed here from their events, by the services' rule
(this migration uses the rule as it stands: a later change of the rule needs its own
migration to recompute them)."""

from importlib import import_module
from itertools import groupby
from types import SimpleNamespace

from django.db import migrations, models

P = "partnerships_partnership"
PARTY = "partnerships_partnershipparty"
_0009 = import_module("partnerships.migrations.0009_apilist_party_status")
_0010 = import_module("partnerships.migrations.0010_pages_party_year")

# 0010's row writer, with the steps.
WRITE_PARTIES = (
    _0010.WRITE_PARTIES.replace("    yr integer;\n", "    yr integer;\n    steps varchar(1000);\n")
    .replace("::integer INTO st, yr FROM", "::integer, status_steps INTO st, yr, steps FROM")
    .replace("status, established_year)", "status, established_year, status_steps)")
    .replace("COALESCE(st, ''), yr),", "COALESCE(st, ''), yr, steps),")
    .replace("COALESCE(st, ''), yr);", "COALESCE(st, ''), yr, steps);")
)
assert WRITE_PARTIES.count("steps") == 6, WRITE_PARTIES

YEAR_PG = _0010.YEAR_PG
YEAR_SQLITE = _0010.YEAR_SQLITE

POSTGRESQL_FORWARD = [
    WRITE_PARTIES,
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    f"""
CREATE OR REPLACE FUNCTION partnerships_party_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status,
                       established_year = {YEAR_PG.format(date="NEW.established_on")},
                       status_steps = NEW.status_steps
    WHERE partnership_id = NEW.id;
    RETURN NULL;
END $$""",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on, status_steps
        ON {P} FOR EACH ROW WHEN (OLD.current_status IS DISTINCT FROM NEW.current_status
                                  OR OLD.established_on IS DISTINCT FROM NEW.established_on
                                  OR OLD.status_steps IS DISTINCT FROM NEW.status_steps)
        EXECUTE FUNCTION partnerships_party_status()""",
    f"""UPDATE {PARTY} r SET status_steps = p.status_steps
        FROM {P} p WHERE p.id = r.partnership_id AND p.status_steps IS NOT NULL""",
]

POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    *_0010.POSTGRESQL_FORWARD[:-1],
]

# 0010's SQLite row-writing statement, with the steps.
PARTY_ROWS = _0010.PARTY_ROWS.replace(
    "status, established_year)", "status, established_year, status_steps)"
).replace("p.established_on) AS INTEGER)\n", "p.established_on) AS INTEGER), p.status_steps\n")
assert PARTY_ROWS.count("status_steps") == 2, PARTY_ROWS

SQLITE_FORWARD = [
    *_0009._sqlite_triggers(PARTY_ROWS),
    "DROP TRIGGER IF EXISTS partnership_party_status",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on, status_steps
    ON {P}
    WHEN OLD.current_status IS NOT NEW.current_status OR OLD.established_on IS NOT NEW.established_on
         OR OLD.status_steps IS NOT NEW.status_steps
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status,
                       established_year = {YEAR_SQLITE.format(date="NEW.established_on")},
                       status_steps = NEW.status_steps
    WHERE partnership_id = NEW.id;
END""",
    f"""UPDATE {PARTY} SET status_steps = (
        SELECT status_steps FROM {P} WHERE id = {PARTY}.partnership_id)""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS partnership_party_status",
    *_0010.SQLITE_FORWARD[:-1],
]


# 0010's runner of per-vendor statements.
_run = _0010._run


BATCH = 2000


def compute_steps(apps, schema_editor):
    """Every partnership's steps from its events (before the triggers copy them: the
    status trigger of 0010 does not follow this column, so these updates fire nothing)."""
    from partnerships.steps import status_steps

    db = schema_editor.connection.alias
    Partnership = apps.get_model("partnerships", "Partnership")
    StatusEvent = apps.get_model("partnerships", "StatusEvent")
    rows = (
        StatusEvent.objects.using(db)
        .order_by("partnership_id", "effective_on", "id")
        .values_list("partnership_id", "effective_on", "id", "status")
        .iterator(chunk_size=10_000)
    )
    batch = []
    for partnership_id, events in groupby(rows, key=lambda row: row[0]):
        timeline = [SimpleNamespace(effective_on=on, pk=pk, status=status) for _, on, pk, status in events]
        batch.append(Partnership(pk=partnership_id, status_steps=status_steps(timeline)))
        if len(batch) >= BATCH:
            Partnership.objects.using(db).bulk_update(batch, ["status_steps"])
            batch = []
    if batch:
        Partnership.objects.using(db).bulk_update(batch, ["status_steps"])


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0012_identity_refresh_keys_again")]

    operations = [
        migrations.AddField(
            model_name="partnership",
            name="status_steps",
            field=models.CharField(blank=True, editable=False, max_length=1000, null=True),
        ),
        migrations.AddField(
            model_name="partnershipparty",
            name="status_steps",
            field=models.CharField(editable=False, max_length=1000, null=True),
        ),
        migrations.RunPython(compute_steps, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.AddIndex(
            model_name="partnershipparty",
            index=models.Index(
                condition=models.Q(("is_country_row", True)),
                fields=["country", "status_steps"],
                name="party_country_steps_idx",
            ),
        ),
    ]
