"""Every printed amount of corpus PDFs, against values typed by hand from the rendered pages."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import yaml

from fiscalpub.api import parse_files
from tests.conftest import EXPECTED, corpus_path

ORACLES = {
    "putuo2024_items.yaml": ["shanghai-putuo-czj-2024-final.pdf"],
    "wanli2024_items.yaml": ["shanghai-putuo-wanli-2024-budget.pdf"],
    "jiangsu2018_items.yaml": [
        "jiangsu-swbgt-2018-budget-text.pdf",
        "jiangsu-swbgt-2018-budget-tables.pdf",
    ],
}


def _key(
    table: str,
    code: str | None,
    row: str | None,
    column: str | None,
    printed: str,
    source: int,
    page: int,
) -> tuple:
    return (
        table,
        code,
        row if code is None else None,
        column,
        Decimal(printed.replace(",", "")),
        source,
        page,
    )


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", sorted(ORACLES))
def test_every_printed_amount(oracle: str) -> None:
    data = yaml.safe_load((EXPECTED / oracle).read_text(encoding="utf-8"))
    report = parse_files([corpus_path("pdf", name) for name in ORACLES[oracle]])
    exp = Counter(
        _key(
            e["table"],
            e["code"],
            e["row"],
            e["column"],
            e["printed"],
            e.get("source", 0),
            e["page"],
        )
        for e in data["items"]
    )
    got = Counter(
        _key(li.table, li.code, li.row, li.column, li.printed, li.source, li.page)
        for li in report.line_items
    )
    missing, extra = exp - got, got - exp
    assert not missing and not extra, (
        f"missing {sorted(missing, key=str)}\nextra {sorted(extra, key=str)}"
    )


# Accuracy measured when the same reports are read without their ruling lines, so
# that rules must be derived from the words (columns where numbers align, rows
# where lines start).  With their rules all three match exactly (above).
WITHOUT_RULES = {
    "wanli2024_items.yaml": 840,
    "jiangsu2018_items.yaml": 160,
    "putuo2024_items.yaml": 130,
}


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", sorted(WITHOUT_RULES))
def test_tables_without_ruling_lines(oracle: str) -> None:
    from fiscalpub.parse.report import build_report
    from fiscalpub.read import read_document

    data = yaml.safe_load((EXPECTED / oracle).read_text(encoding="utf-8"))
    docs = [read_document(str(corpus_path("pdf", n)), i) for i, n in enumerate(ORACLES[oracle])]
    for doc in docs:
        for page in doc.pages:
            page.hrules, page.vrules = [], []
    report = build_report(docs)
    exp = Counter(
        _key(
            e["table"],
            e["code"],
            e["row"],
            e["column"],
            e["printed"],
            e.get("source", 0),
            e["page"],
        )
        for e in data["items"]
    )
    got = Counter(
        _key(li.table, li.code, li.row, li.column, li.printed, li.source, li.page)
        for li in report.line_items
    )
    assert sum((exp & got).values()) >= WITHOUT_RULES[oracle]
    assert any(li.placed_by == "layout" for li in report.line_items)
