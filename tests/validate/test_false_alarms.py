"""The false alarms issue 16's hand check found, as small cases: each relation holds on the
printed numbers once read the way the page means it, and breaks when a number is wrong."""

from __future__ import annotations

import pytest

from fiscalpub.model import Fact, Finding
from fiscalpub.validate.engine import validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _fact, _item, _report


def _errors(*facts: Fact, items: tuple = ()) -> list[Finding]:
    return [f for f in validate_report(_report(*items, facts=facts)) if f.severity == "error"]


@pytest.mark.parametrize(("stated", "errors"), [("10000000.00", 0), ("11000000.00", 1)])
def test_a_class_line_of_all_funds_agrees_with_the_expenditure_table(
    stated: str, errors: int
) -> None:
    # Wuxi p.32: "支出预算总计 … 城乡社区支出（类）支出 842,090.31 万元" is the 支出总表's
    # 212 (all funds), not the 财政拨款 tables' 281,691.11
    items = (
        _item("gpb_expenditure", "total", "9000000.00", code="212"),
        _item("expenditure", "total", "10000000.00", code="212"),
    )
    line = _fact("function_line", stated, code="212", path=["城乡社区支出"])
    assert len(_errors(line, items=items)) == errors


@pytest.mark.parametrize(("pct", "errors"), [("-3.25", 0), ("-4.25", 1)])
def test_a_rate_takes_the_amounts_of_its_own_year(pct: str, errors: int) -> None:
    # Beijing p.5: "2026 年支出预算 529260.34 万元，比 2025 年年初预算数 / 547012.85 万元减少
    # 17752.51 万元，下降 3.25%": 17752.51 / 547012.85 = 3.245%; 547012.85 is 2025's
    facts = (
        _fact("total_expenditure", "5292603400.00", line=10, period=2022),
        _fact("total_expenditure", "5470128500.00", line=11, period=2021),
        _fact("total_expenditure_change", "-177525100.00", line=11, base="2021"),
        _fact("total_expenditure_change_pct", None, pct, line=11, base="2021"),
    )
    assert len(_errors(*facts)) == errors


@pytest.mark.parametrize(("pct", "errors"), [("73.15", 0), ("75.15", 1)])
def test_a_share_may_be_of_the_stated_parts(pct: str, errors: int) -> None:
    # Beijing p.5: 基本支出 376567.92 "占本年支出预算73.15%" of 基本 + 项目 514823.34, the
    # 支出预算 529260.34 holding the (三)年终结转结余 14437 too
    facts = (
        _fact("total_expenditure", "5292603400.00", line=10),
        _fact("basic_expenditure", "3765679200.00", line=12),
        _fact("basic_expenditure_share", None, pct, line=12, base="total_expenditure"),
        _fact("project_expenditure", "1382554200.00", line=13),
        _fact("remit_superior_expenditure", "0.00", line=14),
        _fact("operating_expenditure", "0.00", line=15),
        _fact("subsidiary_subsidy_expenditure", "0.00", line=16),
        _fact("closing_balance", "144370000.00", line=17),
    )
    assert len(_errors(*facts)) == errors


def test_a_change_on_a_restated_basis_is_not_checked() -> None:
    # Jiangsu fy 2017 p.24: 机关运行经费 9193.40 (a new 口径), then "按与上年统计口径一致相比，
    # 本年比上年减少161.96万元，下降了4.39%": of amounts the narrative does not state
    said = "按与上年统计口径一致相比,本年比上年减少161.96万元,下降了4.39%。"
    facts = (
        _fact("office_operating_expenditure", "91934000.00", line=10),
        _fact("office_operating_expenditure_change", "-1619600.00", line=12, text=said),
        _fact("office_operating_expenditure_change_pct", None, "-4.39", line=12, text=said),
    )
    assert _errors(*facts) == []
    unsaid = _fact("office_operating_expenditure_change_pct", None, "-4.39", line=12)
    assert len(_errors(*facts[:2], unsaid)) == 1


@pytest.mark.corpus
def test_the_lines_listed_under_project_spending_are_its_parts() -> None:
    # Changsha p.8-9: "（二）项目支出：…项目支出预算 40233.95 万元，…其中：一般公共服务支出
    # 3.00 万元，主要用于…方面。公共安全支出 40230.95 万元，主要用于…": 204's project part,
    # not 公共安全支出's 68629.12 (p.8: "公共安全支出 68629.12 万元，占 100.00%")
    report = parsed_pdf("cities/changsha-01-budget.pdf")
    lines = {(f.code, f.printed, f.page) for f in report.facts if f.indicator == "function_line"}
    assert {("201", "3.00", 8), ("204", "68629.12", 8)} <= lines  # the classes' totals
    assert not [x for x in lines if x[2] == 9]  # their project parts (p.8 l.96 - p.9)
    assert not [x for x in lines if x[1] == "40230.95"]
