"""Shenzhen, Chongqing and Yantai 2026 部门预算 templates: cells typed by hand from the
rendered pages, and the tables every report of these templates prints.

Shenzhen draws each table's grid as one form XObject, repeats the title on every page
("表8 一般公共预算支出表（按经济分类）"), prints rows per 预算单位 and a 三公 table with a
row per year; Chongqing prints landscape tables with their 合计 row first, continued
pages without a title, 7-digit economic codes and last year's budget beside this year's;
Yantai prints codes as 类 | 款 | 项 suffixes and a second (政府预算) economic
classification beside the 部门预算 one."""

from __future__ import annotations

import pytest

from fiscalpub.model import LineItem, Report
from fiscalpub.validate.engine import validate_report
from tests.conftest import CORE_TABLES, parsed_pdf

CORE = CORE_TABLES


def _report(name: str) -> Report:
    return parsed_pdf(f"cities/{name}")


def _cell(report: Report, table: str, key: str, column: str, nth: int = 0) -> LineItem:
    """The line item of a table's row (code, registry row id or printed item) and column."""
    found = [
        li
        for li in report.line_items
        if li.table == table
        and li.column == column
        and key in (li.code, li.row, li.item)
        and li.placed_by != "unplaced"
    ]
    assert len(found) > nth, f"{table} {key} {column}: not placed"
    return found[nth]


# (table, row key, column, printed) typed from the pages named in the comments
SHENZHEN_02 = [
    # 表1 收支总表 (p. 21)
    ("income_expenditure_summary", "fiscal_appropriation", "amount", "7099.97"),
    ("income_expenditure_summary", "unit_funds", "amount", "40.00"),
    ("income_expenditure_summary", "business", "amount", "40.00"),
    ("income_expenditure_summary", "208", "amount", "409.64"),
    ("income_expenditure_summary", "210", "amount", "79.97"),
    # 表2 收入总表 (p. 24): one row per 预算单位
    ("income", "深圳市气象局(本级)", "total", "7199.97"),
    ("income", "深圳市气象局(本级)", "gpb", "7099.97"),
    ("income", "深圳市气象局(本级)", "business", "40.00"),
    ("income", "深圳市气象局(本级)", "opening_balance", "60.00"),
    # 表3 支出总表 (p. 25), with its 政府采购 columns
    ("expenditure", "深圳市气象局(本级)", "total", "7199.97"),
    ("expenditure", "深圳市气象局(本级)", "basic", "3217.16"),
    ("expenditure", "深圳市气象局(本级)", "project", "3982.81"),
    ("expenditure", "深圳市气象局(本级)", "procurement", "2743.31"),
    ("expenditure", "深圳市气象局(本级)", "procurement_sme", "734.66"),
    ("expenditure", "2080505", "basic", "184.11"),
    ("expenditure", "2050803", "total", "5.11"),
    # 表6 财政拨款收支总表 (p. 31): its one expenditure column is the total
    ("fiscal_summary", "fiscal_appropriation", "amount", "7099.97"),
    ("fiscal_summary", "gpb_appropriation", "amount", "7099.97"),
    ("fiscal_summary", "210", "total", "79.97"),
    ("fiscal_summary", "220", "total", "5872.33"),
    # 表7 一般公共预算支出表（按功能分类） (p. 33)
    ("gpb_expenditure", "2080502", "total", "136.25"),
    ("gpb_expenditure", "2080502", "basic", "136.25"),
    ("gpb_expenditure", "2080502", "project", "0.00"),
    ("gpb_expenditure", "2101102", "total", "33.74"),
    # 表8 一般公共预算支出表（按经济分类） (p. 35): the economic table of the same title
    ("gpb_basic_expenditure", "301", "total", "2260.90"),
    ("gpb_basic_expenditure", "30107", "basic", "349.44"),
    ("gpb_basic_expenditure", "302", "basic", "642.01"),
    ("gpb_basic_expenditure", "302", "project", "3882.81"),
    # 表9 财政拨款“三公”经费支出表 (p. 38): rows 2025年 / 2026年 / 增减变化金额
    ("three_public", "total", "previous_budget_total", "19.50"),
    ("three_public", "overseas", "previous_budget_overseas", "1.60"),
    ("three_public", "reception", "previous_budget_reception", "3.90"),
    ("three_public", "vehicle_operation", "previous_budget_vehicle_operation", "14.00"),
    ("three_public", "total", "budget_total", "27.60"),
    ("three_public", "overseas", "budget_overseas", "13.20"),
    ("three_public", "vehicles", "budget_vehicles", "10.50"),
    ("three_public", "total", "change_total", "8.10"),
    ("three_public", "vehicles", "change_vehicles", "-3.50"),
    ("three_public", "total", "budget_total_gov_fund", "0.00"),
]

CHONGQING_01 = [
    # 表一 2026年部门收支总体情况表 (p. 9): 合计 printed first
    ("income_expenditure_summary", "grand_total_income", "amount", "19230.18"),
    ("income_expenditure_summary", "gpb_appropriation", "amount", "18417.70"),
    ("income_expenditure_summary", "business", "amount", "812.48"),
    ("income_expenditure_summary", "215", "amount", "673.17"),
    # 表二 部门收入总体情况表 (p. 10): blank cells are no amounts
    ("income", "total", "total", "19230.18"),
    ("income", "total", "gpb", "18417.70"),
    ("income", "total", "business", "812.48"),
    ("income", "2010350", "gpb", "77.70"),
    ("income", "2010350", "business", "2.48"),
    ("income", "2010399", "business", "810.00"),
    # 表三 部门支出总体情况表 (p. 12)
    ("expenditure", "total", "project", "10211.71"),
    ("expenditure", "2010350", "basic", "77.70"),
    ("expenditure", "2010350", "project", "2.48"),
    ("expenditure", "2010399", "project", "1315.37"),
    # 表四 财政拨款收支总体情况表 (p. 14)
    ("fiscal_summary", "total_income", "amount", "17552.65"),
    ("fiscal_summary", "opening_balance", "amount", "865.06"),
    ("fiscal_summary", "opening_balance_gpb", "amount", "865.06"),
    ("fiscal_summary", "208", "gpb", "1595.94"),
    # 表五 一般公共预算支出情况表 (p. 15): 2025年预算数 beside 2026年 总计/基本/项目
    ("gpb_expenditure", "total", "previous_budget", "15635.80"),
    ("gpb_expenditure", "total", "personnel", "7180.92"),
    ("gpb_expenditure", "2010301", "public", "1799.74"),
    ("gpb_expenditure", "2010302", "previous_budget", "6027.47"),
    ("gpb_expenditure", "2010302", "project", "8220.69"),
    ("gpb_expenditure", "2050803", "public", "15.26"),
    # 表六 一般公共预算基本支出情况表 (p. 17-18): 7-digit economic codes, a page without title
    ("gpb_basic_expenditure", "total", "amount", "9018.47"),
    ("gpb_basic_expenditure", "3010201", "personnel", "904.48"),
    ("gpb_basic_expenditure", "30217", "public", "10.00"),
    ("gpb_basic_expenditure", "30299", "public", "301.12"),
    ("gpb_basic_expenditure", "3030104", "personnel", "22.87"),
    # 表八 财政拨款“三公”经费支出情况表 (p. 20)
    ("three_public", "total", "previous_budget_total", "396.97"),
    ("three_public", "vehicle_operation", "previous_budget_vehicle_operation", "202.48"),
    ("three_public", "total", "budget_total", "394.49"),
    ("three_public", "overseas", "budget_overseas", "184.49"),
    ("three_public", "reception", "budget_reception", "10.00"),
]

YANTAI_01 = [
    # 公开表1 收支总体情况表 (p. 6)
    ("income_expenditure_summary", "fiscal_appropriation", "amount", "1717.85"),
    ("income_expenditure_summary", "gpb_appropriation", "amount", "1717.85"),
    ("income_expenditure_summary", "221", "amount", "87.86"),
    ("income_expenditure_summary", "grand_total_expenditure", "amount", "1717.85"),
    # 公开表2 收入总体情况表 (p. 7): codes as 类 | 款 | 项 suffixes
    ("income", "20140", "total", "1378.84"),
    ("income", "2014050", "gpb", "346.87"),
    ("income", "2080599", "fiscal_appropriation", "1.12"),
    # 公开表3 支出总体情况表 (p. 9)
    ("expenditure", "total", "project", "525.00"),
    ("expenditure", "2050803", "project", "1.00"),
    # 公开表5 一般公共预算支出情况表 (p. 13)
    ("gpb_expenditure", "20140", "personnel", "752.00"),
    ("gpb_expenditure", "2014001", "public", "73.40"),
    ("gpb_expenditure", "2080599", "public", "1.12"),
    ("gpb_expenditure", "2101103", "basic", "14.57"),
    # 公开表6 一般公共预算基本支出情况表 (p. 15): 30101 printed under 501 01 and 505 01
    ("gpb_basic_expenditure", "30101", "personnel", "145.81"),
    ("gpb_basic_expenditure", "30113", "amount", "50.57"),
    # 公开表7 一般公共预算“三公”经费支出情况表 (p. 18)
    ("three_public", "total", "previous_budget_total", "22.00"),
    ("three_public", "vehicles", "previous_budget_vehicles", "20.00"),
    ("three_public", "total", "budget_total", "17.00"),
    ("three_public", "vehicle_operation", "budget_vehicle_operation", "15.00"),
    ("three_public", "reception", "budget_reception", "2.00"),
]

TYPED = {
    "shenzhen-02-budget.pdf": SHENZHEN_02,
    "chongqing-01-budget.pdf": CHONGQING_01,
    "yantai-01-budget.pdf": YANTAI_01,
}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "table", "key", "column", "printed"),
    [(name, *cell) for name, cells in TYPED.items() for cell in cells],
)
def test_typed_cell(name: str, table: str, key: str, column: str, printed: str) -> None:
    assert _cell(_report(name), table, key, column).printed == printed


@pytest.mark.corpus
def test_yantai_second_classification_is_no_row_of_its_own() -> None:
    """The 政府预算 code beside the 部门预算 one (30101 | 50101, 30101 | 50501) is another
    classification of the same row: two 30101 rows, never a 501/505 code."""
    report = _report("yantai-01-budget.pdf")
    basic = [li for li in report.line_items if li.table == "gpb_basic_expenditure"]
    assert not any((li.code or "").startswith("50") for li in basic)
    assert _cell(report, "gpb_basic_expenditure", "30101", "personnel", 1).printed == "105.33"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "shenzhen-01-budget.pdf",
        "shenzhen-02-budget.pdf",
        "shenzhen-03-budget.pdf",
        "chongqing-01-budget.pdf",
        "chongqing-02-budget.pdf",
        "yantai-01-budget.pdf",
        "yantai-02-budget.pdf",
    ],
)
def test_every_core_table_found_and_placed(name: str) -> None:
    report = _report(name)
    status = {t.table: t.status for t in report.tables}
    assert all(status[t] in ("present", "declared_empty") for t in CORE), status
    unplaced = sum(li.placed_by == "unplaced" for li in report.line_items)
    assert unplaced <= len(report.line_items) // 100


@pytest.mark.corpus
def test_empty_tables_are_declared() -> None:
    """ "（注：2026年没有使用政府性基金预算拨款安排的支出。）" and "注：本表本年无发生额。"
    declare a table empty."""
    assert {t.table: t.status for t in _report("yantai-01-budget.pdf").tables}["gov_fund"] == (
        "declared_empty"
    )
    assert {t.table: t.status for t in _report("shenzhen-02-budget.pdf").tables}[
        "state_capital"
    ] == "declared_empty"


# Identities the source itself breaks, with the reason (typed from the pages); any other
# error of the validator on these reports is a misread.
SOURCE_BREAKS = {
    "yantai-01-budget.pdf": {
        # 信访事务 1,378.84 = 行政运行 507.97 + 事业运行 346.87 + 524.00 of 项目支出 that no
        # 项 line carries (pp. 7, 9, 13: every function table of the report)
        ("hierarchy-sum", "income", "20140"),
        ("hierarchy-sum", "expenditure", "20140"),
        ("hierarchy-sum", "gpb_expenditure", "20140"),
        # 政府采购 under 信访事务 71.89, under its only printed 项 (行政运行) 1.56 (p. 25)
        ("hierarchy-sum", "procurement", "20140"),
    },
    "shenzhen-02-budget.pdf": set(),
    "chongqing-01-budget.pdf": set(),
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(SOURCE_BREAKS))
def test_only_the_source_breaks_identities(name: str) -> None:
    errors = {
        (f.code, w.table, w.code)
        for f in validate_report(_report(name))
        if f.severity == "error" and f.code in ("hierarchy-sum", "row-sum", "cross-table")
        for w in f.where[:1]
    }
    assert errors == SOURCE_BREAKS[name]
