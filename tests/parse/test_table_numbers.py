"""Numbers in table cells are read by fiscalpub.numbers: a value in parentheses is a
negative amount, a blank marker is no line item (never zero), full-width digits and
separators are read, and E-notation is a number-unreadable finding with its location —
never a silently dropped row.  Built on seed 003 with some cells reprinted."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscalpub.api import parse_files
from fiscalpub.model import LineItem, Report
from tests.conftest import corpus_path

SEED = "003_c8682c8f72d65ec9.txt"

# the 支出决算表's 合计 line: the lines reprinted are the first ones after it
ANCHOR = "合计 381.52 113.37 268.15"
# (line as printed in the seed, the same line reprinted)
REPRINTS = [
    ("20129 群众团体事务 0.43 0.43", "20129 群众团体事务 （0.43） （0.43）"),
    ("2012906 工会事务 0.43 0.43", "2012906 工会事务 (0.43) (0.43)"),
    ("20105 统计信息事务 109.10 109.10", "20105 统计信息事务 109.10 1.2E+3"),
    (
        "30101 基本工资 24.19 30201 办公费 3.00 30701 国内债务付息",
        "30101 基本工资 １，２３４.５６ 30201 办公费 - 30701 国内债务付息",
    ),
    (
        "30102 津贴补贴 19.50 30202 印刷费 3.00 30702 国外债务付息",
        "30102 津贴补贴 19.50 30202 印刷费 — 30702 国外债务付息",
    ),
    (
        "30107 绩效工资 4.32 30205 水费 1.50 31002 办公设备购置",
        "30107 绩效工资 4.32 30205 水费 / 31002 办公设备购置",
    ),
]


@pytest.fixture(scope="module")
def reprinted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, dict[str, int]]:
    lines = corpus_path("seeds", SEED).read_text(encoding="utf-8").splitlines()
    where: dict[str, int] = {}
    anchor = lines.index(ANCHOR)
    for old, new in REPRINTS:
        at = next(i for i, line in enumerate(lines) if i > anchor and line.startswith(old))
        lines[at] = lines[at].replace(old, new)
        where[new.split()[0]] = at + 1
    path: Path = tmp_path_factory.mktemp("reprinted") / SEED
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return parse_files([path]), where


def _on(report: Report, line: int, table: str | None = None) -> list[LineItem]:
    return [
        li for li in report.line_items if li.line == line and (table is None or li.table == table)
    ]


@pytest.mark.corpus
def test_parenthesised_values_are_negative_amounts(
    reprinted: tuple[Report, dict[str, int]],
) -> None:
    report, where = reprinted
    for code in ("20129", "2012906"):
        items = _on(report, where[code], "expenditure")
        assert [(li.code, li.printed, li.amount) for li in items] == [
            (code, "-0.43", Decimal("-4300.00")),
            (code, "-0.43", Decimal("-4300.00")),
        ]


@pytest.mark.corpus
def test_e_notation_is_a_finding_with_its_location(
    reprinted: tuple[Report, dict[str, int]],
) -> None:
    report, where = reprinted
    line = where["20105"]
    assert [li.printed for li in _on(report, line, "expenditure")] == ["109.10"]
    found = [f for f in report.findings if f.code == "number-unreadable"]
    assert len(found) == 1
    (spot,) = found[0].where
    assert (spot.source, spot.line, spot.table) == (0, line, "expenditure")
    assert "1.2E+3" in found[0].message
    assert not any("E" in li.printed for li in report.line_items)


@pytest.mark.corpus
def test_full_width_digits_and_separators_are_read(
    reprinted: tuple[Report, dict[str, int]],
) -> None:
    report, where = reprinted
    items = [li for li in _on(report, where["30101"]) if li.code == "30101"]
    assert [(li.printed, li.amount) for li in items] == [("1234.56", Decimal("12345600.00"))]


@pytest.mark.corpus
@pytest.mark.parametrize(("code", "marker"), [("30201", "-"), ("30202", "—"), ("30205", "/")])
def test_blank_markers_are_no_line_item(
    reprinted: tuple[Report, dict[str, int]], code: str, marker: str
) -> None:
    report, _ = reprinted
    assert not [li for li in report.line_items if li.code == code]
    assert not [f for f in report.findings if marker in f.message and "unreadable" in f.code]


def test_a_grid_cell_joins_a_number_printed_in_pieces() -> None:
    """A PDF cell whose words are "(" "0.43" ")" holds the amount -0.43, not 0.43."""
    from fiscalpub.normalize import parse_number
    from fiscalpub.parse.grid import Cell
    from fiscalpub.read.document import Line, Word

    line = Line(text="（ 0.43 ）", number=7, page=1)
    words = [Word("（", 10, 14, 0, 9), Word("0.43", 16, 30, 0, 9), Word("）", 32, 36, 0, 9)]
    cell = Cell(0, 40, [(w, line) for w in words])
    assert [parse_number(w.text)[1] for w, _ in cell.numbers()] == ["-0.43"]


@pytest.mark.corpus
def test_an_unreadable_number_of_the_narrative_is_a_finding(tmp_path: Path) -> None:
    """'1.2E+3万元' in the 情况说明: no fact, a number-unreadable finding at its line; the
    spaced numbers of a table printed inside the text are not one broken number."""
    lines = corpus_path("seeds", SEED).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("2021年度总收入381.52万元"))
    lines.insert(at + 1, "其中测试支出1.2E+3万元，")
    lines.insert(at + 2, "项目 180.61 180.03 180.03 10 100.00%")
    path = tmp_path / SEED
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = parse_files([path])
    found = [f for f in report.findings if f.code == "number-unreadable"]
    assert [(f.where[0].line, "1.2E+3" in f.message) for f in found] == [(at + 2, True)]
    assert not [f for f in report.facts if f.line == at + 2]
