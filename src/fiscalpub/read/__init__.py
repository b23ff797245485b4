"""Readers turn input files into a Document (pages of lines), whatever the format."""

from pathlib import Path

from fiscalpub.read.document import Document, Line, Page, check_input
from fiscalpub.read.text import read_text

__all__ = ["Document", "Line", "Page", "read_document", "read_text"]


def read_document(path: str, source: int = 0) -> Document:
    """Read any supported input file into a Document: PDF by name or by its %PDF header,
    else text."""
    check_input(Path(path))
    if path.lower().endswith(".pdf") or _starts_like_pdf(path):
        from fiscalpub.read.pdf import read_pdf  # lazy: start-up time, pulls pypdfium2 (~0.15 s)

        return read_pdf(path, source=source)
    return read_text(path, source=source)


def _starts_like_pdf(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(1024).lstrip().startswith(b"%PDF")
    except OSError:
        return False
