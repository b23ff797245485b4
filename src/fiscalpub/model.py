"""The canonical report model (CONTRACT.md, schema_version 1.1).

Plain dataclasses with Decimal amounts; ``Report.to_json()`` is exactly what
``fiscalpub parse --json`` prints and what every later stage consumes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import Enum
from json.encoder import encode_basestring as _quote  # C when available
from typing import Any

SCHEMA_VERSION = "1.1"

PLACED_BY = ("complete", "layout", "identity", "cross-table", "narrative", "unplaced")


class TextEnum(str, Enum):
    """A closed set of strings (Python 3.10: no StrEnum): a member is its value wherever a
    string is written — JSON, CSV, f-strings, str() — so outputs read the same words."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Severity(TextEnum):
    """How much a finding weighs (CONTRACT.md findings; the finding catalogue gives each
    code its severity)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class TableStatus(TextEnum):
    """What the report says of a registry table (CONTRACT.md `status`)."""

    PRESENT = "present"  # printed, with numbers
    DECLARED_EMPTY = "declared_empty"  # printed without amounts, or noted as empty
    REFERENCED_ABSENT = "referenced_absent"  # "见附件", or a title alone
    NOT_FOUND = "not_found"


TABLE_STATUS = tuple(s.value for s in TableStatus)
#: the statuses of a table the report prints (with numbers, or declared empty)
PRINTED = (TableStatus.PRESENT, TableStatus.DECLARED_EMPTY)


def money(value: Decimal) -> str:
    """Format an amount in 元 as a plain decimal string with exactly two fraction digits."""
    return f"{value.quantize(Decimal('0.01')):f}"


@dataclass
class Source:
    path: str
    sha256: str
    pages: int


@dataclass
class Region:
    name: str | None = None
    code: str | None = None


@dataclass
class Staff:
    authorised: int | None = None
    actual: int | None = None
    retired: int | None = None


KIND_ZH = {"final": "决算", "budget": "预算"}
SCOPE_ZH = {"department": "部门", "unit": "单位"}


#: findings that say a file holds more than one report (two departments or years named, a
#: table printed twice with the same rows): parse exits 1 and build writes no package, since
#: only one of the reports would be read and the other silently dropped
SEVERAL_REPORTS = ("identity-conflict", "table-repeated")


def several_reports(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.code in SEVERAL_REPORTS]


def kind_label(kind: object, scope: object) -> str:
    """部门预算 / 单位预算 / 部门决算 / 单位决算; 预算 / 决算 when the title does not say
    which (scope None: never guessed); 报告 when the kind is unknown."""
    base = KIND_ZH.get(str(kind))
    if base is None:
        return "报告"
    return SCOPE_ZH.get(str(scope), "") + base


SHARE_PLACES = Decimal("0.0001")


@dataclass
class SelfCheck:
    """Contract 1.1 ``checks``: how much of the report its own arithmetic confirms
    (computed by fiscalpub.validate.selfcheck; README "Self-check").

    Every table amount is in exactly one of confirmed (a relation it takes part in
    holds and says something), contradicted (none holds, one fails) and unchecked.
    `facts` are the narrative amounts compared with a table cell."""

    amounts: int
    confirmed: int
    contradicted: int
    unchecked: int
    facts: int
    facts_agreeing: int
    facts_contradicting: int

    @property
    def share(self) -> Decimal | None:
        """confirmed / amounts, rounded down to 4 places (never shown higher than it
        is: 1.0000 means every amount); None without amounts."""
        if not self.amounts:
            return None
        return (Decimal(self.confirmed) / Decimal(self.amounts)).quantize(
            SHARE_PLACES, rounding=ROUND_FLOOR
        )

    def to_dict(self) -> dict[str, Any]:
        share = self.share
        return {
            "amounts": self.amounts,
            "confirmed": self.confirmed,
            "contradicted": self.contradicted,
            "unchecked": self.unchecked,
            "unconfirmed": self.amounts - self.confirmed,
            "confirmed_share": None if share is None else f"{share:f}",
            "facts": self.facts,
            "facts_agreeing": self.facts_agreeing,
            "facts_contradicting": self.facts_contradicting,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SelfCheck:
        return cls(**{f: int(d[f]) for f in SELF_CHECK_COUNTS})


SELF_CHECK_COUNTS = (
    "amounts",
    "confirmed",
    "contradicted",
    "unchecked",
    "facts",
    "facts_agreeing",
    "facts_contradicting",
)


@dataclass
class ReportMeta:
    department: str | None
    year: int | None
    kind: str | None
    region: Region = field(default_factory=Region)
    units: list[str] = field(default_factory=list)
    staff: Staff = field(default_factory=Staff)
    sources: list[Source] = field(default_factory=list)
    # contract 1.1: "department" (部门预算/决算) or "unit" (单位预算/决算), from the title;
    # None when the title does not say (never guessed)
    scope: str | None = None
    # contract 1.1: the self-check, once computed (fiscalpub.api); absent from the JSON
    # until then.  Here and not at the top level of the JSON: frictionless takes any
    # JSON file with a top-level "checks" for a checklist (canonical.json in a package)
    checks: SelfCheck | None = None


@dataclass
class TableInfo:
    table: str
    status: TableStatus
    unit: str | None = None
    decimals: int | None = None
    source: int | None = None
    page: int | None = None
    line: int | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        self.status = TableStatus(self.status)  # a plain string (a test, old code) too

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "status": str(self.status),
            "unit": self.unit,
            "decimals": self.decimals,
            "source": self.source,
            "page": self.page,
            "line": self.line,
            "title": self.title,
        }


@dataclass
class LineItem:
    table: str
    column: str | None
    measure: str | None
    classification: str | None
    code: str | None
    row: str | None
    item: str | None
    placed_by: str
    candidates: list[str]
    amount: Decimal
    printed: str
    unit: str
    source: int
    page: int
    line: int

    def to_dict(self) -> dict[str, Any]:
        # written out, not dataclasses.asdict (its deep copy was most of to_json's time)
        return {
            "table": self.table,
            "column": self.column,
            "measure": self.measure,
            "classification": self.classification,
            "code": self.code,
            "row": self.row,
            "item": self.item,
            "placed_by": self.placed_by,
            "candidates": list(self.candidates),
            "amount": money(self.amount),
            "printed": self.printed,
            "unit": self.unit,
            "source": self.source,
            "page": self.page,
            "line": self.line,
        }


@dataclass
class Fact:
    indicator: str
    amount: Decimal | None
    value: Decimal | None
    unit: str | None
    printed: str | None
    phase: str | None
    period: int | None
    path: list[str] | None
    code: str | None
    base: str | None
    text: str
    source: int
    page: int
    line: int
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "amount": None if self.amount is None else money(self.amount),
            "value": None if self.value is None else f"{self.value:f}",
            "unit": self.unit,
            "printed": self.printed,
            "phase": self.phase,
            "period": self.period,
            "path": None if self.path is None else list(self.path),
            "code": self.code,
            "base": self.base,
            "text": self.text,
            "source": self.source,
            "page": self.page,
            "line": self.line,
            "status": self.status,
        }


@dataclass
class Where:
    source: int | None = None
    page: int | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None
    code: str | None = None
    row: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "page": self.page,
            "line": self.line,
            "table": self.table,
            "column": self.column,
            "code": self.code,
            "row": self.row,
        }


@dataclass
class Finding:
    code: str
    severity: Severity
    message: str
    where: list[Where]
    id: str = ""

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)  # a plain string (a test, old code) too
        if not self.id:
            self.id = finding_id(self.code, self.where)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "where": [w.to_dict() for w in self.where],
        }


def finding_id(code: str, where: list[Where]) -> str:
    """Stable id: a hash of the finding code and its locations (not of the message)."""
    key = json.dumps([code, [w.to_dict() for w in where]], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class Report:
    report: ReportMeta
    tables: list[TableInfo] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        r = self.report
        meta: dict[str, Any] = {
            "department": r.department,
            "year": r.year,
            "kind": r.kind,
            "region": {"name": r.region.name, "code": r.region.code},
            "units": list(r.units),
            "staff": {
                "authorised": r.staff.authorised,
                "actual": r.staff.actual,
                "retired": r.staff.retired,
            },
            "sources": [{"path": s.path, "sha256": s.sha256, "pages": s.pages} for s in r.sources],
            "scope": r.scope,
        }
        if r.checks is not None:
            meta["checks"] = r.checks.to_dict()
        return {
            "schema_version": SCHEMA_VERSION,
            "report": meta,
            "tables": [t.to_dict() for t in self.tables],
            "line_items": [li.to_dict() for li in self.line_items],
            "facts": [f.to_dict() for f in self.facts],
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        return json_indent1(self.to_dict()) + "\n"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """The inverse of to_dict (canonical JSON -> model), amounts back to Decimal."""
        r = d["report"]
        meta = ReportMeta(
            department=r["department"],
            year=r["year"],
            kind=r["kind"],
            region=Region(**r["region"]),
            units=list(r["units"]),
            staff=Staff(**r["staff"]),
            sources=[Source(**s) for s in r["sources"]],
            scope=r.get("scope"),
            checks=None if r.get("checks") is None else SelfCheck.from_dict(r["checks"]),
        )
        items = [
            LineItem(
                **{**li, "amount": Decimal(li["amount"]), "candidates": list(li["candidates"])}
            )
            for li in d["line_items"]
        ]
        facts = [
            Fact(
                **{
                    **f,
                    "amount": None if f["amount"] is None else Decimal(f["amount"]),
                    "value": None if f["value"] is None else Decimal(f["value"]),
                }
            )
            for f in d["facts"]
        ]
        findings = [
            Finding(
                code=f["code"],
                severity=f["severity"],
                message=f["message"],
                where=[Where(**w) for w in f["where"]],
                id=f["id"],
            )
            for f in d["findings"]
        ]
        return cls(
            report=meta,
            tables=[TableInfo(**t) for t in d["tables"]],
            line_items=items,
            facts=facts,
            findings=findings,
        )


class _Unusual(Exception):
    """A value json_indent1 leaves to the json module (a float, a non-string key...)."""


def json_indent1(value: Any) -> str:
    """Exactly ``json.dumps(value, ensure_ascii=False, indent=1)``, several times faster:
    with an indent the json module uses its pure-Python encoder (a generator per value),
    which was most of a package build.  Anything but dicts with string keys, lists,
    strings, ints, booleans and None goes to the json module itself."""
    parts: list[str] = []
    try:
        _encode(value, "\n", parts)
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, indent=1)
    return "".join(parts)


def _encode(o: Any, nl: str, parts: list[str]) -> None:
    """Append the JSON of `o`, whose line starts `nl` (a newline and its indent)."""
    if isinstance(o, str):
        parts.append(_quote(o))
    elif o is None:
        parts.append("null")
    elif o is True:
        parts.append("true")
    elif o is False:
        parts.append("false")
    elif isinstance(o, int):
        parts.append(int.__repr__(o))
    elif isinstance(o, list | tuple):
        if not o:
            parts.append("[]")
            return
        inner = nl + " "
        sep = "[" + inner
        for v in o:
            parts.append(sep)
            sep = "," + inner
            _encode(v, inner, parts)
        parts.append(nl + "]")
    elif isinstance(o, dict):
        if not o:
            parts.append("{}")
            return
        inner = nl + " "
        items = []
        for k, v in o.items():
            if type(k) is not str:
                raise _Unusual
            t = type(v)
            if t is str:  # the common values inline: no call per value
                items.append(f"{_quote(k)}: {_quote(v)}")
            elif v is None:
                items.append(f"{_quote(k)}: null")
            elif t is int:
                items.append(f"{_quote(k)}: {int.__repr__(v)}")
            elif t is list and not v:
                items.append(f"{_quote(k)}: []")
            else:
                sub: list[str] = []
                _encode(v, inner, sub)
                items.append(f"{_quote(k)}: {''.join(sub)}")
        parts.append("{" + inner + ("," + inner).join(items) + nl + "}")
    else:
        raise _Unusual
