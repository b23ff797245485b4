"""Placement evidence from the narrative: a position of a table's numbers scores by the
amounts the narrative states for its cells (registry `fact_cells`: facts.yaml `cells`)."""

from __future__ import annotations

from decimal import Decimal

from fiscalpub.model import Fact
from fiscalpub.normalize import to_yuan
from fiscalpub.parse.placement import Assignment, NarrativeScorer, RowState
from fiscalpub.parse.region import TableRegion
from fiscalpub.registry import fact_cells, table_words


def narrative_scorer(facts: list[Fact], regions: dict[str, TableRegion]) -> NarrativeScorer:
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
