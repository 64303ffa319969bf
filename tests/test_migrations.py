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


@pytest.mark.django_db(transaction=True)
def test_the_status_steps_of_existing_timelines_are_computed():
    """0013_pages_status_steps fills in the steps of the partnerships already recorded
    (by the services' rule), and the triggers copy them to the list index's rows."""
    import datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("partnerships", "0012_identity_refresh_keys_again")]
    after = [("partnerships", "0013_pages_status_steps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Locality = old.get_model("partnerships", "Locality")
        Partnership = old.get_model("partnerships", "Partnership")
        StatusEvent = old.get_model("partnerships", "StatusEvent")
        kiel, vaasa, brest = (
            Locality.objects.create(name=name, country=country)
            for name, country in (("Kiel", "DE"), ("Vaasa", "FI"), ("Brest", "FR"))
        )
        with_events = Partnership.objects.create(
            locality_a=kiel,
            locality_b=vaasa,
            current_status="suspended",
            current_status_since=datetime.date(2022, 3, 1),
            current_status_since_precision="month",
        )
        without = Partnership.objects.create(locality_a=kiel, locality_b=brest)
        for status, on in (("active", "1990-05-01"), ("active", "1995-01-01"), ("suspended", "2022-03-01")):
            StatusEvent.objects.create(
                partnership=with_events,
                status=status,
                effective_on=datetime.date.fromisoformat(on),
                effective_precision="month",
                is_internal_record=True,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from partnerships.models import Partnership as Current
    from partnerships.models import PartnershipParty

    assert Current.objects.get(pk=with_events.pk).status_steps == "A1990S2022"
    assert Current.objects.get(pk=without.pk).status_steps is None
    assert set(PartnershipParty.objects.values_list("partnership_id", "status_steps")) == {
        (with_events.pk, "A1990S2022"),
        (without.pk, None),
    }
