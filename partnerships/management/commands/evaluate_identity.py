"""manage.py evaluate_identity: how well locality matching does on a real second list.

On an empty registry (a scratch database: the command refuses one that holds any
locality), it imports the bundled Wikipedia list (hekman) and then the German list
(muenchdo) over it, exactly as ``import_dataset`` does, draws a seeded random sample of
the second list's rows and writes a Markdown report (--out): for each sampled row, each
party's name and country, the locality it landed on (name, id, match method, distance
between the row's coordinates and the locality's), and whether the second import created
that locality; then the totals — localities the second import created, how many of them
have a likely duplicate (the duplicate queue's own selector, partnerships.duplicates) and
the parties matched to a locality farther from the row's own coordinates than its kind
allows (50 km for a town, more for areas: partnerships.identity.SAME_PLACE_KM; neither
side's coordinates flagged as outside its country), and every party matched by pair
context. The sample is scored against the hand-judged ground truth
(docs/identity-ground-truth.csv, --truth) when it holds the seed's rows.

Everything is written in one transaction that is rolled back at the end (unless --keep),
so the scratch database is left as it was. A new seed's sample is judged by hand
and added to the ground truth: see docs/identity-evaluation.md."""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from partnerships.duplicates import locality_pairs
from partnerships.gazetteer import OUTSIDE
from partnerships.identity import SAME_PLACE_KM, same_place_km
from partnerships.importing.datasets import HEKMAN, MUENCHDO
from partnerships.importing.formats import ImportFileError
from partnerships.importing.matching import BY_PARTNER, distance_km
from partnerships.importing.rows import RowError, parse_row
from partnerships.importing.service import ImportReport, import_partnerships
from partnerships.models import Locality

NAMESAKE_KM = SAME_PLACE_KM["city"]  # the 50 km, for towns; areas by their kind
GROUND_TRUTH = Path(settings.BASE_DIR) / "docs" / "identity-ground-truth.csv"
TRUTH_COLUMNS = (
    "seed",
    "row",
    "side",
    "name",
    "country",
    "expected",
    "locality",
    "latitude",
    "longitude",
    "note",
)
# expected: "existing" (the first list's locality named in locality/latitude/longitude),
# "new" (no locality of the first list is this place) or "unsure" (the data do not say).
EXISTING, NEW_PLACE, UNSURE = "existing", "new", "unsure"
SAME_POINT_KM = 1.0  # a ground truth's coordinates and the locality's: the same record


class _Rollback(Exception):
    pass


@dataclass
class PartyResult:
    row: int
    side: str  # "a" or "b"
    name: str
    country: str
    landed: Locality | None
    method: str
    distance_km: float | None
    created: bool
    row_flagged: bool
    note: str = ""
    verdict: str = ""  # against the ground truth: "right", "WRONG: …", "unsure", "" (not judged)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Command(BaseCommand):
    help = (
        "Import hekman then muenchdo into an empty registry (rolled back at the end), sample rows "
        "of the second list and write a Markdown report of where their parties landed (--out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The Markdown file to write.")
        parser.add_argument("--sample", type=int, default=100, help="Rows of the second list to sample.")
        parser.add_argument("--seed", type=int, default=12, help="The sample's random seed.")
        parser.add_argument("--first", default=None, help="The hekman-format file (default: bundled).")
        parser.add_argument("--second", default=None, help="The muenchdo-format file (default: bundled).")
        parser.add_argument("--keep", action="store_true", help="Keep the imported records.")
        parser.add_argument(
            "--truth",
            default=str(GROUND_TRUTH),
            help="The hand-judged ground truth (CSV) the sample is scored against "
            "(default: docs/identity-ground-truth.csv; rows of other seeds are ignored).",
        )

    def handle(self, *args, out, sample, seed, first, second, keep, truth, **options):
        if Locality.objects.exists():
            raise CommandError(
                "The registry is not empty: run this on a scratch database (e.g. "
                "DATABASE_URL=sqlite:///var/eval.sqlite3, migrated and empty)."
            )
        self.truth = read_truth(Path(truth), seed) if truth and Path(truth).exists() else {}
        try:
            first_rows = list(HEKMAN.rows(first))
            second_rows = list(MUENCHDO.rows(second))
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        text = ""
        try:
            with transaction.atomic():
                first_report = self._import(HEKMAN, first_rows, known=first is None)
                last_before = Locality.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                second_report = self._import(MUENCHDO, second_rows, known=second is None)
                text = self._report(
                    first_report, second_report, second_rows, last_before, sample=sample, seed=seed
                )
                if not keep:
                    raise _Rollback
        except _Rollback:
            pass
        Path(out).write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {out}.")

    def _import(self, dataset, rows, *, known: bool) -> ImportReport:
        report = import_partnerships(
            rows=rows,
            source=dataset.source,
            skip_bad_rows=True,
            label=f"the {dataset.slug} data set",
            repeated_pairs="skip",
            known_bad_rows=dataset.known_bad_rows if known else {},
        )
        if report.file_error:
            raise CommandError(report.file_error)
        self.stderr.write(f"{dataset.slug}: {report.summary()}")
        return report

    def _report(self, first, second, rows, last_before, *, sample, seed) -> str:
        errors = {o.row: o.message for o in second.errors}
        cache: dict = {}
        parsed = {}
        for number, cells in rows:
            try:
                parsed[number] = parse_row(number, cells, MUENCHDO.source, cache)
            except RowError:
                continue  # a bad row: reported by the import, no party to judge
        landed_ids = {pk for parties in second.row_parties.values() for pk, _ in parties if pk > 0}
        localities = Locality.objects.in_bulk(landed_ids)

        results: dict[int, list[PartyResult]] = {}
        for number, row in parsed.items():
            parties = second.row_parties.get(number)
            results[number] = []
            for index, (side, place) in enumerate(zip("ab", row.places, strict=True)):
                landed = method = None
                if parties:
                    pk, method = parties[index]
                    landed = localities.get(pk)
                distance = None
                if (
                    landed is not None
                    and place.has_coordinates
                    and landed.latitude is not None
                    and landed.longitude is not None
                ):
                    distance = distance_km(place.latitude, place.longitude, landed.latitude, landed.longitude)
                results[number].append(
                    PartyResult(
                        row=number,
                        side=side,
                        name=place.name,
                        country=place.country,
                        landed=landed,
                        method=method or "—",
                        distance_km=distance,
                        created=landed is not None and landed.pk > last_before,
                        row_flagged=place.coordinates_check == OUTSIDE,
                        note="" if parties else errors.get(number, "not resolved"),
                    )
                )

        created = {pk for pk in landed_ids if pk > last_before and localities[pk].merged_into_id is None}
        duplicates: dict[int, list[tuple[int, str, float | None]]] = {}
        for a, b, reason, distance in locality_pairs(limit=10**9):
            for one, other in ((a, b), (b, a)):
                if one in created:
                    duplicates.setdefault(one, []).append((other, reason, distance))
        namesakes = [
            party
            for parties in results.values()
            for party in parties
            if party.landed is not None
            and not party.created
            and party.distance_km is not None
            and party.distance_km > same_place_km(party.landed.kind)
            and not party.row_flagged
            and party.landed.coordinates_check != OUTSIDE
        ]
        for parties in results.values():
            for party in parties:
                party.verdict = judge(party, self.truth.get((party.row, party.side)))

        numbers = sorted(results)
        drawn = sorted(random.Random(seed).sample(numbers, min(sample, len(numbers))))
        return self._markdown(
            first, second, results, drawn, created, duplicates, namesakes, seed=seed, localities=localities
        )

    def _markdown(self, first, second, results, drawn, created, duplicates, namesakes, *, seed, localities):
        others = Locality.objects.in_bulk({o for found in duplicates.values() for o, _, _ in found})
        lines = [
            f"Generated {datetime.date.today().isoformat()} by `manage.py evaluate_identity` "
            f"(seed {seed}, sample {len(drawn)} rows).",
            "",
            f"- First import: {first.summary()}",
            f"- Second import: {second.summary()}",
            f"- Localities the second import created: {len(created)}",
            f"- Of those, with a likely duplicate (duplicate queue): {len(duplicates)}"
            + (f" ({100 * len(duplicates) / len(created):.2f}%)" if created else ""),
            f"- Parties matched to a locality farther from the row's coordinates than its kind allows "
            f"({NAMESAKE_KM:.0f} km for a town, {SAME_PLACE_KM['county']:.0f} km for a district, "
            f"{SAME_PLACE_KM['region']:.0f} km for a region; neither flagged outside its country): "
            f"{len(namesakes)}, of them by pair context: "
            f"{sum(1 for party in namesakes if party.method == BY_PARTNER)}",
            self._score(results, drawn),
            "",
            "## Sample",
            "",
            "| row | side | name (country) | landed on (id) | method | km | new | verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for number in drawn:
            for party in results[number]:
                landed = (
                    f"{_cell(party.landed.name)} ({party.landed.country}, #{party.landed.pk})"
                    if party.landed
                    else f"— ({_cell(party.note)})"
                )
                km = "" if party.distance_km is None else f"{party.distance_km:.1f}"
                if party.row_flagged:
                    km += " (row's coordinates outside country)"
                lines.append(
                    f"| {number} | {party.side} | {_cell(party.name)} ({party.country}) | {landed} | "
                    f"{party.method} | {km} | {'yes' if party.created else ''} | {_cell(party.verdict)} |"
                )
        lines += ["", "## New localities with a likely duplicate", ""]
        if duplicates:
            lines += ["| new locality | likely duplicate | reason | km |", "|---|---|---|---|"]
            for pk, found in sorted(duplicates.items()):
                for other, reason, distance in found:
                    km = "" if distance is None else f"{distance:.1f}"
                    lines.append(
                        f"| {_cell(localities[pk].name)} ({localities[pk].country}, #{pk}) | "
                        f"{_cell(others[other].name)} (#{other}) | {reason} | {km} |"
                    )
        else:
            lines.append("None.")
        lines += ["", "## Parties matched farther away than their kind allows", ""]
        if namesakes:
            lines += [
                "| row | name (country) | landed on (id, kind) | km | method |",
                "|---|---|---|---|---|",
            ]
            for party in namesakes:
                landed = party.landed
                lines.append(
                    f"| {party.row} | {_cell(party.name)} ({party.country}) | {_cell(landed.name)} "
                    f"(#{landed.pk}, {landed.kind}) | {party.distance_km:.1f} | {party.method} |"
                )
        else:
            lines.append("None.")
        lines += [
            "",
            "## Parties matched by pair context",
            "",
            "(the other party's recorded partner in the country: by name, alias, name key or "
            "gazetteer with the coordinates set aside, or by a similar name)",
            "",
        ]
        by_partner = [p for parties in results.values() for p in parties if p.method == BY_PARTNER]
        if by_partner:
            lines += ["| row | name (country) | landed on (id) | km |", "|---|---|---|---|"]
            for party in by_partner:
                km = "" if party.distance_km is None else f"{party.distance_km:.1f}"
                assert party.landed is not None
                lines.append(
                    f"| {party.row} | {_cell(party.name)} ({party.country}) | "
                    f"{_cell(party.landed.name)} (#{party.landed.pk}) | {km} |"
                )
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"

    def _score(self, results, drawn) -> str:
        judged = [p for number in drawn for p in results[number] if p.verdict]
        if not judged:
            return "- Ground truth: none for this seed (the sample is to be judged by hand)"
        right = sum(1 for p in judged if p.verdict == "right")
        unsure = sum(1 for p in judged if p.verdict == UNSURE)
        wrong = len(judged) - right - unsure
        missing = sum(len(results[number]) for number in drawn) - len(judged)
        return (
            f"- Against the ground truth: {right} right, {wrong} wrong, {unsure} unsure of {len(judged)} "
            f"parties judged ({100 * right / len(judged):.1f}% right, at best "
            f"{100 * (right + unsure) / len(judged):.1f}%); {missing} sampled parties not in the ground truth"
        )


def read_truth(path: Path, seed: int) -> dict[tuple[int, str], dict[str, str]]:
    """{(row, side): the ground truth's line} for this seed."""
    with path.open(encoding="utf-8", newline="") as stream:
        lines = list(csv.DictReader(stream))
    truth = {}
    for line in lines:
        if int(line["seed"]) != seed:
            continue
        if line["expected"] not in (EXISTING, NEW_PLACE, UNSURE):
            raise CommandError(
                f"{path}: row {line['row']} side {line['side']}: unknown “{line['expected']}”."
            )
        truth[(int(line["row"]), line["side"])] = line
    return truth


def judge(party: PartyResult, truth: dict[str, str] | None) -> str:
    """The verdict of the ground truth on where the party landed."""
    if truth is None:
        return ""
    expected, landed = truth["expected"], party.landed
    if expected == UNSURE:
        return UNSURE
    if expected == NEW_PLACE:
        if landed is not None and party.created:
            return "right"
        return "WRONG: a place of its own" + (f", not {landed.name} (#{landed.pk})" if landed else "")
    wanted = f"{truth['locality']} ({truth['country']})"
    if landed is None or party.created:
        return f"WRONG: {wanted} of the first list"
    same = landed.name == truth["locality"] and landed.country == truth["country"]
    if same and truth["latitude"] and landed.latitude is not None and landed.longitude is not None:
        same = (
            distance_km(truth["latitude"], truth["longitude"], landed.latitude, landed.longitude)
            <= SAME_POINT_KM
        )
    elif same and truth["latitude"]:
        same = False
    return "right" if same else f"WRONG: {wanted}, not {landed.name} (#{landed.pk})"
