"""Per-report charts (fiscalpub.charts): files per shipped package, Chinese glyphs really
drawn (a missing glyph is an error here), exact 万元 labels, byte-reproducible output
(also in another process with another PYTHONHASHSEED), and a clear error without a
CJK font."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
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

from fiscalpub import charts as charts_mod
from fiscalpub.charts import ChartFontMissing, charts, find_cjk_font
from fiscalpub.errors import FiscalpubError
from fiscalpub.rdf.cube import Package, read_package
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


def _strict_charts(package: Package, font: Path | None = None) -> dict[str, bytes]:
    """charts() with every warning an error: matplotlib's 'Glyph … missing from font(s)'
    (tofu) fails the test instead of passing silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return charts(package, font=font)


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, bytes]]:
    return {p.name: _strict_charts(read_package(p)) for p in _shipped()}


def _comments(svg: bytes) -> list[str]:
    """The texts of the SVG: with svg.fonttype 'path' matplotlib writes each text as an
    XML comment before its glyph outlines."""
    return [c.strip() for c in re.findall(r"<!--(.*?)-->", svg.decode("utf-8"), re.S)]


def _expected_totals(package_dir: Path, table: str, column: str, cl: str) -> dict[str, Decimal]:
    """类 totals straight from line_items.csv, independently of fiscalpub.charts."""
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
            assert b"Software" not in data  # no matplotlib version in the PNG
        else:
            root = ET.fromstring(data)
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert b"<dc:date>" not in data


def test_chinese_glyphs_are_drawn(rendered: dict[str, dict[str, bytes]]) -> None:
    from matplotlib.ft2font import FT2Font

    svg = rendered[ANYANG.name]["charts/expenditure-by-function.svg"]
    texts = _comments(svg)
    for label in ("社会保障和就业支出", "卫生健康支出", "住房保障支出"):
        assert label in texts
    assert "安阳市北关区医疗保障局 2022年" in texts
    assert "支出决算（按功能分类 类）" in texts
    assert "数据：支出决算表 · 合计　单位：万元" in texts
    # the text is outlines, not <text> a viewer would need the font for ...
    assert b"<text" not in svg
    # ... every character has a real glyph in the font (index 0 is .notdef: tofu) and
    # there is an outline per distinct character
    font = FT2Font(str(find_cjk_font()))
    charmap = font.get_charmap()
    chars = {ch for t in texts for ch in t if not ch.isspace()}
    assert all(charmap.get(ord(ch), 0) != 0 for ch in chars), sorted(
        ch for ch in chars if not charmap.get(ord(ch))
    )
    glyph_defs = re.findall(rb'<path id="[^"]+" d="', svg)
    assert len(glyph_defs) >= len(chars)


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
        "from fiscalpub.charts import charts\n"
        "from fiscalpub.rdf.cube import read_package\n"
        "out = charts(read_package(Path(sys.argv[1])))\n"
        "print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in out.items()}))\n"
    )
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "17"
    done = subprocess.run(
        [sys.executable, "-c", script, str(ANYANG)],
        env={**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "svg"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    here = {k: hashlib.sha256(v).hexdigest() for k, v in rendered[ANYANG.name].items()}
    assert json.loads(done.stdout) == here


def test_callers_rcparams_neither_leak_in_nor_are_changed(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    import matplotlib

    caller: dict[Any, Any] = {
        "axes.facecolor": "red",
        "font.size": 30,
        "svg.hashsalt": None,
        "svg.fonttype": "none",
    }
    with matplotlib.rc_context(caller):
        out = _strict_charts(read_package(ANYANG))
        assert {k: matplotlib.rcParams[k] for k in caller} == caller
    assert out == rendered[ANYANG.name]


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


def test_no_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ChartFontMissing, match="apt-get install fonts-wqy-microhei"):
        find_cjk_font(paths=[], families=[])
    with pytest.raises(ChartFontMissing, match="CJK font"):
        find_cjk_font(paths=["/nonexistent/font.ttc"], families=["No Such Font Family 123"])
    monkeypatch.setattr(charts_mod, "FONT_PATHS", ())
    monkeypatch.setattr(charts_mod, "FONT_FAMILIES", ())
    with pytest.raises(FiscalpubError, match="fonts-wqy-microhei"):
        charts(read_package(ANYANG))
    # a package with nothing to chart needs no font
    assert charts(read_package(YOUHAO)) == {}


def test_font_without_chinese_is_refused() -> None:
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    with pytest.raises(ChartFontMissing, match="no glyph for") as info:
        charts(read_package(ANYANG), font=dejavu)
    assert "卫" in str(info.value)
    with pytest.raises(ChartFontMissing, match="no such font file"):
        charts(read_package(ANYANG), font=Path("/nonexistent/x.ttf"))
