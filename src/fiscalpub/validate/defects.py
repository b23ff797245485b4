"""Package defects: what makes a package or a report unusable (errors, exit 1).

Source contradictions are another matter (the rules): they are data.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fiscalpub.canonical import report_from_json
from fiscalpub.errors import BadCanonical, FiscalpubError, UnreadableInput
from fiscalpub.model import Finding, Report, Severity, Where
from fiscalpub.parse.load import read_report
from fiscalpub.read.document import check_input, max_input_bytes
from fiscalpub.validate import consistency


def _memoise_frictionless_case() -> None:
    """frictionless-py converts metadata names between camelCase and snake_case tens of
    thousands of times per package (a quarter of its validation time); the conversions
    are pure string functions, so they are memoised (bench/pipeline.py: ~20 % faster)."""
    import functools

    from frictionless.vendors import stringcase

    for name in ("snakecase", "camelcase", "pascalcase"):
        fn = getattr(stringcase, name, None)
        if fn is not None and not hasattr(fn, "cache_info"):
            setattr(stringcase, name, functools.lru_cache(maxsize=8192)(fn))
    _memoise_field_validation()


@lru_cache(maxsize=1)
def _memoise_field_validation() -> None:
    """frictionless copies every field of a table twice each time it opens the table
    (header and row readers), and each copy validates the field's descriptor against
    the field profile again with jsonschema: a fifth of the validation time. A field
    descriptor's validity depends only on its class, the descriptor and the Data Package
    version, so a descriptor found valid is remembered as valid (an invalid one is
    checked again every time, so its errors are reported as before)."""
    from frictionless import Field

    original: Any = vars(Field)["metadata_validate"]  # the classmethod itself
    validate = original.__func__
    valid: set[tuple[type, object, str]] = set()

    def metadata_validate(cls: type, descriptor: Any, *, context: Any = None) -> Iterator[Any]:
        try:
            key = (
                cls,
                getattr(context, "datapackage_version", None),
                json.dumps(descriptor, sort_keys=True, ensure_ascii=False),
            )
        except (TypeError, ValueError):  # not JSON: not remembered
            yield from validate(cls, descriptor, context=context)
            return
        if key in valid:
            return
        errors = list(validate(cls, descriptor, context=context))
        if not errors and len(valid) < 4096:
            valid.add(key)
        yield from errors

    Field.metadata_validate = classmethod(metadata_validate)  # type: ignore[assignment,method-assign]


@dataclass
class Checked:
    """One validated target: a package folder or a report file."""

    path: Path
    kind: str  # package | report
    defects: list[Finding] = field(default_factory=list)
    report: Report | None = None


def targets(paths: list[Path]) -> list[tuple[Path, str]]:
    """Packages (a folder with datapackage.json, or the file itself), folders of
    packages, and report files."""
    out: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir() and (path / "datapackage.json").exists():
            out.append((path, "package"))
        elif path.is_dir():
            found = sorted(p.parent for p in path.glob("*/datapackage.json"))
            out += [(p, "package") for p in found]
            if not found:
                out.append((path, "empty"))
        elif path.name == "datapackage.json":
            out.append((path.parent, "package"))
        else:
            out.append((path, "report"))
    return out


def _defect(
    code: str, message: str, target: Path, resource: str | None = None, row: int | None = None
) -> Finding:
    where = Where(table=resource, line=row)
    return Finding(code, Severity.ERROR, f"{target.name}: {message}", [where])


def _unreadable_files(folder: Path, descriptor: dict[str, Any]) -> list[Finding]:
    """Resource files that must not be opened: a FIFO blocks, a link to /dev/zero never
    ends, a file over the input limit takes gigabytes (frictionless reads them whole)."""
    out: list[Finding] = []
    paths = [folder / "canonical.json"]
    for resource in descriptor.get("resources") or []:
        if isinstance(resource, dict):
            given = resource.get("path")
            for p in given if isinstance(given, list) else [given]:
                if isinstance(p, str) and "://" not in p:
                    paths.append(folder / p)
    for p in paths:
        if not (p.exists() or p.is_symlink()):
            continue  # a missing file is frictionless's defect to report
        try:
            check_input(p)
        except UnreadableInput as exc:
            out.append(_defect("package-bad-file", str(exc), folder))
    return out


def check_package(path: Path) -> Checked:
    """frictionless validation (schema, foreign keys, hashes, missing files) plus the
    canonical report the rules run on."""
    from frictionless import Package, system

    _memoise_frictionless_case()
    checked = Checked(path, "package")
    descriptor = path / "datapackage.json"
    try:
        check_input(descriptor)
        data = json.loads(descriptor.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            checked.defects.append(
                _defect("package-invalid-json", "datapackage.json is not a JSON object", path)
            )
            return checked
        bad = _unreadable_files(path, data)
        if bad:
            checked.defects += bad
            return checked
    except UnreadableInput as exc:
        if not descriptor.exists() and not descriptor.is_symlink():
            checked.defects.append(_defect("package-missing", "no datapackage.json", path))
        else:
            checked.defects.append(_defect("package-bad-file", str(exc), path))
        return checked
    except FileNotFoundError:
        checked.defects.append(_defect("package-missing", "no datapackage.json", path))
        return checked
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        checked.defects.append(
            _defect("package-invalid-json", f"datapackage.json is not valid JSON ({exc})", path)
        )
        return checked
    with system.use_context(trusted=False):
        try:
            report = Package(str(descriptor)).validate()
        except Exception as exc:  # frictionless raises on descriptors it cannot load
            checked.defects.append(
                _defect("package-invalid", f"datapackage.json cannot be loaded ({exc})", path)
            )
            return checked
    checked.defects += _frictionless_defects(report, path)
    canonical = path / "canonical.json"
    if canonical.exists() and not checked.defects:
        try:
            checked.report = report_from_json(canonical.read_bytes(), canonical.name)
        except BadCanonical as exc:
            checked.defects.append(_defect("package-invalid-report", str(exc), path))
        else:
            checked.defects += consistency.check(checked.report, path)
    return checked


def _frictionless_defects(report: Any, path: Path) -> list[Finding]:
    """The errors of a frictionless validation report, as defects of the package."""
    out: list[Finding] = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            name = task.name or task.place
            code = f"package-{error.type}"
            if error.type == "scheme-error" and "No such file" in error.message:
                code = "package-missing-file"
            out.append(_defect(code, f"{name}: {error.message}", path, name, row))
    for error in report.errors:
        out.append(_defect(f"package-{error.type}", error.message, path))
    return out


# ------------------------------------------------------------- the package just built

# what frictionless reads from memory instead of disk while check_built runs:
# the normalised path of a file of the package just built -> its bytes
_SERVED: dict[str, bytes] = {}


@lru_cache(maxsize=1)
def _serve_from_memory() -> None:
    """Register (once per process) a frictionless loader that reads the files in
    _SERVED from memory; any other path falls through to frictionless's own loaders."""
    from frictionless import Loader, Plugin, system

    class MemoryLoader(Loader):
        def read_byte_stream_create(self) -> Any:
            content = io.BytesIO(_SERVED[str(self.resource.normpath)])
            return io.BufferedRandom(content)  # type: ignore[arg-type]  # as frictionless's own

    class MemoryPlugin(Plugin):
        def create_loader(self, resource: Any) -> Any:
            if resource.scheme == "file" and resource.normpath in _SERVED:
                return MemoryLoader(resource)
            return None

    system.register("fiscalpub-built", MemoryPlugin())


@contextmanager
def _served(folder: Path, built: Mapping[str, bytes]) -> Iterator[None]:
    from frictionless import helpers

    _serve_from_memory()
    _SERVED.clear()
    for rel, content in built.items():
        _SERVED[helpers.normalize_path(rel, basepath=str(folder))] = content
    try:
        yield
    finally:
        _SERVED.clear()


@lru_cache(maxsize=256)
def _schema(content: bytes, rel: str, version: str | None) -> Any:
    """A Table Schema as frictionless loads it from its file `rel` (descriptor path
    and initial form included, so the resource exports it as that path). The same
    schemas recur in every package: each is loaded once per process and shared;
    frictionless copies a schema's fields before a row stream or header uses them."""
    from frictionless import Schema

    schema = Schema.from_descriptor(json.loads(content), datapackage_version=version)
    schema.metadata_descriptor_path = rel
    schema.metadata_descriptor_initial = schema.to_descriptor()
    return schema


def check_built(path: Path, built: Mapping[str, bytes], report: Report) -> Checked:
    """What check_package(path) finds in the package just written to `path`, judged
    from the bytes built (`built`: relative path -> content) rather than read back:
    frictionless validates the same descriptor over the same bytes, and the canonical
    report is `report` itself (canonical.json is its to_json), not parsed again.
    `fiscalpub validate` on the folder gives the same findings (tests/validate)."""
    from frictionless import Package, system

    limit = max_input_bytes()
    if any(len(content) > limit for content in built.values()):
        return check_package(path)  # over the input limit: the folder's verdict, as is
    _memoise_frictionless_case()
    checked = Checked(path, "package")
    try:
        data = json.loads(built["datapackage.json"].decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
        return check_package(path)  # not a descriptor: the folder's verdict says why
    if not isinstance(data, dict):
        return check_package(path)
    with system.use_context(trusted=False), _served(path, built):
        try:
            package = Package(data, basepath=str(path))
            listed = data.get("resources")
            if isinstance(listed, list) and len(listed) == len(package.resources):
                for resource, given in zip(package.resources, listed, strict=True):
                    rel = given.get("schema") if isinstance(given, dict) else None
                    if isinstance(rel, str) and rel in built:
                        version = getattr(resource, "_datapackage_version", None)
                        resource.schema = _schema(built[rel], rel, version)
            frictionless = package.validate()
        except Exception:  # frictionless cannot load it: the folder's verdict says why
            return check_package(path)
    checked.defects += _frictionless_defects(frictionless, path)
    if "canonical.json" in built and not checked.defects:
        checked.report = report
        checked.defects += consistency.check(report, path, built)
    return checked


def check_report(files: list[Path]) -> Checked:
    """A report — a file (text, PDF, the canonical JSON of `fiscalpub parse`) or the
    files of one report — parsed: a report that does not parse is a defect."""
    path = files[0] if len(files) == 1 else Path(" + ".join(str(p) for p in files))
    checked = Checked(path, "report")
    try:
        checked.report = read_report(files)
    except (ValueError, KeyError, TypeError) as exc:  # a JSON file that is not a report
        checked.defects.append(
            Finding(
                "report-unparsed",
                Severity.ERROR,
                f"{path}: not a canonical report ({exc})",
                [Where()],
            )
        )
    except FiscalpubError as exc:
        checked.defects.append(Finding("report-unparsed", Severity.ERROR, str(exc), [Where()]))
    return checked
