"""Statuses in words, saying what the source says: a *change* ("suspended on 4 March
2022", "active since 1973") is worded apart from an *attestation*, a source that reports the
status on its date ("reported active in July 2002") without saying when it began. The
pages, the admin and the API's descriptions use these."""

import datetime

from .dates import DatePrecision, format_partial_date

# How a change to each status is said.
_CHANGE_VERBS = {
    "proposed": "proposed",
    "active": "became active",
    "suspended": "suspended",
    "terminated": "terminated",
}


def preposition(precision: str | None) -> str:
    """ "on" before a day, "in" before a month or a year."""
    return "on" if precision in (DatePrecision.DAY, None, "") else "in"


def at(date: datetime.date | None, precision: str | None) -> str:
    """ "on 4 March 2022", "in July 2002", "in 1973"; "" for no date."""
    if date is None:
        return ""
    return f"{preposition(precision)} {format_partial_date(date, precision)}"


def event_prefix(kind: str, status: str) -> str:
    """The word before the status in an event's phrase: "reported" (attestation),
    "became" (a change to active); "" otherwise ("suspended on 4 March 2022")."""
    if kind == "attestation":
        return "reported"
    return "became" if status == "active" else ""


def event_phrase(kind: str, status: str, date: datetime.date | None, precision: str | None) -> str:
    """One status event: "reported active in July 2002" (an attestation), "became active
    in 1973", "suspended on 4 March 2022" (changes)."""
    if date is None:
        return status
    if kind == "attestation":
        return f"reported {status} {at(date, precision)}"
    return f"{_CHANGE_VERBS.get(status, status)} {at(date, precision)}"


def is_reported_only(
    since: datetime.date | None,
    reported: datetime.date | None,
) -> bool:
    """True when the status is known only from attestations (no change is recorded): the
    stored "reported" date then equals the "since" date (see services.timeline)."""
    return reported is not None and since == reported


def status_when(
    since: datetime.date | None,
    since_precision: str | None,
    reported: datetime.date | None,
    reported_precision: str | None,
) -> str:
    """The date part of a status, for a list's column: "since March 2022", "reported in
    July 2002", "since 1973, reported in July 2002"; "" when undated."""
    if since is None:
        return ""
    if is_reported_only(since, reported):
        return f"reported {at(since, since_precision)}"
    words = f"since {format_partial_date(since, since_precision)}"
    if reported is not None:
        words += f", reported {at(reported, reported_precision)}"
    return words


def status_after(
    since: datetime.date | None,
    since_precision: str | None,
    reported: datetime.date | None,
    reported_precision: str | None,
) -> str:
    """After a partnership's status in the pages' lists: "since 1973", "in July 2002"
    (after "reported …", when reported only), "since 1973, last reported in July 2002";
    "" when undated."""
    if since is None:
        return ""
    if is_reported_only(since, reported):
        return at(since, since_precision)
    words = f"since {format_partial_date(since, since_precision)}"
    if reported is not None:
        words += f", last reported {at(reported, reported_precision)}"
    return words


def status_phrase(
    status: str | None,
    since: datetime.date | None,
    since_precision: str | None,
    reported: datetime.date | None,
    reported_precision: str | None,
) -> str:
    """A partnership's status in words: "active since 1973", "reported active in July
    2002", "active since 1973; last reported active in July 2002"; "" when unknown."""
    if not status:
        return ""
    if since is None:
        return status
    if is_reported_only(since, reported):
        return f"reported {status} {at(since, since_precision)}"
    words = f"{status} since {format_partial_date(since, since_precision)}"
    if reported is not None:
        words += f"; last reported {status} {at(reported, reported_precision)}"
    return words
