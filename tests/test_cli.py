"""The `fiscalpub` command line: output formats, help, exit codes, and all-or-nothing writes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from fiscalpub.api import parse_files
from fiscalpub.cli import main
from fiscalpub.schema import report_schema
from tests.conftest import ROOT, cli_runner, corpus_path

SEED003 = "003_c8682c8f72d65ec9.txt"

WEATHER = (
    "今天早晨，城市上空飘着薄薄的云，气温比昨天略低，空气清新湿润。气象台预报说，午后将有一场小到中雨，"
    "局部地区可能伴有雷电和短时大风，请市民出门记得带伞，注意交通安全。到了傍晚，雨势会逐渐减弱，"
    "西北风转为偏东风，夜间最低气温在十五度左右。明天白天多云转晴，最高气温回升到二十四度，"
    "适合户外散步和晾晒衣物。进入下周以后，冷空气将再次南下，气温会有明显下降，早晚温差较大，"
    "老人和儿童要及时添加衣服，预防感冒。农业部门提醒农户抓住晴好天气抢收晚稻，做好田间排水，"
    "防止连阴雨对作物造成不利影响。总的来看，本月降水偏多，日照偏少，整体气候与常年同期相比基本持平。"
    "据统计，本月全市平均降水量为 86.5 毫米，比常年同期偏多 12.3%，平均气温 18.2 度，"
    "共出现雷暴天气 4 次。气象专家表示，下个月仍以阴雨天气为主，各地要提前做好防汛准备工作。"
)


def _runner() -> CliRunner:
    return cli_runner()  # type: ignore[no-any-return]


def _run(*args: str | Path) -> Result:
    return _runner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def seed003() -> Path:
    return corpus_path("seeds", SEED003)


# ---------------------------------------------------------------- successful runs


@pytest.mark.corpus
def test_parse_json_is_valid_canonical_json(seed003: Path) -> None:
    result = _run("parse", "--json", seed003)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == "1.1"
    assert list(Draft202012Validator(report_schema()).iter_errors(doc)) == []
    assert result.stdout == parse_files([seed003]).to_json()
    assert result.stderr == ""


@pytest.mark.corpus
def test_human_summary_lists_tables_and_statuses(seed003: Path) -> None:
    result = _run("parse", seed003)
    assert result.exit_code == 0, result.output
    report = parse_files([seed003])
    lines = result.stdout.splitlines()
    assert report.report.department and report.report.department in lines[0]
    for table in report.tables:
        pattern = re.compile(rf"^{re.escape(table.table)}\s+{re.escape(table.status)}(\s|$)")
        assert any(pattern.match(line) for line in lines), f"{table.table} {table.status}"
    assert f"{len(report.line_items)} numbers" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


@pytest.mark.corpus
def test_summary_says_a_wrong_identity_first() -> None:
    result = _run("parse", corpus_path("pdf", "template-2024-final.pdf"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(department unknown) · 2024")
    assert lines[2].startswith("error identity-placeholder:") and "上海市XX局" in lines[2]


@pytest.mark.corpus
def test_parse_summary_and_json_carry_the_self_check(seed003: Path) -> None:
    summary = _run("parse", seed003).stdout
    doc = json.loads(_run("parse", "--json", seed003).stdout)
    checks = doc["report"]["checks"]
    assert "checks" not in doc  # nested: a top-level "checks" is a frictionless checklist
    # 188 amounts of which 21 are confirmed by no relation (tests/validate/test_selfcheck.py)
    assert (checks["amounts"], checks["unchecked"], checks["contradicted"]) == (188, 21, 0)
    assert checks["confirmed_share"] == "0.8882"
    assert (
        "self-check: 167 of 188 amounts confirmed (88.82%), 0 contradicted, 21 unchecked"
        in summary.splitlines()
    )
    facts = f"{checks['facts_agreeing']} of {checks['facts']} narrative amounts compared"
    assert f"self-check: {facts} agree with the tables, 1 contradicted" in summary


@pytest.mark.corpus
def test_output_option_writes_the_json_file(seed003: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = _run("parse", seed003, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == parse_files([seed003]).to_json()
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == "1.1"
    assert result.stdout == ""  # neither the JSON nor the summary on stdout
    assert str(out) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temp file left


@pytest.mark.corpus
def test_output_option_with_json_writes_and_prints(seed003: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.json"
    result = _run("parse", "--json", "-o", out, seed003)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == result.stdout


@pytest.mark.corpus
def test_gb18030_copy_parses_like_the_utf8_file(seed003: Path, tmp_path: Path) -> None:
    gb = tmp_path / "seed003-gb18030.txt"
    text = seed003.read_text(encoding="utf-8")
    gb.write_bytes(text.encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        gb.read_bytes().decode("utf-8")  # the copy really is not UTF-8
    result = _run("parse", "--json", gb)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = json.loads(_run("parse", "--json", seed003).stdout)
    assert len(got["line_items"]) == len(want["line_items"])
    assert got["line_items"] == want["line_items"]
    assert got["facts"] == want["facts"]


# ---------------------------------------------------------------- help and usage


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["parse", "--help"]], ids=" ".join)
def test_help_shows_examples(args: list[str]) -> None:
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_help_example_names_a_shipped_file() -> None:
    """The group help's example must work when typed in a clone (run from the repository root)."""
    result = _run("--help")
    named = re.findall(r"fiscalpub parse (examples/\S+)", result.stdout)
    assert named, result.stdout
    for rel in named:
        assert (ROOT / rel).is_file(), f"--help names {rel}, which is not in the repository"


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert "fiscalpub" in result.stdout


@pytest.mark.parametrize(
    "args", [["parse"], ["parse", "--bogus", "x.txt"], ["nonsense"]], ids=" ".join
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Usage:" in result.stderr


# ---------------------------------------------------------------- bad inputs


def _empty(d: Path) -> Path:
    p = d / "empty.txt"
    p.write_bytes(b"")
    return p


def _blank(d: Path) -> Path:
    p = d / "blank.txt"
    p.write_text(" \n\n\t\n", encoding="utf-8")
    return p


def _binary(d: Path) -> Path:
    p = d / "garbage.bin"
    p.write_bytes(bytes(range(256)) * 50)
    return p


def _missing(d: Path) -> Path:
    return d / "no-such-report.txt"


def _directory(d: Path) -> Path:
    p = d / "a-directory"
    p.mkdir()
    return p


def _prose(d: Path) -> Path:
    p = d / "weather.txt"
    assert len(WEATHER) > 300
    p.write_text(WEATHER + "\n", encoding="utf-8")
    return p


BAD_INPUTS: dict[str, Callable[[Path], Path]] = {
    "empty file": _empty,
    "blank file": _blank,
    "binary garbage": _binary,
    "missing path": _missing,
    "directory": _directory,
    "Chinese prose, not a report": _prose,
}


@pytest.mark.parametrize("make", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
@pytest.mark.parametrize(
    "options",
    [[], ["--json"], ["-o", "OUT"], ["--json", "-o", "OUT"]],
    ids=["summary", "json", "output", "json+output"],
)
def test_bad_input_exits_1_with_one_line_and_writes_nothing(
    make: Callable[[Path], Path], options: list[str], tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    bad = make(inputs)
    before = sorted(p.name for p in inputs.iterdir())
    out = tmp_path / "out" / "report.json"
    args = [str(out) if o == "OUT" else o for o in options]
    result = _run("parse", *args, bad)

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no crash
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:"), lines[0]
    assert bad.name in lines[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no output dir, no temp file
    assert sorted(p.name for p in inputs.iterdir()) == before


@pytest.mark.corpus
def test_one_bad_file_of_several_writes_nothing(seed003: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = _run("parse", "-o", out, seed003, tmp_path / "missing.txt")
    assert result.exit_code == 1, result.output
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error:")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.corpus
@pytest.mark.parametrize("where", ["existing directory", "under a regular file"])
def test_unwritable_output_exits_1_with_one_line(seed003: Path, tmp_path: Path, where: str) -> None:
    """-o to a path that cannot be written: a one-line error, exit 1, no traceback, no temp file."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "afile").write_text("keep\n", encoding="utf-8")
    out = tmp_path / "dir" if where == "existing directory" else tmp_path / "afile" / "out.json"
    result = _run("parse", "-o", out, seed003)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no crash
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "dir"]
    assert list((tmp_path / "dir").iterdir()) == []
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep\n"


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_the_library_never_imports_click() -> None:
    """The library (api, pipeline, catalog and everything below) is usable without the
    command line: click is the CLI's alone (fiscalpub.cli)."""
    loaded = _modules_after("import fiscalpub.api, fiscalpub.pipeline, fiscalpub.catalog")
    assert "fiscalpub.api" in loaded and "click" not in loaded
    # the check can fail: the command line does load click
    assert "click" in _modules_after("import fiscalpub.cli")


def test_help_loads_no_heavy_library() -> None:
    """`fiscalpub --help` starts fast: the commands import the library when they run."""
    loaded = _modules_after(
        "from fiscalpub.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    heavy = {"fiscalpub.api", "pyoxigraph", "frictionless", "PIL", "fontTools", "ckanapi", "rdflib"}
    assert "fiscalpub.cli" in loaded and not heavy & loaded


def test_command_modules_import_only_the_shared_module() -> None:
    """One module per command: they share fiscalpub.cli._common and never import each
    other (only cli/__init__.py gathers them)."""
    import ast

    folder = ROOT / "src" / "fiscalpub" / "cli"
    commands = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    assert {p.stem for p in commands} >= {"parse", "build", "validate", "publish", "run"}
    for path in commands:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("fiscalpub.cli"):
                    assert name == "fiscalpub.cli._common", f"{path.name} imports {name}"
