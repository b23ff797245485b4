"""The 人员/公用 split of the general budget's basic spending, printed twice: the function
table's 人员经费/公用经费 columns (a variant of 一般公共预算支出表) and the economic table
(人员经费合计/公用经费合计 rows or columns) — a validator check (tables.yaml `checks`)."""

from __future__ import annotations

import pytest

from fiscalpub.model import Finding, LineItem
from fiscalpub.validate.engine import checks, validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _item, _report

FUNC, ECON = "gpb_expenditure", "gpb_basic_expenditure"


def _split(report: object) -> list[tuple[str, str, str, bool]]:
    out = []
    for c in checks(report):  # type: ignore[arg-type]
        tables = {getattr(m, "table", None) for m in c.members}
        cols = {getattr(m, "column", None) for m in c.members}
        if c.rule == "cross-table" and tables == {FUNC, ECON} and cols & {"personnel", "public"}:
            func = next(m for m in c.members if getattr(m, "table", None) == FUNC)
            econ = next(m for m in c.members if getattr(m, "table", None) == ECON)
            out.append((func.column, func.printed, econ.printed, c.holds))
    return sorted(out)


@pytest.mark.corpus
def test_yantai_prints_the_split_twice_alike() -> None:
    # 公开表5 (p.13) 合计: 基本支出 小计 1,192.85 = 人员支出 1,088.89 + 日常公用支出 103.96;
    # 公开表6 一般公共预算基本支出情况表 (p.15) 合计 1,192.85 | 1,088.89 | 103.96
    report = parsed_pdf("cities/yantai-01-budget.pdf")
    assert _split(report) == [
        ("personnel", "1088.89", "1088.89", True),
        ("public", "103.96", "103.96", True),
    ]


def _found(*items: LineItem) -> list[Finding]:
    return [f for f in validate_report(_report(*items)) if f.code == "cross-table"]


def test_a_split_that_differs_between_the_two_tables() -> None:
    func = _item(FUNC, "personnel", "10000000.00", row="total")
    assert _found(func, _item(ECON, "amount", "10000000.00", row="personnel_total")) == []
    (f,) = _found(func, _item(ECON, "amount", "9000000.00", row="personnel_total"))
    assert f.severity == "error" and "personnel" in f.message
    (g,) = _found(
        _item(FUNC, "public", "2000000.00", row="total"),
        _item(ECON, "public", "2100000.00", row="total"),
    )
    assert g.severity == "error" and "public" in g.message


SUMMARY = "income_expenditure_summary"


@pytest.mark.corpus
def test_shanghai_splits_all_spending_and_the_general_budget_within_it() -> None:
    # 财务收支预算总表 支出总计: 人员经费 15,571,497 | 公用经费 2,705,192 (all funds);
    # 一般公共预算基本支出表 合计: 人员经费 15,174,314 | 公用经费 2,705,192
    report = parsed_pdf("cities/shanghai-03-unit-budget.pdf")
    pairs = sorted(
        (c.holds, [m.printed for m in c.members])
        for c in checks(report)
        if c.rule == "cross-table"
        and {getattr(m, "table", None) for m in c.members} == {SUMMARY, ECON}
    )
    assert pairs == [(True, ["15571497", "15174314"]), (True, ["2705192", "2705192"])]


def test_all_spending_split_below_the_general_budget_split() -> None:
    econ = _item(ECON, "personnel", "10000000.00", row="total")
    ok = _item(SUMMARY, "personnel", "12000000.00", row="total_expenditure")
    assert _found(ok, econ) == []
    (f,) = _found(_item(SUMMARY, "personnel", "9000000.00", row="total_expenditure"), econ)
    assert f.severity == "error" and "personnel" in f.message
