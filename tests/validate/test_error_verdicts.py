"""Every error finding of every corpus report, checked by hand on the page: the set the
parse and the validator give equals the list written here, each with the printed numbers
that make it true.

Table identities (row-sum, hierarchy-sum, balance, cross-table, row-identity-broken,
layout-identity-conflict) have their own list (tests/parse/test_identity_breaks.py); this
one holds every other error: the narrative against the tables (narrative-table), against
itself (narrative-sum, percentage), the text (text-*), the report's identity (identity-*) …
A finding is keyed by its code and the sorted (page, line) of its places.  Only findings
the report really makes stay listed (a source's slip is the source's error: it is true);
a new one fails (a false alarm shows first here), and so does a listed one that is gone."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.model import Finding, Report
from fiscalpub.validate.engine import validate_report
from tests.conftest import EXPECTED, assert_as_listed, corpus_path, parsed_pdf

# the identity-breaks list covers these
BREAKS = (
    "row-sum",
    "hierarchy-sum",
    "balance",
    "cross-table",
    "row-identity-broken",
    "layout-identity-conflict",
)

# (code, ((page, line), …)): one error finding
Key = tuple[str, tuple[tuple[int, int], ...]]

# the lines of template-2024-final's text where the template's instructions and XX
# placeholders stand (上海市XX局, 请说明…, XX单位…): the whole narrative is the template's
_TEMPLATE_LEFT = (
    (1, 1),
    (2, 4),
    (2, 7),
    (2, 17),
    (4, 30),
    (4, 35),
    (4, 37),
    (4, 39),
    (4, 40),
    (4, 41),
    (5, 47),
    (13, 257),
    (14, 270),
    (15, 271),
    (15, 273),
    (15, 274),
    (15, 275),
    (15, 277),
    (15, 278),
    (15, 281),
    (15, 282),
    (15, 285),
    (15, 286),
    (15, 287),
    (15, 290),
    (16, 292),
    (16, 295),
    (16, 296),
    (16, 297),
    (16, 299),
    (16, 300),
    (16, 301),
    (16, 303),
    (16, 304),
    (16, 307),
    (16, 308),
    (16, 313),
    (17, 314),
    (17, 315),
    (17, 319),
    (17, 320),
    (17, 321),
    (17, 322),
    (17, 323),
    (17, 324),
    (17, 326),
    (17, 327),
    (17, 328),
    (17, 329),
    (17, 332),
    (18, 336),
    (18, 337),
    (18, 339),
    (18, 340),
    (18, 341),
    (18, 342),
    (18, 344),
    (18, 345),
    (18, 346),
    (18, 347),
    (18, 348),
    (18, 349),
    (18, 352),
    (18, 354),
    (18, 356),
    (18, 357),
    (19, 358),
    (19, 362),
    (19, 365),
    (19, 367),
    (19, 368),
    (19, 369),
    (19, 374),
    (19, 377),
    (19, 378),
    (19, 379),
    (20, 380),
    (20, 381),
    (20, 382),
    (20, 383),
    (20, 384),
    (20, 385),
    (20, 386),
    (20, 389),
    (20, 390),
    (20, 393),
    (20, 395),
    (20, 396),
    (20, 397),
    (20, 399),
    (20, 401),
    (21, 402),
    (21, 404),
    (21, 406),
    (21, 407),
    (21, 408),
    (21, 409),
    (21, 410),
    (22, 416),
    (22, 419),
    (22, 422),
)

VERDICTS: dict[str, dict[Key, str]] = {
    # 岳阳市屈原管理区医疗保障局 2021 决算 (seed 003)
    "003_c8682c8f72d65ec9": {
        ("narrative-table", ((1, 387), (1, 670))): (
            "TRUE: the narrative names 一般公共服务支出（类）统计信息事务（款）一般行政管理事务"
            "（项） with 支出决算 109.53万元, but 公开表 prints 2010502 一般行政管理事务 109.10 "
            "(109.53 is the 类 201, which also holds 20129 群众团体事务 0.43)"
        ),
        ("text-template-left", ((1, 569),)): (
            "TRUE: the 政府性基金 table's note keeps the template's instruction "
            "'(若本单位无政府性基金收支,请说明：XX 单位没有政府性基金收入…)' though the table "
            "prints 229 其他支出 10.94"
        ),
        ("narrative-line-sum", ((1, 656), (1, 670), (1, 678))): (
            "TRUE: 财政拨款支出结构 states 一般公共服务（类）109.53; its two 项 below are "
            "一般行政管理事务 支出决算 109.53 and 工会事务 0.43: 109.53 + 0.43 = 109.96 ≠ 109.53 "
            "(the tables print 2010502 109.10 + 2012906 0.43 = 109.53)"
        ),
    },
    # 安阳市北关区医疗保障局 2022 决算 (seed 004)
    "004_eedbb879cd069ff8": {
        ("narrative-table", ((1, 387), (1, 476), (1, 1910))): (
            "TRUE: the narrative says 农林水（类）支出 17.43 万元, but no table prints 213; "
            "the 17.43 is 221 住房保障支出 in the 财政拨款 tables (a mislabelled class)"
        ),
        ("percentage", ((1, 1914), (1, 1916))): (
            "TRUE: 年初预算 1564.98, 支出决算 439.04, '完成年初预算的 19.68%': "
            "439.04 / 1564.98 = 28.05%"
        ),
        ("percentage", ((1, 2037), (1, 2039))): (
            "TRUE: 机关运行经费 12.01 万元, 比 2021 年度减少 3 万元, '下降25%': the year "
            "before is 15.01, 3 / 15.01 = 19.99% (the source divided by this year's 12.01)"
        ),
    },
    "beijing-jmrh-2026-budget-text": {
        ("cross-classification", ((8, 153), (9, 182), (10, 206))): (
            "TRUE: 预算06表 books 30113 住房公积金 83.424000 (p.9) + 47.005200 (p.10) "
            "= 130.429200 within its 合计 2,074.253418; 预算05表's basic 小计 is the same "
            "2,074.253418 but prints 2210201 住房公积金 once, 47.005200 (p.8): 83.424000 is "
            "booked under another function"
        ),
    },
    "jiangsu-fy-2017-budget": {
        ("percentage", ((22, 609), (22, 610))): (
            "TRUE: p.22 提租补贴（项）支出 1959.99, 增加 865.57, '增长 79.05%': "
            "865.57 / (1959.99 − 865.57) = 79.09%"
        ),
    },
    "jiangsu-jcy-2017-budget": {
        ("narrative-twice", ((19, 504), (19, 520))): (
            "TRUE: p.19 '此外，基本支出预算数为 12323.46 万元' and, a few lines below, "
            "'基本支出 12323.48 万元，占 68.48%' (17996.68 − 5533 − 140.2 = 12323.48)"
        ),
        ("narrative-table", ((10, 193), (19, 504))): (
            "TRUE: p.19 '此外，基本支出预算数为 12323.46 万元' while 收支预算总表 (p.10) prints "
            "一、基本支出 12,323.48 and the same page says '基本支出 12323.48 万元，占 68.48 %'"
        ),
        ("percentage", ((22, 582), (22, 583))): (
            "TRUE: p.22 机关运行经费 6032.55, 比 2016 年增加 3401.59, '增长 129.97%': "
            "3401.59 / (6032.55 − 3401.59) = 129.29%"
        ),
        # p.22 "“三公”经费预算支出中，因公出国（境）费支出 110 万元，占“三公”经费的 18.85%；公务
        # 用车购置及运行费支出 317.8 万元，占…54.43%；公务接待费支出 156.55 万元，占…26.72%"
        # states no 三公 total; the table on p.22 prints its 小计 584.35 = 110 + 317.80 + 156.55
        ("percentage", ((22, 589), (22, 590), (22, 591))): (
            "TRUE: (two findings, the same places) 110 / 584.35 = 18.82%, printed 18.85%; "
            "317.8 / 584.35 = 54.39%, printed 54.43%"
        ),
        ("percentage", ((22, 590), (22, 591), (22, 592), (22, 593))): (
            "TRUE: 156.55 / 584.35 = 26.79%, printed 26.72%"
        ),
    },
    # p.28 "因公出国（境）费支出 222.5 万元，占“三公”经费的 8.75%；公务用车购置及运行费支出
    # 183.6 万元，占…7.22%；公务接待费支出 427.5 万元，占…16.81%": the shares are of the table's
    # 合计 2,542.60 (三公 833.60 + 会议费 1,305.25 + 培训费 403.75), not of the 三公 833.60 the
    # text names; the 2018 report prints 26.69%, 22.03%, 51.28% for the same amounts
    "jiangsu-rdbgt-2017-budget": {
        ("percentage", ((28, 539), (28, 540), (28, 541), (28, 542))): (
            "TRUE: 222.5 / 833.6 = 26.69%, printed 8.75% (= 222.5 / 2542.6)"
        ),
        ("percentage", ((28, 539), (28, 541), (28, 542))): (
            "TRUE: 183.6 / 833.6 = 22.02%, printed 7.22% (= 183.6 / 2542.6)"
        ),
        ("percentage", ((28, 541), (28, 542), (28, 543))): (
            "TRUE: 427.5 / 833.6 = 51.28%, printed 16.81% (= 427.5 / 2542.6)"
        ),
    },
    "jiangsu-swbgt-2017-budget-text": {
        ("percentage", ((8, 174), (8, 175))): (
            "TRUE: p.8 行政运行（项）支出 6106.99, 增加 101.48, '增长 1.66%': "
            "101.48 / (6106.99 − 101.48) = 1.69%"
        ),
    },
    "national-01-final": {
        ("percentage", ((17, 338), (17, 339))): (
            "TRUE: p.17 收、支总计 22066.59, 各增加 5834.37, '增长 35.74%': "
            "5834.37 / (22066.59 − 5834.37) = 35.94%"
        ),
    },
    "shanghai-putuo-czj-2024-final": {
        ("narrative-table", ((8, 125), (21, 406))): (
            "TRUE: p.21 '财政拨款收入支出总计0.3万元' while the tables (p.8) and the narrative's "
            "own 收入 section print 财政拨款收入 2940.05"
        ),
        ("narrative-table", ((13, 234), (21, 406))): (
            "TRUE: the same p.21 sentence '财政拨款收入支出总计0.3万元' against the spending side: "
            "财政拨款收入支出决算总表 (p.13) prints 本年支出合计 2,940.05"
        ),
        ("percentage", ((21, 416), (21, 417))): (
            "TRUE: p.21 一般公共服务支出（类）2106.66万元, '占71.73%' of 2940.05: "
            "2106.66 / 2940.05 = 71.65% (its siblings hold: 326.72 / 2940.05 = 11.11%)"
        ),
    },
    "shanghai-putuo-wanli-2024-budget": {
        ("narrative-twice", ((9, 146), (9, 147))): (
            "TRUE: p.9 item 31 住房公积金（项） '350.35万元' then '2024年预算安排352.67万元' "
            "in the same passage (the table prints 350.35)"
        ),
        ("narrative-table", ((9, 147), (26, 413))): (
            "TRUE: p.9 item 31 住房公积金（项） 350.35万元 then '2024年预算安排352.67万元' in "
            "the same passage; the table (p.26) prints 2210201 3,503,499 元 = 350.35万元 "
            "(and 348.52 × 1.0053 = 350.37: the 352.67 is the slip)"
        ),
        ("percentage", ((7, 91), (7, 92))): (
            "TRUE: p.7 其他教育支出 2023年执行数 0.00, 2024年安排 25.00, '增加100.00%': "
            "no rate of change exists against 0"
        ),
    },
    "yantai-01-budget": {
        ("empty-contradicted", ((7, 93), (11, 177), (13, 225))): (
            "TRUE: 公开表4 财政拨款收支总体情况表 (pp.10–11) prints no amount and the note "
            "'（注：2026年没有使用财政拨款收入和支出。）', while 公开表2 (p.7) prints 财政拨款 "
            "1,717.85 and 公开表5 一般公共预算支出情况表 (p.13) 合计 1,717.85"
        ),
    },
    "template-2024-final": {
        ("identity-placeholder", ((1, 2),)): (
            "TRUE: the cover names '上海市XX局': a template, no department's report"
        ),
        ("text-template-left", _TEMPLATE_LEFT): (
            "TRUE: the template's placeholders (上海市XX局, XX, 请说明…) fill its text"
        ),
    },
}

_ORACLE: list[dict[str, Any]] = yaml.safe_load(
    (EXPECTED / "identity.yaml").read_text(encoding="utf-8")
)["reports"]
# every corpus report (the identity oracle lists them all): PDFs and the text seeds
REPORTS: dict[str, list[str]] = {
    e["files"][0].rsplit("/", 1)[-1].rsplit(".", 1)[0]: list(e["files"])
    for e in _ORACLE
    if e["files"][0].startswith(("pdf/", "seeds/"))
}

_seeds: dict[str, Report] = {}


def report_of(name: str) -> Report:
    """The parsed report (PDFs: the session's cached parse; seeds: parsed once here)."""
    files = REPORTS[name]
    if files[0].startswith("pdf/"):
        return parsed_pdf(*(f.removeprefix("pdf/") for f in files))
    if name not in _seeds:
        _seeds[name] = parse_files([corpus_path(*f.split("/")) for f in files])
    return _seeds[name]


def _key(f: Finding) -> Key:
    return (f.code, tuple(sorted({(w.page, w.line) for w in f.where})))


def errors(report: Report) -> dict[Key, str]:
    """The report's error findings (parse and validator) other than table identities."""
    found = [*report.findings, *validate_report(report)]
    return {_key(f): f.message for f in found if f.severity == "error" and f.code not in BREAKS}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_error_finding_is_a_listed_true_one(name: str) -> None:
    got = errors(report_of(name))
    known = VERDICTS.get(name, {})
    assert_as_listed(
        got,
        known,
        "error findings not checked true by hand (a false alarm?)",
        "listed true findings no longer found (update the list)",
    )


def test_the_verdicts_name_corpus_reports_and_say_why() -> None:
    assert set(VERDICTS) <= set(REPORTS)
    for name, verdicts in VERDICTS.items():
        for key, why in verdicts.items():
            assert why.startswith("TRUE: "), (name, key)
