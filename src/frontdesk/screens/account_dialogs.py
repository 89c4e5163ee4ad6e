"""The dialogs over an account (screens/account_detail.py): a transfer received, credit applied, a write-off, a month.

A transfer (T) is one amount, its bank reference and the day it came in, and the account's
open orders under it, oldest first, each with what this transfer pays of it. The amounts
are filled oldest first up to the transfer as it is typed (part of the last order when the
money runs out) and stay editable: the customer's remittance advice may name other orders,
or part of one. What is not applied stays on the transfer as the account's credit, and A
applies such credit later with the same list (the credit chosen at the top when there are
several). The save is one ledger call (services/ledger.py ``record_remittance`` /
``apply_remittance``): recorded and applied in one transaction, or nothing.

The write-off (W, a manager) and the statement's month (F8 / P, X) are plain forms
(screens/admin_modals.py ``FormDialog``). Nothing here is a screen of its own: the account
screen imports it, as the packages screen imports its form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from frontdesk.i18n import N_, gettext as _
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.services.money import format_money, parse_money
from frontdesk.widgets.field import dialog_field, dialog_row
from frontdesk.widgets.key_footer import KeyFooter

from .admin_modals import FormDialog, FormField
from .decision import RecordDialog

#: The account kinds (model/account.py ``AccountKind``), as msgids.
ACCOUNT_KIND = {"key": N_("Key account"), "institution": N_("Institution"), "government": N_("Government"),
                "fleet": N_("Fleet")}


def kind_label(kind: object) -> str:
    value = getattr(kind, "value", kind)
    return _(ACCOUNT_KIND.get(str(value), str(value)))


def bucket_short(bucket: str) -> str:
    """"0-30" -> "0–30", "90+" -> ">90": the aging line's and the list's column, under a title saying days."""
    return ">90" if bucket == "90+" else bucket.replace("-", "–")


def money_text(value: Decimal) -> str:
    """An amount as typed back into a field: "1234.50" (no symbol, no thousands separator)."""
    return format_money(value, symbol=False).replace(",", "")


def parse_day(text: str, today: dt.date, field: str) -> dt.date:
    """"2026-11-24" or "11-24" (this year); a refusal beside ``field`` otherwise."""
    raw = text.strip()
    for fmt, this_year in (("%Y-%m-%d", False), ("%m-%d", True)):
        try:
            day = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        return day.replace(year=today.year) if this_year else day
    raise ValidationError(field, _("Write the date as YYYY-MM-DD, e.g. {day}.").format(day=today.isoformat()))


def last_month(today: dt.date) -> str:
    """The statement's default: the month before ``today``'s, "2026-10"."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def oldest_first(items: Sequence[OpenItem], amount: Decimal) -> dict[int, Decimal]:
    """``amount`` spread over the open orders in the order given (oldest first), each up to what it owes."""
    left = max(amount, Decimal(0))
    spread: dict[int, Decimal] = {}
    for item in items:
        share = min(left, item.open_amount)
        if share <= 0:
            break
        spread[item.id] = share
        left -= share
    return spread


@dataclass(frozen=True)
class OpenItem:
    """One open order of the account as the dialog lists it (from the account's detail)."""

    id: int  # the receivable's
    version: int
    label: str  # "RO2611-0012 粤A12345 11-02"
    open_amount: Decimal


@dataclass(frozen=True)
class Credit:
    """A transfer with some of it not applied yet."""

    id: int  # the remittance's
    version: int
    label: str  # "HB20261102 11-02"
    unapplied: Decimal


@dataclass(frozen=True)
class Entry:
    """What the dialog hands its ``save``: the transfer (or the credit applied) and the amounts per order."""

    amount: Decimal
    reference: str
    received_on: dt.date | None
    credit: Credit | None
    allocations: tuple[tuple[OpenItem, Decimal], ...]


class AllocationDialog(RecordDialog):
    """``AllocationDialog(title, items, save, today=...)`` a transfer; with ``credits=`` the credit applied instead.

    Dismissed with what ``save(entry)`` answered, or None (Esc).
    """

    CSS_PATH = ["../assets/styles/dialog.tcss", "../assets/styles/accounts.tcss"]  # type: ignore[assignment]
    FIELDS = ("amount", "reference", "received_on", "credit", "allocation")

    def __init__(self, title: str, items: Sequence[OpenItem], save: Callable[[Entry], Any], *, today: dt.date,
                 credits: Sequence[Credit] = ()) -> None:
        super().__init__(save)
        self._title = title
        self._items = tuple(items)
        self._today = today
        self._credits = tuple(credits)

    @property
    def applying(self) -> bool:
        return bool(self._credits)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="alloc-box"):
            yield Static(self._title, classes="dialog-title")
            if self.applying:
                options = [(f"{c.label}  {format_money(c.unapplied)}", str(c.id)) for c in self._credits]
                yield from dialog_row(_("Credit"), Select(options, value=str(self._credits[0].id), allow_blank=False,
                                                          id="credit", compact=True))
            else:
                yield from dialog_field("amount", _("Amount received"), max_length=14, placeholder="0.00")
                yield from dialog_field("reference", _("Bank reference"), max_length=80,
                                        placeholder=_("the transfer's number on the bank statement"))
                yield from dialog_field("received_on", _("Received on"), value=self._today.isoformat(),
                                        max_length=10, placeholder="YYYY-MM-DD")
            yield Static(_("Apply to (oldest first; edit any amount, 0 leaves an order open):"),
                         classes="alloc-caption")
            with VerticalScroll(id="alloc-rows"):
                for n, item in enumerate(self._items):
                    with Horizontal(classes="alloc-row"):
                        yield Label(item.label, classes="alloc-label")
                        yield Label(format_money(item.open_amount), classes="alloc-open")
                        yield Input(id=f"alloc-{n}", max_length=14, compact=True, placeholder="0.00")
                if not self._items:
                    yield Static(_("No open orders: all of it stays as the account's credit."), classes="alloc-none")
            yield Static("", id="alloc-sum")
            yield Static("", id="allocation-error", classes="field-error")
            yield Static(_("Tab: next field · F6: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.applying:
            self._spread(self._credit().unapplied)
        self._show_sum()
        first = "#credit" if len(self._credits) > 1 else ("#alloc-0" if self._credits and self._items else "#amount")
        if not self._credits or self._items:
            self.query_one(first).focus()

    # Amounts -------------------------------------------------------------------------------------

    def _credit(self) -> Credit:
        if len(self._credits) > 1:
            chosen = str(self.query_one("#credit", Select).value)
            return next((c for c in self._credits if str(c.id) == chosen), self._credits[0])
        return self._credits[0]

    def _total(self) -> Decimal | None:
        if self.applying:
            return self._credit().unapplied
        raw = self.query_one("#amount", Input).value.strip()
        try:
            return parse_money(raw, "amount") if raw else None
        except ValidationError:
            return None

    def _spread(self, amount: Decimal) -> None:
        spread = oldest_first(self._items, amount)
        for n, item in enumerate(self._items):
            share = spread.get(item.id)
            self.query_one(f"#alloc-{n}", Input).value = money_text(share) if share else ""

    def _shares(self) -> list[tuple[OpenItem, Decimal]] | None:
        """Each order's amount as typed (none when a field is not an amount: said beside the list)."""
        out = []
        for n, item in enumerate(self._items):
            raw = self.query_one(f"#alloc-{n}", Input).value.strip()
            if not raw:
                continue
            try:
                share = parse_money(raw, "allocation")
            except ValidationError as exc:
                self._error("allocation", f"{item.label}: {exc.message}")
                return None
            if share > 0:
                out.append((item, share))
        return out

    def _show_sum(self) -> None:
        total = self._total()
        applied = Decimal(0)
        for n in range(len(self._items)):
            raw = self.query_one(f"#alloc-{n}", Input).value.strip()
            try:
                applied += parse_money(raw, "allocation") if raw else Decimal(0)
            except ValidationError:
                pass
        text = Text(_("Applied {applied}").format(applied=format_money(applied)), style="bold")
        if total is not None:
            left = total - applied
            if left < 0:
                over = _("{over} more than the credit") if self.applying else _("{over} more than the transfer")
                text.append("  " + over.format(over=format_money(-left)), style="bold red")
            elif left > 0:
                text.append("  " + _("{left} stays as the account's credit").format(left=format_money(left)),
                            style="cyan")
        self.query_one("#alloc-sum", Static).update(text)

    @on(Input.Changed, "#amount")
    def _amount_typed(self) -> None:
        total = self._total()
        if total is not None:
            self._spread(total)
        self._show_sum()

    @on(Select.Changed, "#credit")
    def _credit_chosen(self) -> None:
        self._spread(self._credit().unapplied)
        self._show_sum()

    @on(Input.Changed, ".alloc-row Input")
    def _share_typed(self) -> None:
        self._show_sum()

    # Saving -------------------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter goes on to the next field, down the orders; on the last one it records."""
        order = [w for w in self.query(Input) if w.display]
        at = order.index(event.input) if event.input in order else len(order) - 1
        if at < len(order) - 1:
            event.prevent_default()  # RecordDialog's Enter-records is for the last field
            order[at + 1].focus()

    def entered(self) -> Entry | None:
        shares = self._shares()
        if shares is None:
            return None
        if self.applying:
            credit = self._credit()
            if not shares:
                self._error("allocation", _("Type what to apply to at least one order."))
                return None
            return Entry(credit.unapplied, "", None, credit, tuple(shares))
        try:
            amount = parse_money(self.query_one("#amount", Input).value, "amount")
        except ValidationError as exc:
            self._error("amount", exc.message)
            return None
        reference = self.query_one("#reference", Input).value.strip()
        if not reference:
            self._error("reference", _("Type the transfer's bank reference."))
            return None
        try:
            day = parse_day(self.query_one("#received_on", Input).value, self._today, "received_on")
        except ValidationError as exc:
            self._error("received_on", exc.message)
            return None
        return Entry(amount, reference, day, None, tuple(shares))

    def _refused(self, error: FrontdeskError) -> None:
        """The ledger's refusals (too much for an order, a reference seen before, a date ahead) keep the dialog open."""
        if isinstance(error, ValidationError) and error.field not in self.FIELDS:
            self._saving = False
            self._error("allocation", error.message)
            return
        if isinstance(error, ConflictError):
            self._saving = False
            self._error("reference" if not self.applying else "allocation", str(error))
            return
        super()._refused(error)


def write_off_form(label: str, open_amount: Decimal, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("Write off · {order}").format(order=label), [
        FormField("amount", _("Amount"), money_text(open_amount), max_length=14),
        FormField("reason", _("Reason"), max_length=200, placeholder=_("why the store gives this up (required)")),
    ], save, note=_("Open {amount}. A write-off is final and audited; what is left stays open.").format(
        amount=format_money(open_amount)))


def month_form(title: str, month: str, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(title, [FormField("month", _("Month"), month, max_length=7, placeholder="YYYY-MM")], save,
                      note=_("The orders charged in that month, what was paid and what is still open."))


def plate_form(save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("Add a vehicle to the account"), [
        FormField("plate", _("Plate"), max_length=20, placeholder=_("the plate, or part of it, or the VIN's last 6")),
    ], save, note=_("A car the store knows (checked in once, or added at the desk)."))


def driver_form(save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("Add an authorised driver"), [
        FormField("name", _("Name"), max_length=80),
        FormField("phone", _("Mobile"), max_length=20),
    ], save, note=_("Someone the account allows to bring its cars in and sign for them (送修人)."))


def reason_form(title: str, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(title, [FormField("reason", _("Reason"), max_length=200, placeholder=_("Why (required)"))],
                      save, note=_("A suspended account cannot be charged until it is reinstated."))
