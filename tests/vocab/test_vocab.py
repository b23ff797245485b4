"""The vocabulary: rebuilt byte-identically, complete, queryable, valid against its shapes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from fiscalpub import code_index as index
from fiscalpub.api import build_vocabulary, parse_files
from fiscalpub.cli import main
from fiscalpub.registry import classes
from fiscalpub.vocab import files
from fiscalpub.vocab.harvest import era_of
from tests.conftest import ROOT, corpus_path

VOCAB = ROOT / "vocab"
SOURCES = VOCAB / "sources.txt"
PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX fp: <https://w3id.org/fiscalpub/def#>
PREFIX fpc: <https://w3id.org/fiscalpub/code/>
PREFIX fn: <https://w3id.org/fiscalpub/code/function/>
PREFIX ec: <https://w3id.org/fiscalpub/code/economic/>
PREFIX ecpre: <https://w3id.org/fiscalpub/code/economic/pre2018/>
"""


@pytest.fixture(scope="module")
def groups() -> list:
    corpus_path("seeds")  # skip / fail without ../shared
    return files.read_sources(SOURCES)


@pytest.fixture(scope="module")
def built(groups: list) -> files.Built:
    return build_vocabulary(groups)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for name in ("codes", "cofog", "departments", "fiscalpub"):
        s.load(path=str(VOCAB / f"{name}.ttl"), format=ox.RdfFormat.TURTLE)
    return s


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    out = []
    for solution in store.query(PREFIXES + query):
        out.append(tuple(term.value for term in solution))
    return out


@pytest.mark.corpus
def test_committed_vocabulary_is_what_the_corpus_builds(built: files.Built) -> None:
    for rel, content in built.files.items():
        assert (VOCAB / rel).read_text(encoding="utf-8") == content, rel


@pytest.mark.corpus
def test_rebuild_in_reversed_order_and_from_an_empty_vocabulary(
    groups: list, built: files.Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_vocabulary(list(reversed(groups))).files == built.files
    # the parser's own index (used for narrative paths) plays no part in a build
    monkeypatch.setattr(index, "shipped_index", lambda: index.CodeIndex())
    assert build_vocabulary(groups).files == built.files


@pytest.mark.corpus
def test_the_vocab_build_command_writes_the_committed_files(
    built: files.Built, tmp_path: Path
) -> None:
    """`fiscalpub vocab build` writes every file of the committed vocabulary it generates,
    cube.ttl included: the command adds the RDF stage's cube structure to what
    vocab.files builds (through fiscalpub.api.build_vocabulary), so dropping that step
    would leave cube.ttl out."""
    out = tmp_path / "vocab"
    result = CliRunner().invoke(
        main, ["vocab", "build", "--sources", str(SOURCES), "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "cube.ttl" in written
    assert written == set(built.files)
    for rel in sorted(written):
        assert (out / rel).read_bytes() == (VOCAB / rel).read_bytes(), rel


@pytest.mark.corpus
def test_every_printed_code_is_in_its_edition_with_its_printed_label(groups: list) -> None:
    rows = set(
        map(tuple, csv.reader(io.StringIO((VOCAB / "codes.csv").read_text(encoding="utf-8"))))
    )
    missing = []
    for group in groups:
        report = parse_files(group)
        year = report.report.year
        for li in report.line_items:
            if li.code and li.classification and li.item and year:
                row = (
                    li.classification,
                    era_of(li.classification, year),
                    str(year),
                    li.code,
                    li.item,
                )
                if row not in rows:
                    missing.append(row)
    assert not missing


def test_class_lists_are_complete(store: ox.Store) -> None:
    for scheme in ("function", "economic"):
        tops = {
            n
            for (n,) in _rows(
                store,
                f"""
            SELECT ?n WHERE {{ ?c skos:topConceptOf fpc:{scheme} ; skos:notation ?n ;
                                  skos:prefLabel ?l FILTER(lang(?l) = "zh") }}""",
            )
        }
        assert tops == set(classes()[scheme])


def test_label_drift_of_20805_is_visible(store: ox.Store) -> None:
    rows = _rows(
        store,
        """
        SELECT ?year ?label WHERE {
            fn:20805 dct:hasVersion ?e . ?e fp:year ?year ; skos:prefLabel ?label .
        } ORDER BY ?year""",
    )
    labels = dict(rows)
    assert labels["2018"] == "行政事业单位离退休"
    assert labels["2022"] == "行政事业单位养老支出"
    current = _rows(
        store,
        'SELECT ?l WHERE { fn:20805 skos:prefLabel ?l FILTER(lang(?l)="zh") }',
    )
    assert current == [("行政事业单位养老支出",)]  # the latest printed name


def test_30311_changed_meaning_at_the_2018_reform(store: ox.Store) -> None:
    rows = _rows(
        store,
        """
        SELECT ?concept ?year ?label WHERE {
            ?concept a fp:Code ; skos:notation "30311" ; dct:hasVersion ?e .
            ?e fp:year ?year ; skos:prefLabel ?label .
        } ORDER BY ?year""",
    )
    assert rows == [
        ("https://w3id.org/fiscalpub/code/economic/pre2018/30311", "2017", "住房公积金"),
        ("https://w3id.org/fiscalpub/code/economic/30311", "2022", "代缴社会保险费"),
    ]
    # no document says which code 住房公积金 became: the link is marked as inferred
    inferred = _rows(
        store,
        "SELECT ?to WHERE { ecpre:30311 fp:inferredMatch ?to }",
    )
    assert inferred == [("https://w3id.org/fiscalpub/code/economic/30113",)]


def test_codes_of_a_year_and_a_name_in_a_year(store: ox.Store) -> None:
    in_2019 = _rows(
        store,
        """
        SELECT ?n WHERE { ?e skos:inScheme fn:2019 ; skos:notation ?n } ORDER BY ?n""",
    )
    assert ("2013101",) in in_2019 and ("2101501",) not in in_2019
    named = _rows(
        store,
        """
        SELECT ?label WHERE { ?e skos:inScheme fn:2018 ; skos:notation "2080505" ;
                                 skos:prefLabel ?label }""",
    )
    assert named == [("机关事业单位基本养老保险缴费支出",)]


def test_no_blank_nodes_in_the_vocabulary(store: ox.Store) -> None:
    assert not _rows(
        store, "SELECT ?s WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } LIMIT 1"
    )


@pytest.mark.corpus
def test_seed_002_paths_resolve_or_are_reported() -> None:
    report = parse_files([corpus_path("seeds", "002_4feca67707288776.txt")])
    codes = {
        tuple(f.path): f.code for f in report.facts if f.indicator == "function_line" and f.path
    }
    resolved = {"/".join(p): c for p, c in codes.items() if c}
    assert sorted(resolved.values()) == [
        "2080501",
        "2080505",
        "2089999",
        "2101101",
        "2101501",
        "2101504",
        "2101599",
    ]
    other_year = {
        f.message.split(" resolved to ")[1][:7]
        for f in report.findings
        if f.code == "resolved-other-year"
    }
    assert other_year == {"2080501", "2080505", "2089999"}
    unresolved = sorted(
        f.message.split(":")[0] for f in report.findings if f.code == "unresolved-path"
    )
    assert unresolved == sorted("/".join(p) for p, c in codes.items() if not c)
    assert len(unresolved) == 5


def test_vocab_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    assert runner.invoke(main, ["vocab", "build", "-o", str(tmp_path)]).exit_code == 2
    result = runner.invoke(main, ["vocab", "check", "-d", str(VOCAB)])
    assert result.exit_code == 0 and "meaning-changed" in result.stdout
    assert runner.invoke(main, ["vocab", "check", "-d", str(VOCAB), "--strict"]).exit_code == 1
    missing = runner.invoke(
        main, ["vocab", "build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "v")]
    )
    assert missing.exit_code == 1 and missing.stderr.startswith("Error:")
    assert not (tmp_path / "v").exists()


def test_preferred_label_is_never_a_truncated_cell(store: ox.Store) -> None:
    # seed 003 prints 30108 cut by its cell: 机关事业单位基本养老保险缴
    rows = _rows(store, 'SELECT ?l WHERE { ec:30108 skos:prefLabel ?l FILTER(lang(?l) = "zh") }')
    assert rows == [("机关事业单位基本养老保险缴费",)]
    # the 2021 edition keeps what 2021 printed, and says it was cut
    edition = _rows(
        store, "SELECT ?l ?cut WHERE { ec:2021\\/30108 skos:prefLabel ?l ; fp:truncatedLabel ?cut }"
    )
    assert edition == [("机关事业单位基本养老保险缴", "true")]


def test_cofog_alignment(store: ox.Store) -> None:
    close = _rows(store, "SELECT ?c WHERE { fn:210 skos:closeMatch ?c }")
    assert close == [("https://w3id.org/fiscalpub/code/cofog/07",)]
    follows = _rows(store, "SELECT ?v WHERE { fn:20805 fp:cofogFollowsUnit ?v }")
    assert follows == [("true",)]
    assert not _rows(store, "SELECT ?c WHERE { fn:20805 skos:closeMatch|skos:broadMatch ?c }")
    labels = _rows(
        store, "SELECT ?l WHERE { fpc:cofog\\/07 skos:prefLabel ?l FILTER(lang(?l)='en') }"
    )
    assert labels == [("Health",)]


def test_departments_and_regions(store: ox.Store) -> None:
    rows = _rows(
        store,
        """
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?code ?level WHERE {
            ?d a org:Organization ; skos:prefLabel "安阳市北关区医疗保障局"@zh ; fp:level ?level ;
               fp:region ?r . ?r skos:notation ?code }""",
    )
    assert rows == [("410503", "区县")]
    units = _rows(
        store,
        """
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?u WHERE { ?d skos:prefLabel "岳阳市屈原管理区医疗保障局"@zh ;
                             org:hasSubOrganization ?s . ?s skos:prefLabel ?u } ORDER BY ?u""",
    )
    assert units == [("医疗保障事务中心",), ("医疗保障局本级",)]
    findings = (VOCAB / "findings.csv").read_text(encoding="utf-8")
    assert "region-partial,region,岳阳市屈原管理区" in findings  # 管理区: not in the division list
    assert "cpca " in findings  # the division list's version is recorded
    assert "region-inferred,region,友好区" in findings  # a district named without its city


def test_the_whole_vocabulary_loads_in_pyoxigraph() -> None:
    store = ox.Store()
    for path in sorted(VOCAB.glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(store) > 5000


def test_conflicts_are_data_not_overwritten() -> None:
    from fiscalpub.vocab.build import Vocabulary
    from fiscalpub.vocab.harvest import Printed

    printed = [
        Printed("function", "2101501", 2021, "行政运行", "a.txt", "p.1 l.1"),
        Printed("function", "2101501", 2021, "医疗救助", "b.txt", "p.1 l.2"),  # unrelated name
        Printed(
            "function", "2101502", 2021, "行政运行", "a.txt", "p.1 l.3"
        ),  # name under two codes
        Printed("function", "21015", 2021, "医疗保障管理事务", "a.txt", "p.1 l.4"),
        Printed("function", "2109901", 2021, "其他", "a.txt", "p.1 l.5"),  # parent never printed
    ]
    vocab = Vocabulary.from_printed(printed)
    kinds = sorted(f.code for f in vocab.findings)
    assert kinds == ["duplicate-label", "label-conflict", "orphan-code"]
    # both printed names stay in the data
    assert vocab.labels[("function", "", "2101501")][2021] == {"行政运行", "医疗救助"}
