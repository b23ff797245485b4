"""One item the narrative states twice with two amounts (rule narrative-twice): the real
cases of the corpus, the statements of two things named alike it must leave alone, and
its gates on small reports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Fact, Finding, Report
from fiscalpub.validate.engine import validate_report
from fiscalpub.validate.rules import RULES
from tests.conftest import EXAMPLES, parsed_pdf
from tests.validate.test_rules import _fact, _item, _report

RULE = "narrative-twice"


def _found(report: Report) -> list[Finding]:
    return [f for f in validate_report(report) if f.code == RULE or f"[{RULE}]" in f.message]


# ------------------------------------------------------------------ the corpus


@pytest.mark.corpus
def test_wanli_states_one_item_with_two_amounts() -> None:
    # 万里街道 2024 预算 p.9, item 31: "住房保障支出（类）住房改革支出（款）住房公积金（项）
    # 350.35万元" and, the next line, "2024年预算安排352.67万元"
    (f,) = _found(parsed_pdf("shanghai-putuo-wanli-2024-budget.pdf"))
    assert f.severity == "error" and "350.35" in f.message and "352.67" in f.message
    assert sorted((w.page, w.line) for w in f.where) == [(9, 146), (9, 147)]


@pytest.mark.corpus
def test_jiangsu_procuratorate_states_its_basic_spending_twice() -> None:
    # 江苏省检察院 2017 预算 p.19: "基本支出预算数为 12323.46 万元" and "基本支出 12323.48
    # 万元，占 68.48%" (17996.68 − 5533 − 140.2 = 12323.48)
    (f,) = _found(parsed_pdf("jiangsu-jcy-2017-budget.pdf"))
    assert f.severity == "error" and "12323.46" in f.message and "12323.48" in f.message


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("file", "indicator", "amounts"),
    [
        # 收、支总计 22066.59 and 本年收入合计 20451.35 (both total_income)
        ("cities/national-01-final.pdf", "total_income", {"22066.59", "20451.35"}),
        # 一般公共服务（类）10685.56 over all funds and 9846.82 of 财政拨款 (both printed
        # in the tables; the 类 stated a third time, alike)
        ("cities/national-01-final.pdf", "function_line", {"10685.56", "9846.82"}),
        # 收入支出总计 2995.39 and 本年收入合计 2946.25
        ("shanghai-putuo-czj-2024-final.pdf", "total_income", {"2995.39", "2946.25"}),
        # 机关运行经费 "比2016年增加5503.07万元" and "按与上年统计口径一致相比…减少161.96万元"
        (
            "jiangsu-fy-2017-budget.pdf",
            "office_operating_expenditure_change",
            {"5503.07", "161.96"},
        ),
    ],
)
def test_two_things_named_alike_are_not_one_item_twice(
    file: str, indicator: str, amounts: set[str]
) -> None:
    report = parsed_pdf(file)
    year = report.report.year
    stated = {f.printed for f in report.facts if f.indicator == indicator and f.period == year}
    assert amounts <= stated  # the narrative does state two amounts under one indicator
    assert RULE in {r.id for r in RULES} and _found(report) == []


def test_a_general_budget_section_states_the_funds_own_spending() -> None:
    # seed 000 "五、一般公共预算财政拨款收入支出增减变化情况说明 … 本年支出589.32万元，其中，
    # 基本支出57.30万元，项目支出532.02万元": the fund's, not 财政拨款支出 671.45 and
    # 项目支出 614.15 of the report's whole (三、支出)
    report = parse_files([EXAMPLES / "000_bd253d31d99d6327.txt"])
    stated = {(f.indicator, f.printed) for f in report.facts if f.line in (184, 186)}
    assert ("gpb_expenditure", "589.32") in stated
    assert ("gpb_project_expenditure", "532.02") in stated
    assert _found(report) == []


# ------------------------------------------------------------------ small reports


def _line(amount: str, line: int, **kw: object) -> Fact:
    return _fact(
        "function_line",
        amount,
        code="2210201",
        path=["住房保障支出", "住房改革支出", "住房公积金"],
        line=line,
        **kw,
    )


def test_one_line_stated_with_two_amounts() -> None:
    (f,) = _found(_report(facts=(_line("3503500.00", 10), _line("3526700.00", 11))))
    assert (f.code, f.severity) == (RULE, "error")
    assert [w.line for w in f.where] == [10, 11]
    # stated alike twice: one amount
    assert _found(_report(facts=(_line("3503500.00", 10), _line("3503500.00", 30)))) == []
    # another phase or year is another item
    assert not _found(
        _report(facts=(_line("3503500.00", 10), _line("3485200.00", 11, period=2021)))
    )


def test_a_difference_of_the_last_printed_place_is_rounding() -> None:
    (f,) = _found(
        _report(
            facts=(
                _fact("basic_expenditure", "123234600.00", printed="12323.46"),
                _fact("basic_expenditure", "123234700.00", printed="12323.47", line=60),
            )
        )
    )
    assert (f.code, f.severity) == ("rounding", "warning")


def test_both_amounts_printed_in_the_tables_may_be_two_funds() -> None:
    facts = (_line("3503500.00", 10), _line("3526700.00", 40))
    cells = (
        _item("expenditure", "total", "3526700.00", code="2210201"),
        _item("gpb_expenditure", "total", "3503500.00", code="2210201"),
    )
    assert _found(_report(*cells, facts=facts)) == []
    assert _found(_report(cells[0], facts=facts))  # one of them printed nowhere: a slip


def test_indicators_named_alike_are_not_compared() -> None:
    # 收入总计 (with the balances carried over) and 本年收入合计 are both total_income
    facts = (_fact("total_income", "22066590.00"), _fact("total_income", "20451350.00", line=60))
    assert _found(_report(facts=facts)) == []
    renamed = tuple(replace(f, indicator="business_income") for f in facts)
    assert _found(_report(facts=renamed))


def test_indicators_named_alike_are_one_item_under_one_phrase() -> None:
    def total(printed: str, text: str, line: int) -> Fact:
        amount = f"{int(printed.replace('.', '')) * 100}.00"
        return _fact("total_income", amount, printed=printed, text=text, line=line)

    grand = total("22066.59", "本部门2024年度收、支总计22066.59万元。", 10)
    year = total("20451.35", "本部门2024年度本年收入合计20451.35万元，其中：…", 20)
    slip = total("20451.53", "二、收入决算情况说明本年收入合计20,451.53万元。", 30)
    # 收、支总计 and 本年收入合计: two amounts, two things
    assert _found(_report(facts=(grand, year))) == []
    # 本年收入合计 stated twice with two amounts: one item
    (f,) = _found(_report(facts=(grand, year, slip)))
    assert f.severity == "error" and [w.line for w in f.where] == [20, 30]
    # a phrase after another line's name is that line's part ("…补助支出财政拨款支出61万元")
    part = total("61", "具体支出情况如下：城乡医疗救助的彩票公益金支出本年收入合计61万元。", 40)
    assert _found(_report(facts=(year, part))) == []


def test_changes_compare_only_when_stated_with_one_level() -> None:
    def passage(level: str, change: str, line: int) -> tuple[Fact, ...]:
        return (
            _fact("office_operating_expenditure", level, line=line),
            _fact("office_operating_expenditure_change", change, line=line, base="2021"),
        )

    same = (*passage("900000.00", "100000.00", 10), *passage("900000.00", "120000.00", 40))
    (f,) = _found(_report(facts=same))
    assert f.severity == "error" and "office_operating_expenditure_change" in f.message
    # two levels (both printed in the tables: two scopes), each with its change
    other = (*passage("900000.00", "100000.00", 10), *passage("700000.00", "120000.00", 40))
    cells = (
        _item("office_operating", "amount", "900000.00", row="total"),
        _item("three_public", "budget_office_operating", "700000.00", row="office_operating"),
    )
    assert _found(_report(*cells, facts=other)) == []
    restated = replace(same[3], text="按与上年统计口径一致相比，本年比上年增加12万元")
    assert _found(_report(facts=(*same[:3], restated))) == []
