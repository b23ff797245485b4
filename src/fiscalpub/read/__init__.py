"""Readers turn input files into a Document (pages of lines), whatever the format."""

from fiscalpub.read.document import Document, Line, Page
from fiscalpub.read.text import read_text

__all__ = ["Document", "Line", "Page", "read_document", "read_text"]


def read_document(path: str, source: int = 0) -> Document:
    """Read any supported input file into a Document."""
    return read_text(path, source=source)
