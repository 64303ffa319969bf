"""The list index's rows carry copies of their partnership's current status and year
established (models/parties.py), written by the database like the rest of the row: the
triggers of 0006_perf_list_index / 0007_perf_faster_triggers write them with the row, and
one more trigger updates them when the partnership's status or established date changes.
The country page's counts by status and year and the map's flows of one country are then
index-only scans of ``party_country_status_idx`` instead of joins with every partnership.

On SQLite the columns are added without rebuilding the table (nullable, no default), the
four triggers that insert rows are recreated with the new columns."""

from importlib import import_module

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0009_pages_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnershipparty",
            name="current_status",
            field=models.CharField(editable=False, max_length=10, null=True),
        ),
        migrations.AddField(
            model_name="partnershipparty",
            name="established_year",
            field=models.IntegerField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="partnershipparty",
            index=models.Index(
                condition=models.Q(("is_country_row", True)),
                fields=["country", "current_status", "established_year", "other_country"],
                name="party_country_status_idx",
            ),
        ),
    ]


P = "partnerships_partnership"
L = "partnerships_locality"
PARTY = "partnerships_partnershipparty"
_0006 = import_module("partnerships.migrations.0006_perf_list_index")
_0007 = import_module("partnerships.migrations.0007_perf_faster_triggers")

POSTGRESQL_FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION partnerships_write_parties(pid bigint, la bigint, lb bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    a record;
    b record;
    p record;
BEGIN
    DELETE FROM {PARTY} WHERE partnership_id = pid;
    SELECT id, name, country INTO a FROM {L} WHERE id = la;
    SELECT id, name, country INTO b FROM {L} WHERE id = lb;
    IF a.id IS NULL OR b.id IS NULL THEN
        RETURN;  -- a fixture's locality not loaded yet: its insert trigger writes the rows
    END IF;
    SELECT current_status, EXTRACT(YEAR FROM established_on)::integer AS year INTO p FROM {P} WHERE id = pid;
    INSERT INTO {PARTY} (partnership_id, side, locality_id, country, other_country, is_country_row,
                         sort_name_a, sort_name_b, current_status, established_year)
    VALUES (pid, 'a', a.id, a.country, b.country, true, a.name, b.name, p.current_status, p.year),
           (pid, 'b', b.id, b.country, a.country, a.country <> b.country, a.name, b.name,
            p.current_status, p.year);
END $$""",
    f"""
CREATE OR REPLACE FUNCTION partnerships_party_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {PARTY} SET current_status = NEW.current_status,
                       established_year = EXTRACT(YEAR FROM NEW.established_on)::integer
    WHERE partnership_id = NEW.id;
    RETURN NULL;
END $$""",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on ON {P}
        FOR EACH ROW WHEN (OLD.current_status IS DISTINCT FROM NEW.current_status
                           OR OLD.established_on IS DISTINCT FROM NEW.established_on)
        EXECUTE FUNCTION partnerships_party_status()""",
    # Rows that exist already.
    f"""UPDATE {PARTY} r SET current_status = p.current_status,
                            established_year = EXTRACT(YEAR FROM p.established_on)::integer
        FROM {P} p WHERE p.id = r.partnership_id""",
]

POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    "DROP FUNCTION IF EXISTS partnerships_party_status()",
    *(s for s in _0007.FORWARD if "partnerships_write_parties(pid" in s),
]

# 0006's row-writing statement, with the two columns.
PARTY_ROWS = _0006.PARTY_ROWS.replace(
    "sort_name_a, sort_name_b)", "sort_name_a, sort_name_b, current_status, established_year)"
).replace(
    "       a.name, b.name\n",
    "       a.name, b.name, p.current_status, CAST(strftime('%Y', p.established_on) AS INTEGER)\n",
)
assert PARTY_ROWS.count("established_year") == 1 and PARTY_ROWS.count("strftime") == 1
LOCALITY_BODY = _0006.LOCALITY_BODY.replace(
    _0006.PARTY_ROWS.format(where="p.locality_a_id = NEW.id OR p.locality_b_id = NEW.id"),
    PARTY_ROWS.format(where="p.locality_a_id = NEW.id OR p.locality_b_id = NEW.id"),
)
assert "established_year" in LOCALITY_BODY
ROW_TRIGGERS = (
    "partnership_parties_insert",
    "partnership_parties_update",
    "locality_parties_insert",
    "locality_parties_update",
)


def _sqlite_triggers(rows: str, body: str) -> list[str]:
    """0006's four row-writing triggers, with ``rows`` and ``body`` for its statements."""
    found = []
    for statement in _0006.SQLITE_FORWARD:
        if not statement.startswith("CREATE TRIGGER"):
            continue
        name = statement.split()[2]
        if name not in ROW_TRIGGERS:
            continue
        statement = statement.replace(_0006.LOCALITY_BODY, body)
        statement = statement.replace(
            _0006.PARTY_ROWS.format(where="p.id = NEW.id"), rows.format(where="p.id = NEW.id")
        )
        found.append(statement)
    assert len(found) == len(ROW_TRIGGERS)
    return found


SQLITE_FORWARD = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in ROW_TRIGGERS),
    *_sqlite_triggers(PARTY_ROWS, LOCALITY_BODY),
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status, established_on ON {P}
    WHEN OLD.current_status IS NOT NEW.current_status OR OLD.established_on IS NOT NEW.established_on
BEGIN
    UPDATE {PARTY} SET current_status = NEW.current_status,
                       established_year = CAST(strftime('%Y', NEW.established_on) AS INTEGER)
    WHERE partnership_id = NEW.id;
END""",
    f"""UPDATE {PARTY} SET
    current_status = (SELECT current_status FROM {P} WHERE id = {PARTY}.partnership_id),
    established_year = (SELECT CAST(strftime('%Y', established_on) AS INTEGER) FROM {P}
                        WHERE id = {PARTY}.partnership_id)""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS partnership_party_status",
    *(f"DROP TRIGGER IF EXISTS {name}" for name in ROW_TRIGGERS),
    *_sqlite_triggers(_0006.PARTY_ROWS, _0006.LOCALITY_BODY),
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"The partnership list index has no triggers for {vendor}.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return run


Migration.operations.insert(
    # After the columns, before the index (the backfill then writes no index entries).
    2,
    migrations.RunPython(
        _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
        _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
    ),
)
