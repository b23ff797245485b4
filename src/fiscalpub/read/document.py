"""The Document: what every reader produces and the parser consumes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fiscalpub.errors import UnreadableInput

#: inputs larger than this are refused (MB; $FISCALPUB_MAX_INPUT_MB overrides): the
#: family's reports are a few MB, and a wrong file (a disk image, a log) would otherwise
#: take minutes and gigabytes before failing
MAX_INPUT_MB = 64


def max_input_bytes() -> int:
    value = os.environ.get("FISCALPUB_MAX_INPUT_MB", "")
    try:
        mb = float(value) if value.strip() else MAX_INPUT_MB
        if not 0 < mb < 1e9:  # also refuses nan and inf
            raise ValueError
    except ValueError:
        raise UnreadableInput(
            f"FISCALPUB_MAX_INPUT_MB={value!r}: not a positive number of megabytes"
        ) from None
    return int(mb * 1024 * 1024)


def check_input(path: Path) -> int:
    """The size of an input that may be read: a regular file (after symlinks) of at most
    the limit.  A FIFO would block forever and /dev/zero never ends: both are refused
    before they are opened."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableInput(f"{path}: is a directory, not a report file")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableInput(f"{path}: not a regular file (a device, FIFO or socket)")
    limit = max_input_bytes()
    if st.st_size > limit:
        raise UnreadableInput(
            f"{path}: {st.st_size:,} bytes, over the limit of {limit:,} bytes for one input "
            "(set FISCALPUB_MAX_INPUT_MB to raise it)"
        )
    return st.st_size


def read_bytes(path: Path) -> bytes:
    """The bytes of an input file, or an UnreadableInput naming what is wrong."""
    check_input(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{path}: is a directory, not a report file") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot read ({exc.strerror})") from None


@dataclass(slots=True)  # one per word/line/rule of a report: no __dict__ each
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(slots=True)  # one per word/line/rule of a report: no __dict__ each
class Line:
    """One physical line of the source: original text, 1-based line number, page number."""

    text: str
    number: int
    page: int
    source: int = 0
    # positioned words (PDF); a text line shares one empty tuple (a list each was 56 bytes
    # a line: a fifth of a text report's memory)
    words: Sequence[Word] = ()


@dataclass(slots=True)  # one per word/line/rule of a report: no __dict__ each
class RulingLine:
    """A ruling line of a PDF page, top-down coordinates: horizontal (y, x0..x1) or
    vertical (x, y0..y1)."""

    at: float
    start: float
    end: float


@dataclass
class Page:
    number: int
    lines: list[Line]
    hrules: list[RulingLine] = field(default_factory=list)
    vrules: list[RulingLine] = field(default_factory=list)
    image_only: bool = False  # a PDF page with images and no text layer


@dataclass
class Document:
    path: str
    sha256: str
    pages: list[Page]
    source: int = 0
    kind: str = "text"

    def lines(self) -> Iterator[Line]:
        for page in self.pages:
            yield from page.lines
