"""The cube's SHACL shapes (vocab/cube-shapes.ttl): each fires on a failing fixture.

Fixtures are a real export cut down to three observations (a function-coded line, an
economic-coded line, a summary row) with one thing broken each."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from fiscalpub.numbers import UNIT_FACTOR
from fiscalpub.package.reader import read_package
from fiscalpub.rdf.checks import shacl
from fiscalpub.rdf.cube import cube, serialise
from tests.conftest import ROOT

PACKAGE = ROOT / "datapackages" / "yueyangshiquyuanguanliqu-yiliaobaozhangju-2021-final-5de804"
BASE = "https://data.example.org/fiscalpub/"
DS = f"{BASE}dataset/{PACKAGE.name}"
KEEP = [
    f"{DS}/obs/expenditure/2101501/total",
    f"{DS}/obs/gpb_basic_expenditure/30101/amount",
    f"{DS}/obs/income_expenditure_summary/gpb_appropriation/amount",
]
FP = "https://w3id.org/fiscalpub/def#"
FPSH = "https://w3id.org/fiscalpub/shapes#"

Triples = list[ox.Triple]


def _fixture() -> Triples:
    triples = cube(read_package(PACKAGE), BASE)
    observations = {
        t.subject.value
        for t in triples
        if t.predicate.value == "http://purl.org/linked-data/cube#dataSet"
    }
    assert set(KEEP) <= observations
    return [t for t in triples if t.subject.value not in observations or t.subject.value in KEEP]


GOOD = _fixture()


def _replace(
    subject: str, predicate: str, value: ox.NamedNode | ox.Literal
) -> Callable[[Triples], Triples]:
    def change(triples: Triples) -> Triples:
        out = [
            t
            for t in triples
            if not (t.subject.value == subject and t.predicate.value == predicate)
        ]
        assert len(out) == len(triples) - 1, (subject, predicate)
        return [*out, ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), value)]

    return change


def _drop(subject: str, predicate: str) -> Callable[[Triples], Triples]:
    def change(triples: Triples) -> Triples:
        out = [
            t
            for t in triples
            if not (t.subject.value == subject and t.predicate.value == predicate)
        ]
        assert len(out) < len(triples)
        return out

    return change


OBS = KEEP[0]
ROW = KEEP[2]
BAD = [
    ("ObservationShape", _drop(OBS, FP + "placedBy")),
    ("ObservationShape", _replace(OBS, FP + "printedUnit", ox.Literal("美元"))),
    ("ObservationShape", _replace(OBS, FP + "amount", ox.Literal("97.44"))),  # not a decimal
    (
        "AmountIsPrintedShape",
        _replace(
            OBS,
            FP + "amount",
            ox.Literal(
                "974400.01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
            ),
        ),
    ),
    (
        "DecimalsShape",
        _replace(
            OBS,
            FP + "printedDecimals",
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
    ),
    (
        "CodedOrRowShape",
        _replace(OBS, FP + "row", ox.NamedNode("https://w3id.org/fiscalpub/code/row/total")),
    ),
    (
        "CodedOrRowShape",
        _replace(ROW, FP + "row", ox.NamedNode("https://w3id.org/fiscalpub/code/row/_Z")),
    ),
    (
        "EditionYearShape",
        _replace(
            OBS,
            FP + "functionalClassification",
            ox.NamedNode("https://w3id.org/fiscalpub/code/function/2022/2101501"),
        ),
    ),
    ("DataSetShape", _drop(DS, "http://purl.org/dc/terms/publisher")),
    (
        "DistributionShape",
        _replace(
            f"{DS}/distribution/line_items/sha256",
            "http://spdx.org/rdf/terms#checksumValue",
            ox.Literal("not-a-sha256"),
        ),
    ),
]


def test_the_fixture_conforms() -> None:
    assert shacl(serialise(GOOD, "nt")) == []


@pytest.mark.parametrize(("shape", "change"), BAD, ids=[f"{s}-{i}" for i, (s, _) in enumerate(BAD)])
def test_every_shape_fires(shape: str, change: Callable[[Triples], Triples]) -> None:
    found = {p.check for p in shacl(serialise(sorted(set(change(GOOD)), key=str), "nt"))}
    assert shape in found, found


def test_every_shape_has_a_failing_fixture() -> None:
    shapes = Graph().parse(ROOT / "vocab" / "cube-shapes.ttl")
    named = {str(s)[len(FPSH) :] for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert named == {shape for shape, _ in BAD}


def test_shape_enumerations_follow_the_schema() -> None:
    """placedBy and printedUnit lists are those of the package schema and the parser."""
    shapes = Graph().parse(ROOT / "vocab" / "cube-shapes.ttl")
    lists = {}
    for prop_shape in shapes.objects(None, SH.property):
        path = shapes.value(prop_shape, SH.path)
        head = shapes.value(prop_shape, SH["in"])
        if head is not None:
            from rdflib.collection import Collection

            lists[str(path)] = {str(v) for v in Collection(shapes, head)}
    schema = json.loads((ROOT / "schemas" / "line_items.schema.json").read_text("utf-8"))
    placed = next(f for f in schema["fields"] if f["name"] == "placed_by")
    assert lists[FP + "placedBy"] == set(placed["constraints"]["enum"]) - {"unplaced"}
    assert lists[FP + "printedUnit"] == set(UNIT_FACTOR)
