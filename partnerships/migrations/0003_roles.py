"""The staff roles, as groups: Viewers read, Editors also add and change records and
record status changes, Reviewers also delete, restore earlier versions from the edit
history and mark partnerships verified.

Restoring an earlier version is the permission to change a model's historical records
(``change_historical<model>``); marking verified is ``verify_partnership``. Permissions
are normally created after migrations run, so they are created here first: the groups
are complete on a fresh database too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "locality",
    "localityalias",
    "organization",
    "organizationrelationship",
    "source",
    "focusarea",
    "partnership",
    "statusevent",
    "activity",
    "reportedfigure",
    "citation",
    "correctionrequest",
]
# Corrections are sent in by the public: staff read and decide them, never write them.
EDITED_MODELS = [model for model in MODELS if model != "correctionrequest"]

VERIFY = ("verify_partnership", "Can mark partnerships verified (review queue)")


def _codenames(role: str) -> list[str]:
    viewer = [f"view_{model}" for model in MODELS]
    if role == "Viewers":
        return viewer
    editor = [
        *viewer,
        *[f"{action}_{model}" for action in ("add", "change") for model in EDITED_MODELS],
        "change_correctionrequest",
    ]
    if role == "Editors":
        return editor
    return [
        *editor,
        *[f"delete_{model}" for model in MODELS],
        *[f"change_historical{model}" for model in MODELS],
        VERIFY[0],
    ]


ROLES = ["Viewers", "Editors", "Reviewers"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    partnership_type = ContentType.objects.get(app_label="partnerships", model="partnership")
    Permission.objects.get_or_create(
        content_type=partnership_type, codename=VERIFY[0], defaults={"name": VERIFY[1]}
    )
    for role in ROLES:
        codenames = _codenames(role)
        permissions = list(
            Permission.objects.filter(content_type__app_label="partnerships", codename__in=codenames)
        )
        missing = set(codenames) - {permission.codename for permission in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for {role}: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("auth", "Permission").objects.filter(codename=VERIFY[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_history_verification_corrections"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
