"""Every parse output validates against the JSON Schema of the contract (schemas/)."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from fiscalpub.api import parse_files
from fiscalpub.model import (
    PLACED_BY,
    TABLE_STATUS,
    Fact,
    Finding,
    LineItem,
    Region,
    Report,
    ReportMeta,
    SelfCheck,
    Source,
    Staff,
    TableInfo,
    Where,
)
from fiscalpub.registry import tables
from fiscalpub.schema import report_schema
from tests.conftest import EXAMPLES, ROOT, corpus_path

SEEDS = [
    "000_bd253d31d99d6327.txt",
    "001_20c475cd3b15c823.txt",
    "002_4feca67707288776.txt",
    "003_c8682c8f72d65ec9.txt",
    "004_eedbb879cd069ff8.txt",
]
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.txt"))
EXAMPLE_PARAMS = [pytest.param(p, id=p.name) for p in EXAMPLE_FILES]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, doc: dict[str, Any]) -> list[str]:
    return [
        f"{e.json_path}: {e.message[:200]}"
        for e in sorted(validator.iter_errors(doc), key=lambda e: e.json_path)
    ]


def _check_references(doc: dict[str, Any]) -> None:
    """What the schema cannot say: every `source` indexes report.sources."""
    n = len(doc["report"]["sources"])
    sources = [t["source"] for t in doc["tables"] if t["source"] is not None]
    sources += [x["source"] for key in ("line_items", "facts") for x in doc[key]]
    sources += [w["source"] for f in doc["findings"] for w in f["where"] if w["source"] is not None]
    assert all(0 <= s < n for s in sources), f"source index out of range (have {n} sources)"


# ---------------------------------------------------------------- parse outputs


@pytest.mark.corpus
@pytest.mark.parametrize("name", SEEDS)
def test_seed_output_is_valid(validator: Draft202012Validator, name: str) -> None:
    doc = parse_files([corpus_path("seeds", name)]).to_dict()
    assert _errors(validator, doc) == []
    _check_references(doc)
    # the JSON text round-trips to the same document
    assert json.loads(parse_files([corpus_path("seeds", name)]).to_json()) == doc


def test_examples_are_shipped() -> None:
    assert EXAMPLE_FILES, "examples/ must hold the sample reports a fresh clone is tested on"


@pytest.mark.parametrize("path", EXAMPLE_PARAMS)
def test_example_output_is_valid(validator: Draft202012Validator, path: Path) -> None:
    doc = parse_files([path]).to_dict()
    assert _errors(validator, doc) == []
    _check_references(doc)


# ---------------------------------------------------------------- the schema itself


def test_schema_enums_follow_the_registry_and_model() -> None:
    defs = report_schema()["$defs"]
    assert defs["table_id"]["enum"] == list(tables())
    assert tuple(defs["line_item"]["properties"]["placed_by"]["enum"]) == PLACED_BY
    assert tuple(defs["table"]["properties"]["status"]["enum"]) == TABLE_STATUS


def test_schema_covers_every_model_field() -> None:
    """additionalProperties is false everywhere, so every model field must be declared."""
    defs = report_schema()["$defs"]
    models: dict[str, type[Any]] = {
        "line_item": LineItem,
        "fact": Fact,
        "table": TableInfo,
        "where": Where,
        "finding": Finding,
        "report": ReportMeta,
    }
    for name, cls in models.items():
        assert set(defs[name]["properties"]) == {f.name for f in dataclasses.fields(cls)}, name


def test_schema_declares_every_self_check_key() -> None:
    checks = SelfCheck(1, 1, 0, 0, 0, 0, 0).to_dict()
    declared = report_schema()["$defs"]["checks"]
    assert set(declared["properties"]) == set(declared["required"]) == set(checks)


def test_a_version_1_document_without_the_self_check_stays_valid(
    validator: Draft202012Validator,
) -> None:
    doc = _good()
    doc["schema_version"] = "1"
    del doc["report"]["checks"]
    assert _errors(validator, doc) == []


def test_report_schema_returns_a_fresh_copy() -> None:
    schema = report_schema()
    schema["$defs"].clear()
    assert report_schema()["$defs"]


def test_schemas_dir_copy_resolves_to_the_package_copy() -> None:
    link = ROOT / "schemas" / "report.schema.json"
    package_copy = ROOT / "src" / "fiscalpub" / "data" / "report.schema.json"
    assert link.exists(), f"{link} does not resolve"
    if link.is_symlink():
        assert link.resolve() == package_copy.resolve()
    assert json.loads(link.read_text(encoding="utf-8")) == report_schema()


# ---------------------------------------------------------------- hand-made documents


def _good() -> dict[str, Any]:
    where = [Where(source=0, page=1, line=12, table="expenditure")]
    report = Report(
        report=ReportMeta(
            department="安阳市北关区医疗保障局",
            year=2022,
            kind="final",
            region=Region(name="安阳市北关区", code="410503"),
            units=["安阳市北关区医疗保障局"],
            staff=Staff(authorised=12, actual=11, retired=3),
            sources=[Source(path="report.txt", sha256="0" * 64, pages=26)],
            checks=SelfCheck(
                amounts=2,
                confirmed=0,
                contradicted=0,
                unchecked=2,
                facts=1,
                facts_agreeing=0,
                facts_contradicting=0,
            ),
        ),
        tables=[
            TableInfo(
                table="expenditure",
                status="present",
                unit="万元",
                decimals=2,
                source=0,
                page=1,
                line=10,
                title="支出决算表",
            ),
            TableInfo(table="gov_fund", status="not_found"),
        ],
        line_items=[
            LineItem(
                table="expenditure",
                column="basic",
                measure="basic",
                classification="function",
                code="2101501",
                row=None,
                item="行政运行",
                placed_by="layout",
                candidates=[],
                amount=Decimal("1777100"),
                printed="177.71",
                unit="万元",
                source=0,
                page=1,
                line=12,
            ),
            LineItem(
                table="expenditure",
                column=None,
                measure=None,
                classification=None,
                code=None,
                row="total",
                item="合计",
                placed_by="unplaced",
                candidates=["basic", "project"],
                amount=Decimal("0"),
                printed="0",
                unit="万元",
                source=0,
                page=1,
                line=13,
            ),
        ],
        facts=[
            Fact(
                indicator="total_income",
                amount=Decimal("4390400"),
                value=None,
                unit="万元",
                printed="439.04",
                phase="actual",
                period=2022,
                path=None,
                code=None,
                base=None,
                text="2022 年度收、支总计均为 439.04 万元",
                source=0,
                page=1,
                line=20,
            ),
            Fact(
                indicator="total_income_change_pct",
                amount=None,
                value=Decimal("-15.01"),
                unit="%",
                printed="15.01",
                phase="actual",
                period=2022,
                path=None,
                code=None,
                base="2021",
                text="减少 15.01%",
                source=0,
                page=1,
                line=21,
            ),
            Fact(
                indicator="procurement_total",
                amount=None,
                value=None,
                unit=None,
                printed=None,
                phase="actual",
                period=2022,
                path=None,
                code=None,
                base=None,
                text="本部门无政府采购",
                source=0,
                page=1,
                line=22,
                status="none",
            ),
        ],
        findings=[Finding(code="ambiguous-cell", severity="warning", message="…", where=where)],
    )
    return report.to_dict()


def test_hand_made_good_document_is_valid(validator: Draft202012Validator) -> None:
    assert _errors(validator, _good()) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation: set a dotted path (list indexes as numbers) to `value`."""

    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return mutate


def _both(*mutations: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        for m in mutations:
            m(doc)

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        del node[last]

    return mutate


BAD: dict[str, Callable[[dict[str, Any]], None]] = {
    "schema version 2": _set("schema_version", "2"),
    "schema version as a number": _set("schema_version", 1),
    "extra top-level key": _set("extra", []),
    "missing facts": _delete("facts"),
    "unknown kind": _set("report.kind", "draft"),
    "extra report key": _set("report.version", 1),
    "region code not 6 digits": _set("report.region.code", "4105"),
    "short sha256": _set("report.sources.0.sha256", "abc"),
    "upper-case sha256": _set("report.sources.0.sha256", "A" * 64),
    "no sources": _set("report.sources", []),
    "negative staff": _set("report.staff.actual", -1),
    "unknown table id": _set("tables.0.table", "balance_sheet"),
    "unknown table status": _set("tables.0.status", "missing"),
    "present table without a page": _set("tables.0.page", None),
    "not_found table with a title": _set("tables.1.title", "政府性基金预算财政拨款收入支出决算表"),
    "float amount": _set("line_items.0.amount", 1777100.0),
    "amount with one decimal": _set("line_items.0.amount", "1777100.0"),
    "amount in exponent notation": _set("line_items.0.amount", "1.7771E+6"),
    "unknown placed_by": _set("line_items.0.placed_by", "guess"),
    "placed without a column": _set("line_items.0.column", None),
    "placed with candidates": _set("line_items.0.candidates", ["project"]),
    "column set while unplaced": _set("line_items.1.column", "basic"),
    "measure set while unplaced": _set("line_items.1.measure", "basic"),
    "unplaced without candidates": _set("line_items.1.candidates", []),
    "duplicate candidates": _set("line_items.1.candidates", ["basic", "basic"]),
    "unknown classification": _set("line_items.0.classification", "functional"),
    "code without classification": _set("line_items.0.classification", None),
    "no code, no row, no label": _both(
        _set("line_items.1.row", None), _set("line_items.1.item", None)
    ),
    "code of 4 digits": _set("line_items.0.code", "2101"),
    "page as a string": _set("line_items.0.page", "1"),
    "line item missing unit": _delete("line_items.0.unit"),
    "unknown line item key": _set("line_items.0.note", "x"),
    "fact float amount": _set("facts.0.amount", 4390400.0),
    "fact value in exponent notation": _set("facts.1.value", "1E+2"),
    "fact with amount and value": _set("facts.0.value", "1"),
    "fact without a number": _set("facts.0.amount", None),
    "none statement with a number": _set("facts.2.value", "0"),
    "unknown fact status": _set("facts.0.status", "estimated"),
    "unknown phase": _set("facts.0.phase", "final"),
    "empty path": _set("facts.0.path", []),
    "finding code not kebab-case": _set("findings.0.code", "Ambiguous_Cell"),
    "unknown severity": _set("findings.0.severity", "fatal"),
    "finding without locations": _set("findings.0.where", []),
    "where missing a key": _delete("findings.0.where.0.row"),
    "where with an unknown table": _set("findings.0.where.0.table", "nope"),
    "self-check at the top level": _set("checks", {}),
    "self-check share as a number": _set("report.checks.confirmed_share", 0.5),
    "self-check share above one": _set("report.checks.confirmed_share", "1.5000"),
    "self-check share of 2 places": _set("report.checks.confirmed_share", "0.50"),
    "self-check without unchecked": _delete("report.checks.unchecked"),
    "self-check negative count": _set("report.checks.confirmed", -1),
    "self-check unknown count": _set("report.checks.rounding", 1),
}


@pytest.mark.parametrize("mutation", list(BAD.values()), ids=list(BAD))
def test_schema_rejects_bad_documents(
    validator: Draft202012Validator, mutation: Callable[[dict[str, Any]], None]
) -> None:
    doc = copy.deepcopy(_good())
    mutation(doc)
    assert _errors(validator, doc) != []
