"""Curated data cites the corpus: every entry below 类 level is printed where it says."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import yaml

from fiscalpub.normalize import squash
from fiscalpub.read import read_document
from fiscalpub.vocab import files
from tests.conftest import ROOT, corpus_path

CURATED = resources.files("fiscalpub") / "data" / "curated"


def _entries() -> list[tuple[str, str, dict]]:
    out = []
    for name in ("english.yaml", "cofog.yaml"):
        data = yaml.safe_load((CURATED / name).read_text(encoding="utf-8"))
        for section, entries in data.items():
            for code, entry in (entries or {}).items():
                if len(code) > 3:
                    out.append((f"{name}:{section}", code, entry))
    return out


@cache
def _page_text(path: Path, page: int) -> str:
    doc = read_document(str(path))
    return squash("".join(line.text for line in doc.pages[page - 1].lines))


def _cited_text(cited: str) -> str:
    m = re.fullmatch(r"(.+\.txt):(\d+)(?:-(\d+))?", cited)
    if m:
        lines = corpus_path("seeds", m.group(1)).read_text(encoding="utf-8").splitlines()
        first, last = int(m.group(2)), int(m.group(3) or m.group(2))
        return squash("".join(lines[first - 1 : last]))
    m = re.fullmatch(r"(.+\.pdf)#page=(\d+)", cited)
    assert m, f"unknown citation form {cited!r}"
    return _page_text(corpus_path("pdf", m.group(1)), int(m.group(2)))


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("where", "code", "entry"), _entries(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_entries_below_class_level_cite_where_they_are_printed(
    where: str, code: str, entry: dict
) -> None:
    assert entry.get("cited") and entry.get("zh"), f"{where} {code}: no citation"
    text = _cited_text(entry["cited"])
    # a name wrapped around its code ("…传媒支 20799 出") is still the printed name
    printed = squash(entry["zh"])
    assert printed in text or printed in re.sub(r"\d", "", text), (
        f"{where} {code}: {entry['zh']} not printed at {entry['cited']}"
    )
    # the code itself is printed there too (split into 类 / 款 / 项 parts in some tables)
    digits = re.sub(r"\D", "", text)
    assert code in digits or code[3:] in text or code[-2:] in text


@pytest.mark.corpus
def test_a_vocabulary_from_parsed_json_equals_one_from_the_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fiscalpub.cli import main

    seed = corpus_path("seeds", "004_eedbb879cd069ff8.txt")
    out = tmp_path / "r.json"
    assert CliRunner().invoke(main, ["parse", str(seed), "-o", str(out)]).exit_code == 0
    assert files.build([[out]]).files == files.build([[seed]]).files
    assert ROOT.exists()
