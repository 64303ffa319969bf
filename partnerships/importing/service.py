"""The import service: rows in the import format (see formats.py) into the registry.

One function, ``import_partnerships``, serves the management commands, the data set
adapters and the admin's upload page. It works in two phases:

1. **Plan**, reading only: every row is parsed and validated with the models' own field
   validation and clean() (so the rules are those of the services), its parties are
   matched to localities in memory (matching/), and it is classified as a partnership
   to create, one to update, one unchanged, or an error with the reason. The queries are
   a fixed handful whatever the number of rows.
2. **Apply**, unless it is a dry run or a row failed (and bad rows are not to be
   skipped): in one transaction, new localities, partnerships, status events and
   citations (of each new partnership, its first status event and each new locality) are
   bulk-created in batches, each first checked with its model's field validation and
   clean(), with their edit history (the importing user and a change reason naming the
   import). A bad row is never half-written: rows are written only after all of them
   were planned.

Re-importing the same file changes nothing: each pair is found again (in either order),
the data set is already cited, and the values are the same.

The rooms: this module runs the phases; rows.py parses and checks one row, planning.py
loads what the rows meet and classifies them, applying.py writes, report.py holds the
outcomes. The names callers use are re-exported here."""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from partnerships import services
from partnerships.gazetteer import OUTSIDE, source_label
from partnerships.integrity import is_uniqueness_refusal
from partnerships.text import normalize_name

from .applying import BATCH_SIZE, NewAlias, change_reason
from .applying import apply_plan as _apply
from .matching import BY_GAZETTEER, BY_NAME_KEY, BY_PARTNER, NEW, Candidate, LocalityIndex, Place
from .planning import (
    Planned,
    check_timelines,
    describe,
    load_cited_pairs,
    load_partnerships,
    load_sources,
    partners_of,
    plan_changes,
    settle_by_partner,
    settle_by_recorded_pair,
)
from .report import CREATE, ERROR, UNCHANGED, UPDATE, ImportReport, RowOutcome
from .rows import SIDES, ParsedRow, RowError, SourceSpec, error_messages, parse_row

__all__ = [
    "BATCH_SIZE",
    "CREATE",
    "ERROR",
    "PROGRESS_EVERY",
    "SIDES",
    "UNCHANGED",
    "UPDATE",
    "ImportReport",
    "ParsedRow",
    "RowError",
    "RowOutcome",
    "SourceSpec",
    "change_reason",
    "import_partnerships",
    "parse_row",
]

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
# The advisory lock that serialises imports that write (any number of the app's own).
IMPORT_LOCK = 0x7061_7274  # "part"


def import_partnerships(
    *,
    rows: Iterable[tuple[int, dict]],
    source: SourceSpec | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    user: AbstractBaseUser | None = None,
    label: str = "",
    progress: Callable[[str, int, int], None] | None = None,
    repeated_pairs: str = "error",
    known_bad_rows: dict[int, str] | None = None,
) -> ImportReport:
    """Import rows (row number, {column: text}) in the import format; see the module's
    docstring. ``source`` is cited by every row that names no source of its own.

    A pair listed twice (in either order) is an error, as a file lists each partnership
    once; ``repeated_pairs="skip"`` reports the repeats as unchanged instead, for data sets
    that list a pair under each of its two countries.

    Imports that write are run one at a time on PostgreSQL (a transaction-level advisory
    lock taken before planning), so two imports started at the same moment answer as if
    run one after the other: the second plans against what the first wrote.

    ``known_bad_rows`` ({row number: why}) are rows a bundled data set is known to get
    wrong: reported and skipped without blocking the others.

    A party matched by name key or by the gazetteer keeps the row's spelling as an alias
    of the locality (provenance "import:<label>" or "gazetteer:<name version>"); the
    report says how each party was matched and lists coordinates flagged as outside their
    country."""
    arguments: dict[str, Any] = {
        "rows": rows,
        "source": source,
        "dry_run": dry_run,
        "skip_bad_rows": skip_bad_rows,
        "user": user,
        "label": label,
        "progress": progress,
        "repeated_pairs": repeated_pairs,
        "known_bad_rows": known_bad_rows or {},
    }
    if dry_run or connection.vendor != "postgresql":
        return _import(**arguments)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        return _import(**arguments)


def _import(
    *,
    rows: Iterable[tuple[int, dict]],
    source: SourceSpec | None,
    dry_run: bool,
    skip_bad_rows: bool,
    user: AbstractBaseUser | None,
    label: str,
    progress: Callable[[str, int, int], None] | None,
    repeated_pairs: str,
    known_bad_rows: dict[int, str],
) -> ImportReport:
    report = ImportReport(
        label=label, dry_run=dry_run, skip_bad_rows=skip_bad_rows, known_bad_rows=dict(known_bad_rows)
    )
    progress = progress or (lambda phase, done, total: None)
    rows = list(rows)
    report.rows = len(rows)
    outcomes: dict[int, RowOutcome] = {}

    def fail(number, message, pair=""):
        outcomes[number] = RowOutcome(number, ERROR, message, pair)

    # 1. Parse and validate each row on its own.
    parsed: list[ParsedRow] = []
    places: dict[tuple, Place] = {}
    for done, (number, cells) in enumerate(rows, 1):
        try:
            parsed.append(parse_row(number, cells, source, places))
        except RowError as exc:
            fail(number, str(exc))
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress("checking rows", done, len(rows))

    # 2. Match the parties, in memory.
    countries = {p.country for r in parsed for p in r.places}
    index = LocalityIndex.load(countries)
    existing = load_partnerships(countries) if countries else {}
    sources = load_sources(r.source for r in parsed)
    cited = load_cited_pairs(sources)
    partners = partners_of(existing)

    planned: list[Planned] = []
    seen_pairs: dict[tuple[int, int], int] = {}
    ambiguous_names = set()
    methods: dict[int, str] = {}  # candidate id: how the first row naming it matched it
    new_aliases: dict[tuple[int, str], NewAlias] = {}
    alias_source = f"import:{label or 'an import'}"
    for done, row in enumerate(parsed, 1):
        if done % PROGRESS_EVERY == 0 or done == len(parsed):
            progress("matching localities", done, len(parsed))
        resolved: list[Candidate] = []
        row_methods: list[str] = []
        party_methods: list[str] = []
        problems: list[str] = []
        matches = [index.match(place) for place in row.places]
        if any(m.options for m in matches):
            settle_by_recorded_pair(matches, existing)
        if any(m.candidate is None for m in matches):
            settle_by_partner(matches, row.places, index, partners)
        for side, (place, match, (_, label_)) in enumerate(zip(row.places, matches, SIDES, strict=True)):
            if side == 1 and match.candidate is None and not match.ambiguous and resolved:
                # The first party may have just been added: "Springfield – Springfield".
                match = index.match(place)
            if match.error:
                problems.append(f"{label_}: {match.error}")
            elif match.ambiguous:
                ambiguous_names.add((place.country, normalize_name(place.name)))
                choices = "; ".join(str(c) for c in match.ambiguous[:5])
                problems.append(
                    f"the {label_} “{place.name}” ({place.country}) matches {len(match.ambiguous)} "
                    f"localities: {choices}. Give its coordinates or Wikidata id to tell them apart"
                )
            else:
                candidate = match.candidate or index.add_new(place)
                method = match.method if match.candidate else NEW
                methods.setdefault(candidate.id, method)
                row_methods.append(f"{label_} {method}")
                party_methods.append(method)
                if place.coordinates_check == OUTSIDE:
                    report.coordinate_flags.append((row.number, place.name, place.coordinates_note))
                if method in (BY_NAME_KEY, BY_GAZETTEER, BY_PARTNER):
                    spelling = normalize_name(place.name)
                    if spelling and spelling not in candidate.name_keys:
                        provenance = source_label() if method == BY_GAZETTEER else alias_source
                        new_aliases.setdefault(
                            (candidate.id, spelling), NewAlias(candidate.id, place.name, provenance)
                        )
                        index.learn(candidate, place.name)
                resolved.append(candidate)
        pair_text = " – ".join(p.name for p in row.places)
        if problems:
            fail(row.number, "; ".join(problems), pair_text)
            continue
        a, b = resolved
        report.row_parties[row.number] = [(c.id, m) for c, m in zip(resolved, party_methods, strict=True)]
        if a.id == b.id:
            fail(row.number, f"both parties are the same locality ({a}): a partnership needs two", pair_text)
            continue
        key = (min(a.id, b.id), max(a.id, b.id))
        if key in seen_pairs and repeated_pairs == "skip":
            outcomes[row.number] = RowOutcome(
                row.number,
                UNCHANGED,
                f"the same partnership as row {seen_pairs[key]} (named from the other side); skipped",
                pair_text,
            )
            continue
        if key in seen_pairs:
            fail(
                row.number,
                f"the same partnership as row {seen_pairs[key]} (a pair is one partnership in either "
                "order): list it once",
                pair_text,
            )
            continue
        seen_pairs[key] = row.number
        partners[a.id].add(b.id)
        partners[b.id].add(a.id)
        report.row_methods[row.number] = ", ".join(row_methods)
        planned.append(Planned(row=row, a=a, b=b, existing=existing.get(key)))

    for item in planned:
        if item.existing:
            plan_changes(item, cited, sources)
        elif item.row.status:
            problem = services.transition_error(None, item.row.status)
            if problem:
                fail(item.row.number, f"status: {problem}")
    for number, problem in check_timelines([i for i in planned if i.existing]).items():
        fail(number, problem)
    planned = [item for item in planned if item.row.number not in outcomes]

    for item in planned:
        pair_text = f"{item.a.name} – {item.b.name}"
        if item.existing is None:
            outcomes[item.row.number] = RowOutcome(item.row.number, CREATE, "", pair_text)
        elif item.changes or item.cite or item.status_event:
            outcomes[item.row.number] = RowOutcome(item.row.number, UPDATE, describe(item), pair_text)
        else:
            outcomes[item.row.number] = RowOutcome(
                item.row.number, UNCHANGED, f"already recorded as #{item.existing.pk}", pair_text
            )
    report.outcomes = [outcomes[n] for n in sorted(outcomes)]
    used = {c.id: c for item in planned for c in (item.a, item.b)}
    report.localities_matched = sum(1 for pk in used if pk > 0)
    report.localities_created = sum(1 for pk in used if pk < 0)
    report.localities_ambiguous = len(ambiguous_names)
    for pk in used:
        report.match_methods[methods.get(pk, NEW)] = report.match_methods.get(methods.get(pk, NEW), 0) + 1
    aliases = [alias for alias in new_aliases.values() if alias.candidate_id in used]
    report.aliases_added = len(aliases)

    if dry_run or (report.blocking_errors and not skip_bad_rows):
        return report
    try:
        real_ids = _apply(planned, used, sources, user=user, label=label, progress=progress, aliases=aliases)
    except (IntegrityError, ValidationError) as exc:
        # The transaction is rolled back whole. Someone else wrote the same records
        # between the check and the write (a constraint, or a uniqueness check, refused
        # them): a new run will see their records. Any other refusal is a check the plan
        # missed (the rows' checks are meant to be the writes' own): say what it was.
        logger.warning("Import %s rolled back: %s", label, exc)
        if isinstance(exc, IntegrityError) or is_uniqueness_refusal(exc):
            report.file_error = (
                "Nothing was written: the registry changed while importing (another edit or import "
                f"created the same records). Run the import again. ({exc})"
            )
        else:
            report.file_error = "Nothing was written: a record was refused when writing: " + "; ".join(
                error_messages(exc)
            )
        return report
    report.written = True
    report.row_parties = {
        number: [(real_ids.get(pk, pk), method) for pk, method in parties]
        for number, parties in report.row_parties.items()
    }
    return report
