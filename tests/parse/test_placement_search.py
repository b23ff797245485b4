"""The pruned position search gives exactly the positions (and their order) that
filtering every ``itertools.combinations`` position by the same checks gives."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

from fiscalpub.parse.placement import RowCheck, TablePlacement, _search
from fiscalpub.registry import tables


def _brute(
    n: int, values: list[Decimal], checks: list[RowCheck], fixed: dict[int, int]
) -> list[tuple[int, ...]]:
    out = []
    for a in itertools.combinations(range(n), len(values)):
        v: list[Decimal | None] = [None] * n
        for val, col in zip(values, a, strict=True):
            v[col] = val
        if all(a[i] == c for i, c in fixed.items()) and all(chk(v) for _, chk in checks):
            out.append(a)
    return out


def test_search_keeps_the_filtered_combinations_in_their_order() -> None:
    rng = random.Random(18)
    tp = TablePlacement(tables()["gpb_expenditure"], [], 2)
    pool = [Decimal(x) for x in ("0.00", "1.00", "2.00", "3.00", "5.00", "-2.00", "0.01", "8.00")]
    kept = 0
    for _ in range(400):
        n = rng.randint(1, 9)
        k = rng.randint(0, n)
        values = [rng.choice(pool) for _ in range(k)]
        checks: list[RowCheck] = []
        for _ in range(rng.randint(0, 3)):
            cols = rng.sample(range(n), rng.randint(1, n))
            split = rng.randint(1, len(cols))
            r, plus, minus = cols[0], cols[1:split], cols[split:]
            checks.append((max(cols), tp._identity_check(r, plus, minus)))
        fixed = {}
        mode = rng.random()
        if k and mode < 0.3:  # the layout shows one number's column
            fixed[rng.randrange(k)] = rng.randrange(n)
        elif k and mode < 0.6:  # ... every number's column, in order or not
            cols = sorted(rng.sample(range(n), k)) if mode < 0.5 else rng.choices(range(n), k=k)
            fixed = dict(enumerate(cols))
        want = _brute(n, values, checks, fixed)
        assert _search(n, values, checks, fixed) == want
        kept += bool(want)
    assert kept > 50  # the cases exercise rows that keep positions, not only empty ones
