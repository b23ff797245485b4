"""`run` judges each package from the bytes it just built (validate.defects.check_built:
frictionless over those bytes, the parsed report instead of canonical.json read back);
`fiscalpub validate FOLDER` judges the folder. Both must give the same verdict — the same
defects and the same contradictions, with the same codes, severities, locations and
messages — or a run could call a package clean that validate rejects."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from fiscalpub import api, pipeline
from fiscalpub.canonical import report_from_json
from fiscalpub.model import Finding, Report
from fiscalpub.validate import defects
from fiscalpub.validate.engine import validate_report
from tests.conftest import CORPUS, ROOT, corpus_path, corpus_pdf_reports, parsed_pdf

LOAD_REPORT = api.load_report  # what the test's stand-in falls back on
PACKAGE = ROOT / "datapackages" / "anyangshibeiguanqu-yiliaobaozhangju-2022-final-4b3e5e"


def _said(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return [(f.code, str(f.severity), f.message, f.where, f.id) for f in findings]


def _corpus_groups() -> list[list[str]]:
    """Every corpus report as corpus-relative paths: a PDF, or a -text/-tables pair."""
    groups = [[f"pdf/{g}" for g in group] for group in corpus_pdf_reports()]
    groups += [[f"seeds/{p.name}"] for p in sorted((CORPUS / "seeds").glob("*.txt"))]
    return groups


def _parsed(group: list[Path]) -> Report:
    """The corpus PDFs through the session's parse cache (other tests parse them too)."""
    names = [str(p.relative_to(CORPUS / "pdf")) for p in group if p.suffix == ".pdf"]
    if len(names) == len(group):
        return parsed_pdf(*names)
    return LOAD_REPORT(group)


@pytest.mark.corpus
def test_run_and_validate_give_the_same_findings_on_every_corpus_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[defects.Checked, list[Finding]]] = {}
    rules: list[list[Finding]] = []

    def recording_rules(report: Report, evaluated: Any = None) -> list[Finding]:
        rules.append(validate_report(report, evaluated))
        return rules[-1]

    def recording_check(path: Path, built: Any, report: Report) -> defects.Checked:
        checked = defects.check_built(path, built, report)
        seen[path.name] = (checked, rules[-1])
        return checked

    monkeypatch.setattr(pipeline, "read_report", _parsed)
    monkeypatch.setattr(pipeline, "validate_report", recording_rules)
    monkeypatch.setattr(pipeline, "check_built", recording_check)
    groups = [[corpus_path(*g.split("/")) for g in group] for group in _corpus_groups()]
    results = [pipeline.process(g, str(tmp_path), None, "key") for g in groups]
    assert len(seen) >= 40, [r.error for r in results if r.failed]
    for name, (in_run, found) in sorted(seen.items()):
        [on_disk] = api.validate([tmp_path / name])
        assert _said(in_run.defects) == _said(on_disk.checked.defects), name
        assert _said(found) == _said(on_disk.contradictions + on_disk.accepted), name
        assert in_run.report is not None and on_disk.checked.report is not None, name
        assert in_run.report.to_json() == on_disk.checked.report.to_json(), name


def _copy(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, folder)
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return folder, files


def _edit(folder: Path, files: dict[str, bytes], rel: str, content: bytes, rehash: bool) -> None:
    """The same edit to the folder and to the bytes; with `rehash` the descriptor gets the
    new hash and size, as an editor covering their tracks would."""
    files[rel] = content
    if rehash:
        descriptor = json.loads(files["datapackage.json"])
        for resource in descriptor["resources"]:
            if resource["path"] == rel:
                resource["hash"] = f"sha256:{hashlib.sha256(content).hexdigest()}"
                resource["bytes"] = len(content)
        files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False).encode()
    for name in (rel, "datapackage.json"):
        (folder / name).write_bytes(files[name])


def _both(folder: Path, files: dict[str, bytes]) -> tuple[list[Any], list[Any]]:
    report = report_from_json(files["canonical.json"])
    return (
        _said(defects.check_built(folder, files, report).defects),
        _said(defects.check_package(folder).defects),
    )


def test_a_clean_package_is_clean_either_way(tmp_path: Path) -> None:
    assert _both(*_copy(tmp_path)) == ([], [])


@pytest.mark.parametrize(
    ("rel", "old", "new", "rehash", "code"),
    [
        # a number that is not one, the hash left as built: frictionless's type and hash errors
        ("line_items.csv", b",complete,", b",somehow,", False, "package-hash-count"),
        # a code removed from the code list: line items lose their foreign key
        ("codes.csv", b"\nfunction,208,", b"\nfunction,999,", True, "package-foreign-key"),
        # a cell of a printed table edited, hashes recomputed: only our consistency check sees it
        ("tables/income.csv", b"2", b"3", True, "package-canonical-mismatch"),
    ],
)
def test_an_edited_package_gets_the_same_defects_either_way(
    tmp_path: Path, rel: str, old: bytes, new: bytes, rehash: bool, code: str
) -> None:
    folder, files = _copy(tmp_path)
    assert old in files[rel]
    _edit(folder, files, rel, files[rel].replace(old, new, 1), rehash)
    in_memory, on_disk = _both(folder, files)
    assert code in {said[0] for said in on_disk}
    assert in_memory == on_disk


def _first_error(validator: Any, data: Any) -> tuple[str, list[Any]] | None:
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.path))), None)
    return None if error is None else (error.message, list(error.absolute_path))


def _broken(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of a canonical report each broken in one place: a wrong type, a value out of
    its enum, a required field missing, a field the schema does not know."""
    edits: list[tuple[tuple[Any, ...], Any]] = [
        (("line_items", 3, "amount"), 12),
        (("line_items", 5, "table"), "no_such_table"),
        (("line_items", 7, "page"), "7"),
        (("facts", 0, "indicator"), None),
        (("findings", 0, "severity"), "fatal"),
        (("report", "year"), "2022"),
        (("tables", 0, "status"), []),
        (("schema_version",), "9"),
        (("line_items", 0, "extra"), 1),
    ]
    out = []
    for path, value in edits:
        copy = json.loads(json.dumps(data))
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        out.append(copy)
    for part, key in (("line_items", "printed"), ("report", "department")):
        copy = json.loads(json.dumps(data))
        target = copy[part][2] if part == "line_items" else copy[part]
        del target[key]
        out.append(copy)
    return out


def test_the_schema_validator_with_references_inlined_says_what_the_schema_says() -> None:
    from jsonschema import Draft202012Validator

    from fiscalpub.canonical import _validator
    from fiscalpub.schema import report_schema

    data = json.loads((PACKAGE / "canonical.json").read_bytes())
    plain = Draft202012Validator(report_schema())
    cases = [data, *_broken(data)]
    said = [_first_error(_validator(), case) for case in cases]
    assert said == [_first_error(plain, case) for case in cases]
    assert said[0] is None and all(s is not None for s in said[1:])
