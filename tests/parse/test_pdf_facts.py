"""Narrative facts and metadata of a two-file PDF report, against values typed from its pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from fiscalpub.api import parse_files
from fiscalpub.normalize import squash
from tests.conftest import EXPECTED, corpus_path

DATA = yaml.safe_load((EXPECTED / "jiangsu2018_facts.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return parse_files([corpus_path("pdf", name) for name in DATA["sources"]])


def _value(e: dict) -> Decimal | None:
    if e.get("printed") is None:
        return None
    v = Decimal(str(e["printed"]).replace(",", "")) * (e.get("sign") or 1)
    return v * 10000 if e.get("unit") == "万元" else v


def _got(f: dict) -> Decimal | None:
    if f["amount"] is not None:
        return Decimal(f["amount"])
    return Decimal(f["value"]) if f["value"] is not None else None


@pytest.mark.corpus
def test_every_fact(report) -> None:  # type: ignore[no-untyped-def]
    facts = [f.to_dict() for f in report.facts]
    missing = [
        e
        for e in DATA["facts"]
        if not any(
            f["indicator"] == e["indicator"]
            and f["source"] == e["source"]
            and f["page"] == e["page"]
            and f["phase"] == e["phase"]
            and f["period"] == e["period"]
            and _got(f) == _value(e)
            and (e["indicator"] != "function_line" or f["path"] == [squash(n) for n in e["path"]])
            for f in facts
        )
    ]
    assert not missing, missing


@pytest.mark.corpus
def test_metadata_and_status(report) -> None:  # type: ignore[no-untyped-def]
    meta, exp = report.report, DATA["report"]
    assert (meta.department, meta.year, meta.kind) == (exp["department"], exp["year"], exp["kind"])
    assert meta.units == exp["units"]
    status = {t.table: t.status for t in report.tables}
    assert {t: status[t] for t in DATA["tables"]} == DATA["tables"]
