"""IRIs shared by the RDF stages: the fixed vocabulary namespace and the W3C/other
vocabularies the export reuses.  Data IRIs (datasets, observations) are built from the
configured base IRI in :mod:`fiscalpub.rdf.cube`; everything here is the same for every
publisher so queries work across publishers."""

from __future__ import annotations

from pyoxigraph import NamedNode

from fiscalpub.vocab import turtle

W3ID = "https://w3id.org/fiscalpub/"
FP = W3ID + "def#"
CODE = W3ID + "code/"
DSD = W3ID + "dsd/report"
SOURCE = W3ID + "source/"

PREFIXES = {
    **turtle.PREFIXES,  # the vocabulary's own, and:
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
    # the code lists, so queries can write fpt:expenditure rather than escape a "/"
    "fpt": CODE + "table/",
    "fpcol": CODE + "column/",
    "fprow": CODE + "row/",
    "fpk": CODE + "kind/",
    "fpf": CODE + "function/",
    "fpe": CODE + "economic/",
    "cofog": CODE + "cofog/",
}


def ns(prefix: str, local: str) -> NamedNode:
    return NamedNode(PREFIXES[prefix] + local)


RDF_TYPE = ns("rdf", "type")
XSD_DECIMAL = ns("xsd", "decimal")
XSD_INTEGER = ns("xsd", "integer")
XSD_DATE = ns("xsd", "date")
XSD_GYEAR = ns("xsd", "gYear")
XSD_BOOLEAN = ns("xsd", "boolean")


def fp(local: str) -> NamedNode:
    return NamedNode(FP + local)


def code(path: str) -> NamedNode:
    return NamedNode(CODE + path)


def year_iri(year: int) -> NamedNode:
    """The UK reference year IRIs, the common choice for Data Cube periods."""
    return NamedNode(f"http://reference.data.gov.uk/id/year/{year}")


CNY = NamedNode("http://qudt.org/vocab/unit/CCY_CNY")
ZH = NamedNode("http://publications.europa.eu/resource/authority/language/ZHO")
