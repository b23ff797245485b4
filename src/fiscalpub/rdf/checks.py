"""The checks of a package's RDF export: the W3C Data Cube integrity constraints
(IC-1 … IC-21, :mod:`fiscalpub.rdf.integrity`) and fiscalpub's SHACL shapes for
observations, data sets and distributions (``vocab/cube-shapes.ttl``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fiscalpub.errors import FiscalpubError
from fiscalpub.model import Finding, Severity, Where
from fiscalpub.package.reader import read_package
from fiscalpub.rdf import integrity
from fiscalpub.rdf.cube import cube, serialise
from fiscalpub.rdf.store import vocab_dir

SHAPES_FILE = "cube-shapes.ttl"
FPSH = "https://w3id.org/fiscalpub/shapes#"


@dataclass(frozen=True)
class RdfProblem:
    check: str  # "IC-12" or the SHACL shape's name
    message: str
    focus: str  # where: a witness for ICs, the focus node for shapes

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message, "focus": self.focus}


@lru_cache(maxsize=1)
def _shapes() -> Any:
    from rdflib import Graph

    return Graph().parse(vocab_dir() / SHAPES_FILE, format="turtle")


def _shape_name(report: Any, shapes: Any, shape: Any) -> str:
    from rdflib.namespace import SH

    if str(shape).startswith(FPSH):
        return str(shape)[len(FPSH) :]
    for parent in shapes.subjects(SH.property, shape):
        return str(parent)[len(FPSH) :]
    return str(shape)


def shacl(ntriples: bytes) -> list[RdfProblem]:
    """Violations of the cube shapes, sorted."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph().parse(data=ntriples, format="nt")
    shapes = _shapes()
    _conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True
    )
    problems = set()
    for result in report.subjects(SH.sourceShape, None):
        shape = next(report.objects(result, SH.sourceShape))
        message = next(report.objects(result, SH.resultMessage), "")
        focus = next(report.objects(result, SH.focusNode), "")
        value = next(report.objects(result, SH.value), None)
        where = str(value) if value is not None and str(shape).startswith(FPSH) else str(focus)
        problems.add(RdfProblem(_shape_name(report, shapes, shape), str(message), where))
    return sorted(problems, key=lambda p: (p.check, p.focus, p.message))


def check_export(ntriples: bytes) -> list[RdfProblem]:
    found = [RdfProblem(v.constraint, v.title, v.detail) for v in integrity.check(ntriples)]
    return found + shacl(ntriples)


def check_rdf(path: Path, base: str) -> tuple[int, list[RdfProblem]]:
    """(observations, problems) of the package's export."""
    triples = cube(read_package(path), base)
    observations = sum(
        1 for t in triples if t.predicate.value == "http://purl.org/linked-data/cube#dataSet"
    )
    return observations, check_export(serialise(triples, "nt"))


def rdf_defects(
    package: Path, base: str, checked: Callable[[str, int, int], None] | None = None
) -> list[Finding]:
    """The package's RDF export checked (IC-1…IC-21, SHACL), as package defects (`validate
    --rdf`); `checked(name, observations, violations)` is told when the export could be
    checked.  An export that cannot be made is one defect."""
    try:
        observations, problems = check_rdf(package, base)
    except FiscalpubError as exc:
        return [Finding("rdf-export", Severity.ERROR, f"{package.name}: {exc}", [Where()])]
    if checked is not None:
        checked(package.name, observations, len(problems))
    out = []
    for p in problems:
        code = "rdf-integrity" if p.check.startswith("IC-") else "rdf-shape"
        key = f"{code} {p.check} {p.focus}".encode()
        out.append(
            Finding(
                code,
                Severity.ERROR,
                f"{package.name}: {p.check} {p.message}: {p.focus}",
                [Where()],
                id=hashlib.sha256(key).hexdigest()[:16],
            )
        )
    return out
