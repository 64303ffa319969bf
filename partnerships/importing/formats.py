"""The import file format: one CSV row per partnership (see docs/import-format.md).

Reading is separate from importing: the service takes rows as dictionaries of column
name to text, whether they come from a CSV file, an upload or a data set adapter."""

import csv
import gzip
import io
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

# "wikidata" is another name of the "wikidata_id" column (a Wikidata extract's own).
PARTY_FIELDS = ("name", "country", "subdivision", "kind", "latitude", "longitude", "wikidata_id", "wikidata")
PARTY_COLUMNS = tuple(f"{side}_{name}" for side in ("a", "b") for name in PARTY_FIELDS)
COLUMNS = (
    *PARTY_COLUMNS,
    "level",
    "established",
    "status",
    "status_date",
    "source_title",
    "source_url",
    "quote",
    "locator",
)
REQUIRED_COLUMNS = ("a_name", "a_country", "b_name", "b_country")

# The header is row 1, so the first partnership is row 2, as a spreadsheet shows it.
FIRST_ROW_NUMBER = 2

# Limits on what a file may hold (docs/import-format.md, "Limits"), enforced while the
# file is read, so a hostile file is refused after reading at most this much, whatever
# its size on disk or compressed (a .csv.gz of 1 GB of zeros is refused after 20 MB).
#: The file's size as text, after decompressing a .csv.gz (the admin also refuses an
#: upload larger than this as sent).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Rows of partnerships (the header not counted).
MAX_ROWS = 50_000
#: Characters in one line of the file (one CSV row, unless a quoted cell spans lines).
MAX_LINE_CHARS = 100_000
#: Characters in one cell (a quote spanning lines included).
MAX_FIELD_CHARS = 20_000
# Read in blocks of this many bytes: the most a read holds in memory at once.
_BLOCK = 64 * 1024

# Characters a cell must not hold: the C0 controls but tab, line feed and carriage
# return (which CSV uses), DEL and the C1 controls. NUL in particular is refused by
# PostgreSQL's text columns.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_CONTROLS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) - _ALLOWED_CONTROLS


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not its rows: those are reported one by one)."""


def control_character(text: str) -> str | None:
    """How the first control character in ``text`` is named ("U+0000 NUL at character
    4"), or None when there is none."""
    for index, char in enumerate(text, 1):
        if char in _CONTROLS:
            name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "control character")
            return f"U+{ord(char):04X} {name} at character {index}"
    return None


_CONTROL_NAMES = {0: "NUL", 0x7F: "DEL"}


def check_columns(columns) -> list[str]:
    """The normalised column names; ImportFileError for missing or unknown ones, and for
    a column name holding a control character (named by its position: the name itself
    would print wrongly)."""
    for position, column in enumerate(columns, 1):
        problem = control_character(column or "")
        if problem:
            raise ImportFileError(
                f"The file's header (row 1), column {position} ({column.encode('unicode_escape').decode()}) "
                f"holds a control character ({problem}): save the file again without it."
            )
    names = [(c or "").strip().lower() for c in columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c in names if c and c not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (see docs/import-format.md)")
    if problems:
        raise ImportFileError("The file's header is not the import format: " + "; ".join(problems) + ".")
    return names


class _Bounded(io.RawIOBase):
    """A binary stream that refuses to give more than ``MAX_FILE_BYTES`` (counted after
    decompressing), and turns a broken gzip stream into ImportFileError."""

    def __init__(self, raw, limit: int):
        self._raw = raw
        self._limit = limit
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            count = self._raw.readinto(buffer)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportFileError(f"The file cannot be decompressed ({exc}); upload it again.") from None
        self._total += count
        if self._total > self._limit:
            raise ImportFileError(
                f"The file is larger than {self._limit / (1024 * 1024):g} MB of text "
                "(decompressed): split it into smaller files."
            )
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path | str, *, max_bytes: int = MAX_FILE_BYTES):
    """A text stream over a CSV file, gzip-compressed when its name ends in .gz, that
    stops with ImportFileError after ``max_bytes`` of (decompressed) text."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path} does not exist.")
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115 (returned open)
    binary = io.BufferedReader(_Bounded(raw, max_bytes), buffer_size=_BLOCK)
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def _dialect(first_line: str) -> str:
    # Spreadsheets in many European locales save CSV with semicolons.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _line(stream, number: int) -> str:
    """The next physical line, at most MAX_LINE_CHARS long (never more is read)."""
    try:
        line = stream.readline(MAX_LINE_CHARS + 1)
    except UnicodeDecodeError:
        if number == 1:
            raise ImportFileError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from None
        raise ImportFileError(f"Line {number} is not UTF-8 text; save the file as “CSV UTF-8”.") from None
    if len(line) > MAX_LINE_CHARS:
        raise ImportFileError(
            f"Line {number} is longer than {MAX_LINE_CHARS:,} characters: this is not a file in the "
            "import format (one partnership per line)."
        )
    return line


def _lines(stream, first: int) -> Iterator[str]:
    number = first
    while line := _line(stream, number):
        yield line
        number += 1


def read_rows(stream) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-empty row of an import-format CSV,
    within the limits above (ImportFileError beyond them)."""
    first = _line(stream, 1)
    if not first.strip():
        raise ImportFileError("The file is empty.")
    delimiter = _dialect(first)
    header = next(csv.reader([first], delimiter=delimiter))
    names = check_columns(header)
    reader = csv.reader(_lines(stream, 2), delimiter=delimiter)
    number = FIRST_ROW_NUMBER - 1
    rows = 0
    try:
        for values in reader:
            number += 1
            if not any(v.strip() for v in values):
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} rows: split it into smaller files."
                )
            for index, value in enumerate(values):
                if len(value) > MAX_FIELD_CHARS:
                    column = names[index] if index < len(names) and names[index] else f"column {index + 1}"
                    raise ImportFileError(
                        f"Row {number}, {column}: a cell of {len(value):,} characters; the limit is "
                        f"{MAX_FIELD_CHARS:,}."
                    )
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(names) if name}
            if len(values) > len(names):
                row["__extra__"] = str(len(values) - len(names))
            yield number, row
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} cannot be read as CSV: {exc}.") from None


def read_file(path: Path | str) -> list[tuple[int, dict[str, str]]]:
    with open_text(path) as stream:
        return list(read_rows(stream))
