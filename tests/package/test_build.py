"""Data packages: canonical schemas, reproducible builds, the real frictionless validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import LineItem
from fiscalpub.package.build import build_package, write_package
from fiscalpub.package.schemas import all_schemas
from fiscalpub.vocab.index import CodeIndex
from tests.conftest import EXAMPLES, ROOT

PACKAGES = ROOT / "datapackages"
COMMITTED = sorted(p for p in PACKAGES.iterdir() if (p / "datapackage.json").exists())


def frictionless_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """The real frictionless CLI (offline: no remote profiles in our descriptors)."""
    return subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", str(path / "datapackage.json")],
        capture_output=True,
        text=True,
        check=False,
    )


def test_schemas_folder_holds_the_canonical_schemas() -> None:
    for name, schema in all_schemas().items():
        assert json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8")) == schema, name


def test_every_example_has_its_committed_package() -> None:
    assert len(COMMITTED) == len(list(EXAMPLES.glob("*.txt")))


@pytest.mark.parametrize("package", COMMITTED, ids=lambda p: p.name)
def test_committed_package_passes_frictionless(package: Path) -> None:
    result = frictionless_validate(package)
    assert result.returncode == 0, result.stdout[-3000:]


def test_rebuilding_in_any_order_and_hash_seed_leaves_the_packages_unchanged(
    tmp_path: Path,
) -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.txt"))
    for seed, order in (("1", examples), ("12345", list(reversed(examples)))):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "fiscalpub.cli", "build", *order, "-o", str(out), "--quiet"],
            check=True,
            env=env,
        )
        for package in COMMITTED:
            for path in sorted(package.rglob("*")):
                if path.is_file():
                    rebuilt = out / package.name / path.relative_to(package)
                    assert rebuilt.read_bytes() == path.read_bytes(), str(
                        path.relative_to(PACKAGES)
                    )


def test_text_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "003_c8682c8f72d65ec9.txt"])
    li = report.line_items[0]
    report.line_items.append(
        LineItem(
            **{
                **li.__dict__,
                "item": '=HYPERLINK("x")',
                "amount": Decimal("-55600.00"),
                "printed": "-5.56",
            }
        )
    )
    package = build_package(report, index=CodeIndex())
    rows = package.files["line_items.csv"].decode().splitlines()
    assert any("'=HYPERLINK" in row and ",-55600.00,-5.56," in row for row in rows)


def test_an_unseen_code_is_a_warning_not_a_defect(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "004_eedbb879cd069ff8.txt"])
    package = build_package(report, index=CodeIndex())  # an empty vocabulary: every code unseen
    findings = package.files["findings.csv"].decode()
    assert ",unknown-code,warning," in findings
    out = write_package(package, tmp_path)
    assert (
        frictionless_validate(out).returncode == 0
    )  # the report's own codes satisfy the foreign key


def test_a_package_is_written_all_or_nothing(tmp_path: Path) -> None:
    report = parse_files([EXAMPLES / "000_bd253d31d99d6327.txt"])
    package = build_package(report)
    package.files["schemas"] = b"x"  # a file where the schemas folder must go: the write fails
    with pytest.raises(OSError):
        write_package(package, tmp_path)
    assert list(tmp_path.iterdir()) == []
