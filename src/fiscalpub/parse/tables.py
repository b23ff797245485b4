"""Find the registry tables in a Document by title, cut their regions, decide their status."""

from __future__ import annotations

import re
from functools import lru_cache

from fiscalpub.normalize import find_unit, is_number, nfkc, squash, tokens
from fiscalpub.parse.grid import merged_texts, region_bands, relative_years
from fiscalpub.parse.region import TableRegion, TitleHit
from fiscalpub.read.document import Document, Line
from fiscalpub.registry import (
    TableSpec,
    classes,
    table_words,
    tables,
    title_family_noise,
    variant,
)

# the template's words around the tables: template.yaml `tables` (registry data)
_WORDS = table_words()
_TITLE_NOISE = _WORDS.title_noise
# the title as printed without its number: "（按经济分类）" kept, it tells two tables apart
_PRINTED_NOISE = _WORDS.title_number
_EMPTY_NOTE = _WORDS.empty_note
_ABSENT_NOTE = _WORDS.absent_note
# a template note that declares the table empty only when it prints nothing ("此表如无数字
# 则表示单位无该项支出"): never a contradiction of numbers printed above it
_IF_EMPTY_NOTE = re.compile(r"如无数字|无数字则表示|如为空表|空表表示")
_MAX_TITLE_EXTRA = _WORDS.title_extra_chars
# a title may name its year and owner before the title itself ("2017年度江苏省高级人民法院
# 部门收支预算总表", "江苏省人民检察院2017年部门…"): that prefix is no limit on the title
_OWNER_PREFIX = re.compile(
    r"(?:20\d\d年度?[\u4e00-\u9fff（）()]{2,30}?|[\u4e00-\u9fff（）()]{2,30}?20\d\d年度?)(?:部门|单位)?"
)


@lru_cache(maxsize=1)
def _title_keys() -> list[tuple[str, list[str], bool]]:
    """(squashed title, ids of the tables printed under it, local), longest first.  A
    title may name several tables of one family (一般公共预算基本支出明细表 by 功能 or by
    经济分类): the header decides between them (_by_header)."""
    keys: dict[tuple[str, bool], list[str]] = {}
    for tid, spec in tables().items():
        for local, titles in ((False, spec.titles), (True, spec.local_titles)):
            for t in titles:
                ids = keys.setdefault((squash(t), local), [])
                if tid not in ids:
                    ids.append(tid)
    return sorted(((k, ids, local) for (k, local), ids in keys.items()), key=lambda x: -len(x[0]))


@lru_cache(maxsize=1)
def _title_chars() -> frozenset[str]:
    """The characters every registry title holds (表): a line without them names no
    table, and most lines of a report are not titles (each would be tested against
    every title variant)."""
    keys = [set(key) for key, _, _ in _title_keys()]
    return frozenset(set.intersection(*keys)) if keys else frozenset()


def match_title(text: str) -> tuple[str, str, bool] | None:
    """(table id, title, local) when a short line names a registry table; longest
    variant wins; `local`: a regional title (registry local_titles)."""
    m = match_titles(text)
    return (m[0][0], m[1], m[2]) if m else None


@lru_cache(maxsize=65536)
def match_titles(text: str) -> tuple[list[str], str, bool] | None:
    """(ids of the tables the title may name, title, local) when a short line names a
    registry table; the longest variant wins.  Memoised: it depends on the text and the
    registry only, and a report's lines are asked again (wrapped titles, repeated
    running lines: ~45k calls a corpus parse); the ids list is the registry's own, shared
    as before."""
    s = squash(text)
    if not s or len(s) > 60:
        return None
    stripped = _TITLE_NOISE.sub("", s)
    if not _title_chars().issubset(stripped):
        return None
    for key, tids, local in _title_keys():
        if key in stripped and (
            len(stripped) - len(key) <= _MAX_TITLE_EXTRA or _owner_prefixed(stripped, key)
        ):
            # a narrative heading that mentions a table ("…决算表情况说明") is no title
            rest = stripped.replace(key, "", 1)
            if "说明" in rest or "情况" in rest:
                continue
            return tids, key, local
    return None


@lru_cache(maxsize=65536)
def _title_text(text: str) -> str:
    """A line squashed and without title noise (memoised like squash: every line of a
    report is tested again as a title the registry does not know)."""
    return _TITLE_NOISE.sub("", squash(text))


def _owner_prefixed(stripped: str, key: str) -> bool:
    """The title line is the title after its year and owner, with nothing after it."""
    before, _, after = stripped.partition(key)
    return not after and _OWNER_PREFIX.fullmatch(before) is not None


def find_titles(lines: list[Line]) -> list[TitleHit]:
    hits: list[TitleHit] = []
    i = 0
    while i < len(lines):
        m = match_titles(lines[i].text)
        span = 1
        first = squash(lines[i].text)
        if (
            m is None
            and i + 1 < len(lines)
            and 4 <= len(_TITLE_NOISE.sub("", first)) <= 24
            and not _EMPTY_NOTE.search(first)
        ):
            # titles wrapped over two lines ("政府性基金预算财政拨款收入支出" / "决算表")
            nxt = _next_nonblank(lines, i)
            if nxt is not None:
                joined = lines[i].text.strip() + lines[nxt].text.strip()
                m2 = match_titles(joined)
                if m2 is not None and match_titles(lines[nxt].text) != m2:
                    m, span = m2, nxt - i + 1
        if m is not None:
            printed = _PRINTED_NOISE.sub("", squash("".join(ln.text for ln in lines[i : i + span])))
            hits.append(
                TitleHit(
                    table=m[0][0],
                    index=i,
                    span=span,
                    title=m[1],
                    local=m[2],
                    printed=printed,
                    tables=m[0],
                )
            )
            i += span
        else:
            i += 1
    return hits


def _join_repeated(hits: list[TitleHit], lines: list[Line]) -> tuple[list[TitleHit], set[int]]:
    """Drop the hits that repeat the title of the hit before on the next page (a table
    continued over pages, "表8 一般公共预算支出表（按经济分类）" on each): they are no
    new table.  Returns the hits kept and the line indices of the repeated titles."""
    kept: list[TitleHit] = []
    repeated: set[int] = set()
    last_page: int | None = None  # page of the last title of the running table
    for hit in hits:
        page = lines[hit.index].page
        prev = kept[-1] if kept else None
        if (
            prev is not None
            and hit.table == prev.table
            and hit.printed == prev.printed
            and last_page is not None
            and page == last_page + 1
        ):
            repeated.update(range(hit.index, hit.index + hit.span))
            last_page = page
            continue
        kept.append(hit)
        last_page = page
    return kept, repeated


_CODE_ROW = re.compile(r"(?:^|\s)(\d{3}|\d{5}|\d{7})\s+[\u3400-\u9fff]")


def _economic_twin(spec: TableSpec, body: list[Line]) -> str | None:
    """The registry table a function-classified title names when its rows carry
    economic codes ("一般公共预算支出表（按经济分类）": 301, 30101 … instead of
    201, 20101 …): the kind of row decides, not the words around the title."""
    if spec.economic_twin is None:
        return None
    count = {"function": 0, "economic": 0}
    for line in body[:80]:
        for m in _CODE_ROW.finditer(nfkc(line.text)):
            code = m.group(1)
            for scheme in count:
                if code[:3] in classes()[scheme]:
                    count[scheme] += 1
    return spec.economic_twin if count["economic"] > max(count["function"], 1) else None


def _next_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].text.strip():
            return j
    return None


_SECTION_END = _WORDS.section_end
_PERF = _WORDS.performance
# the numbered title of a table the registry does not know: it ends the region before it,
# so its amounts are not taken for the last rows of the registry table printed above
_OTHER_TITLE = _WORDS.other_title


def cut_regions(doc: Document) -> list[TableRegion]:
    """Regions of every title hit: from the title to the next title (of a registry
    table or of any other table) or section end.

    A table that prints its title again on each page it runs over is one region:
    the repeated title lines are left out of its body."""
    lines = list(doc.lines())
    found = find_titles(lines)
    others = other_titles(lines, found)
    found = sorted(found + _family_hits(lines, others), key=lambda h: h.index)
    hits, repeated = _join_repeated(found, lines)
    bounds = sorted(({h.index for h in hits} | set(others)) - repeated)
    specs = tables()
    regions: list[TableRegion] = []
    last: TitleHit | None = None  # the hit of the last region (or of its continuation)
    for n, hit in enumerate(hits):
        end = next((b for b in bounds if b >= hit.index + hit.span), len(lines))
        body: list[Line] = []
        for k in range(hit.index + hit.span, end):
            line = lines[k]
            if k in repeated:
                continue
            s = squash(line.text)
            if _SECTION_END.match(s) or (_PERF.search(s) and len(s) < 30) or _OTHER_TITLE.match(s):
                break
            body.append(line)
        head = " ".join(ln.text for ln in lines[max(0, hit.index - 3) : hit.index + hit.span + 6])
        title_line = lines[hit.index + hit.span - 1]
        named = hit.tables or [hit.table]
        hit.table = _by_header(hit, squash(title_line.text) + "|" + _header(body), body)
        if not hit.table:
            continue  # its header shows another classification: a bound only
        region = TableRegion(
            spec=specs[hit.table],
            hit=hit,
            lines=body,
            unit=find_unit(head),
            title_line=title_line,
            pages=doc.pages,
        )
        twin = _economic_twin(region.spec, body)
        if twin is not None:
            region.spec = specs[twin]
        region.twin = region.spec.id not in named
        header = _header(body) + "|" + _header_cells(region)
        region.spec = variant(region.spec, relative_years(header, header))
        if _loose(hit, lines) and not _header_fits(region.spec, header):
            continue  # another table whose title contains a registry title: a bound only
        _classify(region)
        if _prose(body):
            region.has_numbers = False  # a title quoted in the narrative, not a table
        else:
            region.blank = _blank_table(region) or (
                not region.has_numbers and _printed_header(region)
            )
        if regions and n and hits[n - 1] is last and _continues(regions[-1], region):
            _extend(regions[-1], region)
        else:
            regions.append(region)
        last = hit
    return regions


_ECONOMIC_WORDS = re.compile(r"经济分类|经济科目")
_FUNCTION_WORDS = re.compile(r"功能分类|功能科目")
_CODE_START = re.compile(r"^\s*(\d{3})(?:\d{2}){0,2}\s+[\u3400-\u9fff]")


def _by_header(hit: TitleHit, head: str, body: list[Line]) -> str:
    """Of the tables one title may name, the one whose classification the title and
    header words (按经济分类科目 / 功能科目编码) or, failing them, the codes of the body
    show.  A coded table whose header shows the other classification is none of them
    (Xi'an's 一般公共预算基本支出明细表 按功能科目 beside the one 按经济科目): ""."""
    specs = tables()
    candidates = hit.tables or [hit.table]
    # a function table's economic twin is one of them too (registry economic_twin)
    twins = [t for c in candidates if (t := specs[c].economic_twin) and t not in candidates]
    candidates = candidates + twins
    # a two-sided table (收支总表) names both classifications by their nature: no twin
    coded = [
        t
        for t in candidates
        if specs[t].classification in ("function", "economic") and specs[t].layout == "coded"
    ]
    if not coded:
        return hit.table
    economic, function = bool(_ECONOMIC_WORDS.search(head)), bool(_FUNCTION_WORDS.search(head))
    if economic == function:
        # the first classification code of the body (a unit code such as 317 is none)
        codes = [m.group(1) for ln in body[:60] if (m := _CODE_START.match(nfkc(ln.text)))]
        known = [c for c in codes if any(c in classes()[k] for k in ("function", "economic"))]
        economic = bool(known) and known[0] in classes()["economic"]
        function = bool(known) and known[0] in classes()["function"]
    if economic == function:
        return hit.table
    want = "economic" if economic else "function"
    for tid in candidates:
        if specs[tid].classification == want:
            return tid
    return "" if len(coded) == len(candidates) else hit.table


def _continues(before: TableRegion, region: TableRegion) -> bool:
    """The title printed again over the rest of a table on the next page: the hit right
    after the table's own (or its last continuation), of the same table and the same
    printed title ("基本支出总表" after "支出总表" is another table), both with numbers."""
    if before.spec.id != region.spec.id or _printed_title(before) != _printed_title(region):
        return False
    if not (before.has_numbers and region.has_numbers and before.lines and region.lines):
        return False
    page = region.title_line.page if region.title_line else region.lines[0].page
    return page - before.lines[-1].page in (0, 1)


def _printed_title(region: TableRegion) -> str:
    return _TITLE_NOISE.sub("", squash(region.hit_text))


def _extend(before: TableRegion, region: TableRegion) -> None:
    before.lines.extend(region.lines)
    before.notes.extend(region.notes)
    before.empty_note = before.empty_note or region.empty_note
    before.bands = None


# what follows a table's title within a few lines: its unit or the unit it belongs to
_UNIT_MARK = _WORDS.unit_mark
_SENTENCE = re.compile(r"[。，；,;:：]")


def other_titles(lines: list[Line], hits: list[TitleHit]) -> list[int]:
    """Lines that title a table the registry does not know (表7 一般公共预算项目支出
    情况表, 部门预算基本支出预算表 …): a short line ending in 表, not a sentence, with a
    unit line ("单位：万元", "单位名称：…") among the next few lines.  They end the
    region of the registry table before them, so its rows do not run on."""
    taken = {i for h in hits for i in range(h.index, h.index + h.span)}
    out: list[int] = []
    for i, line in enumerate(lines):
        if i in taken:
            continue
        s = _title_text(line.text)
        if not (4 <= len(s) <= 40 and s.endswith("表")) or _SENTENCE.search(s):
            continue
        after = [ln for ln in lines[i + 1 : i + 6] if ln.text.strip()][:3]
        if any(_UNIT_MARK.search(squash(ln.text)) for ln in after):
            out.append(i)
    return out


_YEAR = re.compile(r"第[一二三四五六七八九十]+部分|(?:预算|决算)\d+表|\d{4}年度?|[（(][^)）]*[)）]")


def family_key(text: str) -> str:
    """A title without year, numbering, brackets and the registry's family noise words."""
    s = _YEAR.sub("", _TITLE_NOISE.sub("", squash(text)))
    for word in title_family_noise():
        s = s.replace(word, "")
    return s.replace("总表", "表")


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """Family key -> table id, for the keys of exactly one registry table."""
    ids: dict[str, set[str]] = {}
    for tid, spec in tables().items():
        for title in [*spec.titles, *spec.local_titles]:
            ids.setdefault(family_key(title), set()).add(tid)
    return {key: next(iter(tids)) for key, tids in ids.items() if len(tids) == 1}


def _family_hits(lines: list[Line], others: list[int]) -> list[TitleHit]:
    """Table titles the registry does not list verbatim but whose family is a registry
    table's ("2026年部门支出总体情况表" ~ 支出预算表): local titles, taken only when the
    table's header fits."""
    hits = []
    for i in others:
        tid = _families().get(family_key(lines[i].text))
        if tid is not None:
            title = _TITLE_NOISE.sub("", squash(lines[i].text))
            printed = _PRINTED_NOISE.sub("", squash(lines[i].text))
            hits.append(
                TitleHit(table=tid, index=i, span=1, title=title, local=True, printed=printed)
            )
    return hits


def _loose(hit: TitleHit, lines: list[Line]) -> bool:
    """The title line says more than the registry title it contains, beyond a
    department, scope, year or a qualifier in brackets ("部门预算基本支出预算表"
    contains 支出预算表; "一般公共预算支出预算表（功能科目）" is that table)."""
    text = _TITLE_NOISE.sub(
        "", "".join(squash(ln.text) for ln in lines[hit.index : hit.index + hit.span])
    )
    if _owner_prefixed(text, hit.title):
        return False
    rest = text.replace(hit.title, "", 1)
    rest = re.sub(r"\d{4}年度?|部门|单位|本级|年度|公开|[（(][^)）]*[)）]", "", rest)
    return bool(rest)


def _header_fits(spec: TableSpec, header: str) -> bool:
    """A table of several amount columns names at least two of them in its header:
    a table whose title only contains a registry title and whose columns are others
    is not that table."""
    columns = spec.columns
    if len(columns) < 3 or not header.strip("|"):
        return True
    named = sum(
        1
        for col in columns
        if any(squash(h.split("/")[-1]) in header for h in col.headers if h.split("/")[-1])
    )
    return named >= 2


_DATA_LINE = re.compile(r"\d[\d,]*\.\d|\d{1,3}(,\d{3})+|^\s*[23]\d{2}(\d{2})*\s")


def _header(body: list[Line]) -> str:
    """The squashed text above a table's first data line (amounts or a code row)."""
    out: list[str] = []
    for line in body[:40]:
        if _DATA_LINE.search(nfkc(line.text)):
            break
        out.append(line.text)
    return squash("".join(out))


def _header_cells(region: TableRegion) -> str:
    """Texts of the ruled header cells (PDF): one cell's words stay together even
    where the lines of neighbouring cells interleave ("单位/预留机动/经费")."""
    if not region.positioned:
        return ""
    bands = region_bands(region) or []
    head = []
    for band in bands:
        if band.has_number():
            break
        head.append(band)
    return "|".join(squash(t) for t in merged_texts(head))


def _prose(body: list[Line]) -> bool:
    """Sentences, not table rows: most non-empty lines carry sentence punctuation."""
    lines = [nfkc(ln.text) for ln in body[:30] if ln.text.strip()]
    if len(lines) < 3:
        return False
    # NFKC turns "，" into ",": a comma before a Chinese character, not "2,932,700"
    sentences = sum(1 for t in lines if re.search(r"[。;]|,\s*[\u3400-\u9fff]", t))
    return sentences * 2 > len(lines)


def _classify(region: TableRegion) -> None:
    in_notes = False
    title_line = squash(region.hit_text)
    if _EMPTY_NOTE.search(title_line):
        region.empty_note = region.title_line
    before: tuple[Line, str] | None = None  # the note line before, when it may wrap on
    for line in region.lines:
        s = squash(line.text)
        if s.startswith(("注:", "注：", "说明:", "说明：", "备注")):
            in_notes = True
        if in_notes:
            region.notes.append(line)
        if _EMPTY_NOTE.search(s):
            region.empty_note = region.empty_note or line
        elif before is not None and _EMPTY_NOTE.search(before[1] + s):
            # "备注：本部门…安排的支" / "出。": a note wrapped over two lines
            region.empty_note = region.empty_note or before[0]
        before = (line, s) if in_notes else None
        if not in_notes and any(is_number(t) and "." in t for t in tokens(line.text)):
            region.has_numbers = True
    if not region.has_numbers and region.empty_note is None:
        region.empty_note = next(
            (ln for ln in region.notes if _IF_EMPTY_NOTE.search(squash(ln.text))), None
        )
    if not region.has_numbers:
        # integer-only amounts ("131") still count, but not 栏次/行次 rows
        for line in region.lines:
            if line in region.notes:
                break
            toks = tokens(line.text)
            nums = [t for i, t in enumerate(toks) if is_number(t) and not _code_at(toks, i)]
            if (
                nums
                and not _is_ordinal_line(toks)
                and any(not re.fullmatch(r"\d{1,2}", t) for t in nums)
            ):
                region.has_numbers = True
                break


def _code_at(toks: list[str], i: int) -> bool:
    """A classification code before its name ("205 教育支出", side by side "301 工资福利支出
    302 商品和服务支出"), or alone on its line between the halves of a wrapped name
    ("其他文化旅游体育与传媒支" / "20799" / "出"): a code is no amount."""
    if re.fullmatch(r"\d{3}|\d{5}|\d{7}", toks[i]) is None:
        return False
    if len(toks) == 1:
        return toks[i][0] in "23"  # 功能 2xx, 经济 3xx
    # before its name, or before the next group's code ("30108 30206 电费": 30108's name
    # wrapped around the line)
    return i + 1 < len(toks) and (_CJK.search(toks[i + 1]) is not None or _code_at(toks, i + 1))


_CJK = re.compile(r"[\u3400-\u9fff]")
_TOTAL_ROWS = ("total", "grand_total", "total_income", "total_expenditure", "personnel_total")
# a table printed as a 收入 | 支出 form whatever its registry shape (Xi'an prints its 政府性基金
# 收支表 so: 项目 | 预算数 | 支出功能分类科目 | 预算数 …): its total lines and amount headers
_FORM_TOTALS = ("本年收入合计", "本年支出合计")
_FORM_HEADS = ("预算数", "决算数")
_FORM_HEADER = re.compile(r"收入.*支出.*(?:预算数|决算数)")


def _printed_header(region: TableRegion) -> bool:
    """The table is printed — its column headers stand under the title — but it has no
    row: an empty table without a note (Beijing 预算07表 when the department has no
    政府性基金).  A title alone (a 目录 line, a reference) has no header under it."""
    head = squash("".join(ln.text for ln in region.lines[:12]))
    if not head:
        return False
    found = {
        col.id
        for col in region.spec.all_columns()
        for h in col.headers
        if all(squash(p) in head for p in h.split("/") if p)
    }
    # or the header of a 收入 | 支出 form with its amount columns (预算数)
    return len(found) >= 2 or bool(_FORM_HEADER.search(head))


def _blank_table(region: TableRegion) -> bool:
    """The table is printed — a header that names its columns over a total row (or, for
    a one-row table, over its empty row) — with no amount in any cell (Jiangsu prints
    政府性基金支出预算表 so when the department has none; the national template prints
    every table so): it declares the table empty as a note would."""
    lines = [squash(ln.text) for ln in region.lines if ln not in region.notes]
    spec = region.spec
    totals = tuple(k for r in spec.all_rows() if r.id in _TOTAL_ROWS for k in r.keys)
    totals += _FORM_TOTALS
    heads = {squash(h.split("/")[-1]) for c in spec.all_columns() for h in c.headers}
    heads |= set(_FORM_HEADS)
    heads -= set(totals)
    if spec.layout == "single_row":
        text = "".join(lines)
        return sum(1 for h in heads if h and h in text) >= 2
    # the total row alone on its line, else sharing it with the other side's ("本年收入合计
    # 本年支出合计"); a header line may start with 合计 too
    at = next((i for i, s in enumerate(lines) if s in totals), None)
    if at is None:
        at = next((i for i, s in enumerate(lines) if totals and s.startswith(totals)), None)
    if at is None:
        return False
    header = "".join(lines[:at])
    return any(h and h in header for h in heads)


def _is_ordinal_line(toks: list[str]) -> bool:
    nums = [t for t in toks if t.isdigit()]
    rest = [t for t in toks if not t.isdigit()]
    if any(squash(t) in table_words().number_labels for t in rest):
        return True
    return bool(nums) and not rest and [int(t) for t in nums] == list(range(1, len(nums) + 1))


def mentions_attachment(doc: Document) -> Line | None:
    for line in doc.lines():
        s = squash(line.text)
        if _ABSENT_NOTE.search(s) and ("报表" in s or "决算表" in s or "预算表" in s):
            return line
    return None
