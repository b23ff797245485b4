"""Normalisation of the traps seen in real extractions (DOMAIN.md "Traps").

Everything here is a pure function on strings; the original text is kept by
the callers for display and provenance.  The text helpers live in ``fiscalpub.text`` and
the number reader in ``fiscalpub.numbers`` (low in the tree, shared with the registries,
the vocabulary and validate); they are re-exported here.  Text layer: pure string functions, so
anything above (registry, vocab, parse) may use them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from fiscalpub.numbers import UNIT_FACTOR, read_number, to_yuan
from fiscalpub.text import find_unit, nfkc, squash

__all__ = [
    "INT_RE",
    "UNIT_FACTOR",
    "find_unit",
    "is_number",
    "join_broken_numbers",
    "nfkc",
    "parse_number",
    "squash",
    "to_yuan",
    "tokens",
]

INT_RE = re.compile(r"^\d+$")


def is_number(token: str) -> bool:
    """The token is an amount: one exact number, not a percentage (fiscalpub.numbers);
    blank markers and unreadable tokens are not."""
    reading = read_number(token)
    return reading.kind == "number" and not reading.percent


def parse_number(token: str) -> tuple[Decimal, str, int]:
    """A printed amount -> (value, printed form without separators, decimals printed);
    "(0.43)" -> (-0.43, "-0.43", 2)."""
    reading = read_number(token)
    if reading.value is None or reading.percent:
        raise ValueError(f"not an amount: {token!r}")
    return reading.value, reading.printed, reading.decimals


_SPLIT_GLUED = re.compile(r"(?<=\d)(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=\d)")


def tokens(line: str) -> list[str]:
    """Split a normalised line into tokens: whitespace, plus digits glued to CJK names
    ("2010507专项普查活动" -> "2010507", "专项普查活动")."""
    out: list[str] = []
    for tok in nfkc(line).split():
        out.extend(t for t in _SPLIT_GLUED.split(tok) if t)
    return out


def join_broken_numbers(toks: list[str]) -> list[str]:
    """Join numbers broken by spaces: "82." "13" -> "82.13"; "532" ".02" -> "532.02".
    The joined token is read as a whole by fiscalpub.numbers."""
    out: list[str] = []
    for tok in toks:
        if out and _broken(out[-1], tok):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _broken(left: str, right: str) -> bool:
    """Two pieces of one number: "82." "13", "532" ".02", also signed, grouped or in
    parentheses ("(1,082." "13)"); a parenthesised amount printed with spaces inside:
    "(" "0.43" ")" -> "(0.43)" (a negative amount, not 0.43)."""
    if left == "(" and re.fullmatch(r"[\d,.]*\d[\d,.]*\)?", right):
        return True
    if re.fullmatch(r"\([\d,.]*\d[\d,.]*", left) and right == ")":
        return True
    dangling_point = re.fullmatch(r"[-−(]?[\d,]*\d\.", left) and re.fullmatch(r"\d+\)?", right)
    leading_point = re.fullmatch(r"[-−(]?[\d,]*\d", left) and re.fullmatch(r"\.\d+\)?", right)
    return bool(dangling_point or leading_point)
