"""The example queries of docs/queries, each checked against an answer computed
independently in Python from the packages' line_items.csv (and, for COFOG, from the
curated alignment file) — never against a snapshot of the query's own output.

They run on the shipped packages and, where ../shared is present, on packages built
from corpus PDFs (budget and final, 万元 and 元, several departments and years)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyoxigraph import Store

from fiscalpub.rdf.query import execute
from fiscalpub.rdf.store import find_packages, load
from tests.conftest import ROOT, cli_runner

QUERIES = ROOT / "docs" / "queries"
BASE = "https://data.example.org/fiscalpub/"

Key = tuple[str, int, str]  # department, year, kind


def _packages(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in find_packages([folder]):
        descriptor = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
        with (path / "line_items.csv").open(encoding="utf-8") as fh:
            items = [r for r in csv.DictReader(fh) if r["column"]]  # placed cells only
        meta = descriptor["fiscalpub"]
        out.append({"key": (meta["department"], meta["year"], meta["kind"]), "items": items})
    return out


def _rows(store: Any, name: str) -> list[dict[str, str]]:
    result = execute(store, (QUERIES / name).read_text(encoding="utf-8"))
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


# ---------------------------------------------------------------- independent answers


def expect_code(packages: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {
        (*p["key"], Decimal(i["amount"]))
        for p in packages
        for i in p["items"]
        if i["table"] == "expenditure"
        and i["column"] == "total"
        and i["code"] == "2101501"
        and "医疗保障局" in p["key"][0]
        and 2021 <= p["key"][1] <= 2023
    }


def expect_three_public(packages: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {
        (*p["key"], i["column"], Decimal(i["amount"]))
        for p in packages
        for i in p["items"]
        if i["table"] == "three_public"
    }


def expect_personnel(packages: list[dict[str, Any]]) -> dict[Key, tuple[Decimal, Decimal]]:
    out: dict[Key, tuple[Decimal, Decimal]] = {}
    for p in packages:
        lines = [
            i
            for i in p["items"]
            if i["table"] == "gpb_basic_expenditure"
            and i["column"] == "amount"
            and i["classification"] == "economic"
            and len(i["code"]) == 3
        ]
        if lines:
            personnel = sum(
                (Decimal(i["amount"]) for i in lines if i["code"] in ("301", "303")), Decimal(0)
            )
            public = sum(
                (Decimal(i["amount"]) for i in lines if i["code"] in ("302", "307", "310", "399")),
                Decimal(0),
            )
            out[p["key"]] = (personnel, public)
    return out


def expect_rollup(packages: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, Decimal]]:
    out: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for p in packages:
        for i in p["items"]:
            if (
                i["table"] == "expenditure"
                and i["column"] == "total"
                and i["classification"] == "function"
                and len(i["code"]) == 7
            ):
                acc = out[(*p["key"], i["code"][:3])]
                acc[0] += 1
                acc[1] += Decimal(i["amount"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def _alignment() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(
        (ROOT / "src" / "fiscalpub" / "data" / "curated" / "cofog.yaml").read_text("utf-8")
    )
    entries = dict(data["classes"])
    entries.update(data.get("exceptions") or {})
    return entries


def expect_cofog(packages: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Decimal, int]]:
    align = _alignment()
    out: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    for p in packages:
        lines = [
            i
            for i in p["items"]
            if i["table"] == "expenditure"
            and i["column"] == "total"
            and i["classification"] == "function"
        ]
        codes = {i["code"] for i in lines}
        for i in lines:
            code = i["code"]
            if any(c != code and c.startswith(code) for c in codes):
                continue  # not a leaf: its sub-codes are counted instead
            division = "unassigned"
            for prefix in (code[:n] for n in (7, 5, 3) if n <= len(code)):
                entry = align.get(prefix)
                if entry and (entry.get("cofog") or entry.get("follows_unit")):
                    division = "unit" if entry.get("follows_unit") else entry["cofog"].split(".")[0]
                    break
            acc = out[(*p["key"], division)]
            acc[0] += Decimal(i["amount"])
            acc[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


# ---------------------------------------------------------------- checks


def check_all(store: Any, packages: list[dict[str, Any]]) -> dict[str, int]:
    """Compare every example query with its independent answer; return row counts."""
    counts = {}

    got = {
        (r["department"], int(r["year"]), r["kind"], Decimal(r["amount"]))
        for r in _rows(store, "code-across-departments.rq")
    }
    assert got == expect_code(packages)
    counts["code"] = len(got)

    rows = _rows(store, "three-public.rq")
    got = {
        (r["department"], int(r["year"]), r["kind"], r["column"], Decimal(r["amount"]))
        for r in rows
    }
    assert len(rows) == len(got)  # one header per column: no duplicated rows
    assert got == expect_three_public(packages)
    counts["three_public"] = len(got)

    personnel = {
        (r["department"], int(r["year"]), r["kind"]): (
            Decimal(r["personnel"]),
            Decimal(r["public"]),
            r["share"],
        )
        for r in _rows(store, "personnel-share.rq")
    }
    expected = expect_personnel(packages)
    assert {k: v[:2] for k, v in personnel.items()} == expected
    for key, (a, b) in expected.items():
        share = personnel[key][2]
        if a + b:
            assert Decimal(share) == (100 * a / (a + b)).quantize(Decimal("0.01"))
    counts["personnel"] = len(personnel)

    rollup = {
        (r["department"], int(r["year"]), r["kind"], r["classCode"]): (
            int(r["items"]),
            Decimal(r["fromItems"]),
        )
        for r in _rows(store, "rollup.rq")
    }
    assert rollup == expect_rollup(packages)
    counts["rollup"] = len(rollup)

    cofog = {
        (r["department"], int(r["year"]), r["kind"], r["division"]): (
            Decimal(r["total"]),
            int(r["lines"]),
        )
        for r in _rows(store, "cofog.rq")
    }
    assert cofog == expect_cofog(packages)
    counts["cofog"] = len(cofog)
    return counts


def test_every_query_file_is_checked() -> None:
    names = {p.name for p in QUERIES.glob("*.rq")}
    assert names == {
        "code-across-departments.rq",
        "three-public.rq",
        "personnel-share.rq",
        "rollup.rq",
        "cofog.rq",
    }
    for path in QUERIES.glob("*.rq"):
        text = path.read_text(encoding="utf-8")
        assert "# Table" in text or "Table:" in text, f"{path.name} must name the table it sums"
        # self-contained: runs on any endpoint (after `push`), not only with our prefixes
        Store().query(text)


def test_queries_on_shipped_packages() -> None:
    folder = ROOT / "datapackages"
    loaded = load(find_packages([folder]), BASE)
    counts = check_all(loaded.store, _packages(folder))
    # not vacuous: every query answers something on the shipped packages
    assert all(counts.values()), counts


@pytest.mark.corpus
def test_queries_on_corpus_packages(corpus_packages: Path) -> None:
    loaded = load(find_packages([corpus_packages]), BASE)
    packages = _packages(corpus_packages)
    counts = check_all(loaded.store, packages)
    assert counts["cofog"] >= 8 and counts["three_public"] >= 12, counts
    kinds = {p["key"][2] for p in packages}
    assert kinds == {"final", "budget"}


def test_query_cli_formats(tmp_path: Path) -> None:
    from fiscalpub.cli import main

    runner = cli_runner()
    query = str(QUERIES / "code-across-departments.rq")
    table = runner.invoke(main, ["query", query])
    assert table.exit_code == 0, table.output
    assert "安阳市北关区医疗保障局" in table.stdout and "(2 rows)" in table.stdout
    as_json = runner.invoke(main, ["query", query, "--format", "json"])
    data = json.loads(as_json.stdout)
    assert data["head"]["vars"][:2] == ["department", "year"]
    assert len(data["results"]["bindings"]) == 2
    as_csv = runner.invoke(main, ["query", query, "--format", "csv"])
    assert as_csv.stdout.splitlines()[0].startswith("department,year,kind,amount")
    ask = runner.invoke(main, ["query", "ASK { ?o a qb:Observation }"])
    assert ask.stdout == "true\n"


def test_query_cli_errors(tmp_path: Path) -> None:
    from fiscalpub.cli import main

    runner = cli_runner()
    bad = runner.invoke(main, ["query", "SELECT ?x WHERE { ?x"])
    assert bad.exit_code == 1 and "SPARQL syntax error" in bad.stderr
    missing = runner.invoke(main, ["query", "nothing-here.rq"])
    assert missing.exit_code == 1 and "no such query file" in missing.stderr
    empty = runner.invoke(main, ["query", "ASK {}", "--data", str(tmp_path)])
    assert empty.exit_code == 1 and "no data packages" in empty.stderr
