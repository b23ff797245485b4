"""Validation: package defects (frictionless) and the source's own contradictions (rules)."""
