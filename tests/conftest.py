"""Shared fixtures.  Tests that need ../shared/corpus are marked `corpus`:
they skip with a reason where ../shared is absent, and fail in CI (CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def cli_runner():  # type: ignore[no-untyped-def]
    """A CliRunner that keeps stderr apart from stdout (click 8.2+ always does; 8.1 needs
    a flag)."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
