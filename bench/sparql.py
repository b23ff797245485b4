"""Benchmark: SPARQL over the RDF Data Cube export, pyoxigraph against rdflib in memory.

Load and query times in the embedded store (pyoxigraph) on 1,000,000 synthetic
observations, and against rdflib on a 100,000-observation subset, in the same run.

Synthetic packages are made from the real ones (datapackages/*/ and, when ../shared/corpus
exists, the reports of vocab/sources.txt built with `fiscalpub build` into a temp folder):
copies with synthetic departments over several provinces, one report a year 2019-2024
(2012-2017 for a report printed with the pre-2018 economic classification), every amount
and printed value multiplied by a per-copy integer factor (exact Decimal arithmetic).  The
copies are written as N-Triples before anything is timed: a copy's own triples (dataset,
observations, distributions) and its department, source and pages are string-templated
from its line items (building ~20M pyoxigraph Triples in Python would take far longer);
what the copies of one report and year share (code-list editions and concepts, the DSD,
the period) comes from `cube()` on the first copy.  Every such first copy is checked: the
templated triples must be triples `cube()` makes and the shared part may not mention the
copy.  `--self-check` compares templated + shared against `cube()` on further copies.

Measured, each engine in its own child process (so its RSS is its own):
- pyoxigraph: `Store()` in memory, `bulk_load` of the vocabulary Turtle (the files
  `fiscalpub query` loads) and the N-Triples, on the subset and on the full set;
- rdflib: `Graph()` parsing the same files, on the subset only;
- the queries of docs/queries/*.rq (or --queries DIR; three built-in ones if there is no
  .rq), with fiscalpub's usual prefixes (`with_prefixes`), the default graph being the
  union; median of up to --runs runs (not repeated after a run over 5 s), the results
  materialised in Python.  A query is stopped after --timeout seconds ("> N s"); one
  running inside pyoxigraph cannot be interrupted, so its process is killed and the data
  loaded again for the next queries.  A query over the timeout on the subset is not run
  on the full set;
- serialising the loaded subset (vocabulary included) to Turtle with each engine.
Answers of pyoxigraph and rdflib on the subset are compared (row count, then the values,
numbers as decimals); a difference is a WARNING line.

Layout: `--graphs default` (the default) loads everything into the default graph;
`--graphs named` writes the copies as N-Quads, each dataset in its own named graph, what
they share and the vocabulary in the vocabulary graph, as `fiscalpub query` does (rdflib
then uses a Dataset with default_union=True, and both serialise TriG).

    python bench/sparql.py                                   # 1,000,000 / 100,000
    python bench/sparql.py --observations 20000 --rdflib-observations 5000    # quick
    python bench/sparql.py --graphs named --skip-rdflib-queries --timeout 30
    python bench/sparql.py --self-check

The default run takes ~8 minutes (4 of them rdflib's: loading, two queries and the Turtle
serialisation over the timeouts); it writes 3.8 GB of N-Triples to the temp folder and
needs ~6.5 GB of RAM.  Offline.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
import multiprocessing
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, Triple, parse, serialize

from fiscalpub import __version__
from fiscalpub.code_index import CodeIndex, shipped_index
from fiscalpub.config import PLACEHOLDER_BASE
from fiscalpub.package.reader import LoadedPackage, PackageError, read_package
from fiscalpub.rdf import dsd
from fiscalpub.rdf.cube import (
    ERA_SPLIT,
    MEDIA,
    TABLE_SCHEMA,
    cube,
    package_iri,
)
from fiscalpub.rdf.query import with_prefixes
from fiscalpub.rdf.store import VOCAB_FILES, VOCAB_GRAPH, vocab_dir
from fiscalpub.rdf.terms import CNY, CODE, DSD, PREFIXES, SOURCE, ZH, year_iri
from fiscalpub.vocab.departments import org_iri

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUERIES = ROOT / "docs" / "queries"
BASE = PLACEHOLDER_BASE
YEARS = tuple(range(2019, 2025))
YEARS_PRE2018 = tuple(range(2012, 2018))  # a report printed with the pre-2018 economic codes
OCTETS = "application/octet-stream"
PROVINCES = ("河北省", "山西省", "江苏省", "浙江省", "河南省", "湖南省", "广东省", "四川省")
REPEAT_BELOW = 5.0  # seconds: a slower query run is not repeated

# ------------------------------------------------------------------ built-in queries
_T = CODE + "table/expenditure"
_C = CODE + "column/total"
BUILTIN = {
    "observations-per-table": """
SELECT ?table (COUNT(?obs) AS ?observations)
WHERE { ?obs a qb:Observation ; fp:table ?table . }
GROUP BY ?table
ORDER BY ?table
""",
    "expenditure-by-department-year": f"""
# table expenditure, column total, 类 lines (the table's total): by department and year
SELECT ?department ?year (SUM(?amount) AS ?total)
WHERE {{
  ?obs fp:table <{_T}> ; fp:column <{_C}> ;
       fp:functionalClassification ?edition ;
       fp:department ?org ; fp:fiscalYear ?period ; fp:amount ?amount .
  ?edition skos:notation ?code .
  FILTER(STRLEN(?code) = 3)
  ?org skos:prefLabel ?department .
  ?period rdfs:label ?year .
}}
GROUP BY ?department ?year
ORDER BY ?department ?year
""",
    "rollup-xiang-to-lei": f"""
# 项 lines of the expenditure table rolled up to their 类 through the concepts
SELECT ?lei ?label (SUM(?amount) AS ?total) (COUNT(?obs) AS ?lines)
WHERE {{
  ?obs fp:table <{_T}> ; fp:column <{_C}> ;
       fp:functionalClassification ?edition ; fp:amount ?amount .
  ?edition dct:isVersionOf ?xiang .
  ?xiang fp:level "项"@zh ; skos:broader+ ?lei .
  ?lei fp:level "类"@zh ; skos:prefLabel ?label .
  FILTER(LANG(?label) = "zh")
}}
GROUP BY ?lei ?label
ORDER BY ?lei
""",
}


def queries(folder: Path) -> tuple[dict[str, str], str]:
    """The queries by name and where they come from."""
    found = sorted(folder.glob("*.rq")) if folder.is_dir() else []
    if not found:
        return dict(BUILTIN), f"built-in ({folder} has no .rq)"
    return {p.stem: p.read_text(encoding="utf-8") for p in found}, f"{folder}/*.rq"


# ------------------------------------------------------------------ real packages
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_reports() -> list[list[str]]:
    """The reports of vocab/sources.txt that exist, each as its list of files."""
    listing = ROOT / "vocab" / "sources.txt"
    if not listing.is_file():
        return []
    out = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        files = [ROOT / f for f in line.split()]
        if all(f.is_file() for f in files):
            out.append([str(f) for f in files])
    return out


def real_packages(tmp: Path, use_corpus: bool) -> list[LoadedPackage]:
    """The shipped packages and, if the corpus is there, those built from it; deduplicated
    by name, without packages that have no observation or that cube() refuses (a note)."""
    dirs = sorted(p.parent for p in ROOT.glob("datapackages/*/datapackage.json"))
    reports = corpus_reports() if use_corpus and SHARED.is_dir() else []
    if reports:
        out = tmp / "corpus"
        # one call for the one-file reports, one per report of several files (--part)
        calls = [[f for g in reports if len(g) == 1 for f in g]]
        calls += [[a for f in g for a in ("--part", f)] for g in reports if len(g) > 1]
        for args in calls:
            cmd = [sys.executable, "-m", "fiscalpub.cli", "build", *args, "-o", str(out)]
            done = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True)
            if done.returncode != 0:
                break
        if done.returncode != 0:
            log(f"fiscalpub build of the corpus failed ({done.stderr.strip()[-300:]}): skipped")
        else:
            dirs += sorted(p.parent for p in out.glob("*/datapackage.json"))
    packages: dict[str, LoadedPackage] = {}
    for d in dirs:
        package = read_package(d)
        if package.name in packages:
            continue
        if not observations(package):
            continue
        try:
            cube(package, BASE, shipped_index())
        except PackageError as exc:
            log(f"note: {package.name}: left out, cube() refuses it: {exc}"[:300])
            continue
        packages[package.name] = package
    return list(packages.values())


def placed(line_items: list[dict[str, str]]) -> Iterator[tuple[dict[str, str], str, str]]:
    """The placed line items with their observation key and row, as cube() makes them: a
    line with neither code nor row gets a row minted from its printed name."""
    seen: set[tuple[str, str, str]] = set()
    for li in line_items:
        if not li["column"]:
            continue
        c, row = li["code"], li["row"]
        if not c and not row:
            row = "printed-" + hashlib.sha256(li["item"].encode("utf-8")).hexdigest()[:12]
            if (li["table"], row, li["column"]) in seen:
                row += f"-l{li['line']}"
        key = c if c else row
        seen.add((li["table"], key, li["column"]))
        yield li, key, row


def observations(package: LoadedPackage) -> int:
    return len({(li["table"], key, li["column"]) for li, key, _row in placed(package.line_items)})


# ------------------------------------------------------------------ synthesis
@dataclasses.dataclass(frozen=True)
class Copy:
    source: int  # index into the real packages
    department: int
    year: int
    observations: int


def plan(sources: list[LoadedPackage], target: int) -> list[Copy]:
    """Departments (each modelled on one real package, round robin) publishing one report
    a year, until `target` observations; the order is the order of the files, so any
    prefix has departments of every real package and every year."""
    copies: list[Copy] = []
    total = 0
    k = 0
    while total < target:
        s = k % len(sources)
        src = sources[s]
        era = int(src.meta["year"]) < ERA_SPLIT["economic"]
        for year in YEARS_PRE2018 if era else YEARS:
            n = observations(src)
            copies.append(Copy(s, k, year, n))
            total += n
            if total >= target:
                break
        k += 1
    return copies


def scale(text: str, factor: int) -> str:
    """`text` (a number as printed or stored) times `factor`, exactly, same decimals."""
    s = text.strip()
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return text
    return f"{value * factor:,f}" if "," in s else f"{value * factor:f}"


def synthesise(src: LoadedPackage, copy: Copy) -> LoadedPackage:
    """A package like `src` from another department, year and scale."""
    meta = src.meta
    old_dept, old_region = str(meta["department"]), str(meta.get("region") or "")
    old_year, year = str(meta["year"]), str(copy.year)
    suffix = old_dept[len(old_region) :] if old_region and old_dept.startswith(old_region) else ""
    province = PROVINCES[copy.department % len(PROVINCES)]
    region = f"{province}某某{copy.department // len(PROVINCES) + 1}市某区"
    department = f"{region}{suffix or old_dept}"
    factor = 1 + (copy.department * 7 + copy.year) % 9
    kind = str(meta["kind"])
    name = f"synthetic-{copy.department:05d}-{year}-{kind}"

    def swap(text: str) -> str:
        text = text.replace(old_dept, department)
        if old_region:
            text = text.replace(old_region, region)
        return text.replace(old_year, year)

    d = dict(src.descriptor)
    d.pop("id", None)  # a package built with a base IRI: its id is its dataset IRI
    d["name"] = name
    for key in ("title", "description"):
        if key in d:
            d[key] = swap(str(d[key]))
    d["keywords"] = [swap(str(k)) for k in d.get("keywords", [])]
    d["fiscalpub"] = {**meta, "department": department, "region": region, "year": copy.year}
    d["fiscalPeriod"] = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    d["sources"] = [
        {**s, "sha256": hashlib.sha256(f"{name}/{s['sha256']}".encode()).hexdigest()}
        for s in d.get("sources") or []
    ]
    items = [
        {
            **li,
            "amount": scale(li["amount"], factor),
            "printed": scale(li["printed"], factor),
            "fiscal_year": year,
        }
        for li in src.line_items
    ]
    files = dict(src.files)
    if items:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(items[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
        files["line_items.csv"] = buf.getvalue().encode("utf-8")
    return LoadedPackage(src.path, d, items, src.codes, files)


# ------------------------------------------------------------------ N-Triples templating
_ESCAPES = {i: f"\\u{i:04X}" for i in range(32)} | {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def _s(value: str) -> str:
    return '"' + value.translate(_ESCAPES) + '"'


def _zh(value: str) -> str:
    return _s(value) + "@zh"


def _n(prefix: str, local: str) -> str:
    return f"<{PREFIXES[prefix]}{local}>"


A = _n("rdf", "type")
XSD_INT = "^^" + _n("xsd", "integer")
XSD_DEC = "^^" + _n("xsd", "decimal")
FP = {
    k: _n("fp", k)
    for k in (
        "generator",
        "printedValue",
        "printedUnit",
        "printedDecimals",
        "placedBy",
        "printedItem",
        "line",
        "page",
    )
}
DIM_PROPS = [f"<{d.prop.value}>" for d in dsd.DIMENSIONS]
MEASURE = f"<{dsd.MEASURE.value}>"
NA = {s: f"<{dsd.not_applicable(s).value}>" for s in ("row", "function", "economic")}


_DIGESTS: dict[int, tuple[bytes, str]] = {}


def _sha256(data: bytes) -> str:
    """Hex sha256, remembered for the big files all copies of a package share (sources)."""
    hit = _DIGESTS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > 1 << 16:
        _DIGESTS[id(data)] = (data, digest)
    return digest


def _decimals(printed: str) -> int:
    text = printed.strip().replace(",", "")
    return len(text.split(".", 1)[1]) if "." in text else 0


def templated(
    package: LoadedPackage, base: str, graph: bool = False
) -> tuple[list[str], list[str]]:
    """N-Triples lines of what is the package's own in `cube()` (dataset, distributions,
    observations; N-Quads in the dataset's graph if `graph`) and of its department,
    sources and pages - every triple of `cube()` but the edition concepts, the DSD and
    the period, which copies of one report and year share."""
    meta = package.meta
    d = package.descriptor
    ds_v = package_iri(package, base)
    ds = f"<{ds_v}>"
    end = f" {ds} .\n" if graph else " .\n"
    year = int(meta["year"])
    dept_name = str(meta["department"])
    dept = f"<{org_iri(dept_name)}>"
    kind = f"<{dsd.kind_iri(str(meta['kind'])).value}>"
    period = f"<{year_iri(year).value}>"
    own: list[str] = []
    o = own.append
    shared: list[str] = [
        f"{dept} {A} {_n('org', 'Organization')} .\n",
        f"{dept} {_n('skos', 'prefLabel')} {_zh(dept_name)} .\n",
    ]
    sh = shared.append

    o(f"{ds} {A} {_n('qb', 'DataSet')}{end}")
    o(f"{ds} {A} {_n('dcat', 'Dataset')}{end}")
    o(f"{ds} {_n('qb', 'structure')} <{DSD}>{end}")
    o(f"{ds} {_n('dct', 'identifier')} {_s(package.name)}{end}")
    o(f"{ds} {_n('dct', 'title')} {_zh(str(d.get('title', package.name)))}{end}")
    if d.get("description"):
        o(f"{ds} {_n('dct', 'description')} {_zh(str(d['description']))}{end}")
    for keyword in d.get("keywords", []):
        o(f"{ds} {_n('dcat', 'keyword')} {_zh(str(keyword))}{end}")
    o(f"{ds} {_n('dct', 'publisher')} {dept}{end}")
    o(f"{ds} {_n('dct', 'temporal')} {period}{end}")
    o(f"{ds} {_n('dct', 'language')} <{ZH.value}>{end}")
    o(f"{ds} {_n('dct', 'conformsTo')} <{DSD}>{end}")
    o(f"{ds} {_n('dct', 'type')} {kind}{end}")
    o(f"{ds} <{dsd.UNIT_MEASURE.value}> <{CNY.value}>{end}")
    o(f"{ds} {FP['generator']} {_s(f'fiscalpub {__version__}')}{end}")
    for lic in d.get("licenses", []):
        if lic.get("path"):
            o(f"{ds} {_n('dct', 'license')} <{lic['path']}>{end}")
        else:
            o(f"{ds} {_n('dct', 'rights')} {_s(str(lic.get('title') or lic['name']))}{end}")

    for rel, data in sorted(package.files.items()):
        resource_ = next(r for r in d["resources"] if r.get("path") == rel)
        dist_v = f"{ds_v}/distribution/{resource_['name']}"
        dist, checksum = f"<{dist_v}>", f"<{dist_v}/sha256>"
        media = resource_.get("mediatype") or MEDIA.get(Path(rel).suffix, OCTETS)
        o(f"{ds} {_n('dcat', 'distribution')} {dist}{end}")
        o(f"{dist} {A} {_n('dcat', 'Distribution')}{end}")
        o(f"{dist} {_n('dct', 'title')} {_s(rel)}{end}")
        o(f"{dist} {_n('dct', 'identifier')} {_s(str(resource_['name']))}{end}")
        o(
            f"{dist} {_n('dcat', 'mediaType')} "
            f"<https://www.iana.org/assignments/media-types/{media}>{end}"
        )
        o(f"{dist} {_n('dct', 'format')} {_s(Path(rel).suffix.lstrip('.').upper())}{end}")
        o(f'{dist} {_n("dcat", "byteSize")} "{len(data)}"{XSD_INT}{end}')
        o(f"{dist} {_n('spdx', 'checksum')} {checksum}{end}")
        o(f"{checksum} {A} {_n('spdx', 'Checksum')}{end}")
        o(f"{checksum} {_n('spdx', 'algorithm')} {_n('spdx', 'checksumAlgorithm_sha256')}{end}")
        digest = _sha256(data)
        o(f'{checksum} {_n("spdx", "checksumValue")} "{digest}"^^{_n("xsd", "hexBinary")}{end}')
        if resource_.get("schema"):
            o(f"{dist} {_n('dct', 'conformsTo')} <{TABLE_SCHEMA.value}>{end}")

    sources: list[str] = []
    for s in d.get("sources") or []:
        node = f"<{SOURCE}sha256/{s['sha256']}>"
        sources.append(node[:-1])
        o(f"{ds} {_n('prov', 'wasDerivedFrom')} {node}{end}")
        o(f"{ds} {_n('dct', 'source')} {node}{end}")
        sh(f"{node} {A} {_n('prov', 'Entity')} .\n")
        sh(f"{node} {A} {_n('foaf', 'Document')} .\n")
        sh(f"{node} {_n('dct', 'title')} {_s(str(s.get('title') or s.get('path')))} .\n")
        ident = _s(f"sha256:{s['sha256']}")
        sh(f"{node} {_n('dct', 'identifier')} {ident} .\n")

    p_dept, p_year, p_kind, p_table, p_row, p_fn, p_ec, p_col = DIM_PROPS
    head = f" {A} {_n('qb', 'Observation')}{end}"
    in_ds = f" {_n('qb', 'dataSet')} {ds}{end}"
    fixed = f" {p_dept} {dept}{end}", f" {p_year} {period}{end}", f" {p_kind} {kind}{end}"
    derived = f" {_n('prov', 'wasDerivedFrom')} "
    pages: set[tuple[int, int]] = set()
    for li, key, row in placed(package.line_items):
        cl, c = li["classification"], li["code"]
        if c and cl not in ("function", "economic"):
            raise PackageError(f"{package.path}: code {c} without a known classification")
        obs = f"<{ds_v}/obs/{li['table']}/{key}/{li['column']}>"
        edition = f"<{CODE}{cl}/{year}/{c}>" if c else ""
        o(obs + head)
        o(obs + in_ds)
        o(obs + fixed[0])
        o(obs + fixed[1])
        o(obs + fixed[2])
        o(f"{obs} {p_table} <{CODE}table/{li['table']}>{end}")
        o(f"{obs} {p_row} {f'<{CODE}row/{row}>' if row and not c else NA['row']}{end}")
        o(f"{obs} {p_fn} {edition if cl == 'function' and c else NA['function']}{end}")
        o(f"{obs} {p_ec} {edition if cl == 'economic' and c else NA['economic']}{end}")
        o(f"{obs} {p_col} <{CODE}column/{li['column']}>{end}")
        o(f"{obs} {MEASURE} {_s(li['amount'])}{XSD_DEC}{end}")
        o(f"{obs} {FP['printedValue']} {_s(li['printed'])}{end}")
        o(f"{obs} {FP['printedUnit']} {_s(li['unit'])}{end}")
        o(f'{obs} {FP["printedDecimals"]} "{_decimals(li["printed"])}"{XSD_INT}{end}')
        o(f"{obs} {FP['placedBy']} {_s(li['placed_by'])}{end}")
        if li.get("item"):
            o(f"{obs} {FP['printedItem']} {_zh(li['item'])}{end}")
        if li.get("line"):
            o(f"{obs} {FP['line']} {_s(li['line'])}{XSD_INT}{end}")
        if li.get("source") and li.get("page"):
            src, page = int(li["source"]), int(li["page"])
            if src < len(sources):
                pages.add((src, page))
                o(f"{obs}{derived}{sources[src]}#page={page}>{end}")
    for src, page in sorted(pages):
        node = f"{sources[src]}#page={page}>"
        sh(f"{node} {A} {_n('prov', 'Entity')} .\n")
        sh(f"{node} {_n('dct', 'isPartOf')} {sources[src]}> .\n")
        sh(f'{node} {FP["page"]} "{page}"{XSD_INT} .\n')
    return list(dict.fromkeys(own)), list(dict.fromkeys(shared))


def _triples(lines: list[str]) -> set[Triple]:
    """The triples of N-Triples or N-Quads lines (graph names dropped)."""
    return {q.triple for q in parse("".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS)}


def template(package: LoadedPackage, base: str, index: CodeIndex) -> list[Triple]:
    """What copies of `package`'s report and year share: `cube()` minus the templated
    triples.  Raises if the templating makes a triple cube() does not, or if the shared
    part mentions this copy's dataset, department or sources."""
    made = cube(package, base, index)
    own, shared = templated(package, base)
    mine = _triples(own + shared)
    extra = mine - set(made)
    if extra:
        sample = "\n  ".join(sorted(str(t) for t in extra)[:5])
        raise SystemExit(f"bench: templated triples that cube() does not make:\n  {sample}")
    rest = [t for t in made if t not in mine]
    marks = [package_iri(package, base), str(org_iri(str(package.meta["department"])))]
    marks += [str(s["sha256"]) for s in package.descriptor.get("sources") or []]
    leaks = [str(t) for t in rest if any(m in str(t) for m in marks)]
    if leaks:
        sample = "\n  ".join(leaks[:5])
        raise SystemExit(
            f"bench: cube() triples of one copy missing from the template:\n  {sample}"
        )
    return rest


def nt_lines(triples: list[Triple]) -> list[str]:
    out = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert out is not None
    return out.decode("utf-8").splitlines(keepends=True)


@dataclasses.dataclass
class Generated:
    seconds: float
    copies: int
    departments: int
    observations: int
    subset_copies: int
    subset_observations: int
    lines: dict[str, int]  # file name: lines
    full: list[tuple[str, str, str | None]]  # (path, format, graph) to load
    subset: list[tuple[str, str, str | None]]
    check_seconds: float


def generate(
    sources: list[LoadedPackage], copies: list[Copy], subset: int, tmp: Path, named: bool
) -> Generated:
    """Write the copies: own-{subset,rest}.nt|.nq and shared-{subset,rest}.nt."""
    start = time.perf_counter()
    index = shipped_index()
    ext = "nq" if named else "nt"
    paths = {
        name: tmp / f"{name}.{ext if name.startswith('own') else 'nt'}"
        for name in ("own-subset", "own-rest", "shared-subset", "shared-rest")
    }
    handles = {name: p.open("w", encoding="utf-8", buffering=1 << 22) for name, p in paths.items()}
    counts = dict.fromkeys(paths, 0)
    seen: set[str] = set()  # shared lines already written
    templates: dict[tuple[int, int], list[str]] = {}
    check = 0.0
    done = subset_copies = subset_obs = 0
    last = time.perf_counter()
    try:
        for i, copy in enumerate(copies):
            part = "subset" if subset_obs < subset else "rest"
            package = synthesise(sources[copy.source], copy)
            key = (copy.source, copy.year)
            if key not in templates:
                t0 = time.perf_counter()
                templates[key] = nt_lines(template(package, BASE, index))
                check += time.perf_counter() - t0
            own, shared = templated(package, BASE, graph=named)
            fresh = [line for line in templates[key] + shared if line not in seen]
            seen.update(fresh)
            handles[f"own-{part}"].writelines(own)
            handles[f"shared-{part}"].writelines(fresh)
            counts[f"own-{part}"] += len(own)
            counts[f"shared-{part}"] += len(fresh)
            done += copy.observations
            if part == "subset":
                subset_copies += 1
                subset_obs += copy.observations
            if time.perf_counter() - last > 30:
                last = time.perf_counter()
                log(f"generated {i + 1}/{len(copies)} copies, {done:,} observations")
    finally:
        for h in handles.values():
            h.close()
    folder = vocab_dir()
    vocab_graph = VOCAB_GRAPH if named else None
    vocab: list[tuple[str, str, str | None]] = [
        (str(folder / name), "turtle", vocab_graph)
        for name in VOCAB_FILES
        if (folder / name).is_file()
    ]

    def files(part: str) -> list[tuple[str, str, str | None]]:
        return [
            (str(paths[f"shared-{part}"]), "nt", vocab_graph),
            (str(paths[f"own-{part}"]), ext, None),
        ]

    return Generated(
        seconds=time.perf_counter() - start - check,
        copies=len(copies),
        departments=len({c.department for c in copies}),
        observations=done,
        subset_copies=subset_copies,
        subset_observations=subset_obs,
        lines={paths[k].name: v for k, v in counts.items()},
        full=vocab + files("subset") + files("rest"),
        subset=vocab + files("subset"),
        check_seconds=check,
    )


# ------------------------------------------------------------------ engines (children)
class Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Timeout


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


NUMERIC = {PREFIXES["xsd"] + t for t in ("decimal", "integer", "double", "float", "int", "long")}
Rows = list[tuple[str, ...]]
Loads = list[tuple[str, str, str | None]]
Opened = tuple[dict[str, Any], Callable[[str], Rows], Callable[[str], None]]


def _number(value: str) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        return value


def open_oxigraph(loads: Loads) -> Opened:
    """A pyoxigraph Store with `loads`; load statistics, a query and a dump function."""
    from pyoxigraph import (
        BlankNode,
        DefaultGraph,
        Literal,
        NamedNode,
        QueryBoolean,
        QuerySolutions,
        Store,
    )

    formats = {"turtle": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS}
    named = any(g for _p, _f, g in loads)

    def norm(term: object) -> str:
        if isinstance(term, NamedNode):
            return term.value
        if isinstance(term, Literal):
            if term.language:
                return f"{term.value}@{term.language}"
            return _number(term.value) if term.datatype.value in NUMERIC else term.value
        if isinstance(term, BlankNode):
            return "_:"
        return "" if term is None else str(term)

    stats: dict[str, Any] = {"rss_before": rss_mb()}
    store = Store()
    start = time.perf_counter()
    for path, fmt, graph in loads:
        if fmt == "nq":
            store.bulk_load(path=path, format=formats[fmt])
        else:
            target = NamedNode(graph) if graph else DefaultGraph()
            store.bulk_load(path=path, format=formats[fmt], to_graph=target)
    stats["load"] = time.perf_counter() - start
    stats["triples"] = len(store)

    def execute(query: str) -> Rows:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, QueryBoolean):
            return [(str(bool(result)).lower(),)]
        if isinstance(result, QuerySolutions):
            names = [v.value for v in result.variables]
            return [tuple(norm(s[n]) for n in names) for s in result]
        return [(norm(t.subject), norm(t.predicate), norm(t.object)) for t in result]

    def write(path: str) -> None:
        if named:
            store.dump(path, format=RdfFormat.TRIG, prefixes=PREFIXES)
        else:
            store.dump(path, format=RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=PREFIXES)

    return stats, execute, write


def open_rdflib(loads: Loads) -> Opened:
    """The same with an rdflib Graph (a Dataset with default_union=True for named graphs)."""
    from rdflib import BNode, Dataset, Graph, Literal, URIRef

    formats = {"turtle": "turtle", "nt": "nt", "nq": "nquads"}
    named = any(g for _p, _f, g in loads)

    def norm(term: object) -> str:
        if isinstance(term, URIRef):
            return str(term)
        if isinstance(term, Literal):
            if term.language:
                return f"{term}@{term.language}"
            dt = str(term.datatype) if term.datatype else ""
            return _number(str(term)) if dt in NUMERIC else str(term)
        if isinstance(term, BNode):
            return "_:"
        return "" if term is None else str(term)

    stats: dict[str, Any] = {"rss_before": rss_mb()}
    graph: Graph = Dataset(default_union=True) if named else Graph()
    start = time.perf_counter()
    for path, fmt, target in loads:
        if isinstance(graph, Dataset) and target:
            graph.graph(URIRef(target)).parse(path, format=formats[fmt])
        else:
            graph.parse(path, format=formats[fmt])
    stats["load"] = time.perf_counter() - start
    stats["triples"] = len(graph)
    for prefix, iri in PREFIXES.items():  # the prefixes pyoxigraph is given for Turtle
        graph.bind(prefix, iri, replace=True)

    def execute(query: str) -> Rows:
        result = graph.query(query)
        if result.type == "ASK":
            return [(str(bool(result.askAnswer)).lower(),)]
        if result.type == "SELECT":
            names = result.vars or []
            return [tuple(norm(row[v]) for v in names) for row in result]  # type: ignore[index, call-overload]
        return [(norm(s), norm(p), norm(o)) for s, p, o in result]  # type: ignore[misc]

    def write(path: str) -> None:
        graph.serialize(destination=path, format="trig" if named else "turtle")

    return stats, execute, write


ENGINES: dict[str, Callable[[Loads], Opened]] = {"pyoxigraph": open_oxigraph, "rdflib": open_rdflib}


def _with_alarm(fn: Callable[[], Any], seconds: float) -> Any:
    """fn(), Timeout after `seconds` - only once control is back in Python: rdflib stops
    there, a query inside pyoxigraph does not (the parent process kills it then)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def one_query(execute: Callable[[str], Rows], query: str, runs: int, timeout: float) -> Any:
    """Median seconds of up to `runs` runs (a run over REPEAT_BELOW s is not repeated), the
    row count and a digest of the sorted rows; or a timeout or an error."""
    times: list[float] = []
    rows: Rows = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            rows = _with_alarm(lambda: execute(query), timeout)
            times.append(time.perf_counter() - start)
            if times[-1] > REPEAT_BELOW:
                break
    except Timeout:
        return {"seconds": None, "timeout": True}
    except Exception as exc:  # a query an engine rejects: reported, the others still run
        return {"seconds": None, "error": f"{type(exc).__name__}: {exc}"[:300]}
    ordered = sorted(rows)
    digest = hashlib.sha256(repr(ordered).encode("utf-8")).hexdigest()
    return {
        "seconds": statistics.median(times),
        "rows": len(rows),
        "digest": digest,
        "sample": ordered[:3],
    }


def worker(
    conn: Connection,
    engine: str,
    loads: Loads,
    texts: dict[str, str],
    runs: int,
    dump: str | None,
    limits: tuple[float, float],
) -> None:
    """The child: load, then each query in this process, then the dump; reports each step
    to the parent, which kills it when a step takes too long."""
    stats, execute, write = ENGINES[engine](loads)
    stats["rss_loaded"] = rss_mb()
    stats["peak"] = peak_mb()
    conn.send(("loaded", stats))
    for name, text in texts.items():
        conn.send(("start", name))
        conn.send(("query", name, one_query(execute, with_prefixes(text), runs, limits[0])))
    if dump:
        conn.send(("start", ""))

        def write_timed() -> dict[str, Any]:
            start = time.perf_counter()
            write(dump)
            return {"dump": time.perf_counter() - start, "dump_mb": os.path.getsize(dump) / 1e6}

        try:
            conn.send(("dump", _with_alarm(write_timed, limits[1])))
        except Timeout:
            conn.send(("dump", {"dump": None}))
        Path(dump).unlink(missing_ok=True)
    conn.send(("done",))


GRACE = 10.0  # seconds past a timeout before the parent kills the child


def stage(
    engine: str,
    loads: Loads,
    texts: dict[str, str],
    runs: int,
    dump: str | None,
    limits: tuple[float, float],
    skip: set[str],
) -> dict[str, Any]:
    """One engine on one data set, in a child process (its own RSS, freed after).  Queries
    run in the child itself, not in a fork of it: a fork's copy-on-write faults make a
    pyoxigraph query on a 6 GB store several times slower.  A query (or dump) over its
    timeout that does not stop is killed with its child, and a new child loads the data
    again for the rest (that load is not counted)."""
    ctx = multiprocessing.get_context("fork")
    out: dict[str, Any] = {"queries": {n: {"seconds": None, "skipped": True} for n in skip}}
    pending = [n for n in texts if n not in skip]
    dump_pending = dump is not None
    while True:
        parent, child = ctx.Pipe()
        todo = {n: texts[n] for n in pending}
        args = (child, engine, loads, todo, runs, dump if dump_pending else None, limits)
        proc = ctx.Process(target=worker, args=args)
        proc.start()
        child.close()
        current: str | None = None
        deadline = 0.0
        while True:
            wait = None if current is None else max(0.0, deadline - time.monotonic())
            if not parent.poll(wait):  # over the timeout, and it did not stop
                proc.kill()
                proc.join()
                if current:
                    out["queries"][current] = {"seconds": None, "timeout": True}
                    pending.remove(current)
                else:
                    out["dump"] = None
                    dump_pending = False
                break
            try:
                message = parent.recv()
            except EOFError:
                proc.join()
                raise SystemExit(
                    f"bench: the {engine} process died (exit {proc.exitcode})"
                ) from None
            kind = message[0]
            if kind == "loaded":
                for key, value in message[1].items():
                    out.setdefault(key, value)  # the first load is the one measured
            elif kind == "start":
                current = message[1]
                limit = limits[0] + (runs - 1) * REPEAT_BELOW if current else limits[1]
                deadline = time.monotonic() + limit + GRACE
            elif kind == "query":
                out["queries"][message[1]] = message[2]
                pending.remove(message[1])
                current = None
            elif kind == "dump":
                out.update(message[1])
                dump_pending = False
                current = None
            else:  # done
                proc.join()
                return out
        if not pending and not dump_pending:
            return out
        log(f"{engine}: {current or 'serialisation'} over the timeout, killed; loading again")


# ------------------------------------------------------------------ report
def secs(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def qsecs(q: dict[str, Any] | None, timeout: float) -> str:
    if q is None:
        return "not run"
    if q.get("timeout"):
        return f"> {timeout:.0f} s"
    if q.get("skipped"):
        return "not run*"
    if q.get("error"):
        return "error"
    return secs(q["seconds"])


def ratio(a: float | None, b: float | None, a_over: float | None = None) -> str:
    """a / b; `a_over`: a is only known to be over this."""
    if b is None or b <= 0:
        return "-"
    if a is None:
        return f"> {a_over / b:.0f}x" if a_over else "-"
    r = a / b
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 1 else f"{r:.2g}x"


def count(n: float) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}k"


def self_check(sources: list[LoadedPackage]) -> int:
    """cube() against templated + template for copies other than the template's own."""
    index = shipped_index()
    checked = triples = 0
    for s, src in enumerate(sources):
        era = int(src.meta["year"]) < ERA_SPLIT["economic"]
        years = YEARS_PRE2018 if era else YEARS
        for year in (years[0], years[-1]):
            first = synthesise(src, Copy(s, s, year, 0))
            shared = template(first, BASE, index)
            for dept in (s + len(sources), s + 5 * len(sources)):
                package = synthesise(src, Copy(s, dept, year, 0))
                expected = set(cube(package, BASE, index))
                own, sh = templated(package, BASE)
                got = _triples(own + sh) | set(shared)
                quads = _triples(templated(package, BASE, graph=True)[0])
                if got != expected or quads != _triples(own):
                    missing = sorted(str(t) for t in expected - got)[:5]
                    extra = sorted(str(t) for t in got - expected)[:5]
                    print(f"self-check FAILED: {package.name} ({src.name})")
                    print("  missing:", *missing, sep="\n    ")
                    print("  extra:", *extra, sep="\n    ")
                    return 1
                checked += 1
                triples += len(expected)
    print(
        f"self-check: {checked} synthetic packages from {len(sources)} real ones, "
        f"{triples:,} triples: templated + shared == cube()"
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000, help="full set (1M)")
    parser.add_argument(
        "--rdflib-observations", type=int, default=100_000, help="subset for rdflib (100k)"
    )
    parser.add_argument("--graphs", choices=("default", "named"), default="default")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="folder of .rq files")
    parser.add_argument("--runs", type=int, default=3, help="runs per query, median (3)")
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds per query and engine (60)"
    )
    parser.add_argument(
        "--serialise-timeout", type=float, default=120, help="seconds per serialisation (120)"
    )
    parser.add_argument("--skip-rdflib-queries", action="store_true")
    parser.add_argument("--skip-full", action="store_true", help="no pyoxigraph full-set stage")
    parser.add_argument("--no-corpus", action="store_true", help="shipped packages only")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    parser.add_argument("--self-check", action="store_true", help="check the templating, exit")
    opts = parser.parse_args(argv)
    if opts.rdflib_observations > opts.observations:
        parser.error("--rdflib-observations is larger than --observations")
    wall = time.perf_counter()
    tmp_obj = None
    if opts.workdir:
        tmp = opts.workdir
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp_obj = tempfile.TemporaryDirectory(prefix="fiscalpub-sparql-")
        tmp = Path(tmp_obj.name)
    try:
        sources = real_packages(tmp, not opts.no_corpus)
        if not sources:
            print("bench: no package with observations", file=sys.stderr)
            return 2
        if opts.self_check:
            return self_check(sources)
        return run(opts, sources, tmp, wall)
    finally:
        if tmp_obj is not None:
            tmp_obj.cleanup()
        elif (tmp / "corpus").is_dir():
            shutil.rmtree(tmp / "corpus")


def run(opts: argparse.Namespace, sources: list[LoadedPackage], tmp: Path, wall: float) -> int:
    texts, origin = queries(opts.queries)
    named = opts.graphs == "named"
    timeout = opts.timeout
    limits = (timeout, opts.serialise_timeout)
    copies = plan(sources, opts.observations)
    log(f"generating {len(copies)} copies of {len(sources)} packages into {tmp}")
    gen = generate(sources, copies, opts.rdflib_observations, tmp, named)
    sizes = {p: os.path.getsize(p) / 1e6 for p, _f, _g in gen.full}
    log(f"generated in {gen.seconds:.1f} s (+ {gen.check_seconds:.1f} s cube() templates)")
    log("pyoxigraph, subset")
    sub = stage("pyoxigraph", gen.subset, texts, opts.runs, str(tmp / "ox.out"), limits, set())
    slow = {n for n, q in sub["queries"].items() if q.get("timeout")}
    full: dict[str, Any] = {}
    if not opts.skip_full:
        log("pyoxigraph, full set")
        full = stage("pyoxigraph", gen.full, texts, opts.runs, None, limits, slow)
    log("rdflib, subset")
    rdf = stage(
        "rdflib",
        gen.subset,
        {} if opts.skip_rdflib_queries else texts,
        opts.runs,
        str(tmp / "rdflib.out"),
        limits,
        set(),
    )

    # ------------------------------------------------------------ the table
    big, small = count(gen.observations), count(gen.subset_observations)
    print(
        f"sources: {len(sources)} real packages ({', '.join(s.name for s in sources)})\n"
        f"synthetic: {gen.copies} packages ({gen.departments} departments, one report a year "
        f"{YEARS[0]}-{YEARS[-1]}), {gen.observations:,} observations; subset (rdflib): the "
        f"first {gen.subset_copies} packages, {gen.subset_observations:,} observations\n"
        f"data: {sum(sizes.values()):,.0f} MB N-Triples{'/N-Quads' if named else ''} + the "
        f"vocabulary Turtle; lines: {', '.join(f'{k} {v:,}' for k, v in gen.lines.items())}\n"
        f"graphs: "
        f"{'one per dataset + the vocabulary graph' if named else 'all in the default graph'}"
        f"; queries: {origin} ({len(texts)}), median of up to {opts.runs} runs (not repeated "
        f"after a run over {REPEAT_BELOW:.0f} s), results materialised; timeout {timeout:.0f} s"
    )
    cols = (f"oxigraph {big}", f"oxigraph {small}", f"rdflib {small}", "rdflib/ox")
    width = max(32, *(len(n) + 2 for n in texts))

    def line(label: str, a: str, b: str, c: str, r: str, rows: str = "") -> None:
        print(f"{label:{width}} {a:>14} {b:>14} {c:>14} {r:>10}  {rows}".rstrip())

    line("stage", *cols, "rows full/subset/rdflib")
    line("generate N-Triples (Python)", secs(gen.seconds), "", "", "")
    line(
        "load (vocabulary + data)",
        secs(full.get("load")),
        secs(sub["load"]),
        secs(rdf["load"]),
        ratio(rdf["load"], sub["load"]),
    )
    line(
        "triples in the store",
        count(full["triples"]) if full else "-",
        count(sub["triples"]),
        count(rdf["triples"]),
        "",
    )
    line(
        "load, triples/s",
        count(full["triples"] / full["load"]) if full else "-",
        count(sub["triples"] / sub["load"]),
        count(rdf["triples"] / rdf["load"]),
        "",
    )
    line(
        "RSS growth on load (MB)",
        f"{full['rss_loaded'] - full['rss_before']:,.0f}" if full else "-",
        f"{sub['rss_loaded'] - sub['rss_before']:,.0f}",
        f"{rdf['rss_loaded'] - rdf['rss_before']:,.0f}",
        "",
    )
    line(
        "peak RSS after load (MB)",
        f"{full['peak']:,.0f}" if full else "-",
        f"{sub['peak']:,.0f}",
        f"{rdf['peak']:,.0f}",
        "",
    )
    notes: list[str] = []
    for name in texts:
        qf = full["queries"][name] if full else None
        qs, qr = sub["queries"][name], rdf["queries"].get(name)
        rows = "/".join(str(q.get("rows", "-")) if q else "-" for q in (qf, qs, qr))
        over = timeout if qr and qr.get("timeout") else None
        line(
            name,
            qsecs(qf, timeout),
            qsecs(qs, timeout),
            qsecs(qr, timeout) if qr else "not run",
            ratio(qr["seconds"], qs["seconds"], over) if qr else "",
            rows,
        )
        for engine, q in (("pyoxigraph full", qf), ("pyoxigraph", qs), ("rdflib", qr)):
            if q and q.get("error"):
                notes.append(f"ERROR: {name}: {engine}: {q['error']}")
        if qr and qr.get("rows") is not None and qs.get("rows") is not None:
            if qr["rows"] != qs["rows"]:
                notes.append(
                    f"WARNING: {name}: pyoxigraph {qs['rows']} rows, rdflib {qr['rows']} rows "
                    f"on the subset"
                )
            elif qr["digest"] != qs["digest"]:
                notes.append(
                    f"WARNING: {name}: same row count, different values: pyoxigraph "
                    f"{qs['sample']} rdflib {qr['sample']}"
                )
        if qs.get("rows") == 0:
            notes.append(f"WARNING: {name}: no rows on the subset")
    ser = "TriG" if named else "Turtle"
    line(
        f"serialise subset to {ser}",
        "",
        secs(sub.get("dump")) if sub.get("dump") else f"> {limits[1]:.0f} s",
        secs(rdf.get("dump")) if rdf.get("dump") else f"> {limits[1]:.0f} s",
        ratio(rdf.get("dump"), sub.get("dump"), limits[1]),
        " / ".join(f"{e['dump_mb']:,.0f} MB" if e.get("dump_mb") else "-" for e in (sub, rdf)),
    )
    if any(q.get("skipped") for q in (full.get("queries") or {}).values()):
        notes.append("* not run on the full set: over the timeout on the subset already")
    for note in notes:
        print(note)
    print(f"total wall time {time.perf_counter() - wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
