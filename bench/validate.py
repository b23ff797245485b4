"""Benchmark: `fiscalpub validate` against the real `frictionless validate` on the same packages.

Both sides are timed as subprocesses, the median of 3 warm runs, in the same run,
with their ratio.  `fiscalpub validate` takes all N packages in one call;
`frictionless validate` given several descriptors merges them into one package
(and fails on the duplicate resource names), so it is run once per package and
the times summed - start-up is paid N times on that side.  A second row times
one package in-process: check_package + the accounting rules against
frictionless.Package(descriptor).validate().

    python bench/validate.py                 # datapackages/*/datapackage.json, 10 copies
    python bench/validate.py --copies 3      # N = 3 * 3 packages
    python bench/validate.py a/ b/datapackage.json --copies 1

fiscalpub validate also runs the accounting rules (fiscalpub.validate.engine)
on every package, which frictionless does not.  Offline.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import timing  # bench/timing.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    return timing.median_seconds(fn, runs)


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1 = invalid package: still a full validation
        sys.exit(f"bench: {' '.join(cmd[:5])} ... exit {done.returncode}\n{done.stderr[-2000:]}")


def package_dirs(args: list[str]) -> list[Path]:
    paths = [Path(a) for a in args] or sorted(ROOT.glob("datapackages/*/datapackage.json"))
    return [p.parent if p.name == "datapackage.json" else p for p in paths]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="package folders or datapackage.json files")
    parser.add_argument("--copies", type=int, default=10, help="copies of each package (10)")
    opts = parser.parse_args(argv)
    originals = package_dirs(opts.packages)
    if not originals or opts.copies < 1:
        parser.error("no packages")
    with tempfile.TemporaryDirectory(prefix="fiscalpub-bench-") as tmp:
        dirs = [
            shutil.copytree(src, Path(tmp) / f"{i}" / src.name)
            for i in range(opts.copies)
            for src in originals
        ]
        ours_cmd = [sys.executable, "-m", "fiscalpub.cli", "validate", *map(str, dirs)]
        ref_cmds = [
            [sys.executable, "-m", "frictionless", "validate", str(d / "datapackage.json")]
            for d in dirs
        ]
        t_ours = median_seconds(lambda: run(ours_cmd))
        t_ref = median_seconds(lambda: [run(c) for c in ref_cmds])
        p_ours, p_ref = in_process(originals)
    print(
        f"packages: {len(originals)} x {opts.copies} copies (fiscalpub runs the accounting "
        f"rules too); median of {RUNS} warm runs"
    )
    print("frictionless: one subprocess per package (it merges several descriptors), summed")
    print(f"{'mode':28} {'N':>4} {'fiscalpub':>10} {'frictionless':>12} {'ratio':>6}")
    print(
        f"{'CLI subprocess, total':28} {len(dirs):>4} {t_ours:>9.2f}s {t_ref:>11.2f}s "
        f"{t_ours / t_ref:>5.2f}x"
    )
    print(
        f"{'in-process, per package':28} {len(originals):>4} {p_ours:>9.3f}s "
        f"{p_ref:>11.3f}s {p_ours / p_ref:>5.2f}x"
    )
    return 0


def in_process(dirs: list[Path]) -> tuple[float, float]:
    """Mean over the packages of the median per-package time, both sides."""
    from frictionless import Package

    from fiscalpub.validate.defects import check_package
    from fiscalpub.validate.engine import validate_report

    def ours(d: Path) -> object:
        checked = check_package(d)
        return validate_report(checked.report) if checked.report else []

    ours_t = [median_seconds(lambda d=d: ours(d)) for d in dirs]

    def ref(d: Path) -> object:
        return Package(str(d / "datapackage.json")).validate()

    ref_t = [median_seconds(lambda d=d: ref(d)) for d in dirs]
    return statistics.mean(ours_t), statistics.mean(ref_t)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
