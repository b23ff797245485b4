"""The library entry points (no click here): parse, build, validate, export (RDF),
publish and push, each a function that returns what it did; the command line
(fiscalpub.cli) parses options, calls these, renders their results and sets the exit
code, and `fiscalpub run` (fiscalpub.pipeline) composes them.

This module sits above the stages it combines (read → parse → package → validate | rdf →
publish): a parsed report comes with its self-check (contract 1.1 ``checks``), which the
validator's relations compute, so `parse` never imports `validate`.  Progress (a bar, a
line per package) is the caller's: the long functions take callbacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiscalpub.config import PLACEHOLDER_BASE, Config
from fiscalpub.errors import FiscalpubError
from fiscalpub.model import Finding, Report
from fiscalpub.package.build import BuiltPackage, build_package, write_package
from fiscalpub.package.reader import read_package
from fiscalpub.package.slug import package_slug
from fiscalpub.parse.load import read_report
from fiscalpub.parse.report import build_report
from fiscalpub.rdf.checks import rdf_defects
from fiscalpub.rdf.cube import cube, cube_turtle, dataset_iri, package_iri, serialise, split
from fiscalpub.rdf.push import PushResult, push_graphs
from fiscalpub.rdf.store import VOCAB_GRAPH, find_packages, vocab_triples
from fiscalpub.read import read_document
from fiscalpub.validate import consistency, defects
from fiscalpub.validate.engine import validate_report
from fiscalpub.validate.output import Outcome
from fiscalpub.validate.rules import Check
from fiscalpub.validate.selfcheck import self_check
from fiscalpub.vocab import files as vocab_files

if TYPE_CHECKING:  # the portal client (ckanapi, requests) is loaded only to publish
    from fiscalpub.publish.client import PublishError
    from fiscalpub.publish.desired import Desired
    from fiscalpub.publish.sync import Action, Plan


def parse_files(paths: list[str | Path]) -> Report:
    """Parse one report given as one or more files (e.g. narrative + tables), with its
    self-check."""
    docs = [read_document(str(p), source=i) for i, p in enumerate(paths)]
    return with_checks(build_report(docs))


def load_report(group: list[Path]) -> Report:
    """A report from its files, or from the canonical JSON `fiscalpub parse` wrote,
    with its self-check (computed for a JSON written before contract 1.1)."""
    return with_checks(read_report(group))


def with_checks(report: Report, evaluated: list[Check] | None = None) -> Report:
    """The report with its self-check computed (kept when it has one: a canonical JSON
    written by `fiscalpub parse`); `evaluated`: the report's relations evaluated
    (fiscalpub.validate.engine.checks) when the caller has them already."""
    if report.report.checks is None:
        report.report.checks = self_check(report, evaluated)
    return report


# ------------------------------------------------------------------------------ build


@dataclass
class BuiltReport:
    """One report's package, written: what `build` lists and `run` records."""

    report: Report
    package: BuiltPackage
    path: Path


def load_reports(groups: list[list[Path]]) -> list[tuple[list[Path], Report]]:
    """Every report read and checked before any package is written: a canonical JSON
    whose amounts are not its printed numbers (or that lists a cell twice) would make a
    package validate rejects, and two reports that make one package name would
    overwrite each other; either refuses the whole build."""
    loaded = []
    for group in groups:
        report = load_report(group)
        wrong = [*consistency.amounts(report, group[0]), *consistency.duplicates(report, group[0])]
        if wrong:
            more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
            raise FiscalpubError(f"{wrong[0].message}{more}: no package written")
        loaded.append((group, report))
    _refuse_shared_slugs(loaded)
    return loaded


def _refuse_shared_slugs(loaded: list[tuple[list[Path], Report]]) -> None:
    """Two inputs that make one package name would overwrite each other."""
    seen: dict[str, list[Path]] = {}
    for group, report in loaded:
        if not report.report.department:
            continue  # build_package says why there is no package
        slug = package_slug(report.report)
        if slug in seen:
            first = " + ".join(map(str, seen[slug]))
            raise FiscalpubError(
                f"{first} and {' + '.join(map(str, group))} make the same package {slug} "
                "(same department, year, kind and scope as read): nothing written"
            )
        seen[slug] = group


def package_report(
    report: Report,
    group: list[Path],
    out: Path,
    *,
    findings: list[Finding],
    base_iri: str | None = None,
    licence: dict[str, str] | None = None,
    charts: bool = True,
) -> BuiltReport:
    """Build and write one report's package with the validator's `findings`; with a
    real `base_iri` (not the placeholder) the package's id is its dataset IRI."""
    iri = dataset_iri(base_iri, package_slug(report.report)) if base_iri else None
    package = build_package(
        report,
        licence=licence,
        extra_findings=findings,
        dataset_iri=iri,
        source_files=[(p.name, p.read_bytes()) for p in group if p.is_file()],
        with_charts=charts,
    )
    return BuiltReport(report, package, write_package(package, out))


def build(
    groups: list[list[Path]],
    out: Path,
    *,
    base_iri: str | None = None,
    licence: dict[str, str] | None = None,
    charts: bool = True,
    progress: Callable[[BuiltReport], None] | None = None,
) -> list[BuiltReport]:
    """One package per report (a group of files) in `out`, each written all or nothing,
    none before every report has been read and checked (load_reports)."""
    built = []
    for group, report in load_reports(groups):
        done = package_report(
            report,
            group,
            out,
            findings=validate_report(report),
            base_iri=base_iri,
            licence=licence,
            charts=charts,
        )
        if progress is not None:
            progress(done)
        built.append(done)
    return built


# --------------------------------------------------------------------------- validate


class NotATarget(FiscalpubError):
    """A path given to validate that is neither a package, a folder of packages nor a
    report (the caller named something that is not there: a usage error)."""


def validate(
    paths: list[Path],
    parts: list[Path] | None = None,
    *,
    strict: bool = False,
    accepted: set[str] | frozenset[str] = frozenset(),
    with_rdf: bool = False,
    rdf_checked: Callable[[str, int, int], None] | None = None,
) -> list[Outcome]:
    """Each target checked: package defects, then the source's contradictions (the
    rules) sorted into accepted (their ids in `accepted`, a baseline) and new ones.
    With `with_rdf` a package's RDF export is checked too (rdf_checked(name,
    observations, violations) is told each result)."""
    targets: list[tuple[Path | list[Path], str]] = list(defects.targets(paths))
    if parts:
        targets.append((parts, "report"))
    outcomes: list[Outcome] = []
    for target, kind in targets:
        if kind == "package" and isinstance(target, Path):
            checked = defects.check_package(target)
            if with_rdf:
                checked.defects += rdf_defects(target, PLACEHOLDER_BASE, rdf_checked)
        elif kind == "report":
            files = target if isinstance(target, list) else [target]
            for part in files:
                if not part.exists():
                    raise NotATarget(f"{part}: no such file or folder")
            checked = defects.check_report(files)
        else:
            raise NotATarget(f"{target}: no datapackage.json in it or its sub-folders")
        found = validate_report(checked.report) if checked.report else []
        outcome = Outcome(checked, strict=strict)
        for f in found:
            (outcome.accepted if f.id in accepted else outcome.contradictions).append(f)
        outcomes.append(outcome)
    return outcomes


# ------------------------------------------------------------------------- export, push


@dataclass
class Exported:
    """The packages' RDF Data Cube, serialised."""

    data: bytes
    triples: int


def export(packages: Iterable[Path], base_iri: str, fmt: str) -> Exported:
    """Packages (or folders of packages) as one RDF Data Cube in `fmt` (turtle, nt,
    jsonld): every triple once, in a stable order."""
    triples = set()
    for path in find_packages(packages):
        triples.update(cube(read_package(path), base_iri))
    return Exported(serialise(sorted(triples, key=str), fmt), len(triples))


def push(
    packages: Iterable[Path],
    graph_store: str,
    *,
    config: Config,
    token: str | None = None,
    with_vocab: bool = True,
    timeout: float = 60.0,
) -> list[PushResult]:
    """Each package's own triples to the named graph of its dataset IRI (replaced), what
    datasets share and the vocabulary merged into the vocabulary graph (SPARQL 1.1 Graph
    Store Protocol).  Refuses the placeholder base IRI."""
    config.require_real_base("push")
    graphs: dict[str, bytes] = {}
    shared: set[Any] = set()
    for path in find_packages(packages):
        package = read_package(path)
        iri = package_iri(package, config.base_iri)
        own, common = split(cube(package, config.base_iri), iri)
        graphs[iri] = serialise(own, "nt")
        shared.update(common)
    if with_vocab:
        shared.update(vocab_triples())
        graphs[VOCAB_GRAPH] = serialise(sorted(shared, key=str), "nt")
    return push_graphs(graphs, graph_store, timeout=timeout, token=token, merge={VOCAB_GRAPH})


# ---------------------------------------------------------------------------- publish


class NoDatasetIri(FiscalpubError):
    """A package built without a dataset IRI cannot be published under the placeholder
    base IRI: its datasets would be named after nobody's domain."""


def _nothing(*args: Any) -> None:
    """A callback that is told and does nothing."""


@dataclass
class PublishEvents:
    """What `publish` tells its caller as it goes (the command line prints it)."""

    refused: Callable[[list[dict[str, Any]]], None] = _nothing  # packages with defects
    started: Callable[[str, int], None] = _nothing  # a dataset, the bytes to upload
    step: Callable[[Action], None] = _nothing  # one action applied
    failed: Callable[[str, PublishError], None] = _nothing  # a dataset that failed


@dataclass
class Published:
    """What publishing did (or, dry, would do), for the summary."""

    portal: str
    dry_run: bool
    plans: list[Plan] = field(default_factory=list)
    done: list[Plan] = field(default_factory=list)  # applied completely
    totals: dict[str, int] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The counts `fiscalpub publish` prints (and --json dumps)."""
        counted = self.plans if self.dry_run else self.done  # a failed dataset: failed only
        return {
            "portal": self.portal,
            "dry_run": self.dry_run,
            "datasets": {
                verb: sum(1 for p in counted if p.dataset_verb == verb)
                for verb in ("create", "update", "unchanged")
            },
            "resources": {
                verb: sum(
                    1
                    for p in counted
                    for a in p.actions
                    if a.target == "resource" and a.verb == verb
                )
                for verb in ("create", "update", "patch", "delete", "skip")
            },
            "bytes_uploaded": 0 if self.dry_run else self.totals.get("bytes", 0),
            "calls": self.calls,
            "retries": self.retries,
            "refused": self.refused,
            "failed": self.failed,
            "seconds": self.seconds,
        }

    def plan(self) -> list[dict[str, Any]]:
        """Each dataset's actions (--json)."""
        return [
            {
                "dataset": p.desired.name,
                "iri": p.desired.iri,
                "actions": [a.as_dict() for a in p.actions],
            }
            for p in self.plans
        ]


@dataclass(frozen=True)
class PublishOptions:
    """How to publish (the `publish` command's options, carried as one value from the
    CLI to the library): every dataset into `org` (else each department's organisation,
    created when missing if `create_orgs`), packages with defects too (`allow_invalid`),
    plan only (`dry_run`), the read timeout per call in seconds."""

    org: str | None = None
    create_orgs: bool = True
    allow_invalid: bool = False
    dry_run: bool = False
    timeout: float = 120.0


def publish(
    packages: Iterable[Path],
    *,
    portal: str,
    token: str | None,
    config: Config,
    options: PublishOptions = PublishOptions(),
    events: PublishEvents | None = None,
) -> Published:
    """Each package to its dataset on a CKAN portal, safe to re-run (publish.sync plans
    from reads, then applies).  A package with package defects is refused unless
    `allow_invalid`; a dataset that fails does not stop the others, but a refused token
    or permission (PortalRefused) does: the next ones would be refused too."""
    from fiscalpub.publish.client import Client, PortalRefused, PublishError
    from fiscalpub.publish.sync import apply, plan

    events = events or PublishEvents()
    started = time.perf_counter()
    org = options.org
    wanted, refused = _publishable(find_packages(packages), config, org, options.allow_invalid)
    events.refused(refused)
    client = Client(portal, token, timeout=(10.0, options.timeout))
    result = Published(portal, options.dry_run, refused=refused)
    for d in wanted:
        try:
            p = plan(client, d, create_orgs=options.create_orgs and org is None)
            result.plans.append(p)
            if options.dry_run:
                continue
            events.started(d.name, sum(a.bytes for a in p.actions))
            for k, v in apply(client, p, events.step).items():
                result.totals[k] = result.totals.get(k, 0) + v
            result.done.append(p)
        except PublishError as exc:
            result.failed.append(d.name)
            events.failed(d.name, exc)
            if isinstance(exc, PortalRefused):
                break  # the same token will be refused for the next ones too
    result.calls, result.retries = dict(client.calls), client.retries
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _publishable(
    paths: list[Path], config: Config, org: str | None, allow_invalid: bool
) -> tuple[list[Desired], list[dict[str, Any]]]:
    """What each package should be on the portal, and the packages refused (package
    defects, or unreadable) with their first defects."""
    from fiscalpub.publish.desired import desired

    refused: list[dict[str, Any]] = []
    wanted = []
    for path in paths:
        checked = defects.check_package(path)
        if checked.defects and not allow_invalid:
            refused.append(
                {"package": path.name, "defects": [f.message for f in checked.defects][:5]}
            )
            continue
        try:
            package = read_package(path)
        except FiscalpubError as exc:
            refused.append({"package": path.name, "defects": [str(exc)]})
            continue
        if not package.descriptor.get("id") and config.is_placeholder:
            raise NoDatasetIri(
                f"{path.name} has no dataset IRI and the base IRI is the placeholder: "
                "set --base-iri, $FISCALPUB_BASE_IRI or `base_iri:` in fiscalpub.yaml "
                "(or build with --base-iri)"
            )
        wanted.append(desired(package, config.base_iri, org))
    return wanted, refused


# ------------------------------------------------------------------------- vocabulary


def build_vocabulary(
    groups: list[list[Path]], progress: Callable[[str], None] | None = None
) -> vocab_files.Built:
    """The vocabulary files built from reports (vocab.files.build) plus the Data Cube
    structure every dataset shares (cube.ttl, from the RDF stage): the vocabulary does
    not import the RDF stage, so they meet here."""
    built = vocab_files.build(groups, progress)
    built.files["cube.ttl"] = cube_turtle()
    return built
