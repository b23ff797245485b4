"""Benchmark: fiscalpub parse (in-process) against `pdftotext -layout` on the same PDFs.

For every PDF of the corpus (or the files given), the median of 5 warm runs of
each, measured in the same run, and their ratio.  Two-file reports are timed
as one report (both files), against pdftotext on both files.

    python bench/parse.py                 # ../shared/corpus/pdf
    python bench/parse.py a.pdf b.pdf     # given files (each one report)

Needs poppler-utils (pdftotext) on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import timing  # bench/timing.py (the script's folder is on sys.path)

from fiscalpub.api import parse_files

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "pdf"
RUNS = 5


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    return timing.median_seconds(fn, runs)


def reports(paths: list[Path]) -> list[list[Path]]:
    """Group the two halves of a report (…-text.pdf + …-tables.pdf)."""
    out: list[list[Path]] = []
    for path in sorted(paths):
        if path.name.endswith("-tables.pdf"):
            continue
        if path.name.endswith("-text.pdf"):
            tables = path.with_name(path.name.replace("-text.pdf", "-tables.pdf"))
            out.append([path, tables] if tables.exists() else [path])
        else:
            out.append([path])
    return out


def main(argv: list[str]) -> int:
    if shutil.which("pdftotext") is None:
        print("bench: pdftotext not found (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    paths = [Path(a) for a in argv] or sorted(CORPUS.glob("*.pdf"))
    groups = [[p] for p in paths] if argv else reports(paths)
    print(f"{'report':46} {'pages':>5} {'fiscalpub':>10} {'pdftotext':>10} {'ratio':>6}")
    total_ours = total_ref = 0.0
    for files in groups:

        def ours(files: list[Path] = files) -> object:
            return parse_files(files)

        def ref(files: list[Path] = files) -> object:
            return [
                subprocess.run(
                    ["pdftotext", "-layout", str(f), "-"], capture_output=True, check=True
                )
                for f in files
            ]

        t_ours, t_ref = median_seconds(ours), median_seconds(ref)
        total_ours += t_ours
        total_ref += t_ref
        pages = sum(_pages(f) for f in files)
        name = " + ".join(f.name for f in files)
        print(
            f"{name[:46]:46} {pages:>5} {t_ours * 1000:>8.0f}ms {t_ref * 1000:>8.0f}ms "
            f"{t_ours / t_ref:>5.2f}x"
        )
    print(
        f"{'overall':46} {'':>5} {total_ours * 1000:>8.0f}ms {total_ref * 1000:>8.0f}ms "
        f"{total_ours / total_ref:>5.2f}x"
    )
    return 0


def _pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
