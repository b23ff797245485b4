"""Shares in a list (rule percentage): every share of the list against the total the list
divides, with the tolerance of the printed precision (half a unit of the percentage's last
digit; the amounts' rounding makes a difference a `rounding` warning, never an error)."""

from __future__ import annotations

import pytest

from fiscalpub.model import Fact, Finding
from fiscalpub.validate.engine import validate_report
from tests.conftest import parsed_pdf
from tests.validate.test_rules import _fact, _report

BASE = "three_public_total_budget"


def _pct(*facts: Fact) -> list[Finding]:
    found = validate_report(_report(facts=facts))
    return [f for f in found if f.code == "percentage" or "[percentage]" in f.message]


def _three_public(overseas: str, vehicles: str, reception: str) -> tuple[Fact, ...]:
    # "“三公”经费预算支出中，因公出国（境）费支出222.5万元，占“三公”经费的X%；公务用车购置及
    # 运行费支出183.6万元，占…Y%；公务接待费支出427.5万元，占…Z%" — no 三公 total stated
    return (
        _fact(
            "three_public_overseas_budget", "2225000.00", phase="budget", line=40, printed="222.5"
        ),
        _fact(
            "three_public_overseas_budget_share", None, overseas, phase="budget", line=40, base=BASE
        ),
        _fact(
            "three_public_vehicles_budget", "1836000.00", phase="budget", line=41, printed="183.6"
        ),
        _fact(
            "three_public_vehicles_budget_share", None, vehicles, phase="budget", line=41, base=BASE
        ),
        _fact(
            "three_public_reception_budget", "4275000.00", phase="budget", line=42, printed="427.5"
        ),
        _fact(
            "three_public_reception_budget_share",
            None,
            reception,
            phase="budget",
            line=42,
            base=BASE,
        ),
    )


def test_every_share_of_an_unstated_total_is_of_its_listed_parts() -> None:
    # 222.5 + 183.6 + 427.5 = 833.6: 26.69%, 22.02%, 51.28%
    assert _pct(*_three_public("26.69", "22.02", "51.28")) == []
    # the second and third shares are checked too, not only the first
    (f,) = _pct(*_three_public("26.69", "22.02", "41.28"))
    assert f.severity == "error" and "427.5 / (222.5 + 183.6 + 427.5) = 51.2836%" in f.message
    (f,) = _pct(*_three_public("26.69", "32.02", "51.28"))
    assert f.severity == "error" and "three_public_vehicles_budget_share" in f.message


def test_a_list_without_every_part_is_no_base() -> None:
    # without the 公务接待费 the parts do not make the total: nothing to divide by
    facts = _three_public("26.69", "22.02", "41.28")
    assert _pct(*facts[:4], facts[5]) == []


@pytest.mark.parametrize(
    ("pct", "expected"),
    [("90.92", []), ("90.89", [("rounding", "warning")]), ("90.79", [("percentage", "error")])],
)
def test_the_amounts_rounding_makes_a_rounding_difference(pct: str, expected: list) -> None:
    # Xi'an p.35: "会议费预算58.46万元，比2021年增加27.84万元，增幅90.89%": 27.84 / 30.62 =
    # 90.92%, but 27.837 / (58.4649 − 27.837) = 90.89%: amounts that print 58.46 and 27.84
    # give the printed rate — a rounding difference, not a contradiction
    facts = (
        _fact("meeting_expenditure", "584600.00", phase="budget", line=10),
        _fact("meeting_expenditure_change", "278400.00", phase="budget", line=10, base="2021"),
        _fact("meeting_expenditure_change_pct", None, pct, phase="budget", line=10, base="2021"),
    )
    assert [(f.code, f.severity) for f in _pct(*facts)] == expected


@pytest.mark.corpus
def test_shares_of_the_three_public_total_on_the_page() -> None:
    # 江苏省人大常委会办公厅 2017 p.28: 222.5, 183.6, 427.5 "占“三公”经费的" 8.75%, 7.22%,
    # 16.81% — of 2,542.60 (三公 + 会议费 + 培训费, the table's 合计), not of the 833.60 三公
    found = [
        f
        for f in validate_report(parsed_pdf("jiangsu-rdbgt-2017-budget.pdf"))
        if f.code == "percentage"
    ]
    shares = sorted(f.message.split(" but ")[1] for f in found if "budget_share" in f.message)
    assert shares == [
        "183.6 / (222.5 + 183.6 + 427.5) = 22.0250%",
        "222.5 / (222.5 + 183.6 + 427.5) = 26.6915%",
        "427.5 / (222.5 + 183.6 + 427.5) = 51.2836%",
    ]
    # the 2018 report prints the same amounts with their shares of 833.60: they hold
    found = validate_report(parsed_pdf("jiangsu-rdbgt-2018-budget.pdf"))
    assert not [f for f in found if f.code == "percentage" and "budget_share" in f.message]


def _item(name: str, amount: str, line: int = 65) -> Fact:
    return _fact("list_item", amount, path=[name], line=line, printed=str(int(amount) // 10000))


def _item_share(name: str, pct: str, line: int = 65) -> Fact:
    base = "fiscal_appropriation_expenditure"
    return _fact("list_item_share", None, pct, path=[name], line=line, base=base)


@pytest.mark.parametrize(("pct", "errors"), [("11.18", 0), ("14.03", 1)])
def test_each_listed_part_is_its_own_share_of_the_head(pct: str, errors: int) -> None:
    # seed 001: "财政拨款支出965.81万元，主要用于以下方面：财政对城乡居民基本养老保险基金的补助
    # 支出770万元，占79.73%；城乡医疗救助支出108万元，占11.18%；…" — one line, each part
    # against the 965.81 by its own name (not the part printed last on the line)
    facts = (
        _fact("fiscal_appropriation_expenditure", "9658100.00", line=65, printed="965.81"),
        _item("财政对城乡居民基本养老保险基金的补助支出", "7700000"),
        _item_share("财政对城乡居民基本养老保险基金的补助支出", "79.73"),
        _item("城乡医疗救助支出", "1080000"),
        _item_share("城乡医疗救助支出", pct),
        _item("其他医疗保障管理事务支出", "200000"),
        _item_share("其他医疗保障管理事务支出", "2.07"),
    )
    found = [f for f in _pct(*facts) if f.severity == "error"]
    assert len(found) == errors
    assert all("108 / 965.81" in f.message for f in found)
