"""PDF reports with a text layer: pages -> lines -> words with boxes (pypdfium2).

pypdfium2 was chosen by measurement on the corpus: text plus the position of
every character in about the time of ``pdftotext -layout`` (pdfplumber: ~14x,
DOMAIN.md).  Pages of prose keep pdfium's own lines; other pages are rebuilt
from character baselines and font sizes (glyph boxes of 一 、 , are thin and
would split a line), words split where the gap between characters is wider
than half the character height (letter-spaced names stay whole) or where a
vertical rule runs between them.  Ruling lines are read on pages with tables.
"""

from __future__ import annotations

import bisect
import ctypes
import hashlib
import itertools
import operator
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from fiscalpub.errors import UnreadableInput
from fiscalpub.read.document import Document, Line, Page, RulingLine, Word, read_bytes

_Char = tuple[str, float, float, float, float]  # text, x0, x1, top, bottom (top-down)


def _bare(fn: Any) -> Any:
    """The same pdfium function without ctypes argument types: pypdfium2 declares them,
    and checking them costs ~0.45 of the ~0.65 us of each of the ~1.3M calls a corpus
    read makes (a character's origin, a path's draw mode...).  Callers pass what C
    expects: ctypes handles and byrefs for pointers, Python ints only for C ints."""
    address = ctypes.cast(fn, ctypes.c_void_p).value
    if address is None:  # not reached: every function named here is in the library
        raise ImportError(f"pdfium has no {fn.__name__}")
    return ctypes.CFUNCTYPE(fn.restype)(address)


_char_origin = _bare(raw.FPDFText_GetCharOrigin)
_font_size = _bare(raw.FPDFText_GetFontSize)
_text_matrix = _bare(raw.FPDFText_GetMatrix)
_obj_type = _bare(raw.FPDFPageObj_GetType)
_obj_bounds = _bare(raw.FPDFPageObj_GetBounds)
_obj_matrix = _bare(raw.FPDFPageObj_GetMatrix)
_fill_color = _bare(raw.FPDFPageObj_GetFillColor)
_draw_mode = _bare(raw.FPDFPath_GetDrawMode)
_count_segments = _bare(raw.FPDFPath_CountSegments)
_segment = _bare(raw.FPDFPath_GetPathSegment)
_segment_point = _bare(raw.FPDFPathSegment_GetPoint)
_segment_type = _bare(raw.FPDFPathSegment_GetType)
_page_object = _bare(raw.FPDFPage_GetObject)


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise UnreadableInput(f"{path}: encrypted PDF that needs a user password") from None
        raise UnreadableInput(f"{path}: damaged or truncated PDF ({exc})") from None


def read_pdf(path: str | Path, source: int = 0) -> Document:
    """Read a PDF into a Document; line numbers run on across pages."""
    p = Path(path)
    data = read_bytes(p)
    if not data.strip():
        raise UnreadableInput(f"{p}: the file is empty")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableInput(f"{p}: not a PDF (no %PDF header), despite its name")
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableInput(f"{p}: truncated PDF (no end-of-file marker)")
    pdf = _open(p, data)
    pages: list[Page] = []
    number = 0
    chars_seen = 0
    try:
        for index in range(len(pdf)):
            pdf_page = pdf[index]
            textpage = pdf_page.get_textpage()
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count > 0 else ""
            chars_seen += len(text.strip())
            # pages of prose: pdfium's own line breaks, no per-character geometry (the
            # words of other pages are made from their characters below)
            split = [ln.split() for ln in _BREAKS.split(text) if ln.strip()]
            hrules: list[RulingLine] = []
            vrules: list[RulingLine] = []
            grouped: list[list[Word]]
            if _prose(split):
                grouped = [[Word(t, 0.0, 0.0, 0.0, 0.0) for t in words] for words in split]
            elif _tabular(split):
                chars = _page_chars(pdf_page, textpage, text, count)
                hrules, vrules = _rulings(pdf_page)
                # words never cross a vertical rule
                grouped = _lines(chars, vrules)
            else:
                # pdfium's order is the content stream's, not the page's: a title
                # may come after the table under it
                grouped = _lines(_page_chars(pdf_page, textpage, text, count))
            textpage.close()
            lines = []
            for words in grouped:
                number += 1
                lines.append(
                    Line(
                        text=" ".join(w.text for w in words),
                        number=number,
                        page=index + 1,
                        source=source,
                        words=words,
                    )
                )
            page = Page(number=index + 1, lines=lines, hrules=hrules, vrules=vrules)
            page.image_only = not text.strip() and _has_images(pdf_page)
            pages.append(page)
            pdf_page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableInput(f"{p}: damaged or truncated PDF ({exc})") from None
    finally:
        pdf.close()
    if chars_seen == 0:
        raise UnreadableInput(f"{p}: no page has a text layer (a scanned PDF?); OCR it first")
    return Document(
        path=str(p), sha256=hashlib.sha256(data).hexdigest(), pages=pages, source=source, kind="pdf"
    )


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(
        _obj_type(_page_object(page.raw, i)) == raw.FPDF_PAGEOBJ_IMAGE
        for i in range(raw.FPDFPage_CountObjects(page.raw))
    )


def _prose(lines: list[list[str]]) -> bool:
    """A page of sentences (the narrative), where pdfium's line order is reading order:
    most lines carry sentence punctuation, which table cells almost never do.  `lines`:
    pdfium's lines, each split into its words."""
    texts = ["".join(words) for words in lines]
    sentences = sum(1 for t in texts if _SENTENCE.search(t))
    # an amount on a line without sentence punctuation: a table row (the end of
    # a table on the page where the narrative begins)
    rows = sum(
        1
        for words, t in zip(lines, texts, strict=True)
        if not _SENTENCE.search(t) and any(_AMOUNT.match(w) and "." in w for w in words)
    )
    return len(texts) >= 3 and sentences * 5 >= len(texts) * 2 and rows <= 1


_SENTENCE = re.compile(r"[。，；]")


def _tabular(lines: list[list[str]]) -> bool:
    """A page worth reading ruling lines for: a line with two amounts (or glued ones),
    or three lines that each hold an amount of their own (a list table)."""
    alone = 0
    for words in lines:
        amounts = sum(1 for w in words if _AMOUNT.match(w))
        if amounts >= 2 or any(len(_GLUED.findall(w)) >= 2 for w in words):
            return True
        alone += amounts == 1
    return alone >= 3


_GLUED = re.compile(r"\d\.\d{2}")


_AMOUNT = re.compile(r"^-?[\d,]+\.?\d*$")
_THIN = 2.5  # points: thicker than this is a box, not a rule


def _rulings(page: pdfium.PdfPage) -> tuple[list[RulingLine], list[RulingLine]]:
    """Horizontal and vertical ruling lines (path objects), boxes split into their edges,
    in the page's displayed orientation.  Paths inside form XObjects count too (some
    exports draw a whole table's grid as one form)."""
    turn = page.get_rotation() % 360
    mb = page.get_mediabox()
    width, height = mb[2] - mb[0], mb[3] - mb[1]
    shown_w, shown_h = (height, width) if turn in (90, 270) else (width, height)
    hrules: list[RulingLine] = []
    vrules: list[RulingLine] = []
    for left, bottom, right, top in _path_boxes(page):
        if turn == 0:  # nearly every page: _display inlined
            x0, x1, y0, y1 = left, right, height - top, height - bottom
        else:
            x0, x1, y0, y1 = _display(turn, width, height, left, bottom, right, top)
        if y1 < 0 or y0 > shown_h or x1 < 0 or x0 > shown_w:
            continue  # outside the page box: clipped away
        w, h = x1 - x0, y1 - y0
        if h < _THIN and w > 4:
            hrules.append(RulingLine((y0 + y1) / 2, x0, x1))
        elif w < _THIN and h > 4:
            vrules.append(RulingLine((x0 + x1) / 2, y0, y1))
        elif w > 4 and h > 4:
            hrules += [RulingLine(y0, x0, x1), RulingLine(y1, x0, x1)]
            vrules += [RulingLine(x0, y0, y1), RulingLine(x1, y0, y1)]
    return hrules, vrules


_Box = tuple[float, float, float, float]  # left, bottom, right, top in page space
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 4  # forms nested deeper than this are not searched for rules


def _path_boxes(page: pdfium.PdfPage) -> list[_Box]:
    """Page-space bounds of every path object, those inside (nested) forms included."""
    out: list[_Box] = []
    get = _page_object
    objects = [get(page.raw, i) for i in range(raw.FPDFPage_CountObjects(page.raw))]
    _collect_paths(objects, _IDENTITY, 0, out)
    return out


def _collect_paths(objects: list[Any], outer: _Matrix, depth: int, out: list[_Box]) -> None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    corners = tuple(ctypes.byref(c) for c in (left, bottom, right, top))
    # ~120k path objects in the corpus: buffers made once, calls inlined
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    modes = (ctypes.byref(mode), ctypes.byref(stroke))
    rgba = tuple(ctypes.c_uint() for _ in range(4))
    fills = tuple(ctypes.byref(c) for c in rgba)
    r, g, b, a = rgba
    path, form = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM
    get_type, get_bounds, count_segments = _obj_type, _obj_bounds, _count_segments
    draw_mode, fill_color = _draw_mode, _fill_color
    plain = outer == _IDENTITY
    for obj in objects:
        kind = get_type(obj)
        if kind == path:
            # a path that is only filled, in white or transparent: cell backgrounds
            # (Word exports a white box per cell and per cell margin), not rules — its
            # edges would cut sliver columns beside every real rule
            if (
                draw_mode(obj, *modes)
                and not stroke.value
                and mode.value != 0
                and fill_color(obj, *fills)
                and (a.value == 0 or min(r.value, g.value, b.value) >= _WHITE)
            ):
                continue
            count = count_segments(obj)
            # a path of fewer than four segments (a stroked line, move + line: 60% of
            # the corpus's paths) has at most one part of two points
            parts = _subpaths(obj, count) if 4 <= count <= _MAX_SEGMENTS else []
            if len(parts) > 1:
                # one path object drawing many rules (every line of a grid as its own
                # thin box): each part is a rule; the object's bounds are only the frame
                m = raw.FS_MATRIX()
                _obj_matrix(obj, ctypes.byref(m))
                own = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
                out.extend(_transform(own, box) for box in parts)
                continue
            get_bounds(obj, *corners)
            box = (left.value, bottom.value, right.value, top.value)
            out.append(box if plain else _transform(outer, box))
        elif kind == form and depth < _MAX_FORM_DEPTH:
            # a form's objects report bounds in the form's space: map them by its matrix
            m = raw.FS_MATRIX()
            _obj_matrix(obj, ctypes.byref(m))
            inner = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            children = [
                raw.FPDFFormObj_GetObject(obj, j) for j in range(raw.FPDFFormObj_CountObjects(obj))
            ]
            _collect_paths(children, inner, depth + 1, out)


_MAX_SEGMENTS = 20_000  # a path with more segments is a drawing, not a table's rules


def _subpaths(obj: Any, count: int) -> list[_Box]:
    """Bounds (in the path's own space) of each subpath — each part started by a move —
    of a path object of `count` segments that draws several; at most one part for an
    ordinary path (for a path of one part the caller takes the object's bounds)."""
    if not _moves_again(obj, count):
        return []
    # ~115k path objects in the corpus, a few segments each: the point buffers are
    # passed by one reference made once, and each part's bounds come from its x and y
    # columns (one pass each) rather than four generator passes over its points
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.byref(x), ctypes.byref(y)
    parts: list[tuple[list[float], list[float]]] = []
    move = raw.FPDF_SEGMENT_MOVETO
    for i in range(count):
        seg = _segment(obj, i)
        if not _segment_point(seg, px, py):
            continue
        if _segment_type(seg) == move or not parts:
            parts.append(([], []))
        parts[-1][0].append(x.value)
        parts[-1][1].append(y.value)
    return [(min(xs), min(ys), max(xs), max(ys)) for xs, ys in parts if len(xs) > 1]


def _moves_again(obj: Any, count: int) -> bool:
    """A move after the first segment: the path has more than one part.  Read before
    the points, by segment types alone: the longer paths are nearly all one box (move +
    four lines), whose points the caller does not need."""
    move = raw.FPDF_SEGMENT_MOVETO
    return any(_segment_type(_segment(obj, i)) == move for i in range(1, count))


_WHITE = 250  # a fill this light (each of R, G, B) does not show on the page


def _compose(first: _Matrix, then: _Matrix) -> _Matrix:
    """The matrix applying `first`, then `then` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _transform(m: _Matrix, box: _Box) -> _Box:
    if m == _IDENTITY:
        return box
    a, b, c, d, e, f = m
    x0, y0, x1, y1 = box
    xs, ys = [], []
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def _display(
    turn: int, width: float, height: float, left: float, bottom: float, right: float, top: float
) -> tuple[float, float, float, float]:
    """A page-space box as (x0, x1, top, bottom) of the displayed, top-down page."""
    if turn == 90:
        return bottom, top, left, right
    if turn == 270:
        return height - top, height - bottom, width - right, width - left
    if turn == 180:
        return width - right, width - left, bottom, top
    return left, right, height - top, height - bottom


_BREAKS = re.compile(r"\r\n|\r|\n")


def _page_chars(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str, count: int
) -> list[_Char]:
    turn = page.get_rotation() % 360
    # unrotated page box: character positions are given in it
    left_, bottom_, right_, top_ = page.get_mediabox()
    width, height = right_ - left_, top_ - bottom_
    shown_w, shown_h = (height, width) if turn in (90, 270) else (width, height)
    if count <= 0:
        return []
    out: list[_Char] = []
    # get_text_range may expand ligatures; fall back to per-char text then
    per_char = len(text) != count
    ox, oy = ctypes.c_double(), ctypes.c_double()
    p_ox, p_oy = ctypes.byref(ox), ctypes.byref(oy)
    handle = textpage.raw
    get_origin, get_size, get_matrix = _char_origin, _font_size, _text_matrix
    matrix = raw.FS_MATRIX()
    p_matrix = ctypes.byref(matrix)
    sizes: dict[float, float] = {}  # font size per baseline: one font per printed line
    # the same, by the unrounded coordinate: a line's characters share it, and a hit
    # saves the rounding (~400k characters in the corpus)
    known: dict[float, float] = {}
    flat = turn in (0, 180)
    letters = (textpage.get_text_range(i, 1) for i in range(count)) if per_char else text
    for i, ch in enumerate(letters):
        if ch <= " " or ch.isspace():
            continue
        # position from the character's origin and the font size; its width is
        # estimated (full width for CJK, half for Latin and digits): glyph boxes of
        # "一", "、", "," are thin, and reading them costs as much as all the rest
        get_origin(handle, i, p_ox, p_oy)
        x, y = ox.value, oy.value
        along = y if flat else x
        size = known.get(along, 0.0)
        if not size:
            key = round(along, 1)
            size = sizes.get(key, 0.0)
            if not size:
                # the font size is in text space: scale it by the character's matrix
                get_matrix(handle, i, p_matrix)
                scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
                size = sizes[key] = (get_size(handle, i) * scale) or 10.0
            known[along] = size
        advance = size if ch > "\u2e7f" else size * 0.5
        if turn == 0:
            x0, base = x, height - y
        elif turn == 90:  # /Rotate 90: page y runs left to right, page x top to bottom
            x0, base = y, x
        elif turn == 270:
            x0, base = height - y, width - x
        else:  # 180
            x0, base = width - x, y
        x1 = x0 + advance
        if not (-2 <= x0 <= shown_w + 2 and 0 <= base <= shown_h + 2):
            continue  # outside the page box: clipped away, not printed
        out.append((ch, x0, x1, base - 0.88 * size, base + 0.12 * size))
    return out


def _lines(chars: list[_Char], cuts: list[RulingLine] | None = None) -> list[list[Word]]:
    """Group characters into lines by baseline, then into words by horizontal gaps.

    Two lines whose baselines are close (a large title over small text) are told
    apart by their characters overlapping horizontally."""
    if not chars:
        return []
    heights = sorted([c[4] - c[3] for c in chars])
    tol = max(1.0, heights[len(heights) // 2] * 0.25)
    ordered = sorted(chars, key=_BOTTOM)
    groups: list[list[_Char]] = []
    base = None
    for c in ordered:
        if base is None or c[4] - base > tol:
            groups.append([c])
            base = c[4]
        else:
            groups[-1].append(c)
    # each rule's reach, widened once for the page rather than once per line
    spans = [(r.start - 2, r.end + 2, r.at) for r in cuts or []]
    out: list[list[Word]] = []
    for g in groups:
        for part in _unoverlap(g):
            out.append(_words(part, spans))
    return out


_BOTTOM = operator.itemgetter(4)
_LEFT = operator.itemgetter(1)


def _unoverlap(group: list[_Char]) -> list[list[_Char]]:
    """Split a line whose characters overlap horizontally at its widest baseline gap;
    each part comes sorted left to right."""
    by_x = sorted(group, key=_LEFT)
    if len(group) < 2 or all(b[1] >= a[2] - 1.0 for a, b in itertools.pairwise(by_x)):
        return [by_x]
    by_base = sorted(group, key=_BOTTOM)
    gaps = [(b[4] - a[4], i) for i, (a, b) in enumerate(itertools.pairwise(by_base))]
    width, at = max(gaps)
    if width < 0.5:
        return [by_x]
    return _unoverlap(by_base[: at + 1]) + _unoverlap(by_base[at + 1 :])


def _words(chars: list[_Char], spans: list[tuple[float, float, float]]) -> list[Word]:
    """A line's characters (left to right) as words.  `spans`: each vertical rule's
    reach (widened) and x; a word never crosses a rule that reaches the line."""
    heights = sorted([c[4] - c[3] for c in chars])
    gap = heights[len(heights) // 2] * 0.5
    half = gap * 0.5
    mid = (chars[0][3] + chars[0][4]) / 2
    walls = sorted([at for lo, hi, at in spans if lo <= mid <= hi])
    n_walls = len(walls)
    find = bisect.bisect_left
    words: list[Word] = []
    text, x0, x1, top, bottom = [chars[0][0]], chars[0][1], chars[0][2], chars[0][3], chars[0][4]
    for ch, a, b, t, bt in itertools.islice(chars, 1, None):
        d = a - x1
        # a label set just after an amount in the next cell of a table without rules
        # ("215,020,000" + 3.7pt + "一、其他支出"): a digit followed by a CJK character
        # after a visible gap is two words (in running text "100万元" has no gap);
        # no word crosses a vertical rule between x1 and a
        if (
            d <= gap
            and not (d > half and ch > "\u2e7f" and text[-1].isdigit())
            and not (walls and (i := find(walls, x1 - 0.8)) < n_walls and walls[i] <= a + 0.8)
        ):
            text.append(ch)
            x1 = b if b > x1 else x1
            top = t if t < top else top
            bottom = bt if bt > bottom else bottom
        else:
            words.append(Word("".join(text), x0, x1, top, bottom))
            text, x0, x1, top, bottom = [ch], a, b, t, bt
    words.append(Word("".join(text), x0, x1, top, bottom))
    return words
