"""Normalisation of the traps seen in real extractions (DOMAIN.md "Traps").

Everything here is a pure function on strings; the original text is kept by
the callers for display and provenance.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# CJK radicals that NFKC does not fold (the Kangxi block U+2F00–U+2FD5 it does fold)
_EXTRA_MAP = {"⺠": "民", "⻓": "长", "⻔": "门", "⻜": "飞", "⻢": "马", "⻋": "车", "⻅": "见"}
_EXTRA = str.maketrans(_EXTRA_MAP)
_EXTRA_CHARS = frozenset(_EXTRA_MAP)

_NOISE = [
    re.compile(r"\[bookmark:[^\]]*\]"),  # WPS / Word bookmarks
    re.compile(r"_Toc\d+(_WPSOffice_Level\d)?"),
]

NUMBER_RE = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
INT_RE = re.compile(r"^\d+$")


@lru_cache(maxsize=65536)
def nfkc(text: str) -> str:
    """NFKC plus the radicals NFKC leaves alone; strips word-processor noise."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    if _EXTRA_CHARS.intersection(text):
        text = text.translate(_EXTRA)
    if "_Toc" in text or "bookmark" in text:
        for pattern in _NOISE:
            text = pattern.sub("", text)
    return text


def squash(text: str) -> str:
    """NFKC and remove all whitespace: the form used to match titles, labels and names."""
    return "".join(nfkc(text).split())


def is_number(token: str) -> bool:
    return bool(NUMBER_RE.match(token))


def parse_number(token: str) -> tuple[Decimal, str, int]:
    """A printed number -> (value, printed form without separators, decimals printed)."""
    printed = token.replace(",", "").replace("−", "-")
    try:
        value = Decimal(printed)
    except InvalidOperation:
        raise ValueError(f"not a number: {token!r}") from None
    decimals = len(printed.split(".", 1)[1]) if "." in printed else 0
    return value, printed, decimals


_SPLIT_GLUED = re.compile(r"(?<=\d)(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=\d)")


def tokens(line: str) -> list[str]:
    """Split a normalised line into tokens: whitespace, plus digits glued to CJK names
    ("2010507专项普查活动" -> "2010507", "专项普查活动")."""
    out: list[str] = []
    for tok in nfkc(line).split():
        out.extend(t for t in _SPLIT_GLUED.split(tok) if t)
    return out


def join_broken_numbers(toks: list[str]) -> list[str]:
    """Join numbers broken by spaces: "82." "13" -> "82.13"; "532" ".02" -> "532.02"."""
    out: list[str] = []
    for tok in toks:
        if out and _broken(out[-1], tok):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _broken(left: str, right: str) -> bool:
    dangling_point = re.fullmatch(r"\d+\.", left) and re.fullmatch(r"\d+", right)
    leading_point = re.fullmatch(r"\d+", left) and re.fullmatch(r"\.\d+", right)
    return bool(dangling_point or leading_point)


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Money in 元 from a value printed in `unit` (万元 or 元)."""
    try:
        return value * _UNIT_FACTOR[unit]
    except KeyError:
        raise ValueError(f"unknown money unit {unit!r}") from None


_UNIT_FACTOR = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


_UNIT_RE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元|亿元|千元)")


def find_unit(text: str) -> str | None:
    """The money unit printed near a title ("单位：万元", "金额单位：元")."""
    m = _UNIT_RE.search(nfkc(text))
    return m.group(1) if m else None
