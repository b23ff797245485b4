"""Which narrative amounts the validator compares with a table cell (issue 16, family 5).

Our measure of the rule narrative-table's reach: over the reports, every money amount the
narrative (情况说明) states for the report's own year — per indicator and phase (a 决算
states 预算, 调整预算 and 决算 for one line) — counted as compared (the rule checked it
against a printed cell: it agrees, rounds or contradicts) or not compared (no cell of the
report's tables is known for it, or its table is not printed).  Changes, shares and rates
are not levels and are left out; so are the amounts of other years.

    python bench/narrative_coverage.py                 # ../shared/corpus
    python bench/narrative_coverage.py a.pdf folder/   # given files and folders
    python bench/narrative_coverage.py --reports       # also one line per report
    python bench/narrative_coverage.py --missed        # the amounts not compared, with their text
    python bench/narrative_coverage.py -j 2            # parse in 2 processes

Files are grouped as bench/selfcheck.py groups them ("<stem>-text.pdf" + "<stem>-tables.pdf"
are one report).  A report that does not parse is listed with its error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from selfcheck import reports  # bench/selfcheck.py (the script's folder is on sys.path)

from fiscalpub.api import parse_files
from fiscalpub.errors import FiscalpubError
from fiscalpub.model import Fact, Report
from fiscalpub.validate.rules import RULES, Index

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT.parent / "shared" / "corpus"]
RULE = "narrative-table"
# derived indicators: not amounts a table prints as a level (facts.yaml)
DERIVED = ("_change", "_change_pct", "_share", "_rate")


def own_levels(report: Report) -> list[Fact]:
    """The narrative's money amounts of the report's own year (any phase), levels only."""
    year = report.report.year
    return [
        f
        for f in report.facts
        if f.amount is not None
        and (not f.period or not year or f.period == year)
        and not f.indicator.endswith(DERIVED)
    ]


def compared(report: Report) -> set[int]:
    """The ids of the facts the rule narrative-table compares with a cell."""
    ix = Index(report)
    rule = next(r for r in RULES if r.id == RULE)
    return {id(m) for check in rule(ix) for m in check.members if isinstance(m, Fact)}


def coverage(report: Report) -> dict[tuple[str, str], list[int]]:
    """(indicator, phase) -> [compared, not compared] for one report."""
    seen = compared(report)
    out: dict[tuple[str, str], list[int]] = {}
    for f in own_levels(report):
        counts = out.setdefault((f.indicator, f.phase or "-"), [0, 0])
        counts[0 if id(f) in seen else 1] += 1
    return out


def missed(report: Report) -> list[str]:
    """The amounts not compared, with where and what the sentence says."""
    seen = compared(report)
    return [
        f"  {f.indicator}/{f.phase} {f.printed}{f.unit or ''} p.{f.page} l.{f.line}: {f.text[:70]}"
        for f in own_levels(report)
        if id(f) not in seen
    ]


def check(group: list[Path]) -> dict[str, Any]:
    """One report's coverage (or its error)."""
    name = _name(group)
    try:
        report = parse_files(list(group))
    except FiscalpubError as exc:
        return {"report": name, "error": str(exc).splitlines()[0]}
    cov = coverage(report)
    return {"report": name, "coverage": cov, "missed": missed(report)}


def _name(group: list[Path]) -> str:
    name = group[0].name.rsplit(".", 1)[0]
    return name.removesuffix("-text") if len(group) > 1 else name


def table(rows: list[dict[str, Any]]) -> str:
    """Per (indicator, phase) over all reports: facts, compared, not compared, reports."""
    total: dict[tuple[str, str], list[int]] = {}
    where: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for key, (yes, no) in r.get("coverage", {}).items():
            counts = total.setdefault(key, [0, 0])
            counts[0] += yes
            counts[1] += no
            where[key] += 1
    width = max([len("indicator"), *(len(k[0]) for k in total)])
    head = (
        f"{'indicator':<{width}} {'phase':<15} {'amounts':>7} {'compared':>8} "
        f"{'not':>5} {'reports':>7}"
    )
    lines = [head, "-" * len(head)]
    for key in sorted(total):
        yes, no = total[key]
        lines.append(
            f"{key[0]:<{width}} {key[1]:<15} {yes + no:>7} {yes:>8} {no:>5} {where[key]:>7}"
        )
    yes = sum(c[0] for c in total.values())
    no = sum(c[1] for c in total.values())
    lines.append("-" * len(head))
    lines.append(f"{f'all {len(rows)} reports':<{width}} {'':<15} {yes + no:>7} {yes:>8} {no:>5}")
    return "\n".join(lines)


def by_report(rows: list[dict[str, Any]]) -> str:
    width = max(len(r["report"]) for r in rows)
    lines = []
    for r in rows:
        if "error" in r:
            lines.append(f"{r['report']:<{width}} failed: {r['error']}")
            continue
        yes = sum(c[0] for c in r["coverage"].values())
        no = sum(c[1] for c in r["coverage"].values())
        lines.append(f"{r['report']:<{width}} compared {yes:>4}  not {no:>4}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path, help="report files or folders")
    parser.add_argument("--reports", action="store_true", help="one line per report too")
    parser.add_argument("--missed", action="store_true", help="list the amounts not compared")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="parse processes (1)")
    opts = parser.parse_args(argv)
    groups = reports(opts.inputs or [p for p in DEFAULT if p.exists()])
    if not groups:
        parser.error("no reports (.pdf, .txt) found")
    if opts.jobs > 1:
        with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
            rows = list(pool.map(check, groups))
    else:
        rows = [check(g) for g in groups]
    print(table(rows))
    if opts.reports:
        print("\n" + by_report(rows))
    if opts.missed:
        for r in rows:
            if r.get("missed"):
                print(f"\n{r['report']}\n" + "\n".join(r["missed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
