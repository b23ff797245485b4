"""Which files make one report (fiscalpub.grouping): by content, never by file name; an
explicit report.yaml; --part; a path is always a path, and nothing outside the inputs
ever goes into a package."""

from __future__ import annotations

import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from fiscalpub import grouping
from fiscalpub.grouping import Found, GroupingError, Probe, narrative_amounts, plan, read_sidecar
from fiscalpub.pipeline import PROBES, find_reports
from tests.conftest import EXAMPLES, cli_runner, corpus_path

SEED = EXAMPLES / "003_c8682c8f72d65ec9.txt"


def _cli(*args: str | Path) -> object:
    from fiscalpub.cli import main

    return cli_runner().invoke(main, [str(a) for a in args])


def _names(groups: list[list[Path]]) -> list[list[str]]:
    return sorted([p.name for p in g] for g in groups)


# ------------------------------------------------------------------ the number reader


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("收入、支出预算总计10,150.48万元", ["101504800.00"]),  # the thousands separator read
        ("合计１，２３４.５６元，其中", ["1234.56"]),  # full-width digits and comma
        ("总额0.5亿元。", ["50000000.0"]),
        ("增长12.5%，共3人", []),  # no unit of money: not an amount
        ("2026年预算安排 88.1 万元", ["881000.0"]),  # spaces inside the line
    ],
)
def test_narrative_amounts_are_whole_tokens(text: str, amounts: list[str]) -> None:
    assert narrative_amounts(text) == [Decimal(a) for a in amounts]


# ------------------------------------------------------------------ by content


def _copy(src: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / name))


@pytest.fixture
def renamed(tmp_path: Path) -> Path:
    """Two-file reports under the names real publishers give them, beside one-file
    reports, in one folder."""
    folder = tmp_path / "reports"
    pdf = ("pdf",)
    cities = ("pdf", "cities")
    for parts, name in (
        ((*pdf, "jiangsu-zxbgt-2018-budget-text.pdf"), "江苏省政协办公厅2018年部门预算.pdf"),
        (
            (*pdf, "jiangsu-zxbgt-2018-budget-tables.pdf"),
            "江苏省政协办公厅2018年部门预算公开表.pdf",
        ),
        ((*pdf, "jiangsu-swbgt-2019-budget-text.pdf"), "x.part1.pdf"),
        ((*pdf, "jiangsu-swbgt-2019-budget-tables.pdf"), "x.part2.pdf"),
        ((*pdf, "jiangsu-swbgt-2018-budget-text.pdf"), "a.pdf"),  # same department, 2018
        ((*pdf, "jiangsu-swbgt-2018-budget-tables.pdf"), "b.pdf"),
        ((*cities, "beijing-jmrh-2026-budget-text.pdf"), "附件1：2026年部门预算情况说明.pdf"),
        ((*cities, "beijing-jmrh-2026-budget-tables.pdf"), "附件2：2026年部门预算报表.pdf"),
        ((*pdf, "shanghai-putuo-qfb-2025-budget.pdf"), "普陀区府办-部门预算.pdf"),
        ((*pdf, "shanghai-putuo-qfb-2025-unit-budget.pdf"), "普陀区府办-单位预算.pdf"),
    ):
        _copy(corpus_path(*parts), folder, name)
    return folder


@pytest.mark.corpus
def test_two_file_reports_are_found_by_content_whatever_their_names(renamed: Path) -> None:
    groups, notes = find_reports([renamed])
    assert _names(groups) == sorted(
        [
            ["a.pdf", "b.pdf"],
            ["x.part1.pdf", "x.part2.pdf"],
            ["江苏省政协办公厅2018年部门预算.pdf", "江苏省政协办公厅2018年部门预算公开表.pdf"],
            ["附件1：2026年部门预算情况说明.pdf", "附件2：2026年部门预算报表.pdf"],
            ["普陀区府办-单位预算.pdf"],  # a 单位预算 with tables only: never a 部门预算's half
            ["普陀区府办-部门预算.pdf"],
        ]
    )
    assert notes == []


@pytest.mark.corpus
def test_the_corpus_folder_holds_40_reports_in_47_files() -> None:
    folder = corpus_path("pdf")
    groups, _ = find_reports([folder])
    assert sum(len(g) for g in groups) == 47 and len(groups) == 40
    pairs = sorted(tuple(p.name for p in g) for g in groups if len(g) > 1)
    assert pairs == sorted(
        (f"{stem}-text.pdf", f"{stem}-tables.pdf")
        for stem in (
            "beijing-jmrh-2026-budget",
            "beijing-zdxm-2026-budget",
            "jiangsu-rdbgt-2019-budget",
            "jiangsu-swbgt-2017-budget",
            "jiangsu-swbgt-2018-budget",
            "jiangsu-swbgt-2019-budget",
            "jiangsu-zxbgt-2018-budget",
        )
    )


@pytest.mark.corpus
def test_the_same_bytes_twice_are_one_report_once(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(corpus_path("pdf", "jiangsu-zxbgt-2018-budget-text.pdf"), folder, "n.pdf")
    tables = corpus_path("pdf", "jiangsu-zxbgt-2018-budget-tables.pdf")
    _copy(tables, folder, "t1.pdf")
    _copy(tables, folder, "t2.pdf")
    groups, notes = find_reports([folder])
    assert _names(groups) == [["n.pdf", "t1.pdf"]]
    assert len(notes) == 1 and "t2.pdf: the same bytes as" in notes[0]


# amounts in 元 of a made-up report: grand total, then parts that are not whole 万元
TOTAL, PARTS = "12345678.90", ("2345678.12", "345678.34", "45678.56", "30000.00")


def _probe(role: str, digest: str, numbers: tuple[str, ...] = (), **meta: object) -> Probe:
    key = "totals" if role == "tables" else "amounts"
    return Probe(digest, role, **{"kind": "budget", key: numbers, **meta})  # type: ignore[arg-type]


def _plan(probes: dict[str, Probe]) -> tuple[list[list[str]], list[str]]:
    paths = {Path("/r") / name: pr for name, pr in probes.items()}
    planned = plan(Found([], sorted(paths)), paths)
    return _names(planned.groups), planned.notes


def test_pairing_needs_the_grand_total_and_more_shared_amounts() -> None:
    tables = _probe("tables", "t", (TOTAL, *PARTS), department="某局")
    full = _probe("narrative", "n", (TOTAL, *PARTS), department="某局", year=2026)
    assert _plan({"n.pdf": full, "t.pdf": tables})[0] == [["n.pdf", "t.pdf"]]
    # the grand total not printed (e.g. last year's narrative): not one report
    no_total = _probe("narrative", "n", PARTS, department="某局", year=2026)
    assert _plan({"n.pdf": no_total, "t.pdf": tables})[0] == [["n.pdf"], ["t.pdf"]]
    # the total and round amounts only (they recur in every report): not enough
    round_only = _probe("narrative", "n", (TOTAL, "30000.00", "100000.00"), year=2026)
    assert _plan({"n.pdf": round_only, "t.pdf": tables})[0] == [["n.pdf"], ["t.pdf"]]
    # 0.01 万元 is the narrative's rounding: 1234.57 万元 for 12345678.90 元
    rounded = _probe("narrative", "n", ("12345700.00", "23456800.00", *PARTS[:3]))
    tables2 = _probe("tables", "t", ("23456789.00", "12345678.90", *PARTS))
    assert _plan({"n.pdf": rounded, "t.pdf": tables2})[0] == [["n.pdf", "t.pdf"]]


@pytest.mark.parametrize(
    "conflict",
    [{"year": 2025}, {"scope": "unit"}, {"kind": "final"}],
    ids=["year", "scope", "kind"],
)
def test_what_the_files_say_must_not_conflict(conflict: dict[str, object]) -> None:
    tables = _probe("tables", "t", (TOTAL, *PARTS), year=2026, scope="department")
    narrative = _probe("narrative", "n", (TOTAL, *PARTS), **{"year": 2026, **conflict})
    assert _plan({"n.pdf": narrative, "t.pdf": tables})[0] == [["n.pdf"], ["t.pdf"]]


def test_an_unclear_match_is_not_grouped_but_said() -> None:
    tables = _probe("tables", "t1", (TOTAL, *PARTS))
    tables_again = _probe("tables", "t2", (TOTAL, *PARTS))  # other bytes, the same amounts
    narrative = _probe("narrative", "n", (TOTAL, *PARTS))
    groups, notes = _plan({"n.pdf": narrative, "t1.pdf": tables, "t2.pdf": tables_again})
    assert groups == [["n.pdf"], ["t1.pdf"], ["t2.pdf"]]
    assert len(notes) == 1 and "n.pdf: could be one report with any of" in notes[0]
    assert "report.yaml" in notes[0]


def test_without_amounts_in_the_tables_the_names_decide() -> None:
    tables = _probe("tables", "t", (), department="中共某市委办公厅", year=2026)
    same = _probe("narrative", "n", (TOTAL,), department="某市委办公厅", year=2026)
    other = _probe("narrative", "n", (TOTAL,), department="某市委办公厅", year=2025)
    assert _plan({"n.pdf": same, "t.pdf": tables})[0] == [["n.pdf", "t.pdf"]]
    assert _plan({"n.pdf": other, "t.pdf": tables})[0] == [["n.pdf"], ["t.pdf"]]
    unnamed = _probe("tables", "t", (), year=2026)
    assert _plan({"n.pdf": same, "t.pdf": unnamed})[0] == [["n.pdf"], ["t.pdf"]]


@pytest.mark.corpus
def test_probes_are_cached_by_content(renamed: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    first, _ = find_reports([renamed], out)
    cache = json.loads((out / PROBES).read_text(encoding="utf-8"))
    assert len(cache["probes"]) == 10

    def no_probe(path: Path, keep: Path | None = None) -> object:
        raise AssertionError(f"{path} probed again")

    monkeypatch.setattr(grouping, "probe", no_probe)
    again, _ = find_reports([renamed], out)
    assert again == first


def test_files_given_one_by_one_are_reports_each(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(grouping, "probe", lambda p, keep=None: pytest.fail(f"{p} probed"))
    files = sorted(EXAMPLES.glob("*.txt"))
    groups, notes = find_reports(files)
    assert groups == [[f] for f in files] and notes == []


# ------------------------------------------------------------------ report.yaml


def test_report_yaml_groups_explicitly(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "one.txt")
    _copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder, "two.txt")
    _copy(EXAMPLES / "000_bd253d31d99d6327.txt", folder, "three.txt")
    (folder / "report.yaml").write_text("files: [two.txt, one.txt]\n", encoding="utf-8")
    groups, _ = find_reports([folder])
    assert _names(groups) == [["three.txt"], ["two.txt", "one.txt"]]
    (folder / "report.yaml").write_text("reports:\n  - [one.txt]\n  - [two.txt]\n", "utf-8")
    groups, _ = find_reports([folder])
    assert _names(groups) == [["one.txt"], ["three.txt"], ["two.txt"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files: [../outside.txt]\n", "not a file of this folder"),
        ("files: [/etc/passwd]\n", "not a file of this folder"),
        ("files: [nope.txt]\n", "no such file"),
        ("files: [one.txt, one.txt]\n", "named twice"),
        ("files: one.txt\n", "expected 'files: [a.pdf, b.pdf]'"),
        ("reports: [[]]\n", "non-empty list"),
        ("files: [a\n", "cannot be read as YAML"),
    ],
)
def test_a_bad_report_yaml_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path, text: str, message: str
) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "one.txt")
    _copy(SEED, tmp_path, "outside.txt")
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GroupingError, match=re.escape(message)):
        read_sidecar(folder / "report.yaml", folder.resolve())
    out = tmp_path / "out"
    result = _cli("run", folder, "-o", out)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert message in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert not out.exists()


# ------------------------------------------------------------------ a path is a path


def test_a_plus_in_a_file_name_is_a_character(tmp_path: Path) -> None:
    plus = _copy(SEED, tmp_path / "in", "决算+附表.txt")
    out = tmp_path / "out"
    result = _cli("build", plus, "-o", out, "--no-charts")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    (package,) = out.iterdir()
    assert [p.name for p in (package / "sources").iterdir()] == ["决算+附表.txt"]


@pytest.mark.parametrize("command", ["build", "run", "validate"])
def test_the_old_plus_form_names_no_other_file(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    args = ["-o", out] if command != "validate" else []
    result = _cli(command, f"{SEED}+/etc/passwd", *args)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "no such file" in result.stderr  # type: ignore[attr-defined]
    assert not out.exists()


def test_a_link_out_of_the_folder_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "report.txt")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SEED.read_bytes())
    os.symlink(secret, folder / "linked.txt")
    out = tmp_path / "out"
    result = _cli("run", folder, "-o", out, "--no-charts", "-j", "1")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "linked.txt: a link to a file outside" in result.stderr  # type: ignore[attr-defined]
    sources = sorted(p.name for p in out.glob("*/sources/*"))
    assert sources == ["report.txt"]


@pytest.mark.corpus
def test_part_files_are_one_report(tmp_path: Path) -> None:
    # a report published as two files (Jiangsu: 情况说明 and 报表); two different reports
    # given as parts are refused instead (tests/test_reliability.py: several reports in one)
    text = corpus_path("pdf", "jiangsu-swbgt-2018-budget-text.pdf")
    tables = corpus_path("pdf", "jiangsu-swbgt-2018-budget-tables.pdf")
    out = tmp_path / "out"
    result = _cli(
        "build", "--part", text, "--part", tables, "-o", out, "--no-charts", "--quiet"
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    (package,) = out.iterdir()
    assert sorted(p.name for p in (package / "sources").iterdir()) == sorted(
        [text.name, tables.name]
    )


@pytest.mark.corpus
def test_run_makes_one_package_of_a_two_file_report(renamed: Path, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    for name in ("附件1：2026年部门预算情况说明.pdf", "附件2：2026年部门预算报表.pdf"):
        shutil.copy(renamed / name, folder / name)
    out = tmp_path / "out"
    result = _cli("run", folder, "-o", out, "--no-charts", "--json")
    summary = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert (summary["reports"], summary["built"]) == (1, 1), summary
    assert summary["grouping"]["reports_of_several_files"] == [
        [
            str(folder / "附件1：2026年部门预算情况说明.pdf"),
            str(folder / "附件2：2026年部门预算报表.pdf"),
        ]
    ]
    (descriptor,) = out.glob("*/datapackage.json")
    meta = json.loads(descriptor.read_text(encoding="utf-8"))["fiscalpub"]
    assert (meta["department"], meta["year"]) == ("中共北京市委军民融合发展委员会办公室", 2026)
    assert sorted(p.name for p in descriptor.parent.joinpath("sources").iterdir()) == [
        "附件1：2026年部门预算情况说明.pdf",
        "附件2：2026年部门预算报表.pdf",
    ]
    # parse reads the folder as its one report
    parsed = _cli("parse", folder, "--json")
    assert parsed.exit_code == 0  # type: ignore[attr-defined]
    doc = json.loads(parsed.stdout)  # type: ignore[attr-defined]
    assert len(doc["report"]["sources"]) == 2


@pytest.mark.corpus
def test_parse_refuses_a_folder_of_several_reports(renamed: Path) -> None:
    result = _cli("parse", renamed)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "holds 6 reports" in result.stderr  # type: ignore[attr-defined]


# ------------------------------------------------------------------ one file, one report


def test_the_order_of_the_arguments_does_not_matter(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    a = _copy(SEED, folder, "a.txt")
    _copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder, "b.txt")
    (folder / "report.yaml").write_text("files: [a.txt, b.txt]\n", encoding="utf-8")
    expected = [["a.txt", "b.txt"]]
    for args in ([a, folder], [folder, a], [folder, folder], [folder, folder / ".." / "r"]):
        groups, _ = find_reports(args)
        assert _names(groups) == expected, args


def test_a_file_named_by_two_report_yaml_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder / "sub", "three.txt")
    (folder / "report.yaml").write_text("files: [sub/three.txt]\n", encoding="utf-8")
    (folder / "sub" / "report.yaml").write_text("files: [three.txt]\n", encoding="utf-8")
    with pytest.raises(GroupingError, match="named by both"):
        find_reports([folder])


@pytest.mark.parametrize(
    "text",
    ["files: ['one\\0.txt']\n", f"files: [{'x' * 300}.txt]\n", "files: [loop.txt]\n"],
    ids=["nul", "long-name", "link-loop"],
)
def test_unnamable_files_in_report_yaml_are_a_one_line_error(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "one.txt")
    os.symlink(folder / "loop.txt", folder / "loop.txt")
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = _cli("run", folder, "-o", out)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert lines[-1].startswith("Error:") and sum("Error" in line for line in lines) == 1
    assert not out.exists()


def test_part_file_given_twice_is_one_source(tmp_path: Path) -> None:
    # two files of one base name are kept apart: tests/test_reliability.py
    one = _copy(SEED, tmp_path / "a", "one.txt")
    (tmp_path / "b").mkdir()
    same = _cli(
        "build", "--part", one, "--part", tmp_path / "b" / ".." / "a" / "one.txt",
        "-o", tmp_path / "o", "--no-charts", "--quiet",
    )  # fmt: skip
    assert same.exit_code == 0, same.stderr  # type: ignore[attr-defined]
    (package,) = (tmp_path / "o").iterdir()
    assert [p.name for p in (package / "sources").iterdir()] == ["one.txt"]


def test_two_reports_with_one_package_name_both_fail(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "a.txt")
    # the same report with other bytes (a blank line more): same department, year, kind
    (folder / "b.txt").write_bytes(SEED.read_bytes() + b"\n")
    out = tmp_path / "out"
    result = _cli("run", folder, "-o", out, "--no-charts", "--json", "-j", "1")
    summary = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert result.exit_code == 1 and summary["failed"] == 2  # type: ignore[attr-defined]
    assert all("makes the package" in f["error"] for f in summary["failures"])
    assert not list(out.glob("*/datapackage.json"))
    assert not list((out / "rdf").glob("*.ttl"))


def test_a_broken_probe_cache_is_probed_again(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "a.txt")
    _copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder, "b.txt")
    out = tmp_path / "out"
    out.mkdir()
    first, _ = find_reports([folder], out)
    cache = json.loads((out / PROBES).read_text(encoding="utf-8"))
    for broken in (
        {**cache, "probes": [1, 2]},
        {**cache, "probes": {k: {**v, "totals": ["abc"]} for k, v in cache["probes"].items()}},
        {**cache, "probes": {k: {"role": 3} for k in cache["probes"]}},
        "not json",
    ):
        text = broken if isinstance(broken, str) else json.dumps(broken)
        (out / PROBES).write_text(text, encoding="utf-8")
        assert find_reports([folder], out)[0] == first


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    _copy(SEED, folder, "a.txt")
    _copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder, "b.txt")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = _cli("run", folder, "-o", blocker / "out")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert len(result.stderr.strip().splitlines()) == 1  # type: ignore[attr-defined]


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    _copy(SEED, folder, "ok.txt")
    bad = os.fsdecode(bytes(folder) + b"/\xff\xfe.txt")
    shutil.copy(SEED, bad)
    _copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder, "b.txt")
    groups, notes = find_reports([folder])
    assert _names(groups) == [["b.txt"], ["ok.txt"]]
    assert any("not valid UTF-8" in n for n in notes)
    result = _cli("build", Path(bad), "-o", tmp_path / "o")
    assert result.exit_code == 2 and "not valid UTF-8" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "o").exists()
