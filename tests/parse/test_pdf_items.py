"""Every printed amount of corpus PDFs, against values typed by hand from the rendered pages."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.model import Report
from fiscalpub.parse.report import build_report
from fiscalpub.read import read_document
from tests.conftest import EXPECTED, corpus_path

ORACLES = {
    "putuo2024_items.yaml": ["shanghai-putuo-czj-2024-final.pdf"],
    "wanli2024_items.yaml": ["shanghai-putuo-wanli-2024-budget.pdf"],
    "jiangsu2018_items.yaml": [
        "jiangsu-swbgt-2018-budget-text.pdf",
        "jiangsu-swbgt-2018-budget-tables.pdf",
    ],
    # Jiangsu 2017 one-file template whose pages once cut the 三公 title over two lines
    "jiangsu-jcy-2017_items.yaml": ["jiangsu-jcy-2017-budget.pdf"],
    "putuo-qfb-2025_items.yaml": ["shanghai-putuo-qfb-2025-budget.pdf"],
    # Guangzhou 2026 部门预算: local titles, codes in the name cell ("[2010401]行政运行"),
    # income by 单位名称 and by fund, 三公 items as rows × funds, 表7/表11/表12 not registry tables
    "guangzhou-01-2026_items.yaml": ["cities/guangzhou-01-budget.pdf"],
    # Beijing 附件1 情况说明 + 附件2 报表 (two files; the oracle types the 报表, source 1)
    "beijing-jmrh-2026_items.yaml": [
        "cities/beijing-jmrh-2026-budget-text.pdf",
        "cities/beijing-jmrh-2026-budget-tables.pdf",
    ],
    "shanghai-03-unit-2026_items.yaml": ["cities/shanghai-03-unit-budget.pdf"],
    # Wuxi 2026 单位预算 (公开01-13表): income by 单位, 基本支出 as 人员/公用, procurement by fund
    "wuxi-01-unit-2026_items.yaml": ["cities/wuxi-01-unit-budget.pdf"],
}

# Read without their ruling lines, the same reports must still come out this well:
# rules are then derived from the words (columns where numbers align, rows where
# lines start).  With their rules all three match exactly.
WITHOUT_RULES = {
    "wanli2024_items.yaml": 860,
    "jiangsu2018_items.yaml": 160,
    "putuo2024_items.yaml": 130,
}


def _printed(value: str) -> Decimal:
    return Decimal(str(value).replace(",", ""))


def _expected(oracle: str) -> Counter:
    data = yaml.safe_load((EXPECTED / oracle).read_text(encoding="utf-8"))
    # an oracle typed from one file of a two-file report names it in `source`
    names = [n.rsplit("/", 1)[-1] for n in ORACLES[oracle]]
    default = names.index(data["source"]) if data.get("source") in names else 0
    return Counter(
        (
            e["table"],
            e["code"],
            e["row"] if e["code"] is None else None,
            e["column"],
            _printed(e["printed"]),
            e.get("source", default),
            e["page"],
        )
        for e in data["items"]
    )


def _got(report: Report) -> Counter:
    return Counter(
        (
            li.table,
            li.code,
            li.row if li.code is None else None,
            li.column,
            _printed(li.printed),
            li.source,
            li.page,
        )
        for li in report.line_items
    )


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", sorted(ORACLES))
def test_every_printed_amount(oracle: str) -> None:
    report = parse_files([corpus_path("pdf", name) for name in ORACLES[oracle]])
    exp, got = _expected(oracle), _got(report)
    missing, extra = exp - got, got - exp
    assert not missing and not extra, (
        f"missing {sorted(missing, key=str)}\nextra {sorted(extra, key=str)}"
    )


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", sorted(WITHOUT_RULES))
def test_tables_without_ruling_lines(oracle: str) -> None:
    docs = [read_document(str(corpus_path("pdf", n)), i) for i, n in enumerate(ORACLES[oracle])]
    for doc in docs:
        for page in doc.pages:
            page.hrules, page.vrules = [], []
    report = build_report(docs)
    assert sum((_expected(oracle) & _got(report)).values()) >= WITHOUT_RULES[oracle]
    assert any(li.placed_by == "layout" for li in report.line_items)
