"""Compose the parse stages into a canonical Report: identity, table regions, narrative
facts, placement of every table number, then the checks that need the source text.  Each
stage is a module of parse/; this one only orders them."""

from __future__ import annotations

from fiscalpub.errors import NotAReport
from fiscalpub.model import Fact, Finding, LineItem, Report, Severity, Where
from fiscalpub.normalize import squash
from fiscalpub.parse.facts import report_facts, resolve_paths
from fiscalpub.parse.identity import identify
from fiscalpub.parse.line_items import code_trees, line_items
from fiscalpub.parse.placement import solve
from fiscalpub.parse.repeats import repeated_tables
from fiscalpub.parse.scoring import narrative_scorer
from fiscalpub.parse.split import split_rows
from fiscalpub.parse.table_info import choose_regions, read_tables, with_tables
from fiscalpub.parse.tables import cut_regions
from fiscalpub.parse.textcheck import text_defects
from fiscalpub.read.document import Document


def build_report(docs: list[Document]) -> Report:
    """Parse one report (one or more source files) into the canonical model."""
    if not docs:
        raise NotAReport("no input files")
    doc = docs[0]
    text = "\n".join(line.text for d in docs for line in d.lines())
    if not _looks_like_report(text):
        raise NotAReport(
            f"{doc.path}: not a 部门决算/部门预算 report (no title, tables or 情况说明 found)"
        )
    meta, findings = identify(docs, text)
    regions = [r for d in docs for r in cut_regions(d)]
    findings = [with_tables(f, regions) for f in findings]
    chosen = choose_regions(regions)
    findings.extend(repeated_tables(regions, split_rows))
    facts = report_facts(docs, meta, findings)
    read = read_tables(docs, regions, chosen, findings)
    solve(read.placements, narrative_scorer(facts, read.regions))
    code_trees(read.placements, meta.year)
    items = line_items(read.placements, read.regions, meta.kind, findings)
    resolve_paths(facts, items, meta.year, findings)
    _refuse_unread(docs, items, facts, findings)
    findings.extend(text_defects(docs, chosen.values(), meta))
    return Report(report=meta, tables=read.infos, line_items=items, facts=facts, findings=findings)


def _looks_like_report(text: str) -> bool:
    """At least two of a 部门预算/决算's words and more than a few lines of text: anything
    else is refused before it is read as a report."""
    s = squash(text)
    markers = (
        "部门决算",
        "部门预算",
        "单位决算",
        "单位预算",
        "决算表",
        "预算表",
        "情况说明",
        "收入支出",
    )
    return sum(s.count(m) for m in markers) >= 2 and len(s) > 200


def _blank_pages(docs: list[Document]) -> list[tuple[int, int]]:
    """Pages with neither text nor images: a damaged PDF reads like this."""
    return [
        (d.source, p.number)
        for d in docs
        for p in d.pages
        if not p.image_only and not any(ln.text.strip() for ln in p.lines)
    ]


def _refuse_unread(
    docs: list[Document], items: list[LineItem], facts: list[Fact], findings: list[Finding]
) -> None:
    """A report of which nothing could be read is an error, not an empty success; many
    blank pages (a damaged file) are a finding even when some of the report was read."""
    blank = _blank_pages(docs)
    pages = sum(len(d.pages) for d in docs)
    why = f" ({len(blank)} of {pages} pages have no text: a damaged PDF?)" if blank else ""
    if not items and not facts:
        raise NotAReport(
            f"{docs[0].path}: no table amount and no narrative fact could be read{why}"
        )
    if blank and len(blank) * 3 > pages:
        findings.append(
            Finding(
                code="pages-without-text",
                severity=Severity.ERROR,
                message=f"{len(blank)} of {pages} pages have no text and no image: a damaged "
                "file? What is on them is missing from this report",
                where=[Where(source=s, page=n) for s, n in blank[:20]],
            )
        )
