"""Parsed reports kept for the rest of one run: a file is parsed once per run.

`fiscalpub run` parses every file of a folder alone to find which files make one report
(fiscalpub.grouping's probes), then parses each report again to build its package.  A
file that is a report by itself — nearly all — was parsed the same way both times
(``build_report([read_document(path)])``), so the probe keeps its report here and the
package is built from it.

The folder is the run's own (a private temporary folder, removed when the run ends), so
nothing but this process and its workers writes the pickles it loads.  A kept report is
used only when the file still has the bytes it was parsed from (its sha256 is checked).
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from fiscalpub.atomic import sha256_file, write_atomic
from fiscalpub.model import Report


def _name(folder: Path, path: Path) -> Path:
    return folder / (hashlib.sha256(str(path).encode()).hexdigest() + ".pickle")


def keep(folder: Path, path: Path, digest: str, report: Report) -> None:
    """Keep the report parsed from `path` (whose bytes have the sha256 `digest`)."""
    data = pickle.dumps((digest, report), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(_name(folder, path), data)


def take(folder: Path, path: Path) -> Report | None:
    """The report kept for `path`, when there is one and the file has not changed since;
    else None (the caller parses).  The pickle is removed: one use per run."""
    name = _name(folder, path)
    try:
        data = name.read_bytes()
    except OSError:
        return None
    name.unlink(missing_ok=True)
    digest, report = pickle.loads(data)  # only this run writes its private folder
    if not isinstance(report, Report) or digest != sha256_file(path):
        return None
    return report
