"""Normalisation of the traps in DOMAIN.md, including property tests for numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscalpub.normalize import (
    find_unit,
    join_broken_numbers,
    nfkc,
    parse_number,
    squash,
    to_yuan,
    tokens,
)


def test_kangxi_radicals_and_fullwidth_punctuation_fold() -> None:
    assert (
        nfkc("⼀般公共预算财政拨款“三公”经费⽀出，基⾦（类）")
        == "一般公共预算财政拨款“三公”经费支出,基金(类)"
    )


def test_word_processor_bookmarks_are_removed() -> None:
    line = "[bookmark: _Toc1653_WPSOffice_Level2][bookmark: _Toc22880]一、收入支出决算总体情况说明"
    assert squash(line) == "一、收入支出决算总体情况说明"


@pytest.mark.parametrize(
    ("toks", "joined"),
    [
        (["82.", "13", "万元"], ["82.13", "万元"]),
        (["532", ".02"], ["532.02"]),
        (["1", "370.58"], ["1", "370.58"]),
        (["(", "0.43", ")"], ["(0.43)"]),
        (["(1,082.", "13)"], ["(1,082.13)"]),
        (["(", "一", ")"], ["(", "一", ")"]),
    ],
)
def test_numbers_broken_by_spaces_rejoin(toks: list[str], joined: list[str]) -> None:
    assert join_broken_numbers(toks) == joined


def test_codes_glued_to_names_split() -> None:
    assert tokens("2010507专项普查活动 12.00") == ["2010507", "专项普查活动", "12.00"]


def test_thousands_separators() -> None:
    assert parse_number("14,348,853.34") == (Decimal("14348853.34"), "14348853.34", 2)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("部门：某局 单位：万元", "万元"),
        ("金额单位：元", "元"),
        ("单位: 千元", "千元"),
        ("无单位", None),
    ],
)
def test_unit_near_title(text: str, unit: str | None) -> None:
    assert find_unit(text) == unit


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_printed_numbers_round_trip_exactly(value: Decimal) -> None:
    printed = f"{value:,.2f}"
    parsed, plain, decimals = parse_number(printed)
    assert parsed == value and decimals == 2 and "," not in plain


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=99))
def test_a_number_split_at_its_point_rejoins(whole: int, frac: int) -> None:
    assert join_broken_numbers([f"{whole}.", f"{frac:02d}"]) == [f"{whole}.{frac:02d}"]
    assert join_broken_numbers([f"{whole}", f".{frac:02d}"]) == [f"{whole}.{frac:02d}"]


@pytest.mark.parametrize(
    ("unit", "factor"), [("元", 1), ("千元", 1000), ("万元", 10000), ("亿元", 100000000)]
)
def test_money_in_yuan(unit: str, factor: int) -> None:
    assert to_yuan(Decimal("1.23"), unit) == Decimal("1.23") * factor


def test_unknown_unit_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown money unit"):
        to_yuan(Decimal(1), "美元")
