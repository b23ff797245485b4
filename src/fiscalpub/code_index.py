"""The runtime code index (package data ``data/vocab/codes.csv``): what was printed for
each (classification, year, code).  The parser resolves names through it; it is
written by ``fiscalpub vocab build`` next to the Turtle.  Model layer (beside the
registry): the parser, the package builder and the cube read it, so it cannot live in
``vocab`` above them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from fiscalpub.text import squash

FIELDS = ["classification", "era", "year", "code", "label"]


@dataclass
class CodeIndex:
    # (classification, year) -> code -> labels printed that year
    editions: dict[tuple[str, int], dict[str, set[str]]] = field(default_factory=dict)

    def years(self, classification: str) -> list[int]:
        return sorted(y for c, y in self.editions if c == classification)

    def codes(self, classification: str, year: int) -> dict[str, set[str]]:
        return self.editions.get((classification, year), {})


def read_index(text: str) -> CodeIndex:
    editions: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in csv.DictReader(io.StringIO(text)):
        editions[(row["classification"], int(row["year"]))][row["code"]].add(squash(row["label"]))
    return CodeIndex({k: dict(v) for k, v in editions.items()})


@lru_cache(maxsize=1)
def shipped_index() -> CodeIndex:
    """The index shipped with the package (empty if the vocabulary was never built)."""
    path = resources.files("fiscalpub") / "data" / "vocab" / "codes.csv"
    try:
        return read_index(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CodeIndex()
