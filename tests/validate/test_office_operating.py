"""机关运行经费 never exceeds the general-budget basic spending's 公用经费 (issue 16, family 1):
tables.yaml evidence of office_operating and of the Shanghai 三公 table (`relation: le`) —
real reports where the bound is checked and holds, and the arithmetic on small reports."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from fiscalpub.model import Finding, LineItem, Report
from fiscalpub.validate.engine import checks, validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _item, _report

OO, ECON, THREE = "office_operating", "gpb_basic_expenditure", "three_public"


def _cross(report: Report) -> list[Finding]:
    return [f for f in validate_report(report) if f.code == "cross-table"]


def _pairs(report: Report) -> set[tuple[str, str, str, str]]:
    """(table, code or row, table, code or row) of every cross-table check that holds."""
    out = set()
    for c in checks(report):
        if c.rule != "cross-table" or not c.holds:
            continue
        items = [m for m in c.members if isinstance(m, LineItem)]
        if len(items) == 2:
            a, b = items
            out.add((a.table, a.code or a.row or "", b.table, b.code or b.row or ""))
    return out


def _raised(report: Report, table: str, key: str, amount: str) -> Report:
    """The report with one printed cell changed (a constructed break of a real report)."""
    columns = ("amount", "budget_office_operating")
    items = [
        dataclasses.replace(li, amount=Decimal(amount))
        if li.table == table and (li.code or li.row) == key and li.column in columns
        else li
        for li in report.line_items
    ]
    return dataclasses.replace(report, line_items=items)


@pytest.mark.corpus
def test_wuxi_office_operating_within_public_spending() -> None:
    # 公开12表 p.24: 合计 175.58, 30201 办公费 53.85, 30217 公务接待费 2.10; 公开06表 p.20:
    # 公用经费 合计 242.76, 30201 88.43, 30217 3.60 — each within, so no finding; the
    # bounds are checked (a check that holds for each pair)
    report = parsed_pdf("cities/wuxi-02-budget.pdf")
    pairs = _pairs(report)
    assert (OO, "total", ECON, "total") in pairs
    assert (OO, "30201", ECON, "30201") in pairs
    assert (OO, "30217", ECON, "30217") in pairs
    assert _cross(report) == []
    # the 合计 printed above 公用经费's 242.76 breaks the bound: an error at both places
    (f,) = _cross(_raised(report, OO, "total", "2430000.00"))
    assert f.severity == "error" and {w.table for w in f.where} == {OO, ECON}
    assert {w.page for w in f.where} == {24, 20}


@pytest.mark.corpus
def test_shanghai_office_operating_budget_within_public_spending() -> None:
    # 三公 and 机关运行经费 table p.31: 机关运行经费 443.18 万元; 基本支出表 p.30: 公用经费 合计
    # 11,168,569 元
    report = parsed_pdf("shanghai-putuo-wanli-2024-budget.pdf")
    assert (THREE, "office_operating", ECON, "total") in _pairs(report)
    (f,) = _cross(_raised(report, THREE, "office_operating", "11200000.00"))
    assert {w.table for w in f.where} == {THREE, ECON}


@pytest.mark.corpus
def test_jiangsu_2017_counts_project_running_costs() -> None:
    # 江苏省高级人民法院 2017 p.16: 机关运行经费 302 9,050.00 against the basic 302 3,528.37
    # (p.15): "本年机关运行经费统计口径含单位发展项目经费中商品服务支出" — not the bound's
    # 口径, no finding
    report = parsed_pdf("jiangsu-fy-2017-budget.pdf")
    assert [f for f in _cross(report) if OO in {w.table for w in f.where}] == []


def test_the_total_beyond_the_public_total_row() -> None:
    oo = _item(OO, "amount", "2000000.00", row="total")
    econ = _item(ECON, "amount", "1500000.00", row="public_total")
    (f,) = _cross(_report(oo, econ))
    assert f.severity == "error" and "office_operating/total" in f.message
    assert _cross(_report(oo, dataclasses.replace(econ, amount=Decimal("2000000.00")))) == []


def test_a_code_beyond_the_same_code_of_public_spending() -> None:
    oo = _item(OO, "amount", "300000.00", code="30201")
    econ = _item(ECON, "public", "250000.00", code="30201")
    (f,) = _cross(_report(oo, econ))
    assert "30201" in f.message
    # another code is no bound
    assert _cross(_report(oo, dataclasses.replace(econ, code="30202"))) == []


def test_within_rounding_is_a_warning() -> None:
    oo = _item(OO, "amount", "2000100.00", row="total")
    econ = _item(ECON, "public", "2000000.00", row="total")
    assert _cross(_report(oo, econ)) == []
    assert [f.code for f in validate_report(_report(oo, econ))] == ["rounding"]


def test_a_2017_report_is_not_bound() -> None:
    oo = _item(OO, "amount", "2000000.00", row="total")
    econ = _item(ECON, "amount", "1500000.00", row="public_total")
    report = _report(oo, econ)
    report = dataclasses.replace(report, report=dataclasses.replace(report.report, year=2017))
    assert _cross(report) == []
