"""Precise narrative facts (issue 13 part 2): a fact the text does not state for its
indicator is a defect.  Each case is a sentence shape met in real reports; the facts it
must give are written out in full (indicator, printed, phase, period, path, base)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscalpub.parse.narrative import extract_facts
from fiscalpub.read.text import read_text


def _facts(tmp_path: Path, body: str, year: int = 2021, kind: str = "final") -> list[tuple]:
    text = f"第三部分 {year}年度部门决算情况说明\n{body}\n第四部分 名词解释\n"
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return [
        (
            f.indicator,
            f.printed if f.printed is not None else None,
            f.phase,
            f.period,
            tuple(f.path or ()),
            f.base,
            str(f.amount if f.amount is not None else f.value),
        )
        for f in extract_facts(read_text(path), year, kind)
    ]  # fmt: skip


def test_an_enumeration_gives_the_head_its_indicator_and_each_item_its_own(
    tmp_path: Path,
) -> None:
    facts = _facts(
        tmp_path,
        "六、一般公共预算财政拨款基本支出决算情况说明\n"
        "（一）人员经费706.71万元，主要包括：基本工资248.93万元、津贴补贴144.65万元。\n"
        "（二）公用经费113.09万元，主要包括：公务接待费0.52万元、劳务费1.08万元。",
    )
    assert [f[:5] for f in facts] == [
        ("personnel_expenditure", "706.71", "actual", 2021, ()),
        ("economic_line", "248.93", "actual", 2021, ("基本工资",)),
        ("economic_line", "144.65", "actual", 2021, ("津贴补贴",)),
        ("public_expenditure", "113.09", "actual", 2021, ()),
        ("economic_line", "0.52", "actual", 2021, ("公务接待费",)),  # not 三公 reception
        ("economic_line", "1.08", "actual", 2021, ("劳务费",)),
    ]


def test_procurement_total_components_and_sme_amounts_are_separate(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        "十一、政府采购支出情况说明\n"
        "本年度政府采购支出总额34万元，其中：政府采购货物支出0万元、政府采购工程支出4万元、"
        "政府采购服务支出30万元。授予中小企业合同金额20万元，占政府采购支出总额的58.82%，"
        "其中：授予小微企业合同金额10万元，占授予中小企业合同金额的50%；"
        "货物采购授予中小企业合同金额占货物支出金额的0%。",
    )
    assert [(f[0], f[1], f[5]) for f in facts] == [
        ("procurement_total", "34", None),
        ("procurement_goods", "0", None),
        ("procurement_works", "4", None),
        ("procurement_services", "30", None),
        ("procurement_sme", "20", None),
        ("procurement_sme_share", "58.82", "procurement_total"),
        ("procurement_small_micro", "10", None),
        ("procurement_small_micro_share", "50", "procurement_sme"),
        # one category's share of SMEs has no indicator: no fact, never the SME share
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a change right before its number, without 比/较: the change, never the level
        (
            "本年度公务接待费支出决算减少0.15万元。",
            [("three_public_reception_change", "0.15", "-1500.00")],
        ),
        # a part of the level: no fact (and never the level's indicator)
        (
            "本年度公务接待费支出决算1.58万元（含外宾接待支出0.00万元）。",
            [("three_public_reception", "1.58", "15800.00")],
        ),
        (
            "本年度公务接待费支出决算1.58万元。其中：国内公务接待支出1.58万元。",
            [("three_public_reception", "1.58", "15800.00")],
        ),
        # a per-unit average is not the level
        (
            "全年公务用车运行维护费支出40.61万元，平均每辆2.71万元。",
            [("three_public_vehicle_operation", "40.61", "406100.00")],
        ),
        # a thousands separator is part of the number
        (
            "本年度收入、支出决算总计10,150.48万元。",
            [
                ("total_income", "10150.48", "101504800.00"),
                ("total_expenditure", "10150.48", "101504800.00"),
            ],
        ),
    ],
)
def test_changes_parts_and_averages_are_not_levels(
    tmp_path: Path, sentence: str, expected: list[tuple[str, str, str]]
) -> None:
    facts = _facts(tmp_path, "七、其他情况说明\n" + sentence)
    got = [(f[0].replace("_actual", ""), f[1], f[6]) for f in facts]
    assert got == expected


def test_budget_narratives_item_by_item(tmp_path: Path) -> None:
    """Shanghai's 预算编制说明: a function line per item, this year's budget, last year's
    execution, the change in percent with its base year."""
    text = (
        "2024年部门预算编制说明\n"
        "财政拨款支出主要内容如下：\n"
        "1.“一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”25.77万元，主要用于专项普查活动。"
        "2023年当年预算执行数为60.13万元，2024年预算安排25.77万元，比2023年预算执行数减少57.14%。\n"
        "2.“住房保障支出-住房改革支出-住房公积金”科目174.14万元，主要用于住房公积金。\n"
    )
    path = tmp_path / "budget.txt"
    path.write_text(text, encoding="utf-8")
    facts = extract_facts(read_text(path), 2024, "budget")
    got = [(f.indicator, f.printed, f.phase, f.period, tuple(f.path or ()), f.base) for f in facts]
    line = ("一般公共服务支出", "统计信息事务", "专项普查活动")
    assert got == [
        ("function_line", "25.77", "budget", 2024, line, None),
        ("function_line", "60.13", "actual", 2023, line, None),
        ("function_line", "25.77", "budget", 2024, line, None),
        ("function_line_change_pct", "57.14", "budget", 2024, line, "2023"),
        (
            "function_line",
            "174.14",
            "budget",
            2024,
            ("住房保障支出", "住房改革支出", "住房公积金"),
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # plain 收入/支出 with a change is the total's change, not the last line named before
        (
            "2025年本单位收入预算100.00万元，其中，上年结转0.00万元。收入较去年减少10.00万元。",
            [("total_income", "100.00"), ("opening_balance", "0.00"),
             ("total_income_change", "10.00")],
        ),
        # ... unless the sentence before spoke of one expenditure line
        (
            "十、机关运行经费支出情况说明\n本年度机关运行经费支出决算113.09万元。"
            "支出决算比上年减少21.52万元。",
            [("office_operating_expenditure", "113.09"),
             ("office_operating_expenditure_change", "21.52")],
        ),
        # a line no indicator stands for, even with a change: no fact
        (
            "2026年本部门委托业务费财政拨款预算为5,434.44万元，比上年预算减少935.91万元。",
            [],
        ),
        (
            "1.收入预算减少976.9万元，其中一般公共预算收入减少1,154.73万元，"
            "使用非财政拨款结余减少28万元。",
            [("total_income_change", "976.9"), ("gpb_income_change", "1154.73")],
        ),
        # what follows a parenthesis is about the line before it
        (
            "公务用车购置及运行维护费6.54万元（公务用车购置费0万元；公务用车运行维护费6.54万元）"
            "比上年减少14.85万元。",
            [("three_public_vehicles", "6.54"), ("three_public_vehicle_purchase", "0"),
             ("three_public_vehicle_operation", "6.54"),
             ("three_public_vehicles_change", "14.85")],
        ),
    ],
)  # fmt: skip
def test_whose_change_it_is(tmp_path: Path, body: str, expected: list[tuple[str, str]]) -> None:
    facts = _facts(tmp_path, body, year=2025, kind="budget")
    got = [(f[0].replace("_budget", ""), f[1]) for f in facts]
    assert got == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # basic/project parts of the general budget's expenditure are the fund's
        (
            "2026年一般公共预算财政拨款支出100.00万元，比2025年增加10.00万元。"
            "其中：基本支出60.00万元，项目支出40.00万元。",
            [("gpb_expenditure", "100.00"), ("gpb_expenditure_change", "10.00"),
             ("gpb_basic_expenditure", "60.00"), ("gpb_project_expenditure", "40.00")],
        ),
        # one fund's part of procurement, with its components: no fact
        (
            "政府采购预算总额100万元，其中一般公共预算拨款政府采购50万元，货物10万元、服务40万元。",
            [("procurement_total", "100")],
        ),
        # a line no indicator stands for (lexicon.ignore), and its change
        (
            "包括在职人员经费94.73万元、公用经费37.84万元。",
            [("public_expenditure", "37.84")],
        ),
        # a reason's figures are not changes of the subject
        (
            "本年度会议费预算10万元，比上年增加1万元，主要原因是按规定压减10%。",
            [("meeting_expenditure", "10"), ("meeting_expenditure_change", "1")],
        ),
        # "相比变化0万元" is a change, not a level
        (
            "其中：一般公共预算财政拨款收入1668.14万元，比上年决算数相比变化0万元。",
            [("gpb_income", "1668.14"), ("gpb_income_change", "0")],
        ),
        # the items of a 类 list are parts: the sentence after speaks of the whole
        (
            "（二）支出预算：2026年年初预算数100万元。按支出功能分类，包括教育支出40万元，"
            "住房保障支出60万元。比2025年减少5万元。",
            [("total_expenditure", "100"), ("function_line", "40"), ("function_line", "60")],
        ),
    ],
)  # fmt: skip
def test_parts_reasons_and_lines_of_no_indicator(
    tmp_path: Path, body: str, expected: list[tuple[str, str]]
) -> None:
    facts = _facts(tmp_path, body, year=2026, kind="budget")
    assert [(f[0], f[1]) for f in facts] == expected


def test_holdings_are_of_the_date_printed(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        "六、国有资产占有使用情况\n截至上年底，本部门共有车辆4辆。"
        "单价100万元（含）以上的设备5台（套）。2026年预算安排购置单价100万元以上设备1台（套）。",
        year=2026,
        kind="budget",
    )
    assert [(f[0], f[1], f[3]) for f in facts] == [
        ("vehicles", "4", 2025),
        ("assets_equipment", "5", 2025),  # held; the equipment to buy has no indicator
    ]


def test_sme_amounts_of_a_subset_of_projects_are_not_the_total(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        "十一、政府采购支出情况说明\n本年度政府采购支出总额251.26万元。"
        "在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额246.47万元；"
        "在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额4.79万元。",
        year=2024,
    )
    assert [(f[0], f[1]) for f in facts] == [("procurement_total", "251.26")]


def test_a_fund_named_under_an_expenditure_head_is_the_funds_expenditure(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        "本部门当年预算收入2,838.42万元，其中：一般公共预算拨款2,838.42万元。"
        "本部门当年预算支出2,838.42万元，其中：一般公共预算拨款2,838.42万元。",
        year=2026,
        kind="budget",
    )
    assert [f[0] for f in facts] == [
        "total_income",
        "gpb_income",
        "total_expenditure",
        "gpb_expenditure",
    ]


def test_a_listed_part_without_indicator_gets_its_share_of_the_head(tmp_path: Path) -> None:
    # seed 001 p.1: the parts of 财政拨款支出 are 项 named without level; before, the first
    # was read as the 财政拨款支出 itself (770) and the others gave nothing
    facts = _facts(
        tmp_path,
        "五、一般公共预算财政拨款支出决算情况说明\n"
        "2.财政拨款支出决算结构情况\n"
        "2021年度财政拨款支出965.81万元，主要用于以下方面：财政对城乡居民基本养老保险基金的"
        "补助支出770万元，占79.73%；城乡医疗救助支出108万元，占11.18%；医疗保障管理事务行政"
        "运行支出67.81万元，占7.02%，其他医疗保障管理事务支出20万元，占2.07%。",
    )
    head = "fiscal_appropriation_expenditure"
    parts = [f for f in facts if f[0].startswith("list_item")]
    assert [f[:6] for f in parts] == [
        ("list_item", "770", "actual", 2021, ("财政对城乡居民基本养老保险基金的补助支出",), None),
        ("list_item_share", "79.73", "actual", 2021,
         ("财政对城乡居民基本养老保险基金的补助支出",), head),
        ("list_item", "108", "actual", 2021, ("城乡医疗救助支出",), None),
        ("list_item_share", "11.18", "actual", 2021, ("城乡医疗救助支出",), head),
        ("list_item", "67.81", "actual", 2021, ("医疗保障管理事务行政运行支出",), None),
        ("list_item_share", "7.02", "actual", 2021, ("医疗保障管理事务行政运行支出",), head),
        ("list_item", "20", "actual", 2021, ("其他医疗保障管理事务支出",), None),
        ("list_item_share", "2.07", "actual", 2021, ("其他医疗保障管理事务支出",), head),
    ]  # fmt: skip
    assert [f[1] for f in facts if f[0] == head] == ["965.81"]  # never 770


def test_a_part_of_a_list_of_shares_that_names_no_indicator(tmp_path: Path) -> None:
    # Jiangsu 2017-2019 budgets: "其中：一般公共预算收入…，占99.92%；其他资金15万元，占0.08%"
    # and "单位预留机动经费140.2万元，占0.78%" (a phrase that is no indicator)
    facts = _facts(
        tmp_path,
        "二、收入预算情况说明\n"
        "省检察院本年收入预算合计17996.68万元，其中：一般公共预算收入17981.68万元，占99.92%；"
        "其他资金15万元，占0.08%。\n"
        "三、支出预算情况说明\n"
        "省检察院本年支出预算合计17996.68万元，其中：基本支出12323.48万元，占68.48%；项目支出"
        "5533万元，占30.74%；单位预留机动经费140.2万元，占0.78%。",
        year=2017,
        kind="budget",
    )
    parts = [f[:6] for f in facts if f[0].startswith("list_item")]
    assert parts == [
        ("list_item", "15", "budget", 2017, ("其他资金",), None),
        ("list_item_share", "0.08", "budget", 2017, ("其他资金",), "total_income"),
        ("list_item", "140.2", "budget", 2017, ("单位预留机动经费",), None),
        ("list_item_share", "0.78", "budget", 2017, ("单位预留机动经费",), "total_expenditure"),
    ]


def test_a_listed_amount_without_a_share_or_a_head_is_no_part(tmp_path: Path) -> None:
    # no share after it, or no head before: nothing to divide, no list_item
    facts = _facts(
        tmp_path,
        "三、支出决算情况说明\n城乡医疗救助支出108万元，占11.18%。其中：城乡医疗救助支出108万元。",
    )
    assert not [f for f in facts if f[0].startswith("list_item")]
