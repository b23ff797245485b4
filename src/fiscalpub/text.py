"""Pure text helpers shared by every layer (parse, registry, vocab, validate, grouping).

The traps of real extractions (DOMAIN.md "Traps"): full-width forms and CJK radicals
NFKC leaves alone, word-processor bookmarks, and the money unit printed near a title.
Low in the tree on purpose: it imports nothing from fiscalpub, so the registries and the
vocabulary need not reach up into ``fiscalpub.parse``.  Numbers are read by
``fiscalpub.numbers``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK radicals that NFKC does not fold (the Kangxi block U+2F00–U+2FD5 it does fold)
_EXTRA_MAP = {"⺠": "民", "⻓": "长", "⻔": "门", "⻜": "飞", "⻢": "马", "⻋": "车", "⻅": "见"}
_EXTRA = str.maketrans(_EXTRA_MAP)
_EXTRA_CHARS = frozenset(_EXTRA_MAP)

_NOISE = [
    re.compile(r"\[bookmark:[^\]]*\]"),  # WPS / Word bookmarks
    re.compile(r"_Toc\d+(_WPSOffice_Level\d)?"),
]
# a thin, narrow no-break or figure space between digit groups separates thousands
# ("10 150.48"); NFKC would turn it into a plain space, which separates tokens
_GROUP_SPACE = re.compile(r"(?<=\d)[\u2009\u202f\u2007](?=\d{3}(?!\d))")


@lru_cache(maxsize=65536)
def nfkc(text: str) -> str:
    """NFKC plus the radicals NFKC leaves alone; strips word-processor noise; joins digit
    groups a thin space separates."""
    if text.isascii():
        return text
    text = _GROUP_SPACE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    if _EXTRA_CHARS.intersection(text):
        text = text.translate(_EXTRA)
    if "_Toc" in text or "bookmark" in text:
        for pattern in _NOISE:
            text = pattern.sub("", text)
    return text


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """NFKC and remove all whitespace: the form used to match titles, labels and names.

    Memoised like nfkc: titles, headers and labels are squashed again at every match
    (~1.5M calls for a corpus parse, few distinct texts)."""
    return "".join(nfkc(text).split())


_UNIT_RE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元|亿元|千元)")


def find_unit(text: str) -> str | None:
    """The money unit printed near a title ("单位：万元", "金额单位：元")."""
    m = _UNIT_RE.search(nfkc(text))
    return m.group(1) if m else None
