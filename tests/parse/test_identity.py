"""Report identity (department, year, kind, scope) from the document's own structure:
every corpus report and examples/ file against a hand-typed oracle
(tests/expected/identity.yaml), and the cases that must be error findings."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.errors import NoIdentity
from fiscalpub.model import Finding, Report, ReportMeta
from fiscalpub.package.build import build_package
from fiscalpub.package.slug import organisation_slug, package_slug
from fiscalpub.parse.identity import clean_name, identify, region, same_body
from fiscalpub.read import read_document
from fiscalpub.read.document import Document, Line, Page
from tests.conftest import EXAMPLES, EXPECTED, corpus_path

ORACLE: list[dict[str, Any]] = yaml.safe_load(
    (EXPECTED / "identity.yaml").read_text(encoding="utf-8")
)["reports"]
DATA = resources.files("fiscalpub") / "data"


def _path(rel: str) -> Path:
    if rel.startswith("examples/"):
        return EXAMPLES / rel.removeprefix("examples/")
    return corpus_path(*rel.split("/"))


def _identify(docs: list[Document]) -> tuple[ReportMeta, list[Finding]]:
    # exactly what build_report hands to identify
    return identify(docs, "\n".join(line.text for d in docs for line in d.lines()))


def _errors(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.code.startswith("identity-")]


@pytest.mark.corpus
@pytest.mark.parametrize("entry", ORACLE, ids=lambda e: e["files"][0].rsplit("/", 1)[-1])
def test_identity_of_every_report(entry: dict[str, Any]) -> None:
    docs = [read_document(str(_path(f)), source=i) for i, f in enumerate(entry["files"])]
    meta, findings = _identify(docs)
    got = (meta.department, meta.year, meta.kind, meta.scope)
    assert got == (entry["department"], entry["year"], entry["kind"], entry["scope"])
    assert _errors(findings) == ([entry["finding"]] if entry.get("finding") else [])


def test_the_oracle_covers_every_corpus_report_and_example() -> None:
    listed = {f for e in ORACLE for f in e["files"]}
    examples = {f"examples/{p.name}" for p in EXAMPLES.glob("*.txt")}
    assert examples <= listed
    corpus = corpus_path("pdf").parent
    if corpus.exists():
        files = {
            str(p.relative_to(corpus))
            for p in corpus.rglob("*")
            if p.suffix in (".pdf", ".txt") and p.parent.name != "tools"
        }
        assert files == listed - examples


@pytest.mark.corpus
def test_parse_gives_the_identity_and_the_package_name_follows() -> None:
    # fuzhou-02 is 福州市科学技术局(本级)'s 单位预算: its table headers also print the 主管部门
    report = parse_files([corpus_path("pdf", "cities", "fuzhou-02-unit-budget.pdf")])
    meta = report.report
    assert (meta.department, meta.year, meta.kind, meta.scope) == (
        "福州市科学技术局",
        2026,
        "budget",
        "unit",
    )
    assert meta.region.name == "福州市"
    slug = package_slug(meta)
    assert slug.startswith("fuzhoushi-kexuejishuju-2026-budget-unit-"), slug
    assert organisation_slug(meta).startswith("kexuejishuju-")


@pytest.mark.corpus
def test_a_template_is_an_error_finding_and_gets_no_package() -> None:
    report = parse_files([corpus_path("pdf", "template-2024-final.pdf")])
    assert report.report.department is None
    (finding,) = [f for f in report.findings if f.code == "identity-placeholder"]
    assert finding.severity == "error" and "上海市XX局" in finding.message
    assert finding.where[0].page == 1
    with pytest.raises(NoIdentity, match="identity-placeholder"):
        build_package(report)


@pytest.mark.corpus
def test_the_two_files_of_a_report_agree() -> None:
    # the 情况说明 abbreviates (江苏省委办公厅), the tables print the full name
    report = parse_files(
        [
            corpus_path("pdf", "jiangsu-swbgt-2017-budget-text.pdf"),
            corpus_path("pdf", "jiangsu-swbgt-2017-budget-tables.pdf"),
        ]
    )
    assert report.report.department == "中国共产党江苏省委员会办公厅"
    assert _errors(report.findings) == []


# ------------------------------------------------------------------ the finding cases


def _doc(*lines: str, source: int = 0, name: str = "a.txt") -> Document:
    page = Page(1, [Line(text, i + 1, 1, source) for i, text in enumerate(lines)])
    return Document(path=name, sha256="0" * 64, pages=[page], source=source)


_BODY = ("目录", "第一部分 部门概况", "一、主要职能")


def test_placeholder_identity_is_an_error_not_a_department() -> None:
    meta, findings = _identify([_doc("上海市 XX 局", "2024 年度部门决算", *_BODY)])
    assert meta.department is None
    assert (meta.year, meta.kind, meta.scope) == (2024, "final", "department")
    assert _errors(findings) == ["identity-placeholder"]
    assert [f.severity for f in findings] == ["error"]


def test_missing_identity_is_an_error_never_a_silent_none() -> None:
    meta, findings = _identify([_doc("部门预算", *_BODY, "收入支出预算总表")])
    assert meta.department is None and meta.year is None
    (missing,) = [f for f in findings if f.code == "identity-missing"]
    assert missing.severity == "error"
    assert "department" in missing.message and "year" in missing.message


def test_two_files_naming_two_departments_disagree() -> None:
    text = _doc("江苏省人民检察院", "2017年部门预算", *_BODY)
    tables = _doc("收支预算总表", "部门：江苏省高级人民法院 单位：万元", source=1)
    meta, findings = _identify([text, tables])
    assert meta.department == "江苏省人民检察院"  # the cover's, kept
    (finding,) = [f for f in findings if f.code == "identity-files-disagree"]
    assert finding.severity == "error"
    assert {w.source for w in finding.where} == {0, 1}


def test_two_files_of_different_years_disagree() -> None:
    text = _doc("江苏省人民检察院", "2017年部门预算", *_BODY)
    tables = _doc("江苏省人民检察院2018年度部门预算公开报表", "部门：江苏省人民检察院", source=1)
    meta, findings = _identify([text, tables])
    assert meta.year == 2017
    assert _errors(findings) == ["identity-files-disagree"]


def test_an_abbreviated_cover_agrees_with_the_full_name_of_the_tables() -> None:
    text = _doc("江苏省委办公厅2018年度部门预算公开", *_BODY)
    tables = _doc("收支预算总表", "部 门:中共江苏省委办公厅", source=1)
    meta, findings = _identify([text, tables])
    assert meta.department == "中共江苏省委办公厅"
    assert _errors(findings) == []


def test_cover_and_headers_naming_two_bodies_conflict() -> None:
    headers = ["收支预算总表", "部门：江苏省高级人民法院 单位：万元"] * 2
    meta, findings = _identify([_doc("江苏省人民检察院", "2017年部门预算", *_BODY, *headers)])
    assert meta.department == "江苏省人民检察院"
    assert _errors(findings) == ["identity-conflict"]


@pytest.mark.parametrize(
    "cover",
    [
        ("不断开创全省法院工作的新局", "江苏省高级人民法院", "2018年度部门预算"),
        ("2018年度江苏省高级人民法院部门预算公开", "不断开创全省法院工作的新局"),
        ("江苏省高级人民法院", "2018年度部门预算", "不断开创全省法院工作的新局"),
    ],
)
def test_a_slogan_on_the_cover_is_never_the_department(cover: tuple[str, ...]) -> None:
    meta, findings = _identify([_doc(*cover, *_BODY)])
    assert meta.department == "江苏省高级人民法院"
    assert _errors(findings) == []


def test_a_slogan_alone_is_no_name_and_the_headers_name_the_department() -> None:
    lines = ("不断开创全省法院工作的新局", "2018年度部门预算", *_BODY, "部门：江苏省高级人民法院")
    meta, _ = _identify([_doc(*lines, "部门：江苏省高级人民法院")])
    assert meta.department == "江苏省高级人民法院"


def test_the_year_may_follow_the_title_words() -> None:
    meta, findings = _identify([_doc("杭州市财政局部门预算", "（2026年）", *_BODY)])
    assert (meta.department, meta.year, meta.kind, meta.scope) == (
        "杭州市财政局",
        2026,
        "budget",
        "department",
    )
    assert _errors(findings) == []


def test_a_year_in_chinese_numerals() -> None:
    meta, _ = _identify([_doc("泉州市财政局", "二〇二六年部门预算", "二〇二六年一月", *_BODY)])
    assert (meta.department, meta.year, meta.kind) == ("泉州市财政局", 2026, "budget")


def test_a_title_without_部门_or_单位_names_no_scope() -> None:
    meta, findings = _identify([_doc("2026年湖州市财政局预算公开", *_BODY)])
    assert (meta.department, meta.year, meta.kind, meta.scope) == (
        "湖州市财政局",
        2026,
        "budget",
        None,
    )
    # a budget whose cover does not say 部门 or 单位: the scope is missing, and said so
    (missing,) = [f for f in findings if f.code == "identity-missing"]
    assert "scope" in missing.message and "department" not in missing.message


def test_a_date_on_the_cover_is_not_the_year() -> None:
    meta, _ = _identify(
        [_doc("上海市2026年市级单位预算", "预算单位：上海市福利彩票发行中心", "2025年12月", *_BODY)]
    )
    assert meta.year == 2026


def test_a_department_budget_prints_its_units_tables_without_a_conflict() -> None:
    units = ["单位名称：长沙市公安局交通警察支队", "单位名称：长沙市公安局交通警察支队"]
    lines = ("长沙市公安局", "2025年部门预算公开", *_BODY, "单位名称：长沙市公安局", *units)
    meta, findings = _identify([_doc(*lines)])
    assert meta.department == "长沙市公安局"
    assert _errors(findings) == []


def test_one_header_line_is_enough_without_a_cover() -> None:
    meta, findings = _identify([_doc(*_BODY, "收支预算总表", "部门：江苏省人民检察院 单位：万元")])
    assert meta.department == "江苏省人民检察院"
    assert "identity-conflict" not in _errors(findings)


def test_part_titles_of_another_year_contradict_the_cover() -> None:
    parts = ("第一部分 部门概况", "第二部分 2025年部门预算表", "第三部分 2025年部门预算情况说明")
    meta, findings = _identify([_doc("长沙市公安局", "2026年部门预算公开", "目录", *parts)])
    assert meta.year == 2026  # the cover's, kept
    (finding,) = [f for f in findings if f.code == "identity-conflict"]
    assert finding.severity == "error" and "2025" in finding.message


def test_part_titles_of_the_cover_year_agree() -> None:
    parts = ("第一部分 部门概况", "第二部分 2025年部门预算表", "第三部分 2025年部门预算情况说明")
    _, findings = _identify([_doc("长沙市公安局", "2025年部门预算公开", "目录", *parts)])
    assert _errors(findings) == []


def test_the_full_name_is_kept() -> None:
    # was cut at 区委: package names and organisations inherited the error
    cover = ("上海市普陀区2025年区级部门预算", "预算主管部门：中共上海市普陀区委社会工作部")
    meta, _ = _identify([_doc(*cover, *_BODY, "编制部门：中共上海市普陀区委社会工作部")])
    assert meta.department == "中共上海市普陀区委社会工作部"
    assert package_slug(meta) != package_slug(
        ReportMeta("中共上海市普陀区委", 2025, "budget", scope="department")
    )


def test_a_unit_budget_names_the_unit_not_its_department() -> None:
    cover = ("上海市2026年市级单位预算", "预算单位：上海市文化和旅游局执法总队")
    headers = ["主管部门：上海市文化和旅游局", "编制单位：上海市文化和旅游局执法总队"] * 2
    meta, findings = _identify([_doc(*cover, *_BODY, *headers)])
    assert (meta.department, meta.scope) == ("上海市文化和旅游局执法总队", "unit")
    assert _errors(findings) == []


def test_a_unit_budget_whose_headers_name_its_department_is_no_conflict() -> None:
    cover = ("2026年度", "福州市科学技术局(本级)", "单位预算")
    headers = ["部门：福州市科学技术局", "单位：福州市科学技术局"] * 2
    meta, findings = _identify([_doc(*cover, *_BODY, *headers)])
    assert (meta.department, meta.scope) == ("福州市科学技术局", "unit")
    headers = ["部门：福州市人民政府", "部门：福州市人民政府"]
    meta, findings = _identify([_doc(*cover, *_BODY, *headers)])
    assert meta.department == "福州市科学技术局"
    assert _errors(findings) == []


def test_without_a_cover_name_a_unit_budget_takes_the_unit_header() -> None:
    cover = ("上海市2026年市级单位预算",)
    headers = ["部门：上海市文化和旅游局", "编制单位：上海市文化和旅游局执法总队"] * 3
    meta, findings = _identify([_doc(*cover, *_BODY, *headers)])
    assert (meta.department, meta.scope) == ("上海市文化和旅游局执法总队", "unit")
    assert _errors(findings) == []


def test_a_department_and_its_unit_budget_are_told_apart() -> None:
    dept, _ = _identify([_doc("2026年度", "福州市科学技术局", "部门预算", *_BODY)])
    unit, _ = _identify([_doc("2026年度", "福州市科学技术局(本级)", "单位预算", *_BODY)])
    assert dept.department == unit.department == "福州市科学技术局"
    assert (dept.scope, unit.scope) == ("department", "unit")
    assert package_slug(dept) != package_slug(unit)


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("深圳市公安局（本级）", "深圳市公安局"),
        ("西安市信访局(汇总)", "西安市信访局"),
        ("国家信访局", "国家信访局"),
        ("上海市普陀区桃浦镇", "上海市普陀区桃浦镇"),
        ("新疆生产建设兵团第一师财政局", "新疆生产建设兵团第一师财政局"),
        ("中共北京市委军民融合发展委员会办公室", "中共北京市委军民融合发展委员会办公室"),
        ("不断开创全省法院工作的新局", None),  # a slogan
        ("江苏省人大", None),  # a header cell cut short: no organisation word at its end
        ("上海市普陀区", None),  # a place
        ("区级", None),
        ("办公室", None),  # no place, no prefix
        ("单位：万元", None),
    ],
)
def test_what_is_a_name(printed: str, name: str | None) -> None:
    assert clean_name(printed) == name


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("江苏省委办公厅", "中共江苏省委办公厅", True),
        ("中国共产党江苏省委员会办公厅", "中共江苏省委办公厅", True),
        ("普陀区财政局", "上海市普陀区财政局", True),
        ("上海市文化和旅游局", "上海市文化和旅游局执法总队", False),
        ("中共上海市普陀区委", "中共上海市普陀区委社会工作部", False),
        ("江苏省人民检察院", "江苏省高级人民法院", False),
    ],
)
def test_same_body(a: str, b: str, same: bool) -> None:
    assert same_body(a, b) is same


def test_region_of_a_party_department() -> None:
    # the place follows the party prefix (it was "中共上海市普陀区")
    assert region("中共上海市普陀区委社会工作部").name == "上海市普陀区"
    assert region("中国共产党江苏省委员会办公厅").name == "江苏省"
    assert region("上海市普陀区人民政府办公室").name == "上海市普陀区"


# ------------------------------------------------------------------ the data


def _template() -> dict[str, object]:
    return yaml.safe_load((DATA / "template.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_template_yaml_follows_its_schema() -> None:
    schema = json.loads((DATA / "template.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_template(), schema)


@pytest.mark.parametrize(
    "broken",
    [
        {"labels": {"部门": "boss"}},  # not a role
        {"suffixes": []},  # no organisation word
        {"name_chars": [3]},
        {"extra": 1},
    ],
)
def test_the_schema_refuses_a_broken_template(broken: dict[str, object]) -> None:
    schema = json.loads((DATA / "template.schema.json").read_text(encoding="utf-8"))
    data: dict[str, Any] = _template()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"identity": {**data["identity"], **broken}}, schema)


def test_the_report_schema_takes_the_identity_findings() -> None:
    meta, findings = _identify([_doc("上海市XX局", "2024年度部门决算", *_BODY)])
    report = Report(report=meta, tables=[], line_items=[], facts=[], findings=findings)
    schema = json.loads((DATA / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report.to_dict(), schema)


@pytest.mark.corpus
def test_one_department_under_its_full_and_short_name_is_one_organisation() -> None:
    # 2017 prints 中国共产党江苏省委员会办公厅, 2018 中共江苏省委办公厅: one CKAN organisation, one
    # organisation IRI, two package names (the years differ); the names stay as printed
    from fiscalpub.vocab import departments

    def files(year: int) -> list[Path]:
        stem = f"jiangsu-swbgt-{year}-budget"
        return [corpus_path("pdf", f"{stem}-{part}.pdf") for part in ("text", "tables")]

    metas = [parse_files(files(year)).report for year in (2017, 2018)]
    assert [m.department for m in metas] == ["中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"]
    assert organisation_slug(metas[0]) == organisation_slug(metas[1])
    assert departments.org_iri(metas[0].department or "") == departments.org_iri(
        metas[1].department or ""
    )
    assert package_slug(metas[0]) != package_slug(metas[1])
    # another body keeps its own organisation
    other = ReportMeta("江苏省政协办公厅", 2018, "budget", metas[1].region)
    assert organisation_slug(other) != organisation_slug(metas[1])

    dept = departments.Department(metas[0].department or "", "江苏省")
    dept.add_name(metas[0].department or "", 2017)
    dept.add_name(metas[1].department or "", 2018)
    assert dept.name == "中共江苏省委办公厅"  # the latest printing labels it
    triples, _ = departments.triples([dept])
    labels = {(str(p).rsplit("#", 1)[1], str(o)) for s, p, o in triples if "skos" in str(p)}
    assert ("prefLabel", "中共江苏省委办公厅") in labels
    assert ("altLabel", "中国共产党江苏省委员会办公厅") in labels
