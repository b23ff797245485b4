"""A data package as an RDF Data Cube with DCAT and PROV.

Reads only the package (datapackage.json, line_items.csv, codes.csv and the files it
lists) — never the source report.  Per package: one ``qb:DataSet`` that is also the
``dcat:Dataset``, one ``qb:Observation`` per *placed* cell of a printed table (cells
whose column could not be decided stay in findings.csv, not in the cube), a
``dcat:Distribution`` per file of the package and PROV links from every observation
to the page of the source document it was printed on.

IRIs:
- vocabulary, code lists, DSD, departments, sources: ``https://w3id.org/fiscalpub/...``
  (fixed, the same for every publisher);
- the dataset ``{base}dataset/{package name}`` — the same IRI is the CKAN dataset's
  ``uri`` — and below it observations ``…/obs/{table}/{code or row}/{column}`` and
  distributions ``…/distribution/{resource}``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from fiscalpub import __version__
from fiscalpub.code_index import CodeIndex, shipped_index
from fiscalpub.errors import FiscalpubError
from fiscalpub.package.reader import LoadedPackage, PackageError
from fiscalpub.rdf import dsd
from fiscalpub.rdf.terms import (
    CNY,
    DSD,
    PREFIXES,
    RDF_TYPE,
    SOURCE,
    XSD_DATE,
    XSD_DECIMAL,
    XSD_GYEAR,
    XSD_INTEGER,
    ZH,
    code,
    fp,
    ns,
    year_iri,
)
from fiscalpub.vocab.departments import org_iri

FORMATS = {"turtle": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}
SUFFIXES = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld"}
MEDIA = {".csv": "text/csv", ".json": "application/json", ".ttl": "text/turtle"}
TABLE_SCHEMA = NamedNode("https://specs.frictionlessdata.io/table-schema/")
ERA_SPLIT = {"economic": 2018}  # economic codes before 2018 are another era (CONTRACT.md)


def dataset_iri(base: str, name: str) -> str:
    return f"{base}dataset/{name}"


def package_iri(package: LoadedPackage, base: str) -> str:
    """The dataset IRI: the package's own `id` when it was built with a base IRI (the
    package, the RDF and CKAN then agree whatever base is configured later), else
    {base}dataset/{name}."""
    given = package.descriptor.get("id")
    if isinstance(given, str) and given.startswith(("http://", "https://")):
        return given
    return dataset_iri(base, package.name)


def _decimals(printed: str) -> int:
    text = printed.strip().replace(",", "")
    return len(text.split(".", 1)[1]) if "." in text else 0


def _lit(value: str | int, datatype: NamedNode | None = None) -> Literal:
    return Literal(str(value), datatype=datatype) if datatype else Literal(str(value))


def _source_iri(sha256: str) -> NamedNode:
    return NamedNode(f"{SOURCE}sha256/{sha256}")


class _Concepts:
    """Edition concepts for the codes a package uses; minted when the vocabulary lacks
    them (CONTRACT.md: rdf mints concepts for new codes the way the vocabulary does)."""

    def __init__(self, package: LoadedPackage, index: CodeIndex) -> None:
        self.year = int(package.meta["year"])
        self.index = index
        self.codes = {(c["classification"], c["code"]): c for c in package.codes}
        self.used: set[tuple[str, str]] = set()

    def era(self, cl: str) -> str:
        split = ERA_SPLIT.get(cl)
        return "pre2018" if split and self.year < split else ""

    def edition(self, cl: str, code_: str) -> NamedNode:
        self.used.add((cl, code_))
        return code(f"{cl}/{self.year}/{code_}")

    def known(self, cl: str, code_: str) -> bool:
        return code_ in self.index.codes(cl, self.year)

    def concept(self, cl: str, code_: str) -> NamedNode:
        row = self.codes.get((cl, code_))
        if row and row.get("concept"):
            return NamedNode(row["concept"])
        era = self.era(cl)
        return code(f"{cl}/" + (f"{era}/" if era else "") + code_)

    def triples(self, labels: dict[tuple[str, str], str]) -> Iterator[Triple]:
        skos = "skos"
        closure = set(self.used)
        for cl, c in list(closure):  # the 款 and 类 above a printed 项 of the same edition
            while len(c) > 3:
                c = c[:-2]
                if (cl, c) in self.codes or self.known(cl, c):
                    closure.add((cl, c))
        for cl, c in sorted(closure):
            edition = code(f"{cl}/{self.year}/{c}")
            scheme = code(f"{cl}/{self.year}")
            yield Triple(edition, RDF_TYPE, ns(skos, "Concept"))
            yield Triple(edition, RDF_TYPE, fp("EditionConcept"))
            yield Triple(edition, ns(skos, "inScheme"), code(cl))
            yield Triple(edition, ns(skos, "inScheme"), scheme)
            yield Triple(edition, ns(skos, "notation"), Literal(c))
            yield Triple(edition, fp("year"), Literal(str(self.year), datatype=XSD_GYEAR))
            yield Triple(edition, ns("dct", "isVersionOf"), self.concept(cl, c))
            yield Triple(scheme, RDF_TYPE, ns(skos, "ConceptScheme"))
            yield Triple(scheme, RDF_TYPE, fp("Edition"))
            yield Triple(scheme, fp("year"), Literal(str(self.year), datatype=XSD_GYEAR))
            yield Triple(scheme, ns("dct", "isPartOf"), code(cl))
            parent = c[:-2]
            if len(c) > 3 and (cl, parent) in closure:
                yield Triple(edition, ns(skos, "broader"), code(f"{cl}/{self.year}/{parent}"))
            if not self.known(cl, c):
                # new to the vocabulary: the label this report prints is the only one
                label = labels.get((cl, c)) or (self.codes.get((cl, c)) or {}).get("label", c)
                yield Triple(edition, ns(skos, "prefLabel"), Literal(label, language="zh"))
                yield Triple(edition, fp("mintedFrom"), Literal("report"))
                if not _known_anywhere(self.index, cl, c):
                    concept = self.concept(cl, c)
                    yield Triple(concept, RDF_TYPE, ns(skos, "Concept"))
                    yield Triple(concept, RDF_TYPE, fp("Code"))
                    yield Triple(concept, ns(skos, "inScheme"), code(cl))
                    yield Triple(concept, ns(skos, "notation"), Literal(c))
                    yield Triple(concept, ns(skos, "prefLabel"), Literal(label, language="zh"))


def _known_anywhere(index: CodeIndex, cl: str, c: str) -> bool:
    return any(c in codes for (k, _y), codes in index.editions.items() if k == cl)


def cube(package: LoadedPackage, base: str, index: CodeIndex | None = None) -> list[Triple]:
    """All triples of one package's cube, sorted (so serialisations are reproducible)."""
    index = index if index is not None else shipped_index()
    meta = package.meta
    for key in ("department", "year", "kind"):
        if meta.get(key) in (None, ""):
            raise PackageError(f"{package.path}: datapackage.json has no fiscalpub.{key}")
    ds = NamedNode(package_iri(package, base))
    year = int(meta["year"])
    dept = NamedNode(str(org_iri(str(meta["department"]))))
    period = year_iri(year)
    concepts = _Concepts(package, index)
    t: list[Triple] = []
    t += _dataset(package, ds, dept, period, year)
    t += _distributions(package, ds)
    sources = package.descriptor.get("sources") or []
    source_nodes = [_source_iri(str(s["sha256"])) for s in sources]
    t += _sources(ds, sources, source_nodes)
    observations = _Observations(package, ds, concepts, source_nodes)
    for li in package.line_items:
        observations.add(li, (dept, period, dsd.kind_iri(str(meta["kind"]))))
    t += observations.triples
    t += observations.pages()
    t += observations.printed_rows()
    t += concepts.triples(observations.labels)
    # sorted by N-Triples text, duplicates dropped: keyed by that text (equal triples and
    # only they have the same text), the shared DSD's keys made once per process
    by_text = {str(x): x for x in t}
    by_text.update(dsd.keyed())
    return [by_text[k] for k in sorted(by_text)]


def _dataset(
    package: LoadedPackage, ds: NamedNode, dept: NamedNode, period: NamedNode, year: int
) -> list[Triple]:
    """The dataset (qb:DataSet and dcat:Dataset: title, keywords, publisher, period,
    licence), its period of time and its publishing department."""
    d, meta = package.descriptor, package.meta
    t: list[Triple] = []
    add = t.append
    add(Triple(ds, RDF_TYPE, ns("qb", "DataSet")))
    add(Triple(ds, RDF_TYPE, ns("dcat", "Dataset")))
    add(Triple(ds, ns("qb", "structure"), NamedNode(DSD)))
    add(Triple(ds, ns("dct", "identifier"), Literal(package.name)))
    add(Triple(ds, ns("dct", "title"), Literal(str(d.get("title", package.name)), language="zh")))
    if d.get("description"):
        add(Triple(ds, ns("dct", "description"), Literal(str(d["description"]), language="zh")))
    for keyword in d.get("keywords", []):
        add(Triple(ds, ns("dcat", "keyword"), Literal(str(keyword), language="zh")))
    add(Triple(ds, ns("dct", "publisher"), dept))
    add(Triple(ds, ns("dct", "temporal"), period))
    add(Triple(ds, ns("dct", "language"), ZH))
    add(Triple(ds, ns("dct", "conformsTo"), NamedNode(DSD)))
    add(Triple(ds, ns("dct", "type"), dsd.kind_iri(str(meta["kind"]))))
    add(Triple(ds, dsd.UNIT_MEASURE, CNY))
    add(Triple(ds, fp("generator"), Literal(f"fiscalpub {__version__}")))
    for lic in d.get("licenses", []):
        if lic.get("path"):
            add(Triple(ds, ns("dct", "license"), NamedNode(str(lic["path"]))))
        else:
            add(Triple(ds, ns("dct", "rights"), Literal(str(lic.get("title") or lic["name"]))))
    add(Triple(period, RDF_TYPE, ns("dct", "PeriodOfTime")))
    add(Triple(period, RDF_TYPE, ns("time", "Interval")))
    add(Triple(period, ns("rdfs", "label"), Literal(str(year))))
    add(Triple(period, ns("dcat", "startDate"), Literal(f"{year}-01-01", datatype=XSD_DATE)))
    add(Triple(period, ns("dcat", "endDate"), Literal(f"{year}-12-31", datatype=XSD_DATE)))
    add(Triple(dept, RDF_TYPE, ns("org", "Organization")))
    add(Triple(dept, ns("skos", "prefLabel"), Literal(str(meta["department"]), language="zh")))
    return t


def _distributions(package: LoadedPackage, ds: NamedNode) -> list[Triple]:
    """Each file of the package as a dcat:Distribution: media type, format, size and its
    sha256 checksum (spdx), conforming to Table Schema when it has one."""
    t: list[Triple] = []
    add = t.append
    for rel, data in sorted(package.files.items()):
        resource = next(r for r in package.descriptor["resources"] if r.get("path") == rel)
        dist = NamedNode(f"{ds.value}/distribution/{resource['name']}")
        digest = hashlib.sha256(data).hexdigest()
        checksum = NamedNode(f"{dist.value}/sha256")
        media = str(
            resource.get("mediatype") or MEDIA.get(Path(rel).suffix, "application/octet-stream")
        )
        add(Triple(ds, ns("dcat", "distribution"), dist))
        add(Triple(dist, RDF_TYPE, ns("dcat", "Distribution")))
        add(Triple(dist, ns("dct", "title"), Literal(rel)))
        add(Triple(dist, ns("dct", "identifier"), Literal(str(resource["name"]))))
        add(
            Triple(
                dist,
                ns("dcat", "mediaType"),
                NamedNode(f"https://www.iana.org/assignments/media-types/{media}"),
            )
        )
        add(Triple(dist, ns("dct", "format"), Literal(Path(rel).suffix.lstrip(".").upper())))
        add(Triple(dist, ns("dcat", "byteSize"), Literal(str(len(data)), datatype=XSD_INTEGER)))
        add(Triple(dist, ns("spdx", "checksum"), checksum))
        add(Triple(checksum, RDF_TYPE, ns("spdx", "Checksum")))
        add(Triple(checksum, ns("spdx", "algorithm"), ns("spdx", "checksumAlgorithm_sha256")))
        add(
            Triple(
                checksum,
                ns("spdx", "checksumValue"),
                Literal(digest, datatype=ns("xsd", "hexBinary")),
            )
        )
        if resource.get("schema"):
            add(Triple(dist, ns("dct", "conformsTo"), TABLE_SCHEMA))
    return t


def _sources(
    ds: NamedNode, sources: list[dict[str, Any]], source_nodes: list[NamedNode]
) -> list[Triple]:
    """The source documents the dataset was derived from (PROV), by their sha256."""
    t: list[Triple] = []
    for s, node in zip(sources, source_nodes, strict=True):
        t += [
            Triple(ds, ns("prov", "wasDerivedFrom"), node),
            Triple(ds, ns("dct", "source"), node),
            Triple(node, RDF_TYPE, ns("prov", "Entity")),
            Triple(node, RDF_TYPE, ns("foaf", "Document")),
            Triple(node, ns("dct", "title"), Literal(str(s.get("title") or s.get("path")))),
            Triple(node, ns("dct", "identifier"), Literal(f"sha256:{s['sha256']}")),
        ]
    return t


# the terms every observation uses, made once (~14k observations a corpus run, ~12 terms
# each)
_OBSERVATION = ns("qb", "Observation")
_DATA_SET = ns("qb", "dataSet")
_DIMENSION_PROPS = tuple(dim.prop for dim in dsd.DIMENSIONS)
_PRINTED_VALUE = fp("printedValue")
_PRINTED_UNIT = fp("printedUnit")
_PRINTED_DECIMALS = fp("printedDecimals")
_PLACED_BY = fp("placedBy")
_PRINTED_ITEM = fp("printedItem")
_LINE = fp("line")
_DERIVED_FROM = ns("prov", "wasDerivedFrom")


class _Observations:
    """The qb:Observations of a package's placed line items, with what they leave to mint
    after them: the labels of the codes they use, the source pages they cite, and row
    concepts for lines printed without code or row id."""

    def __init__(
        self,
        package: LoadedPackage,
        ds: NamedNode,
        concepts: _Concepts,
        source_nodes: list[NamedNode],
    ) -> None:
        self.package = package
        self.ds = ds
        self.concepts = concepts
        self.source_nodes = source_nodes
        self.triples: list[Triple] = []
        self.labels: dict[tuple[str, str], str] = {}
        self.seen_pages: set[tuple[int, int]] = set()
        self.seen: set[tuple[str, str, str]] = set()
        self.printed: dict[str, str] = {}

    def add(self, li: dict[str, Any], report: tuple[NamedNode, NamedNode, NamedNode]) -> None:
        """One line item's observation (an unplaced number is a finding, not one): its
        dimensions (department, period, kind, table, row, function, economic, column),
        the amount and how it was printed, and the source page it comes from."""
        if not li["column"]:
            return  # unplaced: a finding, not an observation
        concepts = self.concepts
        cl, c, row = li["classification"], li["code"], li["row"]
        if not c and not row:
            row = self._printed_row(li)
        key = c if c else row
        self.seen.add((li["table"], key, li["column"]))
        obs = NamedNode(f"{self.ds.value}/obs/{li['table']}/{key}/{li['column']}")
        function = concepts.edition("function", c) if c and cl == "function" else None
        economic = concepts.edition("economic", c) if c and cl == "economic" else None
        if c and not (function or economic):
            raise PackageError(f"{self.package.path}: code {c} without a known classification")
        if c and li.get("item"):
            self.labels.setdefault((cl, c), li["item"])
        values = (
            *report,
            dsd.table_iri(li["table"]),
            dsd.row_iri(row) if row and not c else dsd.not_applicable("row"),
            function or dsd.not_applicable("function"),
            economic or dsd.not_applicable("economic"),
            dsd.column_iri(li["column"]),
        )
        add = self.triples.append
        add(Triple(obs, RDF_TYPE, _OBSERVATION))
        add(Triple(obs, _DATA_SET, self.ds))
        for prop, value in zip(_DIMENSION_PROPS, values, strict=True):
            add(Triple(obs, prop, value))
        add(Triple(obs, dsd.MEASURE, Literal(li["amount"], datatype=XSD_DECIMAL)))
        add(Triple(obs, _PRINTED_VALUE, Literal(li["printed"])))
        add(Triple(obs, _PRINTED_UNIT, Literal(li["unit"])))
        add(Triple(obs, _PRINTED_DECIMALS, _lit(_decimals(li["printed"]), XSD_INTEGER)))
        add(Triple(obs, _PLACED_BY, Literal(li["placed_by"])))
        if li.get("item"):
            add(Triple(obs, _PRINTED_ITEM, Literal(li["item"], language="zh")))
        if li.get("line"):
            add(Triple(obs, _LINE, _lit(li["line"], XSD_INTEGER)))
        if li.get("source") and li.get("page"):
            src, page = int(li["source"]), int(li["page"])
            if src < len(self.source_nodes):
                page_node = NamedNode(f"{self.source_nodes[src].value}#page={page}")
                self.seen_pages.add((src, page))
                add(Triple(obs, _DERIVED_FROM, page_node))

    def _printed_row(self, li: dict[str, Any]) -> str:
        """A line the parser could not identify (e.g. a name cut by its cell): still a
        printed number, so an observation, on a row concept minted from its name."""
        row = "printed-" + hashlib.sha256(li["item"].encode("utf-8")).hexdigest()[:12]
        if (li["table"], row, li["column"]) in self.seen:
            row += f"-l{li['line']}"
        self.printed[row] = li["item"]
        return row

    def pages(self) -> list[Triple]:
        """The source pages the observations cite, each a part of its document."""
        t: list[Triple] = []
        for src, page in sorted(self.seen_pages):
            page_node = NamedNode(f"{self.source_nodes[src].value}#page={page}")
            t += [
                Triple(page_node, RDF_TYPE, ns("prov", "Entity")),
                Triple(page_node, ns("dct", "isPartOf"), self.source_nodes[src]),
                Triple(page_node, fp("page"), _lit(page, XSD_INTEGER)),
            ]
        return t

    def printed_rows(self) -> list[Triple]:
        """Row concepts minted from the report for lines printed without code or row id."""
        t: list[Triple] = []
        for row, item in sorted(self.printed.items()):
            node = dsd.row_iri(row)
            t += [
                Triple(node, RDF_TYPE, ns("skos", "Concept")),
                Triple(node, ns("skos", "inScheme"), code("row")),
                Triple(node, ns("skos", "notation"), Literal(row)),
                Triple(node, ns("skos", "prefLabel"), Literal(item, language="zh")),
                Triple(node, fp("mintedFrom"), Literal("report")),
            ]
        return t


def serialise(triples: Iterable[Triple], fmt: str) -> bytes:
    """Bytes in `fmt` (turtle, nt, jsonld), deterministic for sorted input."""
    if fmt not in FORMATS:
        raise FiscalpubError(f"unknown RDF format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = serialize(
        list(triples), format=FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None
    )
    assert out is not None
    return out


def cube_turtle() -> str:
    """The Data Cube structure (DSD, components, small code lists) from the registry:
    vocab/cube.ttl, which `fiscalpub vocab build` writes beside the code lists."""
    header = "".join(
        f"# {line}\n"
        for line in (
            "The RDF Data Cube structure every fiscalpub dataset shares: generated by",
            "`fiscalpub vocab build` from the table registry. Do not edit: rebuild.",
        )
    )
    return header + serialise(dsd.triples(), "turtle").decode("utf-8")


def split(triples: Iterable[Triple], dataset: str) -> tuple[list[Triple], list[Triple]]:
    """The dataset's own triples (the dataset, its observations and distributions) and
    the shared ones (structure, code lists, concepts, departments, periods, sources),
    which many datasets repeat: kept in one shared graph, a union of graphs has no
    duplicates."""
    own: list[Triple] = []
    shared: list[Triple] = []
    for t in triples:
        subject = t.subject
        is_own = isinstance(subject, NamedNode) and (
            subject.value == dataset or subject.value.startswith(dataset + "/")
        )
        (own if is_own else shared).append(t)
    return own, shared


def quads(triples: Iterable[Triple], graph: str) -> list[Quad]:
    g = NamedNode(graph)
    return [Quad(t.subject, t.predicate, t.object, g) for t in triples]
