"""Refresh the stored identity keys again: the identity rules learnt Saarland's
"Stadtverband"/"Regionalverband" (a district) and the adjectival names of Russian and
Ukrainian districts ("Novosibirsky District" is "Rayon Novosibirsk"). Data only, as
0009_identity_refresh_keys: only the rows whose key differs are written."""

import importlib

from django.db import migrations


def refresh_keys(apps, schema_editor):
    importlib.import_module("partnerships.migrations.0009_identity_refresh_keys").refresh_keys(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0011_merge_this_round")]

    operations = [migrations.RunPython(refresh_keys, migrations.RunPython.noop)]
