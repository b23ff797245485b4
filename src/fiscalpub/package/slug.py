"""Stable ASCII package names: pinyin of region and department, year, kind (with a
``-unit`` part for a 单位预算/决算), and a short
hash of the full department name (so two departments never share a name, whatever
order reports are processed in)."""

from __future__ import annotations

import hashlib
import re

from fiscalpub.model import ReportMeta
from fiscalpub.parse.identity import organisation_key

MAX = 80


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin's syllables, imported on first use: its dictionaries take ~0.2 s to load,
    which `fiscalpub parse` (through fiscalpub.api) would otherwise pay without a slug."""
    from pypinyin import lazy_pinyin as syllables

    return list(syllables(text))


def pinyin(text: str) -> str:
    ascii_parts = "".join(lazy_pinyin(text)).lower()
    return re.sub(r"[^a-z0-9]+", "", ascii_parts)


def department_part(meta: ReportMeta) -> str:
    """The department without its region prefix (安阳市北关区医疗保障局 -> 医疗保障局)."""
    dept = meta.department or "unknown"
    region = meta.region.name or ""
    return dept[len(region) :] if region and dept.startswith(region) and dept != region else dept


def package_slug(meta: ReportMeta) -> str:
    dept = meta.department or "unknown"
    digest = hashlib.sha256(dept.encode("utf-8")).hexdigest()[:6]
    region = pinyin(meta.region.name or "") or "cn"
    org = pinyin(department_part(meta)) or "dept"
    # a 单位预算/决算 is another dataset than the 部门 one of the same department and year
    # (contract 1.1); department-scope slugs keep their published names
    unit = "-unit" if meta.scope == "unit" else ""
    tail = f"-{meta.year or 'na'}-{meta.kind or 'report'}{unit}-{digest}"
    room = MAX - len(tail) - 1
    if len(region) + len(org) > room:
        # abbreviate: initials of the department's syllables, then cut the region
        org = "".join(
            s[0] for s in lazy_pinyin(department_part(meta)) if s and s[0].isalnum()
        ).lower()
        region = region[: max(4, room - len(org))]
    return f"{region}-{org}{tail}"[:MAX]


def organisation_slug(meta: ReportMeta) -> str:
    """The CKAN organisation name: the department part only, with a hash of the
    department — both of its organisation key, so that a department printed by its full
    name one year and its short official name the next (中国共产党江苏省委员会办公厅 /
    中共江苏省委办公厅) stays one organisation."""
    dept = organisation_key(meta.department or "unknown")
    digest = hashlib.sha256(dept.encode("utf-8")).hexdigest()[:6]
    return f"{pinyin(organisation_key(department_part(meta)))[:60] or 'dept'}-{digest}"
