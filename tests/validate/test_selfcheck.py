"""The self-check (README "Self-check"): which printed amounts the report's own arithmetic
confirms, on seed 003 checked by hand, and what does not count as a confirmation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, LineItem, Report, ReportMeta, SelfCheck, TableInfo
from fiscalpub.validate.rules import Check
from fiscalpub.validate.selfcheck import self_check, verdicts
from tests.conftest import EXAMPLES

SEED_003 = EXAMPLES / "003_c8682c8f72d65ec9.txt"


def _state(report: Report) -> dict[int, str]:
    """id(line item) -> confirmed / contradicted / unchecked, from the verdicts self_check
    counts (kept in step with it by test_state_matches_the_counts)."""
    confirmed, failed, _ = verdicts(report)
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
#   (33.60) hold; 人员经费合计 79.77 = 301 and 公用经费合计 33.60 = 302 are one-part sums,
#   but together they are 05's 基本支出 合计 113.37 (79.77 + 33.60): confirmed.
# - “三公” (07): 预算 4.00 = 公务接待 4.00 is a one-part sum, but the narrative states both
#   budgets ("“三公”经费财政拨款支出预算为4万元", "公务接待费支出预算为4万元"), which the 预算数
#   columns print: confirmed; 决算 公务接待费 2.40 equals 06's 30217 公务接待费 2.40.
# - 财政拨款收支总表 (04): the income lines 一般公共预算 370.58 and 政府性基金 10.94 are 01's
#   一般公共预算 / 政府性基金 财政拨款收入 (370.58, 10.94): confirmed.
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
    assert _cells(seed003, "gpb_basic_expenditure", "unchecked") == set()
    assert _cells(seed003, "three_public", "unchecked") == set()
    assert {("#total", "budget_total"), ("#reception", "budget_reception")} <= _cells(
        seed003, "three_public", "confirmed"
    )
    assert ("#reception", "actual_reception") in _cells(seed003, "three_public", "confirmed")
    assert _cells(seed003, "fiscal_summary", "unchecked") == set()


def test_003_totals(seed003: Report) -> None:
    checks = seed003.report.checks
    assert checks is not None
    # 9 + 40 + 44 + 16 + 38 + 25 + 4 + 12 amounts printed in the eight tables
    assert checks.amounts == 188
    # 10 income + 4 expenditure (above) + the 7 government-fund amounts of 10.94 (229
    # 彩票公益金: parents with one child, one-part sums, in no general-budget table)
    assert (checks.contradicted, checks.unchecked) == (0, 21)
    assert checks.to_dict()["confirmed_share"] == "0.8882"  # 167 / 188, rounded down
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
    from fiscalpub.validate.engine import checks, validate_report

    report = parse_files([SEED_003])
    evaluated: list[Check] = checks(report)
    assert {c.finding.id for c in evaluated if c.finding} == {f.id for f in validate_report(report)}
    assert all(c.finding is not None for c in evaluated if not c.holds)


# ------------------------------------------------------------------ identities by kind
# (each: holds → its amounts confirmed; broken beyond the tolerance → contradicted)


def _broken(items: list[LineItem], which: int, amount: str = "1.00") -> SelfCheck:
    """The self-check with item `which` 1.00 万元 (beyond any rounding) off."""
    items[which].amount += Decimal(amount) * 10000
    return _check(*items)


def _three_public(
    total: str, overseas: str, vehicles: str | None, reception: str
) -> list[LineItem]:
    """A 决算 三公 line: each cell under its item's row id, all on one printed line."""
    cells = [("total", total), ("overseas", overseas), ("reception", reception)]
    cells += [("vehicles", vehicles)] if vehicles is not None else []
    return [_item("three_public", f"actual_{r}", a, row=r) for r, a in cells]


def test_a_one_row_table_sums_across_its_item_rows() -> None:
    # 三公: 合计 = 出国 + 用车 + 接待, each cell keyed by its own item row
    assert _counts(_check(*_three_public("10.00", "3.00", "5.00", "2.00"))) == (4, 0, 0)
    assert _counts(_broken(_three_public("10.00", "3.00", "5.00", "2.00"), 0)) == (0, 4, 0)


def test_a_blank_subtotal_stands_for_its_printed_parts() -> None:
    # 用车 小计 blank, 购置费 and 运行费 printed (Beijing): 合计 = 出国 + 购置 + 运行 + 接待
    items = [
        *_three_public("10.00", "3.00", None, "2.00"),
        _item("three_public", "actual_vehicle_purchase", "4.00", row="vehicle_purchase"),
        _item("three_public", "actual_vehicle_operation", "1.00", row="vehicle_operation"),
    ]
    assert _counts(_check(*items)) == (5, 0, 0)
    assert _counts(_broken(items, 3)) == (0, 5, 0)


def test_the_change_of_a_three_public_item_is_this_year_minus_last() -> None:
    def line(
        measure: str, total: str, overseas: str, vehicles: str, reception: str
    ) -> list[LineItem]:
        cells = {"total": total, "overseas": overseas, "vehicles": vehicles, "reception": reception}
        return [_item("three_public", f"{measure}_{r}", a, row=r) for r, a in cells.items()]

    items = [
        *line("previous_budget", "9.00", "0.00", "6.00", "3.00"),
        *line("budget", "10.00", "3.00", "5.00", "2.00"),
        *line("change", "1.00", "3.00", "-1.00", "-1.00"),
    ]
    assert _counts(_check(*items)) == (12, 0, 0)
    # 出国 change printed 1.00 where 本年 3.00 − 上年 0.00 = 3.00: it fails both its change
    # and the change line's sum; every other amount still holds in one of its relations
    assert _counts(_broken(items, 9, "-2.00")) == (11, 1, 0)


def test_a_repeated_total_line_is_confirmed_by_its_first_printing() -> None:
    # a table continued over pages prints its 合计 again: the same cell
    rows = [
        _item("expenditure", "total", "100.00", row="total"),
        _item("expenditure", "total", "60.00", code="201"),
        _item("expenditure", "total", "40.00", code="205"),
        _item("expenditure", "total", "100.00", row="total"),
    ]
    rows[3].page, rows[3].line = 2, 5
    assert _counts(_check(*rows)) == (4, 0, 0)
    rows[3].amount = Decimal("1000100")  # 100.01 on the second page: not the same cell
    assert _counts(_check(*rows)) == (3, 1, 0)


def _by_unit(*amounts: str) -> list[LineItem]:
    """A 收入总表 by 单位名称: the total line, then one line per unit (no code, no row id)."""
    out = [_item("income", "total", amounts[0], row="total")]
    for n, a in enumerate(amounts[1:]):
        li = _item("income", "total", a)
        li.line = 11 + n
        out.append(li)
    return out


def test_a_table_by_unit_totals_its_units() -> None:
    assert _counts(_check(*_by_unit("100.00", "70.00", "30.00"))) == (3, 0, 0)
    # the department's own line above its units repeats the total: the units sum to it
    assert _counts(_check(*_by_unit("100.00", "100.00", "70.00", "30.00")))[:2] == (3, 0)
    assert _counts(_broken(_by_unit("100.00", "70.00", "30.00"), 0)) == (0, 3, 0)


def _summary(*lines: tuple[str, str]) -> list[LineItem]:
    """01 收入支出总表 lines: (row id or 类 code, amount)."""
    return [
        _item("income_expenditure_summary", "amount", a, code=k)
        if k.isdigit()
        else _item("income_expenditure_summary", "amount", a, row=k)
        for k, a in lines
    ]


def test_a_two_sided_year_total_is_its_classes() -> None:
    lines = [("total_expenditure", "100.00"), ("201", "60.00"), ("208", "40.00")]
    assert _counts(_check(*_summary(*lines))) == (3, 0, 0)
    assert _counts(_broken(_summary(*lines), 0)) == (0, 3, 0)


def test_the_year_income_is_its_sources_group_lines_or_members() -> None:
    # 财政拨款 printed with its funds (Shenzhen): 本年收入合计 = 财政拨款 + 单位资金,
    # 财政拨款 = Σ funds, 单位资金 = Σ its sources
    lines = [
        ("total_income", "120.00"),
        ("fiscal_appropriation", "100.00"),
        ("gpb_appropriation", "90.00"),
        ("gov_fund_appropriation", "10.00"),
        ("unit_funds", "20.00"),
        ("business", "15.00"),
        ("other", "5.00"),
    ]
    assert _counts(_check(*_summary(*lines))) == (7, 0, 0)
    assert _counts(_broken(_summary(*lines), 0))[1] == 1  # 本年收入合计 alone fails
    # without group lines (the national 决算): 本年收入合计 = Σ funds + Σ sources
    flat = [lines[0], lines[2], lines[3], lines[5], lines[6]]
    assert _counts(_check(*_summary(*flat))) == (5, 0, 0)
    assert _counts(_broken(_summary(*flat), 1)) == (0, 5, 0)


def test_the_summary_year_income_is_the_income_table_total() -> None:
    # 01 本年收入合计 = 02 合计 (one amount each side: two printings of one amount)
    cells = [
        _item("income_expenditure_summary", "amount", "381.52", row="total_income"),
        _item("income", "total", "381.52", row="total"),
    ]
    assert _counts(_check(*cells)) == (2, 0, 0)
    assert _counts(_broken(cells, 1)) == (0, 2, 0)


def test_personnel_and_public_spending_are_their_economic_classes_and_05_basic() -> None:
    cells = [
        _item("gpb_basic_expenditure", "amount", "649.20", row="personnel_total"),
        _item("gpb_basic_expenditure", "amount", "97.19", row="public_total"),
        _item("gpb_basic_expenditure", "amount", "600.00", code="301"),
        _item("gpb_basic_expenditure", "amount", "49.20", code="303"),
        _item("gpb_basic_expenditure", "amount", "94.65", code="302"),
        _item("gpb_basic_expenditure", "amount", "2.54", code="310"),
        _item("gpb_expenditure", "basic", "746.39", row="total"),
    ]
    assert _counts(_check(*cells)) == (7, 0, 0)
    # 人员经费 off: it fails 301 + 303 and 05's 基本支出; 公用经费 still holds with 302 + 310
    c = _broken(cells, 0)
    assert c.contradicted >= 3 and c.confirmed == 3


def test_fiscal_spending_by_class_is_bounded_by_all_spending() -> None:
    # 04 合计 (fiscal funds) ≤ 03 合计 (all funds) by 类: equal confirms, above contradicts
    cells = [
        _item("fiscal_summary", "total", "76.23", code="208"),
        _item("expenditure", "total", "76.23", code="208"),
    ]
    assert _counts(_check(*cells)) == (2, 0, 0)
    cells[1].amount = Decimal("800000")  # all funds 80.00 ≥ 76.23: holds, says nothing
    assert _counts(_check(*cells)) == (0, 0, 2)
    cells[1].amount = Decimal("700000")  # all funds 70.00 < fiscal 76.23: impossible
    assert _counts(_check(*cells)) == (0, 2, 0)


def test_a_unit_named_like_its_department_is_a_row_of_its_own() -> None:
    # Xi'an: 合计, the department's line 西安市科学技术局 (= 合计), its 本级 unit printed under
    # the same name, then the other units: the units (本级 included) sum to the total
    rows = _by_unit("100.00", "100.00", "60.00", "30.00", "10.00")
    for li, name in zip(rows[1:], ("科技局", "科技局", "中心甲", "中心乙"), strict=True):
        li.item = name
    assert _counts(_check(*rows))[:2] == (4, 0)
    assert _counts(_broken(rows, 2))[1] > 0  # 本级 60.00 → 61.00: the units no longer sum
