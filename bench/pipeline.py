"""Benchmark of the whole pipeline (`fiscalpub run`), on real reports or synthetic ones.

**Real-report mode** (``--real``, what issue 18 measures): the reports of ../shared/corpus
(and those of examples/ that the corpus does not hold; examples/ alone on a fresh
clone) multiplied to N reports, charts included, 2 processes.  How a copy is made and
given its own identity: bench/realrun.py (a folder per copy; bytes made distinct after
the PDF's end; the department renamed ``…（副本0042）`` in the canonical model right after
parsing; everything else is `fiscalpub run` unchanged).  For each N it prints, from one
run and its re-run:

- wall seconds and CPU seconds (the run and all its workers), and CPU per report;
- the run's CPU over `pdftotext -layout`'s on the same N reports, measured just before
  (the machine's speed drifts by a third over an hour here: compare runs by this ratio);
- each stage's share of the CPU (parse, validate, package, charts, rdf, from
  `run --json`'s per-stage seconds summed over the workers; "other" = start-up,
  grouping the files, the catalog, waiting);
- a re-run with nothing changed, as a share of the full run;
- the peak memory of a worker (`run --json`'s ``peak_worker_kb``).

The fiscalpub benchmarked is byte-compiled first, as an installed one is.  And once:
`parse` against `pdftotext -layout` on every corpus PDF report (median and
worst ratio, each timed in this run: a report's first parse in a process that parses
the reports one after another as a worker does, median of 3 such processes, against
the median of 3 pdftotext runs), and the peak memory of `fiscalpub run` on the largest
corpus report.

**Synthetic mode** (default): N synthetic PDF reports from bench/synth/generate.py (the
structure of real 部门决算 PDFs, rendered with a CJK font; departments, years and amounts
varied consistently), charts excluded; the parse stage against `pdftotext -layout` on the
same PDFs with the same parallelism.

    python bench/pipeline.py --real                 # 100 and 1,000 real reports, 2 processes
    python bench/pipeline.py --real -n 100          # one size
    python bench/pipeline.py                        # synthetic, 100 and 1,000 reports
    python bench/pipeline.py -n 100 --keep /tmp/synth-bench   # reuse generated PDFs

Needs poppler-utils (pdftotext) for the references.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
STAGES = ("parse", "validate", "package", "charts", "rdf")


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


def pdftotext_one(pdf: Path) -> None:
    """`pdftotext -layout` on one PDF, its text and warnings thrown away: the reference."""
    subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # its font warnings
    )


def pdftotext(pdfs: list[Path], jobs: int) -> float:
    """Wall seconds of pdftotext_one on `pdfs`, `jobs` at a time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(pdftotext_one, pdfs))
    return time.perf_counter() - started


# ------------------------------------------------------------------ real-report mode


def real_sources() -> list[list[Path]]:
    """The real reports: every corpus PDF report (``<stem>-text.pdf`` + ``<stem>-tables.pdf``
    are one) and text seed, and the reports of examples/ whose bytes the corpus does not
    hold (all of them on a fresh clone without ../shared)."""
    pdfs = sorted((CORPUS / "pdf").rglob("*.pdf")) if CORPUS.is_dir() else []
    groups: list[list[Path]] = []
    for pdf in pdfs:
        if pdf.name.endswith("-tables.pdf"):
            continue
        tables = pdf.with_name(pdf.name.replace("-text.pdf", "-tables.pdf"))
        groups.append(
            [pdf, tables] if pdf.name.endswith("-text.pdf") and tables.exists() else [pdf]
        )
    texts = sorted((CORPUS / "seeds").glob("*.txt")) if CORPUS.is_dir() else []
    seen = {hashlib.sha256(t.read_bytes()).digest() for t in texts}
    texts += [
        t
        for t in sorted((ROOT / "examples").glob("*.txt"))
        if hashlib.sha256(t.read_bytes()).digest() not in seen
    ]
    return groups + [[t] for t in texts]


def make_copies(sources: list[list[Path]], n: int, folder: Path) -> None:
    """Copies 1..n of the sources, round robin, each in its own folder ``copy-NNNN``,
    its bytes made distinct where the parser does not read (bench/realrun.py)."""
    for i in range(1, n + 1):
        target = folder / f"copy-{i:04d}"
        if target.exists():
            continue
        target.mkdir(parents=True)
        for src in sources[(i - 1) % len(sources)]:
            data = src.read_bytes()
            if src.suffix == ".pdf":
                data += f"\n%fiscalpub-bench copy {i:04d}\n".encode()
            else:
                data += b"\n" * (1 + i)
            (target / src.name).write_bytes(data)


def timed_run(args: list[str]) -> tuple[float, float, dict[str, Any]]:
    """Wall and CPU seconds (the command and every process it waited for) of
    `bench/realrun.py run ARGS --json`, and its summary."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / "realrun.py"), "run", *args, "--json", "--quiet"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        },
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fiscalpub run failed: {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(proc.stdout)


def pdftotext_cpu(files: list[Path]) -> float:
    """CPU seconds of `pdftotext -layout` on `files` (the PDFs among them), one after
    another."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for f in files:
        if f.suffix == ".pdf":
            pdftotext_one(f)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def real_size(n: int, sources: list[list[Path]], work: Path, jobs: int) -> dict[str, Any]:
    """One size: the run, its re-run, and the machine's speed at the time: `pdftotext
    -layout` on the same N reports (each source once, right before the run, counted as
    many times as it is copied), so runs at other times or of other trees compare by
    the ratio ``run CPU / pdftotext CPU`` as well as by seconds."""
    chosen, out = work / f"in-{n}", work / f"out-{n}"
    make_copies(sources, n, chosen)  # copies, not links: run does not follow links out
    args = [str(chosen), "-o", str(out), "-j", str(jobs)]
    each = [pdftotext_cpu(files) for files in sources]
    reference = sum(each[i % len(sources)] for i in range(n))
    full, cpu, summary = timed_run(args)
    again, _, second = timed_run(args)
    stages: dict[str, float] = summary["stage_seconds"]
    shares = {k: 100 * stages.get(k, 0.0) / cpu for k in STAGES}
    shares["other"] = max(0.0, 100 - sum(shares.values()))
    return {
        "reports": n,
        "built": summary["built"],
        "failed": summary["failed"],
        # why, once per reason (copies of one report fail alike)
        "failed_because": sorted({f["error"][:90] for f in summary["failures"]}),
        "wall_s": round(full, 1),
        "cpu_s": round(cpu, 1),
        "cpu_ms_per_report": round(1000 * cpu / n, 1),
        "pdftotext_cpu_s": round(reference, 1),
        "cpu_vs_pdftotext": round(cpu / reference, 2),
        "stages_pct_of_cpu": {k: round(v, 1) for k, v in shares.items()},
        "rerun_s": round(again, 2),
        "rerun_pct": round(100 * again / full, 1),
        "rerun_skipped": second["skipped"],
        "peak_worker_mb": round(summary.get("peak_worker_kb", 0) / 1024, 1),
    }


def parse_vs_pdftotext(sources: list[list[Path]], rounds: int = 3) -> dict[str, Any]:
    """`parse` against `pdftotext -layout` on each corpus PDF report, CPU time.

    Ours as a worker of `fiscalpub run` meets it: a fresh process (with the workers'
    garbage collection settings, fiscalpub.pool.batch_gc), warmed up on a text
    report of examples/ (imports, registry), then parses every PDF report once, in
    order, each timed on its first parse (nothing of that file cached yet); `rounds`
    such processes, the median per report.  pdftotext: the median of `rounds` runs
    (CPU time of the child)."""
    pdf_reports = [files for files in sources if files[0].suffix == ".pdf"]
    warm = sorted((ROOT / "examples").glob("*.txt"))[:1]
    code = (
        "import json, sys, time\n"
        "from fiscalpub.api import parse_files\n"
        "try:\n"
        "    from fiscalpub.pool import batch_gc\n"
        "    batch_gc()\n"
        "except ImportError:  # a fiscalpub from before batch_gc (bench of an old tree)\n"
        "    pass\n"
        "reports = json.loads(sys.argv[1])\n"
        "for files in json.loads(sys.argv[2]):\n"
        "    parse_files(files)\n"
        "times = []\n"
        "for files in reports:\n"
        "    t = time.process_time(); parse_files(files); times.append(time.process_time() - t)\n"
        + FLOOR
        + "print(json.dumps([times, floors, reads]))\n"
    )
    arg = json.dumps([[str(f) for f in files] for files in pdf_reports])
    warm_arg = json.dumps([[str(f)] for f in warm])
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code, arg, warm_arg],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(rounds)
    ]
    rows = []
    for i, files in enumerate(pdf_reports):
        ours, floor, read = (statistics.median(run[k][i] for run in runs) for k in range(3))
        theirs = statistics.median(pdftotext_cpu(files) for _ in range(rounds))
        rows.append((ours / theirs, ours, theirs, " + ".join(f.name for f in files), floor, read))
    rows.sort()
    worst = rows[-1]
    total = sum(r[2] for r in rows)
    return {
        "reports": len(rows),
        "median_ratio": round(statistics.median(r[0] for r in rows), 2),
        "worst_ratio": round(worst[0], 2),
        "worst_report": worst[3],
        "overall_ratio": round(sum(r[1] for r in rows) / total, 2),
        # what parse is made of, over pdftotext, all reports together: pdfium's own
        # loading of each page and its text (no Python of ours: the floor of a parse
        # that reads with pdfium), the reading into lines and words (read/), the rest
        "pdfium_floor_ratio": round(sum(r[4] for r in rows) / total, 2),
        "read_ratio": round(sum(r[5] for r in rows) / total, 2),
        "per_report": [
            {
                "report": r[3],
                "ratio": round(r[0], 2),
                "parse_ms": round(1000 * r[1], 1),
                "pdftotext_ms": round(1000 * r[2], 1),
                "pdfium_floor_ms": round(1000 * r[4], 1),
                "read_ms": round(1000 * r[5], 1),
            }
            for r in rows
        ],
    }


# After the parses (so each parse stays a first one), per report: pdfium alone opening
# the file, loading every page and its text page and taking the text — what any reading
# with pdfium costs before a line of ours runs — and fiscalpub.read alone (lines, words,
# rules).
FLOOR = (
    "import pathlib\n"
    "import pypdfium2 as pdfium\n"
    "from fiscalpub.read import read_document\n"
    "def floor(path):\n"
    "    pdf = pdfium.PdfDocument(pathlib.Path(path).read_bytes())\n"
    "    for i in range(len(pdf)):\n"
    "        page = pdf[i]; text = page.get_textpage()\n"
    "        text.get_text_range(0, text.count_chars()); text.close(); page.close()\n"
    "    pdf.close()\n"
    "floors, reads = [], []\n"
    "for files in reports:\n"
    "    t = time.process_time()\n"
    "    for f in files: floor(f)\n"
    "    floors.append(time.process_time() - t)\n"
    "    t = time.process_time()\n"
    "    for i, f in enumerate(files): read_document(f, source=i)\n"
    "    reads.append(time.process_time() - t)\n"
)


def largest_peak(sources: list[list[Path]], work: Path) -> dict[str, Any]:
    """Peak memory of `fiscalpub run` on the corpus report with the most pages, alone."""
    import pypdfium2 as pdfium

    def pages(files: list[Path]) -> int:
        total = 0
        for f in files:
            if f.suffix == ".pdf":
                doc = pdfium.PdfDocument(str(f))
                total += len(doc)
                doc.close()
        return total

    files = max(sources, key=pages)
    folder = work / "largest" / "copy-0000"
    folder.mkdir(parents=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    _, _, summary = timed_run([str(folder.parent), "-o", str(work / "largest-out"), "-j", "1"])
    return {
        "report": " + ".join(f.name for f in files),
        "pages": pages(files),
        "peak_mb": round(summary.get("peak_worker_kb", 0) / 1024, 1),
    }


def compiled() -> None:
    """The benchmarked fiscalpub's modules byte-compiled, as `pip install .` leaves them:
    an editable checkout run with PYTHONDONTWRITEBYTECODE compiles every module again in
    every process (~1 CPU-s per process here), which an installed fiscalpub never does."""
    import compileall

    import fiscalpub

    compileall.compile_dir(str(Path(fiscalpub.__file__).parent), quiet=1)


def main_real(sizes: list[int], jobs: int) -> None:
    compiled()
    sources = real_sources()
    if not sources:
        raise SystemExit("no real reports: ../shared/corpus and examples/ are missing")
    work = Path(tempfile.mkdtemp(prefix="fiscalpub-bench-real-"))
    print(
        f"{len(sources)} real reports, multiplied to {', '.join(map(str, sizes))}; "
        f"{jobs} processes; {os.cpu_count()} CPUs",
        flush=True,
    )
    rows = []
    try:
        parse = parse_vs_pdftotext(sources)
        print(
            json.dumps({k: v for k, v in parse.items() if k != "per_report"}, ensure_ascii=False),
            flush=True,
        )
        peak = largest_peak(sources, work)
        print(json.dumps(peak, ensure_ascii=False), flush=True)
        for n in sorted(sizes):
            rows.append(real_size(n, sources, work, jobs))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"parse vs pdftotext -layout ({parse['reports']} PDF reports, CPU): "
        f"median {parse['median_ratio']}×, worst {parse['worst_ratio']}× "
        f"({parse['worst_report']}), overall {parse['overall_ratio']}×; of which, overall: "
        f"reading {parse['read_ratio']}× (pdfium's own page and text loading alone "
        f"{parse['pdfium_floor_ratio']}×)"
    )
    print(
        f"peak memory, largest corpus report alone ({peak['report']}, {peak['pages']} pages): "
        f"{peak['peak_mb']} MB"
    )
    print()
    head = " ".join(f"{k:>8}" for k in (*STAGES, "other"))
    print(
        f"{'reports':>8} {'wall s':>8} {'CPU s':>8} {'CPU ms/r':>9} {'×pdftotext':>10} "
        f"{'re-run':>8} {'peak MB':>8}  share of CPU: {head}"
    )
    for r in rows:
        shares = " ".join(f"{r['stages_pct_of_cpu'][k]:>7}%" for k in (*STAGES, "other"))
        print(
            f"{r['reports']:>8} {r['wall_s']:>8} {r['cpu_s']:>8} {r['cpu_ms_per_report']:>9} "
            f"{r['cpu_vs_pdftotext']:>9}× {r['rerun_pct']:>7}% {r['peak_worker_mb']:>8}"
            f"                {shares}"
        )
    print(
        "×pdftotext: the run's CPU over pdftotext -layout's on the same reports, measured "
        "just before it (the machine's speed varies over time; the ratio does much less)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, nargs="+", default=[100, 1000], help="report counts")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--keep", type=Path, help="synthetic: folder for the generated PDFs (kept)")
    ap.add_argument("--real", action="store_true", help="the corpus's real reports multiplied to N")
    args = ap.parse_args()
    if not shutil.which("pdftotext"):
        raise SystemExit("pdftotext is needed for the reference (apt-get install poppler-utils)")
    if args.real:
        main_real(args.n, args.jobs)
        return
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
