"""Benchmark of the whole pipeline (`fiscalpub run`) on synthetic PDF reports.

What it measures, in one run and on the same files:

- the full pipeline (parse → package → validate → RDF; charts excluded, as the issue
  asks) on N synthetic PDF reports with `-j JOBS` processes, for each N given;
- the share of each stage (from `run --json`: seconds summed over the workers);
- the reference: `pdftotext -layout` on the same PDFs with the same parallelism, and
  the ratio of fiscalpub's parse stage to it;
- an incremental re-run with nothing changed, as a share of the full run.

The reports come from bench/synth/generate.py (the structure of real 部门决算 PDFs,
rendered with a CJK font; departments, years and amounts varied consistently).

    python bench/pipeline.py                      # 100 and 1,000 reports, 2 processes
    python bench/pipeline.py -n 100 1000 5000 -j 2
    python bench/pipeline.py -n 100 --keep /tmp/synth-bench   # reuse generated PDFs
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def generate(n: int, folder: Path, jobs: int) -> float:
    """Synthetic reports 1..n in `folder` (kept between sizes: only new ones are made)."""
    have = len(list(folder.glob("*.pdf"))) if folder.exists() else 0
    if have >= n:
        return 0.0
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(HERE / "synth" / "generate.py"),
            "-n",
            str(n - have),
            "-o",
            str(folder),
            "--start",
            str(have + 1),
            "-j",
            str(jobs),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def subset(folder: Path, n: int, target: Path) -> list[Path]:
    """The first n PDFs, linked into their own folder (run takes a folder)."""
    target.mkdir(parents=True, exist_ok=True)
    pdfs = sorted(folder.glob("*.pdf"))[:n]
    for pdf in pdfs:
        link = target / pdf.name
        if not link.exists():
            link.symlink_to(pdf)
    return pdfs


def run(inputs: Path, out: Path, jobs: int) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fiscalpub.cli",
            "run",
            str(inputs),
            "-o",
            str(out),
            "--no-charts",
            "--json",
            "--quiet",
            "-j",
            str(jobs),
        ],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fiscalpub run failed: {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout)


def pdftotext(pdfs: list[Path], jobs: int) -> float:
    def one(pdf: Path) -> None:
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, stdout=subprocess.DEVNULL
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, pdfs))
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, nargs="+", default=[100, 1000], help="report counts")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--keep", type=Path, help="folder for the generated PDFs (kept)")
    args = ap.parse_args()
    if not shutil.which("pdftotext"):
        raise SystemExit("pdftotext is needed for the reference (apt-get install poppler-utils)")
    work = Path(tempfile.mkdtemp(prefix="fiscalpub-bench-"))
    pdf_dir = args.keep or work / "pdfs"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in sorted(args.n):
            made = generate(n, pdf_dir, args.jobs)
            inputs = work / f"in-{n}"
            pdfs = subset(pdf_dir, n, inputs)
            out = work / f"out-{n}"
            full, summary = run(inputs, out, args.jobs)
            again, second = run(inputs, out, args.jobs)
            reference = pdftotext(pdfs, args.jobs)
            stages: dict[str, float] = summary["stage_seconds"]  # type: ignore[assignment]
            busy = sum(stages.values()) or 1.0
            rows.append(
                {
                    "reports": n,
                    "generated_s": round(made, 1),
                    "full_s": round(full, 1),
                    "per_report_ms": round(1000 * full / n, 1),
                    "built": summary["built"],
                    "failed": summary["failed"],
                    "numbers": summary["numbers"],
                    "stages_pct": {k: round(100 * v / busy, 1) for k, v in stages.items()},
                    "parse_vs_pdftotext": round(
                        (stages.get("parse", 0.0) / args.jobs) / reference, 2
                    ),
                    "pdftotext_s": round(reference, 2),
                    "rerun_s": round(again, 2),
                    "rerun_pct": round(100 * again / full, 1),
                    "rerun_skipped": second["skipped"],
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{'reports':>8} {'full s':>8} {'ms/report':>10} {'parse/pdftotext':>16} "
        f"{'re-run':>8} {'stages (share of worker time)'}"
    )
    for r in rows:
        stages = ", ".join(f"{k} {v}%" for k, v in sorted(r["stages_pct"].items()))  # type: ignore[attr-defined]
        print(
            f"{r['reports']:>8} {r['full_s']:>8} {r['per_report_ms']:>10} "
            f"{r['parse_vs_pdftotext']:>15}× {r['rerun_pct']:>7}% {stages}"
        )


if __name__ == "__main__":
    main()
