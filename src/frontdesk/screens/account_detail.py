"""One key account: what it owes, order by order and by age, and the money that comes in for it.

Opened from the accounts list (screens/accounts.py). On top the account and its terms, what it
owes against its limit, how much is overdue, the transfers' credit not applied yet; then the
aging (0–30 / 31–60 / 61–90 / over 90 days since the charge) and the open orders, oldest
first, each with its bucket.

T records a transfer received (screens/account_dialogs.py: the amount, the bank reference, the
day, and what it pays of each order — filled oldest first, editable, part of one order allowed;
the rest stays as the account's credit); A applies such credit later; W writes off the
highlighted order's open amount with a reason (a service manager). F8 (or P) prints the
monthly statement for a month asked first (last month by default; a PDF in the paperwork
folder, sent to the printer when one is set), X writes it as an Excel file. F4 edits the
account (its terms, cars, drivers; suspending it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Header, Static

from frontdesk.i18n import current_language, gettext as _, ngettext
from frontdesk.keys import EDIT, PRINT, REFRESH, back, binding
from frontdesk.model.enums import PayerKind
from frontdesk.services import accounts, ledger
from frontdesk.services.accounts import AccountDetail, OpenReceivable
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, declare_columns

from .account_dialogs import (
    AllocationDialog,
    Credit,
    Entry,
    OpenItem,
    bucket_short,
    kind_label,
    last_month,
    month_form,
    write_off_form,
)
from .account_form import AccountForm
from .base import DeskScreen

#: Screen action -> the permission it needs (a role without it is not offered the key).
ACTION_PERMISSION = {"transfer": "remittance.apply", "apply_credit": "remittance.apply",
                     "write_off": "receivable.write_off", "statement": "account.statement",
                     "export": "account.statement", "edit": "account.save"}


@dataclass(frozen=True)
class Written:
    """A statement written: where, and the printer that took it (or why it did not)."""

    path: Path
    sent_to: str | None = None
    print_error: str | None = None


def statement_path(folder: Path, code: str, month: str, fmt: str) -> Path:
    safe = re.sub(r"[^\w.-]+", "_", code) or "account"
    return folder / f"statement_{safe}_{month}.{fmt}"


def write_statement(services: Services, actor: Actor, account_id: int, month: str, fmt: str, lang: str) -> Written:
    """Runs in the worker: the month's statement as a PDF (to the printer when one is set) or an XLSX.

    The paperwork is imported here: ReportLab loads the first time something is printed.
    """
    from frontdesk.services import account_statement

    from frontdesk.paperwork import PaperworkError

    data = account_statement.statement(services, actor, account_id, month)
    folder = services.settings.resolved_pdf_dir()
    path = statement_path(folder, data.account.code, data.month, fmt)
    try:  # an export of the account's data: audited (account.statement), the file there once recorded
        account_statement.export_statement(services, actor, account_id, data.month, path, lang=lang)
    except (PaperworkError, OSError) as exc:
        raise FrontdeskError(_("The statement could not be written: {reason}").format(reason=exc)) from exc
    if fmt == "xlsx":
        return Written(path)
    printer = services.settings.printer
    if not printer:
        return Written(path)
    from frontdesk.paperwork import PrintError, print_file

    try:
        print_file(path, printer, title=f"{month} statement")
    except PrintError as exc:
        return Written(path, None, str(exc))
    return Written(path, printer)


class AccountDetailScreen(DeskScreen):
    """``AccountDetailScreen(account_id)``: the account's open orders and aging; transfers, write-offs, statements."""

    CSS_PATH = "../assets/styles/accounts.tcss"
    AUTO_FOCUS = "#ad-orders"

    BINDINGS = [
        binding("t", "transfer", "Transfer", tooltip="Record a transfer received and apply it to the open orders"),
        binding("a", "apply_credit", "Apply credit", tooltip="Apply the account's unapplied credit to its open orders"),
        binding(PRINT, "statement", "Monthly statement", tooltip="Print the monthly statement (PDF) for a month"),
        binding("x", "export", "Excel", tooltip="Write the monthly statement as an Excel file"),
        binding("w", "write_off", "Write off",
                tooltip="Write off the highlighted order's open amount, with a reason (service manager)"),
        binding(EDIT, "edit", "Edit account", tooltip="The account's terms, cars and drivers; suspend it"),
        binding("p", "statement", "Monthly statement", show=False, tooltip="Print the monthly statement (PDF) for a month"),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the account again"),
        back(),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.detail: AccountDetail | None = None
        self.credits: tuple[Any, ...] = ()
        self.written: dict[str, Path] = {}  # "pdf" / "xlsx" -> the last statement written here

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading…"), id="ad-head")
        yield Static("", id="ad-aging")
        yield ListTable(id="ad-orders")
        yield Static("", id="ad-cars")
        yield KeyFooter()

    def on_mount(self) -> None:
        declare_columns(self.query_one("#ad-orders", ListTable), Col(_("Order no."), whole=True, keep=9),
                        Col(_("Charged on"), 5, keep=7), Col(_("Due date"), 5, keep=5),
                        Col(_("Amount"), whole=True, keep=2), Col(_("Paid so far"), whole=True, keep=4),
                        Col(_("Still open"), whole=True, keep=8), Col(_("Days"), 4, keep=6),
                        Col(_("Age"), 5, keep=1))  # narrow (English): what is open and when due, before the amount
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # Reading -------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(self._read, self.services, self.actor, self.account_id, then=self.show, saves=False)

    @staticmethod
    def _read(services: Services, actor: Actor, account_id: int) -> tuple[AccountDetail, tuple[Any, ...]]:
        detail = accounts.account_detail(services, actor, account_id)
        credits = tuple(accounts.account_credits(services, actor, account_id)) if detail.unapplied_credit else ()
        return detail, credits

    def show(self, outcome: tuple[AccountDetail, tuple[Any, ...]]) -> None:
        d, self.credits = outcome
        self.detail = d
        self.refresh_bindings()
        self._show_head(d)
        self._show_aging(d)
        self._show_orders(d)
        cars = ", ".join(v.plate for v in d.vehicles) or _("none yet")
        drivers = ", ".join(r.name for r in d.drivers if r.active) or _("none yet")
        self.query_one("#ad-cars", Static).update(Text(_("Cars: {cars} · Drivers: {drivers}").format(
            cars=cars, drivers=drivers), style="dim"))

    def _show_head(self, d: AccountDetail) -> None:
        head = Text()
        head.append(f"{d.code} {d.name}", style="bold")
        head.append(f"  {kind_label(d.kind)}")
        if d.suspended:
            head.append("  ")
            head.append(" " + _("Suspended") + " ", style="bold white on red")
            head.append(" " + d.suspended_reason, style="red")
        head.append("\n")
        over = d.open_balance > d.credit_limit
        head.append(_("Owes {open}").format(open=format_money(d.open_balance)), style="bold red" if over else "bold")
        head.append(" / " + _("limit {limit}").format(limit=format_money(d.credit_limit)))
        if d.overdue:
            head.append("  " + _("overdue {amount}").format(amount=format_money(d.overdue)), style="bold yellow")
        terms = _("monthly, {days} days") if d.monthly else _("{days} days")
        head.append("  " + terms.format(days=d.terms_days), style="dim")
        self.query_one("#ad-head", Static).update(head)

    def _show_aging(self, d: AccountDetail) -> None:
        text = Text(_("Aging (days)") + " ", style="dim")
        for n, (bucket, amount) in enumerate(d.aging):
            style = "bold" if amount and bucket == "0-30" else ("bold red" if amount else "dim")
            text.append((" · " if n else "") + f"{bucket_short(bucket)} ", style="dim")
            text.append(format_money(amount), style=style)
        if d.unapplied_credit:  # only when there is one: the line fits 80 columns without it
            text.append(" · ", style="dim")
            text.append(_("Credit {amount}").format(amount=format_money(d.unapplied_credit)), style="bold cyan")
        self.query_one("#ad-aging", Static).update(text)

    def _show_orders(self, d: AccountDetail) -> None:
        today = self.services.clock().date()
        table = self.query_one("#ad-orders", ListTable)
        rows = []
        for r in d.receivables:
            late = r.due_on is not None and r.due_on < today
            rows.append((f"r{r.receivable_id}", (
                Text(r.order_no, style="bold"), r.charged_on.strftime("%m-%d"),
                Text(r.due_on.strftime("%m-%d") if r.due_on else "", style="bold yellow" if late else ""),
                Text(format_money(r.amount), justify="right"),
                Text(format_money(r.paid) if r.paid else "", justify="right", style="dim"),
                Text(format_money(r.open_amount), justify="right", style="bold"),
                Text(str(r.age_days), justify="right"), bucket_short(r.bucket))))
        table.refill(rows)
        table.border_title = _("Open orders ({n})").format(n=len(d.receivables))

    @property
    def selected(self) -> OpenReceivable | None:
        d = self.detail
        key = self.query_one("#ad-orders", ListTable).cursor_key
        if d is None or key is None:
            return None
        return next((r for r in d.receivables if f"r{r.receivable_id}" == key), None)

    # Keys ----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        permission = ACTION_PERMISSION.get(action)
        if permission is not None and not allowed(self.actor.role, permission):
            return False
        d = self.detail
        if action == "apply_credit" and (d is None or not d.unapplied_credit or not d.receivables):
            return None
        if action == "write_off" and (d is None or not d.receivables):
            return None
        return True

    def why_not(self, action: str) -> str | None:
        d = self.detail
        if d is None:
            return _("Reading the account…")
        if action == "apply_credit":
            return _("No credit to apply: the account has paid nothing that is not applied.") \
                if not d.unapplied_credit else _("No open order to apply the credit to.")
        if action == "write_off":
            return _("No open order to write off.")
        return None

    @staticmethod
    def _items(d: AccountDetail) -> list[OpenItem]:
        return [OpenItem(r.receivable_id, r.version, f"{r.order_no} {r.charged_on:%m-%d}", r.open_amount)
                for r in d.receivables]

    def action_transfer(self) -> None:
        d = self.detail
        if d is None:
            return
        services, actor = self.services, self.actor

        def save(entry: Entry) -> Any:
            ledger.record_remittance(services, actor, ledger.RemittanceInput(
                PayerKind.ACCOUNT, d.name, entry.amount, entry.reference, entry.received_on or services.clock().date(),
                account_id=d.id), self._allocations(entry))
            return entry

        self.app.push_screen(AllocationDialog(_("Transfer received · {code} {name}").format(code=d.code, name=d.name),
                                              self._items(d), save, today=services.clock().date()), self._recorded)

    def action_apply_credit(self) -> None:
        d = self.detail
        if d is None:
            return
        if not self.credits:
            self.notify(self.why_not("apply_credit") or "", severity="warning")
            return
        services, actor = self.services, self.actor
        credits = [Credit(c.remittance_id, c.version, f"{c.reference} {c.received_on:%m-%d}", c.unapplied)
                   for c in self.credits]

        def save(entry: Entry) -> Any:
            assert entry.credit is not None
            ledger.apply_remittance(services, actor, entry.credit.id, self._allocations(entry),
                                    expected_version=entry.credit.version)
            return entry

        self.app.push_screen(AllocationDialog(_("Apply credit · {code} {name}").format(code=d.code, name=d.name),
                                              self._items(d), save, today=services.clock().date(), credits=credits),
                             self._recorded)

    @staticmethod
    def _allocations(entry: Entry) -> list[ledger.AllocationInput]:
        return [ledger.AllocationInput(item.id, share, item.version) for item, share in entry.allocations]

    def _recorded(self, outcome: Any) -> None:
        if outcome is None:
            return
        if isinstance(outcome, FrontdeskError):
            self.show_error(outcome)
        else:
            applied = sum((share for _item, share in outcome.allocations), Decimal(0))
            n = len(outcome.allocations)
            message = ngettext("{amount} applied to {n} order.", "{amount} applied to {n} orders.", n).format(
                amount=format_money(applied), n=n)
            if outcome.credit is None and outcome.amount > applied:
                message += " " + _("{left} kept as the account's credit.").format(
                    left=format_money(outcome.amount - applied))
            self.notify(message, title=_("Recorded"), timeout=8)
        self.action_refresh()

    def action_write_off(self) -> None:
        row = self.selected
        if row is None:
            self.notify(_("Highlight an open order first."), severity="warning")
            return
        services, actor = self.services, self.actor

        def save(values: dict[str, str]) -> Any:
            return ledger.write_off(services, actor, row.receivable_id, values["amount"].strip() or None,
                                    values["reason"], expected_version=row.version)

        def done(outcome: Any) -> None:
            if outcome is None:
                return
            if isinstance(outcome, FrontdeskError):
                self.show_error(outcome)
            else:
                self.notify(_("Written off. {open} still open on {order}.").format(
                    open=format_money(outcome.open_amount), order=row.order_no), title=_("Recorded"), timeout=8)
            self.action_refresh()

        self.app.push_screen(write_off_form(row.order_no, row.open_amount, save), done)

    def action_statement(self) -> None:
        self._statement("pdf")

    def action_export(self) -> None:
        self._statement("xlsx")

    def _statement(self, fmt: str) -> None:
        d = self.detail
        if d is None:
            return
        services, actor, lang = self.services, self.actor, current_language()
        title = _("Monthly statement · {code}").format(code=d.code) if fmt == "pdf" else \
            _("Monthly statement as Excel · {code}").format(code=d.code)

        def save(values: dict[str, str]) -> Written:
            return write_statement(services, actor, d.id, values["month"].strip(), fmt, lang)

        def done(outcome: Any) -> None:
            if outcome is None:
                return
            if isinstance(outcome, FrontdeskError):
                self.show_error(outcome)
                return
            self.written[fmt] = outcome.path
            if outcome.sent_to:
                self.notify(_("Statement sent to printer {printer}: {path}").format(
                    printer=outcome.sent_to, path=outcome.path), timeout=10)
            elif outcome.print_error:
                self.notify(_("The printer refused the statement ({reason}); the PDF is at {path}").format(
                    reason=outcome.print_error, path=outcome.path), severity="warning", timeout=15)
            else:
                self.notify(_("Statement saved as {path}").format(path=outcome.path), timeout=10)

        self.app.push_screen(month_form(title, last_month(services.clock().date()), save), done)

    def action_edit(self) -> None:
        d = self.detail
        if d is None:
            return
        self.app.push_screen(AccountForm(d), lambda _outcome: self.action_refresh())


__all__ = ["AccountDetailScreen", "statement_path", "write_statement"]
