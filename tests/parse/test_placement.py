"""The placement engine on small hand-made rows: positions, identities, candidates."""

from __future__ import annotations

from decimal import Decimal

from fiscalpub.parse.placement import TablePlacement, solve
from fiscalpub.parse.region import Num, RawRow
from fiscalpub.read.document import Line
from fiscalpub.registry import tables

LINE = Line(text="", number=1, page=1)


def _row(
    code: str | None, *values: str, cols: list[str | None] | None = None, row: str | None = None
) -> RawRow:
    nums = [
        Num(Decimal(v), v, 2, LINE, col)
        for v, col in zip(values, cols or [None] * len(values), strict=True)
    ]
    return RawRow(side=None, code=code, row=row, name="", nums=nums, line=LINE)


def test_layout_positions_decide_and_identities_confirm() -> None:
    spec = tables()["gpb_expenditure"]
    tp = TablePlacement(spec, [_row("2010101", "10.00", "10.00", cols=[None, "project"])], 2)
    solve({"gpb_expenditure": tp}, None)
    assert tp.rows[0].placed_by == ["identity", "layout"]
    assert not tp.rows[0].layout_conflict


def test_a_layout_that_breaks_an_identity_is_kept_and_flagged() -> None:
    spec = tables()["gpb_expenditure"]
    # the identities would put the pair in (total, basic) or (total, project);
    # the page prints it under 基本支出 and 项目支出 with 小计 blank
    row = _row("2010101", "10.00", "10.00", cols=["basic", "project"])
    tp = TablePlacement(spec, [row], 2)
    assert tp.rows[0].layout_conflict
    assert tp.rows[0].domain == [(1, 2)]  # the printed positions win


def test_a_row_that_no_placement_can_balance_is_identity_broken() -> None:
    spec = tables()["gpb_expenditure"]
    row = _row("2010101", "10.00", "3.00", "5.00", cols=["total", "basic", "project"])
    tp = TablePlacement(spec, [row], 2)
    assert tp.rows[0].identity_broken and not tp.rows[0].layout_conflict


def test_undecidable_numbers_keep_their_candidates() -> None:
    spec = tables()["expenditure"]
    tp = TablePlacement(spec, [_row("2010101", "5.00", "5.00")], 2)
    solve({"expenditure": tp}, None)
    st = tp.rows[0]
    assert st.placed_by == ["identity", None]
    assert sorted(st.options(1)) == [1, 2, 3, 4, 5]  # any part column


def test_parent_equals_sum_of_children_decides_jointly() -> None:
    spec = tables()["gpb_expenditure"]
    rows = [
        _row("201", "12.00", "2.00", "10.00"),  # complete
        _row("20101", "2.00", "2.00"),
        _row("20102", "10.00", "10.00"),
    ]
    tp = TablePlacement(spec, rows, 2)
    solve({"gpb_expenditure": tp}, None)
    assert tp.rows[1].options(1) == {1} and tp.rows[2].options(1) == {2}
    assert tp.rows[1].placed_by == ["identity", "identity"]
