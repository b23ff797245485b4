"""Fixtures of the RDF tests: packages built from corpus reports (budget and final,
万元 and 元, text and PDF, several departments and years)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import cli_runner, corpus_path

CORPUS_REPORTS = [
    "pdf/shanghai-putuo-czj-2024-final.pdf",
    "pdf/shanghai-putuo-wanli-2024-budget.pdf",
    "pdf/jiangsu-rdbgt-2017-budget.pdf",
    "seeds/003_c8682c8f72d65ec9.txt",
    "seeds/004_eedbb879cd069ff8.txt",
]


@pytest.fixture(scope="session")
def corpus_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    args = [str(corpus_path(*r.split("/"))) for r in CORPUS_REPORTS]
    out = tmp_path_factory.mktemp("corpus-packages")
    from fiscalpub.cli import main

    result = cli_runner().invoke(main, ["build", *args, "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out
