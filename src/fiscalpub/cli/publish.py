"""`fiscalpub publish`: packages to a CKAN portal, safely and idempotently."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiscalpub.cli._common import (
    base_option,
    config_option,
    load_config,
    options,
    publish_packages,
)

PUBLISH_OPTIONS = options(
    click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option(
        "--ckan-url",
        help="The portal, e.g. https://data.example.gov.cn (or $CKAN_URL, or `ckan_url` in "
        "the config file).",
    ),
    click.option(
        "--api-token-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="File holding the API token (else $CKAN_API_TOKEN, else `ckan_api_token` in the "
        "config file). Never a command-line value: `ps` would show it.",
    ),
    click.option("--org", help="Publish every dataset into this organisation (its name)."),
    click.option(
        "--create-orgs/--no-create-orgs",
        default=True,
        show_default=True,
        help="Create a department's organisation when it is missing (needs a sysadmin token).",
    ),
    click.option(
        "--allow-invalid", is_flag=True, help="Publish packages with package defects too."
    ),
    click.option("--dry-run", is_flag=True, help="Print the plan; change nothing on the portal."),
    click.option("--json", "as_json", is_flag=True, help="Print the plan / summary as JSON."),
    click.option("--quiet", is_flag=True, help="No progress bar."),
    click.option("--timeout", default=120.0, show_default=True, help="Read timeout per call (s)."),
    base_option,
    config_option,
)


@click.command("publish")
@PUBLISH_OPTIONS
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
    from fiscalpub.api import PublishOptions  # here, not at start-up: `--help` stays fast

    cfg = load_config(config_file, base_iri)
    code = publish_packages(
        packages,
        cfg,
        ckan_url=ckan_url,
        api_token_file=api_token_file,
        options=PublishOptions(org, create_orgs, allow_invalid, dry_run, timeout),
        as_json=as_json,
        quiet=quiet,
    )
    sys.exit(code)
