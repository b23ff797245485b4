"""The library entry points (no click here): parse files into a Report.

This module sits above the stages it combines (read → parse → validate): a parsed
report comes with its self-check (contract 1.1 ``checks``), which the validator's
relations compute, so `parse` never imports `validate`.
"""

from __future__ import annotations

from pathlib import Path

from fiscalpub.model import Report
from fiscalpub.parse.report import build_report
from fiscalpub.read import read_document
from fiscalpub.validate.selfcheck import self_check


def parse_files(paths: list[str | Path]) -> Report:
    """Parse one report given as one or more files (e.g. narrative + tables), with its
    self-check."""
    docs = [read_document(str(p), source=i) for i, p in enumerate(paths)]
    return with_checks(build_report(docs))


def load_report(group: list[Path]) -> Report:
    """A report from its files, or from the canonical JSON `fiscalpub parse` wrote,
    with its self-check (computed for a JSON written before contract 1.1)."""
    from fiscalpub.vocab.files import load_report as load

    return with_checks(load(group))


def with_checks(report: Report) -> Report:
    """The report with its self-check computed (kept when it has one: a canonical JSON
    written by `fiscalpub parse`)."""
    if report.report.checks is None:
        report.report.checks = self_check(report)
    return report
