"""Compose the parse stages into a canonical Report."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from fiscalpub import code_index
from fiscalpub.errors import NotAReport
from fiscalpub.model import (
    Fact,
    Finding,
    LineItem,
    Report,
    TableInfo,
    Where,
)
from fiscalpub.normalize import nfkc, squash, to_yuan
from fiscalpub.numbers import UNREADABLE, find_numbers
from fiscalpub.parse import narrative
from fiscalpub.parse.identity import NAMING_CODES, identify
from fiscalpub.parse.placement import (
    Assignment,
    NarrativeScorer,
    RowState,
    TablePlacement,
    solve,
)
from fiscalpub.parse.region import RawRow, TableRegion
from fiscalpub.parse.repeats import repeated_tables
from fiscalpub.parse.resolve import names_differ, resolve, resolve_item
from fiscalpub.parse.rows import unreadable_tokens
from fiscalpub.parse.split import split_rows
from fiscalpub.parse.tables import cut_regions, mentions_attachment
from fiscalpub.parse.textcheck import text_defects
from fiscalpub.parse.tree import code_tree, own_names
from fiscalpub.read.document import Document, Line
from fiscalpub.registry import fact_cells, table_words, tables

# components of the 三公 total named without the word 三公 in the narrative
_THREE_PUBLIC = re.compile(r"^three_public_(\w+?)$")


def build_report(docs: list[Document]) -> Report:
    """Parse one report (one or more source files) into the canonical model."""
    if not docs:
        raise NotAReport("no input files")
    doc = docs[0]
    text = "\n".join(line.text for d in docs for line in d.lines())
    if not _looks_like_report(text):
        raise NotAReport(
            f"{doc.path}: not a 部门决算/部门预算 report (no title, tables or 情况说明 found)"
        )
    meta, findings = identify(docs, text)
    regions = [r for d in docs for r in cut_regions(d)]
    findings = [_with_tables(f, regions) for f in findings]
    chosen = _choose_regions(regions)
    findings.extend(repeated_tables(regions, split_rows))
    facts: list[Fact] = []
    for d in docs:
        facts.extend(narrative.extract_facts(d, meta.year, meta.kind))
        findings.extend(_unreadable_in_narrative(d))
    _fix_three_public_phases(facts)

    infos: list[TableInfo] = []
    placements: dict[str, TablePlacement] = {}
    region_of: dict[str, TableRegion] = {}
    attachment = any(mentions_attachment(d) for d in docs)
    image_pages = [(d.source, p.number) for d in docs for p in d.pages if p.image_only]
    for tid, spec in tables().items():
        region = chosen.get(tid)
        if region is None:
            referenced = (attachment or bool(image_pages)) and spec.standard
            absent = "referenced_absent" if referenced else "not_found"
            infos.append(TableInfo(table=tid, status=absent))
            continue
        status = _status(region)
        unit = region.unit or _report_unit(regions)
        rows = split_rows(region) if region.has_numbers else []
        if (
            rows
            and region.hit.local
            and (region.unknown_headers or not region.from_grid or _unmapped(region, rows))
        ):
            findings.append(_unknown_shape(region, tid))
            infos.append(TableInfo(table=tid, status="not_found"))
            continue
        if region.has_numbers:
            findings.extend(_unreadable_in_table(region, tid))
        printed = max((n.decimals for r in rows for n in r.nums), default=2)
        # 万元 tables are designed with 2 decimals even where a cell prints "14.7";
        # Beijing designs them with 6 ("9,142.554971")
        decimals = max(2, printed) if unit == "万元" else printed
        nums = [n for r in rows for n in r.nums]
        if status == "present" and region.empty_note is not None:
            if nums and all(n.value == 0 for n in nums):
                status = "declared_empty"
            else:
                findings.append(
                    Finding(
                        code="empty-note-with-data",
                        severity="warning",
                        message=(
                            f"{tid}: a note says the table is empty, but it "
                            f"prints numbers; the numbers are kept"
                        ),
                        where=[
                            _where(region.empty_note, tid),
                            *([_where(nums[0].line, tid)] if nums else []),
                        ],
                    )
                )
        infos.append(
            TableInfo(
                table=tid,
                status=status,
                unit=unit if status != "referenced_absent" else None,
                decimals=decimals if rows else None,
                source=region.title_line.source if region.title_line else None,
                page=region.title_line.page if region.title_line else None,
                line=region.title_line.number if region.title_line else None,
                title=region.hit.title,
            )
        )
        if rows:
            placements[tid] = TablePlacement(region.spec, rows, decimals)
            region_of[tid] = region
    if image_pages:
        findings.append(
            Finding(
                code="pages-as-images",
                severity="warning",
                message=(
                    f"{len(image_pages)} page(s) are images without a text layer (tables "
                    "published as images?); tables not found in the text are referenced_absent"
                ),
                where=[Where(source=s, page=n) for s, n in image_pages],
            )
        )
    solve(placements, _narrative_scorer(facts, region_of))
    _code_trees(placements, meta.year)
    items = _line_items(placements, region_of, meta.kind, findings)
    _resolve_paths(facts, items, meta.year, findings)
    _refuse_unread(docs, items, facts, findings)
    findings.extend(text_defects(docs, chosen.values(), meta))
    return Report(report=meta, tables=infos, line_items=items, facts=facts, findings=findings)


def _blank_pages(docs: list[Document]) -> list[tuple[int, int]]:
    """Pages with neither text nor images: a damaged PDF reads like this."""
    return [
        (d.source, p.number)
        for d in docs
        for p in d.pages
        if not p.image_only and not any(ln.text.strip() for ln in p.lines)
    ]


def _refuse_unread(
    docs: list[Document], items: list[LineItem], facts: list[Fact], findings: list[Finding]
) -> None:
    """A report of which nothing could be read is an error, not an empty success; many
    blank pages (a damaged file) are a finding even when some of the report was read."""
    blank = _blank_pages(docs)
    pages = sum(len(d.pages) for d in docs)
    why = f" ({len(blank)} of {pages} pages have no text: a damaged PDF?)" if blank else ""
    if not items and not facts:
        raise NotAReport(
            f"{docs[0].path}: no table amount and no narrative fact could be read{why}"
        )
    if blank and len(blank) * 3 > pages:
        findings.append(
            Finding(
                code="pages-without-text",
                severity="error",
                message=f"{len(blank)} of {pages} pages have no text and no image: a damaged "
                "file? What is on them is missing from this report",
                where=[Where(source=s, page=n) for s, n in blank[:20]],
            )
        )


def _with_tables(finding: Finding, regions: list[TableRegion]) -> Finding:
    """A naming finding's table headers with the table they head (`where.table`): the
    header line is in the table's lines, or just above its title."""
    if finding.code not in NAMING_CODES:
        return finding
    where = [
        replace(w, table=w.table or _table_at(w, regions)) if w.line else w for w in finding.where
    ]
    return Finding(finding.code, finding.severity, finding.message, where)


def _table_at(w: Where, regions: list[TableRegion]) -> str | None:
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
        severity="warning",
        message=f"{tid}: {region.hit.title} {why}; its numbers are not read",
        where=[_where(region.title_line, tid)],
    )


def _unreadable(token: str, where: Where, part: str) -> Finding:
    return Finding(
        code=UNREADABLE,
        severity="warning",
        message=f"{part}: {token!r} cannot be read as one exact number; no amount is kept",
        where=[where],
    )


def _unreadable_in_table(region: TableRegion, tid: str) -> list[Finding]:
    """A cell token that looks like a number and is none ("1.2E+3", "12.3.4"): never
    guessed, never dropped silently (fiscalpub.numbers)."""
    return [_unreadable(t.text, _where(t.line, tid), tid) for t in unreadable_tokens(region)]


def _unreadable_in_narrative(doc: Document) -> list[Finding]:
    """A number of the 情况说明 that cannot be read exactly ("1.2E+3万元", "12.3.4万元").

    The text is read as the narrative reads it, lines joined and whitespace removed
    ("532 .02万元", a number the PDF broke at its point, is 532.02) — except that
    whitespace between two digits separates two numbers ("180.61 180.03": a table's row
    inside the text), so that is not one broken number."""
    owners = narrative.narrative_text(doc).lines
    chars: list[str] = []
    starts: list[int] = []  # offset of each line's text (bisect: not a Line per character)
    lines: list[Line] = []
    size = 0
    for i, line in enumerate(owners):
        if i and owners[i - 1] is line:
            continue
        text = re.sub(r"\s+", "", re.sub(r"(?<=\d)\s+(?=\d)", "\0", nfkc(line.text)))
        chars.append(text.replace("\0", " "))
        if text:
            starts.append(size)
            lines.append(line)
            size += len(text)
    return [
        _unreadable(m.reading.printed, _where(lines[bisect_right(starts, m.start) - 1]), "情况说明")
        for m in find_numbers("".join(chars))
        if m.reading.kind == "unreadable"
    ]


def _looks_like_report(text: str) -> bool:
    s = squash(text)
    markers = (
        "部门决算",
        "部门预算",
        "单位决算",
        "单位预算",
        "决算表",
        "预算表",
        "情况说明",
        "收入支出",
    )
    return sum(s.count(m) for m in markers) >= 2 and len(s) > 200


def _choose_regions(regions: list[TableRegion]) -> dict[str, TableRegion]:
    """One region per table: the one with numbers, else one with an empty note, else the first."""
    chosen: dict[str, TableRegion] = {}
    for r in regions:
        old = chosen.get(r.spec.id)
        if old is None or _rank(r) > _rank(old):
            chosen[r.spec.id] = r
    return chosen


def _unmapped(region: TableRegion, rows: list[RawRow]) -> bool:
    """The page grid has an amount the header puts in none of the table's columns — in
    every layout, 三公 (single row) and lists included ("收入总表" is Beijing's income
    table; Shenzhen's lists its funds by unit)."""
    return bool(region.bands) and any(n.col is None for r in rows for n in r.nums)


def _rank(r: TableRegion) -> tuple[int, int]:
    """Numbers first, then a note that the table is empty, then a printed header without
    amounts (a 目录 line followed by other titles may look like one), then a title alone;
    of equals, a table its own title names over one reached as another title's economic
    twin (Xi'an prints 一般公共预算支出明细表 按经济科目 before its 基本支出明细表)."""
    own = 0 if r.twin else 1
    if r.has_numbers:
        return 3, own
    return (2 if r.empty_note is not None else 1 if r.blank else 0), own


def _status(region: TableRegion) -> str:
    if region.has_numbers:
        return "present"
    if region.empty_note is not None or region.blank:
        return "declared_empty"  # a note, or a printed table without amounts
    return "referenced_absent"


def _report_unit(regions: list[TableRegion]) -> str | None:
    units = Counter(r.unit for r in regions if r.unit)
    return units.most_common(1)[0][0] if units else None


def _where(
    line: object,
    table: str | None = None,
    column: str | None = None,
    code: str | None = None,
    row: str | None = None,
) -> Where:
    return Where(
        source=getattr(line, "source", 0),
        page=getattr(line, "page", None),
        line=getattr(line, "number", None),
        table=table,
        column=column,
        code=code,
        row=row,
    )


# ------------------------------------------------------------------ placement evidence


def _fix_three_public_phases(facts: list[Fact]) -> None:
    """three_public_* facts carry their phase in the indicator id, before any derived
    suffix: three_public_reception_budget, three_public_overseas_budget_share,
    three_public_total_actual_rate (a completion rate is the actual's)."""
    for f in facts:
        if (
            f.base
            and f.base.startswith("three_public_")
            and not re.search(r"_(budget|actual)$", f.base)
        ):
            # a share of the 三公 total is of the total of its own phase
            f.base += "_budget" if f.phase in ("budget", "adjusted_budget") else "_actual"
        m = _THREE_PUBLIC.match(f.indicator)
        if not m or re.search(r"_(budget|actual)(_|$)", f.indicator):
            continue
        stem, suffix = m.group(1), ""
        for derived in ("_change_pct", "_change", "_share", "_rate"):
            if stem.endswith(derived):
                stem, suffix = stem[: -len(derived)], derived
                break
        phase = "budget" if f.phase in ("budget", "adjusted_budget") else "actual"
        if suffix == "_rate":
            phase = "actual"
        f.indicator = f"three_public_{stem}_{phase}{suffix}"


def _narrative_scorer(facts: list[Fact], regions: dict[str, TableRegion]) -> NarrativeScorer:
    """Score a position by the narrative: +1 per stated amount it agrees with, −1 per conflict."""
    expected: dict[tuple[str, str, str], list[Decimal]] = {}
    for f in facts:
        cell = fact_cells().get(f.indicator)
        if cell and f.amount is not None:
            expected.setdefault(cell, []).append(f.amount)

    def score(tid: str, st: RowState, a: Assignment) -> int:
        unit = regions[tid].unit or table_words().default_unit
        vec = st.vector(a)
        total = 0
        for (t, key, col), amounts in expected.items():
            if t != tid or (key and key != st.raw.key):
                continue
            ci = st.col_index(col)
            if ci is None:
                continue
            tol = Decimal(100)
            v = vec[ci]
            got = to_yuan(v, unit) if v is not None else None
            if any(abs((got or Decimal(0)) - amt) <= tol for amt in amounts):
                if got is not None or all(amt == 0 for amt in amounts):
                    total += 1 if got is not None else 0
            else:
                total -= 1
        return total

    return score


# ------------------------------------------------------------------ output


def _line_items(
    placements: dict[str, TablePlacement],
    regions: dict[str, TableRegion],
    kind: str | None,
    findings: list[Finding],
) -> list[LineItem]:
    items: list[LineItem] = []
    for tid, tp in placements.items():
        spec = tp.spec
        unit = regions[tid].unit or table_words().default_unit
        zeros: list[Where] = []
        for st in tp.rows:
            raw = st.raw
            for k, num in enumerate(raw.nums):
                options = sorted(st.options(k)) if st.domain else list(range(len(st.columns)))
                placed = st.placed_by[k] if len(options) == 1 else None
                col = st.columns[options[0]] if placed else None
                row_id = raw.row
                item = raw.name or None
                if spec.layout == "single_row":
                    row_id = col.row if col else None
                    item = col.item if col else None
                li = LineItem(
                    table=tid,
                    column=col.id_for(row_id) if col else None,
                    measure=col.measure_for(kind) if col else None,
                    classification=spec.classification if raw.code else None,
                    code=raw.code,
                    row=row_id,
                    item=_clean_name(item) if item else None,
                    placed_by=placed or "unplaced",
                    candidates=[] if placed else [st.columns[o].id for o in options],
                    amount=to_yuan(num.value, unit),
                    printed=num.printed,
                    unit=unit,
                    source=num.line.source,
                    page=num.line.page,
                    line=num.line.number,
                )
                items.append(li)
                if not placed:
                    where = _where(num.line, tid, None, raw.code, row_id)
                    if num.value == 0:
                        zeros.append(where)
                    else:
                        findings.append(
                            Finding(
                                code="ambiguous-cell",
                                severity="warning",
                                message=(
                                    f"{tid} {raw.code or raw.row or ''}: cannot decide the "
                                    f"column of {num.printed} "
                                    f"(candidates: {', '.join(li.candidates)})"
                                ),
                                where=[where],
                            )
                        )
            for flagged, code, text in (
                (
                    st.layout_conflict,
                    "layout-identity-conflict",
                    "the layout breaks its identities",
                ),
                (
                    st.identity_broken,
                    "row-identity-broken",
                    "no placement satisfies its identities",
                ),
            ):
                if flagged:
                    where = _where(raw.line, tid, None, raw.code, raw.row)
                    message = f"{tid} {raw.code or raw.row}: {text}"
                    findings.append(Finding(code, "warning", message, [where]))
            if raw.pending:
                findings.append(
                    Finding(
                        code="incomplete-code",
                        severity="warning",
                        message=(
                            f"{tid}: code {raw.code} {raw.name} lost its 2-digit suffix in the text"
                        ),
                        where=[_where(raw.line, tid, None, raw.code)],
                    )
                )
        if zeros:
            findings.append(
                Finding(
                    code="ambiguous-zero-cells",
                    severity="info",
                    message=(
                        f"{tid}: {len(zeros)} printed zeros cannot be placed "
                        f"in a column (kept with candidates)"
                    ),
                    where=zeros,
                )
            )
    return items


def _code_trees(placements: dict[str, TablePlacement], year: int | None) -> None:
    """Codes for the 款/项 lines a function-classified side prints by name only, in a
    tree its indentation shows (parse.tree), resolved through the codes and names the
    report's tables print, then its year's edition.  After placement: a line's column
    does not depend on its code, and the validator then checks parent = Σ children."""
    function = [tp for tp in placements.values() if tp.spec.classification == "function"]
    own = own_names(st.raw for tp in function for st in tp.rows)
    index = code_index.shipped_index()
    for tp in function:
        for side in tp.spec.sides:
            if side.class_rows:
                rows = [st.raw for st in tp.rows if st.raw.side == side.name]
                code_tree(rows, own, year, index)


def _clean_name(name: str) -> str:
    return re.sub(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]", "", squash(name))


def _resolve_paths(
    facts: list[Fact], items: list[LineItem], year: int | None, findings: list[Finding]
) -> None:
    """Codes for the function lines the narrative names by 类/款/项 path."""
    own: dict[str, set[str]] = {}
    own_economic: dict[str, set[str]] = {}
    for li in items:
        if li.code and li.item and li.classification == "function":
            own.setdefault(li.code, set()).add(squash(li.item))
        if li.code and li.item and li.classification == "economic":
            own_economic.setdefault(li.code, set()).add(squash(li.item))
    index = code_index.shipped_index()
    reported: set[tuple[str, ...]] = set()
    for f in facts:
        if f.indicator.startswith("economic_line") and f.path:
            # a listed economic item: its code when exactly one code has its name
            f.code = resolve_item(f.path[0], own_economic, year, index).code
            continue
        if not (f.indicator.startswith("function_line") and f.path):
            continue
        found = resolve(f.path, own, year, index)
        f.code = found.code
        key = tuple(f.path)
        if key in reported or found.how == "own-tables":
            continue
        reported.add(key)
        where = [Where(source=f.source, page=f.page, line=f.line)]
        label = "/".join(f.path)
        outdated = names_differ(f.path, found.code, own, year, index)
        if outdated:
            findings.append(Finding("name-outdated", "warning", f"{label}: {outdated}", where))
        if found.how == "edition":
            continue
        if found.how == "other-year":
            findings.append(
                Finding(
                    "resolved-other-year",
                    "info",
                    f"{label} resolved to {found.code} through the {found.year} edition "
                    f"(not printed in this report's tables or its year's edition)",
                    where,
                )
            )
        else:
            findings.append(
                Finding(
                    "unresolved-path",
                    "warning",
                    f"{label}: no code of any edition fits this path",
                    where,
                )
            )
