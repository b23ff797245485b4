"""Name-only 类/款/项 trees of a summary table's expenditure side (issue 14).

Shenzhen's 收支总表 and 财政拨款收支总表 print the function classification as a tree of
names: the numbered 类 line, its 款 lines indented under it, their 项 lines indented
further, no codes.  Each line takes its code from its path (by indentation) through the
codes the report's own tables print beside the same names (表7 一般公共预算支出表), only
when exactly one code fits.  Expected codes and amounts are typed from the pages named."""

from __future__ import annotations

import pytest

from fiscalpub.code_index import CodeIndex
from fiscalpub.model import LineItem, Report
from fiscalpub.parse.region import RawRow
from fiscalpub.parse.tree import code_tree
from fiscalpub.validate.engine import checks, validate_report
from tests.conftest import parsed_pdf


def _lines(report: Report, table: str, code: str) -> list[LineItem]:
    return [li for li in report.line_items if li.table == table and li.code == code]


# (code, printed name, amount) of 表1 收支总表's 支出 side, typed from pp. 18-20 (printed
# pages 15-17); the codes from 表7 一般公共预算支出表（按功能分类） pp. 33-34
SHENZHEN_03_SUMMARY = [
    ("206", "科学技术支出", "988753.68"),
    ("20601", "科学技术管理事务", "4407.68"),
    ("2060101", "行政运行", "3117.43"),
    ("20699", "其他科学技术支出", "74346.00"),
    ("2069999", "其他科学技术支出", "67246.00"),
    ("208", "社会保障和就业支出", "1085.65"),
    ("20801", "人力资源和社会保障管理事务", "128.65"),
    ("2080116", "引进人才费用", "128.65"),
    ("20805", "行政事业单位养老支出", "907.00"),
    ("2080501", "行政单位离退休", "437.00"),
    ("2080506", "机关事业单位职业年金缴费支出", "160.00"),
    ("20808", "抚恤", "50.00"),
    ("2080801", "死亡抚恤", "50.00"),
    ("21011", "行政事业单位医疗", "130.00"),
    ("2210203", "购房补贴", "1423.00"),
]


@pytest.mark.corpus
@pytest.mark.parametrize("table", ["income_expenditure_summary", "fiscal_summary"])
@pytest.mark.parametrize(("code", "name", "amount"), SHENZHEN_03_SUMMARY)
def test_shenzhen_03_tree_lines_have_their_codes(
    table: str, code: str, name: str, amount: str
) -> None:
    """表1 收支总表 and 表6 财政拨款收支总表 (pp. 30-32) print the same tree; the page
    printing the 支出 side alone (p. 19, p. 31) is read too."""
    found = _lines(parsed_pdf("cities/shenzhen-03-budget.pdf"), table, code)
    assert [(li.item, li.printed, li.classification) for li in found] == [
        (name, amount, "function")
    ]


# 表1 收支总表 of shenzhen-01 (pp. 16-17), codes from 表7 (pp. 30-31)
SHENZHEN_01_SUMMARY = [
    ("20306", "国防动员", "124.14"),
    ("2030608", "边海防", "124.14"),
    ("20402", "公安", "157291.52"),
    ("2040202", "一般行政管理事务", "45437.82"),
    ("2080505", "机关事业单位基本养老保险缴费支出", "7390.76"),
    ("2080899", "其他优抚支出", "1.81"),
    ("2210201", "住房公积金", "7605.63"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("code", "name", "amount"), SHENZHEN_01_SUMMARY)
def test_shenzhen_01_tree_lines_have_their_codes(code: str, name: str, amount: str) -> None:
    found = _lines(parsed_pdf("cities/shenzhen-01-budget.pdf"), "income_expenditure_summary", code)
    assert [(li.item, li.printed) for li in found] == [(name, amount)]


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name", ["shenzhen-01-budget.pdf", "shenzhen-02-budget.pdf", "shenzhen-03-budget.pdf"]
)
def test_shenzhen_summary_sides_have_no_line_without_code(name: str) -> None:
    """Every amount of the two summaries' 支出 sides is a 类/款/项 line with its code or a
    registry row (本年支出合计, 结转下年, 支出总计)."""
    report = parsed_pdf(f"cities/{name}")
    loose = [
        (li.table, li.page, li.item)
        for li in report.line_items
        if li.table in ("income_expenditure_summary", "fiscal_summary")
        and li.code is None
        and li.row is None
    ]
    assert loose == []


@pytest.mark.corpus
@pytest.mark.parametrize("table", ["income_expenditure_summary", "fiscal_summary"])
def test_shenzhen_03_tree_sums_hold(table: str) -> None:
    """With their codes the tree's lines are checked: 类 = Σ 款, 款 = Σ 项 (208 = 20801 +
    20805 + 20808 = 128.65 + 907.00 + 50.00), and none breaks."""
    report = parsed_pdf("cities/shenzhen-03-budget.pdf")
    sums = {
        c.members[0].code: c.holds
        for c in checks(report)
        if c.rule == "hierarchy-sum"
        and isinstance(c.members[0], LineItem)
        and c.members[0].table == table
    }
    assert {"206", "20601", "208", "20801", "20805", "20808", "210", "221", "22102"} <= set(sums)
    assert all(sums.values())
    assert not [f for f in validate_report(report) if f.severity == "error"]


@pytest.mark.corpus
def test_jiangsu_class_name_wrapped_over_a_page_break() -> None:
    """收支预算总表 (p. 7) prints "八、社会保障和就" with 1,608.51 at the foot of the page and
    "业支出" atop p. 8: one 类 line, 208."""
    report = parsed_pdf("jiangsu-rdbgt-2017-budget.pdf")
    found = _lines(report, "income_expenditure_summary", "208")
    assert [(li.printed, li.page) for li in found] == [("1608.51", 7)]


def _row(name: str, indent: float, code: str | None = None) -> RawRow:
    return RawRow("expenditure", code, None, name, [object()], indent=indent)  # type: ignore[list-item]


def test_an_ambiguous_path_stays_without_code() -> None:
    """Two codes of one name under one 款 (the report prints both): no code is chosen, and
    a 项 under a 款 that has no code gets none either."""
    rows = [
        _row("一、社会保障和就业支出", 540, "208"),
        _row("行政事业单位养老支出", 550),
        _row("行政单位离退休", 560),
        _row("未知的款", 550),
        _row("行政运行", 560),
    ]
    own = {
        "208": {"社会保障和就业支出"},
        "20805": {"行政事业单位养老支出"},
        "2080501": {"行政单位离退休"},
        "2080502": {"行政单位离退休"},
    }
    assert code_tree(rows, own, None, CodeIndex()) == 1
    assert [r.code for r in rows] == ["208", "20805", None, None, None]


def test_a_code_two_lines_would_share_goes_to_neither() -> None:
    rows = [
        _row("二、卫生健康支出", 540, "210"),
        _row("行政事业单位医疗", 550),
        _row("行政单位医疗", 560),
        _row("行政事业单位医疗", 550),
    ]
    own = {"21011": {"行政事业单位医疗"}, "2101101": {"行政单位医疗"}}
    code_tree(rows, own, None, CodeIndex())
    assert [r.code for r in rows] == ["210", None, "2101101", None]


def test_more_levels_than_a_tree_has_are_not_read() -> None:
    rows = [
        _row("一、卫生健康支出", 540, "210"),
        _row("行政事业单位医疗", 550),
        _row("行政单位医疗", 560),
        _row("行政单位医疗", 570),
    ]
    own = {"21011": {"行政事业单位医疗"}, "2101101": {"行政单位医疗"}}
    assert code_tree(rows, own, None, CodeIndex()) == 0
    assert [r.code for r in rows] == ["210", None, None, None]
