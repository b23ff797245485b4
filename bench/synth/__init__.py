"""Synthetic 部门决算 PDF reports for the pipeline benchmark (see generate.py, check.py)."""
