"""The catalog `fiscalpub run` writes: index.html, catalog.json and reports/<package>.html —
the report's own totals, honest table counts, 部门/单位 kinds, charts, per-report pages,
filters, links that resolve inside the folder, permissions, incremental runs; checked
on hand-made reports, on the shipped examples and in a real headless Chromium."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import fields
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from fiscalpub.catalog import (
    Entry,
    catalog_json,
    index_html,
    kind_label,
    self_check_cell,
    table_counts,
    total_cell,
)
from fiscalpub.model import LineItem, Region, Report, ReportMeta, TableInfo
from fiscalpub.pipeline import SUMMARY_VERSION, Result, _totals, report_summary
from tests.conftest import EXAMPLES, cli_runner, corpus_path

SUMMARY = "income_expenditure_summary"


def _item(
    row: str,
    printed: str,
    column: str | None = "amount",
    table: str = SUMMARY,
    unit: str = "万元",
) -> LineItem:
    scale = Decimal(10000) if unit == "万元" else Decimal(1)
    return LineItem(
        table=table,
        column=column,
        measure="actual" if column else None,
        classification=None,
        code=None,
        row=row,
        item="总计",
        placed_by="complete" if column else "unplaced",
        candidates=[] if column else ["amount"],
        amount=Decimal(printed) * scale,
        printed=printed,
        unit=unit,
        source=0,
        page=3,
        line=40,
    )


def _report(items: list[LineItem], scope: str | None = None) -> Report:
    meta = ReportMeta(department="某某市某某局", year=2025, kind="budget", region=Region("某某市"))
    meta.scope = scope  # contract 1.1 (an attribute of the model)
    tables = [
        TableInfo(SUMMARY, "present", "万元", 2, 0, 3, 30, "部门收支预算总表"),
        TableInfo("income", "present", "万元", 2, 0, 4, 60, "部门收入预算表"),
        TableInfo("gov_fund", "declared_empty", "万元", None, 0, 9, 200, "政府性基金预算支出表"),
        TableInfo("state_capital", "referenced_absent"),
        TableInfo("procurement", "not_found"),
    ]
    return Report(report=meta, tables=tables, line_items=items)


# --- the report's own numbers ---------------------------------------------------------


def test_totals_are_the_printed_ones_of_the_summary_table() -> None:
    report = _report(
        [
            _item("grand_total_income", "439.04"),
            # the same row of another table is not the report's total
            _item("grand_total_expenditure", "12.00", table="fiscal_summary"),
            _item("grand_total_expenditure", "439.04"),
            # an unplaced number of the row does not compete with a placed one
            _item("grand_total_expenditure", "215.58", column=None),
        ]
    )
    assert _totals(report) == {
        "grand_total_income": {"printed": "439.04", "unit": "万元", "amount": "4390400.00"},
        "grand_total_expenditure": {
            "printed": "439.04",
            "unit": "万元",
            "amount": "4390400.00",
        },
    }
    text, sort, tip = total_cell(_totals(report)["grand_total_income"], "收入总计")
    assert (text, sort) == ("439.04 万元", "4390400.00") and "报告所印" in tip


def test_a_total_printed_ambiguously_is_not_guessed() -> None:
    """The 单位 template prints 合计, 人员经费, 公用经费 and 项目支出 on the 支出总计 line;
    none placed: no number is shown, the tooltip lists what is printed."""
    unit = [
        _item("grand_total_expenditure", p, column=None, unit="元")
        for p in ("91016775.35", "22473997.81", "2132777.54", "66410000.00")
    ]
    totals = _totals(_report([_item("grand_total_income", "91016775.35", unit="元"), *unit]))
    assert totals["grand_total_expenditure"] == {
        "candidates": ["91016775.35 元", "22473997.81 元", "2132777.54 元", "66410000.00 元"]
    }
    text, sort, tip = total_cell(totals["grand_total_expenditure"], "支出总计")
    assert (text, sort) == ("—", "")
    assert "4 个不同的数" in tip and "66410000.00 元" in tip
    # one unplaced number only (the row prints nothing else): that is the total
    single = _totals(_report([_item("grand_total_expenditure", "5.00", column=None)]))
    assert single == {
        "grand_total_expenditure": {"printed": "5.00", "unit": "万元", "amount": "50000.00"}
    }
    # a row the report does not print
    assert total_cell(None, "收入总计")[0] == "—"


def test_kind_labels_distinguish_department_and_unit_and_never_guess() -> None:
    assert kind_label("budget", "department") == "部门预算"
    assert kind_label("budget", "unit") == "单位预算"
    assert kind_label("final", "department") == "部门决算"
    assert kind_label("final", "unit") == "单位决算"
    assert kind_label("final", None) == "决算"  # the title does not say
    assert kind_label(None, None) == "报告"


def test_table_counts_present_printed_registered() -> None:
    tables = {t.table: t.status for t in _report([]).tables}
    # 有数: present; 已印: + declared_empty; 登记: every registry table listed
    assert table_counts(tables) == (2, 3, 5)


def test_summary_carries_scope_totals_and_table_places() -> None:
    report = _report([_item("grand_total_income", "1.00")], scope="unit")
    s = report_summary(report, {"name": "x-2025-budget-unit-abcdef", "title": "t"})
    assert s["summary_version"] == SUMMARY_VERSION and s["scope"] == "unit"
    assert s["tables"]["gov_fund"] == "declared_empty"
    assert s["table_at"][SUMMARY] == [0, 3, "部门收支预算总表"]
    assert "state_capital" not in s["table_at"]  # no page: not printed
    assert s["iri"].endswith("/x-2025-budget-unit-abcdef")
    json.dumps(s)  # goes into the manifest as is


def _entry(package: str | None, scope: str | None, **summary: Any) -> Entry:
    report = _report(
        [
            _item("grand_total_income", "91016775.35", unit="元"),
            *[
                _item(
                    "grand_total_expenditure",
                    p,
                    column=None if scope == "unit" else "amount",
                    unit="元",
                )
                for p in (("91016775.35", "66410000.00") if scope == "unit" else ("91016775.35",))
            ],
        ],
        scope,
    )
    s = report_summary(report, {"name": package or "x", "title": "t"}) | summary
    result = Result(f"{package}.pdf", "key", package=package, numbers=10, summary=s)
    if package is None:
        result.status, result.error = "failed", "not a report"
    return Entry(result, s if package else {})


def _cells(row: str) -> list[tuple[str, str]]:
    """(attributes, text) of a row's cells, unescaped."""
    return [
        (html.unescape(attrs), html.unescape(re.sub(r"<[^>]+>", "", inner)))
        for attrs, inner in re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)
    ]


def test_index_rows_for_a_department_and_a_unit_budget() -> None:
    entries = [
        _entry("dept-2025-budget-abcdef", "department"),
        _entry("dept-2025-budget-unit-abcdef", "unit"),
        _entry("other-2025-budget-abcdef", None),
        _entry(None, None),
    ]
    page = index_html(entries)
    rows = re.findall(r"<tr[ >].*?</tr>", page.split("<tbody>")[1], re.S)
    assert len(rows) == 4  # one per report, the failed one included
    kinds = [re.search(r'data-kind="([^"]*)"', r) for r in rows]
    assert [k.group(1) if k else None for k in kinds] == ["部门预算", "单位预算", "预算", None]
    assert "<tr class=failed>" in rows[3] and "not a report" in rows[3]
    # the department's total is shown; the unit's ambiguous one is not
    department, unit = _cells(rows[0]), _cells(rows[1])
    assert [text for _, text in department[3:5]] == ["91016775.35 元", "91016775.35 元"]
    assert [text for _, text in unit[3:5]] == ["91016775.35 元", "—"]
    assert "66410000.00 元" in unit[4][0] and "不作猜测" in unit[4][0]
    assert [text for _, text in department[5:7]] == ["2 / 3 / 5", "10"]  # 有数/已印/登记
    # the year and kind filters offer what the catalog holds
    assert '<option value="2025">2025</option>' in page
    for label in ("部门预算", "单位预算", "预算"):
        assert f'<option value="{label}">{label}</option>' in page
    catalog = json.loads(catalog_json(entries))
    titles = [d["dct:title"]["@value"] for d in catalog["dcat:dataset"]]
    assert titles == [
        "某某市某某局2025年度部门预算",
        "某某市某某局2025年度单位预算",
        "某某市某某局2025年度预算",
    ]
    assert [d.get("fp:scope") for d in catalog["dcat:dataset"]] == ["department", "unit", None]


def test_self_check_cell_shows_the_confirmed_share_and_says_what_it_counts() -> None:
    checks = {
        "amounts": 188,
        "confirmed": 157,
        "contradicted": 0,
        "unchecked": 31,
        "unconfirmed": 31,
        "confirmed_share": "0.8351",
        "facts": 30,
        "facts_agreeing": 29,
        "facts_contradicting": 1,
    }
    ((attrs, text),) = _cells(self_check_cell(checks))
    assert text == "83.5%" and 'data-sort="0.8351"' in attrs
    assert "已核实 157 / 188 个数字（83.51%），矛盾 0，未核实 31" in attrs
    assert "一致 29，矛盾 1" in attrs
    ((_, text),) = _cells(self_check_cell({**checks, "contradicted": 4, "confirmed": 153}))
    assert text == "83.5% ✗4"
    ((attrs, text),) = _cells(self_check_cell(None))  # a package of an older fiscalpub
    assert text == "—" and "没有自检结果" in attrs
    ((_, text),) = _cells(self_check_cell({**checks, "amounts": 0, "confirmed_share": None}))
    assert text == "—"


# --- a real run ------------------------------------------------------------------------


def _run(*args: str | Path) -> int:
    from fiscalpub.cli import main

    return int(cli_runner().invoke(main, ["run", *[str(a) for a in args], "--quiet"]).exit_code)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    (folder / "notes.txt").write_text("这不是一份部门预算或决算报告。\n", encoding="utf-8")
    return folder


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def links_of(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def assert_links_resolve(out: Path, page: Path) -> int:
    """Every href/src of `page` is a relative link to a file inside `out`; their number."""
    n = 0
    for link in links_of(page):
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, f"{page.name}: external {link}"
        if not parts.path:  # "#findings" within the page
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        assert target.is_relative_to(out.resolve()), f"{page.name}: {link} leaves the folder"
        assert target.is_file(), f"{page.name}: {link} does not resolve"
        n += 1
    return n


def test_run_writes_an_offline_catalog_whose_links_resolve(examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "reports" / "gone-2020-final-000000.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<p>a package of an earlier run</p>", encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert _run(examples, "-o", out) == 1  # notes.txt is not a report
    finally:
        os.umask(old)
    index = out / "index.html"
    pages = sorted((out / "reports").glob("*.html"))
    assert [p.stem for p in pages] == sorted(p.name for p in out.iterdir() if _is_package(p))
    assert not stale.exists()  # only pages of this catalog's reports
    assert assert_links_resolve(out, index) > 3 * 6
    for page in pages:
        assert assert_links_resolve(out, page) > 5
    text = index.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text  # no external resource
    assert text.count("<tr class=failed>") == 1 and "notes.txt" in text
    # the counts of a report whose status is known (6 tables with numbers, 3 printed empty)
    anyang = next(r for r in re.findall(r"<tr .*?</tr>", text, re.S) if "安阳市北关区" in r)
    assert ">6 / 9 / 13</td>" in anyang
    # its self-check: the share of confirmed amounts, the counts in the tooltip
    assert re.search(r'data-sort="0\.\d{4}" title="已核实 \d+ / \d+ 个数字', anyang)
    assert ">439.04 万元</td>" in anyang
    # its charts: PNG thumbnails linking to the SVG, with alt text
    assert re.search(r'<a href="[^"]+/charts/[^"]+\.svg"><img src="[^"]+\.png" alt="支出', anyang)
    # readable by others: what the catalog writes respects the umask
    for path in (index, out / "catalog.json", *pages):
        assert path.stat().st_mode & 0o777 == 0o644, path
    assert (out / "reports").stat().st_mode & 0o777 == 0o755
    # and so do the packages and the RDF the catalog links to (mkdtemp made them 0700)
    for package in (p for p in out.iterdir() if _is_package(p)):
        for path in (package, *package.rglob("*")):
            want = 0o755 if path.is_dir() else 0o644
            assert path.stat().st_mode & 0o777 == want, path
    for path in (out / "rdf").iterdir():
        assert path.stat().st_mode & 0o777 == 0o644, path


def _is_package(path: Path) -> bool:
    return (path / "datapackage.json").is_file()


def test_report_page_lists_tables_findings_by_rule_and_downloads(
    examples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _run(examples, "-o", out)
    (page,) = (out / "reports").glob("anyang*.html")
    text = page.read_text(encoding="utf-8")
    package = out / page.stem
    # tables with their registry/printed Chinese titles and status
    assert "<td>收入支出决算总表</td><td><code>income_expenditure_summary</code></td>" in text
    assert "<td>已印，注明为空</td>" in text and "<td>未找到</td>" in text
    canonical = json.loads((package / "canonical.json").read_text(encoding="utf-8"))
    checks = canonical["report"]["checks"]
    assert f"<tr><th>自检</th><td>已核实 {checks['confirmed']} / {checks['amounts']} 个数字" in text
    # findings grouped by rule: one heading per code of findings.csv, with its count
    import csv

    with (package / "findings.csv").open(encoding="utf-8") as f:
        codes: dict[str, int] = {}
        for row in csv.DictReader(f):
            codes[row["code"]] = codes.get(row["code"], 0) + 1
    headings = dict(re.findall(r'<h3 id="rule-([\w-]+)">.*? · (\d+)</h3>', text))
    assert {k: int(v) for k, v in headings.items()} == codes
    # locations: page and line (the source file linked), table title
    assert re.search(r'<a href="[^"]+/sources/[^"]+">第 1 页</a> 第 476 行 · 一般公共预算', text)
    for download in ("datapackage.json", "line_items.csv", "findings.csv", "canonical.json"):
        assert f'href="../{page.stem}/{download}"' in text
    assert f'href="../rdf/{page.stem}.ttl"' in text
    assert text.count("<figure>") == 2


def test_catalog_is_reproducible_and_survives_an_older_manifest(
    examples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _run(examples, "-o", out)
    first = _snapshot(out)
    # an older fiscalpub's summary (no version, a total as a bare string) of a skipped
    # report: the catalog reads the package again rather than showing stale values
    manifest = out / ".fiscalpub-run.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["reports"].values():
        entry["summary"] = {
            "department": entry["summary"]["department"],
            "totals": {"grand_total_expenditure": "1.00 万元"},
        }
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _run(examples, "-o", out)
    assert _snapshot(out) == first


def test_a_rerun_draws_only_the_pages_whose_report_changed(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page is drawn again only when what it shows changed (or its file is gone): on a
    re-run of many unchanged reports, drawing every page was most of the time."""
    import fiscalpub.catalog as catalog

    out = tmp_path / "out"
    _run(examples, "-o", out)
    first = _snapshot(out)
    drawn: list[str] = []
    draw = catalog.report_html

    def counting(e: Entry) -> str:
        drawn.append(str(e.package))
        return draw(e)

    monkeypatch.setattr(catalog, "report_html", counting)
    _run(examples, "-o", out)
    assert drawn == [] and _snapshot(out) == first  # nothing changed: nothing drawn
    pages = sorted((out / "reports").glob("*.html"))
    assert len(pages) == 3
    pages[0].unlink()  # a page gone: drawn again, the same
    _run(examples, "-o", out)
    assert drawn == [pages[0].stem] and _snapshot(out) == first
    # the digests are the same in another process (with another string hashing): a
    # re-run there draws nothing either, and leaves the digests as they were
    keys = (out / catalog.PAGES).read_bytes()
    rerun = "from fiscalpub.cli import main; main()"
    args = [sys.executable, "-c", rerun, "run", str(examples), "-o", str(out), "--quiet"]
    for seed in ("1", "2"):
        subprocess.run(args, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True)
        assert (out / catalog.PAGES).read_bytes() == keys, seed
    # a report whose page would show something else: drawn again, and only it
    from fiscalpub.pipeline import read_manifest

    drawn.clear()
    results = [Result(**r) for r in read_manifest(out).values()]
    changed = next(r for r in results if r.package == pages[1].stem)
    changed.numbers += 1
    catalog.write_catalog(out, results)
    assert drawn == [pages[1].stem]
    assert _snapshot(out)[f"reports/{pages[1].name}"] != first[f"reports/{pages[1].name}"]


def test_a_page_digest_covers_every_field_of_an_entry() -> None:
    """page_key lists what a page is drawn from: a field added to Entry must be added
    there too, or pages showing it would not be drawn again when it changes."""
    shown = {"result", "summary", "files", "charts", "sources", "rdf", "findings"}
    assert {f.name for f in fields(Entry)} == shown


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in [out / "index.html", out / "catalog.json", *(out / "reports").glob("*")]
    }


# --- in a real browser -------------------------------------------------------------------


@pytest.fixture
def chrome() -> Any:
    from tests.test_run import headless_chromium

    driver = headless_chromium("--window-size=1280,1000", logs=True)
    try:
        yield driver
    finally:
        driver.quit()


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _visible_rows(driver: Any) -> int:
    rows = driver.find_elements("css selector", "#reports tbody tr")
    return sum(1 for r in rows if r.is_displayed())


def _choose(driver: Any, select: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select)).select_by_value(value)


def test_the_catalog_in_headless_chromium(chrome: Any, examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(examples, "-o", out)
    chrome.get((out / "index.html").as_uri())
    assert _errors(chrome) == []
    assert len(chrome.find_elements("css selector", "#reports tbody tr")) == 4
    # every image loaded (the charts' thumbnails); every link resolves in the folder
    images = chrome.find_elements("css selector", "img")
    assert len(images) == 4
    assert all(chrome.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images)
    _assert_dom_links(chrome, out)
    # a screenshot that shows something: 1280 wide, far from blank
    from PIL import Image

    shot = Image.open(io.BytesIO(chrome.get_screenshot_as_png())).convert("L")
    assert shot.size[0] == 1280 and shot.size[1] > 500
    dark = sum(shot.histogram()[:200])  # pixels darker than near-white
    assert dark > 0.02 * shot.size[0] * shot.size[1]
    # filters narrow the rows: department text, year, kind
    dept = chrome.find_element("id", "f-dept")
    dept.send_keys("安阳")
    assert _visible_rows(chrome) == 1
    assert chrome.find_element("id", "shown").text == "1 / 4"
    dept.clear()
    dept.send_keys("医疗保障局")
    assert _visible_rows(chrome) == 3  # not the failed notes.txt
    _choose(chrome, "f-year", "2021")
    assert _visible_rows(chrome) == 2
    _choose(chrome, "f-kind", "决算")
    assert _visible_rows(chrome) == 2
    dept.clear()  # (no input event: the filters below apply it)
    _choose(chrome, "f-year", "")
    _choose(chrome, "f-kind", "")
    assert _visible_rows(chrome) == 4
    # sorting: numbers numerically (数字: 0 < 188 < 369), blanks last
    headers = chrome.find_elements("css selector", "#reports th")
    numbers = [h.text for h in headers].index("数字")
    headers[numbers].click()
    cells = [
        r.find_elements("css selector", "td")
        for r in chrome.find_elements("css selector", "#reports tbody tr")
    ]
    assert [c[numbers].text for c in cells if len(c) > numbers] == ["0", "188", "369"]
    headers[numbers].click()
    cells = [
        r.find_elements("css selector", "td")
        for r in chrome.find_elements("css selector", "#reports tbody tr")
    ]
    assert [c[numbers].text for c in cells if len(c) > numbers] == ["369", "188", "0"]
    # every per-report page loads without a console error, its links resolve
    for page in sorted((out / "reports").glob("*.html")):
        chrome.get(page.as_uri())
        assert _errors(chrome) == [], page.name
        _assert_dom_links(chrome, out)
    assert _errors(chrome) == []


def _assert_dom_links(driver: Any, out: Path) -> None:
    urls = driver.execute_script(
        "return Array.from(document.querySelectorAll('[href],[src]')).map(e => e.href || e.src)"
    )
    root = out.resolve()
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "file", url
        target = Path(unquote(parts.path)).resolve()
        assert target.is_relative_to(root) and target.is_file(), url


@pytest.mark.corpus
def test_department_and_unit_budget_of_one_department_in_chromium(
    chrome: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("shanghai-putuo-qfb-2025-budget.pdf", "shanghai-putuo-qfb-2025-unit-budget.pdf"):
        shutil.copy(corpus_path("pdf", name), folder / name)
    out = tmp_path / "out"
    assert _run(folder, "-o", out) == 0
    chrome.get((out / "index.html").as_uri())
    assert _errors(chrome) == []
    rows = chrome.find_elements("css selector", "#reports tbody tr")
    assert sorted(r.get_attribute("data-kind") for r in rows) == ["单位预算", "部门预算"]
    by_kind = {r.get_attribute("data-kind"): r.find_elements("css selector", "td") for r in rows}
    # the department budget's totals as printed; the unit budget's 支出总计 line prints
    # 合计, 人员经费, 公用经费 and 项目支出, none placed: not guessed
    assert [c.text for c in by_kind["部门预算"][3:5]] == ["91016775.35 元", "91016775.35 元"]
    assert [c.text for c in by_kind["单位预算"][3:5]] == ["91016775.35 元", "—"]
    assert "22473997.81 元" in by_kind["单位预算"][4].get_attribute("title")
    _choose(chrome, "f-kind", "单位预算")
    assert _visible_rows(chrome) == 1
    _choose(chrome, "f-kind", "")
    chrome.find_element("id", "f-dept").send_keys("普陀区人民政府办公室")
    assert _visible_rows(chrome) == 2
    _assert_dom_links(chrome, out)
    for page in sorted((out / "reports").glob("*.html")):
        chrome.get(page.as_uri())
        assert _errors(chrome) == []
        _assert_dom_links(chrome, out)
        pdf = chrome.find_elements("css selector", "a[href$='.pdf']")
        assert pdf  # the source report is offered
