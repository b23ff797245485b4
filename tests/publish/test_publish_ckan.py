"""Publishing to a real CKAN 2.12 with ckanext-dcat (../shared/tools/local-ckan), through a
real proxy that counts the write calls CKAN receives and injects faults."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from fiscalpub.package.reader import read_package
from fiscalpub.rdf.cube import cube, serialise
from tests.publish.conftest import BASE, PACKAGES, Publish, purge
from tests.publish.proxy import Fault, Proxy

pytestmark = pytest.mark.ckan

SMALL = next(p for p in PACKAGES if p.name.startswith("youhaoqu"))


def _descriptor(package: Path) -> dict[str, Any]:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def _expected_files(package: Path) -> dict[str, bytes]:
    d = _descriptor(package)
    files = {"datapackage.json": (package / "datapackage.json").read_bytes()}
    files.update({r["path"]: (package / r["path"]).read_bytes() for r in d["resources"]})
    files["dataset.ttl"] = serialise(cube(read_package(package), BASE), "turtle")
    return files


def _copy(package: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(package, tmp_path / package.name))


def _edit_findings(package: Path) -> None:
    """Change one CSV (a message in findings.csv) and keep the package valid."""
    path = package / "findings.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",error,", ",error,[edited] ", 1)
    assert "[edited]" in lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    data = path.read_bytes()
    d = _descriptor(package)
    for r in d["resources"]:
        if r["path"] == "findings.csv":
            r["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
            r["bytes"] = len(data)
    (package / "datapackage.json").write_text(
        json.dumps(d, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _no_secret(token: str, *texts: str) -> None:
    for text in texts:
        assert token not in text


def test_publish_then_nothing_then_exactly_what_changed(
    admin: Any, proxy: Proxy, publish: Publish, ckan: tuple[str, str], tmp_path: Path
) -> None:
    purge(admin, *(p.name for p in PACKAGES))

    # --dry-run on a portal without the datasets: the plan, and no write reaches CKAN
    dry = publish(*PACKAGES, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout)["datasets"]["create"] == 3
    assert proxy.writes() == []
    assert admin.action.package_search(q="name:youhaoqu*")["count"] == 0

    first = publish(*PACKAGES, "--json")
    assert first.exit_code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["datasets"] == {"create": 3, "update": 0, "unchanged": 0}
    assert summary["bytes_uploaded"] == sum(
        len(b) for p in PACKAGES for b in _expected_files(p).values()
    )
    _no_secret(ckan[1], first.stdout, first.stderr, "\n".join(proxy.log))

    for package in PACKAGES:
        d = _descriptor(package)
        meta = d["fiscalpub"]
        shown = admin.action.package_show(id=package.name)
        assert shown["title"] == d["title"] and shown["private"] is False
        assert shown["organization"]["title"] == meta["department"]
        tags = {t["name"] for t in shown["tags"]}
        # the seeds print no title: 决算, not 部门决算 or 单位决算 (report.scope is null)
        assert meta["scope"] is None
        assert {"决算", str(meta["year"])} <= tags
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert extras["uri"] == f"{BASE}dataset/{package.name}"
        assert extras["temporal_start"] == f"{meta['year']}-01-01"
        assert extras["temporal_end"] == f"{meta['year']}-12-31"
        assert extras["fiscal_year"] == str(meta["year"]) and extras["kind"] == "final"
        assert extras["department"] == meta["department"] and extras["language"] == "zh"
        assert extras["source_sha256"] == d["sources"][0]["sha256"]
        assert extras["fiscalpub_version"] and extras["issued"] and extras["modified"]
        assert "情况说明" in shown["notes"] or "数字" in shown["notes"]
        files = _expected_files(package)
        assert [r["name"] for r in shown["resources"]] == list(_order(package))
        for res in shown["resources"]:
            data = files[res["name"]]
            assert res["hash"] == hashlib.sha256(data).hexdigest()
            assert int(res["size"]) == len(data)
            with urllib.request.urlopen(res["url"], timeout=30) as answer:
                assert answer.read() == data, res["name"]
            if res["name"].endswith(".csv"):
                schema_path = next(r["schema"] for r in d["resources"] if r["path"] == res["name"])
                assert json.loads(res["schema"]) == json.loads(
                    (package / schema_path).read_text(encoding="utf-8")
                )

    # ckanext-dcat: the dataset with its IRI, period, keywords and distributions
    package = PACKAGES[0]
    with urllib.request.urlopen(f"{ckan[0]}/dataset/{package.name}.ttl", timeout=30) as answer:
        graph = Graph().parse(data=answer.read(), format="turtle")
    dataset = URIRef(f"{BASE}dataset/{package.name}")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    period = graph.value(dataset, DCTERMS.temporal)
    year = _descriptor(package)["fiscalpub"]["year"]
    assert str(graph.value(period, DCAT.startDate)) == f"{year}-01-01"
    assert str(graph.value(period, DCAT.endDate)) == f"{year}-12-31"
    assert (dataset, DCAT.keyword, Literal("决算")) in graph  # no title printed: no scope
    assert len(list(graph.objects(dataset, DCAT.distribution))) == len(_expected_files(package))

    # publishing again: zero write calls reach CKAN
    proxy.reset()
    again = publish(*PACKAGES, "--json")
    assert again.exit_code == 0, again.stderr
    assert proxy.writes() == [], proxy.log
    assert json.loads(again.stdout)["datasets"]["unchanged"] == 3

    # one CSV changed: exactly that CSV, the datapackage.json and the Turtle are uploaded
    changed = _copy(PACKAGES[0], tmp_path)
    _edit_findings(changed)
    proxy.reset()
    dry = publish(changed, "--dry-run", "--json")
    actions = json.loads(dry.stdout)["plan"][0]["actions"]
    assert {a["name"] for a in actions if a["action"] != "skip"} == {
        "findings.csv",
        "datapackage.json",
        "dataset.ttl",
    }
    assert proxy.writes() == []
    result = publish(changed)
    assert result.exit_code == 0, result.stderr
    writes = proxy.writes()
    assert {c.action for c in writes} == {"resource_patch"}, proxy.log
    assert sorted(c.resource or "" for c in writes) == [
        "datapackage.json",
        "dataset.ttl",
        "findings.csv",
    ]
    shown = admin.action.package_show(id=changed.name)
    findings = next(r for r in shown["resources"] if r["name"] == "findings.csv")
    with urllib.request.urlopen(findings["url"], timeout=30) as answer:
        assert b"[edited]" in answer.read()

    # and back: the committed package converges the portal again
    proxy.reset()
    back = publish(PACKAGES[0])
    assert back.exit_code == 0 and len(proxy.writes()) == 3


def _order(package: Path) -> list[str]:
    d = _descriptor(package)
    names = ["datapackage.json"]
    for r in d["resources"]:
        names.append(r["path"])
        if r["path"] == "findings.csv":
            names.append("dataset.ttl")
    return names


def test_an_invalid_package_is_refused(proxy: Proxy, publish: Publish, tmp_path: Path) -> None:
    broken = _copy(SMALL, tmp_path)
    facts = broken / "facts.csv"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # hash mismatch
    result = publish(broken)
    assert result.exit_code == 1
    assert "Refused" in result.stderr and "--allow-invalid" in result.stderr
    assert proxy.writes() == []


def test_an_editor_token_gets_a_clear_403(
    admin: Any, proxy: Proxy, publish: Publish, ckan: tuple[str, str], tmp_path: Path
) -> None:
    import ckanapi

    user, org = "fiscalpub-test-editor", "fiscalpub-test-editors"
    try:
        admin.action.user_show(id=user)
    except ckanapi.NotFound:
        admin.action.user_create(
            name=user, email="editor@example.org", password="Editor-Passw0rd-Long"
        )
    try:
        admin.action.organization_show(id=org)
    except ckanapi.NotFound:
        admin.action.organization_create(name=org, title="fiscalpub test editors")
    admin.action.organization_member_create(id=org, username=user, role="editor")
    token = admin.action.api_token_create(user=user, name="fiscalpub-test")["token"]

    # a change to a dataset of an organisation the user is not a member of: a clear 403
    retitled = _copy(SMALL, tmp_path / "retitled")
    d = _descriptor(retitled)
    d["title"] += "（修订）"
    (retitled / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    refused = publish(retitled, token=token)
    assert refused.exit_code == 1
    owner = admin.action.package_show(id=SMALL.name)["organization"]["name"]
    assert f"not allowed to edit dataset {SMALL.name}" in refused.stderr
    assert f"editor or admin of its organisation {owner}" in refused.stderr
    assert "(403)" in refused.stderr
    # a new dataset in that organisation: the same, for creating
    package = _copy(SMALL, tmp_path)
    d = _descriptor(package)
    d["name"] = "fiscalpub-test-editor-dataset"
    (package / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    purge(admin, d["name"])
    create = publish(package, "--org", owner, token=token)
    assert create.exit_code == 1
    assert f"not allowed to create datasets in organisation {owner}" in create.stderr
    _no_secret(token, refused.stdout, refused.stderr, create.stdout, create.stderr)
    _no_secret(token, "\n".join(proxy.log))
    assert not [c for c in proxy.writes() if c.outcome.endswith("200")]

    # into an organisation where it is editor, the same token publishes
    ok = publish(package, "--org", org, token=token)
    assert ok.exit_code == 0, ok.stderr
    assert admin.action.package_show(id=d["name"])["organization"]["name"] == org
    purge(admin, d["name"])


def test_faults_are_retried_without_duplicates(
    admin: Any, proxy: Proxy, publish: Publish, ckan: tuple[str, str]
) -> None:
    purge(admin, SMALL.name)
    proxy.faults = [
        Fault("package_show", "503", times=2),
        Fault("organization_show", "drop-before"),
        # the create reached CKAN, the answer was lost: it must not be repeated blindly
        Fault("package_create", "drop-after"),
        Fault("resource_create", "drop-after"),
        Fault("resource_create", "503"),
        Fault("resource_create", "drop-before"),
        Fault("package_patch", "delay", seconds=1.0),
    ]
    result = publish(SMALL, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["retries"] >= 6
    assert all(f.times == 0 for f in proxy.faults)
    shown = admin.action.package_show(id=SMALL.name)
    names = [r["name"] for r in shown["resources"]]
    assert names == _order(SMALL)  # each resource once
    assert shown["private"] is False
    creates = [c for c in proxy.calls if c.action == "package_create"]
    assert len(creates) == 1  # the lost create was re-read, not repeated
    _no_secret(ckan[1], result.stdout, result.stderr, "\n".join(proxy.log))


def test_a_read_timeout_is_retried(admin: Any, proxy: Proxy, publish: Publish) -> None:
    proxy.faults = [Fault("package_show", "delay", seconds=3.0)]
    result = publish(SMALL, "--timeout", "1", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["retries"] >= 1


def test_a_run_that_gives_up_leaves_nothing_public_and_a_rerun_converges(
    admin: Any, proxy: Proxy, publish: Publish, ckan: tuple[str, str]
) -> None:
    purge(admin, SMALL.name)
    proxy.faults = [Fault("resource_create", "503", times=100)]
    failed = publish(SMALL)
    assert failed.exit_code == 1
    assert "failed after 5 tries" in failed.stderr and "run publish again" in failed.stderr
    half = admin.action.package_show(id=SMALL.name)
    assert half["private"] is True  # created private, never made public half-filled
    proxy.reset()
    again = publish(SMALL)
    assert again.exit_code == 0, again.stderr
    shown = admin.action.package_show(id=SMALL.name)
    assert shown["private"] is False and [r["name"] for r in shown["resources"]] == _order(SMALL)
    proxy.reset()
    assert publish(SMALL).exit_code == 0 and proxy.writes() == []
    _no_secret(ckan[1], failed.stdout, failed.stderr, again.stdout, again.stderr)


def test_ckan_validation_errors_are_shown_field_by_field(
    admin: Any, proxy: Proxy, publish: Publish, tmp_path: Path
) -> None:
    package = _copy(SMALL, tmp_path)
    d = _descriptor(package)
    d["name"] = "x"  # a fine Data Package name, too short for CKAN
    (package / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    result = publish(package)
    assert result.exit_code == 1
    assert "CKAN refused package_create" in result.stderr
    assert "\n  name: " in result.stderr  # one line per field
    # a name that cannot become an IRI is refused before anything is sent
    d["name"] = "Not A Valid Name!"
    (package / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    proxy.reset()
    bad = publish(package, "--allow-invalid")
    assert bad.exit_code == 1 and "must be lower-case" in bad.stderr
    assert proxy.writes() == []


def test_a_bad_token_is_one_clear_line(
    proxy: Proxy, publish: Publish, ckan: tuple[str, str], tmp_path: Path
) -> None:
    retitled = _copy(SMALL, tmp_path)
    d = _descriptor(retitled)
    d["title"] += "（修订）"
    (retitled / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    bad = "not-a-real-token-" + "x" * 40
    result = publish(retitled, token=bad)
    assert result.exit_code == 1
    assert result.stderr.count("\n") <= 2 and "the API token was not accepted" in result.stderr
    _no_secret(bad, result.stdout, result.stderr, "\n".join(proxy.log))


def test_token_from_a_file_and_portal_from_the_config(
    ckan: tuple[str, str], proxy: Proxy, tmp_path: Path
) -> None:
    from fiscalpub.cli import main
    from tests.conftest import cli_runner

    token_file = tmp_path / "token"
    token_file.write_text(ckan[1] + "\n", encoding="utf-8")
    config = tmp_path / "fiscalpub.yaml"
    config.write_text(
        f"ckan_url: {proxy.url}\nbase_iri: {BASE}\n",  # type: ignore[attr-defined]
        encoding="utf-8",
    )
    result = cli_runner().invoke(
        main,
        [
            "publish",
            str(SMALL),
            "--config",
            str(config),
            "--api-token-file",
            str(token_file),
            "--json",
        ],
        env={"CKAN_URL": "", "CKAN_API_TOKEN": "", "FISCALPUB_BASE_IRI": ""},
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["portal"] == proxy.url  # type: ignore[attr-defined]
    missing = cli_runner().invoke(
        main,
        ["publish", str(SMALL), "--config", str(config)],
        env={"CKAN_URL": "", "CKAN_API_TOKEN": ""},
    )
    assert missing.exit_code == 2 and "no API token" in missing.stderr
