"""`fiscalpub run`, for bench/pipeline.py's copies of real reports: every copy a report of
its own.

The benchmark multiplies the real reports of ../shared/corpus and examples/ to N by
copying each report's files into a folder of its own, ``copy-0042/``.  A copy's bytes
differ from the original's by a comment after the PDF's end (``%%EOF``), or trailing
newlines of a text report, neither of which the parser reads: so no cache keyed by
content (the grouping's probes, a file's duplicate check) treats two copies as one.
Its identity is varied in the canonical model: right after a copy is parsed, its
department becomes ``<department>（副本0042）`` — a distinct package name, page and RDF
dataset, as N distinct reports have.  Everything else is `fiscalpub run` as a user runs
it (this module replaces the parser's entry point in this process and, since workers are
started by spawn and import the main module, in every worker).

    python bench/realrun.py run FOLDER -o OUT [run options]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fiscalpub import grouping, pipeline
from fiscalpub.parse import load
from fiscalpub.parse import report as parse_report

COPY = re.compile(r"copy-(\d+)")
_parse = parse_report.build_report


def build_report(docs: list[Any]) -> Any:
    """The report as parsed, its department renamed after the copy's folder."""
    report = _parse(docs)
    copy = COPY.fullmatch(Path(str(docs[0].path)).parent.name)
    if copy and report.report.department:
        report.report.department = f"{report.report.department}（副本{copy.group(1)}）"
    return report


# every place `run` parses a report (the grouping's probes, a worker's report of one file
# or of several): each module that imported the parser's entry point by name
for _module in (grouping, load, pipeline):
    if getattr(_module, "build_report", None) is _parse:
        _module.build_report = build_report  # type: ignore[attr-defined]

if __name__ == "__main__":
    from fiscalpub.cli import main

    main()
