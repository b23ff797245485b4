"""2026 city templates, cell by cell: values typed from the rendered pages.

- Beijing publishes 附件1 情况说明 and 附件2 报表 as two files ("预算01表 收支总表" …, amounts in
  万元 with 6 decimals, "code-name" cells "2013601-行政运行"); beijing-01-budget.pdf is the
  附件1 alone, whose tables are published separately.
- Shanghai 单位预算 of 上海市福利彩票发行中心 (shanghai-02-unit-budget.pdf) prints its tables
  inside a frame without any rule between rows or columns, whole 元.
"""

from __future__ import annotations

import pytest

from fiscalpub.model import Report
from fiscalpub.validate.engine import validate_report
from tests.conftest import CORE_TABLES, parsed_pdf, printed_cells

CORE = CORE_TABLES
STANDARD = (*CORE, "gov_fund", "state_capital")


def _report(*names: str) -> Report:
    return parsed_pdf(*(f"cities/{n}" for n in names))


_cells = printed_cells


def _status(report: Report) -> dict[str, str]:
    return {t.table: t.status for t in report.tables}


ZDXM = ("beijing-zdxm-2026-budget-text.pdf", "beijing-zdxm-2026-budget-tables.pdf")
FLC = ("shanghai-02-unit-budget.pdf",)


@pytest.mark.corpus
def test_beijing_attachment_alone_says_its_tables_are_published_apart() -> None:
    # 第二部分 lists 收支总表 … 财政拨款“三公”经费支出表 and says "附件：北京市公安局交通管理局
    # 2026 年度部门预算报表": none of the tables is in this file
    report = _report("beijing-01-budget.pdf")
    status = _status(report)
    assert {t: status[t] for t in STANDARD} == dict.fromkeys(STANDARD, "referenced_absent")
    assert report.line_items == []


@pytest.mark.corpus
def test_beijing_tables_file_income_total_row_prints_no_label() -> None:
    # 预算02表 收入总表 (tables p. 2): no 单位编码 column, one unlabelled row
    income = _cells(_report(*ZDXM), "income")
    assert income == {
        ("total", "total"): ["4704.239912"],
        ("total", "income"): ["4695.064898"],
        ("total", "fiscal_appropriation"): ["4695.064898"],
        ("total", "opening_balance"): ["9.175014"],
        ("total", "opening_balance_gpb"): ["9.175014"],
    }


@pytest.mark.corpus
def test_beijing_tables_file_cells() -> None:
    report = _report(*ZDXM)
    status = _status(report)
    assert all(status[t] == "present" for t in CORE)
    # 预算07表 / 预算08表: header and 合计 line, "注：本部门无相关内容。"
    assert status["gov_fund"] == status["state_capital"] == "declared_empty"
    # 预算05表 (p. 6): 2120199 其他城乡社区管理事务支出 is project spending only; 合计 row
    gpb = _cells(report, "gpb_expenditure")
    assert gpb[("2120199", "total")] == ["397.848000"]
    assert gpb[("2120199", "project")] == ["397.848000"]
    assert gpb[("2120199", "project_excl_capital")] == ["397.848000"]
    assert ("2120199", "basic") not in gpb
    assert gpb[("2120101", "personnel")] == ["2534.389844"]
    assert gpb[("2120101", "public")] == ["172.100012"]
    assert gpb[("total", "public")] == ["321.344012"]
    # 预算03表 (p. 3-4): one line per (function, government and department economic code)
    exp = _cells(report, "expenditure")
    assert exp[("2120101", "basic")][:3] == ["607.279200", "861.758200", "742.784100"]
    assert exp[("total", "project")] == ["397.848000"]
    # 预算06表 (p. 7): the department economic code is the row's code
    basic = _cells(report, "gpb_basic_expenditure")
    assert basic[("30102", "personnel")] == ["1212.033400"]
    assert basic[("30239", "public")] == ["109.000000"]
    # 预算09表 (p. 10): 公务接待费 blank, 小计 printed
    assert _cells(report, "three_public") == {
        ("total", "budget_total"): ["44.172000"],
        ("overseas", "budget_overseas"): ["29.172000"],
        ("vehicles", "budget_vehicles"): ["15.000000"],
        ("vehicle_operation", "budget_vehicle_operation"): ["15.000000"],
    }
    # the tables are designed with 6 decimals
    assert {t.decimals for t in report.tables if t.status == "present"} == {6}
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]


@pytest.mark.corpus
def test_shanghai_unit_tables_in_a_frame_without_rules() -> None:
    report = _report(*FLC)
    status = _status(report)
    assert [t for t in CORE if status[t] not in ("present", "declared_empty")] == []
    # 1. 财务收支预算总表 (p. 7): "215020000" and the label "一、其他支出" 3.7pt apart
    summary = _cells(report, "income_expenditure_summary")
    assert summary == {
        ("fiscal_appropriation", "amount"): ["215020000"],
        ("gov_fund_appropriation", "amount"): ["215020000"],
        ("other", "amount"): ["1781570"],
        ("grand_total_income", "amount"): ["216801570"],
        ("229", "amount"): ["216801570"],
        ("229", "personnel"): ["17499901"],
        ("229", "public"): ["3362962"],
        ("229", "project"): ["195938707"],
        ("grand_total_expenditure", "amount"): ["216801570"],
        ("grand_total_expenditure", "personnel"): ["17499901"],
        ("grand_total_expenditure", "public"): ["3362962"],
        ("grand_total_expenditure", "project"): ["195938707"],
    }
    # 4. 财政拨款收支预算总表 (p. 10): the amounts stand under 合计 and 政府性基金预算; the
    # headers 一般公共预算 / 政府性基金预算国有资本经营预算 sit over no amount of their own
    fiscal = _cells(report, "fiscal_summary")
    assert fiscal[("229", "total")] == ["215020000"]
    assert fiscal[("229", "gov_fund")] == ["215020000"]
    assert ("229", "gpb") not in fiscal and ("229", "state_capital") not in fiscal
    # 2. 收入预算总表 (p. 8)
    income = _cells(report, "income")
    assert income[("22908", "fiscal_appropriation")] == ["215020000"]
    assert income[("2299999", "other")] == ["1781570"]
    assert income[("total", "total")] == ["216801570"]
    # 6. 政府性基金预算支出功能分类预算表 (p. 12)
    fund = _cells(report, "gov_fund")
    assert fund[("2290804", "basic")] == ["20862863"]
    assert fund[("2290804", "project")] == ["194157137"]
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]


@pytest.mark.corpus
def test_beijing_repeated_codes_and_variants_are_no_contradiction() -> None:
    # 预算03表 prints 2080501 on three rows (5.844000 + 0.100000 + 34.565400 = 40.509400, the
    # 05 line); 预算02表's 合计 is 本年收入 + 上年结转结余, not the national income identity
    codes = {f.code for f in validate_report(_report(*ZDXM))}
    assert "cross-table" not in codes
    assert "row-sum" not in codes
