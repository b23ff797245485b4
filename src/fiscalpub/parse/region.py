"""The data shared by the table stages: a table's region of the document
(title hit, lines, grid) and the raw rows split from it.

Kept apart so that finding tables (tables.py), splitting rows from text
(rows.py) or from a ruled grid (grid.py) and placing numbers (placement.py)
import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fiscalpub.read.document import Line, Page
from fiscalpub.registry import TableSpec


@dataclass
class TitleHit:
    table: str
    index: int  # index into the document's line list
    span: int  # number of physical lines the title occupies
    title: str
    local: bool = False  # a regional title: the header must confirm the table (registry)
    printed: str = ""  # the printed title without its number ("表8", "（八）")
    # every table the title may name (one family, told apart by the header); empty
    # for the title of a table the registry does not know, which only ends the one before
    tables: list[str] = field(default_factory=list)


@dataclass
class TableRegion:
    spec: TableSpec
    hit: TitleHit
    lines: list[Line]  # lines after the title up to the next title / section end
    unit: str | None = None
    notes: list[Line] = field(default_factory=list)
    has_numbers: bool = False
    empty_note: Line | None = None
    # header and total row printed: without any number, a table declared empty by its blanks
    # (never when it prints numbers, even if no row can be read from them)
    blank: bool = False
    title_line: Line | None = None
    pages: list[Page] = field(default_factory=list)
    bands: list[Any] | None = None  # the ruled grid (parse.grid), once computed
    twin: bool = False  # reached as another title's economic twin (registry economic_twin)
    derived: bool = False  # the grid's rules were derived from the words (no ruling lines)
    # headers of amount columns that name no column of the table (a shape the registry lacks)
    unknown_headers: list[str] = field(default_factory=list)
    from_grid: bool = False  # the rows were split from a (ruled or derived) grid

    @property
    def positioned(self) -> bool:
        """Laid out on a page with positions (PDF): ruled, or rules can be derived."""
        return any(w.x1 > w.x0 for ln in self.lines for w in ln.words)

    @property
    def hit_text(self) -> str:
        return self.title_line.text if self.title_line else ""


@dataclass
class Num:
    value: Decimal
    printed: str
    decimals: int
    line: Line
    col: str | None = None  # column id decided by the number's position (PDF grids)


@dataclass
class RawRow:
    side: str | None
    code: str | None
    row: str | None
    name: str
    nums: list[Num] = field(default_factory=list)
    line: Line | None = None
    pending: bool = False  # economic 3-digit code still waiting for its 2-digit suffix
    printed: frozenset[str] | None = None  # columns the table prints (known from a PDF grid)
    # where the label starts on its page (PDF grids): a tree of 类/款/项 lines printed by
    # name only shows each line's level by its indentation (parse.tree)
    indent: float | None = None

    @property
    def key(self) -> str:
        return self.code if self.code is not None else f"#{self.row}"
