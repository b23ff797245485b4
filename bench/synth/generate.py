"""Synthesise N realistic 部门决算 (final-account) PDF reports for the pipeline benchmark.

    python bench/synth/generate.py -n 1000 -o /tmp/synth [--seed 1] [-j 2] [--font PATH]

Writes OUT/synth-NNNN.pdf, OUT/truth/synth-NNNN.json (every amount each PDF prints:
table id, code or row id, column id, printed string — ids of
src/fiscalpub/data/tables.yaml — plus the narrative's amounts, the tables' statuses and
the report's metadata) and OUT/index.csv.  Check the parser against the truth with
bench/synth/check.py.

The reports follow the structure of a real 部门决算 (national template, 万元, 2 decimals):
cover, contents, 部门概况, the nine standard tables with ruled cells, the 情况说明
narrative and a short glossary.  Departments (region × bureau), years 2019-2024 and
amounts vary; amounts are exact decimals that satisfy every identity (类 = Σ 款 = Σ 项,
totals = Σ parts, basic + project = total, table 01 and 04 balance, cross-table
agreements, narrative = tables).  Codes and names come from vocab/codelists/*.csv.

Needs reportlab (pip install reportlab) and a CJK TrueType font
(apt-get install -y fonts-wqy-microhei).  Output is deterministic in (--seed, index).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth_data import make_report
from synth_pdf import register_font
from synth_report import build, render


class Made(NamedTuple):
    name: str
    department: str
    year: int
    pages: int
    bytes: int
    cells: int  # amounts the tables print
    spanning: int  # tables that run over two pages


def _init(font: str | None) -> None:
    register_font(font)


def name_of(index: int) -> str:
    return f"synth-{index:04d}"


def one(job: tuple[int, int, str, dict[str, str]]) -> Made:
    """Generate report `index`: its PDF and truth JSON."""
    index, seed, out, options = job
    rep = make_report(index, seed, options)
    printed = build(rep)
    name = name_of(index)
    pdf = Path(out) / f"{name}.pdf"
    pages, spanning = render(printed, str(pdf), bool(rep.style["page_numbers"]))
    truth = {
        "name": name,
        "seed": seed,
        "index": index,
        "report": {
            "department": rep.department,
            "year": rep.year,
            "kind": "final",
            "region": rep.region,
            "units": rep.units,
            "staff": dict(zip(("authorised", "actual", "retired"), rep.staff, strict=True)),
        },
        "style": rep.style,
        "pages": pages,
        "unit": "万元",
        "tables": printed.tables,
        "cells": printed.cells,
        "narrative": printed.narrative,
    }
    (Path(out) / "truth" / f"{name}.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return Made(
        name, rep.department, rep.year, pages, pdf.stat().st_size, len(printed.cells), spanning
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100, help="number of reports (default 100)")
    ap.add_argument("-o", "--out", type=Path, default=Path("/tmp/synth"), help="output folder")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=1, help="first report index (default 1)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--font", help="a CJK TrueType font (.ttf/.ttc); default: WenQuanYi")
    ap.add_argument(
        "--ordinals",
        choices=("off", "legacy", "all"),
        default="off",
        help="栏次 rows / 行次 columns of the 2019-2022 template: off (default), "
        "legacy (reports of 2019-2021), all",
    )
    ap.add_argument(
        "--three-public",
        choices=("blocks", "interleaved", "auto"),
        default="blocks",
        help="三公 table columns: blocks (预算数 group, 决算数 group; default), "
        "interleaved (预算数/决算数 per item, 2024 template), auto (interleaved "
        "for 2023-2024)",
    )
    args = ap.parse_args(argv)
    options = {"ordinals": args.ordinals, "three_public": args.three_public}
    (args.out / "truth").mkdir(parents=True, exist_ok=True)
    jobs = [(i, args.seed, str(args.out), options) for i in range(args.start, args.start + args.n)]
    t0 = time.perf_counter()
    if args.jobs > 1:
        with get_context("fork").Pool(args.jobs, initializer=_init, initargs=(args.font,)) as pool:
            rows = list(pool.imap(one, jobs, chunksize=4))
    else:
        _init(args.font)
        rows = [one(j) for j in jobs]
    elapsed = time.perf_counter() - t0
    with open(args.out / "index.csv", "w", encoding="utf-8") as f:
        f.write(",".join(Made._fields) + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    n = len(rows)

    def mean(field: str) -> float:
        return float(sum(getattr(r, field) for r in rows)) / n

    print(
        f"{n} PDFs in {elapsed:.1f}s ({args.jobs} jobs) -> {args.out}: "
        f"{mean('pages'):.1f} pages, {mean('bytes') / 1024:.0f} KiB, "
        f"{mean('cells'):.0f} printed amounts per PDF; "
        f"{mean('spanning'):.2f} of the 9 tables span two pages"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
