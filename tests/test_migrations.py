from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when changes are pending
        pytest.fail(f"Models and migrations disagree:\n{out.getvalue()}\n(exit {exc.code})")


# The list index (PartnershipParty, Partnership.sort_name_*) is kept by triggers made in
# 0006_perf_list_index. SQLite rebuilds a table to alter it, which drops that table's
# triggers: a later migration altering partnerships or localities must make them again.
LIST_INDEX_TRIGGERS = {
    ("partnership_sort_names", "partnerships_partnership"),
    ("partnership_parties_insert", "partnerships_partnership"),
    ("partnership_parties_update", "partnerships_partnership"),
    ("partnership_parties_delete", "partnerships_partnership"),
    ("locality_parties_insert", "partnerships_locality"),
    ("locality_parties_update", "partnerships_locality"),
    # 0009_apilist_party_status: the status copied to the rows.
    ("partnership_party_status", "partnerships_partnership"),
}


@pytest.mark.django_db
def test_the_list_index_triggers_survive_every_migration():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        found = set(cursor.fetchall())
    assert found >= LIST_INDEX_TRIGGERS, LIST_INDEX_TRIGGERS - found
