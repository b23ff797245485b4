"""The shipped examples keep the core covered on a fresh clone (no ../shared needed)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import yaml

from fiscalpub.api import parse_files
from tests.conftest import EXAMPLES, EXPECTED


@pytest.mark.parametrize("seed", ["003", "004"])
def test_example_matches_hand_typed_oracle(seed: str) -> None:
    data = yaml.safe_load((EXPECTED / f"seed{seed}_items.yaml").read_text(encoding="utf-8"))
    report = parse_files([EXAMPLES / data["seed"]])
    got = Counter(
        (li.table, li.code, li.column, Decimal(li.printed), li.placed_by, li.line)
        for li in report.line_items
    )
    exp = Counter(
        (e["table"], e["code"], e["column"], Decimal(e["printed"]), e["placed_by"], e["line"])
        for e in data["items"]
    )
    assert got == exp


def test_three_public_row_of_003_is_placed_by_narrative() -> None:
    report = parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"])
    row = [
        (li.column, li.printed, li.placed_by)
        for li in report.line_items
        if li.table == "three_public"
    ]
    assert row == [
        ("budget_total", "4.00", "identity"),
        ("budget_reception", "4.00", "narrative"),
        ("actual_total", "2.40", "identity"),
        ("actual_reception", "2.40", "cross-table"),
    ]


def test_zeros_that_cannot_be_placed_get_one_finding_per_table() -> None:
    report = parse_files([EXAMPLES / "004_eedbb879cd069ff8.txt"])
    zeros = [f for f in report.findings if f.code == "ambiguous-zero-cells"]
    assert sorted(w.table for f in zeros for w in f.where[:1]) == ["expenditure", "fiscal_summary"]
    unplaced = [li for li in report.line_items if li.placed_by == "unplaced"]
    assert unplaced and all(
        li.amount == 0 and li.column is None and li.candidates for li in unplaced
    )
    assert sum(len(f.where) for f in zeros) == len(unplaced)


def test_narrative_only_report_has_facts_and_no_tables() -> None:
    report = parse_files([EXAMPLES / "000_bd253d31d99d6327.txt"])
    assert report.line_items == []
    status = {t.table: t.status for t in report.tables}
    assert status["three_public"] == "declared_empty" and status["income"] == "referenced_absent"
    gov = [f for f in report.facts if f.indicator == "gov_fund_income"]
    assert gov and gov[0].printed == "82.13"  # printed "82. 13" in the source
