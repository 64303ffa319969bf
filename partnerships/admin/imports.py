"""The admin's upload page for bulk imports: upload a file in the import format, see a
dry-run preview (rows to create, to update, unchanged, and each bad row with its reason),
then confirm to import the same file. The preview calls the import service at once (a dry
run, read-only); the confirmed import runs as a background job (``partnerships.jobs``), on
the worker, with its progress and report on the job's admin page.

Between the two steps the upload is kept server-side in a private temporary directory,
under a random token remembered in the user's session, so the confirmed import is
exactly the file that was previewed. It is deleted when its preview or import ends,
however it ends: a preview that fails (an unreadable file, a file beyond the limits, an
unexpected error), the import (written or not: a new attempt uploads the file again; the
job takes the file into its own directory and deletes it when it ends), cancelling, or a new upload by the same user; a preview abandoned without any of these
is deleted at the first visit of the page (by anyone) an hour later."""

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ..importing.formats import MAX_FILE_BYTES, ImportFileError, read_file
from ..importing.service import SourceSpec, import_partnerships
from ..jobs import services as jobs
from ..models import Job, Partnership

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
PREVIEW_ROWS = 200
SESSION_KEY = "partnership_import_uploads"
# Under JOBS_DIR, which the app servers and workers share: the preview may be answered by
# one server and the confirmation by another.
UPLOAD_DIR = Path(settings.JOBS_DIR) / "uploads"
STALE_AFTER_SECONDS = 3600


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file in the import format (UTF-8; comma or semicolon separated; .csv or .csv.gz). "
        "See docs/import-format.md."
    )
    source = forms.CharField(
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="The source every row cites unless it names its own: a title, or a URL.",
    )
    source_title = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="The source's title, when the source above is a URL.",
    )
    skip_bad_rows = forms.BooleanField(
        required=False,
        help_text="Import the good rows and leave out the bad ones. Without it, one bad row stops the "
        "whole import and nothing is written.",
    )

    both_sides = forms.BooleanField(
        required=False,
        label="Pairs named from both sides",
        help_text="The list names each pair twice, once from each party (as Wikidata and the Wikipedia "
        "lists do): the second listing is reported as the same partnership, not as an error.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if not upload.name.lower().endswith((".csv", ".csv.gz", ".txt")):
            raise forms.ValidationError("Upload a .csv (or .csv.gz) file.")
        return upload


def _check_permission(request):
    if not request.user.has_perm("partnerships.add_partnership"):
        raise PermissionDenied


def _sweep() -> None:
    """Delete the uploads of previews abandoned (never confirmed nor cancelled) an hour ago."""
    if not UPLOAD_DIR.is_dir():
        return
    stale = time.time() - STALE_AFTER_SECONDS
    for old in UPLOAD_DIR.iterdir():
        try:
            if old.stat().st_mtime < stale:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            pass  # deleted meanwhile by another request


def _store(upload) -> tuple[str, Path]:
    UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = UPLOAD_DIR / (token + (".csv.gz" if upload.name.lower().endswith(".gz") else ".csv"))
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, path


def _pending(request, token: str) -> dict | None:
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if pending and Path(pending["path"]).exists():
        return pending
    return None


def _forget(request, token: str) -> None:
    uploads = request.session.get(SESSION_KEY, {})
    pending = uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
    if pending:
        Path(pending["path"]).unlink(missing_ok=True)


def _run(request, pending: dict, *, dry_run: bool):
    return import_partnerships(
        rows=read_file(pending["path"]),
        source=SourceSpec.from_text(pending["source"], title=pending["source_title"]),
        dry_run=dry_run,
        skip_bad_rows=pending["skip_bad_rows"],
        user=request.user,
        label=pending["name"],
        repeated_pairs="skip" if pending.get("both_sides") else "error",
    )


def _render(request, context):
    opts = Partnership._meta
    return TemplateResponse(
        request,
        "admin/partnerships/import.html",
        {
            **admin.site.each_context(request),
            "title": "Import partnerships",
            "opts": opts,
            "preview_rows": PREVIEW_ROWS,
            **context,
        },
    )


def import_view(request):
    _check_permission(request)
    _sweep()
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request)
    if request.method == "POST" and request.POST.get("step") == "cancel":
        _forget(request, request.POST.get("token", ""))
        messages.info(request, "Import cancelled; nothing was written.")
        return HttpResponseRedirect(reverse("admin-import-partnerships"))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, {"form": form})
    upload = form.cleaned_data["file"]
    # A new upload ends the user's earlier previews.
    for earlier in list(request.session.get(SESSION_KEY, {})):
        _forget(request, earlier)
    token, path = _store(upload)
    pending = {
        "path": str(path),
        "name": Path(upload.name).name[:100],
        "source": form.cleaned_data["source"],
        "source_title": form.cleaned_data["source_title"],
        "skip_bad_rows": form.cleaned_data["skip_bad_rows"],
        "both_sides": form.cleaned_data["both_sides"],
    }
    try:
        report = _run(request, pending, dry_run=True)
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        form.add_error("file", str(exc))
        return _render(request, {"form": form})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    request.session[SESSION_KEY] = {**request.session.get(SESSION_KEY, {}), token: pending}
    return _render(request, {"report": report, "token": token, "pending": pending})


def _confirm(request):
    token = request.POST.get("token", "")
    pending = _pending(request, token)
    if pending is None:
        messages.error(request, "That upload is no longer available; upload the file again.")
        return HttpResponseRedirect(reverse("admin-import-partnerships"))
    try:
        job = jobs.start_import(
            user=request.user,
            upload=Path(pending["path"]),
            name=pending["name"],
            source=pending["source"],
            source_title=pending["source_title"],
            skip_bad_rows=pending["skip_bad_rows"],
        )
    finally:
        # The import has started (the job holds the file now) or could not: either way a
        # new attempt uploads the file again.
        _forget(request, token)
    job.refresh_from_db()
    if job.state == Job.State.SUCCEEDED:  # a worker was quicker than this request
        messages.success(request, job.summary)
        return HttpResponseRedirect(reverse("admin:partnerships_partnership_changelist"))
    if job.state == Job.State.FAILED and job.report:
        report = jobs.report_from_json(job.report)
        return _render(request, {"report": report, "token": token, "pending": pending, "job": job})
    if job.state == Job.State.FAILED:
        messages.error(request, job.summary)
    else:
        messages.info(request, f"The import of “{pending['name']}” runs in the background as job #{job.pk}.")
    return HttpResponseRedirect(job.get_absolute_url())


admin_import_view = admin.site.admin_view(import_view)
