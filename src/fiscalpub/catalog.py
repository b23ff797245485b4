"""The catalog of a `fiscalpub run`: ``catalog.json`` (DCAT, JSON-LD) and ``index.html``
(one row per report: totals, table status, findings; usable offline, no external
resource).  Both are byte-reproducible: sorted, no timestamps."""

from __future__ import annotations

import html
import json
from typing import Any

from fiscalpub import __version__
from fiscalpub.pipeline import Result

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "fp": "https://w3id.org/fiscalpub/def#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
KIND_ZH = {"final": "决算", "budget": "预算"}


def catalog_json(results: list[Result]) -> str:
    datasets = []
    for r in results:
        if not r.package:
            continue
        s = r.summary
        year = s.get("year")
        datasets.append(
            {
                "@id": s.get("iri"),
                "@type": "dcat:Dataset",
                "dct:identifier": r.package,
                "dct:title": {"@value": s.get("title") or r.package, "@language": "zh"},
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
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": title,
                        "dcat:downloadURL": url,
                        "dcat:mediaType": media,
                    }
                    for title, url, media in _links(r)
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


def _links(r: Result) -> list[tuple[str, str, str]]:
    p = r.package
    return [
        ("datapackage.json", f"{p}/datapackage.json", "application/json"),
        ("line_items.csv", f"{p}/line_items.csv", "text/csv"),
        ("findings.csv", f"{p}/findings.csv", "text/csv"),
        ("RDF (Turtle)", f"rdf/{p}.ttl", "text/turtle"),
    ]


def _cell(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def index_html(results: list[Result]) -> str:
    rows = []
    for r in results:
        s = r.summary
        if r.package:
            tables = s.get("tables") or {}
            printed = sum(1 for v in tables.values() if v == "printed")
            status = ", ".join(f"{k} {v}" for k, v in sorted(_count(tables.values()).items()))
            totals = s.get("totals") or {}
            findings = ", ".join(f"{k} {v}" for k, v in sorted(r.findings.items())) or "—"
            links = " ".join(
                f'<a href="{_cell(url)}">{_cell(title)}</a>' for title, url, _ in _links(r)
            )
            rows.append(
                "<tr>"
                f"<td>{_cell(s.get('title') or r.package)}</td>"
                f"<td>{_cell(s.get('department'))}</td>"
                f"<td>{_cell(s.get('year'))}</td>"
                f"<td>{_cell(KIND_ZH.get(str(s.get('kind')), s.get('kind')))}</td>"
                f"<td class=n>{_cell(totals.get('grand_total_income', '—'))}</td>"
                f"<td class=n>{_cell(totals.get('grand_total_expenditure', '—'))}</td>"
                f'<td title="{_cell(status)}">{printed} / {len(tables)}</td>'
                f"<td class=n>{r.numbers}</td>"
                f"<td>{_cell(findings)}</td>"
                f"<td>{'✗ ' + str(r.defects) if r.defects else '✓'}</td>"
                f"<td>{links}</td>"
                "</tr>"
            )
        else:
            rows.append(
                "<tr class=failed>"
                f"<td colspan=10>{_cell(r.report)}: {_cell(r.error)}</td><td></td></tr>"
            )
    body = "\n".join(rows)
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>部门预决算开放数据目录 · fiscalpub</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; }}
th {{ background: #f3f3f3; cursor: pointer; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.failed td {{ background: #fee; }}
</style>
</head>
<body>
<h1>部门预决算开放数据目录</h1>
<p>{len(results)} 份报告 · 每个数字均为报告所印（精确到分），矛盾见 findings.csv ·
由 fiscalpub {_cell(__version__)} 生成 · <a href="catalog.json">catalog.json</a> (DCAT)</p>
<table id="reports">
<thead><tr><th>报告</th><th>部门</th><th>年度</th><th>类型</th><th>收入总计</th><th>支出总计</th>
<th>表（已印/全部）</th><th>数字</th><th>发现</th><th>数据包</th><th>下载</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
<script>
// sort by a column on click; no external code, works from file://
document.querySelectorAll("#reports th").forEach(function (th, col) {{
  th.addEventListener("click", function () {{
    var tbody = document.querySelector("#reports tbody");
    var rows = Array.prototype.slice.call(tbody.rows);
    var dir = th.dataset.dir === "asc" ? -1 : 1;
    th.dataset.dir = dir === 1 ? "asc" : "desc";
    rows.sort(function (a, b) {{
      var x = (a.cells[col] || {{}}).textContent || "";
      var y = (b.cells[col] || {{}}).textContent || "";
      return x.localeCompare(y, "zh", {{numeric: true}}) * dir;
    }});
    rows.forEach(function (row) {{ tbody.appendChild(row); }});
  }});
}});
</script>
</body>
</html>
"""


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out
