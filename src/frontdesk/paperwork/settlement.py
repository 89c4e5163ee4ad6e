"""结算单 — the settlement statement handed over with the car.

It has to answer the customer's questions at the cash desk without anyone explaining:
what was done, which share is theirs (warranty, insurance and internal shares are shown
but marked as not payable by them), discounts, tax, what was paid and the change, and
what was recommended and declined — a declined safety item carries the customer's
acknowledgement. Then what comes next: next service, the follow-up call.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from frontdesk.bill_sums import payable_steps

from . import blocks, line_tables
from . import formatting as fmt
from .documents import PAY_TYPES, Recommendation, SettlementDoc, Totals, iter_text
from .fonts import warn_missing
from .kit import Kit, make_kit
from .labels import LINE_KINDS, PAYER_NOTES, PAYMENT_METHODS, TITLES, label
from .labels import PAY_TYPES as PAY_TYPE_LABELS
from .page import build_pdf, output_path, page_setup
from .styles import GROUP_BG, MARGIN, WARN

DOCUMENT = "settlement"
BODY_WIDTH = A4[0] - 2 * MARGIN


def lines_by_pay_type(kit: Kit, doc: SettlementDoc) -> Table:
    """Every line, grouped by pay type; each group ends with its subtotal and who pays it."""
    _ = kit._
    g = kit.gettext
    header = [kit.p("#", "head"), kit.p(_("Type"), "head"), kit.p(_("Code"), "head"),
              kit.p(_("Description"), "head"), kit.p(_("Qty / hours"), "head_right"),
              kit.p(_("Unit price"), "head_right"), kit.p(_("Discount"), "head_right"),
              kit.p(_("Amount"), "head_right")]
    widths = [8 * mm, 13 * mm, 26 * mm, 0.0, 18 * mm, 21 * mm, 19 * mm, 23 * mm]
    widths[3] = BODY_WIDTH - sum(widths)
    rows: list[list[blocks.Cell]] = [header]
    style = blocks.grid_style()
    number = 0
    for pay_type in PAY_TYPES:
        group = [line for line in doc.lines if line.pay_type == pay_type]
        if not group:
            continue
        title = label(g, PAY_TYPE_LABELS, pay_type)
        note = PAYER_NOTES.get(pay_type)
        heading = title + (f"  —  {g(note)}" if note else "")
        rows.append([kit.p(heading, "head")] + [""] * 7)
        row = len(rows) - 1
        style += [("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), GROUP_BG)]
        for line in group:
            number += 1
            qty = fmt.quantity(line.qty_or_hours) + (f" {line.unit}" if line.unit else "")
            if line.technician:
                who = escape(kit.field(_("Technician"), line.technician))
                description = kit.markup(escape(line.description) + line_tables.line_tags(kit, line)
                                         + f'<br/><font size="7" color="#5b6270">{who}</font>', "cell")
            else:
                description = line_tables.description_cell(kit, line)
            rows.append([
                kit.p(str(number), "cell"),
                kit.p(label(g, LINE_KINDS, line.kind), "cell"),
                kit.p(line.code, "cell"),
                description,
                kit.p(qty, "cell_right"),
                kit.p(fmt.money(line.unit_price), "cell_right"),
                kit.p(fmt.money(-line.discount) if line.discount else "", "cell_right"),
                kit.p(fmt.money(line.net), "cell_right"),
            ])
        subtotal = doc.totals.for_pay_type(pay_type)
        if subtotal is not None:
            text = _("Subtotal {pay_type}", pay_type=title)
            if subtotal.discount and pay_type == "customer" and doc.totals.rounding:
                text += "  " + _("(after a discount of {amount} and {rounding} rounded off)",
                                 amount=fmt.money(subtotal.discount - doc.totals.rounding),
                                 rounding=fmt.money(doc.totals.rounding))
            elif subtotal.discount:
                text += "  " + _("(after a discount of {amount})", amount=fmt.money(subtotal.discount))
            rows.append([kit.p(text, "head_right")] + [""] * 6 + [kit.p(fmt.money(subtotal.net), "head_right")])
            row = len(rows) - 1
            style.append(("SPAN", (0, row), (-2, row)))
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, style)
    return table


def statement_rows(kit: Kit, totals: Totals) -> list[tuple[str, str, bool]]:
    """The customer's sums as printed: from all pay types before discounts down to what they pay.

    Each line follows from the ones above it (``bill_sums.payable_steps``, which the
    settlement screen shows too); a bold line is the sum of the lines above it.
    """
    customer = totals.for_pay_type("customer")
    steps = payable_steps(
        gross=totals.gross, customer_gross=customer.gross if customer is not None else totals.gross * 0,
        discount=totals.discount, rounding=totals.rounding, customer_payable=totals.customer_payable,
        tax=customer.tax if customer is not None else totals.gross * 0, tax_included=totals.prices_include_tax)
    rate = fmt.percent(totals.vat_rate)
    return [(kit._(step.what, rate=rate) if "{rate}" in step.what else kit._(step.what), fmt.money(step.amount),
             step.result and step.what == "Customer pays") for step in steps]


def customer_total(kit: Kit, doc: SettlementDoc) -> list[Flowable]:
    """The sums that matter to the customer, the amount in capitals as a receipt has it."""
    _ = kit._
    t = doc.totals
    story: list[Flowable] = [line_tables.amount_lines(kit, statement_rows(kit, t), BODY_WIDTH)]
    if kit.lang.startswith("zh"):
        story.append(kit.p(kit.field(_('Amount in words'), fmt.rmb_upper(t.customer_payable)), "total_label"))
    return story


def payments_table(kit: Kit, doc: SettlementDoc) -> list[Flowable]:
    _ = kit._
    g = kit.gettext
    header = [_("Method"), _("Time"), _("Reference"), _("Tendered"), _("Change"), _("Amount")]
    rows: list[list[blocks.Cell]] = [[kit.p(h, "head") for h in header[:3]] +
                                     [kit.p(h, "head_right") for h in header[3:]]]
    for pay in doc.payments:
        method = label(g, PAYMENT_METHODS, pay.method)
        if pay.kind == "refund":
            method += f" ({_('refund')})"
        rows.append([
            kit.p(method, "cell"), kit.p(fmt.when(pay.at), "cell"), kit.p(pay.reference, "cell"),
            kit.p(line_tables.money_or_dash(pay.tendered), "cell_right"),
            kit.p(line_tables.money_or_dash(pay.change), "cell_right"),
            kit.p(fmt.money(pay.signed_amount), "cell_right"),
        ])
    if not doc.payments:
        rows.append([kit.p(_("No payment received"), "cell")] + [""] * 5)
    widths = [28 * mm, 30 * mm, 0.0, 26 * mm, 22 * mm, 26 * mm]
    widths[2] = BODY_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = blocks.grid_style()
    if not doc.payments:
        style.append(("SPAN", (0, 1), (-1, 1)))
    blocks.styled(kit, table, style)
    sums: list[tuple[str, str, bool]] = [(_("Received"), fmt.money(doc.paid), False)]
    change = sum((p.change for p in doc.payments if p.change), doc.paid * 0)
    if change:
        sums.append((_("Change given"), fmt.money(change), False))
    balance = doc.balance_due
    if doc.account_charged > 0:
        sums.append((_("Charged to account {name}", name=doc.charged_to_account or ""),
                     fmt.money(doc.account_charged), True))
    if balance > 0 and doc.credit_approved_by:
        sums.append((_("On credit, approved by {name}", name=doc.credit_approved_by),
                     fmt.money(balance), True))
    elif balance > 0:
        sums.append((_("Balance due"), fmt.money(balance), True))
    elif not doc.account_charged:
        sums.append((_("Paid in full"), fmt.money(doc.totals.customer_payable), True))
    return [table, Spacer(1, 1.5 * mm), line_tables.amount_lines(kit, sums, BODY_WIDTH)]


def receivables_table(kit: Kit, doc: SettlementDoc) -> Table:
    """Shares others pay: warranty claims, insurers; listed so the customer sees them settled."""
    _ = kit._
    g = kit.gettext
    rows: list[list[blocks.Cell]] = [[kit.p(_("Pay type"), "head"), kit.p(_("Paid by"), "head"),
                                      kit.p(_("Claim / policy no."), "head"),
                                      kit.p(_("Amount"), "head_right")]]
    for item in doc.receivables:
        rows.append([kit.p(label(g, PAY_TYPE_LABELS, item.pay_type), "cell"), kit.p(item.payer, "cell"),
                     kit.p(item.reference, "cell"), kit.p(fmt.money(item.amount), "cell_right")])
    widths = [30 * mm, 0.0, 52 * mm, 26 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, blocks.grid_style())
    return table


def recommendation_cell(kit: Kit, rec: Recommendation) -> blocks.Cell:
    """What, and under it why and who found it (the customer asks both)."""
    said = " · ".join(x for x in (rec.reason, kit.field(kit._("Found by"), rec.found_by) if rec.found_by else "") if x)
    if not said:
        return kit.p(rec.description, "cell")
    small = kit.styles.small.fontSize
    return kit.markup(f'{escape(rec.description)}<br/><font size="{small}">{escape(said)}</font>', "cell")


def declined_table(kit: Kit, doc: SettlementDoc) -> list[Flowable]:
    """Declined recommendations; a safety item shows who acknowledged the risk, or a box to sign."""
    _ = kit._
    rows: list[list[blocks.Cell]] = [[kit.p("#", "head"), kit.p(_("Recommended work"), "head"),
                                      kit.p(_("Safety"), "head"), kit.p(_("Quoted"), "head_right"),
                                      kit.p(_("Customer's acknowledgement"), "head")]]
    style = blocks.grid_style()
    for i, rec in enumerate(doc.declined, 1):
        if rec.acknowledged_by:
            ack: blocks.Cell = kit.p(f"{rec.acknowledged_by}  {fmt.when(rec.acknowledged_at)}", "cell")
        elif rec.safety:
            ack = kit.p(_("Signature:"), "label")
        else:
            ack = ""
        rows.append([
            kit.p(str(i), "cell"),
            recommendation_cell(kit, rec),
            kit.p(_("Safety-related") if rec.safety else "", "warn"),
            kit.p(line_tables.money_or_dash(rec.estimate), "cell_right"),
            ack,
        ])
        if rec.safety and not rec.acknowledged_by:
            style.append(("VALIGN", (4, len(rows) - 1), (4, len(rows) - 1), "TOP"))
            style.append(("BOTTOMPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 5 * mm))
        if rec.safety:
            style.append(("TEXTCOLOR", (0, len(rows) - 1), (0, len(rows) - 1), WARN))
    widths = [8 * mm, 0.0, 24 * mm, 24 * mm, 48 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, style)
    story: list[Flowable] = [table]
    if any(r.safety for r in doc.declined):
        story += [Spacer(1, 1.5 * mm), kit.p(_(
            "The customer has been told that the items marked safety-related affect the safe use "
            "of the car, has decided not to have them repaired now, and accepts the risk."), "clause")]
    return story


def next_steps(kit: Kit, doc: SettlementDoc) -> list[Flowable]:
    _ = kit._
    next_service = " / ".join(x for x in (fmt.day(doc.next_service_date), fmt.km(doc.next_service_km)) if x)
    pairs: list[tuple[str, blocks.Cell]] = [
        (_("Next service"), next_service or _("as the maintenance schedule says")),
        (_("Follow-up call"), fmt.when(doc.follow_up_at, _("not agreed"))),
    ]
    story: list[Flowable] = [blocks.info_grid(kit, pairs, BODY_WIDTH, label_width=26 * mm)]
    if doc.first_service:
        story += [Spacer(1, 1.5 * mm), kit.p(_(
            "First free service: the labor and the materials the maintenance schedule prescribes "
            "for it are borne by the manufacturer; further work at the customer's request is "
            "charged as customer pay. Keep this statement: it records the first service for the "
            "warranty."), "clause")]
    if doc.care_notes:
        story += [Spacer(1, 1.5 * mm), kit.p(_("Care notes"), "label"),
                  blocks.numbered(kit, doc.care_notes, "", BODY_WIDTH)]
    return story


def build_story(kit: Kit, doc: SettlementDoc) -> list[Flowable]:
    _ = kit._
    title = _(TITLES["settlement"])
    pairs: list[tuple[str, blocks.Cell]] = [
        (_("Check-in time"), fmt.when(doc.checked_in_at)),
        (_("Settlement time"), fmt.when(doc.settled_at)),
        (_("Service advisor"), doc.advisor),
        (_("Cashier"), doc.cashier),
        (_("Customer"), blocks.party(kit, doc.customer)),
        (_("Plate"), doc.vehicle.plate),
        (_("VIN"), doc.vehicle.vin),
        (_("Make and model"), f"{doc.vehicle.make} {doc.vehicle.model}".strip()),
        (_("Odometer"), fmt.km(doc.vehicle.odometer_km)),
        (_("Colour"), doc.vehicle.colour),
    ]
    story: list[Flowable] = [
        blocks.letterhead(kit, doc.store, title, doc.order_no, BODY_WIDTH),
        Spacer(1, 3 * mm),
        blocks.info_grid(kit, pairs, BODY_WIDTH),
        blocks.section(kit, _("Work done and parts fitted")),
        lines_by_pay_type(kit, doc),
        CondPageBreak(50 * mm),
        KeepTogether([blocks.section(kit, _("Totals by pay type")),
                      line_tables.pay_type_totals(kit, doc.totals, BODY_WIDTH, payable_column=True),
                      Spacer(1, 1.5 * mm), *customer_total(kit, doc)]),
        KeepTogether([blocks.section(kit, _("Payments")), *payments_table(kit, doc)]),
    ]
    if doc.store.bank_account and any(p.method == "transfer" for p in doc.payments):
        story.append(kit.p(kit.field(_('Bank account for transfers'), doc.store.bank_account), "small"))
    if doc.receivables:
        story.append(KeepTogether([blocks.section(kit, _("Paid by others (not payable by the customer)")),
                                   receivables_table(kit, doc)]))
    if doc.declined:
        story.append(KeepTogether([blocks.section(kit, _("Recommended work declined this time")),
                                   *declined_table(kit, doc)]))
    story.append(KeepTogether([blocks.section(kit, _("Next service and follow-up")), *next_steps(kit, doc)]))
    if doc.remarks:
        story += [Spacer(1, 1.5 * mm), kit.p(kit.field(_('Remarks'), doc.remarks), "body")]
    story.append(KeepTogether([
        Spacer(1, 3 * mm),
        kit.p(_("The customer confirms that the work listed was done, the old parts were handled "
                "as agreed and the car was handed back in good order."), "clause"),
        Spacer(1, 3 * mm),
        blocks.signature_boxes(kit, [
            (_("Customer signature"), doc.signed_by, doc.signed_at),
            (_("Cashier signature"), None, None),
        ], BODY_WIDTH, height=13 * mm),
    ]))
    return story


def render(doc: SettlementDoc, out_dir: str | Path, lang: str = "zh_CN",
           *, font_path: str | None = None) -> Path:
    kit = make_kit(lang, font_path)
    warn_missing(kit.font, iter_text(doc), f"settlement {doc.order_no}")
    title = kit._(TITLES["settlement"])
    setup = page_setup(kit, title, doc.order_no, doc.store)
    target = output_path(out_dir, doc.order_no, DOCUMENT, lang)
    return build_pdf(target, build_story(kit, doc), setup)


