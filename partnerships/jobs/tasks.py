"""The task functions the worker (``manage.py db_worker``) runs, one per kind of job.

Each takes the Job's id, marks it running, does the work through the ordinary services (the
import service; the API's own CSV export), records progress as it goes and the outcome at
the end. A failure is recorded on the Job (state ``failed``, the reason as its summary) and
re-raised, so that the queue records it too.
"""

import logging
from typing import Any

from django_tasks import task

from ..importing.formats import ImportFileError, read_file
from ..importing.service import SourceSpec, import_partnerships
from . import publishing, services
from .models import Job

logger = logging.getLogger(__name__)


def _import(job: Job, progress: services.ProgressRecorder) -> dict[str, Any]:
    params = job.params
    path = job.directory / params["input"]
    try:
        progress("reading the file", 0, 0)
        rows = read_file(path)
        report = import_partnerships(
            rows=rows,
            source=SourceSpec.from_text(params["source"], title=params.get("source_title", "")),
            dry_run=False,
            skip_bad_rows=params.get("skip_bad_rows", False),
            user=job.requested_by,
            label=params.get("name", ""),
            progress=progress,
        )
    finally:
        # The upload is kept no longer than its import (README: hostile files).
        path.unlink(missing_ok=True)
    services.finish(job, ok=report.written, summary=report.summary(), report=services.report_as_json(report))
    if report.written:
        publishing.refresh_published()
    return {"written": report.written, "rows": report.rows}


@task()
def run_import(job_id: int) -> dict[str, Any]:
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    services.mark_running(job)
    try:
        return _import(job, services.ProgressRecorder(job))
    except ImportFileError as exc:
        services.finish(job, ok=False, summary=str(exc))
        return {"written": False, "error": str(exc)}
    except BaseException as exc:
        logger.exception("Import job %s failed", job_id)
        services.finish(job, ok=False, summary=f"The import failed: {type(exc).__name__}: {exc}")
        raise


@task()
def run_export(job_id: int) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    services.mark_running(job)
    try:
        published = publishing.publish(job.params["name"], job=job, progress=services.ProgressRecorder(job))
    except BaseException as exc:
        logger.exception("Export job %s failed", job_id)
        services.finish(job, ok=False, summary=f"The export failed: {type(exc).__name__}: {exc}")
        raise
    services.finish(
        job,
        ok=True,
        summary=f"{published.rows:,} rows, {published.size:,} bytes, the registry as of {published.version}.",
        result_name=published.file,
    )
    return {"rows": published.rows, "file": published.file}
