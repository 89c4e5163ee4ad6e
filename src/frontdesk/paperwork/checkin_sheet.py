"""接车登记表 — the walkaround the customer signs at check-in.

It settles in advance what state the car arrived in (damage per panel, warning lights,
fuel, odometer, what is in the car), so a scratch found at delivery is not argued about.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from . import blocks
from . import formatting as fmt
from .car_diagram import car_diagram
from .documents import DAMAGE_CODES, DAMAGES, CheckinSheetDoc, iter_text
from .fonts import warn_missing
from .kit import Kit, make_kit
from .labels import DAMAGES as DAMAGE_LABELS
from .labels import PANELS, TITLES, label
from .page import build_pdf, output_path, page_setup
from .styles import CELL_PAD, GRID, GRID_WIDTH, MARGIN

DOCUMENT = "checkin-sheet"
BODY_WIDTH = A4[0] - 2 * MARGIN
DIAGRAM_WIDTH = 54 * mm


def marks_table(kit: Kit, doc: CheckinSheetDoc, width: float) -> Table:
    """Each mark with its panel, code and the advisor's note, then the code legend."""
    _ = kit._
    g = kit.gettext
    rows: list[list[blocks.Cell]] = [[kit.p(_("Panel"), "head"), kit.p(_("Damage"), "head"),
                                      kit.p(_("Note"), "head")]]
    for mark in doc.marks:
        code = DAMAGE_CODES[mark.damage]
        rows.append([
            kit.p(label(g, PANELS, mark.panel), "cell"),
            kit.p(f"{code}  {label(g, DAMAGE_LABELS, mark.damage)}", "cell"),
            kit.p(mark.note, "cell"),
        ])
    if not doc.marks:
        rows.append([kit.p(_("No damage found"), "cell"), "", ""])
    widths = [30 * mm, 30 * mm, width - 60 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = blocks.grid_style()
    if not doc.marks:
        style.append(("SPAN", (0, 1), (-1, 1)))
    blocks.styled(kit, table, style)
    return table


def legend(kit: Kit) -> Flowable:
    g = kit.gettext
    parts = [f"{DAMAGE_CODES[d]} = {label(g, DAMAGE_LABELS, d)}" for d in DAMAGES]
    return kit.p(kit.field(kit._('Damage codes'), "    ".join(parts)), "small")


def walkaround(kit: Kit, doc: CheckinSheetDoc) -> Flowable:
    """Diagram on the left, the list of marks and the legend on the right."""
    _ = kit._
    diagram = car_diagram(doc.marks, kit.font.name, DIAGRAM_WIDTH,
                          labels=(_("Front"), _("Rear"), _("Left"), _("Right")))
    gap = 4 * mm
    right_width = BODY_WIDTH - DIAGRAM_WIDTH - 6 * mm - gap
    right = [marks_table(kit, doc, right_width), Spacer(1, 1.5 * mm), legend(kit),
             blocks.section(kit, _("Checklist")), checklist(kit, doc, right_width)]
    table = Table([[diagram, right]], colWidths=[DIAGRAM_WIDTH + 6 * mm, right_width + gap])
    blocks.styled(kit, table, [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOX", (0, 0), (0, 0), GRID_WIDTH, GRID),
        ("TOPPADDING", (0, 0), (0, 0), CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (0, 0), CELL_PAD),
        ("LEFTPADDING", (0, 0), (0, 0), 3 * mm),
        ("LEFTPADDING", (1, 0), (1, 0), gap),
    ])
    return table


def checklist(kit: Kit, doc: CheckinSheetDoc, width: float) -> Table:
    _ = kit._

    def yes_no(value: bool, yes: str, no: str, note: str = "") -> blocks.Cell:
        return blocks.choices(kit, [(yes, value), (no, not value)], note)

    have, lacking = _("Present"), _("Missing")
    pairs: list[tuple[str, blocks.Cell]] = [
        (_("Protective covers fitted"), yes_no(doc.covers_fitted, _("Yes"), _("No"))),
        (_("Spare tyre"), yes_no(doc.spare_tyre, have, lacking)),
        (_("Tool kit"), yes_no(doc.tool_kit, have, lacking)),
        (_("Warning triangle"), yes_no(doc.warning_triangle, have, lacking)),
    ]
    for item in doc.extra_checks:
        pairs.append((item.label, yes_no(item.ok, _("Yes"), _("No"), item.note)))
    return blocks.info_grid(kit, pairs, width, columns=1, label_width=40 * mm)


def build_story(kit: Kit, doc: CheckinSheetDoc) -> list[Flowable]:
    _ = kit._
    title = _(TITLES["checkin_sheet"])
    pairs: list[tuple[str, blocks.Cell]] = [
        (_("Check-in time"), fmt.when(doc.checked_in_at)),
        (_("Service advisor"), doc.advisor),
        (_("Customer"), blocks.party(kit, doc.customer)),
        (_("Brought in by"), blocks.party(kit, doc.brought_by, same_as=_("same as the customer"))),
        *blocks.vehicle_pairs(kit, doc.vehicle),
    ]
    lights = "、".join(doc.warning_lights) if kit.lang.startswith("zh") else ", ".join(doc.warning_lights)
    found: list[tuple[str, blocks.Cell]] = [
        (_("Warning lights on"), lights or _("None")),
        (_("Valuables in the car"), doc.valuables or _("None declared")),
        (_("Photos"), doc.photos_ref or _("None taken")),
    ]
    if doc.notes:
        found.append((_("Remarks"), doc.notes))
    clause = _("The customer confirms that the condition of the car, the items in it and the "
               "readings above are as recorded. Please keep valuables with you: the store is "
               "not responsible for items not recorded on this sheet.")
    return [
        blocks.letterhead(kit, doc.store, title, doc.order_no, BODY_WIDTH),
        Spacer(1, 3 * mm),
        blocks.info_grid(kit, pairs, BODY_WIDTH),
        blocks.section(kit, _("Walkaround")),
        walkaround(kit, doc),
        Spacer(1, 2 * mm),
        blocks.info_grid(kit, found, BODY_WIDTH, columns=1, label_width=30 * mm),
        blocks.section(kit, _("Customer concerns (in the customer's words)")),
        blocks.numbered(kit, doc.concerns, _("None stated"), BODY_WIDTH),
        KeepTogether([
            Spacer(1, 3 * mm),
            kit.p(clause, "clause"),
            Spacer(1, 3 * mm),
            blocks.signature_boxes(kit, [
                (_("Customer signature"), doc.signed_by, doc.signed_at),
                (_("Service advisor signature"), None, None),
            ], BODY_WIDTH, height=13 * mm),
        ]),
    ]


def render(doc: CheckinSheetDoc, out_dir: str | Path, lang: str = "zh_CN",
           *, font_path: str | None = None) -> Path:
    kit = make_kit(lang, font_path)
    warn_missing(kit.font, iter_text(doc), f"check-in sheet {doc.order_no}")
    title = kit._(TITLES["checkin_sheet"])
    setup = page_setup(kit, title, doc.order_no, doc.store)
    target = output_path(out_dir, doc.order_no, DOCUMENT, lang)
    return build_pdf(target, build_story(kit, doc), setup)
