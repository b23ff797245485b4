"""Rule narrative-table for the indicators beyond the totals (issue 16, family 5): 人员经费,
公用经费, 机关运行经费 and 政府采购 against the cells that print them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from fiscalpub.model import Fact, Finding, LineItem, Report
from fiscalpub.parse.narrative import extract_facts
from fiscalpub.read.text import read_text
from fiscalpub.validate.engine import validate_report
from fiscalpub.validate.rules import RULES, Check, Index
from tests.conftest import corpus_path, parsed_pdf
from tests.validate.test_rules import _fact, _item, _report


def _narrative(
    *items: LineItem, indicator: str, amount: str, phase: str = "actual"
) -> list[Finding]:
    report = _report(*items, facts=(_fact(indicator, amount, phase=phase, period=2022),))
    return [f for f in validate_report(report) if "narrative-table" in f.code + f.message]


@pytest.mark.parametrize(
    ("indicator", "table", "row", "column"),
    [
        ("personnel_expenditure", "gpb_basic_expenditure", "personnel_total", "amount"),
        ("personnel_expenditure", "gpb_basic_expenditure", "total", "personnel"),
        ("public_expenditure", "gpb_basic_expenditure", "public_total", "amount"),
        ("public_expenditure", "gpb_basic_expenditure", "total", "public"),
        ("office_operating_expenditure", "office_operating", "total", "amount"),
        (
            "office_operating_expenditure",
            "three_public",
            "office_operating",
            "budget_office_operating",
        ),
        ("procurement_total", "procurement", "total", "amount"),
    ],
)
def test_the_narrative_amount_against_its_cell(
    indicator: str, table: str, row: str, column: str
) -> None:
    cell = _item(table, column, "2236000.00", row=row)
    # a 预算数 column (the Shanghai 三公 table's 机关运行经费) meets the narrative's budget
    phase = "budget" if column.startswith("budget_") else "actual"
    assert _narrative(cell, indicator=indicator, amount="2236000.00", phase=phase) == []
    (f,) = _narrative(cell, indicator=indicator, amount="2336000.00", phase=phase)
    assert f.code == "narrative-table" and f.severity == "error"
    assert f"{table}/{row}/{column}" in f.message
    if phase == "budget":  # and never the narrative's 决算 amount
        assert _narrative(cell, indicator=indicator, amount="2336000.00") == []


def test_a_stated_amount_without_its_table_is_not_compared() -> None:
    other = _item("expenditure", "total", "2236000.00", row="total")
    assert _narrative(other, indicator="personnel_expenditure", amount="100.00") == []


# ------------------------------------------------------------------ the corpus (issue 16, family 5)
# One real case per family of narrative amounts compared with a table cell: the amount agrees
# with the cell the page prints, and the same amount stated 10 万元 higher contradicts it.
# (files, indicator, page, line of the narrative amount, table, column of the cell)
CORPUS_CASES = [
    # p.24 "2024 年度“三公”经费财政拨款支出预算为 76.43 万元": the 三公 table (p.15) prints
    # 预算数 合计 76.43 — a 决算's budget amount against the 预算数 column, not the 决算数
    (
        ("cities/national-01-final.pdf",),
        "three_public_total_budget",
        (24, 493),
        ("three_public", "budget_total"),
    ),
    # p.18 "年末结转和结余 7494.06 万元": 收入支出决算总表 (p.7) 年末结转和结余 7,494.06
    (
        ("cities/national-01-final.pdf",),
        "closing_balance",
        (18, 378),
        ("income_expenditure_summary", "amount"),
    ),
    # p.21 "2024 年度财政拨款支出 13733.8 万元": 财政拨款收入支出决算总表 (p.10) 本年支出合计
    # 13,733.80
    (
        ("cities/national-01-final.pdf",),
        "fiscal_appropriation_expenditure",
        (21, 407),
        ("fiscal_summary", "total"),
    ),
    # p.20 "基本支出预算数为 17123.19 万元": 收支预算总表 (p.11) 基本支出 17,123.19
    (
        ("jiangsu-fy-2017-budget.pdf",),
        "basic_expenditure",
        (20, 550),
        ("income_expenditure_summary", "amount"),
    ),
    # p.22 "财政拨款基本支出预算 17123.19 万元": 一般公共预算基本支出预算表 (p.15) 合计 17,123.19
    (
        ("jiangsu-fy-2017-budget.pdf",),
        "gpb_basic_expenditure",
        (22, 615),
        ("gpb_basic_expenditure", "amount"),
    ),
    # p.25 "会议费预算支出 228 万元": the 三公、会议费、培训费 table (p.17) 会议费 228.00
    (
        ("jiangsu-fy-2017-budget.pdf",),
        "meeting_expenditure",
        (25, 680),
        ("three_public", "budget_meeting"),
    ),
    # p.5 "政府性基金预算财政拨款收入 46,209.19 万元": 收支总表 (p.11) 政府性基金预算资金 46,209.19
    (
        ("cities/chongqing-02-budget.pdf",),
        "gov_fund_income",
        (5, 72),
        ("income_expenditure_summary", "amount"),
    ),
    # p.6 "政府采购工程预算 6,599.5 万元": 政府采购预算表 (p.27) prints the category line
    # "B 工程 6,599.50" (a row by name, no row id)
    (
        ("cities/chongqing-02-budget.pdf",),
        "procurement_works",
        (6, 89),
        ("procurement", "amount"),
    ),
    # p.6 "财政专户管理资金收入 147.20 万元": 收支预算总表 (tables p.1) 财政专户管理资金 147.20
    (
        ("jiangsu-swbgt-2017-budget-text.pdf", "jiangsu-swbgt-2017-budget-tables.pdf"),
        "fiscal_special_account_income",
        (6, 118),
        ("income_expenditure_summary", "amount"),
    ),
]


def _narrative_checks(report: Report) -> list[Check]:
    rule = next(r for r in RULES if r.id == "narrative-table")
    return list(rule(Index(report)))


def _stated(report: Report, indicator: str, at: tuple[int, int]) -> Fact:
    (fact,) = [f for f in report.facts if f.indicator == indicator and (f.page, f.line) == at]
    return fact


@pytest.mark.corpus
@pytest.mark.parametrize(("files", "indicator", "at", "cell"), CORPUS_CASES)
def test_a_corpus_amount_agrees_with_its_cell_and_a_changed_one_contradicts_it(
    files: tuple[str, ...], indicator: str, at: tuple[int, int], cell: tuple[str, str]
) -> None:
    report = parsed_pdf(*files)
    fact = _stated(report, indicator, at)
    (check,) = [c for c in _narrative_checks(report) if fact in c.members]
    assert check.holds and check.finding is None
    assert any(isinstance(m, LineItem) and (m.table, m.column) == cell for m in check.confirms), (
        check.members
    )
    # the same sentence stating 10 万元 more (beyond a rounding of "228"): the cell contradicts it
    more = replace(fact, amount=(fact.amount or Decimal(0)) + Decimal("100000.00"))
    changed = replace(report, facts=[more if f is fact else f for f in report.facts])
    (check,) = [c for c in _narrative_checks(changed) if more in c.members]
    assert not check.holds and check.finding is not None
    assert check.finding.code == "narrative-table" and check.finding.severity == "error"
    (li,) = [m for m in check.members if isinstance(m, LineItem)]
    assert f"{li.table}/{li.row or ''}/{li.column} {li.printed}" in check.finding.message


@pytest.mark.corpus
def test_a_budget_amount_of_a_final_report_is_not_compared_with_the_actual_column() -> None:
    # national-01-final p.24: 预算 76.43, 决算 46.21 (the 三公 table p.15 prints both): the
    # budget amount meets 预算数 only, the actual amount 决算数 only
    report = parsed_pdf("cities/national-01-final.pdf")
    for check in _narrative_checks(report):
        facts = [m for m in check.members if isinstance(m, Fact)]
        cells = [m for m in check.members if isinstance(m, LineItem)]
        if facts and facts[0].indicator.startswith("three_public_"):
            phase = facts[0].phase
            assert all(li.column and li.column.startswith(f"{phase}_") for li in cells)


@pytest.mark.corpus
def test_a_listed_function_line_is_not_the_list_heads_amount() -> None:
    # seed 001 p.1: "2021 年度财政拨款支出965.81万元，主要用于以下方面：财政对城乡居民基本养老
    # 保险基金的补助支出770万元，占79.73%" — 770 is a line's, not 财政拨款支出; and in the 政府性
    # 基金 section "…彩票公益金支出财政拨款支出61万元" is that fund's spending
    path = corpus_path("seeds", "001_20c475cd3b15c823.txt")
    facts = extract_facts(read_text(path), 2021, "final")
    stated = {(f.indicator, f.printed) for f in facts}
    assert ("fiscal_appropriation_expenditure", "965.81") in stated
    assert ("fiscal_appropriation_expenditure", "770") not in stated
    assert ("fiscal_appropriation_expenditure_share", "79.73") not in stated
    assert ("gov_fund_expenditure", "61") in stated
    assert ("fiscal_appropriation_expenditure", "61") not in stated
