"""The list index's PostgreSQL triggers (0006_perf_list_index), rewritten to look up each
party by its primary key with plain statements: the set-based versions got a generic plan
(hash joins over every locality) once cached, about 1 ms per written partnership; these
take a few index lookups. The SQLite triggers, planned per statement, stay as they are."""

from django.db import migrations

P = "partnerships_partnership"
L = "partnerships_locality"
PARTY = "partnerships_partnershipparty"

FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION partnerships_write_parties(pid bigint, la bigint, lb bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    a record;
    b record;
BEGIN
    DELETE FROM {PARTY} WHERE partnership_id = pid;
    SELECT id, name, country INTO a FROM {L} WHERE id = la;
    SELECT id, name, country INTO b FROM {L} WHERE id = lb;
    IF a.id IS NULL OR b.id IS NULL THEN
        RETURN;  -- a fixture's locality not loaded yet: its insert trigger writes the rows
    END IF;
    INSERT INTO {PARTY} (partnership_id, side, locality_id, country, other_country, is_country_row,
                         sort_name_a, sort_name_b)
    VALUES (pid, 'a', a.id, a.country, b.country, true, a.name, b.name),
           (pid, 'b', b.id, b.country, a.country, a.country <> b.country, a.name, b.name);
END $$""",
    f"""
CREATE OR REPLACE FUNCTION partnerships_rebuild_parties(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT id, locality_a_id, locality_b_id FROM {P} WHERE id = ANY(ids) LOOP
        PERFORM partnerships_write_parties(p.id, p.locality_a_id, p.locality_b_id);
    END LOOP;
END $$""",
    """
CREATE OR REPLACE FUNCTION partnerships_partnership_parties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_write_parties(NEW.id, NEW.locality_a_id, NEW.locality_b_id);
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION partnerships_locality_parties() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT id, locality_a_id, locality_b_id FROM {P}
             WHERE locality_a_id = NEW.id OR locality_b_id = NEW.id LOOP
        -- The BEFORE trigger (partnerships_sort_names) sets both names from the parties.
        UPDATE {P} SET sort_name_a = sort_name_a WHERE id = p.id;
        PERFORM partnerships_write_parties(p.id, p.locality_a_id, p.locality_b_id);
    END LOOP;
    RETURN NULL;
END $$""",
]

# Back to 0006's definitions.
BACKWARD = [
    "DROP FUNCTION IF EXISTS partnerships_write_parties(bigint, bigint, bigint) CASCADE",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    previous = import_module("partnerships.migrations.0006_perf_list_index")
    for statement in previous.POSTGRESQL_FORWARD:
        if statement.lstrip().startswith("CREATE FUNCTION partnerships_") and "sort_names" not in statement:
            name = statement.split("FUNCTION ", 1)[1].split("(", 1)[0]
            if name in (
                "partnerships_rebuild_parties",
                "partnerships_partnership_parties",
                "partnerships_locality_parties",
            ):
                schema_editor.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0006_perf_list_index")]

    operations = [migrations.RunPython(_run(FORWARD), _backward)]
