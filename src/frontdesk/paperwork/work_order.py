"""任务委托书 — the work order the customer signs before any work starts.

It is the contract: what the customer asked for (in their words), the jobs and parts
with prices and who pays each, the estimate, the choices (payment, old parts, wash) and
the rule that nothing beyond it is done without the customer's consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from . import blocks, line_tables
from . import formatting as fmt
from .documents import PAYMENT_METHODS, DocLine, Totals, WorkOrderDoc, iter_text
from .fonts import warn_missing
from .kit import Kit, Para, make_kit
from .labels import OLD_PARTS, TITLES
from .labels import PAYMENT_METHODS as METHOD_LABELS
from .page import build_pdf, output_path, page_setup
from .styles import MARGIN

DOCUMENT = "work-order"
BODY_WIDTH = A4[0] - 2 * MARGIN


def totals_block(kit: Kit, totals: Totals, *, estimate: bool) -> list[Flowable]:
    """Per-pay-type table, then the grand total, the tax share and the customer's share."""
    _ = kit._
    rows: list[tuple[str, str, bool]] = []
    rate = fmt.percent(totals.vat_rate)
    if totals.prices_include_tax:
        rows.append((_("Estimated total") if estimate else _("Grand total"),
                     fmt.money(totals.grand_total), False))
        rows.append((_("of which VAT ({rate}%)", rate=rate), fmt.money(totals.tax), False))
    else:
        rows.append((_("Total before tax"), fmt.money(totals.net), False))
        rows.append((_("VAT ({rate}%)", rate=rate), fmt.money(totals.tax), False))
        rows.append((_("Total including tax"), fmt.money(totals.grand_total), False))
    rows.append((_("Estimated customer payment") if estimate else _("Customer pays"),
                 fmt.money(totals.customer_payable), True))
    return [line_tables.pay_type_totals(kit, totals, BODY_WIDTH), Spacer(1, 1.5 * mm),
            line_tables.amount_lines(kit, rows, BODY_WIDTH)]


def line_sections(kit: Kit, lines: Sequence[DocLine], *, show_pay_type: bool = True) -> list[Flowable]:
    """Labor, parts and other charges, each its own table (a customer reads them apart)."""
    story: list[Flowable] = []
    for kind in ("labor", "part", "other"):
        group = [line for line in lines if line.kind == kind]
        if not group and kind == "other":
            continue
        story.append(CondPageBreak(30 * mm))
        story.append(blocks.section(kit, line_tables.kind_title(kit, kind)))
        if group:
            story.append(line_tables.lines_table(kit, group, kind, BODY_WIDTH, show_pay_type=show_pay_type))
        else:
            story.append(kit.p(kit._("None"), "body"))
    return story


def declined_table(kit: Kit, doc: WorkOrderDoc) -> Table:
    """What the customer said no to at the estimate: not done, not charged, offered again next visit."""
    _ = kit._
    rows: list[list[blocks.Cell]] = [[kit.p("#", "head"), kit.p(_("Recommended work"), "head"),
                                      kit.p(_("Safety"), "head"), kit.p(_("Quoted"), "head_right")]]
    for i, rec in enumerate(doc.declined, 1):
        rows.append([kit.p(str(i), "cell"), kit.p(rec.description, "cell"),
                     kit.p(_("Safety-related") if rec.safety else "", "warn"),
                     kit.p(line_tables.money_or_dash(rec.estimate), "cell_right")])
    widths = [8 * mm, 0.0, 24 * mm, 24 * mm]
    widths[1] = BODY_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    blocks.styled(kit, table, blocks.grid_style())
    return table


def build_story(kit: Kit, doc: WorkOrderDoc) -> list[Flowable]:
    _ = kit._
    g = kit.gettext
    title = _(TITLES["work_order"])
    pairs: list[tuple[str, blocks.Cell]] = [
        (_("Check-in time"), fmt.when(doc.checked_in_at)),
        (_("Promised completion"), fmt.when(doc.promised_at, _("to be confirmed"))),
        (_("Service advisor"), doc.advisor),
        (_("Advisor's phone"), doc.advisor_phone or doc.store.phone),
        (_("Customer"), blocks.party(kit, doc.customer)),
        (_("Brought in by"), blocks.party(kit, doc.brought_by, same_as=_("same as the customer"))),
        *blocks.vehicle_pairs(kit, doc.vehicle),
    ]
    story: list[Flowable] = [
        blocks.letterhead(kit, doc.store, title, doc.order_no, BODY_WIDTH),
        Spacer(1, 3 * mm),
        blocks.info_grid(kit, pairs, BODY_WIDTH),
        blocks.section(kit, _("Customer concerns (in the customer's words)")),
        blocks.numbered(kit, doc.concerns, _("None stated"), BODY_WIDTH),
    ]
    story += line_sections(kit, doc.lines)
    story.append(KeepTogether([blocks.section(kit, _("Estimate of charges")),
                               *totals_block(kit, doc.totals, estimate=True)]))
    if doc.declined:
        story.append(KeepTogether([blocks.section(kit, _("Recommended work the customer declined")),
                                   declined_table(kit, doc)]))
    method_options = [(g(METHOD_LABELS[m]), doc.payment_method == m) for m in PAYMENT_METHODS]
    agreed: list[tuple[str, blocks.Cell]] = [
        (_("Payment method"), blocks.choices(kit, method_options)),
        (_("Old parts"), blocks.choices(kit, [(g(OLD_PARTS[v]), doc.old_parts == v)
                                              for v in ("take", "leave")])),
        (_("Free car wash"), blocks.choices(kit, [(_("Yes"), doc.wash), (_("No"), not doc.wash)])),
    ]
    if doc.remarks:
        agreed.append((_("Remarks"), doc.remarks))
    terms = [
        _("Any work beyond this order found during the repair is carried out only after the "
          "customer has been told the reason, the price and the time it adds, and has agreed; "
          "work the customer did not agree to is neither done nor charged."),
        _("The amounts above are an estimate; the settlement statement shows what is charged. "
          "Please take valuables out of the car: the store is not responsible for items not "
          "recorded on the check-in sheet."),
        _("By signing, the customer confirms the concerns, jobs and choices above and "
          "authorises the store to carry out the work."),
    ]
    story.append(KeepTogether([
        blocks.section(kit, _("Agreed with the customer")),
        blocks.info_grid(kit, agreed, BODY_WIDTH, columns=1, label_width=30 * mm),
        Spacer(1, 2 * mm),
        *[Para(escape(text), kit.styles.clause_item, bulletText=f"{i}.")
          for i, text in enumerate(terms, 1)],
        Spacer(1, 3 * mm),
        blocks.signature_boxes(kit, [
            (_("Customer signature"), doc.signed_by, doc.signed_at),
            (_("Service advisor signature"), None, None),
        ], BODY_WIDTH),
    ]))
    return story


def render(doc: WorkOrderDoc, out_dir: str | Path, lang: str = "zh_CN",
           *, font_path: str | None = None) -> Path:
    kit = make_kit(lang, font_path)
    warn_missing(kit.font, iter_text(doc), f"work order {doc.order_no}")
    title = kit._(TITLES["work_order"])
    setup = page_setup(kit, title, doc.order_no, doc.store)
    target = output_path(out_dir, doc.order_no, DOCUMENT, lang)
    return build_pdf(target, build_story(kit, doc), setup)
