"""Load the YAML registries shipped inside the package (works from a non-editable install)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from fiscalpub.errors import RegistryError
from fiscalpub.text import squash

# libyaml's loader when PyYAML was built with it: it reads the same documents into the same
# values (types, key order) as the pure-Python SafeLoader, about 8x faster (tables.yaml:
# 0.16 s -> 0.02 s), and every process loads the registries again
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> Any:
    text = (resources.files("fiscalpub") / "data" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_SafeLoader)


@dataclass
class Column:
    id: str
    measure: str | dict[str, str]
    headers: list[str] = field(default_factory=list)
    row: str | None = None
    item: str | None = None
    per_row: str | None = None  # the id is per_row + the row's id (a matrix of items × funds)

    def id_for(self, row: str | None) -> str:
        """The column id of a cell in `row`."""
        return self.per_row + row if self.per_row and row else self.id

    def measure_for(self, kind: str | None) -> str:
        if isinstance(self.measure, dict):
            return self.measure.get(kind or "final", next(iter(self.measure.values())))
        return self.measure


# what a column that holds no amount holds (tables.yaml `other_columns`)
OTHER_KINDS = ("count", "code", "text", "date", "ordinal")


@dataclass
class OtherColumn:
    """A printed column that holds no amount (数量, 品目编码, 规格型号, 实施采购时间 …): its
    header makes the table's shape known, and its tokens are never read as amounts."""

    id: str
    kind: str
    headers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in OTHER_KINDS:
            raise RegistryError(f"other column {self.id}: kind {self.kind!r} not in {OTHER_KINDS}")


@dataclass
class RowSpec:
    id: str
    labels: list[str]
    after: str | None = None

    @property
    def keys(self) -> list[str]:
        return [squash(label) for label in self.labels]


@dataclass
class Side:
    name: str
    columns: list[Column]
    rows: list[RowSpec]
    class_rows: bool = False


@dataclass
class TableSpec:
    id: str
    titles: list[str]
    layout: str
    classification: str | None
    columns: list[Column]
    rows: list[RowSpec]
    sides: list[Side]
    identities: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    number_hint: int | None = None
    # relations only the validator checks (placement does not use them): identities in
    # the `identities` format, links (with `table`) in the `evidence` format
    checks: list[dict[str, Any]] = field(default_factory=list)
    standard: bool = False
    economic_twin: str | None = None  # the table this title names when its rows are economic
    variants: list[dict[str, Any]] = field(default_factory=list)
    local_titles: list[str] = field(default_factory=list)
    # printed columns that hold no amount (quantities, codes, text): skipped, never amounts
    other_columns: list[OtherColumn] = field(default_factory=list)

    def side(self, name: str) -> Side:
        for side in self.sides:
            if side.name == name:
                return side
        raise KeyError(name)

    def all_columns(self) -> list[Column]:
        if self.sides:
            seen: dict[str, Column] = {}
            for side in self.sides:
                for col in side.columns:
                    seen.setdefault(col.id, col)
            return list(seen.values())
        return self.columns

    def all_rows(self) -> list[RowSpec]:
        if self.sides:
            return [r for side in self.sides for r in side.rows]
        return self.rows


def variant(spec: TableSpec, header: str) -> TableSpec:
    """The shape of `spec` whose `when` words all appear in the (squashed) header and
    whose `unless` words (if any) do not."""
    for v in spec.variants:
        if all(squash(word) in header for word in v["when"]) and not any(
            squash(word) in header for word in v.get("unless", [])
        ):
            return _applied(spec, v)
    return spec


def shapes(spec: TableSpec) -> list[TableSpec]:
    """Every printed shape of the table: its own, then each variant's (a canonical report
    keeps column ids, not the header words a variant is chosen by)."""
    return [spec, *(_applied(spec, v) for v in spec.variants)]


def _applied(spec: TableSpec, v: dict[str, Any]) -> TableSpec:
    changes: dict[str, Any] = {}
    for key in ("layout", "classification", "identities", "evidence", "checks"):
        if key in v:
            changes[key] = v[key]
    if "columns" in v:
        changes["columns"] = _columns(v["columns"])
    if "rows" in v:
        changes["rows"] = _rows(v["rows"])
    if "other_columns" in v:
        changes["other_columns"] = _others(v["other_columns"])
    if "sides" in v:
        changes["sides"] = [_side_variant(side, v["sides"]) for side in spec.sides]
    return replace(spec, variants=[], **changes)


def _side_variant(side: Side, given: dict[str, Any]) -> Side:
    """A side of a two-sided table with the keys a variant gives for it replaced."""
    v = given.get(side.name)
    if not v:
        return side
    return replace(
        side,
        columns=_columns(v["columns"]) if "columns" in v else side.columns,
        rows=_rows(v["rows"]) if "rows" in v else side.rows,
    )


def variant_columns(v: dict[str, Any]) -> list[Column]:
    """Every column a variant gives, its sides' included (schemas, DSD)."""
    cols = _columns(v.get("columns", []))
    for side in (v.get("sides") or {}).values():
        cols += _columns(side.get("columns", []))
    return cols


def variant_rows(v: dict[str, Any]) -> list[RowSpec]:
    """Every row a variant gives, its sides' included (schemas, DSD)."""
    rows = _rows(v.get("rows", []))
    for side in (v.get("sides") or {}).values():
        rows += _rows(side.get("rows", []))
    return rows


def _columns(raw: list[dict[str, Any]]) -> list[Column]:
    return [Column(**c) for c in raw]


def _rows(raw: list[dict[str, Any]]) -> list[RowSpec]:
    return [RowSpec(**r) for r in raw]


def _others(raw: list[dict[str, Any]]) -> list[OtherColumn]:
    return [OtherColumn(**c) for c in raw]


@lru_cache(maxsize=1)
def title_family_noise() -> tuple[str, ...]:
    """Words dropped from titles to compare their families (tables.yaml title_family_noise)."""
    return tuple(_load("tables.yaml").get("title_family_noise") or ())


@lru_cache(maxsize=1)
def tables() -> dict[str, TableSpec]:
    """The table registry, keyed by table id, in registry order."""
    data = _load("tables.yaml")
    out: dict[str, TableSpec] = {}
    try:
        for tid, t in data["tables"].items():
            sides = [
                Side(
                    name=name,
                    columns=_columns(s["columns"]),
                    rows=_rows(s.get("rows", [])),
                    class_rows=bool(s.get("class_rows", False)),
                )
                for name, s in (t.get("sides") or {}).items()
            ]
            out[tid] = TableSpec(
                id=tid,
                titles=list(t["titles"]),
                layout=t["layout"],
                classification=t.get("classification"),
                columns=_columns(t.get("columns", [])),
                rows=_rows(t.get("rows", [])),
                sides=sides,
                identities=list(t.get("identities", [])),
                evidence=list(t.get("evidence", [])),
                checks=list(t.get("checks", [])),
                number_hint=t.get("number_hint"),
                economic_twin=t.get("economic_twin"),
                standard=bool(t.get("standard", False)),
                variants=list(t.get("variants", [])),
                local_titles=list(t.get("local_titles", [])),
                other_columns=_others(t.get("other_columns", [])),
            )
    except (KeyError, TypeError) as exc:
        raise RegistryError(f"tables.yaml is malformed: {exc}") from exc
    return out


@lru_cache(maxsize=1)
def classes() -> dict[str, dict[str, list[str]]]:
    """Curated 类 names: {classification: {code: [name, earlier names...]}}."""
    data = _load("classes.yaml")
    return {
        scheme: {code: [v["name"], *v.get("names", [])] for code, v in entries.items()}
        for scheme, entries in data.items()
    }


@lru_cache(maxsize=1)
def class_by_name() -> dict[str, dict[str, str]]:
    """{classification: {squashed 类 name: code}}."""
    return {
        scheme: {squash(n): code for code, names in entries.items() for n in names}
        for scheme, entries in classes().items()
    }


@lru_cache(maxsize=1)
def indicators() -> dict[str, str]:
    return dict(_load("facts.yaml")["indicators"])


@lru_cache(maxsize=1)
def fact_cells() -> dict[str, tuple[str, str, str]]:
    """Narrative indicator -> the table cell it speaks about (facts.yaml `cells`)."""
    cells = _load("facts.yaml").get("cells") or {}
    return {ind: (str(c[0]), str(c[1]), str(c[2])) for ind, c in cells.items()}


@lru_cache(maxsize=1)
def fact_also_cells() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Narrative indicator -> further cells that print what it states, compared by the
    validator only (facts.yaml `also_cells`): either agreeing is enough."""
    raw = _load("facts.yaml").get("also_cells") or {}
    return {
        ind: tuple((str(c[0]), str(c[1]), str(c[2])) for c in cells) for ind, cells in raw.items()
    }


@lru_cache(maxsize=1)
def cross_classification() -> tuple[tuple[str, str], ...]:
    """(economic code, function code) of the same money (tables.yaml
    `cross_classification`): the economic item never exceeds the function line."""
    raw = _load("tables.yaml").get("cross_classification") or []
    return tuple((str(link["economic"]), str(link["function"])) for link in raw)


@lru_cache(maxsize=1)
def fact_sums() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(total, parts) the narrative's amounts add up to (facts.yaml `sums`)."""
    raw = _load("facts.yaml").get("sums") or []
    return tuple((str(s["total"]), tuple(str(p) for p in s["parts"])) for s in raw)


@lru_cache(maxsize=1)
def fact_sum_extras() -> dict[str, tuple[str, ...]]:
    """total -> the terms it may also hold besides its parts (facts.yaml `sums`
    `may_include`: 支出总计 = 本年支出 + 年终结转结余)."""
    raw = _load("facts.yaml").get("sums") or []
    return {str(s["total"]): tuple(str(p) for p in s.get("may_include") or []) for s in raw}


@lru_cache(maxsize=1)
def fact_bounds() -> tuple[tuple[str, str], ...]:
    """(part, whole): a stated part never exceeds its whole (facts.yaml `bounds`)."""
    return tuple((str(b["part"]), str(b["whole"])) for b in _load("facts.yaml").get("bounds") or [])


@lru_cache(maxsize=1)
def fact_named_alike() -> frozenset[str]:
    """Indicators whose phrases name two different amounts (facts.yaml `named_alike`:
    收入总计 and 本年收入合计 are both total_income)."""
    return frozenset(str(i) for i in _load("facts.yaml").get("named_alike") or [])


@lru_cache(maxsize=1)
def lexicon_phrases() -> dict[str, str]:
    """The narrative's phrases -> indicator ids ("+"-joined), facts.yaml `lexicon`."""
    return dict((_load("facts.yaml").get("lexicon") or {}).get("phrases") or {})


@lru_cache(maxsize=1)
def lexicon_sections() -> dict[str, dict[str, str]]:
    """Per section (gov_fund …): plain words -> indicator ids, facts.yaml `lexicon`."""
    sections = (_load("facts.yaml").get("lexicon") or {}).get("sections") or {}
    return {name: dict(words) for name, words in sections.items()}


@lru_cache(maxsize=1)
def lexicon_ignored() -> tuple[str, ...]:
    """Phrases naming lines no indicator stands for (facts.yaml `lexicon.ignore`)."""
    return tuple((_load("facts.yaml").get("lexicon") or {}).get("ignore") or ())


@dataclass(frozen=True)
class IdentityWords:
    """The template's words for who issued a report (template.yaml `identity`)."""

    cover_chars: int
    cover_stops: tuple[str, ...]
    labels: dict[str, str]
    label_tails: tuple[str, ...]
    qualifiers: tuple[str, ...]
    levels: tuple[str, ...]
    suffixes: tuple[str, ...]
    text_suffixes: tuple[str, ...]
    prefixes: tuple[str, ...]
    abbreviations: dict[str, str]
    name_chars: tuple[int, int]
    sentence_words: tuple[str, ...]
    placeholders: tuple[str, ...]
    staff: dict[str, tuple[str, ...]]
    place_units: tuple[str, ...]
    not_places: tuple[str, ...]
    text_stops: tuple[str, ...]
    former_names: dict[str, str] = field(default_factory=dict)
    self_words: tuple[str, ...] = ()
    self_stops: tuple[str, ...] = ()
    self_suffixes: tuple[str, ...] = ()
    duty_words: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def identity_words() -> IdentityWords:
    """template.yaml `identity`: labels, organisation suffixes, prefixes, qualifiers,
    placeholders and staff patterns (the words the parser finds the department by)."""
    raw = _load("template.yaml")
    try:
        d = raw["identity"]
        low, high = d["name_chars"]
        return IdentityWords(
            cover_chars=int(d["cover_chars"]),
            cover_stops=tuple(d["cover_stops"]),
            labels={str(k): str(v) for k, v in d["labels"].items()},
            label_tails=tuple(d["label_tails"]),
            qualifiers=tuple(d["qualifiers"]),
            levels=tuple(d["levels"]),
            suffixes=tuple(d["suffixes"]),
            text_suffixes=tuple(d["text_suffixes"]),
            prefixes=tuple(d["prefixes"]),
            abbreviations={str(k): str(v) for k, v in d["abbreviations"].items()},
            name_chars=(int(low), int(high)),
            sentence_words=tuple(d["sentence_words"]),
            placeholders=tuple(d["placeholders"]),
            staff={k: tuple(v) for k, v in d["staff"].items()},
            place_units=tuple(d["place_units"]),
            not_places=tuple(d["not_places"]),
            text_stops=tuple(d["text_stops"]),
            former_names={str(k): str(v) for k, v in d.get("former_names", {}).items()},
            self_words=tuple(d.get("self_words", ())),
            self_stops=tuple(d.get("self_stops", ())),
            self_suffixes=tuple(d.get("self_suffixes", ())),
            duty_words=tuple(d.get("duty_words", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RegistryError(f"template.yaml is malformed: {exc}") from exc


@dataclass(frozen=True)
class TableWords:
    """The template's words around the tables (template.yaml `tables`), compiled."""

    title_number: re.Pattern[str]
    title_noise: re.Pattern[str]
    title_extra_chars: int
    empty_note: re.Pattern[str]
    absent_note: re.Pattern[str]
    section_end: re.Pattern[str]
    performance: re.Pattern[str]
    other_title: re.Pattern[str]
    unit_mark: re.Pattern[str]
    column_number_labels: tuple[str, ...]
    row_number_labels: tuple[str, ...]
    header_words: re.Pattern[str]
    default_unit: str
    header_lines: int

    @property
    def number_labels(self) -> tuple[str, ...]:
        """栏次 and 行次 alike: a line that prints one is a line of ordinals."""
        return self.column_number_labels + self.row_number_labels


def _either(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=1)
def table_words() -> TableWords:
    """template.yaml `tables`: title numbering, empty/absent notes, region ends."""
    raw = _load("template.yaml")
    try:
        d = raw["tables"]
        number = d["title_number"]
        return TableWords(
            title_number=re.compile(f"({number})"),
            title_noise=re.compile(f"({number}|{d['title_qualifier']})"),
            title_extra_chars=int(d["title_extra_chars"]),
            empty_note=_either(d["empty_notes"]),
            absent_note=_either(d["absent_notes"]),
            section_end=_either(d["section_ends"]),
            performance=re.compile(d["performance"]),
            other_title=re.compile(d["other_title"]),
            unit_mark=re.compile(d["unit_marks"]),
            column_number_labels=tuple(d["column_number_labels"]),
            row_number_labels=tuple(d["row_number_labels"]),
            header_words=re.compile("|".join(map(re.escape, d["header_words"]))),
            default_unit=str(d["default_unit"]),
            header_lines=int(d["header_lines"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RegistryError(f"template.yaml is malformed (tables): {exc}") from exc


@dataclass(frozen=True)
class TextWords:
    """The words of the text defects (template.yaml `text`), compiled."""

    instruction: re.Pattern[str]
    empty_reason: re.Pattern[str]
    department_kind: re.Pattern[str]
    heading_chars: int
    amount_missing: re.Pattern[str]
    percent_without_sign: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def text_words() -> TextWords:
    """template.yaml `text`: instructions left in, empty reasons, headings' kind words."""
    raw = _load("template.yaml")
    try:
        d = raw["text"]
        return TextWords(
            instruction=re.compile(d["instructions"]),
            empty_reason=re.compile(d["empty_reason"]),
            department_kind=re.compile(d["department_kind"]),
            heading_chars=int(d["heading_chars"]),
            amount_missing=re.compile(d["amount_missing"]),
            percent_without_sign=tuple(re.compile(p) for p in d["percent_without_sign"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RegistryError(f"template.yaml is malformed (text): {exc}") from exc
