"""Regional templates of the 2026 部门预算 family: tables recognised by their local titles
and their headers; tables the registry does not know bound the regions before them.

Expected values are read from the PDF pages (pdftotext -layout), not from program output.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiscalpub.api import parse_files
from tests.conftest import CORE_TABLES, corpus_path

STANDARD = (*CORE_TABLES, "gov_fund", "state_capital")

# 表9 政府性基金预算支出情况表 / 表10 国有资本经营预算支出情况表 print "注：本表本年无发生额。"
# under a 合计 row of 0.00 — except 表9 of 城市管理和综合执法局 (p. 19), which has rows.
GUANGZHOU = {
    "guangzhou-01-budget.pdf": {"gov_fund": "declared_empty", "state_capital": "declared_empty"},
    "guangzhou-02-budget.pdf": {"gov_fund": "declared_empty", "state_capital": "declared_empty"},
    "guangzhou-03-budget.pdf": {"gov_fund": "present", "state_capital": "declared_empty"},
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(GUANGZHOU))
def test_guangzhou_tables_found_and_placed(name: str) -> None:
    report = parse_files([corpus_path("pdf", "cities", name)])
    status = {t.table: t.status for t in report.tables}
    for tid in STANDARD:
        assert status[tid] == GUANGZHOU[name].get(tid, "present"), tid
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]
    # the source's own inconsistencies are one cent (元 -> 万元 rounding, "本套报表金额单位转换时
    # 可能存在尾数误差"): within the tolerance, so the self-check finds no contradiction —
    # also not in the income-by-fund and 三公-matrix shapes, whose identities are the variants'
    checks = report.report.checks
    assert checks is not None and checks.contradicted == 0 and checks.confirmed > 0


@pytest.mark.corpus
def test_a_table_the_registry_does_not_know_ends_the_region_before_it() -> None:
    """guangzhou-01: 表6 一般公共预算基本支出情况表 (pp. 17-18) is followed by 表7 一般公共预算
    项目支出情况表（按经济分类科目） (pp. 19-20), no registry table, whose 312 对企业补助 /
    31204 费用补贴 133,143.57 must not run into 表6; 表11 部门预算基本支出预算表 (pp. 24-25)
    contains the registry title 支出预算表 but its header (总计, 财政拨款 by fund, 财政专户拨款,
    其他资金) is not the expenditure table's."""
    report = parse_files([corpus_path("pdf", "cities", "guangzhou-01-budget.pdf")])
    basic = [li for li in report.line_items if li.table == "gpb_basic_expenditure"]
    assert {li.page for li in basic} == {17, 18}
    assert not [li for li in basic if li.code in ("312", "31204")]
    assert not [li for li in report.line_items if li.page in (19, 20, 24, 25, 26, 27, 28)]
    expenditure = next(t for t in report.tables if t.table == "expenditure")
    assert expenditure.page == 11  # 表3 本年支出总体情况表
    # the last row of 表6 (p. 18): [31002]办公设备购置 9.00
    office = [li for li in basic if li.code == "31002"]
    assert [(li.amount, li.page) for li in office] == [(Decimal("90000.00"), 18)]


@pytest.mark.corpus
def test_a_local_title_with_columns_the_registry_does_not_know_is_not_guessed() -> None:
    """chongqing-01 p. 15: 2026年一般公共预算支出情况表 shares Guangzhou's local title but prints
    2025年预算数 beside 2026年预算数 (总计, 基本支出 小计/人员经费/公用经费, 项目支出).
    Until the registry knows that shape, its numbers are not read into guessed columns:
    either the table is not_found with an unknown-table-shape finding, or every one of its
    numbers is placed."""
    report = parse_files([corpus_path("pdf", "cities", "chongqing-01-budget.pdf")])
    status = next(t.status for t in report.tables if t.table == "gpb_expenditure")
    items = [li for li in report.line_items if li.table == "gpb_expenditure"]
    if status == "not_found":
        assert not items
        finding = next(
            f
            for f in report.findings
            if f.code == "unknown-table-shape" and f.where[0].table == "gpb_expenditure"
        )
        assert "2025年预算" in finding.message
    else:
        assert items and not [li for li in items if li.placed_by == "unplaced"]


@pytest.mark.parametrize(
    ("title", "table"),
    [
        ("2026年部门支出总体情况表", "expenditure"),  # Chongqing, Changsha
        ("预算01表 收支总表", "income_expenditure_summary"),  # Beijing 附件2
        ("收入总表", "income"),  # Shenzhen, Wuxi
        ("2026年度一般公共预算基本支出经济分类情况表", "gpb_basic_expenditure"),  # Fuzhou
        ("部门综合预算一般公共预算支出明细表", "gpb_expenditure"),  # Xi'an
        ("2026年财政拨款“三公”经费支出情况表", "three_public"),  # Chongqing
        ("一般公共预算项目支出情况表（按经济分类科目）", None),  # Guangzhou 表7: no registry table
        ("基本支出总表", None),  # Shenzhen: all funds' basic spending, no registry table
    ],
)
def test_a_title_of_a_known_family(title: str, table: str | None) -> None:
    from fiscalpub.parse.tables import _families, family_key

    assert _families().get(family_key(title)) == table


@pytest.mark.corpus
def test_tables_found_by_their_title_family() -> None:
    """wuxi-02 公开09表 一般公共预算“三公”经费、会议费、培训费支出表 (p. 21): “三公”经费合计 6.40
    is the 三公 total (0.00 + 2.80 + 3.60), not the 合计 with 会议费 2.80 and 培训费 10.00."""
    report = parse_files([corpus_path("pdf", "cities", "wuxi-02-budget.pdf")])
    status = {t.table: t.status for t in report.tables}
    assert status["income_expenditure_summary"] == status["expenditure"] == "present"
    cells = {
        (li.row, li.column): li.printed for li in report.line_items if li.table == "three_public"
    }
    assert cells[("total", "budget_total")] == "6.40"
    assert cells[("training", "budget_training")] == "10.00"
    assert ("grand_total", "budget_grand_total") not in cells


@pytest.mark.corpus
def test_the_row_of_column_numbers_is_no_data() -> None:
    """changsha-01 p. 15 (2025年部门支出总体情况表): under the header a row
    "** ** ** ** 1 2 3 4 5 6" numbers the columns; the first data row is
    合计 68,632.12 | 28,398.17 | 40,233.95."""
    report = parse_files([corpus_path("pdf", "cities", "changsha-01-budget.pdf")])
    items = [li for li in report.line_items if li.table == "expenditure"]
    assert not [li for li in items if li.item == "**"]
    total = {li.column: li.printed.replace(",", "") for li in items if li.row == "total"}
    assert total == {"total": "68632.12", "basic": "28398.17", "project": "40233.95"}
