"""What the command modules share: options, the main group's error handling, and the
rendering of what publishing and pushing did (`publish`, `push` and `run --publish
--push` print the same).  The command modules never import each other, only this.

The library (fiscalpub.api and below) is imported inside the functions that need it:
`fiscalpub --help` must not load pyoxigraph, frictionless, ckanapi, PIL or fontTools.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fiscalpub.errors import FiscalpubError

if TYPE_CHECKING:
    from fiscalpub.api import Published, PublishOptions
    from fiscalpub.config import Config
    from fiscalpub.publish.sync import Action
    from fiscalpub.rdf.push import PushResult

F = TypeVar("F", bound=Callable[..., Any])

DATA_HELP = "A package or a folder of packages (repeatable)."


def options(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """click's argument and option decorators, applied in the order written: a command
    with many options declares them as one value (e.g. RUN_OPTIONS) above it."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


base_option = click.option(
    "--base-iri",
    help="Base IRI of the data (datasets, observations): {base}dataset/{package name}. "
    "Default: $FISCALPUB_BASE_IRI, `base_iri` in fiscalpub.yaml, else a placeholder.",
)
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML configuration file (default: ./fiscalpub.yaml when present).",
)
data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help=DATA_HELP + "  [default: datapackages]",
)

part_option = click.option(
    "--part",
    "parts",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file of one report published as several files (repeat: --part narrative.pdf "
    "--part tables.pdf): the --part files together are one report.",
)


def folder_option(default: str, help: str) -> Callable[[F], F]:
    """-o/--output: the folder a command writes into (never an empty path)."""
    return click.option(
        "-o",
        "--output",
        type=OutputPath(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )


class OutputPath(click.Path):
    """click.Path that refuses an empty path: `-o ''` became Path(''), the current folder,
    and a package was written where nobody meant it."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            self.fail("an empty path", param, ctx)
        return super().convert(value, param, ctx)


class Main(click.Group):
    """Every command ends in one line, never a traceback: a deliberate error
    (FiscalpubError) or an output that cannot be written (OSError: a path below a
    file, a read-only folder, a full disk) is ``Error: …`` and exit 1; Ctrl-C exits
    130 like other Unix tools."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk behind `> file` is an error, not a lost output
            return result
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return None
        except FiscalpubError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(os_error(exc)) from None
        except KeyboardInterrupt:
            click.echo("Aborted.", err=True)
            ctx.exit(130)


def os_error(exc: OSError) -> str:
    """One line for an OSError: the path and the system's reason."""
    where = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}" if where else reason


def fail(exc: Exception) -> None:
    """One line on stderr and exit 1."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


def load_config(config_file: Path | None, base_iri: str | None) -> Config:
    """The configuration, or a usage error (exit 2) naming what is wrong."""
    from fiscalpub import config

    try:
        return config.load(config_file, base_iri=base_iri)
    except FiscalpubError as exc:
        raise click.UsageError(str(exc)) from exc


def report_groups(
    paths: tuple[Path, ...],
    parts: tuple[Path, ...],
    *,
    out: Path | None = None,
    jobs: int = 1,
    keep: Path | None = None,
) -> tuple[list[list[Path]], list[str]]:
    """The reports the arguments name: each file is a report, a folder holds reports
    grouped by fiscalpub.grouping (report.yaml, or a narrative file and a tables file that
    agree), and the --part files together are one.  A path is always a path.  Usage
    errors (exit 2) for a missing path or a bad report.yaml.  `keep`: pipeline.find_reports."""
    from fiscalpub.grouping import GroupingError
    from fiscalpub.pipeline import find_reports

    for path in (*paths, *parts):
        if not path.exists():
            raise click.UsageError(f"{path}: no such file or folder")
    unique = list({p.resolve(): p for p in reversed(parts)}.values())[::-1]
    try:
        groups, notes = find_reports(paths, out, jobs, keep) if paths else ([], [])
    except GroupingError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # the probe cache in OUT
        raise click.ClickException(f"{out}: cannot write ({exc.strerror or exc})") from None
    if unique:
        # a --part file found in a given folder too is part of its --part report only
        claimed = {p.resolve() for p in unique}
        rest = []
        for group in groups:
            kept = [p for p in group if p.resolve() not in claimed]
            if kept and len(kept) < len(group):
                notes.append(
                    f"{' + '.join(p.name for p in group)}: grouped in {group[0].parent}, but "
                    f"--part takes {', '.join(p.name for p in group if p not in kept)}"
                )
            if kept:
                rest.append(kept)
        groups = [*rest, unique]
    return groups, notes


# ---------------------------------------------------------------------------- publish


def publish_packages(
    packages: tuple[Path, ...],
    cfg: Config,
    *,
    ckan_url: str | None = None,
    api_token_file: Path | None = None,
    options: PublishOptions | None = None,
    as_json: bool = False,
    quiet: bool = False,
) -> int:
    """`fiscalpub publish` (and `run --publish`): the portal and token from the options,
    the environment or the configuration; progress and failures on stderr, the summary
    on stdout; the exit code."""
    from fiscalpub import api  # not at start-up (ckanapi, pyoxigraph, frictionless)

    options = options or api.PublishOptions()
    url = ckan_url or os.environ.get("CKAN_URL") or cfg.ckan_url
    if not url:
        raise click.UsageError(
            "no portal: give --ckan-url, set $CKAN_URL or `ckan_url` in the config"
        )
    if not url.startswith(("http://", "https://")):
        raise click.UsageError(f"--ckan-url must be an http(s) URL, got {url!r}")
    token = _ckan_token(api_token_file, cfg.ckan_api_token)
    if not token and not options.dry_run:
        raise click.UsageError(
            "no API token: set $CKAN_API_TOKEN, `ckan_api_token` in the config, or --api-token-file"
        )
    progress = Progress(enabled=not quiet and not as_json and sys.stderr.isatty())
    events = api.PublishEvents(
        refused=_tell_refused,
        started=progress.start,
        step=progress.step,
        failed=lambda name, exc: click.echo(f"Error: {name}: {exc}", err=True),
    )
    try:
        published = api.publish(
            packages,
            portal=url,
            token=token,
            config=cfg,
            options=options,
            events=events,
        )
    except FiscalpubError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 1
    finally:
        progress.stop()
    _show_published(published, as_json)
    return 1 if published.refused or published.failed else 0


def _ckan_token(token_file: Path | None, from_config: str | None) -> str | None:
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise click.UsageError(f"cannot read --api-token-file: {exc.strerror}") from None
        if not text:
            raise click.UsageError(f"{token_file} is empty")
        return text
    return os.environ.get("CKAN_API_TOKEN") or from_config


def _tell_refused(refused: list[dict[str, Any]]) -> None:
    for r in refused:
        click.echo(
            f"Refused {r['package']}: package defects (use --allow-invalid to publish anyway):\n  "
            + "\n  ".join(r["defects"]),
            err=True,
        )


def _show_published(published: Published, as_json: bool) -> None:
    """The plan (--dry-run) and the summary line, or both as JSON."""
    summary = published.summary()
    if as_json:
        click.echo(json.dumps({**summary, "plan": published.plan()}, ensure_ascii=False, indent=2))
        return
    dry_run = published.dry_run
    if dry_run:
        for p in published.plans:
            click.echo(f"{p.desired.name}: {p.dataset_verb}")
            for a in p.actions:
                size = f" ({a.bytes:,} bytes)" if a.bytes else ""
                detail = f" — {a.detail}" if a.detail else ""
                click.echo(f"  {a.verb:<8} {a.target:<12} {a.name}{size}{detail}")
    ds, rs = summary["datasets"], summary["resources"]
    refused, failed = published.refused, published.failed
    click.echo(
        f"{'Would publish' if dry_run else 'Published'} to {published.portal}: "
        f"datasets {ds['create']} created, {ds['update']} updated, "
        f"{ds['unchanged']} unchanged; "
        f"resources {rs['create']} created, {rs['update']} updated, {rs['patch']} patched, "
        f"{rs['delete']} deleted, {rs['skip']} unchanged; "
        f"{summary['bytes_uploaded']:,} bytes uploaded"
        + (f"; {len(refused)} refused" if refused else "")
        + (f"; {len(failed)} failed" if failed else "")
    )


class Progress:
    """A rich progress bar on stderr (a terminal only): one task per dataset."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def start(self, name: str, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import (  # only when a bar is shown
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

    def step(self, action: Action) -> None:
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


# ------------------------------------------------------------------------------- push


def push_packages(
    packages: tuple[Path, ...],
    graph_store: str,
    cfg: Config,
    *,
    token_file: Path | None = None,
    no_vocab: bool = False,
    timeout: float = 60.0,
    as_json: bool = False,
) -> int:
    """`fiscalpub push` (and `run --push`): the token from a file or the environment;
    one line (or a JSON object) per graph; the exit code."""
    from fiscalpub import api  # not at start-up (pyoxigraph)
    from fiscalpub.rdf.store import VOCAB_GRAPH

    try:
        token = None
        if token_file:
            token = token_file.read_text(encoding="utf-8").strip()
        elif os.environ.get("FISCALPUB_GRAPH_STORE_TOKEN"):
            token = os.environ["FISCALPUB_GRAPH_STORE_TOKEN"]
        results = api.push(
            packages or (Path("datapackages"),),
            graph_store,
            config=cfg,
            token=token,
            with_vocab=not no_vocab,
            timeout=timeout,
        )
    except FiscalpubError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 1
    if as_json:
        click.echo(json.dumps([_pushed(r) for r in results], indent=2))
    else:
        for r in results:
            state = "created" if r.created else "replaced" if r.graph != VOCAB_GRAPH else "merged"
            click.echo(f"{state:<8} {r.triples:>8} triples  <{r.graph}>")
    return 0


def _pushed(r: PushResult) -> dict[str, Any]:
    return {"graph": r.graph, "status": r.status, "triples": r.triples, "created": r.created}
