"""The Document: what every reader produces and the parser consumes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fiscalpub.errors import UnreadableInput


def read_bytes(path: Path) -> bytes:
    """The bytes of an input file, or an UnreadableInput naming what is wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{path}: is a directory, not a report file") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot read ({exc.strerror})") from None


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Line:
    """One physical line of the source: original text, 1-based line number, page number."""

    text: str
    number: int
    page: int
    source: int = 0
    words: list[Word] = field(default_factory=list)


@dataclass
class Rule:
    """A ruling line of a PDF page, top-down coordinates: horizontal (y, x0..x1) or
    vertical (x, y0..y1)."""

    at: float
    start: float
    end: float


@dataclass
class Page:
    number: int
    lines: list[Line]
    hrules: list[Rule] = field(default_factory=list)
    vrules: list[Rule] = field(default_factory=list)
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
