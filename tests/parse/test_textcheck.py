"""Text defects a machine can see (parse/textcheck.py): a template's instruction or
placeholder left in, an empty reason, a table title of another year, a 单位 report calling
itself a 部门 one, a share printed without its %, an amount left out. Real cases of the
corpus where it has them; every other corpus report must raise none (a false alarm fails
here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import Finding
from tests.conftest import corpus_path, corpus_pdf_reports, parsed_pdf

# the text defects of the corpus, checked by hand against the source
KNOWN = {
    # p.1 l.569 of the seed: "(若本单位无政府性基金收支,请说明：XX 单位没有政府性基金收入，…)"
    "seeds/003_c8682c8f72d65ec9.txt": {"text-template-left"},
    # p.1 l.1871: "事业收入 0 万元，占 0%；经营收入万元，占 0%" — the amount left out
    "seeds/004_eedbb879cd069ff8.txt": {"text-amount-missing"},
    # p.16: "2019年政府性基金支出预算支出 / 万元。与上年相比增加（减少）0万元" — left out
    "pdf/jiangsu-rdbgt-2019-budget-text.pdf": {"text-amount-missing"},
    # the unfilled template itself: "上海市XX局" on every page
    "pdf/template-2024-final.pdf": {"text-template-left"},
}


def _text(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings if f.code.startswith("text-")}


@pytest.mark.corpus
def test_the_corpus_raises_only_its_true_text_defects() -> None:
    got: dict[str, set[str]] = {}
    for group in corpus_pdf_reports():
        codes = set(_text(parsed_pdf(*group).findings))
        if codes:
            got[f"pdf/{group[0]}"] = codes
    for seed in sorted(corpus_path("seeds").glob("*.txt")):
        codes = set(_text(parse_files([seed]).findings))
        if codes:
            got[f"seeds/{seed.name}"] = codes
    assert got == KNOWN


@pytest.mark.corpus
def test_the_template_instruction_left_in_a_real_report() -> None:
    report = parse_files([corpus_path("seeds", "003_c8682c8f72d65ec9.txt")])
    finding = _text(report.findings)["text-template-left"]
    assert finding.severity == "error"
    assert [(w.page, w.line) for w in finding.where] == [(1, 569)]
    assert "请说明" in finding.message


# a report is at least a few hundred characters: the duties every 情况说明 begins with
DUTY = "负责本地区有关工作的组织、协调、监督和检查，承办上级交办的其他事项。"
DUTIES = "主要职责：" + DUTY * 4 + "\n"


def _report(tmp_path: Path, title: str, body: str) -> dict[str, Finding]:
    path = tmp_path / "r.txt"
    path.write_text(
        f"{title}\n\n一、部门收支总表\n单位：万元\n"
        "收入 支出\n项目 预算数 项目 预算数\n一般公共预算拨款收入 10.00 一般公共服务支出 10.00\n"
        "本年收入合计 10.00 本年支出合计 10.00\n\n"
        f"第二部分 情况说明\n{DUTIES}{body}\n",
        encoding="utf-8",
    )
    return _text(parse_files([path]).findings)


def test_an_announced_reason_that_is_not_given(tmp_path: Path) -> None:
    found = _report(
        tmp_path,
        "测试市测试局2026年部门预算",
        "2026年支出预算10.00万元，比上年增加1.00万元，主要原因是。\n"
        "公用经费减少，主要是压减项目经费等原因。\n",  # a reason given: not a defect
    )
    finding = found["text-empty-reason"]
    assert finding.severity == "error" and len(finding.where) == 1
    assert "主要原因是。" in finding.message


def test_a_placeholder_beside_a_name(tmp_path: Path) -> None:
    found = _report(tmp_path, "测试市测试局2026年部门预算", "XX单位2026年收入预算10.00万元。\n")
    assert found["text-template-left"].severity == "error"
    # letters in a code or a name without a placeholder are nothing
    clean = _report(tmp_path, "测试市测试局2026年部门预算", "支出预算10.00万元（XXVI号文）。\n")
    assert "text-template-left" not in clean


def test_a_table_title_of_another_year(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(
        "测试市测试局2026年部门预算\n\n2025年部门收支总表\n单位：万元\n"
        "收入 支出\n项目 预算数 项目 预算数\n一般公共预算拨款收入 10.00 一般公共服务支出 10.00\n"
        f"本年收入合计 10.00 本年支出合计 10.00\n\n第二部分 情况说明\n{DUTIES}",
        encoding="utf-8",
    )
    finding = _text(parse_files([path]).findings)["text-other-year"]
    assert finding.severity == "warning" and "2026" in finding.message
    assert "2025年部门收支总表" in finding.message


def test_a_unit_report_whose_heading_says_department(tmp_path: Path) -> None:
    found = _report(tmp_path, "测试市测试中心2026年单位预算", "测试市测试中心2026年部门预算\n")
    assert found["text-scope-mismatch"].severity == "warning"
    # the classification's name is no self-description
    clean = _report(
        tmp_path,
        "测试市测试中心2026年单位预算",
        "2026年一般公共预算基本支出部门预算经济分类预算表\n",
    )
    assert "text-scope-mismatch" not in clean
    # a 部门 report may say 部门预算 anywhere
    dept = _report(tmp_path, "测试市测试局2026年部门预算", "测试市测试局2026年部门预算\n")
    assert "text-scope-mismatch" not in dept


def test_a_share_printed_without_its_percent_sign(tmp_path: Path) -> None:
    found = _report(
        tmp_path,
        "测试市测试局2026年部门预算",
        "2026年支出预算439.04万元，其中：基本支出223.46万元，占51；项目支出215.58万元，占49%。\n"
        "会议费预算58.46万元，比2025年增加27.84万元，增长90.89；培训费减少2.6万元，下降8.12%。\n",
    )
    finding = found["text-percent-without-sign"]
    assert finding.severity == "warning" and len(finding.where) == 2
    assert "占51;" in finding.message and "增长90.89;" in finding.message  # (NFKC)


@pytest.mark.parametrize(
    "body",
    [
        # the same sentences with their % (and an integer share: "占51%")
        "2026年支出预算439.04万元，其中：基本支出223.46万元，占51%；项目支出215.58万元，占49%。\n",
        # no other % in the sentence: "占51" alone is not reported
        "2026年支出预算439.04万元，其中：基本支出223.46万元，占51。\n",
        # a change word without the change's amount may lack 万元 as well: "增长3.5"
        "会议费预算58.46万元，增长3.5，培训费下降8.12%。\n",
        # a year, a count, a separator: no bare share
        "共涉及资金1139.51万元，占2022年所有项目支出总额的100%，占3个项目，占1,234.5万元的10%。\n",
    ],
)
def test_a_bare_number_that_may_be_something_else_is_no_defect(tmp_path: Path, body: str) -> None:
    assert "text-percent-without-sign" not in _report(tmp_path, "测试市测试局2026年部门预算", body)


@pytest.mark.corpus
def test_a_share_without_percent_in_a_real_report(tmp_path: Path) -> None:
    # seed 004 p.1 with one % taken away: "基本支出223.46万元，占51；项目支出215.58万元，占49%"
    text = corpus_path("seeds", "004_eedbb879cd069ff8.txt").read_text(encoding="utf-8")
    assert text.count("占 51%") == 1
    path = tmp_path / "004.txt"
    path.write_text(text.replace("占 51%", "占 51"), encoding="utf-8")
    finding = _text(parse_files([path]).findings)["text-percent-without-sign"]
    assert [(w.page, w.line) for w in finding.where] == [(1, 1879)]


@pytest.mark.corpus
def test_an_amount_left_out_in_a_real_report() -> None:
    # seed 004 p.1 l.1871: "上级补助收入 0 万元，占 0%；事业收入 0 万元，占 0%；经营收入万元，占 0%"
    report = parse_files([corpus_path("seeds", "004_eedbb879cd069ff8.txt")])
    finding = _text(report.findings)["text-amount-missing"]
    assert finding.severity == "warning" and "经营收入万元" in finding.message
    assert [(w.page, w.line) for w in finding.where] == [(1, 1871)]


def test_an_amount_left_out_before_its_unit(tmp_path: Path) -> None:
    found = _report(
        tmp_path,
        "测试市测试局2026年部门预算",
        "2026年政府性基金支出预算支出万元。与上年相比增加0万元。\n",
    )
    assert found["text-amount-missing"].severity == "warning"
    # a unit named, not an amount: "单位：万元", "以万元为单位"
    clean = _report(
        tmp_path,
        "测试市测试局2026年部门预算",
        "本表金额单位：万元。金额以万元为单位，收入10万元。\n",
    )
    assert "text-amount-missing" not in clean
