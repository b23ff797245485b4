"""`fiscalpub run`: the batch pipeline, incremental runs, failures that don't stop the
batch, the catalog (checked in a real headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT, cli_runner, corpus_path


def _run(*args: str | Path) -> tuple[int, dict[str, object], str]:
    from fiscalpub.cli import main

    result = cli_runner().invoke(main, ["run", *[str(a) for a in args], "--json"])
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


def test_run_builds_what_build_builds_then_skips(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, summary, _ = _run(reports, "-o", out, "-j", "2")
    assert code == 0, summary
    assert (summary["reports"], summary["built"], summary["failed"]) == (3, 3, 0)
    assert summary["numbers"] == 557 and summary["tables"] > 0
    # where the time went (charts apart from the rest of the package) and the peak memory
    # of a worker; neither is recorded in the manifest (the same input, the same bytes)
    assert set(summary["stage_seconds"]) == {"parse", "validate", "package", "charts", "rdf"}
    assert 20_000 < summary["peak_worker_kb"] < 4_000_000
    manifest = (out / ".fiscalpub-run.json").read_text(encoding="utf-8")
    assert "peak_kb" not in manifest and "seconds" not in manifest
    for committed in sorted((ROOT / "datapackages").glob("*/datapackage.json")):
        built = out / committed.parent.name
        for path in committed.parent.rglob("*"):
            if path.is_file():
                rel = path.relative_to(committed.parent)
                assert (built / rel).read_bytes() == path.read_bytes(), rel
    # the committed catalog, its report pages and RDF are what the README's main command writes
    pages = sorted(p.name for p in (ROOT / "datapackages" / "reports").glob("*.html"))
    assert sorted(p.name for p in (out / "reports").glob("*.html")) == pages
    for rel in (
        "catalog.json",
        "index.html",
        *(f"reports/{name}" for name in pages),
        *(f"rdf/{p.name}" for p in (ROOT / "datapackages" / "rdf").glob("*.ttl")),
    ):
        assert (out / rel).read_bytes() == (ROOT / "datapackages" / rel).read_bytes(), rel
    assert len(list((out / "rdf").glob("*.ttl"))) == 3
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert len(catalog["dcat:dataset"]) == 3
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # nothing changed: every report skipped, the catalog byte-identical
    code, again, _ = _run(reports, "-o", out)
    assert code == 0 and (again["built"], again["skipped"]) == (0, 3)
    assert again["peak_worker_kb"] == 0 and again["stage_seconds"] == {}
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == first
    # one source changed: that report only
    path = sorted(reports.glob("*.txt"))[0]
    path.write_bytes(path.read_bytes() + b"\n")
    code, third, _ = _run(reports, "-o", out)
    assert (third["built"], third["skipped"]) == (1, 2)
    # another base IRI is another configuration: everything again
    code, fourth, _ = _run(reports, "-o", out, "--base-iri", "https://data.example.gov.cn/f/")
    assert fourth["built"] == 3


def test_a_bad_report_does_not_stop_the_batch(reports: Path, tmp_path: Path) -> None:
    (reports / "notes.txt").write_text("这不是一份部门预算或决算报告。\n", encoding="utf-8")
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4\n% truncated")
    out = tmp_path / "out"
    code, summary, _ = _run(reports, "-o", out)
    assert code == 1
    assert (summary["built"], summary["failed"]) == (3, 2)
    failed = {Path(f["report"]).name for f in summary["failures"]}
    assert failed == {"notes.txt", "broken.pdf"}
    assert all(f["error"] and "\n" not in f["error"] for f in summary["failures"])
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr class=failed>") == 2
    # nothing changed: the refused reports are refused again, the same way, without
    # being read again (a refusal is recorded with the report's key, like a package)
    code, again, _ = _run(reports, "-o", out)
    assert code == 1 and (again["skipped"], again["failed"]) == (3, 2)
    assert again["failures"] == summary["failures"] and again["stage_seconds"] == {}
    # a changed file is read again (and now refused for another reason)
    (reports / "notes.txt").write_bytes(b"")
    code, third, _ = _run(reports, "-o", out)
    assert (third["skipped"], third["failed"]) == (3, 2)
    errors = {Path(f["report"]).name: f["error"] for f in third["failures"]}
    assert (
        errors["notes.txt"]
        != {Path(f["report"]).name: f["error"] for f in again["failures"]}["notes.txt"]
    )


def test_usage_errors(tmp_path: Path) -> None:
    from fiscalpub.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli_runner().invoke(main, ["run", str(empty), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no reports" in result.stderr
    result = cli_runner().invoke(main, ["run", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        reason = "Debian's chromium and chromium-driver are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs them: {reason}")
        pytest.skip(reason)
    return browser, driver


def headless_chromium(*args: str, logs: bool = False) -> Any:
    """A selenium driver of a headless Chromium with `args` (e.g. a window size); with
    `logs`, the page's console is kept (``driver.get_log("browser")``)."""
    browser, driver_path = _chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    for arg in args:
        options.add_argument(arg)
    if logs:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def test_the_catalog_page_in_headless_chromium(reports: Path, tmp_path: Path) -> None:
    browser, _ = _chromium()
    out = tmp_path / "out"
    (reports / "notes.txt").write_text("不是报告\n", encoding="utf-8")
    _run(reports, "-o", out)
    driver = headless_chromium(logs=True)
    try:
        driver.get((out / "index.html").as_uri())
        rows = driver.find_elements("css selector", "#reports tbody tr")
        assert len(rows) == 4  # one row per report, the failed one included
        assert "安阳市北关区医疗保障局" in driver.page_source
        driver.find_elements("css selector", "#reports th")[2].click()  # sorting runs
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == []
        # the check can fail: a page with a script error is caught
        broken = tmp_path / "broken.html"
        broken.write_text("<html><body><script>notDefined();</script></body></html>", "utf-8")
        driver.get(broken.as_uri())
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    assert subprocess.run([browser, "--version"], capture_output=True).returncode == 0


@pytest.mark.ckan
def test_run_publishes_and_pushes(reports: Path, tmp_path: Path) -> None:
    """--publish and --push chain the publish and push commands on what run built."""
    import urllib.request
    from urllib.parse import urlencode

    from fiscalpub.cli import main
    from tests.conftest import ckan_env
    from tests.rdf.test_push import running_oxigraph

    url, token = ckan_env()
    base = "https://data.example.gov.cn/fiscal/"
    out = tmp_path / "out"
    with running_oxigraph(tmp_path) as store:
        result = cli_runner().invoke(
            main,
            [
                "run",
                str(reports),
                "-o",
                str(out),
                "--publish",
                "--push",
                f"{store}/store",
                "--quiet",
                "--base-iri",
                base,
            ],
            env={"CKAN_URL": url, "CKAN_API_TOKEN": token},
        )
        assert result.exit_code == 0, result.stderr
        assert "Published to" in result.stdout
        query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        request = urllib.request.Request(
            f"{store}/query",
            data=urlencode({"query": query}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            graphs = int(json.load(answer)["results"]["bindings"][0]["n"]["value"])
        assert graphs == 4  # three datasets and the shared vocabulary graph
    assert token not in result.stdout + result.stderr


@pytest.mark.corpus
def test_a_report_that_fails_after_its_package_was_written_leaves_none(tmp_path: Path) -> None:
    # the template's department is 上海市XX局: the package is built, its RDF refused
    folder = tmp_path / "r"
    folder.mkdir()
    shutil.copy(corpus_path("pdf", "template-2024-final.pdf"), folder)
    out = tmp_path / "out"
    code, summary, _ = _run(folder, "-o", out, "--no-charts")
    assert code == 1 and summary["failed"] == 1, summary
    assert not list(out.glob("*/datapackage.json"))


def test_run_flags_a_report_whose_self_check_confirms_little(tmp_path: Path) -> None:
    """Seed 004 (a 决算 whose income is all 财政拨款: 0.00 in columns no sum confirms) has
    166 of its 369 amounts confirmed (tests/validate/test_selfcheck.py's rules)."""
    from fiscalpub.cli import main

    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(EXAMPLES / "004_eedbb879cd069ff8.txt", folder)
    out = tmp_path / "out"
    code, summary, _ = _run(folder, "-o", out, "--no-charts", "--min-confirmed", "0.4")
    assert code == 0 and summary["low_confirmed"] == [] and summary["min_confirmed"] == "0.4"
    # the default threshold (0.5), the report skipped: its self-check comes from the manifest
    code, summary, _ = _run(folder, "-o", out, "--no-charts")
    assert summary["skipped"] == 1 and summary["min_confirmed"] == "0.5"
    (low,) = summary["low_confirmed"]  # type: ignore[misc]
    assert low == {
        "report": str(folder / "004_eedbb879cd069ff8.txt"),
        "confirmed_share": "0.4498",
        "amounts": 369,
        "contradicted": 0,
    }
    human = cli_runner().invoke(main, ["run", str(folder), "-o", str(out), "--no-charts"])
    assert (
        "low self-check: 44.98% of 369 amounts confirmed (< 50%), 0 contradicted: "
        f"{folder / '004_eedbb879cd069ff8.txt'} (fiscalpub parse shows it)"
    ) in human.stdout.splitlines()
    bad = cli_runner().invoke(main, ["run", str(folder), "-o", str(out), "--min-confirmed", "2"])
    assert bad.exit_code == 2


def test_a_refused_report_is_not_read_again_while_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fiscalpub import pipeline
    from fiscalpub.pipeline import run_folder

    notes = tmp_path / "notes.txt"
    notes.write_text("这不是一份部门预算或决算报告。\n", encoding="utf-8")
    out = tmp_path / "out"

    def run() -> tuple[str, str | None]:
        [result] = run_folder([[notes]], out, base_iri=None, config_digest="t")
        return result.status, result.error

    status, error = run()
    assert status == "failed" and error and "not a 部门决算/部门预算 report" in error

    def read_again(group: list[Path]) -> object:
        raise AssertionError("read again")

    monkeypatch.setattr(pipeline, "read_report", read_again)
    assert run() == (status, error)  # the recorded refusal, not a new reading
    notes.write_text("这也不是报告。\n", encoding="utf-8")
    assert "read again" in (run()[1] or "")  # a changed file is read again


def test_batch_processes_collect_garbage_less_often() -> None:
    """run's workers (and run itself) raise the collector's thresholds: with the default
    ones a batch spent ~10% of its CPU collecting (fiscalpub.pool.BATCH_GC_THRESHOLDS)."""
    import gc

    from fiscalpub.pool import BATCH_GC_THRESHOLDS, worker_pool

    assert BATCH_GC_THRESHOLDS[0] > 700  # Python's default: what a spawned worker starts with
    pool = worker_pool(1)
    try:
        assert pool.submit(gc.get_threshold).result(timeout=60) == BATCH_GC_THRESHOLDS
    finally:
        pool.shutdown()


def test_a_reports_relations_are_evaluated_once_for_self_check_and_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The self-check and the findings read the same evaluated relations: run evaluates
    them once per report (they were a tenth of a report's CPU, twice)."""
    from fiscalpub import pipeline
    from fiscalpub.validate import engine, selfcheck

    calls: list[int] = []

    def counting(report: Any) -> Any:
        calls.append(1)
        return evaluate(report)

    evaluate = engine.checks
    for module in (engine, selfcheck, pipeline):
        monkeypatch.setattr(module, "checks", counting)
    result = pipeline.process([EXAMPLES / "003_c8682c8f72d65ec9.txt"], str(tmp_path), None, "k")
    assert result.status == "built", result.error
    assert result.findings and len(calls) == 1
