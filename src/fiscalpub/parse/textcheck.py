"""Text defects a machine can see, found while the text is at hand (validate reads the
package, not the source text): a template's instruction or placeholder left in, a reason
announced and not given, a table title of another year, a 单位 report calling itself a
部门 one, a share printed without its %, an amount left out. The words are data
(template.yaml `text`); each finding lists every place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from fiscalpub.model import Finding, ReportMeta, Severity, Where
from fiscalpub.normalize import nfkc, squash
from fiscalpub.parse.narrative import narrative_text
from fiscalpub.parse.region import TableRegion
from fiscalpub.read.document import Document, Line
from fiscalpub.registry import identity_words, text_words

_CJK = r"[\u3400-\u9fff]"
_YEAR = re.compile(r"(20\d{2})年")


def text_defects(
    docs: list[Document], regions: Iterable[TableRegion], meta: ReportMeta
) -> list[Finding]:
    """The report's text defects, one finding per kind."""
    lines = [line for d in docs for line in d.lines()]
    return [
        f
        for f in (
            _placeholders(lines),
            _empty_reasons(lines),
            _other_year_titles(regions, meta.year),
            _scope_in_headings(lines, meta.scope),
            _percent_without_sign(docs),
            _amount_missing(docs),
        )
        if f is not None
    ]


def _at(line: Line) -> Where:
    return Where(source=line.source, page=line.page, line=line.number)


def _finding(
    code: str, severity: Severity, what: str, hits: list[tuple[Line, str]]
) -> Finding | None:
    if not hits:
        return None
    shown = "; ".join(f"p.{ln.page} l.{ln.number} “{text}”" for ln, text in hits[:3])
    more = f" (and {len(hits) - 3} more)" if len(hits) > 3 else ""
    return Finding(code, severity, f"{what}: {shown}{more}", [_at(ln) for ln, _ in hits])


def _placeholder_re() -> re.Pattern[str]:
    marks = "|".join(re.escape(p) for p in identity_words().placeholders)
    # a placeholder stands for a name: a CJK character (or a colon) right beside it
    return re.compile(rf"(?:(?<={_CJK})|(?<=[:：]))(?:{marks})|(?:{marks})(?={_CJK})")


def _placeholders(lines: list[Line]) -> Finding | None:
    """Template text left in: an instruction to the author ("请说明：…") or a placeholder
    ("XX单位") — the report was published from its template unedited."""
    words = text_words()
    mark = _placeholder_re()
    hits = _matches(lines, lambda s: words.instruction.search(s) or mark.search(s))
    return _finding(
        "text-template-left",
        Severity.ERROR,
        "the template's instructions or placeholders are left in the text",
        hits,
    )


def _empty_reasons(lines: list[Line]) -> Finding | None:
    """A reason announced and not given ("增加的主要原因是。")."""
    hits = _matches(lines, text_words().empty_reason.search)
    return _finding(
        "text-empty-reason", Severity.ERROR, "a reason is announced but not given", hits
    )


def _matches(
    lines: list[Line], search: Callable[[str], re.Match[str] | None]
) -> list[tuple[Line, str]]:
    """The lines (squashed) where `search` finds something, each with the words around it."""
    hits = []
    for line in lines:
        s = squash(nfkc(line.text))
        m = search(s)
        if m:
            hits.append((line, _context(s, m)))
    return hits


def _other_year_titles(regions: Iterable[TableRegion], year: int | None) -> Finding | None:
    """A table title printing another year than the report's (a title copied from last
    year's report): the title's year is the one the table is read as."""
    if year is None:
        return None
    hits = []
    for region in regions:
        line = region.title_line
        if line is None:
            continue
        s = squash(nfkc(line.text))
        years = {int(y) for y in _YEAR.findall(s)}
        if years and year not in years:
            hits.append((line, s))
    return _finding(
        "text-other-year",
        Severity.WARNING,
        f"a table title names another year than the report's {year}",
        hits,
    )


def _scope_in_headings(lines: list[Line], scope: str | None) -> Finding | None:
    """A 单位预算/决算 whose headings call it a 部门预算/决算 ("2026年部门预算"): the title
    and the text say two different things about what the report covers."""
    if scope != "unit":
        return None
    words = text_words()
    hits = []
    for line in lines:
        s = squash(nfkc(line.text))
        if len(s) <= words.heading_chars:
            m = words.department_kind.search(s)
            if m:
                hits.append((line, s))
    return _finding(
        "text-scope-mismatch",
        Severity.WARNING,
        "a 单位 report's heading calls it a 部门 report",
        hits,
    )


def _percent_without_sign(docs: list[Document]) -> Finding | None:
    """A share or rate printed as a bare number where a % is meant ("基本支出223.46万元，
    占51；项目支出215.58万元，占49%"): the narrative reader takes no number without its unit,
    so the share would go unread and unchecked.  Only where it cannot be anything else: the
    word before it is a share's or a rate's, and the same sentence prints another value
    with its %."""
    patterns = text_words().percent_without_sign
    hits = []
    for doc in docs:
        text = narrative_text(doc)
        s = text.chars
        for pattern in patterns:
            for m in pattern.finditer(s):
                start = max(s.rfind(ch, 0, m.start()) for ch in "。!！") + 1
                end = min(
                    (i for i in (s.find(ch, m.end()) for ch in "。!！") if i >= 0), default=len(s)
                )
                if "%" in s[start:end]:
                    hits.append((text.lines[m.start(1)], _context(s, m)))
    hits.sort(key=lambda h: (h[0].source, h[0].page, h[0].number))
    return _finding(
        "text-percent-without-sign",
        Severity.WARNING,
        "a share or rate is printed without its % (the sentence prints others with %)",
        hits,
    )


def _amount_missing(docs: list[Document]) -> Finding | None:
    """An amount left out before its unit ("经营收入万元，占0%"): the template's blank was
    never filled, so the narrative states nothing where it seems to state a figure.  Read
    on the narrative as one string (a number is never taken for missing because a line or
    a page broke it: running headers and folios are gone there)."""
    pattern = text_words().amount_missing
    hits = []
    for doc in docs:
        text = narrative_text(doc)
        for m in pattern.finditer(text.chars):
            hits.append((text.lines[m.start()], _context(text.chars, m)))
    return _finding(
        "text-amount-missing",
        Severity.WARNING,
        "an amount is left out before its unit",
        hits,
    )


def _context(s: str, m: re.Match[str], chars: int = 12) -> str:
    return s[max(0, m.start() - chars) : m.end() + chars]
