"""Several reports in one file: a table printed twice with the same rows.

A table that runs over pages prints its title again (续表, "表8" on every page), but its
rows go on: the rows of two regions of one table do not repeat. Two regions under the same
printed title that print the same rows (the same codes or row labels) are two copies of
the table — two reports
concatenated, or one report twice with a number changed — and the parser would silently
read one copy and ignore the other. That is an error finding (`table-repeated`), which
parse and build treat as fatal (see model.SEVERAL_REPORTS)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from fiscalpub.model import Finding, Severity, Where
from fiscalpub.normalize import squash
from fiscalpub.parse.region import RawRow, TableRegion

MIN_ROWS = 3  # fewer keyed rows than this say too little (a 合计 row alone repeats)
OVERLAP = 0.5  # share of the smaller copy's rows printed again


def _keys(rows: list[RawRow]) -> set[str]:
    return {r.key for r in rows if r.nums and (r.code is not None or r.row is not None)}


def _title(region: TableRegion) -> str:
    return squash(region.title_line.text) if region.title_line else ""


def repeated_tables(
    regions: list[TableRegion], split: Callable[[TableRegion], list[RawRow]]
) -> list[Finding]:
    """One finding per table printed twice; linear in the regions (a file of a thousand
    copies made this quadratic: one finding per pair)."""
    by_title: dict[tuple[str, str], list[TableRegion]] = defaultdict(list)
    for region in regions:
        if region.has_numbers:
            by_title[(region.spec.id, _title(region))].append(region)
    findings: list[Finding] = []
    for (tid, _), copies in by_title.items():
        if len(copies) < 2:
            continue
        seen: list[tuple[TableRegion, set[str]]] = []
        for region in copies:
            keys = _keys(split(region))
            if len(keys) < MIN_ROWS:
                continue
            first = next(
                ((r, k) for r, k in seen if len(k & keys) >= OVERLAP * min(len(k), len(keys))),
                None,
            )
            if first is not None:
                findings.append(_finding(tid, first[0], region, len(first[1] & keys)))
                break
            if len(seen) < 8:  # a table continued over pages has a few regions, not more
                seen.append((region, keys))
    return findings


def _finding(tid: str, first: TableRegion, second: TableRegion, same: int) -> Finding:
    where = [
        Where(table=tid, source=ln.source, page=ln.page, line=ln.number)
        for ln in (first.title_line, second.title_line)
        if ln is not None
    ]
    several = len({w.source for w in where}) > 1
    pages = " and ".join(
        f"file {(w.source or 0) + 1} page {w.page}" if several else f"page {w.page}" for w in where
    )
    return Finding(
        code="table-repeated",
        severity=Severity.ERROR,
        message=(
            f"{tid} is printed twice ({pages}) with {same} of the same rows: several reports "
            "in one file, or one report twice? Only one copy would be read"
        ),
        where=where,
    )
