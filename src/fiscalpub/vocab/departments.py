"""Departments and regions: W3C ORG organisations with their national division code.

The division code (行政区划代码) comes from cpca, a maintained package with its own
copy of the official list; its version and data file hash are recorded.  A name
cpca resolves only partly (a 管理区 it does not know) or not at all is a finding,
never a typed code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from fiscalpub.parse.identity import organisation_key
from fiscalpub.vocab.build import VocabFinding, fp
from fiscalpub.vocab.turtle import PREFIXES, Triple

ORG = "http://www.w3.org/ns/org#"
ORGS = PREFIXES["fpo"]
REGIONS = PREFIXES["fpr"]


@dataclass(frozen=True)
class Division:
    code: str | None
    province: str | None
    city: str | None
    district: str | None
    rest: str  # what cpca could not place


@dataclass
class Department:
    name: str
    region: str | None
    kinds: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    # every printing of its name (full and short official forms) -> the last year printed
    names: dict[str, int] = field(default_factory=dict)

    def add_name(self, name: str, year: int | None) -> None:
        """Another printing of this department's name; the label is the latest one."""
        self.names[name] = max(self.names.get(name, 0), year or 0)
        self.name = max(self.names.items(), key=lambda kv: (kv[1], kv[0]))[0]


def cpca_version() -> str:
    """cpca's version and the hash of its division list, for provenance."""
    import cpca

    data = resources.files(cpca) / "resources" / "adcodes.csv"
    digest = hashlib.sha256(data.read_bytes()).hexdigest()[:16]
    return f"cpca {metadata.version('cpca')} (adcodes.csv sha256 {digest})"


@lru_cache(maxsize=256)
def division(name: str) -> Division:
    import cpca  # slow to import: only when building the vocabulary

    frame = cpca.transform([name])
    row = frame.iloc[0]

    def cell(key: str) -> str | None:
        value = row[key]
        return None if value is None or value != value or value == "市辖区" else str(value)

    code = cell("adcode")
    return Division(code, cell("省"), cell("市"), cell("区"), str(row["地址"] or ""))


def level(code: str) -> str:
    if code.endswith("0000"):
        return "省"
    if code.endswith("00"):
        return "市"
    return "区县"


def org_iri(name: str) -> URIRef:
    """The organisation's IRI: a hash of its organisation key, the same for its full and
    its short official name."""
    key = organisation_key(name)
    return URIRef(ORGS + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12])


def region_iri(code: str) -> URIRef:
    return URIRef(REGIONS + code)


def triples(departments: list[Department]) -> tuple[list[Triple], list[VocabFinding]]:
    t: list[Triple] = []
    findings: list[VocabFinding] = []
    org = URIRef(ORG + "Organization")
    version = cpca_version()
    for dept in sorted(departments, key=lambda d: d.name):
        iri = org_iri(dept.name)
        t += _organisation(iri, dept, org)
        if not dept.region:
            findings.append(
                VocabFinding(
                    "region-unknown",
                    "region",
                    dept.name,
                    f"{dept.name}: no region name in the department's name",
                )
            )
            continue
        div = division(dept.region)
        if div.code is None:
            findings.append(
                VocabFinding(
                    "region-unknown",
                    "region",
                    dept.region,
                    f"{dept.region} is not in the division list ({version})",
                )
            )
            continue
        if div.rest:
            findings.append(
                VocabFinding(
                    "region-partial",
                    "region",
                    dept.region,
                    f"{dept.region}: {div.rest} is not in the division list "
                    f"({version}); placed at {div.code}",
                )
            )
        # a district named without its city (the province follows from the city)
        inferred = "".join(x for x in (div.province, div.city) if x and x not in dept.region)
        city_named = not div.city or div.city in dept.region
        if not city_named and div.district and not div.rest:
            message = (
                f"{dept.region}: placed at {div.code} ({inferred}{div.district}) from the name "
                "alone; a district name may be ambiguous or renamed"
            )
            findings.append(VocabFinding("region-inferred", "region", dept.region, message))
        t += _region(iri, div, div.code, version)
    return t, findings


def _organisation(iri: URIRef, dept: Department, org: URIRef) -> list[Triple]:
    """A department as an org:Organization (names, report years) with its units as
    sub-organisations (IRIs under the department's, by a hash of the unit's name)."""
    t: list[Triple] = [
        (iri, RDF.type, org),
        (iri, SKOS.prefLabel, Literal(dept.name, lang="zh")),
        *(
            (iri, SKOS.altLabel, Literal(other, lang="zh"))
            for other in sorted(dept.names)
            if other != dept.name
        ),
        (iri, fp("kind"), Literal("department")),
    ]
    for year in sorted(dept.years):
        t.append((iri, fp("reportYear"), Literal(str(year))))
    for unit in sorted(dept.units):
        if unit == dept.name:
            continue
        sub = URIRef(f"{iri}/unit/{hashlib.sha256(unit.encode('utf-8')).hexdigest()[:12]}")
        t += [
            (sub, RDF.type, org),
            (sub, SKOS.prefLabel, Literal(unit, lang="zh")),
            (sub, fp("kind"), Literal("unit")),
            (iri, URIRef(ORG + "hasSubOrganization"), sub),
            (sub, URIRef(ORG + "subOrganizationOf"), iri),
        ]
    return t


def _region(iri: URIRef, div: Division, code: str, version: str) -> list[Triple]:
    """The department's region and level, and the region itself (code, full name, the
    division list's version it was placed by)."""
    region = region_iri(code)
    label = "".join(x for x in (div.province, div.city, div.district) if x)
    return [
        (iri, fp("region"), region),
        (iri, fp("level"), Literal(level(code), lang="zh")),
        (region, RDF.type, fp("Region")),
        (region, SKOS.notation, Literal(code)),
        (region, SKOS.prefLabel, Literal(label, lang="zh")),
        (region, fp("level"), Literal(level(code), lang="zh")),
        (region, DCTERMS.source, Literal(version)),
    ]
