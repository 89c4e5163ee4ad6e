"""Warranty claims to the maker (索赔) and goodwill (善意保修), issue 21 item 3.

The maker pays for warranty work only once the store has claimed it. A claim is opened
from a warranty order once its repair is done (:func:`create_claim`): a snapshot of the
order's billable warranty lines (labour codes with hours, parts with quantity and price),
the customer's words as the fault, the odometer as the mileage; the claims clerk adds the
technician's cause and remedy, then submits it. The maker answers, and the clerk records
the answer: returned with a reason (edit and submit again: a new revision, the old one
kept), approved with an amount (at most what was claimed) or rejected. A rejected claim's
cost is moved by a manager (:func:`reassign`) to the dealer (the maker receivable written
off) or to the customer (written off the maker, a new customer receivable for the same
amount on the order).

Paid: the maker's payment is a remittance (services/ledger.py, payer ``maker``) applied to
the order's maker receivable — the warranty share the settlement made, found by the order
(``pay_type`` warranty, payer kind maker), never by a stored id, because preparing the
settlement again replaces the receivables until a payer has paid. A claim reads as *paid*
when the maker has paid what it approved: a query, so a payment recorded anywhere (the
cashier, the ledger screen, a batch of claims in one transfer) shows at once, and nothing
has to remember to tell the claim. What the maker approved below the claimed amount stays
open on the receivable, for a manager to write off (the receivables screen shows it).

Goodwill (:func:`approve_goodwill`): the order's warranty share split by the manager
between customer, maker and dealer, the three adding up to it. The maker's part is what the
claim asks (the claim is marked goodwill); the customer's and the dealer's parts are taken
off the maker receivable (written off, with the reason), the customer's billed to them as a
customer receivable, the dealer's left as the store's own cost (kept on the goodwill
record). So it applies once the settlement has made the maker receivable, before the claim
is submitted and before the maker has paid anything.

Deadline: ``warranty_claim_days`` (setting, default 30) after the repair (the day the car
was ready); a claim not yet submitted (draft or returned) alerts at 7 days left or fewer,
and once overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Customer,
    Goodwill,
    Receivable,
    RepairOrder,
    User,
    Vehicle,
    WarrantyClaim,
    WarrantyClaimRevision,
)
from frontdesk.model.enums import OrderStatus, PayerKind, PayType
from frontdesk.model.warranty import ClaimState

from . import billing, ledger
from .common import get, load_order, positive_int, text
from .context import Actor, Services, Tx, check_version, require, service
from .errors import IllegalTransition, NotFound, ValidationError
from .money import (
    ZERO,
    format_money,
    line_amount,
    parse_hours,
    parse_money,
    parse_quantity,
)
from .refs import Ref

if TYPE_CHECKING:
    from .export_files import Export

ALERT_DAYS = 7
#: The order's repair is done: a claim can be opened.
REPAIRED = frozenset({OrderStatus.READY, OrderStatus.DELIVERED, OrderStatus.SETTLED, OrderStatus.CLOSED})
EDITABLE = frozenset({ClaimState.DRAFT, ClaimState.RETURNED})
TARGETS: tuple[str, ...] = ("dealer", "customer")  # who bears a rejected claim's cost
MAX_TEXT = 2000
MAX_MILEAGE = 3_000_000


# Inputs and answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLabour:
    """A labour line as claimed: the maker's labour code and its standard hours."""

    code: str
    description: str
    hours: Decimal | str
    amount: Decimal | str


@dataclass(frozen=True)
class ClaimPart:
    """A part as claimed; ``part_line_id`` ties it to the order's line (the old part's tag follows it)."""

    number: str
    name: str
    qty: Decimal | str
    unit_price: Decimal | str
    part_line_id: int | None = None


@dataclass(frozen=True)
class ClaimInput:
    fault: str
    mileage_km: int | str
    cause: str
    remedy: str
    labour: tuple[ClaimLabour, ...] = ()
    parts: tuple[ClaimPart, ...] = ()
    maker_ref: str = ""  # the maker portal's own number, once it has given one


@dataclass(frozen=True, slots=True)
class ClaimRef(Ref):
    id: int
    number: str
    version: int
    state: ClaimState
    version_no: int


@dataclass(frozen=True, slots=True)
class GoodwillRef(Ref):
    id: int
    order_id: int
    maker_amount: Decimal


@dataclass(frozen=True)
class ClaimRow:
    """A line of the claims list; ``state`` is ``paid`` once the maker paid what it approved."""

    id: int
    number: str
    order_id: int
    order_number: str
    plate: str
    vin: str
    state: ClaimState
    version_no: int
    version: int
    claimed: Decimal
    approved: Decimal | None
    paid: Decimal
    deadline: dt.date
    days_left: int
    alert: bool
    goodwill: bool


@dataclass(frozen=True)
class RevisionView:
    version_no: int
    submitted_at: dt.datetime
    submitted_by: str
    content: dict[str, Any]


@dataclass(frozen=True)
class ClaimView:
    """One claim as its screen shows it: the lines as claimed, the maker's answers, every submission."""

    id: int
    number: str
    order_id: int
    order_number: str
    plate: str
    vin: str
    make: str
    model: str
    state: ClaimState
    version_no: int
    version: int
    goodwill: bool
    fault: str
    mileage_km: int
    cause: str
    remedy: str
    maker_ref: str
    labour: tuple[ClaimLabour, ...]
    parts: tuple[ClaimPart, ...]
    claimed: Decimal
    approved: Decimal | None
    paid: Decimal
    repair_on: dt.date
    deadline: dt.date
    days_left: int
    alert: bool
    submitted_at: dt.datetime | None
    returned_on: dt.date | None
    returned_reason: str
    decided_on: dt.date | None
    rejected_reason: str
    reassigned_to: str | None
    reassign_reason: str
    revisions: tuple[RevisionView, ...]

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


# Lines as stored (JSON, money as text) -----------------------------------------------------------


def _labour_json(line: ClaimLabour) -> dict[str, Any]:
    return {"code": line.code, "description": line.description, "hours": str(line.hours), "amount": str(line.amount)}


def _part_json(line: ClaimPart) -> dict[str, Any]:
    return {"number": line.number, "name": line.name, "qty": str(line.qty), "unit_price": str(line.unit_price),
            "amount": str(line_amount(Decimal(str(line.qty)), Decimal(str(line.unit_price)))),
            "part_line_id": line.part_line_id}


def _labour_of(data: dict[str, Any]) -> ClaimLabour:
    return ClaimLabour(data["code"], data["description"], Decimal(data["hours"]), Decimal(data["amount"]))


def _part_of(data: dict[str, Any]) -> ClaimPart:
    return ClaimPart(data["number"], data["name"], Decimal(data["qty"]), Decimal(data["unit_price"]),
                     data.get("part_line_id"))


def part_amount(line: ClaimPart) -> Decimal:
    return line_amount(Decimal(str(line.qty)), Decimal(str(line.unit_price)))


def _lines_total(labour: Sequence[dict[str, Any]], parts: Sequence[dict[str, Any]]) -> Decimal:
    return sum((Decimal(x["amount"]) for x in (*labour, *parts)), ZERO)


def _content(claim: WarrantyClaim) -> dict[str, Any]:
    """What a submission sends the maker, as the revision keeps it."""
    return {"fault": claim.fault, "mileage_km": claim.mileage_km, "cause": claim.cause, "remedy": claim.remedy,
            "maker_ref": claim.maker_ref, "labour": list(claim.labour), "parts": list(claim.parts),
            "claimed": str(claim.claimed_amount), "goodwill": claim.goodwill}


# Reading the money --------------------------------------------------------------------------------


def maker_receivables(session: Session, order_id: int) -> list[Receivable]:
    """The order's warranty share owed by the maker: the receivable(s) a claim is paid on."""
    return list(session.scalars(select(Receivable).where(
        Receivable.order_id == order_id, Receivable.pay_type == PayType.WARRANTY,
        Receivable.payer_kind == PayerKind.MAKER).order_by(Receivable.id)))


def _maker_paid(session: Session, order_ids: Sequence[int]) -> dict[int, Decimal]:
    if not order_ids:
        return {}
    rows = session.execute(select(Receivable.order_id, func.sum(Receivable.paid)).where(
        Receivable.order_id.in_(order_ids), Receivable.pay_type == PayType.WARRANTY,
        Receivable.payer_kind == PayerKind.MAKER).group_by(Receivable.order_id))
    return {oid: Decimal(paid or 0) for oid, paid in rows}


def effective_state(state: ClaimState, approved: Decimal | None, paid: Decimal) -> ClaimState:
    """``paid`` once the maker has paid what it approved; the stored state otherwise."""
    if state == ClaimState.APPROVED and approved is not None and paid >= approved:
        return ClaimState.PAID
    return state


def days_left(deadline: dt.date, today: dt.date) -> int:
    return (deadline - today).days


def alerting(state: ClaimState, left: int) -> bool:
    """Not yet with the maker, and 7 days left or fewer (or overdue)."""
    return state in EDITABLE and left <= ALERT_DAYS


# State changes -----------------------------------------------------------------------------------


def _load(tx: Tx, claim_id: int, expected_version: int | None) -> WarrantyClaim:
    claim = tx.session.get(WarrantyClaim, claim_id)
    if claim is None or claim.store_id != tx.actor.store_id:
        raise NotFound("claim", _("No such warranty claim in this store."))
    check_version(claim, expected_version)
    return claim


def _require_state(claim: WarrantyClaim, allowed: Sequence[ClaimState], doing: str) -> None:
    if claim.state not in allowed:
        raise IllegalTransition(_("Warranty claim {number} is {state}: {step} is not possible now.").format(
            number=claim.number, state=state_label(claim.state), step=doing))


def state_label(state: ClaimState) -> str:
    return {
        ClaimState.DRAFT: _("draft"), ClaimState.SUBMITTED: _("submitted"), ClaimState.RETURNED: _("returned"),
        ClaimState.APPROVED: _("approved"), ClaimState.PAID: _("paid"), ClaimState.REJECTED: _("rejected"),
        ClaimState.REASSIGNED: _("reassigned"),
    }[state]


def _past_date(tx: Tx, on: dt.date | None, field: str, earliest: dt.date | None = None) -> dt.date:
    """The day a maker's answer is dated: today unless given, never in the future nor before the submission."""
    day = tx.now.date() if on is None else on
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(field, _("Give a date."))
    if day > tx.now.date():
        raise ValidationError(field, _("The date cannot be in the future."))
    if earliest is not None and day < earliest:
        raise ValidationError(field, _("The date cannot be before the claim was submitted ({day}).").format(
            day=earliest.isoformat()))
    return day


def _warranty_lines(order: RepairOrder) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The order's billable warranty labour and parts, as a claim snapshots them."""
    labour = [{"code": j.code, "description": j.description, "hours": str(j.hours), "amount": str(j.amount)}
              for j in order.jobs if j.pay_type == PayType.WARRANTY and billing.bills(order.status, j.status)]
    parts = [{"number": p.number, "name": p.name, "qty": str(p.qty), "unit_price": str(p.unit_price),
              "amount": str(p.amount), "part_line_id": p.id}
             for p in order.part_lines if p.pay_type == PayType.WARRANTY
             and billing.bills(order.status, None if p.job is None else p.job.status)]
    return labour, parts


@service("warranty_claim.edit")
def create_claim(tx: Tx, order_id: int) -> ClaimRef:
    """Open the order's claim from its warranty lines; one claim per order, once the repair is done."""
    order = load_order(tx, order_id)
    existing = tx.session.scalar(select(WarrantyClaim).where(WarrantyClaim.order_id == order.id))
    if existing is not None:
        raise ValidationError("order", _("Order {order} has its warranty claim already: {claim}.").format(
            order=order.number, claim=existing.number))
    labour, parts = _warranty_lines(order)
    if not labour and not parts:
        raise ValidationError("order", _("Order {order} has no warranty work to claim.").format(order=order.number))
    if order.status not in REPAIRED:
        raise IllegalTransition(_("The repair of order {order} is not finished: a claim is opened once the car is "
                                  "ready.").format(order=order.number))
    goodwill = tx.session.scalar(select(Goodwill).where(Goodwill.order_id == order.id))
    if goodwill is not None and goodwill.maker_amount <= 0:
        raise ValidationError("order", _("The goodwill split of order {order} leaves nothing to the maker.").format(
            order=order.number))
    repair_on = (order.ready_at or order.delivered_at or tx.now).date()
    remedy = "; ".join(x["description"] for x in labour)
    claim = WarrantyClaim(
        store_id=order.store_id, order_id=order.id, number=f"{order.number}-C", state=ClaimState.DRAFT,
        goodwill=goodwill is not None, version_no=1, fault=(order.concerns or "")[:MAX_TEXT], mileage_km=order.odometer_km,
        cause="", remedy=remedy[:MAX_TEXT], maker_ref="", labour=labour, parts=parts,
        claimed_amount=goodwill.maker_amount if goodwill is not None else _lines_total(labour, parts),
        repair_on=repair_on, deadline=repair_on + dt.timedelta(days=tx.settings.warranty_claim_days),
        created_at=tx.now, created_by_id=tx.actor.user_id,
    )
    tx.session.add(claim)
    tx.audit("warranty_claim", claim, order_id=order.id, after={
        "number": claim.number, "claimed": claim.claimed_amount, "deadline": claim.deadline,
        "labour": len(labour), "parts": len(parts), "goodwill": claim.goodwill})
    return ClaimRef.of(tx, claim)


def _revision_kept(tx: Tx, claim: WarrantyClaim) -> bool:
    """Has the claim's current revision been submitted already (its content is on record)?"""
    return tx.session.scalar(select(WarrantyClaimRevision.id).where(
        WarrantyClaimRevision.claim_id == claim.id, WarrantyClaimRevision.version_no == claim.version_no)) is not None


def _checked_labour(lines: Sequence[ClaimLabour]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(lines, 1):
        field = f"labour_{n}"
        out.append({
            "code": text(line.code, field, max_len=20, required=True),
            "description": text(line.description, field, max_len=200),
            "hours": str(parse_hours(line.hours, field)),
            "amount": str(parse_money(line.amount, field)),
        })
    return out


def _checked_parts(lines: Sequence[ClaimPart]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(lines, 1):
        field = f"part_{n}"
        qty = parse_quantity(line.qty, field)
        price = parse_money(line.unit_price, field)
        out.append({
            "number": text(line.number, field, max_len=40, required=True),
            "name": text(line.name, field, max_len=200),
            "qty": str(qty), "unit_price": str(price), "amount": str(line_amount(qty, price)),
            "part_line_id": line.part_line_id,
        })
    return out


@service("warranty_claim.edit")
def update_claim(tx: Tx, claim_id: int, data: ClaimInput, expected_version: int | None = None) -> ClaimRef:
    """Edit a draft or a returned claim; a returned one starts its next revision (the submitted one is kept)."""
    claim = _load(tx, claim_id, expected_version)
    if claim.state not in EDITABLE:
        raise IllegalTransition(_("Warranty claim {number} is {state}: it cannot be changed now (revision {n} as "
                                  "submitted is kept).").format(number=claim.number, state=state_label(claim.state),
                                                                n=claim.version_no))
    before = _content(claim)
    fault = text(data.fault, "fault", max_len=MAX_TEXT)
    mileage = positive_int(data.mileage_km, "mileage_km", maximum=MAX_MILEAGE)
    cause = text(data.cause, "cause", max_len=MAX_TEXT)
    remedy = text(data.remedy, "remedy", max_len=MAX_TEXT)
    maker_ref = text(data.maker_ref, "maker_ref", max_len=60)
    labour = _checked_labour(data.labour)
    parts = _checked_parts(data.parts)
    if claim.state == ClaimState.RETURNED and _revision_kept(tx, claim):
        claim.version_no += 1
    claim.fault, claim.mileage_km, claim.cause, claim.remedy, claim.maker_ref = fault, mileage, cause, remedy, maker_ref
    claim.labour, claim.parts = labour, parts
    if not claim.goodwill:  # a goodwill claim asks the maker's share of the split, whatever its lines add up to
        claim.claimed_amount = _lines_total(labour, parts)
    after = _content(claim)
    tx.audit("warranty_claim", claim, order_id=claim.order_id, before={k: v for k, v in before.items() if after[k] != v},
             after={"version_no": claim.version_no, **{k: v for k, v in after.items() if before[k] != v}})
    return ClaimRef.of(tx, claim)


@service("warranty_claim.edit")
def submit(tx: Tx, claim_id: int, expected_version: int | None = None) -> ClaimRef:
    """Send the claim (again): every field the maker needs, and the revision kept whole."""
    claim = _load(tx, claim_id, expected_version)
    _require_state(claim, tuple(EDITABLE), _("submitting"))
    for field, value, name in (("fault", claim.fault, _("the fault")), ("cause", claim.cause, _("the cause")),
                               ("remedy", claim.remedy, _("the remedy"))):
        if not value.strip():
            raise ValidationError(field, _("A claim names {what} before it is submitted.").format(what=name))
    if not claim.labour and not claim.parts:
        raise ValidationError("labour", _("A claim has at least one labour or part line."))
    if claim.claimed_amount <= 0:
        raise ValidationError("labour", _("The claim asks for nothing: its lines come to {amount}.").format(
            amount=format_money(claim.claimed_amount)))
    if _revision_kept(tx, claim):  # returned and sent again unchanged: still a submission of its own
        claim.version_no += 1
    claim.state = ClaimState.SUBMITTED
    claim.submitted_at, claim.submitted_by_id = tx.now, tx.actor.user_id
    tx.session.add(WarrantyClaimRevision(claim=claim, version_no=claim.version_no, content=_content(claim),
                                         submitted_at=tx.now, submitted_by_id=tx.actor.user_id))
    tx.audit("warranty_claim", claim, order_id=claim.order_id, after={
        "state": claim.state, "version_no": claim.version_no, "claimed": claim.claimed_amount})
    return ClaimRef.of(tx, claim)


resubmit = submit  # a returned claim is submitted again the same way


@service("warranty_claim.decide")
def record_return(tx: Tx, claim_id: int, reason: str, on: dt.date | None = None,
                  expected_version: int | None = None) -> ClaimRef:
    """The maker sent the claim back: its reason, to edit and submit again."""
    claim = _load(tx, claim_id, expected_version)
    _require_state(claim, (ClaimState.SUBMITTED,), _("recording the maker's return"))
    why = text(reason, "reason", max_len=MAX_TEXT, required=True)
    claim.returned_on = _past_date(tx, on, "on", claim.submitted_at.date() if claim.submitted_at else None)
    claim.returned_reason = why
    claim.state = ClaimState.RETURNED
    tx.audit("warranty_claim", claim, order_id=claim.order_id, after={
        "state": claim.state, "reason": why, "on": claim.returned_on, "version_no": claim.version_no})
    return ClaimRef.of(tx, claim)


@service("warranty_claim.decide")
def record_approval(tx: Tx, claim_id: int, amount: Decimal | str, on: dt.date | None = None,
                    expected_version: int | None = None) -> ClaimRef:
    """The maker approved the claim for ``amount`` (at most what was claimed); its payment follows."""
    claim = _load(tx, claim_id, expected_version)
    _require_state(claim, (ClaimState.SUBMITTED,), _("recording the approval"))
    approved = parse_money(amount, "amount")
    if approved <= 0:
        raise ValidationError("amount", _("An approval is for more than zero; record a rejection instead."))
    if approved > claim.claimed_amount:
        raise ValidationError("amount", _("The maker cannot approve {amount}: the claim asks {claimed}.").format(
            amount=format_money(approved), claimed=format_money(claim.claimed_amount)))
    claim.decided_on = _past_date(tx, on, "on", claim.submitted_at.date() if claim.submitted_at else None)
    claim.decided_by_id = tx.actor.user_id
    claim.approved_amount = approved
    claim.state = ClaimState.APPROVED
    # What the maker did not approve will never be paid: the store bears it, as the maker decided (not a write-off
    # anyone chooses), so the receivable is left owing the approved amount and the claim reads paid once it comes.
    short = _approved_short(tx, claim, approved)
    tx.audit("warranty_claim", claim, order_id=claim.order_id, after={
        "state": claim.state, "approved": approved, "claimed": claim.claimed_amount, "on": claim.decided_on,
        **({"not_approved_written_off": short} if short else {})})
    return ClaimRef.of(tx, claim)


def _approved_short(tx: Tx, claim: WarrantyClaim, approved: Decimal) -> Decimal:
    """Take what the maker will not pay off its receivables (the newest first); how much that was."""
    owed = [r for r in maker_receivables(tx.session, claim.order_id) if r.open_amount > 0]
    short = sum((r.open_amount for r in owed), ZERO) - approved
    if short <= 0:
        return ZERO
    note = _("claim {number}: the maker approved {approved} of {claimed}").format(
        number=claim.number, approved=format_money(approved), claimed=format_money(claim.claimed_amount))
    left = short
    for receivable in reversed(owed):
        part = min(left, receivable.open_amount)
        if part:
            ledger.take_off(tx, receivable, part, note)
            left -= part
    return short


@service("warranty_claim.decide")
def record_rejection(tx: Tx, claim_id: int, reason: str, on: dt.date | None = None,
                     expected_version: int | None = None) -> ClaimRef:
    """The maker refused the claim; a manager then moves its cost (:func:`reassign`)."""
    claim = _load(tx, claim_id, expected_version)
    _require_state(claim, (ClaimState.SUBMITTED,), _("recording the rejection"))
    why = text(reason, "reason", max_len=MAX_TEXT, required=True)
    claim.decided_on = _past_date(tx, on, "on", claim.submitted_at.date() if claim.submitted_at else None)
    claim.decided_by_id = tx.actor.user_id
    claim.rejected_reason = why
    claim.state = ClaimState.REJECTED
    tx.audit("warranty_claim", claim, order_id=claim.order_id, after={
        "state": claim.state, "reason": why, "on": claim.decided_on})
    return ClaimRef.of(tx, claim)


def _write_off(tx: Tx, receivable: Receivable, amount: Decimal, reason: str) -> None:
    ledger.take_off(tx, receivable, amount, reason)


def _customer_receivable(tx: Tx, order: RepairOrder, amount: Decimal, reference: str) -> Receivable:
    customer = tx.session.get(Customer, order.customer_id)
    return ledger.new_receivable(tx, order, PayerKind.CUSTOMER, customer.name if customer is not None else "", amount,
                                 pay_type=PayType.WARRANTY, reference=reference)


@service("warranty_claim.reassign")
def reassign(tx: Tx, claim_id: int, to: str, reason: str, expected_version: int | None = None) -> ClaimRef:
    """A rejected claim's cost moved off the maker: to the dealer (written off) or to the customer (billed)."""
    claim = _load(tx, claim_id, expected_version)
    _require_state(claim, (ClaimState.REJECTED,), _("moving its cost"))
    if to not in TARGETS:
        raise ValidationError("to", _("The cost goes to the dealer or the customer."))
    why = text(reason, "reason", max_len=MAX_TEXT, required=True)
    owed = [r for r in maker_receivables(tx.session, claim.order_id) if r.open_amount > 0]
    if not owed:
        raise IllegalTransition(_("Nothing is owed by the maker on order {order}: prepare its settlement first.").format(
            order=claim.number.removesuffix("-C")))
    moved = sum((r.open_amount for r in owed), ZERO)
    note = (_("claim {number} rejected, cost to the dealer: {reason}") if to == "dealer"
            else _("claim {number} rejected, cost to the customer: {reason}")).format(number=claim.number, reason=why)
    for receivable in owed:
        _write_off(tx, receivable, receivable.open_amount, note)
    after: dict[str, Any] = {"state": ClaimState.REASSIGNED, "to": to, "amount": moved, "reason": why}
    if to == "customer":
        order = get(tx.session, RepairOrder, claim.order_id, "order")
        billed = _customer_receivable(tx, order, moved, claim.number)
        after["customer_receivable"] = billed
    claim.state = ClaimState.REASSIGNED
    claim.reassigned_to, claim.reassigned_at, claim.reassigned_by_id = to, tx.now, tx.actor.user_id
    claim.reassign_reason = why
    tx.session.flush()
    if "customer_receivable" in after:
        after["customer_receivable"] = after["customer_receivable"].id
    tx.audit("warranty_claim", claim, order_id=claim.order_id, after=after)
    return ClaimRef.of(tx, claim)


@service("goodwill.approve")
def approve_goodwill(tx: Tx, order_id: int, customer: Decimal | str, maker: Decimal | str, dealer: Decimal | str,
                     reason: str = "") -> GoodwillRef:
    """善意保修: the manager splits the order's warranty share; the maker's part is claimed, the rest moved."""
    order = load_order(tx, order_id)
    shares = {name: parse_money(value, name) for name, value in
              (("customer", customer), ("maker", maker), ("dealer", dealer))}
    why = text(reason, "reason", max_len=MAX_TEXT)
    if tx.session.scalar(select(Goodwill.id).where(Goodwill.order_id == order.id)) is not None:
        raise ValidationError("order", _("Order {order} has its goodwill split already.").format(order=order.number))
    owed = maker_receivables(tx.session, order.id)
    if not owed:
        raise IllegalTransition(_("Order {order} has no warranty share owed by the maker yet: prepare its "
                                  "settlement first.").format(order=order.number))
    if any(r.paid > 0 or r.written_off > 0 for r in owed):
        raise IllegalTransition(_("The maker's share of order {order} has been paid or written off already.").format(
            order=order.number))
    total = sum((r.amount for r in owed), ZERO)
    if sum(shares.values(), ZERO) != total:
        raise ValidationError("maker", _("The shares add up to {sum}; the goodwill work comes to {total}.").format(
            sum=format_money(sum(shares.values(), ZERO)), total=format_money(total)))
    claim = tx.session.scalar(select(WarrantyClaim).where(WarrantyClaim.order_id == order.id))
    if claim is not None and claim.state not in EDITABLE:
        raise IllegalTransition(_("Warranty claim {number} is {state}: the split is decided before it is "
                                  "submitted.").format(number=claim.number, state=state_label(claim.state)))
    taken = shares["customer"] + shares["dealer"]
    if taken:
        note = _("goodwill: customer {customer}, dealer {dealer}").format(
            customer=format_money(shares["customer"]), dealer=format_money(shares["dealer"]))
        left = taken
        for receivable in owed:
            part = min(left, receivable.open_amount)
            if part:
                _write_off(tx, receivable, part, note)
                left -= part
    billed = _customer_receivable(tx, order, shares["customer"], f"{order.number}-GW") if shares["customer"] else None
    goodwill = Goodwill(store_id=order.store_id, order_id=order.id, total=total, customer_amount=shares["customer"],
                        maker_amount=shares["maker"], dealer_amount=shares["dealer"], reason=why,
                        approved_by_id=tx.actor.user_id, approved_at=tx.now)
    tx.session.add(goodwill)
    if claim is not None:
        claim.goodwill = True
        claim.claimed_amount = shares["maker"]
    tx.session.flush()
    tx.audit("goodwill", goodwill, order_id=order.id, after={
        "total": total, **shares, "reason": why, "claim": claim.id if claim is not None else None,
        "customer_receivable": billed.id if billed is not None else None})
    return GoodwillRef.of(tx, goodwill)


@dataclass(frozen=True)
class GoodwillShare:
    """What a goodwill split divides (the order's maker receivables) and whether it has been split already."""

    order_number: str
    total: Decimal  # 0 until the settlement has made the maker's share
    split: bool


def goodwill_share(services: Services, actor: Actor, order_id: int) -> GoodwillShare:
    """For the manager's split dialog: the three shares are prefilled from, and must add up to, ``total``."""
    require(actor, "goodwill.approve")
    with services.db.reader() as session:
        order = session.get(RepairOrder, order_id)
        if order is None or order.store_id != actor.store_id:
            raise NotFound("order", _("No such repair order in this store."))
        split = session.scalar(select(Goodwill.id).where(Goodwill.order_id == order_id)) is not None
        total = sum((r.amount for r in maker_receivables(session, order_id)), ZERO)
        return GoodwillShare(order.number, total, split)


# Views -------------------------------------------------------------------------------------------


def _view(session: Session, claim: WarrantyClaim, today: dt.date) -> ClaimView:
    order = session.get(RepairOrder, claim.order_id)
    assert order is not None
    vehicle = session.get(Vehicle, order.vehicle_id)
    paid = _maker_paid(session, [claim.order_id]).get(claim.order_id, ZERO)
    state = effective_state(claim.state, claim.approved_amount, paid)
    left = days_left(claim.deadline, today)
    names = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_([r.submitted_by_id for r in claim.revisions]))).all()) if claim.revisions else {}
    return ClaimView(
        id=claim.id, number=claim.number, order_id=order.id, order_number=order.number,
        plate=vehicle.plate if vehicle else "", vin=vehicle.vin if vehicle else "",
        make=vehicle.make if vehicle else "", model=vehicle.model if vehicle else "",
        state=state, version_no=claim.version_no, version=claim.version, goodwill=claim.goodwill,
        fault=claim.fault, mileage_km=claim.mileage_km, cause=claim.cause, remedy=claim.remedy,
        maker_ref=claim.maker_ref, labour=tuple(_labour_of(x) for x in claim.labour),
        parts=tuple(_part_of(x) for x in claim.parts), claimed=claim.claimed_amount,
        approved=claim.approved_amount, paid=paid, repair_on=claim.repair_on, deadline=claim.deadline,
        days_left=left, alert=alerting(state, left), submitted_at=claim.submitted_at,
        returned_on=claim.returned_on, returned_reason=claim.returned_reason, decided_on=claim.decided_on,
        rejected_reason=claim.rejected_reason, reassigned_to=claim.reassigned_to,
        reassign_reason=claim.reassign_reason,
        revisions=tuple(RevisionView(r.version_no, r.submitted_at, names.get(r.submitted_by_id, ""), dict(r.content))
                        for r in claim.revisions),
    )


def claim_for_order(services: Services, actor: Actor, order_id: int) -> ClaimView | None:
    """The order's claim, or None when it has none yet."""
    require(actor, "warranty_claim.view")
    with services.db.reader() as session:
        claim = session.scalar(select(WarrantyClaim).where(
            WarrantyClaim.order_id == order_id, WarrantyClaim.store_id == actor.store_id))
        return None if claim is None else _view(session, claim, services.clock().date())


def claim_detail(services: Services, actor: Actor, claim_id: int) -> ClaimView:
    require(actor, "warranty_claim.view")
    with services.db.reader() as session:
        claim = session.get(WarrantyClaim, claim_id)
        if claim is None or claim.store_id != actor.store_id:
            raise NotFound("claim", _("No such warranty claim in this store."))
        return _view(session, claim, services.clock().date())


def claim_rows(session: Session, store_id: int, today: dt.date, *, state: ClaimState | str | None = None,
               ids: Sequence[int] | None = None) -> list[ClaimRow]:
    """The store's claims, the deadline's nearest first; ``paid`` and ``approved`` told apart by the money."""
    wanted = None if state is None else ClaimState(state)
    query = (select(WarrantyClaim.id, WarrantyClaim.number, WarrantyClaim.order_id, RepairOrder.number, Vehicle.plate,
                    Vehicle.vin, WarrantyClaim.state, WarrantyClaim.version_no, WarrantyClaim.version,
                    WarrantyClaim.claimed_amount, WarrantyClaim.approved_amount, WarrantyClaim.deadline,
                    WarrantyClaim.goodwill)
             .join(RepairOrder, RepairOrder.id == WarrantyClaim.order_id)
             .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
             .where(WarrantyClaim.store_id == store_id)
             .order_by(WarrantyClaim.deadline, WarrantyClaim.id))
    if wanted in (ClaimState.PAID, ClaimState.APPROVED):
        query = query.where(WarrantyClaim.state == ClaimState.APPROVED)
    elif wanted is not None:
        query = query.where(WarrantyClaim.state == wanted)
    if ids is not None:
        query = query.where(WarrantyClaim.id.in_(list(ids)))
    found = session.execute(query).all()
    paid = _maker_paid(session, [r[2] for r in found if r[6] == ClaimState.APPROVED])
    rows = []
    for cid, number, order_id, order_no, plate, vin, stored, version_no, version, claimed, approved, deadline, gw in found:
        got = paid.get(order_id, ZERO)
        shown_state = effective_state(stored, approved, got)
        if wanted is not None and shown_state != wanted:
            continue
        left = days_left(deadline, today)
        rows.append(ClaimRow(cid, number, order_id, order_no, plate, vin, shown_state, version_no, version, claimed,
                             approved, got, deadline, left, alerting(shown_state, left), gw))
    return rows


def claims(services: Services, actor: Actor, *, state: ClaimState | str | None = None) -> list[ClaimRow]:
    """Every claim of the store (or those in ``state``), with days left to the deadline and the alert."""
    require(actor, "warranty_claim.view")
    with services.db.reader() as session:
        return claim_rows(session, actor.store_id, services.clock().date(), state=state)


def export_batch(services: Services, actor: Actor, selection: Sequence[int] | str | None,
                 path: Path | str) -> Export:
    """The claims (by id, or every claim in a state; None: all) as CSV or XLSX for the maker's portal."""
    from .claim_export import export_claims

    return export_claims(services, actor, selection, path)


__all__ = [
    "ALERT_DAYS", "ClaimInput", "ClaimLabour", "ClaimPart", "ClaimRef", "ClaimRow", "ClaimState", "ClaimView",
    "GoodwillRef", "GoodwillShare", "RevisionView", "approve_goodwill", "claim_detail", "claim_for_order", "claims",
    "create_claim", "export_batch", "goodwill_share", "maker_receivables", "reassign", "record_approval",
    "record_rejection", "record_return", "resubmit", "submit", "update_claim",
]
