"""对账单 — a key account's monthly statement, on the same letterhead as the store's other papers.

The account's accounts department checks it against its own books and pays from it, so it
says who it is for in the terms they file by (抬头, 税号, 开户行), every order charged with the
car and the driver who brought it, the transfers received, and the balance carried from the
opening to the closing one — each line following from the ones above. The aging at the
month's end tells both sides what is overdue. A box for the account's seal (盖章) makes it
the confirmation the store files.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from . import blocks, line_tables
from . import formatting as fmt
from .documents import iter_text
from .fonts import warn_missing
from .kit import Kit, make_kit
from .labels import N_, PAYMENT_METHODS, label
from .page import build_pdf, page_setup
from .statement_doc import ACCOUNT_KINDS, StatementData
from .styles import GROUP_BG, MARGIN

BODY_WIDTH = A4[0] - 2 * MARGIN
TITLE = N_("Statement of account")


def account_pairs(kit: Kit, data: StatementData) -> list[tuple[str, blocks.Cell]]:
    _ = kit._
    a = data.account
    terms = (_("Monthly, {days} days after the statement", days=a.terms_days) if a.monthly
             else _("{days} days after each order", days=a.terms_days))
    contact = "    ".join(x for x in (a.contact_name, a.contact_phone) if x)
    return [
        (_("Billed to"), f"{a.code}  {a.name}"),
        (_("Kind"), label(kit.gettext, ACCOUNT_KINDS, a.kind)),
        (_("Invoice title"), a.invoice_title or a.name),
        (_("Taxpayer ID"), a.tax_id),
        (_("Invoice address"), a.invoice_address),
        (_("Bank and account"), a.invoice_bank),
        (_("Contact"), contact),
        (_("Payment terms"), terms),
        (_("Period"), f"{fmt.day(data.start)} – {fmt.day(data.end)}"),
        (_("Credit limit"), fmt.money(a.credit_limit)),
    ]


def orders_table(kit: Kit, data: StatementData) -> Table:
    """The orders charged in the month, oldest first, with their sums under them."""
    _ = kit._
    head = [kit.p("#", "head"), kit.p(_("Date"), "head"), kit.p(_("Order no."), "head"), kit.p(_("Plate"), "head"),
            kit.p(_("Brought in by"), "head")] + [kit.p(h, "head_right") for h in (
                _("Labor"), _("Parts"), _("Discount"), _("Amount"))]
    widths = [7 * mm, 20 * mm, 0.0, 21 * mm, 20 * mm, 21 * mm, 21 * mm, 19 * mm, 23 * mm]
    widths[2] = BODY_WIDTH - sum(widths)
    rows: list[list[blocks.Cell]] = [head]
    for number, line in enumerate(data.lines, 1):
        rows.append([kit.p(str(number), "cell"), kit.p(fmt.day(line.day), "cell"), kit.p(line.order_no, "cell"),
                     kit.p(line.plate, "cell"), kit.p(line.driver, "cell"),
                     kit.p(fmt.money(line.labour), "cell_right"), kit.p(fmt.money(line.parts), "cell_right"),
                     kit.p(fmt.money(-line.discount) if line.discount else "", "cell_right"),
                     kit.p(fmt.money(line.amount), "cell_right")])
    style = blocks.grid_style()
    if not data.lines:
        rows.append([kit.p(_("No order was charged to the account this month."), "cell")] + [""] * 8)
        style.append(("SPAN", (0, 1), (-1, 1)))
    rows.append([kit.p(_("Total"), "head")] + [""] * 4 + [
        kit.p(fmt.money(v), "head_right") for v in (data.labour, data.parts, -data.discount if data.discount
                                                     else data.discount, data.charged)])
    style += [("SPAN", (0, -1), (4, -1)), ("BACKGROUND", (0, -1), (-1, -1), GROUP_BG)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, style)
    return table


def payments_table(kit: Kit, data: StatementData) -> Table:
    _ = kit._
    rows: list[list[blocks.Cell]] = [[kit.p(_("Date"), "head"), kit.p(_("Reference"), "head"),
                                      kit.p(_("Method"), "head"), kit.p(_("Amount"), "head_right")]]
    for payment in data.payments:
        rows.append([kit.p(fmt.day(payment.day), "cell"), kit.p(payment.reference, "cell"),
                     kit.p(label(kit.gettext, PAYMENT_METHODS, payment.method), "cell"),
                     kit.p(fmt.money(payment.amount), "cell_right")])
    style = blocks.grid_style()
    if not data.payments:
        rows.append([kit.p(_("No payment received"), "cell")] + [""] * 3)
        style.append(("SPAN", (0, 1), (-1, 1)))
    widths = [24 * mm, 0.0, 30 * mm, 30 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, style)
    return table


def balance_lines(kit: Kit, data: StatementData) -> Table:
    """From the opening balance to the closing one, each line following from those above."""
    _ = kit._
    rows = [(_("Opening balance {day}", day=fmt.day(data.start)), fmt.money(data.opening_balance), False),
            (_("Charged this month"), fmt.money(data.charged), False),
            (_("Received this month"), fmt.money(-data.received), False)]
    if data.written_off:
        rows.append((_("Written off"), fmt.money(-data.written_off), False))
    rows.append((_("Closing balance {day}", day=fmt.day(data.end)), fmt.money(data.closing_balance), True))
    return line_tables.amount_lines(kit, rows, BODY_WIDTH)


def aging_table(kit: Kit, data: StatementData) -> Table:
    """What is open at the month's end by age in days, less the credit not yet applied: the closing balance."""
    _ = kit._
    heads = [_("{bucket} days", bucket=a.bucket) for a in data.aging] + [_("Unapplied credit"), _("Balance")]
    values = [a.amount for a in data.aging] + [-data.unapplied_credit, data.closing_balance]
    rows: list[list[blocks.Cell]] = [[kit.p(h, "head_right") for h in heads],
                                     [kit.p(fmt.money(v), "cell_right") for v in values]]
    table = Table(rows, colWidths=[BODY_WIDTH / len(heads)] * len(heads))
    blocks.styled(kit, table, blocks.grid_style())
    return table


def build_story(kit: Kit, data: StatementData) -> list[Flowable]:
    _ = kit._
    story: list[Flowable] = [
        blocks.letterhead(kit, data.store, _(TITLE), data.number, BODY_WIDTH, number_label=_("Statement no.")),
        Spacer(1, 3 * mm),
        blocks.info_grid(kit, account_pairs(kit, data), BODY_WIDTH, label_width=22 * mm),
        blocks.section(kit, _("Orders charged to the account")),
        orders_table(kit, data),
        CondPageBreak(40 * mm),
        KeepTogether([blocks.section(kit, _("Payments received")), payments_table(kit, data)]),
        KeepTogether([blocks.section(kit, _("Balance")), balance_lines(kit, data)]),
    ]
    if kit.chinese and data.closing_balance > 0:
        story.append(kit.p(kit.field(_("Amount in words"), fmt.rmb_upper(data.closing_balance)), "total_label"))
    story += [
        KeepTogether([blocks.section(kit, _("Aging at the end of the month")), aging_table(kit, data)]),
        KeepTogether([
            Spacer(1, 3 * mm),
            kit.p(_("Please check this statement against your records and tell us of any difference within "
                    "7 days; otherwise it is taken as confirmed. Pay by bank transfer quoting the statement "
                    "number."), "clause"),
            Spacer(1, 3 * mm),
            blocks.signature_boxes(kit, [
                (_("Prepared by (store)"), None, None),
                (_("Confirmed by the account (seal)"), None, None),
            ], BODY_WIDTH, height=18 * mm),
        ]),
    ]
    return story


def render(data: StatementData, target: Path, lang: str = "zh_CN", *, font_path: str | None = None) -> Path:
    """Write the statement to ``target`` (atomically, 0600: it names the account's cars and drivers)."""
    kit = make_kit(lang, font_path)
    warn_missing(kit.font, iter_text(data), f"statement {data.number}")
    title = kit._(TITLE)
    setup = page_setup(kit, title, data.number, data.store)
    return build_pdf(target, build_story(kit, data), setup)
