"""A parsed report from what a user hands over: the report's own files (PDF, text), or
the canonical JSON `fiscalpub parse` wrote.  Parse layer, so the vocabulary, validate
and the library API (which adds the self-check) all load reports the same way."""

from __future__ import annotations

from pathlib import Path

from fiscalpub.canonical import read_canonical
from fiscalpub.model import Report
from fiscalpub.parse.report import build_report
from fiscalpub.read import read_document


def read_report(group: list[Path]) -> Report:
    """A report from its files, or from the canonical JSON `fiscalpub parse` wrote
    (parsed only: `fiscalpub.api.load_report` adds the self-check, which the
    vocabulary does not need).  Not `load_report`: that name is the API's, with checks."""
    if len(group) == 1 and group[0].suffix == ".json":
        return read_canonical(group[0])
    return build_report([read_document(str(p), source=i) for i, p in enumerate(group)])
