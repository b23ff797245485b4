"""Every broken identity of every corpus report is the source's own: the set the parse and
the validator give equals a list written here, each with the printed numbers that break it.

A break is a parse finding that no placement of a row satisfies its identities
(row-identity-broken, layout-identity-conflict) or a validator error of an identity
(row-sum, hierarchy-sum, balance, cross-table).  Each one listed below was checked on the
rendered page: the page prints those numbers and they do not add up.  A new break anywhere
fails (a misread or misplaced number shows first as a broken identity), and so does a
listed one that disappears (the list must stay true).

Xi'an (xian-01, xian-02) is left to the work on those two reports and their own tests."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from fiscalpub.model import Finding, Report
from fiscalpub.validate.engine import validate_report
from tests.conftest import EXPECTED, assert_as_listed, parsed_pdf

PARSE_BREAKS = ("row-identity-broken", "layout-identity-conflict")
RULE_BREAKS = ("row-sum", "hierarchy-sum", "balance", "cross-table")

# (finding code, table, code or row, column) → why the source breaks it, from the page
Break = tuple[str, str, str | None, str | None]

_YANTAI_20140 = (
    "p.{page}: 20140 信访事务 prints {total} but its only 项 lines are 2014001 行政运行 "
    "{a} + 2014050 事业运行 {b} = {sum}: the {gap} of 项目支出 (table 3 p.9: 20140 项目支出 "
    "524.00) is printed on no 项 line; 201 = 20140 and 合计 1,717.85 = Σ 类 hold"
)
_YANTAI_MAIN = {"total": "1,378.84", "a": "507.97", "b": "346.87", "sum": "854.84"}
_YANTAI_PROCUREMENT = (
    "p.25 (政府采购预算表): 20140 信访事务 prints 71.89 but its only 项 line is 2014001 "
    "行政运行 1.56: 70.33 is printed on no 项 line; 合计 = 201 = 20140 = 71.89 hold"
)

KNOWN_SOURCE_ERRORS: dict[str, dict[Break, str]] = {
    # 预算09表 财政拨款“三公”经费支出表 (tables file p.13): 总额 40.77 = 因公出国 17.10 +
    # 公务接待 0.15 + 购置 18.69 + 运行维护 4.83, but the 公务用车购置及运行维护费 小计
    # between them is printed blank, not 18.69 + 4.83 = 23.52
    "beijing-jmrh-2026-budget-text": {
        ("row-identity-broken", "three_public", None, None): (
            "tables p.13: 小计 of 公务用车购置及运行维护费 blank though 18.69 + 4.83 = 23.52"
        ),
        # 预算01表 (p.1-2) and 预算04表 (p.6-7): the 类 lines 201 6,770.499100 + 205 8.400000 +
        # 208 275.300856 + 210 145.104512 + 221 47.005200 = 7,246.309668, but 本年支出合计 /
        # 本年支出 prints 9,151.309668: 1,905.000000 is on no printed 类 line (the 国防支出
        # line is blank); the hand oracle notes it too
        ("hierarchy-sum", "income_expenditure_summary", "total_expenditure", "amount"): (
            "tables p.1-2: Σ 类 7,246.309668 ≠ 本年支出合计 9,151.309668"
        ),
        ("hierarchy-sum", "fiscal_summary", "total_expenditure", "total"): (
            "tables p.6: Σ 类 7,246.309668 ≠ 本年支出 9,151.309668"
        ),
    },
    # 烟台市信访局 2026: the 524.00 of 项目支出 under 20140 (and 70.33 of procurement) is in
    # the 款 line and nowhere below it, in every table that prints the 项 lines
    "yantai-01-budget": {
        **{
            ("hierarchy-sum", "income", "20140", col): _YANTAI_20140.format(
                page=7, gap="524.00", **_YANTAI_MAIN
            )
            for col in ("total", "fiscal_appropriation", "gpb")
        },
        ("hierarchy-sum", "expenditure", "20140", "total"): _YANTAI_20140.format(
            page=9, gap="524.00", **_YANTAI_MAIN
        ),
        ("hierarchy-sum", "gpb_expenditure", "20140", "total"): _YANTAI_20140.format(
            page=13, gap="524.00", **_YANTAI_MAIN
        ),
        **{
            ("hierarchy-sum", "procurement", "20140", col): _YANTAI_PROCUREMENT
            for col in ("total", "fiscal_appropriation", "gpb")
        },
    },
}

_ORACLE: list[dict[str, Any]] = yaml.safe_load(
    (EXPECTED / "identity.yaml").read_text(encoding="utf-8")
)["reports"]
# every PDF report of the corpus (the identity oracle lists them all: test_identity checks)
REPORTS = {
    e["files"][0].rsplit("/", 1)[-1].removesuffix(".pdf"): [
        f.removeprefix("pdf/") for f in e["files"]
    ]
    for e in _ORACLE
    if e["files"][0].startswith("pdf/")
    # Xi'an's two reports: another piece of work reads them, with its own tests
    and not e["files"][0].rsplit("/", 1)[-1].startswith("xian-")
}


def _break(f: Finding) -> Break:
    w = f.where[0] if f.where else None
    if w is None:
        return (f.code, "", None, None)
    return (f.code, w.table or "", w.code or w.row, w.column)


def breaks(report: Report) -> dict[Break, str]:
    """The broken identities of a parsed report, with the finding's message."""
    found = [f for f in report.findings if f.code in PARSE_BREAKS]
    found += [f for f in validate_report(report) if f.code in RULE_BREAKS]
    return {_break(f): f.message for f in found}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_broken_identity_is_a_listed_source_error(name: str) -> None:
    got = breaks(parsed_pdf(*REPORTS[name]))
    known = KNOWN_SOURCE_ERRORS.get(name, {})
    assert_as_listed(
        got,
        known,
        "broken identities the source does not have (a misreading?)",
        "listed source errors no longer found (update the list)",
    )


def test_the_list_names_corpus_reports() -> None:
    assert set(KNOWN_SOURCE_ERRORS) <= set(REPORTS)
