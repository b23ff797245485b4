"""Report identity — department, year, kind, scope — from the document's own structure.

Who issued a report is printed in a few places whose form the template fixes: the cover
title ("福州市商务局 2026年度部门预算", "2026年深圳市公安局（本级）部门预算"), the labelled
lines of the cover and the table headers ("预算单位：…", "编制部门：…", "部门：…") and the part
titles ("第一部分 上海市普陀区财政局概况").  Each place is a *claim*; claims must agree, and
a name is a name only when it looks like one (a place or a national prefix, an organisation
word at the end: template.yaml `identity`), so a slogan on the cover ("不断开创全省法院工作
的新局") or a sentence is never the department.  Only when no place names the department is
the text's most printed organisation name taken (narrative-only reports).

What cannot be read is an error finding, never a silent None: no department, year or kind
(`identity-missing`), a template's placeholder ("上海市XX局": `identity-placeholder`), the
cover and the headers naming two bodies (`identity-conflict`), the files of one report
disagreeing (`identity-files-disagree`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from fiscalpub.model import Finding, Region, ReportMeta, Severity, Source, Staff, Where
from fiscalpub.normalize import nfkc, squash
from fiscalpub.read.document import Document, Line
from fiscalpub.registry import identity_words

# the title words: "2026年度部门预算", "2022年部门综合预算", "2025年区级单位预算"; what stands
# between the year and the title words holds no digit (a date line "2026年1月" is not a title)
_TITLE = re.compile(r"(20\d\d)年度?([^\d]*?)(部门|单位)(?:综合)?([预决])算")
# a cover title that does not say 部门 or 单位: "XX局2026年预算公开"
_TITLE_NO_SCOPE = re.compile(r"(20\d\d)年度?([^\d]*?)(?:综合)?([预决])算(?!单位|执行)")
_TITLE_WORDS = re.compile(r"(部门|单位)(?:综合)?([预决])算")
_YEAR = re.compile(r"(20\d\d)年度?(?!\d{1,2}月)")
_KIND = {"预": "budget", "决": "final"}
_SCOPE = {"部门": "department", "单位": "unit"}
_PART = re.compile(r"^第[一二三四五六七八九十]+部分[:：]?")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# strength of a claim: the cover title and the labelled lines are printed to say who
# reports; the table headers repeat it; part titles often abbreviate; the text guesses
_STRONG = ("cover", "label", "header")
TITLE_CHARS = 200  # kept for callers of report_scope: the cover is read up to this


@dataclass(frozen=True)
class Claim:
    """One place of the document that says who reports, or for when, or what."""

    how: str  # cover | label | header | part | text
    line: Line | None
    name: str | None = None
    role: str | None = None  # label role: department | unit | parent
    year: int | None = None
    kind: str | None = None
    scope: str | None = None
    placeholder: str | None = None  # the printed name, when it is a template's placeholder


@dataclass
class Identity:
    """What one file (or the whole report) says about itself, with where it says it."""

    department: str | None = None
    year: int | None = None
    kind: str | None = None
    scope: str | None = None
    where: dict[str, Line | None] = field(default_factory=dict)
    strength: dict[str, int] = field(default_factory=dict)
    placeholder: Claim | None = None
    findings: list[Finding] = field(default_factory=list)


# ------------------------------------------------------------------ names


@lru_cache(maxsize=1)
def _qualifier() -> re.Pattern[str]:
    quals = "|".join(re.escape(q) for q in identity_words().qualifiers)
    return re.compile(rf"\((?:{quals})\)$")


@lru_cache(maxsize=1)
def _place() -> re.Pattern[str]:
    """A place: up to 9 characters and an administrative unit word (template.yaml
    `identity.place_units`: 自治区 … 省 市 区 县 旗)."""
    units = "|".join(re.escape(u) for u in identity_words().place_units)
    return re.compile(rf"[\u4e00-\u9fff]{{1,9}}?(?:{units})")


def _starts_like_a_name(name: str) -> bool:
    """A place (江苏省…, 北关区…) or a national prefix (国家…, 中共…) opens a department's name."""
    if name.startswith(identity_words().prefixes):
        return True
    m = _place().match(name)
    return m is not None and len(name) - m.end() >= 2


def clean_name(printed: str) -> str | None:
    """The department's name as printed (NFKC, no spaces, without a bracketed qualifier such
    as (本级)), or None when the text is not an organisation's name."""
    w = identity_words()
    name = _qualifier().sub("", squash(nfkc(printed)).replace("（", "(").replace("）", ")"))
    low, high = w.name_chars
    if not (low <= len(name) <= high) or not re.fullmatch(r"[\u4e00-\u9fff()]+", name):
        return None
    if not name.endswith(w.suffixes) or not _starts_like_a_name(name):
        return None
    if any(word in name for word in w.sentence_words):
        return None  # a slogan or a sentence, not a name
    return name


def placeholder(printed: str) -> bool:
    """A template's name ("上海市XX局"): no department."""
    s = squash(nfkc(printed))
    return any(p in s for p in identity_words().placeholders)


def organisation_key(name: str) -> str:
    """One key for the printings of one organisation's full name: its official long
    forms abbreviated (template.yaml `identity.abbreviations`: 中国共产党江苏省委员会办公厅
    and 中共江苏省委办公厅 give the same key). Packages of one department across years
    share a CKAN organisation and an organisation IRI through it; never printed."""
    for long, short in identity_words().abbreviations.items():
        name = name.replace(long, short)
    return name


def same_body(a: str, b: str) -> bool:
    """Two printings of one department: equal once abbreviated (中国共产党…委员会 = 中共…委),
    or one is the other with a place or national prefix in front (普陀区财政局 and
    上海市普陀区财政局; 江苏省委办公厅 and 中共江苏省委办公厅).  A name that goes on after
    the other ends (上海市文化和旅游局 vs …执法总队) is another body."""
    ka, kb = organisation_key(a), organisation_key(b)
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if not long.endswith(short):
        return False
    extra = long[: -len(short)]
    return extra.startswith(identity_words().prefixes) or bool(_place().fullmatch(extra))


# ------------------------------------------------------------------ where names are printed


def _cover(doc: Document) -> list[Line]:
    """The cover: the lines before the table of contents or the first part or section,
    at most cover_chars characters; folios (lines without a CJK character) skipped."""
    w = identity_words()
    out: list[Line] = []
    size = 0
    for line in doc.lines():
        s = squash(nfkc(line.text))
        if not s:
            continue
        if s.startswith(w.cover_stops) or _PART.match(s) or _SECTION.match(s):
            break
        if not _CJK.search(s):
            continue
        out.append(line)
        size += len(s)
        if size >= w.cover_chars:
            break
    return out


def _name_between(flat: str, start: int, end: int, bounds: list[int]) -> str | Claim | None:
    """The name printed in flat[start:end]: the shortest tail of whole cover lines that is a
    name (a slogan on a line of its own before the name is left out); a placeholder is
    returned as a Claim to report."""
    text = flat[start:end]
    if not text or text in identity_words().levels:
        return None
    starts = [start] + [b for b in bounds if start < b < end]
    for s in sorted(starts, reverse=True):
        piece = flat[s:end]
        if placeholder(piece):
            return Claim("cover", None, placeholder=piece)
        name = clean_name(piece)
        if name:
            return name
    return None


_HAN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_HAN_YEAR = re.compile(r"二[〇零○][〇零○一二三四五六七八九]{2}(?=年)")


def _arabic_years(text: str) -> str:
    """A year in Chinese numerals ("二〇二六年部门预算") as digits, of the same length (the
    characters keep their lines)."""
    return _HAN_YEAR.sub(lambda m: m.group().translate(_HAN_DIGITS), text)


def _cover_claims(lines: list[Line]) -> list[Claim]:
    pieces = [
        _arabic_years(squash(nfkc(line.text)).replace("（", "(").replace("）", ")"))
        for line in lines
    ]
    flat = "".join(pieces)
    bounds: list[int] = []
    owner: list[Line] = []
    for line, piece in zip(lines, pieces, strict=True):
        bounds.append(len(owner))
        owner.extend([line] * len(piece))
    claims = [c for line in lines for c in _label_claims(line, "label")]
    title = _cover_title(flat, bounds)
    if title is None:
        for piece, line in zip(pieces, lines, strict=True):
            if placeholder(piece):
                claims.append(Claim("cover", line, placeholder=piece))
        return claims
    at_char, found, year, kind, scope = title
    at = owner[at_char]
    if isinstance(found, Claim):
        claims.append(Claim("cover", at, placeholder=found.placeholder))
    name = found if isinstance(found, str) else None
    claims.append(Claim("cover", at, name=name, year=year, kind=kind, scope=scope))
    return claims


def _cover_title(
    flat: str, bounds: list[int]
) -> tuple[int, str | Claim | None, int, str, str | None] | None:
    """The cover's title: where it starts, the name it prints, its year, kind and scope.
    The year is printed before the title words ("XX 2026年度部门预算", "2026年 XX部门预算",
    "上海市普陀区2025年区级部门预算") or, less often, after them ("XX部门预算（2026年）"); a
    title without 部门/单位 ("XX局2026年预算") gives no scope (never guessed)."""
    m = _TITLE.search(flat) or _TITLE_NO_SCOPE.search(flat)
    if m:
        found = _name_between(flat, m.start(2), m.end(2), bounds)
        if found is None:
            found = _name_between(flat, 0, m.start(1), bounds)
        scope = _SCOPE[m.group(3)] if m.re is _TITLE else None
        return m.start(), found, int(m.group(1)), _KIND[m.group(m.re.groups)], scope
    words = _TITLE_WORDS.search(flat)
    year = _YEAR.search(flat, words.end()) if words else None
    if words is None or year is None:
        return None
    found = _name_between(flat, 0, words.start(), bounds)
    return words.start(), found, int(year.group(1)), _KIND[words.group(2)], _SCOPE[words.group(1)]


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern[str]:
    labels = sorted(identity_words().labels, key=len, reverse=True)
    alts = "|".join(r"\s*".join(re.escape(ch) for ch in nfkc(label)) for label in labels)
    return re.compile(rf"(?<![\u4e00-\u9fff])({alts})\s*[:：]\s*([^\s:：]+)")


@lru_cache(maxsize=1)
def _label_roles() -> dict[str, str]:
    """Squashed label -> the role it names (made once: every line of a report is asked)."""
    return {squash(nfkc(k)): v for k, v in identity_words().labels.items()}


def _label_claims(line: Line, how: str) -> list[Claim]:
    """ "部门：江苏省人民检察院", "预算单位：上海市福利彩票发行中心" in one line."""
    w = identity_words()
    roles = _label_roles()
    out: list[Claim] = []
    for m in _label_re().finditer(nfkc(line.text)):
        printed = m.group(2)
        for tail in w.label_tails:
            cut = printed.find(tail, 1)
            if cut > 0:
                printed = printed[:cut]
        role = roles.get(squash(m.group(1)))
        if placeholder(printed):
            out.append(Claim(how, line, role=role, placeholder=printed))
            continue
        name = clean_name(printed)
        if name:
            out.append(Claim(how, line, name=name, role=role))
    return out


_PART_TAIL = re.compile(r"(?:部门|单位)?(?:基本)?(?:概况|情况)")


def _part_claims(lines: list[Line]) -> list[Claim]:
    """第X部分 titles: "第一部分 上海市普陀区财政局概况", "第二部分 江苏省高级人民法院 2017
    年度部门预算表", "第二部分 2021 年度部门决算表" (a bare 第X部分 line takes the next)."""
    out: list[Claim] = []
    for i, line in enumerate(lines):
        s = squash(nfkc(line.text))
        m = _PART.match(s)
        if not m:
            continue
        rest = s[m.end() :]
        for nxt in lines[i + 1 : i + 3]:
            if len(rest) >= 4:
                break
            rest += squash(nfkc(nxt.text))
        rest = re.sub(r"[.…·\-—\d]+$", "", rest).replace("（", "(").replace("）", ")")
        t = _TITLE.search(rest)
        if t:
            name = clean_name(rest[: t.start()]) if t.start() else None
            name = name or (clean_name(t.group(2)) if t.group(2) else None)
            out.append(
                Claim(
                    "part",
                    line,
                    name=name,
                    year=int(t.group(1)),
                    kind=_KIND[t.group(4)],
                    scope=_SCOPE[t.group(3)],
                )
            )
            continue
        tail = _PART_TAIL.search(rest)
        if tail and tail.start():
            name = clean_name(rest[: tail.start()])
            if name:
                out.append(Claim("part", line, name=name))
    return out


# ------------------------------------------------------------------ the text's guess


def _text_claim(lines: list[Line]) -> Claim | None:
    """Narrative-only reports (no cover, no table headers): the place-prefixed organisation
    name the text prints most, lengthened to the fullest form printed often enough."""
    text = "\n".join(line.text for line in lines)
    s = squash(text)
    counts = _org_candidates(s)
    if not counts:
        return None
    top = max(counts, key=lambda c: (counts[c], len(c)))
    longer = [c for c in counts if top in c and counts[c] * 4 >= counts[top]]
    name = max(longer, key=len) if longer else top
    pos = s.find(name)
    at = None
    seen = 0
    for line in lines:
        seen += len(squash(line.text))
        if seen > pos:
            at = line
            break
    return Claim("text", at, name=name)


def _org_candidates(s: str) -> dict[str, int]:
    ends = "|".join(re.escape(x) for x in identity_words().text_suffixes)
    counts: dict[str, int] = {}
    s = re.sub(
        r"第[一二三四五六七八九十]部分|[本]?部门职责|部门概况|概况|职责|情况说明|说明|目录", "|", s
    )
    for m in re.finditer(ends, s[:20000]):
        end = m.end()
        for length in range(len(m.group()) + 2, 21):
            cand = s[max(0, end - length) : end]
            if len(cand) < length or not re.fullmatch(r"[\u4e00-\u9fff]+", cand):
                break
            if (
                cand.startswith(identity_words().text_stops)
                or re.search(r"职责|部分|概况|情况|说明|年度|预算|决算|公开", cand)
                or not re.search(r".[省市区县旗州]", cand[: -len(m.group())])
                or clean_name(cand) is None
            ):
                continue
            count = s.count(cand)
            if count >= 2 or end < 2000:
                counts[cand] = count
    return counts


# ------------------------------------------------------------------ one file


def _most(values: Iterable[object]) -> object | None:
    counted = Counter(v for v in values if v is not None)
    return counted.most_common(1)[0][0] if counted else None


def _first(claims: list[Claim], attr: str, how: tuple[str, ...]) -> Claim | None:
    for c in claims:
        if c.how in how and getattr(c, attr) is not None:
            return c
    return None


def _file_identity(doc: Document) -> Identity:
    lines = list(doc.lines())
    cover = _cover(doc)
    on_cover = {id(line) for line in cover}
    claims = _cover_claims(cover)
    claims += [
        c for line in lines if id(line) not in on_cover for c in _label_claims(line, "header")
    ]
    claims += _part_claims(lines)
    out = Identity()
    title = _first(claims, "year", ("cover",))
    parts = [c for c in claims if c.how == "part" and c.year is not None]
    for attr in ("year", "kind", "scope"):
        if title is not None and getattr(title, attr) is not None:
            setattr(out, attr, getattr(title, attr))
            out.where[attr], out.strength[attr] = title.line, 3
            if attr != "scope":
                out.findings.extend(_parts_against(title, attr, parts))
            continue
        if attr == "scope":
            continue  # the cover's title says 部门/单位; a part title alone does not decide it
        value = _most(getattr(c, attr) for c in parts)
        if value is not None:
            setattr(out, attr, value)
            out.where[attr] = next(c.line for c in parts if getattr(c, attr) == value)
            out.strength[attr] = 2
    if out.scope is None and any(c.how == "label" and c.role == "unit" for c in claims):
        out.scope, out.strength["scope"] = "unit", 2  # "预算单位：…" on the cover
        out.where["scope"] = next(c.line for c in claims if c.role == "unit")
    out.placeholder = next((c for c in claims if c.placeholder and c.how in _STRONG), None)
    _name(out, claims)
    return out


def _parts_against(title: Claim, attr: str, parts: list[Claim]) -> list[Finding]:
    """The part titles ("第二部分 2025年部门预算表") agree with the cover's year and kind;
    two or more of them saying otherwise is a contradiction of the document (the cover's
    value is kept)."""
    counted = Counter(getattr(c, attr) for c in parts)
    mine = getattr(title, attr)
    other = [(v, n) for v, n in counted.most_common() if v != mine and n >= 2]
    if not other or counted[mine] >= other[0][1]:
        return []
    value = other[0][0]
    lines = [c.line for c in parts if getattr(c, attr) == value]
    return [
        Finding(
            code="identity-conflict",
            severity=Severity.ERROR,
            message=(
                f"the cover says {attr} {mine!r}, but {len(lines)} part titles say {value!r}: "
                "the cover's is kept"
            ),
            where=[_where(title.line), *(_where(line) for line in lines)],
        )
    ]


def _name(out: Identity, claims: list[Claim]) -> None:
    """The department: the claims of the cover, its labels and the table headers, which must
    agree (the fullest printing of the agreeing ones is the name); else the part titles.
    A 单位预算's 主管部门 is not the unit that reports."""
    named = [c for c in claims if c.name and not (out.scope == "unit" and c.role == "parent")]
    strong = [c for c in named if c.how in _STRONG]
    headers = Counter(c.name for c in strong if c.how == "header")
    # a header name printed once (a cell cut short) does not speak against the others
    voices = [c for c in strong if c.how != "header" or headers[c.name] >= 2] or strong
    if voices:
        order = {"cover": 0, "label": 1, "header": 2}
        other = _OTHER_ROLE[out.scope or "department"]  # the role that names someone else
        lead = min(
            voices,
            key=lambda c: (order[c.how], c.role == other, -headers.get(c.name or "", 0)),
        )
        agree = [c for c in strong if c.name and lead.name and same_body(c.name, lead.name)]
        best = max(agree, key=lambda c: len(c.name or ""))
        out.department, out.where["department"] = best.name, best.line
        out.strength["department"] = 3
        against = [
            c
            for c in voices
            if c.name
            and lead.name
            and not same_body(c.name, lead.name)
            # a 部门预算 prints tables of its units under 单位名称, a 单位预算 may print its
            # department under 部门：— neither is another body reporting
            and not (c.how == "header" and c.role == other)
        ]
        if against:
            out.findings.append(_conflict(lead, against))
        return
    weak = [c for c in named if c.how == "part"]
    if weak:
        top = Counter(c.name for c in weak).most_common(1)[0][0] or ""
        agree = [c for c in weak if c.name and same_body(c.name, top)]
        best = max(agree, key=lambda c: len(c.name or ""))
        out.department, out.where["department"] = best.name, best.line
        out.strength["department"] = 2
        return


_OTHER_ROLE = {"department": "unit", "unit": "department"}
_HOW_ZH = {"cover": "the cover", "label": "a labelled line", "header": "the table headers"}


def _conflict(lead: Claim, against: list[Claim]) -> Finding:
    said = {c.name: c.how for c in against if c.name}
    return Finding(
        code="identity-conflict",
        severity=Severity.ERROR,
        message=(
            f"{_HOW_ZH[lead.how]} names the department {lead.name!r}, but "
            + "; ".join(f"{_HOW_ZH[how]} name {name!r}" for name, how in sorted(said.items()))
            + ": not one department; the first is kept"
        ),
        where=[_where(lead.line), *(_where(c.line) for c in against)],
    )


def _where(line: Line | None) -> Where:
    if line is None:
        return Where()
    return Where(source=line.source, page=line.page, line=line.number)


# ------------------------------------------------------------------ the name elsewhere


# the numbering before a heading's words ("第二部分", "第三条", "一、", "(三)", "2.")
_NUMBERING = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:部分|章|节|条|款)|[一二三四五六七八九十]+[、.]|"
    r"[(][一二三四五六七八九十\d]+[)]|\d+[、.])+"
)


@lru_cache(maxsize=1)
def _self_res() -> tuple[re.Pattern[str], ...]:
    """'<name><year>年<self word>' opening a clause, '<year>年<name><self word>'
    (template.yaml `identity.self_words`) and the 部门概况's '<name>(的)主要职能' heading
    (`identity.duty_words`)."""
    w = identity_words()
    said = "|".join(re.escape(x) for x in sorted(w.self_words, key=len, reverse=True))
    duty = "|".join(re.escape(x) for x in sorted(w.duty_words, key=len, reverse=True))
    name = r"[\u4e00-\u9fff()]{3,40}?"
    before = re.compile(rf"(?<![\u4e00-\u9fff()])({name})20\d\d年度?(?:{said})")
    after = re.compile(rf"20\d\d年度?({name})(?:{said})")
    duties = re.compile(rf"(?<![\u4e00-\u9fff()])({name})的?(?:{duty})")
    return (before, after, duties) if duty else (before, after)


@dataclass(frozen=True)
class Naming:
    """A place where the report names the body it is about: a table header's label or a
    narrative clause about what the body budgets or spent."""

    name: str
    line: Line
    how: str  # header | text


def _self_name(printed: str) -> str | None:
    """The whole printed run as a name, its numbering dropped; None when a clause word
    opens it (someone else is named) or the run is no name as a whole (never a tail of
    it: "苏省高级人民法院" would be one)."""
    run = _NUMBERING.sub("", printed)
    if not run or run.startswith(identity_words().self_stops):
        return None
    return clean_name(run)


def _namings(docs: list[Document], department: str, scope: str | None) -> list[Naming]:
    """The table headers' labelled names (not the cover's; not the label that names
    another body by design: a 部门预算's 单位名称, a 单位预算's 部门, a 主管部门) and the
    narrative's self-naming clauses.  A 单位预算's narrative names its 主管部门 in the same
    clauses, so only its headers speak there.  A 部门预算 whose tables head with "单位："
    the department itself (Guangzhou, Chongqing, Changsha: most such headers name it)
    speaks through those headers too."""
    other = _OTHER_ROLE[scope or "department"]
    patterns = _self_res()
    out: list[Naming] = []
    by_other: list[Naming] = []
    for doc in docs:
        on_cover = {id(line) for line in _cover(doc)}
        for line in doc.lines():
            if id(line) in on_cover:
                continue
            claims = _label_claims(line, "header")
            for c in claims:
                if c.name and c.role != "parent":
                    (by_other if c.role == other else out).append(Naming(c.name, line, "header"))
            if claims or scope == "unit":
                continue
            s = squash(nfkc(line.text)).replace("（", "(").replace("）", ")")
            for m in (m for p in patterns for m in p.finditer(s)):
                name = _self_name(m.group(1))
                if name and _speaks_for_itself(name, s[: m.start(1)]):
                    out.append(Naming(name, line, "text"))
    own = sum(same_body(n.name, department) for n in by_other)
    if other == "unit" and own * 2 > len(by_other):
        out += by_other
    return out


def _speaks_for_itself(name: str, before: str) -> bool:
    """A narrative clause names the reporting body when no clause word stands before the
    name ("其中：", "根据") and the name is a department's, not a unit's (…局, …委员会,
    …办公厅: template.yaml `identity.self_suffixes`; a 部门预算's narrative may give a
    unit's 中心 or 站 its own sentence)."""
    w = identity_words()
    return name.endswith(w.self_suffixes) and not before.rstrip(":：,，、").endswith(w.self_stops)


def _cut_short(name: str, department: str) -> bool:
    """A header cell cut at its edge ("中国共产党江苏省委员会办" of …办公厅), or the
    department's name before its unit ("上海市文化和旅游局" in 上海市文化和旅游局执法总队's
    report): the same name, not another."""
    return organisation_key(department).startswith(organisation_key(name)) or department.startswith(
        name
    )


def _former(name: str, department: str) -> bool:
    """The department under the name a reform replaced (卫生和计划生育委员会 for
    卫生健康委员会)."""
    for old, new in identity_words().former_names.items():
        if old in name and same_body(name.replace(old, new), department):
            return True
    return False


def other_bodies(
    docs: list[Document],
    department: str | None,
    scope: str | None,
    where: Line | None,
    units: list[str],
    reported: set[tuple[int, int, int]],
) -> list[Finding]:
    """Table headers or narrative clauses that name another body than the report's
    department (a table copied from another department's report, a narrative taken from
    another report): one error per other name, with every place it is printed and where
    the department is named.  A short form, a cut cell, a unit of the report (its 单位名称
    list, a name that starts with the department's) is the same body; a former name an
    info finding.  Places an identity-conflict already reports are left to it."""
    if not department:
        return []
    dept_key = organisation_key(department)
    others: dict[str, list[Naming]] = {}
    former: dict[str, list[Naming]] = {}
    for n in _namings(docs, department, scope):
        at = (n.line.source, n.line.page, n.line.number)
        if (
            at in reported
            or same_body(n.name, department)
            or _cut_short(n.name, department)
            or organisation_key(n.name).startswith(dept_key)
            # the department's name after words the numbering does not know
            or organisation_key(n.name).endswith(dept_key)
            or any(same_body(n.name, u) for u in units if clean_name(u))
        ):
            continue
        (former if _former(n.name, department) else others).setdefault(n.name, []).append(n)
    out = [_other_body(department, where, name, places) for name, places in others.items()]
    out += [_former_name(department, where, name, places) for name, places in former.items()]
    return out


_NAMING_ZH = {"header": "table header", "text": "narrative"}
#: the findings of names printed elsewhere (their table headers get their table's id)
NAMING_CODES = ("identity-other-body", "identity-former-name")


def _places(places: list[Naming]) -> str:
    return ", ".join(f"{_NAMING_ZH[p.how]} p.{p.line.page}" for p in places)


def _other_body(department: str, where: Line | None, name: str, places: list[Naming]) -> Finding:
    return _naming(
        "identity-other-body",
        Severity.ERROR,
        f"the report is {department!r}'s, but {_places(places)} name(s) {name!r}, "
        "another body (a table or text taken from another report?)",
        where,
        places,
    )


def _former_name(department: str, where: Line | None, name: str, places: list[Naming]) -> Finding:
    return _naming(
        "identity-former-name",
        Severity.INFO,
        f"the report is {department!r}'s; {_places(places)} name(s) it {name!r}, "
        "its name before a reform",
        where,
        places,
    )


def _naming(
    code: str, severity: Severity, message: str, where: Line | None, places: list[Naming]
) -> Finding:
    """A finding on a name printed elsewhere: where the department is named, then each place."""
    return Finding(code, severity, message, [_where(where), *(_where(p.line) for p in places)])


# ------------------------------------------------------------------ the report


def _kind_by_count(s: str) -> str:
    budget = s.count("预算表") + s.count("部门预算")
    final = s.count("决算表") + s.count("部门决算")
    return "budget" if budget > final else "final"


def _year_by_count(s: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(20\d\d)年度?部门(?:决|预)算", s))
    if not years:
        years = Counter(int(y) for y in re.findall(r"(20\d\d)年度", s))
    return years.most_common(1)[0][0] if years else None


def identify(docs: list[Document], text: str) -> tuple[ReportMeta, list[Finding]]:
    """The report's metadata and the findings about its identity (see the module doc)."""
    files = [_file_identity(d) for d in docs]
    out, findings = _agreed(files)
    held = next((i.placeholder for i in files if i.placeholder is not None), None)
    listed = units(text)
    if out.department:
        findings += _other_bodies(docs, out, listed, findings)
    if out.department is None and held is None:
        # no cover, label, header or part title names it: the text's guess (narrative-only)
        guess = _text_claim([line for d in docs for line in d.lines()])
        if guess is not None:
            out.department, out.where["department"] = guess.name, guess.line
    s = squash(text)
    if out.kind is None:
        out.kind = _kind_by_count(s)
    if out.year is None:
        out.year = _year_by_count(s)
    if held is not None and out.department is None:
        findings.append(
            Finding(
                code="identity-placeholder",
                severity=Severity.ERROR,
                message=(
                    f"the report names its department {held.placeholder!r}, a template's "
                    "placeholder: this is a template, not a department's report; no department"
                ),
                where=[_where(held.line)],
            )
        )
    missing = [a for a in ("department", "year") if getattr(out, a) is None]
    if out.kind == "budget" and out.scope is None:
        missing.append("scope (部门/单位)")
    if missing and not (held is not None and missing == ["department"]):
        first = next((line for d in docs for line in d.lines()), None)
        findings.append(
            Finding(
                code="identity-missing",
                severity=Severity.ERROR,
                message=(
                    f"the report's {', '.join(missing)} cannot be read from its cover, title "
                    "lines or table headers; left empty, never guessed"
                ),
                where=[_where(first)],
            )
        )
    return _meta(out, docs, listed, s), findings


def _agreed(files: list[Identity]) -> tuple[Identity, list[Finding]]:
    """What the report's files say of it together: per attribute the strongest file's
    value (the fullest printing of the same department), and a finding for each file
    that says otherwise, after the files' own findings."""
    out = Identity()
    findings: list[Finding] = [f for ident in files for f in ident.findings]
    for attr in ("department", "year", "kind", "scope"):
        said = [i for i in files if getattr(i, attr) is not None]
        if not said:
            continue
        lead = max(said, key=lambda i: i.strength.get(attr, 0))  # first of the strongest
        value = getattr(lead, attr)
        for other in said:
            theirs = getattr(other, attr)
            agree = same_body(theirs, value) if attr == "department" else theirs == value
            if not agree:
                findings.append(_files_disagree(attr, lead, other))
            elif attr == "department" and len(theirs) > len(value):
                value = theirs  # the fullest printing of the same body
        setattr(out, attr, value)
        out.where[attr] = lead.where.get(attr)
    return out, findings


def _other_bodies(
    docs: list[Document], out: Identity, listed: list[str], findings: list[Finding]
) -> list[Finding]:
    """Pages that name another body than the department (`other_bodies`), except the
    lines an identity-conflict finding already reports."""
    reported = {
        (w.source or 0, w.page or 0, w.line or 0)
        for f in findings
        if f.code == "identity-conflict"
        for w in f.where
    }
    return other_bodies(
        docs, out.department, out.scope, out.where.get("department"), listed, reported
    )


def _meta(out: Identity, docs: list[Document], listed: list[str], s: str) -> ReportMeta:
    """The report's metadata from its agreed identity, units, staff and files."""
    return ReportMeta(
        department=out.department,
        year=out.year,
        kind=out.kind,
        scope=out.scope,
        region=region(out.department),
        units=listed,
        staff=staff(s),
        sources=[
            Source(path=d.path.rsplit("/", 1)[-1], sha256=d.sha256, pages=len(d.pages))
            for d in docs
        ],
    )


def _files_disagree(attr: str, lead: Identity, other: Identity) -> Finding:
    mine, theirs = getattr(lead, attr), getattr(other, attr)
    return Finding(
        code="identity-files-disagree",
        severity=Severity.ERROR,
        message=(
            f"the files of this report disagree on its {attr}: {mine!r} and {theirs!r}; "
            f"{mine!r} is kept (one report's files should name one {attr})"
        ),
        where=[_where(lead.where.get(attr)), _where(other.where.get(attr))],
    )


def report_scope(docs: list[Document]) -> str | None:
    """部门 or 单位 预算/决算 as a file's own cover says (its title, or a 预算单位 label); None
    when no file's cover says (never guessed; the part titles of a report without a cover
    do not decide it)."""
    for d in docs:
        scope = _file_identity(d).scope
        if scope is not None:
            return scope
    return None


# ------------------------------------------------------------------ region, units, staff


def region(dept: str | None) -> Region:
    """The administrative divisions a department name starts with, one unit at a time
    (安阳市 + 北关区), stopping where the department's own name begins — also when that
    name starts with a unit character (北京市朝阳区 + 市场监督管理局, not 北京市朝阳区市).
    州 alone is no unit: it ends the names of cities (福州市, not 福州 + 市…); 自治州 is."""
    if not dept:
        return Region()
    # a party body's name opens with its prefix: the place follows (中共 + 上海市普陀区 + 委…)
    words = identity_words()
    party = next((p for p in ("中国共产党", "中共") if dept.startswith(p)), "")
    start = end = len(party)
    while True:
        m = _place().match(dept, end)
        if not m or dept.startswith(words.not_places, end) or len(dept) - m.end() < 2:
            break
        end = m.end()
    return Region(name=dept[start:end]) if end > start else Region()


def staff(s: str) -> Staff:
    """人员编制 / 实有人数 / 离退休 of the 部门概况 (template.yaml `identity.staff`)."""
    patterns = identity_words().staff

    def first(key: str) -> int | None:
        for p in patterns.get(key, ()):
            m = re.search(p, s)
            if m:
                return int(m.group(1))
        return None

    return Staff(authorised=first("authorised"), actual=first("actual"), retired=first("retired"))


_NAME = r"[\u4e00-\u9fff（）()]+"


def units(text: str) -> list[str]:
    """Units covered by the report, as printed: the 序号/单位名称 list, else the
    "决算单位构成…包括：A以及B" sentence.  Names wrapped over lines are joined."""
    lines = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(lines):
        if not re.search(r"序号\s*单位名称", line):
            continue
        out: list[str] = []
        pending: list[str] | None = None  # a number alone on its line: the name follows
        seq = 1  # 序号 runs 1, 2, 3 …; other leading numbers are later columns of a row
        for nxt in lines[i + 1 : i + 60]:
            if not nxt:
                continue
            m = re.match(rf"^(\d{{1,2}})\s+({_NAME})", nxt)
            if m and int(m.group(1)) != seq:
                # the rest of a wrapped row ("2 事业 1 办公室"), not a new 序号
                if pending:
                    out.append("".join(pending))
                pending = None
                continue
            if pending is not None and re.fullmatch(_NAME, nxt):
                pending.append(nxt)
                continue
            if pending:
                out.append("".join(pending))
            pending = None
            if m:
                out.append(m.group(2))
                seq += 1
            elif re.fullmatch(r"\d{1,2}", nxt) and int(nxt) == seq:
                pending = []
                seq += 1
            elif out:
                break
        if pending:
            out.append("".join(pending))
        if out:
            return list(dict.fromkeys(out))
    flat = re.sub(r"\s+", "", text)
    for sentence in re.split(r"[。；;]", flat):
        if "内设机构" in sentence or "包括" not in sentence:
            continue
        if not re.search(r"单位构成|编制范围|汇总公开单位|纳入.*(预算|决算)", sentence):
            continue
        listed = re.split(r"包括[:：]?", sentence, maxsplit=1)[1]
        listed = re.split(r"[,，](?:不含|不包括|其中)", listed)[0]
        parts = re.split(r"以及|和|、|及", listed)
        return [p for p in (x.strip("：:，,") for x in parts) if p]
    return []
