"""Where a parse finding or a line item points: a line of a source file, and the table,
column, code or row it belongs to."""

from __future__ import annotations

from fiscalpub.model import Where


def where(
    line: object,
    table: str | None = None,
    column: str | None = None,
    code: str | None = None,
    row: str | None = None,
) -> Where:
    """A `Where` at `line` (anything with source/page/number: a Line, or None for none)."""
    return Where(
        source=getattr(line, "source", 0),
        page=getattr(line, "page", None),
        line=getattr(line, "number", None),
        table=table,
        column=column,
        code=code,
        row=row,
    )
