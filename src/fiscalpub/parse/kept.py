"""Parsed reports kept for the rest of one run: a file is parsed once per run.

`fiscalpub run` parses every file of a folder alone to find which files make one report
(fiscalpub.grouping's probes), then parses each report again to build its package.  A
file that is a report by itself — nearly all — was parsed the same way both times
(``build_report([read_document(path)])``), so the probe keeps its report here and the
package is built from it.  A file that may be half of a report (tables only, or
narrative only) also keeps the document read from it, and the report of its two files
is parsed from the two documents without reading either file again.

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
from fiscalpub.read.document import Document


def _name(folder: Path, path: Path, what: str) -> Path:
    return folder / f"{hashlib.sha256(str(path).encode()).hexdigest()}.{what}.pickle"


def keep(
    folder: Path, path: Path, digest: str, report: Report, document: Document | None = None
) -> None:
    """Keep the report parsed from `path` (whose bytes have the sha256 `digest`), and the
    document read from it when the file may be half of a report (its other half's
    report is then parsed from both documents, without reading this file again)."""
    data = pickle.dumps((digest, report), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(_name(folder, path, "report"), data)
    if document is not None:
        data = pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(_name(folder, path, "document"), data)


def _load(name: Path) -> object:
    """A kept object, used once (the pickle is removed); None when there is none."""
    try:
        data = name.read_bytes()
    except OSError:
        return None
    name.unlink(missing_ok=True)
    return pickle.loads(data)  # only this run writes its private folder


def take(folder: Path, path: Path) -> Report | None:
    """The report kept for `path`, when there is one and the file has not changed since;
    else None (the caller parses)."""
    kept = _load(_name(folder, path, "report"))
    if not isinstance(kept, tuple) or len(kept) != 2:
        return None
    digest, report = kept
    if not isinstance(report, Report) or digest != sha256_file(path):
        return None
    return report


def take_document(folder: Path, path: Path, source: int) -> Document | None:
    """The document kept for `path` as file `source` of its report (what
    ``read_document(path, source)`` returns), when the file has not changed since."""
    document = _load(_name(folder, path, "document"))
    if not isinstance(document, Document) or document.sha256 != sha256_file(path):
        return None
    document.source = source
    for page in document.pages:
        for line in page.lines:
            line.source = source
    return document
