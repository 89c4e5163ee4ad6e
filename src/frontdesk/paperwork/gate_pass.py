"""出门证 — the A5 slip the guard takes at the gate before the car may leave.

It is printed only for an order that is paid or whose credit was approved: a pass for an
unpaid car is how a dealership loses money, so the renderer refuses rather than trusting
every caller to check. The plate is printed large: the guard compares it from the booth.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from . import blocks
from . import formatting as fmt
from .documents import GatePassDoc, iter_text
from .fonts import warn_missing
from .kit import Kit, make_kit
from .labels import TITLES
from .page import build_pdf, output_path, page_setup
from .release import check_release
from .styles import ACCENT

DOCUMENT = "gate-pass"
MARGIN = 10 * mm
BODY_WIDTH = A5[0] - 2 * MARGIN
QR_SIZE = 30 * mm


def build_story(kit: Kit, doc: GatePassDoc) -> list[Flowable]:
    _ = kit._
    g = kit.gettext
    title = g(TITLES["gate_pass"])
    if doc.paid:
        status = _("Paid")
    elif doc.charged_to_account:
        status = _("Charged to account {name}", name=doc.charged_to_account)
    else:
        status = _("On credit, approved by {name}", name=doc.credit_approved_by or "")
    vehicle = doc.model + (f"    {doc.colour}" if doc.colour else "")
    pairs: list[tuple[str, blocks.Cell]] = [(_("Gate pass no."), doc.pass_no)] if doc.pass_no else []
    pairs += [
        (_("Order no."), doc.order_no),
        (_("Vehicle"), vehicle),
        (_("Issued"), fmt.when(doc.issued_at)),
        (_("Valid until"), fmt.when(doc.valid_until, _("the end of the day"))),
        (_("Cashier"), doc.cashier),
        (_("Payment status"), status),
    ]
    details = blocks.info_grid(kit, pairs, BODY_WIDTH - QR_SIZE - 4 * mm, columns=1, label_width=22 * mm)
    plate = Table([[kit.p(_("Plate"), "label")], [kit.p(doc.plate, "big")]], colWidths=[BODY_WIDTH])
    blocks.styled(kit, plate, [
        ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
        ("TOPPADDING", (0, 1), (0, 1), 1 * mm),
        ("BOTTOMPADDING", (0, 1), (0, 1), 4 * mm),
    ])
    body = Table([[details, blocks.qr_code(doc.order_no, QR_SIZE, kit.font.name)]],
                 colWidths=[BODY_WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm])
    blocks.styled(kit, body, [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ])
    head = Table([[blocks.fitted(kit, doc.store.name, "store", BODY_WIDTH, alignment=TA_CENTER)],
                  [blocks.fitted(kit, f"{doc.store.address}    {kit.field(_('Phone'), doc.store.phone)}", "small", BODY_WIDTH, smallest=6, alignment=TA_CENTER)],
                  [blocks.fitted(kit, title, "title", BODY_WIDTH, alignment=TA_CENTER)]],
                 colWidths=[BODY_WIDTH])
    blocks.styled(kit, head, [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, -1), (-1, -1), 2 * mm),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, ACCENT),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 2.5 * mm),
    ])
    return [
        head,
        Spacer(1, 4 * mm),
        plate,
        Spacer(1, 4 * mm),
        body,
        Spacer(1, 3 * mm),
        kit.p(_("One pass per car, valid on the day of issue. The guard checks the plate "
                "against this pass and keeps it."), "clause"),
        Spacer(1, 4 * mm),
        blocks.signature_boxes(kit, [(_("Cashier's stamp"), None, None),
                                     (_("Guard"), None, None)], BODY_WIDTH, height=14 * mm),
    ]


def render(doc: GatePassDoc, out_dir: str | Path, lang: str = "zh_CN",
           *, font_path: str | None = None) -> Path:
    check_release(doc, lang)
    kit = make_kit(lang, font_path)
    warn_missing(kit.font, iter_text(doc), f"gate pass {doc.order_no}")
    title = kit._(TITLES["gate_pass"])
    setup = page_setup(kit, title, doc.order_no, doc.store, pagesize=A5)
    setup = replace(setup, margin=MARGIN)
    target = output_path(out_dir, doc.order_no, DOCUMENT, lang)
    return build_pdf(target, build_story(kit, doc), setup)

