"""The department's name where the report names itself beyond its cover (issue 16, family 7):
a table header or a narrative clause naming another body is an error with every place
(identity-other-body); a former name an info (identity-former-name); a short form, a cut
cell, a unit of the report or a body named by design (单位名称, 主管部门) nothing.

The corpus prints no such name (test_identity checks every report has no identity-*
finding but its listed one); the real cases here are corpus reports with one header or
one sentence changed to another body's name, as a table or text copied from another
department's report would print it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fiscalpub.model import Finding
from fiscalpub.parse.identity import identify
from fiscalpub.parse.report import build_report
from fiscalpub.read import read_document
from fiscalpub.read.document import Document, Line, Page
from tests.conftest import corpus_path

NAMING = ("identity-other-body", "identity-former-name")


def _doc(*lines: str, source: int = 0) -> Document:
    page = Page(1, [Line(text, i + 1, 1, source) for i, text in enumerate(lines)])
    return Document(path="a.txt", sha256="0" * 64, pages=[page], source=source)


def _namings(*docs: Document) -> list[Finding]:
    text = "\n".join(line.text for d in docs for line in d.lines())
    _, findings = identify(list(docs), text)
    return [f for f in findings if f.code in NAMING]


def _changed(doc: Document, changes: dict[int, tuple[str, str]]) -> Document:
    """The document with line `number`'s text changed (old → new): its words are left
    as printed (identity reads the lines' text)."""
    pages = []
    for page in doc.pages:
        lines = [
            replace(ln, text=ln.text.replace(*changes[ln.number])) if ln.number in changes else ln
            for ln in page.lines
        ]
        pages.append(replace(page, lines=lines))
    return replace(doc, pages=pages)


_COVER = ("无锡市商务局", "2026年度部门预算", "目录", "第一部分 部门概况")
# another body's sentence: a control that each "nothing" case still finds
_CONTROL = "2026年北京市公安局机关运行经费预算支出10万元"


def _only_the_control(*lines: str) -> bool:
    """The document of these lines and the control: the control's is the one finding."""
    doc = _doc(*lines, _CONTROL)
    found = [(f.code, [w.line for w in f.where[1:]]) for f in _namings(doc)]
    return found == [("identity-other-body", [len(lines) + 1])]


# ------------------------------------------------------------------ real reports, one place changed


@pytest.fixture(scope="module")
def wuxi() -> Document:
    return read_document(str(corpus_path("pdf", "cities", "wuxi-02-budget.pdf")))


@pytest.mark.corpus
def test_a_table_copied_from_another_department(wuxi: Document) -> None:
    # wuxi-02 p.24 (公开12表 一般公共预算机关运行经费支出预算表) prints "部门：无锡市商务局" on
    # l.455 like its other 12 tables; changed to another body's name on that one table
    doc = _changed(wuxi, {455: ("无锡市商务局", "无锡市交通运输局")})
    report = build_report([doc])
    (f,) = [f for f in report.findings if f.code in NAMING]
    assert f.code == "identity-other-body" and f.severity == "error"
    assert "无锡市交通运输局" in f.message and "无锡市商务局" in f.message
    # where the department is named, and the copied header with its table
    assert [(w.page, w.line) for w in f.where][1:] == [(24, 455)]
    assert f.where[1].table == "office_operating"
    assert report.report.department == "无锡市商务局"


@pytest.mark.corpus
def test_a_narrative_naming_another_department(wuxi: Document) -> None:
    # p.29 l.575 "无锡市商务局 2026 年收入预算合计 17,466.65 万元": the text of another report
    doc = _changed(wuxi, {575: ("无锡市商务局", "无锡市发展和改革委员会")})
    (f,) = _namings(doc)
    assert f.code == "identity-other-body"
    assert [(w.page, w.line) for w in f.where][1:] == [(29, 575)]


@pytest.mark.corpus
def test_every_place_of_the_other_name(wuxi: Document) -> None:
    # one table header (p.24) and one narrative sentence (p.30 l.595 "无锡市商务局 2026 年支出
    # 预算合计…"); two or more headers naming another body are an identity-conflict already
    other = ("无锡市商务局", "无锡市交通运输局")
    doc = _changed(wuxi, {455: other, 595: other})
    (f,) = _namings(doc)
    assert sorted((w.page, w.line) for w in f.where[1:]) == [(24, 455), (30, 595)]


@pytest.mark.corpus
def test_a_header_cell_cut_short_is_the_same_name() -> None:
    # jiangsu-swbgt-2017 tables: one header prints "中国共产党江苏省委员会办" (公厅 cut off)
    docs = [
        read_document(str(corpus_path("pdf", f"jiangsu-swbgt-2017-budget-{part}.pdf")), source=i)
        for i, part in enumerate(("text", "tables"))
    ]
    assert _namings(*docs) == []


# ------------------------------------------------------------------ constructed


def test_a_former_name_is_an_info() -> None:
    (f,) = _namings(
        _doc(
            "安阳市卫生健康委员会",
            "2022年度部门决算",
            "目录",
            "安阳市卫生和计划生育委员会2022年部门决算",
        )
    )
    assert (f.code, f.severity) == ("identity-former-name", "info")


def test_a_short_form_is_nothing() -> None:
    assert _only_the_control(
        "中共江苏省委办公厅", "2018年部门预算", "目录", "收支预算总表", "部门：江苏省委办公厅"
    )


def test_names_another_body_by_design() -> None:
    # a 部门预算's table per unit (单位名称), a 单位预算's 部门 and 主管部门
    assert _only_the_control(*_COVER, "单位名称：无锡市投资促进中心")
    unit = ("上海市福利彩票发行中心", "2026年单位预算", "目录")
    assert _namings(_doc(*unit, "部门：上海市民政局", "主管部门：上海市民政局")) == []
    # (a 单位预算's narrative names its 主管部门 in the same clauses: only its headers speak)
    found = _namings(_doc(*unit, "部门：上海市民政局", "单位：上海市体育彩票管理中心"))
    assert [f.code for f in found] == ["identity-other-body"]


def test_a_unit_of_the_department_is_nothing() -> None:
    assert _only_the_control(
        "上海市文化和旅游局", "2026年部门预算", "目录", "上海市文化和旅游局执法总队2026年部门预算"
    )


def test_a_clause_naming_someone_else_is_nothing() -> None:
    assert _only_the_control(
        *_COVER, "根据无锡市财政局2026年部门预算编制要求，", "其中：无锡市财政局2026年收入预算"
    )
    # a unit's sentence in a 部门预算's narrative: a 中心 is no department
    assert _only_the_control(*_COVER, "无锡市投资促进中心2026年收入预算合计10万元")


def test_a_place_inside_a_name_is_no_name() -> None:
    # "苏省高级人民法院" is a name by its form, but not the printed run "第X部分 江苏省…"
    assert _only_the_control(
        "江苏省高级人民法院", "2017年部门预算", "目录", "第二部分江苏省高级人民法院2017年部门预算表"
    )


def test_another_body_in_a_header_and_the_narrative() -> None:
    doc = _doc(
        *_COVER,
        "部门：无锡市商务局 单位：万元",
        "部门：无锡市商务局 单位：万元",
        "部门：无锡市文化广电旅游局 单位：万元",
        "2026年无锡市文化广电旅游局机关运行经费预算支出10万元",
    )
    (f,) = _namings(doc)
    assert f.code == "identity-other-body"
    assert [w.line for w in f.where] == [2, 7, 8]  # the cover's title line first


def test_the_duties_heading_names_the_body() -> None:
    # 部门概况: "上海市普陀区人民政府办公室主要职能" (putuo-qfb p.3), here another body's
    doc = _doc("上海市普陀区财政局", "2024年度部门决算", "目录", "一、上海市普陀区民政局主要职能")
    (f,) = _namings(doc)
    assert f.code == "identity-other-body" and "上海市普陀区民政局" in f.message


@pytest.mark.corpus
def test_an_article_number_before_the_name() -> None:
    # putuo-czj-2024 p.4 l.34 "第三条 上海市普陀区财政局的主要职责是：" (its 三定 articles)
    doc = read_document(str(corpus_path("pdf", "shanghai-putuo-czj-2024-final.pdf")))
    assert _namings(doc) == []
    other = _changed(doc, {34: ("财政局", "民政局")})
    (f,) = _namings(other)
    assert "'上海市普陀区民政局'" in f.message


@pytest.mark.corpus
def test_a_department_heading_its_tables_by_unit_name() -> None:
    # guangzhou-02 (部门预算) heads every table "单位名称：广州市气象局": the department itself
    # under the 单位 label, so a copied table's other name is found there too (p.8 l.133)
    doc = read_document(str(corpus_path("pdf", "cities", "guangzhou-02-budget.pdf")))
    assert _namings(doc) == []
    (f,) = _namings(_changed(doc, {133: ("广州市气象局", "广州市水务局")}))
    assert [(w.page, w.line) for w in f.where[1:]] == [(8, 133)]


def test_a_department_listing_its_units_by_unit_name() -> None:
    # tables per unit (单位名称：each unit) in a 部门预算: no table names the department there
    units = [f"单位名称：无锡市{x}中心" for x in ("投资促进", "商务服务", "电子商务")]
    assert _only_the_control(*_COVER, *units, "单位名称：无锡市会展办公室")


@pytest.mark.corpus
def test_yantai_heads_its_tables_by_department_and_unit() -> None:
    # yantai-01 prints "部门（单位）：烟台市信访局" over each table (p.9 l.140 公开表…)
    doc = read_document(str(corpus_path("pdf", "cities", "yantai-01-budget.pdf")))
    assert _namings(doc) == []
    (f,) = _namings(_changed(doc, {140: ("烟台市信访局", "烟台市民政局")}))
    assert [(w.page, w.line) for w in f.where[1:]] == [(9, 140)]
