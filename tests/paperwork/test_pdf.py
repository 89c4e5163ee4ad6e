"""The PDFs as a printer sees them: fonts embedded, pages rasterise, QR codes scan, long orders paginate."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontdesk.i18n import translator
from frontdesk.paperwork import render_work_order
from frontdesk.paperwork.documents import DocLine

from . import factories
from .pdfcheck import decode_qr, fonts, have, page_texts, rasterise, read_pgm, squash

needs_poppler = pytest.mark.skipif(not have("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
needs_zbar = pytest.mark.skipif(not have("zbarimg"), reason="zbarimg (zbar-tools) not installed")


def test_every_font_is_an_embedded_truetype_subset(rendered: Callable[[str, str], Path], kind: str,
                                                   lang: str) -> None:
    found = fonts(rendered(kind, lang))
    assert found, "no fonts at all?"
    for font in found:
        assert font.embedded_as == "FontFile2", f"{font.name} is not embedded as TrueType"
        assert "WenQuanYi" in font.name
        assert "+" in font.name, f"{font.name} is not a subset"  # e.g. AAAAAA+WenQuanYiMicroHei
    # and no unembedded CJK font (STSong-Light) or base-14 font sneaks in
    assert not any("STSong" in f.name or "Helvetica" in f.name for f in found)


def test_embedded_font_is_a_small_subset(rendered: Callable[[str, str], Path]) -> None:
    """A work order carries a few hundred glyphs, not the 3 MB font."""
    assert rendered("work-order", "zh_CN").stat().st_size < 400_000


@needs_poppler
def test_pages_rasterise_with_ink_where_text_is(rendered: Callable[[str, str], Path], kind: str,
                                                lang: str, tmp_path: Path) -> None:
    """Poppler renders the page, the letterhead/title band has ink, the page is not all ink."""
    path = rendered(kind, lang)
    pages = len(PdfReader(str(path)).pages)
    for page in range(1, pages + 1):
        image = read_pgm(rasterise(path, tmp_path / f"p{page}", dpi=50, gray=True, page=page))
        assert image.width > 200 and image.height > 250
        assert image.darkness(0, 0, 1, 1) < 0.25, "page is mostly black"
        assert image.darkness(0.05, 0.0, 0.95, 0.25) > 0.004, f"no ink in the top band of page {page}"
    first = read_pgm(rasterise(path, tmp_path / "first", dpi=50, gray=True))
    if kind == "gate-pass":  # the plate, printed large in its box
        assert first.darkness(0.1, 0.18, 0.9, 0.32) > 0.02
    else:  # the store name, top left
        assert first.darkness(0.05, 0.03, 0.45, 0.08) > 0.02


@needs_poppler
@needs_zbar
def test_qr_code_scans_to_the_order_number(rendered: Callable[[str, str], Path], kind: str,
                                           lang: str, tmp_path: Path) -> None:
    image = rasterise(rendered(kind, lang), tmp_path / "qr", dpi=150)
    assert decode_qr(image) == [factories.ORDER_NO]


def _long_order_lines() -> list[DocLine]:
    """60 lines: an accident repair with 12 jobs and 48 parts, so the parts table spans pages."""
    lines = factories.many_lines(150)
    labor = [ln for ln in lines if ln.kind == "labor"][:12]
    parts = [ln for ln in lines if ln.kind != "labor"]
    return labor + parts[: 60 - len(labor)]


def test_sixty_lines_paginate_with_header_and_page_numbers(tmp_path: Path, lang: str) -> None:
    _ = translator(lang)
    lines = _long_order_lines()
    assert len(lines) == 60
    path = render_work_order(factories.work_order(lines=lines), tmp_path, lang)
    texts = [squash(t) for t in page_texts(path)]
    pages = len(texts)
    # A4 body ≈ 250 mm; a one-line row ≈ 5.1 mm, so 60 rows ≈ 306 mm of table, plus the
    # letterhead, customer and vehicle block, concerns, totals, terms and signatures
    # (≈ 190 mm in all): ⌈(306 + 190) / 250⌉ = 2, and at most one more for keep-together breaks.
    estimate = math.ceil((60 * 5.1 + 190) / 250)
    assert estimate <= pages <= estimate + 1
    for number, text in enumerate(texts, 1):
        assert squash(_("Page {page} of {pages}").format(page=number, pages=pages)) in text
    # each line printed exactly once, and every page holding lines repeats the table header
    everything = "".join(texts)
    for line in lines:
        assert everything.count(squash(line.code)) == 1, line.code
    header = squash(_("Part no.") + _("Part name"))
    pages_with_parts = [t for t in texts if any(squash(ln.code) in t for ln in lines if ln.kind == "part")]
    assert len(pages_with_parts) >= 2, "the parts table should span pages in this test"
    for text in pages_with_parts:
        assert header in text
    # later pages carry the running header: store, title and order number
    for text in texts[1:]:
        assert squash(factories.ORDER_NO) in text and squash(_("Work order")) in text
    # the signatures come last, after every line
    assert squash(_("Customer signature")) in texts[-1]


def test_warm_render_is_quick(tmp_path: Path) -> None:
    """A 25-line work order renders well under a second once the font is loaded."""
    import time

    doc = factories.work_order()
    render_work_order(doc, tmp_path, "zh_CN")  # warm: font registered, modules imported
    start = time.perf_counter()
    render_work_order(doc, tmp_path, "zh_CN")
    assert time.perf_counter() - start < 2.0
