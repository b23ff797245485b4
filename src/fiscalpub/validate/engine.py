"""Run the rule catalogue over a canonical report."""

from __future__ import annotations

from fiscalpub.model import Finding, Report, Severity
from fiscalpub.validate.rules import RULES, Check, Index

SEVERITY_ORDER: dict[str, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def sort_key(f: Finding) -> tuple[int, str, str]:
    """Errors first, then by rule id, then by the stable finding id."""
    return (SEVERITY_ORDER.get(f.severity, 3), f.code, f.id)


def checks(report: Report) -> list[Check]:
    """Every relation of the rule catalogue over the report's printed amounts,
    evaluated (those that hold too): what `validate_report` and the self-check both read."""
    ix = Index(report)
    return [check for rule in RULES for check in rule(ix)]


def validate_report(report: Report, evaluated: list[Check] | None = None) -> list[Finding]:
    """Every contradiction the source makes with itself, once each, in a stable order;
    `evaluated`: `checks(report)` when the caller has it already (run evaluates the
    relations once for the self-check and the findings)."""
    found: dict[str, Finding] = {}
    for check in checks(report) if evaluated is None else evaluated:
        if check.finding is not None:
            found.setdefault(check.finding.id, check.finding)
    return sorted(found.values(), key=sort_key)
