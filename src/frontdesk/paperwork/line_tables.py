"""The money tables: job, part and charge lines, totals per pay type, amounts under a table.

Why together: they share the column conventions (numbers right-aligned, money as
¥1,234.50, pay type last) that let a customer compare the work order with the settlement.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Table

from . import formatting as fmt
from .blocks import Cell, grid_style, styled
from .documents import DocLine, Totals
from .kit import Kit
from .labels import LINE_KINDS, PAY_TYPES, label
from .styles import ACCENT, CELL_PAD, GROUP_BG, INK, WARN


def hex_colour(colour: object) -> str:
    """``#rrggbb`` for paragraph markup from a ReportLab colour."""
    return "#" + colour.hexval()[2:]  # type: ignore[attr-defined]


def line_tags(kit: Kit, line: DocLine) -> str:
    """Markup after a description: additional work and safety items stand out."""
    _ = kit._
    tags = ""
    if line.origin == "additional":
        tags += f' <font color="{hex_colour(ACCENT)}" size="7">[{escape(_("additional work"))}]</font>'
    if line.safety:
        tags += f' <font color="{hex_colour(WARN)}" size="7">[{escape(_("safety"))}]</font>'
    return tags


def description_cell(kit: Kit, line: DocLine) -> Cell:
    """The description, with its tags when it has any (plain text is cheaper to set)."""
    tags = line_tags(kit, line)
    return kit.markup(escape(line.description) + tags, "cell") if tags else kit.p(line.description, "cell")


def lines_table(kit: Kit, lines: Sequence[DocLine], kind: str, width: float,
                *, show_pay_type: bool = True) -> Table:
    """One table for the labor, parts or other lines, its header repeated on every page."""
    _ = kit._
    if kind == "labor":
        code_h, desc_h, qty_h, price_h = _("Op. code"), _("Job"), _("Hours"), _("Labor rate")
    elif kind == "part":
        code_h, desc_h, qty_h, price_h = _("Part no."), _("Part name"), _("Qty"), _("Unit price")
    else:
        code_h, desc_h, qty_h, price_h = _("Code"), _("Item"), _("Qty"), _("Unit price")
    header: list[Cell] = [kit.p("#", "head"), kit.p(code_h, "head"), kit.p(desc_h, "head"),
                          kit.p(qty_h, "head_right"), kit.p(price_h, "head_right"),
                          kit.p(_("Amount"), "head_right")]
    widths = [8 * mm, 27 * mm, 0.0, 16 * mm, 22 * mm, 24 * mm]
    if show_pay_type:
        header.append(kit.p(_("Pay type"), "head"))
        widths.append(22 * mm)
    widths[2] = width - sum(widths)
    rows: list[list[Cell]] = [header]
    for number, line in enumerate(lines, 1):
        qty = fmt.quantity(line.qty_or_hours)
        if line.unit:
            qty = f"{qty} {line.unit}"
        row: list[Cell] = [
            kit.p(str(number), "cell"),
            kit.p(line.code, "cell"),
            description_cell(kit, line),
            kit.p(qty, "cell_right"),
            kit.p(fmt.money(line.unit_price), "cell_right"),
            kit.p(fmt.money(line.amount), "cell_right"),
        ]
        if show_pay_type:
            row.append(kit.p(label(kit.gettext, PAY_TYPES, line.pay_type), "cell"))
        rows.append(row)
    table = Table(rows, colWidths=widths, repeatRows=1)
    styled(kit, table, grid_style())
    return table


def kind_title(kit: Kit, kind: str) -> str:
    _ = kit._
    return {"labor": _("Jobs"), "part": _("Parts"), "other": _("Other charges")}.get(
        kind, label(kit.gettext, LINE_KINDS, kind))


def pay_type_totals(kit: Kit, totals: Totals, width: float, *, payable_column: bool = False) -> Table:
    """Per pay type: labor, parts, other, gross, discount, net and the tax inside it."""
    _ = kit._
    head = [_("Pay type"), _("Labor cost"), _("Parts cost"), _("Other cost"), _("Gross"), _("Discount"),
            _("Net"), _("of which tax") if totals.prices_include_tax else _("Tax")]
    if payable_column:
        head.append(_("Customer pays"))
    rows: list[list[Cell]] = [[kit.p(head[0], "head")] + [kit.p(h, "head_right") for h in head[1:]]]
    for t in totals.by_pay_type:
        cells = [t.labor, t.parts, t.other, t.gross, -t.discount if t.discount else t.discount,
                 t.net, t.tax]
        row: list[Cell] = [kit.p(label(kit.gettext, PAY_TYPES, t.pay_type), "cell")]
        row += [kit.p(fmt.money(v), "cell_right") for v in cells]
        if payable_column:
            payable = t.net if totals.prices_include_tax else t.net + t.tax
            row.append(kit.p(fmt.money(payable) if t.pay_type == "customer" else "—", "cell_right"))
        rows.append(row)
    total_cells = [totals.labor, totals.parts, totals.other, totals.gross,
                   -totals.discount if totals.discount else totals.discount, totals.net, totals.tax]
    total_row: list[Cell] = [kit.p(_("Total"), "head")]
    total_row += [kit.p(fmt.money(v), "head_right") for v in total_cells]
    if payable_column:
        total_row.append(kit.p(fmt.money(totals.customer_payable), "head_right"))
    rows.append(total_row)
    first = 26 * mm
    n = len(head) - 1
    table = Table(rows, colWidths=[first] + [(width - first) / n] * n, repeatRows=1)
    style = grid_style()
    style.append(("BACKGROUND", (0, -1), (-1, -1), GROUP_BG))
    styled(kit, table, style)
    return table


def amount_lines(kit: Kit, rows: Sequence[tuple[str, str, bool]], width: float) -> Table:
    """Right-aligned label/amount pairs under a table; ``True`` marks the one that matters."""
    data: list[list[Cell]] = []
    style: list[tuple[object, ...]] = [
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for i, (text, amount, strong) in enumerate(rows):
        data.append([kit.p(text, "total_label"), kit.p(amount, "total_value" if strong else "total_label")])
        if strong:
            style.append(("LINEABOVE", (1, i), (1, i), 0.8, INK))
    table = Table(data, colWidths=[width - 40 * mm, 40 * mm])
    styled(kit, table, style)
    return table


def money_or_dash(value: Decimal | None) -> str:
    return fmt.money(value) if value is not None else "—"
