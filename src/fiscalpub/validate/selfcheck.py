"""The self-check: how much of a report its own arithmetic confirms, without an oracle.

The validator's relations (fiscalpub.validate.rules: row sums, parent = Σ children,
the table and cross-table identities of the registry, the narrative against its
cells) are evaluated once (`engine.checks`); this module only counts what they say
about each printed amount:

- **confirmed**: at least one relation it takes part in holds (exactly, or within the
  validator's rounding tolerance) *and says something* — a sum with at least two
  non-zero terms, or an equality of two independent printings of a non-zero amount
  (another table, the narrative).  A bound (``relation: ge`` / ``le``) confirms only
  where both sides are equal.  What says nothing: a one-part sum or a parent with one
  child (the same number printed twice in one layout, where a misplaced column fits as
  well as the right one), zeros (0 = 0 + 0 holds in any position), and the amounts a
  relation names but leaves out of its sum;
- **contradicted**: not confirmed, and a relation it takes part in fails (beyond the
  tolerance: an error finding of the validator);
- **unchecked**: neither — no relation reaches it (an unplaced number, a table without
  identities, a row printed once) or only ones that say nothing.

Narrative facts count when the validator compares them with a table cell: agreeing
(a non-zero amount a cell prints, or within the tolerance), contradicting, or neither
(a stated zero: it agrees with any zero).
"""

from __future__ import annotations

from fiscalpub.model import Fact, LineItem, Report, SelfCheck
from fiscalpub.validate.engine import checks
from fiscalpub.validate.rules import Check

NARRATIVE_RULE = "narrative-table"


def verdicts(
    report: Report, evaluated: list[Check] | None = None
) -> tuple[set[int], set[int], set[int]]:
    """id() of the amounts (LineItem and Fact objects) confirmed, of those a failing relation
    involves, and of the facts the narrative rule compared with a cell; `evaluated`:
    `checks(report)` when the caller has it already."""
    confirmed: set[int] = set()
    failed: set[int] = set()
    compared: set[int] = set()
    if evaluated is None:
        evaluated = checks(report)
    for check in evaluated:
        narrative = check.rule == NARRATIVE_RULE
        # facts count for the narrative rule only (a wrong percentage is not a wrong amount)
        members = [m for m in check.members if narrative or isinstance(m, LineItem)]
        if narrative:
            compared.update(id(m) for m in members if isinstance(m, Fact))
        if check.holds and check.given is None:
            confirmed.update(id(m) for m in check.confirms)
        elif not check.holds:
            failed.update(id(m) for m in members)
    # relations that confirm only what another relation confirmed (a repeated line)
    for check in evaluated:
        if check.holds and check.given is not None and id(check.given) in confirmed:
            confirmed.update(id(m) for m in check.confirms)
    return confirmed, failed, compared


def self_check(report: Report, evaluated: list[Check] | None = None) -> SelfCheck:
    """The report's self-check (contract 1.1 ``checks``); `evaluated`: see verdicts."""
    confirmed, failed, compared = verdicts(report, evaluated)
    items = [id(li) for li in report.line_items]
    facts = [id(f) for f in report.facts if id(f) in compared]
    return SelfCheck(
        amounts=len(items),
        confirmed=sum(1 for i in items if i in confirmed),
        contradicted=sum(1 for i in items if i not in confirmed and i in failed),
        unchecked=sum(1 for i in items if i not in confirmed and i not in failed),
        facts=len(facts),
        facts_agreeing=sum(1 for i in facts if i in confirmed),
        facts_contradicting=sum(1 for i in facts if i not in confirmed and i in failed),
    )
