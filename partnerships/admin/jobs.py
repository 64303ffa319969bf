"""The jobs' admin pages: the list of imports and full exports run by the worker, each job's
page (state, live progress, the import report, the export file to download), and the
button that starts a full export.

Jobs are read-only here: the import page starts imports, the button below starts exports
(``partnerships.jobs.services``), and the worker records the rest."""

import csv
import io
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ..exporting import spreadsheet_cell
from ..jobs import publishing
from ..jobs import services as jobs
from ..models import Job

REPORT_ROWS = 200


def may_see_jobs(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active
        and user.is_staff
        and (user.has_perm("partnerships.view_job") or user.has_perm("partnerships.add_partnership"))
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
        "short_summary",
    ]
    list_filter = ["kind", "state"]
    list_select_related = ["requested_by"]
    ordering = ["-created_at", "-id"]
    change_form_template = "admin/partnerships/job/change_form.html"
    change_list_template = "admin/partnerships/job/change_list.html"
    readonly_fields = [
        "kind",
        "state",
        "progress",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "summary",
        "result",
    ]
    fields = tuple(readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the import page and the export button start jobs

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_jobs(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_jobs(request)

    @admin.display(description="progress")
    def progress(self, job: Job) -> str:
        phase, done, total = jobs.live_progress(job)
        if job.finished:
            return job.get_state_display()
        if total:
            return f"{phase}: {done:,} of {total:,} ({100 * done // total}%)"
        return phase or job.get_state_display()

    @admin.display(description="summary")
    def short_summary(self, job: Job) -> str:
        return job.summary if len(job.summary) <= 90 else job.summary[:89] + "…"

    @admin.display(description="result")
    def result(self, job: Job) -> str:
        url = reverse("admin:partnerships_job_download", args=[job.pk])
        if job.kind == Job.Kind.EXPORT and job.result_path and job.result_path.exists():
            return format_html("<a href='{}'>Download {}</a>", url, job.params.get("name", "the export"))
        if job.kind == Job.Kind.IMPORT and job.report:
            return format_html("<a href='{}'>Download the report (CSV, one line a row)</a>", url)
        return "—"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download),
                name="partnerships_job_download",
            ),
            path(
                "start-export/",
                self.admin_site.admin_view(require_POST(self.start_export)),
                name="partnerships_job_start_export",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if job is not None:
            phase, done, total = jobs.live_progress(job)
            report = jobs.report_from_json(job.report) if job.kind == Job.Kind.IMPORT and job.report else None
            context.update(
                job=job,
                live={"phase": phase, "done": done, "total": total},
                report=report,
                report_rows=REPORT_ROWS,
                # While the job runs, the page reloads itself (a meta refresh: no script).
                refresh_seconds=None if job.finished else 2,
            )
        return super().change_view(request, object_id, form_url, extra_context=context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        context = {**(extra_context or {}), "exports": list(publishing.EXPORTS)}
        return super().changelist_view(request, extra_context=context)

    def download(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        if not may_see_jobs(request):
            raise PermissionDenied
        job = Job.objects.filter(pk=pk).first()
        if job is None:
            raise Http404
        if job.kind == Job.Kind.EXPORT:
            result = job.result_path
            if result is None or not result.exists():
                raise Http404("This job has no file (yet).")
            content_type = publishing.EXPORTS[job.params["name"]].content_type
            return FileResponse(
                result.open("rb"), content_type=content_type, as_attachment=True, filename=job.params["name"]
            )
        if not job.report:
            raise Http404("This job has no report (yet).")
        report = jobs.report_from_json(job.report)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "outcome", "partnership", "details"])
        for outcome in report.outcomes:
            writer.writerow(
                [
                    outcome.row,
                    outcome.action,
                    spreadsheet_cell(outcome.pair),
                    spreadsheet_cell(outcome.message),
                ]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
        return response

    def start_export(self, request: HttpRequest) -> HttpResponse:
        if not may_see_jobs(request):
            raise PermissionDenied
        name = request.POST.get("name", "")
        if name not in publishing.EXPORTS:
            messages.error(request, "Choose one of the exports offered.")
            return HttpResponseRedirect(reverse("admin:partnerships_job_changelist"))
        job = jobs.start_export(user=request.user, name=name)
        messages.info(request, f"The full export {name} runs in the background as job #{job.pk}.")
        return HttpResponseRedirect(job.get_absolute_url())
