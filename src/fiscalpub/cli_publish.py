"""`fiscalpub publish`: packages to a CKAN portal, safely and idempotently."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from fiscalpub.cli_options import base_option, config_option, load_config
from fiscalpub.errors import FiscalpubError


def _token(token_file: Path | None, from_config: str | None) -> str | None:
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise click.UsageError(f"cannot read --api-token-file: {exc.strerror}") from None
        if not text:
            raise click.UsageError(f"{token_file} is empty")
        return text
    return os.environ.get("CKAN_API_TOKEN") or from_config


@click.command("publish")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--ckan-url",
    help="The portal, e.g. https://data.example.gov.cn (or $CKAN_URL, or `ckan_url` in "
    "the config file).",
)
@click.option(
    "--api-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the API token (else $CKAN_API_TOKEN, else `ckan_api_token` in the "
    "config file). Never a command-line value: `ps` would show it.",
)
@click.option("--org", help="Publish every dataset into this organisation (its name).")
@click.option(
    "--create-orgs/--no-create-orgs",
    default=True,
    show_default=True,
    help="Create a department's organisation when it is missing (needs a sysadmin token).",
)
@click.option("--allow-invalid", is_flag=True, help="Publish packages with package defects too.")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing on the portal.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan / summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--timeout", default=120.0, show_default=True, help="Read timeout per call (s).")
@base_option
@config_option
def publish(
    packages: tuple[Path, ...],
    ckan_url: str | None,
    api_token_file: Path | None,
    org: str | None,
    create_orgs: bool,
    allow_invalid: bool,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
    timeout: float,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Publish packages to a CKAN portal: one dataset per package, safe to re-run.

    Each package becomes (or updates) the dataset named by its slug, in the
    organisation of its department (created when missing), with the package's CSVs
    (each with its Table Schema in the `schema` field), datapackage.json,
    findings.csv, the RDF export (dataset.ttl) and the original report.  Files are
    compared by sha256: unchanged ones are not uploaded, changed ones are updated in
    place, vanished ones deleted; metadata is patched only when it differs.  A new
    dataset stays private until it is complete.  Packages with package defects are
    refused (see `fiscalpub validate`) unless --allow-invalid; the source's own
    contradictions do not block: they are published in findings.csv.

    \b
    The token needs: sysadmin to create organisations; otherwise editor (or admin)
    of the organisations it publishes into.

    \b
    Examples:
      export CKAN_URL=https://data.example.gov.cn CKAN_API_TOKEN=…
      fiscalpub publish datapackages/ --dry-run
      fiscalpub publish datapackages/ --base-iri https://data.example.gov.cn/fiscal/
      fiscalpub publish datapackages/<slug> --org caizhengju --api-token-file ~/.ckan-token

    Exit codes: 0 published (or nothing to do), 1 an error or a refused package,
    2 usage error.
    """
    from fiscalpub.publish.client import Client, PublishError
    from fiscalpub.publish.desired import desired
    from fiscalpub.publish.sync import Plan, apply, plan
    from fiscalpub.rdf.cube import read_package
    from fiscalpub.rdf.store import find_packages
    from fiscalpub.validate.defects import check_package

    cfg = load_config(config_file, base_iri)
    url = ckan_url or os.environ.get("CKAN_URL") or cfg.ckan_url
    if not url:
        raise click.UsageError(
            "no portal: give --ckan-url, set $CKAN_URL or `ckan_url` in the config"
        )
    if not url.startswith(("http://", "https://")):
        raise click.UsageError(f"--ckan-url must be an http(s) URL, got {url!r}")
    token = _token(api_token_file, cfg.ckan_api_token)
    if not token and not dry_run:
        raise click.UsageError(
            "no API token: set $CKAN_API_TOKEN, `ckan_api_token` in the config, or --api-token-file"
        )
    started = time.perf_counter()
    try:
        paths = find_packages(packages)
    except FiscalpubError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)

    refused: list[dict[str, Any]] = []
    wanted = []
    for path in paths:
        checked = check_package(path)
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
        if not package.descriptor.get("id") and cfg.is_placeholder:
            click.echo(
                f"Error: {path.name} has no dataset IRI and the base IRI is the placeholder: "
                "set --base-iri, $FISCALPUB_BASE_IRI or `base_iri:` in fiscalpub.yaml "
                "(or build with --base-iri)",
                err=True,
            )
            sys.exit(1)
        wanted.append(desired(package, cfg.base_iri, org))
    for r in refused:
        click.echo(
            f"Refused {r['package']}: package defects (use --allow-invalid to publish anyway):\n  "
            + "\n  ".join(r["defects"]),
            err=True,
        )

    client = Client(url, token, timeout=(10.0, timeout))
    plans: list[Plan] = []
    done: list[Plan] = []  # applied completely
    totals: dict[str, int] = {}
    failed: list[str] = []
    progress = _Progress(enabled=not quiet and not as_json and sys.stderr.isatty())
    try:
        for d in wanted:
            try:
                p = plan(client, d, create_orgs=create_orgs and org is None)
                plans.append(p)
                if dry_run:
                    continue
                progress.start(d.name, sum(a.bytes for a in p.actions))
                counts = apply(client, p, progress.step)
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
                done.append(p)
            except PublishError as exc:
                failed.append(d.name)
                click.echo(f"Error: {d.name}: {exc}", err=True)
                if "not allowed" in str(exc) or "not accepted" in str(exc):
                    break  # the same token will be refused for the next ones too
    finally:
        progress.stop()

    counted = plans if dry_run else done  # a failed dataset counts as failed only
    summary = {
        "portal": url,
        "dry_run": dry_run,
        "datasets": {
            verb: sum(1 for p in counted if p.dataset_verb == verb)
            for verb in ("create", "update", "unchanged")
        },
        "resources": {
            verb: sum(
                1 for p in counted for a in p.actions if a.target == "resource" and a.verb == verb
            )
            for verb in ("create", "update", "patch", "delete", "skip")
        },
        "bytes_uploaded": 0 if dry_run else totals.get("bytes", 0),
        "calls": dict(client.calls),
        "retries": client.retries,
        "refused": refused,
        "failed": failed,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        out: dict[str, Any] = dict(summary)
        out["plan"] = [
            {
                "dataset": p.desired.name,
                "iri": p.desired.iri,
                "actions": [a.as_dict() for a in p.actions],
            }
            for p in plans
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if dry_run:
            for p in plans:
                click.echo(f"{p.desired.name}: {p.dataset_verb}")
                for a in p.actions:
                    size = f" ({a.bytes:,} bytes)" if a.bytes else ""
                    detail = f" — {a.detail}" if a.detail else ""
                    click.echo(f"  {a.verb:<8} {a.target:<12} {a.name}{size}{detail}")
        ds: dict[str, int] = summary["datasets"]  # type: ignore[assignment]
        rs: dict[str, int] = summary["resources"]  # type: ignore[assignment]
        click.echo(
            f"{'Would publish' if dry_run else 'Published'} to {url}: "
            f"datasets {ds['create']} created, {ds['update']} updated, "
            f"{ds['unchanged']} unchanged; "
            f"resources {rs['create']} created, {rs['update']} updated, {rs['patch']} patched, "
            f"{rs['delete']} deleted, {rs['skip']} unchanged; "
            f"{summary['bytes_uploaded']:,} bytes uploaded"
            + (f"; {len(refused)} refused" if refused else "")
            + (f"; {len(failed)} failed" if failed else "")
        )
    sys.exit(1 if refused or failed else 0)


class _Progress:
    """A rich progress bar on stderr (a terminal only): one task per dataset."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def start(self, name: str, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bar.start()
        self._task = self._bar.add_task(name[:48], total=max(total, 1))

    def step(self, action: Any) -> None:
        if (
            self._bar is not None
            and self._task is not None
            and action.bytes
            and action.verb != "skip"
        ):
            self._bar.advance(self._task, action.bytes)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
