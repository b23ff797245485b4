"""The catalogue of finding codes (data/findings.yaml, fiscalpub.findings): every code the
program emits is catalogued with an allowed severity — seen on every corpus report and
example (parse, package, validate), and read from the source (every literal given as a
finding's code) — every catalogued code has both docs and a known stage and can be emitted,
and the report schema's code list is the catalogue's."""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fiscalpub.errors import FiscalpubError
from fiscalpub.findings import (
    REPORT_STAGES,
    FindingCode,
    Stage,
    catalogue,
    codes,
    finding_code,
    lookup,
    report_schema_with_codes,
)
from fiscalpub.model import (
    TABLE_STATUS,
    Finding,
    Report,
    Severity,
    TableInfo,
    TableStatus,
    TextEnum,
    Where,
)
from fiscalpub.schema import report_schema
from fiscalpub.validate.output import rule_catalogue
from fiscalpub.validate.rules import ROUNDING, RULES
from tests.conftest import EXAMPLES, ROOT, corpus_path, corpus_pdf_reports, parsed_pdf

SRC = ROOT / "src" / "fiscalpub"
CJK = range(0x4E00, 0xA000)


# ---------------------------------------------------------------- the catalogue itself


def test_every_entry_has_both_docs_a_known_stage_and_a_severity() -> None:
    entries = catalogue()
    assert entries, "the catalogue is empty"
    for code, e in entries.items():
        assert e.stage in set(Stage), code
        assert e.severities and all(isinstance(s, Severity) for s in e.severities), code
        assert len(set(e.severities)) == len(e.severities), code
        assert e.doc_en and e.doc_zh and e.message, code
        assert any(ord(ch) in CJK for ch in e.doc_zh), f"{code}: doc_zh is not Chinese"
        assert e.matches(code) if not e.family else e.matches(code.replace("{type}", "x-y"))


def test_the_rules_take_their_severity_and_docs_from_the_catalogue() -> None:
    for rule in RULES:
        entry = finding_code(rule.id)
        assert entry.stage == Stage.VALIDATE
        assert (rule.severity, rule.doc_en, rule.doc_zh) == (
            entry.severity,
            entry.doc_en,
            entry.doc_zh,
        )
    assert finding_code(ROUNDING).severities == (Severity.WARNING,)
    assert set(rule_catalogue()) == {*(r.id for r in RULES), ROUNDING}


def test_a_family_takes_only_its_own_codes() -> None:
    family = finding_code("package-hash-count")
    assert family.family and family.stage == Stage.VALIDATE
    assert lookup("package-missing") is not family  # a code of its own is its own entry
    assert lookup("Package-Hash") is None and lookup("no-such-code") is None
    with pytest.raises(KeyError):
        finding_code("no-such-code")


# ---------------------------------------------------------------- the report schema


def test_the_committed_schema_lists_the_catalogued_report_codes() -> None:
    """report.schema.json's finding codes are what the catalogue generates: after an edit of
    data/findings.yaml, regenerate it (fiscalpub.findings.write_report_schema)."""
    assert report_schema() == report_schema_with_codes(), (
        "regenerate: python -c 'from fiscalpub.findings import write_report_schema as w; w()'"
    )
    enum = report_schema()["$defs"]["finding"]["properties"]["code"]["enum"]
    assert enum == sorted(codes(*REPORT_STAGES)) and "ambiguous-cell" in enum
    assert "row-sum" not in enum  # a validate finding is never in a canonical report


# ---------------------------------------------------------------- what the source emits


def _functions_making_findings(tree: ast.Module) -> set[str]:
    """The helpers of a module that make a finding from their `code` parameter (validate's
    _defect, textcheck's _finding, identity's _naming): their callers give the code."""
    out = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.args.args
            and node.args.args[0].arg == "code"
            and any(
                isinstance(c, ast.Call) and _name(c.func) in ("Finding", "VocabFinding")
                for c in ast.walk(node)
            )
        ):
            out.add(node.name)
    return out


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level string constants (ROUNDING = "rounding", UNREADABLE = ...)."""
    out: dict[str, str] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        out[target.id] = node.value.value
    return out


def _values(node: ast.expr, scope: ast.AST, constants: dict[str, str]) -> Iterator[str]:
    """The codes an expression can be: a literal, either side of `a if c else b`, an
    f-string as a family ("package-{type}"), a module constant, or a local variable's
    assignments and for-loop tuples.  Raises ValueError where it cannot tell."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _values(node.body, scope, constants)
        yield from _values(node.orelse, scope, constants)
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{type}" for v in node.values)
    elif isinstance(node, ast.Name) and node.id in constants:
        yield constants[node.id]
    elif isinstance(node, ast.Name):
        found = False
        for sub in ast.walk(scope):
            if isinstance(sub, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in sub.targets
            ):
                found = True
                yield from _values(sub.value, scope, constants)
            elif (
                isinstance(sub, ast.For)
                and isinstance(sub.target, ast.Tuple)
                and isinstance(sub.iter, ast.Tuple)
            ):
                names = [t.id if isinstance(t, ast.Name) else None for t in sub.target.elts]
                if node.id in names:
                    found = True
                    i = names.index(node.id)
                    for row in sub.iter.elts:
                        assert isinstance(row, ast.Tuple)
                        yield from _values(row.elts[i], scope, constants)
        if not found:
            raise ValueError(node.id)
    else:
        raise ValueError(ast.unparse(node))


def _code_arg(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "code":
            return kw.value
    return call.args[0] if call.args else None


def _severity_arg(call: ast.Call) -> str | None:
    given = next((kw.value for kw in call.keywords if kw.arg == "severity"), None)
    if given is None and len(call.args) > 1:
        given = call.args[1]
    if isinstance(given, ast.Attribute) and _name(given.value) == "Severity":
        return Severity[given.attr].value
    return None


def emitted_in_source() -> tuple[dict[str, set[str | None]], list[str]]:
    """Every code the source gives a finding (with the severity written beside it, None
    where another expression gives it), and the emit sites it cannot read."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))}
    constants = _constants(trees)
    found: dict[str, set[str | None]] = {}
    unread: list[str] = []
    for path, tree in trees.items():
        # Finding and VocabFinding anywhere, a module's own helpers, the rules' ids (Rule is
        # a ruling line elsewhere)
        makers = {"Finding", "VocabFinding", *_functions_making_findings(tree)}
        if path == SRC / "validate" / "rules.py":
            makers.add("Rule")
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call.func)
            arg = _code_arg(call)
            if arg is None or name not in makers:
                continue
            scope: ast.AST = call
            while scope in parents and not isinstance(scope, ast.FunctionDef):
                scope = parents[scope]
            if isinstance(scope, ast.FunctionDef) and scope.args.args:
                params = {a.arg for a in scope.args.args}
                # the helper's own parameter (its callers are read), a rule's id (RULES
                # are read), a finding copied with its code (finding.code)
                if isinstance(arg, ast.Name) and arg.id in params and arg.id == "code":
                    continue
            if ast.unparse(arg) in ("rule.id", "finding.code", "f['code']"):
                continue  # a rule's id (RULES are read), a finding copied or read back
            where = f"{path.relative_to(SRC)}:{call.lineno}"
            try:
                values = list(_values(arg, scope, constants))
            except ValueError as exc:
                unread.append(f"{where}: {exc}")
                continue
            severity = _severity_arg(call) if name != "Rule" else None
            for value in values:
                found.setdefault(value, set()).add(severity)
    return found, unread


def test_every_code_the_source_emits_is_catalogued() -> None:
    found, unread = emitted_in_source()
    assert not unread, f"finding codes the scan cannot read (trace them, then teach it): {unread}"
    assert len(found) > 40  # the scan sees the emit sites
    missing = sorted(code for code in found if lookup(code) is None)
    assert not missing, f"codes emitted but not in data/findings.yaml: {missing}"
    wrong = {
        code: sorted(s for s in given if s and s not in finding_code(code).severities)
        for code, given in found.items()
    }
    assert not {c: s for c, s in wrong.items() if s}, f"severity not the catalogue's: {wrong}"


def test_every_catalogued_code_can_be_emitted() -> None:
    """A catalogued code nothing emits is a stale entry (or an emit site the scan misses)."""
    found, _ = emitted_in_source()
    stale = [code for code in catalogue() if code not in found]
    assert not stale, f"catalogued, emitted nowhere in src/: {stale}"


# ---------------------------------------------------------------- what the program emits


def _allowed(code: str, severity: object) -> str | None:
    """Why an emitted (code, severity) is not catalogued, or None."""
    entry = lookup(code)
    if entry is None:
        return "not catalogued"
    if severity is not None and severity not in entry.severities:
        return f"severity {severity}, the catalogue says {'/'.join(entry.severities)}"
    if entry.family:
        return _frictionless_type(code)
    return None


def _frictionless_type(code: str) -> str | None:
    """A family member's type is one of frictionless's error types."""
    from frictionless import errors

    types = {getattr(c, "type", None) for c in vars(errors).values() if isinstance(c, type)}
    return None if code.removeprefix("package-") in types else "no frictionless error type"


def _package_findings(report: Report) -> list[tuple[str, str]]:
    """The (code, severity) of the package's findings.csv (parse + build + validate)."""
    from fiscalpub.package.build import build_package
    from fiscalpub.validate.engine import validate_report

    rules = validate_report(report)
    try:
        built = build_package(report, extra_findings=rules)
    except FiscalpubError:  # several reports in one, no identity: no package (their
        return [(f.code, f.severity) for f in [*report.findings, *rules]]  # findings stay)
    rows = csv.DictReader(io.StringIO(built.files["findings.csv"].decode("utf-8")))
    return [(r["code"], r["severity"]) for r in rows] + [(f.code, f.severity) for f in rules]


def _check(name: str, emitted: list[tuple[str, str]], bad: dict[str, str]) -> None:
    for code, severity in emitted:
        why = _allowed(code, severity)
        if why:
            bad[f"{name}: {code}"] = why


@pytest.mark.corpus
def test_every_finding_of_the_corpus_is_catalogued() -> None:
    from fiscalpub.api import parse_files

    bad: dict[str, str] = {}
    seen: set[str] = set()
    for group in corpus_pdf_reports():
        report = parsed_pdf(*group)
        emitted = _package_findings(report)
        seen |= {c for c, _ in emitted}
        _check(group[0], emitted, bad)
    for seed in sorted(corpus_path("seeds").glob("*.txt")):
        emitted = _package_findings(parse_files([seed]))
        seen |= {c for c, _ in emitted}
        _check(seed.name, emitted, bad)
    assert not bad, bad
    # the test sees what it checks: findings of parse and of validate (no unknown code: the
    # vocabulary is built from the corpus)
    assert {finding_code(c).stage for c in seen} >= {Stage.PARSE, Stage.VALIDATE}


def test_every_finding_of_the_examples_and_their_packages_is_catalogued(tmp_path: Path) -> None:
    """The examples through parse, build and validate (a package intact, then one edited
    without its hashes: frictionless's and validate's own defects)."""
    from fiscalpub.api import parse_files
    from fiscalpub.package.build import build_package, write_package
    from fiscalpub.validate.defects import check_package, check_report

    bad: dict[str, str] = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        report = parse_files([path])
        _check(path.name, _package_findings(report), bad)
    report = parse_files([EXAMPLES / "004_eedbb879cd069ff8.txt"])
    folder = write_package(build_package(report), tmp_path / "intact")
    assert check_package(folder).defects == []
    edited = shutil.copytree(folder, tmp_path / "edited" / folder.name)
    items = edited / "line_items.csv"
    head, first, *rest = items.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = first.split(",")
    cells[head.split(",").index("amount")] = "1.00"  # an amount that is not its printed
    items.write_text("".join([head, ",".join(cells), *rest]), encoding="utf-8")
    defects = check_package(edited).defects
    (edited / "datapackage.json").write_text("{", encoding="utf-8")
    defects += check_package(edited).defects
    defects += check_report([tmp_path / "no-report.json"]).defects
    assert len({d.code for d in defects}) >= 3, [d.code for d in defects]
    _check("edited package", [(d.code, d.severity) for d in defects], bad)
    assert not bad, bad


def test_the_vocabulary_findings_are_catalogued() -> None:
    """vocab/findings.csv, as `fiscalpub vocab build` wrote it: codes of stage vocab."""
    with (ROOT / "vocab" / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        entry = lookup(row["code"])
        assert entry is not None and entry.stage == Stage.VOCAB, row


def test_a_finding_code_entry_reads_like_the_data_file() -> None:
    import yaml

    from fiscalpub.findings import CATALOGUE_FILE

    raw = yaml.safe_load((SRC / "data" / CATALOGUE_FILE).read_text(encoding="utf-8"))
    assert list(raw) == list(catalogue())
    for code, data in raw.items():
        assert set(data) == {"stage", "severity", "en", "zh", "message"}, code
        assert isinstance(catalogue()[code], FindingCode)
    # the schema the catalogue generates is JSON text as committed (indent 2, UTF-8)
    committed = (SRC / "data" / "report.schema.json").read_text(encoding="utf-8")
    assert committed == json.dumps(report_schema_with_codes(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- the enums


@pytest.mark.parametrize("member", [*Severity, *TableStatus, *Stage])
def test_an_enum_member_is_written_as_its_value(member: TextEnum) -> None:
    """Outputs stay byte-identical: JSON, CSV, str(), f-strings (with a width too) and
    concatenation read the plain word, never `Severity.ERROR`."""
    word = member.value
    assert json.dumps({member: [member]}) == json.dumps({word: [word]})
    assert json.dumps([member], indent=1) == json.dumps([word], indent=1)
    out = io.StringIO()
    csv.writer(out).writerow([member])
    assert out.getvalue().strip() == word
    assert (str(member), f"{member}", f"{member:>20}", " ".join([member])) == (
        word,
        word,
        f"{word:>20}",
        word,
    )
    assert member + "!" == word + "!" and member == word and hash(member) == hash(word)


def test_a_finding_and_a_table_take_a_plain_string_as_their_enum() -> None:
    finding = Finding("ambiguous-cell", "warning", "…", [Where()])  # type: ignore[arg-type]
    assert finding.severity is Severity.WARNING
    assert TableInfo("income", "present").status is TableStatus.PRESENT  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TableInfo("income", "printed")  # type: ignore[arg-type]
    assert tuple(TableStatus) == tuple(TableStatus(s) for s in TABLE_STATUS)
