"""What frictionless cannot see in a package: its numbers against their printed form,
line items that are there twice, and canonical.json against the CSVs built from it.

frictionless checks the schema, the foreign keys and the hashes — and hashes can be
recomputed after an edit. These checks hold whatever the hashes say: every amount is its
printed number times its unit, a cell of a table is listed once, and the two forms of
the report (canonical.json and line_items.csv / facts.csv) say the same thing."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

from fiscalpub.model import Finding, LineItem, Report, Severity, Where, money
from fiscalpub.numbers import UNIT_FACTOR, read_number, to_yuan
from fiscalpub.package.build import table_csv

_CENT = Decimal("0.01")
# what the CSVs must repeat of canonical.json, field by field
_ITEM_FIELDS = (
    "table",
    "column",
    "code",
    "row",
    "amount",
    "printed",
    "unit",
    "source",
    "page",
    "line",
)
_FACT_FIELDS = ("indicator", "amount", "printed", "unit", "source", "page", "line")


def _defect(code: str, message: str, folder: Path, where: Where | None = None) -> Finding:
    return Finding(code, Severity.ERROR, f"{folder.name}: {message}", [where or Where()])


def _money_of(printed: str, unit: str) -> Decimal | None:
    reading = read_number(printed)
    if reading.value is None or reading.percent or unit not in UNIT_FACTOR:
        return None
    return to_yuan(reading.value, unit).quantize(_CENT)


def amounts(report: Report, folder: Path) -> Iterator[Finding]:
    """Every line item's and money fact's amount = printed × unit (in 元, to the cent)."""
    for n, li in enumerate(report.line_items):
        expected = _money_of(li.printed, li.unit)
        if expected != li.amount:
            yield _defect(
                "package-amount-not-printed",
                f"line item {n} ({li.table} {li.code or li.row or ''} {li.column or ''}): amount "
                f"{money(li.amount)} is not its printed {li.printed} {li.unit}",
                folder,
                Where(table=li.table, source=li.source, page=li.page, line=li.line),
            )
    for n, fact in enumerate(report.facts):
        if fact.amount is None or fact.printed is None or fact.unit not in UNIT_FACTOR:
            continue
        # a change keeps its direction in the sign (减少 → negative); the printed is unsigned
        if _money_of(fact.printed, fact.unit or "") not in (fact.amount, -fact.amount):
            yield _defect(
                "package-amount-not-printed",
                f"fact {n} ({fact.indicator}): amount {money(fact.amount)} is not its printed "
                f"{fact.printed} {fact.unit}",
                folder,
                Where(source=fact.source, page=fact.page, line=fact.line),
            )


def _cell(li: LineItem) -> tuple[object, ...]:
    return (li.table, li.column, li.code, li.row, li.item, li.source, li.page, li.line)


def duplicates(report: Report, folder: Path) -> Iterator[Finding]:
    """A printed cell is one line item: the same placed cell (table, column, row and the
    printed line it was read from) twice is a defect. (Unplaced numbers are not cells yet:
    one line may print the same number twice, e.g. a total equal to its only part.)"""
    cells = Counter(_cell(li) for li in report.line_items if li.column is not None)
    for key, count in cells.items():
        if count > 1:
            table, column, code, row, _, source, page, line = key
            yield _defect(
                "package-duplicate-line-item",
                f"{table} {code or row} {column} at page {page} line {line} is listed "
                f"{count} times",
                folder,
                Where(table=str(table), source=source, page=page, line=line),  # type: ignore[arg-type]
            )


class Files:
    """A package's files as these checks read them: from its folder, or (``built``:
    relative path -> content) from the bytes `run` just built and wrote there, so a run
    does not read back what it wrote. Either way the same files give the same findings."""

    def __init__(self, folder: Path, built: Mapping[str, bytes] | None = None) -> None:
        self.folder = folder
        self.built = built

    def rows(self, rel: str) -> list[dict[str, str]] | None:
        """The rows of a CSV file, or None when there is no such file."""
        if self.built is None:
            path = self.folder / rel
            if not path.exists():
                return None
            with path.open(encoding="utf-8", newline="") as fh:
                return list(csv.DictReader(fh))
        data = self.built.get(rel)
        if data is None:
            return None
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))

    def table_csvs(self) -> list[str]:
        """The stems of the wide table CSVs (tables/<id>.csv), sorted."""
        if self.built is None:
            return [p.stem for p in sorted((self.folder / "tables").glob("*.csv"))]
        found = (rel[len("tables/") :] for rel in self.built if rel.startswith("tables/"))
        return sorted(name[:-4] for name in found if name.endswith(".csv") and "/" not in name)

    def read(self, rel: str) -> bytes:
        """A file's bytes (OSError when there is none, as from the folder)."""
        if self.built is None:
            return (self.folder / rel).read_bytes()
        if rel not in self.built:
            raise FileNotFoundError(rel)
        return self.built[rel]


def _text(value: object) -> str:
    if value is None:
        return ""
    return money(value) if isinstance(value, Decimal) else str(value)


def _same(cell: str, value: object) -> bool:
    """A CSV cell says what the canonical field says (amounts compared as numbers: the
    CSV may print 180000 for 180000.00)."""
    if isinstance(value, Decimal):
        try:
            return Decimal(cell) == value
        except ArithmeticError:
            return False
    return cell == _text(value)


def against_csvs(report: Report, files: Files) -> Iterator[Finding]:
    """canonical.json and line_items.csv / facts.csv hold the same items, in order."""
    folder = files.folder
    pairs = (
        ("line_items.csv", report.line_items, _ITEM_FIELDS),
        ("facts.csv", report.facts, _FACT_FIELDS),
    )
    for name, items, fields in pairs:
        rows = files.rows(name)
        if rows is None:
            continue
        if len(rows) != len(items):
            yield _defect(
                "package-canonical-mismatch",
                f"{name} has {len(rows)} rows, canonical.json {len(items)}",
                folder,
            )
            continue
        for n, (row, item) in enumerate(zip(rows, items, strict=True)):
            differ = [f for f in fields if not _same(row.get(f, ""), getattr(item, f))]
            if differ:
                yield _defect(
                    "package-canonical-mismatch",
                    f"{name} row {n + 1} differs from canonical.json in "
                    + ", ".join(
                        f"{f} ({row.get(f, '')!r} vs {_text(getattr(item, f))!r})"
                        for f in differ[:3]
                    ),
                    folder,
                    Where(table=name.removesuffix(".csv"), line=n + 2),
                )
                break  # the first row that differs says enough


def against_tables(report: Report, files: Files) -> Iterator[Finding]:
    """Each wide table CSV (tables/<id>.csv) is what canonical.json's line items give under
    the package's own table schema: a cell edited there (hashes recomputed) is a defect."""
    for stem in files.table_csvs():
        try:
            schema_bytes = files.read(f"schemas/tables/{stem}.schema.json")
            schema = json.loads(schema_bytes.decode("utf-8"))
            expected = table_csv(report, stem, schema)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a missing or broken schema is frictionless's defect
        if files.read(f"tables/{stem}.csv") != expected:
            yield _defect(
                "package-canonical-mismatch",
                f"tables/{stem}.csv is not what canonical.json's line items give",
                files.folder,
                Where(table=stem),
            )


def check(report: Report, folder: Path, built: Mapping[str, bytes] | None = None) -> list[Finding]:
    """The findings on `report` (canonical.json as read) and the package in `folder`,
    whose files are read there or, given `built`, taken from the bytes just built."""
    files = Files(folder, built)
    return [
        *amounts(report, folder),
        *duplicates(report, folder),
        *against_csvs(report, files),
        *against_tables(report, files),
    ]
