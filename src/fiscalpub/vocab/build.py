"""Build the vocabulary from evidence: SKOS schemes per classification and edition year.

Inputs are the (code, name, year) triples printed in the tables of parsed reports
plus curated YAML (the 类 level, English labels, the COFOG alignment).  Outputs are
sorted and carry no timestamps, so the same inputs give the same bytes in any order.

IRIs (fixed namespace ``https://w3id.org/fiscalpub/code/``):

- ``function`` / ``economic``: the classification (all years), a ConceptScheme;
- ``function/2101501``: the code-level concept; economic codes of the era before the
  2018 reform are ``economic/pre2018/30311`` (30311 was 住房公积金 then, 代缴社会保险费 after);
- ``function/2021``: the 2021 edition (a ConceptScheme), ``function/2021/2101501`` its concept.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from fiscalpub.registry import classes
from fiscalpub.vocab.harvest import Printed
from fiscalpub.vocab.turtle import PREFIXES, Triple

FP = PREFIXES["fp"]
CODE = PREFIXES["fpc"]
SOURCE = PREFIXES["fps"]
CLASSIFICATIONS = ("function", "economic")
LEVELS = {3: "类", 5: "款", 7: "项"}
_ZH = {"function": "功能分类", "economic": "经济分类"}


def fp(name: str) -> URIRef:
    return URIRef(FP + name)


def scheme_iri(classification: str, year: int | None = None) -> URIRef:
    return URIRef(f"{CODE}{classification}" + (f"/{year}" if year else ""))


def concept_iri(classification: str, code: str, era: str = "") -> URIRef:
    return URIRef(f"{CODE}{classification}/" + (f"{era}/" if era else "") + code)


def edition_iri(classification: str, year: int, code: str) -> URIRef:
    return URIRef(f"{CODE}{classification}/{year}/{code}")


def _curated(name: str) -> dict[str, Any]:
    path = resources.files("fiscalpub") / "data" / "curated" / name
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@dataclass
class VocabFinding:
    """A row of the vocabulary's findings.csv (a code whose labels conflict, a region not
    placed …): not a report's `model.Finding`, which has a severity and places."""

    code: str
    classification: str
    subject: str
    message: str

    def row(self) -> list[str]:
        return [self.code, self.classification, self.subject, self.message]


@dataclass
class Vocabulary:
    printed: list[Printed]
    # (classification, era, code) -> year -> labels
    labels: dict[tuple[str, str, str], dict[int, set[str]]] = field(default_factory=dict)
    findings: list[VocabFinding] = field(default_factory=list)

    @classmethod
    def from_printed(cls, printed: Iterable[Printed]) -> Vocabulary:
        items = sorted(set(printed))
        labels: dict[tuple[str, str, str], dict[int, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        for p in items:
            labels[(p.classification, p.era, p.code)][p.year].add(p.name)
        vocab = cls(items, {k: dict(v) for k, v in labels.items()})
        vocab.findings = vocab._conflicts()
        return vocab

    # -- labels ----------------------------------------------------------
    def all_labels(self, key: tuple[str, str, str]) -> set[str]:
        return {name for names in self.labels.get(key, {}).values() for name in names}

    def truncated(self, key: tuple[str, str, str], name: str) -> bool:
        """A name cut by its table cell: a strict prefix of another name of the code."""
        return any(other != name and other.startswith(name) for other in self.all_labels(key))

    def year_label(self, key: tuple[str, str, str], year: int) -> str:
        names = sorted(self.labels[key][year])
        full = [n for n in names if not self.truncated(key, n)] or names
        return max(full, key=lambda n: (len(n), n))

    def pref_label(self, key: tuple[str, str, str]) -> str:
        """The latest full printed name (never one truncated by a table cell)."""
        for year in sorted(self.labels.get(key, {}), reverse=True):
            full = [n for n in self.labels[key][year] if not self.truncated(key, n)]
            if full:
                return max(full, key=lambda n: (len(n), n))
        return max(self.all_labels(key), key=lambda n: (len(n), n))

    # -- conflicts -------------------------------------------------------
    def _conflicts(self) -> list[VocabFinding]:
        out: list[VocabFinding] = []
        keys = set(self.labels)
        for (cl, era, code), years in sorted(self.labels.items()):
            for year, names in sorted(years.items()):
                names_l = sorted(names)
                for a_i, a in enumerate(names_l):
                    for b in names_l[a_i + 1 :]:
                        if not _related(a, b):
                            out.append(
                                VocabFinding(
                                    "label-conflict",
                                    cl,
                                    f"{code}@{year}",
                                    f"{code} is printed as {a} and as {b} in {year}",
                                )
                            )
            parent = code[:-2] if len(code) > 3 else None
            if (
                parent
                and (cl, era, parent) not in keys
                and not (len(parent) == 3 and parent in classes()[cl])
            ):
                out.append(
                    VocabFinding(
                        "orphan-code", cl, code, f"{code} is printed, its parent {parent} never is"
                    )
                )
        # one name under two codes of the same parent and year
        by_name: dict[tuple[str, int, str, str], set[str]] = defaultdict(set)
        for (cl, _era, code), years in self.labels.items():
            for year, names in years.items():
                for name in names:
                    by_name[(cl, year, code[:-2], name)].add(code)
        for (cl, year, parent, name), codes in sorted(by_name.items()):
            if len(codes) > 1:
                out.append(
                    VocabFinding(
                        "duplicate-label",
                        cl,
                        f"{parent}@{year}",
                        f"{name} is printed under {', '.join(sorted(codes))} in {year}",
                    )
                )
        # a code whose meaning changed at the economic reform
        for cl, era, code in sorted(keys):
            if era == "pre2018" and (cl, "", code) in keys:
                old, new = self.pref_label((cl, era, code)), self.pref_label((cl, "", code))
                if not _related(old, new):
                    out.append(
                        VocabFinding(
                            "meaning-changed",
                            cl,
                            code,
                            f"{code} was {old} before the 2018 reform and is {new} since",
                        )
                    )
        return out

    # -- RDF -------------------------------------------------------------
    def triples(self) -> list[Triple]:
        t: list[Triple] = []
        english = _curated("english.yaml")
        for cl in CLASSIFICATIONS:
            t += self._scheme(cl, english)
        t += self._cofog_links()
        return t

    def _scheme(self, cl: str, english: dict[str, Any]) -> list[Triple]:
        t: list[Triple] = []
        scheme = scheme_iri(cl)
        zh = {"function": "支出功能分类科目", "economic": "支出经济分类科目"}[cl]
        t += [
            (scheme, RDF.type, SKOS.ConceptScheme),
            (scheme, SKOS.prefLabel, Literal(f"政府收支分类科目：{zh}", lang="zh")),
            (scheme, SKOS.notation, Literal(cl)),
        ]
        keys = sorted(k for k in self.labels if k[0] == cl)
        curated = classes()[cl]
        # every 类 is a top concept, printed or not (curated national standard)
        for code, names in sorted(curated.items()):
            key = (cl, "", code)
            concept = concept_iri(cl, code)
            label = self.pref_label(key) if key in self.labels else names[0]
            t += self._code_concept(concept, scheme, code, label, english.get(cl, {}).get(code))
            t += [
                (concept, SKOS.topConceptOf, scheme),
                (scheme, SKOS.hasTopConcept, concept),
                (concept, DCTERMS.source, Literal("curated: fiscalpub/data/classes.yaml")),
            ]
            for other in names[1:]:
                t.append((concept, SKOS.altLabel, Literal(other, lang="zh")))
        pre2018_english = english.get(f"{cl}_pre2018", {})
        for key in keys:
            _, era, code = key
            concept = concept_iri(cl, code, era)
            if len(code) > 3 or era or code not in curated:
                en = (pre2018_english if era else english.get(cl, {})).get(code)
                t += self._code_concept(concept, scheme, code, self.pref_label(key), en)
                if era:
                    t.append((concept, fp("era"), Literal(era)))
                parent = code[:-2]
                if len(code) > 3 and (
                    (cl, era, parent) in self.labels or (len(parent) == 3 and parent in curated)
                ):
                    t.append(
                        (
                            concept,
                            SKOS.broader,
                            concept_iri(
                                cl,
                                parent,
                                era if len(parent) > 3 or (cl, era, parent) in self.labels else "",
                            ),
                        )
                    )
            for other in sorted(self.all_labels(key) - {self.pref_label(key)}):
                if not self.truncated(key, other):
                    t.append((concept, SKOS.altLabel, Literal(other, lang="zh")))
            for year in sorted(self.labels[key]):
                t += self._edition(cl, era, code, year, concept)
        t += self._inferred_matches(cl)
        return t

    def _code_concept(
        self, concept: URIRef, scheme: URIRef, code: str, label: str, en: dict[str, Any] | None
    ) -> list[Triple]:
        t: list[Triple] = [
            (concept, RDF.type, SKOS.Concept),
            (concept, RDF.type, fp("Code")),
            (concept, SKOS.inScheme, scheme),
            (concept, SKOS.notation, Literal(code)),
            (concept, SKOS.prefLabel, Literal(label, lang="zh")),
            (concept, fp("level"), Literal(LEVELS[len(code)], lang="zh")),
        ]
        if en:
            t.append((concept, SKOS.prefLabel, Literal(en["en"], lang="en")))
        return t

    def _edition(self, cl: str, era: str, code: str, year: int, concept: URIRef) -> list[Triple]:
        key = (cl, era, code)
        edition = edition_iri(cl, year, code)
        scheme = scheme_iri(cl, year)
        t: list[Triple] = [
            (scheme, RDF.type, SKOS.ConceptScheme),
            (scheme, RDF.type, fp("Edition")),
            (scheme, fp("year"), Literal(year, datatype=XSD.gYear)),
            (scheme, DCTERMS.isPartOf, scheme_iri(cl)),
            (
                scheme,
                SKOS.prefLabel,
                Literal(f"{year}年政府收支分类科目（{_ZH[cl]}，见于所收报告）", lang="zh"),
            ),
            (edition, RDF.type, SKOS.Concept),
            (edition, RDF.type, fp("EditionConcept")),
            (edition, SKOS.inScheme, scheme),
            # also in the classification's scheme: the cube's code list covering all years
            (edition, SKOS.inScheme, scheme_iri(cl)),
            (edition, SKOS.notation, Literal(code)),
            (edition, SKOS.prefLabel, Literal(self.year_label(key, year), lang="zh")),
            (edition, fp("year"), Literal(year, datatype=XSD.gYear)),
            (edition, DCTERMS.isVersionOf, concept),
            (concept, DCTERMS.hasVersion, edition),
        ]
        if self.truncated(key, self.year_label(key, year)):
            # the only name printed that year was cut by its table cell
            t.append((edition, fp("truncatedLabel"), Literal(True)))
        for name in sorted(self.labels[key][year]):
            if name != self.year_label(key, year):
                t.append(
                    (
                        edition,
                        SKOS.hiddenLabel if self.truncated(key, name) else SKOS.altLabel,
                        Literal(name, lang="zh"),
                    )
                )
        parent = code[:-2]
        if len(code) > 3 and year in self.labels.get((cl, era, parent), {}):
            t.append((edition, SKOS.broader, edition_iri(cl, year, parent)))
        for p in self.printed:
            if (p.classification, p.era, p.code, p.year) == (*key, year):
                t.append((edition, fp("printedIn"), Literal(f"{p.source} {p.where}: {p.name}")))
                t.append((edition, PROV.wasDerivedFrom, URIRef(SOURCE + _slug(p.source))))
                t.append((URIRef(SOURCE + _slug(p.source)), DCTERMS.title, Literal(p.source)))
        return t

    def _inferred_matches(self, cl: str) -> list[Triple]:
        """Across the 2018 reform no document says which old code became which new one:
        codes are linked only where their labels agree, and the link says it is inferred."""
        t: list[Triple] = []
        old = {k: self.pref_label(k) for k in self.labels if k[0] == cl and k[1] == "pre2018"}
        new = {k: self.pref_label(k) for k in self.labels if k[0] == cl and k[1] == ""}
        by_label: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for k, label in new.items():
            by_label[label].append(k)
        for k, label in sorted(old.items()):
            for target in sorted(by_label.get(label, [])):
                t.append(
                    (concept_iri(cl, k[2], k[1]), fp("inferredMatch"), concept_iri(cl, target[2]))
                )
        return t

    def _cofog_links(self) -> list[Triple]:
        t: list[Triple] = []
        cofog = _curated("cofog.yaml")
        for code, entry in sorted((cofog.get("classes") or {}).items()):
            t += _cofog_triples(concept_iri("function", code), entry)
        for code, entry in sorted((cofog.get("exceptions") or {}).items()):
            if any(k[0] == "function" and k[2] == code for k in self.labels):
                t += _cofog_triples(concept_iri("function", code), entry)
        return t

    # -- tables ----------------------------------------------------------
    def index_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["classification", "era", "year", "code", "label"])
        for (cl, era, code), years in sorted(self.labels.items()):
            for year, names in sorted(years.items()):
                for name in sorted(names):
                    w.writerow([cl, era, year, code, name])
        return out.getvalue()

    def codelist_csv(self, cl: str) -> str:
        """One row per code and edition year: the code list foreign keys point at."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["code", "year", "label", "concept", "edition"])
        rows = []
        for (c, era, code), years in self.labels.items():
            if c != cl:
                continue
            for year in years:
                rows.append(
                    [
                        code,
                        str(year),
                        self.year_label((c, era, code), year),
                        str(concept_iri(cl, code, era)),
                        str(edition_iri(cl, year, code)),
                    ]
                )
        for row in sorted(rows):
            w.writerow(row)
        return out.getvalue()

    def findings_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["code", "classification", "subject", "message"])
        for f in sorted(self.findings, key=lambda f: f.row()):
            w.writerow(f.row())
        return out.getvalue()


def _cofog_triples(concept: URIRef, entry: dict[str, Any]) -> list[Triple]:
    t: list[Triple] = []
    if entry.get("follows_unit"):
        t.append((concept, fp("cofogFollowsUnit"), Literal(True)))
    if entry.get("cofog"):
        relation = SKOS.broadMatch if entry.get("relation") == "broadMatch" else SKOS.closeMatch
        t.append((concept, relation, URIRef(f"{CODE}cofog/{entry['cofog']}")))
    if entry.get("rationale"):
        t.append((concept, fp("cofogRationale"), Literal(entry["rationale"], lang="en")))
    return t


def _related(a: str, b: str) -> bool:
    """Two printed names of one code that may be the same subject: one extends the
    other (a cut cell) or they share a stem of two characters or more."""
    if a.startswith(b) or b.startswith(a):
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 2


def _slug(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def cofog_triples(csv_text: str) -> list[Triple]:
    """The COFOG 1999 code list (../shared/data/cofog.csv) as a SKOS scheme."""
    t: list[Triple] = []
    scheme = URIRef(f"{CODE}cofog")
    t += [
        (scheme, RDF.type, SKOS.ConceptScheme),
        (
            scheme,
            SKOS.prefLabel,
            Literal("Classification of the Functions of Government (COFOG 1999)", lang="en"),
        ),
        (scheme, DCTERMS.license, URIRef("https://opendatacommons.org/licenses/pddl/1-0/")),
        (scheme, DCTERMS.source, Literal("datasets/cofog data/cofog.csv (commit 093c3146)")),
    ]
    for row in csv.DictReader(io.StringIO(csv_text)):
        code = row["Code"]
        concept = URIRef(f"{CODE}cofog/{code}")
        t += [
            (concept, RDF.type, SKOS.Concept),
            (concept, SKOS.inScheme, scheme),
            (concept, SKOS.notation, Literal(code)),
        ]
        for col, lang in (
            ("Description_EN", "en"),
            ("Description_FR", "fr"),
            ("Description_ES", "es"),
        ):
            if row.get(col):
                t.append((concept, SKOS.prefLabel, Literal(" ".join(row[col].split()), lang=lang)))
        if "." in code:
            t.append((concept, SKOS.broader, URIRef(f"{CODE}cofog/{code.rsplit('.', 1)[0]}")))
        else:
            t += [(concept, SKOS.topConceptOf, scheme), (scheme, SKOS.hasTopConcept, concept)]
    return t
