"""The shipped CJK font: present, licensed, and able to draw everything the documents print.

Text extraction cannot see a blank glyph (the character is in the PDF, the paper shows a
gap), so coverage is checked against the font's outlines with fontTools.
"""

from __future__ import annotations

import csv
import logging
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

import frontdesk
from frontdesk.i18n import translator
from frontdesk.paperwork import fonts
from frontdesk.paperwork.documents import iter_text

from . import factories
from .msgids import all_msgids, literal_strings

ASSETS = Path(frontdesk.__file__).parent / "assets"
CATALOG_DIR = ASSETS / "catalog"


@cache
def outlines() -> tuple[dict[int, str], set[str]]:
    """(cmap, names of glyphs with a non-empty outline) of the bundled font."""
    font = TTFont(str(fonts.bundled_font_path()))
    glyph_set = font.getGlyphSet()
    inked = set()
    for name in font.getGlyphOrder():
        pen = BoundsPen(glyph_set)
        glyph_set[name].draw(pen)  # composites are followed to their components
        if pen.bounds is not None:
            inked.add(name)
    return font.getBestCmap(), inked


def undrawable(texts: dict[str, str]) -> dict[str, str]:
    """Characters without a visible glyph → where they come from ("U+2103 ℃ in catalog …")."""
    cmap, inked = outlines()
    bad: dict[str, str] = {}
    for source, text in texts.items():
        for ch in text:
            if ch.isspace() or unicodedata.category(ch).startswith("C") or ch in bad:
                continue
            glyph = cmap.get(ord(ch))
            if glyph is None:
                bad[ch] = f"U+{ord(ch):04X} {ch!r} not in the font ({source})"
            elif glyph not in inked:
                bad[ch] = f"U+{ord(ch):04X} {ch!r} has a blank glyph ({source})"
    return bad


def template_texts() -> dict[str, str]:
    """Every msgid, its Chinese translation, and the templates' literal strings (■ □ ¥ ▲ …)."""
    zh = translator("zh_CN")
    texts: dict[str, str] = {}
    for msgid, where in all_msgids().items():
        texts[f"msgid at {where}"] = msgid
        texts[f"zh_CN msgstr of {msgid[:30]!r}"] = zh(msgid)
    for i, literal in enumerate(sorted(literal_strings())):
        texts[f"literal #{i} {literal[:20]!r}"] = literal
    return texts


def catalog_texts() -> dict[str, str]:
    """Every cell of the shipped catalogs: part and labor descriptions print as they are."""
    texts: dict[str, str] = {}
    for path in sorted(CATALOG_DIR.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.reader(fh), 1):
                texts[f"{path.name}:{number}"] = " ".join(row)
    return texts


def test_bundled_font_is_shipped_with_its_licence_and_notes() -> None:
    path = fonts.bundled_font_path()
    assert path.is_file()
    assert 2_000_000 < path.stat().st_size < 4_000_000
    licence = (ASSETS / "fonts" / "LICENSE-wqy-microhei.txt").read_text("utf-8")
    assert "Apache License" in licence and "WenQuanYi" in licence
    readme = (ASSETS / "fonts" / "README.md").read_text("utf-8")
    assert "make_font" in readme and "sha256" in readme
    font = TTFont(str(path))
    assert "glyf" in font, "ReportLab can only embed TrueType outlines"
    assert font["OS/2"].fsType & 0x0002 == 0, "the font must allow embedding"


def test_gbk_is_covered_with_visible_glyphs() -> None:
    from frontdesk.paperwork.make_font import gbk_characters

    cmap, inked = outlines()
    gbk = [c for c in gbk_characters() if not c.isspace()]
    lacking = [c for c in gbk if ord(c) not in cmap]
    assert len(lacking) <= 3, lacking  # ☉ ɑ ɡ: the source font never had them
    blank = [c for c in gbk if ord(c) in cmap and cmap[ord(c)] not in inked]
    assert not blank, f"blank glyphs: {''.join(blank)}"


@pytest.mark.parametrize("ch", list("℃℉ⅤⅩˊˋǎǐǒǔǘǚǜ"))
def test_glyphs_blank_in_the_source_font_were_redrawn(ch: str) -> None:
    cmap, inked = outlines()
    assert cmap[ord(ch)] in inked


def test_every_template_character_has_a_glyph() -> None:
    texts = template_texts()
    assert len(texts) > 300
    assert not undrawable(texts)


def test_every_catalog_character_has_a_glyph() -> None:
    texts = catalog_texts()
    if not texts:
        pytest.skip(f"no catalog CSV in {CATALOG_DIR} yet")
    bad = undrawable(texts)
    assert not bad, "characters the PDF would print as gaps or boxes:\n" + "\n".join(bad.values())


def test_sample_documents_are_drawable() -> None:
    texts = {}
    for make in (factories.work_order, factories.checkin_sheet, factories.settlement, factories.gate_pass):
        texts[make.__name__] = " ".join(iter_text(make()))
    assert not undrawable(texts)


def test_font_path_override_is_used(tmp_path: Path) -> None:
    custom = tmp_path / "store-font.ttf"
    custom.write_bytes(fonts.bundled_font_path().read_bytes())
    choice = fonts.resolve_font(str(custom))
    assert choice.path == custom and choice.embedded
    assert choice.name != fonts.FONT_NAME


def test_unusable_override_is_logged_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bogus = tmp_path / "not-a-font.otf"
    bogus.write_bytes(b"OTTO" + bytes(200))
    with caplog.at_level(logging.WARNING, logger="frontdesk.paperwork.fonts"):
        choice = fonts.resolve_font(str(bogus))
    assert choice.path == fonts.bundled_font_path()
    assert "cannot be embedded" in caplog.text and str(bogus) in caplog.text


def test_falls_back_to_stsong_only_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(fonts, "bundled_font_path", lambda: tmp_path / "gone.ttf")
    monkeypatch.setattr(fonts, "SYSTEM_FONT", tmp_path / "also-gone.ttc")
    with caplog.at_level(logging.WARNING, logger="frontdesk.paperwork.fonts"):
        choice = fonts.resolve_font(None)
    assert choice.name == "STSong-Light" and not choice.embedded
    assert "NOT embedded" in caplog.text


def test_characters_missing_from_the_font_are_logged(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from dataclasses import replace

    from frontdesk.paperwork import render_work_order

    doc = factories.work_order()
    doc = replace(doc, customer=replace(doc.customer, name="王𠀀"))  # CJK Ext-B, not in the subset
    with caplog.at_level(logging.WARNING, logger="frontdesk.paperwork.fonts"):
        render_work_order(doc, tmp_path, "zh_CN")
    assert "U+20000" in caplog.text


def test_the_coverage_check_notices_what_is_missing() -> None:
    bad = undrawable({"sample": "王𠀀 ok"})
    assert list(bad) == ["𠀀"] and "not in the font" in bad["𠀀"]
