"""report.scope (contract 1.1): 部门 or 单位 预算/决算 as the document's title says, never
guessed; a 单位预算 gets its own package name."""

from __future__ import annotations

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import ReportMeta
from fiscalpub.package.slug import package_slug
from fiscalpub.parse.identity import report_scope
from fiscalpub.read import read_document
from tests.conftest import EXAMPLES, corpus_path

# typed from the documents' covers (the file names are ours; the titles are authoritative)
TITLES = {
    ("pdf", "shanghai-putuo-qfb-2025-budget.pdf"): "department",  # 区级部门预算
    ("pdf", "shanghai-putuo-qfb-2025-unit-budget.pdf"): "unit",  # 区级单位预算
    ("pdf", "shanghai-putuo-czj-2024-final.pdf"): "department",  # 2024年度部门决算
    ("pdf", "cities", "fuzhou-02-unit-budget.pdf"): "unit",  # 福州市科学技术局(本级) 单位预算
    ("pdf", "cities", "wuxi-01-unit-budget.pdf"): "unit",  # 单位预算公开
    ("pdf", "cities", "shanghai-01-unit-budget.pdf"): "unit",  # 上海市2026年市级单位预算
    ("pdf", "cities", "shenzhen-01-budget.pdf"): "department",  # 部门预|算 over two lines
    ("pdf", "cities", "xian-02-budget.pdf"): "department",  # 部门综合预算
    ("pdf", "cities", "national-01-final.pdf"): "department",  # 2024年度部门决算
    ("pdf", "cities", "beijing-jmrh-2026-budget-tables.pdf"): None,  # tables only: no title
    ("pdf", "jiangsu-zxbgt-2018-budget-tables.pdf"): None,
}


@pytest.mark.corpus
@pytest.mark.parametrize("parts", sorted(TITLES), ids=lambda p: p[-1])
def test_scope_from_the_title(parts: tuple[str, ...]) -> None:
    path = corpus_path(*parts)
    assert report_scope([read_document(str(path))]) == TITLES[parts]


@pytest.mark.corpus
def test_a_two_file_report_takes_the_scope_of_the_file_with_a_title() -> None:
    report = parse_files(
        [
            corpus_path("pdf", "cities", "beijing-jmrh-2026-budget-tables.pdf"),
            corpus_path("pdf", "cities", "beijing-jmrh-2026-budget-text.pdf"),
        ]
    )
    assert report.report.scope == "department"


def test_a_text_without_a_title_has_no_scope() -> None:
    # seed 003 starts with 第一部分 … 单位概况: its title is not printed
    report = parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"])
    assert report.report.scope is None
    assert report.to_dict()["report"]["scope"] is None


def test_the_unit_report_has_its_own_package_name() -> None:
    meta = dict(department="上海市普陀区人民政府办公室", year=2025, kind="budget")
    dept = package_slug(ReportMeta(**meta, scope="department"))
    unit = package_slug(ReportMeta(**meta, scope="unit"))
    assert dept == package_slug(ReportMeta(**meta))  # published names stay as they were
    assert unit != dept and "-2025-budget-unit-" in unit
