"""The embedded SPARQL store: the vocabulary plus the cubes of data packages.

The vocabulary Turtle ships inside the wheel (``fiscalpub/_vocab``); in a source
checkout it is read from ``vocab/`` at the repository root.  Each package's cube is a
named graph whose name is the dataset IRI (the same graph `push` writes to a triple
store); what datasets share (structure, code lists, concepts, departments, sources)
goes to the vocabulary graph, so the union of all graphs — the default graph of
queries — holds each triple once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, Triple, parse

from fiscalpub.errors import FiscalpubError
from fiscalpub.package.reader import LoadedPackage, read_package
from fiscalpub.rdf.cube import cube, package_iri, quads, split
from fiscalpub.rdf.terms import W3ID

VOCAB_GRAPH = W3ID + "vocab"
# loaded into the store; shapes.ttl and cube-shapes.ttl are SHACL, not data
VOCAB_FILES = ("fiscalpub.ttl", "codes.ttl", "cofog.ttl", "departments.ttl", "cube.ttl")


def vocab_dir(explicit: Path | None = None) -> Path:
    """Where the vocabulary Turtle is: `explicit`, the wheel's copy, or the checkout's."""
    if explicit is not None:
        if not (explicit / "codes.ttl").is_file():
            raise FiscalpubError(f"{explicit}: no codes.ttl (not a vocabulary folder)")
        return explicit
    packaged = Path(str(resources.files("fiscalpub") / "_vocab"))
    if (packaged / "codes.ttl").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "vocab"
    if (checkout / "codes.ttl").is_file():
        return checkout
    raise FiscalpubError("the vocabulary is missing from this installation (no codes.ttl)")


def find_packages(paths: Iterable[Path]) -> list[Path]:
    """Package directories: each path is a package or a folder of packages."""
    found: list[Path] = []
    for path in paths:
        if path.name == "datapackage.json":
            path = path.parent
        if (path / "datapackage.json").is_file():
            found.append(path)
        elif path.is_dir():
            inner = sorted(p.parent for p in path.glob("*/datapackage.json"))
            if not inner:
                raise FiscalpubError(f"{path}: no data packages in this folder")
            found += inner
        else:
            raise FiscalpubError(f"{path}: no such package or folder")
    return found


@dataclass
class Loaded:
    store: Store
    datasets: list[str]
    triples: int


def load(
    packages: Iterable[Path],
    base: str,
    *,
    vocab: Path | None = None,
    with_vocab: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Loaded:
    store = Store()
    if with_vocab:
        folder = vocab_dir(vocab)
        for name in VOCAB_FILES:
            path = folder / name
            if path.is_file():
                store.bulk_load(
                    path=str(path), format=RdfFormat.TURTLE, to_graph=NamedNode(VOCAB_GRAPH)
                )
    datasets = []
    for path in packages:
        package: LoadedPackage = read_package(path)
        if progress:
            progress(package.name)
        iri = package_iri(package, base)
        own, shared = split(cube(package, base), iri)
        store.bulk_extend(quads(own, iri))
        store.bulk_extend(quads(shared, VOCAB_GRAPH))
        datasets.append(iri)
    return Loaded(store, datasets, len(store))


def vocab_triples(explicit: Path | None = None) -> list[Triple]:
    """Every triple of the vocabulary files (VOCAB_FILES) that are there."""
    folder = vocab_dir(explicit)
    out: list[Triple] = []
    for name in VOCAB_FILES:
        if (folder / name).is_file():
            out += parse(path=str(folder / name), format=RdfFormat.TURTLE)
    return out
