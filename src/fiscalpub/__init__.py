"""fiscalpub: exact, validated open data from Chinese departmental budget and final-account reports."""

__version__ = "0.1.0"
