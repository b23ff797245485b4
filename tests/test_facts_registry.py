"""facts.yaml — the narrative's indicators, their table cells and their words — is data
with a schema: a new template's wording is a data edit, checked here."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml

from fiscalpub import registry

DATA = resources.files("fiscalpub") / "data"


def _facts() -> dict[str, object]:
    return yaml.safe_load((DATA / "facts.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_facts_yaml_follows_its_schema() -> None:
    schema = json.loads((DATA / "facts.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_facts(), schema)


@pytest.mark.parametrize(
    "broken",
    [
        {"cells": {"total_income": ["income", "#total"]}},  # a cell needs three parts
        {"lexicon": {"phrases": {"收入总计": "Total Income"}}},  # not an id
        {"lexicon": {"phrases": {}}},  # no words
        {"extra": 1},
    ],
)
def test_the_schema_refuses_a_broken_registry(broken: dict[str, object]) -> None:
    schema = json.loads((DATA / "facts.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**_facts(), **broken}, schema)


def _declared(indicator: str) -> bool:
    known = registry.indicators()
    # a 三公 phrase states the expense; the phase (_budget/_actual) comes from the sentence
    return indicator in known or any(f"{indicator}_{p}" in known for p in ("budget", "actual"))


def test_every_indicator_used_is_declared() -> None:
    used = set(registry.fact_cells())
    for ids in registry.lexicon_phrases().values():
        used.update(ids.split("+"))
    for words in registry.lexicon_sections().values():
        for ids in words.values():
            used.update(ids.split("+"))
    assert sorted(i for i in used if not _declared(i)) == []


def test_cells_name_registry_tables_and_columns() -> None:
    tables = registry.tables()
    for indicator, (table, _row, column) in registry.fact_cells().items():
        assert table in tables, indicator
        columns = {c.id for c in tables[table].all_columns()}
        # variants (三公 with 会议费/培训费 …) add columns: any variant's column counts
        for spec in getattr(tables[table], "variants", None) or []:
            columns |= {c.id for c in getattr(spec, "all_columns", list)()}
        assert column in columns, (indicator, column, sorted(columns))


def test_the_narrative_sums_name_declared_indicators() -> None:
    for total, parts in registry.fact_sums():
        assert _declared(total) and all(_declared(p) for p in parts), (total, parts)
    for part, whole in registry.fact_bounds():
        assert _declared(part) and _declared(whole), (part, whole)


def test_also_cells_name_registry_tables_columns_and_rows() -> None:
    tables = registry.tables()
    for indicator, cells in registry.fact_also_cells().items():
        assert _declared(indicator), indicator
        for table, row, column in cells:
            assert table in tables, (indicator, table)
            shapes = registry.shapes(tables[table])
            columns = {c.id for s in shapes for c in s.all_columns()}
            assert column in columns, (indicator, table, column)
            if row.startswith("#"):
                # a registry row, or the row a column's amounts are (Jiangsu's 支出预算总表
                # prints 基本支出 | 项目支出 side by side: each its own row)
                rows = {c.row for s in shapes for c in s.all_columns()}
                for s in shapes:
                    rows |= {r.id for r in [*s.rows, *(x for d in s.sides for x in d.rows)]}
                assert row[1:] in rows, (indicator, table, row)
