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

The font is the one shipped inside the package, always: ``data/fonts/
FiscalpubSansSC-Regular.otf`` ("Fiscalpub Sans SC", an OFL subset of Noto Sans CJK SC
made by tools/make_cjk_font.py: GBK, CJK punctuation and every character of the
registries and vocabulary labels), so the charts are the same bytes on every machine
and need no system font.  Only when a label has a character the subset lacks (a rare
character in a department name) is a system CJK font used: the first of FONT_PATHS,
then of FONT_FAMILIES (via matplotlib), that has every glyph.  Which font drew the
charts is returned (``Charts.font``) and recorded in the package (``fiscalpub.
charts_font`` in datapackage.json).  No font with every glyph → ChartFontMissing, with
the reason and an install hint; the package builder then skips the charts with a
``charts-skipped`` warning (a chart never costs the data).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from fiscalpub.errors import FiscalpubError
from fiscalpub.package.reader import LoadedPackage

# the charts' font, shipped in the wheel (data/fonts/README.md, OFL.txt beside it)
BUNDLED_FONT = (
    Path(__file__).resolve().parent.parent / "data" / "fonts" / "FiscalpubSansSC-Regular.otf"
)
BUNDLED_FONT_NAME = "Fiscalpub Sans SC (bundled subset of Noto Sans CJK SC)"
# fallbacks for a character the bundled subset lacks: common CJK fonts by path
# (Debian/Ubuntu) and by family (any OS, via matplotlib), in this order
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
    "install a CJK font that has them, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "or pass charts(..., font=PATH) with a .ttf/.otf/.ttc that has them"
)
REINSTALL_HINT = "reinstall fiscalpub (its wheel ships the charts' font)"

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
    family name (default FONT_FAMILIES, via matplotlib); no duplicates."""
    paths = FONT_PATHS if paths is None else paths
    families = FONT_FAMILIES if families is None else families
    found = [Path(p) for p in paths if Path(p).is_file()]
    if families:
        from matplotlib import font_manager

        for family in families:
            try:
                path = font_manager.findfont(
                    font_manager.FontProperties(family=family), fallback_to_default=False
                )
            except ValueError:
                continue
            found.append(Path(path))
    return list(dict.fromkeys(found))


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


def _missing(font: Path, needed: set[str]) -> list[str]:
    """The characters of `needed` the font has no glyph for (it would draw tofu)."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(font)).get_charmap()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ChartFontMissing(f"{font}: cannot be read as a font ({exc})") from exc
    return sorted(ch for ch in needed if not charmap.get(ord(ch)))


def _family(font: Path) -> str:
    from matplotlib.ft2font import FT2Font

    return str(FT2Font(str(font)).family_name) or font.stem


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

    import matplotlib

    out: dict[str, bytes] = {}
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # the caller's style and matplotlibrc do not leak in
        # SVG ids from a fixed salt, not random; text as glyph outlines (module docstring)
        matplotlib.rc("svg", hashsalt=SVG_HASHSALT, fonttype="path")
        matplotlib.rc("figure", dpi=DPI)
        matplotlib.rc("savefig", dpi=DPI, facecolor="white")
        for d in data:
            png, svg = _draw(d, chosen.path)
            out[f"charts/{d.name}.png"] = png
            out[f"charts/{d.name}.svg"] = svg
    return Charts(out, chosen.name)


def charts(package: LoadedPackage, *, font: Path | None = None) -> dict[str, bytes]:
    """The package's charts, keyed by path relative to the package (draw(...).files)."""
    return draw(package, font=font).files
