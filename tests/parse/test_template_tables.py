"""Tables of the older corpus templates, cell by cell: values typed from the rendered pages.

- jiangsu-fy-2017-budget.pdf (江苏省高级人民法院 2017 部门预算): its tables carry the year and the
  department before the title ("一、2017年度江苏省高级人民法院部门收支预算总表"), and Word drew a
  white box behind every cell and cell margin (no rules: they cut sliver columns before).
- shanghai-putuo-qfb-2025-unit-budget.pdf (单位预算): the 财务收支预算总表 prints 合计 | 基本支出
  (人员经费, 公用经费) | 项目支出 on its expenditure side.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.model import Report
from fiscalpub.parse.tables import match_title
from fiscalpub.read import read_document
from tests.conftest import CORE_TABLES, EXPECTED, corpus_path, parsed_pdf, printed_cells

CORE = CORE_TABLES


def _report(name: str) -> Report:
    return parsed_pdf(name)


_cells = printed_cells


FY = "jiangsu-fy-2017-budget.pdf"
UNIT = "shanghai-putuo-qfb-2025-unit-budget.pdf"


@pytest.mark.corpus
def test_court_tables_are_found_below_their_owner_titles() -> None:
    report = _report(FY)
    status = {t.table: t.status for t in report.tables}
    assert [status[t] for t in CORE] == ["present"] * 7
    # 七、政府性基金支出预算表 (page 15): header and an empty 合计 row, no amount
    assert status["gov_fund"] == "declared_empty"
    # the template has no 国有资本经营 table (目录 lists twelve tables without it)
    assert status["state_capital"] == "not_found"
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]
    assert not [f for f in report.findings if f.code == "row-identity-broken"]


@pytest.mark.corpus
def test_court_summary_keeps_the_row_continued_on_the_next_page() -> None:
    """Page 12 starts with 四、公共安全支出 23,513.11 and prints no rule above it."""
    cells = _cells(_report(FY), "income_expenditure_summary")
    assert cells[("204", "amount")] == ["23513.11"]
    assert cells[("208", "amount")] == ["2347.13"]
    assert cells[("221", "amount")] == ["2989.14"]
    assert cells[("total_expenditure", "amount")] == ["28849.38"]


@pytest.mark.corpus
def test_court_fiscal_summary_and_three_public() -> None:
    report = _report(FY)
    fiscal = _cells(report, "fiscal_summary")
    assert fiscal[("gpb_appropriation", "amount")] == ["28849.38"]
    assert fiscal[("basic", "total")] == ["17123.19"]
    assert fiscal[("reserve", "total")] == ["182.92"]
    # 十一、…“三公”经费、会议费、培训费支出预算表 (page 17); 公务用车购置费 blank
    assert _cells(report, "three_public") == {
        ("grand_total", "budget_grand_total"): ["2599.37"],
        ("total", "budget_total"): ["670.12"],
        ("overseas", "budget_overseas"): ["180.00"],
        ("vehicles", "budget_vehicles"): ["304.40"],
        ("vehicle_operation", "budget_vehicle_operation"): ["304.40"],
        ("reception", "budget_reception"): ["185.72"],
        ("meeting", "budget_meeting"): ["228.00"],
        ("training", "budget_training"): ["1701.25"],
    }


@pytest.mark.corpus
def test_unit_budget_summary_splits_basic_into_personnel_and_public() -> None:
    report = _report(UNIT)
    cells = _cells(report, "income_expenditure_summary")
    assert cells[("201", "amount")] == ["82096797.42"]
    assert cells[("201", "personnel")] == ["13819399.88"]
    assert cells[("201", "public")] == ["1867397.54"]
    assert cells[("201", "project")] == ["66410000.00"]
    assert cells[("208", "public")] == ["265380.00"]
    assert ("208", "project") not in cells
    assert cells[("grand_total_expenditure", "personnel")] == ["22473997.81"]
    assert cells[("grand_total_expenditure", "public")] == ["2132777.54"]
    assert cells[("grand_total_income", "amount")] == ["91016775.35"]
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]


# The same report's 支出预算总表 as other Jiangsu departments print it: by 功能科目, a row per
# code under 合计 (the issue saw one read as its 合计 row only).  Reprinted into the text of the
# procuratorate report; the amounts add up: 合计 = Σ 类 and 合计 = 基本 + 项目 + 预留 per row.
BY_FUNCTION = [
    "科目编码 科目名称 合计 基本支出 项目支出 单位预留机动经费 结转下年资金",
    "合计 17,996.68 12,323.48 5,533.00 140.20",
    "204 公共安全支出 13,656.34 7,983.14 5,533.00 140.20",
    "208 社会保障和就业支出 2,021.18 2,021.18",
    "221 住房保障支出 2,319.16 2,319.16",
]


@pytest.mark.corpus
def test_expenditure_total_table_by_function_keeps_its_body_rows(tmp_path: Path) -> None:
    doc = read_document(str(corpus_path("pdf", "jiangsu-jcy-2017-budget.pdf")))
    pages = [[line.text for line in page.lines] for page in doc.pages]
    page = [p for p in pages if "三、支出预算总表" in p][-1]  # the table, not the 目录
    at = page.index("三、支出预算总表")
    end = next(i for i in range(at + 1, len(page)) if page[i].startswith("四、"))
    page[at + 2 : end] = BY_FUNCTION  # keep the title and its 部门/单位 line
    path = tmp_path / "jcy-by-function.txt"
    path.write_text("\f".join("\n".join(p) for p in pages), encoding="utf-8")
    items = [li for li in parse_files([path]).line_items if li.table == "expenditure"]
    by_row: dict[str | None, list[str]] = {}
    for li in items:
        by_row.setdefault(li.code or li.row, []).append(li.printed)
    assert by_row == {
        "total": ["17996.68", "12323.48", "5533.00", "140.20"],
        "204": ["13656.34", "7983.14", "5533.00", "140.20"],
        "208": ["2021.18", "2021.18"],
        "221": ["2319.16", "2319.16"],
    }
    # the text does not show which of 预留/结转 is blank: the identity fixes only 合计
    placed = {li.column for li in items if li.code == "204" and li.placed_by != "unplaced"}
    assert placed == {"total"}


@pytest.mark.corpus
def test_national_template_tables_are_printed_empty() -> None:
    """template-2024-final.pdf prints all nine 决算 tables with headers and total rows but
    no amount, only codes ("205 教育支出", "20799" alone between the halves of a wrapped
    name): each is declared empty, none referenced elsewhere."""
    report = _report("template-2024-final.pdf")
    status = {t.table: t.status for t in report.tables}
    standard = (*CORE, "gov_fund", "state_capital")
    assert {t: status[t] for t in standard} == dict.fromkeys(standard, "declared_empty")
    assert not report.line_items


@pytest.mark.corpus
def test_a_table_that_prints_amounts_is_never_declared_empty() -> None:
    """shanghai-02-unit-budget.pdf: 收入预算总表 prints "229 其他支出 216,801,570 …" (whole 元);
    even where no row is read from it, it is not empty.  Its 一般公共预算 tables print only
    their header and an empty 合计 row: those are."""
    status = {t.table: t.status for t in _report("cities/shanghai-02-unit-budget.pdf").tables}
    assert status["income"] == "present"
    assert status["gov_fund"] == "present"
    assert status["gpb_expenditure"] == "declared_empty"
    assert status["gpb_basic_expenditure"] == "declared_empty"


@pytest.mark.corpus
def test_grid_drawn_as_one_path_of_many_rules() -> None:
    """shanghai-02-unit-budget.pdf draws each table's rules as the parts of one path object
    (its bounds are only the frame): the parts are the rules, so the cells are read."""
    report = _report("cities/shanghai-02-unit-budget.pdf")
    income = _cells(report, "income")
    # page 8: 229 其他支出 216,801,570 | 215,020,000 | (事业) | (经营) | 1,781,570
    assert income[("229", "total")] == ["216801570"]
    assert income[("229", "fiscal_appropriation")] == ["215020000"]
    assert income[("229", "other")] == ["1781570"]
    assert ("229", "business") not in income
    # 政府性基金预算支出功能分类预算表: 229 08 04 … 215,020,000 | 20,862,863 | 194,157,137
    fund = _cells(report, "gov_fund")
    assert fund[("2290804", "expenditure_total")] == ["215020000"]
    assert fund[("2290804", "basic")] == ["20862863"]
    assert fund[("2290804", "project")] == ["194157137"]
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]


@pytest.mark.parametrize(
    ("line", "table"),
    [
        ("一、2017年度江苏省高级人民法院部门收支预算总表", "income_expenditure_summary"),
        ("江苏省高级人民法院2018年度部门收入预算总表", "income"),
        (
            "十一、2017年江苏省高级人民法院部门一般公共预算“三公”经费、会议费、培训费支出预算表",
            "three_public",
        ),
        ("2017年度江苏省高级人民法院部门收支预算总表情况说明", None),  # a narrative heading
        ("江苏省人民检察院2017年部门预算情况说明", None),
        ("2017年度江苏省高级人民法院部门收支预算总表的主要内容如下", None),  # text after the title
    ],
)
def test_a_title_may_carry_its_year_and_owner(line: str, table: str | None) -> None:
    hit = match_title(line)
    assert (hit[0] if hit else None) == table


# The 单位预算's 财务收支预算总表, expenditure side (page 8): 合计 | 人员经费 | 公用经费 | 项目支出
UNIT_SUMMARY_SPLIT = [
    ("201", "personnel", "13819399.88"),
    ("201", "public", "1867397.54"),
    ("201", "project", "66410000.00"),
    ("208", "personnel", "3948399.28"),
    ("208", "public", "265380.00"),
    ("210", "personnel", "1097073.43"),
    ("221", "personnel", "3609125.22"),
    ("grand_total_expenditure", "personnel", "22473997.81"),
    ("grand_total_expenditure", "public", "2132777.54"),
    ("grand_total_expenditure", "project", "66410000.00"),
]


@pytest.mark.corpus
def test_unit_budget_prints_the_department_budget_amounts_and_the_split() -> None:
    """The office has one unit: its 单位预算 prints every amount its 部门预算 prints (the
    twin's hand-typed oracle, putuo-qfb-2025_items.yaml) and splits the summary's
    expenditure into 人员经费/公用经费/项目支出 — nothing else, nothing unplaced."""
    twin = yaml.safe_load((EXPECTED / "putuo-qfb-2025_items.yaml").read_text(encoding="utf-8"))
    expected = Counter(
        (e["table"], e["code"] or e["row"], e["column"], str(e["printed"]).replace(",", ""))
        for e in twin["items"]
    )
    expected.update(("income_expenditure_summary", *cell) for cell in UNIT_SUMMARY_SPLIT)
    report = _report(UNIT)
    got = Counter((li.table, li.code or li.row, li.column, li.printed) for li in report.line_items)
    assert got == expected
