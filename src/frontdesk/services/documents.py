"""Snapshots of an order for the paperwork: the database in, plain dataclasses out.

The paperwork package never sees the model: this module reads one order (in a handful
of queries) and builds the frozen documents it prints. The lines printed are the ones
``billing`` says the order bills, and the totals are ``estimate.order_totals`` turned into
the paperwork's own snapshot in one place (``snapshot_totals``), so the paper, the screen,
the cashier and the report always agree. Printing runs in a worker; reading here is quick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Account,
    Job,
    Payment,
    Receivable,
    RepairOrder,
    Store,
    Technician,
    User,
)
from frontdesk.model.enums import OrderStatus, PaymentKind, PayType
from frontdesk.model.recommendation import Recommendation, RecommendationStatus, RecommendationStep
from frontdesk.paperwork import documents as d
from frontdesk.walkaround_items import items_of

from . import billing, recommendation_records
from .common import read_order, read_order_by_number
from .context import Services
from .errors import IllegalTransition
from .estimate import order_totals
from .money import ZERO, Totals
from .names import user_names

DOCUMENT_KINDS = ("work-order", "checkin-sheet", "settlement", "gate-pass")


def _store(session: Session, order: RepairOrder, services: Services) -> d.StoreInfo:
    store = session.get(Store, order.store_id)
    assert store is not None
    return d.StoreInfo(name=store.name, address=store.address, phone=store.phone, tax_id=store.tax_id,
                       logo_path=services.settings.dealership.logo_path or None)


def _vehicle(order: RepairOrder) -> d.VehicleInfo:
    v = order.vehicle
    return d.VehicleInfo(plate=v.plate, vin=v.vin, make=v.make, model=v.model, colour=v.colour,
                         odometer_km=order.odometer_km, fuel_eighths=order.fuel_eighths, sale_date=v.sale_date)


def _customer(order: RepairOrder) -> d.PartyInfo:
    c = order.customer
    return d.PartyInfo(name=c.name, phone=order.contact_phone or c.phone, company=c.name if c.is_company else "")


def _brought_by(order: RepairOrder) -> d.PartyInfo | None:
    if not order.brought_by_name:
        return None
    return d.PartyInfo(name=order.brought_by_name, phone=order.brought_by_phone)


def _lines(session: Session, order: RepairOrder) -> tuple[d.DocLine, ...]:
    """The lines the order bills (``billing.bills``), each job followed by its parts."""
    techs = dict(session.execute(select(Technician.id, Technician.name).where(Technician.store_id == order.store_id)).all())
    # Each job's parts come from the order's own list (in entry order): one query for all
    # of them, where ``job.part_lines`` would be one more (or one per job, when not loaded).
    parts_of: dict[int | None, list[d.DocLine]] = {}
    for line in order.part_lines:
        parts_of.setdefault(line.job_id, []).append(_part(line))
    out: list[d.DocLine] = []
    for job in order.jobs:
        if not billing.bills(order.status, job.status):
            continue
        out.append(d.DocLine(kind="labor", code=job.code, description=job.description, qty_or_hours=job.hours,
                             unit_price=job.rate, amount=job.amount, pay_type=job.pay_type.value, safety=job.safety,
                             origin=job.origin.value, technician=techs.get(job.technician_id, "")))
        out.extend(parts_of.get(job.id, ()))
    out.extend(parts_of.get(None, ()))
    return tuple(out)


def _part(line) -> d.DocLine:  # type: ignore[no-untyped-def]
    return d.DocLine(kind="part", code=line.number, description=line.name, qty_or_hours=line.qty,
                     unit_price=line.unit_price, amount=line.amount, pay_type=line.pay_type.value,
                     origin=line.job.origin.value if line.job else "requested")


def snapshot_totals(totals: Totals, vat_rate: Decimal) -> d.Totals:
    """The paperwork's frozen copy of ``money.Totals``: the only place one is made from the other."""
    return d.Totals(
        by_pay_type=tuple(d.PayTypeTotal(pay_type=t.pay_type.value, labor=t.labor, parts=t.parts, gross=t.gross,
                                         discount=t.discount, net=t.net, tax=t.tax) for t in totals.by_pay_type.values()),
        labor=totals.labor, parts=totals.parts, gross=totals.gross, discount=totals.discount, net=totals.net,
        tax=totals.tax, customer_payable=totals.customer_payable, vat_rate=vat_rate, rounding=totals.rounding,
    )


def _totals(order: RepairOrder, services: Services) -> d.Totals:
    return snapshot_totals(order_totals(order, services.settings), services.settings.vat_rate)


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return session.scalar(select(User.display_name).where(User.id == user_id)) or ""


def _recommendations(session: Session, recs: list[Recommendation], *,
                     finders: bool = True) -> tuple[d.Recommendation, ...]:
    """Recommendations as the paper lists them: what, why, who found it (``finders``), the acknowledgement."""
    names = user_names(session, {r.found_by_id for r in recs}) if finders else {}
    return tuple(d.Recommendation(
        description=r.description, safety=r.safety, estimate=r.price, reason=r.reason,
        found_by=names.get(r.found_by_id, ""), acknowledged_by=r.acknowledged_by if r.safety else None,
        acknowledged_at=r.acknowledged_at if r.safety else None) for r in recs)


def work_order(session: Session, services: Services, order: RepairOrder) -> d.WorkOrderDoc:
    return d.WorkOrderDoc(
        store=_store(session, order, services), order_no=order.number, checked_in_at=order.checked_in_at,
        promised_at=order.promised_at, advisor=order.advisor.display_name, customer=_customer(order),
        brought_by=_brought_by(order), vehicle=_vehicle(order), concerns=tuple(c for c in order.concerns.splitlines() if c.strip()),
        lines=_lines(session, order), totals=_totals(order, services),
        payment_method=order.payment_method.value if order.payment_method else None, old_parts=order.old_parts.value,
        wash=order.wash, signed_by=order.signed_by, signed_at=order.signed_at,
        declined=_recommendations(session, [r for r in order.recommendations if r.step == RecommendationStep.ESTIMATE
                                            and r.status == RecommendationStatus.DECLINED], finders=False),
    )


def checkin_sheet(session: Session, services: Services, order: RepairOrder) -> d.CheckinSheetDoc:
    walk = order.walkaround
    if walk is None:
        raise IllegalTransition(_("Order {number} has no walkaround yet.").format(number=order.number))
    return d.CheckinSheetDoc(
        store=_store(session, order, services), order_no=order.number, checked_in_at=order.checked_in_at,
        advisor=order.advisor.display_name, customer=_customer(order), brought_by=_brought_by(order),
        vehicle=_vehicle(order), marks=tuple(d.PanelMark(panel=m.panel.value, damage=m.damage.value, note=m.note) for m in walk.marks),
        concerns=tuple(c for c in order.concerns.splitlines() if c.strip()),
        signed_by=walk.signed_by, signed_at=walk.signed_at, notes=walk.tyres_note, **items_of(walk),
    )


def settlement_statement(session: Session, services: Services, order: RepairOrder) -> d.SettlementDoc:
    if order.customer_amount is None:
        raise IllegalTransition(_("Order {number} has not been settled yet.").format(number=order.number))
    payments = session.scalars(select(Payment).where(Payment.order_id == order.id, Payment.voided_at.is_(None)).order_by(Payment.id)).all()
    receivables = session.scalars(select(Receivable).where(Receivable.order_id == order.id)).all()
    cashier = _name(session, payments[-1].user_id) if payments else ""
    declined = _recommendations(session, recommendation_records.pending(order))
    return d.SettlementDoc(
        store=_store(session, order, services), order_no=order.number,
        settled_at=order.settled_at or order.delivered_at or services.clock(), advisor=order.advisor.display_name,
        cashier=cashier, customer=_customer(order), vehicle=_vehicle(order),
        lines=_lines(session, order), totals=_totals(order, services),
        payments=tuple(d.PaymentInfo(method=p.method.value, amount=p.amount,
                                     tendered=p.tendered if p.method.value == "cash" else None,
                                     change=p.change if p.method.value == "cash" else None, at=p.at,
                                     reference=p.reference, kind=p.kind.value) for p in payments),
        receivables=tuple(d.Receivable(pay_type=r.pay_type.value, amount=r.amount, reference=r.reference) for r in receivables),
        declined=declined, next_service_date=order.next_service_date, next_service_km=order.next_service_km,
        follow_up_at=order.follow_up_at,
        first_service=any(j.pay_type == PayType.FIRST_SERVICE and billing.bills(order.status, j.status) for j in order.jobs),
        credit_approved_by=_name(session, order.credit_approved_by_id) or None, checked_in_at=order.checked_in_at,
        charged_to_account=_account_name(session, order), account_charged=order.account_charged or ZERO,
    )


def _account_name(session: Session, order: RepairOrder) -> str | None:
    if order.account_id is None:
        return None
    account = session.get(Account, order.account_id)
    return account.name if account is not None else None


def gate_pass(session: Session, services: Services, order: RepairOrder) -> d.GatePassDoc:
    """Built for a settled or closed order only; the paperwork refuses an unpaid one again."""
    charged = _account_name(session, order) if order.account_charged else None
    paid = order.status in (OrderStatus.SETTLED, OrderStatus.CLOSED) and order.credit_approved_by_id is None and not charged
    if order.status not in (OrderStatus.SETTLED, OrderStatus.CLOSED):
        raise IllegalTransition(
            _("No gate pass for order {number}: it is not paid or credit-approved yet.").format(number=order.number)
        )
    issued = order.gate_pass_at or services.clock()
    return d.GatePassDoc(
        store=_store(session, order, services), order_no=order.number, plate=order.vehicle.plate,
        model=f"{order.vehicle.make} {order.vehicle.model}", issued_at=issued,
        cashier=_name(session, order.gate_pass_by_id) or _name(session, _last_cashier(session, order.id)), paid=paid,
        credit_approved_by=_name(session, order.credit_approved_by_id) or None, colour=order.vehicle.colour,
        valid_until=dt.datetime.combine(issued.date(), dt.time(23, 59)), pass_no=order.gate_pass_no or "",
        charged_to_account=charged,
    )


def _last_cashier(session: Session, order_id: int) -> int | None:
    return session.scalar(select(Payment.user_id).where(Payment.order_id == order_id, Payment.kind == PaymentKind.PAYMENT)
                          .order_by(Payment.id.desc()).limit(1))


def _work_order_graph() -> tuple[Any, ...]:
    """The order, its people and car, its jobs and its part lines: three queries.

    A part line's job is found among the jobs already read (no query), and the jobs' part
    orders (which the board needs, not the paper) are not read at all.
    """
    return (
        joinedload(RepairOrder.customer),
        joinedload(RepairOrder.vehicle),
        joinedload(RepairOrder.advisor),
        selectinload(RepairOrder.jobs).lazyload(Job.part_orders),
        selectinload(RepairOrder.part_lines),
        joinedload(RepairOrder.recommendations),  # in the order's own query
    )


BUILDERS = {"work-order": work_order, "checkin-sheet": checkin_sheet, "settlement": settlement_statement, "gate-pass": gate_pass}


def build(services: Services, kind: str, *, order_number: str | None = None, order_id: int | None = None) -> d.Document:
    """The document ``kind`` for one order, read in one short read-only session."""
    graph = _work_order_graph() if kind == "work-order" else None  # the others show checks, marks, payments
    with services.db.reader() as session:
        if order_number is not None:
            order = read_order_by_number(session, order_number, graph)
        else:
            assert order_id is not None
            order = read_order(session, order_id, graph)
        return BUILDERS[kind](session, services, order)


@dataclass(frozen=True)
class Printed:
    path: Path
    sent_to: str | None
    # The PDF is written even when the printer refuses it; the reason is kept here.
    print_error: str | None = None


def print_document(services: Services, kind: str, order_number: str, *, out_dir: Path | None = None,
                   lang: str | None = None, printer: str | None = None) -> Printed:
    """Render (and send to the printer when one is configured): the CLI and the screens call this."""
    import frontdesk.paperwork as paperwork

    doc = build(services, kind, order_number=order_number)
    folder = out_dir or services.settings.resolved_pdf_dir()
    path = paperwork.render_document(doc, folder, lang or services.settings.language,
                                     font_path=services.settings.font_path or None)
    target = printer if printer is not None else services.settings.printer
    if not target:
        return Printed(path, None)
    try:
        paperwork.print_file(path, target, media=paperwork.media_for(doc), title=f"{order_number} {kind}")
    except paperwork.PrintError as exc:
        return Printed(path, None, str(exc))
    return Printed(path, target)
