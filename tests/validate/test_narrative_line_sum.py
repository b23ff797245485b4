"""A 类 (or 款) the narrative states against the 款/项 it states under it (rule
narrative-line-sum): real cases of the corpus — one contradiction, sums that hold, and
scopes that differ — and the arithmetic and its gates on small reports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, Finding, LineItem, Report
from fiscalpub.validate.engine import checks, validate_report
from fiscalpub.validate.rules import Check
from tests.conftest import EXAMPLES, parsed_pdf
from tests.validate.test_rules import _fact, _item, _report

RULE = "narrative-line-sum"


def _found(report: Report) -> list[Finding]:
    return [f for f in validate_report(report) if f.code == RULE or f"[{RULE}]" in f.message]


def _checks(report: Report) -> list[Check]:
    return [c for c in checks(report) if c.rule == RULE]


def _printed(c: Check) -> list[str | None]:
    return [m.printed for m in c.members]


# ------------------------------------------------------------------ the corpus


def test_003_general_services_class_against_its_two_items() -> None:
    # seed 003, 财政拨款支出决算结构: "一般公共服务（类）支出109.53万元"; 具体情况:
    # 一般行政管理事务（项） "支出决算为109.53万元", 工会事务（项） "支出决算为0.43万元":
    # 109.53 + 0.43 = 109.96 (the tables print 2010502 109.10: the 109.53 is the 类's)
    found = _found(parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"]))
    (f,) = [f for f in found if f.severity == "error"]
    assert "109.96" in f.message and "amount" in f.message
    assert [(w.page, w.line) for w in f.where] == [(1, 656), (1, 670), (1, 678)]
    # 卫生健康支出（类）261.05 against its seven 项 = 261.06: the rounding of the parts
    (w,) = [f for f in found if f.severity == "warning"]
    assert "261.05" in w.message and "261.06" in w.message


@pytest.mark.corpus
def test_a_class_change_is_the_sum_of_its_items_changes() -> None:
    # 江苏省人大办公厅 2019 p.10: 一般公共服务（类）13907.78, "与上年相比增加1201.5万元";
    # p.12-13 its nine 项 (人大事务), changes +1075.88 +123.67 +164.48 −81 −41.87 −40.37
    # −42.84 −4.75 +48.3 = +1201.50: the rule checks it, and it holds
    report = parsed_pdf(
        "jiangsu-rdbgt-2019-budget-text.pdf", "jiangsu-rdbgt-2019-budget-tables.pdf"
    )
    held = [c for c in _checks(report) if c.holds and _printed(c)[0] == "1201.5"]
    assert len(held) == 1 and len(held[0].members) == 10
    assert not _found(report)


@pytest.mark.corpus
def test_items_said_unchanged_and_items_named_otherwise_take_part() -> None:
    # 江苏省高院 2017 p.19: 公共安全（类）23513.11, "与上年相比增加410.44万元"; p.21-22 法院
    # (款): 行政运行 +10.44, 一般行政事务管理 (so printed: no vocabulary code) +450, 机关服务
    # "与上年一致", 案件审判 −200, 案件执行 "与上年一致", 其他法院支出 +150: 410.44
    report = parsed_pdf("jiangsu-fy-2017-budget.pdf")
    (held,) = [c for c in _checks(report) if _printed(c)[0] == "410.44"]
    assert held.holds and _printed(held) == ["410.44", "10.44", "450", "200", "150"]
    assert not _found(report)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("files", "cls"),
    [
        # 一般公共服务（类）in the 支出预算总计 part: +3161.38 over all funds; its 项 in the
        # 财政拨款 part: +1965.30 +1343.28 = 3308.58 — the year before held 147.20 of
        # 财政专户 money (its 收入 fell 147.20 to 0): two scopes, no contradiction
        (
            ("jiangsu-swbgt-2018-budget-text.pdf", "jiangsu-swbgt-2018-budget-tables.pdf"),
            "20153.75",
        ),
        # 商业服务业等支出（类）−22,614.28 over all funds, its 财政拨款 项 −12,614.28: the
        # 10,000 of 其他收入 the year before (收支总计 −10,122.25, 财政拨款 −122.25)
        (("cities/wuxi-02-budget.pdf",), "3275.38"),
    ],
)
def test_a_class_of_all_funds_is_not_checked_against_fiscal_items_changes(
    files: tuple[str, ...], cls: str
) -> None:
    report = parsed_pdf(*files)
    # the amounts are the same money this year (the rule checks them: they hold) …
    assert [c.holds for c in _checks(report) if _printed(c)[0] == cls] == [True]
    # … the changes are not compared: the year before may hold other funds
    assert not [f for f in _found(report) if f.severity == "error"]


@pytest.mark.corpus
def test_a_class_of_the_expenditure_table_is_not_summed_from_one_fund_items() -> None:
    # 无锡 2026 单位预算 p.32: 城乡社区支出（类）842,090.31 (支出总表, all funds); p.36 its
    # 项 as the 财政拨款 tables print them (其他城乡社区公共设施支出 127,692.11, not the
    # 支出总表's 688,091.31): another fund's lines, not a contradiction
    report = parsed_pdf("cities/wuxi-01-unit-budget.pdf")
    assert not [c for c in _checks(report) if _printed(c)[0] == "842090.31"]
    # (住房保障支出（类）698.96 = 224.43 + 224.42 + 250.11 of the same tables: checked, holds)
    assert [c.holds for c in _checks(report) if _printed(c)[0] == "698.96"] == [True]
    assert not [f for f in _found(report) if f.severity == "error"]


# ------------------------------------------------------------------ small reports


def _line(code: str, amount: str, line: int, text: str = "", **kw: object) -> Fact:
    path = {3: ["一般公共服务支出"], 5: ["一般公共服务支出", "人大事务"]}.get(
        len(code), ["一般公共服务支出", "人大事务", f"项{code}"]
    )
    return _fact("function_line", amount, code=code, path=path, line=line, text=text, **kw)


def _change(code: str, amount: str, line: int) -> Fact:
    return replace(_line(code, amount, line), indicator="function_line_change")


def _passage(parent_change: str, second_change: str | None = "250000.00") -> tuple[Fact, ...]:
    """一般公共服务（类）300万元, 比上年增加X; 其中 行政运行（项）100万元, 增加10万元;
    一般行政管理事务（项）200万元, 增加Y (in one passage)."""
    facts = [
        _line("201", "3000000.00", 10),
        _change("201", parent_change, 10),
        _line("2010101", "1000000.00", 11),
        _change("2010101", "100000.00", 11),
        _line("2010102", "2000000.00", 12, text="一般行政管理事务（项）200万元，与上年一致。"),
    ]
    if second_change is not None:
        facts.append(_change("2010102", second_change, 12))
    return tuple(facts)


def test_a_class_change_that_is_not_the_sum_of_its_items_changes() -> None:
    assert _found(_report(facts=_passage("350000.00"))) == []
    (f,) = _found(_report(facts=_passage("380000.00")))
    assert (f.code, f.severity) == (RULE, "error") and "change" in f.message
    assert [w.line for w in f.where] == [10, 11, 12]
    # one unit of the last printed place per term: a rounding warning
    (w,) = _found(_report(facts=_passage("350100.00")))
    assert (w.code, w.severity) == ("rounding", "warning")


def test_a_class_change_short_of_its_items_changes_may_be_a_line_gone_this_year() -> None:
    # 10 + 25 = 35 stated; the class says +5: a 项 of 30 last year and none this year
    # (printed nowhere, stated nowhere) makes exactly that — no contradiction the text proves
    assert _found(_report(facts=_passage("50000.00"))) == []
    assert _found(_report(facts=_passage("-300000.00"))) == []
    # more than the items' changes is something no vanished line explains
    (f,) = _found(_report(facts=_passage("360000.00")))
    assert f.severity == "error"


def test_an_item_said_unchanged_counts_as_no_change() -> None:
    # "与上年一致": 10 + 0 = 10
    assert _found(_report(facts=_passage("100000.00", None))) == []
    (f,) = _found(_report(facts=_passage("150000.00", None)))
    assert f.severity == "error"


def test_an_item_whose_change_is_unsaid_leaves_the_class_unchecked() -> None:
    facts = list(_passage("900000.00", None))
    assert [f.severity for f in _found(_report(facts=tuple(facts)))] == ["error"]
    facts[-1] = replace(facts[-1], text="一般行政管理事务（项）200万元。")
    assert _found(_report(facts=tuple(facts))) == []


def test_items_that_do_not_add_up_to_the_class_leave_its_change_unchecked() -> None:
    # 100 + 200 ≠ 310: a line left unsaid, the changes may not add up either
    facts = list(_passage("900000.00"))
    assert [f.severity for f in _found(_report(facts=tuple(facts)))] == ["error"]
    facts[0] = _line("201", "3100000.00", 10)
    assert _found(_report(facts=tuple(facts))) == []


def test_a_class_stated_in_another_passage_is_compared_only_when_all_money_is_fiscal() -> None:
    # the 类 in one part, another 类 between, its 项 later: other funds of the year
    # before may explain a difference …
    facts = [*_passage("380000.00")[:2], _line("208", "500000.00", 20)]
    facts += [replace(f, line=f.line + 20) for f in _passage("0")[2:]]
    assert _found(_report(facts=tuple(facts))) == []
    # … unless the narrative shows all money is 财政拨款 in both years
    whole = (
        _fact("total_expenditure", "3500000.00"),
        _fact("fiscal_appropriation_expenditure", "3500000.00"),
        _fact("total_expenditure_change", "400000.00"),
        _fact("fiscal_appropriation_expenditure_change", "400000.00"),
    )
    (f,) = _found(_report(facts=(*facts, *whole)))
    assert f.severity == "error"


def _tables(second: str, *more: LineItem) -> Report:
    items = (
        _item("gpb_expenditure", "total", "3000000.00", code="201"),
        _item("gpb_expenditure", "total", "1000000.00", code="2010101"),
        _item("gpb_expenditure", "total", "2000000.00", code="2010102"),
        *more,
    )
    facts = (
        _line("201", "3000000.00", 10),
        _line("2010101", "1000000.00", 11),
        _line("2010102", second, 12),
    )
    return _report(*items, facts=facts)


def test_a_class_amount_against_every_item_the_tables_print() -> None:
    assert _found(_tables("2000000.00")) == []
    # the narrative's 项 210 (no table prints it): 100 + 210 ≠ 300
    (f,) = _found(_tables("2100000.00"))
    assert f.severity == "error" and "amount" in f.message
    # another table prints 210 on that line: another fund's amount, no sum of one money
    fund = _item("gov_fund", "expenditure_total", "2100000.00", code="2010102")
    assert _found(_tables("2100000.00", fund)) == []


def test_a_class_amount_is_not_checked_when_the_items_are_not_every_printed_line() -> None:
    assert [f.severity for f in _found(_tables("2100000.00"))] == ["error"]
    report = _tables("2100000.00", _item("gpb_expenditure", "total", "10000.00", code="2010103"))
    assert _found(report) == []
