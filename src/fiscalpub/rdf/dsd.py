"""The data structure definition every fiscalpub cube shares, and its small code lists.

One DSD for all tables, with explicit not-applicable codes (SDMX's ``_Z``), rather than
one DSD per family of tables.  Why: a report is one dataset (one CKAN dataset, one data
package, one ``qb:DataSet``) and a data set has exactly one structure (IC-2).  Its tables
mix families anyway — the 收入支出总表 prints 类 lines beside non-coded summary lines
such as 一般公共预算财政拨款收入 — so per-family structures would split one printed
table over several data sets.  With one structure every observation has a value for
every dimension (IC-11): the function and economic dimensions take ``_Z`` on lines that
have no such code, the row dimension takes ``_Z`` on coded lines.

The function and economic code lists are the classification schemes ``fpc:function``
and ``fpc:economic``, which contain every edition concept of every year (so IC-19
checks real membership).  The table, column, row and kind code lists come from the
table registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Triple

from fiscalpub import registry
from fiscalpub.rdf.terms import (
    DSD,
    RDF_TYPE,
    XSD_BOOLEAN,
    XSD_DECIMAL,
    XSD_INTEGER,
    code,
    fp,
    ns,
)

NOT_APPLICABLE = "_Z"
KINDS = {"final": ("决算", "final accounts"), "budget": ("预算", "budget")}


@dataclass(frozen=True)
class Dimension:
    prop: NamedNode
    label_zh: str
    label_en: str
    super_property: NamedNode | None
    range_: NamedNode
    code_list: NamedNode | None


CONCEPT = ns("skos", "Concept")
DIMENSIONS = (
    Dimension(
        fp("department"),
        "部门",
        "department",
        ns("obeu-dimension", "organization"),
        ns("org", "Organization"),
        None,
    ),
    Dimension(
        fp("fiscalYear"),
        "年度",
        "fiscal year",
        ns("obeu-dimension", "fiscalPeriod"),
        ns("time", "Interval"),
        None,
    ),
    Dimension(fp("reportKind"), "报告类型", "report kind", None, CONCEPT, code("kind")),
    Dimension(fp("table"), "表", "table", None, CONCEPT, code("table")),
    Dimension(
        fp("row"), "项目（非科目行）", "row (lines without a code)", None, CONCEPT, code("row")
    ),
    Dimension(
        fp("functionalClassification"),
        "支出功能分类",
        "functional classification (China)",
        ns("obeu-dimension", "functionalClassification"),
        CONCEPT,
        code("function"),
    ),
    Dimension(
        fp("economicClassification"),
        "支出经济分类",
        "economic classification (China)",
        ns("obeu-dimension", "economicClassification"),
        CONCEPT,
        code("economic"),
    ),
    Dimension(fp("column"), "栏目", "column", None, CONCEPT, code("column")),
)

MEASURE = fp("amount")
UNIT_MEASURE = ns("sdmx-attribute", "unitMeasure")
# (property, zh, en, required, range)
ATTRIBUTES = (
    (fp("printedValue"), "印刷数值", "printed value", True, ns("xsd", "string")),
    (fp("printedUnit"), "印刷单位", "printed unit", True, ns("xsd", "string")),
    (fp("printedDecimals"), "印刷小数位数", "printed decimals", True, XSD_INTEGER),
    (fp("printedItem"), "印刷项目名称", "printed item name", False, ns("rdf", "langString")),
    (fp("placedBy"), "定位依据", "placed by", True, ns("xsd", "string")),
    (fp("line"), "行号", "line", False, XSD_INTEGER),
)


def _zh(text: str) -> Literal:
    return Literal(text, language="zh")


def _en(text: str) -> Literal:
    return Literal(text, language="en")


def _concept(
    iri: NamedNode, scheme: NamedNode, notation: str, zh: str, en: str | None = None
) -> Iterator[Triple]:
    yield Triple(iri, RDF_TYPE, CONCEPT)
    yield Triple(iri, ns("skos", "inScheme"), scheme)
    yield Triple(iri, ns("skos", "notation"), Literal(notation))
    yield Triple(iri, ns("skos", "prefLabel"), _zh(zh))
    if en:
        yield Triple(iri, ns("skos", "prefLabel"), _en(en))


def _scheme(iri: NamedNode, zh: str, en: str) -> Iterator[Triple]:
    yield Triple(iri, RDF_TYPE, ns("skos", "ConceptScheme"))
    yield Triple(iri, ns("skos", "prefLabel"), _zh(zh))
    yield Triple(iri, ns("skos", "prefLabel"), _en(en))


def not_applicable(scheme: str) -> NamedNode:
    return code(f"{scheme}/{NOT_APPLICABLE}")


def table_iri(table: str) -> NamedNode:
    return code(f"table/{table}")


def column_iri(column: str) -> NamedNode:
    return code(f"column/{column}")


def row_iri(row: str) -> NamedNode:
    return code(f"row/{row}")


def kind_iri(kind: str) -> NamedNode:
    return code(f"kind/{kind}")


def registry_labels() -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """Table titles, column headers and row labels by id, in registry order, variants
    included (a column id keeps every header it is printed under)."""
    titles: dict[str, str] = {}
    columns: dict[str, list[str]] = {}
    rows: dict[str, list[str]] = {}

    def add(target: dict[str, list[str]], key: str, labels: list[str]) -> None:
        have = target.setdefault(key, [])
        have += [label for label in labels if label not in have]

    for tid, spec in registry.tables().items():
        titles[tid] = spec.titles[0]
        shapes = [(spec.all_columns(), spec.all_rows())]
        shapes += [(registry.variant_columns(v), registry.variant_rows(v)) for v in spec.variants]
        for cols, rs in shapes:
            for col in cols:
                add(columns, col.id, [h.replace("/", " ") for h in col.headers] or [col.id])
                if col.row:
                    add(rows, col.row, [col.item or col.row])
            for r in rs:
                add(rows, r.id, [label.split("/")[-1] for label in r.labels])
    return titles, columns, rows


def triples() -> list[Triple]:
    """The DSD, its component properties and the small code lists, sorted."""
    return list(_triples())


@lru_cache(maxsize=1)
def keyed() -> dict[str, Triple]:
    """The DSD triples by their N-Triples text (`str`), the key every cube sorts on:
    built and formatted once per process, as they depend only on the table registry
    (itself read once), not on the package or its year."""
    return {str(t): t for t in _triples()}


@lru_cache(maxsize=1)
def _triples() -> tuple[Triple, ...]:
    t: list[Triple] = []
    dsd = NamedNode(DSD)
    t.append(Triple(dsd, RDF_TYPE, ns("qb", "DataStructureDefinition")))
    t.append(Triple(dsd, ns("rdfs", "label"), _en("fiscalpub report cube")))
    t.append(Triple(dsd, ns("rdfs", "label"), _zh("部门预决算报告数据立方体")))
    components: list[tuple[str, NamedNode, bool, NamedNode | None]] = []
    for n, dim in enumerate(DIMENSIONS, 1):
        t += [
            Triple(dim.prop, RDF_TYPE, ns("qb", "DimensionProperty")),
            Triple(dim.prop, RDF_TYPE, ns("rdf", "Property")),
            Triple(dim.prop, ns("rdfs", "label"), _zh(dim.label_zh)),
            Triple(dim.prop, ns("rdfs", "label"), _en(dim.label_en)),
            Triple(dim.prop, ns("rdfs", "range"), dim.range_),
        ]
        if dim.super_property:
            t.append(Triple(dim.prop, ns("rdfs", "subPropertyOf"), dim.super_property))
        if dim.code_list:
            t.append(Triple(dim.prop, ns("qb", "codeList"), dim.code_list))
        components.append((f"dimension-{n:02d}", dim.prop, True, None))
        spec = NamedNode(f"{DSD}/component/dimension-{n:02d}")
        t.append(Triple(spec, ns("qb", "order"), Literal(str(n), datatype=XSD_INTEGER)))
    t += [
        Triple(MEASURE, RDF_TYPE, ns("qb", "MeasureProperty")),
        Triple(MEASURE, RDF_TYPE, ns("rdf", "Property")),
        Triple(MEASURE, ns("rdfs", "label"), _zh("金额（元）")),
        Triple(MEASURE, ns("rdfs", "label"), _en("amount (yuan)")),
        Triple(MEASURE, ns("rdfs", "range"), XSD_DECIMAL),
        Triple(MEASURE, ns("rdfs", "subPropertyOf"), ns("obeu-measure", "amount")),
        Triple(
            MEASURE,
            ns("rdfs", "comment"),
            _en("The printed amount converted to yuan exactly (万元 × 10000); never rounded."),
        ),
        Triple(UNIT_MEASURE, RDF_TYPE, ns("qb", "AttributeProperty")),
    ]
    components.append(("measure", MEASURE, True, None))
    components.append(("attribute-unit", UNIT_MEASURE, True, ns("qb", "DataSet")))
    for prop, zh, en, required, range_ in ATTRIBUTES:
        t += [
            Triple(prop, RDF_TYPE, ns("qb", "AttributeProperty")),
            Triple(prop, RDF_TYPE, ns("rdf", "Property")),
            Triple(prop, ns("rdfs", "label"), _zh(zh)),
            Triple(prop, ns("rdfs", "label"), _en(en)),
            Triple(prop, ns("rdfs", "range"), range_),
        ]
        components.append((f"attribute-{prop.value.rsplit('#', 1)[1]}", prop, required, None))
    for name, prop, required, attachment in components:
        spec = NamedNode(f"{DSD}/component/{name}")
        kind = (
            "dimension"
            if name.startswith("dimension")
            else "measure"
            if name == "measure"
            else "attribute"
        )
        t += [
            Triple(dsd, ns("qb", "component"), spec),
            Triple(spec, RDF_TYPE, ns("qb", "ComponentSpecification")),
            Triple(spec, ns("qb", kind), prop),
        ]
        if kind == "attribute":
            t.append(
                Triple(
                    spec,
                    ns("qb", "componentRequired"),
                    Literal("true" if required else "false", datatype=XSD_BOOLEAN),
                )
            )
        if attachment:
            t.append(Triple(spec, ns("qb", "componentAttachment"), attachment))
    t += list(code_lists())
    return tuple(sorted(set(t), key=str))


def code_lists() -> Iterator[Triple]:
    titles, columns, rows = registry_labels()
    yield from _scheme(code("kind"), "报告类型", "report kinds")
    for kind, (zh, en) in KINDS.items():
        yield from _concept(kind_iri(kind), code("kind"), kind, zh, en)
    yield from _scheme(code("table"), "报表", "tables of the national template")
    for tid, title in titles.items():
        yield from _concept(table_iri(tid), code("table"), tid, title)
    yield from _scheme(code("column"), "栏目", "columns")
    for cid, headers in columns.items():
        yield from _concept(column_iri(cid), code("column"), cid, headers[0])
        for other in headers[1:]:
            yield Triple(column_iri(cid), ns("skos", "altLabel"), _zh(other))
    yield from _scheme(code("row"), "非科目行", "rows without a classification code")
    for rid, labels in rows.items():
        yield from _concept(row_iri(rid), code("row"), rid, labels[0])
        for other in labels[1:]:
            yield Triple(row_iri(rid), ns("skos", "altLabel"), _zh(other))
    for scheme in ("row", "function", "economic"):
        yield from _concept(
            not_applicable(scheme), code(scheme), NOT_APPLICABLE, "不适用", "not applicable"
        )
        yield Triple(
            not_applicable(scheme),
            ns("skos", "definition"),
            _en(
                "SDMX _Z: the line has no value for this dimension (a summary line has no "
                "classification code; a coded line is not a summary row)."
            ),
        )
