"""Every corpus report's canonical JSON satisfies the contract's JSON Schema — the same
check `build` and `validate` apply when they read a canonical JSON back.

KNOWN_INVALID lists the reports whose parse still breaks the contract today, with why; the
test fails both when another report breaks it and when a listed one is fixed (then remove
it from the list), so the list can only shrink honestly."""

from __future__ import annotations

import pytest

from fiscalpub.api import parse_files
from fiscalpub.canonical import report_from_json
from fiscalpub.errors import BadCanonical
from tests.conftest import corpus_path, corpus_pdf_reports

# numbers the parser could give neither a code, nor a registry row, nor a printed label
# (the table templates of these cities are not read yet: issue 14)
KNOWN_INVALID = {}


@pytest.mark.corpus
def test_every_corpus_report_is_a_valid_canonical_report() -> None:
    invalid: dict[str, str] = {}
    for group in corpus_pdf_reports():
        try:
            report = parse_files([corpus_path("pdf", *g.split("/")) for g in group])
        except Exception as exc:  # a report that does not parse is another test's concern
            invalid[group[0]] = f"does not parse: {exc}"
            continue
        try:
            report_from_json(report.to_json(), group[0])
        except BadCanonical as exc:
            invalid[group[0]] = str(exc)[:200]
    unexpected = {k: v for k, v in invalid.items() if k not in KNOWN_INVALID}
    fixed = sorted(set(KNOWN_INVALID) - set(invalid))
    assert not unexpected, f"reports breaking the contract: {unexpected}"
    assert not fixed, f"valid now, remove from KNOWN_INVALID: {fixed}"
