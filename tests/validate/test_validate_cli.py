"""`fiscalpub validate`: valid packages, corrupted copies, report files, the JSON /
JUnit / SARIF outputs, --strict and --baseline.

Every corruption is made on a copy in a temporary folder: datapackages/ itself is
never touched (the autouse fixture checks that at the end of the module).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fiscalpub.api import parse_files
from fiscalpub.cli import main
from tests.conftest import EXAMPLES, ROOT, cli_runner, corpus_path

DATAPACKAGES = ROOT / "datapackages"
PACKAGES = sorted(p.parent for p in DATAPACKAGES.glob("*/datapackage.json"))
SEED004 = next(EXAMPLES.glob("004_*.txt"))

# One printed amount of the 004 package (基本工资 in the basic-expenditure table), and
# an economic code that has the schema's pattern but is absent from codes.csv.
AMOUNT_ROW = "gpb_basic_expenditure,amount,actual,economic,30101,,基本工资,"
AMOUNT_OLD, AMOUNT_NEW = ",748100.00,74.81,", ",748200.00,74.81,"
ABSENT_CODE = "30999"


def _runner() -> CliRunner:
    return cli_runner()  # type: ignore[no-any-return]


def _run(*args: str | Path) -> Result:
    return _runner().invoke(main, ["validate", *[str(a) for a in args]])


def _package_from(report: Path) -> Path:
    """The committed package built from a report file (datapackage.json `sources`)."""
    for package in PACKAGES:
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        if any(s.get("title") == report.name for s in descriptor.get("sources", [])):
            return package
    raise AssertionError(f"no package in {DATAPACKAGES} was built from {report.name}")


def _rehash(package: Path, resource: str) -> None:
    """Rewrite a resource's `hash` ("sha256:<hex>") and `bytes` to match its file."""
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    (entry,) = [r for r in descriptor["resources"] if r["name"] == resource]
    data = (package / entry["path"]).read_bytes()
    assert entry["hash"].startswith("sha256:"), entry["hash"]
    entry["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    entry["bytes"] = len(data)
    descriptor_path.write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def committed_packages_untouched() -> Iterator[None]:
    before = _digest(DATAPACKAGES)
    yield
    assert _digest(DATAPACKAGES) == before, "datapackages/ was modified by the tests"


@pytest.fixture(scope="module")
def package004() -> Path:
    return _package_from(SEED004)


@pytest.fixture(scope="module")
def clean004(package004: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untouched copy of the 004 package (read-only use)."""
    return Path(shutil.copytree(package004, tmp_path_factory.mktemp("clean") / package004.name))


@pytest.fixture(scope="module")
def corrupted(package004: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the 004 package, each with one defect (read-only use)."""
    base = tmp_path_factory.mktemp("corrupted")
    out = {
        name: Path(shutil.copytree(package004, base / name))
        for name in ("amount", "foreign-key", "missing-file", "invalid-json", "no-descriptor")
    }
    # (a) one digit of one amount: same size, other sha256
    line_items = out["amount"] / "line_items.csv"
    row = next(li for li in line_items.read_text(encoding="utf-8").splitlines() if AMOUNT_ROW in li)
    _replace_once(line_items, row, row.replace(AMOUNT_OLD, AMOUNT_NEW))
    # (b) a code absent from codes.csv, with hash and bytes updated: only the key is wrong
    codes = (out["foreign-key"] / "codes.csv").read_text(encoding="utf-8")
    assert f"economic,{ABSENT_CODE}," not in codes
    _replace_once(
        out["foreign-key"] / "line_items.csv",
        AMOUNT_ROW,
        AMOUNT_ROW.replace(",30101,", f",{ABSENT_CODE},"),
    )
    _rehash(out["foreign-key"], "line_items")
    # (c) a resource file gone
    (out["missing-file"] / "facts.csv").unlink()
    # (d) a truncated descriptor
    (out["invalid-json"] / "datapackage.json").write_text(
        '{"name": "broken", "resources": [', encoding="utf-8"
    )
    # (e) no descriptor at all
    (out["no-descriptor"] / "datapackage.json").unlink()
    return out


@pytest.fixture(scope="module")
def foreign_key_row(package004: Path) -> int:
    """Row number (frictionless counts the header as row 1) of the edited line item."""
    lines = (package004 / "line_items.csv").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if AMOUNT_ROW in line)


# ---------------------------------------------------------------- valid packages


def test_committed_packages_are_valid() -> None:
    assert len(PACKAGES) >= 3
    result = _run(DATAPACKAGES)
    assert result.exit_code == 0, result.output
    for package in PACKAGES:
        assert f"{package}  [package, valid]" in result.stdout.splitlines()
    assert "INVALID" not in result.stdout
    assert "package-" not in result.stdout  # no defect code at all


def test_committed_packages_json_have_no_defects() -> None:
    result = _run(DATAPACKAGES, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 0
    assert sorted(t["path"] for t in doc["targets"]) == sorted(str(p) for p in PACKAGES)
    for target in doc["targets"]:
        assert target["kind"] == "package"
        assert target["defects"] == [], target["defects"]


# ---------------------------------------------------------------- corrupted copies


def _single_defect(result: Result, target: Path) -> str:
    """The one defect line of a human run on one target (exit 1, marked INVALID)."""
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{target}  [package, INVALID]", result.stdout
    defects = [line.strip() for line in lines[1:] if line.strip().startswith("error   package-")]
    assert len(defects) == 1, result.stdout
    return defects[0]


def test_edited_amount_is_a_hash_error_naming_line_items(corrupted: dict[str, Path]) -> None:
    target = corrupted["amount"]
    line = _single_defect(_run(target), target)
    actual = hashlib.sha256((target / "line_items.csv").read_bytes()).hexdigest()
    assert line.startswith(f"error   package-hash-count  {target.name}: line_items: "), line
    assert "does not match the expected hash" in line
    assert f'actual is "{actual}"' in line


def test_broken_foreign_key_names_row_value_and_code_list(
    corrupted: dict[str, Path], foreign_key_row: int
) -> None:
    target = corrupted["foreign-key"]
    line = _single_defect(_run(target), target)
    assert line.startswith(f"error   package-foreign-key  {target.name}: line_items: "), line
    assert f'Row at position "{foreign_key_row}" violates the foreign key' in line
    assert f'values "economic, {ABSENT_CODE}" not found in the lookup table "codes"' in line


def test_missing_resource_file_names_it(corrupted: dict[str, Path]) -> None:
    target = corrupted["missing-file"]
    line = _single_defect(_run(target), target)
    assert line.startswith(f"error   package-missing-file  {target.name}: facts: "), line
    assert "could not be successfully loaded" in line
    assert "No such file or directory" in line and "facts.csv" in line


def test_invalid_json_descriptor_says_not_valid_json(corrupted: dict[str, Path]) -> None:
    target = corrupted["invalid-json"]
    line = _single_defect(_run(target), target)
    assert line.startswith(
        f"error   package-invalid-json  {target.name}: datapackage.json is not valid JSON ("
    ), line
    assert "line 1 column" in line


def test_folder_without_descriptor_is_a_usage_error(corrupted: dict[str, Path]) -> None:
    target = corrupted["no-descriptor"]
    result = _run(target)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    assert f"Error: {target}: no datapackage.json in it or its sub-folders" in result.stderr


def test_one_bad_package_among_good_ones_fails_the_run(corrupted: dict[str, Path]) -> None:
    result = _run(DATAPACKAGES, corrupted["amount"])
    assert result.exit_code == 1, result.output
    for package in PACKAGES:
        assert f"{package}  [package, valid]" in result.stdout.splitlines()
    assert f"{corrupted['amount']}  [package, INVALID]" in result.stdout.splitlines()


# ---------------------------------------------------------------- --json


def test_json_output_for_a_corrupted_copy(corrupted: dict[str, Path], foreign_key_row: int) -> None:
    result = _run(corrupted["foreign-key"], corrupted["amount"], "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 1
    by_path = {t["path"]: t for t in doc["targets"]}
    assert set(by_path) == {str(corrupted["foreign-key"]), str(corrupted["amount"])}
    for target in doc["targets"]:
        assert {"path", "kind", "defects", "findings"} <= set(target)
        assert target["kind"] == "package"
        assert target["findings"] == []  # the rules do not run on a broken package
    (fk,) = by_path[str(corrupted["foreign-key"])]["defects"]
    assert fk["code"] == "package-foreign-key" and fk["severity"] == "error"
    assert fk["where"][0]["table"] == "line_items"
    assert fk["where"][0]["line"] == foreign_key_row
    assert f"economic, {ABSENT_CODE}" in fk["message"]
    (hash_error,) = by_path[str(corrupted["amount"])]["defects"]
    assert hash_error["code"] == "package-hash-count"
    assert hash_error["where"][0]["table"] == "line_items"


def test_json_output_for_a_valid_copy(clean004: Path) -> None:
    result = _run(clean004, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 0
    (target,) = doc["targets"]
    assert target["path"] == str(clean004) and target["kind"] == "package"
    assert target["defects"] == []
    assert isinstance(target["findings"], list)


# ---------------------------------------------------------------- CI formats


def test_junit_failure_for_a_corrupted_copy(corrupted: dict[str, Path]) -> None:
    result = _run(corrupted["amount"], "--format", "junit")
    assert result.exit_code == 1, result.output
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == str(corrupted["amount"])
    assert suite.get("failures") == "1"
    (failure,) = suite.iter("failure")
    assert failure.get("type") == "package-hash-count"
    assert "line_items" in (failure.get("message") or "")
    assert "does not match the expected hash" in (failure.text or "")


def test_junit_valid_packages_have_no_defect_failure() -> None:
    result = _run(DATAPACKAGES, "--format", "junit")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert [s.get("name") for s in root.findall("testsuite")] == [str(p) for p in PACKAGES]
    # JUnit agrees with the exit code: contradictions fail only with --strict
    assert list(root.iter("failure")) == []
    assert {s.get("failures") for s in root.findall("testsuite")} == {"0"}
    strict = ET.fromstring(_run(DATAPACKAGES, "--format", "junit", "--strict").stdout)
    types = {f.get("type") for f in strict.iter("failure")}
    assert "narrative-table" in types and not any(t.startswith("package-") for t in types)


def test_sarif_for_a_corrupted_copy(corrupted: dict[str, Path]) -> None:
    result = _run(corrupted["foreign-key"], "--format", "sarif")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "fiscalpub"
    assert run["results"], run
    assert all(r["ruleId"] for r in run["results"])
    (fk,) = [r for r in run["results"] if r["ruleId"] == "package-foreign-key"]
    assert fk["level"] == "error"
    assert f"economic, {ABSENT_CODE}" in fk["message"]["text"]
    uri = fk["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == str(corrupted["foreign-key"])


def test_sarif_for_valid_packages() -> None:
    result = _run(DATAPACKAGES, "--format", "sarif")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "fiscalpub"
    assert "rounding" in {r["id"] for r in driver["rules"]}
    for r in doc["runs"][0]["results"]:
        assert r["ruleId"] and not r["ruleId"].startswith("package-"), r


# ---------------------------------------------------------------- --strict and --baseline
# These need the rules (fiscalpub.validate.engine): the 004 report's 情况说明 puts
# 农林水 (213) where the tables have 住房保障支出 (221), an error-severity
# `narrative-table` finding.


def test_004_package_has_an_error_finding_that_fails_only_with_strict(clean004: Path) -> None:
    lenient = _run(clean004)
    assert lenient.exit_code == 0, lenient.output
    assert f"{clean004}  [package, valid]" in lenient.stdout.splitlines()
    assert re.search(
        r"^  error   narrative-table  \(\d+\)  情况说明与报表数据不一致 The narrative",
        lenient.stdout,
        re.M,
    ), lenient.stdout

    strict = _run(clean004, "--strict")
    assert strict.exit_code == 1, strict.output
    assert re.search(
        r"^  error   narrative-table  \(\d+\)  情况说明与报表数据不一致 The narrative",
        strict.stdout,
        re.M,
    ), strict.stdout

    doc = json.loads(_run(clean004, "--strict", "--json").stdout)
    assert doc["exit_code"] == 1
    (target,) = doc["targets"]
    assert target["defects"] == []
    errors = [f for f in target["findings"] if f["severity"] == "error"]
    narrative = [f["message"] for f in errors if f["code"] == "narrative-table"]
    assert any("农林水" in m and "213" in m for m in narrative), narrative


def test_baseline_accepts_earlier_findings(clean004: Path, tmp_path: Path) -> None:
    first = _run(clean004, "--json")
    assert first.exit_code == 0, first.output
    findings = json.loads(first.stdout)["targets"][0]["findings"]
    assert any(f["severity"] == "error" for f in findings), "the rules found no error"
    baseline = tmp_path / "accepted.json"
    baseline.write_text(first.stdout, encoding="utf-8")

    result = _run(clean004, "--strict", "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert f"  {len(findings)} finding(s) accepted by the baseline" in result.stdout.splitlines()
    assert "narrative-table" not in result.stdout

    doc = json.loads(_run(clean004, "--strict", "--baseline", baseline, "--json").stdout)
    assert doc["exit_code"] == 0
    (target,) = doc["targets"]
    assert target["findings"] == []
    assert sorted(target["accepted"]) == sorted(f["id"] for f in findings)


def test_baseline_as_a_list_of_ids(clean004: Path, tmp_path: Path) -> None:
    findings = json.loads(_run(clean004, "--json").stdout)["targets"][0]["findings"]
    errors = [f["id"] for f in findings if f["severity"] == "error"]
    assert errors, "the rules found no error"
    baseline = tmp_path / "ids.json"
    baseline.write_text(json.dumps(errors), encoding="utf-8")
    result = _run(clean004, "--strict", "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert f"  {len(errors)} finding(s) accepted by the baseline" in result.stdout.splitlines()


def test_baseline_does_not_excuse_defects(corrupted: dict[str, Path], tmp_path: Path) -> None:
    baseline = tmp_path / "ids.json"
    baseline.write_text("[]", encoding="utf-8")
    result = _run(corrupted["amount"], "--strict", "--baseline", baseline)
    assert result.exit_code == 1, result.output
    assert "package-hash-count" in result.stdout


def test_missing_baseline_file_is_a_usage_error(clean004: Path, tmp_path: Path) -> None:
    result = _run(clean004, "--baseline", tmp_path / "nope.json")
    assert result.exit_code == 2, result.output
    assert "--baseline" in result.stderr and "nope.json" in result.stderr


def test_baseline_saved_from_a_baselined_run_still_accepts(clean004: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    first.write_text(_run(clean004, "--json").stdout, encoding="utf-8")
    findings = json.loads(first.read_text(encoding="utf-8"))["targets"][0]["findings"]
    assert any(f["severity"] == "error" for f in findings), "the rules found no error"
    second = tmp_path / "second.json"
    second.write_text(_run(clean004, "--baseline", first, "--json").stdout, encoding="utf-8")
    result = _run(clean004, "--strict", "--baseline", second)
    assert result.exit_code == 0, result.output


def test_baseline_that_is_not_json_is_a_usage_error(clean004: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "accepted.json"
    baseline.write_text("not json", encoding="utf-8")
    result = _run(clean004, "--baseline", baseline)
    assert result.exit_code == 2, result.output
    assert "accepted.json" in result.stderr


# ---------------------------------------------------------------- report files


def test_report_file_validates_directly() -> None:
    result = _run(SEED004)
    assert result.exit_code == 0, result.output
    assert f"{SEED004}  [report, valid]" in result.stdout.splitlines()
    assert "report-unparsed" not in result.stdout


def test_report_file_json() -> None:
    result = _run(SEED004, "--json")
    assert result.exit_code == 0, result.output
    (target,) = json.loads(result.stdout)["targets"]
    assert target["path"] == str(SEED004) and target["kind"] == "report"
    assert target["defects"] == []


def test_report_file_fails_with_strict() -> None:
    """Needs the rules: the same narrative-table error as the 004 package."""
    result = _run(SEED004, "--strict")
    assert result.exit_code == 1, result.output
    assert re.search(
        r"^  error   narrative-table  \(\d+\)  情况说明与报表数据不一致 The narrative",
        result.stdout,
        re.M,
    ), result.stdout


def test_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-report.txt"
    result = _run(missing)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    assert f"Error: {missing}: no such file or folder" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.txt",
            "今天天气晴朗，我们去公园散步，买了 3 斤苹果。\nNothing else.\n".encode(),
            "not a 部门决算/部门预算 report (no title, tables or 情况说明 found)",
        ),
        ("empty.txt", b"", "the file is empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary data, not a text report (NUL bytes)"),
        ("fake.pdf", b"hello, not a pdf\n", "not a PDF (no %PDF header), despite its name"),
    ],
    ids=["prose", "empty", "binary", "fake-pdf"],
)
def test_garbage_report_file_exits_1_with_a_clear_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = _run(path)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}  [report, INVALID]", result.stdout
    assert lines[1] == f"  error   report-unparsed  {path}: {message}", result.stdout
    doc = json.loads(_run(path, "--json").stdout)
    assert doc["exit_code"] == 1
    (defect,) = doc["targets"][0]["defects"]
    assert defect["code"] == "report-unparsed" and defect["severity"] == "error"


def test_two_file_report_and_canonical_json_validate(tmp_path: Path) -> None:
    text = corpus_path("pdf", "jiangsu-swbgt-2019-budget-text.pdf")
    tables = corpus_path("pdf", "jiangsu-swbgt-2019-budget-tables.pdf")
    result = _run("--part", text, "--part", tables, "--json")
    assert result.exit_code == 0, result.output
    (target,) = json.loads(result.stdout)["targets"]
    assert target["kind"] == "report" and target["defects"] == []
    # the general-budget share of 行政运行 is stated with rounding: both sides named
    assert any(f["code"] == "rounding" and "1297.83" in f["message"] for f in target["findings"])
    missing = _run("--part", text, "--part", tmp_path / "nope.pdf")
    assert missing.exit_code == 2 and "nope.pdf: no such file" in missing.stderr
    canonical = tmp_path / "report.json"
    canonical.write_text(parse_files([SEED004]).to_json(), encoding="utf-8")
    assert _run(canonical, "--strict").exit_code == 1  # seed 004's narrative contradiction
    not_report = tmp_path / "other.json"
    not_report.write_text('{"a": 1}', encoding="utf-8")
    bad = _run(not_report)
    assert bad.exit_code == 1 and "not a canonical report" in bad.stdout
