"""Snapshots: export, restore into an empty database, export again: identical files,
identical API answers."""

import hashlib
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from partnerships import services
from partnerships.exporting import SnapshotError, export_registry, import_registry, snapshot_models
from partnerships.importing.service import SourceSpec, import_partnerships
from partnerships.models import Citation, Locality, Partnership

pytestmark = pytest.mark.usefixtures("seed")

API_URLS = [
    ("api:partnership-list", {}),
    ("api:locality-list", {}),
    ("api:organization-list", {}),
    ("api:source-list", {}),
    ("api:reported-figure-list", {}),
    ("api:stats", {}),
    ("api:changes", {}),
]


def wipe_registry():
    """As good as a fresh database for the app's tables (users are kept)."""
    with connection.cursor() as cursor:
        for model in snapshot_models():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def files(directory):
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def api_answers(client):
    answers = {}
    for name, kwargs in API_URLS:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        answers[name] = response.content
    for pk in Partnership.objects.values_list("pk", flat=True):
        answers[pk] = client.get(reverse("api:partnership-detail", kwargs={"pk": pk})).content
        answers[f"page {pk}"] = client.get(
            reverse("partnerships:partnership-detail", kwargs={"pk": pk})
        ).content
    return answers


@pytest.fixture
def edited_by_staff(staff_editor):
    """Some records made by a named user, so the snapshot carries user references."""
    rows = [
        (
            2,
            {
                "a_name": "Köln",
                "a_country": "DE",
                "b_name": "Kyoto",
                "b_country": "JP",
                "established": "1963",
            },
        )
    ]
    import_partnerships(rows=rows, source=SourceSpec(title="A list"), user=staff_editor, label="list.csv")
    return staff_editor


def test_round_trip_is_byte_for_byte_and_the_api_answers_the_same(
    client, tmp_path, edited_by_staff, settings
):
    # The feed shows every entry at once, so its answer does not depend on how long the
    # round trip takes (with a settle window, entries come of age in between).
    settings.API_CHANGES_SETTLE_SECONDS = 0
    before = api_answers(client)
    # The import created localities, each citing its data set: those citations travel too.
    cited = set(Citation.objects.filter(locality__isnull=False).values_list("locality_id", "source_id"))
    assert cited
    localities = {
        pk: client.get(reverse("api:locality-detail", kwargs={"pk": pk})).content for pk, _ in cited
    }
    manifest = export_registry(tmp_path / "first")
    assert manifest["counts"]["partnerships.partnership"] == 19
    assert manifest["counts"]["partnerships.historicalpartnership"] >= 1
    assert manifest["counts"]["partnerships.citation"] > 0

    wipe_registry()
    assert not Partnership.objects.exists()
    counts = import_registry(tmp_path / "first")
    assert counts == manifest["counts"]

    export_registry(tmp_path / "second")
    first, second = files(tmp_path / "first"), files(tmp_path / "second")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert api_answers(client) == before
    assert (
        set(Citation.objects.filter(locality__isnull=False).values_list("locality_id", "source_id")) == cited
    )
    assert {pk: client.get(reverse("api:locality-detail", kwargs={"pk": pk})).content for pk, _ in cited} == (
        localities
    )
    # The edit history kept its author.
    assert Partnership.history.filter(history_user=edited_by_staff).count() == 1


def test_the_snapshot_holds_every_record_with_history_and_citations(tmp_path):
    export_registry(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    assert manifest["schema_version"] == snapshot["schema_version"] == 1
    assert "license" in manifest and "CC BY-SA" in manifest["license"]
    for model in snapshot_models():
        label = model._meta.label_lower
        assert len(snapshot["models"][label]) == model._base_manager.count() == manifest["counts"][label]
        ids = [r[model._meta.pk.attname] for r in snapshot["models"][label]]
        assert ids == sorted(ids)
        assert (tmp_path / "csv" / f"{label}.csv").exists()
    assert {
        "partnerships.historicalpartnership",
        "partnerships.citation",
        "partnerships.historicalcitation",
    } <= set(snapshot["models"])
    # The date is the latest edit's, so that exporting the same data again gives the same files.
    latest = max(
        m._base_manager.latest("history_date").history_date
        for m in snapshot_models()
        if m.__name__.startswith("Historical") and m._base_manager.exists() and hasattr(m, "history_date")
    )
    assert manifest["exported_at"] == latest.isoformat()
    assert export_registry(tmp_path / "again")["exported_at"] == manifest["exported_at"]
    assert export_registry(tmp_path / "dated", exported_at="2026-01-01")["exported_at"] == "2026-01-01"


def test_restored_records_get_new_ids_after_the_restored_ones(tmp_path):
    export_registry(tmp_path)
    highest = Locality.objects.order_by("-pk").first().pk
    wipe_registry()
    import_registry(tmp_path)
    new = services.create_locality(name="Tver", country="RU")
    assert new.pk > highest


def test_missing_users_come_back_inactive_without_a_password(tmp_path, edited_by_staff):
    export_registry(tmp_path)
    wipe_registry()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user_user_permissions")
        cursor.execute("DELETE FROM auth_user")
    import_registry(tmp_path)
    user = get_user_model().objects.get(username=edited_by_staff.username)
    assert not user.is_active and not user.has_usable_password()
    assert Partnership.history.filter(history_user=user).count() == 1


def test_a_registry_with_data_is_not_overwritten(tmp_path):
    export_registry(tmp_path)
    with pytest.raises(SnapshotError, match="not empty"):
        import_registry(tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_registry", str(tmp_path))


def test_a_snapshot_of_another_schema_or_altered_files_is_refused(tmp_path):
    export_registry(tmp_path)
    wipe_registry()
    manifest_path = tmp_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())

    manifest_path.write_text(json.dumps({**manifest, "migrations": ["0001_initial"]}))
    with pytest.raises(SnapshotError, match="another database schema"):
        import_registry(tmp_path)
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 99}))
    with pytest.raises(SnapshotError, match="schema version 99"):
        import_registry(tmp_path)
    manifest_path.write_text(json.dumps(manifest))
    (tmp_path / "snapshot.json").write_text("{}")
    with pytest.raises(SnapshotError, match="checksum"):
        import_registry(tmp_path)
    with pytest.raises(SnapshotError, match="not a registry snapshot"):
        import_registry(tmp_path / "nowhere")
    assert not Partnership.objects.exists()


def test_the_commands(tmp_path):
    out = io.StringIO()
    call_command("export_registry", str(tmp_path / "snap"), "--date", "2026-06-01", stdout=out)
    assert "Exported" in out.getvalue()
    assert json.loads((tmp_path / "snap" / "manifest.json").read_text())["exported_at"] == "2026-06-01"
    wipe_registry()
    out = io.StringIO()
    call_command("import_registry", str(tmp_path / "snap"), stdout=out)
    assert "Restored" in out.getvalue()
    assert Partnership.objects.count() == 18


def test_a_snapshot_with_unknown_models_or_broken_records_is_refused(tmp_path):

    export_registry(tmp_path)
    wipe_registry()
    snapshot_path, manifest_path = tmp_path / "snapshot.json", tmp_path / "manifest.json"
    original = snapshot_path.read_text(encoding="utf-8")
    manifest = json.loads(manifest_path.read_text())

    def rewrite(text):
        snapshot_path.write_text(text, encoding="utf-8")
        files = {**manifest["files"], "snapshot.json": hashlib.sha256(text.encode()).hexdigest()}
        manifest_path.write_text(json.dumps({**manifest, "files": files}))

    rewrite(original.replace('"models":{\n', '"models":{\n"partnerships.unicorn":[],\n', 1))
    with pytest.raises(SnapshotError, match=r"does not know: partnerships\.unicorn"):
        import_registry(tmp_path)
    rewrite(original.replace('{"id":1,', '{"id":1,,', 1))
    with pytest.raises(SnapshotError, match="not valid JSON"):
        import_registry(tmp_path)
    assert not Partnership.objects.exists() and not Locality.objects.exists()
