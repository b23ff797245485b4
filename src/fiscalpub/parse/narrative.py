"""Narrative facts from the 情况说明 part: every stated number with its sentence, page and line.

The narrative is read as one whitespace-free string (so "82. 13" and "12\\n.01"
re-join), with a map back to the physical lines.  Each number is classified by
the words before it in its sentence: the subject (收入合计, 基本支出, 公务接待费,
a 类/款/项 path …), the phase (预算 / 调整预算 / 决算) and whether it is a
change (与上年相比减少 …), a share (占 …%) or a completion rate (完成预算的 …%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from fiscalpub.model import Fact
from fiscalpub.normalize import nfkc, to_yuan
from fiscalpub.numbers import TEXT_NUMBER, read_number
from fiscalpub.read.document import Document, Line
from fiscalpub.registry import (
    class_by_name,
    lexicon_ignored,
    lexicon_phrases,
    lexicon_sections,
    tables,
)

# subject phrases -> indicator(s): registry data (facts.yaml `lexicon`); longest first
SUBJECTS: dict[str, str] = {**lexicon_phrases(), **dict.fromkeys(lexicon_ignored(), "")}
_SUBJECT_RE = re.compile("|".join(re.escape(k) for k in sorted(SUBJECTS, key=len, reverse=True)))

# inside a section about one fund, plain words mean that fund's figures
_SECTION_SUBJECTS = lexicon_sections()

# the number is a whole token (fiscalpub.numbers): never the tail of "10,150.48万元"
_NUM = re.compile(
    TEXT_NUMBER
    + r"(万元|元|%|辆|台\(套\)|台|人次|人|个|(?<=为\d)(?=[,，。;；])|(?<=为\d\.\d\d)(?=[,，。;；]))"
)
# a name followed by its level marker; names may hold parentheses: 党委办公厅(室)…(款)
_PATH_PART = re.compile(r"((?:[^()\d、.,，。;；:：]|\((?!(?:类|款|项)\))[^()]*\))+?)\((类|款|项)\)")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
# a numbered item ("1.“…”科目", "12、…") starts a statement of its own ("1.5万元" does not)
_ITEM = re.compile(r"^\d{1,2}[.、](?!\d)")
_FOLIO = re.compile(r"[-—─–]?\d{1,3}[-—─–]?|第\d{1,3}页(共\d+页)?")
# a folio printed inside a wrapped line: "离退─12─休支出"
_INLINE_FOLIO = re.compile(r"(?<=[\u4e00-\u9fff])[-—─–]\d{1,3}[-—─–](?=[\u4e00-\u9fff])")
_CHANGE = re.compile(r"(增加|减少|增长|下降|降低|上升|增|减|变化)")
# "主要是减少医疗救助专项资金支出69.70万元": amounts after a reason word explain a
# change; they are not the sentence's subject
_REASON = re.compile(
    r"主要(原因)?(是|为|系|由于)|主要原因|原因(主要)?(是|为)|由于|按规定|按照规定|项目变动"
    r"|(^|[,，;；:：])[一二三四五六七八九十]是"
)
# "十三、预算绩效情况说明", "（三）项目绩效自评结果": project evaluations, whose
# amounts are projects' (共涉及资金…), not the department's totals
_PERFORMANCE = re.compile(
    r"(^|[。;；\s])([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])[^。;；]{0,20}绩效"
)
_ANY_HEADING = re.compile(
    r"(^|[。;；\s])([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])"
)


def _performance_last(gap: str) -> bool:
    """A 绩效 heading is the last heading of the gap: a later heading ("十一、机关运行经费"
    after a "十、预算绩效管理情况" that printed no number) starts another section."""
    found = list(_PERFORMANCE.finditer(gap))
    if not found:
        return False
    last = found[-1]
    return not any(h.start(2) > last.start(2) for h in _ANY_HEADING.finditer(gap, last.end()))


_DECREASE = ("减少", "下降", "降低", "减")
_SENTENCE_END = "。;；!！"
_START = re.compile(
    r"(第[三四]部分.{0,20}情况说明|部门决算情况说明|部门预算情况说明|情况说明$|预算编制说明$)"
)
_END = re.compile(r"(第[四五]部分|名词解释)")
# one project's own description after the department's narrative (Shanghai: "…项目经费情况
# 说明"): its amounts are the project's, not the department's
_PROJECT_END = re.compile(r"项目(经费)?情况说明$")
# a function line named in quotes: “一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目
_QUOTED_PATH = re.compile(r"[“\"]([^”\"。;；]{2,120})[”\"]科目")
# a list of economic items after a head amount: "人员经费706.71万元，主要包括：基本工资…"
_LIST_MARK = re.compile(
    r"^[,，;；]?(主要包括|具体包括|其中包括|包括|主要有|主要用于|明细如下|具体(为|是|如下))[:：]"
)
_LIST_HEADS = frozenset(
    {
        "personnel_expenditure",
        "public_expenditure",
        "basic_expenditure",
        "gpb_basic_expenditure",
        "office_operating_expenditure",
    }
)
# a part of a level, not the level: "（含外宾接待支出0.00万元）", "其中：国内公务接待…"
_PART = re.compile(r"^(其中[:：]?)?(含|包含|包括)(?![)）])")  # not "100万元（含）以上"
# a change stated right before its number, with or without a comparison word
_CHANGE_HERE = re.compile(r"(增加|减少|增长|下降|降低|上升|(?<!新)增|减|相比变化|变化)了?$")


@dataclass
class _Text:
    chars: str
    lines: list[Line]  # the line of every character


# the narrative text of the last few documents: one report asks for it four times (facts,
# unreadable numbers, two text checks); a document is read-only once read
_TEXTS: dict[int, tuple[Document, _Text]] = {}
_TEXTS_KEPT = 4


def narrative_text(doc: Document) -> _Text:
    """The narrative part as one whitespace-free string, mapped back to lines (built
    once per document: the entry keeps its document, so its id is not reused)."""
    kept = _TEXTS.get(id(doc))
    if kept is not None and kept[0] is doc:
        return kept[1]
    text = _narrative_text(doc)
    while len(_TEXTS) >= _TEXTS_KEPT:
        del _TEXTS[next(iter(_TEXTS))]
    _TEXTS[id(doc)] = (doc, text)
    return text


def _narrative_text(doc: Document) -> _Text:
    all_lines = list(doc.lines())
    squashed = [re.sub(r"\s+", "", nfkc(line.text)) for line in all_lines]
    start = _narrative_start(squashed)
    if start is None:
        return _Text(chars="", lines=[])
    chars: list[str] = []  # the text in pieces (each line's, never empty)
    owners: list[Line] = []
    running = _running_lines(all_lines)
    for line, squashed_line in zip(all_lines[start:], squashed[start:], strict=True):
        s = _INLINE_FOLIO.sub("", squashed_line)
        if _END.match(s) or (_PROJECT_END.search(s) and len(s) < 60):
            break
        if _FOLIO.fullmatch(s) or s in running:
            continue  # a page number or running header between two halves of a sentence
        if (_HEADING.match(s) or _ITEM.match(s)) and chars and not chars[-1].endswith("。"):
            chars.append("。")  # a heading ends the previous sentence (also after "；")
            owners.append(line)
        if s:
            chars.append(s)
            owners.extend([line] * len(s))  # the line of each of its characters
    return _Text(chars="".join(chars), lines=owners)


def _running_lines(lines: list[Line]) -> set[str]:
    """Running headers and footers: a page's first or last line that is the same text on
    at least 3 pages ("无锡市商务局2026年度部门预算公开"), which may stand between the two
    halves of a sentence ("6.31万" … "元")."""
    edges: dict[int, list[str]] = {}
    for line in lines:
        edges.setdefault(line.page, []).append(line.text)
    pages: dict[str, set[int]] = {}
    for page, texts in edges.items():
        for text in {texts[0], texts[-1]}:
            squashed = re.sub(r"\s+", "", nfkc(text))
            if squashed and not re.search(r"[。;；]$", squashed):
                pages.setdefault(squashed, set()).add(page)
    return {text for text, seen in pages.items() if len(seen) >= 3}


def _narrative_start(squashed: list[str]) -> int | None:
    """Index of the line opening the narrative: the last 第三部分 / "…部门决算情况说明"
    heading (the first ones are the table of contents), else the first short
    "…情况说明" heading; None when the file has no narrative (a file of tables)."""
    heads = [
        i
        for i, s in enumerate(squashed)
        if s.startswith("第三部分")
        or (re.search(r"部门(决|预)算情况说明$|(部门|单位)预算编制说明$", s) and len(s) < 30)
    ]
    if heads:
        return heads[-1]
    for i, s in enumerate(squashed):
        if _START.search(s) and len(s) < 40 and not s.startswith("表"):
            return i
    return None


def extract_facts(doc: Document, year: int | None, kind: str | None) -> list[Fact]:
    """Every number the narrative states, as facts, in the order printed.

    The narrative is read number by number (`_Scan.read`): the words since the previous
    number, the sentence and the section decide what each one is about, so the state a
    sentence carries (its subject, a 类/款/项 path, a list head …) lives in one `_Scan`.
    A "无政府采购" statement is a fact without a number: no procurement at all."""
    text = narrative_text(doc)
    scan = _Scan(text, year, kind)
    for m in _NUM.finditer(text.chars):
        scan.read(m)
    return scan.facts + _no_procurement(text, year)


def _no_procurement(text: _Text, year: int | None) -> list[Fact]:
    """ "无政府采购": the report states it bought nothing (a status, no amount)."""
    s = text.chars
    facts = []
    for m in re.finditer(r"无政府采购", s):
        line = text.lines[m.start()]
        facts.append(
            Fact(
                indicator="procurement_total",
                amount=None,
                value=None,
                unit=None,
                printed=None,
                phase="actual",
                period=year,
                path=None,
                code=None,
                base=None,
                text=_sentence(s, max(0, s.rfind("。", 0, m.start()) + 1), m.end()),
                source=line.source,
                page=line.page,
                line=line.number,
                status="none",
            )
        )
    return facts


class _Scan:
    """The reading state of one narrative, carried from number to number: a sentence's
    subject goes on to the numbers after it ("…比上年减少…"), a section heading changes
    what plain words mean, a list head's items follow it.  Each step of `read` is one
    method, in the order the decisions must be taken."""

    def __init__(self, text: _Text, year: int | None, kind: str | None) -> None:
        self.text = text
        self.s = text.chars
        self.year = year
        self.kind = kind
        # numbers a narrative states without a phase word are what the report is about
        self.default_phase = "budget" if kind == "budget" else "actual"
        self.facts: list[Fact] = []
        self.sentence_start = 0
        self.subject: str | None = None
        self.path: list[str] | None = None
        self.section: str | None = None
        self.last_money_subject: str | None = None
        self.prev_subject: str | None = None
        self.heading_class: list[str] = []
        self.list_head: str | None = None  # a head amount whose economic items follow (主要包括：…)
        self.outer: str | None = (
            None  # the subject before an open "（": what follows its "）" is about
        )
        self.listed = False  # the path is a 类 of a list ("按支出功能分类，包括教育支出…")
        self.prev_listed = False  # the sentence before listed parts (其中/包括 …)
        # the lines listed as parts of 基本支出/项目支出 ("项目支出…其中：一般公共服务支出3.00
        # 万元，主要用于…。公共安全支出40230.95万元，…"): the list goes on past a 。 until
        # another subject or heading
        self.parts_of: str | None = None
        self.prev_end = 0
        self.skip_to = 0  # the share a listed part's facts already took ("…15万元，占0.08%")

    def read(self, m: re.Match[str]) -> None:
        """One number: where it stands (sentence, section, parenthesis, list), then what it
        is about, then its facts; each `return` leaves a number that states no fact of its
        own (or whose facts a step already took)."""
        s, begin = self.s, m.start()
        if begin < self.skip_to:
            return
        gap = s[self.prev_end : begin]  # the words since the previous number
        self._sentence_boundary(gap)
        self._section_heading(gap, begin)
        if self.section == "performance":
            self._performance(m)
            return
        context = s[max(self.sentence_start, self.prev_end) : begin]
        self._parenthesis(gap)
        if begin > 0 and s[begin - 1] in "0123456789.":
            self.prev_end = m.end()
            return
        if self.list_head is not None and m.group(2) in ("万元", "元"):
            self._list_item(m, context)
            return
        new_path, context, quoted_line = self._line_path(begin, context)
        found = None if quoted_line else self._named(context)
        found = self._not_the_subject(m, context, found, new_path)
        if found in (None, "") and not new_path and self._listed_part(m):
            return
        generic = _generic_total(context) if found is None and self.section is None else None
        if generic and not self._carries(generic):
            found = generic  # else "支出决算比上年减少…" goes on with 机关运行经费
            self.path = None
        found = self._narrowed(found, new_path, begin)
        if found == "":  # a figure of no indicator (one category's share …): no fact
            # and its changes later in the sentence are not the earlier subject's either
            self.subject = self.last_money_subject = self.prev_subject = None
            self.path = None
            self.prev_end = m.end()
            return
        found = self._take_subject(found, context, new_path)
        if _REASON.search(s[self.sentence_start : begin]) and not new_path:
            # "主要原因是…按规定压减10%": a figure of the reason, not the subject's
            self.prev_end = m.end()
            return
        if self.subject is None and self.prev_subject and _CHANGE.search(context):
            # "支出决算比上年减少…" continues the previous sentence's subject
            self.subject = self.prev_subject
        clause = re.split(r"[,，;；(（:：、]", context)[-1]
        if not new_path and _PART.search(clause) and not found:
            # "（含外宾接待支出0.00万元）": a part of the level before it, not the level
            self.prev_end = m.end()
            return
        self._state(m, context, None if generic and found == generic else self.last_money_subject)

    def _sentence_boundary(self, gap: str) -> None:
        """A sentence ended between the previous number and this one: its subject becomes
        the one a change in the next sentence may continue, the rest starts afresh."""
        cut = max((gap.rfind(ch) for ch in _SENTENCE_END), default=-1)
        if cut < 0:
            return
        self.prev_subject = self.last_money_subject or self.subject
        self.prev_listed = bool(_HEAD_MARK.search(self.s, self.sentence_start, self.prev_end + cut))
        if self.listed:  # 类 listed after "包括": the sentence after speaks of the whole again
            self.path, self.prev_subject, self.listed = None, None, False
        self.sentence_start = self.prev_end + cut + 1
        self.subject = "function_line" if self.path else None
        self.last_money_subject = None
        self.list_head = None
        # "（一）因公出国（境）费用。2026年预算数17.1万元": a short heading sentence
        # without a number names the subject of the sentence after it
        titled = _titled_subject(gap[:cut])
        if titled:
            self.subject = titled

    def _section_heading(self, gap: str, begin: int) -> None:
        """A numbered heading ("三、政府性基金预算支出情况说明") opens a section that speaks of
        its own lines; a 绩效 heading opens the performance section."""
        heading = _last_heading(self.s, self.prev_end, begin)
        if heading is not None:
            self.section = _section_of(heading)
            self.path = None
            self.heading_class.clear()
            self.prev_subject = self.last_money_subject = (
                None  # a new section speaks of its own lines
            )
            self.parts_of = None
        if _performance_last(gap):
            self.section = "performance"

    def _performance(self, m: re.Match[str]) -> None:
        """A budget's 绩效目标 section: how many projects and how much money have targets; a
        决算's lists projects' own evaluations (not the department's)."""
        if self.kind == "budget":
            line = self.text.lines[m.start()]
            self.facts.extend(_performance_fact(m, self.s, self.sentence_start, line, self.year))
        self.prev_end = m.end()

    def _parenthesis(self, gap: str) -> None:
        """A parenthesis explains the subject before it; after its "）" that subject goes on."""
        if "(" in gap and gap.rfind("(") > gap.rfind(")"):
            self.outer = self.subject  # "公务用车购置及运行维护费6.54万元（公务用车购置费…"
        elif ")" in gap and self.outer and not _SUBJECT_RE.search(gap[gap.rfind(")") :]):
            # "…）比上年减少14.85万元": the change of the line before the parenthesis
            self.subject, self.last_money_subject, self.path = self.outer, self.outer, None
            self.outer = None

    def _list_item(self, m: re.Match[str], context: str) -> None:
        """An item of the list after a head amount: its own economic line, never the head."""
        s, begin = self.s, m.start()
        name = _item_name(s[self.prev_end : begin])
        self.prev_end = m.end()
        if name:
            self.facts.extend(
                _facts_for(
                    m.group(1),
                    m.group(2),
                    context,
                    "economic_line",
                    [name],
                    None,
                    self.year,
                    _sentence(s, self.sentence_start, m.end()),
                    self.text.lines[begin],
                    self.default_phase,
                    s[self.sentence_start : begin],
                )
            )

    def _line_path(self, begin: int, context: str) -> tuple[list[str] | None, str, bool]:
        """A function line named before the number (…（类）…（项）, “类-款-项”科目, a 类 named
        alone): it becomes the subject.  Returns the new path, the context without the
        line's own name, and whether a quoted “…”科目 names the line (then it is the
        subject whatever came before)."""
        before = self.s[self.prev_end : begin]
        quoted = _QUOTED_PATH.search(before)
        new_path = _path(before, self.heading_class) or (
            _split_quoted(quoted.group(1)) if quoted else None
        )
        if new_path:
            self.path, self.subject = new_path, "function_line"
        # "主要用于…基本支出和项目支出": what a line is used for names no subject
        context = _USE.sub("", context)
        if not new_path and not _SUBJECT_RE.search(context):
            named = _class_named(context)
            if named:
                new_path, self.path, self.subject = [named], [named], "function_line"
                self.listed = True
        marker = max(context.rfind("(类)"), context.rfind("(款)"), context.rfind("(项)"))
        if new_path and marker >= 0:
            context = context[marker + 3 :]  # a fund phrase inside the line's own name
        quoted_line = bool(quoted and new_path and not _path(before, []))
        return new_path, context, quoted_line

    def _named(self, context: str) -> str | None:
        """The indicator the words before the number name (`_subject`); within a line's
        path only the three 公 and like subjects override the line."""
        on_path = bool(self.path) and not _SUBJECT_RE.search(context)
        return _subject(context, self.section, path=on_path)

    def _not_the_subject(
        self, m: re.Match[str], context: str, found: str | None, new_path: list[str] | None
    ) -> str | None:
        """Numbers that name a figure no indicator stands for ("" : no fact, and the
        subject ends), and a sentence opened by its inline title."""
        if found and not new_path and _CODED_LINE.search(context):
            found = ""  # "(一)2120815-农村社会事业支出1800.00万元": a coded line, not the fund
        if re.search(r"(平均|人均|每辆|每人|每次|每台)[^,，;；]{0,6}$", context):
            found = ""  # "平均每辆2.71万元": a per-unit average, not the level
        elif (
            found is None
            and not new_path
            and m.group(2) in ("万元", "元")
            and _names_other(context)
        ):
            found = ""  # "事业单位经营服务收入0万元": a line no indicator stands for, not the
            # subject of the figures before it
        if found is None and not new_path and self.prev_end <= self.sentence_start:
            found = _inline_title(self.s[self.sentence_start : m.start()]) or None
        return found

    def _listed_part(self, m: re.Match[str]) -> bool:
        """ "财政拨款支出965.81万元，主要用于以下方面：…；城乡医疗救助支出108万元，占11.18%":
        a part of the list no indicator stands for: its amount and share, of the head."""
        starts = (self.sentence_start, self.prev_end)
        part_share = _listed_share(
            self.s, m, self.year, self.text.lines, starts, self.default_phase
        )
        if not part_share:
            return False
        self.facts.extend(part_share)
        self.skip_to = self.prev_end = _share_end(self.s, m)
        self.subject = self.last_money_subject = self.prev_subject = None
        self.path = None
        return True

    def _carries(self, generic: str) -> bool:
        """A clause opening with plain 收入/支出 and a change continues the previous
        sentence's line of the same side (not a total) unless that sentence listed parts."""
        side = "_expenditure" if generic == "total_expenditure" else "_income"
        before_line = (self.prev_subject or "").split("+")[-1]
        opens = self.sentence_start >= self.prev_end  # the clause opens its sentence
        carry = opens and not self.prev_listed and before_line.endswith(side)
        return carry and not before_line.startswith("total")

    def _narrowed(self, found: str | None, new_path: list[str] | None, begin: int) -> str | None:
        """A subject narrowed by the head named before 其中 (a fund's basic expenditure), or
        turned into "" where it is only a part of another figure."""
        s = self.s
        head = _share_head(s, begin, found) if found or new_path else None
        if found == "gpb_income" and head and head.endswith("_expenditure"):
            found = "gpb_expenditure"  # "支出…其中：一般公共预算拨款2,838.42万元"
        if found in _FUND_PARTS and head in _FUND_PARTS[found]:
            # "一般公共预算财政拨款支出…其中：基本支出…": the fund's basic expenditure
            found = _FUND_PARTS[found][head]
        elif new_path and (head or self.parts_of) in _SPLIT_HEADS and not found:
            found = ""  # "项目支出…其中：一般公共服务支出3.00万元": a line's project part
            self.parts_of = head or self.parts_of
        elif (found or "").startswith("procurement") and _FUND_PROCUREMENT.search(
            s[self.sentence_start : begin]
        ):
            found = ""  # "其中一般公共预算拨款政府采购…": one fund's part of procurement
        elif (found or "").startswith(("procurement_sme", "procurement_small_micro")) and (
            _IN_PROJECTS.search(s[self.sentence_start : begin])
        ):
            found = ""  # "在其他政府采购项目中，由中小企业…采购金额4.79万元": a subset's part
        return found

    def _take_subject(
        self, found: str | None, context: str, new_path: list[str] | None
    ) -> str | None:
        """The subject found becomes the sentence's (a total named after a summary line's
        name is that line's; in the 财政拨款 section plain totals are the appropriations')."""
        if found in ("total_income", "total_expenditure") and _names_summary_line(context):
            found, self.subject = (
                None,
                None,
            )  # "财政专户管理资金收入预算总计0万元": that line's total
        if found and self.section == "fiscal":
            # in the 财政拨款收支 section, plain 收/支 totals are the appropriations'
            found = found.replace("total_income", "fiscal_appropriation_income").replace(
                "total_expenditure", "fiscal_appropriation_expenditure"
            )
        if found:
            self.parts_of = None  # another subject: the list of a split's lines has ended
            self.subject = found
            if not new_path:
                self.path = None if found != "function_line" else self.path
        return found

    def _state(self, m: re.Match[str], context: str, last_subject: str | None) -> None:
        """The number's facts about the subject; a head amount followed by 主要包括：… opens a
        list of economic items, and a money amount is what a later change refers to."""
        s, begin = self.s, m.start()
        number, unit = m.group(1), m.group(2) or "万元"  # "总额为0，": the narrative's unit
        line = self.text.lines[begin]
        sentence = _sentence(s, self.sentence_start, m.end())
        self.prev_end = m.end()
        if (
            self.subject in _LIST_HEADS
            and unit in ("万元", "元")
            and _LIST_MARK.match(_until_number(s, m.end()))
        ):
            self.list_head = self.subject
        self.facts.extend(
            _facts_for(
                number,
                unit,
                context,
                self.subject,
                self.path,
                last_subject,
                self.year,
                sentence,
                line,
                self.default_phase,
                s[self.sentence_start : begin],
                _held_year(s, begin, self.year),
                _share_head(s, begin, self.subject),
                _wide_sentence(s, begin),
            )
        )
        if unit in ("万元", "元") and self.subject and not _CHANGE.search(context):
            self.last_money_subject = self.subject


def _read(token: str) -> tuple[str, Decimal]:
    """A narrative number (a whole token, fiscalpub.numbers): its printed form and value."""
    reading = read_number(token)
    if reading.value is None:  # the pattern admits only readable numbers
        raise ValueError(f"not a number: {token!r}")
    return reading.printed, reading.value


_USE = re.compile(r"主要用于[^,，;；。:：]*")
_CODED_LINE = re.compile(r"(^|[,，;；:：)])\d{3}(\d{2}){0,2}[-－—]?[\u4e00-\u9fff]{2,30}$")
_OTHER_LINE = re.compile(r"[\u4e00-\u9fff]{2,}(收入|支出|经费|资金|费|结余|拨款)$")
_PHASE_WORDS = re.compile(r"(年初|调整|全年)?(预算|决算)(数)?(为|是)?$|执行数(为|是)?$")


_GENERIC = re.compile(r"(收入|支出)(预算|决算)?(总额|总计|合计)?(较|比|与|减少|增加|下降|增长)")


def _generic_total(context: str) -> str | None:
    """A clause that starts with plain 收入/支出 and a change ("收入较去年减少…", "1.收入预算
    减少976.9万元"): the report's total, unless the sentence before spoke of one line."""
    clause = re.split(r"[,，;；:：、。]", context)[-1]
    clause = re.sub(r"^(\d+[.、]|[(（][一二三四五六七八九十\d]+[)）])", "", clause)
    m = _GENERIC.match(clause)
    if not m:
        return None
    return "total_income" if m.group(1) == "收入" else "total_expenditure"


def _names_other(context: str) -> bool:
    """The clause before a number names a money line of its own ("事业单位经营服务收入",
    "单位预留机动经费") that no indicator stands for: the number is not the subject's."""
    clause = re.split(r"[,，;；:：、。]", context)[-1]
    # the name before a change ("使用非财政拨款结余减少28万元"), without phase words
    clause = re.split(r"(比|较|与|同比)?(增加|减少|增长|下降|降低|上升)", clause)[0]
    clause = _PHASE_WORDS.sub("", clause)
    clause = re.sub(r"^((20\d\d)?年度?|本年度?|全年|当年|上年|本部门|本单位|其中)+", "", clause)
    return bool(_OTHER_LINE.search(clause)) and "占" not in clause


def _class_named(context: str) -> str | None:
    """A 功能分类 类 named alone before its amount, without (类): "按功能分类支出划分为一般
    公共服务支出10685.56万元" — the curated 类 names (classes.yaml), exactly."""
    clause = re.split(r"[,，;；:：为]", context)[-1]
    clause = re.sub(r"^(其中|包括|主要包括|分别是|主要有)", "", clause)
    return clause if clause in class_by_name()["function"] else None


_INLINE_TITLES = {"收入预算": "total_income", "支出预算": "total_expenditure"}
_INLINE_TITLE = re.compile(
    r"[(（][一二三四五六七八九十]+[)）]([^:：,，。()（）]{2,12})[:：][^,，;；:：]*$"
)


def _inline_title(text: str) -> str | None:
    """The subject of a sentence opened by its title: "（二）支出预算：2026年年初预算数…"."""
    m = _INLINE_TITLE.search(text)
    if not m:
        return None
    return _INLINE_TITLES.get(m.group(1)) or _subject(m.group(1), None)


def _titled_subject(text: str) -> str | None:
    """The subject of the last sentence of `text` when it is a short numbered heading
    ("（一）因公出国（境）费用", "（三）公务用车购置和运行维护费") that names one."""
    last = re.split(f"[{_SENTENCE_END}]", text)[-1]
    m = re.fullmatch(r"(?:其中[:：]?)?[(（][一二三四五六七八九十]+[)）](.{2,20})", last)
    if not m:
        return None
    hits = list(_SUBJECT_RE.finditer(m.group(1)))
    return SUBJECTS[hits[-1].group()] if len(hits) == 1 else None


_HEAD_MARK = re.compile(r"其中|主要用于以下方面|以下方面|包括|(?<=[算计额出])中[,，:：]")


def _share_head(s: str, at: int, part: str | None = None) -> str | None:
    """The subject named before "其中" earlier in the same 。-sentence: what the parts
    listed after it are shares of.  `part` (the part's indicator) picks, when the head is
    in the sentence before, the first figure of its side (收入 or 支出)."""
    start = s.rfind("。", 0, at) + 1
    found = list(_HEAD_MARK.finditer(s, start, at))
    if not found:
        # "…其中：按功能分类…占比6.73%。按经济分类划分为基本支出…，占比75.99%": the list
        # of parts goes on in the next sentence
        before = s.rfind("。", 0, max(0, start - 1)) + 1
        found = list(_HEAD_MARK.finditer(s, before, start))
        if not found or _HEAD_MARK.search(s, start, at) or "占" not in s[found[-1].end() : start]:
            return None
        start = before
    cut = found[-1].start()
    if not _SUBJECT_RE.search(s, start, cut) and not s[start:cut].strip("，,:："):
        # "…合计X万元，包括…。其中：本年一般公共预算收入…，占100%": the previous sentence's
        before = s.rfind("。", 0, max(0, start - 1)) + 1
        hits = [SUBJECTS[h.group()] for h in _SUBJECT_RE.finditer(s, before, start)]
        hits = [h for h in hits if h]
        side = next((x for x in ("_income", "_expenditure") if (part or "").endswith(x)), None)
        same = [h for h in hits if side and _single(h).endswith(side)]
        first = (same or hits)[:1]
        return _single(first[0]) if first else None
    # the clause right before 其中 (not an earlier clause of the sentence)
    clause = max(s.rfind(ch, start, cut) for ch in ";；") + 1
    text = re.sub(r"[\d,.]+(万元|元)?[,，:：]*$", "", s[max(start, clause) : cut])
    head = _subject(text, None)  # (三公 before 财政拨款支出决算中…)
    return _single(head) if head else None


def _held_year(s: str, at: int, year: int | None = None) -> int | None:
    """The year of "截至2024年8月31日" (or "截至上年底") earlier in the same section: what is
    held then."""
    window = s[max(0, at - 400) : at]
    heading = max((h.end() for h in _ANY_HEADING.finditer(window)), default=0)
    window = window[heading:]
    found = list(re.finditer(r"截[至止](20\d\d|上)年", window))
    if not found:
        return None
    m = found[-1]
    return int(m.group(1)) if m.group(1) != "上" else (year - 1 if year else None)


def _until_number(s: str, start: int) -> str:
    """The text after a number up to the next digit (where a list marker would stand)."""
    m = re.compile(r"\d").search(s, start)
    return s[start : m.start() if m else len(s)]


def _item_name(gap: str) -> str | None:
    """The name of a list item: the words after the last separator, without 为/是."""
    name = re.split(r"[、,，;；:：]", gap)[-1]
    name = re.sub(r"^(和|及|以及|另有|还有)|(支出)?(为|是|共|合计)$", "", name)
    if not name or re.search(r"\d|%|增|减|比|较|占", name) or len(name) > 30:
        return None
    return name


def _split_quoted(text: str) -> list[str] | None:
    """“类-款-项”: the names of a function line, as printed."""
    parts = [p for p in re.split(r"[-－—–]", text) if p]
    return parts if 1 <= len(parts) <= 3 else None


_PROJECTS = re.compile(r"项目(共)?(\d+)个$|(\d+)个项目$")
_FUNDS = re.compile(r"涉及.{0,8}(资金|金额)(合计|共计|共|总额)?(为)?$")


def _performance_fact(
    m: re.Match[str], s: str, sentence_start: int, line: Line, year: int | None
) -> list[Fact]:
    """绩效目标 of a budget: "编报绩效目标的项目11个，涉及项目预算资金6626万元"."""
    before = s[sentence_start : m.start()]
    clause = re.split(r"[,，;；]", before)[-1]
    number, unit = m.group(1), m.group(2)
    after = s[m.end() : m.end() + 2]
    projects = re.search(r"项目(共|合计)?$", clause) or after == "项目"
    if unit == "个" and projects and "绩效目标" in s[sentence_start : m.end() + 20]:
        indicator, value, amount = "performance_projects", number, None
    elif (
        unit in ("万元", "元")
        and _FUNDS.search(clause)
        and "绩效目标" in before
        and re.search(r"\d+个(项目)?", before)  # the money of the projects just counted
    ):
        indicator, value, amount = "performance_funds", None, to_yuan(_read(number)[1], unit)
    elif (
        unit == "%"
        and re.search(r"比例(为|是)?$", clause)
        and re.search(r"\d+个(项目)?.{0,20}涉及.{0,8}(资金|金额)", before)
    ):
        indicator, value, amount = "performance_funds_share", number, None
    else:
        return []
    return [
        Fact(
            indicator=indicator,
            amount=amount,
            value=None if value is None else _read(value)[1],
            unit=unit,
            printed=_read(number)[0],
            phase="budget",
            period=year,
            path=None,
            code=None,
            base=None,
            text=_sentence(s, sentence_start, m.end()),
            source=line.source,
            page=line.page,
            line=line.number,
        )
    ]


# lines of the summary table (registry) that are one source among others: a "总计"
# after one of their names is that line's, not the department's
_PARTICULAR_LINES = (
    "gpb_appropriation",
    "gov_fund_appropriation",
    "state_capital_appropriation",
    "fiscal_special_account",
    "other_funds",
    "unit_funds",
)


@lru_cache(maxsize=1)
def _summary_line_labels() -> tuple[str, ...]:
    side = tables()["income_expenditure_summary"].side("income")
    labels = {lab for r in side.rows if r.id in _PARTICULAR_LINES for lab in r.labels}
    return tuple(sorted(labels, key=len, reverse=True))


def _names_summary_line(context: str) -> bool:
    clause = re.split(r"[,，:：]", context)[-1]
    return any(label in clause for label in _summary_line_labels())


def _last_heading(s: str, a: int, b: int) -> str | None:
    seg = s[a:b]
    found = None
    for m in re.finditer(
        r"[。;；][一二三四五六七八九十]+、([^。;；0-9]{2,40}?)(情况说明|情况)", "。" + seg
    ):
        found = m.group(1)
    return found


def _section_of(heading: str) -> str | None:
    if "政府性基金" in heading:
        return "gov_fund"
    if re.search(r"一般公共预算(财政)?拨款收(入)?(支|、支)", heading):
        # "一般公共预算财政拨款收入支出…情况说明": its 本年支出, 基本, 项目 are the fund's
        return "gpb"
    if re.search(r"财政拨款收(入)?(支|、支)", heading):
        return "fiscal"
    if "国有资本" in heading:
        return "state_capital"
    if "政府采购" in heading:
        return "procurement"
    return None


_BALANCES = ("opening_balance", "closing_balance")
# basic/project parts of a fund's expenditure named before 其中
_FUND_PARTS = {
    "basic_expenditure": {
        "gpb_expenditure": "gpb_basic_expenditure",
        "gov_fund_expenditure": "gov_fund_basic_expenditure",
    },
    "project_expenditure": {
        "gpb_expenditure": "gpb_project_expenditure",
        "gov_fund_expenditure": "gov_fund_project_expenditure",
    },
}
# the split of expenditure whose lines a list after it gives (a line's basic/project part)
_SPLIT_HEADS = ("basic_expenditure", "project_expenditure")
_IN_PROJECTS = re.compile(r"在[^,，。;；]{2,30}项目中")
_FUND_PROCUREMENT = re.compile(
    r"其中[:：,，]?(一般公共预算|政府性基金|国有资本经营|财政拨款)(预算)?(财政)?(拨款)?(安排的)?政府采购"
)
# subjects that narrow another one named in the same clause, most specific first
_NARROWER = ("procurement_small_micro", "procurement_sme")


def _subject(context: str, section: str | None, path: bool = False) -> str | None:
    """The indicator(s) the words before a number name; None when they name none (the
    sentence's subject carries on); "" when they name a figure no indicator stands for."""
    if "占" in context:
        context = context[: context.rfind("占")]
    hits = list(_SUBJECT_RE.finditer(context))
    three = [h for h in hits if SUBJECTS[h.group()].startswith("three_public")]
    if three and not any(
        SUBJECTS[h.group()].startswith(("meeting", "training"))
        for h in hits[hits.index(three[-1]) :]
    ):
        return SUBJECTS[three[-1].group()]
    if path:
        return None
    # "上年结转结余的一般公共预算收入": one source of the balance, no indicator of its own
    if any(
        SUBJECTS[h.group()] in _BALANCES and context[h.end() : h.end() + 1] == "的" for h in hits
    ):
        return ""
    # a narrower subject named in the clause wins over the wider one after it:
    # "面向中小企业预留政府采购项目预算金额" is the SME share, not the procurement total
    clause = re.split(r"[,，;；:：]", context)[-1]
    narrow = [h for h in hits if h.start() >= len(context) - len(clause)]
    for indicator in _NARROWER:
        if any(SUBJECTS[h.group()] == indicator for h in narrow):
            if re.search(r"(货物|工程|服务)(采购|支出)", clause):
                return ""  # "货物采购授予中小企业合同金额占货物支出金额的0%": one category's
            return indicator
    if section in _SECTION_SUBJECTS:
        table = _SECTION_SUBJECTS[section]
        for word in sorted(table, key=len, reverse=True):
            pos = context.rfind(word)
            if pos >= 0 and not any(
                h.start() <= pos < h.end() and len(h.group()) > len(word) for h in hits
            ):
                later = [h for h in hits if h.start() > pos]
                if not later:
                    return table[word]
    if hits:
        return SUBJECTS[hits[-1].group()]
    if section is None and re.search(
        r"((本部门|本单位|部门)(当年|本年)?(预算)?收入|收入预算)(为|是)?$", context
    ):
        return "total_income"  # "…办公室收入预算9,101.68万元" (a budget's total)
    if section is None and re.search(
        r"((本部门|本单位|部门)(当年|本年)?(预算)?支出|(^|年|年度|本部门|本单位|安排)支出预算)"
        r"(数)?(为|是)?$",
        context,
    ):
        return "total_expenditure"
    return None


def _path(context: str, heading_class: list[str]) -> list[str] | None:
    """The 类/款/项 names of a function line.  A line that starts at its 款 takes
    its 类 from the sub-heading above it ("（一）一般公共服务（类）"), kept in
    `heading_class`."""
    parts = _PATH_PART.findall(context)
    if not parts:
        return None
    names = [
        (
            re.sub(
                r"^(其中|主要用于以下方面|分别是|具体情况如下|[(][一二三四五六七八九十\d]+[)]|\d+[.、])",
                "",
                p[0],
            ),
            p[1],
        )
        for p in parts
    ]
    names = [(n.strip("“”\"'「」‘’"), level) for n, level in names]  # “…（项）”: the quotes
    names = [(n, level) for n, level in names if n]
    classes = [i for i, (_, level) in enumerate(names) if level == "类"]
    if classes:
        last = classes[-1]
        heading_class[:] = [names[last][0]]
        names = names[last:]
        if len(names) == 1:
            return [names[0][0]]
    elif names and names[0][1] == "款" and heading_class:
        return heading_class + [n for n, _ in names]
    return [n for n, _ in names] or None


def _phase(context: str, default: str) -> str:
    context = re.sub(
        r"一般公共预算|政府性基金预算|国有资本经营预算|预算单位|部门预算|单位预算|实际发生",
        "",
        context,
    )
    found = re.findall(r"调整预算|全年预算|预算|决算|执行数|实际", context)
    if not found:
        return default
    best = found[-1]
    if best in ("调整预算", "全年预算"):
        return "adjusted_budget"
    if best == "预算":
        return "budget"
    return "actual"


def _wide_sentence(s: str, at: int) -> str:
    """The 。-sentence up to `at`, with the sentence before it when that one only opened a
    list ("…比上年减少976.9万元，其中：。1.收入预算减少…")."""
    start = s.rfind("。", 0, at) + 1
    if start > 1 and re.search(r"(其中|如下)[:：]?$", s[max(0, start - 6) : start - 1]):
        start = s.rfind("。", 0, start - 1) + 1
    return s[start:at]


def _base_year(sentence: str, year: int | None, wide: str = "") -> str | None:
    """What a change compares with: a year ("比2025年", "较上年"), or the budget of the
    same year ("比年初预算数增加…": base "budget"); the sentence first, then the whole
    。-sentence it belongs to ("收支预算…比上年减少976.9万元，其中：1.收入预算减少…")."""
    for text in (sentence, wide):
        m = re.search(r"(?:与|比|较)(\d{4})年", text)
        if m:
            return m.group(1)
        if re.search(r"(?:与|比|较)(年初|全年)?预算(数)?", text) and not re.search(
            r"(上年|上一年|去年)", text
        ):
            return "adjusted_budget" if "调整预算" in text else "budget"
        if year and re.search(r"(上年|上一年|去年)", text):
            return str(year - 1)
    return None


def _sentence(s: str, a: int, b: int) -> str:
    end = b
    while end < len(s) and s[end] not in _SENTENCE_END:
        end += 1
    return s[a : end + 1 if end < len(s) else end]


def _facts_for(
    number: str,
    unit: str,
    context: str,
    subject: str | None,
    path: list[str] | None,
    last_subject: str | None,
    year: int | None,
    sentence: str,
    line: Line,
    default_phase: str,
    before: str,
    held_year: int | None = None,
    share_head: str | None = None,
    wide: str = "",
) -> list[Fact]:
    """The facts one narrative number states about `subject`: a count (车辆, 设备), a
    percentage (a rate, a change, a share) or an amount (a level or a change)."""
    if len(number.split(".")[0]) > 13:
        return []  # not an amount: a run of digits (an id, a phone number)
    number, value = _read(number)  # "10,150.48" -> "10150.48"
    period = _period(context, year)
    stated = _Stated(
        unit=unit,
        printed=number,
        context=context,
        default_phase=default_phase,
        period=period,
        path=path if subject in ("function_line", "economic_line") else None,
        sentence=sentence,
        line=line,
    )
    if unit == "辆" or unit.startswith("台") or unit in ("人", "人次", "个"):
        return _count_facts(stated, value, before, held_year or period)
    if subject is None:
        return []
    # a change: a change word right before the number, a comparison earlier in its sentence
    # ("公务接待费支出决算减少0.15万元": a change even without 比/较 — never the level)
    change = bool(
        (_CHANGE.search(context) and re.search(r"(相比|比|较|同比)", before))
        or _CHANGE_HERE.search(context)
    )
    subjects = (last_subject or subject).split("+")  # what a change is a change of
    base = _base_year(sentence, year, wide) if change else None
    if unit == "%":
        return _percent_facts(stated, value, subject, subjects, change, base, year, share_head)
    amount = to_yuan(value, unit)
    if change and _CHANGE.search(context) and not re.search(r"(预算|决算)(数)?为$", context):
        sign = _sign(context)  # "增减相抵后增加164.48万元"
        return [
            stated.fact(
                f"{ind}_change", amount=amount * sign, base=base, phase=default_phase, period=year
            )
            for ind in subjects
        ]
    return [stated.fact(ind, amount=amount) for ind in subject.split("+")]


def _period(context: str, year: int | None) -> int | None:
    """The year a number is of: a year named in its clause (next to the report's), last
    year's ("去年预算数为…"), else the report's."""
    clause = re.split(r"[,，]", context)[-1]
    years = re.findall(r"(20\d\d)年", clause)
    period = int(years[-1]) if years and year and abs(int(years[-1]) - year) <= 1 else year
    if not years and year and re.search(r"(去年|上年)(年初)?(预算|决算|执行)?数?(为|是)?$", clause):
        period = year - 1  # "（去年预算数为0万元，…）": last year's figure
    return period


def _sign(context: str) -> int:
    """-1 when the last change word before a number is a decrease."""
    words = re.findall(r"增加|减少|增长|下降|降低|上升|增|减", context)
    return -1 if words and words[-1] in _DECREASE else 1


@dataclass(frozen=True)
class _Stated:
    """What every fact one narrative number states shares (its printed form, unit,
    sentence and place); `fact` fills in the indicator and what differs."""

    unit: str
    printed: str
    context: str
    default_phase: str
    period: int | None
    path: list[str] | None
    sentence: str
    line: Line

    def fact(self, indicator: str, **kw: object) -> Fact:
        base = dict(
            indicator=indicator,
            amount=None,
            value=None,
            unit=self.unit,
            printed=self.printed,
            phase=kw.pop("phase", _phase(self.context, self.default_phase)),
            period=self.period,
            path=self.path,
            code=None,
            base=None,
            text=self.sentence,
            source=self.line.source,
            page=self.line.page,
            line=self.line.number,
        )
        base.update(kw)
        return Fact(**base)  # type: ignore[arg-type]


def _count_facts(stated: _Stated, value: Decimal, before: str, held: int | None) -> list[Fact]:
    """Counts: vehicles held at a date or to buy, equipment held; a count of people or
    items states no indicator."""
    unit, context = stated.unit, stated.context
    if unit == "辆":
        if re.search(r"(车辆|保有量|用车)", context) and re.search(r"(共有|保有量)", context):
            # held at a date: "截至2024年8月31日，…共有车辆0辆" is 2024's count
            return [stated.fact("vehicles", value=value, phase="actual", period=held)]
        if re.search(r"购置车辆$", context):
            return [stated.fact("assets_vehicles_purchase", value=value, phase="budget")]
        return []
    if unit == "台" and re.search(r"车辆$", context) and re.search(r"(共有|保有量)", context):
        return [stated.fact("vehicles", value=value, phase="actual", period=held)]
    if unit.startswith("台"):
        # equipment held ("截至…，单价100万元以上设备0台"); equipment to buy has no indicator
        clause_before = re.split(r"[。;；]", before)[-1]
        if (
            re.search(r"设备(\(不含车辆\))?$", context)
            and re.search(r"(单价|单位价值)100万元(\(含\))?以上(的)?设备(\(不含车辆\))?$", before)
            and not re.search(r"购置|新增|配备|配置", clause_before)
        ):
            return [stated.fact("assets_equipment", value=value, phase="actual", period=held)]
    return []


def _percent_facts(
    stated: _Stated,
    value: Decimal,
    subject: str,
    subjects: list[str],
    change: bool,
    base: str | None,
    year: int | None,
    share_head: str | None,
) -> list[Fact]:
    """A percentage: a completion rate (完成预算的…%), a change in % of the subjects, or a
    share (占…%) of a named total or of the list's head."""
    context = stated.context
    if "完成" in context and ("预算" in context or "计划" in context):
        # a completion rate: the actual measured against the budget (base: which one)
        against = "adjusted_budget" if re.search(r"调整预算|全年预算", context) else "budget"
        rate = f"{_single(subject)}_rate"
        return [stated.fact(rate, value=value, unit="%", phase="actual", base=against)]
    if change and _CHANGE.search(context):
        return [
            stated.fact(
                f"{ind}_change_pct",
                value=value * _sign(context),
                unit="%",
                base=base,
                phase=stated.default_phase,
                period=year,
            )
            for ind in subjects
        ]
    if "占" in context:
        share_base = _share_base(context, stated.sentence, share_head)
        return [stated.fact(f"{_single(subject)}_share", value=value, unit="%", base=share_base)]
    return []


# a share right after a listed part's amount: "其他资金15万元，占0.08%"
_SHARE_NEXT = re.compile(r"[,，]?占(?:比)?(?:为)?")
# the name of a listed part: a money line's name ("城乡医疗救助支出", "其他资金",
# "单位预留机动经费"), without list words before it or phase words after it
_ITEM_NAME = re.compile(r"[\u4e00-\u9fff“”()]{2,40}(支出|收入|经费|资金|拨款)")
_ITEM_LEAD = re.compile(
    r"^(其中|主要用于以下方面|以下方面|主要用于|主要包括|包括|分别是|分别为|另有|还有|和|及)+"
)
_ITEM_TAIL = re.compile(r"(预算|决算)?(数)?(为|是|共)?$")


def _share_end(s: str, m: re.Match[str]) -> int:
    """Where the share after a listed part's amount ends (the end of its "%")."""
    lead = _SHARE_NEXT.match(s, m.end())
    share = _NUM.match(s, lead.end()) if lead else None
    return share.end() if share and share.group(2) == "%" else m.end()


def _listed_share(
    s: str,
    m: re.Match[str],
    year: int | None,
    lines: list[Line],
    starts: tuple[int, int],
    default_phase: str,
) -> list[Fact] | None:
    """A part of a list of shares that no indicator stands for ("其中：一般公共预算收入…，
    占99.92%；其他资金15万元，占0.08%"): a `list_item` fact (path = its printed name) and
    its `list_item_share`, of the head the list divides (the subject before 其中/以下方面).
    None unless the amount is followed by its share and a head is stated: precision first
    (a name the list does not divide is no part).  Before, such a part took the subject
    the sentence carried: "主要用于以下方面：财政对城乡居民…补助支出770万元" was read as the
    财政拨款支出 itself."""
    if m.group(2) not in ("万元", "元") or _share_end(s, m) == m.end():
        return None
    sentence_start, prev_end = starts
    # the words since the number before, as printed ("主要用于以下方面：城乡医疗救助支出")
    context = s[max(sentence_start, prev_end) : m.start()]
    clause = re.split(r"[、,，;；:：]", context)[-1]
    name = _ITEM_TAIL.sub("", _ITEM_LEAD.sub("", clause))
    name = re.sub(r"^((20\d\d)?年度?|本年度?|当年)", "", name)
    if not _ITEM_NAME.fullmatch(name) or re.search(r"比|较|增|减|占|平均|每", name):
        return None
    lead = _SHARE_NEXT.match(s, m.end())
    share = _NUM.match(s, lead.end()) if lead else None
    if lead is None or share is None:
        return None
    base = _share_head(s, m.start())  # (占, 占比: no total named, the list's head)
    if not base:
        return None
    sentence = _sentence(s, sentence_start, share.end())
    found = _facts_for(
        m.group(1),
        m.group(2),
        context,
        "list_item",
        None,
        None,
        year,
        sentence,
        lines[m.start()],
        default_phase,
        s[sentence_start : m.start()],
    )
    if len(found) != 1 or found[0].indicator != "list_item" or found[0].amount is None:
        return None  # (a change: "…比上年增加X万元，占…" is no part)
    amount = replace(found[0], path=[name])
    printed, value = _read(share.group(1))
    at = lines[share.start()]
    part = replace(
        amount,
        indicator="list_item_share",
        amount=None,
        value=value,
        unit="%",
        printed=printed,
        base=base,
        source=at.source,
        page=at.page,
        line=at.number,
    )
    return [amount, part]


def _single(subject: str) -> str:
    return subject.split("+")[0]


def _share_base(context: str, sentence: str, head: str | None = None) -> str | None:
    m = re.search(r"占(.{1,20}?)的?$", context)
    if m:
        sub = _subject(m.group(1), None)
        if sub:
            return _single(sub)
    if re.search(r"占(比)?$", context) and head:
        return head  # "支出合计X万元，其中：…；项目支出Z万元，占B%": a share of the head
    if re.search(r"占(比)?$", context):
        first = _SUBJECT_RE.search(sentence)
        if first:
            return _single(SUBJECTS[first.group()])
    return None
