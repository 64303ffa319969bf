"""What the import commands share: their common options, the history user, a progress
bar on stderr and the printed report."""

import sys
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser

from .service import import_partnerships


def add_import_options(parser: CommandParser, *, skip_bad_rows_help: str) -> None:
    """--dry-run, --skip-bad-rows, --user and --no-progress."""
    parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
    parser.add_argument("--skip-bad-rows", action="store_true", help=skip_bad_rows_help)
    parser.add_argument("--user", default="", help="Username recorded in the edit history.")
    parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")


def history_user(username: str) -> AbstractBaseUser | None:
    """The user --user names (None without one); CommandError if there is none such."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user {username!r}.")
    return user


def run_import(command: BaseCommand, *, no_progress: bool, verbosity: int, **kwargs: Any) -> None:
    """import_partnerships(**kwargs) with a progress bar (unless --no-progress), then the
    printed report."""
    progress = ProgressBar(command.stderr._out, enabled=not no_progress and verbosity > 0)
    try:
        report = import_partnerships(progress=progress, **kwargs)
    finally:
        progress.close()
    print_report(command, report)


class ProgressBar:
    """A one-line progress bar on a terminal; a line per phase elsewhere (logs, CI)."""

    def __init__(self, stream=None, width: int = 30, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = enabled
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.phase: str | None = None
        self.started = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase and self.phase is not None and self.tty:
            self.stream.write("\n")
        new_phase = phase != self.phase
        self.phase = phase
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {done}/{total} {phase} ({time.monotonic() - self.started:.1f} s)"
        if self.tty:
            self.stream.write("\r" + line)
        elif new_phase or done == total:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        if self.enabled and self.tty and self.phase is not None:
            self.stream.write("\n")
            self.stream.flush()


def print_report(command, report, *, max_errors: int = 50) -> None:
    """Print the report; raise CommandError (exit status 1) when nothing could be written."""
    for outcome in report.known_bad_rows_skipped:
        why = report.known_bad_rows[outcome.row]
        command.stderr.write(f"row {outcome.row}: skipped, a known bad row ({why}): {outcome.message}")
    for row, name, note in report.coordinate_flags[:max_errors]:
        command.stderr.write(f"row {row}: {name}: {note}")
    if len(report.coordinate_flags) > max_errors:
        command.stderr.write(
            f"… and {len(report.coordinate_flags) - max_errors} more parties with coordinates outside "
            "their country."
        )
    for outcome in report.blocking_errors[:max_errors]:
        command.stderr.write(f"row {outcome.row}: {outcome.message}")
    if len(report.blocking_errors) > max_errors:
        command.stderr.write(f"… and {len(report.blocking_errors) - max_errors} more rows with errors.")
    if report.ok:
        command.stdout.write(command.style.SUCCESS(report.summary()))
    else:
        raise CommandError(report.summary())
