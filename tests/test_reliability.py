"""Bad inputs and faults (issue: reliability): one line, the right exit code, nothing
half-written.  Each case failed before the change it tests (a traceback, exit 0, a file
left behind); the full-disk and read-only cases mount a small tmpfs in a private mount
namespace (``unshare``), as root in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fiscalpub.cli import main
from tests.conftest import ROOT, cli_runner, corpus_path

SEED003 = ROOT / "examples" / "003_c8682c8f72d65ec9.txt"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    runner: CliRunner = cli_runner()
    return runner.invoke(main, [str(a) for a in args], env=env)


def _one_error_line(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("Note:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:"), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("canonical") / "good.json"
    assert _run("parse", SEED003, "-o", out).exit_code == 0
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("packages")
    assert _run("build", SEED003, "-o", out, "--no-charts").exit_code == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def _edited(edit: Callable[[dict], object]) -> Callable[[dict], bytes]:
    def make(good: dict) -> bytes:
        data = json.loads(json.dumps(good))
        result = edit(data)
        return json.dumps(data if result is None else result).encode()

    return make


def _set(path: list[str | int], value: object) -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return edit


BAD_CANONICAL: dict[str, tuple[Callable[[dict], bytes], str]] = {
    "truncated": (lambda d: json.dumps(d).encode()[:500], "not valid JSON"),
    "empty": (lambda d: b"", "empty file"),
    "not UTF-8": (lambda d: b"\xff\xfe\x00{", "not UTF-8"),
    "a list": (lambda d: b"[]", "a JSON list"),
    "no line_items": (_edited(lambda d: d.pop("line_items") and None), "line_items"),
    "year a path": (_edited(_set(["report", "year"], "../../x")), ".report.year"),
    "amount not a number": (
        _edited(_set(["line_items", 0, "amount"], "not-a-number")),
        ".line_items[0].amount",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CANONICAL), ids=list(BAD_CANONICAL))
@pytest.mark.parametrize("command", ["build", "validate"])
def test_malformed_canonical_json_is_one_line(
    case: str, command: str, canonical: dict, tmp_path: Path
) -> None:
    make, words = BAD_CANONICAL[case]
    bad = tmp_path / "report.json"
    bad.write_bytes(make(canonical))
    out = tmp_path / "out"
    args = ["build", bad, "-o", out, "--no-charts"] if command == "build" else ["validate", bad]
    result = _run(*args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert words in result.output, result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["parse", SEED003, "-o", "BLOCK/x.json"],
        ["build", SEED003, "-o", "BLOCK/out", "--no-charts"],
        ["run", SEED003, "-o", "BLOCK/out", "--no-charts"],
        ["rdf", "PACKAGE", "-o", "BLOCK/x.ttl"],
    ],
    ids=["parse", "build", "run", "rdf"],
)
def test_output_below_a_file_is_one_line(
    args: list[str | Path], package: Path, tmp_path: Path
) -> None:
    block = tmp_path / "afile"
    block.write_text("keep\n", encoding="utf-8")
    args = [str(a).replace("BLOCK", str(block)).replace("PACKAGE", str(package)) for a in args]
    line = _one_error_line(_run(*args))
    assert "afile" in line
    assert block.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


# ---------------------------------------------------------------- inputs that are not files


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    line = _one_error_line(_run("parse", fifo))
    assert "not a regular file" in line


def test_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "report.txt"
    link.symlink_to("/dev/zero")
    line = _one_error_line(_run("parse", link))
    assert "not a regular file" in line


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    line = _one_error_line(_run("parse", SEED003, env={"FISCALPUB_MAX_INPUT_MB": "0.001"}))
    assert "over the limit" in line and "FISCALPUB_MAX_INPUT_MB" in line
    assert _run("parse", SEED003, env={"FISCALPUB_MAX_INPUT_MB": "5"}).exit_code == 0


def test_utf16_text_with_bom_is_read(tmp_path: Path) -> None:
    copy = tmp_path / "report.txt"
    copy.write_bytes(b"\xff\xfe" + SEED003.read_text(encoding="utf-8").encode("utf-16-le"))
    result = _run("parse", copy, "--json")
    assert result.exit_code == 0, result.output
    got, want = json.loads(result.stdout), json.loads(_run("parse", SEED003, "--json").stdout)
    assert got["line_items"] == want["line_items"]
    assert got["facts"] == want["facts"]


# ---------------------------------------------------------------- a damaged PDF


@pytest.fixture(scope="module")
def damaged_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real report with a tenth of its bytes overwritten in the middle: pdfium opens it,
    two pages keep their text, the others come out blank."""
    data = bytearray(corpus_path("pdf", "shanghai-putuo-qfb-2025-budget.pdf").read_bytes())
    start = len(data) // 2
    data[start : start + len(data) // 10] = b"x" * (len(data) // 10)
    path = tmp_path_factory.mktemp("damaged") / "damaged.pdf"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.corpus
def test_damaged_pdf_is_an_error_not_an_empty_report(damaged_pdf: Path, tmp_path: Path) -> None:
    line = _one_error_line(_run("parse", damaged_pdf))
    assert "pages have no text" in line
    out = tmp_path / "out"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(damaged_pdf, folder)
    result = _run("run", folder, "-o", out, "--no-charts")
    assert result.exit_code == 1
    assert "failed:" in result.stderr
    packages = [p for p in out.iterdir() if p.is_dir() and p.name not in ("reports", "rdf")]
    assert packages == []


# ---------------------------------------------------------------- collisions


def test_two_inputs_making_one_package_both_fail_named(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(SEED003, tmp_path / "in" / sub / f"{sub}.txt")
    out = tmp_path / "out"
    result = _run("run", tmp_path / "in", "-o", out, "--no-charts")
    assert result.exit_code == 1
    failed = [ln for ln in result.stderr.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 2, result.stderr
    assert "b.txt" in failed[0] and "a.txt" in failed[1]
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    listed = json.dumps(catalog, ensure_ascii=False)
    assert listed.count('"package": "yueyang') == 0


@pytest.mark.corpus
def test_two_sources_with_one_base_name_keep_distinct_names(tmp_path: Path) -> None:
    text = corpus_path("pdf", "jiangsu-swbgt-2018-budget-text.pdf")
    tables = corpus_path("pdf", "jiangsu-swbgt-2018-budget-tables.pdf")
    for sub, src in (("a", text), ("b", tables)):
        (tmp_path / sub).mkdir()
        shutil.copy(src, tmp_path / sub / "report.pdf")
    out = tmp_path / "out"
    result = _run(
        "build",
        "--part",
        tmp_path / "a" / "report.pdf",
        "--part",
        tmp_path / "b" / "report.pdf",
        "-o",
        out,
        "--no-charts",
    )
    assert result.exit_code == 0, result.output
    (package,) = [p for p in out.iterdir() if p.is_dir()]
    assert len(list((package / "sources").iterdir())) == 2
    assert _run("validate", package).exit_code == 0


# ---------------------------------------------------------------- full disk, read-only


def _unshare_works() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True
    )
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(
    not _unshare_works(), reason="needs root and mount namespaces (unshare), as in CI"
)


def _in_namespace(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def _fiscalpub() -> str:
    return str(Path(sys.executable).parent / "fiscalpub")


@needs_unshare
def test_full_disk_run_leaves_no_temp_files_and_no_failed_packages(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    proc = _in_namespace(
        f"mount -t tmpfs -o size=300k tmpfs {disk} && "
        f"{_fiscalpub()} run {ROOT / 'examples'} -o {disk}/out --no-charts; echo rc=$?; "
        f"find {disk} -name '*.tmp'; ls {disk}/out",
        tmp_path,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "rc=1" in proc.stdout, proc.stdout + proc.stderr
    assert ".tmp" not in proc.stdout
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed:")]
    assert failed and all("No space left on device" in ln for ln in failed), proc.stderr
    built = [ln for ln in proc.stdout.splitlines() if "-final-" in ln or "-budget-" in ln]
    assert len(built) == 3 - len(failed)  # only the reports that were built have a folder


@needs_unshare
@pytest.mark.parametrize("command", ["parse", "build", "run"])
def test_read_only_output_is_one_line(command: str, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    target = {"parse": "-o {ro}/x.json", "build": "-o {ro}/out", "run": "-o {ro}/out"}[command]
    extra = "" if command == "parse" else " --no-charts"
    proc = _in_namespace(
        f"mount -t tmpfs -o size=1m,ro tmpfs {ro} && "
        f"{_fiscalpub()} {command} {SEED003} {target.format(ro=ro)}{extra}; echo rc=$?",
        tmp_path,
    )
    assert "rc=1" in proc.stdout, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), proc.stderr
    assert "Read-only file system" in lines[0]


# ---------------------------------------------------------------- one run per output folder


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path: Path) -> None:
    from fiscalpub.pipeline import RunLock

    out = tmp_path / "out"
    out.mkdir()
    with RunLock(out):
        result = _run("run", SEED003, "-o", out, "--no-charts")
    line = _one_error_line(result)
    assert "another fiscalpub run" in line
    assert [p.name for p in out.iterdir()] == [".fiscalpub-run.lock"]  # nothing written
    assert _run("run", SEED003, "-o", out, "--no-charts").exit_code == 0  # released


def test_a_package_changed_after_its_run_is_built_again_not_skipped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("run", SEED003, "-o", out, "--no-charts").exit_code == 0
    again = _run("run", SEED003, "-o", out, "--no-charts", "--json")
    assert json.loads(again.stdout)["skipped"] == 1
    (package,) = [p for p in out.iterdir() if p.is_dir() and p.name not in ("reports", "rdf")]
    csv = package / "line_items.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")  # a glitch: the file is not as built
    third = _run("run", SEED003, "-o", out, "--no-charts", "--json")
    summary = json.loads(third.stdout)
    assert summary["skipped"] == 0 and summary["built"] == 1, summary
    assert third.exit_code == 0


# ---------------------------------------------------------------- validate beyond the hashes


def _rehash(package: Path) -> None:
    """Recompute every resource's hash and size after an edit, as a forger would."""
    import hashlib

    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (package / resource["path"]).read_bytes()
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        resource["bytes"] = len(data)
    (package / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _edit_canonical(package: Path, edit: Callable[[dict], None]) -> None:
    path = package / "canonical.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _fresh_package(package: Path, tmp_path: Path) -> Path:
    copy = tmp_path / package.name
    shutil.copytree(package, copy)
    assert _run("validate", copy).exit_code == 0
    return copy


def _amount(data: dict) -> None:
    item = data["line_items"][3]
    item["amount"] = f"{Decimal(item['amount']) + 1:.2f}"


def _duplicate(data: dict) -> None:
    placed = next(li for li in data["line_items"] if li["column"] is not None)
    data["line_items"].append(dict(placed))


def _csv_disagrees(package: Path) -> None:
    path = package / "line_items.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",万元,", ",元,", 1)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    "case, code",
    [
        ("amount not printed x unit", "package-amount-not-printed"),
        ("a line item twice", "package-duplicate-line-item"),
        ("canonical.json and line_items.csv disagree", "package-canonical-mismatch"),
        ("a wide table CSV edited", "package-canonical-mismatch"),
    ],
)
def test_validate_checks_what_hashes_cannot(
    case: str, code: str, package: Path, tmp_path: Path
) -> None:
    copy = _fresh_package(package, tmp_path)
    if case.startswith("amount"):
        _edit_canonical(copy, _amount)
    elif case.startswith("a line item"):
        _edit_canonical(copy, _duplicate)
    elif case.startswith("a wide"):
        table = copy / "tables" / "three_public.csv"
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1].replace(",", ",1", 4)  # digits added to the first row's cells
        table.write_text("".join(lines), encoding="utf-8")
    else:
        _csv_disagrees(copy)
    _rehash(copy)
    result = _run("validate", copy)
    assert result.exit_code == 1, result.output
    assert code in result.output, result.output


# ---------------------------------------------------------------- several reports in one file

SEED004 = ROOT / "examples" / "004_eedbb879cd069ff8.txt"


def _twice_with_one_number_changed(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    at = text.index("97.44")  # a 功能分类 amount of the tables
    return text + "\n" + text[:at] + "98.44" + text[at + 5 :]


@pytest.mark.parametrize(
    "make, words",
    [
        (
            lambda: SEED003.read_text(encoding="utf-8") + SEED004.read_text(encoding="utf-8"),
            "department",
        ),
        (lambda: _twice_with_one_number_changed(SEED003), "printed twice"),
    ],
    ids=["two reports concatenated", "one report twice, a number changed"],
)
def test_several_reports_in_one_file_is_an_error(
    make: Callable[[], str], words: str, tmp_path: Path
) -> None:
    path = tmp_path / "report.txt"
    path.write_text(make(), encoding="utf-8")
    parsed = _run("parse", path, "--json")
    assert parsed.exit_code == 1
    assert "several reports in one?" in parsed.stderr and words in parsed.stderr
    codes = {f["code"] for f in json.loads(parsed.stdout)["findings"]}
    assert codes & {"identity-conflict", "table-repeated"}  # the finding is in the output too
    out = tmp_path / "out"
    built = _run("build", path, "-o", out, "--no-charts")
    assert built.exit_code == 1
    assert not out.exists() or not [p for p in out.iterdir() if p.is_dir()]


# ---------------------------------------------------------------- Ctrl-C


@pytest.mark.corpus
def test_sigint_stops_a_run_at_once_with_130_and_a_rerun_converges(tmp_path: Path) -> None:
    import signal
    import time

    out = tmp_path / "out"
    args = [str(Path(sys.executable).parent / "fiscalpub"), "run", str(corpus_path("pdf")), "-o"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [*args, str(out), "--no-charts"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    # probing done, reports being built: interrupted as soon as the first package is
    # written (a fixed wait raced the run, which can take less than 8 s)
    assert _soon(lambda: any(out.glob("*/datapackage.json")) or proc.poll() is not None)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-500:]
    assert time.monotonic() - started < 10  # not after finishing the queue
    assert b"Traceback" not in err
    assert not list(out.rglob("*.tmp"))
    # the interrupted run recorded nothing: a re-run of one report builds it
    again = _run("run", corpus_path("pdf", "shanghai-putuo-qfb-2025-budget.pdf"), "-o", out)
    assert again.exit_code == 0, again.output


# ---------------------------------------------------------------- the campaign's second round


def test_a_device_is_never_replaced_by_an_output(tmp_path: Path) -> None:
    device = tmp_path / "full"
    os.mknod(device, 0o666 | 0o020000, os.makedev(1, 7))  # like /dev/full
    line = _one_error_line(_run("parse", SEED003, "-o", device))
    assert "not a regular file" in line
    import stat

    assert stat.S_ISCHR(device.stat().st_mode)


@pytest.mark.parametrize(
    "args",
    [["build", SEED003, "-o", ""], ["serve", "--port", "70000"]],
    ids=["empty -o", "port out of range"],
)
def test_bad_option_values_are_usage_errors(args: list[str | Path]) -> None:
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "abc"])
def test_bad_size_limit_is_one_line(value: str) -> None:
    line = _one_error_line(_run("parse", SEED003, env={"FISCALPUB_MAX_INPUT_MB": value}))
    assert "FISCALPUB_MAX_INPUT_MB" in line


def test_build_refuses_two_inputs_making_one_package(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    text = SEED003.read_text(encoding="utf-8")
    a.write_text(text, encoding="utf-8")
    b.write_text(text.replace("370.58", "370.59", 1), encoding="utf-8")
    line = _one_error_line(_run("build", a, b, "-o", tmp_path / "out", "--no-charts"))
    assert "a.txt" in line and "b.txt" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("edit", [_amount, _duplicate], ids=["amount not printed", "item twice"])
def test_build_refuses_a_canonical_json_validate_would_reject(
    edit: Callable[[dict], None], canonical: dict, tmp_path: Path
) -> None:
    data = json.loads(json.dumps(canonical))
    edit(data)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _one_error_line(_run("build", path, "-o", tmp_path / "out", "--no-charts"))
    assert not (tmp_path / "out").exists()


def test_deeply_nested_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    line = _one_error_line(_run("build", path, "-o", tmp_path / "out"))
    assert "nested too deep" in line


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("where", ["canonical given to build", "resource of a package"])
def test_validate_and_build_never_open_fifos_or_endless_files(
    kind: str, where: str, package: Path, tmp_path: Path
) -> None:
    def plant(path: Path) -> None:
        path.unlink(missing_ok=True)
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")

    if where.startswith("canonical"):
        path = tmp_path / "r.json"
        plant(path)
        line = _one_error_line(_run("build", path, "-o", tmp_path / "out"))
        assert "not a regular file" in line
    else:
        copy = tmp_path / package.name
        shutil.copytree(package, copy)
        plant(copy / "codes.csv")
        result = _run("validate", copy)
        assert result.exit_code == 1
        assert "package-bad-file" in result.output and "not a regular file" in result.output


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED003, folder)
    os.mkfifo(folder / "f.txt")
    for _ in range(3):  # each run the same: the package's sources/ copy is no second report
        result = _run("run", folder, "-o", folder / "out", "--no-charts")
        assert result.exit_code == 0, result.output
        assert "f.txt: not a regular file: left out" in result.stderr
    packages = [p for p in (folder / "out").iterdir() if (p / "datapackage.json").exists()]
    assert len(packages) == 1


def test_a_full_stdout_is_an_error() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "fiscalpub"), "parse", str(SEED003), "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("Error:") and "No space left" in proc.stderr


def test_query_does_not_run_service(package: Path) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    line = _one_error_line(_run("query", query, "--data", package.parent))
    assert "SERVICE" in line


def _soon(condition: Callable[[], bool], timeout: float = 120.0) -> bool:
    """Whether `condition` holds within `timeout` seconds (polled every 50 ms)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _running(pid: int) -> bool:
    """A process that exists and is not a zombie (an orphan's zombie lingers until
    whatever adopted it reaps it: in a container that may be never)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.corpus
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGKILL"])
def test_a_killed_run_leaves_no_worker_and_no_held_lock(sig: str, tmp_path: Path) -> None:
    import signal
    import time

    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    exe = str(Path(sys.executable).parent / "fiscalpub")
    proc = subprocess.Popen(
        [exe, "run", str(corpus_path("pdf")), "-o", str(out), "--no-charts", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    workers: list[int] = []

    def started() -> bool:  # its worker processes (a fixed wait raced a fast run)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        workers[:] = [int(p) for p in children.stdout.split()]
        return bool(workers) or proc.poll() is not None

    assert _soon(started)
    assert workers and proc.poll() is None, "the run has started its worker processes"
    proc.send_signal(getattr(signal, sig))
    proc.wait(timeout=30)
    # the kernel ends them with the parent (Linux), else their watcher within a second; a
    # slow machine may still be starting one (spawn imports the CLI first): allow 20 s
    deadline = time.monotonic() + 20
    while (alive := [p for p in workers if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive == [], f"workers left: {alive}"
    again = _run("run", corpus_path("pdf", "shanghai-putuo-qfb-2025-budget.pdf"), "-o", out)
    assert again.exit_code == 0, again.output  # the lock is free
