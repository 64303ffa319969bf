"""The partnership's current status on its list-index rows (PartnershipParty.status), kept
by the triggers like the rest of the row, and two indexes that page and count
``?country=…&status=…`` and ``?between=…&status=…`` from the index alone.

The column is added with plain SQL (``ADD COLUMN … NOT NULL DEFAULT ''``): Django's
AddField would rebuild the table on SQLite. The PostgreSQL functions of
0007_perf_faster_triggers and the SQLite triggers of 0006_perf_list_index that write the
rows are replaced by versions that write the status too; a new trigger on each database
copies a changed ``current_status`` to the rows."""

from importlib import import_module

from django.db import migrations, models

P = "partnerships_partnership"
L = "partnerships_locality"
PARTY = "partnerships_partnershipparty"

ADD_COLUMN = f"ALTER TABLE {PARTY} ADD COLUMN status varchar(10) NOT NULL DEFAULT ''"
BACKFILL = (
    f"UPDATE {PARTY} SET status = (SELECT current_status FROM {P} WHERE {P}.id = {PARTY}.partnership_id)"
)

POSTGRESQL_FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION partnerships_write_parties(pid bigint, la bigint, lb bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    a record;
    b record;
    st varchar(10);
BEGIN
    DELETE FROM {PARTY} WHERE partnership_id = pid;
    SELECT id, name, country INTO a FROM {L} WHERE id = la;
    SELECT id, name, country INTO b FROM {L} WHERE id = lb;
    IF a.id IS NULL OR b.id IS NULL THEN
        RETURN;  -- a fixture's locality not loaded yet: its insert trigger writes the rows
    END IF;
    SELECT current_status INTO st FROM {P} WHERE id = pid;
    INSERT INTO {PARTY} (partnership_id, side, locality_id, country, other_country, is_country_row,
                         sort_name_a, sort_name_b, status)
    VALUES (pid, 'a', a.id, a.country, b.country, true, a.name, b.name, COALESCE(st, '')),
           (pid, 'b', b.id, b.country, a.country, a.country <> b.country, a.name, b.name, COALESCE(st, ''));
END $$""",
    f"""
CREATE FUNCTION partnerships_party_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status WHERE partnership_id = NEW.id;
    RETURN NULL;
END $$""",
    f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status ON {P}
        FOR EACH ROW WHEN (OLD.current_status IS DISTINCT FROM NEW.current_status)
        EXECUTE FUNCTION partnerships_party_status()""",
]

POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS partnership_party_status ON {P}",
    "DROP FUNCTION IF EXISTS partnerships_party_status()",
]

# 0006's SQLite triggers, the rows with their status.
PARTY_ROWS = f"""
INSERT INTO {PARTY} (partnership_id, side, locality_id, country, other_country, is_country_row,
                     sort_name_a, sort_name_b, status)
SELECT p.id, s.side,
       CASE s.side WHEN 'a' THEN a.id ELSE b.id END,
       CASE s.side WHEN 'a' THEN a.country ELSE b.country END,
       CASE s.side WHEN 'a' THEN b.country ELSE a.country END,
       (s.side = 'a' OR a.country <> b.country),
       a.name, b.name, p.current_status
FROM {P} p
JOIN {L} a ON a.id = p.locality_a_id
JOIN {L} b ON b.id = p.locality_b_id
CROSS JOIN (SELECT 'a' AS side UNION ALL SELECT 'b') s
WHERE {{where}}"""

# The triggers of 0006 that write rows, made again with the status.
REWRITTEN = (
    "partnership_parties_insert",
    "partnership_parties_update",
    "locality_parties_insert",
    "locality_parties_update",
)


def _sqlite_triggers(party_rows: str) -> list[str]:
    previous = import_module("partnerships.migrations.0006_perf_list_index")
    old_rows = previous.PARTY_ROWS
    statements = []
    for statement in previous.SQLITE_FORWARD:
        head = statement.lstrip()
        if not head.startswith("CREATE TRIGGER"):
            continue
        name = head.split()[2]
        if name in REWRITTEN:
            for where in ("p.id = NEW.id", "p.locality_a_id = NEW.id OR p.locality_b_id = NEW.id"):
                statement = statement.replace(old_rows.format(where=where), party_rows.format(where=where))
            statements += [f"DROP TRIGGER IF EXISTS {name}", statement]
    if len(statements) != 2 * len(REWRITTEN) or any(
        old_rows.format(where="p.id = NEW.id") in s for s in statements
    ):
        raise RuntimeError("0006_perf_list_index's SQLite triggers are not as this migration expects.")
    return statements


SQLITE_STATUS_TRIGGER = f"""CREATE TRIGGER partnership_party_status AFTER UPDATE OF current_status ON {P}
    WHEN OLD.current_status IS NOT NEW.current_status
BEGIN
    UPDATE {PARTY} SET status = NEW.current_status WHERE partnership_id = NEW.id;
END"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [ADD_COLUMN, *POSTGRESQL_FORWARD, BACKFILL]
    elif vendor == "sqlite":
        statements = [ADD_COLUMN, *_sqlite_triggers(PARTY_ROWS), SQLITE_STATUS_TRIGGER, BACKFILL]
    else:
        raise RuntimeError(f"The partnership list index has no triggers for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        previous = import_module("partnerships.migrations.0007_perf_faster_triggers")
        statements = [*POSTGRESQL_BACKWARD, previous.FORWARD[0]]
    else:
        old = import_module("partnerships.migrations.0006_perf_list_index")
        statements = ["DROP TRIGGER IF EXISTS partnership_party_status"]
        for statement in old.SQLITE_FORWARD:
            head = statement.lstrip()
            if head.startswith("CREATE TRIGGER") and head.split()[2] in REWRITTEN:
                statements += [f"DROP TRIGGER IF EXISTS {head.split()[2]}", statement]
    statements.append(f"ALTER TABLE {PARTY} DROP COLUMN status")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0008_merge_parallel_work")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="partnershipparty",
                    name="status",
                    field=models.CharField(db_default="", editable=False, max_length=10),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
        migrations.AddIndex(
            model_name="partnershipparty",
            index=models.Index(
                condition=models.Q(("is_country_row", True)),
                fields=["country", "status", "sort_name_a", "sort_name_b", "partnership"],
                name="party_country_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="partnershipparty",
            index=models.Index(
                condition=models.Q(("is_country_row", True)),
                fields=["country", "other_country", "status", "sort_name_a", "sort_name_b", "partnership"],
                name="party_between_status_idx",
            ),
        ),
    ]
