"""The narrative's own sums (rule narrative-sum, facts.yaml `sums` and `bounds`): a real
contradiction of the corpus, and the arithmetic on small reports."""

from __future__ import annotations

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, Finding
from fiscalpub.validate.engine import validate_report
from tests.conftest import corpus_path
from tests.validate.test_rules import _fact, _report


def _sums(*facts: Fact) -> list[Finding]:
    found = validate_report(_report(facts=facts))
    return [f for f in found if f.code == "narrative-sum" or "[narrative-sum]" in f.message]


@pytest.mark.corpus
def test_beijing_spending_parts_add_up_with_the_year_end_balance() -> None:
    # 附件1 p.5-6: "2026 年支出预算 529260.34 万元 … （一）基本支出预算 376567.92 万元 … （二）
    # 项目支出预算 138255.42 万元 … 事业单位经营支出 0 万元 … 上缴上级支出 0 万元 … 对附属单位
    # 补助支出 0 万元 … （三）年终结转结余资金 14437 万元": 376567.92 + 138255.42 + 14437 =
    # 529260.34 (the shares 73.15% / 26.85% are of 基本 + 项目 = 514823.34): no contradiction
    report = parse_files([corpus_path("pdf", "cities", "beijing-01-budget.pdf")])
    found = validate_report(report)
    assert not [f for f in found if f.code == "narrative-sum" or "[narrative-sum]" in f.message]
    assert not [f for f in found if f.code == "percentage" and f.where[0].page in (4, 5)]


def test_a_total_may_hold_the_year_end_balance() -> None:
    parts = (
        _fact("basic_expenditure", "3000000.00"),
        _fact("project_expenditure", "1000000.00"),
        *(
            _fact(p, "0.00")
            for p in (
                "remit_superior_expenditure",
                "operating_expenditure",
                "subsidiary_subsidy_expenditure",
            )
        ),
    )
    total = _fact("total_expenditure", "4500000.00")
    # 300 + 100 + 结转结余 50 = 450: the 支出总计
    assert _sums(total, *parts, _fact("closing_balance", "500000.00")) == []
    # without it, or with one that does not close the gap, the parts contradict the total
    (f,) = _sums(total, *parts)
    assert f.code == "narrative-sum" and "≠" in f.message
    (f,) = _sums(total, *parts, _fact("closing_balance", "900000.00"))
    assert f.code == "narrative-sum"


def test_procurement_parts_sum_to_the_total() -> None:
    parts = (_fact("procurement_goods", "100000.00"), _fact("procurement_works", "0.00"))
    assert (
        _sums(
            _fact("procurement_total", "300000.00"),
            *parts,
            _fact("procurement_services", "200000.00"),
        )
        == []
    )
    (f,) = _sums(
        _fact("procurement_total", "300000.00"), *parts, _fact("procurement_services", "250000.00")
    )
    assert f.code == "narrative-sum" and f.severity == "error" and "≠" in f.message
    assert len(f.where) == 4


def test_parts_left_unsaid_may_only_fall_short() -> None:
    total = _fact("procurement_total", "300000.00")
    # 工程 not stated: 货物 + 服务 < total may be the unsaid 工程
    assert (
        _sums(
            total,
            _fact("procurement_goods", "100000.00"),
            _fact("procurement_services", "150000.00"),
        )
        == []
    )
    (f,) = _sums(
        total, _fact("procurement_goods", "100000.00"), _fact("procurement_services", "250000.00")
    )
    assert f.severity == "error" and ">" in f.message


def test_a_difference_of_the_rounding_is_a_warning() -> None:
    # 4.69 + 40.61 + 0.9 = 46.20 against a printed 46.21 (Putuo 2024 决算, p.24)
    (f,) = _sums(
        _fact("three_public_total_actual", "462100.00", printed="46.21"),
        _fact("three_public_overseas_actual", "46900.00", printed="4.69"),
        _fact("three_public_vehicles_actual", "406100.00", printed="40.61"),
        _fact("three_public_reception_actual", "9000.00", printed="0.9"),
    )
    assert (f.code, f.severity) == ("rounding", "warning")


def test_a_part_never_exceeds_its_whole() -> None:
    total = _fact("procurement_total", "300000.00")
    assert _sums(total, _fact("procurement_sme", "300000.00")) == []
    (f,) = _sums(total, _fact("procurement_sme", "310000.00"))
    assert f.severity == "error" and "procurement_sme" in f.message
    (g,) = _sums(
        _fact("procurement_sme", "100000.00"), _fact("procurement_small_micro", "120000.00")
    )
    assert "procurement_small_micro" in g.message


def test_other_phases_and_periods_are_not_mixed() -> None:
    assert (
        _sums(
            _fact("procurement_total", "300000.00"),
            _fact("procurement_goods", "200000.00", phase="budget"),
            _fact("procurement_services", "200000.00", period=2021),
            _fact("procurement_works", "0.00"),
        )
        == []
    )


def test_an_amount_stated_twice_differently_is_no_term() -> None:
    # which of the two is the total is for other rules to say; no sum is built on it
    assert (
        _sums(
            _fact("procurement_total", "300000.00"),
            _fact("procurement_total", "310000.00"),
            _fact("procurement_goods", "200000.00"),
            _fact("procurement_services", "200000.00"),
        )
        == []
    )
