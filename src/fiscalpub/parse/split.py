"""The one place that chooses how a region is split into rows: the ruled (or
derived) grid of a positioned PDF page first, the token stream of the text
otherwise, by the table's layout."""

from __future__ import annotations

from fiscalpub.parse.grid import grid_rows
from fiscalpub.parse.region import RawRow, TableRegion
from fiscalpub.parse.rows import coded_rows, single_row, two_sided_rows


def split_rows(region: TableRegion) -> list[RawRow]:
    if region.positioned:
        rows = grid_rows(region, region.spec)
        if rows is not None:
            region.from_grid = True
            return rows
    layout = region.spec.layout
    if layout == "two_sided":
        return two_sided_rows(region)
    if layout == "single_row":
        return single_row(region)
    return coded_rows(region)
