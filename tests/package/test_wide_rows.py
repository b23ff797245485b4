"""The wide table CSVs of a package keep every printed value, also where a code is printed
on several rows (Beijing's 支出总表: one row per function × economic code)."""

from __future__ import annotations

import pytest

from fiscalpub.api import parse_files
from fiscalpub.package.build import wide_rows
from fiscalpub.package.schemas import all_schemas
from tests.conftest import corpus_path


@pytest.mark.corpus
def test_repeated_codes_are_rows_of_their_own() -> None:
    report = parse_files(
        [
            corpus_path("pdf", "cities", "beijing-jmrh-2026-budget-text.pdf"),
            corpus_path("pdf", "cities", "beijing-jmrh-2026-budget-tables.pdf"),
        ]
    )
    schemas = all_schemas()
    for table in ("expenditure", "gpb_expenditure", "gpb_basic_expenditure"):
        cols = [f["name"] for f in schemas[f"tables/{table}.schema.json"]["fields"]][3:-1]
        rows = wide_rows(report, table, cols)
        values = sorted(v for row in rows for v in row[3 : 3 + len(cols)] if v is not None)
        printed = sorted(li.printed for li in report.line_items if li.table == table)
        assert values == printed, table
    # 预算03表 p. 4: 2013601 行政运行 is printed on 21 rows (合计 = 基本支出 on each)
    rows = wide_rows(report, "expenditure", ["total", "basic", "project"])
    assert [r[3:5] for r in rows if r[0] == "2013601"][:2] == [
        ["151.992000", "151.992000"],
        ["436.289776", "436.289776"],
    ]
    assert sum(1 for r in rows if r[0] == "2013601") == 21
