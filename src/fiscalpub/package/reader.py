"""Reading a built data package back: its descriptor, line items, codes and the bytes of
every file it lists.  The consumers of built packages (charts, the RDF cube, the CKAN
publisher, validate) all read through here, so it sits in the package layer below them
rather than in the RDF stage."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscalpub.errors import FiscalpubError


class PackageError(FiscalpubError):
    """A directory is not a readable fiscalpub data package."""


@dataclass
class LoadedPackage:
    path: Path
    descriptor: dict[str, Any]
    line_items: list[dict[str, str]]
    codes: list[dict[str, str]]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.descriptor["name"])

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.descriptor.get("fiscalpub") or {})


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def read_package(path: Path) -> LoadedPackage:
    """Load a package directory (or its datapackage.json)."""
    root = path.parent if path.name == "datapackage.json" else path
    descriptor_path = root / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{root}: no datapackage.json (not a data package)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{descriptor_path}: cannot read: {exc}") from exc
    _check_descriptor(descriptor_path, descriptor)
    files: dict[str, bytes] = {}
    for resource in descriptor.get("resources", []):
        rel = str(resource.get("path", ""))
        target = (root / rel).resolve()
        if not rel or root.resolve() not in target.parents:
            raise PackageError(f"{descriptor_path}: resource path {rel!r} is outside the package")
        try:
            files[rel] = target.read_bytes()
        except OSError as exc:
            raise PackageError(f"{root}: resource {rel} cannot be read: {exc}") from exc
    return _loaded(root, descriptor, files)


def built_package(root: Path, built: dict[str, bytes]) -> LoadedPackage:
    """The package `read_package(root)` would load, from the bytes just built and written
    there (`built`: relative path -> content), so `run` does not read back what it wrote:
    the same checks, and only the files its descriptor lists as resources."""
    descriptor_path = root / "datapackage.json"
    try:
        descriptor = json.loads(built["datapackage.json"].decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{descriptor_path}: cannot read: {exc}") from exc
    _check_descriptor(descriptor_path, descriptor)
    files: dict[str, bytes] = {}
    for resource in descriptor.get("resources", []):
        rel = str(resource.get("path", ""))
        if rel not in built:
            raise PackageError(f"{root}: resource {rel} cannot be read: not built")
        files[rel] = built[rel]
    return _loaded(root, descriptor, files)


def _check_descriptor(descriptor_path: Path, descriptor: Any) -> None:
    """A fiscalpub package's descriptor: an object with a `fiscalpub` block and a name
    that can be part of an IRI."""
    if not isinstance(descriptor, dict) or "fiscalpub" not in descriptor:
        raise PackageError(f"{descriptor_path}: not a fiscalpub package (no `fiscalpub` block)")
    name = descriptor.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise PackageError(
            f"{descriptor_path}: package name {name!r} must be lower-case letters, digits, "
            "'.', '_' or '-' (Data Package spec): it becomes part of IRIs and portal names"
        )


def _loaded(root: Path, descriptor: dict[str, Any], files: dict[str, bytes]) -> LoadedPackage:
    for needed in ("line_items.csv", "codes.csv"):
        if needed not in files:
            raise PackageError(f"{root}: the package has no {needed}")
    return LoadedPackage(
        root,
        descriptor,
        _read_csv(files["line_items.csv"]),
        _read_csv(files["codes.csv"]),
        files,
    )
