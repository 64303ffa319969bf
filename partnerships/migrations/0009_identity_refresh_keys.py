"""Refresh the stored identity keys: keys computed before the identity rules learnt the
dotted abbreviations ("Gemünden a.Main", "Weiden i.d.OPf.") refreshed only when the
locality was next saved. Data only: no table changes (so no SQLite table rebuild and
the list index triggers stay), only the rows whose key differs are written."""

from django.db import migrations


def refresh_keys(apps, schema_editor):
    from partnerships.identity import identity_key

    Locality = apps.get_model("partnerships", "Locality")
    stale = []
    for locality in Locality.objects.only("pk", "name", "kind", "identity_key").iterator(chunk_size=2000):
        key = identity_key(locality.name, locality.kind)[:255]
        if key != locality.identity_key:
            locality.identity_key = key
            stale.append(locality)
    Locality.objects.bulk_update(stale, ["identity_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0008_merge_parallel_work")]

    operations = [migrations.RunPython(refresh_keys, migrations.RunPython.noop)]
