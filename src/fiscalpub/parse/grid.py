"""Ruled tables of PDF reports: rebuild the grid from the ruling lines.

A row is a band between two horizontal rules; its cells are the intervals
between the vertical rules that cross the band.  Every word belongs to the
cell containing its centre, so a number printed at the top of a tall cell is
still in its row, and its column is known from its position (``layout``).

Columns get a role from what their cells hold — code, name/label, 行次 or
amount — and amount columns are mapped to registry columns by their header
text (the words above the first data row), or by order when the counts
agree.  Repeated groups (side-by-side economic tables, the two halves of
收支总表) are split at each name column.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from fiscalpub.normalize import is_number, join_broken_numbers, nfkc, squash
from fiscalpub.parse.region import Num, RawRow, TableRegion
from fiscalpub.parse.rows import match_side_row, num_from
from fiscalpub.read.document import Line, Page, RulingLine, Word
from fiscalpub.registry import (
    Column,
    OtherColumn,
    RowSpec,
    Side,
    TableSpec,
    class_by_name,
    classes,
    table_words,
)

_MERGE = 1.5  # points: rules closer than this are one rule
_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"^\d{1,7}$")
# a row label's numbering: "一、", "1.", "其中：（一）", "(二)"
_NUMBERING = re.compile(
    r"^(?:其中[:：])?(?:(?:[一二三四五六七八九十]+|\d+)[、.．]|[(（](?:[一二三四五六七八九十]+|\d+)[)）])"
)
# a code and its name in one cell ("2013601-行政运行", "30101-基本工资", "2050803培训支出")
_CODE_NAME = re.compile(r"^(\d{3}|\d{5}|\d{7})[-－—–]?([\u3400-\u9fff（(].*)$")
# the first digit of a code tells its classification: 1xx/2xx 功能分类 (收入/支出),
# 3xx 部门支出经济分类, 5xx 政府支出经济分类
_CLASS_DIGITS = {"function": "12", "economic": "3"}


@dataclass
class Cell:
    x0: float
    x1: float
    words: list[tuple[Word, Line]] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        ordered = sorted(self.words, key=lambda wl: (round(wl[0].top), wl[0].x0))
        return "".join(nfkc(w.text) for w, _ in ordered).replace(" ", "")

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    def numbers(self) -> list[tuple[Word, Line]]:
        """The cell's amounts, pieces of a number printed apart joined (see _joined)."""
        return self._numbers

    @cached_property
    def _numbers(self) -> list[tuple[Word, Line]]:
        # computed once: the words are fixed once _bands has placed them (as `text`
        # assumes), and each pass over the bands asks again (has_number, header_text,
        # map_columns, _filled …: ~650k calls a corpus parse, on ~25k cells)
        return [(w, ln) for w, ln in _joined(self.words) if is_number(nfkc(w.text))]


def _joined(words: list[tuple[Word, Line]]) -> list[tuple[Word, Line]]:
    """Words of one cell with the pieces of a number printed apart on a line joined (the
    rules of normalize.join_broken_numbers): "(" "0.43" ")" -> "(0.43)", "82." "13" -> "82.13"."""
    out: list[tuple[Word, Line]] = []
    for w, ln in words:
        if out and (out[-1][1] is ln or _wrapped_decimals(out[-1][0], w)):
            p = out[-1][0]
            left, right = nfkc(p.text), nfkc(w.text)
            if join_broken_numbers([left, right]) == [left + right] or _wrapped_decimals(p, w):
                box = (min(p.x0, w.x0), max(p.x1, w.x1), min(p.top, w.top), max(p.bottom, w.bottom))
                # the number is where it starts (a wrapped last decimal runs on below)
                out[-1] = (Word(p.text + w.text, *box), out[-1][1])
                continue
        out.append((w, ln))
    return out


def _wrapped_decimals(above: Word, below: Word) -> bool:
    """The last decimal of an amount wrapped onto the next line of a narrow cell
    ("143,999.0" over "0"): one number, 143,999.00, never 143,999.0 and 0."""
    left, right = nfkc(above.text), nfkc(below.text)
    return (
        bool(re.fullmatch(r"-?[\d,]*\d\.\d", left))
        and bool(re.fullmatch(r"\d", right))
        and below.top >= above.bottom - 1
        and below.x1 <= above.x1 + 2
    )


@dataclass
class Band:
    y0: float
    y1: float
    cells: list[Cell]
    top: list[tuple[float, float]] = field(default_factory=list)  # spans ruled above the band
    page: int = 0

    def ruled_above(self, x: float) -> bool:
        return any(a - 1 <= x <= b + 1 for a, b in self.top)

    def has_number(self) -> bool:
        # the cached list itself, not numbers(): ~120k calls over ~580k cells a corpus parse
        return any(c._numbers for c in self.cells)


@dataclass
class Group:
    """One repeated part of a table: code columns, a name column, amount columns."""

    codes: list[float] = field(default_factory=list)  # centres of code columns
    name: float | None = None
    # centres of columns printing "code-name" cells (Beijing 预算03表: one per classification);
    # `name` is the first of them
    coded_names: list[float] = field(default_factory=list)
    ordinal: float | None = None
    amounts: list[float] = field(default_factory=list)  # centres of amount columns
    columns: list[Column | None] = field(default_factory=list)


def _merge(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] < _MERGE:
            continue
        out.append(v)
    return out


def _bands(page: Page, lines: list[Line], by_rows: bool = False) -> list[Band]:
    words = [(w, ln) for ln in lines for w in ln.words]
    if not words:
        return []
    if not _ruled(page, words):
        # a table printed without rules (or with a frame only): rules from the words themselves
        page = Page(page.number, page.lines, *synthetic_rules(lines, by_rows))
        if not page.hrules:
            return []
    else:
        page = Page(page.number, page.lines, _continued(page.hrules), _continued(page.vrules))
    top = min(w.top for w, _ in words) - 30
    bottom = max(w.bottom for w, _ in words) + 30
    ys = _merge([r.at for r in page.hrules if top <= r.at <= bottom and r.end - r.start > 20])
    ys = _open_edges(ys, [r for r in page.vrules if r.end >= top and r.start <= bottom])
    bands: list[Band] = []
    for y0, y1 in itertools.pairwise(ys):
        if y1 - y0 < 4:
            continue
        xs = _merge(
            [
                r.at
                for r in page.vrules
                if r.start <= y0 + 2 and r.end >= y1 - 2 and _spans(r, y0, y1)
            ]
        )
        if len(xs) < 2:
            continue
        cells = [Cell(a, b) for a, b in itertools.pairwise(xs) if b - a > 2]
        ruled = [(r.start, r.end) for r in page.hrules if abs(r.at - y0) < _MERGE]
        bands.append(Band(y0, y1, cells, ruled))
    for w, ln in words:
        cy = (w.top + w.bottom) / 2
        cx = (w.x0 + w.x1) / 2
        for band in bands:
            if band.y0 <= cy < band.y1:
                for cell in band.cells:
                    if cell.x0 <= cx < cell.x1:
                        cell.words.append((w, ln))
                        break
                break
    return bands


def _continued(rules: list[RulingLine]) -> list[RulingLine]:
    """Rules drawn cell by cell (one segment per cell edge: Xi'an's 2026 tables) joined into
    the lines they are: under a header of narrow columns (类 | 款 | 项) each segment is
    shorter than a rule between rows must be, and a column rule drawn in pieces spans no
    band of two header lines, so the header would lose its cells."""
    out: list[RulingLine] = []
    for r in sorted(rules, key=lambda r: (round(r.at / _MERGE), r.start)):
        last = out[-1] if out else None
        if (
            last is not None
            and abs(last.at - r.at) < _MERGE / 3
            and r.start <= last.end + _MERGE / 3
        ):
            out[-1] = RulingLine(last.at, last.start, max(last.end, r.end))
            continue
        out.append(r)
    return out


def _open_edges(ys: list[float], vrules: list[RulingLine]) -> list[float]:
    """A table continued from the page before prints no rule over its first row (nor
    under its last, when it goes on): the column rules still run there, so the ends
    of the verticals close the open row."""
    if not ys or not vrules:
        return ys
    start = min(r.start for r in vrules)
    end = max(r.end for r in vrules)
    if start < ys[0] - 4:
        ys = [start, *ys]
    if end > ys[-1] + 4:
        ys = [*ys, end]
    return ys


def _ruled(page: Page, words: list[tuple[Word, Line]]) -> bool:
    """Rules that divide the words into rows and columns: more than a frame around them
    (Shanghai 单位预算 tables of some units print only the frame)."""
    if not page.hrules or not page.vrules:
        return False
    top = min(w.top for w, _ in words) - 30
    bottom = max(w.bottom for w, _ in words) + 30
    ys = _merge([r.at for r in page.hrules if top <= r.at <= bottom and r.end - r.start > 20])
    xs = _merge([r.at for r in page.vrules if r.end >= top and r.start <= bottom])
    return len(ys) > 2 or len(xs) > 2


def synthetic_rules(
    lines: list[Line], by_rows: bool = False
) -> tuple[list[RulingLine], list[RulingLine]]:
    """Rules for a table printed without them: a horizontal rule between printed
    lines, and a vertical one in every gap that no word of an amount line
    crosses (columns are where the numbers align)."""
    placed = [ln for ln in lines if ln.words and any(w.x1 > w.x0 for w in ln.words)]
    data = [ln for ln in placed if any(is_number(nfkc(w.text)) for w in ln.words)]
    if len(placed) < 2 or not data:
        return [], []
    words = [w for ln in placed for w in ln.words]
    left = min(w.x0 for w in words) - 2
    right = max(w.x1 for w in words) + 2
    placed.sort(key=lambda ln: min(w.top for w in ln.words))
    ys = _row_breaks(placed, left) if by_rows else _line_breaks(placed)
    heights = sorted(w.bottom - w.top for w in words)
    gap = heights[len(heights) // 2]  # about one character: wider gaps separate columns
    spans: list[list[float]] = []
    kinds: list[set[bool]] = []  # per span: whether its words are amounts
    for x0, x1, amount in sorted(
        (w.x0, w.x1, is_number(nfkc(w.text))) for ln in data for w in ln.words
    ):
        # a label set close after a column of amounts starts the next column
        # (Shanghai 财务收支预算总表 without rules: "215,020,000" then "一、其他支出" 3.7pt on)
        label_after_amounts = not amount and kinds and kinds[-1] == {True} and x0 > spans[-1][1]
        if spans and x0 <= spans[-1][1] + gap and not label_after_amounts:
            spans[-1][1] = max(spans[-1][1], x1)
            kinds[-1].add(amount)
        else:
            spans.append([x0, x1])
            kinds.append({amount})
    xs = [left] + [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(spans)] + [right]
    return [RulingLine(y, left, right) for y in ys], [RulingLine(x, ys[0], ys[-1]) for x in xs]


def _line_breaks(lines: list[Line]) -> list[float]:
    """A row per printed line."""
    extent = [(min(w.top for w in ln.words), max(w.bottom for w in ln.words)) for ln in lines]
    inner = [(extent[i][1] + extent[i + 1][0]) / 2 for i in range(len(lines) - 1)]
    return [extent[0][0] - 1, *inner, extent[-1][1] + 1]


def _row_breaks(lines: list[Line], left: float) -> list[float]:
    """Where rows break in a table without rules.  A row starts at a line that
    begins with a code, a numbered or known label, or at the left edge; the other
    lines (wrapped names, numbers set at the top of a tall cell) belong to the
    nearest row start.  Header lines above the first row keep a row each."""
    extent = [(min(w.top for w in ln.words), max(w.bottom for w in ln.words)) for ln in lines]
    starts = [i for i, ln in enumerate(lines) if _starts_row(ln, left)]
    numbered = [any(is_number(nfkc(w.text)) for w in ln.words) for ln in lines]
    if len(starts) < 2:
        return _line_breaks(lines)
    first = starts[0]
    while first > 0 and numbered[first - 1] and not _starts_row(lines[first - 1], left):
        first -= 1  # numbers printed above the first row's label belong to it
    ys = [extent[0][0] - 1]
    ys += [(extent[i][1] + extent[i + 1][0]) / 2 for i in range(first)]  # header lines
    centre = [(a + b) / 2 for a, b in extent]
    ys += [(centre[a] + centre[b]) / 2 for a, b in itertools.pairwise(starts)]
    ys.append(extent[-1][1] + 1)
    return sorted(ys)


_LABEL_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\d+[.．、]|合计|总计|本年|当年|年初|年末|上年|小计)"
)


def _starts_row(line: Line, left: float) -> bool:
    first = min(line.words, key=lambda w: w.x0)
    text = squash(first.text)
    if _DIGITS.match(text) and len(text) in (3, 5, 7):
        return True  # a code
    if _LABEL_START.match(text):
        return True
    return first.x0 - left < 6 and bool(_CJK.search(text)) and text not in ("类", "款", "项")


def _spans(rule: RulingLine, y0: float, y1: float) -> bool:
    return rule.start <= (y0 + y1) / 2 <= rule.end


def region_bands(region: TableRegion) -> list[Band] | None:
    """The ruled bands of a region across its pages, or None when it is not ruled
    (computed once per region)."""
    if region.bands is None:
        region.bands = _region_bands(region)
        region.derived = not any(
            _ruled(p, [(w, ln) for ln in region.lines if ln.page == p.number for w in ln.words])
            for p in region.pages
            if p.number in _pages_of(region)
        )
    return region.bands or None


def _pages_of(region: TableRegion) -> set[int]:
    return {ln.page for ln in region.lines}


def _region_bands(region: TableRegion, by_rows: bool = False) -> list[Band]:
    by_page: dict[int, list[Line]] = {}
    for line in region.lines:
        if line.words:
            by_page.setdefault(line.page, []).append(line)
    if not by_page:
        return []
    pages = {p.number: p for p in region.pages}
    out: list[Band] = []
    for number, lines in by_page.items():
        page = pages.get(number)
        if page is None:
            continue
        for band in _bands(page, lines, by_rows):
            band.page = number
            out.append(band)
    return out if any(b.has_number() for b in out) else []


# ------------------------------------------------------------------ column roles


def _role(texts: list[str]) -> str:
    filled = [t for t in texts if t]
    if not filled:
        return "empty"
    if sum(1 for t in filled if _CODE_NAME.match(t)) * 2 > len(filled):
        return "code_name"
    cjk = sum(1 for t in filled if _CJK.search(t))
    digits = sum(1 for t in filled if _DIGITS.match(t))
    numbers = sum(1 for t in filled if is_number(t) and not _DIGITS.match(t))
    if cjk * 2 >= len(filled):
        return "name"
    if digits >= numbers and digits * 2 >= len(filled):
        return "digits"
    return "amount"


def groups(bands: list[Band], spec: TableSpec) -> list[Group]:
    """Column roles from the data bands, split into groups at each name column."""
    data = [b for b in bands if b.has_number()]
    # the row with most cells, and of those the least merged: a 合计 cell spanning
    # 编码 and 名称 must not hide the code column the other rows have
    ref = max(data, key=lambda b: (len(b.cells), -max(c.x1 - c.x0 for c in b.cells)))
    centres = [c.centre for c in ref.cells]
    texts: dict[int, list[str]] = {i: [] for i in range(len(centres))}
    for band in data:
        aligned = any(_same_cell(cell, r) for cell in band.cells for r in ref.cells)
        for cell in band.cells:
            if aligned and _merged_label(cell, centres):
                continue  # a label merged over several columns ("当年支出小计") has no one role
            i = _nearest(centres, cell.centre)
            texts[i].append(cell.text)
    roles = [_role(texts[i]) for i in range(len(centres))]
    for i, role in enumerate(roles):
        if role in ("name", "code_name"):
            break
        if role == "digits" and _row_numbers(texts[i], header_text(bands, centres[i])):
            roles[i] = "row_number"  # 序号 1, 2, 3 … left of the codes: neither code nor label
    unlabelled = "name" not in roles and "code_name" not in roles
    if unlabelled and "digits" in roles:
        # no label column: the rows are labelled by their first digits column
        # (Beijing 收入总表: 单位编码 015, 015001 …), which is no classification code
        roles[roles.index("digits")] = "name"
        unlabelled = False
    out: list[Group] = []
    pending_codes: list[float] = []
    for i, role in enumerate(roles):
        after_label = bool(out) and out[-1].name is not None and not out[-1].amounts
        if role == "code_name":
            if out and out[-1].coded_names and not out[-1].amounts:
                out[-1].coded_names.append(centres[i])  # one more classification of the row
            else:
                out.append(Group(codes=pending_codes, name=centres[i], coded_names=[centres[i]]))
                pending_codes = []
            continue
        if (
            role == "digits"
            and after_label
            and (_looks_ordinal(texts[i]) or _names_row_numbers(header_text(bands, centres[i])))
        ):
            out[-1].ordinal = centres[i]  # 行次 beside a label
            continue
        if role == "digits" and _is_code_column(i, roles):
            pending_codes.append(centres[i])
        elif role == "name":
            out.append(Group(codes=pending_codes, name=centres[i]))
            pending_codes = []
        elif other_column(bands, centres[i], spec) is not None:
            continue  # a quantity, code or date right of the label: no amount column
        elif out:
            out[-1].amounts.append(centres[i])
        elif role == "amount" and unlabelled:
            # no label column at all: a table printing only its unlabelled total row
            out.append(Group(codes=pending_codes, amounts=[centres[i]]))
            pending_codes = []
    return _join_second_classification(out)


def _join_second_classification(gs: list[Group]) -> list[Group]:
    """A row coded twice (部门预算 economic code + name, then 政府预算 economic code + name,
    then the amounts: Yantai): the first code and name are the row's, the second pair
    is another classification of the same row, not a group of its own."""
    out: list[Group] = []
    for g in gs:
        prev = out[-1] if out else None
        if prev is not None and prev.codes and not prev.amounts and g.codes and g.amounts:
            prev.amounts, prev.columns = g.amounts, g.columns
            continue
        out.append(g)
    return out


def _same_cell(a: Cell, b: Cell) -> bool:
    return abs(a.x0 - b.x0) < _MERGE and abs(a.x1 - b.x1) < _MERGE


def _merged_label(cell: Cell, centres: list[float]) -> bool:
    """A cell without numbers spanning the centres of several reference columns."""
    return not cell.numbers() and sum(1 for x in centres if cell.x0 < x < cell.x1) > 1


def _is_code_column(i: int, roles: list[str]) -> bool:
    """Digits left of a name column are codes (类/款/项); right of it, amounts."""
    for role in roles[i + 1 :]:
        if role == "name":
            return True
        if role == "amount":
            return False
    return False


_ROW_NUMBER_HEADERS = ("序号", "行号", "序")


def _row_numbers(texts: list[str], header: str) -> bool:
    """A digits column left of every label that numbers the rows (Xi'an prints 序号 before
    the 功能科目编码): its numbers are no code, and joined to the code column beside them
    they would make one ("11" + "20604" is no 1120604).  Told by its header, or by
    numbers without a leading zero that count up by one from below 100 (split code parts
    print "01"; classification codes start at 101 and do not count up one by one)."""
    filled = [t for t in texts if t]
    if not filled or any(not _DIGITS.match(t) or t.startswith("0") for t in filled):
        return False
    if squash(header) in _ROW_NUMBER_HEADERS:
        return True
    values = [int(t) for t in filled]
    pairs = list(itertools.pairwise(values))
    if len(values) < 3 or values[0] >= 100:
        return False
    return sum(b == a + 1 for a, b in pairs) * 5 >= len(pairs) * 4


def _row_number_cell(bands: list[Band], cell: Cell) -> bool:
    """A cell under a 序号 / 行号 header (its numbers count rows)."""
    return squash(header_text(bands, cell.centre)) in _ROW_NUMBER_HEADERS


def _looks_ordinal(texts: list[str]) -> bool:
    """行次 beside a label: rising numbers, or numbers that mostly count up by one (a
    typo in the source's 行次, "28, 39, 30, 31 …" in Foshan's 2019 决算, is no amount)."""
    values = [int(t) for t in texts if _DIGITS.match(t)]
    if len(values) < 3:
        return False
    pairs = list(itertools.pairwise(values))
    if all(b > a for a, b in pairs):
        return True
    return len(values) >= 5 and sum(b == a + 1 for a, b in pairs) * 5 >= len(pairs) * 4


def _nearest(centres: list[float], x: float) -> int:
    """Index of the centre nearest x, the first of equals (as min() over the indexes
    would say, without a key call per centre: ~75k calls a corpus parse)."""
    if not centres:
        raise ValueError("_nearest() of no centres")
    best, gap = 0, abs(centres[0] - x)
    for i in range(1, len(centres)):
        d = abs(centres[i] - x)
        if d < gap:
            best, gap = i, d
    return best


def header_text(bands: list[Band], x: float) -> str:
    """The header stack over the column centred at x: the text of every header cell
    above the first data band that covers x, top to bottom (group headers included).

    Years are relative ("2025年预算数" / "2026年预算数" → 上年预算数 / 本年预算数): the
    registry names columns by what they hold, whatever year the report is of."""
    out: list[str] = []
    head: list[str] = []
    for band in bands:
        if band.has_number():
            break
        for cell in band.cells:
            head.append(cell.text)
            if cell.x0 - 1 <= x <= cell.x1 + 1:
                out.append(cell.text)
    return relative_years(squash("".join(out)), squash("".join(head)))


_YEAR = re.compile(r"(20\d\d)年(?:度)?")


def relative_years(text: str, context: str) -> str:
    """Years of a header as 本年 (the latest year the header names) and 上年 (the one
    before); other years stay as printed."""
    years = {int(y) for y in _YEAR.findall(context)}
    if not years:
        return text
    latest = max(years)
    names = {latest: "本年", latest - 1: "上年"}
    return _YEAR.sub(lambda m: names.get(int(m.group(1)), m.group(0)), text)


def _narrow_header(bands: list[Band], x: float, registry: list[Column]) -> str:
    """The header over the amounts of the column centred at x, when a grid derived from
    the amounts has fewer columns than the header names (blank columns have no cell, so
    a cell holds the headers of its blank neighbours too: Shanghai 收入预算总表 without
    rules, "事业单位经营收入" and "其他收入" over one cell): only the header words over
    the printed amounts themselves.  A word that is two columns' headers run together
    ("政府性基金预算国有资本经营预算") tells nothing."""
    spans = [
        (w.x0, w.x1)
        for b in bands
        if b.has_number()
        for c in b.cells
        if c.x0 - 1 <= x <= c.x1 + 1
        for w, _ in c.numbers()
    ]
    if not spans:
        return ""
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    leaves = [(squash(h.split("/")[-1]), col.id) for col in registry for h in col.headers if h]
    out: list[str] = []
    for band in bands:
        if band.has_number():
            break
        words = sorted((w for c in band.cells for w, _ in c.words), key=lambda w: w.x0)
        for w in words:
            if w.x1 > lo and w.x0 < hi:
                text = squash(w.text)
                if _two_headers(text, leaves):
                    return ""
                out.append(text)
    return "".join(out)


def _crowded(bands: list[Band], amounts: list[float], registry: list[Column]) -> bool:
    """More column headers printed over the amount columns than columns with an amount:
    some columns are blank throughout, and a grid derived from the amounts has no cell
    for them, so a header may sit over the wrong cell."""
    if not amounts:
        return False
    leaves = [(squash(h.split("/")[-1]), col.id) for col in registry for h in col.headers if h]
    # the cells of the data bands: a group header spanning both halves of a two-sided
    # table (支出 over three label | 预算数 pairs) is no cell of these amounts
    cells = [
        c
        for b in bands
        if b.has_number()
        for c in b.cells
        if any(c.x0 - 1 <= x <= c.x1 + 1 for x in amounts)
    ]
    if not cells:
        return False
    lo, hi = min(c.x0 for c in cells), max(c.x1 for c in cells)
    count = 0
    for band in bands:
        if band.has_number():
            break
        for cell in band.cells:
            for w, _ in cell.words:
                text = squash(w.text)
                if lo <= (w.x0 + w.x1) / 2 <= hi:
                    count += 2 if _two_headers(text, leaves) else any(text == h for h, _ in leaves)
    return count > len(amounts)


def _two_headers(text: str, leaves: list[tuple[str, str]]) -> bool:
    """The word is the header leaves of two different columns run together
    ("政府性基金预算国有资本经营预算").  The second leaf is looked for only after a first
    one starts the word: asked of every header word, a test of every pair of leaves
    cost more than the rest of the grid."""
    for a, ca in leaves:
        if a and text.startswith(a):
            rest = text[len(a) :]
            if any(b == rest and cb != ca for b, cb in leaves if b):
                return True
    return False


def map_columns(group: Group, registry: list[Column], bands: list[Band], label: str = "") -> None:
    """Registry column of each amount column: by header text, else by order.

    A column with neither a header nor a single number (the page margin between
    a frame and the table) is not a column of the table.  `label` (a row's own
    label, "2025年") is read before every header of the row."""
    used = {
        round(x)
        for b in bands
        if b.has_number()
        for c in b.cells
        if c.numbers()
        for x in [c.centre]
    }
    group.amounts = [
        x for x in group.amounts if header_text(bands, x) or any(abs(x - u) < 2 for u in used)
    ]
    crowded = _crowded(bands, group.amounts, registry)
    heads = [
        label + (_narrow_header(bands, x, registry) if crowded else header_text(bands, x))
        for x in group.amounts
    ]
    by_text: list[Column | None] = []
    for head in heads:
        by_text.append(_match_header(head, registry))
    chosen = [c for c in by_text if c is not None]
    unique = len({c.id for c in chosen}) == len(chosen)
    # headers that name another column than the order would give (合计 | 人员经费支出 |
    # 公用经费支出 | 专项业务经费支出 | 备注 against total/basic/personnel/public/project)
    contradicted = any(
        c is not None and c.id != r.id for c, r in zip(by_text, registry, strict=False)
    )
    if len(group.amounts) == len(registry) and not (
        unique and (len(chosen) == len(registry) or contradicted) and by_text != registry
    ):
        group.columns = list(registry)
    elif unique and chosen:
        group.columns = by_text
    else:
        group.columns = [None] * len(group.amounts)


def _match_header(head: str, registry: list[Column]) -> Column | None:
    """The registry column whose header variant fits the header stack best."""
    best = _best_fit(head, registry)
    return best[1] if best else None


_Headed = TypeVar("_Headed", Column, OtherColumn)


def _best_fit(head: str, candidates: Sequence[_Headed]) -> tuple[int, _Headed] | None:
    """The candidate whose header variant fits the header stack best, with its score.

    A variant is a path of fragments ("公务接待费/预算数") that must appear in the
    stack in that order, the last one ending it; the longest fit wins."""
    if not head:
        return None
    best: tuple[int, _Headed] | None = None
    for col in candidates:
        for variant in col.headers:
            parts = [squash(p) for p in variant.split("/") if p]
            if parts and head.endswith(parts[-1]) and _in_order(head, parts):
                score = sum(len(p) for p in parts) + (100 if head == "".join(parts) else 0)
                if best is None or score > best[0]:
                    best = (score, col)
    return best


def other_column(bands: list[Band], x: float, spec: TableSpec) -> OtherColumn | None:
    """The column centred at x holds no amount: its header names one of the table's other
    columns (tables.yaml `other_columns`: 数量, 品目编码, 规格型号 …) better than any amount
    column.  Its numbers are a count, a code or a date, never money, and no amount column
    is missing for them: the table's shape is known."""
    if not spec.other_columns:
        return None
    head = header_text(bands, x)
    other = _best_fit(head, spec.other_columns)
    if other is None:
        return None
    money = _best_fit(head, spec.all_columns())
    return other[1] if money is None or other[0] > money[0] else None


def _in_order(text: str, parts: list[str]) -> bool:
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True


# ------------------------------------------------------------------ rows


def grid_rows(region: TableRegion, spec: TableSpec) -> list[RawRow] | None:
    """Rows of a table laid out on PDF pages.  Without ruling lines the grid is
    derived two ways (a row per printed line; a row per row-starting line) and
    the one the registry explains better is kept."""
    bands = region_bands(region)
    if not bands:
        return None
    rows = _rows_of(bands, spec)
    if region.derived:
        other = _region_bands(region, by_rows=True)
        alternative = _rows_of(other, spec) if other else None
        if alternative is not None and _explained(alternative) > _explained(rows):
            region.bands, rows = other, alternative
    if rows is not None and region.bands:
        region.unknown_headers = unknown_headers(region.bands, spec)
    return rows


def unknown_headers(bands: list[Band], spec: TableSpec) -> list[str]:
    """Headers of amount columns that no registry column of the table names, when the
    columns cannot be taken in registry order either: the table has a shape the
    registry does not know (Chongqing's 2025年预算数 beside 2026年预算数)."""
    bands = [b for b in bands if not _ordinal_band(b)]
    data = [b for b in bands if b.has_number()]
    if not data:
        return []
    if spec.layout not in ("coded", "two_sided"):
        return []
    gs = groups(bands, spec)
    if spec.layout == "two_sided":
        if len(gs) < 2:
            return []
        sides = [spec.side("income")] + [spec.side("expenditure")] * (len(gs) - 1)
        registries = [side.columns for side in sides]
    else:
        registries = [spec.columns] * len(gs)
    out: list[str] = []
    for g, registry in zip(gs, registries, strict=True):
        map_columns(g, registry, bands)
        out += [
            head
            for x, col in zip(g.amounts, g.columns, strict=True)
            if col is None and (head := header_text(bands, x)) and _filled(bands, x)
        ]
    return out


def _filled(bands: list[Band], x: float) -> bool:
    """Some data band prints a number in the column at x (a 备注 column never does)."""
    return any((c := _cell_at(b, x)) is not None and c.numbers() for b in bands if b.has_number())


def _explained(rows: list[RawRow] | None) -> int:
    """Numbers that a grid puts in a registry column of an identified row."""
    if rows is None:
        return -1
    return sum(1 for r in rows if r.code or r.row for n in r.nums if n.col is not None)


def _names_row_numbers(header: str) -> bool:
    return any(label in header for label in table_words().row_number_labels)


def _ordinal_band(band: Band) -> bool:
    """The 栏次 row under a header ("栏次 | 1 | 2 | 3 …"): column numbers, not data."""
    # "**" marks the code and name columns of the row of column numbers (Changsha)
    texts = [t for c in band.cells if (t := squash(c.text)) and t.strip("*")]
    if any(t in table_words().column_number_labels for t in texts):
        return True
    # or the bare column numbers 1, 2, 3 … (the 三公 table prints no 栏次 label)
    return len(texts) >= 3 and texts == [str(i) for i in range(1, len(texts) + 1)]


def _rows_of(bands: list[Band], spec: TableSpec) -> list[RawRow] | None:
    """Rows of the bands; a coded or two-sided table over several pages is read page by
    page (each page has its own column rules; a page without its own header reads
    under the first page's)."""
    pages = list(dict.fromkeys(b.page for b in bands))
    if len(pages) < 2 or spec.layout in ("single_row", "list"):
        rows = _page_rows(bands, spec, {})
        return _join_wrapped_classes(rows) if rows is not None else None
    head: list[Band] = []
    out: list[RawRow] = []
    found = False
    above: dict[int, list[str]] = {}
    sides_at = _SideState()
    for number in pages:
        own = [b for b in bands if b.page == number]
        first = next((i for i, b in enumerate(own) if b.has_number()), len(own))
        if first and not head:
            head = own[:first]
            rows = _page_rows(own, spec, above, sides_at)
        elif first:
            rows = _own_or_carried_header(own, head, spec, above, sides_at)
        else:
            rows = _page_rows(head + own, spec, above, sides_at)
        if rows is not None:
            found = True
            out.extend(rows)
    return _join_wrapped_classes(out) if found else None


def _own_or_carried_header(
    own: list[Band],
    head: list[Band],
    spec: TableSpec,
    above: dict[int, list[str]],
    sides_at: _SideState,
) -> list[RawRow] | None:
    """Rows of a later page that starts with lines without numbers: its own header
    repeated, or blank data rows (a two-sided table whose page 2 opens on empty 支出
    lines, Wuxi's 财政拨款收支总表) under the first page's header.  Both are read; the
    reading the registry explains better is kept (the page's own on a tie)."""
    mine, theirs = dict(above), dict(above)
    my_sides, their_sides = sides_at.copy(), sides_at.copy()
    rows = _page_rows(own, spec, mine, my_sides)
    carried = _page_rows(head + own, spec, theirs, their_sides)
    if _explained(carried) > _explained(rows):
        rows, mine, my_sides = carried, theirs, their_sides
    above.clear()
    above.update(mine)
    sides_at.take(my_sides)
    return rows


def _page_rows(
    bands: list[Band],
    spec: TableSpec,
    above: dict[int, list[str]],
    sides_at: _SideState | None = None,
) -> list[RawRow] | None:
    bands = [b for b in bands if not _ordinal_band(b)]
    if not any(b.has_number() for b in bands):
        return None
    if spec.layout == "single_row":
        return _single_row(bands, spec)
    if spec.layout == "list":
        return _list_rows(bands, spec)
    gs = groups(bands, spec)
    if not gs:
        return None
    if spec.layout == "two_sided":
        sides = _sides_of(gs, spec, sides_at)
        if sides is None:
            return None
        for g, side in zip(gs, sides, strict=True):
            map_columns(g, side.columns, bands)
        seen = sides_at.seen if sides_at is not None else None
        return _with_printed(_two_sided(bands, gs, sides, seen), gs, bands)
    for g in gs:
        map_columns(g, spec.columns, bands)
    return _with_printed(_coded(bands, gs, spec, above), gs, bands)


# points: a label column of a later page lies this close to the first page's to be its
_SAME_COLUMN = 20.0


@dataclass
class _SideState:
    """What a page of a two-sided table takes from the pages before it: where each side's
    label column is, and the registry rows each side has read (a row printed `after`
    another, 财政拨款结余、结转 under 上年结余、结转, may be on the next page)."""

    at: list[tuple[float, str]] = field(default_factory=list)
    seen: dict[str, set[str]] = field(
        default_factory=lambda: {"income": set(), "expenditure": set()}
    )

    def copy(self) -> _SideState:
        return _SideState(list(self.at), {k: set(v) for k, v in self.seen.items()})

    def take(self, other: _SideState) -> None:
        self.at[:] = other.at
        self.seen.clear()
        self.seen.update(other.seen)


def _sides_of(gs: list[Group], spec: TableSpec, state: _SideState | None) -> list[Side] | None:
    """The side of each group of a two-sided page: income first, then expenditure (the
    groups a page with both sides prints are remembered in `state`).  A later page
    that prints lines of one side only (Shenzhen's 收支总表 continues its 支出 tree for a
    page with the 收入 side blank) has one group: it is the side whose label column of an
    earlier page is at the same place — or none, when no earlier page says."""
    if len(gs) >= 2:
        sides = [spec.side("income")] + [spec.side("expenditure")] * (len(gs) - 1)
        if state is not None and not state.at:
            state.at.extend((g.name, s.name) for g, s in zip(gs, sides, strict=True) if g.name)
        return sides
    out: list[Side] = []
    for g in gs:
        near = [
            name
            for x, name in (state.at if state is not None else [])
            if g.name is not None and abs(x - g.name) <= _SAME_COLUMN
        ]
        if len(set(near)) != 1:
            return None
        out.append(spec.side(near[0]))
    return out


def _with_printed(rows: list[RawRow], gs: list[Group], bands: list[Band]) -> list[RawRow]:
    """Mark the columns the grid shows printed, when every amount column was mapped (a
    column no data band fills, 备注, needs no mapping: it holds no amount)."""
    if all(
        c is not None or not _filled(bands, x)
        for g in gs
        for x, c in zip(g.amounts, g.columns, strict=True)
    ):
        printed = frozenset(c.id for g in gs for c in g.columns if c is not None)
        for row in rows:
            row.printed = printed
    return rows


def _single_row(bands: list[Band], spec: TableSpec) -> list[RawRow] | None:
    """One row of amounts (三公): every cell of the widest data band is an amount column.

    A table printed as a row per year ("2025年", "2026年", "增减变化金额") keeps one
    row: each band's label (its cells without numbers, years made relative) is read
    before the column headers, so the registry names "本年/总计/一般公共预算".
    Printed per unit with a 合计 row first (Changsha: 合计 | 106_长沙市公安局), the
    合计 row is the table's row.  Printed down the page (项目 | 预算数: 合计 /
    1、因公出国（境）费用 / …), each line's label names its column (_transposed)."""
    data = [b for b in bands if b.has_number()]
    transposed = _transposed(bands, data, spec)
    if transposed is not None:
        return transposed
    totals = [b for b in data if any(squash(c.text) in ("合计", "总计") for c in b.cells)]
    if len(data) > 1 and totals:
        data = totals[:1]
    ref = max(data, key=lambda b: len(b.cells))
    labels = [_band_label(b) for b in data]
    context = "".join(labels)
    nums: list[Num] = []
    gs: list[Group] = []
    for band, label in zip(data, labels, strict=True):
        # a 序号 cell numbers the row, a 数量 cell counts: no amount column
        g = Group(
            amounts=[
                c.centre
                for c in ref.cells
                if not _row_number_cell(bands, c) and other_column(bands, c.centre, spec) is None
            ]
        )
        map_columns(g, spec.columns, bands, relative_years(label, context) if len(data) > 1 else "")
        nums.extend(_numbers(band, g))
        gs.append(g)
    if not nums:
        return None
    # the columns printed decide which identities apply (a 三公 table without the 合计
    # of 三公 + 会议费 + 培训费 does not break that identity)
    return _with_printed(
        [RawRow(side=None, code=None, row=None, name="", nums=nums, line=nums[0].line)],
        gs,
        bands,
    )


def _band_label(band: Band) -> str:
    """The texts of a band's cells that hold no number (its row labels)."""
    return squash("".join(c.text for c in band.cells if c.text and not c.numbers()))


_ITEM_NUMBERING = re.compile(r"^(?:其中[:：])?(?:[(（]?\d+[)）、.．]|[一二三四五六七八九十]+、)?")


def _transposed(bands: list[Band], data: list[Band], spec: TableSpec) -> list[RawRow] | None:
    """A one-row table printed as a list: one label and one number per line.  A line's
    column is the registry column whose item the label names ("1、因公出国（境）费用" is
    因公出国（境）费) and whose header ends with the amount column's header (预算数 /
    决算数); a label no column or more than one column fits leaves its number unplaced."""
    if len(data) < 3 or any(len([c for c in b.cells if c.numbers()]) != 1 for b in data):
        return None
    amount_x = [next(c.centre for c in b.cells if c.numbers()) for b in data]
    if max(amount_x) - min(amount_x) > 3:
        return None
    head = header_text(bands, amount_x[0])
    nums: list[Num] = []
    matched = 0
    for band in data:
        label = "".join(c.text for c in band.cells if not c.numbers())
        item = _ITEM_NUMBERING.sub("", squash(label))
        cols = [c for c in spec.columns if c.item and _names_item(item, squash(nfkc(c.item)))]
        if len(cols) > 1:
            cols = [
                c
                for c in cols
                if any(
                    h.split("/")[-1] and head.endswith(squash(h.split("/")[-1])) for h in c.headers
                )
            ]
        for cell in band.cells:
            for w, ln in cell.numbers():
                num = num_from(nfkc(w.text), ln)
                num.col = cols[0].id if len(cols) == 1 else None
                matched += num.col is not None
                nums.append(num)
    if matched * 2 < len(nums):
        return None  # not a list of the table's items
    return [RawRow(side=None, code=None, row=None, name="", nums=nums, line=nums[0].line)]


def _names_item(label: str, item: str) -> bool:
    """The label is the item, maybe with a short suffix (因公出国（境）费用)."""
    return label == item or (bool(item) and label.startswith(item) and len(label) - len(item) <= 2)


def _list_rows(bands: list[Band], spec: TableSpec) -> list[RawRow] | None:
    """Rows labelled by a path of cells (category / item …), one amount each.

    A label cell merged over several rows (no rule above it) is one cell: its
    text, wherever it sits vertically, labels every row it spans."""
    data_from = next((i for i, b in enumerate(bands) if b.has_number()), None)
    if data_from is None:
        return None
    body = bands[data_from:]
    unread = _unread_columns(bands, body, spec)
    paths = _merged_paths(body, unread)
    by_label = {squash(label): r for r in spec.rows for label in r.labels}
    column = spec.columns[0]
    g = _list_group(body, bands, spec, unread) if len(spec.columns) > 1 else None
    out: list[RawRow] = []
    for band, path in zip(body, paths, strict=True):
        if g is not None:
            nums = _numbers(band, g)
        else:
            nums = [
                num_from(nfkc(w.text), ln)
                for c in band.cells
                for w, ln in c.numbers()
                if not _CJK.search(c.text) and round(c.centre) not in unread
            ]
            if len(nums) == 1:
                nums[0].col = column.id
        if not nums:
            continue
        row = _list_row(path, by_label)
        name = "/".join(path)
        out.append(
            RawRow(
                side=None,
                code=None,
                row=row.id if row else None,
                name=name,
                nums=nums,
                line=nums[0].line,
            )
        )
    return out


def _list_group(
    body: list[Band], bands: list[Band], spec: TableSpec, unread: set[int]
) -> Group | None:
    """The amount columns of a list table with several of them (by fund source): the
    cells of the widest data band that hold numbers in some band, mapped by header
    (a column of the table's other columns, `unread`, is none of them)."""
    data = [b for b in body if b.has_number()]
    ref = max(data, key=lambda b: len(b.cells))
    cells = [c for c in ref.cells if round(c.centre) not in unread]
    centres = [
        c.centre
        for c in cells
        if not _CJK.search(c.text)
        and any((o := _cell_at(b, c.centre)) is not None and o.numbers() for b in data)
    ]
    # a column between the first and the last amount column is one, even if blank here
    if centres:
        centres = [c.centre for c in cells if centres[0] <= c.centre <= centres[-1]] + [
            c.centre for c in cells if c.centre > centres[-1] and not c.text
        ]
    g = Group(amounts=centres)
    map_columns(g, spec.columns, bands)
    return g if any(c is not None for c in g.columns) else None


def _unread_columns(bands: list[Band], body: list[Band], spec: TableSpec) -> set[int]:
    """The (rounded) centres of the body's columns that are the table's other columns
    (数量, codes, dates, 序号): neither amounts nor the row's label."""
    centres = {round(c.centre): c for b in body for c in b.cells}
    return {
        x
        for x, cell in centres.items()
        if other_column(bands, cell.centre, spec) is not None or _row_number_cell(bands, cell)
    }


def _merged_paths(body: list[Band], unread: set[int] | None = None) -> list[list[str]]:
    """Per band, the texts of its label cells left to right, merged cells included (the
    cells of `unread` columns, which hold no label, left out)."""
    columns = sorted({round(c.centre) for b in body for c in b.cells} - (unread or set()))
    paths: list[list[str]] = [[] for _ in body]
    for x in columns:
        i = 0
        while i < len(body):
            cell = _cell_near(body[i], x)
            if cell is None or (cell.numbers() and not _CJK.search(cell.text)):
                i += 1
                continue
            j = i + 1
            while j < len(body):
                nxt = _cell_near(body[j], x)
                if nxt is None or body[j].ruled_above(x):
                    break
                j += 1
            text = "".join(c.text for k in range(i, j) if (c := _cell_near(body[k], x)))
            if text:
                for k in range(i, j):
                    paths[k].append(text)
            i = j
    return paths


def merged_texts(bands: list[Band]) -> list[str]:
    """The text of every cell, vertically merged cells (no rule between) joined."""
    out: list[str] = []
    for path in _merged_paths(bands):
        out.extend(t for t in path if t not in out)
    return out


def _cell_near(band: Band, x: float) -> Cell | None:
    for cell in band.cells:
        if abs(cell.centre - x) < 1.5:
            return cell
    return None


def _list_row(path: list[str], by_label: dict[str, RowSpec]) -> RowSpec | None:
    keys = ["/".join(squash(p) for p in path)] + [squash(p) for p in reversed(path)]
    for key in keys:
        if key in by_label:
            return by_label[key]
    return None


def _cell_at(band: Band, x: float | None) -> Cell | None:
    if x is None:
        return None
    for cell in band.cells:
        if cell.x0 - 1 <= x <= cell.x1 + 1:
            return cell
    return None


def _numbers(band: Band, g: Group) -> list[Num]:
    nums: list[Num] = []
    for x, col in zip(g.amounts, g.columns, strict=True):
        cell = _cell_at(band, x)
        if cell is None:
            continue
        found = cell.numbers()
        for w, ln in found:
            num = num_from(nfkc(w.text), ln)
            num.col = col.id if col is not None and len(found) == 1 else None
            nums.append(num)
    return nums


def _label_rows(rows: list[RowSpec]) -> dict[str, RowSpec]:
    return {key: r for r in rows for key in r.keys}


def _coded(
    bands: list[Band], gs: list[Group], spec: TableSpec, above: dict[int, list[str]]
) -> list[RawRow]:
    """Rows of a coded table; `above` holds, per group, the code parts of the last coded
    row (of this page or the page before: a 项 row at the top of a page is under the
    款 at the bottom of the last)."""
    labels = _label_rows(spec.rows)
    started = False
    out: list[RawRow] = []
    last_code = ""  # the last complete code: prefix of a code printed as its suffix
    for band in bands:
        if not started and not band.has_number():
            continue
        started = True
        unit = ""  # the text of a label column left of the codes (预算单位) in this band
        for n, g in enumerate(gs):
            name_cell = _cell_at(band, g.name)
            name = name_cell.text if name_cell else ""
            if not g.amounts and not g.codes:
                unit = name or unit
            elif not name:
                name = unit  # a row named only by its unit ("深圳市气象局（本级）" totals)
            cells = [_cell_at(band, x) for x in g.codes]
            parts = _inherited([c.text if c else "" for c in cells], above.get(n))
            # a table of no classification numbers its rows by unit (部门代码 317, 317001)
            code = _join_code([p for p in parts if p]) if spec.classification else None
            if code:
                above[n] = parts
            if code is None and spec.classification and len(parts) == len(g.codes) > 1:
                code = _suffix_code(parts, last_code)
            if g.coded_names and code is None:
                code, name = _coded_name(band, g, spec.classification, name)
            if not code:
                code, name = _code_in_name(name, spec)
            if code:
                last_code = code
            nums = _numbers(band, g)
            key = squash(_NUMBERING.sub("", name))
            if key not in labels and not code:
                # a label in a cell merged over the code columns ("合计", "人员经费合计")
                spread = [squash(p) for p in parts if _CJK.search(p)]
                if not name and nums and g.amounts:
                    # or left of the group, over another group's label columns (Beijing
                    # 支出总表: "合    计" under the first of three code-name columns)
                    spread += [squash(c.text) for c in band.cells if c.x1 <= min(g.amounts)]
                key = next((s for s in spread if s in labels), key)
            first = _first_line(band, g)
            if code:
                out.append(RawRow(side=None, code=code, row=None, name=name, nums=nums, line=first))
            elif key in labels and (key or nums):  # "": a registry row printed unlabelled
                out.append(
                    RawRow(
                        side=None, code=None, row=labels[key].id, name=name, nums=nums, line=first
                    )
                )
            elif nums:
                out.append(RawRow(side=None, code=None, row=None, name=name, nums=nums, line=first))
            elif (
                name
                and out
                and out[-1].code is not None
                and not _NUMBERING.match(name)
                and not table_words().header_words.search(name)
                and first is not None
                and out[-1].line is not None
                and first.page == out[-1].line.page
            ):
                out[-1].name += name  # a name wrapped onto a continuation band
    return out


# a code printed in the name cell: "[2010401]行政运行", "［301］工资福利支出", "2010507专项普查活动"
_CODE_IN_NAME = re.compile(r"^(?:[\[［【](\d{3,7})[\]］】]|(\d{3,7})(?=[\u3400-\u9fff]))")


def _code_in_name(name: str, spec: TableSpec) -> tuple[str | None, str]:
    """(code, name) when the name cell starts with a classification code of the table's
    scheme (bracketed, or glued to the name); else (None, name)."""
    m = _CODE_IN_NAME.match(name)
    scheme = spec.classification
    if not m or scheme is None:
        return None, name
    code = m.group(1) or m.group(2)
    if len(code) not in (3, 5, 7) or code[:3] not in classes()[scheme]:
        return None, name
    return code, name[m.end() :]


def _coded_name(
    band: Band, g: Group, classification: str | None, name: str
) -> tuple[str | None, str]:
    """The row's code and name from its "code-name" cells: the cell of the table's own
    classification (function: 1xx/2xx; economic: 3xx 部门经济分类, not 5xx 政府经济分类),
    else the first.  The other classifications of the row only qualify it: they are
    not kept (the model has one code per line item)."""
    pairs = []
    texts = []
    for x in g.coded_names:
        cell = _cell_at(band, x)
        m = _CODE_NAME.match(cell.text) if cell is not None else None
        if m:
            pairs.append((m.group(1), m.group(2)))
        elif cell is not None and cell.text:
            texts.append(cell.text)
    if not pairs:
        # a label ("合计") printed under any of the classifications
        return None, name or "".join(texts)
    digits = _CLASS_DIGITS.get(classification or "", "")
    own = [p for p in pairs if p[0][0] in digits]
    return own[0] if own else pairs[0]


def _suffix_code(parts: list[str], last: str) -> str | None:
    """A code printed as its last part under 类 / 款 / 项 columns ("" "40" "" under 201:
    20140; "" "" "01" under 20140: 2014001): the part's column says which level it is,
    the code of the row above gives the levels before it."""
    filled = [i for i, p in enumerate(parts) if p]
    if len(filled) != 1 or not re.fullmatch(r"\d\d", parts[filled[0]]):
        return None
    level = filled[0]  # 1: 款, 2: 项
    prefix = last[: 3 + 2 * (level - 1)]
    if len(prefix) != 3 + 2 * (level - 1):
        return None
    return prefix + parts[level]


def _inherited(parts: list[str], above: list[str] | None) -> list[str]:
    """Code parts printed in 类 | 款 | 项 columns where a row prints only its own level
    ("" | "11" | "" under "201" | "" | ""): the levels left of it are the last coded
    row's (the rows are listed parent first), so the row is 20111."""
    if above is not None and len(parts) < len(above):
        # a page whose 类/款 columns are empty in every row reads them as no columns
        parts = [""] * (len(above) - len(parts)) + parts
    filled = [i for i, p in enumerate(parts) if p]
    if not filled or filled[0] == 0 or above is None or len(above) != len(parts):
        return parts
    head = above[: filled[0]]
    if not all(head) or not all(_DIGITS.match(p) for p in head):
        return parts
    return head + parts[filled[0] :]


def _join_code(parts: list[str]) -> str | None:
    if not parts or not all(_DIGITS.match(p) for p in parts):
        return None
    code = parts[0]
    for p in parts[1:]:
        code += p.zfill(2)  # "301 2" prints 30102 without its leading zero
    return code if len(code) in (3, 5, 7) else None


def _first_line(band: Band, g: Group) -> Line | None:
    lines = [ln for c in band.cells for _, ln in c.words]
    return min(lines, key=lambda ln: ln.number) if lines else None


def _views(bands: list[Band], gs: list[Group], sides: list[Side]) -> list[str]:
    """Per group, "" or the header of another view of the same side: Xi'an's 收支总表
    prints its spending three times side by side, by 支出功能分类科目, by 部门预算支出经济
    分类科目 and by 政府预算支出经济分类科目, each ending in 本年支出合计 and 支出总计.  A
    group of a side whose label header differs from the side's first group's is such a
    view: its lines are other rows (named by that header), not the side's rows again —
    read as the side's, each total would be two cells.  Only an economic view of a side
    whose first group is not one: Jiangsu's second expenditure group (基本支出, 项目支出 …
    本年支出合计) is the rest of its side, not a view."""
    out: list[str] = []
    first: dict[str, str] = {}
    for g, side in zip(gs, sides, strict=True):
        head = _label_header(bands, g.name)
        if side.name not in first:
            first[side.name] = head
            out.append("")
            continue
        view = _ECONOMIC_VIEW.search(head) and not _ECONOMIC_VIEW.search(first[side.name])
        out.append(head if view else "")
    return out


_ECONOMIC_VIEW = re.compile(r"经济分类|经济科目")


def _label_header(bands: list[Band], x: float | None) -> str:
    """The lowest header cell over a label column (its own header, not a group's)."""
    last = ""
    for band in bands:
        if band.has_number():
            break
        cell = _cell_at(band, x)
        if cell is not None and cell.text:
            last = cell.text
    return last


def _two_sided(
    bands: list[Band],
    gs: list[Group],
    sides: list[Side],
    seen: dict[str, set[str]] | None = None,
) -> list[RawRow]:
    out: list[RawRow] = []
    if seen is None:
        seen = {"income": set(), "expenditure": set()}
    names = class_by_name()["function"]
    views = _views(bands, gs, sides)
    for band in bands:
        if not band.has_number() and not any(
            _cell_at(band, g.name) and (_cell_at(band, g.name) or Cell(0, 0)).text for g in gs
        ):
            continue
        for g, side, view in zip(gs, sides, views, strict=True):
            cell = _cell_at(band, g.name)
            label = cell.text if cell else ""
            nums = _numbers(band, g)
            if view and label:
                if nums:
                    name = f"{view}/{_NUMBERING.sub('', label)}"
                    out.append(RawRow(side.name, None, None, name, nums, nums[0].line))
                continue
            if not label:
                if nums:
                    out.append(
                        RawRow(
                            side=side.name,
                            code=None,
                            row=None,
                            name="",
                            nums=nums,
                            line=nums[0].line,
                        )
                    )
                continue
            key = squash(_NUMBERING.sub("", label))
            spec_row = match_side_row(side, key, seen[side.name])
            if spec_row is not None:
                seen[side.name].add(spec_row.id)
                out.append(
                    RawRow(
                        side=side.name,
                        code=None,
                        row=spec_row.id,
                        name=label,
                        nums=nums,
                        line=nums[0].line if nums else _first_line(band, g),
                    )
                )
            elif side.class_rows and key in names:
                out.append(
                    RawRow(
                        side=side.name,
                        code=names[key],
                        row=None,
                        name=label,
                        nums=nums,
                        line=nums[0].line if nums else _first_line(band, g),
                        indent=_label_x(cell),
                    )
                )
            elif nums or side.class_rows:
                # a line by name only (款/项 of a tree, parse.tree); without amounts, a
                # piece of a wrapped 类 name, joined by _join_wrapped_classes
                out.append(
                    RawRow(
                        side=side.name,
                        code=None,
                        row=None,
                        name=label,
                        nums=nums,
                        line=nums[0].line if nums else _first_line(band, g),
                        indent=_label_x(cell),
                    )
                )
    return out


def _label_x(cell: Cell | None) -> float | None:
    """Where a label starts: the first word of its first printed line."""
    if cell is None or not cell.words:
        return None
    top = min(round(w.top) for w, _ in cell.words)
    return min(w.x0 for w, _ in cell.words if round(w.top) == top)


def _join_wrapped_classes(rows: list[RawRow]) -> list[RawRow]:
    """A 类 line whose name wraps onto lines of its own, in another band or on the next
    page (Jiangsu's 收支预算总表 prints "八、社会保障和就" with its amount at the foot of a
    page and "业支出" atop the next): the pieces that follow a line of the same side
    without code are joined to it while they begin a 类 name, and it takes the 类's code
    when the joined name is one.  The pieces (labels without amounts) are dropped."""
    names = class_by_name()["function"]
    out: list[RawRow] = []
    open_: dict[str | None, tuple[RawRow, str]] = {}
    for row in rows:
        piece = not row.nums and row.code is None and row.row is None
        if not piece:
            out.append(row)
            if row.nums:
                open_.pop(row.side, None)
            if row.nums and row.code is None and row.row is None and row.name:
                open_[row.side] = (row, "")
            continue
        if row.side not in open_ or not row.name:
            continue
        head, more = open_[row.side]
        more += row.name
        joined = squash(_NUMBERING.sub("", head.name)) + squash(more)
        if joined in names:
            head.name += more
            head.code = names[joined]
            open_.pop(row.side)
        elif any(name.startswith(joined) for name in names):
            open_[row.side] = (head, more)
        else:
            open_.pop(row.side)
    return out
