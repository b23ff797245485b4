"""栏次 rows ("栏次 | 1 | 2 | 3 …", or bare 1 … 12 under the 三公 header) are column
numbers, not data: a synthetic PDF (bench/synth) printing them in every table parses to
exactly its truth."""

from __future__ import annotations

import json
from pathlib import Path

from fiscalpub.api import parse_files

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "synth"


def test_ordinal_rows_are_not_data() -> None:
    truth = json.loads((HERE / "ordinals.json").read_text(encoding="utf-8"))["cells"]
    report = parse_files([HERE / "ordinals.pdf"])
    got = {
        (li.table, li.code, li.row if li.code is None else None, li.column, li.printed)
        for li in report.line_items
    }
    want = {(c["table"], c["code"], c["row"], c["column"], c["printed"]) for c in truth}
    assert want <= got
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]
    assert len(report.line_items) == len(truth)  # no 栏次 number became a cell


def test_three_public_with_budget_and_actual_under_each_item() -> None:
    """The 2024 template prints 预算数/决算数 pairs under each 三公 item: an order that is
    not the registry's. The layout's columns are kept (they were placed by order)."""
    truth = json.loads((HERE / "three-public-interleaved.json").read_text(encoding="utf-8"))
    report = parse_files([HERE / "three-public-interleaved.pdf"])
    got = {
        (li.table, li.code, li.row if li.code is None else None, li.column, li.printed)
        for li in report.line_items
    }
    want = {(c["table"], c["code"], c["row"], c["column"], c["printed"]) for c in truth["cells"]}
    assert {w for w in want if w[0] == "three_public"} <= got
    assert want <= got
    assert not [li for li in report.line_items if li.placed_by == "unplaced"]
