"""SHACL shapes (vocab/shapes.ttl): the vocabulary conforms, every shape fires on a bad fixture."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from tests.conftest import ROOT

VOCAB = ROOT / "vocab"
SHAPES = Graph().parse(VOCAB / "shapes.ttl")
FPSH = "https://w3id.org/fiscalpub/shapes#"

HEAD = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix fp: <https://w3id.org/fiscalpub/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:s a skos:ConceptScheme .
"""
GOOD = (
    HEAD
    + """
ex:s2018 a skos:ConceptScheme, fp:Edition ; fp:year "2018"^^xsd:gYear .
ex:201 a fp:Code ; skos:notation "201" ; skos:prefLabel "一般公共服务支出"@zh ; skos:inScheme ex:s .
ex:20101 a fp:Code ; skos:notation "20101" ; skos:prefLabel "人大事务"@zh ; skos:inScheme ex:s ;
    skos:broader ex:201 .
ex:e20101 a fp:EditionConcept ; skos:notation "20101" ; skos:prefLabel "人大事务"@zh ;
    skos:inScheme ex:s2018 ; fp:year "2018"^^xsd:gYear ; dct:isVersionOf ex:20101 .
ex:dept a org:Organization ; skos:prefLabel "某局"@zh ; fp:region ex:r .
ex:r a fp:Region ; skos:notation "410503" .
"""
)


def _violations(ttl: str) -> set[str]:
    data = Graph().parse(data=ttl, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=SHAPES, inference="none", advanced=True
    )
    shapes = set()
    for result in report.subjects(SH.sourceShape, None):
        for shape in report.objects(result, SH.sourceShape):
            shapes.add(_shape_name(report, shape))
    assert conforms == (not shapes)
    return shapes


def _shape_name(report: Graph, shape: URIRef) -> str:
    """The named node shape a (possibly blank) property shape belongs to."""
    if str(shape).startswith(FPSH):
        return str(shape)[len(FPSH) :]
    for parent in SHAPES.subjects(SH.property, shape):
        return str(parent)[len(FPSH) :]
    return str(shape)


def test_the_vocabulary_conforms() -> None:
    data = Graph()
    for name in ("codes", "cofog", "departments", "fiscalpub"):
        data.parse(VOCAB / f"{name}.ttl")
    conforms, _, text = pyshacl.validate(data, shacl_graph=SHAPES, inference="none", advanced=True)
    assert conforms, text


def test_a_good_fixture_conforms() -> None:
    assert _violations(GOOD) == set()


BAD = [
    (
        'skos:notation "20101" ; skos:prefLabel',
        'skos:notation "2010" ; skos:prefLabel',
        "CodeShape",
    ),
    ('"人大事务"@zh ; skos:inScheme ex:s ;', '"人大事务"@en ; skos:inScheme ex:s ;', "CodeShape"),
    ("skos:broader ex:201 .", "skos:broader ex:20101 .", "BroaderIsPrefixShape"),
    ("ex:201 a fp:Code ;", "ex:201 a fp:Code ; skos:broader ex:20101 ;", "NoCycleShape"),
    ('fp:year "2018"^^xsd:gYear ; dct:isVersionOf', "dct:isVersionOf", "EditionConceptShape"),
    (
        'ex:e20101 a fp:EditionConcept ; skos:notation "20101"',
        'ex:e20101 a fp:EditionConcept ; skos:notation "20102"',
        "EditionNotationShape",
    ),
    ('fp:Edition ; fp:year "2018"^^xsd:gYear .', "fp:Edition .", "EditionShape"),
    ('skos:prefLabel "某局"@zh', 'skos:prefLabel "A bureau"@en', "OrganizationShape"),
    ('skos:notation "410503"', 'skos:notation "41050"', "RegionShape"),
]


@pytest.mark.parametrize(
    ("old", "new", "shape"), BAD, ids=[f"{s}-{i}" for i, (_, _, s) in enumerate(BAD)]
)
def test_every_shape_fires(old: str, new: str, shape: str) -> None:
    assert old in GOOD
    assert shape in _violations(GOOD.replace(old, new, 1))


def test_every_shape_has_a_failing_fixture() -> None:
    from rdflib.namespace import RDF

    named = {str(s)[len(FPSH) :] for s in SHAPES.subjects(RDF.type, SH.NodeShape)}
    assert named == {shape for _, _, shape in BAD}
