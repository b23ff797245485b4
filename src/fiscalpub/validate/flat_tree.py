"""A list table printed as a flattened tree: which lines are groups of which.

Some list tables print a tree line by line without saying its levels (Xi'an's 政府采购预算表:
per function code a 全额 line, the unit's line under it, then the unit's items, every line
the sum of the lines under it).  The levels are read back from the amounts alone, exactly:
the validator checks the sums only where a reading covers every line."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

TREE_STEPS = 20_000  # readings of a list as a tree tried before giving up
TREE_LINES = 200  # a longer list is read as a tree only when it is flat


def flattened_tree(
    amounts: list[Decimal], total: Decimal
) -> tuple[list[int], list[tuple[int, list[int]]]] | None:
    """The lines that add up to `total` (the top level) and each group line with its own
    lines, when the whole list reads as a tree of exact sums; a group line comes before
    its lines.  A flat list first; then a line read as a group first, as a leaf when that
    leads nowhere; None when no reading covers every line within the search's bounds
    (negative amounts leave it unbounded: none)."""
    if not amounts or any(a < 0 for a in amounts):
        return None
    if sum(amounts, Decimal(0)) == total:
        return list(range(len(amounts))), []  # a flat list: every line a leaf
    if len(amounts) > TREE_LINES:
        return None
    steps = [TREE_STEPS]
    for end, top, groups in _tree_levels(amounts, 0, total, steps):
        if end == len(amounts):
            return top, groups
        if steps[0] < 0:
            break
    return None


_Reading = tuple[int, list[int], list[tuple[int, list[int]]]]


def _tree_levels(
    amounts: list[Decimal], i: int, target: Decimal, steps: list[int]
) -> Iterator[_Reading]:
    """Readings of the lines from i on as lines adding up to `target`, each a leaf or a
    group line followed by its own lines: (where the reading ends, this level's lines,
    the groups below them)."""
    steps[0] -= 1
    if steps[0] < 0:
        return
    if target == 0:
        yield i, [], []
        return
    if i >= len(amounts) or amounts[i] > target:
        return
    here = amounts[i]
    if here > 0:
        for end, members, below in _tree_levels(amounts, i + 1, here, steps):
            for last, rest, more in _tree_levels(amounts, end, target - here, steps):
                yield last, [i, *rest], [(i, members), *below, *more]
    for last, rest, more in _tree_levels(amounts, i + 1, target - here, steps):
        yield last, [i, *rest], more
