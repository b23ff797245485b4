"""Table Schemas of the package resources, derived from the contract and the registry.

The canonical copies live in ``schemas/`` (a test keeps them equal to these); each
package carries its own copy, since frictionless refuses ``../`` paths.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fiscalpub.model import PLACED_BY
from fiscalpub.registry import Column, tables, variant_columns, variant_rows

CODE_PATTERN = "^[23][0-9]{2}([0-9]{2}){0,2}$"
UNITS = ["元", "千元", "万元", "亿元"]


@lru_cache(maxsize=1)
def _all_columns() -> dict[str, list[Column]]:
    """Every column id a table may print: its own and those of its variants (the registry
    is read once per process, so this is computed once; callers only read it)."""
    out: dict[str, list[Column]] = {}
    for tid, spec in tables().items():
        cols = list(spec.all_columns())
        ids = {c.id for c in cols}
        for v in spec.variants:
            for col in variant_columns(v):
                if col.id not in ids:
                    cols.append(col)
                    ids.add(col.id)
        out[tid] = cols
    return out


def _column_ids() -> list[str]:
    return sorted({c.id for cols in _all_columns().values() for c in cols})


def _row_ids() -> list[str]:
    ids: set[str] = set()
    for spec in tables().values():
        ids.update(r.id for r in spec.all_rows())
        ids.update(c.row for c in spec.all_columns() if c.row)
        for v in spec.variants:
            ids.update(r.id for r in variant_rows(v))
            ids.update(c.row for c in variant_columns(v) if c.row)
    return sorted(ids)


def _field(name: str, type_: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def line_items_schema() -> dict[str, Any]:
    """The line items table: where each number stands (table, column, row, how it was
    placed), the number itself and where it is printed, and the Fiscal Data Package
    columns (year, phase, classification code and level) that make it comparable."""
    return {
        "fields": _placement_fields() + _value_fields() + _fiscal_fields(),
        "missingValues": [""],
        "foreignKeys": [
            {
                "fields": ["classification", "code"],
                "reference": {"resource": "codes", "fields": ["classification", "code"]},
            },
        ],
    }


def _placement_fields() -> list[dict[str, Any]]:
    """Where a number stands: its registry table, column and row, the printed label, how
    the column was decided (or which columns it could be)."""
    return [
        _field(
            "table",
            description="Registry table id",
            constraints={"required": True, "enum": sorted(tables())},
        ),
        _field(
            "column",
            description="Registry column id; empty when unplaced",
            constraints={"enum": _column_ids()},
        ),
        _field("measure", description="The column's measure id"),
        _field("classification", constraints={"enum": ["function", "economic"]}),
        _field(
            "code",
            description="Classification code as printed (类/款/项)",
            constraints={"pattern": CODE_PATTERN},
        ),
        _field(
            "row",
            description="Registry row id for rows without a code",
            constraints={"enum": _row_ids()},
        ),
        _field("item", description="The printed label"),
        _field(
            "placed_by",
            description="How the column was decided",
            constraints={"required": True, "enum": list(PLACED_BY)},
        ),
        _field("candidates", description="Possible columns of an unplaced number, space-separated"),
    ]


def _value_fields() -> list[dict[str, Any]]:
    """The number: its exact amount in 元 as printed, the table's unit, and its place in
    the sources."""
    return [
        _field(
            "amount",
            "number",
            description="Money in 元, exact",
            columnType="value",
            constraints={"required": True},
        ),
        _field("printed", description="The number as printed", constraints={"required": True}),
        _field("unit", description="The table's printed unit", constraints={"enum": UNITS}),
        _field("source", "integer", description="Index into the package's sources"),
        _field("page", "integer"),
        _field("line", "integer"),
    ]


def _fiscal_fields() -> list[dict[str, Any]]:
    """The Fiscal Data Package columns: fiscal year, phase, and the function / economic
    classification code and level."""
    return [
        _field("fiscal_year", "year", columnType="date:fiscal-year"),
        _field(
            "phase",
            description="executed (决算) or approved (预算)",
            columnType="phase:id",
            constraints={"enum": ["executed", "approved"]},
        ),
        *_classification_fields("function", "functional-classification"),
        *_classification_fields("economic", "economic-classification"),
    ]


def _classification_fields(scheme: str, column_type: str) -> list[dict[str, Any]]:
    """A classification's code and level (类/款/项), typed for the Fiscal Data Package."""
    return [
        _field(
            f"{scheme}_code",
            columnType=f"{column_type}:generic:code",
            constraints={"pattern": CODE_PATTERN},
        ),
        _field(
            f"{scheme}_level",
            columnType=f"{column_type}:generic:level",
            constraints={"enum": ["类", "款", "项"]},
        ),
    ]


def codes_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field(
                "classification", constraints={"required": True, "enum": ["function", "economic"]}
            ),
            _field("code", constraints={"required": True, "pattern": CODE_PATTERN}),
            _field(
                "label", description="Label in the year's edition, else as printed in the report"
            ),
            _field(
                "origin",
                description="vocabulary (the year's edition) or report (printed only here)",
                constraints={"enum": ["vocabulary", "report"]},
            ),
            _field("concept", "string", format="uri", description="Code-level concept IRI"),
        ],
        "missingValues": [""],
        "primaryKey": ["classification", "code"],
    }


def facts_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field("indicator", constraints={"required": True}),
            _field("amount", "number", description="Money in 元", columnType="value"),
            _field("value", "number", description="A count or percentage"),
            _field("unit"),
            _field("printed"),
            _field("phase", constraints={"enum": ["budget", "adjusted_budget", "actual"]}),
            _field("period", "year", columnType="date:fiscal-year"),
            _field("path", description="类/款/项 names, joined by /"),
            _field("code", constraints={"pattern": CODE_PATTERN}),
            _field("base"),
            _field("status"),
            _field("text", description="The sentence"),
            _field("source", "integer"),
            _field("page", "integer"),
            _field("line", "integer"),
        ],
        "missingValues": [""],
    }


def findings_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field("id", constraints={"required": True, "pattern": "^[0-9a-f]{16}$"}),
            _field("code", constraints={"required": True, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}),
            _field(
                "severity", constraints={"required": True, "enum": ["error", "warning", "info"]}
            ),
            _field("message", constraints={"required": True}),
            _field("where", description="Every location involved, as JSON"),
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
    }


def wide_schema(table: str) -> dict[str, Any]:
    """The table as it looks in the report: a row per printed row, a column per printed column."""
    fields = [_field("code", constraints={"pattern": CODE_PATTERN}), _field("row"), _field("item")]
    for col in _all_columns()[table]:
        fields.append(
            _field(col.id, "number", description=", ".join(col.headers) or col.item or col.id)
        )
    fields.append(
        _field("unplaced", description="Numbers whose column could not be decided, with candidates")
    )
    return {"fields": fields, "missingValues": [""]}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every Table Schema by its file name, a fresh copy the caller may change."""
    return copy.deepcopy(_schemas())


@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict[str, Any]]:
    """The schemas depend on the registry only, which is read once per process: built once
    (they took a third of a package build).  Shared: never changed."""
    out = {
        "line_items.schema.json": line_items_schema(),
        "codes.schema.json": codes_schema(),
        "facts.schema.json": facts_schema(),
        "findings.schema.json": findings_schema(),
    }
    for tid in tables():
        out[f"tables/{tid}.schema.json"] = wide_schema(tid)
    return out


@dataclass(frozen=True)
class SchemaFile:
    """One Table Schema as a package uses it: its field names, the names of its number
    fields (never neutralised as formulas in a CSV) and the file's bytes."""

    schema: dict[str, Any]
    names: list[str]
    numeric: frozenset[str]
    content: bytes


@lru_cache(maxsize=1)
def schema_files() -> dict[str, SchemaFile]:
    """Every schema ready to write, computed once per process (read only: shared by
    every package built)."""
    return {
        name: SchemaFile(
            schema,
            [f["name"] for f in schema["fields"]],
            frozenset(
                f["name"] for f in schema["fields"] if f["type"] in ("number", "integer", "year")
            ),
            (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode(),
        )
        for name, schema in _schemas().items()
    }
