"""The PDF reader on real reports, and every kind of bad PDF the issue names."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from fiscalpub.api import parse_files
from fiscalpub.cli import main
from fiscalpub.normalize import squash
from fiscalpub.read import read_document
from tests.conftest import corpus_path

PUTUO = "shanghai-putuo-czj-2024-final.pdf"


def _parse_fails(path: Path, tmp_path: Path, message: str) -> None:
    out = tmp_path / "out" / "report.json"
    result = CliRunner().invoke(main, ["parse", str(path), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]
    assert not out.exists() and not (tmp_path / "out").exists()


def _images_of(src: pdfium.PdfDocument, pages: list[int], into: pdfium.PdfDocument) -> None:
    """Append pages of `src` to `into` as pictures: no text layer."""
    for index in pages:
        page = src[index]
        width, height = page.get_size()
        image = pdfium.PdfImage.new(into)
        image.set_bitmap(page.render(scale=0.6))
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        new = into.new_page(width, height)
        new.insert_obj(image)
        new.gen_content()


@pytest.mark.corpus
def test_words_carry_boxes_and_lines_follow_baselines() -> None:
    doc = read_document(str(corpus_path("pdf", PUTUO)))
    assert doc.kind == "pdf" and len(doc.pages) == 25
    line = next(ln for ln in doc.lines() if ln.text.startswith("201 06 01 行政运行"))
    assert line.page == 8
    assert [w.text for w in line.words] == [
        "201",
        "06",
        "01",
        "行政运行",
        "1,511.90",
        "1,511.89",
        "0.01",
    ]
    xs = [w.x0 for w in line.words]
    assert xs == sorted(xs)
    # "一、一般公共服务支出": thin glyphs (一 、) stay on their line
    assert any(squash(ln.text).startswith("一、一般公共预算财政拨款") for ln in doc.lines())


@pytest.mark.corpus
def test_rotated_pages_read_in_display_orientation() -> None:
    doc = read_document(str(corpus_path("pdf", "jiangsu-swbgt-2018-budget-tables.pdf")))
    page3 = [ln.text for ln in doc.pages[2].lines]
    assert page3[0] == "收支预算总表"
    assert page3[2] == "收入 支出"


@pytest.mark.corpus
def test_text_outside_the_page_box_is_not_read() -> None:
    doc = read_document(str(corpus_path("pdf", "jiangsu-rdbgt-2017-budget.pdf")))
    page11 = " ".join(ln.text for ln in doc.pages[10].lines)
    assert "财政拨款支出预算表" in page11
    assert "财政拨款基本支出预算表" not in page11  # printed on page 12; clipped on page 11


def test_not_a_pdf_despite_its_name(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("部门决算 情况说明 " * 50, encoding="utf-8")
    _parse_fails(path, tmp_path, "not a PDF")


@pytest.mark.corpus
def test_truncated_pdf(tmp_path: Path) -> None:
    data = corpus_path("pdf", PUTUO).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    _parse_fails(path, tmp_path, "truncated")


@pytest.mark.corpus
def test_user_password_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    with pikepdf.open(corpus_path("pdf", PUTUO)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    _parse_fails(path, tmp_path, "user password")


@pytest.mark.corpus
def test_owner_password_only_opens_normally(tmp_path: Path) -> None:
    path = tmp_path / "owner.pdf"
    with pikepdf.open(corpus_path("pdf", PUTUO)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="owner"))
    plain = parse_files([corpus_path("pdf", PUTUO)])
    locked = parse_files([path])
    assert [li.to_dict() | {"source": 0} for li in locked.line_items] == [
        li.to_dict() for li in plain.line_items
    ]


@pytest.mark.corpus
def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    src = pdfium.PdfDocument(str(corpus_path("pdf", PUTUO)))
    scanned = pdfium.PdfDocument.new()
    _images_of(src, [0, 5, 7], scanned)
    path = tmp_path / "scanned.pdf"
    scanned.save(str(path))
    _parse_fails(path, tmp_path, "no page has a text layer")


@pytest.mark.corpus
def test_tables_as_images_with_a_text_narrative(tmp_path: Path) -> None:
    src = pdfium.PdfDocument(str(corpus_path("pdf", PUTUO)))
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(src, list(range(5)))  # cover, contents, 部门概况: text
    _images_of(src, list(range(5, 20)), mixed)  # the tables: pictures
    mixed.import_pages(src, list(range(20, 25)))  # 情况说明 and 名词解释: text
    path = tmp_path / "mixed.pdf"
    mixed.save(str(path))
    report = parse_files([path])
    assert report.line_items == []
    status = {t.table: t.status for t in report.tables}
    assert all(status[t] == "referenced_absent" for t in ("income", "expenditure", "three_public"))
    images = [f for f in report.findings if f.code == "pages-as-images"]
    assert images and [w.page for w in images[0].where] == list(range(6, 21))
    assert any(f.indicator == "total_income" for f in report.facts)  # the narrative parses


@pytest.mark.corpus
def test_two_file_report_is_one_report(tmp_path: Path) -> None:
    text = corpus_path("pdf", "jiangsu-swbgt-2018-budget-text.pdf")
    tables = corpus_path("pdf", "jiangsu-swbgt-2018-budget-tables.pdf")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["parse", str(text), str(tables), "-o", str(out)])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert [s["path"] for s in data["report"]["sources"]] == [text.name, tables.name]
    assert data["report"]["department"] == "中共江苏省委办公厅" and data["report"]["year"] == 2018
    assert {li["source"] for li in data["line_items"]} == {1}  # the tables file
    assert {f["source"] for f in data["facts"]} == {0}  # the narrative file


@pytest.mark.corpus
def test_first_row_after_a_page_break_is_kept() -> None:
    report = parse_files([corpus_path("pdf", PUTUO)])
    # 收入决算表 and 支出决算表 continue on a page without headers
    # (first code on the continuation page, typed from the rendered page)
    for table, page, code in (("income", 9, "2101101"), ("expenditure", 11, "2080599")):
        first = [li for li in report.line_items if li.table == table and li.page == page]
        assert first and first[0].code == code, (table, first[:1])


@pytest.mark.corpus
def test_a_table_ending_on_the_first_page_of_the_narrative_keeps_its_rows() -> None:
    # Jiangsu 2017 p23: the last rows of 政府采购预算表, then 第三部分 情况说明
    report = parse_files([corpus_path("pdf", "jiangsu-rdbgt-2017-budget.pdf")])
    last = [li.printed for li in report.line_items if li.table == "procurement" and li.page == 23]
    assert last == ["30.00", "120.00", "120.00"]
    assert all(li.placed_by in ("complete", "layout") for li in report.line_items)
