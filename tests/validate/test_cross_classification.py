"""Rule cross-classification (tables.yaml `cross_classification`): an economic item of the
general-budget basic spending never exceeds the function line that books that kind of
spending — a real case of the corpus, and the arithmetic on small reports."""

from __future__ import annotations

import dataclasses

import pytest

from fiscalpub.model import Finding, LineItem
from fiscalpub.validate.engine import validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _item, _report

ECON, FUNC = "gpb_basic_expenditure", "gpb_expenditure"


def _found(*items: LineItem) -> list[Finding]:
    out = validate_report(_report(*items))
    return [f for f in out if "cross-classification" in (f.code + f.message)]


def _at(li: LineItem, line: int) -> LineItem:
    return dataclasses.replace(li, line=line)


@pytest.mark.corpus
def test_beijing_books_housing_fund_in_its_economic_table_only() -> None:
    # 附件2 预算06表 p.9: 30113 住房公积金 83.424000 (行政 unit, under 50103) and, p.10,
    # 47.005200 (事业 unit); 预算05表 p.8 prints 2210201 住房公积金 once, 47.005200 — its basic
    # 小计 2,074.253418 is the sum of its rows: the 83.424000 is booked under another line
    report = parsed_pdf(
        "cities/beijing-jmrh-2026-budget-text.pdf", "cities/beijing-jmrh-2026-budget-tables.pdf"
    )
    (f,) = [f for f in validate_report(report) if f.code == "cross-classification"]
    assert f.severity == "error"
    assert "83.424000" in f.message and "2210201" in f.message and "47.005200" in f.message
    assert {(w.page, w.table) for w in f.where} == {(9, ECON), (10, ECON), (8, FUNC)}


def test_an_economic_item_within_its_function_line() -> None:
    assert (
        _found(
            _item(ECON, "amount", "1000000.00", code="30108"),
            _item(FUNC, "basic", "1200000.00", code="2080505"),
        )
        == []
    )


def test_an_economic_item_beyond_its_function_line() -> None:
    (f,) = _found(
        _item(ECON, "amount", "1300000.00", code="30108"),
        _item(FUNC, "basic", "1200000.00", code="2080505"),
    )
    assert f.code == "cross-classification" and f.severity == "error"
    assert "30108" in f.message and "2080505" in f.message


def test_the_basic_column_is_the_bound_where_printed() -> None:
    # the line's total includes project spending: the basic column bounds the item
    (f,) = _found(
        _item(ECON, "amount", "1300000.00", code="30113"),
        _item(FUNC, "total", "2000000.00", code="2210201"),
        _item(FUNC, "basic", "1200000.00", code="2210201"),
    )
    assert "2210201/basic" in f.message
    # a table without a basic column: its total
    assert (
        _found(
            _item(ECON, "amount", "1300000.00", code="30113"),
            _item(FUNC, "total", "2000000.00", code="2210201"),
        )
        == []
    )


def test_an_item_printed_on_several_rows_counts_whole() -> None:
    # Beijing and Yantai print an economic code once per unit: the rows together
    (f,) = _found(
        _at(_item(ECON, "amount", "700000.00", code="30109"), 10),
        _at(_item(ECON, "amount", "600000.00", code="30109"), 20),
        _item(FUNC, "basic", "1200000.00", code="2080506"),
    )
    assert "(+1 rows)" in f.message
    # one unit of rounding per row is tolerated: a warning
    (g,) = _found(
        _at(_item(ECON, "amount", "600100.00", code="30109"), 10),
        _at(_item(ECON, "amount", "600000.00", code="30109"), 20),
        _item(FUNC, "basic", "1200000.00", code="2080506"),
    )
    assert g.code == "rounding"
