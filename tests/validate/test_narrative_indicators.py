"""Rule narrative-table for the indicators beyond the totals (issue 16, family 5): 人员经费,
公用经费, 机关运行经费 and 政府采购 against the cells that print them."""

from __future__ import annotations

import pytest

from fiscalpub.model import Finding, LineItem
from fiscalpub.validate.engine import run
from tests.validate.test_rules import _fact, _item, _report


def _narrative(*items: LineItem, indicator: str, amount: str) -> list[Finding]:
    report = _report(*items, facts=(_fact(indicator, amount, phase="actual", period=2022),))
    return [f for f in run(report) if "narrative-table" in f.code + f.message]


@pytest.mark.parametrize(
    ("indicator", "table", "row", "column"),
    [
        ("personnel_expenditure", "gpb_basic_expenditure", "personnel_total", "amount"),
        ("personnel_expenditure", "gpb_basic_expenditure", "total", "personnel"),
        ("public_expenditure", "gpb_basic_expenditure", "public_total", "amount"),
        ("public_expenditure", "gpb_basic_expenditure", "total", "public"),
        ("office_operating_expenditure", "office_operating", "total", "amount"),
        (
            "office_operating_expenditure",
            "three_public",
            "office_operating",
            "budget_office_operating",
        ),
        ("procurement_total", "procurement", "total", "amount"),
    ],
)
def test_the_narrative_amount_against_its_cell(
    indicator: str, table: str, row: str, column: str
) -> None:
    cell = _item(table, column, "2236000.00", row=row)
    assert _narrative(cell, indicator=indicator, amount="2236000.00") == []
    (f,) = _narrative(cell, indicator=indicator, amount="2336000.00")
    assert f.code == "narrative-table" and f.severity == "error"
    assert f"{table}/{row}/{column}" in f.message


def test_a_stated_amount_without_its_table_is_not_compared() -> None:
    other = _item("expenditure", "total", "2236000.00", row="total")
    assert _narrative(other, indicator="personnel_expenditure", amount="100.00") == []
