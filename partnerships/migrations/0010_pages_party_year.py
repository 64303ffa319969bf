"""The list index's rows carry a copy of the year their partnership was established
(models/parties.py), written by the database like the rest of the row (its current status
is copied since 0009_apilist_party_status): the row-writing triggers write it too, and the
status trigger of 0009 now also follows a changed established date. The country page's
counts by status and year and the map's flows of one country are then index-only scans of
``party_country_year_idx`` instead of joins with every partnership.

On SQLite the column is added without rebuilding the table (nullable, no default); the
four triggers that insert rows are recreated with it. This migration also joins 0009's
two branches."""

from importlib import import_module

from django.db import migrations, models

P = "partnerships_partnership"
PARTY = "partnerships_partnershipparty"
_0009 = import_module("partnerships.migrations.0009_apilist_party_status")

YEAR_PG = "EXTRACT(YEAR FROM {date})::integer"
YEAR_SQLITE = "CAST(strftime('%Y', {date}) AS INTEGER)"

# 0009's row writer, with the year.
WRITE_PARTIES = (
    _0009.POSTGRESQL_FORWARD[0]
    .replace("    st varchar(10);\n", "    st varchar(10);\n    yr integer;\n")
    .replace(
        "SELECT current_status INTO st FROM",
        f"SELECT current_status, {YEAR_PG.format(date='established_on')} INTO st, yr FROM",
    )
    .replace("sort_name_a, sort_name_b, status)", "sort_name_a, sort_name_b, status, established_year)")
    .replace("COALESCE(st, '')),", "COALESCE(st, ''), yr),")
    .replace("COALESCE(st, ''));", "COALESCE(st, ''), yr);")
)
assert WRITE_PARTIES.count("yr") == 4, WRITE_PARTIES

POSTGRESQL_FORWARD = [
    WRITE_PARTIES,
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    f"""
CREATE OR REPLACE FUNCTION partnerships_party_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status,
                       established_year = {YEAR_PG.format(date="NEW.established_on")}
    WHERE partnership_id = NEW.id;
    RETURN NULL;
END $$""",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on ON {P}
        FOR EACH ROW WHEN (OLD.current_status IS DISTINCT FROM NEW.current_status
                           OR OLD.established_on IS DISTINCT FROM NEW.established_on)
        EXECUTE FUNCTION partnerships_party_status()""",
    # Rows that exist already.
    f"""UPDATE {PARTY} r SET established_year = {YEAR_PG.format(date="p.established_on")}
        FROM {P} p WHERE p.id = r.partnership_id AND p.established_on IS NOT NULL""",
]

POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    "DROP FUNCTION IF EXISTS partnerships_party_status()",
    *_0009.POSTGRESQL_FORWARD,
]

# 0009's SQLite row-writing statement, with the year.
PARTY_ROWS = _0009.PARTY_ROWS.replace(
    "sort_name_a, sort_name_b, status)", "sort_name_a, sort_name_b, status, established_year)"
).replace(
    "a.name, b.name, p.current_status\n",
    f"a.name, b.name, p.current_status, {YEAR_SQLITE.format(date='p.established_on')}\n",
)
assert PARTY_ROWS.count("established_year") == 1 and PARTY_ROWS.count("strftime") == 1, PARTY_ROWS

SQLITE_FORWARD = [
    *_0009._sqlite_triggers(PARTY_ROWS),
    "DROP TRIGGER IF EXISTS partnership_party_status",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on ON {P}
    WHEN OLD.current_status IS NOT NEW.current_status OR OLD.established_on IS NOT NEW.established_on
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status,
                       established_year = {YEAR_SQLITE.format(date="NEW.established_on")}
    WHERE partnership_id = NEW.id;
END""",
    f"""UPDATE {PARTY} SET established_year = (
        SELECT {YEAR_SQLITE.format(date="established_on")} FROM {P} WHERE id = {PARTY}.partnership_id)""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS partnership_party_status",
    *_0009._sqlite_triggers(_0009.PARTY_ROWS),
    _0009.SQLITE_STATUS_TRIGGER,
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"The partnership list index has no triggers for {vendor}.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0009_apilist_party_status"),
        ("partnerships", "0009_pages_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnershipparty",
            name="established_year",
            field=models.IntegerField(editable=False, null=True),
        ),
        # After the column, before the index (the backfill then writes no index entries).
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.AddIndex(
            model_name="partnershipparty",
            index=models.Index(
                condition=models.Q(("is_country_row", True)),
                fields=["country", "status", "established_year", "other_country"],
                name="party_country_year_idx",
            ),
        ),
    ]
