"""The JSON Schema of the canonical report (CONTRACT.md), shipped inside the package.

``schemas/report.schema.json`` in the source tree is a symlink to the same file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "report.schema.json"


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return (resources.files("fiscalpub") / "data" / SCHEMA_FILE).read_text(encoding="utf-8")


def report_schema() -> dict[str, Any]:
    """The draft 2020-12 JSON Schema of ``Report.to_dict()`` (a fresh copy on every call)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
