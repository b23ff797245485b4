"""A 绩效 section without numbers does not swallow the sections after it."""

from __future__ import annotations

from pathlib import Path

from fiscalpub.parse.narrative import _performance_last, extract_facts
from fiscalpub.read.text import read_text

NARRATIVE = """第三部分 2022年度部门决算情况说明
一、收入支出决算总体情况说明
2022年度收、支总计均为439.04万元。
十、预算绩效管理情况说明
本部门按要求开展了预算绩效自评工作。
十一、机关运行经费支出情况说明
本部门2022年度机关运行经费支出12.01万元。
第四部分 名词解释
"""


def test_a_section_after_an_empty_performance_section_keeps_its_facts(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(NARRATIVE, encoding="utf-8")
    facts = extract_facts(read_text(path), 2022, "final")
    found = {f.indicator: f.printed for f in facts}
    assert found.get("office_operating_expenditure") == "12.01"
    assert found.get("total_income") == "439.04"


def test_performance_heading_must_be_the_last_heading() -> None:
    assert _performance_last("。十、预算绩效管理情况本部门")
    assert _performance_last("。（三）项目绩效自评结果")
    assert not _performance_last("。十、预算绩效管理情况。十一、机关运行经费支出情况本部门")
    assert not _performance_last("。十一、机关运行经费")
