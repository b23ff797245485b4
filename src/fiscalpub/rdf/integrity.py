"""The W3C RDF Data Cube well-formedness checks: normalization, then IC-1 … IC-21.

From "The RDF Data Cube Vocabulary", W3C Recommendation 16 January 2014, section 11
(https://www.w3.org/TR/2014/REC-vocab-data-cube-20140116/#wf): a cube is well formed when,
after the normalization algorithm (11.1) has been applied, none of the integrity
constraints' ASK queries (11.2) returns true. The spec's SPARQL ships as package data in
``ic/``: ``normalize-phase1.ru`` and ``normalize-phase2.ru``, ``ic-01.rq`` … ``ic-21.rq``,
and ``ic-20-p.rq`` / ``ic-21-p.rq``, the spec's queries that instantiate the IC-20 and
IC-21 templates (``$p``, a hierarchical code list's ``qb:parentChildProperty``).

:func:`check` runs every query as written, with one exception: IC-12 (no duplicate
observations) compares every pair of observations of a data set, which is quadratic, so
:func:`check` decides the same question in one pass over the observations instead
(:func:`_duplicate_observations`; the tests compare the two).
"""

from __future__ import annotations

import math
import re
import struct
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from importlib import resources

import pyoxigraph
from pyoxigraph import RdfFormat

__all__ = [
    "CONSTRAINTS",
    "NORMALIZATION",
    "Constraint",
    "Violation",
    "check",
    "normalize",
]

_IC = resources.files("fiscalpub.rdf").joinpath("ic")
_HEADER = re.compile(r"# (IC-(\d+))\. (.+?) — ")
_ASK = re.compile(r"^ASK\s*\{", re.MULTILINE)
_TEMPLATES = {"IC-20": "ic-20-p.rq", "IC-21": "ic-21-p.rq"}
_SLOT = "$p"


@dataclass(frozen=True)
class Constraint:
    """One integrity constraint of the spec.

    ``query`` is the spec's ASK query (true when the constraint is violated). For the
    templates IC-20 and IC-21 it holds ``$p``, and ``parameters`` is the spec's SELECT
    whose ``?p`` values instantiate it (an IRI each, put in the query's ``<$p>``).
    """

    id: str
    title: str
    query: str
    parameters: str | None = None

    @property
    def number(self) -> int:
        return int(self.id.removeprefix("IC-"))


@dataclass(frozen=True)
class Violation:
    """A constraint the data violates; ``detail`` says where (a witness, and for IC-20 or
    IC-21 which ``qb:parentChildProperty``)."""

    constraint: str
    title: str
    detail: str


def _read(name: str) -> str:
    return _IC.joinpath(name).read_text(encoding="utf-8")


def _load_constraints() -> tuple[Constraint, ...]:
    out = []
    for n in range(1, 22):
        text = _read(f"ic-{n:02d}.rq")
        head = _HEADER.match(text)
        if head is None or int(head.group(2)) != n:
            raise ValueError(f"ic-{n:02d}.rq does not start with '# IC-{n}. Title — …'")
        ident = head.group(1)
        parameters = _read(_TEMPLATES[ident]) if ident in _TEMPLATES else None
        out.append(Constraint(ident, head.group(3), text, parameters))
    return tuple(out)


CONSTRAINTS: tuple[Constraint, ...] = _load_constraints()
"""IC-1 … IC-21, in order."""

NORMALIZATION: tuple[str, str] = (_read("normalize-phase1.ru"), _read("normalize-phase2.ru"))
"""The spec's normalization algorithm as two SPARQL updates, to run in this order."""


def normalize(
    data: pyoxigraph.Store | bytes | str, *, format: RdfFormat = RdfFormat.N_TRIPLES
) -> pyoxigraph.Store:
    """A fresh in-memory store holding ``data`` normalized (spec 11.1).

    Everything goes into the new store's default graph: a store's named graphs and a
    TriG / N-Quads document's graphs are merged (their union is what is checked). A
    passed store is only read.
    """
    store = pyoxigraph.Store()
    if isinstance(data, pyoxigraph.Store):
        store.load(data.dump(format=RdfFormat.N_QUADS), RdfFormat.N_QUADS)
    else:
        store.load(data, format)
    graphs = list(store.named_graphs())
    if graphs:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        for graph in graphs:
            store.remove_graph(graph)
    for update in NORMALIZATION:
        store.update(update)
    return store


def check(
    data: pyoxigraph.Store | bytes | str, *, format: RdfFormat = RdfFormat.N_TRIPLES
) -> list[Violation]:
    """The integrity constraints that ``data`` violates, by IC number; [] when it is a
    well-formed cube. ``format`` is that of ``data`` when it is bytes or text. The data
    is copied into a fresh store and normalized there: a passed store is not changed."""
    store = normalize(data, format=format)
    out: list[Violation] = []
    for constraint in CONSTRAINTS:
        if constraint.id == "IC-12":
            pair = _duplicate_observations(store)
            if pair is not None:
                detail = f"?obs1={pair[0]}, ?obs2={pair[1]}"
                out.append(Violation(constraint.id, constraint.title, detail))
        elif constraint.parameters is not None:
            for value in _parameters(store, constraint.parameters):
                query = constraint.query.replace(_SLOT, value.value)
                if _ask(store, query):
                    where = (
                        f"qb:parentChildProperty {value}"
                        if constraint.id == "IC-20"
                        else f"qb:parentChildProperty [ owl:inverseOf {value} ]"
                    )
                    witness = _witness(store, query)
                    detail = f"{where}: {witness}" if witness else where
                    out.append(Violation(constraint.id, constraint.title, detail))
        elif _ask(store, constraint.query):
            witness = _witness(store, constraint.query)
            out.append(Violation(constraint.id, constraint.title, witness))
    return out


def _ask(store: pyoxigraph.Store, query: str) -> bool:
    result = store.query(query)
    if not isinstance(result, pyoxigraph.QueryBoolean):
        raise TypeError("an integrity constraint must be an ASK query")
    return bool(result)


def _select(store: pyoxigraph.Store, query: str) -> pyoxigraph.QuerySolutions:
    result = store.query(query)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return result


def _parameters(store: pyoxigraph.Store, query: str) -> list[pyoxigraph.NamedNode]:
    """The distinct IRIs ``?p`` of a template's instantiating query, sorted."""
    found = {row["p"] for row in _select(store, query)}
    return sorted((p for p in found if isinstance(p, pyoxigraph.NamedNode)), key=str)


def _witness(store: pyoxigraph.Store, query: str) -> str:
    """The bindings of one solution of the ASK's pattern, as ``?var=term, …``."""
    solutions = _select(store, _ASK.sub("SELECT * WHERE {", query, count=1) + "\nLIMIT 1")
    for row in solutions:
        return ", ".join(
            f"?{var.value}={row[var]}" for var in solutions.variables if row[var] is not None
        )
    return ""


# IC-12 in one pass ---------------------------------------------------------------------

_IC12_ROWS = """
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?obs ?dataset ?dim ?value WHERE {
    ?obs qb:dataSet ?dataset .
    ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty .
    ?obs ?dim ?value .
}
"""

_Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
_Pattern = tuple[frozenset[_Term], frozenset[_Term], frozenset[_Term]]


def _duplicate_observations(store: pyoxigraph.Store) -> tuple[_Term, _Term] | None:
    """Two observations that IC-12's query would find duplicate, or None.

    The spec's query groups the rows (dimension, value1, value2) of each pair of distinct
    observations sharing a data set, over the dimensions of those data sets' structures
    for which both have a value, and calls the pair duplicate when there is a row and
    every row's values are equal (``=``; one error makes MIN unbound and the pair not
    duplicate). Here each observation is reduced to its pattern: its data sets, the
    dimensions where it has one value (up to ``=``), those where it has several unequal
    values. Two patterns can hold a duplicate pair only on the dimensions they share and
    where neither has several values; then a pair is duplicate when its values there are
    the same, found by hashing. Observations normally all have one pattern, so this is
    linear in the observations (at worst patterns² × observations).

    ``=`` is reproduced by :func:`_value_key`; see there for the few literal cases where
    it approximates.
    """
    datasets: dict[_Term, set[_Term]] = {}
    dims: dict[_Term, set[_Term]] = {}
    values: dict[_Term, dict[_Term, set[Hashable]]] = {}
    for obs, dataset, dim, value in _select(store, _IC12_ROWS):
        datasets.setdefault(obs, set()).add(dataset)
        dims.setdefault(dataset, set()).add(dim)
        values.setdefault(obs, {}).setdefault(dim, set()).add(_value_key(value))

    groups: dict[_Pattern, list[_Term]] = defaultdict(list)
    for obs, by_dim in values.items():
        single = frozenset(d for d, keys in by_dim.items() if len(keys) == 1)
        several = frozenset(d for d, keys in by_dim.items() if len(keys) > 1)
        groups[(frozenset(datasets[obs]), single, several)].append(obs)

    patterns = list(groups)
    for i, a in enumerate(patterns):
        for b in patterns[i:]:
            common = a[0] & b[0]
            if not common:
                continue
            relevant = set().union(*(dims[d] for d in common))
            shared = relevant & (a[1] | a[2]) & (b[1] | b[2])
            if not shared or shared & (a[2] | b[2]):
                continue
            order = sorted(shared, key=str)

            def key(obs: _Term, order: list[_Term] = order) -> tuple[Hashable, ...]:
                by_dim = values[obs]
                return tuple(next(iter(by_dim[d])) for d in order)

            seen: dict[tuple[Hashable, ...], _Term] = {}
            for obs in groups[a]:
                first = seen.setdefault(key(obs), obs)
                if a == b and first != obs:
                    return first, obs
            if a != b:
                for obs in groups[b]:
                    first = seen.get(key(obs), obs)
                    if first != obs:
                        return first, obs
    return None


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    _XSD + t
    for t in (
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
)
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z|[+-]?INF\Z|NaN\Z")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)


def _value_key(term: _Term) -> Hashable:
    """A key equal for two terms exactly when SPARQL ``=`` says they are equal.

    IRIs, blank nodes: the term. Strings and language-tagged strings: their text (and
    tag). Booleans, and numbers of the xsd integer types, decimal, float and double: their
    value (a float's rounded to single precision). dateTimes: their instant (those without
    a time zone only equal each other). A NaN equals nothing. Any other literal, or one
    whose lexical form is not valid for its type: the term itself (``=`` is an error for
    two such unequal terms, and an error makes IC-12's pair not duplicate).

    Approximations: a decimal and a float/double compare exactly here, where SPARQL
    first rounds the decimal to a double (0.1 and 0.1e0 are equal in SPARQL, not here);
    literals of other value-typed datatypes (date, gYear, duration, …) with different
    lexical forms for one value (2018-01-01Z and 2018-01-01+00:00) differ here.
    """
    if not isinstance(term, pyoxigraph.Literal):
        return term
    lexical, datatype = term.value, term.datatype.value
    if term.language is not None:
        return ("lang", lexical, term.language.lower())
    if datatype == _XSD + "string":
        return ("string", lexical)
    if datatype in _INTEGERS and _INTEGER.match(lexical):
        return ("number", Decimal(lexical))
    if datatype == _XSD + "decimal" and _DECIMAL.match(lexical):
        return ("number", Decimal(lexical))
    if datatype in (_XSD + "double", _XSD + "float") and _FLOAT.match(lexical):
        number = float(lexical.replace("INF", "inf"))
        if math.isnan(number):
            return object()
        if datatype == _XSD + "float":
            number = _single(number)
        return ("number", number)
    if datatype == _XSD + "boolean" and lexical in ("true", "false", "1", "0"):
        return ("boolean", lexical in ("true", "1"))
    if datatype == _XSD + "dateTime":
        instant = _instant(lexical)
        if instant is not None:
            return ("dateTime", *instant)
    return ("literal", lexical, datatype)


def _single(number: float) -> float:
    try:
        packed: float = struct.unpack("f", struct.pack("f", number))[0]
    except OverflowError:
        return math.copysign(math.inf, number)
    return packed


def _instant(lexical: str) -> tuple[bool, int, Decimal] | None:
    """An xsd:dateTime as (has a time zone, whole seconds, fraction), or None if invalid."""
    match = _DATETIME.match(lexical)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None
    seconds = int(moment.timestamp())
    zone = match.group(8)
    if zone is not None and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return (zone is not None, seconds, Decimal("0" + (match.group(7) or "")))
