"""Frictionless Data Packages from canonical reports: one package per report."""
