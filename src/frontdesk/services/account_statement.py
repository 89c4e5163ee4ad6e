"""A key account's monthly statement (对账单): read from the ledger, printed as PDF, exported as XLSX.

The statement is a statement *of account*: it starts from what the account owed when the
month began, adds the orders charged in it, takes off the transfers received and what the
manager wrote off, and ends with what it owes — and how old that is, at the month's end.
A transfer counts from the day it was received (``Remittance.received_on``), applied or not:
money paid in and not yet applied to an order is the account's credit, and lowers the
balance the same. So a statement for a past month reads the same whenever it is printed
(a write-off counts from when it was made; several partial write-offs of one order count
from the last).

Rounding: every amount is a sum of stored amounts in fen; nothing is rounded here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import errno
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from frontdesk.i18n import LANGUAGES
from frontdesk.i18n import gettext as _
from frontdesk.model import Allocation, Job, Receivable, Remittance, RepairOrder, Store
from frontdesk.model.account import Account
from frontdesk.model.enums import PayerKind, PayType
from frontdesk.paperwork.documents import StoreInfo
from frontdesk.paperwork.statement_doc import (
    AgingAmount,
    StatementAccount,
    StatementData,
    StatementLine,
    StatementPayment,
)
from frontdesk.private_files import staged

from . import ledger
from .context import Actor, Services, Tx, require, service
from .errors import FrontdeskError, NotFound, ValidationError
from .estimate import order_totals
from .export_files import Export, ExportFile, cannot_write, writing
from .money import ZERO
from .spreadsheet_cells import needs_guard, visible

__all__ = ["StatementData", "export_statement", "month_range", "statement", "statement_file", "write_pdf",
           "write_xlsx"]

#: What a statement is written as: the printed PDF, or the workbook the account's accountant asks for.
STATEMENT_FORMATS = (".pdf", ".xlsx")

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def month_range(month: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``'YYYY-MM'``; a month that has not begun has no statement."""
    found = _MONTH.fullmatch(str(month).strip())
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1900:
        raise ValidationError("month", _("Give the month as YYYY-MM, for example 2026-11."))
    year, number = int(found[1]), int(found[2])
    start = dt.date(year, number, 1)
    if start > today:
        raise ValidationError("month", _("{month} has not begun yet.").format(month=f"{year}-{number:02d}"))
    return start, start.replace(day=calendar.monthrange(year, number)[1])


def statement(services: Services, actor: Actor, account_id: int, month: str) -> StatementData:
    require(actor, "account.statement")
    today = services.clock().date()
    start, end = month_range(month, today)
    begins = dt.datetime.combine(start, dt.time.min)
    ends = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)  # exclusive
    with services.db.reader() as session:
        account = session.get(Account, account_id)
        if account is None or account.store_id != actor.store_id:
            raise NotFound("account", _("No such account in this store."))
        store = session.get(Store, actor.store_id)
        assert store is not None
        receivables = session.scalars(select(Receivable).where(
            Receivable.account_id == account.id, Receivable.payer_kind == PayerKind.ACCOUNT,
            Receivable.created_at < ends).order_by(Receivable.created_at, Receivable.id)).all()
        remittances = session.scalars(select(Remittance).where(
            Remittance.account_id == account.id, Remittance.payer_kind == PayerKind.ACCOUNT,
            Remittance.received_on <= end).order_by(Remittance.received_on, Remittance.id)).all()
        applied: dict[int, Decimal] = {}  # receivable -> paid by the month's end
        for receivable_id, amount in session.execute(
                select(Allocation.receivable_id, Allocation.amount).join(Remittance)
                .where(Remittance.id.in_([r.id for r in remittances]))):
            applied[receivable_id] = applied.get(receivable_id, ZERO) + amount
        in_month = [r for r in receivables if r.created_at >= begins]
        orders = {o.id: o for o in session.scalars(
            select(RepairOrder).where(RepairOrder.id.in_([r.order_id for r in in_month])).options(
                joinedload(RepairOrder.vehicle), selectinload(RepairOrder.jobs).selectinload(Job.part_lines),
                selectinload(RepairOrder.part_lines)))}
        lines = tuple(_line(services, r, orders[r.order_id]) for r in in_month)

        def written_off(r: Receivable, before: dt.datetime) -> Decimal:
            return r.written_off if r.written_off_at is not None and r.written_off_at < before else ZERO

        opening = (sum((r.amount - written_off(r, begins) for r in receivables if r.created_at < begins), ZERO)
                   - sum((r.amount for r in remittances if r.received_on < start), ZERO))
        charged = sum((r.amount for r in in_month), ZERO)
        received = sum((r.amount for r in remittances if r.received_on >= start), ZERO)
        off = sum((written_off(r, ends) - written_off(r, begins) for r in receivables), ZERO)
        aging = dict.fromkeys(ledger.BUCKETS, ZERO)
        for r in receivables:
            left = r.amount - applied.get(r.id, ZERO) - written_off(r, ends)
            if left > 0:
                aging[ledger.bucket((end - r.created_at.date()).days)] += left
        credit = sum((r.amount for r in remittances), ZERO) - sum(applied.values(), ZERO)
        return StatementData(
            store=StoreInfo(name=store.name, address=store.address, phone=store.phone, tax_id=store.tax_id,
                            logo_path=services.settings.dealership.logo_path or None),
            account=StatementAccount(
                code=account.code, name=account.name, kind=account.kind.value, contact_name=account.contact_name,
                contact_phone=account.contact_phone, invoice_title=account.invoice_title, tax_id=account.tax_id,
                invoice_address=account.invoice_address, invoice_bank=account.invoice_bank,
                terms_days=account.terms_days, monthly=account.monthly, credit_limit=account.credit_limit),
            month=f"{start:%Y-%m}", start=start, end=end, issued_on=today, lines=lines,
            payments=tuple(StatementPayment(day=r.received_on, reference=r.reference, method=r.method.value,
                                            amount=r.amount) for r in remittances if r.received_on >= start),
            opening_balance=opening, charged=charged, received=received, written_off=off,
            closing_balance=opening + charged - received - off,
            aging=tuple(AgingAmount(bucket=b, amount=a) for b, a in aging.items()), unapplied_credit=credit,
        )


def _line(services: Services, receivable: Receivable, order: RepairOrder) -> StatementLine:
    """The customer share's labour and parts as billed, its discount (the agreed one, 抹零 included), the charge."""
    share = order_totals(order, services.settings, keep_unfit_discount=False).by_pay_type.get(PayType.CUSTOMER)
    return StatementLine(
        day=receivable.created_at.date(), order_no=order.number, plate=order.vehicle.plate or order.vehicle.vin or "",
        driver=order.brought_by_name, labour=share.labor if share else ZERO, parts=share.parts if share else ZERO,
        discount=share.discount if share else ZERO, amount=receivable.amount)


def write_pdf(data: StatementData, path: Path | str, lang: str = "zh_CN", *, font_path: str | None = None) -> Path:
    """The statement on the store's letterhead, written whole (0600) at ``path``."""
    from frontdesk.paperwork.statement import render

    return render(data, Path(path), lang, font_path=font_path)


def _text(sheet, value: str):  # type: ignore[no-untyped-def]
    """A text cell that stays text: openpyxl would store a str beginning with "=" as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=visible(value))
    if needs_guard(cell.value):
        cell.data_type = "s"
    return cell


def write_xlsx(data: StatementData, path: Path | str) -> Path:
    """The statement as a workbook: the orders (with their total), the payments, the balance and its aging."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from frontdesk.private_files import staged

    target = Path(path)
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def head(sheet, titles: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
        cells = []
        for title in titles:
            cell = _text(sheet, title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    def money(sheet, value: Decimal):  # type: ignore[no-untyped-def]
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell

    orders = book.create_sheet(_sheet(_("Orders charged")))
    orders.append([_text(orders, f"{data.account.code} {data.account.name}"), _text(orders, data.month)])
    head(orders, [_("Date"), _("Order no."), _("Plate"), _("Driver"), _("Labor"), _("Parts"), _("Discount"),
                  _("Amount")])
    for line in data.lines:
        orders.append([line.day, _text(orders, line.order_no), _text(orders, line.plate), _text(orders, line.driver),
                       money(orders, line.labour), money(orders, line.parts), money(orders, line.discount),
                       money(orders, line.amount)])
    orders.append([_text(orders, _("Total")), None, None, None, money(orders, data.labour), money(orders, data.parts),
                   money(orders, data.discount), money(orders, data.charged)])

    paid = book.create_sheet(_sheet(_("Payments received")))
    head(paid, [_("Date"), _("Reference"), _("Method"), _("Amount")])
    for payment in data.payments:
        paid.append([payment.day, _text(paid, payment.reference), _text(paid, payment.method),
                     money(paid, payment.amount)])

    balance = book.create_sheet(_sheet(_("Balance")))
    for label, value in ((_("Opening balance"), data.opening_balance), (_("Charged this month"), data.charged),
                         (_("Received this month"), data.received), (_("Written off"), data.written_off),
                         (_("Closing balance"), data.closing_balance)):
        balance.append([_text(balance, label), money(balance, value)])
    balance.append([])
    head(balance, [_("Age (days)"), _("Open")])
    for item in data.aging:
        balance.append([_text(balance, item.bucket), money(balance, item.amount)])
    balance.append([_text(balance, _("Unapplied credit")), money(balance, -data.unapplied_credit)])
    with staged(target) as partial:
        book.save(partial)
    return target


def _sheet(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def account_id_for_code(services: Services, actor: Actor, code: str) -> int:
    """The account the papers and the command line name by its code."""
    require(actor, "account.statement")
    wanted = str(code).strip().upper()
    with services.db.reader() as session:
        account_id = session.scalar(select(Account.id).where(Account.store_id == actor.store_id,
                                                             Account.code == wanted))
    if account_id is None:
        raise NotFound("account", _("No account with code {code} in this store.").format(code=wanted))
    return account_id


def statement_for_code(services: Services, actor: Actor, code: str, month: str) -> StatementData:
    """``statement`` for the account the papers and the command line name by its code."""
    return statement(services, actor, account_id_for_code(services, actor, code), month)


# Writing it to a file: an export of the account's data, audited --------------------------------------------


def export_statement(services: Services, actor: Actor, account_id: int, month: str, path: Path | str, *,
                     lang: str = "zh_CN") -> Export:
    """The month's statement written to ``path`` (.pdf or .xlsx); the file appears once its audit event is committed.

    A statement names the account's cars, drivers and what it owes: whoever wrote one, when and
    where is in the audit trail like every other export (services/export_files.py).
    """
    require(actor, "account.statement")  # refused before any folder is made
    out = ExportFile.beside(path)
    if out.path.suffix.lower() not in STATEMENT_FORMATS:
        raise ValidationError("path", _("Write the statement to a .pdf or an .xlsx file."))
    if out.path.is_dir():
        raise cannot_write(out.path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    data = statement(services, actor, account_id, month)
    try:
        with staged(out.path) as partial:
            return statement_file(services, actor, ExportFile(out.path, partial), data, lang)
    except OSError as exc:  # the folder, the partial file or the rename
        raise cannot_write(out.path, exc) from exc


@service("account.statement")
def statement_file(tx: Tx, out: ExportFile, data: StatementData, lang: str = "zh_CN") -> Export:
    """The statement written to ``out``'s staged file and the export recorded against the account."""
    from frontdesk.paperwork import PaperworkError

    fmt = out.path.suffix.lower()
    if fmt not in STATEMENT_FORMATS:
        raise ValidationError("path", _("Write the statement to a .pdf or an .xlsx file."))
    if lang not in LANGUAGES:
        raise ValidationError("lang", _("Choose Chinese or English."))
    account_id = tx.session.scalar(select(Account.id).where(Account.store_id == tx.actor.store_id,
                                                            Account.code == data.account.code))
    if account_id is None:
        raise NotFound("account", _("No account with code {code} in this store.").format(code=data.account.code))
    try:
        with writing(out) as partial:
            if fmt == ".xlsx":
                write_xlsx(data, partial)
            else:
                write_pdf(data, partial, lang, font_path=tx.settings.font_path or None)
    except PaperworkError as exc:
        raise FrontdeskError(_("The statement could not be written: {reason}").format(reason=exc)) from exc
    tx.audit("account", account_id, action="account.statement", after={
        "month": data.month, "path": str(out.path), "format": fmt.lstrip("."), "orders": len(data.lines),
        "closing_balance": data.closing_balance})
    return Export(out.path, len(data.lines))
