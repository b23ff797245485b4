"""Rates of change (rule percentage): against the year before's amount the narrative
states, and never against a zero base."""

from __future__ import annotations

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, Finding
from fiscalpub.validate.engine import validate_report
from tests.conftest import corpus_path
from tests.validate.test_rules import _fact, _report

PATH = ["住房保障支出", "住房改革支出", "住房公积金"]


def _pct(*facts: Fact) -> list[Finding]:
    found = validate_report(_report(facts=facts))
    return [f for f in found if f.code == "percentage" or "[percentage]" in f.message]


def _line(amount: str, period: int, line: int, **kw: object) -> Fact:
    return _fact("function_line", amount, path=PATH, phase="budget", period=period, line=line, **kw)


@pytest.mark.corpus
def test_a_rate_against_a_zero_base_in_a_real_report() -> None:
    # 万里街道 2024 p.7: "2023年当年预算执行数为0.00万元，2024年预算安排25.00万元，比2023年预算
    # 执行数增加100.00%" — there is no rate of change from nothing
    report = parse_files([corpus_path("pdf", "shanghai-putuo-wanli-2024-budget.pdf")])
    (f,) = [
        f for f in validate_report(report) if f.code == "percentage" and "base is 0" in f.message
    ]
    assert f.severity == "error" and "100.00%" in f.message and "其他教育支出" in f.message
    assert f.where[0].page == 7


def test_the_rate_against_the_year_before() -> None:
    before = _line("3485200.00", 2023, 10, printed="348.52")
    now = _line("3526700.00", 2024, 10, printed="352.67")
    # (352.67 − 348.52) / 348.52 = 1.19%
    ok = _fact(
        "function_line_change_pct", None, "1.19", path=PATH, phase="budget", period=2024, line=10
    )
    assert _pct(before, now, ok) == []
    bad = _fact(
        "function_line_change_pct", None, "2.19", path=PATH, phase="budget", period=2024, line=10
    )
    (f,) = _pct(before, now, bad)
    assert f.severity == "error" and "(352.67 − 348.52) / 348.52" in f.message


def test_the_rate_of_either_amount_the_passage_states_holds() -> None:
    # "住房公积金 350.35万元 … 2023年执行数348.52万元，2024年预算安排352.67万元，增加0.53%"
    # (Wanli 2024 p.9): 0.53% is the rate of 350.35, which the passage also states
    facts = (
        _line("3503500.00", 2024, 9, printed="350.35"),
        _line("3485200.00", 2023, 10, printed="348.52"),
        _line("3526700.00", 2024, 10, printed="352.67"),
        _fact("function_line_change_pct", None, "0.53", path=PATH, phase="budget", line=10),
    )
    assert _pct(*facts) == []


def test_a_stated_change_from_nothing() -> None:
    facts = (
        _fact("gov_fund_expenditure", "100000.00", phase="budget"),
        _fact("gov_fund_expenditure_change", "100000.00", phase="budget"),
        _fact("gov_fund_expenditure_change_pct", None, "100", phase="budget"),
    )
    (f,) = _pct(*facts)
    assert f.severity == "error" and "base is 0" in f.message
    # nothing before, nothing now, "0%": no rate is claimed
    zeros = (
        _fact("gov_fund_expenditure", "0.00", phase="budget"),
        _fact("gov_fund_expenditure_change", "0.00", phase="budget"),
        _fact("gov_fund_expenditure_change_pct", None, "0", phase="budget"),
    )
    assert _pct(*zeros) == []
