"""A file is parsed once per `fiscalpub run`: the reports parsed to group the files
(fiscalpub.grouping's probes) are kept in the run's private folder and packaged from
there (fiscalpub.parse.kept), with the same result as parsing again."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from fiscalpub import api
from fiscalpub.parse import kept
from fiscalpub.pipeline import find_reports, run_folder
from tests.conftest import EXAMPLES

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
    assert len(list(keep.iterdir())) == len(REPORTS)  # one parsed report per file

    def parse_again(group: list[Path]) -> object:
        raise AssertionError(f"{group} parsed a second time")

    monkeypatch.setattr(api, "load_report", parse_again)
    _run(groups, once, parsed=keep)
    assert list(keep.iterdir()) == []  # each kept report used once
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
