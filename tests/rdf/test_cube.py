"""The RDF Data Cube export: W3C integrity constraints and SHACL on every shipped
package (and on corpus packages), exact amounts, round trips, the CLI, the base IRI."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from fiscalpub.package.reader import read_package
from fiscalpub.rdf import integrity
from fiscalpub.rdf.checks import check_export, shacl
from fiscalpub.rdf.cube import FORMATS, cube, dataset_iri, serialise
from fiscalpub.rdf.store import find_packages, load, vocab_dir
from tests.conftest import ROOT, cli_runner

BASE = "https://data.example.org/fiscalpub/"
SHIPPED = find_packages([ROOT / "datapackages"])
QB = "http://purl.org/linked-data/cube#"
FP = "https://w3id.org/fiscalpub/def#"


def _placed(package: Path) -> list[dict[str, str]]:
    with (package / "line_items.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["column"]]


def _observations(triples: list[ox.Triple]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t in triples:
        out.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
    return {s: po for s, po in out.items() if po.get(QB + "dataSet")}


@pytest.mark.parametrize("package", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_package_is_a_well_formed_cube(package: Path) -> None:
    data = serialise(cube(read_package(package), BASE), "nt")
    assert integrity.check(data) == []
    assert shacl(data) == []


@pytest.mark.corpus
def test_corpus_packages_are_well_formed_cubes(corpus_packages: Path) -> None:
    packages = find_packages([corpus_packages])
    assert len(packages) == 5
    for package in packages:
        data = serialise(cube(read_package(package), BASE), "nt")
        assert check_export(data) == [], package.name


@pytest.mark.parametrize("package", SHIPPED, ids=[p.name for p in SHIPPED])
def test_one_observation_per_placed_cell_with_the_exact_amount(package: Path) -> None:
    triples = cube(read_package(package), BASE)
    observations = _observations(triples)
    placed = _placed(package)
    assert len(observations) == len(placed)
    ds = dataset_iri(BASE, package.name)
    for li in placed:
        key = li["code"] or li["row"]
        obs = observations[f"{ds}/obs/{li['table']}/{key}/{li['column']}"]
        assert Decimal(obs[FP + "amount"]) == Decimal(li["amount"])
        assert obs[FP + "printedValue"] == li["printed"]
        assert obs[FP + "printedUnit"] == li["unit"]
        decimals = len(li["printed"].split(".")[1]) if "." in li["printed"] else 0
        assert int(obs[FP + "printedDecimals"]) == decimals
        assert obs["http://www.w3.org/ns/prov#wasDerivedFrom"].endswith(f"#page={li['page']}")


def test_unplaced_cells_are_not_observations() -> None:
    package = ROOT / "datapackages" / "anyangshibeiguanqu-yiliaobaozhangju-2022-final-4b3e5e"
    with (package / "line_items.csv").open(encoding="utf-8") as fh:
        unplaced = [r for r in csv.DictReader(fh) if not r["column"]]
    assert len(unplaced) == 38  # seed 004's zeros nothing can place (issue 2)
    observations = _observations(cube(read_package(package), BASE))
    assert len(observations) == 369 - 38


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_is_isomorphic(fmt: str) -> None:
    package = SHIPPED[-1]
    triples = cube(read_package(package), BASE)
    original = Graph().parse(data=serialise(triples, "nt"), format="nt")
    data = serialise(triples, fmt)
    back_ox = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, FORMATS[fmt])}
    assert back_ox == set(triples)
    if fmt == "jsonld":  # rdflib reads JSON-LD too; compare through it as well
        again = Graph().parse(data=data, format="json-ld")
    else:
        again = Graph().parse(data=data, format={"turtle": "turtle", "nt": "nt"}[fmt])
    assert len(again) == len(original) > 3000
    assert isomorphic(again, original)


def test_vocabulary_and_exports_together_satisfy_the_vocabulary_shapes() -> None:
    """Concepts an export describes (known or minted) agree with the vocabulary: one
    Chinese label, notation, scheme, edition year …"""
    import pyshacl

    data = Graph()
    for name in ("codes", "cofog", "departments", "fiscalpub", "cube"):
        data.parse(ROOT / "vocab" / f"{name}.ttl")
    for package in SHIPPED:
        data.parse(data=serialise(cube(read_package(package), BASE), "nt"), format="nt")
    shapes = Graph().parse(ROOT / "vocab" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, text


def test_every_concept_an_observation_uses_is_in_its_code_list() -> None:
    """IC-19 is meaningful: the function / economic code lists are the classification
    schemes, and every edition concept is in them (not only in its year's scheme)."""
    loaded = load(SHIPPED, BASE)
    rows = list(
        loaded.store.query(
            """
            PREFIX qb: <http://purl.org/linked-data/cube#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?dim ?list (COUNT(DISTINCT ?v) AS ?n) WHERE {
              ?dim qb:codeList ?list . ?o ?dim ?v .
              FILTER NOT EXISTS { ?v skos:inScheme ?list }
            } GROUP BY ?dim ?list""",
            use_default_graph_as_union=True,
        )
    )
    assert rows == []
    used = loaded.store.query(
        """PREFIX fp: <https://w3id.org/fiscalpub/def#>
        SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE { ?o fp:functionalClassification ?v }""",
        use_default_graph_as_union=True,
    )
    assert int(next(iter(used))["n"].value) > 30  # 36 edition concepts and _Z


def test_export_is_byte_reproducible() -> None:
    package = read_package(SHIPPED[0])
    for fmt in FORMATS:
        assert serialise(cube(package, BASE), fmt) == serialise(cube(package, BASE), fmt)


def test_dataset_metadata() -> None:
    package = SHIPPED[0]
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    loaded = load([package], BASE, with_vocab=False)
    ds = dataset_iri(BASE, package.name)
    result = loaded.store.query(
        f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?title ?start ?end ?file ?size ?sha WHERE {{
          <{ds}> dct:title ?title ; dct:temporal ?t ; dcat:distribution ?d .
          ?t dcat:startDate ?start ; dcat:endDate ?end .
          ?d dct:title ?file ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sha .
        }}""",
        use_default_graph_as_union=True,
    )
    rows = [
        {k: r[k].value for k in ("title", "start", "end", "file", "size", "sha")} for r in result
    ]
    assert {r["title"] for r in rows} == {descriptor["title"]}
    assert {(r["start"], r["end"]) for r in rows} == {("2022-01-01", "2022-12-31")}
    import hashlib

    files = {r["file"]: r for r in rows}
    assert set(files) == {r["path"] for r in descriptor["resources"]}
    for rel, r in files.items():
        data = (package / rel).read_bytes()
        assert int(r["size"]) == len(data)
        assert r["sha"] == hashlib.sha256(data).hexdigest()


def test_the_vocabulary_is_found(tmp_path: Path) -> None:
    folder = vocab_dir()
    assert (folder / "codes.ttl").read_bytes() == (ROOT / "vocab" / "codes.ttl").read_bytes()
    assert (folder / "cube-shapes.ttl").is_file()


# ---------------------------------------------------------------- the command line


def test_rdf_cli_formats_and_base_iri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fiscalpub.cli import main

    runner = cli_runner()
    out = tmp_path / "cube.ttl"
    result = runner.invoke(main, ["rdf", str(ROOT / "datapackages"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "placeholder base IRI" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "@prefix qb:" in text and f"<{BASE}dataset/" in text
    for fmt, name in (("nt", "cube.nt"), ("jsonld", "cube.jsonld")):
        result = runner.invoke(
            main,
            [
                "rdf",
                str(ROOT / "datapackages"),
                "-o",
                str(tmp_path / name),
                "--base-iri",
                "https://data.example.gov.cn/fiscal",
            ],
        )
        assert result.exit_code == 0, result.stderr
        assert "placeholder" not in result.stderr
        data = (tmp_path / name).read_bytes()
        assert set(ox.parse(data, FORMATS[fmt])) == set(
            ox.parse(
                serialise(
                    sorted(
                        {
                            t
                            for p in SHIPPED
                            for t in cube(read_package(p), "https://data.example.gov.cn/fiscal/")
                        },
                        key=str,
                    ),
                    "nt",
                ),
                ox.RdfFormat.N_TRIPLES,
            )
        )
    # environment, then config file
    monkeypatch.setenv("FISCALPUB_BASE_IRI", "https://env.example.org/d/")
    result = runner.invoke(main, ["rdf", str(SHIPPED[0]), "-o", "-", "--format", "nt"])
    assert "<https://env.example.org/d/dataset/" in result.stdout
    monkeypatch.delenv("FISCALPUB_BASE_IRI")
    config = tmp_path / "fiscalpub.yaml"
    config.write_text("base_iri: https://file.example.org/x/\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rdf", str(SHIPPED[0]), "-o", "-", "--format", "nt", "--config", str(config)]
    )
    assert "<https://file.example.org/x/dataset/" in result.stdout


def test_rdf_cli_errors_leave_no_file(tmp_path: Path) -> None:
    from fiscalpub.cli import main

    runner = cli_runner()
    out = tmp_path / "cube.ttl"
    not_a_package = tmp_path / "empty"
    not_a_package.mkdir()
    result = runner.invoke(main, ["rdf", str(SHIPPED[0]), str(not_a_package), "-o", str(out)])
    assert result.exit_code == 1 and "no data packages" in result.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "datapackage.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(main, ["rdf", str(broken), "-o", str(out)])
    assert result.exit_code == 1 and "cannot read" in result.stderr
    result = runner.invoke(
        main, ["rdf", str(SHIPPED[0]), "-o", str(out), "--base-iri", "not an iri"]
    )
    assert result.exit_code == 2 and "base IRI" in result.stderr
    assert not out.exists() and list(tmp_path.glob(".cube*")) == []


def test_validate_rdf(tmp_path: Path) -> None:
    import shutil

    from fiscalpub.cli import main

    runner = cli_runner()
    ok = runner.invoke(main, ["validate", str(ROOT / "datapackages"), "--rdf", "--json"])
    assert ok.exit_code == 0, ok.stdout
    assert "IC-1…IC-21" in ok.stderr
    # a printed value that no longer matches its amount: the shapes catch it
    package = tmp_path / SHIPPED[0].name
    shutil.copytree(SHIPPED[0], package)
    items = (package / "line_items.csv").read_text(encoding="utf-8")
    assert ",4390400.00,439.04," in items
    (package / "line_items.csv").write_text(
        items.replace(",4390400.00,439.04,", ",4390400.00,439.05,", 1), encoding="utf-8"
    )
    bad = runner.invoke(main, ["validate", str(package), "--rdf", "--json"])
    assert bad.exit_code == 1
    codes = {f["code"] for t in json.loads(bad.stdout)["targets"] for f in t["defects"]}
    assert "rdf-shape" in codes
    assert "AmountIsPrintedShape" in bad.stdout


def test_a_package_built_with_a_base_iri_keeps_its_dataset_iri(tmp_path: Path) -> None:
    """One IRI per dataset: the package's id, the RDF dataset and (later) CKAN's uri."""
    from fiscalpub.cli import main

    runner = cli_runner()
    report = ROOT / "examples" / "004_eedbb879cd069ff8.txt"
    base = "https://data.example.gov.cn/fiscal/"
    result = runner.invoke(
        main, ["build", str(report), "-o", str(tmp_path), "--quiet", "--base-iri", base]
    )
    assert result.exit_code == 0, result.stderr
    (package,) = find_packages([tmp_path])
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["id"] == f"{base}dataset/{package.name}"
    # exported later under another base, the dataset keeps the package's IRI
    triples = cube(read_package(package), "https://elsewhere.example.org/")
    datasets = {
        t.subject.value
        for t in triples
        if t.predicate.value.endswith("#type") and t.object.value == QB + "DataSet"
    }
    assert datasets == {descriptor["id"]}
    ok = runner.invoke(main, ["validate", str(package)])
    assert ok.exit_code == 0, ok.stdout
    # without a base, no id (the placeholder is never written into a package)
    plain = runner.invoke(main, ["build", str(report), "-o", str(tmp_path / "p"), "--quiet"])
    assert plain.exit_code == 0
    (other,) = find_packages([tmp_path / "p"])
    assert "id" not in json.loads((other / "datapackage.json").read_text(encoding="utf-8"))


def test_all_shipped_exports_together_with_the_vocabulary_are_well_formed() -> None:
    """What `fiscalpub rdf datapackages/` writes, loaded beside the vocabulary (as
    `query` and `serve` do): still zero violations."""
    triples = {t for p in SHIPPED for t in cube(read_package(p), BASE)}
    data = serialise(sorted(triples, key=str), "nt")
    vocab = b"".join(
        ox.serialize(
            [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path))],
            format=ox.RdfFormat.N_TRIPLES,
        )
        or b""
        for path in sorted((ROOT / "vocab").glob("*.ttl"))
        if path.name not in ("shapes.ttl", "cube-shapes.ttl")
    )
    assert integrity.check(data + vocab) == []
