"""Narrative facts from the 情况说明 part: every stated number with its sentence, page and line.

The narrative is read as one whitespace-free string (so "82. 13" and "12\\n.01"
re-join), with a map back to the physical lines.  Each number is classified by
the words before it in its sentence: the subject (收入合计, 基本支出, 公务接待费,
a 类/款/项 path …), the phase (预算 / 调整预算 / 决算) and whether it is a
change (与上年相比减少 …), a share (占 …%) or a completion rate (完成预算的 …%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fiscalpub.model import Fact
from fiscalpub.numbers import TEXT_NUMBER, read_exact
from fiscalpub.parse.normalize import nfkc, to_yuan
from fiscalpub.read.document import Document, Line

# subject keywords -> indicator; longest first at match time
SUBJECTS: dict[str, str] = {
    "收、支总计": "total_income+total_expenditure",
    "收支总计": "total_income+total_expenditure",
    "收支总额": "total_income+total_expenditure",
    "收入支出总计": "total_income+total_expenditure",
    "收入预算总计": "total_income",
    "支出预算总计": "total_expenditure",
    "财政拨款收入预算总计": "fiscal_appropriation_income",
    "财政拨款收、支总预算": "fiscal_appropriation_income+fiscal_appropriation_expenditure",
    "财政拨款收支总预算": "fiscal_appropriation_income+fiscal_appropriation_expenditure",
    "收入、支出预算总计": "total_income+total_expenditure",
    "收、支预算总计": "total_income+total_expenditure",
    "收支预算总计": "total_income+total_expenditure",
    "一般公共预算收入": "gpb_income",
    "财政拨款收入支出总计": "fiscal_appropriation_income+fiscal_appropriation_expenditure",
    "财政拨款收、支总计": "fiscal_appropriation_income+fiscal_appropriation_expenditure",
    "财政拨款收支总计": "fiscal_appropriation_income+fiscal_appropriation_expenditure",
    "收入总计": "total_income",
    "总收入": "total_income",
    "收入合计": "total_income",
    "本年收入": "total_income",
    "支出总计": "total_expenditure",
    "总支出": "total_expenditure",
    "支出合计": "total_expenditure",
    "本年支出": "total_expenditure",
    "财政拨款收入总计": "fiscal_appropriation_income",
    "财政拨款收入": "fiscal_appropriation_income",
    "财政拨款支出": "fiscal_appropriation_expenditure",
    "上级补助收入": "superior_subsidy_income",
    "事业收入": "business_income",
    "经营收入": "operating_income",
    "附属单位上缴收入": "subsidiary_remittance_income",
    "其他收入": "other_income",
    "年初结转和结余": "opening_balance",
    "年末结转和结余": "closing_balance",
    "基本支出": "basic_expenditure",
    "项目支出": "project_expenditure",
    "上缴上级支出": "remit_superior_expenditure",
    "经营支出": "operating_expenditure",
    "对附属单位补助支出": "subsidiary_subsidy_expenditure",
    "一般公共预算财政拨款收入": "gpb_income",
    "一般公共预算财政拨款支出": "gpb_expenditure",
    "一般公共预算财政拨款基本支出": "gpb_basic_expenditure",
    "财政拨款基本支出": "gpb_basic_expenditure",
    "一般公共预算财政拨款项目支出": "gpb_project_expenditure",
    "人员经费": "personnel_expenditure",
    "公用经费": "public_expenditure",
    "公用支出": "public_expenditure",
    "政府性基金预算财政拨款收入": "gov_fund_income",
    "政府性基金预算财政拨款本年收入": "gov_fund_income",
    "政府性基金预算财政拨款支出": "gov_fund_expenditure",
    "政府性基金预算财政拨款本年支出": "gov_fund_expenditure",
    "国有资本经营预算财政拨款支出": "state_capital_expenditure",
    "三公": "three_public_total",
    "因公出国(境)": "three_public_overseas",
    "因公出国": "three_public_overseas",
    "公务用车购置及运行": "three_public_vehicles",
    "公务用车购置费及运行": "three_public_vehicles",
    "公务用车购置": "three_public_vehicle_purchase",
    "公务用车运行": "three_public_vehicle_operation",
    "公务接待": "three_public_reception",
    "会议费": "meeting_expenditure",
    "培训费": "training_expenditure",
    "机关运行经费": "office_operating_expenditure",
    "政府采购支出总额": "procurement_total",
    "政府采购总额": "procurement_total",
    "政府采购支出": "procurement_total",
    "政府采购": "procurement_total",
}
_SUBJECT_RE = re.compile("|".join(re.escape(k) for k in sorted(SUBJECTS, key=len, reverse=True)))

# inside a section about one fund, plain words mean that fund's figures
_SECTION_SUBJECTS = {
    "gov_fund": {
        "收入": "gov_fund_income",
        "本年收入": "gov_fund_income",
        "支出": "gov_fund_expenditure",
        "本年支出": "gov_fund_expenditure",
        "基本支出": "gov_fund_basic_expenditure",
        "项目支出": "gov_fund_project_expenditure",
    },
}

# the number is a whole token (fiscalpub.numbers): never the tail of "10,150.48万元"
_NUM = re.compile(
    TEXT_NUMBER + r"(万元|元|%|辆|人次|人|个|(?<=为\d)(?=[,，。;；])|(?<=为\d\.\d\d)(?=[,，。;；]))"
)
# a name followed by its level marker; names may hold parentheses: 党委办公厅(室)…(款)
_PATH_PART = re.compile(r"((?:[^()\d、.,，。;；:：]|\((?!(?:类|款|项)\))[^()]*\))+?)\((类|款|项)\)")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_FOLIO = re.compile(r"[-—]?\d{1,3}[-—]?|第\d{1,3}页(共\d+页)?")
_CHANGE = re.compile(r"(增加|减少|增长|下降|降低|上升|增|减)")
# "主要是减少医疗救助专项资金支出69.70万元": amounts after a reason word explain a
# change; they are not the sentence's subject
_REASON = re.compile(r"主要(原因)?(是|为|系|由于)|原因(主要)?(是|为)|由于")
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
_START = re.compile(r"(第[三四]部分.{0,20}情况说明|部门决算情况说明|部门预算情况说明|情况说明$)")
_END = re.compile(r"(第[四五]部分|名词解释)")


@dataclass
class _Text:
    chars: str
    lines: list[Line]  # the line of every character


def narrative_text(doc: Document) -> _Text:
    """The narrative part as one whitespace-free string, mapped back to lines."""
    all_lines = list(doc.lines())
    start = _narrative_start([re.sub(r"\s+", "", nfkc(line.text)) for line in all_lines])
    if start is None:
        return _Text(chars="", lines=[])
    chars: list[str] = []
    owners: list[Line] = []
    for line in all_lines[start:]:
        s = re.sub(r"\s+", "", nfkc(line.text))
        if _END.match(s):
            break
        if _FOLIO.fullmatch(s):
            continue  # a page number between two halves of a sentence
        if _HEADING.match(s) and chars and chars[-1] not in _SENTENCE_END:
            chars.append("。")  # a heading ends the previous sentence
            owners.append(line)
        for ch in s:
            chars.append(ch)
            owners.append(line)
    return _Text(chars="".join(chars), lines=owners)


def _narrative_start(squashed: list[str]) -> int | None:
    """Index of the line opening the narrative: the last 第三部分 / "…部门决算情况说明"
    heading (the first ones are the table of contents), else the first short
    "…情况说明" heading; None when the file has no narrative (a file of tables)."""
    heads = [
        i
        for i, s in enumerate(squashed)
        if s.startswith("第三部分") or (re.search(r"部门(决|预)算情况说明$", s) and len(s) < 30)
    ]
    if heads:
        return heads[-1]
    for i, s in enumerate(squashed):
        if _START.search(s) and len(s) < 40 and not s.startswith("表"):
            return i
    return None


def extract_facts(doc: Document, year: int | None, kind: str | None) -> list[Fact]:
    # numbers a narrative states without a phase word are what the report is about
    default_phase = "budget" if kind == "budget" else "actual"
    text = narrative_text(doc)
    s = text.chars
    facts: list[Fact] = []
    sentence_start = 0
    subject: str | None = None
    path: list[str] | None = None
    section: str | None = None
    last_money_subject: str | None = None
    prev_subject: str | None = None
    heading_class: list[str] = []
    prev_end = 0
    for m in _NUM.finditer(s):
        begin = m.start()
        # sentence boundaries between the previous number and this one
        gap = s[prev_end:begin]
        cut = max((gap.rfind(ch) for ch in _SENTENCE_END), default=-1)
        if cut >= 0:
            prev_subject = last_money_subject or subject
            sentence_start = prev_end + cut + 1
            subject = "function_line" if path else None
            last_money_subject = None
        heading = _last_heading(s, prev_end, begin)
        if heading is not None:
            section = _section_of(heading)
            path = None
            heading_class.clear()
        if _performance_last(s[prev_end:begin]):
            section = "performance"
        if section == "performance":
            prev_end = m.end()
            continue
        context = s[max(sentence_start, prev_end) : begin]
        if begin > 0 and s[begin - 1] in "0123456789.":
            prev_end = m.end()
            continue
        new_path = _path(s[prev_end:begin], heading_class)
        if new_path:
            path, subject = new_path, "function_line"
        found = _subject(context, section, path=bool(path) and not _SUBJECT_RE.search(context))
        if found in ("total_income", "total_expenditure") and _names_summary_line(context):
            found, subject = None, None  # "财政专户管理资金收入预算总计0万元": that line's total
        if found and section == "fiscal":
            # in the 财政拨款收支 section, plain 收/支 totals are the appropriations'
            found = found.replace("total_income", "fiscal_appropriation_income").replace(
                "total_expenditure", "fiscal_appropriation_expenditure"
            )
        if found:
            subject = found
            if not new_path:
                path = None if found != "function_line" else path
        number, unit = m.group(1), m.group(2) or "万元"  # "总额为0，": the narrative's unit
        if _REASON.search(s[sentence_start:begin]) and not new_path and not found:
            subject = None
        elif subject is None and prev_subject and _CHANGE.search(context):
            subject = (
                prev_subject  # "支出决算比上年减少…" continues the previous sentence's subject
            )
        line = text.lines[begin]
        sentence = _sentence(s, sentence_start, m.end())
        prev_end = m.end()
        facts.extend(
            _facts_for(
                number,
                unit,
                context,
                subject,
                path,
                last_money_subject,
                year,
                sentence,
                line,
                default_phase,
                s[sentence_start:begin],
            )
        )
        if unit in ("万元", "元") and subject and not _CHANGE.search(context):
            last_money_subject = subject
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
    from fiscalpub.registry import tables

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
    if re.search(r"财政拨款收(入)?(支|、支)", heading):
        return "fiscal"
    if "国有资本" in heading:
        return "state_capital"
    return None


def _subject(context: str, section: str | None, path: bool = False) -> str | None:
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
    if section is None and re.search(r"(本部门|本单位|部门)收入$", context):
        return "total_income"
    if section is None and re.search(r"(本部门|本单位|部门)支出$", context):
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
                r"^(其中|主要用于以下方面|分别是|具体情况如下|[(][一二三四五六七八九十]+[)])",
                "",
                p[0],
            ),
            p[1],
        )
        for p in parts
    ]
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
    context = re.sub(r"一般公共预算|政府性基金预算|国有资本经营预算|预算单位|部门预算", "", context)
    found = re.findall(r"调整预算|全年预算|预算|决算|执行数|实际", context)
    if not found:
        return default
    best = found[-1]
    if best in ("调整预算", "全年预算"):
        return "adjusted_budget"
    if best == "预算":
        return "budget"
    return "actual"


def _base_year(sentence: str, year: int | None) -> str | None:
    m = re.search(r"(?:与|比|较)(\d{4})年", sentence)
    if m:
        return m.group(1)
    if year and re.search(r"(上年|上一年|去年)", sentence):
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
) -> list[Fact]:
    if len(number.split(".")[0]) > 13:
        return []  # not an amount: a run of digits (an id, a phone number)
    number, value = read_exact(number)  # "10,150.48" -> "10150.48"

    clause = re.split(r"[,，]", context)[-1]
    years = re.findall(r"(20\d\d)年", clause)
    period = int(years[-1]) if years and year and abs(int(years[-1]) - year) <= 1 else year

    def fact(indicator: str, **kw: object) -> Fact:
        base = dict(
            indicator=indicator,
            amount=None,
            value=None,
            unit=unit,
            printed=number,
            phase=kw.pop("phase", _phase(context, default_phase)),
            period=period,
            path=path if subject == "function_line" else None,
            code=None,
            base=None,
            text=sentence,
            source=line.source,
            page=line.page,
            line=line.number,
        )
        base.update(kw)
        return Fact(**base)  # type: ignore[arg-type]

    if unit in ("辆",):
        if re.search(r"(车辆|保有量|用车)", context) and re.search(r"(共有|保有量)", context):
            return [fact("vehicles", value=value, phase="actual")]
        return []
    if unit in ("人", "人次", "个"):
        return []
    if subject is None:
        return []
    # a change: a change word right before the number, a comparison earlier in its sentence
    change = _CHANGE.search(context) and re.search(r"(相比|比|较|同比)", before)
    if unit == "%":
        sign = -1 if any(w in context for w in _DECREASE) else 1
        if "完成" in context and ("预算" in context or "计划" in context):
            return [fact(f"{_single(subject)}_rate", value=value, unit="%")]
        if change and _CHANGE.search(context):
            return [
                fact(
                    f"{ind}_change_pct",
                    value=value * sign,
                    unit="%",
                    base=_base_year(sentence, year),
                    phase=default_phase,
                    period=year,
                )
                for ind in (last_subject or subject).split("+")
            ]
        if "占" in context:
            return [
                fact(
                    f"{_single(subject)}_share",
                    value=value,
                    unit="%",
                    base=_share_base(context, sentence),
                )
            ]
        return []
    amount = to_yuan(value, unit)
    if change and _CHANGE.search(context) and not re.search(r"(预算|决算)(数)?为$", context):
        sign = -1 if any(w in context[-6:] for w in _DECREASE) else 1
        return [
            fact(
                f"{ind}_change",
                amount=amount * sign,
                base=_base_year(sentence, year),
                phase=default_phase,
                period=year,
            )
            for ind in (last_subject or subject).split("+")
        ]
    out = []
    for ind in subject.split("+"):
        out.append(fact(ind, amount=amount))
    return out


def _single(subject: str) -> str:
    return subject.split("+")[0]


def _share_base(context: str, sentence: str) -> str | None:
    m = re.search(r"占(.{1,20}?)的?$", context)
    if m:
        sub = _subject(m.group(1), None)
        if sub:
            return _single(sub)
    if re.search(r"占$", context):
        first = _SUBJECT_RE.search(sentence)
        if first:
            return _single(SUBJECTS[first.group()])
    return None
