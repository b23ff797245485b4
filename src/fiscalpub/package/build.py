"""Build a Frictionless Data Package from a canonical report.

Everything written is deterministic (sorted, no timestamps): rebuilding the same
report gives the same bytes.  Text cells that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``) are neutralised with a leading apostrophe; number
fields are never touched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscalpub import __version__
from fiscalpub.code_index import CodeIndex, shipped_index
from fiscalpub.errors import NoIdentity, SeveralReports
from fiscalpub.model import (
    SCHEMA_VERSION,
    Finding,
    LineItem,
    Report,
    ReportMeta,
    Severity,
    Where,
    kind_label,
    several_reports,
)
from fiscalpub.package.charts import ChartError, draw
from fiscalpub.package.reader import LoadedPackage
from fiscalpub.package.schemas import SchemaFile, schema_files
from fiscalpub.package.slug import package_slug
from fiscalpub.vocab.build import concept_iri
from fiscalpub.vocab.harvest import era_of

UNKNOWN_LICENCE = {
    "name": "unknown",
    "title": "Licence not stated by the publisher (源文件未声明许可); the publisher's terms apply",
}
PHASE = {"final": "executed", "budget": "approved"}
LEVEL = {3: "类", 5: "款", 7: "项"}
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*(\.[0-9]+)?")


@dataclass
class BuiltPackage:
    """A package built in memory, before it is written: its slug and files (a package
    read back from its folder is package.reader's `LoadedPackage`)."""

    slug: str
    files: dict[str, bytes]  # relative path -> content
    # findings of the build itself, also in findings.csv (charts-skipped), for the caller
    notices: list[Finding] = field(default_factory=list)
    chart_seconds: float = 0.0  # CPU seconds of the build drawing the charts (run says it)


def table_csv(
    report: Report, table: str, schema: dict[str, Any], items: list[LineItem] | None = None
) -> bytes:
    """The wide CSV of one printed table (tables/<id>.csv) under its Table Schema: what
    build writes, and what validate rebuilds from canonical.json to compare.  `items`:
    the table's line items when the caller has them (else read from the report)."""
    names = [f["name"] for f in schema["fields"]]
    numeric = {f["name"] for f in schema["fields"] if f["type"] in ("number", "integer", "year")}
    if items is None:
        items = [li for li in report.line_items if li.table == table]
    return _csv(names, _wide_rows(items, names[3:-1]), numeric)


def _csv(
    header: list[str], rows: list[list[Any]], numeric: AbstractSet[str] = frozenset()
) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    # the csv writer itself writes None as "" and other values as str(value); only a text
    # cell that a spreadsheet would run as a formula needs a look (once per file, which)
    text = [i for i, name in enumerate(header) if name not in numeric]
    width = len(header)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} cells under {width} columns")
        cells = None
        for i in text:
            v = row[i]
            if v is not None and str(v)[:1] in _FORMULA:
                if cells is None:
                    cells = list(row)
                cells[i] = _cell(v, False)
        w.writerow(row if cells is None else cells)
    return out.getvalue().encode("utf-8")


_FORMULA = ("=", "+", "-", "@")


def _cell(value: Any, numeric: bool) -> str:
    if value is None:
        return ""
    text = str(value)
    if not numeric and text[:1] in _FORMULA and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text  # a spreadsheet would run it as a formula
    return text


def codes_resource(report: Report, index: CodeIndex) -> tuple[list[list[Any]], list[Finding]]:
    """The code list line_items point at: the year's editions plus the report's own codes."""
    year = report.report.year
    rows: dict[tuple[str, str], list[Any]] = {}
    known = {(cl, code) for (cl, _y), codes in index.editions.items() for code in codes}
    if year is not None:
        for cl in ("function", "economic"):
            for code, labels in index.codes(cl, year).items():
                rows[(cl, code)] = [
                    cl,
                    code,
                    max(labels, key=lambda s: (len(s), s)),
                    "vocabulary",
                    str(concept_iri(cl, code, era_of(cl, year))),
                ]
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for li in report.line_items:
        if not (li.code and li.classification):
            continue
        key = (li.classification, li.code)
        if key not in rows:
            era = era_of(li.classification, year) if year else ""
            rows[key] = [
                li.classification,
                li.code,
                li.item,
                "report",
                str(concept_iri(li.classification, li.code, era)),
            ]
        if key not in known and key not in seen:
            seen.add(key)
            findings.append(
                Finding(
                    "unknown-code",
                    Severity.WARNING,
                    f"{li.code} {li.item or ''} 不在任何年度的科目表中 / "
                    "is in no edition of the vocabulary yet "
                    "(the next `fiscalpub vocab build` adds it)",
                    [
                        Where(
                            source=li.source,
                            page=li.page,
                            line=li.line,
                            table=li.table,
                            code=li.code,
                        )
                    ],
                )
            )
    return [rows[k] for k in sorted(rows)], findings


def line_item_rows(report: Report) -> list[list[Any]]:
    meta = report.report
    rows = []
    for li in report.line_items:
        fn = li.code if li.classification == "function" else None
        ec = li.code if li.classification == "economic" else None
        rows.append(
            [
                li.table,
                li.column,
                li.measure,
                li.classification,
                li.code,
                li.row,
                li.item,
                li.placed_by,
                " ".join(li.candidates) or None,
                f"{li.amount:f}",
                li.printed,
                li.unit,
                li.source,
                li.page,
                li.line,
                meta.year,
                PHASE.get(meta.kind or ""),
                fn,
                LEVEL.get(len(fn)) if fn else None,
                ec,
                LEVEL.get(len(ec)) if ec else None,
            ]
        )
    return rows


def fact_rows(report: Report) -> list[list[Any]]:
    return [
        [
            f.indicator,
            None if f.amount is None else f"{f.amount:f}",
            None if f.value is None else f"{f.value:f}",
            f.unit,
            f.printed,
            f.phase,
            f.period,
            "/".join(f.path) if f.path else None,
            f.code,
            f.base,
            f.status,
            f.text,
            f.source,
            f.page,
            f.line,
        ]
        for f in report.facts
    ]


def finding_rows(findings: list[Finding]) -> list[list[Any]]:
    rows = {}
    for f in findings:
        where = json.dumps([w.__dict__ for w in f.where], ensure_ascii=False, sort_keys=True)
        rows[f.id] = [f.id, f.code, f.severity, f.message, where]
    return [rows[k] for k in sorted(rows)]


def wide_rows(report: Report, table: str, columns: list[str]) -> list[list[Any]]:
    """One row per printed row of the table, numbers as printed under their columns."""
    return _wide_rows([li for li in report.line_items if li.table == table], columns)


def _wide_rows(items: list[LineItem], columns: list[str]) -> list[list[Any]]:
    """wide_rows of the table's own line items (in their order)."""
    order: list[tuple[str | None, str | None, int, int]] = []
    cells: dict[tuple[str | None, str | None, int, int], dict[str, Any]] = {}
    # a code printed on several rows (Beijing's 支出总表: one row per function × economic
    # code; 一般公共预算支出表: one block per unit): a cell already filled starts the
    # code's next row, so that no printed value overwrites another
    repeat: dict[tuple[str | None, str | None, int], int] = {}
    for li in items:
        base = (
            li.code,
            li.row if li.code is None else None,
            li.line if li.code is None and li.row is None else 0,
        )
        n = repeat.setdefault(base, 0)
        if li.column and li.column in cells.get((*base, n), {}):
            n = repeat[base] = n + 1
        key = (*base, n)
        if key not in cells:
            order.append(key)
            cells[key] = {"item": li.item, "unplaced": []}
        if li.column:
            cells[key][li.column] = li.printed
        else:
            cells[key]["unplaced"].append(f"{li.printed} ({'|'.join(li.candidates)})")
    rows = []
    for key in order:
        c = cells[key]
        rows.append(
            [
                key[0],
                key[1],
                c["item"],
                *[c.get(col) for col in columns],
                "; ".join(c["unplaced"]) or None,
            ]
        )
    return rows


def build_package(
    report: Report,
    licence: dict[str, Any] | None = None,
    extra_findings: list[Finding] | None = None,
    index: CodeIndex | None = None,
    dataset_iri: str | None = None,
    source_files: list[tuple[str, bytes]] | None = None,
    with_charts: bool = False,
) -> BuiltPackage:
    """One package per report; `dataset_iri` (from the configured base IRI) becomes the
    descriptor's `id`, the IRI the RDF export and CKAN use for this dataset.
    `source_files` (name, bytes) are the report's own files: those whose sha256 is one of
    the report's sources are copied into ``sources/`` so the package is self-contained
    (a portal publishes the original beside the data)."""
    _refuse_unidentified(report)
    meta = report.report
    slug = package_slug(meta)
    schemas = schema_files()
    codes, unknown = codes_resource(report, index or shipped_index())
    files: dict[str, bytes] = {}
    items = schemas["line_items.schema.json"]
    files["line_items.csv"] = _csv(items.names, line_item_rows(report), items.numeric)
    files["codes.csv"] = _csv(schemas["codes.schema.json"].names, codes)
    # charts before findings.csv: a chart that cannot be drawn is a finding, not a failure
    started = time.process_time()
    chart_resources, charts_font, notices = (
        _charts(report, files, slug) if with_charts else ([], None, [])
    )
    chart_seconds = time.process_time() - started
    findings = report.findings + unknown + (extra_findings or []) + notices
    facts = schemas["facts.schema.json"]
    files["facts.csv"] = _csv(facts.names, fact_rows(report), facts.numeric)
    files["findings.csv"] = _csv(schemas["findings.schema.json"].names, finding_rows(findings))
    by_table: dict[str, list[LineItem]] = {}  # once, not once per table
    for li in report.line_items:
        by_table.setdefault(li.table, []).append(li)
    printed_tables = [t.table for t in report.tables if t.table in by_table]
    for tid in printed_tables:
        files[f"tables/{tid}.csv"] = table_csv(
            report, tid, schemas[f"tables/{tid}.schema.json"].schema, by_table[tid]
        )
    files["canonical.json"] = report.to_json().encode("utf-8")
    _add_schemas(files, schemas, printed_tables)
    resources = _data_resources(report, files, printed_tables)
    originals, source_resources = _add_sources(meta, source_files or [], files)
    resources += source_resources + chart_resources
    descriptor = _descriptor(meta, slug, dataset_iri, licence, originals, charts_font, resources)
    files["datapackage.json"] = (
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")
    return BuiltPackage(slug, files, notices, chart_seconds)


def _refuse_unidentified(report: Report) -> None:
    """No package for a report that names no department (its identity findings say why)
    or that reads as several reports in one: its slug and title would be wrong."""
    if not report.report.department:
        # the identity findings say why (identity-missing, identity-placeholder)
        why = "; ".join(
            f"{f.code}: {f.message}" for f in report.findings if f.code.startswith("identity-")
        )
        raise NoIdentity(f"no package for a report without a department ({why or 'none named'})")
    several = several_reports(report)
    if several:
        raise SeveralReports(
            "no package: several reports in one? " + "; ".join(f.message for f in several[:2])
        )


def _add_schemas(
    files: dict[str, bytes], schemas: dict[str, SchemaFile], printed_tables: list[str]
) -> None:
    """The Table Schemas of the resources written (a table's only if it prints numbers)."""
    used = [
        "line_items.schema.json",
        "codes.schema.json",
        "facts.schema.json",
        "findings.schema.json",
        *[f"tables/{t}.schema.json" for t in printed_tables],
    ]
    for name in used:
        files[f"schemas/{name}"] = schemas[name].content


def _data_resources(
    report: Report, files: dict[str, bytes], printed_tables: list[str]
) -> list[dict[str, Any]]:
    """The data resources, titled in Chinese and English: the long tables, each printed
    table as printed (its title and unit), and the canonical report."""
    resources = [
        _resource(
            "line_items",
            "line_items.csv",
            "schemas/line_items.schema.json",
            files,
            "每个印刷数字一行 / one row per printed number",
        ),
        _resource(
            "codes",
            "codes.csv",
            "schemas/codes.schema.json",
            files,
            "科目表：本年度版本加报告所印科目 / "
            "code list: the year's edition plus the report's codes",
        ),
        _resource(
            "facts",
            "facts.csv",
            "schemas/facts.schema.json",
            files,
            "情况说明中的数字 / narrative facts",
        ),
        _resource(
            "findings",
            "findings.csv",
            "schemas/findings.schema.json",
            files,
            "来源自身的矛盾与解析发现 / the source's own contradictions and parse findings",
        ),
    ]
    titles = {t.table: t.title for t in report.tables}
    units = {t.table: t.unit for t in report.tables}
    for tid in printed_tables:
        resources.append(
            _resource(
                f"table-{tid.replace('_', '-')}",
                f"tables/{tid}.csv",
                f"schemas/tables/{tid}.schema.json",
                files,
                f"{titles.get(tid) or tid}（单位：{units.get(tid) or '?'}）/ "
                f"as printed, unit {units.get(tid)}",
            )
        )
    resources.append(
        {
            "name": "canonical",
            "path": "canonical.json",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "title": "规范报告 / the canonical report (fiscalpub parse --json)",
            **_integrity(files["canonical.json"]),
        }
    )
    return resources


def _add_sources(
    meta: ReportMeta, source_files: list[tuple[str, bytes]], files: dict[str, bytes]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The report's own source files copied into ``sources/`` (only those whose sha256 is
    one of its sources, each once): sha256 -> path in the package, and their resources."""
    originals: dict[str, str] = {}  # sha256 -> path in the package
    resources: list[dict[str, Any]] = []
    for name, content in source_files:
        digest = hashlib.sha256(content).hexdigest()
        if digest in {src.sha256 for src in meta.sources} and digest not in originals:
            rel = f"sources/{Path(name).name}"
            if rel in files:  # two sources of one report with the same base name
                rel = f"sources/{len(originals) + 1}-{Path(name).name}"
            files[rel] = content
            originals[digest] = rel
            suffix = Path(name).suffix.lower()
            resources.append(
                {
                    "name": f"source-{len(originals)}",
                    "path": rel,
                    "format": suffix.lstrip(".") or "bin",
                    "mediatype": SOURCE_MEDIA.get(suffix, "application/octet-stream"),
                    "title": "原始报告 / the source report as published",
                    # the digest just taken: a source is most of a package's bytes
                    "hash": f"sha256:{digest}",
                    "bytes": len(content),
                }
            )
    return originals, resources


def _descriptor(
    meta: ReportMeta,
    slug: str,
    dataset_iri: str | None,
    licence: dict[str, Any] | None,
    originals: dict[str, str],
    charts_font: str | None,
    resources: list[dict[str, Any]],
) -> dict[str, Any]:
    """datapackage.json: title and description in Chinese and English, licence, sources
    (a copied original by its path in the package), keywords, fiscal period and the
    fiscalpub block (version, identity, self-check); keys without a value left out."""
    kind = kind_label(meta.kind, meta.scope)
    descriptor: dict[str, Any] = {
        "id": dataset_iri,
        "name": slug,
        "title": f"{meta.department or '（部门不详）'}{meta.year or ''}年度{kind}",
        "description": (
            f"{meta.department or ''} {meta.year or ''} 年度{kind}的全部印刷数字（精确到分）、"
            "情况说明中的数字与来源自身的矛盾。"
            f" Every printed number of the {meta.year} "
            f"{'final accounts' if meta.kind == 'final' else 'budget'} "
            f"of {meta.department}, exact, with its location; narrative facts; "
            "the source's own contradictions."
        ),
        "licenses": [licence or UNKNOWN_LICENCE],
        "sources": [
            {"title": s.path, "path": originals.get(s.sha256, s.path), "sha256": s.sha256}
            for s in meta.sources
        ],
        "keywords": sorted(
            {
                k
                for k in (
                    kind,
                    str(meta.year or ""),
                    meta.department or "",
                    meta.region.name or "",
                    "fiscalpub",
                )
                if k
            }
        ),
        "countryCode": "CN",
        "fiscalPeriod": {"start": f"{meta.year}-01-01", "end": f"{meta.year}-12-31"}
        if meta.year
        else None,
        "fiscalpub": {
            "version": __version__,
            "schema_version": SCHEMA_VERSION,
            "department": meta.department,
            "region": meta.region.name,
            "year": meta.year,
            "kind": meta.kind,
            "scope": meta.scope,
            # contract 1.1: the report's self-check (README "Self-check")
            **({"checks": meta.checks.to_dict()} if meta.checks else {}),
            **({"charts_font": charts_font} if charts_font else {}),
        },
        "resources": resources,
    }
    return {k: v for k, v in descriptor.items() if v is not None}


SOURCE_MEDIA = {".pdf": "application/pdf", ".txt": "text/plain", ".json": "application/json"}


def _charts(
    report: Report, files: dict[str, bytes], slug: str
) -> tuple[list[dict[str, Any]], str | None, list[Finding]]:
    """Charts of the package's own CSVs (fiscalpub.package.charts), added to `files`: their
    resources, the font that drew them, and a `charts-skipped` warning when they cannot
    be drawn (no font with every glyph): the package is built without them."""
    meta = report.report
    view = LoadedPackage(
        Path(slug),
        {
            "name": slug,
            "fiscalpub": {
                "department": meta.department,
                "region": meta.region.name,
                "year": meta.year,
                "kind": meta.kind,
            },
        },
        _rows(files["line_items.csv"]),
        _rows(files["codes.csv"]),
        files,
    )
    try:
        drawn = draw(view)
    except ChartError as exc:
        return (
            [],
            None,
            [
                Finding(
                    "charts-skipped",
                    Severity.WARNING,
                    f"图表未生成，数据完整 / charts skipped, the data are complete: {exc}",
                    [Where()],
                )
            ],
        )
    out = []
    for rel, content in sorted(drawn.files.items()):
        files[rel] = content
        suffix = Path(rel).suffix
        out.append(
            {
                "name": "chart-" + Path(rel).stem + suffix.replace(".", "-"),
                "path": rel,
                "format": suffix.lstrip("."),
                "mediatype": {".png": "image/png", ".svg": "image/svg+xml"}[suffix],
                "title": {
                    "expenditure-by-function": "支出按功能分类（类）/ expenditure by function",
                    "basic-by-economic": "基本支出按经济分类（类）/ basic expenditure by "
                    "economic class",
                }.get(Path(rel).stem, Path(rel).stem),
                **_integrity(content),
            }
        )
    return out, drawn.font, []


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _integrity(content: bytes) -> dict[str, Any]:
    return {"hash": f"sha256:{hashlib.sha256(content).hexdigest()}", "bytes": len(content)}


def _resource(
    name: str, path: str, schema: str, files: dict[str, bytes], title: str
) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "schema": schema,
        **_integrity(files[path]),
    }


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_package(package: BuiltPackage, out: Path) -> Path:
    """Write all or nothing: the package folder appears only when complete."""
    target = out / package.slug
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{package.slug}.", dir=out))
    try:
        # mkdtemp makes a private (0700) folder: the package gets a folder's usual
        # permissions instead, so a web server or another user can read what it links
        tmp.chmod(0o777 & ~_umask())
        made = {tmp}  # each folder made once, not once per file in it
        for rel, content in sorted(package.files.items()):
            path = tmp / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(content)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
