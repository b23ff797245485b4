"""The self-check per report: how much of each report its own arithmetic confirms.

Our measure on reports without a hand-typed oracle (README "Self-check"): per report
the table amounts, how many are confirmed (a relation they take part in holds and
says something), contradicted (none holds, one fails) and unchecked, the confirmed
share, and the narrative amounts that agree with a table cell.

    python bench/selfcheck.py                  # ../shared/corpus and examples/
    python bench/selfcheck.py a.pdf folder/    # given files and folders
    python bench/selfcheck.py --json           # one JSON object per report
    python bench/selfcheck.py -j 2             # parse in 2 processes
    python bench/selfcheck.py --why a.pdf      # the unconfirmed amounts, by table/column/row kind

Files are grouped as bench/parse.py and corpus-health group them: "<stem>-text.pdf" and
"<stem>-tables.pdf" are one report, every other file one report.  A report that does not
parse is listed with its error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from fiscalpub.api import parse_files
from fiscalpub.errors import FiscalpubError
from fiscalpub.model import LineItem, Report

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT.parent / "shared" / "corpus", ROOT / "examples"]
SUFFIXES = (".pdf", ".txt")


def reports(inputs: list[Path]) -> list[list[Path]]:
    """Report files of `inputs` (files, folders searched recursively), the two halves of
    a report (…-text.pdf + …-tables.pdf) together."""
    files = sorted(
        {
            p
            for path in inputs
            for p in ([path] if path.is_file() else path.rglob("*"))
            if p.is_file() and p.suffix.lower() in SUFFIXES
        }
    )
    out: list[list[Path]] = []
    for path in files:
        pair = path.with_name(path.name.replace("-text.pdf", "-tables.pdf"))
        if (
            path.name.endswith("-tables.pdf")
            and path.with_name(path.name.replace("-tables.pdf", "-text.pdf")).exists()
        ):
            continue
        out.append([path, pair] if path.name.endswith("-text.pdf") and pair.exists() else [path])
    return out


def check(group: list[Path]) -> dict[str, Any]:
    """One report's self-check (or its error)."""
    name = _short(group[0])
    if len(group) > 1:  # "…/x-text.pdf" + "…/x-tables.pdf": "…/x-text+tables.pdf"
        name = name.replace("-text.pdf", "-text+tables.pdf")
    try:
        report = parse_files(list(group))
    except FiscalpubError as exc:
        return {"report": name, "error": str(exc).splitlines()[0]}
    checks = report.report.checks
    return {"report": name, **(checks.to_dict() if checks else {})}


def _short(path: Path) -> str:
    for base in (ROOT.parent / "shared" / "corpus", ROOT):
        if path.resolve().is_relative_to(base.resolve()):
            return str(path.resolve().relative_to(base.resolve()))
    return str(path)


def table(rows: list[dict[str, Any]]) -> str:
    width = max([len("report"), *(len(r["report"]) for r in rows)])
    head = (
        f"{'report':<{width}} {'amounts':>7} {'confirmed':>9} {'contra':>6} {'unchecked':>9} "
        f"{'share':>7}  {'facts agreeing':>14}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['report']:<{width}} failed: {r['error']}")
            continue
        share = r["confirmed_share"]
        shown = f"{Decimal(share) * 100:6.2f}%" if share is not None else f"{'—':>7}"
        facts = f"{r['facts_agreeing']} / {r['facts']}"
        if r["facts_contradicting"]:
            facts += f" ({r['facts_contradicting']} ✗)"
        lines.append(
            f"{r['report']:<{width}} {r['amounts']:>7} {r['confirmed']:>9} "
            f"{r['contradicted']:>6} {r['unchecked']:>9} {shown:>7}  {facts:>14}"
        )
    ok = [r for r in rows if "error" not in r]
    amounts = sum(r["amounts"] for r in ok)
    confirmed = sum(r["confirmed"] for r in ok)
    lines.append("-" * len(head))
    overall = f"{Decimal(confirmed) / amounts * 100:6.2f}%" if amounts else f"{'—':>7}"
    facts = f"{sum(r['facts_agreeing'] for r in ok)} / {sum(r['facts'] for r in ok)}"
    lines.append(
        f"{f'all {len(rows)} reports':<{width}} {amounts:>7} {confirmed:>9} "
        f"{sum(r['contradicted'] for r in ok):>6} {sum(r['unchecked'] for r in ok):>9} "
        f"{overall:>7}  {facts:>14}"
    )
    return "\n".join(lines)


def _kind(li: LineItem) -> str:
    if li.column is None:
        return "unplaced"
    if li.code:
        return {3: "类", 5: "款", 7: "项"}.get(len(li.code), f"code/{len(li.code)}")
    return f"#{li.row}" if li.row else "line without code or row id"


def why(report: Report, shown: int = 3) -> str:
    """The amounts the self-check leaves unconfirmed, grouped by (table, column, row kind):
    how many of the group, how many of them zeros (a zero confirms only inside a sum of two
    non-zero terms), and the first non-zero ones with their state."""
    from fiscalpub.validate.selfcheck import verdicts

    confirmed, failed, _ = verdicts(report)
    groups: dict[tuple[str, str, str], list[LineItem]] = {}
    sizes: Counter[tuple[str, str, str]] = Counter()
    for li in report.line_items:
        key = (li.table, li.column or "-", _kind(li))
        sizes[key] += 1
        if id(li) not in confirmed:
            groups.setdefault(key, []).append(li)
    lines = []
    for key, items in sorted(groups.items()):
        zeros = sum(1 for li in items if li.amount == 0)
        lines.append(f"{len(items):5d} of {sizes[key]:<5d} zeros {zeros:<4d} " + " ".join(key))
        for li in [li for li in items if li.amount != 0][:shown]:
            state = "contradicted" if id(li) in failed else "unchecked"
            where = li.code or li.row or "-"
            lines.append(f"          {where} {li.printed} p.{li.page} l.{li.line} {state}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path, help="report files or folders")
    parser.add_argument("--json", action="store_true", help="one JSON object per report")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="parse processes (1)")
    parser.add_argument("--why", action="store_true", help="list the unconfirmed amounts")
    opts = parser.parse_args(argv)
    groups = reports(opts.inputs or [p for p in DEFAULT if p.exists()])
    if not groups:
        parser.error("no reports (.pdf, .txt) found")
    if opts.why:
        for group in groups:
            print(f"{_short(group[0])}\n{why(parse_files(list(group)))}")
        return 0
    if opts.jobs > 1:
        with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
            rows = list(pool.map(check, groups))
    else:
        rows = [check(g) for g in groups]
    if opts.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
