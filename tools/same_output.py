"""Compare two output folders of `fiscalpub run` file by file (SHA-256 of the bytes).

A refactoring must not change what users get: run the same reports with the code before
and after into two folders, then

    python tools/same_output.py BEFORE AFTER

prints every file that differs, is missing or is new, and exits 1 if there is one.
The run's bookkeeping (.fiscalpub-run.json, .fiscalpub-probes.json, .fiscalpub-pages.json,
the lock) records code digests and timings, so it is left out.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

BOOKKEEPING = {
    ".fiscalpub-run.json",
    ".fiscalpub-probes.json",
    ".fiscalpub-pages.json",
    ".fiscalpub-run.lock",
}


def digests(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under `folder` but the run's bookkeeping."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in BOOKKEEPING
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all(Path(a).is_dir() for a in argv):
        print("usage: python tools/same_output.py BEFORE_FOLDER AFTER_FOLDER", file=sys.stderr)
        return 2
    before, after = (digests(Path(a)) for a in argv)
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    missing = sorted(before.keys() - after.keys())
    new = sorted(after.keys() - before.keys())
    for label, names in (("differs", changed), ("missing", missing), ("new", new)):
        for name in names:
            print(f"{label}: {name}")
    same = len(before.keys() & after.keys()) - len(changed)
    print(
        f"{same} of {len(before)} files identical, {len(changed)} differ, "
        f"{len(missing)} missing, {len(new)} new"
    )
    return 1 if changed or missing or new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
