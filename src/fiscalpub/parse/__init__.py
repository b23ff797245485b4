"""Parsing: Document -> Report (normalise, find tables, split rows, place cells, narrative facts)."""
