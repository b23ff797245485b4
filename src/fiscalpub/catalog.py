"""The catalog of a `fiscalpub run`: ``catalog.json`` (DCAT, JSON-LD), ``index.html`` (one
row per report, failed ones included: kind, the report's own totals, table status,
findings, charts; filters and sorting) and one page per report under ``reports/``
(its tables, findings by rule with their locations, charts, downloads).

One offline folder any static web server can serve: inline CSS and script, relative
links only, and only to files that exist.  Everything is byte-reproducible (sorted, no
timestamps).  A skipped report's `Result` comes from the run manifest; what is not in
its summary is read from the package on disk (datapackage.json, findings.csv).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fiscalpub import __version__
from fiscalpub.atomic import write_atomic
from fiscalpub.canonical import read_canonical
from fiscalpub.errors import BadCanonical
from fiscalpub.model import Severity, TableStatus, kind_label
from fiscalpub.pipeline import SUMMARY_VERSION, Result, environment_key, report_summary
from fiscalpub.registry import tables

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "fp": "https://w3id.org/fiscalpub/def#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
REPORTS = "reports"  # per-report pages: OUT/reports/<package>.html
STATUS_ZH: dict[str, str] = {
    TableStatus.PRESENT: "已印，有数",
    TableStatus.DECLARED_EMPTY: "已印，注明为空",
    TableStatus.REFERENCED_ABSENT: "未印（称见附件，或只见标题）",
    TableStatus.NOT_FOUND: "未找到",
}
SEVERITY_ZH: dict[str, str] = {
    Severity.ERROR: "错误",
    Severity.WARNING: "警告",
    Severity.INFO: "提示",
}
# errors first, then warnings, then the rest
SEVERITY_ORDER: dict[str, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
TOTALS = (("grand_total_income", "收入总计"), ("grand_total_expenditure", "支出总计"))
TABLES_HEADER = "表（有数/已印/登记）"
TABLES_HELP = (
    "有数：印出且有数字的表；已印：有数的表加印出但注明为空（如“本表为空”）的表；"
    "登记：fiscalpub 表登记（tables.yaml）中的全部表，含只见于部分模板（如预算）的表。"
    "“见附件”或未找到的表不算已印。"
)
SELF_CHECK_HELP = (
    "报告自身的算术核实了多少数字（不依赖人工标注）：已核实 = 至少一个成立且有意义的关系"
    "（两项以上非零之和、上级 = 下级之和、表间或与情况说明一致的非零数）包含该数；"
    "矛盾 = 未核实且所在关系不成立；未核实 = 无此类关系。百分比 = 已核实 / 全部数字。"
    "未核实不等于错误（如只有一项的合计、全为 0 的栏目）。"
)
# (package-relative path, label) of the package files every report page offers
DATA_FILES = (
    ("datapackage.json", "datapackage.json（数据包描述）"),
    ("line_items.csv", "line_items.csv（每个印刷数字）"),
    ("facts.csv", "facts.csv（情况说明中的数字）"),
    ("codes.csv", "codes.csv（科目表）"),
    ("findings.csv", "findings.csv（发现）"),
    ("canonical.json", "canonical.json（规范报告）"),
)


@dataclass
class Chart:
    png: str  # package-relative paths
    svg: str
    title: str


@dataclass
class Entry:
    """One report of the catalog: its run result, its (current) summary, and what its
    package folder holds (package-relative paths of files that exist)."""

    result: Result
    summary: dict[str, Any]
    files: set[str] = field(default_factory=set)
    charts: list[Chart] = field(default_factory=list)
    sources: list[tuple[str, str | None]] = field(default_factory=list)  # (name, path)
    rdf: bool = False  # rdf/<package>.ttl exists
    findings: list[dict[str, Any]] = field(default_factory=list)  # findings.csv rows

    @property
    def package(self) -> str | None:
        return self.result.package

    @property
    def page(self) -> str:
        return f"{REPORTS}/{self.package}.html"


# --- labels -----------------------------------------------------------------------


def display_title(s: dict[str, Any]) -> str:
    """The report's name as the catalog shows it: department, year, kind with scope."""
    year = s.get("year")
    return (
        f"{s.get('department') or '（部门不详）'}"
        f"{f'{year}年度' if year else ''}{kind_label(s.get('kind'), s.get('scope'))}"
    )


def table_counts(tables: dict[str, str]) -> tuple[int, int, int]:
    """(有数, 已印, 登记): present; present + declared_empty; every registry table."""
    present = sum(1 for v in tables.values() if v == TableStatus.PRESENT)
    printed = present + sum(1 for v in tables.values() if v == TableStatus.DECLARED_EMPTY)
    return present, printed, len(tables)


def table_title(table: str, kind: Any) -> str:
    """The registry's Chinese title of a table, in the report's kind (决算/预算) when it
    has one."""
    spec = tables().get(table)
    if spec is None or not spec.titles:
        return table
    word = "决算" if kind == "final" else "预算"
    return next((t for t in spec.titles if word in t), spec.titles[0])


def total_cell(total: dict[str, Any] | None, label: str) -> tuple[str, str, str]:
    """(text, numeric sort key in 元, tooltip) of a printed total."""
    if not total:
        return "—", "", f"报告的收支总表未印{label}，或未找到收支总表"
    if "candidates" in total:
        listed = "、".join(total["candidates"])
        return (
            "—",
            "",
            f"{label}一行印有 {len(total['candidates'])} 个不同的数（{listed}），"
            "未能确定哪一个是总计，故不显示（不作猜测）",
        )
    text = f"{total.get('printed')} {total.get('unit') or ''}".strip()
    return text, str(total.get("amount") or ""), f"{label}：报告所印（{text}）"


def self_check_text(checks: Any) -> tuple[str, str]:
    """(short text, full sentence) of a report's self-check; ("—", why) without one."""
    if not isinstance(checks, dict) or "amounts" not in checks:
        return "—", "此数据包没有自检结果（由较早的 fiscalpub 生成）"
    share = checks.get("confirmed_share")
    short = f"{Decimal(share) * 100:.1f}%" if share is not None else "—"
    full = (
        f"已核实 {checks['confirmed']} / {checks['amounts']} 个数字"
        + (f"（{Decimal(share) * 100:.2f}%）" if share is not None else "")
        + f"，矛盾 {checks['contradicted']}，未核实 {checks['unchecked']}；"
        f"情况说明中与报表比对的 {checks['facts']} 个金额：一致 {checks['facts_agreeing']}，"
        f"矛盾 {checks['facts_contradicting']}"
    )
    return short, full


def self_check_cell(checks: Any) -> str:
    """The index's 自检 cell: the confirmed share, sortable, the counts as its tooltip;
    marked when something is contradicted."""
    short, full = self_check_text(checks)
    share = checks.get("confirmed_share") if isinstance(checks, dict) else None
    contradicted = isinstance(checks, dict) and checks.get("contradicted")
    badge = f' <span class=bad title="矛盾 {_h(contradicted)}">✗{_h(contradicted)}</span>'
    return (
        f'<td class=n data-sort="{_h(share or "")}" title="{_h(full)}">{_h(short)}'
        f"{badge if contradicted else ''}</td>"
    )


# --- what the packages hold ---------------------------------------------------------


def current_summary(out: Path, r: Result) -> dict[str, Any]:
    """The report's summary; one saved by an older fiscalpub (other content) is
    recomputed from the package's canonical.json rather than shown stale."""
    s = r.summary
    if not r.package or s.get("summary_version") == SUMMARY_VERSION:
        return s
    folder = out / r.package
    try:
        report = read_canonical(folder / "canonical.json")
        descriptor = _json(folder / "datapackage.json")
        return report_summary(report, descriptor)
    except (OSError, ValueError, BadCanonical):
        return s


def load_entries(out: Path, results: Iterable[Result]) -> list[Entry]:
    entries = []
    for r in results:
        entry = Entry(r, current_summary(out, r))
        if r.package:
            _read_package(out, entry)
        entries.append(entry)
    return entries


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_package(out: Path, entry: Entry) -> None:
    folder = out / str(entry.package)
    try:
        descriptor = _json(folder / "datapackage.json")
    except (OSError, ValueError):
        descriptor = {}
    if not isinstance(descriptor, dict):
        descriptor = {}
    titles: dict[str, str] = {}
    candidates = {"datapackage.json", *(p for p, _ in DATA_FILES)}
    for res in descriptor.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("path"), str):
            candidates.add(res["path"])
            titles[res["path"]] = str(res.get("title") or "")
    for src in descriptor.get("sources") or []:
        if isinstance(src, dict) and isinstance(src.get("path"), str):
            candidates.add(src["path"])
    entry.files = {p for p in candidates if _inside(p) and (folder / p).is_file()}
    for png in sorted(p for p in entry.files if p.startswith("charts/") and p.endswith(".png")):
        svg = png[: -len(".png")] + ".svg"
        if svg in entry.files:
            # "支出按功能分类（类）/ expenditure by function": the Chinese part
            title = (titles.get(png) or Path(png).stem).split("/ ")[0].strip()
            entry.charts.append(Chart(png, svg, title))
    entry.sources = [
        (
            str(src.get("title") or src.get("path")),
            src["path"] if src.get("path") in entry.files else None,
        )
        for src in descriptor.get("sources") or []
        if isinstance(src, dict)
    ]
    entry.rdf = (out / "rdf" / f"{entry.package}.ttl").is_file()
    if "findings.csv" in entry.files:
        text = (folder / "findings.csv").read_text(encoding="utf-8")
        entry.findings = list(csv.DictReader(io.StringIO(text)))


def _inside(rel: str) -> bool:
    """A descriptor path names a file of the package (no '..', not absolute)."""
    return not rel.startswith("/") and ".." not in Path(rel).parts


def severity_counts(entry: Entry) -> dict[str, int]:
    """Findings by severity: those of findings.csv (what the package publishes), else the
    run's count."""
    if "findings.csv" not in entry.files:
        return dict(entry.result.findings)
    out: dict[str, int] = {}
    for f in entry.findings:
        out[f.get("severity") or "?"] = out.get(f.get("severity") or "?", 0) + 1
    return dict(sorted(out.items()))


# --- catalog.json -------------------------------------------------------------------


def catalog_json(entries: list[Entry]) -> str:
    datasets = []
    for e in entries:
        if not e.package:
            continue
        s = e.summary
        year = s.get("year")
        datasets.append(
            {
                "@id": s.get("iri"),
                "@type": "dcat:Dataset",
                "dct:identifier": e.package,
                "dct:title": {"@value": display_title(s), "@language": "zh"},
                "dct:publisher": {"@value": s.get("department"), "@language": "zh"},
                "dct:spatial": {"@value": s.get("region"), "@language": "zh"},
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {"@value": f"{year}-01-01", "@type": "xsd:date"},
                    "dcat:endDate": {"@value": f"{year}-12-31", "@type": "xsd:date"},
                }
                if year
                else None,
                "fp:kind": s.get("kind"),
                "fp:scope": s.get("scope"),
                "dcat:landingPage": e.page,
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": title,
                        "dcat:downloadURL": url,
                        "dcat:mediaType": media,
                    }
                    for title, url, media in _links(e)
                ],
            }
        )
    doc = {
        "@context": CONTEXT,
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "部门预决算开放数据目录", "@language": "zh"},
        "dct:description": f"Data packages built by fiscalpub {__version__}",
        "dcat:dataset": [{k: v for k, v in d.items() if v is not None} for d in datasets],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _links(e: Entry) -> list[tuple[str, str, str]]:
    """(title, url relative to the output folder, media type) of the package's main
    downloads that exist."""
    p = e.package
    links = [
        (name, f"{p}/{name}", media)
        for name, media in (
            ("datapackage.json", "application/json"),
            ("line_items.csv", "text/csv"),
            ("findings.csv", "text/csv"),
        )
        if name in e.files
    ]
    if e.rdf:
        links.append(("RDF (Turtle)", f"rdf/{p}.ttl", "text/turtle"))
    return links


# --- HTML ---------------------------------------------------------------------------


def _h(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def _href(path: str) -> str:
    """A relative URL for a path in the folder (file names may be Chinese or have spaces)."""
    return _h(quote(path, safe="/#=.-_~"))


STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
span.bad { color: #b00; }
tr.failed td { background: #fee; }
img { border: 1px solid #ddd; background: #fff; }
a { color: #0645ad; }
code { font-size: .9em; }
"""


def _page(title: str, body: str, script: str = "", style: str = "") -> str:
    script_tag = f"<script>\n{script}</script>\n" if script else ""
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_h(title)} · fiscalpub</title>
<style>{STYLE}{style}</style>
</head>
<body>
{body}
{script_tag}</body>
</html>
"""


INDEX_STYLE = """
body { margin: 1em 1.5em; }
#reports { font-size: 14px; }
#reports th { cursor: pointer; }
#reports th[data-dir="asc"]::after { content: " ▲"; }
#reports th[data-dir="desc"]::after { content: " ▼"; }
#reports td.dept { min-width: 13em; }
#reports td.kind { white-space: nowrap; }
#reports td.unclear { text-decoration: underline dotted; cursor: help; }
#reports td.dept small { color: #666; }
#reports td.charts img { display: block; width: 120px; margin-bottom: 3px; }
#reports td.links { font-size: 12px; white-space: nowrap; }
#filters { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; margin: 1em 0; }
"""

INDEX_SCRIPT = r"""// no external code; works from file:// and any static server
(function () {
  var table = document.getElementById("reports");
  var tbody = table.tBodies[0];
  function key(cell) {
    if (!cell) { return ""; }
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? sort : cell.textContent.trim();
  }
  function isNumber(text) { return text !== "" && isFinite(Number(text)); }
  // sort by a column on click: numbers numerically, text in Chinese order, blanks last
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener("click", function () {
      var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
        other.removeAttribute("data-dir");
      });
      th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = key(a.cells.length > col ? a.cells[col] : null);
        var y = key(b.cells.length > col ? b.cells[col] : null);
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        if (isNumber(x) && isNumber(y)) { return (Number(x) - Number(y)) * dir; }
        return x.localeCompare(y, "zh", {numeric: true}) * dir;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
  // filters: department (text), year, kind
  var dept = document.getElementById("f-dept");
  var year = document.getElementById("f-year");
  var kind = document.getElementById("f-kind");
  var shown = document.getElementById("shown");
  function apply() {
    var q = dept.value.trim().toLowerCase();
    var n = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      var text = (row.getAttribute("data-search") || row.textContent).toLowerCase();
      var ok = (!q || text.indexOf(q) >= 0) &&
        (!year.value || row.getAttribute("data-year") === year.value) &&
        (!kind.value || row.getAttribute("data-kind") === kind.value);
      row.hidden = !ok;
      n += ok ? 1 : 0;
    });
    shown.textContent = n + " / " + tbody.rows.length;
  }
  dept.addEventListener("input", apply);
  year.addEventListener("change", apply);
  kind.addEventListener("change", apply);
  apply();
})();
"""


def index_html(entries: list[Entry]) -> str:
    rows = [_index_row(e) for e in entries]
    years = sorted(
        {str(e.summary.get("year")) for e in entries if e.package and e.summary.get("year")},
        reverse=True,
    )
    kinds = sorted(
        {kind_label(e.summary.get("kind"), e.summary.get("scope")) for e in entries if e.package}
    )
    failed = sum(1 for e in entries if not e.package)
    failed_note = f"（{failed} 份未能处理，列于表中，附原因）" if failed else ""
    options = "".join(f'<option value="{_h(y)}">{_h(y)}</option>' for y in years)
    kind_options = "".join(f'<option value="{_h(k)}">{_h(k)}</option>' for k in kinds)
    header = "".join(
        (f'<th title="{_h(tip)}">' if tip else "<th>") + f"{_h(name)}</th>" for name, tip in COLUMNS
    )
    body = f"""<h1>部门预决算开放数据目录</h1>
<p>{len(entries)} 份报告{failed_note} ·
每个数字均为报告所印（精确到分），矛盾见各报告的发现 ·
由 fiscalpub {_h(__version__)} 生成 · <a href="catalog.json">catalog.json</a> (DCAT)</p>
<form id="filters" role="search" onsubmit="return false">
<label>部门 <input id="f-dept" type="search" placeholder="部门、地区或数据包名"></label>
<label>年度 <select id="f-year"><option value="">全部</option>{options}</select></label>
<label>类型 <select id="f-kind"><option value="">全部</option>{kind_options}</select></label>
<span>显示 <output id="shown">{len(entries)} / {len(entries)}</output> 份</span>
</form>
<table id="reports">
<thead><tr>{header}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>"""
    return _page("部门预决算开放数据目录", body, INDEX_SCRIPT, INDEX_STYLE)


# (header, tooltip) of the index's columns
COLUMNS = (
    ("部门", "点击部门名查看该报告的表、发现、图表与全部下载"),
    ("年度", ""),
    ("类型", "部门/单位取自报告标题；标题未说明时只写预算或决算（不作猜测）"),
    ("收入总计", "收支总表（表一）所印的收入总计，原样（含单位）"),
    ("支出总计", "收支总表（表一）所印的支出总计，原样（含单位）；印法不明确时为 —"),
    (TABLES_HEADER, TABLES_HELP),
    ("数字", "报告所印的数字个数（line_items.csv 的行数）"),
    ("自检", SELF_CHECK_HELP),
    ("发现", "来源自身的矛盾与解析发现（findings.csv），按严重程度"),
    ("校验", "数据包校验（fiscalpub validate）：✓ 无缺陷，✗ 缺陷数"),
    ("图表", "点击缩略图看 SVG 原图"),
    ("下载", ""),
)


def _index_row(e: Entry) -> str:
    r = e.result
    if not e.package:
        error = r.error or ""
        error = error.removeprefix(f"{r.report}: ")  # named once
        return (
            f"<tr class=failed><td colspan={len(COLUMNS)}>未能处理 {_h(r.report)}："
            f"{_h(error)}</td></tr>"
        )
    s = e.summary
    label = kind_label(s.get("kind"), s.get("scope"))
    totals = s.get("totals") or {}
    cells = []
    for row, name in TOTALS:
        total = _total(totals.get(row))
        text, sort, tip = total_cell(total, name)
        css = "n unclear" if total and "candidates" in total else "n"
        cells.append(f'<td class="{css}" data-sort="{_h(sort)}" title="{_h(tip)}">{_h(text)}</td>')
    tables = s.get("tables") or {}
    present, printed, registered = table_counts(tables)
    counts = _count(tables.values())
    by_status = " · ".join(
        f"{STATUS_ZH.get(k, k)} {counts[k]}"
        for k in sorted(counts, key=lambda k: (_STATUS_ORDER.get(k, 9), k))
    )
    severities = severity_counts(e)
    findings = " · ".join(f"{SEVERITY_ZH.get(k, k)} {v}" for k, v in severities.items())
    charts = "".join(
        f'<a href="{_href(f"{e.package}/{c.svg}")}"><img src="{_href(f"{e.package}/{c.png}")}" '
        f'alt="{_h(c.title)}" title="{_h(c.title)}" loading="lazy"></a>'
        for c in e.charts
    )
    links = "<br>".join(f'<a href="{_href(url)}">{_h(t)}</a>' for t, url, _ in _links(e))
    search = " ".join(
        str(x)
        # not the input path: the page is the same wherever the reports were read from
        for x in (s.get("department"), s.get("region"), display_title(s), e.package)
    )
    scope_tip = "" if s.get("scope") else ' title="报告标题未说明部门或单位"'
    region = f"<br><small>{_h(s.get('region'))}</small>" if s.get("region") else ""
    return (
        f'<tr data-year="{_h(s.get("year") or "")}" data-kind="{_h(label)}" '
        f'data-search="{_h(search)}">'
        f'<td class=dept><a href="{_href(e.page)}" title="{_h(display_title(s))}">'
        f"{_h(s.get('department') or '（部门不详）')}</a>{region}</td>"
        f"<td class=n>{_h(s.get('year'))}</td>"
        f"<td class=kind{scope_tip}>{_h(label)}</td>"
        f"{''.join(cells)}"
        f'<td class=n data-sort="{printed}" title="{_h(by_status)}">'
        f"{present} / {printed} / {registered}</td>"
        f"<td class=n>{r.numbers}</td>"
        f"{self_check_cell(s.get('checks'))}"
        f'<td data-sort="{sum(severities.values())}">'
        f'<a href="{_href(e.page)}#findings">{_h(findings or "无")}</a></td>'
        f'<td title="{_h(f"{r.defects} 个缺陷" if r.defects else "无缺陷")}">'
        f"{'✗ ' + str(r.defects) if r.defects else '✓'}</td>"
        f'<td class=charts data-sort="{len(e.charts)}">{charts or "—"}</td>'
        f"<td class=links>{links}</td>"
        "</tr>"
    )


_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_ZH)}


def _total(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _count(values: Iterable[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


# --- per-report page --------------------------------------------------------------


def report_html(e: Entry) -> str:
    """OUT/reports/<package>.html: everything about one report, links relative to it."""
    s = e.summary
    up = "../"
    pkg = f"{up}{e.package}/"
    title = display_title(s)
    totals = s.get("totals") or {}
    facts = [
        ("部门", _h(s.get("department"))),
        ("地区", _h(s.get("region"))),
        ("年度", _h(s.get("year"))),
        (
            "类型",
            _h(kind_label(s.get("kind"), s.get("scope")))
            + ("" if s.get("scope") else "（报告标题未说明部门或单位）"),
        ),
    ]
    for row, name in TOTALS:
        text, _, tip = total_cell(_total(totals.get(row)), name)
        facts.append((name, f'<span title="{_h(tip)}">{_h(text)}</span>'))
        if text == "—":
            facts[-1] = (name, f"— <small>{_h(tip)}</small>")
    facts += [
        ("数字", f"{e.result.numbers}（未能定位到栏目的 {_h(s.get('unplaced', 0))} 个）"),
        ("自检", _h(self_check_text(s.get("checks"))[1])),
        (
            "数据包校验",
            f"✗ {e.result.defects} 个缺陷（fiscalpub validate）" if e.result.defects else "✓",
        ),
        ("数据集 IRI", f"<code>{_h(s.get('iri'))}</code>"),
    ]
    meta = "\n".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in facts)
    downloads = [
        f'<li><a href="{_href(pkg + path)}">{_h(label)}</a></li>'
        for path, label in DATA_FILES
        if path in e.files
    ]
    if e.rdf:
        downloads.append(
            f'<li><a href="{_href(f"{up}rdf/{e.package}.ttl")}">'
            f"rdf/{_h(e.package)}.ttl（RDF Data Cube，Turtle）</a></li>"
        )
    for name, path in e.sources:
        if path:
            downloads.append(
                f'<li><a href="{_href(pkg + path)}">{_h(Path(path).name)}</a>'
                f"（原始报告{'' if name == Path(path).name else '：' + _h(name)}）</li>"
            )
    charts = "\n".join(
        f'<figure><a href="{_href(pkg + c.svg)}"><img src="{_href(pkg + c.png)}" '
        f'alt="{_h(c.title)}" width="480"></a><figcaption>{_h(c.title)} · '
        f'<a href="{_href(pkg + c.svg)}">SVG</a> · <a href="{_href(pkg + c.png)}">PNG</a>'
        "</figcaption></figure>"
        for c in e.charts
    )
    body = f"""<p><a href="../index.html">← 目录</a></p>
<h1>{_h(title)}</h1>
<table class="meta">
{meta}
</table>
<h2 id="downloads">下载</h2>
<ul>
{chr(10).join(downloads)}
</ul>
<h2 id="charts">图表</h2>
{charts or "<p>此数据包没有图表。</p>"}
<h2 id="tables">表</h2>
{_tables_section(e, pkg)}
<h2 id="findings">发现</h2>
{_findings_section(e, pkg)}"""
    return _page(title, body)


def _tables_section(e: Entry, pkg: str) -> str:
    s = e.summary
    tables = s.get("tables") or {}
    at = s.get("table_at") or {}
    present, printed, registered = table_counts(tables)
    rows = []
    for table, status in tables.items():
        source, page, printed_title = [*(at.get(table) or []), None, None, None][:3]
        name = printed_title or table_title(table, s.get("kind"))
        csv_path = f"tables/{table}.csv"
        data = f'<a href="{_href(pkg + csv_path)}">{csv_path}</a>' if csv_path in e.files else ""
        rows.append(
            f"<tr><td>{_h(name)}</td><td><code>{_h(table)}</code></td>"
            f"<td>{_h(STATUS_ZH.get(status, status))}</td>"
            f"<td>{_location(e, pkg, source, page, None)}</td><td>{data}</td></tr>"
        )
    return (
        f'<p title="{_h(TABLES_HELP)}">有数 {present} · 已印 {printed} · 登记 {registered}</p>\n'
        "<table><thead><tr><th>表</th><th>标识</th><th>状态</th><th>标题所在</th>"
        f"<th>数据</th></tr></thead>\n<tbody>\n{chr(10).join(rows)}\n</tbody></table>"
    )


def _findings_section(e: Entry, pkg: str) -> str:
    if not e.findings:
        return "<p>没有发现。</p>"
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in e.findings:
        groups.setdefault(f.get("code") or "?", []).append(f)
    order = SEVERITY_ORDER
    parts = [
        "<p>"
        + " · ".join(
            f'<a href="#rule-{_h(code)}">{_h(code)}</a> {len(fs)}'
            for code, fs in sorted(groups.items(), key=lambda g: (_rank(g[1], order), g[0]))
        )
        + "</p>"
    ]
    for code, fs in sorted(groups.items(), key=lambda g: (_rank(g[1], order), g[0])):
        severity = min((f.get("severity") or "" for f in fs), key=lambda v: order.get(v, 9))
        items = []
        for f in fs:
            places = "<br>".join(
                _location(e, pkg, w.get("source"), w.get("page"), w.get("line"), w.get("table"))
                for w in _where(f.get("where"))
            )
            items.append(
                f"<tr><td>{_h(f.get('message'))}</td><td>{places or '—'}</td>"
                f"<td><code>{_h(f.get('id'))}</code></td></tr>"
            )
        parts.append(
            f'<h3 id="rule-{_h(code)}"><code>{_h(code)}</code> · '
            f"{_h(SEVERITY_ZH.get(severity, severity))} ({_h(severity)}) · {len(fs)}</h3>\n"
            "<table><thead><tr><th>说明</th><th>位置</th><th>id</th></tr></thead>\n<tbody>\n"
            + "\n".join(items)
            + "\n</tbody></table>"
        )
    return "\n".join(parts)


def _rank(findings: list[dict[str, Any]], order: dict[str, int]) -> int:
    """Errors first, then warnings, then the rest."""
    return min((order.get(f.get("severity") or "", 9) for f in findings), default=9)


def _where(text: Any) -> list[dict[str, Any]]:
    """A finding's locations from findings.csv's JSON column, each once, in order."""
    try:
        places = json.loads(text) if text else []
    except ValueError:
        return []
    out: list[dict[str, Any]] = []
    for w in places if isinstance(places, list) else []:
        if isinstance(w, dict) and w not in out:
            out.append(w)
    return out


def _location(
    e: Entry,
    pkg: str,
    source: Any,
    page: Any,
    line: Any,
    table: Any = None,
) -> str:
    """ "第 8 页 第 120 行 · 表名": the page linked to the source file in the package (to the
    page itself for a PDF); the file named when the report has several."""
    name, path = None, None
    if isinstance(source, int) and 0 <= source < len(e.sources):
        name, path = e.sources[source]
    parts = []
    if len(e.sources) > 1 and (name or path):
        parts.append(_h(Path(path).name if path else name))
    if page is not None:
        parts.append(f"第 {_h(page)} 页")
    text = " ".join(parts)
    if path and text:
        anchor = f"#page={page}" if page is not None and path.lower().endswith(".pdf") else ""
        text = f'<a href="{_href(pkg + path + anchor)}">{text}</a>'
    if line is not None:
        text += f" 第 {_h(line)} 行"
    if table:
        text += f" · {_h(table_title(str(table), e.summary.get('kind')))}"
    return text.strip()


# --- writing ------------------------------------------------------------------------


def write_catalog(out: Path, results: list[Result]) -> list[Entry]:
    """catalog.json, index.html and reports/<package>.html for these results; pages of
    packages not in this catalog are removed (only this catalog's pages are linked).

    A report's page is a function of its Entry alone (and of this code): a page whose
    Entry is what it was drawn from last time (OUT/.fiscalpub-pages.json keeps a digest of
    it per page) and whose file is still there is not drawn again — on a re-run of a
    thousand unchanged reports, drawing the pages was most of the time."""
    entries = load_entries(out, results)
    write_atomic(out / "catalog.json", catalog_json(entries).encode("utf-8"), if_changed=True)
    write_atomic(out / "index.html", index_html(entries).encode("utf-8"), if_changed=True)
    pages = out / REPORTS
    pages.mkdir(exist_ok=True)
    drawn = _drawn(out)
    keys: dict[str, str] = {}
    for e in entries:
        if e.package:
            key = keys[e.page] = page_key(e)
            if drawn.get(e.page) != key or not (out / e.page).is_file():
                write_atomic(out / e.page, report_html(e).encode("utf-8"), if_changed=True)
    for old in pages.glob("*.html"):
        if f"{REPORTS}/{old.name}" not in keys:
            old.unlink()
    text = json.dumps({"pages": dict(sorted(keys.items()))}, indent=0) + "\n"
    write_atomic(out / PAGES, text.encode("utf-8"), if_changed=True)
    return entries


PAGES = ".fiscalpub-pages.json"  # OUT/reports/<package>.html -> digest of what drew it


def _drawn(out: Path) -> dict[str, str]:
    """The digests the pages now in OUT were drawn from (none when unreadable)."""
    try:
        data = json.loads((out / PAGES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = data.get("pages") if isinstance(data, dict) else None
    return {k: v for k, v in pages.items() if isinstance(v, str)} if isinstance(pages, dict) else {}


# the run's bookkeeping in a Result, which a page does not show
_NOT_SHOWN = ("status", "seconds", "peak_kb", "lasting", "key", "summary", "error")


def page_key(e: Entry) -> str:
    """A digest of everything report_html(e) reads — the Entry without the run's
    bookkeeping — and of the code that draws it (fiscalpub's version, this module).  The
    same in every process: the set of files is sorted (a set's order changes with each
    process's string hashing)."""
    result = {k: v for k, v in vars(e.result).items() if k not in _NOT_SHOWN}
    data = [
        result,
        e.summary,
        sorted(e.files),
        [[c.png, c.svg, c.title] for c in e.charts],
        e.sources,
        e.rdf,
        e.findings,
    ]
    digest = hashlib.sha256(_code())
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code() -> bytes:
    """What draws a page besides its Entry: fiscalpub's version and data (the registry's
    table titles…: pipeline.environment_key covers both) and this module's code."""
    return f"{environment_key()}\n".encode() + Path(__file__).read_bytes()
