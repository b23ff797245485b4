"""Run the rule catalogue over a canonical report."""

from __future__ import annotations

from fiscalpub.model import Finding, Report
from fiscalpub.validate.rules import RULES, Index

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def sort_key(f: Finding) -> tuple[int, str, str]:
    """Errors first, then by rule id, then by the stable finding id."""
    return (SEVERITY_ORDER.get(f.severity, 3), f.code, f.id)


def run(report: Report) -> list[Finding]:
    """Every contradiction the source makes with itself, once each, in a stable order."""
    ix = Index(report)
    found: dict[str, Finding] = {}
    for rule in RULES:
        for finding in rule(ix):
            found.setdefault(finding.id, finding)
    return sorted(found.values(), key=sort_key)
