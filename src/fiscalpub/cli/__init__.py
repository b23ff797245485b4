"""The command line: a thin shell over fiscalpub.api (parse options, call, render, set the
exit code).  One module per command or family of commands; what they share (options,
errors, rendering) is in `_common`, and no command module imports another."""

from __future__ import annotations

import click

from fiscalpub import __version__
from fiscalpub.cli import build, linked, parse, publish, run, validate, vocab
from fiscalpub.cli._common import Main


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fiscalpub")
def main() -> None:
    """fiscalpub: exact, validated open data from 部门预算 / 部门决算 reports.

    \b
    Example:
      fiscalpub parse examples/003_c8682c8f72d65ec9.txt
    """


for command in (
    parse.parse,
    vocab.vocab,
    build.build,
    validate.validate,
    linked.rdf,
    linked.query,
    linked.serve,
    linked.push,
    publish.publish,
    run.run,
):
    main.add_command(command)
