"""Shared fixtures.  Tests that need ../shared/corpus are marked `corpus`:
they skip with a reason where ../shared is absent, and fail in CI (CI=true)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fiscalpub.model import Report

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = CORPUS / "seeds"
EXAMPLES = ROOT / "examples"
EXPECTED = Path(__file__).parent / "expected"


def corpus_path(*parts: str) -> Path:
    """A file of ../shared/corpus, or skip (fail in CI) when ../shared is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs ../shared beside the clone: {path} is missing")
        pytest.skip(f"../shared/corpus is not beside this clone ({path} missing)")
    return path


# the seven tables every report of the family prints (corpus-health's "core tables")
CORE_TABLES = (
    "income_expenditure_summary",
    "income",
    "expenditure",
    "fiscal_summary",
    "gpb_expenditure",
    "gpb_basic_expenditure",
    "three_public",
)


@functools.cache
def corpus_pdf_reports() -> list[list[str]]:
    """Every PDF report of the corpus, as paths relative to corpus/pdf: one PDF, or a
    ``-text.pdf`` + ``-tables.pdf`` pair (skips like corpus_path without ../shared)."""
    root = corpus_path("pdf")
    out: list[list[str]] = []
    for path in sorted([*root.glob("*.pdf"), *root.glob("cities/*.pdf")]):
        rel = str(path.relative_to(root))
        if rel.endswith("-tables.pdf"):
            continue
        group = [rel]
        if rel.endswith("-text.pdf"):
            group.append(rel.removesuffix("-text.pdf") + "-tables.pdf")
        out.append(group)
    return out


def parsed_pdf(*names: str) -> Report:
    """The report of corpus/pdf files ("cities/x.pdf"; several files: one report), parsed
    once per test session."""
    from fiscalpub.api import parse_files

    return parse_files([corpus_path("pdf", *n.split("/")) for n in names])


def printed_cells(report: Report, table: str) -> dict[tuple[str | None, str | None], list[str]]:
    """Printed values (thousands separators removed, CONTRACT 1.1) by (code or row, column)."""
    out: dict[tuple[str | None, str | None], list[str]] = {}
    for li in report.line_items:
        if li.table == table:
            out.setdefault((li.code or li.row, li.column), []).append(li.printed)
    return out


def assert_as_listed(got: dict[Any, str], listed: dict[Any, str], new: str, gone: str) -> None:
    """What a corpus report raises equals the hand-checked list: a finding not listed
    fails (`new`: what it may be), and so does a listed one that no longer comes (`gone`)."""
    unlisted = {k: v for k, v in got.items() if k not in listed}
    missing = {k: v for k, v in listed.items() if k not in got}
    assert not unlisted, f"{new}: {unlisted}"
    assert not missing, f"{gone}: {missing}"


def ckan_env() -> tuple[str, str]:
    """CKAN_URL and CKAN_API_TOKEN of the local CKAN (../shared/tools/local-ckan/start.sh),
    or skip; in CI a skipped CKAN test is a failure (see pytest_runtest_makereport)."""
    url, token = os.environ.get("CKAN_URL"), os.environ.get("CKAN_API_TOKEN")
    if not url or not token:
        pytest.skip(
            "no CKAN: run CKAN_PLUGINS=dcat ../shared/tools/local-ckan/start.sh and export "
            "CKAN_URL / CKAN_API_TOKEN from its ckan.env"
        )
    return url, token


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """With CI=true, a skipped `ckan`, `corpus` or `fresh_machine` test is a failure:
    integration tests must run in CI, never silently skip there."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI", "").lower() == "true"
        and any(item.get_closest_marker(m) for m in ("ckan", "corpus", "fresh_machine"))
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run it: {report.longrepr}"


def cli_runner():  # type: ignore[no-untyped-def]
    """A CliRunner that keeps stderr apart from stdout (click 8.2+ always does; 8.1 needs
    a flag)."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
