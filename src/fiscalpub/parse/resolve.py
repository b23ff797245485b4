"""Resolve a function line named by its 类/款/项 path to a code — never a guessed one.

Order (CONTRACT.md): the report's own tables, the vocabulary edition of the
report's year, the nearest other year (finding ``resolved-other-year``), else
``unresolved-path``.  A path resolves only when exactly one code fits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fiscalpub.code_index import CodeIndex
from fiscalpub.registry import classes
from fiscalpub.text import squash

Names = dict[str, set[str]]  # code -> printed names (squashed)


@dataclass
class Resolution:
    code: str | None
    year: int | None = None  # the edition year it came from, None for the report's own tables
    how: str = "unresolved"  # own-tables | edition | other-year | unresolved


def _fits(label: str, name: str) -> bool:
    """A printed label fits a narrative name: equal, or the name without a trailing
    支出 / 的支出 the label has ("一般公共服务" for 一般公共服务支出)."""
    return label == name or label in (name + "支出", name + "的支出")


def resolve_in(path: list[str], names: Names) -> str | None:
    """The one code whose 类/款/项 labels fit the path, if exactly one does."""
    wanted = [squash(n) for n in path]
    pool = {code: set(labels) for code, labels in names.items()}
    for code, labels in classes()["function"].items():  # the curated 类 names too
        pool.setdefault(code, set()).update(squash(n) for n in labels)
    candidates = [c for c in pool if len(c) == 3 and _any_fits(pool[c], wanted[0])]
    for depth, name in enumerate(wanted[1:], start=1):
        size = 3 + 2 * depth
        candidates = [
            c for c in pool if len(c) == size and c[:-2] in candidates and _any_fits(pool[c], name)
        ]
    if len(candidates) != 1 or len(candidates[0]) != 1 + 2 * len(path):
        return None
    return candidates[0]


def _any_fits(labels: set[str], name: str) -> bool:
    return any(_fits(label, name) for label in labels)


def resolve(path: list[str], own: Names, year: int | None, index: CodeIndex) -> Resolution:
    code = resolve_in(path, own) if own else None
    if code:
        return Resolution(code, None, "own-tables")
    years = index.years("function")
    if year is not None and year in years:
        code = resolve_in(path, _squashed(index.codes("function", year)))
        if code:
            return Resolution(code, year, "edition")
    others = sorted((y for y in years if y != year), key=lambda y: (abs(y - (year or y)), -y))
    for other in others:
        code = resolve_in(path, _squashed(index.codes("function", other)))
        if code:
            return Resolution(code, other, "other-year")
    return Resolution(None)


def _squashed(names: Names) -> Names:
    return {code: {squash(n) for n in ns} for code, ns in names.items()}


def resolve_item(name: str, own: Names, year: int | None, index: CodeIndex) -> Resolution:
    """An economic item named alone in the narrative ("基本工资248.93万元" in a list under
    人员经费): the one economic code whose printed name is exactly this name — in the
    report's own tables first, then the edition of its year, then the nearest other
    year.  Several codes of one name (or none) leave it unresolved: never a guess."""
    wanted = squash(name)

    def one(names: Names) -> str | None:
        found = sorted(c for c, labels in names.items() if wanted in labels)
        return found[0] if len(found) == 1 else None

    code = one(own) if own else None
    if code:
        return Resolution(code, None, "own-tables")
    years = index.years("economic")
    order = sorted(years, key=lambda y: (y != year, abs(y - (year or y)), -y))
    for y in order:
        code = one(_squashed(index.codes("economic", y)))
        if code:
            return Resolution(code, y, "edition" if y == year else "other-year")
    return Resolution(None)


def names_differ(
    path: list[str], code: str | None, own: Names, year: int | None, index: CodeIndex
) -> str | None:
    """How a narrative's 类/款/项 names differ from the names `code` has in the report (its
    own tables, else its year's edition): an outdated or another name for the same line
    ("行政事业单位离退休" for 20805, 行政事业单位养老支出 since 2021). None when they agree."""
    if code is None or year is None or year not in index.years("function"):
        return None
    edition = index.codes("function", year)
    differ = []
    for depth, name in enumerate(path):
        level = code[: 3 + 2 * depth]
        current = own.get(level) or {squash(n) for n in edition.get(level, ())}
        if current and not _any_fits(current, squash(name)):
            where = "this report's tables print" if level in own else f"the {year} edition names"
            differ.append(f"{name} for {level} ({where} it {'/'.join(sorted(current))})")
    return "; ".join(differ) or None
