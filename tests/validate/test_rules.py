"""The accounting rules: the findings the issue names on the seeds, and each rule's
arithmetic on small reports (tolerance, blank cells, direction of inequalities)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, Finding, LineItem, Report, ReportMeta, TableInfo
from fiscalpub.validate.engine import validate_report
from fiscalpub.validate.rules import RULES, step
from tests.conftest import EXAMPLES, corpus_path

SEED_003 = EXAMPLES / "003_c8682c8f72d65ec9.txt"
SEED_004 = EXAMPLES / "004_eedbb879cd069ff8.txt"


@pytest.fixture(scope="module")
def findings_004() -> list[Finding]:
    return validate_report(parse_files([SEED_004]))


@pytest.fixture(scope="module")
def findings_003() -> list[Finding]:
    return validate_report(parse_files([SEED_003]))


def _places(f: Finding) -> set[tuple[str | None, str | None, str | None]]:
    return {(w.table, w.code or w.row, w.column) for w in f.where}


def test_004_health_basic_spending_is_rounding_across_tables(findings_004: list[Finding]) -> None:
    (f,) = [
        f
        for f in findings_004
        if {("expenditure", "210", "basic"), ("gpb_expenditure", "210", "basic")} == _places(f)
    ]
    assert (f.code, f.severity) == ("rounding", "warning")
    assert "191.32" in f.message and "191.33" in f.message and "[cross-table]" in f.message
    assert {w.line for w in f.where} == {258, 455}  # both printed lines


def test_004_narrative_agriculture_line_is_an_error_naming_both_places(
    findings_004: list[Finding],
) -> None:
    (f,) = [f for f in findings_004 if f.code == "narrative-table" and "213" in f.message]
    assert f.severity == "error"
    assert "农林水" in f.message and "17.43" in f.message
    assert ("gpb_expenditure", "221", "total") in _places(f)  # where 17.43 is printed
    assert f.where[0].line == 1910  # the narrative sentence


def test_003_medical_aid_kuan_is_rounding_against_its_xiang(findings_003: list[Finding]) -> None:
    matches = [
        f
        for f in findings_003
        if ("gpb_expenditure", "21013", "total") in _places(f)
        and ("gpb_expenditure", "2101301", "total") in _places(f)
        and ("gpb_expenditure", "2101399", "total") in _places(f)
    ]
    assert [(f.code, f.severity) for f in matches] == [("rounding", "warning")]
    assert "95.59" in matches[0].message and "956000.00 元" in matches[0].message


def test_004_completion_rate_that_is_not_the_ratio_is_a_contradiction(
    findings_004: list[Finding],
) -> None:
    (f,) = [f for f in findings_004 if f.code == "percentage" and "19.68" in f.message]
    assert f.severity == "error" and "439.04 / 1564.98" in f.message


def test_findings_are_stable_across_runs(findings_004: list[Finding]) -> None:
    again = validate_report(parse_files([SEED_004]))
    assert [f.id for f in again] == [f.id for f in findings_004]
    assert len({f.id for f in again}) == len(again)


def test_every_rule_has_docs_in_both_languages() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.severity in ("error", "warning", "info")
        assert rule.doc_en and rule.doc_zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.doc_zh)


# ------------------------------------------------------------------ small reports


def _item(table: str, column: str, amount: str, code: str | None = None, row: str | None = None):
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
        amount=Decimal(amount),
        printed=str(Decimal(amount) / 10000),
        unit="万元",
        source=0,
        page=1,
        line=10,
    )


def _report(*items: LineItem, facts: tuple[Fact, ...] = ()) -> Report:
    tables = sorted({li.table for li in items})
    return Report(
        report=ReportMeta(department="测试局", year=2022, kind="final"),
        tables=[TableInfo(t, "present", unit="万元", decimals=2) for t in tables],
        line_items=list(items),
        facts=list(facts),
    )


def test_tolerance_is_one_printed_unit_in_yuan() -> None:
    assert step("万元", 2) == Decimal("100")
    assert step("元", 0) == Decimal("1")
    assert step("元", 2) == Decimal("0.01")


@pytest.mark.parametrize(
    ("total", "expected"),
    [("300.00", []), ("500.00", [("rounding", "warning")]), ("700.00", [("row-sum", "error")])],
)
def test_row_sum_tolerance_is_one_unit_per_summand(total: str, expected: list) -> None:
    # total = basic + project: two summands, tolerance 2 x 100 元
    report = _report(
        _item("gpb_expenditure", "total", total, code="201"),
        _item("gpb_expenditure", "basic", "100.00", code="201"),
        _item("gpb_expenditure", "project", "200.00", code="201"),
    )
    assert [(f.code, f.severity) for f in validate_report(report)] == expected


def test_a_blank_part_is_not_a_zero() -> None:
    # project is blank (not printed): the sum has one summand, tolerance 100 元
    report = _report(
        _item("gpb_expenditure", "total", "350.00", code="201"),
        _item("gpb_expenditure", "basic", "100.00", code="201"),
    )
    (f,) = validate_report(report)
    assert f.code == "row-sum" and "project" not in f.message
    assert len(f.where) == 2  # the total and the one printed part


def test_hierarchy_sum_reports_the_parent_and_its_children() -> None:
    report = _report(
        _item("gpb_expenditure", "total", "1000000.00", code="201"),
        _item("gpb_expenditure", "total", "300000.00", code="20101"),
        _item("gpb_expenditure", "total", "600000.00", code="20102"),
    )
    (f,) = validate_report(report)
    assert f.code == "hierarchy-sum" and f.severity == "error"
    assert {w.code for w in f.where} == {"201", "20101", "20102"}
    assert "difference 100000.00 元" in f.message


@pytest.mark.parametrize(
    ("all_funds", "expected"),
    [
        ("900000.00", []),  # all funds may exceed fiscal funds
        ("500000.00", []),
        ("499900.00", [("rounding", "warning")]),
        ("400000.00", [("cross-table", "error")]),  # fewer than fiscal funds: impossible
    ],
)
def test_cross_table_inequality_reports_only_the_impossible_direction(
    all_funds: str, expected: list
) -> None:
    report = _report(
        _item("expenditure", "basic", all_funds, code="201"),
        _item("gpb_expenditure", "basic", "500000.00", code="201"),
    )
    assert [(f.code, f.severity) for f in validate_report(report)] == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("9366478.8", [("rounding", "warning")]),  # 9366478.83 cut to one decimal
        ("9366478.6", [("cross-table", "error")]),  # more than that decimal's unit
    ],
)
def test_a_cell_printed_with_fewer_decimals_is_compared_to_its_own_last_digit(
    printed: str, expected: list
) -> None:
    # Xi'an's 收入总表 prints 936647884.3 (a spreadsheet's 10 digits) in a 2-decimal 元 table
    # beside 财政拨款收支总表's 936647884.33: one unit of the cell's own last decimal
    cut = replace(
        _item("expenditure", "basic", "0", code="201"),
        amount=Decimal(printed),
        printed=printed,
        unit="元",
    )
    full = replace(
        _item("gpb_expenditure", "basic", "0", code="201"),
        amount=Decimal("9366478.83"),
        printed="9366478.83",
        unit="元",
    )
    report = replace(
        _report(cut, full),
        tables=[
            TableInfo(t, "present", unit="元", decimals=2)
            for t in ("expenditure", "gpb_expenditure")
        ],
    )
    assert [(f.code, f.severity) for f in validate_report(report)] == expected


def test_balance_of_table_01() -> None:
    report = _report(
        _item("income_expenditure_summary", "amount", "500.00", row="grand_total_income"),
        _item("income_expenditure_summary", "amount", "900.00", row="grand_total_expenditure"),
    )
    (f,) = validate_report(report)
    assert (f.code, f.severity) == ("balance", "error")
    assert {w.row for w in f.where} == {"grand_total_income", "grand_total_expenditure"}


def _fact(indicator: str, amount: str | None, value: str | None = None, **kw: object) -> Fact:
    base: dict = dict(
        indicator=indicator,
        amount=Decimal(amount) if amount else None,
        value=Decimal(value) if value else None,
        unit="%" if value else "万元",
        printed=value or str(Decimal(amount or 0) / 10000),
        phase="actual",
        period=2022,
        path=None,
        code=None,
        base=None,
        text="",
        source=0,
        page=2,
        line=50,
    )
    base.update(kw)
    return Fact(**base)  # type: ignore[arg-type]


def test_narrative_total_against_the_table() -> None:
    report = _report(
        _item("expenditure", "total", "1000000.00", row="total"),
        facts=(_fact("total_expenditure", "1000100.00"), _fact("total_expenditure", "1200000.00")),
    )
    assert sorted((f.code, f.severity) for f in validate_report(report)) == [
        ("narrative-table", "error"),
        ("rounding", "warning"),
    ]


def test_narrative_of_another_phase_or_year_is_not_compared() -> None:
    report = _report(
        _item("expenditure", "total", "1000000.00", row="total"),
        facts=(
            _fact("total_expenditure", "5000000.00", phase="budget"),
            _fact("total_expenditure", "5000000.00", period=2021),
        ),
    )
    assert validate_report(report) == []


def test_share_is_checked_against_the_amounts_stated_with_it() -> None:
    facts = (
        _fact("total_expenditure", "1000000.00", line=40),
        _fact("basic_expenditure", "250000.00", line=41),
        _fact("basic_expenditure_share", None, "25", base="total_expenditure", line=41),
        _fact("project_expenditure", "750000.00", line=42),
        _fact("project_expenditure_share", None, "70", base="total_expenditure", line=42),
    )
    (f,) = validate_report(_report(facts=facts))
    assert f.code == "percentage" and "70%" in f.message and "75.00%" in f.message


def test_a_particular_lines_total_is_not_the_departments() -> None:
    # "2.财政专户管理资金收入预算总计0万元" (Jiangsu 2018) is that line's total
    report = parse_files(
        [
            corpus_path("pdf", "jiangsu-swbgt-2018-budget-text.pdf"),
            corpus_path("pdf", "jiangsu-swbgt-2018-budget-tables.pdf"),
        ]
    )
    assert not [f for f in report.facts if f.indicator == "total_income" and f.amount == 0]
    assert [f for f in validate_report(report) if f.code == "narrative-table"] == []


def test_putuo_table_01_class_line_against_the_expenditure_table() -> None:
    findings = validate_report(
        parse_files([corpus_path("pdf", "shanghai-putuo-czj-2024-final.pdf")])
    )
    (f,) = [
        f
        for f in findings
        if {("income_expenditure_summary", "208", "amount"), ("expenditure", "208", "total")}
        == _places(f)
    ]
    assert (f.code, f.severity) == ("rounding", "warning")
    # and the narrative's 0.3万元 总计 is a contradiction the source makes (p.21)
    assert any(f.code == "narrative-table" and "0.3万元" in f.message for f in findings)


def test_a_code_printed_on_several_rows_is_checked_row_by_row() -> None:
    # Beijing's 支出总表 prints 2013601 once per economic code: each row is its own sum,
    # and neither row alone is the code's amount in another table
    first = [
        _item("expenditure", "total", "300.00", code="2013601"),
        _item("expenditure", "basic", "100.00", code="2013601"),
        _item("expenditure", "project", "200.00", code="2013601"),
    ]
    second = [
        _item("expenditure", "total", "1900.00", code="2013601"),
        _item("expenditure", "basic", "400.00", code="2013601"),
        _item("expenditure", "project", "400.00", code="2013601"),
    ]
    for li in second:
        li.line = 11
    gpb = _item("gpb_expenditure", "basic", "500.00", code="2013601")
    findings = validate_report(_report(*first, *second, gpb))
    assert [(f.code, f.where[0].line) for f in findings] == [("row-sum", 11)]


def test_the_rows_of_a_code_printed_on_several_rows_sum_to_the_other_tables_line() -> None:
    rows = [
        _item("expenditure", "basic", "100.00", code="2080501"),
        _item("expenditure", "basic", "300.00", code="2080501"),
    ]
    rows[1].line = 11
    agreeing = _report(*rows, _item("gpb_expenditure", "basic", "400.00", code="2080501"))
    assert validate_report(agreeing) == []
    differing = _report(*rows, _item("gpb_expenditure", "basic", "900.00", code="2080501"))
    assert [f.code for f in validate_report(differing)] == ["cross-table"]


def _unit_line(column: str, amount: str, unit: str, line: int) -> LineItem:
    li = _item("income", column, str(Decimal(amount) * 10000))
    return replace(li, item=unit, line=line, printed=amount)


@pytest.mark.parametrize(("total", "errors"), [("24658.02", 0), ("24658.12", 1)])
def test_a_table_printed_per_unit_checks_each_units_line(total: str, errors: int) -> None:
    # Fuzhou 商务局's 收入预算总表: a line per unit, no code, no registry row; one unit's
    # cells never complete another's sum (337.92 ≠ 337.92 + 1800.00 was ours)
    report = _report(
        _unit_line("total", "337.92", "福州市商务发展促进中心", 11),
        _unit_line("gpb", "337.92", "福州市商务发展促进中心", 11),
        _unit_line("total", total, "福州市商务局", 14),
        _unit_line("gpb", "22858.02", "福州市商务局", 14),
        _unit_line("gov_fund", "1800.00", "福州市商务局", 14),
    )
    found = [f for f in validate_report(report) if f.code == "row-sum"]
    assert len(found) == errors
    assert all("24658.12" in f.message and "1800.00" in f.message for f in found)


def _three_public(column: str, amount: str) -> LineItem:
    row = column.removeprefix("budget_")
    li = _item("three_public", column, str(Decimal(amount) * 10000), row=row)
    return replace(li, measure="budget", printed=amount)


@pytest.mark.parametrize(("total", "errors"), [("40.77", 0), ("40.87", 1)])
def test_three_public_sums_across_its_one_row(total: str, errors: int) -> None:
    # Beijing jmrh's 三公 table: 合计 = 出国 + 用车 + 接待 is an identity of the table's one
    # row, whose amounts sit under their items' rows; the 小计 of 用车 printed blank stands
    # for its printed parts (40.77 = 17.10 + 0.15 + 18.69 + 4.83)
    report = _report(
        _three_public("budget_total", total),
        _three_public("budget_overseas", "17.10"),
        _three_public("budget_reception", "0.15"),
        _three_public("budget_vehicle_purchase", "18.69"),
        _three_public("budget_vehicle_operation", "4.83"),
    )
    found = [f for f in validate_report(report) if f.code == "row-sum"]
    assert len(found) == errors
    assert all("40.87" in f.message and "18.69" in f.message for f in found)


def test_a_sum_is_shown_in_the_printed_unit_too() -> None:
    # the reader checks "= 95.60" against the page, not 956000.00 元
    report = _report(
        _item("gpb_expenditure", "total", "956100.00", code="21013"),
        _item("gpb_expenditure", "total", "298100.00", code="2101301"),
        _item("gpb_expenditure", "total", "657900.00", code="2101399"),
    )
    (f,) = [f for f in validate_report(report) if "21013/" in f.message]
    assert "= 95.60万元 (956000.00 元)" in f.message
