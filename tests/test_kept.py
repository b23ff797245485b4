"""A file is parsed once per `fiscalpub run`: the reports parsed to group the files
(fiscalpub.grouping's probes) are kept in the run's private folder and packaged from
there (fiscalpub.parse.kept), with the same result as parsing again."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from fiscalpub import pipeline
from fiscalpub.parse import kept
from fiscalpub.pipeline import find_reports, run_folder
from tests.conftest import EXAMPLES, corpus_path

REPORTS = ("000_bd253d31d99d6327.txt", "003_c8682c8f72d65ec9.txt")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in REPORTS:
        shutil.copy(EXAMPLES / name, inputs / name)
    return inputs


def _files(out: Path) -> dict[str, str]:
    skip = {".fiscalpub-run.json", ".fiscalpub-probes.json", ".fiscalpub-run.lock"}
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def _run(groups: list[list[Path]], out: Path, parsed: Path | None) -> None:
    results = run_folder(groups, out, base_iri=None, config_digest="test", parsed=parsed)
    assert [r.status for r in results] == ["built"] * len(REPORTS)


def test_each_file_is_parsed_once_and_the_packages_are_the_same(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = tmp_path / "parsed-twice"
    groups, _ = find_reports([folder], again)
    _run(groups, again, parsed=None)

    keep = tmp_path / "keep"
    keep.mkdir()
    once = tmp_path / "parsed-once"
    assert find_reports([folder], once, keep=keep)[0] == groups
    assert len(list(keep.glob("*.report.pickle"))) == len(REPORTS)  # one per file

    def parse_again(group: list[Path]) -> object:
        raise AssertionError(f"{group} parsed a second time")

    monkeypatch.setattr(pipeline, "read_report", parse_again)
    _run(groups, once, parsed=keep)
    assert list(keep.glob("*.report.pickle")) == []  # each kept report used once
    assert _files(once) == _files(again)  # byte for byte what parsing again makes


def test_a_file_changed_after_it_was_parsed_is_parsed_again(folder: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    find_reports([folder], tmp_path / "out", keep=keep)
    path = folder / REPORTS[0]
    assert kept.take(keep, folder / REPORTS[1]) is not None
    path.write_bytes(path.read_bytes() + "\n说明。\n".encode())
    assert kept.take(keep, path) is None  # its bytes are not the ones parsed


def test_nothing_is_kept_without_a_folder_and_missing_is_none(tmp_path: Path) -> None:
    assert kept.take(tmp_path, tmp_path / "never-probed.pdf") is None


@pytest.mark.corpus
def test_a_report_of_two_files_is_parsed_from_the_documents_read_to_group_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for half in ("text", "tables"):
        name = f"jiangsu-swbgt-2019-budget-{half}.pdf"
        shutil.copy(corpus_path("pdf", name), inputs / name)
    again = tmp_path / "read-twice"
    groups, _ = find_reports([inputs], again)
    assert [len(g) for g in groups] == [2]
    run_folder(groups, again, base_iri=None, config_digest="test")

    keep = tmp_path / "keep"
    keep.mkdir()
    once = tmp_path / "read-once"
    find_reports([inputs], once, keep=keep)
    assert len(list(keep.glob("*.document.pickle"))) == 2  # a tables file, a narrative file

    def read_again(path: str, source: int = 0) -> object:
        raise AssertionError(f"{path} read a second time")

    monkeypatch.setattr(pipeline, "read_document", read_again)
    monkeypatch.setattr(pipeline, "read_report", read_again)
    [result] = run_folder(groups, once, base_iri=None, config_digest="test", parsed=keep)
    assert result.status == "built", result.error
    assert list(keep.glob("*.document.pickle")) == []
    assert _files(once) == _files(again)
