"""Plain-text reports: UTF-8 or GB18030, one synthetic page per form feed, line numbers kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fiscalpub.errors import UnreadableInput
from fiscalpub.read.document import Document, Line, Page, read_bytes

#: share of characters that may be control characters before a file counts as binary
_MAX_CONTROL_SHARE = 0.01


def decode(data: bytes, name: str) -> str:
    """Decode report bytes: UTF-8 (with or without BOM), else GB18030; refuse binary."""
    if not data.strip():
        raise UnreadableInput(f"{name}: the file is empty")
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):  # UTF-16 with its byte-order mark (Windows "Unicode")
            try:
                return _not_binary(data[len(bom) :].decode(encoding), name)
            except UnicodeDecodeError:
                raise UnreadableInput(f"{name}: not valid {encoding.upper()} text") from None
    if b"\x00" in data[:4096]:
        raise UnreadableInput(f"{name}: binary data, not a text report (NUL bytes)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _not_binary(text, name)
    raise UnreadableInput(f"{name}: not UTF-8 or GB18030 text")


def _not_binary(text: str, name: str) -> str:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if control > _MAX_CONTROL_SHARE * len(text):
        raise UnreadableInput(f"{name}: binary data, not a text report (control characters)")
    return text


def read_text(path: str | Path, source: int = 0) -> Document:
    """Read a text report into a Document.  Line numbers count across pages (like ``cat -n``)."""
    p = Path(path)
    data = read_bytes(p)
    text = decode(data, str(p))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages: list[Page] = []
    number = 0
    for page_no, chunk in enumerate(text.split("\f"), start=1):
        lines = []
        raw_lines = chunk.split("\n")
        if page_no > 1 and raw_lines:
            # the form feed sits on a line: that line continues, it is not a new one
            number -= 1
        for raw in raw_lines:
            number += 1
            lines.append(Line(text=raw, number=number, page=page_no, source=source))
        pages.append(Page(number=page_no, lines=lines))
    if text.endswith("\n") and pages and pages[-1].lines and pages[-1].lines[-1].text == "":
        pages[-1].lines.pop()
    return Document(
        path=str(p), sha256=hashlib.sha256(data).hexdigest(), pages=pages, source=source
    )
