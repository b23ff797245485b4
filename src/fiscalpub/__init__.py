"""fiscalpub: exact, validated open data from 部门预算 / 部门决算 reports."""

__version__ = "0.1.0"
