"""Parsing: Document -> Report (normalise, tables, rows, placement, narrative facts)."""
