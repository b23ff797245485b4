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

Output is byte-reproducible (CONTRACT: same package, same matplotlib and font → same
bytes, whatever the process or PYTHONHASHSEED): the Agg canvas, a fixed size and DPI,
matplotlib's default rcParams (the caller's style and matplotlibrc are ignored) inside
an ``rc_context`` (the caller's rcParams are left as they were), ``svg.hashsalt`` fixed,
no dates or software versions in the PNG/SVG metadata.

SVG text is written as glyph outlines (``svg.fonttype: path``): the SVG then shows the
Chinese labels on a machine without a CJK font (a browser, a portal preview), and does
not depend on which font a viewer substitutes.  matplotlib writes each text as an XML
comment before its outlines, so the labels stay greppable.

Chinese needs a CJK font: the first of FONT_PATHS that exists, else the first of
FONT_FAMILIES matplotlib can find; none → ChartFontMissing with the install line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from fiscalpub.errors import FiscalpubError
from fiscalpub.rdf.cube import Package

# Debian's fonts-wqy-microhei first (1.6 MB package; what CI installs), then other
# common CJK fonts by path (Debian/Ubuntu) and by family (any OS, via matplotlib).
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
INSTALL_HINT = (
    "install a CJK font, e.g. `apt-get install fonts-wqy-microhei` (Debian/Ubuntu), "
    "or pass charts(..., font=PATH) with a .ttf/.otf/.ttc that has Simplified Chinese"
)

WIDTH_IN = 10.0  # figure width (inches); the height grows with the number of bars
DPI = 150
BAR_COLOR = "#3f6fa8"
SVG_HASHSALT = "fiscalpub"
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


def class_bars(package: Package, table: str, column: str, classification: str) -> list[Bar]:
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


def chart_data(package: Package) -> list[ChartData]:
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


def find_cjk_font(
    paths: Sequence[str] | None = None, families: Sequence[str] | None = None
) -> Path:
    """The file of the first CJK font found: by path (default FONT_PATHS), then by family
    name (default FONT_FAMILIES)."""
    paths = FONT_PATHS if paths is None else paths
    families = FONT_FAMILIES if families is None else families
    for candidate in paths:
        if Path(candidate).is_file():
            return Path(candidate)
    if families:
        from matplotlib import font_manager

        for family in families:
            try:
                found = font_manager.findfont(
                    font_manager.FontProperties(family=family), fallback_to_default=False
                )
            except ValueError:
                continue
            return Path(found)
    raise ChartFontMissing(
        "no CJK font for the charts' Chinese labels: "
        + INSTALL_HINT
        + f" (looked for files {list(paths)} and families {list(families)})"
    )


def _check_glyphs(font: Path, texts: Sequence[str]) -> None:
    """Refuse a font that would draw some label as empty boxes (tofu)."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(font)).get_charmap()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ChartFontMissing(f"{font}: cannot be read as a font ({exc}); {INSTALL_HINT}") from exc
    missing = sorted({ch for t in texts for ch in t if not ch.isspace() and ord(ch) not in charmap})
    if missing:
        raise ChartFontMissing(
            f"{font} has no glyph for {''.join(missing)!r} used in the charts: {INSTALL_HINT}"
        )


def _draw(data: ChartData, font: Path) -> tuple[bytes, bytes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fp = FontProperties(fname=str(font), size=10)
    title_fp = FontProperties(fname=str(font), size=13)
    note_fp = FontProperties(fname=str(font), size=8.5)

    bars = data.bars
    n = len(bars)
    fig = Figure(figsize=(WIDTH_IN, 1.9 + 0.42 * n), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = list(range(n))
    values = [float(b.amount / WAN) for b in bars]  # positions only; labels use Decimal
    ax.barh(ys, values, height=0.62, color=BAR_COLOR)
    ax.set_yticks(ys, [b.label for b in bars], fontproperties=fp)
    hi = max([0.0, *values])
    lo = min([0.0, *values])
    span = (hi - lo) or 1.0
    pad = span * 0.02
    for y, value, bar in zip(ys, values, bars, strict=True):
        ax.text(
            value + (pad if value >= 0 else -pad),
            y,
            wan(bar.amount),
            va="center",
            ha="left" if value >= 0 else "right",
            fontproperties=fp,
        )
    # room for the amount beside the longest bar
    ax.set_xlim(
        lo - (span * 0.18 if lo < 0 else 0.0), hi + (span * 0.18 if hi > 0 else span * 0.05)
    )
    ax.set_ylim(n - 0.5, -0.5)  # first code on top
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=6)
    ax.set_title(data.title, fontproperties=title_fp, loc="left", pad=10)
    ax.annotate(
        data.footnote,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0.0, -10.0),
        textcoords="offset points",
        ha="left",
        va="top",
        fontproperties=note_fp,
        color="#444444",
    )

    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None})
    fig.clear()
    return png.getvalue(), svg.getvalue()


def charts(package: Package, *, font: Path | None = None) -> dict[str, bytes]:
    """The package's charts, keyed by path relative to the package: PNG and SVG per chart
    with data; {} when none has (no CJK font needed then).  `font`: a font file to use
    instead of looking one up."""
    data = chart_data(package)
    if not data:
        return {}
    font = font if font is not None else find_cjk_font()
    if not font.is_file():
        raise ChartFontMissing(f"{font}: no such font file; {INSTALL_HINT}")
    _check_glyphs(
        font,
        [
            t
            for d in data
            for t in (d.title, d.footnote, *(b.label for b in d.bars), "0123456789.,-")
        ],
    )

    import matplotlib

    out: dict[str, bytes] = {}
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # the caller's style and matplotlibrc do not leak in
        # SVG ids from a fixed salt, not random; text as glyph outlines (module docstring)
        matplotlib.rc("svg", hashsalt=SVG_HASHSALT, fonttype="path")
        matplotlib.rc("figure", dpi=DPI)
        matplotlib.rc("savefig", dpi=DPI, facecolor="white")
        for d in data:
            png, svg = _draw(d, font)
            out[f"charts/{d.name}.png"] = png
            out[f"charts/{d.name}.svg"] = svg
    return out
