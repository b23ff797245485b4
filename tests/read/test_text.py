"""The text reader: encodings, form-feed pages, line numbers, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscalpub.errors import UnreadableInput
from fiscalpub.read import read_text


def test_form_feeds_make_pages_and_line_numbers_run_on(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("第一页\n收入\f第二页\n支出\n", encoding="utf-8")
    doc = read_text(path)
    assert [p.number for p in doc.pages] == [1, 2]
    assert [(ln.page, ln.number, ln.text) for ln in doc.lines()] == [
        (1, 1, "第一页"),
        (1, 2, "收入"),
        (2, 2, "第二页"),
        (2, 3, "支出"),
    ]


def test_gb18030_and_utf8_bom(tmp_path: Path) -> None:
    (tmp_path / "g.txt").write_bytes("部门决算 公开01表".encode("gb18030"))
    (tmp_path / "b.txt").write_bytes("\ufeff部门决算".encode())
    assert next(read_text(tmp_path / "g.txt").lines()).text == "部门决算 公开01表"
    assert next(read_text(tmp_path / "b.txt").lines()).text == "部门决算"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\xff\xfe\x00", "UTF-16"),  # a UTF-16 byte-order mark, then half a character
        (b"\xff\xfe" + b"\x01\x00" * 100, "binary"),  # UTF-16 control characters
    ],
)
def test_bad_bytes_are_refused_with_a_reason(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableInput, match=message):
        read_text(path)


def test_sha256_is_of_the_bytes(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "r.txt"
    path.write_bytes("部门决算".encode())
    assert read_text(path).sha256 == hashlib.sha256("部门决算".encode()).hexdigest()
