"""Cell placement: decide the column of every printed number.

A text row that prints k numbers in a table of n columns could have them in
any C(n, k) order-preserving positions.  The engine keeps, per row, the set
of positions still possible and narrows it in stages; the stage after which
a number's column is certain is its ``placed_by`` (CONTRACT.md):

1. ``complete``  – the row prints every column;
2. ``identity``  – the table's own arithmetic: row identities (total = Σ parts,
   blank counted as 0 in the check) and families (parent = Σ children in every
   column), solved jointly by generalised arc consistency over the families;
3. ``cross-table`` – prefer positions agreeing with placed cells of other
   tables (registry ``evidence`` links), then identities again;
4. ``narrative`` – prefer positions agreeing with the narrative facts
   (and contradicting none), then identities again;
5. ``unplaced`` – still open: the number keeps its candidate columns.

Evidence is never an equality: it only chooses among positions the
identities allow, and only when it discriminates.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from fiscalpub.parse.region import RawRow
from fiscalpub.registry import Column, TableSpec

Vector = tuple[Decimal | None, ...]
Assignment = tuple[int, ...]
#: an identity over a row's cells (they are read by column index, blank = None)
Check = Callable[[Sequence[Decimal | None]], bool]
#: a check with the last column it reads
RowCheck = tuple[int, Check]
ENUMERATION_CAP = 200_000


@dataclass
class RowState:
    raw: RawRow
    columns: list[Column]
    domain: list[Assignment]
    placed_by: list[str | None] = field(default_factory=list)
    identity_broken: bool = False
    layout_conflict: bool = False

    def vector(self, a: Assignment) -> Vector:
        v: list[Decimal | None] = [None] * len(self.columns)
        for num, col in zip(self.raw.nums, a, strict=True):
            v[col] = num.value
        return tuple(v)

    def col_index(self, col_id: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c.id == col_id:
                return i
        return None

    def options(self, k: int) -> set[int]:
        return {a[k] for a in self.domain}


@dataclass
class Family:
    parent: int
    children: list[int]
    broken: bool = False


def _close(a: Decimal | None, b: Decimal | None, tol: Decimal) -> bool:
    return abs((a or Decimal(0)) - (b or Decimal(0))) <= tol


def _layout_order(state: RowState) -> tuple[int, ...] | None:
    """The columns the page layout gives every number of the row, when they are all
    known, distinct and *not* in registry order (else the combinations cover them)."""
    idx = [state.col_index(num.col) if num.col is not None else None for num in state.raw.nums]
    if not idx or any(i is None for i in idx) or len(set(idx)) != len(idx):
        return None
    order = tuple(i for i in idx if i is not None)
    return None if list(order) == sorted(order) else order


def _select(
    state: RowState,
    checks: list[RowCheck],
    fixed: dict[int, int],
    combos: bool,
    extras: list[Assignment],
) -> list[Assignment]:
    """The positions among ``itertools.combinations(range(n), k)`` (when `combos`) then
    `extras` that pass every check and put number i in column fixed[i], in that order."""
    n, k = len(state.columns), len(state.raw.nums)
    out: list[Assignment] = []
    if combos and (checks or fixed):
        out = _search(n, [num.value for num in state.raw.nums], checks, fixed)
    elif combos:
        out = list(itertools.combinations(range(n), k))
    for a in extras:
        v = state.vector(a)
        if all(a[i] == c for i, c in fixed.items()) and all(chk(v) for _, chk in checks):
            out.append(a)
    return out


def _search(
    n: int, values: list[Decimal], checks: list[RowCheck], fixed: dict[int, int]
) -> list[Assignment]:
    """``[a for a in itertools.combinations(range(n), len(values)) if ok(a)]``, where ok
    means every check passes on a's vector and number i is in column fixed[i], found by
    laying the numbers left to right: once number j is in column c, columns up to c are
    decided (number or blank), so a check reading no column after c is decided for every
    position that starts so, and a failing one discards them all at once.  The search
    visits positions in lexicographic order, the order of ``combinations``."""
    k = len(values)
    if k > n:
        return []
    if len(fixed) == k:  # one candidate: the fixed columns, if they are in order
        a = tuple(fixed[i] for i in range(k))
        if any(not 0 <= c < n for c in a) or any(x >= y for x, y in itertools.pairwise(a)):
            return []
        full: list[Decimal | None] = [None] * n
        for c, value in zip(a, values, strict=True):
            full[c] = value
        return [a] if all(chk(full) for _, chk in checks) else []
    ending: list[list[Check]] = [[] for _ in range(n)]
    for last, chk in checks:
        ending[last].append(chk)
    vec: list[Decimal | None] = [None] * n
    pos = [0] * k
    out: list[Assignment] = []

    def lay(j: int, lo: int) -> None:
        if j == k:  # columns lo.. stay blank
            if all(chk(vec) for c in range(lo, n) for chk in ending[c]):
                out.append(tuple(pos))
            return
        want = fixed.get(j)
        for c in range(lo, n - k + j + 1):
            ends = ending[c]
            if want is None or c == want:
                vec[c] = values[j]
                if not ends or all(chk(vec) for chk in ends):
                    pos[j] = c
                    lay(j + 1, c + 1)
                vec[c] = None
            if want is not None and c >= want:
                break
            # number j goes further right: column c is blank for all those positions
            if ends and not all(chk(vec) for chk in ends):
                break

    lay(0, 0)
    return out


class TablePlacement:
    """Placement state of one table."""

    def __init__(self, spec: TableSpec, rows: list[RawRow], decimals: int) -> None:
        self.spec = spec
        self.unit = Decimal(1).scaleb(-decimals)
        self.rows: list[RowState] = []
        for raw in rows:
            cols = spec.side(raw.side).columns if raw.side else spec.columns
            state = RowState(raw=raw, columns=cols, domain=[], placed_by=[None] * len(raw.nums))
            self.rows.append(state)
        for state in self.rows:
            self._place_row(state)
        self.families = self._families()

    def _place_row(self, state: RowState) -> None:
        """A row's positions: every order-preserving position (``itertools.combinations``
        order) plus the layout's own order when the page shows one, narrowed by the row
        identities, then by the columns the layout shows.

        The positions are searched with the constraints applied while the numbers are
        laid left to right (`_search`) rather than listed and then filtered: a 27-column
        row of 18 numbers has C(27, 18) = 4.7 million positions, of which a few hundred
        pass its identities.  The kept positions and their order are the same."""
        n, k = len(state.columns), len(state.raw.nums)
        shown = _layout_order(state)
        # the positions before any constraint: the page may print the columns in another
        # order than the registry (三公: 预算数/决算数 under each item): the layout's order is
        # a candidate, the only one when the row prints every column
        combos = k <= n and not (k == n and shown is not None)
        extras = [shown] if shown is not None else []
        if k == n:
            state.placed_by = ["complete" if shown is None else "layout"] * k
        checks = self._row_checks(state)
        domain: list[Assignment] | None = None  # None: every position before constraints
        if checks and (combos or extras):
            kept = _select(state, checks, {}, combos, extras)
            if kept:
                domain = kept
            else:
                state.identity_broken = True
        state.domain = self._positions(state, domain, combos, shown)

    def _positions(
        self,
        state: RowState,
        domain: list[Assignment] | None,
        combos: bool,
        shown: Assignment | None,
    ) -> list[Assignment]:
        """Numbers whose column the page layout shows (PDF grids) keep that column;
        a layout the identities reject is kept, and flagged as a conflict.

        `domain` is the positions the identities kept, None for all of them (`combos`,
        plus the layout's order `shown`); the result is materialised here."""
        extras = [shown] if shown is not None else []
        fixed = {
            k: ci
            for k, num in enumerate(state.raw.nums)
            if num.col is not None
            if (ci := state.col_index(num.col)) is not None
        }
        if fixed:
            n, k = len(state.columns), len(state.raw.nums)
            # every position, whatever the row prints (combinations and the layout's order)
            placed = _select(state, [], fixed, k <= n, extras)
            if placed:
                # the kept positions are a subsequence of those, so filtering them keeps
                # the order a filter of `placed` by membership would give
                if domain is None:
                    agreeing = _select(state, [], fixed, combos, extras)
                else:
                    agreeing = [a for a in domain if all(a[i] == c for i, c in fixed.items())]
                if not agreeing:
                    state.layout_conflict = not state.identity_broken
                for i in fixed:
                    if state.placed_by[i] is None:
                        state.placed_by[i] = "layout"
                return agreeing or placed
        if domain is None:
            return _select(state, [], {}, combos, extras)
        return domain

    # -- constraints ------------------------------------------------------
    def _row_checks(self, state: RowState) -> list[RowCheck]:
        """The table's column identities this row can be held to, each with the last
        column it reads (it can be checked once the row is laid up to that column)."""
        checks: list[RowCheck] = []
        for ident in self.spec.identities:
            if ident.get("kind") == "rows":
                continue
            if "total" in ident:
                plus, minus, result = ident["parts"], [], ident["total"]
            else:
                plus, minus, result = ident.get("plus", []), ident.get("minus", []), ident["result"]
            involved = [result, *plus, *minus]
            idx = [state.col_index(c) for c in involved]
            if any(i is None for i in idx):
                continue
            if state.raw.printed is not None and not set(involved) <= state.raw.printed:
                continue  # the table does not print every column of this identity
            cols = [i for i in idx if i is not None]
            r_i = cols[0]
            p_i = cols[1 : 1 + len(plus)]
            m_i = cols[1 + len(plus) :]
            checks.append((max(cols), self._identity_check(r_i, p_i, m_i)))
        return checks

    def _identity_check(self, r: int, plus: list[int], minus: list[int]) -> Check:
        unit = self.unit

        def check(v: Sequence[Decimal | None]) -> bool:
            terms = [v[i] for i in plus + minus if v[i] is not None]
            total = sum((v[i] or Decimal(0) for i in plus), Decimal(0)) - sum(
                (v[i] or Decimal(0) for i in minus), Decimal(0)
            )
            return _close(v[r], total, unit * max(1, len(terms)))

        return check

    def _families(self) -> list[Family]:
        by_key: dict[str, int] = {}
        for i, st in enumerate(self.rows):
            by_key.setdefault(f"{st.raw.side}:{st.raw.key}", i)
        children: dict[int, list[int]] = {}
        for i, st in enumerate(self.rows):
            raw = st.raw
            parent: int | None = None
            if raw.code is not None:
                if len(raw.code) > 3:
                    parent = by_key.get(f"{raw.side}:{raw.code[:-2]}")
                else:
                    top = "#total_expenditure" if raw.side else "#total"
                    parent = by_key.get(f"{raw.side}:{top}")
                    if parent is None and raw.side and not self._carried(raw.side, by_key):
                        # no 本年支出合计 line and nothing carried over: 支出总计 = Σ 类
                        parent = by_key.get(f"{raw.side}:#grand_total_expenditure")
            if parent is not None and parent != i:
                children.setdefault(parent, []).append(i)
        fams = [Family(parent=p, children=c) for p, c in children.items()]
        for ident in self.spec.identities:
            if ident.get("kind") != "rows":
                continue
            res = [i for k, i in by_key.items() if k.endswith(f":#{ident['result']}")]
            kids = [
                i for k, i in by_key.items() if any(k.endswith(f":#{p}") for p in ident["plus"])
            ]
            if res and kids:
                fams.append(Family(parent=res[0], children=kids))
        return fams

    @staticmethod
    def _carried(side: str, by_key: dict[str, int]) -> bool:
        """The side prints a line besides its 类 lines that the grand total includes."""
        return any(
            k.startswith(f"{side}:#")
            and k.split("#", 1)[1].startswith(("closing_balance", "balance_distribution"))
            for k in by_key
        )

    # -- solving ----------------------------------------------------------
    def propagate(self) -> None:
        """Generalised arc consistency over the families, to a fixpoint."""
        changed = True
        while changed:
            changed = False
            for fam in self.families:
                if fam.broken:
                    continue
                if self._revise(fam):
                    changed = True

    def _revise(self, fam: Family) -> bool:
        members = [fam.parent, *fam.children]
        states = [self.rows[m] for m in members]
        if any(not s.domain for s in states):
            return False
        width = len(states[0].columns)
        if any(len(s.columns) != width for s in states):
            return False
        vec_sets: list[dict[Vector, list[Assignment]]] = []
        size = 1
        for s in states:
            groups: dict[Vector, list[Assignment]] = {}
            for a in s.domain:
                groups.setdefault(s.vector(a), []).append(a)
            vec_sets.append(groups)
            size *= len(groups)
        if size > ENUMERATION_CAP:
            return False
        supported: list[set[Vector]] = [set() for _ in states]
        keys = [list(g) for g in vec_sets]
        for combo in itertools.product(*keys):
            parent, kids = combo[0], combo[1:]
            ok = True
            for c in range(width):
                vals = [v for k in kids if (v := k[c]) is not None]
                if not _close(parent[c], sum(vals, Decimal(0)), self.unit * max(1, len(vals))):
                    ok = False
                    break
            if ok:
                for n, vec in enumerate(combo):
                    supported[n].add(vec)
        if not supported[0]:
            fam.broken = True  # the source breaks this identity: the validator reports it
            return False
        changed = False
        for s, groups, sup in zip(states, vec_sets, supported, strict=True):
            if len(sup) < len(groups):
                s.domain = [a for v in groups if v in sup for a in groups[v]]
                changed = True
        return changed

    def mark(self, stage: str) -> bool:
        """Record `stage` for every number whose column just became certain."""
        new = False
        for st in self.rows:
            for k in range(len(st.raw.nums)):
                if st.placed_by[k] is None and st.domain and len(st.options(k)) == 1:
                    st.placed_by[k] = stage
                    new = True
        return new

    def prefer(self, score: Callable[[RowState, Assignment], int]) -> bool:
        """Keep, per undecided row, the positions with the best evidence score."""
        changed = False
        for st in self.rows:
            if not st.domain or all(p is not None for p in st.placed_by):
                continue
            scores = [score(st, a) for a in st.domain]
            best = max(scores)
            if best > min(scores):
                st.domain = [a for a, s in zip(st.domain, scores, strict=True) if s == best]
                changed = True
        return changed

    def cell(self, key: str, col_id: str, side: str | None = None) -> Decimal | None:
        """The value placed in (row key, column), if certain."""
        for st in self.rows:
            if st.raw.key != key or (side is not None and st.raw.side != side):
                continue
            ci = st.col_index(col_id)
            if ci is None:
                continue
            for k, num in enumerate(st.raw.nums):
                if st.placed_by[k] is not None and st.options(k) == {ci}:
                    return num.value
        return None


Scorer = Callable[[RowState, Assignment], int]
#: narrative evidence: (table id, row, position) -> score
NarrativeScorer = Callable[[str, RowState, Assignment], int]


def solve(tables: dict[str, TablePlacement], narrative_score: NarrativeScorer | None) -> None:
    """Run the stages over all tables of a report."""
    for tp in tables.values():
        tp.propagate()
        tp.mark("identity")
    stages: list[tuple[str, Callable[[str], Scorer]]] = [
        ("cross-table", lambda tid: _cross_table_scorer(tables, tid))
    ]
    if narrative_score is not None:
        ns = narrative_score
        stages.append(("narrative", lambda tid: partial(ns, tid)))
    for stage, scorer_for in stages:
        progress = True
        while progress:
            progress = False
            for tid, tp in tables.items():
                if tp.prefer(scorer_for(tid)):
                    tp.propagate()
                    progress = tp.mark(stage) or progress


def _cross_table_scorer(tables: dict[str, TablePlacement], tid: str) -> Scorer:
    """Count the registry evidence links a position agrees with (placed cells of other tables)."""
    tp = tables[tid]

    def score(st: RowState, a: Assignment) -> int:
        total = 0
        vec = st.vector(a)
        for link in tp.spec.evidence:
            if link.get("row") and st.raw.key != f"#{link['row']}":
                continue
            other = tables.get(link["table"])
            ci = st.col_index(link["column"])
            if other is None or ci is None or vec[ci] is None:
                continue
            if "other_code" in link:
                key = link["other_code"]
            elif "other_row" in link:
                key = f"#{link['other_row']}"
            else:
                key = st.raw.key
            val = other.cell(key, link.get("other_column", "amount"))
            if val is not None and _close(val, vec[ci], tp.unit):
                total += 1
        return total

    return score
