"""Run a SPARQL query on a store and render the answer (table, JSON, CSV)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
)

from fiscalpub.errors import FiscalpubError
from fiscalpub.rdf.terms import PREFIXES

FORMATS = ("table", "json", "csv", "tsv")


class QueryError(FiscalpubError):
    """The SPARQL query is not valid."""


def read_query(text: str) -> str:
    """The query itself, or the content of a .rq/.sparql file it names."""
    if text.endswith((".rq", ".sparql")) and "\n" not in text:
        path = Path(text)
        if not path.is_file():
            raise QueryError(f"{text}: no such query file")
        return path.read_text(encoding="utf-8")
    return text


def with_prefixes(query: str) -> str:
    """Declare fiscalpub's usual prefixes unless the query declares its own."""
    declared = {
        line.split()[1].rstrip(":").lower()
        for line in query.splitlines()
        if line.strip().lower().startswith("prefix") and len(line.split()) > 1
    }
    head = "".join(
        f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()) if p not in declared
    )
    return head + query


def execute(store: Store, query: str) -> QuerySolutions | QueryBoolean | QueryTriples:
    try:
        return store.query(with_prefixes(query), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from exc


def compact(term: object) -> str:
    if isinstance(term, NamedNode):
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(iri) and term.value != iri:
                return f"{prefix}:{term.value[len(iri) :]}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return "" if term is None else str(term)


def render(result: QuerySolutions | QueryBoolean | QueryTriples, fmt: str) -> str:
    if isinstance(result, QueryBoolean):
        if fmt == "json":
            return (result.serialize(format=QueryResultsFormat.JSON) or b"").decode("utf-8") + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, QueryTriples):
        return (result.serialize(format=RdfFormat.TURTLE) or b"").decode("utf-8")
    if fmt in ("json", "csv", "tsv"):
        out = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV}
        data = result.serialize(format=out.get(fmt, QueryResultsFormat.TSV)) or b""
        text = data.decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    names = [v.value for v in result.variables]
    rows = [[compact(solution[name]) for name in names] for solution in result]
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = [_row(names, widths), _row(["-" * w for w in widths], widths)]
    lines += [_row(r, widths) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()
