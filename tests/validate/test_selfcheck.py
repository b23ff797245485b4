"""The self-check (README "Self-check"): which printed amounts the report's own arithmetic
confirms, on seed 003 checked by hand, and what does not count as a confirmation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, LineItem, Report, ReportMeta, SelfCheck, TableInfo
from fiscalpub.validate.rules import Check
from fiscalpub.validate.selfcheck import self_check
from tests.conftest import EXAMPLES

SEED_003 = EXAMPLES / "003_c8682c8f72d65ec9.txt"


def _state(report: Report) -> dict[int, str]:
    """id(line item) -> confirmed / contradicted / unchecked, from the same checks
    self_check counts (kept in step with it by test_state_matches_the_counts)."""
    from fiscalpub.validate.engine import checks

    confirmed: set[int] = set()
    failed: set[int] = set()
    for check in checks(report):
        if check.holds:
            confirmed.update(id(m) for m in check.confirms)
        else:
            failed.update(id(m) for m in check.members if isinstance(m, LineItem))
    return {
        id(li): "confirmed"
        if id(li) in confirmed
        else "contradicted"
        if id(li) in failed
        else "unchecked"
        for li in report.line_items
    }


@pytest.fixture(scope="module")
def seed003() -> Report:
    return parse_files([SEED_003])


def _cells(report: Report, table: str, state: str) -> set[tuple[str, str | None]]:
    states = _state(report)
    return {
        (li.code or f"#{li.row}", li.column)
        for li in report.line_items
        if li.table == table and states[id(li)] == state
    }


def test_state_matches_the_counts(seed003: Report) -> None:
    counts = Counter(_state(seed003).values())
    checks = self_check(seed003)
    assert (checks.confirmed, checks.contradicted, checks.unchecked) == (
        counts["confirmed"],
        counts["contradicted"],
        counts["unchecked"],
    )
    assert seed003.report.checks == checks  # what parse_files attached


# Seed 003 (岳阳市屈原管理区医疗保障局 2021 决算), worked out from the printed tables:
# - 收入决算表 (02, total and 财政拨款 columns equal on every row): each row is a one-part
#   sum (合计 = 财政拨款 alone): no confirmation.  Down the columns, 合计 = 201 + 210 + 229,
#   201 = 20105 + 20129, 210 = 21011 + 21013 + 21015, 21013 = 2101301 + 2101399 (95.60 vs
#   95.59: within the rounding tolerance) and 21015 = 2101501 + … + 2101599 hold with two or
#   more non-zero terms; 20105, 20129, 21011, 229, 22960 each have one child only.
#   Unconfirmed: 2010502, 2012906, 2101101, 22960, 2296013 (both columns) = 10 of 40.
# - 支出决算表 (03): every 201/210 line equals the 05 table's (a bound, `ge`, that holds
#   with equality), the sums above hold column by column; the 229 彩票公益金 lines are in
#   no general-budget table and their parents have one child: 22960 and 2296013 (合计 and
#   项目支出) = 4 of 44 unconfirmed.
# - 基本支出明细表 (06): 301 = Σ 301xx (79.76 vs 79.77, rounding) and 302 = Σ 302xx
#   (33.60) hold; 人员经费合计 79.77 and 公用经费合计 33.60 are in no registry relation.
# - “三公” (07): 预算 4.00 = 公务接待 4.00 is a one-part sum; the narrative's 预算 is not
#   this 决算's phase; 决算 公务接待费 2.40 equals 06's 30217 公务接待费 2.40.
# - 财政拨款收支总表 (04): the income lines 370.58 and 10.94 are in no registry relation.
INCOME_UNCONFIRMED = {
    (code, col)
    for code in ("2010502", "2012906", "2101101", "22960", "2296013")
    for col in ("total", "fiscal_appropriation")
}
EXPENDITURE_UNCONFIRMED = {
    (code, col) for code in ("22960", "2296013") for col in ("total", "project")
}


def test_003_income_and_expenditure_tables_by_hand(seed003: Report) -> None:
    assert _cells(seed003, "income", "unchecked") == INCOME_UNCONFIRMED
    assert len(_cells(seed003, "income", "confirmed")) == 30
    assert _cells(seed003, "expenditure", "unchecked") == EXPENDITURE_UNCONFIRMED
    assert len(_cells(seed003, "expenditure", "confirmed")) == 40
    # 2101301 / 2101399 are confirmed by a sum that holds within the rounding tolerance
    assert {("2101301", "project"), ("2101399", "project")} <= _cells(
        seed003, "expenditure", "confirmed"
    )


def test_003_other_tables_by_hand(seed003: Report) -> None:
    assert _cells(seed003, "gpb_expenditure", "unchecked") == set()
    assert _cells(seed003, "gpb_basic_expenditure", "unchecked") == {
        ("#personnel_total", "amount"),
        ("#public_total", "amount"),
    }
    assert _cells(seed003, "three_public", "unchecked") == {
        ("#total", "budget_total"),
        ("#reception", "budget_reception"),
    }
    assert ("#reception", "actual_reception") in _cells(seed003, "three_public", "confirmed")
    assert _cells(seed003, "fiscal_summary", "unchecked") == {
        ("#gpb_appropriation", "amount"),
        ("#gov_fund_appropriation", "amount"),
    }


def test_003_totals(seed003: Report) -> None:
    checks = seed003.report.checks
    assert checks is not None
    # 9 + 40 + 44 + 16 + 38 + 25 + 4 + 12 amounts printed in the eight tables
    assert checks.amounts == 188
    assert (checks.contradicted, checks.unchecked) == (0, 31)
    assert checks.to_dict()["confirmed_share"] == "0.8351"  # 157 / 188, rounded down
    # the narrative names 109.53 (the 类 total) as 一般公共服务支出/统计信息事务/一般行政管理事务,
    # whose tables print 109.10: the one narrative amount that contradicts
    assert checks.facts_contradicting == 1


def _item_of(report: Report, table: str, key: str, column: str) -> LineItem:
    (li,) = [
        li
        for li in report.line_items
        if li.table == table and (li.code or f"#{li.row}") == key and li.column == column
    ]
    return li


def test_one_changed_amount_turns_confirmed_into_contradicted() -> None:
    report = parse_files([SEED_003])
    li = _item_of(report, "expenditure", "2101501", "basic")  # 97.44, in 21015 basic 112.94
    assert _state(report)[id(li)] == "confirmed"
    before = self_check(report)
    li.amount += Decimal("10000")  # 1.00 万元 more: beyond any rounding tolerance
    after = self_check(report)
    assert _state(report)[id(li)] == "contradicted"
    assert after.contradicted > before.contradicted == 0
    assert after.confirmed < before.confirmed


# ------------------------------------------------------------------ small reports


def _item(
    table: str, column: str, amount: str, code: str | None = None, row: str | None = None
) -> LineItem:
    return LineItem(
        table=table,
        column=column,
        measure="actual",
        classification="function" if code else None,
        code=code,
        row=row,
        item=None,
        placed_by="complete",
        candidates=[],
        amount=Decimal(amount) * 10000,
        printed=amount,
        unit="万元",
        source=0,
        page=1,
        line=10,
    )


def _fact(indicator: str, amount: str, code: str | None = None) -> Fact:
    return Fact(
        indicator=indicator,
        amount=Decimal(amount) * 10000,
        value=None,
        unit="万元",
        printed=amount,
        phase="actual",
        period=2022,
        path=None,
        code=code,
        base=None,
        text="",
        source=0,
        page=2,
        line=20,
    )


def _check(*items: LineItem, facts: tuple[Fact, ...] = ()) -> SelfCheck:
    tables = sorted({li.table for li in items})
    return self_check(
        Report(
            report=ReportMeta(department="测试局", year=2022, kind="final"),
            tables=[TableInfo(t, "present", unit="万元", decimals=2) for t in tables],
            line_items=list(items),
            facts=list(facts),
        )
    )


def _counts(c: SelfCheck) -> tuple[int, int, int]:
    return c.confirmed, c.contradicted, c.unchecked


def test_a_sum_of_two_non_zero_parts_confirms_all_its_amounts() -> None:
    row = [
        _item("expenditure", "total", "100.00", code="2010101"),
        _item("expenditure", "basic", "60.00", code="2010101"),
        _item("expenditure", "project", "40.00", code="2010101"),
        _item("expenditure", "operating", "0.00", code="2010101"),  # a zero in a real sum
    ]
    assert _counts(_check(*row)) == (4, 0, 0)


def test_a_one_part_sum_confirms_nothing() -> None:
    # 合计 = 基本支出 with 项目支出 blank: 50 could be in either part column
    row = [
        _item("expenditure", "total", "50.00", code="2010101"),
        _item("expenditure", "basic", "50.00", code="2010101"),
    ]
    assert _counts(_check(*row)) == (0, 0, 2)
    # zeros beside the one amount do not make it a sum
    zeros = [_item("expenditure", c, "0.00", code="2010101") for c in ("project", "operating")]
    assert _counts(_check(*row, *zeros)) == (0, 0, 4)


def test_a_parent_with_one_child_confirms_nothing() -> None:
    rows = [
        _item("gpb_expenditure", "total", "37.52", code="21011"),
        _item("gpb_expenditure", "total", "37.52", code="2101101"),
    ]
    assert _counts(_check(*rows)) == (0, 0, 2)
    # with a second non-zero child the same parent is confirmed, children too
    rows[0].amount = Decimal("400000")
    rows.append(_item("gpb_expenditure", "total", "2.48", code="2101102"))
    assert _counts(_check(*rows)) == (3, 0, 0)


def test_zeros_confirm_nothing() -> None:
    row = [
        _item("expenditure", "total", "0.00", code="2010101"),
        _item("expenditure", "basic", "0.00", code="2010101"),
        _item("expenditure", "project", "0.00", code="2010101"),
    ]
    assert _counts(_check(*row)) == (0, 0, 3)
    # two tables agreeing on a zero: a zero agrees with any zero
    both = [
        _item("fiscal_summary", "gpb", "0.00", code="201"),
        _item("gpb_expenditure", "total", "0.00", code="201"),
    ]
    assert _counts(_check(*both)) == (0, 0, 2)


def test_equal_non_zero_amounts_of_two_tables_confirm_each_other() -> None:
    both = [
        _item("fiscal_summary", "gpb", "109.53", code="201"),
        _item("gpb_expenditure", "total", "109.53", code="201"),
    ]
    assert _counts(_check(*both)) == (2, 0, 0)
    both[1].amount = Decimal("1095400")  # 109.54: one unit apart, within the tolerance
    assert _counts(_check(*both)) == (2, 0, 0)
    both[1].amount = Decimal("1096300")  # 109.63: a contradiction
    assert _counts(_check(*both)) == (0, 2, 0)


def test_a_bound_confirms_only_where_both_sides_are_equal() -> None:
    # expenditure (all funds) ≥ general budget (registry relation `ge`)
    cells = [
        _item("expenditure", "basic", "120.00", code="201"),
        _item("gpb_expenditure", "basic", "100.00", code="201"),
    ]
    assert _counts(_check(*cells)) == (0, 0, 2)
    cells[0].amount = Decimal("1000000")
    assert _counts(_check(*cells)) == (2, 0, 0)
    cells[0].amount = Decimal("900000")  # below the bound: impossible
    assert _counts(_check(*cells)) == (0, 2, 0)


def test_narrative_agreement_confirms_and_a_stated_zero_does_not() -> None:
    cell = _item("gpb_expenditure", "total", "17.43", code="221")
    c = _check(cell, facts=(_fact("function_line", "17.43", code="221"),))
    assert _counts(c) == (1, 0, 0)
    assert (c.facts, c.facts_agreeing, c.facts_contradicting) == (1, 1, 0)
    c = _check(cell, facts=(_fact("function_line", "17.34", code="221"),))
    assert _counts(c) == (0, 1, 0)
    assert (c.facts, c.facts_agreeing, c.facts_contradicting) == (1, 0, 1)
    zero = _item("gpb_expenditure", "total", "0.00", code="221")
    c = _check(zero, facts=(_fact("function_line", "0", code="221"),))
    assert _counts(c) == (0, 0, 1)
    assert (c.facts, c.facts_agreeing, c.facts_contradicting) == (1, 0, 0)


def test_unplaced_amounts_are_unchecked() -> None:
    li = _item("expenditure", "total", "50.00", code="2010101")
    li.column, li.placed_by = None, "unplaced"
    assert _counts(_check(li)) == (0, 0, 1)


def test_share_is_rounded_down_and_absent_without_amounts() -> None:
    assert SelfCheck(3, 2, 0, 1, 0, 0, 0).to_dict()["confirmed_share"] == "0.6666"
    assert SelfCheck(9999, 9998, 1, 0, 0, 0, 0).to_dict()["confirmed_share"] == "0.9998"
    assert SelfCheck(0, 0, 0, 0, 0, 0, 0).to_dict()["confirmed_share"] is None
    d = SelfCheck(5, 3, 1, 1, 2, 1, 1).to_dict()
    assert d["unconfirmed"] == 2 and SelfCheck.from_dict(d) == SelfCheck(5, 3, 1, 1, 2, 1, 1)


def test_checks_are_what_the_validator_reports() -> None:
    """One mechanism: a relation that fails is a finding of the validator, one that holds
    within the tolerance a rounding warning."""
    from fiscalpub.validate.engine import checks, run

    report = parse_files([SEED_003])
    evaluated: list[Check] = checks(report)
    assert {c.finding.id for c in evaluated if c.finding} == {f.id for f in run(report)}
    assert all(c.finding is not None for c in evaluated if not c.holds)
