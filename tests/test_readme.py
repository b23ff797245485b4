"""The README's commands and example output stay true."""

from __future__ import annotations

import re

from click.testing import CliRunner

from fiscalpub.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _sh_blocks()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_run_command_uses_shipped_examples() -> None:
    run_command = _sh_blocks()[0]
    assert "fiscalpub run examples/ -o datapackages" in run_command
    assert "fiscalpub validate datapackages/" in run_command
    assert list((ROOT / "examples").glob("*.txt"))


def test_readme_example_output_is_current() -> None:
    m = re.search(r"```console\n\$ fiscalpub parse (\S+)\n(.*?)```", README, re.S)
    assert m is not None
    result = CliRunner().invoke(main, ["parse", str(ROOT / m.group(1))])
    assert result.exit_code == 0
    assert result.stdout == m.group(2)


def test_readme_sparql_example_gives_its_output() -> None:
    import pyoxigraph as ox

    query = re.search(r"```sparql\n(.*?)```", README, re.S)
    output = re.search(r"```text\n(.*?)```", README, re.S)
    assert query and output
    store = ox.Store()
    for name in ("codes", "cofog", "departments", "fiscalpub"):
        store.load(path=str(ROOT / "vocab" / f"{name}.ttl"), format=ox.RdfFormat.TURTLE)
    rows = [" ".join(term.value for term in s) for s in store.query(query.group(1))]
    assert rows == output.group(1).strip().splitlines()


def test_readme_lists_every_rule_of_the_catalogue() -> None:
    from fiscalpub.validate.output import rule_catalogue

    for rule_id, doc in rule_catalogue().items():
        assert f"| `{rule_id}` | {doc['severity']} |" in README


def test_ci_recipes_are_valid_and_run_the_validator() -> None:
    import yaml

    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)\n```", README, re.S)]
    workflow = next(b for b in blocks if "jobs" in b)
    steps = [s.get("run", "") for s in workflow["jobs"]["validate"]["steps"]]
    assert any(r.startswith("fiscalpub validate datapackages/") for r in steps)
    config = next(b for b in blocks if "repos" in b)
    (hook,) = config["repos"][0]["hooks"]
    defined = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (entry,) = [h for h in defined if h["id"] == hook["id"]]
    # the hook as pre-commit would run it, on the committed packages
    argv = entry["entry"].split()[1:] + [str(ROOT / a) for a in hook["args"]]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output


def test_readme_query_example_gives_its_output() -> None:
    m = re.search(r"```console\n\$ fiscalpub query (\S+)\n(.*?)```", README, re.S)
    assert m is not None
    result = CliRunner().invoke(
        main, ["query", str(ROOT / m.group(1)), "--data", str(ROOT / "datapackages")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == m.group(2)


def test_readme_names_every_example_query_and_table() -> None:
    for query in (ROOT / "docs" / "queries").glob("*.rq"):
        assert f"`{query.name}`" in README
    from fiscalpub.registry import tables

    section = README.split("**Which table answers which question.**")[1].split("```")[0]
    for table in ("expenditure", "gpb_expenditure", "gpb_basic_expenditure", "three_public"):
        assert table in tables() and f"`{table}`" in section
