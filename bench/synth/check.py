"""Check the parser against the truth of synthetic reports (bench/synth/generate.py).

    python bench/synth/check.py /tmp/synth [-n 20] [-j 2] [-v]

Parses each synth-NNNN.pdf in-process (fiscalpub.api.parse_files) and compares with
truth/synth-NNNN.json:

- cells: every amount a table prints must come back with the same value AND placement
  (table, code or row id, column id); "extra" counts placed parser cells the truth does
  not have (or with another value), "unplaced" the numbers left without a column;
- tables: the status of the nine standard tables (present / declared_empty);
- report: department, year, kind, staff, units (and, apart, the region name);
- narrative: the amounts of the 情况说明 found among the parser's facts (as a multiset).

Prints the totals, the parse time per PDF, and with -v every miss.  Exit code 0 when
every cell, table status and metadata field is right (narrative and region names are
reported, not counted), else 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from fiscalpub.api import parse_files


def _norm(printed: str) -> str:
    return printed.replace(",", "")


def compare(pdf: Path, truth: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    rep = parse_files([pdf])
    elapsed = time.perf_counter() - t0
    got: dict[tuple[Any, ...], list[str]] = {}
    unplaced = []
    for li in rep.line_items:
        if li.column is None:
            unplaced.append(f"{li.table} {li.code or li.row} {li.printed} {li.candidates}")
            continue
        got.setdefault((li.table, li.code, li.row, li.column), []).append(li.printed)
    want: dict[tuple[Any, ...], str] = {}
    for c in truth["cells"]:
        want[(c["table"], c["code"], c["row"], c["column"])] = _norm(c["printed"])
    missing = []
    for key, printed in want.items():
        values = got.get(key, [])
        if not any(Decimal(v) == Decimal(printed) for v in values):
            missing.append(f"{' '.join(str(k) for k in key)}: want {printed} got {values}")
    extra = []
    for key, values in got.items():
        for v in values:
            if key not in want or Decimal(want[key]) != Decimal(v):
                extra.append(f"{' '.join(str(k) for k in key)}: {v} (truth {want.get(key)})")
    status = {t.table: t.status for t in rep.tables}
    bad_tables = [
        f"{tid}: want {s} got {status.get(tid)}"
        for tid, s in truth["tables"].items()
        if status.get(tid) != s
    ]
    meta = truth["report"]
    got_meta = rep.report
    bad_meta = []
    for field, value in (
        ("department", got_meta.department),
        ("year", got_meta.year),
        ("kind", got_meta.kind),
    ):
        if meta[field] != value:
            bad_meta.append(f"{field}: want {meta[field]} got {value}")
    staff = {
        "authorised": got_meta.staff.authorised,
        "actual": got_meta.staff.actual,
        "retired": got_meta.staff.retired,
    }
    if staff != meta["staff"]:
        bad_meta.append(f"staff: want {meta['staff']} got {staff}")
    if got_meta.units != meta["units"]:
        bad_meta.append(f"units: want {meta['units']} got {got_meta.units}")
    bad_region = (
        [f"region: want {meta['region']} got {got_meta.region.name}"]
        if got_meta.region.name != meta["region"]
        else []
    )
    facts = Counter(
        Decimal(f.printed) for f in rep.facts if f.printed is not None and f.unit == "万元"
    )
    said = Counter(Decimal(n["printed"]) for n in truth["narrative"])
    narrative_missing = said - facts
    return {
        "name": truth["name"],
        "seconds": elapsed,
        "cells": len(want),
        "missing": missing,
        "extra": extra,
        "unplaced": unplaced,
        "tables": len(truth["tables"]),
        "bad_tables": bad_tables,
        "bad_meta": bad_meta,
        "bad_region": bad_region,
        "narrative": sum(said.values()),
        "narrative_missing": [f"{v} x{n}" for v, n in narrative_missing.items()],
        "findings": Counter(f.code for f in rep.findings),
    }


def _job(args: tuple[str, str]) -> dict[str, Any]:
    pdf, truth = args
    return compare(Path(pdf), json.loads(Path(truth).read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("-n", type=int, default=0, help="only the first N reports")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    pdfs = sorted(args.folder.glob("synth-*.pdf"))
    if args.n:
        pdfs = pdfs[: args.n]
    jobs = [(str(p), str(args.folder / "truth" / f"{p.stem}.json")) for p in pdfs]
    t0 = time.perf_counter()
    if args.jobs > 1:
        with get_context("fork").Pool(args.jobs) as pool:
            results = list(pool.imap(_job, jobs))
    else:
        results = [_job(j) for j in jobs]
    wall = time.perf_counter() - t0
    cells = sum(r["cells"] for r in results)
    missing = sum(len(r["missing"]) for r in results)
    extra = sum(len(r["extra"]) for r in results)
    unplaced = sum(len(r["unplaced"]) for r in results)
    tables = sum(r["tables"] for r in results)
    bad_tables = sum(len(r["bad_tables"]) for r in results)
    narrative = sum(r["narrative"] for r in results)
    nmiss = sum(len(r["narrative_missing"]) for r in results)
    findings: Counter[str] = Counter()
    for r in results:
        findings.update(r["findings"])
        if args.verbose and (
            r["missing"]
            or r["extra"]
            or r["bad_tables"]
            or r["bad_meta"]
            or r["unplaced"]
            or r["narrative_missing"]
            or r["bad_region"]
        ):
            print(f"== {r['name']}")
            for key in (
                "missing",
                "extra",
                "unplaced",
                "bad_tables",
                "bad_meta",
                "bad_region",
                "narrative_missing",
            ):
                for line in r[key]:
                    print(f"  {key}: {line}")
    n = len(results)
    exact = cells - missing
    perfect = sum(1 for r in results if not r["missing"] and not r["extra"])
    print(f"reports: {n}  (all cells exact and no extra: {perfect})")
    print(
        f"table cells: {exact}/{cells} exact ({100 * exact / max(cells, 1):.2f}%), "
        f"extra {extra}, unplaced {unplaced}"
    )
    print(f"tables: {tables - bad_tables}/{tables} with the right status")
    print(
        f"report metadata (department, year, kind, staff, units) wrong: "
        f"{sum(len(r['bad_meta']) for r in results)}; region name wrong: "
        f"{sum(len(r['bad_region']) for r in results)}"
    )
    print(f"narrative amounts: {narrative - nmiss}/{narrative} found among the facts")
    secs = sorted(r["seconds"] for r in results)
    print(
        f"parse time per PDF: median {1000 * secs[len(secs) // 2]:.0f} ms, "
        f"max {1000 * secs[-1]:.0f} ms; wall {wall:.1f}s with {args.jobs} jobs"
    )
    if findings:
        print("findings:", ", ".join(f"{k} {v}" for k, v in findings.most_common()))
    bad_meta = sum(len(r["bad_meta"]) for r in results)
    return 0 if missing == extra == unplaced == bad_tables == bad_meta == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
