"""What an import did or would do: one outcome a row (to create, to update, unchanged
or an error with its reason) and the report the commands, the admin page and the API's
callers read (counts, a summary line, the rows grouped by outcome, a dict for JSON)."""

from dataclasses import dataclass, field

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class RowOutcome:
    row: int
    action: str
    message: str = ""
    pair: str = ""


@dataclass
class ImportReport:
    label: str = ""
    dry_run: bool = False
    skip_bad_rows: bool = False
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    localities_matched: int = 0
    localities_created: int = 0
    localities_ambiguous: int = 0
    written: bool = False
    file_error: str = ""
    # Rows a bundled data set is known to get wrong ({row: why}): skipped, never blocking.
    known_bad_rows: dict[int, str] = field(default_factory=dict)
    # How each locality the rows name was matched: {method: count} (matching.METHODS).
    match_methods: dict[str, int] = field(default_factory=dict)
    # {row: "first party name key, second party new"}
    row_methods: dict[int, str] = field(default_factory=dict)
    # (row, name, why) of each party whose coordinates lie outside its country.
    coordinate_flags: list[tuple[int, str, str]] = field(default_factory=list)
    aliases_added: int = 0
    # {row: [(locality id, method) of the first party, of the second]} for each row whose
    # parties both resolved (repeats included); a new locality's id once written, a
    # negative placeholder before (a dry run).
    row_parties: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    def _count(self, action):
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATE)

    @property
    def updated(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def errors(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == ERROR]

    @property
    def blocking_errors(self) -> list[RowOutcome]:
        """The errors that stop an import: all but the known bad rows."""
        return [o for o in self.errors if o.row not in self.known_bad_rows]

    @property
    def known_bad_rows_skipped(self) -> list[RowOutcome]:
        return [o for o in self.errors if o.row in self.known_bad_rows]

    @property
    def groups(self) -> list[tuple[str, str, list[RowOutcome]]]:
        """(action, heading, outcomes) for the rows to create, to update and unchanged."""
        headings = (
            (CREATE, "Created" if self.written else "To create"),
            (UPDATE, "Updated" if self.written else "To update"),
            (UNCHANGED, "Unchanged"),
        )
        return [
            (action, heading, [o for o in self.outcomes if o.action == action])
            for action, heading in headings
        ]

    @property
    def ok(self) -> bool:
        return not self.file_error and (not self.blocking_errors or self.skip_bad_rows)

    def summary(self) -> str:
        if self.file_error:
            return self.file_error
        if self.dry_run:
            verb = "Dry run, nothing written"
        elif self.written:
            verb = "Imported"
        else:
            verb = "Nothing written (fix the rows below or skip bad rows)"
        create, update = ("created", "updated") if self.written else ("to create", "to update")
        return (
            f"{verb}: {self.rows} rows: {self.created} partnerships {create}, {self.updated} {update}, "
            f"{self.unchanged} unchanged, {len(self.errors)} with errors. Localities: "
            f"{self.localities_matched} matched, {self.localities_created} new, "
            f"{self.localities_ambiguous} ambiguous."
            + (f" Matched by: {self.methods_text()}." if self.match_methods else "")
            + (f" {self.aliases_added} new aliases." if self.aliases_added else "")
            + (
                f" {len(self.coordinate_flags)} parties with coordinates outside their country."
                if self.coordinate_flags
                else ""
            )
            + (
                f" {len(self.known_bad_rows_skipped)} known bad rows skipped."
                if self.known_bad_rows_skipped
                else ""
            )
        )

    def methods_text(self) -> str:
        from .matching import METHODS

        return ", ".join(f"{m} {self.match_methods[m]}" for m in METHODS if self.match_methods.get(m))

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": o.row, "message": o.message} for o in self.errors],
            "localities": {
                "matched": self.localities_matched,
                "created": self.localities_created,
                "ambiguous": self.localities_ambiguous,
                "matched_by": dict(self.match_methods),
                "aliases_added": self.aliases_added,
            },
            "coordinates_outside_country": [
                {"row": row, "name": name, "note": note} for row, name, note in self.coordinate_flags
            ],
            "known_bad_rows_skipped": [
                {"row": o.row, "message": o.message} for o in self.known_bad_rows_skipped
            ],
        }
