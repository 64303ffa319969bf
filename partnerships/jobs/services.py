"""The jobs' writes: start an import or an export (a Job and its queued task, atomically),
and what the worker records as it runs (state, progress, the outcome).

Progress goes to the shared cache at once (the import writes in one transaction, so a row
updated inside it would stay invisible until the end) and to the Job row whenever the
worker is not inside a transaction; the admin reads the cache first.
"""

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from ..importing.report import ImportReport, RowOutcome
from ..services.inputs import Actor, acting_user
from .models import Job

logger = logging.getLogger(__name__)

PROGRESS_KEY = "job-progress:{}"
PROGRESS_TIMEOUT = 24 * 3600
# The Job row is updated at most this often with progress (the cache on every report).
PROGRESS_ROW_EVERY_SECONDS = 1.0


@transaction.atomic
def start_import(
    *,
    user: Actor,
    upload: Path,
    name: str,
    source: str,
    source_title: str = "",
    skip_bad_rows: bool = False,
) -> Job:
    """Queue the import of ``upload`` (a previewed file, moved into the job's directory)."""
    from . import tasks

    job = Job(
        kind=Job.Kind.IMPORT,
        requested_by=acting_user(user),
        params={
            "name": name,
            "source": source,
            "source_title": source_title,
            "skip_bad_rows": skip_bad_rows,
            "input": "input.csv.gz" if upload.name.endswith(".gz") else "input.csv",
        },
        phase="queued",
    )
    job.full_clean()
    job.save()
    job.directory.mkdir(parents=True, exist_ok=True)
    # A move, not a rename: the upload folder may be on another file system than JOBS_DIR.
    shutil.move(upload, job.directory / job.params["input"])
    # Enqueued in this transaction: the worker sees the task only once the Job is committed.
    result = tasks.run_import.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


@transaction.atomic
def start_export(*, user: Actor, name: str) -> Job:
    """Queue a full export (one of ``publishing.EXPORTS``), published when it is done."""
    from . import publishing, tasks

    if name not in publishing.EXPORTS:
        raise ValueError(f"unknown export {name!r}; one of {', '.join(publishing.EXPORTS)}")
    job = Job(kind=Job.Kind.EXPORT, requested_by=acting_user(user), params={"name": name}, phase="queued")
    job.full_clean()
    job.save()
    result = tasks.run_export.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def mark_running(job: Job) -> None:
    job.state = Job.State.RUNNING
    job.started_at = timezone.now()
    job.phase = "started"
    job.save(update_fields=["state", "started_at", "phase"])


class ProgressRecorder:
    """The ``progress(phase, done, total)`` callback the import service and exporter call."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last_row_write = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        record_progress(self.job, phase, done, total, row=False)
        now = time.monotonic()
        if not connection.in_atomic_block and now - self.last_row_write >= PROGRESS_ROW_EVERY_SECONDS:
            self.last_row_write = now
            record_progress(self.job, phase, done, total, row=True)


def record_progress(job: Job, phase: str, done: int, total: int, *, row: bool = True) -> None:
    job.phase, job.done, job.total = phase[:100], max(done, 0), max(total, 0)
    try:
        cache.set(PROGRESS_KEY.format(job.pk), [job.phase, job.done, job.total], PROGRESS_TIMEOUT)
    except Exception:  # the cache fails open elsewhere; progress is only informative
        logger.warning("Could not record the progress of job %s in the cache", job.pk)
    if row:
        Job.objects.filter(pk=job.pk).update(phase=job.phase, done=job.done, total=job.total)


def live_progress(job: Job) -> tuple[str, int, int]:
    """The latest progress: the cache's (the worker's last report) or the row's."""
    if job.state == Job.State.RUNNING:
        try:
            found = cache.get(PROGRESS_KEY.format(job.pk))
        except Exception:
            found = None
        if found:
            phase, done, total = found
            return str(phase), int(done), int(total)
    return job.phase, job.done, job.total


def finish(
    job: Job, *, ok: bool, summary: str, report: dict[str, Any] | None = None, result_name: str = ""
) -> None:
    job.state = Job.State.SUCCEEDED if ok else Job.State.FAILED
    job.finished_at = timezone.now()
    job.summary = summary
    job.phase = "done" if ok else "failed"
    if report is not None:
        job.report = report
    job.result_name = result_name
    job.save(update_fields=["state", "finished_at", "summary", "phase", "report", "result_name"])
    try:
        cache.delete(PROGRESS_KEY.format(job.pk))
    except Exception:
        logger.warning("Could not clear the progress of job %s in the cache", job.pk)


# ------------------------------------------------------------------ the import report, kept


def report_as_json(report: ImportReport) -> dict[str, Any]:
    """Everything the report page shows, every row's outcome included."""
    return {
        **report.as_dict(),
        "skip_bad_rows": report.skip_bad_rows,
        "file_error": report.file_error,
        "outcomes": [[o.row, o.action, o.message, o.pair] for o in report.outcomes],
    }


def report_from_json(data: dict[str, Any]) -> ImportReport:
    localities = data.get("localities", {})
    return ImportReport(
        label=data.get("label", ""),
        dry_run=data.get("dry_run", False),
        skip_bad_rows=data.get("skip_bad_rows", False),
        rows=data.get("rows", 0),
        outcomes=[
            RowOutcome(row, action, message, pair) for row, action, message, pair in data.get("outcomes", [])
        ],
        localities_matched=localities.get("matched", 0),
        localities_created=localities.get("created", 0),
        localities_ambiguous=localities.get("ambiguous", 0),
        written=data.get("written", False),
        file_error=data.get("file_error", ""),
    )
