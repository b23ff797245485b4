"""Data packages: canonical schemas, reproducible builds, the real frictionless validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fiscalpub.api import parse_files
from fiscalpub.code_index import CodeIndex
from fiscalpub.model import LineItem
from fiscalpub.package.build import build_package, write_package
from fiscalpub.package.schemas import all_schemas
from tests.conftest import EXAMPLES, ROOT, corpus_path

PACKAGES = ROOT / "datapackages"
COMMITTED = sorted(p for p in PACKAGES.iterdir() if (p / "datapackage.json").exists())


def frictionless_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """The real frictionless CLI (offline: no remote profiles in our descriptors)."""
    return subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", str(path / "datapackage.json")],
        capture_output=True,
        text=True,
        check=False,
    )


def test_schemas_folder_holds_the_canonical_schemas() -> None:
    for name, schema in all_schemas().items():
        assert json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8")) == schema, name


def test_every_example_has_its_committed_package() -> None:
    assert len(COMMITTED) == len(list(EXAMPLES.glob("*.txt")))


@pytest.mark.parametrize("package", COMMITTED, ids=lambda p: p.name)
def test_committed_package_passes_frictionless(package: Path) -> None:
    result = frictionless_validate(package)
    assert result.returncode == 0, result.stdout[-3000:]


def test_rebuilding_in_any_order_and_hash_seed_leaves_the_packages_unchanged(
    tmp_path: Path,
) -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.txt"))
    for seed, order in (("1", examples), ("12345", list(reversed(examples)))):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "fiscalpub.cli", "build", *order, "-o", str(out), "--quiet"],
            check=True,
            env=env,
        )
        for package in COMMITTED:
            for path in sorted(package.rglob("*")):
                if path.is_file():
                    rebuilt = out / package.name / path.relative_to(package)
                    assert rebuilt.read_bytes() == path.read_bytes(), str(
                        path.relative_to(PACKAGES)
                    )


def test_text_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"])
    li = report.line_items[0]
    report.line_items.append(
        LineItem(
            **{
                **li.__dict__,
                "item": '=HYPERLINK("x")',
                "amount": Decimal("-55600.00"),
                "printed": "-5.56",
            }
        )
    )
    package = build_package(report, index=CodeIndex())
    rows = package.files["line_items.csv"].decode().splitlines()
    assert any("'=HYPERLINK" in row and ",-55600.00,-5.56," in row for row in rows)


def test_an_unseen_code_is_a_warning_not_a_defect(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "004_eedbb879cd069ff8.txt"])
    package = build_package(report, index=CodeIndex())  # an empty vocabulary: every code unseen
    findings = package.files["findings.csv"].decode()
    assert ",unknown-code,warning," in findings
    out = write_package(package, tmp_path)
    assert (
        frictionless_validate(out).returncode == 0
    )  # the report's own codes satisfy the foreign key


def test_a_package_is_written_all_or_nothing(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "000_bd253d31d99d6327.txt"])
    package = build_package(report)
    package.files["schemas"] = b"x"  # a file where the schemas folder must go: the write fails
    with pytest.raises(OSError):
        write_package(package, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("package", COMMITTED, ids=lambda p: p.name)
def test_descriptor_says_what_and_where_from(package: Path) -> None:
    import hashlib

    from fiscalpub.registry import tables

    d = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    meta = d["fiscalpub"]
    # the self-check (contract 1.1) is the canonical report's, as the descriptor says it
    canonical = json.loads((package / "canonical.json").read_text(encoding="utf-8"))
    assert meta["checks"] == canonical["report"]["checks"]
    assert meta["checks"]["amounts"] == sum(1 for _ in (package / "line_items.csv").open()) - 1
    # 部门/单位 only where the report's title says (report.scope); the seeds print none
    scope_zh = {"department": "部门", "unit": "单位", None: ""}[meta["scope"]]
    kind_zh = scope_zh + {"final": "决算", "budget": "预算"}[meta["kind"]]
    assert d["title"] == f"{meta['department']}{meta['year']}年度{kind_zh}"
    assert {kind_zh, meta["department"], str(meta["year"])} <= set(d["keywords"])
    # sources: the file name and the sha256 of the example it was built from, and the
    # example itself, copied into the package (self-contained: a portal publishes it too)
    (source,) = d["sources"]
    example = EXAMPLES / source["title"]
    assert source["sha256"] == hashlib.sha256(example.read_bytes()).hexdigest()
    assert source["path"] == f"sources/{source['title']}"
    assert (package / source["path"]).read_bytes() == example.read_bytes()
    (original,) = [r for r in d["resources"] if r["path"] == source["path"]]
    assert original["hash"] == f"sha256:{source['sha256']}"
    assert original["mediatype"] == "text/plain"
    # an honest licence: unknown, said so (the examples carry none)
    assert d["licenses"][0]["name"] == "unknown" and "not stated" in d["licenses"][0]["title"]
    # offline: no remote profile or schema anywhere
    assert "http" not in json.dumps([r.get("profile", "") for r in d["resources"]])
    assert all(not str(r.get("schema", "")).startswith("http") for r in d["resources"])
    # every printed table has its wide CSV; line_items carries FDP columnType annotations
    names = {r["name"] for r in d["resources"]}
    assert {"line_items", "codes", "facts", "findings"} <= names
    schema = json.loads((package / "schemas" / "line_items.schema.json").read_text("utf-8"))
    types = {f["name"]: f.get("columnType") for f in schema["fields"]}
    assert types["amount"] == "value" and types["phase"] == "phase:id"
    assert types["function_code"] == "functional-classification:generic:code"
    assert types["economic_code"] == "economic-classification:generic:code"
    assert types["fiscal_year"] == "date:fiscal-year"
    enum = next(f for f in schema["fields"] if f["name"] == "table")["constraints"]["enum"]
    assert set(enum) == set(tables())
    for line in (package / "line_items.csv").read_text("utf-8").splitlines()[1:]:
        table = line.split(",", 1)[0]
        assert f"table-{table.replace('_', '-')}" in names


def test_descriptor_carries_the_self_check_of_a_report_parsed_before_it(tmp_path: Path) -> None:
    """A canonical JSON written without the self-check (schema_version 1) gets one when
    its package is built (fiscalpub.api.load_report)."""
    from fiscalpub.api import load_report

    doc = json.loads(parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"]).to_json())
    del doc["report"]["checks"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    package = build_package(load_report([old]))
    d = json.loads(package.files["datapackage.json"])
    assert d["fiscalpub"]["checks"]["confirmed"] == 167
    assert d["fiscalpub"]["checks"]["confirmed_share"] == "0.8882"


def test_licence_is_the_publishers_when_given(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fiscalpub.cli import main

    example = EXAMPLES / "003_c8682c8f72d65ec9.txt"
    result = CliRunner().invoke(
        main, ["build", str(example), "--licence", "CC-BY-4.0", "-o", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    (descriptor,) = tmp_path.glob("*/datapackage.json")
    assert json.loads(descriptor.read_text("utf-8"))["licenses"] == [
        {"name": "CC-BY-4.0", "title": "CC-BY-4.0"}
    ]


@pytest.mark.corpus
def test_a_unit_budget_is_titled_as_one() -> None:
    from fiscalpub.api import parse_files
    from fiscalpub.package.build import build_package

    for name, kind in (
        ("shanghai-putuo-qfb-2025-unit-budget.pdf", "单位预算"),
        ("shanghai-putuo-qfb-2025-budget.pdf", "部门预算"),
    ):
        report = parse_files([corpus_path("pdf", name)])
        built = build_package(report, with_charts=False)
        d = json.loads(built.files["datapackage.json"])
        assert d["title"] == f"上海市普陀区人民政府办公室2025年度{kind}"
        assert kind in d["keywords"] and d["fiscalpub"]["scope"] == report.report.scope
