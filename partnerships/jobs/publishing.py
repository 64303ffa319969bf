"""Full exports published as files: rendered by the worker, served like static files.

A full export of a large registry takes minutes to stream; published, it is a file that any
number of clients download at disk speed, with a strong ETag, so no request holds a server
for long. Each export in ``EXPORTS`` is the API's own answer to ``?format=…`` (the same
columns and cells, whatever the exporter in ``partnerships.api.exports`` becomes), rendered
by the worker without a client (no throttle), written under PUBLISHED_EXPORTS_DIR as
``<stem>-<sha256 prefix>.<ext>``, with a manifest ``<name>.json`` (file, ETag, the registry's
version it shows, rows, size) replaced atomically, so a download always gets one whole file.

``ensure_fresh`` compares the manifest's version with ``selectors.registry_changed_at()``
and queues a new export job when the registry changed since (at most one queued or running
per export). It is called when a published export is requested, after each import job, and
by ``manage.py publish_exports`` (for cron or a deployment step).

In a deployment of several servers, PUBLISHED_EXPORTS_DIR (like JOBS_DIR) is a directory
that the app servers and the workers share.
"""

import datetime
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .. import selectors
from ..models import Locality, Partnership
from .models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Export:
    url_name: str
    format: str
    content_type: str
    count: Callable[[], int]


EXPORTS: dict[str, Export] = {
    "partnerships.csv": Export(
        "api:partnership-list", "csv", "text/csv; charset=utf-8", Partnership.objects.count
    ),
    "partnerships.geojson": Export(
        "api:partnership-list", "geojson", "application/geo+json", Partnership.objects.count
    ),
    "localities.csv": Export("api:locality-list", "csv", "text/csv; charset=utf-8", Locality.objects.count),
}

RETRY_AFTER_SECONDS = 30
REFRESH_LOCK_SECONDS = 60
PROGRESS_EVERY = 5000  # rows between progress reports
KEEP_VERSIONS = 2  # the current file and the one before (a download may still be reading it)


@dataclass(frozen=True)
class Published:
    name: str
    file: str
    etag: str
    version: str
    generated_at: str
    rows: int
    size: int

    @property
    def path(self) -> Path:
        return Path(settings.PUBLISHED_EXPORTS_DIR) / self.file


def _directory() -> Path:
    path = Path(settings.PUBLISHED_EXPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def public_base() -> tuple[str, str]:
    """The scheme and host the published files' URLs name (PUBLIC_URL, else the first host)."""
    if settings.PUBLIC_URL:
        scheme, _, host = settings.PUBLIC_URL.partition("://")
        return scheme, host.rstrip("/")
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    return ("http" if settings.DEBUG else "https"), host


def render(name: str, out: Any, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Write the API's full ``?format=`` answer for export ``name`` to ``out``; the rows."""
    export = EXPORTS[name]
    path = reverse(export.url_name)
    scheme, host = public_base()
    request = RequestFactory().get(path, {"format": export.format}, HTTP_HOST=host, secure=scheme == "https")
    request.user = AnonymousUser()
    match = resolve(path)
    # The worker is not a client: the same view, unthrottled.
    view = match.func.view_class.as_view(throttle_classes=[])  # type: ignore[attr-defined]
    response = view(request, *match.args, **match.kwargs)
    if response.status_code != 200 or not response.streaming:
        raise RuntimeError(f"the API answered {response.status_code} to {path}?format={export.format}")
    total = export.count()
    lines, next_report = 0, PROGRESS_EVERY
    for chunk in response.streaming_content:
        out.write(chunk)
        lines += chunk.count(b"\n")
        if progress is not None and lines >= next_report:
            next_report = lines + PROGRESS_EVERY
            progress("exporting", min(lines, total), total)
    # Not response.close(): that sends request_finished, which closes the database connections.
    rows = max(lines - 1, 0) if export.format == "csv" else total
    if progress is not None:
        progress("exporting", rows, total)
    return rows


def publish(
    name: str, *, job: Job | None = None, progress: Callable[[str, int, int], None] | None = None
) -> Published:
    """Render export ``name`` and make it the published one; also the job's result file."""
    directory = _directory()
    # Read first: a change while rendering makes this version stale, so it is rendered again.
    version = selectors.registry_changed_at().isoformat()
    stem, _, extension = name.rpartition(".")
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile("wb", dir=directory, prefix=f".{stem}-", delete=False) as tmp:

        class Hashing:
            def write(self, data: bytes) -> None:
                digest.update(data)
                tmp.write(data)

        try:
            rows = render(name, Hashing(), progress)
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
    sha = digest.hexdigest()
    file = f"{stem}-{sha[:16]}.{extension}"
    final = directory / file
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, final)
    published = Published(
        name=name,
        file=file,
        etag=sha[:32],
        version=version,
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(),
        rows=rows,
        size=final.stat().st_size,
    )
    _write_manifest(published)
    _prune(name, keep=file)
    if job is not None:
        job.directory.mkdir(parents=True, exist_ok=True)
        result = job.directory / file
        try:
            os.link(final, result)
        except OSError:
            import shutil

            shutil.copyfile(final, result)
    return published


def _manifest_path(name: str) -> Path:
    return Path(settings.PUBLISHED_EXPORTS_DIR) / f"{name}.json"


def _write_manifest(published: Published) -> None:
    target = _manifest_path(published.name)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, prefix=".manifest-", delete=False) as tmp:
        json.dump(asdict(published), tmp)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


def _prune(name: str, *, keep: str) -> None:
    stem, _, extension = name.rpartition(".")
    versions = sorted(
        Path(settings.PUBLISHED_EXPORTS_DIR).glob(f"{stem}-*.{extension}"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[KEEP_VERSIONS:]:
        if old.name != keep:
            old.unlink(missing_ok=True)


def current(name: str) -> Published | None:
    try:
        data = json.loads(_manifest_path(name).read_text())
    except (FileNotFoundError, ValueError):
        return None
    published = Published(**data)
    return published if published.path.exists() else None


def is_fresh(published: Published | None) -> bool:
    if published is None:
        return False
    return datetime.datetime.fromisoformat(published.version) >= selectors.registry_changed_at()


def ensure_fresh(name: str, published: Published | None = None) -> Job | None:
    """Queue an export of ``name`` when none is published or the registry changed since, unless
    one is queued or running already; the job queued, or None."""
    from . import services

    published = published if published is not None else current(name)
    changed = selectors.registry_changed_at()
    if published is not None and datetime.datetime.fromisoformat(published.version) >= changed:
        return None
    pending = Job.objects.filter(
        kind=Job.Kind.EXPORT, state__in=[Job.State.QUEUED, Job.State.RUNNING], params__name=name
    )
    if pending.exists():
        return None
    try:
        # One request queues it, not every request that finds the same stale version.
        if not cache.add(f"export-refresh:{name}:{changed.isoformat()}", 1, REFRESH_LOCK_SECONDS):
            return None
    except Exception:
        logger.warning("The cache is unavailable: queueing the export of %s without its lock", name)
    return services.start_export(user=None, name=name)


def refresh_published() -> list[Job]:
    """After a write of many records (an import): queue a new version of each published
    export that the registry has moved past (exports never asked for are left alone)."""
    queued = []
    for name in EXPORTS:
        published = current(name)
        if published is not None:
            job = ensure_fresh(name, published)
            if job is not None:
                queued.append(job)
    return queued


def serve(request: HttpRequest, name: str) -> HttpResponseBase:
    """GET /exports/<name>: the published file, with ETag and Last-Modified; 503 while the
    first one is prepared. A stale one is served while its successor is prepared."""
    if name not in EXPORTS:
        raise Http404("No such export.")
    published = current(name)
    queued = ensure_fresh(name, published)
    if queued is not None and queued.state == Job.State.SUCCEEDED:  # done already (a quick worker)
        published = current(name)
    if published is None:
        response: HttpResponse = JsonResponse(
            {"status": 503, "detail": "This export is being prepared. Please try again shortly."}, status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        response._has_been_logged = True  # type: ignore[attr-defined]  # expected, not a server error
        return response
    etag = f'"{published.etag}"'
    changed = datetime.datetime.fromisoformat(published.version)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(changed.timestamp()),
        "Cache-Control": "public, max-age=60",
        "X-Registry-Version": published.version,
    }
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(changed.timestamp()))
    if not_modified is not None:
        for header, value in headers.items():
            not_modified[header] = value
        return not_modified
    file_response = FileResponse(
        published.path.open("rb"), content_type=EXPORTS[name].content_type, as_attachment=True, filename=name
    )
    for header, value in headers.items():
        file_response[header] = value
    return file_response
