"""Rule empty-contradicted: a table the report declares empty while another table prints
money the registry puts in it — a real case of the corpus, and the directions of the
registry's links on small reports."""

from __future__ import annotations

import pytest

from fiscalpub.model import Finding, LineItem, TableInfo
from fiscalpub.validate.engine import validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _item, _report


def _found(empty: str, *items: LineItem) -> list[Finding]:
    report = _report(*items)
    report.tables.append(TableInfo(empty, "declared_empty", unit="万元", decimals=2, page=3))
    return [f for f in validate_report(report) if f.code == "empty-contradicted"]


@pytest.mark.corpus
def test_yantai_declares_its_fiscal_summary_empty_while_spending_fiscal_money() -> None:
    # 公开表4 财政拨款收支总体情况表 (pp.10–11): no amount, "（注：2026年没有使用财政拨款收入和
    # 支出。）"; 公开表2 (p.7) prints 财政拨款 1,717.85 and 公开表5 (p.13) 合计 1,717.85
    report = parsed_pdf("cities/yantai-01-budget.pdf")
    assert {t.table: t.status for t in report.tables}["fiscal_summary"] == "declared_empty"
    (f,) = [f for f in validate_report(report) if f.code == "empty-contradicted"]
    assert f.severity == "error"
    assert "fiscal_summary" in f.message and "1717.85" in f.message
    assert {(w.page, w.table) for w in f.where} == {
        (11, "fiscal_summary"),
        (7, "income"),
        (13, "gpb_expenditure"),
    }


@pytest.mark.corpus
def test_the_blank_template_declares_every_table_empty_and_contradicts_nothing() -> None:
    report = parsed_pdf("template-2024-final.pdf")
    assert [f for f in validate_report(report) if f.code == "empty-contradicted"] == []


def test_money_an_equality_puts_in_the_empty_table() -> None:
    # 04 本年支出合计 (一般公共预算) = 05 合计: 05 prints 100.00, 04 is declared empty
    (f,) = _found("fiscal_summary", _item("gpb_expenditure", "total", "1000000.00", row="total"))
    assert f.severity == "error" and "100.0" in f.message


def test_money_the_empty_table_need_not_hold() -> None:
    # 05's basic spending is at most 03's (relation le): 03 declared empty while 05 prints
    # money is a contradiction; the other way round (05 empty, 03 printing) is not
    assert _found("expenditure", _item("gpb_expenditure", "basic", "1000000.00", code="201"))
    assert not _found("gpb_expenditure", _item("expenditure", "basic", "1000000.00", code="201"))


def test_zeros_elsewhere_do_not_contradict_an_empty_table() -> None:
    assert not _found("fiscal_summary", _item("gpb_expenditure", "total", "0.00", row="total"))
