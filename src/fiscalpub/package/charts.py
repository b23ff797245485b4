"""Per-report charts: bar charts of a package's 类-level spending, PNG and SVG.

Reads only the package (line_items.csv, codes.csv, datapackage.json).  Two charts:

- ``charts/expenditure-by-function.{png,svg}``: 支出决算表 (预算表) column 合计 by
  功能分类 类 (3-digit function codes); the 一般公共预算财政拨款支出表 when the
  支出表 has no 类 lines;
- ``charts/basic-by-economic.{png,svg}``: 一般公共预算财政拨款基本支出表 column
  决算数/预算数 (``amount``) by 经济分类 类 (3-digit economic codes).

A chart without data (table absent, no 类 lines) is not produced: never a blank one.

Sums are exact: amounts stay Decimal; the printed labels (万元, 2 decimals) are
formatted from the Decimal, floats only position the bars.

Drawn directly, not through a plotting library: a chart is a handful of bars and lines
of text, so one layout (in points, _layout) is written twice — as SVG elements and onto
a Pillow image for the PNG — which costs a few milliseconds instead of a figure's
hundreds (issue 18: charts were a sixth of a corpus run's CPU with matplotlib).

SVG text is written as glyph outlines: each glyph's outline, read from the font with
fontTools, is defined once per SVG (``<path id="g…">`` in ``<defs>``) and placed with
``<use>``; the SVG then shows the Chinese labels on a machine without a CJK font (a
browser, a portal preview), and does not depend on which font a viewer substitutes.
Each text is also written as an XML comment before its outlines, and the title and
footnote as the SVG's ``<title>``/``<desc>``, so the labels stay greppable and readable
to a screen reader.  The PNG's text is rendered by Pillow (FreeType) from the same font,
glyph by glyph (each once per process) at the SVG's advances: no libraqm, no kerning, so
the same on every machine.

Output is byte-reproducible (CONTRACT: same package, same Pillow/fontTools and font →
same bytes, whatever the process or PYTHONHASHSEED): fixed sizes, numbers written with a
fixed precision, no dates or software versions in the PNG/SVG, nothing ordered by hash.

The font is the one shipped inside the package, always: ``data/fonts/
FiscalpubSansSC-Regular.otf`` ("Fiscalpub Sans SC", an OFL subset of Noto Sans CJK SC
made by tools/make_cjk_font.py: GBK, CJK punctuation and every character of the
registries and vocabulary labels), so the charts are the same bytes on every machine
and need no system font.  Only when a label has a character the subset lacks (a rare
character in a department name) is a system CJK font used: the first of FONT_PATHS,
then of FONT_FAMILIES (found by the family names of the fonts in FONT_DIRS), that has
every glyph.  Which font drew the charts is returned (``Charts.font``) and recorded in
the package (``fiscalpub.charts_font`` in datapackage.json).  No font with every glyph →
ChartFontMissing, with the reason and an install hint; the package builder then skips
the charts with a ``charts-skipped`` warning (a chart never costs the data).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from fiscalpub.errors import FiscalpubError
from fiscalpub.package.reader import LoadedPackage

if TYPE_CHECKING:
    from PIL import Image
    from PIL.ImageFont import FreeTypeFont

# the charts' font, shipped in the wheel (data/fonts/README.md, OFL.txt beside it)
BUNDLED_FONT = (
    Path(__file__).resolve().parent.parent / "data" / "fonts" / "FiscalpubSansSC-Regular.otf"
)
BUNDLED_FONT_NAME = "Fiscalpub Sans SC (bundled subset of Noto Sans CJK SC)"
# fallbacks for a character the bundled subset lacks: common CJK fonts by path
# (Debian/Ubuntu) and by family (any OS: the fonts under FONT_DIRS), in this order
FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
FONT_FAMILIES: tuple[str, ...] = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)
# where the fonts of FONT_FAMILIES are looked for (Linux, macOS, Windows)
FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "%WINDIR%/Fonts",
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
INSTALL_HINT = (
    "install a CJK font that has them, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "or pass charts(..., font=PATH) with a .ttf/.otf/.ttc that has them"
)
REINSTALL_HINT = "reinstall fiscalpub (its wheel ships the charts' font)"

WIDTH_IN = 10.0  # figure width (inches); the height grows with the number of bars
DPI = 150  # the PNG's pixels per inch (the SVG is in points: 72 per inch)
BAR_COLOR = "#3f6fa8"
NOTE_COLOR = "#444444"
WAN = Decimal(10000)
CENT = Decimal("0.01")

_KIND = {"final": "决算", "budget": "预算"}


class ChartError(FiscalpubError):
    """A chart cannot be drawn from this package."""


class ChartFontMissing(ChartError):
    """No font with the Chinese glyphs the charts need."""


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    amount: Decimal  # yuan


@dataclass(frozen=True)
class ChartData:
    name: str  # file stem under charts/
    table: str
    column: str
    title: str
    footnote: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class _Source:
    table: str
    column: str
    classification: str
    subject: str  # e.g. 支出{kind}: the title's noun
    table_title: str  # {kind} is 决算 / 预算
    column_title: str
    by: str


_FUNCTION_SOURCES = (
    _Source("expenditure", "total", "function", "支出{kind}", "支出{kind}表", "合计", "功能分类"),
    _Source(
        "gpb_expenditure",
        "total",
        "function",
        "一般公共预算财政拨款支出{kind}",
        "一般公共预算财政拨款支出{kind}表",
        "合计",
        "功能分类",
    ),
)
_ECONOMIC_SOURCES = (
    _Source(
        "gpb_basic_expenditure",
        "amount",
        "economic",
        "一般公共预算财政拨款基本支出{kind}",
        "一般公共预算财政拨款基本支出{kind}表",
        "{kind}数",
        "经济分类",
    ),
)
CHARTS: tuple[tuple[str, tuple[_Source, ...]], ...] = (
    ("expenditure-by-function", _FUNCTION_SOURCES),
    ("basic-by-economic", _ECONOMIC_SOURCES),
)


def wan(amount: Decimal) -> str:
    """Yuan → 万元 with 2 decimals (half up) and thousands separators, exactly."""
    return f"{(amount / WAN).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def class_bars(package: LoadedPackage, table: str, column: str, classification: str) -> list[Bar]:
    """The 类 (3-digit codes) of one column of one table, in code order, each the exact
    sum of its placed cells (a 类 is printed once; repeated lines would add up)."""
    labels = {
        c["code"]: c["label"] for c in package.codes if c.get("classification") == classification
    }
    totals: dict[str, Decimal] = {}
    items: dict[str, str] = {}
    for row in package.line_items:
        if (row.get("table"), row.get("column"), row.get("classification")) != (
            table,
            column,
            classification,
        ):
            continue
        code = row.get("code") or ""
        text = (row.get("amount") or "").strip()
        if len(code) != 3 or not code.isdigit() or not text:
            continue
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ChartError(
                f"{package.name}: line_items.csv {table}/{column} {code}: amount {text!r} "
                "is not a decimal number"
            ) from None
        totals[code] = totals.get(code, Decimal(0)) + amount
        items.setdefault(code, (row.get("item") or "").strip())
    return [Bar(c, labels.get(c) or items[c] or c, totals[c]) for c in sorted(totals)]


def chart_data(package: LoadedPackage) -> list[ChartData]:
    """What each chart shows; a chart without 类 lines is left out."""
    meta = package.meta
    kind = _KIND.get(str(meta.get("kind", "final")), "决算")
    department = str(meta.get("department") or package.descriptor.get("title") or package.name)
    year = meta.get("year", "")
    out = []
    for name, sources in CHARTS:
        for src in sources:
            bars = class_bars(package, src.table, src.column, src.classification)
            if not bars:
                continue
            subject = src.subject.format(kind=kind)
            out.append(
                ChartData(
                    name=name,
                    table=src.table,
                    column=src.column,
                    title=f"{department} {year}年\n{subject}（按{src.by} 类）",
                    footnote=(
                        f"数据：{src.table_title.format(kind=kind)} · "
                        f"{src.column_title.format(kind=kind)}　单位：万元"
                    ),
                    bars=tuple(bars),
                )
            )
            break
    return out


def system_fonts(
    paths: Sequence[str] | None = None, families: Sequence[str] | None = None
) -> list[Path]:
    """The system CJK font files found, in order: by path (default FONT_PATHS), then by
    family name (default FONT_FAMILIES, among the fonts under FONT_DIRS); no duplicates."""
    paths = FONT_PATHS if paths is None else paths
    families = FONT_FAMILIES if families is None else families
    found = [Path(p) for p in paths if Path(p).is_file()]
    if families:
        by_family = _families(FONT_DIRS)
        found += [by_family[f.casefold()] for f in families if f.casefold() in by_family]
    return list(dict.fromkeys(found))


@functools.lru_cache(maxsize=4)
def _families(dirs: tuple[str, ...]) -> dict[str, Path]:
    """Family name (casefolded; every name the font gives, e.g. also 文泉驿微米黑) → the
    first font file, in path order, under `dirs`: read once per process, and only when
    the bundled font lacks a glyph."""
    from fontTools.ttLib import TTCollection, TTFont

    out: dict[str, Path] = {}
    for path in _font_files(dirs):
        try:
            if path.suffix.lower() in (".ttc", ".otc"):
                faces = list(TTCollection(str(path), lazy=True).fonts)
            else:
                faces = [TTFont(str(path), lazy=True)]
            for face in faces:
                for record in face["name"].names:
                    if record.nameID in (1, 16):
                        out.setdefault(record.toUnicode().casefold(), path)
        except _font_errors():
            continue
    return out


def _font_files(dirs: Sequence[str]) -> Iterator[Path]:
    for folder in dirs:
        root = Path(os.path.expandvars(os.path.expanduser(folder)))
        if "%" in str(root) or not root.is_dir():
            continue
        yield from sorted(
            p for p in root.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file()
        )


def find_cjk_font(
    paths: Sequence[str] | None = None, families: Sequence[str] | None = None
) -> Path:
    """The file of the first system CJK font found: by path (default FONT_PATHS), then by
    family name (default FONT_FAMILIES)."""
    found = system_fonts(paths, families)
    if found:
        return found[0]
    raise ChartFontMissing(
        "no system CJK font: "
        + INSTALL_HINT
        + f" (looked for files {list(FONT_PATHS if paths is None else paths)} and families "
        f"{list(FONT_FAMILIES if families is None else families)})"
    )


@dataclass(frozen=True)
class ChartFont:
    path: Path
    name: str  # as recorded in the package: fiscalpub.charts_font


@dataclass(frozen=True)
class Charts:
    files: dict[str, bytes]  # path relative to the package -> bytes
    font: str | None  # the font that drew them (ChartFont.name); None: nothing to chart


def _needed(texts: Sequence[str]) -> set[str]:
    return {ch for t in texts for ch in t if not ch.isspace()}


def _font_errors() -> tuple[type[BaseException], ...]:
    import struct

    from fontTools.ttLib import TTLibError

    return (OSError, ValueError, KeyError, AssertionError, struct.error, TTLibError)


@dataclass
class _Face:
    """One font file, read once per process (fontTools for outlines and metrics, Pillow
    for the PNG), with the outlines drawn so far: a chart's text is a few dozen distinct
    glyphs, mostly the same from one package to the next."""

    path: Path
    font: Any  # fontTools.ttLib.TTFont
    cmap: dict[int, str]
    scale: float  # 1 / units per em
    center: float  # baseline below a text's vertical centre, in ems
    outlines: dict[str, tuple[str, str]] = field(default_factory=dict)  # glyph → (id, d)
    advances: dict[str, float] = field(default_factory=dict)  # character → ems
    pil: dict[float, FreeTypeFont] = field(default_factory=dict)  # size (px) → font
    # (character, size in px) → its rendered coverage and offset from the pen position
    masks: dict[tuple[str, float], tuple[Image.Image, int, int] | None] = field(
        default_factory=dict
    )

    def advance(self, ch: str) -> float:
        """The advance width of `ch` in ems (a character without a glyph: .notdef's)."""
        if ch not in self.advances:
            name = self.cmap.get(ord(ch), ".notdef")
            self.advances[ch] = float(self.font["hmtx"][name][0]) * self.scale
        return self.advances[ch]

    def width(self, text: str, size: float) -> float:
        return sum(self.advance(ch) for ch in text) * size

    def outline(self, ch: str) -> tuple[str, str] | None:
        """The SVG id and path data (font units, y up) of `ch`'s glyph; None: nothing to
        draw (a space)."""
        name = self.cmap.get(ord(ch), ".notdef")
        if name not in self.outlines:
            from fontTools.pens.svgPathPen import SVGPathPen

            glyphs = self.font.getGlyphSet()
            pen = SVGPathPen(glyphs, ntos=_num)
            glyphs[name].draw(pen)
            self.outlines[name] = (f"g{self.font.getGlyphID(name)}", pen.getCommands())
        gid, d = self.outlines[name]
        return (gid, d) if d else None

    def pillow(self, size: float) -> FreeTypeFont:
        if size not in self.pil:
            from PIL import ImageFont

            self.pil[size] = ImageFont.truetype(
                str(self.path), size=size, index=0, layout_engine=ImageFont.Layout.BASIC
            )
        return self.pil[size]

    def mask(self, ch: str, size: float) -> tuple[Image.Image, int, int] | None:
        """`ch` rendered by Pillow (FreeType) at `size` px: its coverage (0–255) and
        where its top left is from the pen position on the baseline; None: blank."""
        key = (ch, size)
        if key not in self.masks:
            from PIL import Image, ImageDraw

            font = self.pillow(size)
            left, top, right, bottom = (round(v) for v in font.getbbox(ch, anchor="ls"))
            if right <= left or bottom <= top:
                self.masks[key] = None
            else:
                mask = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(mask).text((-left, -top), ch, font=font, fill=255, anchor="ls")
                self.masks[key] = (mask, left, top)
        return self.masks[key]


def _face(path: Path) -> _Face:
    """The font at `path`, read once per process (keyed by its size and mtime too, so a
    font file replaced at the same path is read again); ChartFontMissing when it is not
    a readable font."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ChartFontMissing(f"{path}: cannot be read as a font ({exc})") from exc
    return _load_face(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _load_face(path: str, _mtime: int, _size: int) -> _Face:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        cmap = dict(font.getBestCmap() or {})
        upem = int(font["head"].unitsPerEm)
        if "OS/2" in font and font["OS/2"].sTypoAscender > 0:
            ascent, descent = font["OS/2"].sTypoAscender, font["OS/2"].sTypoDescender
        else:
            ascent, descent = font["hhea"].ascent, font["hhea"].descent
    except _font_errors() as exc:
        raise ChartFontMissing(f"{path}: cannot be read as a font ({exc})") from exc
    return _Face(Path(path), font, cmap, 1.0 / upem, (ascent + descent) / 2 / upem)


def _num(value: float) -> str:
    """A coordinate: at most 2 decimals, no trailing zeros, never '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _missing(font: Path, needed: set[str]) -> list[str]:
    """The characters of `needed` the font has no glyph for (it would draw tofu)."""
    cmap = _face(font).cmap
    return sorted(ch for ch in needed if not cmap.get(ord(ch)))


def _family(font: Path) -> str:
    name = _face(font).font["name"].getDebugName(1)
    return str(name) if name else font.stem


def choose_font(texts: Sequence[str]) -> ChartFont:
    """The bundled font when it has a glyph for every character of `texts`; else the
    first system CJK font that has (system_fonts order); else ChartFontMissing saying
    why and what to install."""
    needed = _needed(texts)
    if not BUNDLED_FONT.is_file():
        why, hint = f"the bundled font {BUNDLED_FONT} is missing", REINSTALL_HINT
    else:
        try:
            lacking = _missing(BUNDLED_FONT, needed)
        except ChartFontMissing as exc:
            lacking, why, hint = [], f"the bundled font is unreadable ({exc})", REINSTALL_HINT
        else:
            if not lacking:
                return ChartFont(BUNDLED_FONT, BUNDLED_FONT_NAME)
            why = f"the bundled font has no glyph for {''.join(lacking)!r}"
            hint = INSTALL_HINT
    candidates = system_fonts()
    for path in candidates:
        try:
            if not _missing(path, needed):
                return ChartFont(path, f"{_family(path)} (system font {path.name})")
        except ChartFontMissing:
            continue
    found = (
        "and no system CJK font has every glyph either (tried "
        + ", ".join(str(p) for p in candidates)
        + ")"
        if candidates
        else "and no system CJK font was found"
    )
    raise ChartFontMissing(f"no CJK font for the charts' Chinese labels: {why}, {found}; {hint}")


def _check_glyphs(font: Path, texts: Sequence[str]) -> None:
    """Refuse a font that would draw some label as empty boxes (tofu)."""
    try:
        missing = _missing(font, _needed(texts))
    except ChartFontMissing as exc:
        raise ChartFontMissing(f"{exc}; {INSTALL_HINT}") from exc
    if missing:
        raise ChartFontMissing(
            f"{font} has no glyph for {''.join(missing)!r} used in the charts: {INSTALL_HINT}"
        )


# layout, in points (1/72 inch): the SVG's units; the PNG is the same scaled to DPI
PAD = 4.0  # around the figure
TICK_PAD = 6.0  # between a 类 label and the axis
TITLE_GAP = 10.0  # between the title and the bars
NOTE_GAP = 10.0  # between the bars and the footnote
TITLE_SIZE, LABEL_SIZE, NOTE_SIZE = 13.0, 10.0, 8.5
LINE = 1.2  # line height, in font sizes
BAR_HEIGHT = 0.62  # of a bar's slot
AXIS_WIDTH = 0.8


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float  # top
    w: float
    h: float
    color: str


@dataclass(frozen=True)
class _Text:
    x: float  # the left end of the baseline, or its right end when `right`
    y: float  # the baseline
    text: str
    size: float
    color: str = "#000000"
    right: bool = False


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float
    title: str
    note: str
    rects: tuple[_Rect, ...]
    texts: tuple[_Text, ...]


def _layout(data: ChartData, face: _Face) -> _Layout:
    """Where everything goes: the 类 labels right-aligned left of the axis, one bar per
    类 (first code on top) with its 万元 amount beside it, the title above (left-aligned
    with the axis), the footnote below; the height grows with the number of bars."""
    bars = data.bars
    n = len(bars)
    width, height = WIDTH_IN * 72, (1.9 + 0.42 * n) * 72
    title = data.title.split("\n")
    left = PAD + max(face.width(b.label, LABEL_SIZE) for b in bars) + TICK_PAD
    right = width - PAD
    top = PAD + len(title) * TITLE_SIZE * LINE + TITLE_GAP
    bottom = height - PAD - NOTE_SIZE * LINE - NOTE_GAP
    values = [float(b.amount / WAN) for b in bars]  # positions only; labels use Decimal
    hi, lo = max([0.0, *values]), min([0.0, *values])
    span = (hi - lo) or 1.0
    pad = span * 0.02
    # room for the amount beside the longest bar
    x_lo = lo - (span * 0.18 if lo < 0 else 0.0)
    x_hi = hi + (span * 0.18 if hi > 0 else span * 0.05)

    def x(value: float) -> float:
        return left + (value - x_lo) / (x_hi - x_lo) * (right - left)

    def baseline(middle: float, size: float) -> float:
        return middle + face.center * size

    slot = (bottom - top) / n
    rects = [_Rect(left - AXIS_WIDTH / 2, top, AXIS_WIDTH, bottom - top, "#000000")]
    texts = []
    for i, (value, bar) in enumerate(zip(values, bars, strict=True)):
        middle = top + (i + 0.5) * slot
        x0, x1 = x(min(value, 0.0)), x(max(value, 0.0))
        rects.append(
            _Rect(x0, middle - slot * BAR_HEIGHT / 2, x1 - x0, slot * BAR_HEIGHT, BAR_COLOR)
        )
        y = baseline(middle, LABEL_SIZE)
        texts.append(_Text(left - TICK_PAD, y, bar.label, LABEL_SIZE, right=True))
        at = x(value + (pad if value >= 0 else -pad))
        texts.append(_Text(at, y, wan(bar.amount), LABEL_SIZE, right=value < 0))
    for k, line in enumerate(title):
        x0 = min(left, max(PAD, right - face.width(line, TITLE_SIZE)))
        texts.append(
            _Text(x0, baseline(PAD + (k + 0.5) * TITLE_SIZE * LINE, TITLE_SIZE), line, TITLE_SIZE)
        )
    y = baseline(bottom + NOTE_GAP + NOTE_SIZE * LINE / 2, NOTE_SIZE)
    texts.append(_Text(left, y, data.footnote, NOTE_SIZE, NOTE_COLOR))
    return _Layout(width, height, " ".join(title), data.footnote, tuple(rects), tuple(texts))


def _svg(chart: _Layout, face: _Face) -> bytes:
    """The chart as SVG: rects, and each text as its glyphs' outlines (defined once,
    placed with <use>) after a comment holding the text."""
    defs: dict[str, str] = {}  # id → path data, in first-use order
    size = f'width="{_num(chart.width)}" height="{_num(chart.height)}"'
    body = [f'<rect x="0" y="0" {size} fill="#ffffff"/>']
    for r in chart.rects:
        body.append(
            f'<rect x="{_num(r.x)}" y="{_num(r.y)}" width="{_num(r.w)}" height="{_num(r.h)}" '
            f'fill="{r.color}"/>'
        )
    for t in chart.texts:
        x = t.x - face.width(t.text, t.size) if t.right else t.x
        scale = f"{t.size * face.scale:.6g}"
        body.append(f"<!-- {_comment(t.text)} -->")
        body.append(
            f'<g transform="translate({_num(x)} {_num(t.y)}) scale({scale} -{scale})" '
            f'fill="{t.color}">'
        )
        advance = 0.0  # font units
        for ch in t.text:
            glyph = face.outline(ch)
            if glyph is not None:
                gid, d = glyph
                defs.setdefault(gid, d)
                body.append(f'<use xlink:href="#{gid}" x="{_num(advance)}"/>')
            advance += face.advance(ch) / face.scale
        body.append("</g>")
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.1" width="{_num(chart.width)}pt" height="{_num(chart.height)}pt" '
        f'viewBox="0 0 {_num(chart.width)} {_num(chart.height)}">',
        f"<title>{escape(chart.title)}</title>",
        f"<desc>{escape(chart.note)}</desc>",
        "<defs>",
        *(f'<path id="{gid}" d="{d}"/>' for gid, d in defs.items()),
        "</defs>",
    ]
    return "\n".join([*head, *body, "</svg>", ""]).encode("utf-8")


def _comment(text: str) -> str:
    """`text` as XML comment content ('--' is not allowed in a comment)."""
    while "--" in text:
        text = text.replace("--", "- -")
    return text


def _png(chart: _Layout, face: _Face) -> bytes:
    """The chart as PNG, DPI pixels per inch, the text rendered by Pillow (FreeType) glyph
    by glyph, each glyph once per process (_Face.mask), placed at the same advances as
    in the SVG.

    A palette image, not RGB: the chart is greys (text anti-aliased over white) and one
    blue, so indices 0–254 are a grey ramp and 255 the bars' colour; anti-aliasing
    blends indices, which on the ramp is blending greys.  A third of RGB's bytes to
    compress, and no per-row filter search: a quarter of the time to encode."""
    from PIL import Image, ImageDraw

    k = DPI / 72
    image = Image.new("P", (round(chart.width * k), round(chart.height * k)), _WHITE)
    image.putpalette(_PALETTE)
    pen = ImageDraw.Draw(image)
    for t in chart.texts:
        x = (t.x - face.width(t.text, t.size)) * k if t.right else t.x * k
        y = round(t.y * k)
        ink = _index(t.color)
        for ch in t.text:
            glyph = face.mask(ch, t.size * k)
            if glyph is not None:
                mask, left, top = glyph
                x0, y0 = round(x) + left, y + top
                image.paste(ink, (x0, y0, x0 + mask.width, y0 + mask.height), mask)
            x += face.advance(ch) * t.size * k
    for r in chart.rects:  # after the text: solid, whatever they touch
        x0, y0, x1, y1 = (round(v * k) for v in (r.x, r.y, r.x + r.w, r.y + r.h))
        if x1 > x0 and y1 > y0:
            pen.rectangle((x0, y0, x1 - 1, y1 - 1), fill=_index(r.color))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


# the PNG's palette: 0–254 a grey ramp from black to white, 255 the bars' colour
_WHITE = 254
_BAR = 255
_PALETTE = bytes(
    v for i in range(_WHITE + 1) for v in (round(i * 255 / _WHITE),) * 3
) + bytes.fromhex(BAR_COLOR[1:])


def _index(color: str) -> int:
    """The palette index of a colour of the chart: the bars' colour, or a grey."""
    if color == BAR_COLOR:
        return _BAR
    grey = int(color[1:3], 16)
    if color.lower() != "#" + f"{grey:02x}" * 3:
        raise ValueError(f"{color}: a chart's colour is a grey or BAR_COLOR")
    return round(grey * _WHITE / 255)


def draw(package: LoadedPackage, *, font: Path | None = None) -> Charts:
    """The package's charts and the font that drew them: PNG and SVG per chart with
    data; no files (and no font needed) when none has.  `font`: a font file to use
    instead of choosing one (choose_font: the bundled font, else a system font)."""
    data = chart_data(package)
    if not data:
        return Charts({}, None)
    texts = [t for d in data for t in (d.title, d.footnote, *(b.label for b in d.bars))]
    texts.append("0123456789.,-")
    if font is None:
        chosen = choose_font(texts)
    else:
        if not font.is_file():
            raise ChartFontMissing(f"{font}: no such font file; {INSTALL_HINT}")
        _check_glyphs(font, texts)
        same = font.resolve() == BUNDLED_FONT.resolve()
        chosen = ChartFont(font, BUNDLED_FONT_NAME if same else f"{_family(font)} ({font.name})")
    face = _face(chosen.path)
    out: dict[str, bytes] = {}
    for d in data:
        chart = _layout(d, face)
        out[f"charts/{d.name}.png"] = _png(chart, face)
        out[f"charts/{d.name}.svg"] = _svg(chart, face)
    return Charts(out, chosen.name)


def charts(package: LoadedPackage, *, font: Path | None = None) -> dict[str, bytes]:
    """The package's charts, keyed by path relative to the package (draw(...).files)."""
    return draw(package, font=font).files
