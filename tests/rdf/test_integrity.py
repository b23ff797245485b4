"""The W3C RDF Data Cube well-formedness checks (fiscalpub.rdf.integrity): the spec's
queries are all there and used, valid cubes pass, each fixture ic-NN*.ttl violates
exactly IC-NN, IC-12's one-pass check agrees with the spec's query, and a passed store
is left as it was."""

from __future__ import annotations

import random
import re
from importlib import resources
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from fiscalpub.rdf import integrity
from fiscalpub.rdf.integrity import CONSTRAINTS, NORMALIZATION, Violation, check, normalize

FIXTURES = Path(__file__).parent / "fixtures" / "ic"
QUERIES = resources.files("fiscalpub.rdf").joinpath("ic")
EX = "https://example.org/cube/"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# The titles of section 11.2 of the Recommendation, in order.
SPEC_TITLES = [
    "Unique DataSet",
    "Unique DSD",
    "DSD includes measure",
    "Dimensions have range",
    "Concept dimensions have code lists",
    "Only attributes may be optional",
    "Slice Keys must be declared",
    "Slice Keys consistent with DSD",
    "Unique slice structure",
    "Slice dimensions complete",
    "All dimensions required",
    "No duplicate observations",
    "Required attributes",
    "All measures present",
    "Measure dimension consistent",
    "Single measure on measure dimension observation",
    "All measures present in measures dimension cube",
    "Consistent data set links",
    "Codes from code list",
    "Codes from hierarchy",
    "Codes from hierarchy (inverse)",
]

VALID = sorted(FIXTURES.glob("valid*.ttl"))
VIOLATING = sorted(FIXTURES.glob("ic-*.ttl"))


def _violated(violations: list[Violation]) -> list[str]:
    return [v.constraint for v in violations]


def _turtle(path: Path) -> bytes:
    return path.read_bytes()


# --- the queries ---------------------------------------------------------------------------


def test_constraints_are_the_spec_ones() -> None:
    assert [c.id for c in CONSTRAINTS] == [f"IC-{n}" for n in range(1, 22)]
    assert [c.title for c in CONSTRAINTS] == SPEC_TITLES
    assert [c.number for c in CONSTRAINTS] == list(range(1, 22))
    empty = Store()
    for c in CONSTRAINTS:
        assert c.query.startswith(f"# {c.id}. {c.title} — ")
        if c.id in ("IC-20", "IC-21"):
            assert c.parameters is not None and "$p" in c.query
            query = c.query.replace("$p", SKOS + "narrower")
            assert isinstance(empty.query(c.parameters), pyoxigraph.QuerySolutions)
        else:
            assert c.parameters is None and "$p" not in c.query
            query = c.query
        result = empty.query(query)
        assert isinstance(result, pyoxigraph.QueryBoolean), c.id
        assert not result, f"{c.id} is violated by an empty graph"


def test_every_query_file_is_used() -> None:
    """Every file in ic/ is a constraint, a template's parameters or a normalization
    phase, and the other way round: nothing shipped is left out, nothing is inline."""
    shipped = {
        f.name: f.read_text(encoding="utf-8")
        for f in QUERIES.iterdir()
        if f.name.endswith((".rq", ".ru"))
    }
    used = [c.query for c in CONSTRAINTS]
    used += [c.parameters for c in CONSTRAINTS if c.parameters is not None]
    used += list(NORMALIZATION)
    assert sorted(used) == sorted(shipped.values())
    assert {f"ic-{n:02d}.rq" for n in range(1, 22)} <= set(shipped)
    assert {"normalize-phase1.ru", "normalize-phase2.ru"} <= set(shipped)


def test_normalization_phases_are_in_order() -> None:
    assert "type and property closure" in NORMALIZATION[0]
    assert "push down attachment levels" in NORMALIZATION[1]


# --- the fixtures --------------------------------------------------------------------------


def test_every_constraint_has_a_failing_fixture() -> None:
    names = {p.name for p in VIOLATING}
    missing = [f"ic-{n:02d}.ttl" for n in range(1, 22) if f"ic-{n:02d}.ttl" not in names]
    assert not missing, f"no failing case for {missing}"
    for path in VIOLATING:
        assert re.fullmatch(r"ic-(0[1-9]|1[0-9]|2[01])(-[a-z0-9-]+)?\.ttl", path.name), path


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_cube_is_well_formed(path: Path) -> None:
    assert check(_turtle(path), format=RdfFormat.TURTLE) == []


@pytest.mark.parametrize("path", VIOLATING, ids=lambda p: p.name)
def test_fixture_violates_its_constraint(path: Path) -> None:
    """Each fixture is a valid cube with one change (its header comment says which); it
    violates its own constraint and no other (each header says why the others hold)."""
    expected = f"IC-{int(path.name[3:5])}"
    violations = check(_turtle(path), format=RdfFormat.TURTLE)
    assert expected in _violated(violations)
    assert _violated(violations) == [expected]
    (violation,) = violations
    assert violation.title == SPEC_TITLES[int(path.name[3:5]) - 1]
    assert violation.detail


def test_the_valid_cube_needs_normalizing() -> None:
    """valid.ttl is abbreviated. As written it violates IC-3 (its components are given
    with qb:measure etc., not qb:componentProperty: phase 1); after phase 1 only, IC-11
    (ex:o1 and ex:o2 get their region from the slice) and IC-13 (the unit is given on
    the data set): phase 2."""
    store = Store()
    store.load(_turtle(FIXTURES / "valid.ttl"), RdfFormat.TURTLE)
    by_id = {c.id: c for c in CONSTRAINTS}
    assert store.query(by_id["IC-3"].query)
    store.update(NORMALIZATION[0])
    assert not store.query(by_id["IC-3"].query)
    assert store.query(by_id["IC-11"].query)
    assert store.query(by_id["IC-13"].query)
    store.update(NORMALIZATION[1])
    assert not store.query(by_id["IC-11"].query)
    assert not store.query(by_id["IC-13"].query)


def test_the_hierarchy_templates_are_instantiated() -> None:
    """IC-20 and IC-21 are exercised by valid.ttl, not vacuously true."""
    store = normalize(_turtle(FIXTURES / "valid.ttl"), format=RdfFormat.TURTLE)
    by_id = {c.id: c for c in CONSTRAINTS}
    for ident, expected in (("IC-20", "narrower"), ("IC-21", "broader")):
        parameters = by_id[ident].parameters
        assert parameters is not None
        assert integrity._parameters(store, parameters) == [NamedNode(SKOS + expected)]


def test_violations_come_in_ic_order_with_a_witness() -> None:
    text = (FIXTURES / "valid.ttl").read_text(encoding="utf-8")
    text = text.replace("    ex:unit ex:yuan ;\n", "")  # IC-13
    text += "\nex:stray a qb:Observation .\n"  # IC-1
    text += "\nex:o3 ex:class ex:c999 .\n"  # IC-19
    violations = check(text, format=RdfFormat.TURTLE)
    assert _violated(violations) == ["IC-1", "IC-13", "IC-19"]
    assert f"?obs=<{EX}stray>" in violations[0].detail
    assert f"?v=<{EX}c999>" in violations[2].detail


# --- the input ------------------------------------------------------------------------------


def test_n_triples_is_the_default_format() -> None:
    store = Store()
    store.load(_turtle(FIXTURES / "ic-12.ttl"), RdfFormat.TURTLE)
    ntriples = store.dump(format=RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    assert _violated(check(ntriples)) == ["IC-12"]
    assert _violated(check(ntriples.decode())) == ["IC-12"]


def test_check_leaves_a_passed_store_alone() -> None:
    store = Store()
    store.load(_turtle(FIXTURES / "ic-13.ttl"), RdfFormat.TURTLE, to_graph=NamedNode(EX + "g"))
    store.add(Quad(NamedNode(EX + "x"), NamedNode(EX + "p"), Literal("default graph")))
    before = sorted(str(q) for q in store)
    assert _violated(check(store)) == ["IC-13"]
    assert sorted(str(q) for q in store) == before
    assert list(store.named_graphs()) == [NamedNode(EX + "g")]
    # normalization ran on a copy: the store did not get its inferred types
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert not list(store.quads_for_pattern(NamedNode(EX + "o1"), rdf_type, None, None))


def test_named_graphs_are_checked_as_their_union() -> None:
    """A cube split over graphs is one cube: the structure in one graph, a duplicate
    observation in another."""
    store = Store()
    store.load(_turtle(FIXTURES / "valid.ttl"), RdfFormat.TURTLE, to_graph=NamedNode(EX + "g1"))
    assert check(store) == []
    extra = (
        f"<{EX}o5> <{QB}dataSet> <{EX}dataset> ; <{EX}class> <{EX}c201> ; "
        f"<{EX}region> <{EX}west> ; <{EX}amount> 1.0 ."
    )
    store.load(extra, RdfFormat.TURTLE, to_graph=NamedNode(EX + "g2"))
    assert _violated(check(store)) == ["IC-12"]
    trig = store.dump(format=RdfFormat.TRIG)
    assert _violated(check(trig, format=RdfFormat.TRIG)) == ["IC-12"]


# --- IC-12 in one pass agrees with the spec's query -----------------------------------------

SPEC_IC12 = next(c.query for c in CONSTRAINTS if c.id == "IC-12")


def _spec_and_fast(store: Store) -> tuple[bool, bool]:
    return bool(store.query(SPEC_IC12)), integrity._duplicate_observations(store) is not None


@pytest.mark.parametrize("path", VALID + VIOLATING, ids=lambda p: p.name)
def test_ic12_agrees_with_the_spec_on_the_fixtures(path: Path) -> None:
    spec, fast = _spec_and_fast(normalize(_turtle(path), format=RdfFormat.TURTLE))
    assert spec == fast


# Dimension values for the random cubes: IRIs, and literals some of which are equal (=)
# without being the same term, or never equal (NaN, two unequal unknown-typed literals).
VALUES = [
    f"<{EX}a>",
    f"<{EX}b>",
    "_:b1",
    '"1"^^xsd:integer',
    '"01"^^xsd:int',
    '"1.0"^^xsd:decimal',
    '"1"^^xsd:double',
    '"1E0"^^xsd:float',
    '"2.5"^^xsd:decimal',
    '"2.5e0"^^xsd:double',
    '"1"',
    '"1"^^xsd:string',
    '"1"@en',
    '"1"@zh',
    '"true"^^xsd:boolean',
    '"1"^^xsd:boolean',
    '"2018-01-01T00:00:00Z"^^xsd:dateTime',
    '"2018-01-01T08:00:00+08:00"^^xsd:dateTime',
    '"2018-01-01T00:00:00"^^xsd:dateTime',
    '"2018-01-01T00:00:00.000Z"^^xsd:dateTime',
    '"u"^^<https://example.org/dt>',
    '"v"^^<https://example.org/dt>',
    '"NaN"^^xsd:double',
    '"abc"^^xsd:integer',
    '"2018"^^xsd:gYear',
]


def _random_cube(rng: random.Random) -> str:
    lines = [f"@prefix qb: <{QB}> .", f"@prefix xsd: <{XSD}> .", f"@prefix ex: <{EX}> ."]
    dims = [f"ex:d{i}" for i in range(rng.randint(1, 3))]
    datasets = ["ex:ds1", "ex:ds2"]
    for n, ds in enumerate(datasets):
        mine = dims if n == 0 else rng.sample(dims, rng.randint(1, len(dims)))
        specs = " , ".join(f"[ qb:dimension {d} ]" for d in mine)
        lines.append(f"{ds} qb:structure ex:dsd{n} . ex:dsd{n} qb:component {specs} .")
    pool = rng.sample(VALUES, rng.randint(2, 6))
    for i in range(rng.randint(2, 8)):
        obs = f"ex:o{i}"
        member = rng.choices([["ex:ds1"], ["ex:ds2"], datasets], weights=[6, 2, 1])[0]
        lines += [f"{obs} qb:dataSet {ds} ." for ds in member]
        for d in dims:
            for value in rng.sample(pool, rng.choices([0, 1, 2], weights=[1, 8, 1])[0]):
                lines.append(f"{obs} {d} {value} .")
    return "\n".join(lines) + "\n"


def test_ic12_agrees_with_the_spec_on_random_cubes() -> None:
    rng = random.Random(12)
    outcomes = set()
    for _ in range(400):
        text = _random_cube(rng)
        spec, fast = _spec_and_fast(normalize(text, format=RdfFormat.TURTLE))
        assert spec == fast, text
        outcomes.add(spec)
    assert outcomes == {True, False}


@pytest.mark.parametrize(
    ("a", "b"),
    [(VALUES[i], VALUES[j]) for i in range(len(VALUES)) for j in range(i, len(VALUES))],
)
def test_value_keys_follow_sparql_equality(a: str, b: str) -> None:
    """Two values have the same key exactly when SPARQL `=` says true (an error, like
    "u"^^ex:dt = "v"^^ex:dt, counts as not equal: it makes IC-12's pair not duplicate)."""
    store = Store()
    turtle = f"@prefix xsd: <{XSD}> . <{EX}s> <{EX}p> {a} . <{EX}s> <{EX}q> {b} ."
    store.load(turtle, RdfFormat.TURTLE)
    ((x, y, equal),) = [
        tuple(row)
        for row in store.query(
            f"SELECT ?x ?y (?x = ?y AS ?e) WHERE {{ <{EX}s> <{EX}p> ?x ; <{EX}q> ?y }}"
        )
    ]
    sparql = equal is not None and equal.value == "true"
    assert (integrity._value_key(x) == integrity._value_key(y)) == sparql
