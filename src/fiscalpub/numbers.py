"""The one number reader (placeholder; completed in the following commit)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# A number in running text that has been NFKC-folded (full-width digits, points and commas
# already ASCII). Group 1 is the whole token. It starts at a token boundary (not after a
# digit, a point, a letter, a sign or "digit,") and it ends at one (no digit, ".digit" or
# ",ddd" follows), so it is never a fragment of a longer number. A comma is a thousands
# separator only between well-formed groups; else it is the clause comma: "为0，2020年度".
TEXT_NUMBER = (
    r"(?<![0-9A-Za-z.+\-−])(?<!\d,)"
    r"([+\-−]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?![0-9]|\.\d|,\d{3}(?!\d))"
)


def read_exact(token: str) -> tuple[str, Decimal]:
    """A token matched by TEXT_NUMBER -> (printed, value): separators removed, sign kept."""
    printed = token.replace(",", "").replace("−", "-").lstrip("+")
    try:
        return printed, Decimal(printed)
    except InvalidOperation:
        raise ValueError(f"not a number: {token!r}") from None
