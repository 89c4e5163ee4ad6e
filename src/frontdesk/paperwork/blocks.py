"""Building blocks the documents share: letterhead, field grids, line tables, totals, signatures.

Why shared: a customer sees the work order, check-in sheet and settlement side by side;
the same field in the same place with the same look is what makes them read as one set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from . import formatting as fmt
from .documents import PartyInfo, StoreInfo, VehicleInfo
from .kit import Kit, OneLine, as_cell_text
from .styles import ACCENT, CELL_PAD, GRID, GRID_WIDTH, HEAD_BG, LABEL_BG, RULE

log = logging.getLogger(__name__)

CHECKED = "■"
UNCHECKED = "□"

Cell = Flowable | str


@lru_cache(maxsize=64)
def _qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The code's size in modules and its dark runs ``(row, first column, length)``.

    Encoding is the slow half of a QR code, and every page of a document repeats it.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    runs = []
    for r, row in enumerate(qr.modules):
        c = 0
        for dark, group in groupby(bool(m) for m in row):
            n = sum(1 for _ in group)
            if dark:
                runs.append((r, c, n))
            c += n
    return qr.getModuleCount(), tuple(runs)


class QrMark(Flowable):
    """A QR code of ``value`` (the order number: scanning it at any desk opens the order).

    Drawn as one filled path rather than ReportLab's drawing of some 600 shapes, which cost
    a third of a work order's time; the 4-module quiet zone is part of ``size``.
    """

    QUIET = 4

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value, self.width, self.height = value, size, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        count, runs = _qr_runs(self.value)
        box = self.width / (count + 2 * self.QUIET)
        path = self.canv.beginPath()
        for r, c, n in runs:
            path.rect((c + self.QUIET) * box, self.height - (r + self.QUIET + 1) * box, n * box, box * 1.02)
        self.canv.drawPath(path, stroke=0, fill=1)


def qr_code(value: str, size: float, font: str = "") -> Flowable:
    """The order number as a QR code of ``size`` points square (``font`` kept for callers)."""
    return QrMark(value, size)


def _logo(path: str | None, max_w: float, max_h: float) -> Flowable | None:
    """The store's logo scaled into its box; a missing or broken file is skipped, not fatal."""
    if not path:
        return None
    file = Path(path).expanduser()
    if not file.is_file():
        log.warning("logo %s not found; printing without it", file)
        return None
    try:
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(str(file)).getSize()
    except Exception as exc:
        log.warning("logo %s cannot be read (%s); printing without it", file, exc)
        return None
    scale = min(max_w / w, max_h / h)
    return Image(str(file), width=w * scale, height=h * scale)


def letterhead(kit: Kit, store: StoreInfo, title: str, order_no: str, width: float,
               *, qr_size: float = 22 * mm, number_label: str = "") -> Flowable:
    """Logo, store name and legal details on the left; title, order number and QR on the right.

    ``number_label`` names a number that is not an order's (a statement's), translated.
    """
    _ = kit._
    details = [kit.p(store.name, "store"), kit.p(store.address, "small")]
    contact = kit.field(_('Phone'), store.phone)
    if store.hotline:
        contact += f"    {kit.field(_('24-hour hotline'), store.hotline)}"
    details.append(kit.p(contact, "small"))
    details.append(kit.p(kit.field(_('Tax ID'), store.tax_id), "small"))
    logo = _logo(store.logo_path, 22 * mm, 18 * mm)
    logo_w = 24 * mm if logo else 0
    title_w = 60 * mm
    heading = [fitted(kit, title, "title", title_w - 3 * mm), Spacer(1, 2 * mm),
               kit.p(f"{number_label or _('Order no.')} {order_no}", "order_no")]
    qr_w = qr_size + 2 * mm if qr_size else 0
    store_w = width - logo_w - title_w - qr_w
    cells: list[object] = []
    widths: list[float] = []
    if logo:
        cells.append(logo)
        widths.append(logo_w)
    cells += [details, heading]
    widths += [store_w, title_w]
    if qr_size:
        cells.append(qr_code(order_no, qr_size, kit.font.name))
        widths.append(qr_w)
    table = Table([cells], colWidths=widths)
    styled(kit, table, [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
        ("RIGHTPADDING", (-2, 0), (-2, 0), 2 * mm),
        ("ALIGN", (-1, 0), (-1, 0), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
    ])
    return table


def fitted(kit: Kit, text: str, style: str, width: float, smallest: float = 11,
           alignment: int | None = None) -> Flowable:
    """One line of ``text``, its type shrunk until it fits (long English titles)."""
    base = getattr(kit.styles, style)
    size = base.fontSize
    natural = stringWidth(text, base.fontName, size)
    if natural > width:
        size = max(smallest, size * width / natural)
    fit = ParagraphStyle(f"{base.name}-{size:.1f}", parent=base, fontSize=size,
                         leading=size * base.leading / base.fontSize,
                         alignment=base.alignment if alignment is None else alignment)
    return OneLine(text, fit)


def section(kit: Kit, text: str) -> Flowable:
    return kit.p(text, "section")


def styled(kit: Kit, table: Table, commands: Sequence[tuple[object, ...]]) -> Table:
    """Apply ``commands`` after setting every cell's font: a table's plain-string cells
    would otherwise be set in Helvetica, which the PDF would list unembedded.

    Then every one-line cell that fits its column becomes the table's own text: see
    ``kit.as_cell_text``. Call it last: a later ``setStyle`` could restyle those cells.
    """
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.font.name), *commands]))
    widths = table._argW  # ReportLab keeps the column widths there
    for values, cell_styles in zip(table._cellvalues, table._cellStyles):
        for col, (value, cell_style) in enumerate(zip(values, cell_styles)):
            if isinstance(value, OneLine):
                values[col] = as_cell_text(value, cell_style, widths[col])
    return table


def grid_style(header_rows: int = 1) -> list[tuple[object, ...]]:
    """The house table look: thin grid, tinted header, cells padded alike."""
    style: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    return style


def info_grid(kit: Kit, pairs: Sequence[tuple[str, Cell]], width: float, *, columns: int = 2,
              label_width: float = 24 * mm) -> Table:
    """Label/value pairs, ``columns`` pairs to a row; labels tinted, values plain."""
    value_width = width / columns - label_width
    rows: list[list[Cell]] = []
    for start in range(0, len(pairs), columns):
        row: list[Cell] = []
        for lab, value in pairs[start:start + columns]:
            row.append(kit.p(lab, "label"))
            row.append(kit.p(value, "value") if isinstance(value, str) else value)
        while len(row) < 2 * columns:
            row.append("")
        rows.append(row)
    table = Table(rows, colWidths=[label_width, value_width] * columns)
    style = grid_style(header_rows=0)
    for col in range(0, 2 * columns, 2):
        style.append(("BACKGROUND", (col, 0), (col, -1), LABEL_BG))
    styled(kit, table, style)
    return table


def party(kit: Kit, person: PartyInfo | None, *, same_as: str = "") -> str:
    if person is None:
        return same_as
    text = f"{person.name}    {person.phone}"
    if person.company:
        text += f"    {person.company}"
    return text


def vehicle_pairs(kit: Kit, vehicle: VehicleInfo) -> list[tuple[str, Cell]]:
    _ = kit._
    pairs: list[tuple[str, Cell]] = [
        (_("Plate"), vehicle.plate),
        (_("VIN"), vehicle.vin),
        (_("Make and model"), f"{vehicle.make} {vehicle.model}".strip()),
        (_("Colour"), vehicle.colour),
        (_("Odometer"), fmt.km(vehicle.odometer_km)),
        (_("Fuel level"), fuel_gauge(kit, vehicle.fuel_eighths)),
    ]
    if vehicle.engine_no or vehicle.sale_date:
        pairs += [(_("Engine no."), vehicle.engine_no), (_("Sale date"), fmt.day(vehicle.sale_date))]
    return pairs


def fuel_gauge(kit: Kit, eighths: int) -> Flowable:
    """E ■■■■□□□□ F and the fraction: the picture is what the customer checks."""
    bar = CHECKED * eighths + UNCHECKED * (8 - eighths)
    return kit.p(f"E {bar} F   {fmt.fuel(eighths)}", "value")


CHOICE_GAP = "\u00a0" * 4  # no-break spaces: a paragraph would collapse plain ones


def choices_text(options: Sequence[tuple[str, bool]]) -> str:
    """Tick boxes in a row, the chosen ones filled: ■ WeChat Pay    □ Cash …"""
    return CHOICE_GAP.join(f"{CHECKED if chosen else UNCHECKED} {text}" for text, chosen in options)


def choices(kit: Kit, options: Sequence[tuple[str, bool]], note: str = "") -> Flowable:
    text = choices_text(options)
    if note:
        text += CHOICE_GAP + note
    return kit.p(text, "value")


def numbered(kit: Kit, items: Sequence[str], empty: str, width: float) -> Table:
    """A boxed numbered list (the customer's concerns, care notes)."""
    rows = [[kit.p(f"{i}.", "cell"), kit.p(text, "value")] for i, text in enumerate(items, 1)]
    if not rows:
        rows = [["", kit.p(empty, "value")]]
    table = Table(rows, colWidths=[7 * mm, width - 7 * mm])
    styled(kit, table, [
        ("BOX", (0, 0), (-1, -1), GRID_WIDTH, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ])
    return table


def signature_boxes(kit: Kit, boxes: Sequence[tuple[str, str | None, datetime | None]],
                    width: float, *, height: float = 16 * mm) -> Table:
    """Side-by-side boxes to sign in; a name already signed on the tablet is printed in it."""
    _ = kit._
    heads: list[Cell] = []
    bodies: list[Cell] = []
    dates: list[Cell] = []
    for title, signed_by, signed_at in boxes:
        heads.append(kit.p(title, "label"))
        bodies.append(kit.p(kit.field(_('Signed'), signed_by), "value") if signed_by else "")
        dates.append(kit.p(kit.field(_('Date'), fmt.when(signed_at)), "label"))
    n = len(boxes)
    gap = 6 * mm
    box_w = (width - gap * (n - 1)) / n
    widths: list[float] = []
    row_h, row_b, row_d = [], [], []
    for i in range(n):
        if i:
            widths.append(gap)
            row_h.append("")
            row_b.append("")
            row_d.append("")
        widths.append(box_w)
        row_h.append(heads[i])
        row_b.append(bodies[i])
        row_d.append(dates[i])
    table = Table([row_h, row_b, row_d], colWidths=widths, rowHeights=[None, height, None])
    style: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
    ]
    for i in range(n):
        col = 2 * i
        style.append(("BOX", (col, 0), (col, -1), 0.7, RULE))
        style.append(("LINEBELOW", (col, 1), (col, 1), 0.4, GRID))
    styled(kit, table, style)
    return table
