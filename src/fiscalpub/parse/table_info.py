"""The tables a report prints: one region per registry table (`choose_regions`), and from
it the table's TableInfo (status, unit, decimals, title) and its rows to place; the table
a line lies in (for the findings that name a table's header)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from fiscalpub.model import Finding, Severity, TableInfo, TableStatus, Where
from fiscalpub.parse.identity import NAMING_CODES
from fiscalpub.parse.placement import TablePlacement
from fiscalpub.parse.region import RawRow, TableRegion
from fiscalpub.parse.split import split_rows
from fiscalpub.parse.tables import mentions_attachment
from fiscalpub.parse.unreadable import unreadable_in_table
from fiscalpub.parse.where import where
from fiscalpub.read.document import Document
from fiscalpub.registry import tables


@dataclass
class TablesRead:
    """Every registry table's TableInfo (in registry order), and the tables with rows to
    place: their rows and decimals, and the region each was read from."""

    infos: list[TableInfo] = field(default_factory=list)
    placements: dict[str, TablePlacement] = field(default_factory=dict)
    regions: dict[str, TableRegion] = field(default_factory=dict)


def read_tables(
    docs: list[Document],
    regions: list[TableRegion],
    chosen: dict[str, TableRegion],
    findings: list[Finding],
) -> TablesRead:
    """What the report prints of each registry table: a table no region stands for is
    referenced_absent where the report points to an attachment or prints pages as images
    (it may be there, unread), else not_found; the others are read by `_read_table`."""
    read = TablesRead()
    attachment = any(mentions_attachment(d) for d in docs)
    image_pages = [(d.source, p.number) for d in docs for p in d.pages if p.image_only]
    for tid, spec in tables().items():
        region = chosen.get(tid)
        if region is None:
            referenced = (attachment or bool(image_pages)) and spec.standard
            absent = TableStatus.REFERENCED_ABSENT if referenced else TableStatus.NOT_FOUND
            read.infos.append(TableInfo(table=tid, status=absent))
            continue
        info, placement = _read_table(tid, region, regions, findings)
        read.infos.append(info)
        if placement is not None:
            read.placements[tid] = placement
            read.regions[tid] = region
    if image_pages:
        findings.append(
            Finding(
                code="pages-as-images",
                severity=Severity.WARNING,
                message=(
                    f"{len(image_pages)} page(s) are images without a text layer (tables "
                    "published as images?); tables not found in the text are referenced_absent"
                ),
                where=[Where(source=s, page=n) for s, n in image_pages],
            )
        )
    return read


def _read_table(
    tid: str, region: TableRegion, regions: list[TableRegion], findings: list[Finding]
) -> tuple[TableInfo, TablePlacement | None]:
    """One table's info and rows to place.  A table found by a local title whose columns
    are not known is not read (unknown-table-shape); decimals are the table's design (万元
    tables have at least 2); a note saying the table is empty makes it declared_empty only
    where every number is 0."""
    status = _status(region)
    unit = region.unit or _report_unit(regions)
    rows = split_rows(region) if region.has_numbers else []
    if (
        rows
        and region.hit.local
        and (region.unknown_headers or not region.from_grid or _unmapped(region, rows))
    ):
        findings.append(_unknown_shape(region, tid))
        return TableInfo(table=tid, status=TableStatus.NOT_FOUND), None
    if region.has_numbers:
        findings.extend(unreadable_in_table(region, tid))
    printed = max((n.decimals for r in rows for n in r.nums), default=2)
    # 万元 tables are designed with 2 decimals even where a cell prints "14.7";
    # Beijing designs them with 6 ("9,142.554971")
    decimals = max(2, printed) if unit == "万元" else printed
    nums = [n for r in rows for n in r.nums]
    if status == TableStatus.PRESENT and region.empty_note is not None:
        if nums and all(n.value == 0 for n in nums):
            status = TableStatus.DECLARED_EMPTY
        else:
            findings.append(
                Finding(
                    code="empty-note-with-data",
                    severity=Severity.WARNING,
                    message=(
                        f"{tid}: a note says the table is empty, but it "
                        f"prints numbers; the numbers are kept"
                    ),
                    where=[
                        where(region.empty_note, tid),
                        *([where(nums[0].line, tid)] if nums else []),
                    ],
                )
            )
    info = TableInfo(
        table=tid,
        status=status,
        unit=unit if status != TableStatus.REFERENCED_ABSENT else None,
        decimals=decimals if rows else None,
        source=region.title_line.source if region.title_line else None,
        page=region.title_line.page if region.title_line else None,
        line=region.title_line.number if region.title_line else None,
        title=region.hit.title,
    )
    return info, TablePlacement(region.spec, rows, decimals) if rows else None


def choose_regions(regions: list[TableRegion]) -> dict[str, TableRegion]:
    """One region per table: the one with numbers, else one with an empty note, else the first."""
    chosen: dict[str, TableRegion] = {}
    for r in regions:
        old = chosen.get(r.spec.id)
        if old is None or _rank(r) > _rank(old):
            chosen[r.spec.id] = r
    return chosen


def _rank(r: TableRegion) -> tuple[int, int]:
    """Numbers first, then a note that the table is empty, then a printed header without
    amounts (a 目录 line followed by other titles may look like one), then a title alone;
    of equals, a table its own title names over one reached as another title's economic
    twin (Xi'an prints 一般公共预算支出明细表 按经济科目 before its 基本支出明细表)."""
    own = 0 if r.twin else 1
    if r.has_numbers:
        return 3, own
    return (2 if r.empty_note is not None else 1 if r.blank else 0), own


def _status(region: TableRegion) -> TableStatus:
    if region.has_numbers:
        return TableStatus.PRESENT
    if region.empty_note is not None or region.blank:
        return TableStatus.DECLARED_EMPTY  # a note, or a printed table without amounts
    return TableStatus.REFERENCED_ABSENT


def _report_unit(regions: list[TableRegion]) -> str | None:
    """The unit most tables print: a table that prints none is read in it."""
    units = Counter(r.unit for r in regions if r.unit)
    return units.most_common(1)[0][0] if units else None


def _unmapped(region: TableRegion, rows: list[RawRow]) -> bool:
    """The page grid has an amount the header puts in none of the table's columns — in
    every layout, 三公 (single row) and lists included ("收入总表" is Beijing's income
    table; Shenzhen's lists its funds by unit)."""
    return bool(region.bands) and any(n.col is None for r in rows for n in r.nums)


def _unknown_shape(region: TableRegion, tid: str) -> Finding:
    """A table found by a local title whose header prints amount columns the registry
    (and its variants) do not name, or that has no grid to show them: its numbers are not
    read into guessed columns; the registry needs the variant (data)."""
    heads = "、".join(dict.fromkeys(region.unknown_headers))
    why = (
        f"prints columns the registry does not know ({heads})"
        if heads
        else "has no header grid to confirm its columns"
    )
    return Finding(
        code="unknown-table-shape",
        severity=Severity.WARNING,
        message=f"{tid}: {region.hit.title} {why}; its numbers are not read",
        where=[where(region.title_line, tid)],
    )


def with_tables(finding: Finding, regions: list[TableRegion]) -> Finding:
    """A naming finding's table headers with the table they head (`where.table`): the
    header line is in the table's lines, or just above its title."""
    if finding.code not in NAMING_CODES:
        return finding
    where = [
        replace(w, table=w.table or _table_at(w, regions)) if w.line else w for w in finding.where
    ]
    return Finding(finding.code, finding.severity, finding.message, where)


def _table_at(w: Where, regions: list[TableRegion]) -> str | None:
    """The table whose lines hold `w` (or whose title is up to two lines below it, on
    the title's page or its first lines' pages)."""
    for r in regions:
        title = r.title_line
        if title is None or title.source != w.source or w.line is None:
            continue
        last = max((ln.number for ln in r.lines if ln.source == w.source), default=title.number)
        if title.number - 2 <= w.line <= last and w.page in {
            title.page,
            *(ln.page for ln in r.lines[:3]),
        }:
            return r.spec.id
    return None
