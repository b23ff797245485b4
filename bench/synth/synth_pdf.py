"""A small PDF layout engine for report pages: prose, and ruled tables with merged header
cells, drawn with reportlab and an embedded CJK TrueType font.

Every ruling line is its own path object (one ``m … l S`` per merged segment), as a word
processor prints cell borders, so a reader sees each rule (not one box around the table).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

FONT = "CJK"
FONT_CANDIDATES = (
    # fonts-wqy-microhei (Debian/Ubuntu), fonts-wqy-zenhei, fonts-arphic-uming: TrueType
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
MARGIN = 42.0
RULE_WIDTH = 0.6


def register_font(path: str | None = None) -> str:
    """Register the CJK TrueType font (first found) under the name FONT; return its path."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return path or ""
    for cand in [path] if path else FONT_CANDIDATES:
        if cand and Path(cand).exists():
            pdfmetrics.registerFont(TTFont(FONT, cand, subfontIndex=0))
            return cand
    raise SystemExit(
        "no CJK TrueType font found: apt-get install -y fonts-wqy-microhei (or pass --font)"
    )


def width(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, FONT, size))


# ------------------------------------------------------------------ line breaking

_UNIT = re.compile(r"[0-9A-Za-z.,%\-+]+|.", re.S)
_NO_START = set("，。；：、）》”’%,.;:)")


_NO_END = set("（《“‘(")


def _units(text: str) -> list[str]:
    """Breakable units: one CJK character, or a run of Latin/digits (never broken);
    closing punctuation sticks to the unit before it, opening punctuation to the next."""
    out: list[str] = []
    glue = False
    for m in _UNIT.finditer(text):
        u = m.group()
        if out and (glue or u in _NO_START):
            out[-1] += u
        else:
            out.append(u)
        glue = u in _NO_END
    return out


def wrap(text: str, size: float, limit: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        cur, w = "", 0.0
        for u in _units(para):
            uw = width(u, size)
            if cur and w + uw > limit:
                lines.append(cur)
                cur, w = u, uw
            else:
                cur += u
                w += uw
        lines.append(cur)
    return lines


# ------------------------------------------------------------------ tables


@dataclass
class Cell:
    col: int
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str = "c"  # l, c, r


@dataclass
class Grid:
    widths: Sequence[float]
    header: list[list[Cell]]
    body: list[list[Cell]]
    size: float = 9.0
    min_row: float = 17.0
    pad: float = 3.0


@dataclass
class TableBlock:
    title: str
    grid: Grid
    landscape: bool = False
    unit: str = "单位：万元"
    department: str | None = None  # "部门：…" line (older templates)
    number: str | None = None  # "公开01表"
    notes: list[str] = field(default_factory=list)
    heading: str | None = None  # a part heading printed above the title


@dataclass
class _Placed:
    cell: Cell
    x0: float
    x1: float
    lines: list[str]


class Writer:
    """Pages of one report.  Coordinates below are top-down (y from the page top)."""

    def __init__(self, path: str | Path, page_numbers: bool = True) -> None:
        self.c = rl_canvas.Canvas(
            str(path),
            pagesize=A4,
            invariant=1,
            pageCompression=1,
            initialFontName=FONT,
            initialFontSize=9,
        )
        self.c.setTitle("部门决算")
        self.c.setLineWidth(RULE_WIDTH)
        self.page_numbers = page_numbers
        self.page = 0
        self.size = A4
        self.y = MARGIN
        self._open = False
        self.spans: list[tuple[str, int]] = []  # (table title, pages it spans)

    # -- pages
    def new_page(self, wide: bool = False) -> None:
        if self._open:
            self._finish_page()
        self.size = landscape(A4) if wide else A4
        self.c.setPageSize(self.size)
        self.c.setLineWidth(RULE_WIDTH)
        self.page += 1
        self.y = MARGIN
        self._open = True

    def _finish_page(self) -> None:
        if self.page_numbers and self.page > 1:
            self.text(f"- {self.page - 1} -", self.size[0] / 2, self.size[1] - 24, 9, "c")
        self.c.showPage()
        self._open = False

    def save(self) -> None:
        if self._open:
            self._finish_page()
        self.c.save()

    @property
    def bottom(self) -> float:
        return float(self.size[1]) - MARGIN

    @property
    def text_width(self) -> float:
        return float(self.size[0]) - 2 * MARGIN

    def text(self, s: str, x: float, y: float, size: float, align: str = "l") -> None:
        """Draw s with its baseline at top-down y."""
        if not s:
            return
        self.c.setFont(FONT, size)
        base = self.size[1] - y
        if align == "c":
            self.c.drawCentredString(x, base, s)
        elif align == "r":
            self.c.drawRightString(x, base, s)
        else:
            self.c.drawString(x, base, s)

    # -- prose
    def heading(self, s: str, size: float = 15, align: str = "c", space: float = 14) -> None:
        if self.y + size * 2 > self.bottom:
            self.new_page()
        self.y += size + space / 2 + (size * 0.4 if self.y > MARGIN + 1 else 0)
        x = self.size[0] / 2 if align == "c" else MARGIN
        self.text(s, x, self.y, size, align)
        self.y += space

    def paragraph(self, s: str, size: float = 11.5, indent: bool = True) -> None:
        leading = size * 1.75
        first = "\u3000\u3000" if indent else ""
        for ln in wrap(first + s, size, self.text_width):
            if self.y + leading > self.bottom:
                self.new_page()
            self.y += leading
            self.text(ln, MARGIN, self.y, size)
        self.y += size * 0.3

    def space(self, h: float) -> None:
        self.y += h

    # -- tables
    def table(self, block: TableBlock) -> None:
        self.new_page(block.landscape)
        first = self.page
        g = block.grid
        if block.heading:
            self.heading(block.heading, 16, space=26)
        if block.number:
            self.text(block.number, self.size[0] - MARGIN, self.y + 10, 9, "r")
            self.y += 12
        self.y += 18
        self.text(block.title, self.size[0] / 2, self.y, 15, "c")
        self.y += 16
        total_w = sum(g.widths)
        left = (self.size[0] - total_w) / 2
        if block.department:
            self.text(block.department, left, self.y + 4, 9)
        self.text(block.unit, left + total_w, self.y + 4, 9, "r")
        self.y += 10
        self._grid(g, left)
        last = self.page
        for note in block.notes:
            self.y += 4
            for ln in wrap(note, 9, total_w):
                # notes may use the bottom margin rather than start a page of their own
                if self.y + 13 > self.bottom + MARGIN - 30:
                    self.new_page(block.landscape)
                self.y += 13
                self.text(ln, left, self.y, 9)
        self.spans.append((block.title, last - first + 1))

    def _grid(self, g: Grid, left: float) -> None:
        xs = [left]
        for w in g.widths:
            xs.append(xs[-1] + w)
        leading = g.size * 1.25

        def place(row: list[Cell]) -> list[_Placed]:
            out = []
            for cell in row:
                x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
                out.append(_Placed(cell, x0, x1, wrap(cell.text, g.size, x1 - x0 - 2 * g.pad)))
            return out

        def need(p: _Placed) -> float:
            return max(g.min_row, len(p.lines) * leading + 2 * g.pad)

        header = [place(r) for r in g.header]
        hh = [max([need(p) for p in r if p.cell.rowspan == 1] or [g.min_row]) for r in header]
        for i, r in enumerate(header):
            for p in r:
                if p.cell.rowspan > 1:
                    span = range(i, i + p.cell.rowspan)
                    extra = need(p) - sum(hh[j] for j in span)
                    if extra > 0:
                        hh[i + p.cell.rowspan - 1] += extra
        body = [place(r) for r in g.body]
        bh = [max(need(p) for p in r) for r in body]

        hsegs: dict[float, list[tuple[float, float]]] = {}
        vsegs: dict[float, list[tuple[float, float]]] = {}

        def draw_cell(p: _Placed, y0: float, y1: float) -> None:
            for y in (y0, y1):
                hsegs.setdefault(round(y, 2), []).append((p.x0, p.x1))
            for x in (p.x0, p.x1):
                vsegs.setdefault(round(x, 2), []).append((y0, y1))
            n = len(p.lines)
            if not n or not any(p.lines):
                return
            top = (y0 + y1) / 2 - n * leading / 2
            for k, ln in enumerate(p.lines):
                base = top + (k + 0.78) * leading
                if p.cell.align == "l":
                    self.text(ln, p.x0 + g.pad, base, g.size)
                elif p.cell.align == "r":
                    self.text(ln, p.x1 - g.pad, base, g.size, "r")
                else:
                    self.text(ln, (p.x0 + p.x1) / 2, base, g.size, "c")

        def flush() -> None:
            for y, spans in hsegs.items():
                for a, b in _merge_spans(spans):
                    self.c.line(a, self.size[1] - y, b, self.size[1] - y)
            for x, spans in vsegs.items():
                for a, b in _merge_spans(spans):
                    self.c.line(x, self.size[1] - a, x, self.size[1] - b)
            hsegs.clear()
            vsegs.clear()

        # the header and the first body row stay together
        first = bh[0] if bh else 0
        if self.y + sum(hh) + first > self.bottom:
            self.new_page(self.size[0] > self.size[1])
        tops = [self.y]
        for h in hh:
            tops.append(tops[-1] + h)
        for i, r in enumerate(header):
            for p in r:
                draw_cell(p, tops[i], tops[i + p.cell.rowspan])
        self.y = tops[-1]
        for r, h in zip(body, bh, strict=True):
            if self.y + h > self.bottom:
                flush()
                self.new_page(self.size[0] > self.size[1])
            for p in r:
                draw_cell(p, self.y, self.y + h)
            self.y += h
        flush()


def _merge_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 0.01:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
