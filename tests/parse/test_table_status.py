"""Issue 14: every registry table of every corpus report found, or correctly marked empty or
absent.  The status of each (report, table) against tests/expected/table_status.yaml, typed by
hand from the documents (目录, table pages, "本表为空"/"见附件" notes), never from output.

Where a table is printed, the page printing its title (`pages`) is checked too: the table found
is the right one, not another under a similar title.

An entry the parser does not yet get right is listed under the report's `xfail` with the
reason: it is marked xfail(strict=True), so it stays visible and fails once fixed."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.model import Report
from fiscalpub.registry import tables
from tests.conftest import CORPUS, EXPECTED, corpus_path, parsed_pdf

ORACLE: list[dict[str, Any]] = yaml.safe_load(
    (EXPECTED / "table_status.yaml").read_text(encoding="utf-8")
)["reports"]
STATUSES = {"present", "declared_empty", "referenced_absent", "not_found"}


def _name(entry: dict[str, Any]) -> str:
    return entry["files"][0].rsplit("/", 1)[-1].removesuffix("-text.pdf")


@functools.cache
def _seed(name: str) -> Report:
    return parse_files([corpus_path("seeds", name)])


def _report(files: tuple[str, ...]) -> Report:
    if files[0].startswith("seeds/"):
        return _seed(files[0].removeprefix("seeds/"))
    return parsed_pdf(*(f.removeprefix("pdf/") for f in files))


def _cases(key: str) -> list[Any]:
    cases = []
    for entry in ORACLE:
        xfail = entry.get("xfail") or {}
        for table, status in (entry.get(key) or {}).items():
            marks = [pytest.mark.xfail(strict=True, reason=xfail[table])] if table in xfail else []
            cases.append(
                pytest.param(
                    tuple(entry["files"]), table, status, marks=marks, id=f"{_name(entry)}-{table}"
                )
            )
    return cases


@pytest.mark.corpus
@pytest.mark.parametrize(("files", "table", "status"), _cases("tables"))
def test_table_status(files: tuple[str, ...], table: str, status: str) -> None:
    got = {t.table: t.status for t in _report(files).tables}
    assert got[table] == status


@pytest.mark.corpus
@pytest.mark.parametrize(("files", "table", "page"), _cases("pages"))
def test_table_page(files: tuple[str, ...], table: str, page: int) -> None:
    # a pair's tables are in its second file (`-tables.pdf`)
    info = {t.table: t for t in _report(files).tables}[table]
    assert (info.source, info.page) == (len(files) - 1, page)


def test_the_oracle_lists_every_report_and_every_table() -> None:
    registry = list(tables())
    listed = [f for e in ORACLE for f in e["files"]]
    assert len(listed) == len(set(listed))
    for entry in ORACLE:
        assert list(entry["tables"]) == registry, entry["files"]
        assert set(entry["tables"].values()) <= STATUSES, entry["files"]
        assert set(entry.get("xfail") or {}) <= set(entry["tables"]), entry["files"]
        printed = {t for t, s in entry["tables"].items() if s in {"present", "declared_empty"}}
        if entry["files"][0].endswith(".pdf"):
            assert set(entry.get("pages") or {}) == printed, entry["files"]
    if CORPUS.exists():
        corpus = {f"seeds/{p.name}" for p in (CORPUS / "seeds").glob("*.txt")}
        corpus |= {str(p.relative_to(CORPUS)) for p in (CORPUS / "pdf").rglob("*.pdf")}
        assert set(listed) == corpus
