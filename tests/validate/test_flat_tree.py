"""A list printed as a flattened tree (group line, then its lines): its levels read back
from the amounts, exactly, or not at all."""

from __future__ import annotations

from decimal import Decimal

from fiscalpub.validate.flat_tree import flattened_tree


def _d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


def test_a_flat_list_is_a_tree_of_leaves() -> None:
    assert flattened_tree(_d("50", "50", "30"), Decimal("130")) == ([0, 1, 2], [])


def test_group_lines_come_before_their_lines() -> None:
    # 合计 9 = 全额 5 (unit 5: items 2 + 3) + 全额 4 (unit 4: one item 4)
    amounts = _d("5", "5", "2", "3", "4", "4", "4")
    top, groups = flattened_tree(amounts, Decimal("9")) or ([], [])
    assert top == [0, 4]
    assert groups == [(0, [1]), (1, [2, 3]), (4, [5]), (5, [6])]


def test_equal_lines_in_a_row_are_read_as_a_chain() -> None:
    # an item followed by lines of its own amount reads as their group: the levels are not
    # printed, and such a reading's sums hold all the same (a one-line group confirms nothing)
    top, groups = flattened_tree(_d("4", "4", "1", "3", "3", "3", "3"), Decimal("7")) or ([], [])
    assert top == [0, 6] and (3, [4]) in groups


def test_a_line_that_only_looks_like_a_group_is_a_leaf() -> None:
    # 100 is followed by 60 + 40, but only as leaves do the lines make the total 200
    assert flattened_tree(_d("100", "60", "40"), Decimal("200")) == ([0, 1, 2], [])


def test_no_reading_no_tree() -> None:
    assert flattened_tree(_d("50", "50", "30"), Decimal("131")) is None
    assert flattened_tree(_d("5", "-2", "3"), Decimal("4")) is None  # negatives: not searched
    assert flattened_tree([], Decimal("0")) is None
