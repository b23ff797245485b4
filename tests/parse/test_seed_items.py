"""Every printed amount of seeds 003 and 004, against values typed by hand from the source."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import yaml

from fiscalpub.api import parse_files
from tests.conftest import EXPECTED, corpus_path

SEEDS = ["003", "004"]


def _expected(seed: str) -> tuple[str, list[dict]]:
    data = yaml.safe_load((EXPECTED / f"seed{seed}_items.yaml").read_text(encoding="utf-8"))
    return data["seed"], data["items"]


def _key(d: dict) -> tuple:
    cands = tuple(sorted(d.get("candidates") or []))
    return (
        d["table"],
        d["code"],
        d["row"] if d["code"] is None or d["table"] == "three_public" else None,
        d["column"],
        Decimal(d["printed"]),
        d["placed_by"],
        cands if d["column"] is None else (),
        d["line"],
    )


@pytest.fixture(scope="module", params=SEEDS)
def seed(request: pytest.FixtureRequest) -> tuple[list[dict], list[dict]]:
    name, items = _expected(request.param)
    report = parse_files([corpus_path("seeds", name)])
    got = [li.to_dict() for li in report.line_items]
    return items, got


@pytest.mark.corpus
def test_every_printed_amount(seed: tuple[list[dict], list[dict]]) -> None:
    expected, got = seed
    exp = Counter(_key(e) for e in expected)
    have = Counter(_key(g) for g in got)
    missing = exp - have
    extra = have - exp
    assert not missing and not extra, (
        f"missing {len(missing)}: {sorted(missing)[:15]}\nextra {len(extra)}: {sorted(extra)[:15]}"
    )


@pytest.mark.corpus
def test_amounts_are_exact_yuan(seed: tuple[list[dict], list[dict]]) -> None:
    _, got = seed
    for g in got:
        assert g["unit"] == "万元"
        assert Decimal(g["amount"]) == Decimal(g["printed"]) * 10000
        assert g["amount"].count(".") == 1 and len(g["amount"].split(".")[1]) == 2
