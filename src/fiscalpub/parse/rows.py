"""Split a table region into rows: (code or row id, printed name, printed numbers).

Text extractions lose the grid, so rows are rebuilt from a token stream:
a row starts at a classification code followed by a name (or at a registry
row label such as 合计), and takes every number up to the next row start.
This survives wrapped names, numbers on the next line, side-by-side column
groups, and codes split across lines ("302\\n01", and "302 电费 … \\n 06"
where the suffix of a code is printed on the line below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fiscalpub.normalize import (
    INT_RE,
    is_number,
    join_broken_numbers,
    nfkc,
    parse_number,
    squash,
    tokens,
)
from fiscalpub.numbers import read_number
from fiscalpub.parse.region import Num, RawRow, TableRegion
from fiscalpub.read.document import Line
from fiscalpub.registry import RowSpec, Side, class_by_name, classes, table_words


@dataclass
class Tok:
    text: str
    line: Line
    first: bool  # first token of its physical line
    alone: bool  # the only token of its physical line


_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]")
_ELLIPSIS = re.compile(r"^[.…。·]{2,}$")
_NOTE = re.compile(r"^(注[:：]|说明[:：]|备注)")
# title-block words that may share a line with the body: "公开 07 表", "部门：…", "单位：万元"
_HEADER_NOISE = re.compile(r"公开\s*\d+\s*表|部门[:：]\s*\S+|(?:金额)?单位[:：]\s*\S+")
# a page number alone on its line inside a table that runs over pages: "-22-", "— 24—",
# "- 30 -", "第3页"; not a row's number (a bare "22" may be a cell: it is handled per row)
_FOLIO = re.compile(r"[-—–]\d{1,3}[-—–]|第\d{1,3}页(?:共\d+页)?")


def _is_name(tok: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", tok)) and tok not in ("无",)


def body_tokens(region: TableRegion) -> list[Tok]:
    """Tokens of the table body (after the header, before the notes), numbers re-joined."""
    lines = region.lines
    start = 0
    words = table_words()
    for idx, line in enumerate(lines[: words.header_lines]):
        if any(label in squash(line.text) for label in words.column_number_labels):
            start = idx + 1
    out: list[Tok] = []
    for line in lines[start:]:
        s = squash(line.text)
        if _NOTE.match(s):
            break
        if _FOLIO.fullmatch(s):
            continue
        toks = join_broken_numbers(tokens(_HEADER_NOISE.sub(" ", nfkc(line.text))))
        if not toks:
            continue
        if _ordinal_line(toks):
            continue
        # "14.7\n0": a 2-decimal number broken before its last digit
        if len(toks) == 1 and re.fullmatch(r"\d", toks[0]) and out:
            prev = out[-1].text
            if re.fullmatch(r"\d+\.\d", prev):
                out[-1].text = prev + toks[0]
                continue
        for n, tok in enumerate(toks):
            out.append(Tok(text=tok, line=line, first=n == 0, alone=len(toks) == 1))
    return out


def unreadable_tokens(region: TableRegion) -> list[Tok]:
    """Tokens of the table body that look like numbers but cannot be read exactly
    (E-notation "1.2E+3", "12.3.4", "1,2345.6"): no amount, a number-unreadable finding."""
    return [t for t in body_tokens(region) if read_number(t.text).kind == "unreadable"]


def _ordinal_line(toks: list[str]) -> bool:
    if any(t in table_words().number_labels for t in toks):
        return True
    nums = [t for t in toks if INT_RE.match(t)]
    return (
        len(nums) == len(toks)
        and len(nums) >= 3
        and [int(t) for t in nums] == list(range(int(nums[0]), int(nums[0]) + len(nums)))
    )


def _num(tok: Tok) -> Num:
    return num_from(tok.text, tok.line)


def num_from(text: str, line: Line) -> Num:
    value, printed, decimals = parse_number(text)
    return Num(value=value, printed=printed, decimals=decimals, line=line)


# ---------------------------------------------------------------- coded tables


def _code_ok(code: str, scheme: str) -> bool:
    if scheme == "function":
        return len(code) in (3, 5, 7) and code[:3] in classes()["function"]
    return len(code) in (3, 5) and code[:3] in classes()["economic"]


def _is_class_name(code: str, name: str, scheme: str) -> bool:
    s = squash(name)
    if not s:
        return True
    return any(squash(n).startswith(s) or s.startswith(squash(n)) for n in classes()[scheme][code])


def coded_rows(region: TableRegion) -> list[RawRow]:
    """Rows of a coded table: a row starts at a classification code and its name (or a
    registry row label such as 合计) and takes every number up to the next row start."""
    return _CodedReader(region).read()


class _CodedReader:
    """The token walk of `coded_rows`, with what it remembers across rows: the row being
    filled, the rows of each physical line (a wrapped name's owner), and per class the
    last complete code (a split code's suffix must follow it)."""

    def __init__(self, region: TableRegion) -> None:
        spec = region.spec
        self.scheme = spec.classification or "function"
        self.label_rows = {key: r for r in spec.rows for key in r.keys}
        self.toks = body_tokens(region)
        self.rows: list[RawRow] = []
        self.cur: RawRow | None = None
        self.rows_by_line: dict[int, list[RawRow]] = {}
        self.last_code_of_class: dict[str, str] = {}
        self.class_rows_seen: set[str] = set()

    def read(self) -> list[RawRow]:
        i = 0
        while i < len(self.toks):
            after_code = self._code_row(i)
            if after_code is not None:
                i = after_code
                continue
            tok = self.toks[i]
            if _is_name(tok.text):
                self._name(tok)
            elif is_number(tok.text):
                self._number(tok)
            i += 1
        self._close(self.cur)
        return self.rows

    def _start(self, row: RawRow, line: Line) -> None:
        self._close(self.cur)
        self.rows.append(row)
        self.rows_by_line.setdefault(line.number, []).append(row)
        self.cur = row

    def _close(self, row: RawRow | None) -> None:
        """A row's code is complete once a number or another row follows: remember it as
        its class's last code, or mark a 3-digit code that waits for its suffix."""
        if row is None or row.code is None:
            return
        if len(row.code) == 5:
            self.last_code_of_class[row.code[:3]] = max(
                row.code, self.last_code_of_class.get(row.code[:3], "")
            )
        elif len(row.code) == 3 and self.scheme == "economic" and not row.nums and not row.pending:
            # a class code printed a second time, or with a name that is not its
            # class name, is a split code ("302 电费" … "06")
            if row.code in self.class_rows_seen or not _is_class_name(
                row.code, row.name, self.scheme
            ):
                row.pending = True
            else:
                self.class_rows_seen.add(row.code)

    def _code_row(self, i: int) -> int | None:
        """A code (possibly split: "302" "01", "201" "06" "01") and its name starting at
        token i opens a row; returns the index after its name, None when no row starts."""
        toks, scheme = self.toks, self.scheme
        tok = toks[i]
        t = tok.text
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if not (
            INT_RE.match(t)
            and _code_ok(t, scheme)
            and (_is_name(nxt) or re.fullmatch(r"\d\d", nxt))
        ):
            return None
        code, j = t, i + 1
        while (
            j < len(toks)
            and re.fullmatch(r"\d\d", toks[j].text)
            and len(code) < (7 if scheme == "function" else 5)
        ):
            code += toks[j].text
            j += 1
        if not (j < len(toks) and (_is_name(toks[j].text) or len(code) > 3 or j == len(toks))):
            return None
        name_parts: list[str] = []
        while (
            j < len(toks)
            and _is_name(toks[j].text)
            and not (squash(_NUMBERING.sub("", toks[j].text)) in self.label_rows and name_parts)
        ):
            name_parts.append(toks[j].text)
            j += 1
        self._start(
            RawRow(side=None, code=code, row=None, name="".join(name_parts), line=tok.line),
            tok.line,
        )
        return j

    def _name(self, tok: Tok) -> None:
        """A name: a registry row label opens its row, else it goes on the current name."""
        t, cur = tok.text, self.cur
        key = squash(_NUMBERING.sub("", t))
        if key in self.label_rows and (cur is None or cur.nums or cur.code is not None or cur.row):
            self._start(
                RawRow(side=None, code=None, row=self.label_rows[key].id, name=t, line=tok.line),
                tok.line,
            )
        elif cur is not None and not cur.nums:
            cur.name += t
        elif cur is not None:
            # a name fragment after numbers: the wrapped rest of a name printed
            # in the first column group of the previous row line
            owner = _previous_line_first_row(self.rows_by_line, tok.line.number) or cur
            owner.name += t

    def _number(self, tok: Tok) -> None:
        """A number: a split code's suffix, a page number between rows, or the current
        row's next cell."""
        t, cur = tok.text, self.cur
        if cur is None:
            return
        self._close(cur)  # a number ends the name: is cur's 3-digit code waiting for a suffix?
        if re.fullmatch(r"\d\d", t) and _assign_suffix(self.rows, t, self.last_code_of_class, cur):
            return
        if re.fullmatch(r"\d{1,3}", t) and tok.alone and "." not in t and cur.nums:
            return  # a lone short integer between rows: page number of the original
        cur.nums.append(_num(tok))


def _previous_line_first_row(rows_by_line: dict[int, list[RawRow]], line_no: int) -> RawRow | None:
    earlier = [n for n in rows_by_line if n < line_no]
    if not earlier:
        return None
    return rows_by_line[max(earlier)][0]


def _assign_suffix(rows: list[RawRow], suffix: str, last: dict[str, str], cur: RawRow) -> bool:
    """Give a 2-digit suffix to the first pending 3-digit code it can complete.

    Codes within a class are printed in ascending order, so a suffix that would
    make a code smaller than the last complete one of its class is refused
    (a lone "20" between table lines is a page number, not 302+20).
    """
    for row in rows:
        if row.pending and row.code is not None:
            candidate = row.code + suffix
            prev = last.get(row.code)
            if prev is not None and candidate <= prev:
                continue
            row.code = candidate
            row.pending = False
            last[row.code[:3]] = candidate
            return True
    return False


# ---------------------------------------------------------------- two-sided tables


def match_side_row(side: Side, key: str, seen: set[str]) -> RowSpec | None:
    matches = [r for r in side.rows if key in r.keys]
    for r in matches:
        if r.after and r.after in seen:
            return r
    for r in matches:
        if r.after is None:
            return r
    return None


def _class_code(key: str) -> str | None:
    names = class_by_name()["function"]
    if key in names:
        return names[key]
    return None


@dataclass
class _Seg:
    side: str
    label: str
    nums: list[Num] = field(default_factory=list)
    ordinal: bool = False


def two_sided_rows(region: TableRegion) -> list[RawRow]:
    """Rows of a two-sided table (收入 | 支出 side by side): labelled segments of the token
    stream, each put on its side and matched with the registry's rows."""
    spec = region.spec
    income, expenditure = spec.side("income"), spec.side("expenditure")
    segs = _segments(region, income, expenditure)
    rows: list[RawRow] = []
    seen: dict[str, set[str]] = {"income": set(), "expenditure": set()}
    for seg in segs:
        row = _segment_row(seg, income, expenditure, seen)
        if row is not None:
            rows.append(row)
    return rows


def _segments(region: TableRegion, income: Side, expenditure: Side) -> list[_Seg]:
    """The token stream cut at labels: each label with the numbers after it.  A printed
    行次 column's ordinals are counted (per side) so that they are never taken as cells."""
    words = table_words()
    has_ordinal = any(
        label in squash(ln.text)
        for ln in region.lines[: words.header_lines]
        for label in words.row_number_labels
    )
    segs: list[_Seg] = []
    line_sides: set[str] = set()  # sides already used on the current logical line
    cur: _Seg | None = None
    label_open = False  # the previous token was (part of) a label
    expect = {"income": 0, "expenditure": 0}
    for tok in body_tokens(region):
        t = tok.text
        if _is_name(t) or _ELLIPSIS.match(t):
            if (
                label_open
                and cur is not None
                and not cur.ordinal
                and not cur.nums
                and not _ELLIPSIS.match(cur.label)
                and not _NUMBERING.match(t)
            ):
                cur.label += t
                continue
            if tok.first:
                line_sides = set()
            side = "expenditure" if "income" in line_sides else _guess_side(t, income, expenditure)
            cur = _Seg(side=side, label=t)
            segs.append(cur)
            line_sides.add(side)
            label_open = True
            continue
        label_open_before, label_open = label_open, False
        if not is_number(t):
            continue
        if has_ordinal and INT_RE.match(t):
            if cur is not None and label_open_before and not cur.ordinal:
                cur.ordinal = True
                expect[cur.side] = int(t) + 1
                continue
            if tok.first:
                line_sides = {"income"}  # an income row without a label: "9 九、卫生健康支出 …"
                cur = None
                expect["income"] = int(t) + 1
                continue
            if int(t) == expect["expenditure"] or int(t) == expect["income"]:
                expect["expenditure" if int(t) == expect["expenditure"] else "income"] = int(t) + 1
                cur = None
                continue
        if cur is None:
            continue
        cur.nums.append(_num(tok))
    return segs


def _segment_row(
    seg: _Seg, income: Side, expenditure: Side, seen: dict[str, set[str]]
) -> RawRow | None:
    """A segment's row: a registry row of its side (or of the expenditure side, for labels
    printed there only), a 类 line by its name, or an unknown label with numbers."""
    half = income if seg.side == "income" else expenditure
    key = squash(_NUMBERING.sub("", squash(seg.label)))
    spec_row = match_side_row(half, key, seen[seg.side])
    if spec_row is None and seg.side == "income":
        # labels printed on the expenditure half only ("总计" twice, 类 lines)
        other = match_side_row(expenditure, key, seen["expenditure"])
        if other is not None or _class_code(key):
            seg.side, half, spec_row = "expenditure", expenditure, other
    line = seg.nums[0].line if seg.nums else None
    if spec_row is not None:
        seen[seg.side].add(spec_row.id)
        return RawRow(
            side=seg.side, code=None, row=spec_row.id, name=seg.label, nums=seg.nums, line=line
        )
    if half.class_rows and _class_code(key):
        return RawRow(
            side=seg.side, code=_class_code(key), row=None, name=seg.label, nums=seg.nums, line=line
        )
    if seg.nums:
        return RawRow(side=seg.side, code=None, row=None, name=seg.label, nums=seg.nums, line=line)
    return None


def _guess_side(label: str, income: Side, expenditure: Side) -> str:
    key = squash(_NUMBERING.sub("", squash(label)))
    if any(key in r.keys for r in income.rows):
        return "income"
    if _class_code(key) or any(key in r.keys for r in expenditure.rows):
        return "expenditure"
    return "income"


# ---------------------------------------------------------------- single-row tables


def single_row(region: TableRegion) -> list[RawRow]:
    nums = [_num(t) for t in body_tokens(region) if is_number(t.text)]
    if not nums:
        return []
    return [RawRow(side=None, code=None, row=None, name="", nums=nums, line=nums[0].line)]
