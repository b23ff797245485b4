"""A deterministic Turtle writer: the same triples always give the same bytes.

rdflib's serializer does not promise an order; committed vocabulary files must be
byte-identical when rebuilt, so subjects, predicates and objects are sorted here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

Triple = tuple[URIRef, URIRef, URIRef | Literal]

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
    "sh": "http://www.w3.org/ns/shacl#",
    "obeu-dimension": "http://data.openbudgets.eu/ontology/dsd/dimension/",
    "fp": "https://w3id.org/fiscalpub/def#",
    "fpc": "https://w3id.org/fiscalpub/code/",
    "fpo": "https://w3id.org/fiscalpub/org/",
    "fpr": "https://w3id.org/fiscalpub/region/",
    "fps": "https://w3id.org/fiscalpub/source/",
}


def _term(term: URIRef | Literal) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = text[len(ns) :]
            if text.startswith(ns) and local and all(c.isalnum() or c in "_-" for c in local):
                return f"{prefix}:{local}"  # Turtle 1.1: a local name may start with a digit
        return f"<{text}>"
    return term.n3()


def turtle(triples: Iterable[Triple], header: str = "") -> str:
    by_subject: dict[URIRef, list[tuple[URIRef, URIRef | Literal]]] = defaultdict(list)
    for s, p, o in set(triples):
        by_subject[s].append((p, o))
    used = set(PREFIXES)
    lines = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    lines += [f"@prefix {pfx}: <{PREFIXES[pfx]}> ." for pfx in sorted(used)]
    for s in sorted(by_subject, key=str):
        pairs = sorted(
            by_subject[s], key=lambda po: (po[0] != RDF.type, _term(po[0]), _term(po[1]))
        )
        lines.append("")
        lines.append(_term(s))
        grouped: dict[str, list[str]] = {}
        order: list[str] = []
        for p, o in pairs:
            key = "a" if p == RDF.type else _term(p)
            if key not in grouped:
                grouped[key] = []
                order.append(key)
            grouped[key].append(_term(o))
        for n, key in enumerate(order):
            end = " ." if n == len(order) - 1 else " ;"
            lines.append(f"    {key} {', '.join(grouped[key])}{end}")
    return "\n".join(lines) + "\n"
