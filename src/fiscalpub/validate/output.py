"""Validation results for people (grouped, coloured on a TTY), programs (JSON) and CI
(JUnit XML, SARIF 2.1.0), and the baseline of accepted findings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from fiscalpub import __version__
from fiscalpub.findings import finding_code
from fiscalpub.model import Finding, Severity
from fiscalpub.validate.defects import Checked
from fiscalpub.validate.engine import sort_key
from fiscalpub.validate.rules import ROUNDING, RULES

COLOURS: dict[str, str] = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


@dataclass
class Outcome:
    checked: Checked
    contradictions: list[Finding] = field(default_factory=list)
    accepted: list[Finding] = field(default_factory=list)  # in the baseline
    strict: bool = False

    @property
    def failures(self) -> list[Finding]:
        """What fails the run: defects, and with --strict error-severity contradictions."""
        errors = (
            [f for f in self.contradictions if f.severity == Severity.ERROR] if self.strict else []
        )
        return [*self.checked.defects, *errors]


def rule_catalogue() -> dict[str, dict[str, str]]:
    """Rule ids with severity and docs, and the rules' `rounding` warning: the finding codes
    of the rules in the finding catalogue (data/findings.yaml)."""
    out: dict[str, dict[str, str]] = {}
    for code in [*(rule.id for rule in RULES), ROUNDING]:
        entry = finding_code(code)
        out[code] = {"severity": entry.severity, "en": entry.doc_en, "zh": entry.doc_zh}
    return out


def read_baseline(path: Path) -> set[str]:
    """Finding ids accepted earlier: a JSON list of ids, or `--json` output of validate."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # --json output: its findings and what it accepted already
        data = [
            *(f["id"] for target in data.get("targets", []) for f in target.get("findings", [])),
            *(i for target in data.get("targets", []) for i in target.get("accepted", [])),
        ]
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of finding ids or the --json output of validate")
    return {str(x["id"] if isinstance(x, dict) else x) for x in data}


def to_json(outcomes: list[Outcome], exit_code: int) -> str:
    return (
        json.dumps(
            {
                "fiscalpub": __version__,
                "exit_code": exit_code,
                "targets": [
                    {
                        "path": str(o.checked.path),
                        "kind": o.checked.kind,
                        "defects": [f.to_dict() for f in o.checked.defects],
                        "findings": [f.to_dict() for f in o.contradictions],
                        "accepted": [f.id for f in o.accepted],
                    }
                    for o in outcomes
                ],
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )


def human(outcomes: list[Outcome], colour: bool) -> str:
    import click

    def style(text: str, severity: str) -> str:
        return click.style(text, fg=COLOURS.get(severity)) if colour else text

    docs = rule_catalogue()
    lines: list[str] = []
    for o in outcomes:
        status = "INVALID" if o.checked.defects else "FAILED (--strict)" if o.failures else "valid"
        lines.append(f"{o.checked.path}  [{o.checked.kind}, {status}]")
        for f in o.checked.defects:
            lines.append("  " + style(f"error   {f.code}", "error") + f"  {f.message}")
        by_code: dict[str, list[Finding]] = {}
        for f in sorted(o.contradictions, key=sort_key):
            by_code.setdefault(f.code, []).append(f)
        for code, group in by_code.items():
            sev = group[0].severity
            doc = docs.get(code, {})
            about = f"  {doc.get('zh', '')} {doc.get('en', '')}".rstrip()
            lines.append("  " + style(f"{sev:7} {code}", sev) + f"  ({len(group)}){about}")
            for f in group:
                loc = ", ".join(_where(w) for w in f.where[:2])
                lines.append(f"      {f.message}" + (f"  [{loc}]" if loc else ""))
        if o.accepted:
            lines.append(f"  {len(o.accepted)} finding(s) accepted by the baseline")
    return "\n".join(lines) + "\n"


def _where(w: Any) -> str:
    parts = [f"p.{w.page}" if w.page else "", f"l.{w.line}" if w.line else "", w.table or ""]
    return " ".join(p for p in parts if p)


def junit(outcomes: list[Outcome]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for o in outcomes:
        cases = [*o.checked.defects, *o.contradictions]
        failing = {id(f) for f in o.failures}
        failures = len(failing)
        tests = str(max(1, len(cases)))
        out.append(
            f"  <testsuite name={quoteattr(str(o.checked.path))} tests={quoteattr(tests)} "
            f"failures={quoteattr(str(failures))}>"
        )
        if not cases:
            out.append(
                f'    <testcase classname="fiscalpub" name={quoteattr(o.checked.path.name)}/>'
            )
        for f in cases:
            classname = quoteattr("fiscalpub." + f.code)
            out.append(f"    <testcase classname={classname} name={quoteattr(f.id)}>")
            if id(f) in failing:
                out.append(
                    f"      <failure type={quoteattr(f.code)} message={quoteattr(f.message)}>"
                    f"{escape(f.message)}</failure>"
                )
            else:
                out.append(
                    f"      <system-out>{escape(f.severity + ': ' + f.message)}</system-out>"
                )
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def sarif(outcomes: list[Outcome]) -> str:
    rules = rule_catalogue()
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = []
    for o in outcomes:
        sources = [s.path for s in o.checked.report.report.sources] if o.checked.report else []
        for f in [*o.checked.defects, *o.contradictions]:
            locations = []
            for w in f.where:
                uri = (
                    sources[w.source]
                    if w.source is not None and w.source < len(sources)
                    else str(o.checked.path)
                )
                loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
                if w.line:
                    loc["physicalLocation"]["region"] = {"startLine": w.line}
                locations.append(loc)
            results.append(
                {
                    "ruleId": f.code,
                    "level": level.get(f.severity, "note"),
                    "message": {"text": f.message},
                    "locations": locations
                    or [{"physicalLocation": {"artifactLocation": {"uri": str(o.checked.path)}}}],
                    "partialFingerprints": {"fiscalpubFindingId": f.id},
                }
            )
    driver = {
        "name": "fiscalpub",
        "version": __version__,
        "informationUri": "https://w3id.org/fiscalpub",
        "rules": [
            {
                "id": rid,
                "shortDescription": {"text": doc["en"]},
                "fullDescription": {"text": f"{doc['zh']} {doc['en']}"},
                "defaultConfiguration": {"level": level.get(doc["severity"], "note")},
            }
            for rid, doc in sorted(rules.items())
        ],
    }
    return (
        json.dumps(
            {
                "version": "2.1.0",
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "runs": [{"tool": {"driver": driver}, "results": results}],
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
