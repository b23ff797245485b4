"""A report's narrative facts, beyond what one file's narrative states (parse/narrative.py):
the facts of all its files, the 三公 phase written into the indicator, and the codes of
the function and economic lines the narrative names by path or name."""

from __future__ import annotations

import re

from fiscalpub import code_index
from fiscalpub.model import Fact, Finding, LineItem, ReportMeta, Severity, Where
from fiscalpub.normalize import squash
from fiscalpub.parse import narrative
from fiscalpub.parse.resolve import names_differ, resolve, resolve_item
from fiscalpub.parse.unreadable import unreadable_in_narrative
from fiscalpub.read.document import Document

# components of the 三公 total named without the word 三公 in the narrative
_THREE_PUBLIC = re.compile(r"^three_public_(\w+?)$")


def report_facts(docs: list[Document], meta: ReportMeta, findings: list[Finding]) -> list[Fact]:
    """The narrative facts of every file of the report, in file order (with a finding for
    each narrative number that cannot be read exactly), their 三公 phases fixed."""
    facts: list[Fact] = []
    for d in docs:
        facts.extend(narrative.extract_facts(d, meta.year, meta.kind))
        findings.extend(unreadable_in_narrative(d))
    _fix_three_public_phases(facts)
    return facts


def _fix_three_public_phases(facts: list[Fact]) -> None:
    """three_public_* facts carry their phase in the indicator id, before any derived
    suffix: three_public_reception_budget, three_public_overseas_budget_share,
    three_public_total_actual_rate (a completion rate is the actual's)."""
    for f in facts:
        if (
            f.base
            and f.base.startswith("three_public_")
            and not re.search(r"_(budget|actual)$", f.base)
        ):
            # a share of the 三公 total is of the total of its own phase
            f.base += "_budget" if f.phase in ("budget", "adjusted_budget") else "_actual"
        m = _THREE_PUBLIC.match(f.indicator)
        if not m or re.search(r"_(budget|actual)(_|$)", f.indicator):
            continue
        stem, suffix = m.group(1), ""
        for derived in ("_change_pct", "_change", "_share", "_rate"):
            if stem.endswith(derived):
                stem, suffix = stem[: -len(derived)], derived
                break
        phase = "budget" if f.phase in ("budget", "adjusted_budget") else "actual"
        if suffix == "_rate":
            phase = "actual"
        f.indicator = f"three_public_{stem}_{phase}{suffix}"


def resolve_paths(
    facts: list[Fact], items: list[LineItem], year: int | None, findings: list[Finding]
) -> None:
    """Codes for the function lines the narrative names by 类/款/项 path."""
    own: dict[str, set[str]] = {}
    own_economic: dict[str, set[str]] = {}
    for li in items:
        if li.code and li.item and li.classification == "function":
            own.setdefault(li.code, set()).add(squash(li.item))
        if li.code and li.item and li.classification == "economic":
            own_economic.setdefault(li.code, set()).add(squash(li.item))
    index = code_index.shipped_index()
    reported: set[tuple[str, ...]] = set()
    for f in facts:
        if f.indicator.startswith("economic_line") and f.path:
            # a listed economic item: its code when exactly one code has its name
            f.code = resolve_item(f.path[0], own_economic, year, index).code
            continue
        if not (f.indicator.startswith("function_line") and f.path):
            continue
        found = resolve(f.path, own, year, index)
        f.code = found.code
        key = tuple(f.path)
        if key in reported or found.how == "own-tables":
            continue
        reported.add(key)
        where = [Where(source=f.source, page=f.page, line=f.line)]
        label = "/".join(f.path)
        outdated = names_differ(f.path, found.code, own, year, index)
        if outdated:
            findings.append(
                Finding("name-outdated", Severity.WARNING, f"{label}: {outdated}", where)
            )
        if found.how == "edition":
            continue
        if found.how == "other-year":
            findings.append(
                Finding(
                    "resolved-other-year",
                    Severity.INFO,
                    f"{label} resolved to {found.code} through the {found.year} edition "
                    f"(not printed in this report's tables or its year's edition)",
                    where,
                )
            )
        else:
            findings.append(
                Finding(
                    "unresolved-path",
                    Severity.WARNING,
                    f"{label}: no code of any edition fits this path",
                    where,
                )
            )
