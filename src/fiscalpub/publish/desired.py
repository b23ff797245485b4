"""What a package should look like on CKAN: the organisation, the dataset's metadata
and its resources with their bytes.  Pure: reads the package folder, never the portal.

Everything here is deterministic (same package, same base IRI, same bytes and fields),
so publishing again finds nothing to change."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fiscalpub import __version__, registry
from fiscalpub.model import Region, ReportMeta, Severity, kind_label
from fiscalpub.package.reader import LoadedPackage
from fiscalpub.package.slug import organisation_slug
from fiscalpub.rdf.cube import cube, package_iri, serialise
from fiscalpub.rdf.store import vocab_dir
from fiscalpub.rdf.terms import DSD
from fiscalpub.vocab.departments import org_iri

SPDX_SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
TURTLE_NAME = "dataset.ttl"
FORMATS = {".csv": "CSV", ".json": "JSON", ".ttl": "TTL", ".txt": "TXT", ".pdf": "PDF"}
MEDIA = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".ttl": "text/turtle",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
# licence ids of Data Packages -> CKAN's default licence list
LICENCES = {
    "unknown": "notspecified",
    "CC-BY-4.0": "cc-by",
    "CC-BY-SA-4.0": "cc-by-sa",
    "CC0-1.0": "cc-zero",
    "ODC-BY-1.0": "odc-by",
    "ODbL-1.0": "odc-odbl",
    "PDDL-1.0": "odc-pddl",
    "OGL-UK-3.0": "uk-ogl",
}
# the narrative facts the notes quote, in this order
NOTE_FACTS = (
    "total_income",
    "total_expenditure",
    "fiscal_appropriation_income",
    "basic_expenditure",
    "project_expenditure",
)


@dataclass(frozen=True)
class Resource:
    name: str  # the file's path in the package: the key resources are matched by
    data: bytes
    fields: dict[str, str]  # CKAN resource fields fiscalpub sets (all strings)

    @property
    def sha256(self) -> str:
        return self.fields["hash"]


@dataclass
class Desired:
    name: str
    iri: str
    org: str
    org_title: str
    fields: dict[str, Any]  # title, notes, license_id, owner_org, tags, extras
    resources: list[Resource] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(len(r.data) for r in self.resources)


def _tag(text: str) -> str:
    """CKAN tags: letters, digits, space, - _ . (Unicode letters allowed), ≤ 100."""
    return re.sub(r"[^\w \-.]", "", text, flags=re.UNICODE).strip()[:100]


def _label(indicator: str) -> str:
    text = registry.indicators().get(indicator, indicator)
    return re.split(r" / | \(|（", text)[0].strip()


def notes(package: LoadedPackage) -> str:
    """Readable Chinese notes from the package's facts and counts."""
    meta = package.meta
    year = meta.get("year")
    kind = kind_label(meta.get("kind"), meta.get("scope"))
    facts = _read_csv(package.files.get("facts.csv", b""))
    quoted: list[str] = []
    for indicator in NOTE_FACTS:
        fact = next(
            (
                f
                for f in facts
                if f["indicator"] == indicator
                and f["printed"]
                and f["period"] == str(year)
                and f["phase"] in ("actual", "budget")
            ),
            None,
        )
        if fact:
            quoted.append(f"{_label(indicator)}{fact['printed']}{fact['unit']}")
    items = package.line_items
    placed = [li for li in items if li["column"]]
    tables = sorted({li["table"] for li in items})
    findings = _read_csv(package.files.get("findings.csv", b""))
    errors = sum(1 for f in findings if f["severity"] == Severity.ERROR)
    parts = [f"{meta.get('department')}{year}年度{kind}（{meta.get('region') or ''}）。"]
    if quoted:
        parts.append("情况说明所述：" + "；".join(quoted) + "。")
    parts.append(
        f"本数据集收录报告印刷的全部 {len(items)} 个数字（{len(tables)} 张表，"
        f"{len(placed)} 个已确定栏目），金额以元为单位精确保存，并注明页码与行号；"
        f"情况说明中的数字 {len(facts)} 个。"
    )
    if findings:
        parts.append(
            f"来源自身的矛盾与疑点 {len(findings)} 条（其中错误 {errors} 条）"
            "见 findings.csv，原样公布，未作修改。"
        )
    parts.append(f"由 fiscalpub {__version__} 从原始报告生成；原始文件一并发布。")
    return "\n\n".join(parts)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")))) if data else []


def _class_tags(package: LoadedPackage) -> list[str]:
    labels = {(c["classification"], c["code"]): c["label"] for c in package.codes}
    names = set()
    for li in package.line_items:
        if li["classification"] == "function" and li["code"] and len(li["code"]) == 3:
            names.add(labels.get(("function", li["code"])) or li["item"])
    return sorted(_tag(n) for n in names if n)


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    """Department org IRI -> division code, from the vocabulary's departments.ttl."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    path = vocab_dir() / "departments.ttl"
    if path.is_file():
        store.load(path=str(path), format=RdfFormat.TURTLE)
    rows = store.query(
        "SELECT ?org ?code WHERE { ?org <https://w3id.org/fiscalpub/def#region> ?r . "
        "?r <http://www.w3.org/2004/02/skos/core#notation> ?code }"
    )
    return {r["org"].value: r["code"].value for r in rows}  # type: ignore[union-attr]


def _org(meta: dict[str, Any]) -> str:
    report_meta = ReportMeta(
        department=meta.get("department"),
        year=None,
        kind=None,
        region=Region(name=meta.get("region")),
    )
    return organisation_slug(report_meta)


def desired(package: LoadedPackage, base: str, org: str | None = None) -> Desired:
    meta = package.meta
    d = package.descriptor
    iri = package_iri(package, base)
    year = int(meta["year"])
    department = str(meta["department"])
    org_name = org or _org(meta)
    licence = (d.get("licenses") or [{"name": "unknown"}])[0]
    sources = d.get("sources") or []
    publisher = str(org_iri(department))
    extras = {
        "uri": iri,
        "identifier": package.name,
        "publisher_name": department,
        "publisher_uri": publisher,
        "temporal_start": f"{year}-01-01",
        "temporal_end": f"{year}-12-31",
        "spatial_text": str(meta.get("region") or ""),
        "language": "zh",
        "conforms_to": json.dumps([DSD, "https://specs.frictionlessdata.io/data-package/"]),
        "fiscal_year": str(year),
        "kind": str(meta["kind"]),
        "department": department,
        "region_code": _regions().get(publisher, ""),
        "source_sha256": " ".join(str(s["sha256"]) for s in sources),
        "fiscalpub_version": __version__,
    }
    tags = sorted(
        {_tag(t) for t in (kind_label(meta["kind"], meta.get("scope")), str(year))}
        | set(_class_tags(package))
    )
    fields: dict[str, Any] = {
        "title": str(d.get("title") or package.name),
        "notes": notes(package),
        "license_id": LICENCES.get(str(licence.get("name")), str(licence.get("name"))),
        "owner_org": org_name,
        "tags": [t for t in tags if t],
        "extras": {k: v for k, v in sorted(extras.items()) if v},
    }
    out = Desired(package.name, iri, org_name, department, fields)
    schemas = {r["path"]: r.get("schema") for r in d.get("resources", []) if isinstance(r, dict)}
    titles = {r["path"]: r.get("title") for r in d.get("resources", []) if isinstance(r, dict)}
    order = ["datapackage.json"] + [r["path"] for r in d.get("resources", [])]
    turtle = serialise(cube(package, base), "turtle")
    files = {**package.files, "datapackage.json": _descriptor_bytes(package)}
    for rel in order:
        out.resources.append(_resource(rel, files[rel], titles.get(rel), schemas.get(rel), package))
        if rel == "findings.csv":
            out.resources.append(
                _resource(TURTLE_NAME, turtle, "RDF Data Cube（DCAT, PROV）", None, package)
            )
    if not any(r.name == TURTLE_NAME for r in out.resources):
        out.resources.append(
            _resource(TURTLE_NAME, turtle, "RDF Data Cube（DCAT, PROV）", None, package)
        )
    return out


def _descriptor_bytes(package: LoadedPackage) -> bytes:
    return (package.path / "datapackage.json").read_bytes()


def _resource(
    rel: str, data: bytes, title: str | None, schema: str | None, package: LoadedPackage
) -> Resource:
    suffix = Path(rel).suffix.lower()
    fields = {
        "name": rel,
        "description": title
        or {"datapackage.json": "数据包描述 / Data Package descriptor"}.get(rel, rel),
        "format": FORMATS.get(suffix, suffix.lstrip(".").upper()),
        "mimetype": MEDIA.get(suffix, "application/octet-stream"),
        "size": str(len(data)),
        "hash": hashlib.sha256(data).hexdigest(),
        "hash_algorithm": SPDX_SHA256,
    }
    if schema and suffix == ".csv":
        # ckanext-validation reads the Table Schema from the resource's `schema` field
        schema_text = (package.path / schema).read_text(encoding="utf-8")
        fields["schema"] = json.dumps(json.loads(schema_text), ensure_ascii=False, sort_keys=True)
    return Resource(rel, data, fields)
