"""The Job model: one long piece of work (an admin import, a full export) run by the worker.

The queue itself is django-tasks' (its database backend's table); a Job is what staff see of
it: who asked, what, its state and progress, and its result (the import report, the export
file), kept after it ends. Re-exported from ``partnerships.models``.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "import partnerships"
        EXPORT = "export", "full export"

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What to do: an import's file name, source and options; an export's list and format.
    params = models.JSONField(default=dict, blank=True)
    # Progress, as the work reports it: a phase and how far it is ("matching localities", 500, 20000).
    phase = models.CharField(max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The outcome: a one-line summary, the import report's rows, the export file's name.
    summary = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The admin's job list (newest first) and "is an export queued or running?"
            # (publishing.ensure_fresh) filter by kind and state.
            models.Index(fields=["kind", "state"], name="job_kind_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["import", "export"]), name="job_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "succeeded", "failed"]),
                name="job_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("admin:partnerships_job_change", args=[self.pk])

    @property
    def directory(self) -> Path:
        """Where the job's input and result files are kept (JOBS_DIR/<id>/)."""
        return Path(settings.JOBS_DIR) / str(self.pk)

    @property
    def result_path(self) -> Path | None:
        return self.directory / self.result_name if self.result_name else None

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    def progress_text(self) -> str:
        if self.total:
            return f"{self.phase}: {self.done:,} of {self.total:,}"
        return self.phase

    def as_status(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "kind": self.kind,
            "state": self.state,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "summary": self.summary,
        }
