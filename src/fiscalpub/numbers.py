"""The one number reader, shared by tables and narrative.

A number is read exactly (``Decimal``, never float) or not at all: what cannot be read
exactly is reported as unreadable, never guessed, and a number is always a whole
token, never a fragment of a longer one.

Two contexts:

``read_number(token)`` reads one table cell (a token cut out of a row).

- Thousands separators: ``10,150.48``, ``10，150.48``, ``１０，１５０.４８`` and, where the
  PDF puts them, thin, no-break and ideographic spaces (``10 150.48``). A separator
  group is exactly three digits after a first group of one to three digits (not
  starting with 0), one separator kind in a token; anything else (``1,2345.6``, ``1,23``)
  is unreadable.
- Full-width digits, points, commas and signs are folded (NFKC).
- Signs: a leading ``-``, ``−``, ``－``, ``—`` or ``–`` glued to the digits is a minus;
  a leading ``+`` is dropped. Parentheses ``(0.43)`` / ``（0.43）`` are a negative amount,
  printed ``-0.43``.
- Blank markers (``-``, ``--``, ``—``, ``——``, ``–``, ``－``, ``/``, empty) are ``blank``:
  no value, never zero.
- A trailing ``%`` is a percentage (``percent`` is true; the value is the printed number).
- Unreadable (``kind == "unreadable"``, value None, ``printed`` the token as folded):
  a token made only of digits, points, separators, signs, parentheses, ``%`` and an
  exponent that is not one exact number — E-notation ``1.2E+3``, ``12.3.4``, ``1,2345.6``,
  ``1.``, a sign inside a token.
- Anything else (letters, CJK, no digit) is ``not_a_number``.

``find_numbers(text)`` finds the numbers of running text (a narrative), maximal tokens
only, with their positions in ``text`` (folding keeps positions):

- A token starts where no digit, point, ASCII letter, "digit," or "letter+sign" precedes
  it, and ends where no digit, ".digit" or ",ddd" follows: ``2,389.52万元`` is 2389.52,
  never 389.52 or 2.
- A comma (``,`` or ``，``) separates thousands only between well-formed groups
  (``10，150.48``); otherwise it is the clause comma of the sentence: ``为0，2020年度``
  holds the numbers 0 and 2020.
- A sign is ``-``, ``−``, ``－`` or ``+`` glued to the digits and not after a digit or a
  letter (``2018-2020`` is a range; ``—`` in running text is a dash, never a sign).
  Parentheses are never a sign in running text (``（含外宾接待支出0.00万元）``).
- Thin, no-break and ideographic spaces separate thousands only between well-formed
  groups; other whitespace ends a token.
- A run of digits and points/commas that is not one well-formed number is unreadable
  when a money unit (万, 亿, 千, 元) or ``%`` follows it, or when it carries an exponent
  (``1.2E+3``); otherwise it is not an amount (``not_a_number``: an outline number
  ``1.2.3``, a version) and the well-formed pieces around a clause comma are numbers.
- Dates are digits between CJK characters: ``2024年8月31日`` gives 2024, 8 and 31, each
  a whole token; it is the caller (the narrative's units) that decides what is an amount.

``TEXT_NUMBER`` is the same token rule as one regular expression (group 1 is the
token), for callers that match a number and its unit together on NFKC-folded text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

Kind = Literal["number", "blank", "unreadable", "not_a_number"]

UNREADABLE = "number-unreadable"  # the finding code for a token that cannot be read exactly

UNIT_FACTOR: dict[str, int] = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Money in 元 from a value printed in `unit` (元, 千元, 万元 or 亿元)."""
    try:
        return value * UNIT_FACTOR[unit]
    except KeyError:
        raise ValueError(f"unknown money unit {unit!r}") from None


@dataclass(frozen=True)
class Reading:
    """What a token says. `printed` is the contract's printed form for a number
    (separators removed, full-width folded, sign kept, "+" dropped; "(0.43)" -> "-0.43"),
    and the folded token as printed otherwise."""

    kind: Kind
    printed: str
    value: Decimal | None = None
    decimals: int = 0
    percent: bool = False

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


@dataclass(frozen=True)
class Match:
    """A token of running text: text[start:end] as printed, and its reading."""

    start: int
    end: int
    reading: Reading


# ------------------------------------------------------------------ folding

# spaces a PDF prints between digit groups; NFKC would turn them into a plain space
_GROUP_SPACES = "\u2009\u202f\u00a0\u2007\u3000"
_MINUS = "-−—–"  # the minus signs a cell may print
_BLANK = re.compile(r"[-−—–―‐]{0,3}|/")  # dashes (or nothing) and the slash


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    # memoised: a narrative is folded character by character (~280k a corpus parse)
    # over a few thousand distinct characters
    if ch.isascii() or ch in _GROUP_SPACES:
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """Full-width digits, points, commas, signs and % folded to ASCII, one character for
    one (positions are kept); group spaces and dashes are left as printed."""
    if text.isascii():
        return text
    return "".join(_fold_char(ch) for ch in text)


# ------------------------------------------------------------------ one cell

_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_GROUPED = re.compile(r"[1-9]\d{0,2}(?P<sep>[,\s])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
_NUMERIC_CHARS = re.compile(r"[\d.,\s+\-−—–()%eE]+")


def _unsigned(body: str) -> str | None:
    """The digits of a well-formed unsigned number, separators removed; None otherwise."""
    body = re.sub(r"\s*\.\s*", ".", body)  # "82. 13": a number broken at its point
    if _PLAIN.fullmatch(body):
        return body
    if _GROUPED.fullmatch(body):
        return re.sub(r"[,\s]", "", body)
    return None


def _number(digits: str, negative: bool, percent: bool) -> Reading:
    printed = ("-" if negative else "") + digits
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Reading("number", printed, Decimal(printed), decimals, percent)


@lru_cache(maxsize=65536)
def read_number(token: str) -> Reading:
    """Read one table cell token (see the module docstring).

    Memoised: a reading depends on the token only and is immutable (a frozen Reading,
    a Decimal), and the parser asks about the same cell tokens many times over (each
    grid pass, is_number, the header and row tests): a whole corpus parse reads ~660k
    tokens, few of them distinct."""
    folded = fold(token)
    s = folded.strip()
    if _BLANK.fullmatch(s):
        return Reading("blank", s)
    if not any(ch.isdigit() for ch in s) or not _NUMERIC_CHARS.fullmatch(s):
        return Reading("not_a_number", s)
    body, negative, percent = s, False, False
    if body.endswith("%"):
        body, percent = body[:-1].rstrip(), True
    if body.count("(") != body.count(")"):
        return Reading("not_a_number", s)  # "(20" of "（20万以下）": part of a label
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1].strip(), True
    elif body[:1] in _MINUS:
        body, negative = body[1:].lstrip(), True
    elif body[:1] == "+":
        body = body[1:].lstrip()
    digits = _unsigned(body)
    if digits is None:
        return Reading("unreadable", s)
    return _number(digits, negative, percent)


def read_exact(token: str) -> tuple[str, Decimal]:
    """(printed, value) of a token known to be a number (e.g. matched by TEXT_NUMBER);
    ValueError otherwise."""
    reading = read_number(token)
    if reading.value is None:
        raise ValueError(f"not a number: {token!r}")
    return reading.printed, reading.value


def is_number(token: str) -> bool:
    """The token is one exact number (blank markers and unreadable tokens are not)."""
    return read_number(token).kind == "number"


# ------------------------------------------------------------------ running text

# a run of digits joined by single points, commas or group spaces, a glued sign before it
_RUN = re.compile(
    rf"(?<![0-9A-Za-z.])(?<![A-Za-z][+\-−])(?<!\d[,{_GROUP_SPACES}])"
    rf"[+\-−]?\.?\d+(?:[.,{_GROUP_SPACES}]\d+)*"
)
_TEXT_GROUPED = re.compile(
    rf"[1-9]\d{{0,2}}(?P<sep>[,{_GROUP_SPACES}])\d{{3}}(?:(?P=sep)\d{{3}})*(?:\.\d+)?"
)
_UNIT_AFTER = re.compile(r"\.?\s*[万亿千元%]")  # "5.万元": the point belongs to the run
_EXPONENT_AFTER = re.compile(r"[eE][+\-−]?\d+")

TEXT_NUMBER = (
    r"(?<![0-9A-Za-z.])(?<![A-Za-z][+\-−])(?<!\d,)"
    r"([+\-−]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?![0-9]|\.\d|,\d{3}(?!\d)|,\d[\d.,]*[万亿千元%]|[eE][+\-−]?\d)"
)


def find_numbers(text: str) -> Iterator[Match]:
    """The numeric tokens of running text, left to right, each a maximal token
    (see the module docstring): numbers, unreadable runs and runs that are not amounts."""
    folded = fold(text)
    for m in _RUN.finditer(folded):
        start, end = m.start(), m.end()
        exponent = _EXPONENT_AFTER.match(folded, end)
        if exponent:
            yield Match(
                start, exponent.end(), Reading("unreadable", folded[start : exponent.end()])
            )
            continue
        yield from _read_run(folded, start, end)


def _read_run(s: str, start: int, end: int) -> Iterator[Match]:
    run = s[start:end]
    negative = run[0] in "-−"
    digits_from = start + (1 if run[0] in "+-−" else 0)
    pct = end < len(s) and s[end] == "%"
    digits = _unsigned_text(s[digits_from:end])
    unit = _UNIT_AFTER.match(s, end)
    point = end < len(s) and s[end] == "."
    if digits is not None and not (unit and point):
        yield Match(start, end + pct, _number(digits, negative, pct))
        return
    if unit:
        yield Match(start, end + point, Reading("unreadable", s[start : end + point]))
        return
    # not one number: clause commas and word spaces split it; pieces with two points
    # ("1.2.3", an outline) are not amounts
    pos = start
    for piece in re.split(rf"([,{_GROUP_SPACES}])", run):
        if piece and piece[0] not in "," + _GROUP_SPACES:
            sign = piece[0] in "+-−"
            body = piece[1:] if sign else piece
            if _PLAIN.fullmatch(body) and (pos == start or not sign):
                yield Match(pos, pos + len(piece), _number(body, piece[0] in "-−", False))
            else:
                yield Match(pos, pos + len(piece), Reading("not_a_number", piece))
        pos += len(piece)


def _unsigned_text(body: str) -> str | None:
    """A well-formed number of running text: plain, or grouped with one separator kind."""
    if _PLAIN.fullmatch(body):
        return body
    if _TEXT_GROUPED.fullmatch(body):
        return re.sub(rf"[,{_GROUP_SPACES}]", "", body)
    return None
