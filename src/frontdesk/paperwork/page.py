"""The page around the content: running header, footer with "page n of m", atomic output.

Why two passes for "page n of m": the total is only known once the story is laid out,
so the canvas keeps every page's state and draws the footers when it is saved.
Why atomic: the file is written beside its final name and renamed, so a viewer or the
print spooler never picks up half a PDF.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageTemplate

from . import formatting as fmt
from .documents import StoreInfo
from .kit import Kit
from .styles import ACCENT, FOOTER_HEIGHT, MARGIN, MUTED, RULE, RUNNING_HEADER_HEIGHT


@dataclass(frozen=True)
class PageSetup:
    """What every page repeats; strings are already translated."""

    pagesize: tuple[float, float]
    font: str
    title: str
    order_no: str
    store_name: str
    footer_note: str
    page_format: str  # "Page {page} of {pages}", translated
    author: str = ""
    subject: str = ""
    margin: float = MARGIN


def _numbered_canvas(setup: PageSetup) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _draw_footer(self, setup, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _draw_footer(canvas: Canvas, setup: PageSetup, page: int, pages: int) -> None:
    width, _ = setup.pagesize
    m = setup.margin
    y = m - 2 * mm
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(m, y + 4.2 * mm, width - m, y + 4.2 * mm)
    number = setup.page_format.format(page=page, pages=pages)
    room = width - 2 * m - stringWidth(number, setup.font, 8.5) - 6 * mm
    size = 7.5
    natural = stringWidth(setup.footer_note, setup.font, size)
    if natural > room:  # a long store name on A5: shrink rather than overprint the page number
        size = max(5.0, size * room / natural)
    canvas.setFillColor(MUTED)
    canvas.setFont(setup.font, size)
    canvas.drawString(m, y, setup.footer_note)
    canvas.setFillColor(ACCENT)
    canvas.setFont(setup.font, 8.5)
    canvas.drawRightString(width - m, y, number)
    canvas.restoreState()


def _draw_running_header(canvas: Canvas, setup: PageSetup) -> None:
    """Pages after the first: who, what and which order, so a loose page is still identifiable."""
    width, height = setup.pagesize
    m = setup.margin
    y = height - m - 5 * mm
    left = f"{setup.store_name}  ·  {setup.title}"
    room = width - 2 * m - stringWidth(setup.order_no, setup.font, 10) - 6 * mm
    size = 10.0
    natural = stringWidth(left, setup.font, size)
    if natural > room:  # a long store name must not run into the order number
        size = max(6.0, size * room / natural)
    canvas.saveState()
    canvas.setFillColor(ACCENT)
    canvas.setFont(setup.font, size)
    canvas.drawString(m, y, left)
    canvas.setFont(setup.font, 10)
    canvas.drawRightString(width - m, y, setup.order_no)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(m, y - 2.5 * mm, width - m, y - 2.5 * mm)
    canvas.restoreState()


def build_pdf(target: Path, story: Sequence[Flowable], setup: PageSetup) -> Path:
    """Lay out ``story`` on as many pages as it needs and write ``target`` atomically."""
    width, height = setup.pagesize
    m = setup.margin
    body_width = width - 2 * m
    bottom = m + FOOTER_HEIGHT - 4 * mm
    first = Frame(m, bottom, body_width, height - m - bottom, id="first", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    later_top = height - m - RUNNING_HEADER_HEIGHT
    later = Frame(m, bottom, body_width, later_top - bottom, id="later", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=setup.pagesize,
        leftMargin=m,
        rightMargin=m,
        topMargin=m,
        bottomMargin=m,
        title=f"{setup.title} {setup.order_no}",
        author=setup.author,
        subject=setup.subject,
        creator="frontdesk",
        initialFontName=setup.font,  # else every page starts in (unembedded) Helvetica
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], pagesize=setup.pagesize),
            PageTemplate(
                id="later",
                frames=[later],
                pagesize=setup.pagesize,
                onPage=lambda canvas, _doc: _draw_running_header(canvas, setup),
            ),
        ]
    )
    doc.build([NextPageTemplate("later"), *story], canvasmaker=_numbered_canvas(setup))
    write_atomically(target, buffer.getvalue())
    return target


def write_atomically(target: Path, data: bytes) -> None:
    """A printed document names the customer: 0600 in a folder made 0700, whole or absent."""
    from frontdesk.private_files import staged

    with staged(target) as partial:
        partial.write_bytes(data)


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def output_path(out_dir: str | Path, order_no: str, document: str, lang: str) -> Path:
    """``RO2026112600012-work-order.pdf``; English copies get ``-en`` so both can coexist."""
    stem = _UNSAFE.sub("_", order_no).strip("._") or "order"
    suffix = "" if lang.startswith("zh") else f"-{lang}"
    return Path(out_dir) / f"{stem}-{document}{suffix}.pdf"


def page_setup(kit: Kit, title: str, order_no: str, store: StoreInfo,
               pagesize: tuple[float, float] = A4, printed_at: datetime | None = None) -> PageSetup:
    """Running header and footer text, the same on every document."""
    _ = kit._
    note = f"{store.name}    {kit.field(_('Printed'), fmt.when(printed_at or datetime.now()))}"
    if store.hotline:
        note += f"    {kit.field(_('24-hour hotline'), store.hotline)}"
    return PageSetup(
        pagesize=pagesize,
        font=kit.font.name,
        title=title,
        order_no=order_no,
        store_name=store.name,
        footer_note=note,
        page_format=_("Page {page} of {pages}"),
        author=store.name,
        subject=f"{title} {order_no}",
    )
