"""Snapshots: the whole registry out to files, and back into an empty database.

A snapshot is a directory:

- ``snapshot.json``: every record of every model of the app, including the edit history
  (the Historical* tables) and the citations, ordered by primary key, one record per line;
- ``csv/<model>.csv``: the same records as one CSV file per model, for spreadsheets
  (spreadsheet-safe: see ``spreadsheet_cell``; snapshot.json keeps every value raw);
- ``manifest.json``: the format and schema version, the migrations the data fits, the
  export date, the record counts, the files' SHA-256, the license note, the licences and
  attributions of the data it holds (``licenses``: the registry's own, and each imported
  data set's whose Source it contains, see ``partnerships.licensing``) and ``feed_cursor``:
  the change feed's position the snapshot was read at (the change log is one of its
  tables), so a mirror restored from it follows GET /api/v1/changes/?since=<feed_cursor>.

Users are not exported (their passwords stay where they are): a record that names a user
(who made an edit, who verified or reviewed) names them by username, and a restore
creates any missing username as an inactive account without a password.

Everything is deterministic (records by primary key, fields in model order, values in
fixed text forms, the export date taken from the data unless given), so exporting,
restoring into a fresh database and exporting again gives byte-identical files."""

import csv
import datetime
import decimal
import hashlib
import json
import re
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from .api.feed import encode_cursor, latest_position
from .licensing import DATASET_LICENSES, REGISTRY_LICENSE
from .models import Source

FORMAT = "partnership-registry-snapshot"
SCHEMA_VERSION = 1
APP_LABEL = "partnerships"
BATCH_SIZE = 2000

LICENSE_NOTE = (
    "The registry's own records (curated partnerships, status events, citations with short "
    "verbatim quotes for the purpose of citation) may be reused with attribution to the "
    "partnership registry. Records imported from public data sets keep those data sets' "
    "licenses, named in their Source records: the Hekman/twincities list is MIT-licensed and "
    "scraped from the English Wikipedia (CC BY-SA 4.0: credit Wikipedia, share alike); the "
    "muenchdo/TwinTowns list is MIT-licensed, its upstream data's license is unknown."
)


class SnapshotError(ValueError):
    pass


# ------------------------------------------------------------ spreadsheet-safe CSV

#: What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number, as a spreadsheet reads it: never a formula, kept as is.
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def spreadsheet_cell(value):
    """A CSV cell that a spreadsheet opening the file shows as text, never runs: a text
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    single quote (OWASP's rule). Numbers stay numbers: a number, or a text that is a plain
    number (``-71.06``, ``+3``, ``1e-5``, the decimals of a coordinate), is kept as it is.
    Every CSV the registry writes goes through here; JSON, GeoJSON and snapshot.json keep
    the raw value."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def snapshot_models():
    """Every model of the app, the many-to-many tables and the history included, in a
    fixed order."""
    found = apps.get_app_config(APP_LABEL).get_models(include_auto_created=True)
    # Not the list index (PartnershipParty): the database derives it from the partnerships.
    kept = [m for m in found if not getattr(m, "DERIVED_BY_DATABASE", False)]
    return sorted(kept, key=lambda m: m._meta.label_lower)


def _user_fields(model):
    user_model = get_user_model()
    return {
        f.attname
        for f in model._meta.concrete_fields
        if f.is_relation
        and f.related_model is not None
        and f.related_model._meta.concrete_model is user_model
    }


def _text(value):
    """The fixed JSON form of a value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _records(model, usernames):
    fields = [f.attname for f in model._meta.concrete_fields]
    users = _user_fields(model)
    rows = model._base_manager.order_by("pk").values_list(*fields)
    for values in rows.iterator(chunk_size=BATCH_SIZE):
        record = {}
        for name, value in zip(fields, values, strict=True):
            record[name] = usernames.get(value) if name in users and value is not None else _text(value)
        yield record


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied_migrations() -> list[str]:
    return sorted(
        MigrationRecorder(connection).migration_qs.filter(app=APP_LABEL).values_list("name", flat=True)
    )


def _latest_change(models) -> str:
    """The export date when none is given: the latest edit in the history, so that a
    restored registry exports with the same date."""
    latest = None
    for model in models:
        if "history_date" in {f.name for f in model._meta.concrete_fields}:
            value = (
                model._base_manager.order_by("-history_date").values_list("history_date", flat=True).first()
            )
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest.isoformat() if latest else ""


def _feed_cursor() -> str:
    return encode_cursor(latest_position())


def _licenses() -> list[dict]:
    """The registry's licence, then each imported data set's whose Source is in the
    registry (a data set's rows cite it), in a fixed order."""
    present = set(Source.objects.filter(url__in=list(DATASET_LICENSES)).values_list("url", flat=True))
    return [REGISTRY_LICENSE.as_dict()] + [
        licence.as_dict() for url, licence in sorted(DATASET_LICENSES.items()) if url in present
    ]


def export_registry(directory, *, exported_at: str | None = None) -> dict:
    """Write a snapshot into ``directory`` (created if missing); returns the manifest."""
    directory = Path(directory)
    (directory / "csv").mkdir(parents=True, exist_ok=True)
    models = snapshot_models()
    user_model = get_user_model()
    usernames = dict(user_model._base_manager.values_list("pk", user_model.USERNAME_FIELD))
    counts = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Every table read from the same moment, even while staff keep editing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with open(directory / "snapshot.json", "w", encoding="utf-8", newline="\n") as out:
            out.write("{\n")
            out.write(f'"format":{_dump(FORMAT)},\n"schema_version":{SCHEMA_VERSION},\n')
            out.write(f'"migrations":{_dump(_applied_migrations())},\n"models":{{\n')
            for index, model in enumerate(models):
                label = model._meta.label_lower
                fields = [f.attname for f in model._meta.concrete_fields]
                out.write(f"{_dump(label)}:[")
                count = 0
                with open(directory / "csv" / f"{label}.csv", "w", encoding="utf-8", newline="") as csv_out:
                    writer = csv.writer(csv_out, lineterminator="\n")
                    # With "\n" lines, the csv module leaves a lone "\r" unquoted, which
                    # readers take for a line end: rows holding one are written fully quoted.
                    quoted = csv.writer(csv_out, lineterminator="\n", quoting=csv.QUOTE_ALL)
                    writer.writerow(fields)
                    for record in _records(model, usernames):
                        out.write(("\n" if count == 0 else ",\n") + _dump(record))
                        cells = ["" if v is None else spreadsheet_cell(v) for v in record.values()]
                        has_cr = any(isinstance(v, str) and "\r" in v for v in cells)
                        (quoted if has_cr else writer).writerow(cells)
                        count += 1
                out.write(("\n]" if count else "]") + ("," if index < len(models) - 1 else "") + "\n")
                counts[label] = count
            out.write("}\n}\n")
        exported_at = exported_at or _latest_change(models)
        # Read in the same transaction (on PostgreSQL the same snapshot) as the records.
        feed_cursor = _feed_cursor()
        licenses = _licenses()
    files = {"snapshot.json": _sha256(directory / "snapshot.json")}
    for model in models:
        name = f"csv/{model._meta.label_lower}.csv"
        files[name] = _sha256(directory / name)
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "migrations": _applied_migrations(),
        "exported_at": exported_at,
        "counts": counts,
        "files": files,
        "license": LICENSE_NOTE,
        "licenses": licenses,
        "feed_cursor": feed_cursor,
    }
    with open(directory / "manifest.json", "w", encoding="utf-8", newline="\n") as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


# ------------------------------------------------------------------------------ restore


@contextmanager
def _timestamps_as_given(models):
    """bulk_create would stamp auto_now(_add) fields with the current time; a restore
    keeps the recorded ones."""
    changed = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in changed:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def read_manifest(directory) -> dict:
    directory = Path(directory)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{directory} has no manifest.json: it is not a registry snapshot.") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"manifest.json is not valid JSON: {exc}.") from None
    if manifest.get("format") != FORMAT:
        raise SnapshotError(f"{directory} is not a registry snapshot (format {manifest.get('format')!r}).")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError(
            f"The snapshot has schema version {manifest.get('schema_version')}; this registry reads "
            f"version {SCHEMA_VERSION}."
        )
    return manifest


def registry_is_empty() -> bool:
    return not any(model._base_manager.exists() for model in snapshot_models())


def import_registry(directory) -> dict:
    """Restore a snapshot into an empty registry, atomically; returns the record counts."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    for name, digest in manifest.get("files", {}).items():
        path = directory / name
        if not path.exists() or _sha256(path) != digest:
            raise SnapshotError(f"{name} is missing or does not match the manifest's checksum.")
    if not registry_is_empty():
        raise SnapshotError("The registry is not empty: a snapshot is restored only into an empty database.")
    applied = _applied_migrations()
    if manifest.get("migrations") != applied:
        raise SnapshotError(
            "The snapshot was taken at another database schema: it has the migrations "
            f"{', '.join(manifest.get('migrations') or [])}; this database has {', '.join(applied)}. "
            "Restore it with the registry version that exported it."
        )
    models = {m._meta.label_lower: m for m in snapshot_models()}
    snapshot = directory / "snapshot.json"
    counts = {}
    with transaction.atomic():
        if not registry_is_empty():
            raise SnapshotError(
                "The registry is not empty: a snapshot is restored only into an empty database."
            )
        user_ids = _ensure_users(snapshot, models)
        with _timestamps_as_given(models.values()):
            for label, records in _read_snapshot(snapshot):
                counts[label] = _insert(models[label], records, user_ids)
        _reset_sequences(list(models.values()))
    return counts


def _read_snapshot(path: Path):
    """(model label, records) per model, read line by line as export_registry writes
    them (one record per line), so that a large registry is never all in memory; the
    records are a generator, to be consumed before the next model."""
    with open(path, encoding="utf-8") as stream:
        lines = (line.rstrip("\n") for line in stream)
        for line in lines:
            if line == '"models":{':
                break
        else:
            raise SnapshotError("snapshot.json has no models.")
        for line in lines:
            if line == "}":
                return
            if not (line.startswith('"') and (line.endswith(":[") or line.rstrip(",").endswith(":[]"))):
                raise SnapshotError(
                    f"snapshot.json is not laid out as export_registry writes it: {line[:80]!r}"
                )
            label, _, rest = line.partition(":[")
            label = json.loads(label)
            records = [] if rest.rstrip(",") == "]" else _records_until_end(lines, label)
            yield label, records
            for _ in records:  # whatever the caller did not read
                pass
        raise SnapshotError("snapshot.json ends too early.")


def _records_until_end(lines, label):
    for line in lines:
        if line in ("]", "],"):
            return
        try:
            yield json.loads(line.rstrip(","))
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"snapshot.json, {label}: a record is not valid JSON: {exc}.") from None
    raise SnapshotError("snapshot.json ends too early.")


def _ensure_users(snapshot: Path, models) -> dict[str, int]:
    user_model = get_user_model()
    names: set[str] = set()
    for label, records in _read_snapshot(snapshot):
        if label not in models:
            raise SnapshotError(f"The snapshot has a model this registry does not know: {label}.")
        fields = _user_fields(models[label])
        for record in records:
            names.update(record[f] for f in fields if record.get(f) is not None)
    existing = dict(
        user_model._base_manager.filter(**{f"{user_model.USERNAME_FIELD}__in": names}).values_list(
            user_model.USERNAME_FIELD, "pk"
        )
    )
    for name in sorted(names - set(existing)):
        user = user_model(**{user_model.USERNAME_FIELD: name}, is_active=False)
        user.set_unusable_password()
        user.save()
        existing[name] = user.pk
    return existing


def _insert(model, records, user_ids) -> int:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    users = _user_fields(model)
    count, batch = 0, []
    for record in records:
        values = {}
        for name, value in record.items():
            if name not in fields:
                raise SnapshotError(f"{model._meta.label_lower} has no field {name}.")
            if name in users and value is not None:
                value = user_ids[value]
            elif value is not None:
                try:
                    value = fields[name].to_python(value)
                except ValidationError as exc:
                    raise SnapshotError(
                        f"{model._meta.label_lower} #{record.get('id')}: {name}: {exc.messages[0]}"
                    ) from None
            values[name] = value
        batch.append(model(**values))
        count += 1
        if len(batch) >= BATCH_SIZE:
            _bulk_insert(model, batch)
            batch = []
    _bulk_insert(model, batch)
    return count


def _bulk_insert(model, objects) -> None:
    # Plain bulk inserts: no signals, so no new history rows beside the restored ones.
    if objects:
        model._base_manager.bulk_create(objects, batch_size=BATCH_SIZE)


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def snapshot_summary(manifest) -> str:
    total = sum(manifest["counts"].values())
    return (
        f"{total} records in {len(manifest['counts'])} tables, exported at {manifest['exported_at'] or '—'}"
    )
