"""The placed tables' numbers as line items: every printed number one LineItem (placed in
its column, or unplaced with its candidate columns), with the findings of what could not
be decided; and the codes of the function lines a table prints by name only."""

from __future__ import annotations

import re

from fiscalpub import code_index
from fiscalpub.model import Finding, LineItem, Severity, Where
from fiscalpub.normalize import squash, to_yuan
from fiscalpub.parse.placement import RowState, TablePlacement
from fiscalpub.parse.region import TableRegion
from fiscalpub.parse.tree import code_tree, own_names
from fiscalpub.parse.where import where
from fiscalpub.registry import TableSpec, table_words


def line_items(
    placements: dict[str, TablePlacement],
    regions: dict[str, TableRegion],
    kind: str | None,
    findings: list[Finding],
) -> list[LineItem]:
    """Every number of the placed tables as a line item, table by table, row by row, in
    printed order; the findings in the same order (a row's undecided cells, then what is
    wrong with the row), and per table one finding for its undecided zeros."""
    items: list[LineItem] = []
    for tid, tp in placements.items():
        unit = regions[tid].unit or table_words().default_unit
        zeros: list[Where] = []
        for st in tp.rows:
            items += _row_items(tid, tp.spec, st, unit, kind, findings, zeros)
            findings.extend(_row_findings(tid, st))
        if zeros:
            findings.append(
                Finding(
                    code="ambiguous-zero-cells",
                    severity=Severity.INFO,
                    message=(
                        f"{tid}: {len(zeros)} printed zeros cannot be placed "
                        f"in a column (kept with candidates)"
                    ),
                    where=zeros,
                )
            )
    return items


def _row_items(
    tid: str,
    spec: TableSpec,
    st: RowState,
    unit: str,
    kind: str | None,
    findings: list[Finding],
    zeros: list[Where],
) -> list[LineItem]:
    """A row's numbers: placed where one column is left (a single-row table's column
    names its row and item too), else unplaced with their candidates: an undecided zero
    goes to `zeros` (one finding per table), any other number is an ambiguous cell."""
    raw = st.raw
    items: list[LineItem] = []
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
            at = where(num.line, tid, None, raw.code, row_id)
            if num.value == 0:
                zeros.append(at)
            else:
                findings.append(
                    Finding(
                        code="ambiguous-cell",
                        severity=Severity.WARNING,
                        message=(
                            f"{tid} {raw.code or raw.row or ''}: cannot decide the "
                            f"column of {num.printed} "
                            f"(candidates: {', '.join(li.candidates)})"
                        ),
                        where=[at],
                    )
                )
    return items


def _row_findings(tid: str, st: RowState) -> list[Finding]:
    """What is wrong with a row as a whole: its layout breaks its identities, no placement
    satisfies them, or its code lost the 2-digit suffix the text printed elsewhere."""
    raw = st.raw
    findings: list[Finding] = []
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
            at = where(raw.line, tid, None, raw.code, raw.row)
            message = f"{tid} {raw.code or raw.row}: {text}"
            findings.append(Finding(code, Severity.WARNING, message, [at]))
    if raw.pending:
        findings.append(
            Finding(
                code="incomplete-code",
                severity=Severity.WARNING,
                message=(f"{tid}: code {raw.code} {raw.name} lost its 2-digit suffix in the text"),
                where=[where(raw.line, tid, None, raw.code)],
            )
        )
    return findings


def code_trees(placements: dict[str, TablePlacement], year: int | None) -> None:
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
    """A printed line name without its list numbering ("一、", "3.")."""
    return re.sub(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]", "", squash(name))
