"""The library entry points (no click here): parse files into a Report."""

from __future__ import annotations

from pathlib import Path

from fiscalpub.model import Report
from fiscalpub.parse.report import build_report
from fiscalpub.read import read_document


def parse_files(paths: list[str | Path]) -> Report:
    """Parse one report given as one or more files (e.g. narrative + tables)."""
    docs = [read_document(str(p), source=i) for i, p in enumerate(paths)]
    return build_report(docs)
