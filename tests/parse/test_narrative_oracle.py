"""The narrative facts of five reports of different templates against an oracle typed by
hand from the source documents (tests/expected/narrative/*.yaml), both ways: every typed
fact is found, and no fact of a typed indicator is found that the text does not state
(on the typed pages)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.model import Fact
from tests.conftest import corpus_path

ORACLES = sorted((Path(__file__).parents[1] / "expected" / "narrative").glob("*.yaml"))
FACTOR = {"万元": Decimal(10000), "元": Decimal(1), "亿元": Decimal(100000000)}

Key = tuple[Any, ...]


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _key(indicator: str, value: Decimal, unit: str, phase: str, period: int | None,
         path: list[str] | None, base: str | None) -> Key:  # fmt: skip
    return (
        indicator,
        value.normalize() if value else Decimal(0),
        _squash(unit or ""),
        phase,
        period,
        tuple(_squash(p) for p in path or ()),
        str(base) if base is not None else None,
    )


def _typed_key(e: dict[str, Any]) -> Key:
    return _key(
        e["indicator"], Decimal(str(e["printed"])), str(e.get("unit") or ""), e["phase"],
        e.get("period"), e.get("path"), e.get("base"),
    )  # fmt: skip


def _parsed_key(f: Fact) -> Key:
    if f.amount is not None:
        value = f.amount / FACTOR.get(f.unit or "", Decimal(1))
    else:
        value = f.value if f.value is not None else Decimal(0)
    return _key(f.indicator, value, f.unit or "", f.phase, f.period, f.path, f.base)


def _oracle(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _report(oracle: dict[str, Any]) -> list[Fact]:
    parts = oracle.get("sources") or [oracle["source"]]
    files = [corpus_path(*str(p).split("/")) for p in parts]
    return parse_files(files).facts


def _compare(path: Path) -> tuple[list[Key], list[tuple[Key, str]]]:
    oracle = _oracle(path)
    typed = [e for e in oracle["facts"] if e.get("indicator")]
    facts = _report(oracle)
    pages = {int(e["page"]) for e in oracle["facts"]}
    indicators = {e["indicator"] for e in typed}
    want = Counter(_typed_key(e) for e in typed)
    got = Counter(_parsed_key(f) for f in facts)
    missing = list((want - got).elements())
    extra_keys = got - want
    extra = [
        (_parsed_key(f), f"p{f.page}: {f.text[:60]}")
        for f in facts
        if extra_keys[_parsed_key(f)] > 0 and f.indicator in indicators and (f.page in pages)
    ]
    return missing, extra


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", ORACLES, ids=lambda p: p.stem)
def test_every_typed_fact_is_found_and_nothing_else(oracle: Path) -> None:
    missing, extra = _compare(oracle)
    assert not missing and not extra, (
        f"{len(missing)} missing: {missing[:8]}\n{len(extra)} extra: {extra[:8]}"
    )


@pytest.mark.corpus
@pytest.mark.parametrize("oracle", ORACLES, ids=lambda p: p.stem)
def test_the_core_indicators_are_found(oracle: Path) -> None:
    data = _oracle(oracle)
    facts = _report(data)
    for indicator, printed in (data.get("core") or {}).items():
        values = {_parsed_key(f)[1] for f in facts if f.indicator == indicator}
        assert Decimal(str(printed)).normalize() in values or (
            Decimal(str(printed)) == 0 and Decimal(0) in values
        ), (indicator, printed, values)
