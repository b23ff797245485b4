"""Xi'an 部门综合预算 templates (2026 and 2022): every core table found, body rows read and
placed.  Cells typed by hand from the rendered pages (pdftotext -layout and the page images),
never copied from the parse: (table, code or #row, column, printed amount)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from fiscalpub.model import Report
from tests.conftest import CORE_TABLES, parsed_pdf, printed_cells

CELLS: dict[str, list[tuple[str, str, str, str]]] = {
    # 西安市信访局 2026 部门综合预算 (元)
    "xian-01-budget.pdf": [
        # 表1 收支总表: 一、部门预算 on both halves; the 支出功能分类 half holds the 类 lines
        ("income_expenditure_summary", "#department_budget", "amount", "28,384,234.71"),
        ("income_expenditure_summary", "#total_income", "amount", "28,384,234.71"),
        ("income_expenditure_summary", "201", "amount", "22,669,300.94"),
        ("income_expenditure_summary", "221", "amount", "1,954,773.61"),
        ("income_expenditure_summary", "#grand_total_expenditure", "amount", "28,384,234.71"),
        # 表2 收入总表 by unit: 部门预算 / 一般公共预算拨款 (小计 | 其中：专项资金…)
        ("income", "#total", "total", "28,384,234.71"),
        ("income", "#total", "gpb", "28,384,234.71"),
        ("income", "#total", "gpb_special_funds", "550,000.00"),
        # 表3 支出总表: the same columns of sources
        ("expenditure", "#total", "total", "28,384,234.71"),
        ("expenditure", "#total", "gpb_special_funds", "550,000.00"),
        # 表5: 合计 | 人员经费支出 | 公用经费支出 | 专项业务经费支出 | 备注 (no 基本支出)
        ("gpb_expenditure", "#total", "total", "28,384,234.71"),
        ("gpb_expenditure", "#total", "personnel", "18,119,247.51"),
        ("gpb_expenditure", "#total", "public", "1,208,867.20"),
        ("gpb_expenditure", "#total", "project", "9,056,120.00"),
        ("gpb_expenditure", "2080501", "public", "29,400.00"),
        ("gpb_expenditure", "2210203", "personnel", "746,101.56"),
        ("gpb_expenditure", "205", "project", "120,000.00"),
    ],
    # 西安市科学技术局 2022 部门综合预算 (元; 序号 column; amounts printed without separators)
    "xian-02-budget.pdf": [
        # 表1: 上年实户资金余额 7217115.63 makes 收入总计 943864999.96
        ("income_expenditure_summary", "#total_income", "amount", "936647884.33"),
        ("income_expenditure_summary", "#opening_account_balance", "amount", "7217115.63"),
        ("income_expenditure_summary", "#grand_total_income", "amount", "943864999.96"),
        ("income_expenditure_summary", "#unallocated_account_funds", "amount", "7217115.63"),
        ("income_expenditure_summary", "206", "amount", "820196139.30"),
        # the page prints 29440 (表4 prints 294400.00): the source's clipped cell, kept as printed
        ("income_expenditure_summary", "205", "amount", "29440"),
        # 表2 收入总表: 合计 943865000 as printed (the parts make 943864999.93)
        ("income", "#total", "total", "943865000"),
        ("income", "#total", "gpb", "936647884.3"),
        ("income", "#total", "gpb_special_funds", "874160000"),
        ("income", "#total", "opening_account_balance", "7217115.63"),
        # 表3 支出总表
        ("expenditure", "#total", "total", "936647884.3"),
        ("expenditure", "#total", "gpb_special_funds", "874160000"),
        # 表4 财政拨款收支总表
        ("fiscal_summary", "#total_income", "amount", "936647884.33"),
        ("fiscal_summary", "206", "total", "820196139.30"),
        ("fiscal_summary", "217", "total", "89160000.00"),
        # 表5 (two pages): 序号 | 功能科目编码 | 名称 | 合计 | 人员 | 公用 | 专项业务 | 备注
        ("gpb_expenditure", "#total", "total", "936647884.3"),
        ("gpb_expenditure", "20604", "total", "786781502.8"),
        ("gpb_expenditure", "20604", "project", "776961000"),
        ("gpb_expenditure", "20605", "personnel", "1691679.6"),
        ("gpb_expenditure", "2060899", "public", "534484.02"),
        ("gpb_expenditure", "2080116", "project", "15000000"),
        ("gpb_expenditure", "2210203", "personnel", "2261347.28"),
        # 表8 基本支出 按经济分类
        ("gpb_basic_expenditure", "#total", "amount", "47137884.3"),
        ("gpb_basic_expenditure", "#total", "personnel", "43536866.1"),
        ("gpb_basic_expenditure", "301", "amount", "40646542.9"),
        # 表13: 2021年 | 2022年 | 增减变化情况 (上年 | 本年 | 增减), 序号 1 is no amount
        ("three_public", "#grand_total", "prior_budget_grand_total", "746130"),
        ("three_public", "#training", "prior_budget_training", "320555"),
        ("three_public", "#grand_total", "budget_grand_total", "1005250"),
        ("three_public", "#meeting", "budget_meeting", "584550"),
        ("three_public", "#vehicle_operation", "budget_vehicle_operation", "75000"),
        ("three_public", "#reception", "change_reception", "-53090"),
    ],
}

# 表5 of the 2022 report, both pages: the codes as printed in 功能科目编码 (序号 beside them)
XIAN_02_GPB_CODES = {
    "205", "20508", "2050803",
    "206", "20601", "2060101", "2060102", "20603", "2060302", "20604", "2060401", "2060404",
    "20605", "2060501", "2060502", "20606", "2060601", "2060602", "20608", "2060801", "2060899",
    "208", "20801", "2080116", "20805", "2080505", "2080506", "20899", "2089999",
    "210", "21011", "2101101", "2101102", "2101103",
    "217", "21703", "2170399",
    "221", "22102", "2210201", "2210203",
}  # fmt: skip

NAMES = sorted(CELLS)


def _report(name: str) -> Report:
    return parsed_pdf(f"cities/{name}")


def _cell(report: Report, table: str, key: str, column: str) -> list[str]:
    cells = printed_cells(report, table)
    return cells.get((key[1:] if key.startswith("#") else key, column), [])


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_cells_typed_from_the_pages(name: str) -> None:
    report = _report(name)
    wrong = []
    for table, key, column, printed in CELLS[name]:
        want = Decimal(printed.replace(",", ""))
        got = [Decimal(p) for p in _cell(report, table, key, column)]
        if got != [want]:
            wrong.append((table, key, column, printed, got))
    assert not wrong, wrong


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_every_core_table_read_and_every_number_placed(name: str) -> None:
    report = _report(name)
    status = {t.table: t.status for t in report.tables}
    assert all(status[t] == "present" for t in CORE_TABLES), status
    unplaced = [li for li in report.line_items if li.placed_by == "unplaced"]
    assert not unplaced, unplaced[:5]


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_no_printed_cell_twice(name: str) -> None:
    # the 收支总表 prints its spending three times (功能分类, 部门预算经济分类, 政府预算经济
    # 分类), each with 本年支出合计 / 支出总计: one cell each, not three copies of one
    report = _report(name)
    cells = Counter(
        (li.table, li.column, li.code, li.row, li.item, li.page, li.line)
        for li in report.line_items
        if li.column is not None
    )
    assert not [k for k, n in cells.items() if n > 1]


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_codes_are_whole_tokens_of_their_page(name: str) -> None:
    # a 序号 beside a code is no part of it ("11" + "20604" is no 1120604)
    report = _report(name)
    doc_lines = {}
    from fiscalpub.read.pdf import read_pdf
    from tests.conftest import corpus_path

    doc = read_pdf(corpus_path("pdf", "cities", name))
    for page in doc.pages:
        doc_lines[page.number] = " ".join(ln.text for ln in page.lines)
    bad = []
    for li in report.line_items:
        if li.code is None or li.table not in ("gpb_expenditure", "gpb_basic_expenditure"):
            continue
        if not re.search(rf"(?<!\d){li.code}(?!\d)", doc_lines.get(li.page or 0, "")):
            bad.append((li.table, li.code, li.page))
    assert not bad, bad


@pytest.mark.corpus
def test_xian_2022_function_codes_are_the_printed_ones() -> None:
    report = _report("xian-02-budget.pdf")
    codes = {li.code for li in report.line_items if li.table == "gpb_expenditure" and li.code}
    assert codes == XIAN_02_GPB_CODES


@pytest.mark.corpus
def test_xian_2026_gpb_expenditure_identities_hold() -> None:
    # 合计 = 人员经费支出 + 公用经费支出 + 专项业务经费支出 on every row of 表5: no 基本支出
    # column to break total = 基本 + 项目
    report = _report("xian-01-budget.pdf")
    broken = [
        f
        for f in report.findings
        if f.code in ("row-identity-broken", "layout-identity-conflict")
        and any(w.table == "gpb_expenditure" for w in f.where)
    ]
    assert not broken, broken


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_blank_fund_form_is_declared_empty(name: str) -> None:
    # 表9 政府性基金收支表 printed as a 收入 | 支出 form without an amount (the 目录 says 是 空表,
    # 不涉及): printed and empty, not referenced_absent
    status = {t.table: t.status for t in _report(name).tables}
    assert status["gov_fund"] == "declared_empty"


# every broken identity of the two reports, each checked on the rendered page
XIAN_SOURCE_ERRORS: dict[str, set[tuple[str, str, str | None, str | None]]] = {
    "xian-01-budget.pdf": set(),
    # 2022 表1 收支总表 p.42 prints clipped cells: 5、教育支出 29440 and 17、金融支出 8916000,
    # where 表5 (p.46, p.47) and 表4 (p.45) print 294400 and 89160000; the 类 lines of 表1 then
    # add up to 856,138,924.33, not its 本年支出合计 936,647,884.33
    # (against 表5 and against 表4's 支出功能分类 half alike).  表2's 一般公共预算拨款 小计
    # 936647884.3 against 表4's 936647884.33 is no break: the cell prints one decimal (the
    # spreadsheet's 10 digits), a rounding warning
    "xian-02-budget.pdf": {
        ("cross-table", "income_expenditure_summary", "205", None),
        ("cross-table", "income_expenditure_summary", "217", None),
        ("cross-table", "fiscal_summary", "205", None),
        ("cross-table", "fiscal_summary", "217", None),
    },
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_every_broken_identity_is_the_sources(name: str) -> None:
    from tests.parse.test_identity_breaks import breaks

    got = {(c, t, k, None) for c, t, k, _ in breaks(_report(name))}
    assert got == XIAN_SOURCE_ERRORS[name]


# 表12 部门综合预算政府采购（资产配置、购买服务）预算表 (元): 科目编码 类/款/项 | 单位编码 |
# 采购项目 | 采购目录 | 购买服务内容 | 规格型号 | 数量 | 部门预算/政府预算支出经济科目编码
# 类/款 | 实施采购时间 | 预算金额 | 说明 — one money column among counts, codes, dates and
# text.  (采购项目, 预算金额) typed from the pages; the 合计 line, the 全额 line and the unit's
# line print the same sum.
PROCUREMENT: dict[str, dict[str, object]] = {
    "xian-01-budget.pdf": {
        "page": 31,
        "rows": 9,  # 合计, 全额, 西安市信访局 and six items
        "total": "3,786,500.00",
        "items": [
            ("接待中心安保服务", "499,800.00"),
            ("接待中心运维", "280,000.00"),
            ("联合学院善后办工作事务", "250,000.00"),
            ("食堂包厨服务", "423,800.00"),
            ("物业管理服务", "897,000.00"),
            ("驻京信访工作", "1,435,900.00"),
        ],
        # 数量 (6 on the 合计 line, 1 per item) and the economic codes 302 | 27 | 502 | 05
        "not_amounts": ["6", "1", "302", "27", "502", "05", "201", "40", "04", "121001"],
        "narrative": "378.65",
    },
    "xian-02-budget.pdf": {
        "page": 60,
        "rows": 25,  # 序号 1 (合计) to 25
        "total": "7998080",
        "items": [
            ("日常公用经费", "133080"),
            ("科技计划项目管理费", "600000"),
            ("科技计划项目管理费", "1000000"),
            ("科技计划项目管理费", "3610000"),
            ("网络宽带费", "255000"),
            ("更换办公电脑经费", "100000"),
            ("中国国际人才交流大会参会", "220000"),
            ("中国海外人才交流大会参会", "180000"),
        ],
        # 数量 35 on 合计, 20 台式计算机, 21 and 7 on group lines; 序号 1-25;
        # codes 206 | 04 | 310 | 506
        "not_amounts": ["35", "20", "21", "7", "4", "2", "1", "25", "206", "04", "310", "506"],
        "narrative": "799.81",
    },
}


def _procurement(report: Report) -> list[tuple[str | None, str | None, str, str]]:
    return [
        (li.row, li.item, li.column or "", li.printed)
        for li in report.line_items
        if li.table == "procurement"
    ]


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_procurement_money_read_beside_counts_and_codes(name: str) -> None:
    want = PROCUREMENT[name]
    report = _report(name)
    info = {t.table: t for t in report.tables}["procurement"]
    assert (info.status, info.page, info.unit) == ("present", want["page"], "元")
    assert not [f for f in report.findings if f.code == "unknown-table-shape"]
    cells = _procurement(report)
    # every number of the table is its 预算金额, placed
    assert {col for _, _, col, _ in cells} == {"amount"}
    unplaced = [li for li in report.line_items if li.table == "procurement" and not li.column]
    assert not unplaced, unplaced
    total = [Decimal(p) for row, _, _, p in cells if row == "total"]
    assert total == [Decimal(str(want["total"]).replace(",", ""))]
    items = want["items"]
    assert isinstance(items, list)
    for label, printed in items:
        got = [Decimal(p) for _, item, _, p in cells if item and item.split("/")[0] == label]
        assert Decimal(printed.replace(",", "")) in got, (label, got)


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_procurement_quantities_and_codes_are_no_amounts(name: str) -> None:
    # 数量 is a count, 科目编码 / 单位编码 / 经济科目编码 are codes, 序号 numbers rows: none of
    # their tokens is money, nor part of a row's label
    report = _report(name)
    cells = _procurement(report)
    assert len(cells) == PROCUREMENT[name]["rows"]  # one amount per printed row, no more
    printed = {Decimal(p) for _, _, _, p in cells}
    not_amounts = PROCUREMENT[name]["not_amounts"]
    assert isinstance(not_amounts, list)
    assert not printed & {Decimal(t) for t in not_amounts}
    digits = re.compile(r"(?<![A-Z\d])\d{1,3}(?!\d)")  # a count or code in a label
    assert not [item for _, item, _, _ in cells if item and digits.search(item)]


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_procurement_total_agrees_with_the_narrative(name: str) -> None:
    # 情况说明: "政府采购预算共378.65万元" (2026), "共799.81万元" (2022: 7998080 元, a
    # rounding warning)
    from fiscalpub.validate.engine import checks

    report = _report(name)
    stated = [f for f in report.facts if f.indicator == "procurement_total"]
    assert [f.printed for f in stated] == [PROCUREMENT[name]["narrative"]]
    held = [
        c
        for c in checks(report)
        if c.rule == "narrative-table"
        and any(getattr(m, "table", None) == "procurement" for m in c.members)
    ]
    assert held and all(c.holds for c in held), held


@pytest.mark.corpus
def test_the_registry_names_the_columns_that_hold_no_amount() -> None:
    # it is the registry's other_columns that keep 数量 and the codes out: without them the
    # grid reads them as numbers of no column (the unknown shape the table was)
    from dataclasses import replace

    from fiscalpub.parse.grid import grid_rows
    from fiscalpub.parse.tables import cut_regions
    from fiscalpub.read.pdf import read_pdf
    from tests.conftest import corpus_path

    doc = read_pdf(corpus_path("pdf", "cities", "xian-01-budget.pdf"))
    region = next(r for r in cut_regions(doc) if r.spec.id == "procurement")
    assert {o.kind for o in region.spec.other_columns} >= {"count", "code"}
    with_them = grid_rows(region, region.spec) or []
    assert all(n.col == "amount" for r in with_them for n in r.nums)
    region.bands = None
    without = grid_rows(region, replace(region.spec, other_columns=[])) or []
    stray = [n.printed for r in without for n in r.nums if n.col is None]
    assert "6" in stray and "302" in stray  # the 合计 line's 数量, an economic code


# the lines 合计 adds up: one 全额 line per function code (typed from p.31 and p.60)
PROCUREMENT_TOP = {
    "xian-01-budget.pdf": ["3,786,500.00"],
    "xian-02-budget.pdf": ["700000", "133080", "5210000", "955000", "600000", "400000"],
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_procurement_total_is_the_sum_of_its_lines_as_printed_tree(name: str) -> None:
    # the table prints a tree line by line (全额 line, the unit's line, its items): 合计 =
    # Σ 全额 lines, each line = Σ the lines under it — checked, and every sum holds
    from fiscalpub.validate.engine import checks

    sums = [
        c
        for c in checks(_report(name))
        if c.rule == "hierarchy-sum"
        and any(getattr(m, "table", None) == "procurement" for m in c.members)
    ]
    assert sums and all(c.holds and c.finding is None for c in sums)
    top = [c for c in sums if any(getattr(m, "row", None) == "total" for m in c.members)]
    assert len(top) == 1
    parts = sorted(Decimal(m.printed or "") for m in top[0].members[1:])
    assert parts == sorted(Decimal(p.replace(",", "")) for p in PROCUREMENT_TOP[name])
    items = PROCUREMENT[name]["items"]
    assert isinstance(items, list)
    # every item of a unit with several items is confirmed by its unit's line
    summed = {Decimal(m.printed or "") for c in sums if len(c.members) > 2 for m in c.members}
    assert {Decimal(p.replace(",", "")) for label, p in items if label != "日常公用经费"} <= summed
