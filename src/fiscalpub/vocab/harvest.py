"""Harvest (classification, code, year, printed name) from parsed reports — evidence only:
codes printed in tables, never codes the parser resolved."""

from __future__ import annotations

from dataclasses import dataclass

from fiscalpub.model import Report

#: the economic classification was re-cut in 2018: codes before it belong to another era
ECONOMIC_REFORM = 2018


@dataclass(frozen=True, order=True)
class Printed:
    classification: str
    code: str
    year: int
    name: str
    source: str  # file name of the report
    where: str  # "p.12 l.340"

    @property
    def era(self) -> str:
        return era_of(self.classification, self.year)


def era_of(classification: str, year: int) -> str:
    """'' for the current era; 'pre2018' for economic codes before the 2018 reform."""
    if classification == "economic" and year < ECONOMIC_REFORM:
        return "pre2018"
    return ""


def harvest(report: Report) -> list[Printed]:
    """Every code printed with a name in the report's tables."""
    year = report.report.year
    if year is None:
        return []
    out: set[Printed] = set()
    for li in report.line_items:
        if not (li.code and li.classification and li.item):
            continue
        source = report.report.sources[li.source].path
        out.add(
            Printed(li.classification, li.code, year, li.item, source, f"p.{li.page} l.{li.line}")
        )
    return sorted(out)
