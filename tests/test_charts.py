"""Per-report charts (fiscalpub.package.charts): files per shipped package, Chinese glyphs really
drawn (each label's glyph outlines in the SVG, ink where the labels are in the PNG, and
the SVG as Chromium renders it looks like the PNG), exact 万元 labels, byte-reproducible
output (also in another process with another PYTHONHASHSEED), no plotting library loaded;
the bundled font (Fiscalpub Sans SC, an OFL subset of Noto Sans CJK SC) used by default,
its licence and coverage; a system font only for a character the subset lacks, found by
path or family, and recorded; without any font the package is still built, without
charts and with a `charts-skipped` warning."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from fiscalpub.errors import FiscalpubError
from fiscalpub.package import charts as charts_mod
from fiscalpub.package.charts import (
    BUNDLED_FONT,
    BUNDLED_FONT_NAME,
    ChartFontMissing,
    charts,
    draw,
    find_cjk_font,
)
from fiscalpub.package.reader import LoadedPackage, read_package
from tests.conftest import ROOT

PACKAGES = ROOT / "datapackages"
ANYANG = PACKAGES / "anyangshibeiguanqu-yiliaobaozhangju-2022-final-4b3e5e"
YUEYANG = PACKAGES / "yueyangshiquyuanguanliqu-yiliaobaozhangju-2021-final-5de804"
YOUHAO = PACKAGES / "youhaoqu-yiliaobaozhangju-2021-final-814bba"
BOTH = {
    "charts/expenditure-by-function.png",
    "charts/expenditure-by-function.svg",
    "charts/basic-by-economic.png",
    "charts/basic-by-economic.svg",
}
EXPECTED_FILES = {ANYANG.name: BOTH, YUEYANG.name: BOTH, YOUHAO.name: set()}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _shipped() -> list[Path]:
    return sorted(p.parent for p in PACKAGES.glob("*/datapackage.json"))


def _strict_charts(package: LoadedPackage, font: Path | None = None) -> dict[str, bytes]:
    """charts() with every warning an error (a library's warning about a missing glyph,
    tofu, fails the test instead of passing silently)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return charts(package, font=font)


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, bytes]]:
    return {p.name: _strict_charts(read_package(p)) for p in _shipped()}


def _comments(svg: bytes) -> list[str]:
    """The texts of the SVG: each is written as an XML comment before its glyph
    outlines."""
    return [c.strip() for c in re.findall(r"<!--(.*?)-->", svg.decode("utf-8"), re.S)]


def _expected_totals(package_dir: Path, table: str, column: str, cl: str) -> dict[str, Decimal]:
    """类 totals straight from line_items.csv, independently of fiscalpub.package.charts."""
    totals: dict[str, Decimal] = {}
    with (package_dir / "line_items.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["table"], row["column"], row["classification"]) != (table, column, cl):
                continue
            if len(row["code"]) == 3:
                totals[row["code"]] = totals.get(row["code"], Decimal(0)) + Decimal(row["amount"])
    return totals


def _wan(yuan: Decimal) -> str:
    return f"{(yuan / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def test_every_shipped_package_is_known() -> None:
    assert {p.name for p in _shipped()} == set(EXPECTED_FILES)


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_files_per_package(rendered: dict[str, dict[str, bytes]], name: str) -> None:
    files = rendered[name]
    assert set(files) == EXPECTED_FILES[name]
    for path, data in files.items():
        if path.endswith(".png"):
            assert data.startswith(PNG_SIGNATURE)
            assert b"Software" not in data and b"tEXt" not in data  # no version, no date
        else:
            root = ET.fromstring(data)
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert b"<dc:date>" not in data


def _cmap(font: Path) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    return dict(TTFont(str(font), lazy=True).getBestCmap())


def test_chinese_glyphs_are_drawn(rendered: dict[str, dict[str, bytes]]) -> None:
    from fontTools.ttLib import TTFont

    svg = rendered[ANYANG.name]["charts/expenditure-by-function.svg"]
    texts = _comments(svg)
    for label in ("社会保障和就业支出", "卫生健康支出", "住房保障支出"):
        assert label in texts
    assert "安阳市北关区医疗保障局 2022年" in texts
    assert "支出决算（按功能分类 类）" in texts
    assert "数据：支出决算表 · 合计　单位：万元" in texts
    # the text is outlines, not <text> a viewer would need the font for ...
    assert b"<text" not in svg
    # ... every character has a real glyph in the font (not .notdef: tofu) and there is
    # an outline per distinct character
    font = TTFont(str(BUNDLED_FONT), lazy=True)
    charmap = font.getBestCmap()
    chars = {ch for t in texts for ch in t if not ch.isspace()}
    assert all(ord(ch) in charmap for ch in chars), sorted(
        ch for ch in chars if ord(ch) not in charmap
    )
    defs = dict(re.findall(r'<path id="([^"]+)" d="([^"]+)"/>', svg.decode("utf-8")))
    assert len(defs) >= len(chars)
    # ... and each text is followed by its own glyphs, in order: the outline of each of
    # its characters (a glyph of the font, by its id), placed left to right
    for comment, uses in re.findall(
        r"<!-- (.*?) -->\n<g [^>]*>\n((?:<use [^>]*/>\n)*)</g>", svg.decode("utf-8")
    ):
        ids = re.findall(r'xlink:href="#(g\d+)" x="([\d.]+)"', uses)
        expected = [f"g{font.getGlyphID(charmap[ord(ch)])}" for ch in comment if not ch.isspace()]
        assert [i for i, _ in ids] == expected, comment
        assert [float(x) for _, x in ids] == sorted(float(x) for _, x in ids)
        assert all(defs[i].startswith("M") for i in expected)
    assert len(re.findall(r"<!-- ", svg.decode("utf-8"))) == len(texts) == 3 + 3 + 3


def _grey(png: bytes) -> Any:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("L")


def _ink_rows(image: Any, box: tuple[int, int, int, int]) -> list[int]:
    """The rows of `box` with ink (a pixel darker than light grey), relative to its top."""
    region = image.crop(box)
    width, height = region.size
    data = region.tobytes()
    return [y for y in range(height) if min(data[y * width : (y + 1) * width]) < 160]


def test_the_png_has_ink_where_the_labels_are(rendered: dict[str, dict[str, bytes]]) -> None:
    """Each bar's row has its 类 label left of the axis and its amount right of the bar;
    the title above and the footnote below; nothing else on white."""
    from PIL import Image

    png = rendered[ANYANG.name]["charts/expenditure-by-function.png"]
    image = Image.open(io.BytesIO(png))
    assert image.size == (1500, round((1.9 + 0.42 * 3) * 150))
    grey = _grey(png)
    rgb = image.convert("RGB")
    width, height = grey.size
    bar = (0x3F, 0x6F, 0xA8)
    rows = [y for y in range(height) if rgb.getpixel((width // 2, y)) == bar]  # the long bar
    assert rows and len(rows) < height // 4
    # the bars: the axis x is where the first bar starts; each bar is a band of rows
    axis = next(x for x in range(width) if rgb.getpixel((x, rows[0])) == bar)
    assert 100 < axis < 400
    bands: list[list[int]] = []
    for y in range(height):
        if rgb.getpixel((axis + 2, y)) == bar:
            if bands and bands[-1][-1] == y - 1:
                bands[-1].append(y)
            else:
                bands.append([y])
    assert len(bands) == 3
    for band in bands:
        top, bottom = band[0], band[-1]
        label = _ink_rows(grey, (0, top, axis - 5, bottom + 1))  # 社会保障和就业支出 …
        assert len(label) > 15, (top, label)
        end = max(x for x in range(axis, width) if rgb.getpixel((x, top)) == bar)
        amount = _ink_rows(grey, (end + 2, top, width, bottom + 1))  # 14.70 …
        assert len(amount) > 10, (top, amount)
    title = _ink_rows(grey, (axis - 2, 0, width, bands[0][0] - 20))
    assert len(title) > 40  # two lines of 13 pt
    note = _ink_rows(grey, (axis - 2, bands[-1][-1] + 25, width, height))
    assert 8 < len(note) < 25
    # text is anti-aliased: greys between black and white, not 1-bit
    assert len(set(grey.crop((0, bands[0][0], axis - 5, bands[0][-1])).tobytes())) > 20
    # the check can fail: a blank image has no ink there
    blank = Image.new("L", grey.size, 255)
    assert _ink_rows(blank, (0, bands[0][0], axis - 5, bands[0][-1] + 1)) == []


def _chromium_png(svg: Path, width: int, height: int) -> bytes:
    """`svg` as headless Chromium draws it at width × height pixels (an <img> of that size
    on a page, screenshot of the element)."""
    from tests.test_run import headless_chromium

    page = svg.with_suffix(".html")
    page.write_text(
        f'<html><body style="margin:0"><img id=c src="{svg.name}" '
        f'width="{width}" height="{height}" style="display:block"></body></html>',
        encoding="utf-8",
    )
    driver = headless_chromium(
        "--force-device-scale-factor=1", f"--window-size={width + 100},{height + 200}"
    )
    try:
        driver.get(page.as_uri())
        return bytes(driver.find_element("id", "c").screenshot_as_png)
    finally:
        driver.quit()


def _blocks(image: Any, size: int = 16) -> list[int]:
    """The image's mean grey per size × size block: text shows as darker blocks."""
    from PIL import Image

    small = image.resize(
        (image.width // size, image.height // size), Image.Resampling.BOX, reducing_gap=None
    )
    return list(small.tobytes())


def test_the_svg_in_chromium_looks_like_the_png(
    rendered: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    """The SVG (glyph outlines, bars) as a real browser draws it, and the PNG (Pillow),
    agree block by block: the same text in the same places, in both formats."""
    for chart in ("expenditure-by-function", "basic-by-economic"):
        png = _grey(rendered[ANYANG.name][f"charts/{chart}.png"])
        svg = tmp_path / f"{chart}.svg"
        svg.write_bytes(rendered[ANYANG.name][f"charts/{chart}.svg"])
        shot = _grey(_chromium_png(svg, *png.size))
        assert shot.size == png.size
        a, b = _blocks(png), _blocks(shot)
        worst = max(abs(x - y) for x, y in zip(a, b, strict=True))
        assert worst < 48, (chart, worst)
        assert sum(x < 250 for x in b) > 100  # the screenshot is not blank
        # the check can fail: without one label the blocks where it was differ
        blanked = png.copy()
        blanked.paste(255, (0, 0, png.width // 8, png.height))
        worst = max(abs(x - y) for x, y in zip(_blocks(blanked), b, strict=True))
        assert worst >= 48, (chart, worst)


def test_basic_chart_labels(rendered: dict[str, dict[str, bytes]]) -> None:
    texts = _comments(rendered[ANYANG.name]["charts/basic-by-economic.svg"])
    for label in ("工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出"):
        assert label in texts
    assert "一般公共预算财政拨款基本支出决算（按经济分类 类）" in texts
    assert "数据：一般公共预算财政拨款基本支出决算表 · 决算数　单位：万元" in texts
    # Yueyang's line prints 30108 truncated; 类 labels come from codes.csv
    texts = _comments(rendered[YUEYANG.name]["charts/basic-by-economic.svg"])
    assert {"工资福利支出", "商品和服务支出", "79.77", "33.60"} <= set(texts)


@pytest.mark.parametrize(
    ("package_dir", "chart", "table", "column", "cl"),
    [
        (ANYANG, "expenditure-by-function", "expenditure", "total", "function"),
        (ANYANG, "basic-by-economic", "gpb_basic_expenditure", "amount", "economic"),
        (YUEYANG, "expenditure-by-function", "expenditure", "total", "function"),
    ],
)
def test_labels_show_exact_amounts(
    rendered: dict[str, dict[str, bytes]],
    package_dir: Path,
    chart: str,
    table: str,
    column: str,
    cl: str,
) -> None:
    totals = _expected_totals(package_dir, table, column, cl)
    assert totals
    texts = _comments(rendered[package_dir.name][f"charts/{chart}.svg"])
    numbers = [t for t in texts if re.fullmatch(r"-?[\d,]+\.\d\d", t)]
    assert numbers == [_wan(totals[c]) for c in sorted(totals)]


def test_known_values() -> None:
    """Hand-checked against the printed 支出决算表 (406.91 + 14.70 + 17.43 = 439.04)."""
    texts = _comments(_strict_charts(read_package(ANYANG))["charts/expenditure-by-function.svg"])
    assert [t for t in texts if t[0].isdigit()] == ["14.70", "406.91", "17.43"]


def test_reproducible_in_process(rendered: dict[str, dict[str, bytes]]) -> None:
    again = _strict_charts(read_package(ANYANG))
    assert again == rendered[ANYANG.name]
    assert again == _strict_charts(read_package(ANYANG))


def test_reproducible_across_processes_and_hash_seeds(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    script = (
        "import hashlib, json, sys; from pathlib import Path\n"
        "from fiscalpub.package.charts import charts, draw\n"
        "from fiscalpub.package.reader import read_package\n"
        "out = charts(read_package(Path(sys.argv[1])))\n"
        "print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in out.items()}))\n"
        "print(json.dumps(draw(read_package(Path(sys.argv[1]))).font))\n"
    )
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "17"
    done = subprocess.run(
        [sys.executable, "-c", script, str(ANYANG)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    here = {k: hashlib.sha256(v).hexdigest() for k, v in rendered[ANYANG.name].items()}
    hashes, font = done.stdout.splitlines()
    assert json.loads(hashes) == here
    assert json.loads(font) == BUNDLED_FONT_NAME


def test_no_plotting_library_is_loaded() -> None:
    """The charts are drawn directly (issue 18: matplotlib cost ~10x the CPU): drawing
    them loads neither matplotlib nor anything else heavy, only Pillow and fontTools."""
    script = (
        "import sys; from pathlib import Path\n"
        "from fiscalpub.package.charts import charts\n"
        "from fiscalpub.package.reader import read_package\n"
        "assert charts(read_package(Path(sys.argv[1])))\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ANYANG)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(done.stdout.split())
    assert {"PIL", "fontTools"} <= loaded  # the check can fail: it sees the libraries
    assert not {"matplotlib", "numpy"} & loaded


def test_falls_back_to_gpb_expenditure() -> None:
    package = read_package(ANYANG)
    package = dataclasses.replace(
        package, line_items=[r for r in package.line_items if r["table"] != "expenditure"]
    )
    out = _strict_charts(package)
    assert set(out) == BOTH
    texts = _comments(out["charts/expenditure-by-function.svg"])
    assert "数据：一般公共预算财政拨款支出决算表 · 合计　单位：万元" in texts
    assert "一般公共预算财政拨款支出决算（按功能分类 类）" in texts


def test_budget_kind_and_missing_basic_table() -> None:
    package = read_package(YUEYANG)
    package = dataclasses.replace(
        package,
        descriptor={**package.descriptor, "fiscalpub": {**package.meta, "kind": "budget"}},
        line_items=[r for r in package.line_items if r["table"] != "gpb_basic_expenditure"],
    )
    out = _strict_charts(package)
    assert set(out) == {"charts/expenditure-by-function.png", "charts/expenditure-by-function.svg"}
    texts = _comments(out["charts/expenditure-by-function.svg"])
    assert "支出预算（按功能分类 类）" in texts
    assert "数据：支出预算表 · 合计　单位：万元" in texts


def test_unplaced_and_lower_level_lines_are_ignored() -> None:
    package = read_package(ANYANG)
    noise = [
        {**r, "column": ""}  # an unplaced cell: not in any chart
        for r in package.line_items
        if r["table"] == "expenditure" and r["code"] == "210" and r["column"] == "total"
    ]
    assert noise
    out = _strict_charts(dataclasses.replace(package, line_items=package.line_items + noise))
    texts = _comments(out["charts/expenditure-by-function.svg"])
    assert [t for t in texts if t[0].isdigit()] == ["14.70", "406.91", "17.43"]


def test_no_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ChartFontMissing, match="apt-get install fonts-noto-cjk"):
        find_cjk_font(paths=[], families=[])
    with pytest.raises(ChartFontMissing, match="CJK font"):
        find_cjk_font(paths=["/nonexistent/font.ttc"], families=["No Such Font Family 123"])
    monkeypatch.setattr(charts_mod, "BUNDLED_FONT", tmp_path / "gone.otf")
    monkeypatch.setattr(charts_mod, "FONT_PATHS", ())
    monkeypatch.setattr(charts_mod, "FONT_FAMILIES", ())
    with pytest.raises(FiscalpubError, match=r"bundled font .* is missing.*reinstall fiscalpub"):
        charts(read_package(ANYANG))
    # a package with nothing to chart needs no font
    assert charts(read_package(YOUHAO)) == {}


def test_font_without_chinese_is_refused(tmp_path: Path) -> None:
    latin = _box_font(tmp_path / "latin.ttf", set("0123456789.,-abcdefXYZ"), "Latin Only")
    with pytest.raises(ChartFontMissing, match="no glyph for") as info:
        charts(read_package(ANYANG), font=latin)
    assert "卫" in str(info.value)
    with pytest.raises(ChartFontMissing, match="no such font file"):
        charts(read_package(ANYANG), font=Path("/nonexistent/x.ttf"))


# --- the bundled font, the fallback, and no font at all ---------------------------------

RARE = "䶮"  # U+4DAE (刘䶮): CJK Extension A, not in GBK, so not in the bundled subset


def _box_font(path: Path, chars: set[str], family: str) -> Path:
    """A tiny TrueType font with a square glyph for each of `chars`: a stand-in for a
    system CJK font (this machine and CI have none)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box(size: int) -> Any:
        pen = TTGlyphPen(None)
        if size:
            pen.moveTo((50, 0))
            pen.lineTo((50, size))
            pen.lineTo((size, size))
            pen.lineTo((size, 0))
            pen.closePath()
        return pen.glyph()

    codes = sorted({ord(c) for c in chars} | {ord(" "), 0x3000})
    names = [".notdef", *(f"uni{c:04X}" for c in codes)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({c: f"uni{c:04X}" for c in codes})
    fb.setupGlyf({n: box(0 if n in ("uni0020", "uni3000") else 800) for n in names})
    fb.setupHorizontalMetrics({n: (1000, 50) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    fb.save(str(path))
    return path


def _with_department(package: LoadedPackage, department: str) -> LoadedPackage:
    meta = {**package.meta, "department": department}
    return dataclasses.replace(package, descriptor={**package.descriptor, "fiscalpub": meta})


def _chart_texts(package: LoadedPackage) -> set[str]:
    data = charts_mod.chart_data(package)
    texts = [t for d in data for t in (d.title, d.footnote, *(b.label for b in d.bars))]
    return {ch for t in [*texts, "0123456789.,-"] for ch in t if not ch.isspace()}


def test_the_bundled_font_is_used_by_default(
    monkeypatch: pytest.MonkeyPatch, rendered: dict[str, dict[str, bytes]]
) -> None:
    """Always the bundled font, whatever the machine has: no system font is even looked
    for when it has every glyph (so the charts are the same bytes everywhere)."""

    def no_lookup(*_: object) -> list[Path]:
        pytest.fail("looked for a system font although the bundled one has every glyph")

    monkeypatch.setattr(charts_mod, "system_fonts", no_lookup)
    drawn = draw(read_package(ANYANG))
    assert drawn.font == BUNDLED_FONT_NAME
    assert drawn.files == rendered[ANYANG.name]
    assert draw(read_package(YOUHAO)).font is None  # nothing to chart, no font


def test_the_bundled_font_is_a_renamed_ofl_subset() -> None:
    from fontTools.ttLib import TTFont

    assert BUNDLED_FONT.is_file()
    font = TTFont(str(BUNDLED_FONT), lazy=True)
    names = {r.nameID: r.toUnicode() for r in font["name"].names}
    assert names[1] == "Fiscalpub Sans SC" and names[6] == "FiscalpubSansSC-Regular"
    # OFL: a Modified Version must not use the Reserved Font Name ('Source') nor claim to
    # be the original
    for name_id in (1, 3, 4, 6, 16, 17):
        assert "Source" not in names.get(name_id, "")
        assert "Noto" not in names.get(name_id, "")
    assert font["CFF "].cff.fontNames == ["FiscalpubSansSC-Regular"]
    assert "subset of Noto Sans CJK SC" in names[10]
    assert "Adobe" in names[0] and "SIL Open Font License" in names[13]
    assert names[14] == "http://scripts.sil.org/OFL"
    licence = (BUNDLED_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in licence
    assert "with Reserved Font Name 'Source'" in licence
    assert "OTHER DEALINGS IN THE FONT SOFTWARE." in licence  # the full text
    assert (BUNDLED_FONT.parent / "README.md").is_file()


def test_the_bundled_font_covers_gbk_and_every_shipped_label() -> None:
    """GB 2312 and GBK entirely, and every character of the registries and vocabulary
    labels: after adding a label with a new character, rebuild the font with
    tools/make_cjk_font.py."""
    charmap = _cmap(BUNDLED_FONT)

    def lacking(chars: set[str]) -> list[str]:
        return sorted(c for c in chars if not c.isspace() and not charmap.get(ord(c)))

    gbk = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                gbk.add(bytes([lead, trail]).decode("gbk"))
    assert len(gbk) > 21000
    assert lacking(gbk) == []
    data = ROOT / "src" / "fiscalpub" / "data"
    shipped = [
        *data.glob("*.yaml"),
        *data.glob("curated/*.yaml"),
        *data.glob("vocab/*.csv"),
        ROOT / "src" / "fiscalpub" / "package" / "charts.py",
    ]
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        assert lacking({c for c in text if c.isprintable()}) == [], path
    assert lacking(set("—…“”‘’·（）：、，。　")) == []
    assert charmap.get(ord(RARE)) is None  # the fallback test below relies on it


def test_a_character_the_subset_lacks_falls_back_to_a_system_font_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = _with_department(read_package(ANYANG), f"安阳市{RARE}州区医疗保障局")
    system = _box_font(tmp_path / "boxes.ttf", _chart_texts(package), "Box Fallback Sans")
    monkeypatch.setattr(charts_mod, "FONT_PATHS", (str(tmp_path / "absent.ttc"), str(system)))
    monkeypatch.setattr(charts_mod, "FONT_FAMILIES", ())
    drawn = draw(package)
    assert drawn.font == "Box Fallback Sans (system font boxes.ttf)"
    assert set(drawn.files) == BOTH
    assert f"安阳市{RARE}州区医疗保障局 2022年" in _comments(
        drawn.files["charts/expenditure-by-function.svg"]
    )
    # the first system font that has every glyph, not merely the first one found
    partial = _box_font(tmp_path / "partial.ttf", _chart_texts(package) - {RARE}, "Partial")
    monkeypatch.setattr(charts_mod, "FONT_PATHS", (str(partial), str(system)))
    assert draw(package).font == "Box Fallback Sans (system font boxes.ttf)"
    # none has it: a clear error naming the character and what to install
    monkeypatch.setattr(charts_mod, "FONT_PATHS", (str(partial),))
    with pytest.raises(ChartFontMissing, match=f"no glyph for '{RARE}'.*fonts-noto-cjk"):
        draw(package)


def test_a_system_font_is_found_by_family(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """FONT_FAMILIES are looked up among the fonts under FONT_DIRS (any depth), by the
    family name the font gives, whatever its case; a folder that is absent is skipped."""
    fonts = tmp_path / "fonts"
    (fonts / "truetype" / "box").mkdir(parents=True)
    box = _box_font(fonts / "truetype" / "box" / "box.ttf", set("安阳"), "Box Family Sans")
    (fonts / "broken.ttf").write_bytes(b"not a font")
    monkeypatch.setattr(charts_mod, "FONT_DIRS", (str(tmp_path / "absent"), str(fonts)))
    assert charts_mod.system_fonts(paths=[], families=["No Such", "box family sans"]) == [box]
    assert find_cjk_font(paths=[], families=["Box Family Sans"]) == box
    with pytest.raises(ChartFontMissing, match="no system CJK font"):
        find_cjk_font(paths=[], families=["Other Family"])


@pytest.fixture
def no_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine where the bundled font is gone (a broken install) and no system CJK
    font is found."""
    monkeypatch.setattr(charts_mod, "BUNDLED_FONT", tmp_path / "removed" / "font.otf")
    monkeypatch.setattr(charts_mod, "FONT_PATHS", ())
    monkeypatch.setattr(charts_mod, "FONT_FAMILIES", ())


def _findings(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["findings.csv"].decode("utf-8"))))


def test_the_package_records_the_bundled_font() -> None:
    from fiscalpub.package.build import build_package
    from fiscalpub.parse.load import read_report

    report = read_report([ANYANG / "canonical.json"])
    built = build_package(report, with_charts=True)
    descriptor = json.loads(built.files["datapackage.json"])
    assert descriptor["fiscalpub"]["charts_font"] == BUNDLED_FONT_NAME
    assert set(built.files) >= BOTH and built.notices == []
    # no charts asked for: no font recorded
    plain = json.loads(build_package(report).files["datapackage.json"])
    assert "charts_font" not in plain["fiscalpub"]


def test_the_package_records_a_fallback_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fiscalpub.package.build import build_package
    from fiscalpub.parse.load import read_report

    report = read_report([ANYANG / "canonical.json"])
    report = dataclasses.replace(
        report, report=dataclasses.replace(report.report, department=f"安阳市{RARE}州区医疗保障局")
    )
    package = _with_department(read_package(ANYANG), f"安阳市{RARE}州区医疗保障局")
    system = _box_font(tmp_path / "boxes.ttf", _chart_texts(package), "Box Fallback Sans")
    monkeypatch.setattr(charts_mod, "FONT_PATHS", (str(system),))
    monkeypatch.setattr(charts_mod, "FONT_FAMILIES", ())
    built = build_package(report, with_charts=True)
    descriptor = json.loads(built.files["datapackage.json"])
    assert descriptor["fiscalpub"]["charts_font"] == "Box Fallback Sans (system font boxes.ttf)"
    assert set(built.files) >= BOTH
    assert not [f for f in _findings(built.files) if f["code"] == "charts-skipped"]


@pytest.mark.usefixtures("no_font")
def test_without_any_font_the_package_is_built_without_charts(tmp_path: Path) -> None:
    from fiscalpub.package.build import build_package, write_package
    from fiscalpub.parse.load import read_report
    from fiscalpub.validate.defects import check_package

    report = read_report([ANYANG / "canonical.json"])
    built = build_package(report, with_charts=True)
    assert not [k for k in built.files if k.startswith("charts/")]
    descriptor = json.loads(built.files["datapackage.json"])
    assert "charts_font" not in descriptor["fiscalpub"]
    assert not [r for r in descriptor["resources"] if r["path"].startswith("charts/")]
    (skipped,) = [f for f in _findings(built.files) if f["code"] == "charts-skipped"]
    assert skipped["severity"] == "warning"
    assert re.fullmatch(r"[0-9a-f]{16}", skipped["id"])
    assert "the data are complete" in skipped["message"]
    assert "bundled font" in skipped["message"] and "reinstall fiscalpub" in skipped["message"]
    assert [(n.code, n.id) for n in built.notices] == [("charts-skipped", skipped["id"])]
    # the same id on every build (a baseline can accept it)
    assert _findings(build_package(report, with_charts=True).files) == _findings(built.files)
    # everything else is what a build without charts writes
    plain = build_package(report)
    for name, content in plain.files.items():
        if name not in ("findings.csv", "datapackage.json"):
            assert built.files[name] == content, name
    # and it is a valid package: the warning is a finding, not a defect
    assert check_package(write_package(built, tmp_path / "out")).defects == []


@pytest.mark.usefixtures("no_font")
def test_build_and_run_succeed_without_any_font(tmp_path: Path) -> None:
    from fiscalpub.cli import main
    from tests.conftest import EXAMPLES, cli_runner

    runner = cli_runner()
    built = runner.invoke(
        main, ["build", *map(str, sorted(EXAMPLES.glob("*.txt"))), "-o", str(tmp_path / "b")]
    )
    assert built.exit_code == 0, built.output
    assert built.stderr.count(": charts-skipped: ") == 2  # the two reports with chart data
    assert "Error" not in built.stderr
    validated = runner.invoke(main, ["validate", str(tmp_path / "b"), "--json"])
    assert validated.exit_code == 0, validated.output
    assert "charts-skipped" not in validated.stdout
    ran = runner.invoke(
        main, ["run", str(EXAMPLES), "-o", str(tmp_path / "r"), "-j", "1", "--json"]
    )
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.stdout)
    assert (summary["built"], summary["failed"], summary["packages_with_defects"]) == (3, 0, 0)
    for out in (tmp_path / "b", tmp_path / "r"):
        packages = sorted(p.parent for p in out.glob("*/datapackage.json"))
        assert len(packages) == 3
        skipped = [p.name for p in packages if "charts-skipped" in (p / "findings.csv").read_text()]
        assert sorted(skipped) == sorted(n for n, files in EXPECTED_FILES.items() if files)
        assert not list(out.glob("*/charts/*"))
