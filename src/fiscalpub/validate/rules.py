"""The catalogue of accounting rules: the source's own contradictions.

Each rule has a stable id (the finding code when a difference exceeds the
tolerance), a severity, docs in English and Chinese, and a check over an
indexed report.  Within the tolerance of CONTRACT.md (one unit of the last
printed decimal place per summand, on the coarser side) a difference is a
``rounding`` warning instead.  Rules speak of table, column and row ids of
the registry, never of printed table numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from fiscalpub.findings import finding_code
from fiscalpub.model import (
    Fact,
    Finding,
    LineItem,
    Report,
    Severity,
    TableStatus,
    Where,
    money,
)
from fiscalpub.numbers import UNIT_FACTOR, to_yuan
from fiscalpub.registry import (
    TableSpec,
    cross_classification,
    fact_also_cells,
    fact_bounds,
    fact_cells,
    fact_named_alike,
    fact_sum_extras,
    fact_sums,
    lexicon_phrases,
    shapes,
    tables,
)
from fiscalpub.validate.flat_tree import flattened_tree

ROUNDING = "rounding"
UNNAMED = "@"  # row keys of printed lines without code or row id (Index)


def step(unit: str | None, decimals: int | None) -> Decimal:
    """One unit of the last printed decimal place, in 元."""
    return to_yuan(Decimal(1).scaleb(-(2 if decimals is None else decimals)), unit or "元")


def cell_step(li: LineItem) -> Decimal:
    """One unit of the last decimal this cell prints, in 元: coarser than its table's when
    a spreadsheet's General format cut the cell to 10 digits (Xi'an prints 936647884.3 in a
    table of 936647884.33)."""
    printed = li.printed or ""
    decimals = len(printed.split(".", 1)[1]) if "." in printed else 0
    return to_yuan(Decimal(1).scaleb(-decimals), li.unit or "元")


def _at(li: LineItem) -> Where:
    return Where(li.source, li.page, li.line, li.table, li.column, li.code, li.row)


def _fact_at(f: Fact) -> Where:
    return Where(f.source, f.page, f.line, None, None, f.code, None)


def _label(li: LineItem) -> str:
    key = li.code or li.row or ""
    return f"{li.table}/{key}/{li.column} {li.printed} (p.{li.page} l.{li.line})"


class Index:
    """The report's printed cells by (table, row key, column); a row key is the
    code of a coded row, ``#row`` for a named row."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.info = {t.table: t for t in report.tables}
        self.cells: dict[tuple[str, str, str], LineItem] = {}
        self.rows: dict[str, dict[str, dict[str, LineItem]]] = {}
        # a number not placed in a column takes part in no rule
        placed = [(li, li.column) for li in report.line_items if li.column is not None]
        # a code printed on several rows (Beijing's 支出总表: one row per function × economic
        # code) is no single cell: taking its first row for the code's amount would report
        # contradictions the source does not have.  Each such row is a row of its own
        # ("~" key: no code, no registry row), whose columns the row identities still check
        seen = Counter((li.table, _key(li), col) for li, col in placed)
        # the rows of such a code, by (table, code, column): together they are the code's
        # amount, which other tables print once (cross_table compares the sum)
        self.repeated: dict[tuple[str, str, str], list[LineItem]] = {}
        # a row without code or registry row (a unit's row of a table printed per unit:
        # 福州市商务局 and its 中心) is a row of its own, by its name, when the table prints
        # several: no two units make one row, and no other table joins on it (one unit's
        # row may take two text lines: a wrapped "143,999.0 / 0" above its name)
        names = {(li.table, li.item) for li, _ in placed if _key(li) == "#" and li.item}
        several = {t for t, n in Counter(t for t, _ in names).items() if n > 1}
        # a named row printed again (a table continued over pages repeats its 合计 line):
        # (first printing, later printing) — the same cell, which must say the same
        self.copies: list[tuple[LineItem, LineItem]] = []
        self._last_unnamed: dict[str, str] = {}
        for li, col in placed:
            key = _key(li)
            if seen[(li.table, key, col)] > 1 and li.code:
                self.repeated.setdefault((li.table, key, col), []).append(li)
                key = f"~{li.table}:{li.code}@{li.source}:{li.page}:{li.line}"
            elif key == "#" and li.item and li.table in several:
                key = self._by_name(li, col)
            elif key == "#":
                key = self._unnamed(li, col)
            first = self.cells.setdefault((li.table, key, col), li)
            if first is not li and key.startswith("#"):
                self.copies.append((first, li))
            self.rows.setdefault(li.table, {}).setdefault(key, {}).setdefault(col, li)
        self.specs: dict[str, TableSpec] = {}
        registry = tables()
        for tid in self.info:
            if tid in registry and tid in self.rows:
                printed = {c for row in self.rows[tid].values() for c in row}
                self.specs[tid] = _shape(registry[tid], printed)

    def _by_name(self, li: LineItem, col: str) -> str:
        """The row key of a unit's row by its name; a second row of the same name whose cell
        is taken (Xi'an prints 西安市科学技术局 for the department and again for its 本级
        unit) is a row of its own."""
        base = key = f"~{li.table}:@{li.item}"
        n = 1
        while (li.table, key, col) in self.cells:
            n += 1
            key = f"{base}#{n}"
        return key

    def _unnamed(self, li: LineItem, col: str) -> str:
        """The row key of a printed row without code or row id (a unit's row of a table by
        单位名称, a 款 line printed by name only): each is a row of its own.  Its numbers
        come in order; a column already filled, or a line more than two lines away, starts the
        next row (a row's wrapped numbers are printed a line above or below it: Wuxi's
        收入总表)."""
        key = self._last_unnamed.get(li.table)
        row = self.rows.get(li.table, {}).get(key or "", {})
        near = any(o.page == li.page and abs(o.line - li.line) <= 2 for o in row.values())
        if key is None or col in row or not near:
            key = f"{UNNAMED}{li.source}:{li.page}:{li.line}"
            self._last_unnamed[li.table] = key
        return key

    def column(self, table: str, col_id: str, key: str) -> str:
        """The id of column `col_id` in row `key`: a `per_row` column is named by its row
        (the 合计 of a 三公 matrix is budget_<row>)."""
        for col in self.specs[table].all_columns():
            if col.id == col_id and col.per_row and key.startswith("#"):
                return col.id_for(key[1:])
        return col_id

    def step(self, table: str) -> Decimal:
        t = self.info.get(table)
        return step(t.unit if t else None, t.decimals if t else None)


def _key(li: LineItem) -> str:
    return li.code or f"#{li.row or ''}"


def _shape(spec: TableSpec, printed: set[str]) -> TableSpec:
    """The table's shape (its own or a variant's) whose columns include every printed
    column id: the variant's identities, not the national table's, hold for it.  A shape
    that names every printed column comes before one whose per_row column stands for some
    (Shanghai's 三公 with 机关运行经费 prints budget_office_operating as a column of its
    own; Guangzhou's matrix makes the same id from its 行政经费 row)."""
    every = shapes(spec)
    for per_row in (False, True):
        for shape in every:
            if _covers(shape, printed, per_row):
                return shape
    return spec


def _covers(spec: TableSpec, printed: set[str], per_row: bool = True) -> bool:
    """Every printed column id is a column of this shape (a per_row column stands for
    every id it makes: budget_<row>, when `per_row`)."""
    cols = spec.all_columns()
    return all(
        any(c.id == u or (per_row and c.per_row and u.startswith(c.per_row)) for c in cols)
        for u in printed
    )


Member = LineItem | Fact


@dataclass(frozen=True, eq=False)
class Check:
    """One relation of one rule over printed amounts (a sum, an equality across tables,
    a narrative amount against its cell), evaluated once.  The validator's findings and
    the self-check (fiscalpub.validate.selfcheck) both come from these: one mechanism.

    `holds` is the validator's verdict: equal, or different within the rounding
    tolerance (a ``rounding`` warning).  `members` are every amount the relation
    involves; `confirms` those it confirms when it holds — empty when holding says
    nothing (see `sum_confirms`, `equal_confirms`)."""

    rule: str
    holds: bool
    members: tuple[Member, ...]
    confirms: tuple[Member, ...] = ()
    finding: Finding | None = None
    # confirms only when this amount is confirmed by another relation (a repeated line
    # agrees with its first printing: it is right when that one is)
    given: Member | None = None


def sum_confirms(
    total: LineItem, plus: list[LineItem], minus: list[LineItem]
) -> tuple[Member, ...]:
    """What a sum that holds confirms: every printed amount in it, when at least two of
    its terms are non-zero (then no amount of it could be read otherwise and the sum
    still hold: zeros included).  A sum of one non-zero term — one printed part, a
    parent with one child, zeros beside one amount — only says that one number is
    printed twice in one layout, where a misplaced column fits as well as the right
    one; 0 = 0 + 0 holds in any position.  Such a sum confirms nothing."""
    if sum(1 for li in plus + minus if li.amount != 0) < 2:
        return ()
    return (total, *plus, *minus)


def equal_confirms(*members: Member) -> tuple[Member, ...]:
    """What an equality of two independent printings (two tables, or a table and the
    narrative) confirms when it holds: both, unless the amount is zero (a zero agrees
    with every blank-like zero anywhere)."""
    if any((m.amount or Decimal(0)) == 0 for m in members):
        return ()
    return members


def compare(
    rule: Rule,
    expected: Decimal,
    printed: Decimal,
    tolerance: Decimal,
    message: str,
    where: list[Where],
    members: tuple[Member, ...],
    confirms: tuple[Member, ...],
    direction: str = "eq",
    given: Member | None = None,
) -> Check:
    """The check of `printed` against `expected`, with a finding when they differ
    (``ge``: printed may exceed it; ``le``: printed may fall short of it).  A bound
    that holds confirms only where the two amounts are equal."""
    diff = printed - expected
    if diff == 0 or (direction == "ge" and diff > 0) or (direction == "le" and diff < 0):
        return Check(rule.id, True, members, confirms if diff == 0 else (), given=given)
    text = f"{message}; difference {money(abs(diff))} 元"
    if abs(diff) <= tolerance:
        if direction != "eq":
            confirms = ()
        finding = Finding(
            ROUNDING, Severity.WARNING, f"[{rule.id}] {text} (within rounding tolerance)", where
        )
        return Check(rule.id, True, members, confirms, finding, given)
    finding = Finding(rule.id, rule.severity, f"{rule.doc_zh}：{text}", where)
    return Check(rule.id, False, members, (), finding, given)


# ------------------------------------------------------------------ rules


def row_sums(rule: Rule, ix: Index) -> Iterator[Check]:
    """Registry identities: total = Σ parts across the columns of a row, and
    result = Σ plus − Σ minus down the rows of a two-sided table."""
    for tid, spec in ix.specs.items():
        rows = ix.rows[tid]
        for ident in [*spec.identities, *(c for c in spec.checks if "table" not in c)]:
            if not _applies(ident, rows):
                continue
            if ident.get("kind") == "rows":
                columns = {c for r in rows.values() for c in r}
                columns |= {c.id for c in spec.all_columns() if c.per_row}
                for col in sorted(columns):
                    yield from _sum_check(
                        rule,
                        ix,
                        _named(ix, tid, ident["result"], col),
                        [_named(ix, tid, r, col) for r in ident.get("plus", [])],
                        [_named(ix, tid, r, col) for r in ident.get("minus", [])],
                    )
                continue
            total_col = str(ident.get("total") or ident.get("result"))
            plus = ident.get("parts") or ident.get("plus", [])
            for key, row in _rows_of_identity(
                spec, rows, [total_col, *plus, *ident.get("minus", [])]
            ):
                cell = partial(_cell_or_parts, ix, tid, spec, row, key)
                yield from _sum_check(
                    rule,
                    ix,
                    row.get(ix.column(tid, total_col, key)),
                    [li for c in plus for li in cell(c)],
                    [li for c in ident.get("minus", []) for li in cell(c)],
                )


def _cell_or_parts(
    ix: Index, tid: str, spec: TableSpec, row: dict[str, LineItem], key: str, col: str
) -> list[LineItem | None]:
    """A part's cell; a blank part that another identity of the table defines as a total
    stands for that identity's printed parts (a 三公 table printing 购置费 and 运行维护费
    under a blank 小计: 合计 = 出国 + 购置 + 运行 + 接待 still holds or fails)."""
    here = row.get(ix.column(tid, col, key))
    if here is not None:
        return [here]
    for ident in spec.identities:
        if ident.get("kind") != "rows" and ident.get("total") == col:
            return [row.get(ix.column(tid, c, key)) for c in ident.get("parts", [])]
    return [None]


def _rows_of_identity(
    spec: TableSpec, rows: dict[str, dict[str, LineItem]], columns: list[str]
) -> list[tuple[str, dict[str, LineItem]]]:
    """The rows an identity across columns applies to.  A one-row table (三公) keeps each
    amount under its item's row (合计, 因公出国(境)费 …): an identity between its own
    columns (合计 = 出国 + 用车 + 接待) is one of the whole table, whose cells are the
    table's row; a matrix column (per_row: one per item) stays in its item's row."""
    per_row = {c.id for c in spec.all_columns() if c.per_row}
    if spec.layout != "single_row" or per_row & set(columns):
        return sorted(rows.items())
    whole: dict[str, LineItem] = {}
    for key in sorted(rows):
        for col, li in rows[key].items():
            whole.setdefault(col, li)
    return [("", whole)]


def _applies(ident: dict[str, Any], rows: dict[str, dict[str, LineItem]]) -> bool:
    """A validator identity's `needs` (rows or columns that must be printed) and `unless`
    (rows or columns that must not be: the template then sums another way)."""
    printed = {k.lstrip("#") for k in rows} | {c for r in rows.values() for c in r}
    return all(n in printed for n in ident.get("needs", [])) and not any(
        u in printed for u in ident.get("unless", [])
    )


def _named(ix: Index, tid: str, row: str, col: str) -> LineItem | None:
    """The cell of named row `row` in column `col` (a per_row column by its row's id); a
    row given as digits is the row of that code (06's 301 in 人员经费 = 301 + 303)."""
    key = row if row.isdigit() else f"#{row}"
    return ix.rows[tid].get(key, {}).get(ix.column(tid, col, key))


def _sum_check(
    rule: Rule,
    ix: Index,
    total: LineItem | None,
    plus: list[LineItem | None],
    minus: list[LineItem | None],
) -> Iterator[Check]:
    """Blank cells are not zeros: they take no part in the sum, and a sum with no
    printed part is not checked."""
    p = [li for li in plus if li is not None]
    m = [li for li in minus if li is not None]
    if total is None or not p:
        return
    expected = sum((li.amount for li in p), Decimal(0)) - sum((li.amount for li in m), Decimal(0))
    parts = " + ".join(_label(li) for li in p) + "".join(f" − {_label(li)}" for li in m)
    yield compare(
        rule,
        expected,
        total.amount,
        ix.step(total.table) * (len(p) + len(m)),
        f"{_label(total)} ≠ {parts} = {_sum_text(expected, [*p, *m])}",
        [_at(total), *(_at(li) for li in p + m)],
        (total, *p, *m),
        sum_confirms(total, p, m),
    )


def hierarchy_sums(rule: Rule, ix: Index) -> Iterator[Check]:
    """Classification levels: 类 = Σ 款, 款 = Σ 项 (the next printed level below a
    code), and the total row = Σ 类, column by column."""
    for tid in ix.specs:
        rows = ix.rows[tid]
        codes = sorted(k for k in rows if not k.startswith(("#", "~", UNNAMED)))
        if not codes:
            yield from _unit_rows(rule, ix, tid)
            yield from _list_tree(rule, ix, tid)
            continue
        # a code printed on several rows (Yantai's 301 under 501 and under 505) is no one
        # term: no sum over its level holds or fails
        repeated = {k.split(":", 1)[1].split("@", 1)[0] for k in rows if k.startswith("~")} - {""}
        classes = [c for c in codes if len(c) == 3]
        parents = [
            (k, classes + lines)
            for k, lines in _class_totals(ix, tid)
            if not any(len(c) == 3 for c in repeated)
        ]
        for code in codes:
            if any(c.startswith(code) for c in repeated):
                continue
            below = [c for c in codes if c.startswith(code) and len(c) > len(code)]
            if below:
                level = min(len(c) for c in below)
                parents.append((code, [c for c in below if len(c) == level]))
        # a two-sided table whose side prints lines without code (款/项 lines by name only,
        # or a 类 line whose code was not read: a wrapped name) says Σ 类 = 本年支出合计 only
        # when it holds: that it fails may be a 类 line read without its code
        unsure = bool(ix.specs[tid].sides) and any(
            k.startswith((UNNAMED, f"~{tid}:@")) for k in rows
        )
        for parent, children in parents:
            for col, total in sorted(rows[parent].items()):
                for check in _sum_check(
                    rule, ix, total, [rows[c].get(col) for c in children if col in rows[c]], []
                ):
                    if check.holds or not (unsure and parent.startswith("#")):
                        yield check


# lines of a two-sided table's expenditure side that stand beside its 类 lines in 本年支出合计
# (Guangzhou's 收支总体情况表 prints them after the 类 list)
BESIDE_CLASSES = ("#subsidiary_subsidy", "#remit_superior")


def _class_totals(ix: Index, tid: str) -> list[tuple[str, list[str]]]:
    """The row that is Σ 类 (with the lines beside them): a coded table's total row; a
    two-sided table's 本年支出合计 — or, without it, its 支出总计 when the side prints
    nothing else it includes (no 结余分配, no 年末结转) — as placement reads it."""
    rows = ix.rows[tid]
    if not ix.specs[tid].sides:
        return [("#total", [])] if "#total" in rows else []
    beside = [k for k in BESIDE_CLASSES if k in rows]
    if "#total_expenditure" in rows:
        return [("#total_expenditure", beside)]
    carried = any(k.startswith(("#closing_balance", "#balance_distribution")) for k in rows)
    if "#grand_total_expenditure" in rows and not carried:
        return [("#grand_total_expenditure", beside)]
    return []


def _unit_rows(rule: Rule, ix: Index, tid: str) -> Iterator[Check]:
    """A table by 单位名称 (rows without codes, one line per unit: Guangzhou's 收入总体情况表):
    its total row = Σ the units' lines, column by column.  Two-sided tables are left out:
    their lines without a row id are 款/项 lines printed by name only, not parts of a sum."""
    rows, spec = ix.rows[tid], ix.specs[tid]
    if spec.sides or spec.layout != "coded" or "#total" not in rows:
        return
    total = rows["#total"]
    # a line that repeats the total in every column is the department's own line above its
    # units (Wuxi: 无锡市…局 9151.31, then 本级 8316.35 and 834.96): the units sum to it
    units = [
        k
        for k, row in rows.items()
        if k.startswith((UNNAMED, f"~{tid}:@"))
        and not all(c in total and total[c].amount == li.amount for c, li in row.items())
    ]
    if len(units) < 2:
        return
    for col, li in sorted(total.items()):
        yield from _sum_check(rule, ix, li, [rows[k].get(col) for k in units], [])


def _list_tree(rule: Rule, ix: Index, tid: str) -> Iterator[Check]:
    """A list table printed as a flattened tree (Xi'an's 政府采购: per function code a 全额
    line, the unit's line under it, then the unit's items; each line the sum of the lines
    under it): the total row = Σ the top lines, each group line = Σ its own lines.  Only
    the order of the lines is printed, not the tree: it is read from the amounts (a line
    followed by lines that add up to it exactly is their group; a flat list is a tree of
    leaves), and the sums are checked only where such a reading covers every line of the
    table: a list that is no tree gives no check — never a finding."""
    rows, spec = ix.rows[tid], ix.specs[tid]
    if spec.layout != "list" or "#total" not in rows:
        return
    for col, total in sorted(rows["#total"].items()):
        lines = sorted(
            (row[col] for key, row in rows.items() if key != "#total" and col in row),
            key=lambda li: (li.source, li.page or 0, li.line or 0),
        )
        tree = flattened_tree([li.amount for li in lines], total.amount)
        if tree is None:
            continue
        top, groups = tree
        yield from _sum_check(rule, ix, total, [lines[i] for i in top], [])
        for parent, members in groups:
            yield from _sum_check(rule, ix, lines[parent], [lines[i] for i in members], [])


def copies(rule: Rule, ix: Index) -> Iterator[Check]:
    """A named row printed again (a table continued over pages repeats its 合计 line) is the
    same cell: it must print the same amount, and is confirmed when its first printing is."""
    for first, copy in ix.copies:
        yield compare(
            rule,
            first.amount,
            copy.amount,
            Decimal(0),  # one cell: printed the same, to the last digit
            f"{_label(copy)} ≠ {_label(first)}",
            [_at(first), _at(copy)],
            (first, copy),
            (copy,) if copy.amount != 0 else (),
            given=first,
        )


def balance(rule: Rule, ix: Index) -> Iterator[Check]:
    """Table 01 (and the fiscal summary): 收入总计 = 支出总计."""
    for tid in ("income_expenditure_summary", "fiscal_summary"):
        income = ix.rows.get(tid, {}).get("#grand_total_income", {}).get("amount")
        row = ix.rows.get(tid, {}).get("#grand_total_expenditure", {})
        spent = row.get("amount") or row.get("total")
        if income is None or spent is None:
            continue
        yield compare(
            rule,
            income.amount,
            spent.amount,
            ix.step(tid),
            f"{_label(spent)} ≠ {_label(income)}",
            [_at(income), _at(spent)],
            (income, spent),
            equal_confirms(income, spent),
        )


def cross_table(rule: Rule, ix: Index) -> Iterator[Check]:
    """Registry evidence links: a cell equals (or bounds, `relation`) the cell of
    another table when both are printed; each pair of cells is checked once."""
    seen: set[frozenset[tuple[str, str, str]]] = set()
    for tid, spec in ix.specs.items():
        for link in [*spec.evidence, *(c for c in spec.checks if "table" in c)]:
            other = link["table"]
            if other not in ix.rows or ix.report.report.year in link.get("except_years", ()):
                continue
            if "rows" in link:
                yield from _rows_against(rule, ix, tid, link)
                continue
            keys = (
                [f"#{link['row']}"]
                if link.get("row")
                else sorted({*ix.rows[tid], *(c for (t, c, _) in ix.repeated if t == tid)})
            )
            for key in keys:
                if key == "#" or key.startswith((f"~{tid}:@", UNNAMED)):
                    continue  # rows without code or row id (a unit's line): nothing to join on
                okey = _other_key(link) or key
                ocol = link.get("other_column", "amount")
                lis, olis = _printed(ix, tid, key, link["column"]), _printed(ix, other, okey, ocol)
                if not lis or not olis:
                    continue
                pair = frozenset({(tid, key, link["column"]), (other, okey, ocol)})
                if pair in seen:
                    continue
                seen.add(pair)
                if len(lis) > 1 or len(olis) > 1:
                    yield _sums_compared(rule, ix, link, lis, olis)
                    continue
                li, oli = lis[0], olis[0]
                relation = link.get("relation", "eq")
                sign = {"eq": "≠", "ge": "<", "le": ">"}[relation]
                yield compare(
                    rule,
                    oli.amount,
                    li.amount,
                    max(ix.step(tid), ix.step(other), cell_step(li), cell_step(oli)),
                    f"{_label(li)} {sign} {_label(oli)}",
                    [_at(li), _at(oli)],
                    (li, oli),
                    equal_confirms(li, oli),
                    relation,
                )


def _other_key(link: dict[str, Any]) -> str | None:
    """The row key a link names in its other table (an economic code, or a named row);
    None when it joins row by row on this table's own keys."""
    if "other_code" in link:
        return str(link["other_code"])
    if "other_row" in link:
        return f"#{link['other_row']}"
    return None


def _rows_against(rule: Rule, ix: Index, tid: str, link: dict[str, Any]) -> Iterator[Check]:
    """A validator link whose side here is the sum of named rows (06's 人员经费合计 +
    公用经费合计 against 05's 基本支出): checked when every one of them is printed."""
    lis = [ix.rows[tid].get(f"#{r}", {}).get(link["column"]) for r in link["rows"]]
    okey = _other_key(link) or ""
    oli = ix.rows[link["table"]].get(okey, {}).get(link.get("other_column", "amount"))
    parts = [li for li in lis if li is not None]
    if oli is None or len(parts) < len(lis):
        return
    yield compare(
        rule,
        sum_of(parts),
        oli.amount,
        max(ix.step(tid), ix.step(oli.table)) * len(parts),
        f"{_label(oli)} ≠ {' + '.join(map(_label, parts))} = {_sum_text(sum_of(parts), parts)}",
        [_at(oli), *(_at(li) for li in parts)],
        (oli, *parts),
        # two printings of one amount: confirmed when non-zero, zeros only in a real sum
        sum_confirms(oli, parts, []) or equal_confirms(oli, *(li for li in parts if li.amount)),
    )


def empty_contradicted(rule: Rule, ix: Index) -> Iterator[Check]:
    """A table the report declares empty ("本表为空", "没有使用财政拨款收入和支出") while
    another table prints money that the registry says that table holds too: an evidence
    link (or a validator check) that makes the empty table's cell equal to, or at least,
    a non-zero amount printed elsewhere.  One finding per empty table, naming the amounts
    (Yantai 信访局 p.11: the 财政拨款收支总体情况表 is declared empty while its 一般公共预算
    tables print the money it would show)."""
    empty = {t for t, info in ix.info.items() if info.status == TableStatus.DECLARED_EMPTY}
    registry = tables()
    for tid in sorted(empty):
        shown = sorted(
            _shown_elsewhere(ix, registry, tid), key=lambda li: (li.source, li.page, li.line)
        )
        if not shown:
            continue
        info = ix.info[tid]
        at = Where(info.source, info.page, info.line, tid, None, None, None)
        listed = ", ".join(map(_label, shown[:3])) + (
            f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        )
        finding = Finding(
            rule.id,
            rule.severity,
            f"{rule.doc_zh}：{tid} is declared empty (p.{info.page}) but {listed} "
            f"{'is' if len(shown) == 1 else 'are'} money it holds",
            [at, *(_at(li) for li in shown)],
        )
        yield Check(rule.id, False, tuple(shown), (), finding)


def _shown_elsewhere(ix: Index, registry: dict[str, TableSpec], empty: str) -> list[LineItem]:
    """Non-zero printed amounts that a link puts in the empty table: A = B or B ≤ A with
    A the empty table's cell (a link of either table, in either direction)."""
    year = ix.report.report.year
    found: dict[int, tuple[bool, LineItem]] = {}
    for tid, spec in registry.items():
        shape = ix.specs.get(tid, spec)
        for link in [*shape.evidence, *(c for c in shape.checks if "table" in c)]:
            if year in link.get("except_years", ()) or "rows" in link:
                continue
            relation = link.get("relation", "eq")
            if link["table"] == empty and tid in ix.rows and relation in ("eq", "le"):
                # this table's cell ≤ (or =) the empty table's
                rows = [f"#{link['row']}"] if link.get("row") else list(ix.rows[tid])
                column = link["column"]
                other = tid
            elif tid == empty and link["table"] in ix.rows and relation in ("eq", "ge"):
                # the empty table's cell ≥ (or =) the other table's
                other = link["table"]
                okey = _other_key(link)
                rows = [okey] if okey else list(ix.rows[other])
                column = link.get("other_column", "amount")
            else:
                continue
            for key in rows:
                if key.startswith(("~", UNNAMED)):
                    continue  # a unit's line or a repeated code: nothing joins on it
                li = ix.rows[other].get(key, {}).get(column)
                if li is not None and li.amount:
                    found.setdefault(id(li), (key.startswith("#"), li))
    # a table's total names its money: its code lines are only listed where it has none
    totalled = {li.table for named, li in found.values() if named}
    return [li for named, li in found.values() if named or li.table not in totalled]


ECONOMIC_TABLE, FUNCTION_TABLE = "gpb_basic_expenditure", "gpb_expenditure"


def cross_classifications(rule: Rule, ix: Index) -> Iterator[Check]:
    """An economic item of the general-budget basic spending against the function line
    that books that kind of spending (tables.yaml `cross_classification`): the item never
    exceeds the line's basic spending (its total where the table prints no basic column).
    Confirms both where they are equal."""
    econ_rows = ix.rows.get(ECONOMIC_TABLE, {})
    func_rows = ix.rows.get(FUNCTION_TABLE, {})
    for economic, function in cross_classification():
        items = _economic_amounts(ix, econ_rows, economic)
        line = func_rows.get(function, {})
        cell = line.get("basic") or line.get("total")
        if not items or cell is None:
            continue
        amount = sum_of(items)
        step = max(ix.step(ECONOMIC_TABLE), ix.step(FUNCTION_TABLE)) * len(items)
        yield compare(
            rule,
            cell.amount,
            amount,
            step,
            f"{_labels(items)} > {_label(cell)}",
            [*(_at(li) for li in items), _at(cell)],
            (*items, cell),
            (*items, cell) if amount else (),
            "le",
        )


def _economic_amounts(ix: Index, rows: dict[str, dict[str, LineItem]], code: str) -> list[LineItem]:
    """The code's amount in the economic table: its one row's first amount column
    (amount, total or 人员经费), or its rows where the table prints it on several."""
    row = rows.get(code, {})
    for column in ("amount", "total", "personnel"):
        several = ix.repeated.get((ECONOMIC_TABLE, code, column))
        if several:
            return several
        if column in row:
            return [row[column]]
    return []


def _printed(ix: Index, table: str, key: str, column: str) -> list[LineItem]:
    """The cell (row key, column) of a table: one item, or the rows of a code printed on
    several rows, or nothing."""
    one = ix.rows.get(table, {}).get(key, {}).get(column)
    return [one] if one is not None else ix.repeated.get((table, key, column), [])


def _sums_compared(
    rule: Rule, ix: Index, link: dict[str, Any], lis: list[LineItem], olis: list[LineItem]
) -> Check:
    """An evidence link where one side prints its code on several rows (Beijing's 支出总表
    by economic code, its 一般公共预算支出表 per unit): the sums of the rows compare."""
    relation = link.get("relation", "eq")
    sign = {"eq": "≠", "ge": "<", "le": ">"}[relation]
    total, ototal = sum_of(lis), sum_of(olis)
    members = (*lis, *olis)
    return compare(
        rule,
        ototal,
        total,
        max(ix.step(lis[0].table), ix.step(olis[0].table)) * max(len(lis), len(olis)),
        f"Σ {_labels(lis)} = {_sum_text(total, lis)} {sign} "
        f"Σ {_labels(olis)} = {_sum_text(ototal, olis)}",
        [_at(li) for li in members],
        members,
        () if total == 0 else members,
        relation,
    )


def sum_of(items: list[LineItem]) -> Decimal:
    return sum((li.amount for li in items), Decimal(0))


def _labels(items: list[LineItem]) -> str:
    return _label(items[0]) + (f" (+{len(items) - 1} rows)" if len(items) > 1 else "")


def _fact_step(f: Fact) -> Decimal:
    printed = f.printed or ""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return step(f.unit, decimals)


def _phase_of(ix: Index) -> str:
    return "budget" if ix.report.report.kind == "budget" else "actual"


def _fact_label(f: Fact) -> str:
    what = "/".join(f.path) if f.path else f.indicator
    shown = f"{f.value}" if f.unit == "%" else f.printed
    return f"narrative {what} {shown}{f.unit or ''} (p.{f.page} l.{f.line})"


# the phases a column's measure may name: such a column prints the amount of that phase
PHASES = ("budget", "adjusted_budget", "actual")


def narrative_table(rule: Rule, ix: Index) -> Iterator[Check]:
    """Money the narrative states for the report's year against the table cell it
    speaks about (totals, and function lines by their code): the report's own phase, or
    the phase a cell's column prints (the 三公 预算数 of a 决算)."""
    phase, year = _phase_of(ix), ix.report.report.year
    for f in ix.report.facts:
        if f.amount is None or (f.period and year and f.period != year):
            continue
        if f.indicator == "function_line":
            if f.code and f.phase == phase:
                yield from _function_line(rule, ix, f)
            continue
        where = [*_own_cell(f.indicator), *fact_also_cells().get(f.indicator, ())]
        if where:
            yield from _against_any(rule, ix, f, _stated_cells(ix, f, where, phase))


def _own_cell(indicator: str) -> list[tuple[str, str, str]]:
    return [fact_cells()[indicator]] if indicator in fact_cells() else []


def _stated_cells(
    ix: Index, f: Fact, where: list[tuple[str, str, str]], phase: str
) -> list[LineItem]:
    """The cells of `where` (facts.yaml `cells` and `also_cells`) the report prints once,
    whose phase is the fact's: a column measuring a phase (预算数, 决算数) prints that
    phase, any other the report's own.  A key "=name" is a row without code or row id
    printed under that name (政府采购 by category: "A-货物", "C/服务")."""
    cells = []
    for tid, key, col in where:
        if f.phase != (_column_phase(ix, tid, col) or phase):
            continue
        rows = ix.rows.get(tid, {})
        found = [r[col] for k, r in rows.items() if col in r and _is_row(k, r[col], key)]
        cells += found if len(found) == 1 else []
    return cells


# the letter a category line of a list table is numbered with: "A-货物", "B/工程"
_CATEGORY_MARK = re.compile(r"^[A-Z][-/、.．]?")


def _is_row(k: str, li: LineItem, key: str) -> bool:
    """Row `k` (its cell `li`) is the row `key` names: "" any row, "#id" the registry row,
    "=name" a row without code or row id printed under that name."""
    if key.startswith("="):
        named = li.code is None and li.row is None and li.item is not None
        return named and _CATEGORY_MARK.sub("", li.item or "") == key[1:]
    return not key or k == key


def _column_phase(ix: Index, tid: str, col: str) -> str | None:
    """The phase column `col` of table `tid` prints, when its measure is one."""
    spec = ix.specs.get(tid)
    kind = ix.report.report.kind
    for c in spec.all_columns() if spec else []:
        if c.id == col and (measure := c.measure_for(kind)) in PHASES:
            return measure
    return None


def _against_any(rule: Rule, ix: Index, f: Fact, cells: list[LineItem]) -> Iterator[Check]:
    """A stated amount agrees when one of the cells prints it (it confirms every cell
    that does); otherwise it is compared with the nearest cell (a `rounding` warning
    or the rule's finding)."""
    amount = f.amount or Decimal(0)
    if not cells:
        return
    same = [li for li in cells if li.amount == amount]
    if same:
        yield Check(rule.id, True, (f, *same), equal_confirms(f, *same))
        return
    li = min(cells, key=lambda c: abs(c.amount - amount))
    yield compare(
        rule,
        amount,
        li.amount,
        max(_fact_step(f), ix.step(li.table)),
        f"{_label(li)} ≠ {_fact_label(f)}",
        [_fact_at(f), _at(li)],
        (f, li),
        equal_confirms(f, li),
    )


def _stated(ix: Index) -> dict[tuple[str, str | None, int | None], Fact]:
    """The narrative's money by (indicator, phase, period), where it states one amount
    (an indicator stated with two amounts is not a term any sum can take)."""
    seen: dict[tuple[str, str | None, int | None], list[Fact]] = {}
    for f in ix.report.facts:
        if f.amount is not None and f.indicator != "function_line" and not f.path:
            seen.setdefault((f.indicator, f.phase, f.period), []).append(f)
    return {k: v[0] for k, v in seen.items() if len({f.amount for f in v}) == 1}


def _in_printed_unit(amount: Decimal, terms: Sequence[Member]) -> str:
    """A sum of printed amounts as the report would print it: in their unit, with the
    most decimals any term prints (exact: the terms are printed amounts)."""
    unit = terms[0].unit or "元"
    if any(t.unit != unit for t in terms) or unit not in UNIT_FACTOR:
        return f"{money(amount)} 元"
    places = max(
        (len(p.split(".")[1]) if "." in p else 0 for t in terms if (p := t.printed)), default=0
    )
    value = (amount / UNIT_FACTOR[unit]).quantize(Decimal(1).scaleb(-places))
    return f"{value}{unit}"


def _sum_text(amount: Decimal, terms: Sequence[Member]) -> str:
    """A table sum in the table's printed unit, as a reader checks it against the page
    ("440.88万元"), with the amount in 元 beside it."""
    shown, yuan = _in_printed_unit(amount, terms), f"{money(amount)} 元"
    return yuan if shown == yuan or terms[0].unit == "元" else f"{shown} ({yuan})"


def _fact_tolerance(facts: list[Fact]) -> Decimal:
    """One unit of the last printed place per term, on the coarsest side."""
    return max(_fact_step(f) for f in facts) * len(facts)


def narrative_sums(rule: Rule, ix: Index) -> Iterator[Check]:
    """The narrative's own sums (facts.yaml `sums` and `bounds`), within one phase and
    period: 政府采购 = 货物 + 工程 + 服务 when all three are stated (the stated parts may not
    exceed it when one is not), 中小企业 ≤ 政府采购, 小微 ≤ 中小企业, the 三公 parts."""
    stated = _stated(ix)
    moments = {(phase, period) for (_, phase, period) in stated}
    for phase, period in sorted(moments, key=str):
        for total_id, part_ids in fact_sums():
            total = stated.get((total_id, phase, period))
            parts = [f for p in part_ids if (f := stated.get((p, phase, period)))]
            if total is None or len(parts) < 2:
                continue
            complete = len(parts) == len(part_ids)
            if complete:
                parts = _with_extras(stated, total, parts, phase, period)
            amount = sum((f.amount or Decimal(0) for f in parts), Decimal(0))
            names = " + ".join(_fact_label(f) for f in parts)
            yield _compare_parts(
                rule,
                total.amount or Decimal(0),
                amount,
                total,
                parts,
                f"{names} = {_in_printed_unit(amount, parts)} "
                f"{'≠' if complete else '>'} {_fact_label(total)}",
                "eq" if complete else "le",
            )
        for part_id, whole_id in fact_bounds():
            part = stated.get((part_id, phase, period))
            whole = stated.get((whole_id, phase, period))
            if part is None or whole is None:
                continue
            yield compare(
                rule,
                whole.amount or Decimal(0),
                part.amount or Decimal(0),
                _fact_tolerance([part, whole]),
                f"{_fact_label(part)} > {_fact_label(whole)}",
                [_fact_at(part), _fact_at(whole)],
                (part, whole),
                (),
                "le",
            )


def _with_extras(
    stated: dict[tuple[str, str | None, int | None], Fact],
    total: Fact,
    parts: list[Fact],
    phase: str | None,
    period: int | None,
) -> list[Fact]:
    """The parts, with the terms the total may also hold (facts.yaml `may_include`) when
    they are stated and the total is their sum with them: 支出预算 529,260.34 = 基本
    376,567.92 + 项目 138,255.42 + 年终结转结余 14,437 (the 支出总计, not 本年支出)."""
    extras = [
        g
        for x in fact_sum_extras().get(total.indicator, ())
        if (g := stated.get((x, phase, period)))
    ]
    if not extras:
        return parts
    amount = sum((f.amount or Decimal(0) for f in parts), Decimal(0))
    more = amount + sum((g.amount or Decimal(0) for g in extras), Decimal(0))
    whole = total.amount or Decimal(0)
    return [*parts, *extras] if abs(whole - more) < abs(whole - amount) else parts


# ---------------------------------------------- a line's parts (narrative-line-sum)

# "与上年一致", "与上年预算数相同", "与上年相未发生变化": a line stated without change
_UNCHANGED = re.compile(r"与上年[^,，。;；]{0,8}(一致|相同|持平|未发生变化|无变化)")
LineKey = tuple[str, int | None, int]  # (phase, period, source)


def narrative_line_sums(rule: Rule, ix: Index) -> Iterator[Check]:
    """A 类 (or 款) the narrative states against the 款/项 it states under it, within one
    phase, period and source: its amount = Σ theirs when they are every line the tables
    print under it (in the table whose line prints the stated amount: one fund's lines);
    its change on the year before = Σ their changes when every one of them has a stated
    change (or "与上年一致"), they are every printed line or their amounts add up to its
    amount, and they are one money the year before too: stated in one passage with it, or
    the narrative shows all the report's money is 财政拨款 in both years (a 类 of the
    支出预算总计 and the 项 of the 财政拨款 section differ by the other funds of the year
    before, which no table prints).  A set of lines left incomplete says nothing: a line
    left unsaid may hold the difference."""
    levels: dict[LineKey, list[Fact]] = {}
    for f in ix.report.facts:
        if f.indicator == "function_line" and f.amount is not None and f.path:
            levels.setdefault((f.phase or "", f.period, f.source), []).append(f)
    changes = [
        f for f in ix.report.facts if f.indicator == "function_line_change" and f.amount is not None
    ]
    for facts in levels.values():
        for parent in _once_each(facts):
            code = parent.code or ""
            if len(code) not in (3, 5):
                continue
            for level in (5, 7):
                kids = _stated_below(facts, parent, level)
                if kids:
                    yield from _line_parts(rule, ix, parent, kids, changes)


def _once_each(facts: list[Fact]) -> list[Fact]:
    """Lines stated with one amount (a line stated twice alike counts once; a line stated
    with two amounts is no term: narrative-twice speaks of it)."""
    by_line: dict[str, list[Fact]] = {}
    for f in facts:
        by_line.setdefault(_line_id(f), []).append(f)
    return [fs[0] for fs in by_line.values() if len({f.amount for f in fs}) == 1]


def _line_id(f: Fact) -> str:
    return f.code or "/".join(f.path or [])


def _stated_below(facts: list[Fact], parent: Fact, level: int) -> list[Fact] | None:
    """The lines of `level` the narrative states under `parent`, once each; a line whose
    code is not resolved belongs by its names (类, and 款 under a 款: "公共安全（类）法院
    （款）一般行政事务管理（项）" under 204 though its name is not the vocabulary's).  None
    when one of them is stated with two amounts."""
    below = [f for f in facts if _under(f, parent, level)]
    kids = _once_each(below)
    return kids if len(kids) == len({_line_id(f) for f in below}) else None


def _under(f: Fact, parent: Fact, level: int) -> bool:
    code, path, names = parent.code or "", f.path or [], parent.path or []
    if f.code:
        return len(f.code) == level and f.code.startswith(code)
    return (
        len(path) == {5: 2, 7: 3}[level]
        and _class_name(path) == _class_name(names)
        and (len(code) == 3 or (len(names) >= 2 and path[1] == names[1]))
    )


def _class_name(path: list[str]) -> str:
    return (path[0] if path else "").removesuffix("支出")


def _line_parts(
    rule: Rule, ix: Index, parent: Fact, kids: list[Fact], changes: list[Fact]
) -> Iterator[Check]:
    """The checks of one parent and its stated lines of one level (see narrative_line_sums)."""
    printed = _printed_below(ix, parent, kids)
    if printed and len(kids) >= 2:
        yield _parts_check(rule, parent, kids, "amount")
    change = _change_of(parent, changes)
    kid_changes = [_change_of(f, changes) for f in kids]
    if not isinstance(change, Fact) or any(c is None for c in kid_changes):
        return
    stated = [c for c in kid_changes if isinstance(c, Fact)]
    amount = sum((f.amount or Decimal(0) for f in kids), Decimal(0))
    adds_up = abs(amount - (parent.amount or 0)) <= _fact_tolerance([parent, *kids])
    same_money = _one_passage(ix, parent, kids) or _one_scope(ix)
    if (printed or adds_up) and same_money and stated:
        check = _parts_check(rule, change, stated, "change", parent)
        # a line printed last year and gone this year (or stated nowhere) changed by minus
        # its whole amount: the parent's change may fall short of Σ the stated changes by
        # it, never exceed it.  Falling short is no contradiction the text proves
        below = (change.amount or 0) < sum((f.amount or Decimal(0) for f in stated), Decimal(0))
        if check.holds or not below:
            yield check


def _printed_below(ix: Index, parent: Fact, kids: list[Fact]) -> bool:
    """Whether the stated lines are every line a table prints (non-zero) under the parent,
    in a table whose line of the parent's code prints the stated amount (the fund, or the
    whole, the narrative speaks of), each stated as that table prints it or as no table
    prints it (a slip; a line another table prints with the stated amount is of another
    fund: 城乡社区支出 842,090.31 of the 支出总表 against its 一般公共预算 项)."""
    code = parent.code or ""
    level = len(kids[0].code or "")
    stated = {f.code or "": f.amount for f in kids}
    for tid, col in (*FUNCTION_LINE_CELLS, *ALL_FUNDS_LINE_CELLS):
        rows = ix.rows.get(tid, {})
        cell = rows.get(code, {}).get(col)
        if cell is None or cell.amount != parent.amount:
            continue
        if any(k.startswith(f"~{tid}:{code}") for k in rows):
            continue  # a code printed on several rows: no one set of lines
        below = {
            k: r[col].amount
            for k, r in rows.items()
            if len(k) == level and k.startswith(code) and col in r and r[col].amount != 0
        }
        if set(below) == set(stated) and all(
            below[k] == a or not _printed_at(ix, k, a) for k, a in stated.items()
        ):
            return True
    return False


def _printed_at(ix: Index, code: str, amount: Decimal | None) -> bool:
    """Whether any table prints `amount` on the line of `code`."""
    return any(
        li.amount == amount for rows in ix.rows.values() for li in rows.get(code, {}).values()
    )


def _one_passage(ix: Index, parent: Fact, kids: list[Fact]) -> bool:
    """The lines are stated right after the parent, nothing else between but them and
    their changes: "一般公共服务（类）支出X万元，其中：行政运行（项）…" speaks of one
    fund's money (a 类 of the 支出预算总计 and the 项 of a later 财政拨款 section may not)."""
    code, last = parent.code or "", max(f.line for f in kids)
    return all(f.line >= parent.line and f.source == parent.source for f in kids) and all(
        g.indicator.startswith("function_line") and (g.code or "").startswith(code)
        for g in ix.report.facts
        if g.source == parent.source and parent.line <= g.line <= last
    )


# (the whole, the fiscal appropriations): the same money when both years' amounts agree
_WHOLE_AND_FISCAL = (
    ("total_expenditure", "fiscal_appropriation_expenditure"),
    ("total_income", "fiscal_appropriation_income"),
)


def _one_scope(ix: Index) -> bool:
    """Whether the narrative shows all the report's money is fiscal appropriations in both
    years (the total and the appropriations stated alike, and their changes too): then a
    line of its 支出预算总计 and the 财政拨款 lines under it are one money.  Otherwise the
    year before may hold other funds (无锡's 商业服务业等支出 fell 22,614.28 over all funds,
    12,614.28 of appropriations: 10,000 of 其他收入 the year before)."""
    stated = _stated(ix)
    phase, year = _phase_of(ix), ix.report.report.year
    for whole, fiscal in _WHOLE_AND_FISCAL:
        pairs = [
            (stated.get((f"{whole}{x}", phase, year)), stated.get((f"{fiscal}{x}", phase, year)))
            for x in ("", "_change")
        ]
        if all(a and b and a.amount == b.amount for a, b in pairs):
            return True
    return False


def _change_of(line: Fact, changes: list[Fact]) -> Fact | bool | None:
    """The change the narrative states with a line (its sentence or the next few lines,
    before the line is stated again); True when it says the line did not change; None
    when it says nothing (or two different changes)."""
    found = {
        c.amount: c
        for c in changes
        if c.code == line.code
        and (line.code or c.path == line.path)
        and c.source == line.source
        and c.phase == line.phase
        and c.period == line.period
        and 0 <= c.line - line.line <= 3
        and not _RESTATED.search(c.text)
    }
    if len(found) == 1:
        return next(iter(found.values()))
    if not found and _UNCHANGED.search(line.text):
        return True
    return None


def _parts_check(
    rule: Rule, total: Fact, parts: list[Fact], what: str, line: Fact | None = None
) -> Check:
    amount = sum((f.amount or Decimal(0) for f in parts), Decimal(0))
    label = "/".join((line or total).path or []) + f" {what}"
    names = " + ".join(f"{_signed(f)} (p.{f.page} l.{f.line})" for f in parts)
    return _compare_parts(
        rule,
        amount,
        total.amount or Decimal(0),
        total,
        parts,
        f"narrative {label} {_signed(total)} (p.{total.page} l.{total.line}) ≠ {names} = "
        f"{_in_printed_unit(amount, parts)} ({len(parts)} lines below {(line or total).code})",
    )


def _compare_parts(
    rule: Rule,
    expected: Decimal,
    printed: Decimal,
    total: Fact,
    parts: list[Fact],
    message: str,
    direction: str = "eq",
) -> Check:
    """`compare` for a narrative total and its stated parts: the tolerance of all their
    printed places, every fact as a place, and confirmation only where at least two parts
    state an amount (one part equal to its total proves no sum)."""
    return compare(
        rule,
        expected,
        printed,
        _fact_tolerance([total, *parts]),
        message,
        [_fact_at(total), *(_fact_at(f) for f in parts)],
        (total, *parts),
        (total, *parts) if sum(1 for f in parts if f.amount) >= 2 else (),
        direction,
    )


# ------------------------------------------ one item, two amounts (narrative-twice)

ItemKey = tuple[str, str | None, int | None, str | None, str | None]


def narrative_twice(rule: Rule, ix: Index) -> Iterator[Check]:
    """The same item (indicator, phase, period, function line, compared year) stated with
    two amounts.  Silent where two statements may be of two things named alike: an
    indicator whose phrases name two amounts (facts.yaml `named_alike`: 收入总计 and 本年
    收入合计) is one item only under one same phrase, both amounts printed in the tables
    (a 类 over all funds and its 财政拨款 part), a change stated with two different levels
    (of two scopes), a change restated on another basis (口径)."""
    items: dict[tuple[ItemKey, str], list[Fact]] = {}
    alike = fact_named_alike()
    for f in ix.report.facts:
        if f.amount is None or _RESTATED.search(f.text):
            continue
        # an indicator named alike is one item only under one same phrase
        phrase = _phrase_of(f) if f.indicator in alike else ""
        if phrase is not None:
            items.setdefault((_item_key(f), phrase), []).append(f)
    for facts in items.values():
        first: dict[Decimal, Fact] = {}
        for f in sorted(facts, key=lambda g: (g.source, g.line)):
            first.setdefault(f.amount or Decimal(0), f)
        if len(first) < 2:
            continue
        stated = list(first.values())
        for i, a in enumerate(stated):
            for b in stated[i + 1 :]:
                if _two_things(ix, a, b):
                    continue
                yield compare(
                    rule,
                    a.amount or Decimal(0),
                    b.amount or Decimal(0),
                    max(_fact_step(a), _fact_step(b)),
                    f"{_fact_label(b)} ≠ {_fact_label(a)}",
                    [_fact_at(a), _fact_at(b)],
                    (a, b),
                    (),
                )


@lru_cache(maxsize=1)
def _phrases() -> re.Pattern[str]:
    """The lexicon's phrases, longest first (as the narrative reader matches them)."""
    return re.compile("|".join(map(re.escape, sorted(lexicon_phrases(), key=len, reverse=True))))


def _phrase_of(f: Fact) -> str | None:
    """The lexicon phrase that names a stated amount: the last one in its clause, right
    before the number ("本年收入合计", "收入总计"); None when the clause names none (the
    subject carried over), names another line before it ("…彩票公益金支出财政拨款支出61
    万元": that line's part) or the number is not found in the sentence as printed."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", f.text)
    number = re.compile(rf"(?<![\d.]){re.escape(f.printed or '')}(?![\d])")
    # the number printed twice in the sentence under two phrases: which one is unknown
    named = {_phrase_before(text[: at.start()]) for at in number.finditer(text)}
    return named.pop() if f.printed and len(named) == 1 else None


def _phrase_before(text: str) -> str | None:
    clause = re.split(r"[,;:，；：。\d]", text)[-1]
    hits = list(_phrases().finditer(clause))
    if not hits or _OTHER_LINE.search(clause[: hits[-1].start()]):
        return None
    return hits[-1].group()


# a line of its own named right before a phrase ("…公益金支出财政拨款支出61万元")
_OTHER_LINE = re.compile(r"(支出|收入|经费|费)(的|中)?$")


def _item_key(f: Fact) -> ItemKey:
    line = f.code or ("/".join(f.path) if f.path else None)
    return (f.indicator, f.phase, f.period, line, f.base)


def _two_things(ix: Index, a: Fact, b: Fact) -> bool:
    """Whether two statements may speak of two things: levels both printed in the tables,
    changes not stated with one same level."""
    if a.indicator.endswith("_change"):
        level_a, level_b = _level_of(ix, a), _level_of(ix, b)
        return level_a is None or level_b is None or level_a.amount != level_b.amount
    return _printed_anywhere(ix, a.amount) and _printed_anywhere(ix, b.amount)


def _level_of(ix: Index, change: Fact) -> Fact | None:
    """The level a change is stated with: the line's amount in its sentence or the few
    lines before it (the nearest)."""
    indicator = change.indicator.removesuffix("_change")
    found = [
        g
        for g in ix.report.facts
        if g.indicator == indicator
        and g.amount is not None
        and g.source == change.source
        and g.phase == change.phase
        and g.period == change.period
        and g.path == change.path
        and 0 <= change.line - g.line <= 3
    ]
    return max(found, key=lambda g: g.line) if found else None


def _printed_anywhere(ix: Index, amount: Decimal | None) -> bool:
    return any(li.amount == amount for li in ix.report.line_items)


# where a function line of the narrative's 财政拨款支出 part is printed, in order
FUNCTION_LINE_CELLS = (
    ("gpb_expenditure", "total"),
    ("fiscal_summary", "total"),
    ("gov_fund", "expenditure_total"),
    ("state_capital", "total"),
)
# where the line's amount over all funds is printed: a narrative that lists the classes of
# its 支出预算总计 (all funds: 城乡社区支出 49,055.17 of which 45,559.19 is 政府性基金
# 拨款 and 3,495.98 other funds) speaks of these, not of a fiscal table's line
ALL_FUNDS_LINE_CELLS = (
    ("expenditure", "total"),
    ("income_expenditure_summary", "amount"),
)


def _line_cells(ix: Index, code: str, where: tuple[tuple[str, str], ...]) -> list[LineItem]:
    return [
        ix.rows[tid][code][col] for tid, col in where if col in ix.rows.get(tid, {}).get(code, {})
    ]


def _function_line(rule: Rule, ix: Index, f: Fact) -> Iterator[Check]:
    """A function line the narrative names by 类/款/项 against the fiscal tables
    that print its code (general budget, fiscal summary, government funds, state
    capital): agreeing with one is enough; a code no table prints is reported with
    the cells of the same level that print the stated amount.  The line's amount over
    all funds (支出总表, 收支总表) agrees too: a narrative listing the classes of its
    支出预算总计 names no fund.  Without any fiscal table (published apart, 见附件)
    there is nothing to compare with."""
    code, amount = f.code or "", f.amount or Decimal(0)
    if not any(ix.rows.get(tid) for tid, _ in FUNCTION_LINE_CELLS):
        return
    cells = _line_cells(ix, code, FUNCTION_LINE_CELLS)
    if cells:
        # the line's amount over all funds agrees too: the narrative names no fund
        # (a fiscal table's amount is tried first: what the check confirms stays the same)
        whole = [li for li in _line_cells(ix, code, ALL_FUNDS_LINE_CELLS) if li.amount == amount]
        if not any(li.amount == amount for li in cells) and whole:
            cells = whole
        yield from _against_any(rule, ix, f, cells)
        return
    whole = [li for li in _line_cells(ix, code, ALL_FUNDS_LINE_CELLS) if li.amount == amount]
    if whole:
        yield from _against_any(rule, ix, f, whole)
        return
    same = [
        r[col]
        for tid, col in FUNCTION_LINE_CELLS
        for k, r in sorted(ix.rows.get(tid, {}).items())
        if len(k) == len(code) and col in r and r[col].amount == amount
    ]
    printed = f"; {f.printed} is printed at {', '.join(map(_label, same))}" if same else ""
    finding = Finding(
        rule.id,
        rule.severity,
        f"{rule.doc_zh}：{_fact_label(f)} names code {code}, which no fiscal table prints{printed}",
        [_fact_at(f), *(_at(li) for li in same)],
    )
    # the cells that print the amount elsewhere are named, not contradicted
    yield Check(rule.id, False, (f,), (), finding)


def percentages(rule: Rule, ix: Index) -> Iterator[Check]:
    """Stated percentages against the amounts the narrative states with them:
    X_share = X / base, X_rate = actual / budget, X_change_pct = change / (X − change)."""
    facts = ix.report.facts
    money_facts = [f for f in facts if f.amount is not None]

    def nearest(f: Fact, indicator: str, phase: str | None = None) -> Fact | None:
        """The closest money fact before (or on) the line of `f`."""
        best = None
        for g in money_facts:
            if (
                g.indicator == indicator
                and g.source == f.source
                and g.line <= f.line
                and (phase is None or g.phase == phase)
                # "2026年支出预算X万元，比2025年年初预算数Y万元减少…": Y is 2025's
                and (g.period is None or f.period is None or g.period == f.period)
                # a line or a listed part is the one of its own name
                and (g.path == f.path or indicator not in ("function_line", "list_item"))
                and (best is None or g.line >= best.line)
            ):
                best = g
        return best

    for f in facts:
        if f.unit != "%" or f.value is None:
            continue
        name = f.indicator
        if name.endswith("_share") and f.base and f.base != name[: -len("_share")]:
            num = nearest(f, name[: -len("_share")], f.phase)
            den = nearest(f, f.base, f.phase)
            if num and den and num.amount is not None and den.amount:
                den_amount, text, terms = _share_base(ix, f, num, den)
                yield from _percent(rule, f, [num, den], num.amount, den_amount, text, terms)
            elif num and num.amount is not None and den is None:
                yield from _share_of_listed_parts(rule, money_facts, f, num)
        elif name.endswith("_rate"):
            num = nearest(f, name[: -len("_rate")], "actual")
            den = nearest(f, name[: -len("_rate")], "budget")
            if num and den and num.amount is not None and den.amount:
                text = f"{num.printed} / {den.printed}"
                terms = ([num], [den])
                yield from _percent(rule, f, [num, den], num.amount, den.amount, text, terms)
        elif name.endswith("_change_pct") and not _RESTATED.search(f.text):
            base = name[: -len("_change_pct")]
            num = nearest(f, f"{base}_change", f.phase)
            now = nearest(f, base, f.phase)
            if num and now and num.amount is not None and now.amount is not None:
                before = now.amount - num.amount
                text = f"{_signed(num)} / ({now.printed} − ({_signed(num)}))"
                if before:
                    terms = ([num], [now, num])
                    yield from _percent(rule, f, [num, now], num.amount, before, text, terms)
                elif f.value and num.amount:
                    yield _zero_base(rule, f, [num, now], text)
            elif now and now.amount is not None and now.period:
                # no change stated, the year before's amount is: "2025年预算执行数为X万元，
                # 2026年预算安排Y万元，比上年增加Z%" — Z = (Y − X) / X
                yield from _against_prior(rule, money_facts, f, now)


# "按与上年统计口径一致相比，本年比上年减少161.96万元，下降了4.39%": a change between
# amounts restated on one basis, which the narrative does not state
_RESTATED = re.compile(r"口径")


def _share_base(
    ix: Index, f: Fact, num: Fact, den: Fact
) -> tuple[Decimal, str, tuple[list[Fact], list[Fact]]]:
    """The amount a share is of: the stated total, or the sum of its stated parts when the
    share is the ratio of that (基本支出 "占本年支出预算73.15%" of 基本 + 项目 = 514,823.34
    when the 支出预算 529,260.34 also holds the 年终结转结余 14,437).  Precision first: a
    share that is the ratio of either holds."""
    total = den.amount or Decimal(0)
    text = f"{num.printed} / {den.printed}"
    stated = _stated(ix)
    value = f.value or Decimal(0)
    for total_id, part_ids in fact_sums():
        parts = [stated.get((p, den.phase, den.period)) for p in part_ids]
        if total_id != den.indicator or num.indicator not in part_ids or None in parts:
            continue
        whole = sum((g.amount or Decimal(0) for g in parts if g), Decimal(0))
        if whole and abs((num.amount or 0) / whole * 100 - value) < abs(
            (num.amount or 0) / total * 100 - value
        ):
            named = " + ".join(g.printed or "" for g in parts if g)
            return whole, f"{num.printed} / ({named})", ([num], [g for g in parts if g])
    return total, text, ([num], [den])


# how far (in text lines) the parts of a listed share may stand from it: one passage
_LIST_REACH = 6


def _share_of_listed_parts(
    rule: Rule, money_facts: list[Fact], f: Fact, num: Fact
) -> Iterator[Check]:
    """A share of a total the narrative does not state, but divides into parts it lists
    with a share each ("“三公”经费预算支出中，因公出国（境）费支出222.5万元，占“三公”经费的
    8.75%；公务用车…183.6万元，占…；公务接待费…427.5万元，占…" — no 三公 total): every share
    of the list is of the parts' sum, when every part of the total (facts.yaml `sums`) is
    stated once in the passage."""
    for total_id, part_ids in fact_sums():
        if total_id != f.base or num.indicator not in part_ids:
            continue
        parts = [_listed_part(money_facts, f, num, p) for p in part_ids]
        known = [g for g in parts if g is not None and g.amount is not None]
        if len(known) < len(parts):
            return
        whole = sum((g.amount or Decimal(0) for g in known), Decimal(0))
        if not whole:
            return
        named = " + ".join(g.printed or "" for g in known)
        text = f"{num.printed} / ({named})"
        yield from _percent(
            rule, f, [num, *known], num.amount or Decimal(0), whole, text, ([num], known)
        )
        return


def _listed_part(money_facts: list[Fact], f: Fact, num: Fact, indicator: str) -> Fact | None:
    """The one amount of `indicator` stated in the share's passage (its phase and period,
    a few lines around it); None when none is, or several different ones are."""
    if indicator == num.indicator:
        return num
    found = [
        g
        for g in money_facts
        if g.indicator == indicator
        and g.source == f.source
        and g.phase == num.phase
        and g.period == num.period
        and abs(g.line - f.line) <= _LIST_REACH
    ]
    if len({g.amount for g in found}) != 1:
        return None
    # the list's own statement of it: the closest (the passage may repeat it after the list)
    return min(found, key=lambda g: (abs(g.line - f.line), g.line))


def _against_prior(rule: Rule, money_facts: list[Fact], f: Fact, now: Fact) -> Iterator[Check]:
    """A rate of change against the year before's amount stated in the same passage. The
    passage may state this year's amount twice (the line's 350.35 and its 安排 352.67):
    the rate holds when it is the rate of either."""
    prior = _stated_before(money_facts, f, now)
    if prior is None or prior.amount is None:
        return
    if not prior.amount:
        if f.value and now.amount:
            text = f"({now.printed} − {prior.printed}) / {prior.printed}"
            yield _zero_base(rule, f, [now, prior], text)
        return
    base = prior.amount
    nows = [g for g in money_facts if _same_line_item(g, now) and 0 <= f.line - g.line <= 3]
    value = f.value or Decimal(0)
    best = min(
        [now, *nows], key=lambda g: abs((g.amount or Decimal(0)) - base - value * base / 100)
    )
    change = (best.amount or Decimal(0)) - base
    text = f"({best.printed} − {prior.printed}) / {prior.printed}"
    yield from _percent(rule, f, [best, prior], change, base, text, ([best, prior], [prior]))


def _same_line_item(g: Fact, now: Fact) -> bool:
    return (
        g.indicator == now.indicator
        and g.path == now.path
        and g.period == now.period
        and g.source == now.source
    )


def _stated_before(money_facts: list[Fact], f: Fact, now: Fact) -> Fact | None:
    """The amount of `now`'s indicator stated for the year before, in the same passage
    (at most a few lines above the percentage), when exactly one is."""
    year = (now.period or 0) - 1
    found = {
        g.amount: g
        for g in money_facts
        if g.indicator == now.indicator
        and g.period == year
        and g.source == f.source
        and 0 <= f.line - g.line <= 3
        and g.path == now.path
    }
    return next(iter(found.values())) if len(found) == 1 else None


def _zero_base(rule: Rule, f: Fact, used: list[Fact], formula: str) -> Check:
    """A rate of change against a year that had nothing: no percentage is defined."""
    where = [_fact_at(f), *(_fact_at(g) for g in used)]
    text = f"{_fact_label(f)} but the base is 0 ({formula}): no rate of change exists"
    finding = Finding(rule.id, rule.severity, f"{rule.doc_zh}：{text}", where)
    return Check(rule.id, False, (f, *used), (), finding)


def _half_cent(f: Fact) -> Decimal:
    """Half a unit of the last designed decimal of a narrative amount (0.005 万元 = 50 元:
    the narrative prints money to 2 decimals, "14.7万元" is 14.70 rounded)."""
    return to_yuan(Decimal("0.005"), f.unit if f.unit in UNIT_FACTOR else "万元")


def _ratio_slack(
    top: Decimal, bottom: Decimal, terms: tuple[Sequence[Fact], Sequence[Fact]]
) -> Decimal:
    """How far (in %) the ratio top / bottom may move when each printed amount it is
    computed from is off by its rounding: (Δtop + |ratio|·Δbottom) / |bottom|."""
    over, under = (sum((_half_cent(g) for g in side), Decimal(0)) for side in terms)
    return (over + abs(top / bottom) * under) / abs(bottom) * 100


def _signed(f: Fact) -> str:
    return f"{'-' if (f.amount or 0) < 0 else ''}{f.printed}"


def _percent(
    rule: Rule,
    f: Fact,
    used: list[Fact],
    top: Decimal,
    bottom: Decimal,
    formula: str,
    terms: tuple[Sequence[Fact], Sequence[Fact]],
) -> Iterator[Check]:
    """The printed rounding of the ratio of the printed amounts (within half a unit of
    the percentage's last printed decimal): it holds.  Within one unit, or within half a
    unit plus what the rounding of the amounts it is computed from can move the ratio
    (`terms`: the facts of top and bottom; a share of 2.4万元 moves by 0.4%): `rounding`.
    Beyond: a contradiction.  (Narrative only: no table amount takes part.)"""
    value = f.value or Decimal(0)
    decimals = max(0, -int(value.as_tuple().exponent))
    unit = Decimal(1).scaleb(-decimals)
    computed = top / bottom * 100
    diff = abs(computed - value)
    slack = _ratio_slack(top, bottom, terms)
    members = (f, *used)
    if diff <= unit / 2:
        yield Check(rule.id, True, members)
        return
    where = [_fact_at(f), *(_fact_at(g) for g in used)]
    text = f"{_fact_label(f)} but {formula} = {computed:.{decimals + 2}f}%"
    if diff <= unit or diff <= unit / 2 + slack:
        why = "" if diff <= unit else f": the amounts' rounding moves it by up to {slack:.4f}%"
        warning = f"[{rule.id}] {text} (within rounding tolerance{why})"
        yield Check(rule.id, True, members, (), Finding(ROUNDING, Severity.WARNING, warning, where))
    else:
        yield Check(
            rule.id,
            False,
            members,
            (),
            Finding(rule.id, rule.severity, f"{rule.doc_zh}：{text}", where),
        )


@dataclass(frozen=True)
class Rule:
    """A validation rule: its id (the finding code) and its check; its severity and docs
    are the finding catalogue's (data/findings.yaml), not repeated here."""

    id: str
    check: Callable[[Rule, Index], Iterable[Check]]

    @property
    def severity(self) -> Severity:
        return finding_code(self.id).severity

    @property
    def doc_en(self) -> str:
        return finding_code(self.id).doc_en

    @property
    def doc_zh(self) -> str:
        return finding_code(self.id).doc_zh

    def __call__(self, ix: Index) -> Iterable[Check]:
        return self.check(self, ix)


# the order in which the rules run (validate's output is sorted, not in this order)
RULES: list[Rule] = [
    Rule("row-sum", row_sums),
    Rule("hierarchy-sum", hierarchy_sums),
    Rule("repeated-row", copies),
    Rule("balance", balance),
    Rule("cross-table", cross_table),
    Rule("empty-contradicted", empty_contradicted),
    Rule("cross-classification", cross_classifications),
    Rule("narrative-table", narrative_table),
    Rule("narrative-sum", narrative_sums),
    Rule("narrative-line-sum", narrative_line_sums),
    Rule("narrative-twice", narrative_twice),
    Rule("percentage", percentages),
]
