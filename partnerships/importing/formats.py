"""The import file format: one CSV row per partnership (see docs/import-format.md).

Reading is separate from importing: the service takes rows as dictionaries of column
name to text, whether they come from a CSV file, an upload or a data set adapter."""

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

PARTY_FIELDS = ("name", "country", "subdivision", "kind", "latitude", "longitude", "wikidata_id")
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


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not its rows: those are reported one by one)."""


def check_columns(columns) -> list[str]:
    """The normalised column names; ImportFileError for missing or unknown ones."""
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


def open_text(path: Path | str):
    """A text stream over a CSV file, gzip-compressed when its name ends in .gz."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path} does not exist.")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _dialect(first_line: str) -> str:
    # Spreadsheets in many European locales save CSV with semicolons.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_rows(stream) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-empty row of an import-format CSV."""
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from None
    if not first.strip():
        raise ImportFileError("The file is empty.")
    delimiter = _dialect(first)
    header = next(csv.reader([first], delimiter=delimiter))
    names = check_columns(header)
    reader = csv.reader(stream, delimiter=delimiter)
    number = FIRST_ROW_NUMBER - 1
    try:
        for values in reader:
            number += 1
            if not any(v.strip() for v in values):
                continue
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(names) if name}
            if len(values) > len(names):
                row["__extra__"] = str(len(values) - len(names))
            yield number, row
    except UnicodeDecodeError:
        raise ImportFileError(f"Row {number + 1} is not UTF-8 text; save the file as “CSV UTF-8”.") from None
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} cannot be read as CSV: {exc}.") from None


def read_file(path: Path | str) -> list[tuple[int, dict[str, str]]]:
    with open_text(path) as stream:
        return list(read_rows(stream))
