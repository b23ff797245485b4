#!/usr/bin/env python3
"""Build the charts' bundled CJK font: a subset of Noto Sans CJK SC Regular.

    pip install fonttools            # a fiscalpub dependency already (the charts read outlines)
    python tools/make_cjk_font.py SOURCE.otf [--check]
    # writes src/fiscalpub/data/fonts/FiscalpubSansSC-Regular.otf (-o for another path)

Source (SIL Open Font License 1.1): ``NotoSansCJKsc-Regular.otf``, version 1.004
("Copyright © 2014, 2015 Adobe Systems Incorporated", licence URL
http://scripts.sil.org/OFL in its name table), taken unchanged from the PyPI wheel
mplfonts-0.0.11-py3-none-any.whl (``mplfonts/fonts/NotoSansCJKsc-Regular.otf``; only this
file: that wheel's SimHei.ttf is proprietary and is not used)::

    pip download --no-deps -d /tmp/mplf mplfonts==0.0.11
    unzip -j /tmp/mplf/mplfonts-0.0.11-py3-none-any.whl \\
        mplfonts/fonts/NotoSansCJKsc-Regular.otf -d /tmp/fontsrc

    sha256 1652500938055a232cfbfa321de6ebaadfc5635dd9f75e369bc991d14a6512dd (16,412,332 bytes)

The script refuses another source file (sha256 check; ``--any-source`` to override).

Characters kept (only those the source has; the script prints what it lacks):

- ASCII (U+0020–007E) and the Latin-1 Supplement (U+00A0–00FF: its punctuation ·«»§°±×÷
  and the accented letters of cofog.csv);
- general punctuation used in Chinese: — ― – … “ ” ‘ ’ ‰ ※ • ′ ″;
- CJK symbols and punctuation (U+3000–303F), half- and full-width forms (U+FF00–FFEF);
- CJK Radicals Supplement and Kangxi Radicals (U+2E80–2FDF): text extracted from PDFs
  often prints ⼀ ⼆ ⽀ ⽅ ⾦ for 一 二 支 方 金 (seen in the corpus), and labels keep them;
- every character of GBK (every valid 2-byte code 0x81–0xFE × 0x40–0xFE decoded with
  Python's 'gbk' codec: 21,791 characters, 20,902 of them hanzi; GB 2312's 7,445 — every
  valid code 0xA1–0xF7 × 0xA1–0xFE of the 'gb2312' codec — are among them).  GB 2312 alone
  (``--gb2312-only``: a 1.9 MB font, 1.6 MB in the wheel) misses characters of county-level
  place names that department names carry (埇桥区, 浉河区, 硚口区, 瀍河区, 猇亭区 …) and
  rarer characters of personal and place names; with GBK the font is 6.1 MB (5.3 MB in the
  wheel).  GBK was chosen: byte-identical charts for far more departments is worth the
  3.7 MB (a chart falls back to a system font only for a character the subset lacks);
- every character of src/fiscalpub/data/*.yaml, data/curated/*.yaml, data/*.csv,
  data/vocab/*.csv (the classification labels) and of src/fiscalpub/package/charts.py (its fixed
  titles and footnotes), so labels and titles always render with the bundled font.

fontTools subsetter options: the defaults (OpenType layout features kept, though the charts
place glyphs by their advances without shaping since they no longer use matplotlib — a
renderer that shapes gets kerning and ligatures of the Latin letters), except that the
vertical-writing features (vert, vrt2, vkrn, vpal, valt, vhal, vchw) and the vertical
tables (vhea, vmtx, VORG) are dropped (charts are written horizontally), 'locl' is dropped
(the charts set no language: the Simplified Chinese forms are the font's defaults, so the
Japanese/Korean/Traditional forms 'locl' would pull in are never drawn), hinting is kept,
no glyph names, .notdef outline kept.

The name table (and the CFF font names) are rewritten: OFL §3 forbids a Modified Version
to use a Reserved Font Name ("Source", reserved by Noto CJK's licence) and the font must
not claim to be the original, so the family is "Fiscalpub Sans SC" and the description
(name ID 10) says it is a subset of Noto Sans CJK SC.  Copyright (0), trademark notice (7),
manufacturer and designers (8, 9), URLs (11, 12) and the licence (13, 14) are kept; only the
Windows (3, 1, 0x409) name records are written; the OS/2 vendor id becomes "UKWN".

Deterministic: the source's head.created/modified are kept (no recalculated timestamp),
the character set is sorted, and two builds are byte-identical (``--check`` builds twice
and compares).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "fiscalpub" / "data"
DEFAULT_OUT = DATA / "fonts" / "FiscalpubSansSC-Regular.otf"
SOURCE_SHA256 = "1652500938055a232cfbfa321de6ebaadfc5635dd9f75e369bc991d14a6512dd"

FAMILY = "Fiscalpub Sans SC"
STYLE = "Regular"
POSTSCRIPT = "FiscalpubSansSC-Regular"
DESCRIPTION = (
    "Fiscalpub Sans SC is a subset of Noto Sans CJK SC Regular (version 1.004) made with "
    "fontTools for fiscalpub's charts: ASCII, Latin-1, CJK punctuation, full-width forms "
    "and the characters of GBK (GB 2312 included). It is a Modified Version under the SIL "
    "Open Font License 1.1 and is not the original font. Noto Sans CJK: Dr. Ken Lunde "
    "(project architect, glyph set definition & overall production); Masataka HATTORI "
    "(production & ideograph elements)."
)
CHINESE_PUNCTUATION = "—―–…“”‘’‰※•′″"
DROP_FEATURES = {"vert", "vrt2", "vkrn", "vpal", "valt", "vhal", "vchw", "locl"}
DROP_TABLES = ["vhea", "vmtx", "VORG"]


def _decode_all(codec: str, leads: range, trails: range) -> set[str]:
    out = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                out.add(text)
    return out


def gb2312() -> set[str]:
    """Every character of GB 2312: each valid 2-byte code (0xA1–0xF7 × 0xA1–0xFE)."""
    return _decode_all("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))


def gbk() -> set[str]:
    """Every character of GBK: each valid 2-byte code (0x81–0xFE × 0x40–0xFE)."""
    return _decode_all("gbk", range(0x81, 0xFF), range(0x40, 0xFF))


def shipped_texts() -> set[str]:
    """The characters of the registries, curated data, vocabulary labels and charts.py."""
    files = [
        *sorted(DATA.glob("*.yaml")),
        *sorted(DATA.glob("curated/*.yaml")),
        *sorted(DATA.glob("*.csv")),
        *sorted(DATA.glob("vocab/*.csv")),
        ROOT / "src" / "fiscalpub" / "package" / "charts.py",
    ]
    chars: set[str] = set()
    for path in files:
        chars.update(path.read_text(encoding="utf-8"))
    return chars


def wanted(with_gbk: bool = True) -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0xA0, 0x100)}
    chars |= set(CHINESE_PUNCTUATION)
    chars |= {chr(c) for c in range(0x2E80, 0x2FE0)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)}
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}
    chars |= gbk() if with_gbk else gb2312()
    chars |= shipped_texts()
    return {c for c in chars if unicodedata.category(c)[0] != "C"}  # no controls


def _rename(font) -> None:  # type: ignore[no-untyped-def]
    name = font["name"]
    keep = {0, 7, 8, 9, 11, 12, 13, 14}
    kept = {
        r.nameID: r.toUnicode()
        for r in name.names
        if (r.platformID, r.platEncID, r.langID) == (3, 1, 0x409) and r.nameID in keep
    }
    version = font["head"].fontRevision
    kept.update(
        {
            1: FAMILY,
            2: STYLE,
            3: f"{version:.3f};FISCALPUB;{POSTSCRIPT}",
            4: f"{FAMILY} {STYLE}",
            5: f"Version {version:.3f}; subset of Noto Sans CJK SC 1.004 (fiscalpub)",
            6: POSTSCRIPT,
            10: DESCRIPTION,
        }
    )
    name.names = []
    for name_id in sorted(kept):
        name.setName(kept[name_id], name_id, 3, 1, 0x409)
    font["OS/2"].achVendID = "UKWN"  # not Google's vendor id: this is not their font
    cff = font["CFF "].cff
    old = cff.fontNames[0]
    cff.fontNames[0] = POSTSCRIPT
    top = cff.topDictIndex[0]
    top.FullName = f"{FAMILY} {STYLE}"
    top.FamilyName = FAMILY
    for fd in getattr(top, "FDArray", []):
        if getattr(fd, "FontName", "").startswith(old):
            fd.FontName = POSTSCRIPT + fd.FontName[len(old) :]


def build(source: Path, with_gbk: bool = True) -> tuple[bytes, set[str], set[str]]:
    """The subset font's bytes, the characters it maps, those the source lacks."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False, recalcBBoxes=True)
    cmap = font.getBestCmap()
    chars = wanted(with_gbk)
    present = {c for c in chars if ord(c) in cmap}
    options = subset.Options()
    options.layout_features = [f for f in options.layout_features if f not in DROP_FEATURES]
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in present))
    subsetter.subset(font)
    _rename(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), present, chars - present


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="NotoSansCJKsc-Regular.otf (version 1.004)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--gb2312-only", action="store_true", help="GB 2312 instead of GBK (a smaller font)"
    )
    parser.add_argument("--any-source", action="store_true", help="skip the sha256 check")
    parser.add_argument("--check", action="store_true", help="build twice, compare the bytes")
    args = parser.parse_args()
    digest = hashlib.sha256(args.source.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256 and not args.any_source:
        print(f"{args.source}: sha256 {digest}, expected {SOURCE_SHA256}", file=sys.stderr)
        return 1
    data, present, missing = build(args.source, not args.gb2312_only)
    if args.check:
        again, _, _ = build(args.source, not args.gb2312_only)
        if again != data:
            print("two builds differ: not deterministic", file=sys.stderr)
            return 1
        print("two builds are byte-identical", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    hanzi = sum(1 for c in present if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    print(
        f"{args.output}: {len(data):,} bytes, {len(present):,} characters ({hanzi:,} hanzi), "
        f"sha256 {hashlib.sha256(data).hexdigest()}",
        file=sys.stderr,
    )
    if missing:
        listed = " ".join(f"U+{ord(c):04X}" for c in sorted(missing))
        print(f"not in the source font ({len(missing)}): {listed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
