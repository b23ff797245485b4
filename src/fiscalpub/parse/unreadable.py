"""Numbers that cannot be read as one exact number ("1.2E+3", "12.3.4"), in a table's cells
or in the narrative: each a finding, never a guessed amount and never dropped silently
(fiscalpub.numbers)."""

from __future__ import annotations

import re
from bisect import bisect_right

from fiscalpub.model import Finding, Severity, Where
from fiscalpub.normalize import nfkc
from fiscalpub.numbers import UNREADABLE, find_numbers
from fiscalpub.parse import narrative
from fiscalpub.parse.region import TableRegion
from fiscalpub.parse.rows import unreadable_tokens
from fiscalpub.parse.where import where
from fiscalpub.read.document import Document, Line


def _unreadable(token: str, at: Where, part: str) -> Finding:
    """`token` in `part` (a table id, or 情况说明) is no exact number: no amount is kept."""
    return Finding(
        code=UNREADABLE,
        severity=Severity.WARNING,
        message=f"{part}: {token!r} cannot be read as one exact number; no amount is kept",
        where=[at],
    )


def unreadable_in_table(region: TableRegion, tid: str) -> list[Finding]:
    """A cell token that looks like a number and is none ("1.2E+3", "12.3.4"): never
    guessed, never dropped silently (fiscalpub.numbers)."""
    return [_unreadable(t.text, where(t.line, tid), tid) for t in unreadable_tokens(region)]


def unreadable_in_narrative(doc: Document) -> list[Finding]:
    """A number of the 情况说明 that cannot be read exactly ("1.2E+3万元", "12.3.4万元").

    The text is read as the narrative reads it, lines joined and whitespace removed
    ("532 .02万元", a number the PDF broke at its point, is 532.02) — except that
    whitespace between two digits separates two numbers ("180.61 180.03": a table's row
    inside the text), so that is not one broken number."""
    owners = narrative.narrative_text(doc).lines
    chars: list[str] = []
    starts: list[int] = []  # offset of each line's text (bisect: not a Line per character)
    lines: list[Line] = []
    size = 0
    for i, line in enumerate(owners):
        if i and owners[i - 1] is line:
            continue
        text = re.sub(r"\s+", "", re.sub(r"(?<=\d)\s+(?=\d)", "\0", nfkc(line.text)))
        chars.append(text.replace("\0", " "))
        if text:
            starts.append(size)
            lines.append(line)
            size += len(text)
    return [
        _unreadable(m.reading.printed, where(lines[bisect_right(starts, m.start) - 1]), "情况说明")
        for m in find_numbers("".join(chars))
        if m.reading.kind == "unreadable"
    ]
