"""Wuxi, Fuzhou, Changsha and Xi'an 2026 部门/单位预算 templates: every core table found and
a few cells per table, typed by hand from the rendered pages (pdftotext -layout), never
copied from the parse.  Each cell is (table, code or row, column, printed amount)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiscalpub.model import Report
from tests.conftest import CORE_TABLES, parsed_pdf

CORE = CORE_TABLES

# report -> cells typed from its pages
CELLS: dict[str, list[tuple[str, str, str, str]]] = {
    # 无锡市交通运输局（本级）2026 单位预算, 公开01-13表 (万元)
    "wuxi-01-unit-budget.pdf": [
        # 公开01 收支总表: the 类 lines of the expenditure half
        ("income_expenditure_summary", "212", "amount", "842,090.31"),
        ("income_expenditure_summary", "#total_income", "amount", "984,760.87"),
        # 公开02 收入总表: by unit, 143,999.0|0 wrapped in its narrow cell
        ("income", "#total", "total", "984,760.87"),
        ("income", "#total", "gpb", "196,278.67"),
        ("income", "#total", "gov_fund", "143,999.00"),
        ("income", "#total", "state_capital", "32,640.00"),
        ("income", "#total", "other", "611,843.20"),
        # 公开03 支出总表
        ("expenditure", "21401", "total", "47,867.76"),
        ("expenditure", "21401", "basic", "2,103.06"),
        ("expenditure", "21401", "project", "45,764.70"),
        # 公开04 财政拨款收支总表: "（十四）交通运输支出"
        ("fiscal_summary", "214", "total", "52,383.76"),
        ("fiscal_summary", "#gpb_appropriation", "amount", "196,278.67"),
        # 公开05 财政拨款支出表（功能科目）: 基本支出 split into 人员经费 / 公用经费
        ("fiscal_expenditure", "2140101", "total", "2,103.06"),
        ("fiscal_expenditure", "2140101", "personnel", "1,912.32"),
        ("fiscal_expenditure", "2140101", "public", "190.74"),
        ("fiscal_expenditure", "21203", "project", "127,692.11"),
        # 公开06 财政拨款基本支出表（经济科目）
        ("fiscal_basic_expenditure", "30239", "public", "71.15"),
        ("fiscal_basic_expenditure", "#total", "personnel", "3,115.12"),
        # 公开07 一般公共预算支出表
        ("gpb_expenditure", "212", "project", "137,692.11"),
        ("gpb_expenditure", "2140101", "personnel", "1,912.32"),
        # 公开08 一般公共预算基本支出表
        ("gpb_basic_expenditure", "30102", "amount", "1,230.21"),
        ("gpb_basic_expenditure", "30102", "personnel", "1,230.21"),
        ("gpb_basic_expenditure", "#total", "public", "190.74"),
        # 公开09 “三公”经费、会议费、培训费: “三公”经费合计 2.02 = 0.00 + 0.00 + 2.02
        ("three_public", "#total", "budget_total", "2.02"),
        ("three_public", "#reception", "budget_reception", "2.02"),
        ("three_public", "#meeting", "budget_meeting", "1.09"),
        ("three_public", "#training", "budget_training", "8.73"),
        # 公开10 政府性基金预算支出表 and 公开12 机关运行经费
        ("gov_fund", "2120803", "project", "143,999.00"),
        ("office_operating", "30201", "amount", "64.51"),
    ],
    # 福州市商务局 2026 部门预算 (万元)
    "fuzhou-01-budget.pdf": [
        # 收支预算总表: 本年支出合计 printed 24995.9|4 over two lines
        ("income_expenditure_summary", "#total_expenditure", "amount", "24995.94"),
        ("income_expenditure_summary", "216", "amount", "18800.00"),
        # 收入预算总表 by unit
        ("income", "#total", "gpb", "23195.94"),
        ("income", "#total", "gov_fund", "1800.00"),
        # 支出预算总表
        ("expenditure", "2011350", "basic", "245.05"),
        ("expenditure", "2011350", "project", "16.63"),
        # 一般公共预算拨款支出预算表
        ("gpb_expenditure", "2011350", "total", "261.68"),
        ("gpb_expenditure", "2080501", "basic", "599.54"),
        # 一般公共预算基本支出经济分类情况表
        ("gpb_basic_expenditure", "30226", "amount", "72.00"),
        ("gpb_basic_expenditure", "30231", "amount", "8.00"),
        # 一般公共预算“三公”经费支出预算表, printed down the page (项目 | 预算数)
        ("three_public", "#total", "budget_total", "84.10"),
        ("three_public", "#overseas", "budget_overseas", "70.00"),
        ("three_public", "#reception", "budget_reception", "6.10"),
        ("three_public", "#vehicle_purchase", "budget_vehicle_purchase", "0.00"),
        ("three_public", "#vehicle_operation", "budget_vehicle_operation", "8.00"),
        # 政府性基金预算拨款支出预算表
        ("gov_fund", "2120815", "project", "1800.00"),
    ],
    # 长沙市公安局 2025 部门预算: 类 | 款 | 项 code columns, titles "…情况表" (万元)
    "changsha-01-budget.pdf": [
        ("income_expenditure_summary", "#fiscal_appropriation", "amount", "68,632.12"),
        ("income_expenditure_summary", "#project", "amount", "40,233.95"),
        # 部门收入总体情况表: 本级财政拨款 金额 | 其中:经费拨款
        ("income", "2040202", "fiscal_appropriation", "36,490.02"),
        ("income", "2040202", "fiscal_funding", "18,228.51"),
        # the 款 row prints only "11": 201 + 11
        ("expenditure", "20111", "project", "3.00"),
        ("expenditure", "2040201", "basic", "28,398.17"),
        # 财政拨款收支总体情况表, its 总计 line on the page after the title's
        ("fiscal_summary", "#grand_total_expenditure", "gpb", "68,632.12"),
        ("fiscal_summary", "204", "gpb", "68,629.12"),
        ("gpb_expenditure", "2040220", "project", "1,740.93"),
        ("gpb_expenditure", "20402", "basic", "28,398.17"),
        # 总计 | 人员类 | 公用经费
        ("gpb_basic_expenditure", "30299", "personnel", "83.47"),
        ("gpb_basic_expenditure", "30299", "public", "716.22"),
        ("gpb_basic_expenditure", "30213", "amount", "90.00"),
        # 小计 | 公务接待费 | 因公出国（境）费 | 公务用车购置及运行费 | 其中…购置 | 其中…运行费
        ("three_public", "#total", "budget_total", "458.50"),
        ("three_public", "#reception", "budget_reception", "28.50"),
        ("three_public", "#overseas", "budget_overseas", "30.00"),
        ("three_public", "#vehicle_purchase", "budget_vehicle_purchase", "150.00"),
        ("three_public", "#vehicle_operation", "budget_vehicle_operation", "250.00"),
    ],
    # 西安市信访局（汇总）2026 部门综合预算 (元)
    "xian-01-budget.pdf": [
        # 表5 按支出功能分类科目: 合计 | 人员经费支出 | 公用经费支出 | 专项业务经费支出 | 备注
        ("gpb_expenditure", "2014001", "personnel", "12,653,513.74"),
        ("gpb_expenditure", "2014001", "public", "1,079,667.20"),
        ("gpb_expenditure", "2014004", "project", "8,936,120.00"),
        ("gpb_expenditure", "2050803", "public", "99,800.00"),
        # 表8 基本支出 按经济分类: 部门经济科目 30101 (政府经济科目 50101 is a cross-reference)
        ("gpb_basic_expenditure", "30101", "amount", "3,868,678.80"),
        ("gpb_basic_expenditure", "30239", "personnel", "600,012.00"),
        ("gpb_basic_expenditure", "31002", "public", "55,500.00"),
        # 表13: 上年 | 当年 | 增减变化情况, the 合计 row
        ("three_public", "#grand_total", "budget_grand_total", "320,800.00"),
        ("three_public", "#total", "budget_total", "101,000.00"),
        ("three_public", "#training", "budget_training", "219,800.00"),
        ("three_public", "#grand_total", "prior_budget_grand_total", "242,000.00"),
        ("three_public", "#total", "change_total", "-19,000.00"),
        # 表4 财政拨款收支总表, 支出功能分类 half
        ("fiscal_summary", "210", "total", "950,291.73"),
    ],
}


def _report(name: str) -> Report:
    return parsed_pdf(f"cities/{name}")


def _cell(report: Report, table: str, key: str, column: str) -> list[Decimal]:
    out = []
    for li in report.line_items:
        if li.table != table or li.column != column:
            continue
        if key.startswith("#") and li.row != key[1:]:
            continue
        if not key.startswith("#") and li.code != key:
            continue
        out.append(Decimal(li.printed))
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CELLS))
def test_cells_typed_from_the_pages(name: str) -> None:
    report = _report(name)
    wrong = []
    for table, key, column, printed in CELLS[name]:
        want = Decimal(printed.replace(",", ""))
        got = _cell(report, table, key, column)
        if got != [want]:
            wrong.append((table, key, column, printed, got))
    assert not wrong, wrong


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name", ["wuxi-01-unit-budget.pdf", "fuzhou-01-budget.pdf", "changsha-01-budget.pdf"]
)
def test_every_core_table_read_and_placed(name: str) -> None:
    report = _report(name)
    status = {t.table: t.status for t in report.tables}
    assert all(status[t] == "present" for t in CORE), status
    unplaced = [li for li in report.line_items if li.placed_by == "unplaced"]
    core = [li for li in report.line_items if li.table in CORE]
    assert not [li for li in unplaced if li.table in CORE], unplaced[:5]
    assert len(core) > 150


@pytest.mark.corpus
def test_changsha_empty_fund_table_is_declared_empty() -> None:
    # "此表如无数字则表示单位无该项支出" under a 政府性基金预算支出情况表 printing no amount
    status = {t.table: t.status for t in _report("changsha-01-budget.pdf").tables}
    assert status["gov_fund"] == "declared_empty"


@pytest.mark.corpus
def test_xian_function_and_economic_tables_of_one_title_told_apart() -> None:
    # 表7 一般公共预算基本支出明细表（按支出功能分类科目） is not gpb_basic_expenditure:
    # every one of its codes is economic (3xx), none a function code of 表7
    report = _report("xian-01-budget.pdf")
    codes = {li.code for li in report.line_items if li.table == "gpb_basic_expenditure"}
    assert codes and all(c is None or c.startswith("3") for c in codes), codes
