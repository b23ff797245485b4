"""Codes for the 款/项 lines of a function-classified side printed as a tree of names.

Some summary tables print the expenditure side as a name-only tree: the 类 line numbered
("二、社会保障和就业支出 1,085.65"), its 款 lines indented under it ("人力资源和社会保障
管理事务 128.65") and their 项 lines indented further ("引进人才费用 128.65") — Shenzhen's
收支总表 and 财政拨款收支总表.  A name alone does not identify a line (行政运行 is under almost
every 款), but its path does: the 类 above it, the 款 above it.  The level of a line is read
from where its label starts on the page (RawRow.indent): the 类 lines' place is level 1,
the deeper places, in order, 款 and 项.

The path is resolved to a code through the report's own tables first (other tables print
the same lines with code and name), then the vocabulary edition of the report's year.  A
line gets a code only when exactly one code of its parent fits its name; an ambiguous or
unknown name, a line whose parent has no code, or a code two lines would share, leaves the
line as it was — no code is better than a wrong one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from fiscalpub.code_index import CodeIndex
from fiscalpub.normalize import squash
from fiscalpub.parse.region import RawRow

Names = dict[str, set[str]]  # code -> printed names (squashed)

# points: labels starting this close together are at one level
_SAME_LEVEL = 2.0
_LEVELS = 3  # 类, 款, 项
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]")


def label_key(name: str) -> str:
    """A label as the vocabulary compares it: squashed, without its numbering."""
    return _NUMBERED.sub("", squash(name))


def own_names(rows: Iterable[RawRow]) -> Names:
    """Code -> the names the report prints beside it (lines printed with a code)."""
    out: Names = {}
    for row in rows:
        if row.code and row.name:
            out.setdefault(row.code, set()).add(label_key(row.name))
    return out


def code_tree(rows: list[RawRow], own: Names, year: int | None, index: CodeIndex) -> int:
    """Give the name-only lines of one side (its rows in printed order) their codes from
    the 类/款/项 path their indentation gives; the number of lines coded.  Lines of the
    registry's rows (本年支出合计, 基本支出 in a group beside the tree) are no part of it."""
    levels = _levels(rows)
    if levels is None:
        return 0
    found: dict[int, str] = {}  # row position -> code
    path: list[str | None] = [None] * _LEVELS
    for i, row in enumerate(rows):
        if row.row is not None:
            continue
        if row.code:  # a line with its code (a 类 by its name): the path is its code's
            size = len(row.code)
            known = [row.code[:n] for n in (3, 5, 7) if n <= size] if size in (3, 5, 7) else []
            path = [*known, *[None] * (_LEVELS - len(known))]
            continue
        level = _level_of(row, levels)
        if level is None or not row.name:  # a line off the tree: what follows is unsure
            path = [None] * _LEVELS
            continue
        parent = path[level - 1] if level else ""
        code = child_code(parent, row.name, own, year, index) if parent is not None else None
        path[level:] = [code, *[None] * (_LEVELS - level - 1)]
        if code:
            found[i] = code
    taken = Counter([*found.values(), *(r.code for r in rows if r.code)])
    coded = 0
    for i, code in found.items():
        if taken[code] == 1:  # a code two lines would share fits neither for sure
            rows[i].code = code
            coded += 1
    return coded


def _levels(rows: list[RawRow]) -> list[float] | None:
    """The places where the labels of each level start: the 类 lines' first, then the
    deeper places in order.  None when the side is no tree this can read: no 类 line
    with its place, 类 lines at different places, or more levels than 类/款/项."""
    classes = [r.indent for r in rows if r.code and len(r.code) == 3 and r.indent is not None]
    if not classes or max(classes) - min(classes) > _SAME_LEVEL:
        return None
    top = min(classes)
    deeper: list[float] = []
    for row in rows:
        if row.code or row.row is not None or row.indent is None or not row.nums:
            continue
        if row.indent <= top + _SAME_LEVEL:
            continue
        if not any(abs(row.indent - x) <= _SAME_LEVEL for x in deeper):
            deeper.append(row.indent)
    if len(deeper) >= _LEVELS:
        return None
    return [top, *sorted(deeper)]


def _level_of(row: RawRow, levels: list[float]) -> int | None:
    """0 for 类, 1 for 款, 2 for 项; None for a line left of the 类 lines (a unit's
    name) or without its place."""
    if row.indent is None:
        return None
    for depth, x in enumerate(levels):
        if abs(row.indent - x) <= _SAME_LEVEL:
            return depth
    return None


def child_code(
    parent: str, name: str, own: Names, year: int | None, index: CodeIndex
) -> str | None:
    """The one code below `parent` ("" for a 类) whose name is `name`: in the report's
    own tables, else in its year's edition; None when none or several fit."""
    wanted = label_key(name)
    size = len(parent) + 2 if parent else 3

    def fits(names: Names) -> list[str]:
        return sorted(
            c
            for c, labels in names.items()
            if len(c) == size and c.startswith(parent) and wanted in labels
        )

    mine = fits(own)
    if mine:
        return mine[0] if len(mine) == 1 else None
    if year is None or year not in index.years("function"):
        return None
    edition = {c: {label_key(n) for n in ns} for c, ns in index.codes("function", year).items()}
    theirs = fits(edition)
    return theirs[0] if len(theirs) == 1 else None
