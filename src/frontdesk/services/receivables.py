"""What payers owe the store, at a glance: the receivables by payer kind and age, for the manager and the cashier.

The ledger (services/ledger.py) keeps one row per amount owed, with what was paid and
written off beside it; this module only reads it. Three answers:

- :func:`summary`: the open amounts of each payer kind (account, insurer, maker, customer)
  in the aging buckets (``ledger.BUCKETS``, counted from the day the receivable arose), the
  payers' unapplied credit (remittances not yet applied), how many follow-ups are due, and
  the tie-out to the settlements (:class:`TieOut`);
- :func:`items`: the open receivables themselves, oldest first, filtered by payer kind,
  bucket or due follow-ups;
- :func:`export_receivables`: both in one XLSX (a summary sheet and an items sheet), audited
  like every export (services/export_files.py), the file 0600.

A follow-up is *due* when money is still open and either its next action date has come
(``next_action_on <= today``), or none is set and the payer's due date has passed. A
follow-up recorded with a later date puts the chase off until then, even past the due date:
the collector decided when to call next, and the list shows what to do today.

Each answer is one SQL statement, aggregated in the database: the store has tens of
thousands of orders and the screen reads on every F5. The summary's tie-out reads the
settled orders' lines, grouped per order before anything is joined, so that it scans the
line tables once rather than looking lines up order by order.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Numeric, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from frontdesk.i18n import N_, gettext as _
from frontdesk.model import Account, Customer, Job, PartLine, Receivable, Remittance, RepairOrder, Vehicle
from frontdesk.model.enums import JobStatus, OrderStatus, PayerKind

from . import ledger
from .context import Tx, require, service
from .errors import ValidationError
from .export_files import Export, ExportFile, export_file, writing
from .ledger import BUCKETS
from .lifecycle import BILLABLE
from .money import ZERO, format_money, round_money
from .runtime import Actor, Services
from .settlement import RECEIVABLE_TYPES
from .spreadsheet_cells import needs_guard, visible

VIEW = "receivable.view"
PAYER_KINDS = tuple(PayerKind)
#: Each payer kind as the grid names it (msgids).
PAYER_KIND_TITLES = {PayerKind.ACCOUNT: N_("Accounts"), PayerKind.INSURER: N_("Insurers"),
                     PayerKind.MAKER: N_("Maker"), PayerKind.CUSTOMER: N_("Customers")}
SETTLED = (OrderStatus.SETTLED, OrderStatus.CLOSED)
#: A job's statuses that do not bill (``lifecycle.BILLABLE`` is every other): named as the ones left out, so
#: that the database scans the job table instead of walking its status index through nearly every row.
UNBILLED = tuple(sorted(set(JobStatus) - BILLABLE))
_FEN = Decimal("0.01")


def payer_kind_title(kind: PayerKind | str) -> str:
    return _(PAYER_KIND_TITLES[PayerKind(kind)])


def _money(value: Any) -> Decimal:
    """A sum read back from the database, to the fen (SQLite adds money up as floating point)."""
    if value is None:
        return ZERO
    return round_money(value if isinstance(value, Decimal) else Decimal(str(value)))


# Answers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgingRow:
    """One payer kind's open money: per bucket (in ``BUCKETS`` order), its total, and its credit."""

    payer_kind: PayerKind
    amounts: tuple[Decimal, ...]
    counts: tuple[int, ...]
    unapplied: Decimal  # remittances of this kind of payer not yet applied: their credit

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def count(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class TieOut:
    """The receivables against the settlements they came from.

    A settled order owes the store its warranty and insurance shares (its billable lines of
    those pay types: what the settlement made receivables of) and what was charged to a key
    account; ``booked`` is what the ledger holds for those orders from their settlement (the
    maker's, insurers' and accounts' receivables created at or before it, whatever has been
    paid or written off since). They tie when the two agree, order by order. Besides:
    receivables added after an order's settlement or moved to its customer (a goodwill
    share, a rejected claim's cost: the maker's receivable keeps its amount, written off),
    and those of orders not settled yet, so that every receivable is accounted for:
    ``booked + added_after + unsettled`` is the ledger's whole amount.
    """

    orders: int  # settled orders that owe (or were booked) anything
    shares: Decimal  # their warranty and insurance shares
    account_charges: Decimal
    booked: Decimal
    orders_off: int  # settled orders whose receivables do not match their shares
    added_after: Decimal
    unsettled: Decimal

    @property
    def expected(self) -> Decimal:
        return self.shares + self.account_charges

    @property
    def difference(self) -> Decimal:
        return self.booked - self.expected

    @property
    def ties(self) -> bool:
        return self.difference == ZERO and self.orders_off == 0

    @property
    def ledger_total(self) -> Decimal:
        return self.booked + self.added_after + self.unsettled


@dataclass(frozen=True)
class ReceivablesSummary:
    on: dt.date
    rows: tuple[AgingRow, ...]  # every payer kind, in PayerKind order
    overdue: int  # open receivables whose follow-up is due (see the module's docstring)
    tie: TieOut

    @property
    def bucket_totals(self) -> tuple[Decimal, ...]:
        return tuple(sum((r.amounts[i] for r in self.rows), ZERO) for i in range(len(BUCKETS)))

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def unapplied(self) -> Decimal:
        return sum((r.unapplied for r in self.rows), ZERO)

    def row(self, kind: PayerKind) -> AgingRow:
        return next(r for r in self.rows if r.payer_kind == kind)


@dataclass(frozen=True)
class ReceivableItem:
    receivable_id: int
    version: int
    order_id: int
    order_number: str
    plate: str
    payer_kind: PayerKind
    payer_name: str  # the receivable's payer; the account's or the order's customer's name when it names none
    created_on: dt.date
    due_on: dt.date | None
    amount: Decimal
    paid: Decimal
    written_off: Decimal
    open_amount: Decimal
    age_days: int
    bucket: str
    next_action_on: dt.date | None
    note: str
    overdue: bool  # its follow-up is due


# Reading ------------------------------------------------------------------------------------------


def _today(services: Services, on: dt.date | None) -> dt.date:
    return on if on is not None else services.clock().date()


def _bucket_index(on: dt.date) -> ColumnElement[int]:
    """The bucket of ``Receivable.created_at`` as 0..3: ages up to 30, 60, 90 days, then older (``ledger.bucket``)."""
    def since(days: int) -> dt.datetime:
        return dt.datetime.combine(on - dt.timedelta(days=days), dt.time())

    return case((Receivable.created_at >= since(30), 0), (Receivable.created_at >= since(60), 1),
                (Receivable.created_at >= since(90), 2), else_=3)


def _open_in(store_id: int) -> ColumnElement[bool]:
    """Open receivables of the store's orders, read from the receivables' side.

    The receivables lead and each one's order is looked up by its key: open receivables are
    few, a store's orders many. ``store_id + 0`` keeps SQLite (which keeps no statistics
    here) from walking every order of the store by its index instead; ``payer_kind IN`` and
    ``closed_at IS NULL`` are ``ix_receivable_payer_open``'s.
    """
    return and_(RepairOrder.store_id + 0 == store_id, Receivable.payer_kind.in_(PAYER_KINDS),
                Receivable.closed_at.is_(None), Receivable.amount - Receivable.paid - Receivable.written_off > 0)


def _due(on: dt.date) -> ColumnElement[bool]:
    """The follow-up is due: its date has come, or none is set and the payer's due date has passed."""
    return or_(Receivable.next_action_on <= on,
               and_(Receivable.next_action_on.is_(None), Receivable.due_on < on))


def summary(services: Services, actor: Actor, *, on: dt.date | None = None) -> ReceivablesSummary:
    """The grid, the credit, the follow-ups due and the tie-out, as of ``on`` (today)."""
    require(actor, VIEW)
    on = _today(services, on)
    store = actor.store_id
    index = _bucket_index(on)
    open_amount = Receivable.amount - Receivable.paid - Receivable.written_off
    grid = (select(literal("grid"), Receivable.payer_kind, index, func.count(), func.sum(open_amount),
                   func.sum(case((_due(on), 1), else_=0)))
            .join(RepairOrder, RepairOrder.id == Receivable.order_id)
            .where(_open_in(store))
            .group_by(Receivable.payer_kind, index))
    credit = (select(literal("credit"), Remittance.payer_kind, literal(0), func.count(),
                     func.sum(Remittance.amount - Remittance.applied), literal(0))
              .where(Remittance.store_id == store, Remittance.amount > Remittance.applied)
              .group_by(Remittance.payer_kind))
    amounts: dict[PayerKind, list[Decimal]] = {k: [ZERO] * len(BUCKETS) for k in PAYER_KINDS}
    counts: dict[PayerKind, list[int]] = {k: [0] * len(BUCKETS) for k in PAYER_KINDS}
    unapplied: dict[PayerKind, Decimal] = dict.fromkeys(PAYER_KINDS, ZERO)
    overdue = 0
    with services.db.reader() as session:
        for part, kind, at, n, money, due in session.execute(union_all(grid, credit)):
            kind = PayerKind(kind)
            if part == "credit":
                unapplied[kind] = _money(money)
                continue
            amounts[kind][at] = _money(money)
            counts[kind][at] = n
            overdue += int(due or 0)
        tie = _tie_out(session, store)
    rows = tuple(AgingRow(k, tuple(amounts[k]), tuple(counts[k]), unapplied[k]) for k in PAYER_KINDS)
    return ReceivablesSummary(on=on, rows=rows, overdue=overdue, tie=tie)


def _tie_out(session: Any, store_id: int) -> TieOut:
    """One statement: each order's expected receivables and booked ones side by side, then added up."""
    money = Numeric(12, 2)
    zero = cast(literal(0), money)
    jobs = (select(Job.order_id.label("order_id"), cast(Job.amount, money).label("share"), zero.label("charged"),
                   zero.label("booked"), zero.label("after"))
            .where(Job.pay_type.in_(RECEIVABLE_TYPES), Job.status.not_in(UNBILLED)))
    parts = (select(PartLine.order_id, cast(PartLine.amount, money), zero, zero, zero)
             .outerjoin(Job, Job.id == PartLine.job_id)
             .where(PartLine.pay_type.in_(RECEIVABLE_TYPES), or_(PartLine.job_id.is_(None), Job.status.not_in(UNBILLED))))
    charges = (select(RepairOrder.id, zero, cast(RepairOrder.account_charged, money), zero, zero)
               .where(RepairOrder.account_charged != 0))  # the store is the outer join's: one pass over the orders
    # After the settlement, or a cost moved to the customer (goodwill, a rejected claim): the settlement made neither.
    late = and_(RepairOrder.settled_at.is_not(None),
                or_(Receivable.created_at > RepairOrder.settled_at, Receivable.payer_kind == PayerKind.CUSTOMER))
    booked = (select(Receivable.order_id, zero, zero, cast(case((late, 0), else_=Receivable.amount), money),
                     cast(case((late, Receivable.amount), else_=0), money))
              .join(RepairOrder, RepairOrder.id == Receivable.order_id))
    lines = union_all(jobs, parts, charges, booked).subquery("lines")
    # Grouped per order before the orders are joined: the line tables are scanned once, each order read once.
    grouped = (select(lines.c.order_id, func.sum(lines.c.share).label("share"),
                      func.sum(lines.c.charged).label("charged"), func.sum(lines.c.booked).label("booked"),
                      func.sum(lines.c.after).label("after"))
               .group_by(lines.c.order_id)).subquery("grouped")
    settled = and_(RepairOrder.settled_at.is_not(None), RepairOrder.status.in_(SETTLED))
    c = grouped.c

    def of_settled(value: Any) -> Any:
        return func.sum(case((settled, value), else_=0))

    off = and_(settled, func.round(c.booked - c.share - c.charged, 2) != 0)
    statement = (select(of_settled(1), of_settled(c.share), of_settled(c.charged), of_settled(c.booked),
                        func.sum(case((off, 1), else_=0)), of_settled(c.after),
                        func.sum(case((settled, 0), else_=c.booked + c.after)))
                 .select_from(grouped).join(RepairOrder, RepairOrder.id == c.order_id)
                 .where(RepairOrder.store_id == store_id))
    n, share, charged, booked_sum, n_off, after, unsettled = session.execute(statement).one()
    return TieOut(orders=int(n or 0), shares=_money(share), account_charges=_money(charged), booked=_money(booked_sum),
                  orders_off=int(n_off or 0), added_after=_money(after), unsettled=_money(unsettled))


def items(services: Services, actor: Actor, *, payer_kind: PayerKind | str | None = None, bucket: str | None = None,
          overdue_only: bool = False, on: dt.date | None = None, limit: int | None = None) -> list[ReceivableItem]:
    """The open receivables, oldest first (the longest owed is chased first); ``limit`` rows at most."""
    require(actor, VIEW)
    on = _today(services, on)
    if bucket is not None and bucket not in BUCKETS:
        raise ValidationError("bucket", _("No such aging bucket: {bucket}.").format(bucket=bucket))
    kind = PayerKind(payer_kind) if payer_kind is not None else None
    index = _bucket_index(on)
    query = (select(Receivable.id, Receivable.version, RepairOrder.id, RepairOrder.number, Vehicle.plate,
                    Receivable.payer_kind, Receivable.payer_name, Account.name, Customer.name, Receivable.created_at,
                    Receivable.due_on, Receivable.amount, Receivable.paid, Receivable.written_off,
                    Receivable.next_action_on, Receivable.note, _due(on))
             .join(RepairOrder, RepairOrder.id == Receivable.order_id)
             .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
             .join(Customer, Customer.id == RepairOrder.customer_id)
             .outerjoin(Account, Account.id == Receivable.account_id)
             .where(_open_in(actor.store_id))
             .order_by(Receivable.created_at, Receivable.id))
    if kind is not None:
        query = query.where(Receivable.payer_kind == kind)
    if bucket is not None:
        query = query.where(index == BUCKETS.index(bucket))
    if overdue_only:
        query = query.where(_due(on))
    if limit is not None:
        query = query.limit(limit)
    out = []
    with services.db.reader() as session:
        for (rid, version, order_id, number, plate, kind_, payer, account, customer, created, due_on, amount, paid,
             written_off, next_on, note, due) in session.execute(query):
            age = max(0, (on - created.date()).days)
            amount, paid, written_off = _money(amount), _money(paid), _money(written_off)
            out.append(ReceivableItem(
                receivable_id=rid, version=version, order_id=order_id, order_number=number, plate=plate or "",
                payer_kind=PayerKind(kind_), payer_name=payer or account or customer or "", created_on=created.date(),
                due_on=due_on, amount=amount, paid=paid, written_off=written_off,
                open_amount=amount - paid - written_off, age_days=age, bucket=ledger.bucket(age),
                next_action_on=next_on, note=note or "", overdue=bool(due)))
    return out


# The workbook -------------------------------------------------------------------------------------


def tie_line(tie: TieOut) -> str:
    """The tie-out in one line, for the screen and the command line."""
    if tie.ties:
        return _("Ties to the settlements: {booked} booked = {shares} claim shares + {charges} account charges"
                 " ({n} orders)").format(booked=format_money(tie.booked), shares=format_money(tie.shares),
                                         charges=format_money(tie.account_charges), n=tie.orders)
    return _("Does not tie: {booked} booked, {expected} settled ({shares} claim shares + {charges} account charges):"
             " difference {difference} on {off} orders").format(
        booked=format_money(tie.booked), expected=format_money(tie.expected), shares=format_money(tie.shares),
        charges=format_money(tie.account_charges), difference=format_money(tie.difference), off=tie.orders_off)


def _headings() -> list[str]:
    return [_("Payer"), *BUCKETS, _("Total"), _("Count"), _("Unapplied credit")]


def grid_rows(data: ReceivablesSummary) -> list[list[Any]]:
    """The grid as rows of cells (text, money, counts): the payer kinds, then the totals."""
    rows: list[list[Any]] = [[payer_kind_title(r.payer_kind), *r.amounts, r.total, r.count, r.unapplied]
                             for r in data.rows]
    rows.append([_("Total"), *data.bucket_totals, data.total, data.count, data.unapplied])
    return rows


def _item_headings() -> list[str]:
    return [_("Order no."), _("Plate"), _("Payer kind"), _("Payer"), _("Created"), _("Due on"), _("Amount"),
            _("Collected"), _("Written off"), _("Owed"), _("Age (days)"), _("Bucket"), _("Next action"),
            _("Follow-up notes")]


def _item_row(item: ReceivableItem) -> list[Any]:
    return [item.order_number, item.plate, payer_kind_title(item.payer_kind), item.payer_name, item.created_on,
            item.due_on, item.amount, item.paid, item.written_off, item.open_amount, item.age_days, item.bucket,
            item.next_action_on, item.note]


def write_xlsx(data: ReceivablesSummary, rows: Sequence[ReceivableItem], path: Path | str) -> None:
    """A summary sheet (the grid, the follow-ups due, the tie-out) and an items sheet; every text cell stays text."""
    from openpyxl import Workbook  # only when a workbook is asked for
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    sheet.append([_("Receivables on {day}").format(day=data.on.isoformat())])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append(_headings())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in grid_rows(data):
        sheet.append(row)
    sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.append([])
    sheet.append([_("Collection follow-ups due"), data.overdue])
    tie = data.tie
    for title, value in ((_("Settled orders' claim shares"), tie.shares), (_("Account charges"), tie.account_charges),
                         (_("Booked at settlement"), tie.booked), (_("Difference"), tie.difference),
                         (_("Orders that differ"), tie.orders_off), (_("Added after settlement or moved to customers"), tie.added_after),
                         (_("Orders not settled yet"), tie.unsettled)):
        sheet.append([title, value])
    sheet.append([tie_line(tie)])
    _finish(sheet, widths=[22, 14, 14, 14, 14, 14, 8, 16])
    items_sheet = book.create_sheet(_("Items")[:31])
    items_sheet.append(_item_headings())
    for cell in items_sheet[1]:
        cell.font = Font(bold=True)
    for item in rows:
        items_sheet.append(_item_row(item))
    items_sheet.freeze_panes = "A2"
    _finish(items_sheet, widths=[18, 10, 10, 20, 11, 11, 12, 12, 12, 12, 9, 7, 11, 40])
    book.save(path)


def _finish(sheet: Any, widths: list[int]) -> None:
    """Money and dates formatted, text kept text (openpyxl takes a str beginning with "=" for a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                cell.value = visible(value)
                if needs_guard(cell.value):
                    cell.data_type = "s"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width = width


def export_receivables(services: Services, actor: Actor, path: Path | str, *, on: dt.date | None = None) -> Export:
    """The summary and every open receivable to ``path`` (.xlsx), audited; the file appears once recorded."""
    if Path(path).suffix.lower() != ".xlsx":
        raise ValidationError("path", _("Save the receivables as an .xlsx file."))
    data = summary(services, actor, on=on)
    rows = items(services, actor, on=data.on)
    return export_file(services, actor, receivables_file, path, data, rows)


@service(VIEW)
def receivables_file(tx: Tx, out: ExportFile, data: ReceivablesSummary, rows: Sequence[ReceivableItem]) -> Export:
    """The workbook written to ``out``'s staged file and the export recorded (payers' names: audited)."""
    with writing(out) as partial:
        write_xlsx(data, rows, partial)
    tx.audit("receivables", None, action="receivables.export", after={
        "on": data.on, "path": str(out.path), "items": len(rows), "open": data.total, "ties": data.tie.ties})
    return Export(out.path, len(rows))


# Text (the command line) --------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_money(value)
    return str(value)


def text_summary(data: ReceivablesSummary) -> str:
    """The grid with money in ¥ right-aligned, the follow-ups due and the tie-out, for a terminal."""
    table = [_headings()] + [[_cell(v) for v in row] for row in grid_rows(data)]
    widths = [max(_width(row[c]) for row in table) for c in range(len(table[0]))]
    lines = [_("Receivables on {day}").format(day=data.on.isoformat()), ""]
    for n, row in enumerate(table):
        cells = [row[0] + " " * (widths[0] - _width(row[0]))]
        cells += [" " * (w - _width(v)) + v for v, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if n == 0 or n == len(table) - 2:
            lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    lines += ["", _("Collection follow-ups due: {n}").format(n=data.overdue), tie_line(data.tie)]
    if data.tie.added_after or data.tie.unsettled:
        lines.append(_("Besides: {after} added after settlement or moved to customers, {unsettled} on orders not"
                       " settled yet").format(
            after=format_money(data.tie.added_after), unsettled=format_money(data.tie.unsettled)))
    return "\n".join(lines) + "\n"


__all__ = ["AgingRow", "PAYER_KIND_TITLES", "ReceivableItem", "ReceivablesSummary", "TieOut", "export_receivables",
           "items", "payer_kind_title", "summary", "text_summary", "tie_line", "write_xlsx"]
