"""The number reader (fiscalpub.numbers): examples and property tests in both contexts,
a table cell token and a number in Chinese running text."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscalpub.numbers import TEXT_NUMBER, find_numbers, read_number, to_yuan

FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
MONEY_AFTER = "(万元|元|%)"
TEXT_MONEY = re.compile(TEXT_NUMBER + MONEY_AFTER)


# ------------------------------------------------------------------ examples


@pytest.mark.parametrize(
    ("token", "printed", "value"),
    [
        ("10,150.48", "10150.48", "10150.48"),
        ("10，150.48", "10150.48", "10150.48"),
        ("１０，１５０.４８", "10150.48", "10150.48"),
        ("１，２３４.５６", "1234.56", "1234.56"),
        ("10\u2009150.48", "10150.48", "10150.48"),
        ("10\u3000150.48", "10150.48", "10150.48"),
        ("1\u00a0234\u00a0567", "1234567", "1234567"),
        ("（0.43）", "-0.43", "-0.43"),
        ("(0.43)", "-0.43", "-0.43"),
        ("(1,234.50)", "-1234.50", "-1234.50"),
        ("-0.43", "-0.43", "-0.43"),
        ("−0.43", "-0.43", "-0.43"),
        ("－0.43", "-0.43", "-0.43"),
        ("—0.43", "-0.43", "-0.43"),
        ("+5.00", "5.00", "5.00"),
        ("0.00", "0.00", "0"),
        ("82. 13", "82.13", "82.13"),
        ("2010507", "2010507", "2010507"),
    ],
)
def test_cell_numbers(token: str, printed: str, value: str) -> None:
    r = read_number(token)
    assert (r.kind, r.printed, r.value) == ("number", printed, Decimal(value))


def test_a_percentage_is_its_printed_number() -> None:
    r = read_number("12.5%")
    assert (r.kind, r.value, r.percent, r.decimals) == ("number", Decimal("12.5"), True, 1)


@pytest.mark.parametrize("token", ["", " ", "-", "--", "—", "——", "–", "－", "/", "／"])
def test_blank_markers_are_blank_never_zero(token: str) -> None:
    r = read_number(token)
    assert r.kind == "blank" and r.value is None


@pytest.mark.parametrize(
    "token",
    [
        *("1.2E+3", "1.2e3", "3E-2", "12.3.4", "1,2345.6", "1,23", "0,150", "1,234,56"),
        *("1.", ".5", "(-1)", "--5", "5-", "1,234 567"),
    ],
)
def test_what_cannot_be_read_exactly_is_unreadable(token: str) -> None:
    r = read_number(token)
    assert r.kind == "unreadable" and r.value is None and r.printed == token.strip()


@pytest.mark.parametrize("token", ["合计", "(20", "万元", "A1", "（一）", "1.基本支出"])
def test_not_a_number(token: str) -> None:
    assert read_number(token).kind == "not_a_number"


def _numbers(text: str) -> list[tuple[str, str, str]]:
    return [(m.reading.kind, text[m.start : m.end], m.reading.printed) for m in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("收入、支出预算总计10,150.48万元。", [("number", "10,150.48", "10150.48")]),
        ("收入、支出预算总计10，150.48万元。", [("number", "10，150.48", "10150.48")]),
        ("总计１０，１５０.４８万元", [("number", "１０，１５０.４８", "10150.48")]),
        ("支出2,389.52万元", [("number", "2,389.52", "2389.52")]),
        (
            "总额为0，2020年度决算为0，",
            [("number", "0", "0"), ("number", "2020", "2020"), ("number", "0", "0")],
        ),
        (
            "2024年8月31日",
            [("number", "2024", "2024"), ("number", "8", "8"), ("number", "31", "31")],
        ),
        ("见1.2.3节", [("not_a_number", "1.2.3", "1.2.3")]),
        ("支出12.3.4万元", [("unreadable", "12.3.4", "12.3.4")]),
        ("支出1.2E+3万元", [("unreadable", "1.2E+3", "1.2E+3")]),
        ("支出1,2345.6万元", [("unreadable", "1,2345.6", "1,2345.6")]),
        ("2018-2020年", [("number", "2018", "2018"), ("number", "2020", "2020")]),
        ("比上年增长-5.2%", [("number", "-5.2%", "-5.2")]),
        ("（含外宾接待支出0.00万元）", [("number", "0.00", "0.00")]),
        ("PM2.5", []),
    ],
)
def test_running_text(text: str, found: list[tuple[str, str, str]]) -> None:
    assert _numbers(text) == found


def test_to_yuan() -> None:
    assert to_yuan(Decimal("10150.48"), "万元") == Decimal("101504800.00")
    with pytest.raises(ValueError, match="unit"):
        to_yuan(Decimal(1), "美元")


# ------------------------------------------------------------------ properties

amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False
).flatmap(lambda d: st.integers(0, 4).map(lambda places: _no_negative_zero(round(d, places))))


def _no_negative_zero(d: Decimal) -> Decimal:
    return d.copy_abs() if d == 0 else d


def _plain(value: Decimal) -> str:
    return f"{abs(value):f}"


def _grouped(value: Decimal, sep: str) -> str:
    whole, _, frac = _plain(value).partition(".")
    groups = f"{int(whole):,}".replace(",", sep)
    return groups + ("." + frac if frac else "")


def _canonical(value: Decimal) -> str:
    return ("-" if value < 0 else "") + _plain(value)


@st.composite
def cell_tokens(draw: st.DrawFn) -> tuple[str, Decimal]:
    value = draw(amounts)
    body = draw(
        st.sampled_from(
            [
                _plain(value),
                _grouped(value, ","),
                _grouped(value, "，"),
                _grouped(value, "\u2009"),
                _grouped(value, ",").translate(FULL),
            ]
        )
    )
    if value < 0:
        sign = draw(st.sampled_from(["-", "−", "－", "—", "–", "paren", "fullparen"]))
        if sign == "paren":
            return f"({body})", value
        if sign == "fullparen":
            return f"（{body}）", value
        return sign + body, value
    return draw(st.sampled_from(["", "+"])) + body, value


@given(cell_tokens())
def test_cell_round_trip_is_exact(case: tuple[str, Decimal]) -> None:
    token, value = case
    r = read_number(token)
    assert r.kind == "number"
    assert r.value == value and r.value is not None and r.value.as_tuple() == value.as_tuple()
    if value != 0 or not r.printed.startswith("-"):
        assert r.printed == _canonical(value)
    assert r.decimals == max(0, -int(value.as_tuple().exponent))


@given(st.sampled_from(["-", "—", "–", "－", "/", "——", "--", ""]), st.sampled_from(["", " "]))
def test_blank_is_never_zero(marker: str, pad: str) -> None:
    r = read_number(pad + marker + pad)
    assert r.kind == "blank" and r.value is None


@given(amounts, st.integers(-12, 12), st.sampled_from(["E", "e"]), st.sampled_from(["", "+", "-"]))
def test_e_notation_is_unreadable(value: Decimal, exp: int, e: str, sign: str) -> None:
    token = f"{_plain(value)}{e}{sign}{abs(exp)}"
    assert read_number(token).kind == "unreadable"
    text = f"支出{token}万元。"
    found = list(find_numbers(text))
    assert [m.reading.kind for m in found] == ["unreadable"]
    assert not TEXT_MONEY.search(unicodedata.normalize("NFKC", text))


@given(
    st.integers(1, 999),
    st.integers(0, 99999).filter(lambda n: len(str(n)) != 3),
    st.sampled_from(["", ".5", ".25"]),
)
def test_a_bad_separator_group_is_never_a_value(head: int, group: int, frac: str) -> None:
    token = f"{head},{group}{frac}"
    assert read_number(token).kind == "unreadable"
    text = f"支出{token}万元"
    assert [m.reading.kind for m in find_numbers(text)] == ["unreadable"]
    assert not TEXT_MONEY.search(text)  # the narrative takes no fragment of it


CJK = st.sampled_from(list("收入支出合计总额本年为其中增加减少用于财政拨款经费。、：（）"))


@st.composite
def running_texts(draw: st.DrawFn) -> tuple[str, Decimal, str, str]:
    value = draw(amounts.filter(lambda d: d >= 0))
    body = draw(
        st.sampled_from(
            [
                _plain(value),
                _grouped(value, ","),
                _grouped(value, "，"),
                _plain(value).translate(FULL),
            ]
        )
    )
    sign = draw(st.sampled_from(["", "-"]))
    unit = draw(st.sampled_from(["万元", "元", "%"]))
    before = draw(st.text(CJK, min_size=1, max_size=6))
    after = draw(st.text(CJK, max_size=6))
    return before + sign + body + unit + after, -value if sign else value, unit, sign + body


@given(running_texts())
def test_running_text_reads_the_whole_number_exactly(case: tuple[str, Decimal, str, str]) -> None:
    text, value, unit, token = case
    found = [m for m in find_numbers(text) if m.reading.kind == "number"]
    assert len(found) == 1
    m = found[0]
    assert text[m.start : m.end] == token + ("%" if unit == "%" else "")
    assert m.reading.value == value and m.reading.percent == (unit == "%")
    # the narrative's regex (on NFKC text) takes the same whole token
    folded = unicodedata.normalize("NFKC", text)
    matches = TEXT_MONEY.findall(folded)
    assert len(matches) == 1
    assert read_number(matches[0][0]).value == value


NUMBERISH = st.text(st.sampled_from(list("0123456789.,，-+E%万元年为、。（）() ")), max_size=30)


@given(NUMBERISH)
def test_every_number_is_a_maximal_token(text: str) -> None:
    """No number found in running text is a fragment of a longer number: the whole run of
    digits, points and commas around it is the number, or is no number at all (a clause
    comma, an outline); with a unit after it, it is the number or unreadable. And the
    narrative's regex agrees on every amount."""
    folded = unicodedata.normalize("NFKC", text)
    numbers = {}
    for m in find_numbers(folded):
        if m.reading.kind != "number":
            continue
        a, b = m.start, m.end - m.reading.percent
        a += folded[a] in "+-"
        token = folded[a:b]
        a, b = _run_around(folded, a, b)
        run = folded[a:b]
        if run != token:
            assert read_number(run).kind != "number", (folded, run, token)
            assert not re.match(r"\s*[万元%]", folded[b:]), (folded, run, token)
        numbers[m.start] = m
    for tm in TEXT_MONEY.finditer(folded):
        m = numbers.get(tm.start())
        assert m is not None, (folded, tm.group())
        assert m.reading.value == read_number(tm.group(1)).value


def _run_around(s: str, a: int, b: int) -> tuple[int, int]:
    """Widen s[a:b] over digits, single points/commas between digits, a leading point."""
    while True:
        if a >= 1 and s[a - 1].isdigit():
            a -= 1
        elif a >= 2 and s[a - 1] in ".," and s[a - 2].isdigit():
            a -= 2
        else:
            a -= a >= 1 and s[a - 1] == "."  # a leading point: ".5"
            break
    while True:
        if b < len(s) and s[b].isdigit():
            b += 1
        elif b + 1 < len(s) and s[b] in ".," and s[b + 1].isdigit():
            b += 2
        else:
            return a, b


NAMES = ["基本工资", "津贴补贴", "奖金", "办公费", "印刷费"]


@given(
    st.lists(
        st.tuples(amounts.filter(lambda d: d >= 0), st.sampled_from(["万元", "元"])),
        min_size=1,
        max_size=4,
    )
)
def test_a_list_of_amounts_reads_each_whole(items: list[tuple[Decimal, str]]) -> None:
    text = "主要包括：" + "、".join(
        f"{NAMES[i]}{_grouped(v, '，')}{u}" for i, (v, u) in enumerate(items)
    )
    got = [
        (m.reading.value, text[m.end : m.end + 2].rstrip("、"))
        for m in find_numbers(text)
        if m.reading.kind == "number" and text[m.end : m.end + 1] in "万元"
    ]
    assert got == [(v, u) for v, u in items]
