"""The narrative's 类/款/项 names against the names the same code has in the report (its
tables, else its year's vocabulary edition): an outdated name is a `name-outdated`
warning; the code is still resolved."""

from __future__ import annotations

import pytest

from fiscalpub.model import Finding
from tests.conftest import parsed_pdf


def _outdated(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code == "name-outdated"]


@pytest.mark.corpus
def test_an_outdated_kuan_name_in_a_real_final_account() -> None:
    # 国家信访局 2024 决算 p.23: "社会保障和就业（类）行政事业单位离退休（款）机关事业单位基本
    # 养老保险缴费支出（项）" — 20805 has been 行政事业单位养老支出 since 2021, as its tables print
    report = parsed_pdf("cities/national-01-final.pdf")
    found = _outdated(report.findings)
    assert {(f.where[0].page, f.where[0].line) for f in found} == {(23, 455), (23, 460)}
    for f in found:
        assert f.severity == "warning"
        assert "行政事业单位离退休 for 20805" in f.message and "行政事业单位养老支出" in f.message
    resolved = {x.code for x in report.facts if x.path and x.page == 23 and x.line in (455, 460)}
    assert resolved == {"2080505", "2080506"}  # the lines still get their codes


@pytest.mark.corpus
def test_current_names_raise_nothing() -> None:
    # Putuo 2024 决算 names its lines as its tables print them
    assert _outdated(parsed_pdf("shanghai-putuo-czj-2024-final.pdf").findings) == []
