"""The import contract (README "Architecture"): the modules of src/fiscalpub form layers,
and a module imports only from its own layer or the ones below it.

Read from the source with `ast` (nothing is imported), so a violation is found however
deep in a function it hides.  The rules, each its own test:

(a) no module imports a higher layer;
(b) validate and rdf are siblings: neither imports the other;
(c) no import cycle among modules, top-level and function-local imports alike;
(d) function-local fiscalpub imports only in the modules LAZY names, with the reason;
(e) every module is in LAYERS: a new module fails until it is placed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom to top.  A name covers that module and, for a package, everything inside it;
# the longest name that covers a module decides its layer.  "fiscalpub" is the package's
# own __init__ only.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "text",
        (
            "fiscalpub",
            "fiscalpub.text",
            "fiscalpub.numbers",
            "fiscalpub.normalize",
            "fiscalpub.atomic",
            "fiscalpub.errors",
            "fiscalpub.pool",
            "fiscalpub.config",
            "fiscalpub.schema",
        ),
    ),
    (
        "model",
        (
            "fiscalpub.model",
            "fiscalpub.registry",
            "fiscalpub.code_index",
            "fiscalpub.findings",  # the catalogue of finding codes (issue 17 point 3)
        ),
    ),
    ("read", ("fiscalpub.read", "fiscalpub.canonical")),
    ("parse", ("fiscalpub.parse", "fiscalpub.grouping")),
    ("vocab", ("fiscalpub.vocab",)),
    ("package", ("fiscalpub.package",)),
    ("validate", ("fiscalpub.validate",)),
    ("rdf", ("fiscalpub.rdf",)),
    ("publish", ("fiscalpub.publish",)),
    ("api", ("fiscalpub.api",)),
    ("pipeline", ("fiscalpub.pipeline", "fiscalpub.catalog")),
    ("cli", ("fiscalpub.cli",)),
]
# layers on one level: each may import what is below both, never the other
SIBLINGS = {"validate": "rdf", "rdf": "validate"}

# The modules allowed function-local fiscalpub imports, and why: start-up time only.
# Everywhere else imports sit at the top, where a reader (and this test) sees them.
LAZY: dict[str, str] = {
    "fiscalpub.read": "read_document loads read.pdf only for a PDF: it pulls pypdfium2",
    # the command line imports the library inside each command, so that `fiscalpub
    # --help` and a command that needs little do not load pyoxigraph, frictionless,
    # ckanapi, Pillow, fontTools or the parser (about 1.5 s)
    "fiscalpub.cli._common": "start-up time: the library, inside the shared helpers",
    "fiscalpub.cli.build": "start-up time: the library, inside `build`",
    "fiscalpub.cli.linked": "start-up time: pyoxigraph and the RDF stage, inside the commands",
    "fiscalpub.cli.parse": "start-up time: the parser, inside `parse`",
    "fiscalpub.cli.publish": "start-up time: the library (ckanapi, pyoxigraph), inside `publish`",
    "fiscalpub.cli.run": "start-up time: the pipeline, inside `run`",
    "fiscalpub.cli.validate": "start-up time: the validator, inside `validate`",
    "fiscalpub.cli.vocab": "start-up time: the parser and vocabulary, inside `vocab`",
    # every worker of `run` imports the library: the portal client (ckanapi, requests;
    # ~0.3 s a process) only when something is published
    "fiscalpub.api": "start-up time: the portal client, inside `publish`",
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported fiscalpub module
    line: int
    local: bool  # inside a function (or a class body), not run at import time


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / "fiscalpub").rglob("*.py"))}


MODULES = _modules()


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of a `from … import`, relative ones included."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The fiscalpub modules a statement imports: `from fiscalpub.x import y` imports the
    module fiscalpub.x.y when there is one, else names from fiscalpub.x."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name.split(".")[0] == "fiscalpub")
        return
    source = _resolve(module, path, node)
    if source.split(".")[0] != "fiscalpub":
        return
    names = {f"{source}.{a.name}" for a in node.names} & MODULES.keys()
    yield from sorted(names)
    if len(names) < len(node.names):
        yield source


def _imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(node: ast.AST, local: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in _targets(module, path, child):
                    if target != module:
                        yield Import(module, target, child.lineno, local)
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            yield from walk(child, local or inner)

    yield from walk(tree, False)


IMPORTS = [i for module, path in MODULES.items() for i in _imports_of(module, path)]


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the longest name covering `module`."""
    best: tuple[int, int] | None = None
    for index, (_name, names) in enumerate(LAYERS):
        for name in names:
            covers = module == name or (name != "fiscalpub" and module.startswith(name + "."))
            if covers and (best is None or len(name) > best[1]):
                best = (index, len(name))
    return best[0] if best else None


def _name(index: int) -> str:
    return LAYERS[index][0]


def _level(index: int) -> int:
    """Siblings share a level: the level of the first of them."""
    name = _name(index)
    partner = SIBLINGS.get(name)
    if partner is None:
        return index
    return min(index, next(i for i, (n, _) in enumerate(LAYERS) if n == partner))


def _where(i: Import) -> str:
    return f"{MODULES[i.module].relative_to(SRC)}:{i.line} {i.module} -> {i.target}"


def test_every_module_has_a_layer() -> None:
    """(e) a new module is placed in LAYERS before it can be imported anywhere."""
    missing = sorted(m for m in MODULES if layer_of(m) is None)
    assert not missing, f"modules in no layer (add them to LAYERS): {missing}"


def test_no_module_imports_a_higher_layer() -> None:
    """(a) text → model → read → parse → vocab → package → validate | rdf → publish → api →
    pipeline → cli: imports only point down (or within a layer)."""
    upward = []
    for i in IMPORTS:
        mine, theirs = layer_of(i.module), layer_of(i.target)
        if mine is None or theirs is None:
            continue  # (e) reports it
        if _level(theirs) > _level(mine):
            upward.append(f"{_where(i)} ({_name(mine)} imports {_name(theirs)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_validate_and_rdf_do_not_import_each_other() -> None:
    """(b) the two consumers of a built package stay independent."""
    across = []
    for i in IMPORTS:
        mine, theirs = layer_of(i.module), layer_of(i.target)
        if mine is not None and theirs is not None and SIBLINGS.get(_name(mine)) == _name(theirs):
            across.append(_where(i))
    assert not across, "validate and rdf import each other:\n" + "\n".join(across)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    """(c) no cycle, whether its imports run at import time or inside functions: a local
    import that dodges a cycle still ties the two modules together."""
    edges: dict[str, set[str]] = {}
    for i in IMPORTS:
        edges.setdefault(i.module, set()).add(i.target)
    cycles = _cycles(edges)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_function_local_imports_only_where_allowed() -> None:
    """(d) an import inside a function hides a dependency from the reader; it is allowed
    only in the modules LAZY names, where start-up time needs it."""
    hidden = [_where(i) for i in IMPORTS if i.local and i.module not in LAZY]
    assert not hidden, "function-local imports outside LAZY:\n" + "\n".join(hidden)


def test_the_allow_list_only_names_modules_with_local_imports() -> None:
    """LAZY shrinks: a module that no longer imports inside a function leaves it."""
    local = {i.module for i in IMPORTS if i.local}
    stale = sorted(LAZY.keys() - local)
    assert not stale, f"LAZY names modules without function-local imports (delete): {stale}"
