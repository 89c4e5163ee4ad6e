"""The estimate builder (估价): jobs and parts, pay types, stock, live totals, history, terms; sign, print.

One order, three views (tabs on a small terminal; from 110x30 up the history, or the terms,
stay in view under the lines, which then show every column):

- Lines: every job with its parts beneath it, their pay types, stock (a part that cannot
  be reserved in full is marked SHORT, never hidden) and status. F2 adds a job from the
  labor catalog, F3 a part (on the selected job), Enter or F4 edits the selected line's
  quantity/hours and price/rate, P cycles its pay type, S flags a job as safety-related,
  Del deletes the line and D records that the customer declined a proposed job.
- History: the vehicle's earlier visits and the recommendations it was refused before
  (including those declined on this order); Enter adds one to this estimate as a
  recommended job.
- Terms: the promised completion time (suggested from the hours and the workshop's load,
  and the advisor's to override), payment method, old parts, wash; F6 saves them.

L, H and T (or F7) switch the tabs; Esc goes back to the lines, and from there to the desk;
W opens the order's walkaround (signing needs one).

The totals per pay type, the tax share and the grand total stay in view below, and follow
the keyboard: while a quantity or a price is being typed they are worked out by the
service's own rules (``services.billing``: which lines bill, and the labour rate a new pay
type brings), from what this screen shows, before anything is saved ("preview" marks them
until then).

F9 reads the work order back to the customer (a modal: who signs, the total) and
authorises it; the work order and the check-in sheet are then rendered and printed in a
worker, each announced when its file is written, and the screen returns to the desk. F8
prints the work order alone (before signing it prints as an estimate).

Every change is one service call with the order version this screen showed; they are
queued so that fast keys (P pressed three times) are saved in order, each with the
version the previous one left, and the order is read again after each. Another
terminal's change since then is reported and the order reloaded.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Label, Select, Static, Tab, Tabs

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, NEW, PRINT, REFRESH, SAVE, SIGN, back, binding
from frontdesk.labels import OLD_PARTS, ORIGIN, PAY_TYPE, PAYMENT_METHOD, WARRANTY, label, status
from frontdesk.model.enums import JobOrigin, JobStatus, OrderStatus, PayType
from frontdesk.services import billing, desk, estimate, money
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns

from .base import DeskScreen

TABS = ("lines", "history", "terms")
EDITABLE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE)
PAY_CYCLE = tuple(PAY_TYPE)  # customer, warranty, insurance, internal, first service
PROMISE_FORMAT = "%Y-%m-%d %H:%M"
WIDE = (110, 30)  # columns, rows from which the side pane stands beside the lines
SHORT_STYLE = "bold white on red"
PREVIEW_STYLE = "bold black on yellow"
#: Where a service's ValidationError field is shown on this screen.
FIELD_HOME = {
    "quantity": "qty", "hours": "qty", "price": "price", "rate": "price",
    "promised_at": "promised_at", "payment_method": "payment_method", "old_parts": "old_parts",
}
TERMS_FIELDS = ("promised_at", "payment_method", "old_parts")


def document_name(kind: str) -> str:
    """The printed documents' names as the notifications say them."""
    return {"work-order": _("Work order"), "checkin-sheet": _("Check-in sheet")}[kind]


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """Everything the screen shows, read in one worker."""

    view: desk.OrderView
    history: desk.History
    suggested: dt.datetime | None  # promised time for this estimate's hours; None once signed


def work_hours(view: desk.OrderView) -> Decimal:
    """The hours of the work the order bills (what the promised time is planned for)."""
    return sum((line.quantity for line in view.lines if line.kind == "labor" and billing.bills(view.status, line.status)),
               Decimal(0))


def load(services: Services, actor: Actor, order_id: int) -> Loaded:
    view = desk.order_view(services, order_id)
    history = desk.vehicle_history(services, view.vehicle_id)
    suggested = estimate.suggest_promise(services, actor, work_hours(view)) if view.status in EDITABLE else None
    return Loaded(view, history, suggested)


def change(services: Services, actor: Actor, order_id: int, fn: Callable[..., Any], *args: Any, **kwargs: Any
           ) -> tuple[Any, Loaded]:
    """One service call, then the order read again (its new version is what the next change expects).

    An unexpected failure is reported like a refusal: the screen must not wait for an answer forever.
    """
    try:
        result = fn(services, actor, order_id, *args, **kwargs)
    except FrontdeskError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise FrontdeskError(_("The change was not saved: {error}").format(error=exc)) from exc
    return result, load(services, actor, order_id)


def print_one(services: Services, kind: str, number: str) -> Any:
    """Render (and send) one document; a paperwork or disk failure reads as a message."""
    from frontdesk.paperwork import PaperworkError
    from frontdesk.services import documents

    try:
        return documents.print_document(services, kind, number)
    except (PaperworkError, OSError) as exc:
        raise FrontdeskError(_("{document} could not be printed: {reason}").format(
            document=document_name(kind), reason=exc)) from exc


# Formatting and the local preview ------------------------------------------------------------


def qty_text(value: Decimal) -> str:
    """4, 1.5, 0.25: no trailing zeros (hours and litres read better that way)."""
    return format(value.normalize(), "f")


def row_key(line: desk.LineView) -> str:
    return f"j{line.id}" if line.kind == "labor" else f"p{line.id}"


def parse_promise(text: str, now: dt.datetime) -> dt.datetime | None:
    """"2026-11-24 16:30"; also "11-24 16:30" (this year) and "16:30" (today). Empty: not set."""
    raw = " ".join(text.split())
    if not raw:
        return None
    for fmt, fill in ((PROMISE_FORMAT, None), ("%m-%d %H:%M", "year"), ("%H:%M", "day")):
        try:
            parsed = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if fill == "year":
            parsed = parsed.replace(year=now.year)
        elif fill == "day":
            parsed = dt.datetime.combine(now.date(), parsed.time())
        if parsed <= now:
            raise ValidationError("promised_at", _("The promised time must be in the future."))
        return parsed
    raise ValidationError("promised_at", _("Write the time as YYYY-MM-DD HH:MM, e.g. 2026-11-24 16:30."))


@dataclass(frozen=True)
class Override:
    """What the screen shows for a line before the database has it (typed or cycled)."""

    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    pay_type: str | None = None


def shown(line: desk.LineView, override: Override | None, settings: Any) -> tuple[Decimal, Decimal, Decimal, str]:
    """(quantity, unit price, amount, pay type) of a line as it will be once the override is saved.

    A job whose pay type changes takes that pay type's labor rate (``billing.labor_rate``, as
    ``estimate.update_job`` does).
    """
    if override is None:
        return line.quantity, line.unit_price, line.amount, line.pay_type
    pay = override.pay_type or line.pay_type
    price = override.unit_price
    if price is None:
        price = billing.labor_rate(settings, pay, (line.pay_type, line.unit_price)) if line.kind == "labor" \
            else line.unit_price
    qty = line.quantity if override.quantity is None else override.quantity
    amount = money.labor_amount(qty, price) if line.kind == "labor" else money.line_amount(qty, price)
    return qty, price, amount, pay


def cycle_pay(line: desk.LineView, override: Override | None, settings: Any) -> Override:
    """The line's next pay type (P), on top of the presses not saved yet.

    Each press is saved in turn (``estimate.update_job``), and each new pay type brings its
    labor rate, so the preview takes the same steps: five presses come back to the pay type
    the line had, at that pay type's rate, not at a rate typed before.
    """
    _q, rate, _a, current = shown(line, override, settings)
    pay = PAY_CYCLE[(PAY_CYCLE.index(current) + 1) % len(PAY_CYCLE)] if current in PAY_CYCLE else PAY_CYCLE[0]
    new_rate = billing.labor_rate(settings, pay, (current, rate)) if line.kind == "labor" else None
    return Override(unit_price=new_rate, pay_type=pay)


def preview_totals(view: desk.OrderView, overrides: dict[str, Override], settings: Any) -> money.Totals:
    """The order's totals with the overrides applied, by the service's rule (``billing.totals``).

    The lines are the ones shown, as they will be once saved; a discount the preview no
    longer fits is left out of it.
    """
    lines = []
    for line in view.lines:
        _q, _p, amount, pay = shown(line, overrides.get(row_key(line)), settings)
        kind = "labor" if line.kind == "labor" else "part"
        lines.append(billing.Line(kind, PayType(pay), amount, line.status))
    return billing.totals(view.status, lines, settings.vat_rate, view.totals.discount, keep_unfit_discount=False)


def totals_text(totals: money.Totals, *, preview: bool) -> Text:
    """Two lines: each payer's share; then the tax in it, the grand total and the customer's part."""
    text = Text()
    if totals.by_pay_type:
        for i, (pay, t) in enumerate(totals.by_pay_type.items()):
            if i:
                text.append("   ")
            text.append(f"{label(PAY_TYPE, pay)} ", style="dim")
            text.append(money.format_money(t.net), style="bold")
    else:
        text.append(_("No lines yet"), style="dim")
    if totals.discount:
        text.append("   ")
        text.append(_("Discount") + " ", style="dim")
        text.append("-" + money.format_money(totals.discount))
    if preview:
        text.append("   ")
        text.append(" " + _("Preview, not saved") + " ", style=PREVIEW_STYLE)
    text.append("\n")
    text.append(_("Tax included") + " ", style="dim")
    text.append(money.format_money(totals.tax))
    text.append("   ")
    text.append(_("Grand total") + " ", style="bold")
    text.append(money.format_money(totals.net), style="bold reverse")
    text.append("   ")
    text.append(_("Customer pays") + " ", style="dim")
    text.append(money.format_money(totals.customer_payable), style="bold")
    return text


# The screen ------------------------------------------------------------------------------------


class EstimateScreen(DeskScreen):
    """``EstimateScreen(order_id=...)``: the order's estimate, to build, sign and print."""

    CSS_PATH = "../assets/styles/estimate.tcss"
    AUTO_FOCUS = "#lines"

    BINDINGS = [
        binding(NEW, "add_job", "Add job", tooltip="Add a job from the labor catalog (code, name or pinyin initials)"),
        binding(FIND, "add_part", "Add part", tooltip="Add a part to the selected job, with its stock in view"),
        binding(EDIT, "edit", "Edit", show=False, tooltip="Change the quantity or hours and the price of the selected line"),
        binding(SAVE, "save", "Save", tooltip="Save the line being edited, or the terms"),
        binding(PRINT, "print", "Print", tooltip="Print the work order (before signing: as an estimate)"),
        binding(SIGN, "sign", "Sign", tooltip="The customer signs: authorise, print the work order and the check-in sheet"),
        back(),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the order again"),
        binding("f7", "next_tab", "Next tab", show=False, tooltip="Lines, history, terms"),
        binding("p", "cycle_pay", "Pay type", show=False, tooltip="Next pay type for the selected line"),
        binding("s", "toggle_safety", "Safety item", show=False, tooltip="Mark the selected job safety-related, or not"),
        binding("delete", "delete_line", "Delete line", show=False, key_display="Del",
                tooltip="Delete the selected line (a job with its parts)"),
        binding("r", "toggle_recommended", "Recommended", show=False,
                tooltip="Mark the selected job as recommended by the advisor, or as asked for by the customer"),
        binding("d", "decline", "Customer declines", show=False, tooltip="The customer declines the selected job"),
        binding("a", "add_recommendation", "Add recommendation", show=False,
                tooltip="Add the selected recommendation to this estimate"),
        binding("l", "tab('lines')", "Lines", show=False),
        binding("h", "tab('history')", "History", show=False),
        binding("t", "tab('terms')", "Terms", show=False),
        binding("w", "walkaround", "Walkaround", show=False, tooltip="Open the walkaround of this order"),
        binding("u", "order_history", "Order history", show=False, tooltip="Who did what to this order, when, before and after"),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self._order_id = order_id
        self._loaded: Loaded | None = None
        self._queue: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], Callable[[Any], None] | None]] = []
        self._busy = False
        self._pending: dict[str, Override] = {}  # pay types cycled, not saved yet
        self._editing: str | None = None  # row key of the line in the editor
        self._tab = "lines"
        self._wide = False
        self._terms_shown: tuple[Any, ...] | None = None  # what the form was filled with
        self._terms_saved: tuple[Any, ...] | None = None  # what the database holds
        self._suggestion_text = ""
        self._printing = False
        self.sign_started: float | None = None  # monotonic time F9 was confirmed (the tests time it)
        self.sign_seconds: float | None = None  # confirm to back at the desk

    # Layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading the order…"), id="est-head")
        tabs = Tabs(Tab(_("Lines"), id="tab-lines"), Tab(_("History"), id="tab-history"),
                    Tab(_("Terms"), id="tab-terms"), id="est-tabs")
        tabs.can_focus = False  # F7 and L/H/T switch; the tabs only show where you are
        yield tabs
        with Vertical(id="est-body"):
            with Vertical(id="lines-pane", classes="est-pane"):
                yield ListTable(id="lines")
                yield Static("", id="line-detail")
                with Horizontal(id="line-editor"):
                    yield Label(_("Quantity"), id="qty-label")
                    yield Input(id="qty", compact=True)
                    yield Label(_("Unit price"), id="price-label")
                    yield Input(id="price", compact=True)
                    yield Static("", id="edit-amount")
                with Horizontal(id="editor-errors"):
                    yield Static("", id="qty-error", classes="field-error")
                    yield Static("", id="price-error", classes="field-error")
                yield Static(self._lines_hint(), id="lines-hint")
            with Container(id="history-pane", classes="est-pane"):
                with Vertical(id="recs-box"):
                    yield Static(_("Declined before: Enter adds it to this estimate"), classes="est-section")
                    yield ListTable(id="recommendations")
                    yield Static(_("None: nothing was declined before."), id="no-recommendations")
                with Vertical(id="visits-box"):
                    yield Static(_("Earlier visits"), id="visits-title", classes="est-section")
                    yield ListTable(id="visits")
                    yield Static("", id="next-service")
            with Vertical(id="terms-pane", classes="est-pane"):
                with Horizontal(classes="est-term"):
                    yield Label(_("Promised completion"), classes="est-term-label")
                    yield Input(id="promised_at", placeholder="YYYY-MM-DD HH:MM", compact=True, max_length=16)
                    yield Static("", id="promise-hint")
                yield Static("", id="promised_at-error", classes="field-error est-term-error")
                with Horizontal(classes="est-term"):
                    yield Label(_("Payment method"), classes="est-term-label")
                    yield Select([(_(name), code) for code, name in PAYMENT_METHOD.items()], prompt=_("Choose…"),
                                 id="payment_method", compact=True)
                yield Static("", id="payment_method-error", classes="field-error est-term-error")
                with Horizontal(classes="est-term"):
                    yield Label(_("Old parts"), classes="est-term-label")
                    yield Select([(_(name), code) for code, name in OLD_PARTS.items()], allow_blank=False,
                                 id="old_parts", compact=True)
                yield Static("", id="old_parts-error", classes="field-error est-term-error")
                with Horizontal(classes="est-term"):
                    yield Label(_("Wash"), classes="est-term-label")
                    yield Checkbox(_("Free wash before delivery"), id="wash", compact=True)
                yield Static(_("New work found during the repair is done only with the customer's consent."),
                             id="terms-note")
                yield Static(_("F6 saves the terms (F9 saves them too, before the customer signs). Esc: back to the lines."),
                             id="terms-hint")
        yield Static("", id="est-totals")
        yield Footer()

    @staticmethod
    def _lines_hint() -> str:
        return _("Enter/F4 edit · P pay type · S safety · R recommended · Del delete · D declined")

    def on_mount(self) -> None:
        table = self._table
        # Set widths: the lines are refilled on every change, and must not jump about.
        fixed_columns(table, (_("Code"), 10, "code"), (_("Description"), 24, "description"), (_("Qty/h"), 4, "qty"),
                      (_("Price/rate"), 8, "price"), (_("Amount"), 9, "amount"), (_("Status / stock"), 14, "status"),
                      (_("Pay type"), 8, "pay"), (_("Origin"), 8, "origin"), (_("Safety"), 6, "safety"))
        self.query_one("#recommendations", ListTable).add_columns(
            _("Date"), _("Recommendation"), _("Hours"), _("Safety"), "", _("Order no."))
        self.query_one("#visits", ListTable).add_columns(
            _("Date"), _("km"), _("Total"), _("Work done"), _("Order no."), _("Status"))
        self.query_one("#line-editor").display = False
        self.query_one("#editor-errors").display = False
        self._wide = self.size.width >= WIDE[0] and self.size.height >= WIDE[1]
        self._show_tab("lines", focus=False)
        self.action_refresh()

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE[0] and self.size.height >= WIDE[1]
        if wide != self._wide:
            self._wide = wide
            self._layout()

    def _layout(self) -> None:
        """Narrow: the current tab's pane only. Wide: the lines, and under them the history or the terms."""
        if self._wide:
            side = "terms" if self._tab == "terms" else "history"
            visible = {"lines", side}
        else:
            visible = {self._tab}
        self.set_class(self._wide, "-wide")
        for name in TABS:
            pane = self.query_one(f"#{name}-pane")
            pane.set_class(name in visible, "-shown")
            pane.set_class(self._wide and name != "lines", "-side")

    def _show_tab(self, name: str, *, focus: bool = True) -> None:
        self._tab = name
        tabs = self.query_one("#est-tabs", Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"
        self._layout()
        if not focus:
            return
        if name == "lines":
            self._table.focus()
        elif name == "history":
            recs = self.query_one("#recommendations", ListTable)
            (recs if recs.row_count else self.query_one("#visits", ListTable)).focus()
        else:
            self.query_one("#promised_at", Input).focus()

    @on(Tabs.TabActivated, "#est-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "").removeprefix("tab-")
        if name in TABS and name != self._tab:
            self._show_tab(name)

    def action_tab(self, name: str) -> None:
        if self._editing is None:
            self._show_tab(name)

    def action_next_tab(self) -> None:
        if self._editing is None:
            self._show_tab(TABS[(TABS.index(self._tab) + 1) % len(TABS)])

    @property
    def _table(self) -> ListTable:
        return self.query_one("#lines", ListTable)

    # Loading and showing ------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._busy:
            return
        self.call_service(load, self.services, self.actor, self._order_id, then=self._apply, group="estimate-load")

    def _apply(self, loaded: Loaded) -> None:
        self._loaded = loaded
        if self._queue:  # more changes on their way: show the end result once
            return
        self._pending.clear()
        self._show_head()
        self._show_lines()
        self._show_history()
        self._show_terms()
        self._show_totals()

    @property
    def view(self) -> desk.OrderView | None:
        return self._loaded.view if self._loaded else None

    def _editable(self) -> bool:
        return self.view is not None and self.view.status in EDITABLE

    def _show_head(self) -> None:
        v = self.view
        assert v is not None
        head = Text()
        head.append(v.number, style="bold")
        head.append("  ")
        head.append(f" {status(v.status)} ", style="reverse")
        head.append("  ")
        head.append(v.plate, style="bold")
        head.append(f"  {v.model}  {v.customer_name}  ")
        warranty = label(WARRANTY, v.warranty_status)
        head.append(warranty, style="green" if v.warranty_status == "in_warranty" else "")
        head.append(f"  {v.odometer_km:,}km")
        if v.walkaround is None:
            head.append("  ")
            head.append(" " + _("No walkaround yet (W)") + " ", style="bold black on yellow")
        if v.signed_by:
            head.append("  " + _("Signed by {name}").format(name=v.signed_by), style="bold green")
        self.query_one("#est-head", Static).update(head)

    def _cells(self, line: desk.LineView) -> tuple[Any, ...]:
        override = self._pending.get(row_key(line))
        qty, price, amount, pay = shown(line, override, self.services.settings)
        declined = line.status == JobStatus.DECLINED
        base = "dim" if declined else ""
        if line.kind == "labor":
            code = Text(line.code or "—", style="bold" if not declined else "dim")
            description = Text(clip(line.description, 24), style="bold" if not declined else "dim strike")
            state = Text(status(line.status) if line.status else "", style=base or (
                "bold" if line.status == JobStatus.PROPOSED else ""))
            origin = Text(label(ORIGIN, line.origin), style=base or ("cyan" if line.origin != "requested" else "dim"))
            safety = Text(_("Safety"), style="bold yellow") if line.safety else Text("")
        else:
            code = Text(line.code, style=base)
            description = Text(("└ " if line.job_id else "") + clip(line.description, 22), style=base)
            state = Text(f"{qty_text(line.on_hand or Decimal(0))}/{qty_text(line.reserved or Decimal(0))}", style=base)
            if line.short and not declined:
                state.append(" ")
                state.append(" " + _("SHORT") + " ", style=SHORT_STYLE)
            origin = Text("")
            safety = Text("")
        pay_cell = Text(label(PAY_TYPE, pay), style=base or ("bold yellow" if override else ""))
        # The status and the stock before the pay type: at 80 columns a SHORT part must still show.
        return (code, description, Text(qty_text(qty), style=base), Text(money.format_money(price, symbol=False), style=base),
                Text(money.format_money(amount, symbol=False), style=base or "bold"), state, pay_cell, origin, safety)

    def _show_lines(self) -> None:
        v = self.view
        assert v is not None
        table = self._table
        keep = table.cursor_key
        table.clear()
        for line in v.lines:
            table.add_row(*self._cells(line), key=row_key(line))
        table.move_to_key(keep)
        self._show_detail()

    def _line(self, key: str | None) -> desk.LineView | None:
        if key is None or self.view is None:
            return None
        return next((line for line in self.view.lines if row_key(line) == key), None)

    @property
    def selected(self) -> desk.LineView | None:
        return self._line(self._table.cursor_key)

    @on(DataTable.RowHighlighted, "#lines")
    def _show_detail(self) -> None:
        line = self.selected
        detail = Text()
        if line is None:
            detail.append(_("No lines yet: F2 adds a job from the catalog, F3 a part."), style="dim")
        elif line.kind == "labor":
            _q, price, _a, pay = shown(line, self._pending.get(row_key(line)), self.services.settings)
            detail.append(line.description, style="bold")
            detail.append("  " + _("{hours} h at {rate}/h").format(hours=qty_text(line.quantity),
                                                                     rate=money.format_money(price)))
            detail.append(f"  {label(PAY_TYPE, pay)}  {label(ORIGIN, line.origin)}")
            if line.safety:
                detail.append("  ")
                detail.append(_("Safety-related"), style="bold yellow")
        else:
            _q, _p, _a, pay = shown(line, self._pending.get(row_key(line)), self.services.settings)
            detail.append(line.description, style="bold")
            detail.append("  " + _("on hand {on_hand}, reserved for this line {reserved} of {qty}").format(
                on_hand=qty_text(line.on_hand or Decimal(0)), reserved=qty_text(line.reserved or Decimal(0)),
                qty=qty_text(line.quantity)) + f"  {label(PAY_TYPE, pay)}")
            if line.short:
                detail.append("  ")
                detail.append(" " + _("SHORT") + " ", style=SHORT_STYLE)
        self.query_one("#line-detail", Static).update(detail)

    def _show_history(self) -> None:
        assert self._loaded is not None
        v, history = self._loaded.view, self._loaded.history
        recs = self.query_one("#recommendations", ListTable)
        keep = recs.cursor_key
        recs.clear()
        for rec in history.declined:
            on_estimate = self._on_estimate(rec)
            recs.add_row(
                rec.on.strftime("%Y-%m-%d"),
                Text(clip(rec.description, 24), style="dim" if on_estimate else "bold"),
                qty_text(rec.hours),
                Text(_("Safety"), style="bold yellow") if rec.safety else "",
                Text(_("on the estimate"), style="green") if on_estimate else "",
                Text(_("this order"), style="italic") if rec.order_number == v.number else rec.order_number,
                key=f"r{rec.job_id}",
            )
        recs.move_to_key(keep)
        recs.display = bool(history.declined)
        self.query_one("#no-recommendations").display = not history.declined
        visits = self.query_one("#visits", ListTable)
        visits.clear()
        for visit in history.visits:
            if visit.order_id == v.id:
                continue
            visits.add_row(
                visit.checked_in_at.strftime("%Y-%m-%d"), f"{visit.odometer_km:,}",
                money.format_money(visit.total) if visit.total is not None else "—",
                clip("、".join(visit.jobs), 30), visit.number, status(visit.status), key=f"v{visit.order_id}",
            )
        due = []
        if history.next_service_date:
            due.append(history.next_service_date.strftime("%Y-%m-%d"))
        if history.next_service_km:
            due.append(f"{history.next_service_km:,} km")
        notes = []
        if not visits.row_count:
            notes.append(_("No earlier visits."))
        if due:
            notes.append(_("Next service due: {due}").format(due=" / ".join(due)))
        self.query_one("#next-service", Static).update("  ".join(notes))

    def _on_estimate(self, rec: desk.Recommendation) -> bool:
        """The recommended work is already among this estimate's live jobs (a job keeps its catalog name)."""
        v = self.view
        assert v is not None
        return any(line.kind == "labor" and line.status != JobStatus.DECLINED and line.id != rec.job_id
                   and line.description == rec.description for line in v.lines)

    def _terms_values(self) -> tuple[Any, ...]:
        pay = self.query_one("#payment_method", Select).value
        return (self.query_one("#promised_at", Input).value.strip(), None if pay == Select.NULL else pay,
                self.query_one("#old_parts", Select).value, self.query_one("#wash", Checkbox).value)

    def _terms_edited(self) -> bool:
        """The advisor changed the form since it was filled (leaving would lose that)."""
        return self._terms_shown is not None and self._terms_values() != self._terms_shown

    def _terms_unsaved(self) -> bool:
        """The form differs from the database (a suggested promise not saved yet counts)."""
        return self._terms_saved is not None and self._terms_values() != self._terms_saved

    def _show_terms(self) -> None:
        assert self._loaded is not None
        v, suggested = self._loaded.view, self._loaded.suggested
        promise = self.query_one("#promised_at", Input)
        new_suggestion = suggested.strftime(PROMISE_FORMAT) if suggested else ""
        saved = (v.promised_at.strftime(PROMISE_FORMAT) if v.promised_at else "", v.payment_method, v.old_parts, v.wash)
        if self._terms_shown is None or not self._terms_edited():
            promise.value = saved[0] or new_suggestion  # a new order: the suggestion, for the advisor to change
            self.query_one("#payment_method", Select).value = v.payment_method or Select.NULL
            self.query_one("#old_parts", Select).value = v.old_parts
            self.query_one("#wash", Checkbox).value = v.wash
            self._terms_shown = self._terms_values()
        elif not saved[0] and promise.value.strip() == self._suggestion_text:
            promise.value = new_suggestion  # still the old suggestion: the hours changed, so does it
            self._terms_shown = (new_suggestion, *self._terms_shown[1:])
        self._terms_saved = saved
        self._suggestion_text = new_suggestion
        hint = ""
        if suggested is not None:
            hint = _("Suggested {time} ({hours} h + workshop load)").format(
                time=suggested.strftime("%m-%d %H:%M"), hours=qty_text(work_hours(v)))
        self.query_one("#promise-hint", Static).update(hint)

    def _show_totals(self, overrides: dict[str, Override] | None = None) -> None:
        v = self.view
        if v is None:
            return
        overrides = self._pending if overrides is None else overrides
        totals = preview_totals(v, overrides, self.services.settings) if overrides else v.totals
        self.query_one("#est-totals", Static).update(totals_text(totals, preview=bool(overrides)))

    # Changes: one at a time, each with the version the previous one left -------------------------------

    def _submit(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
                **kwargs: Any) -> None:
        self._queue.append((fn, args, kwargs, then))
        self._pump()

    def _pump(self) -> None:
        if self._busy or not self._queue or self._loaded is None:
            return
        fn, args, kwargs, then = self._queue.pop(0)
        self._busy = True
        self.call_service(change, self.services, self.actor, self._order_id, fn, *args,
                          expected_version=self._loaded.view.version, then=partial(self._changed, then),
                          failed=self._failed, group="estimate-change", **kwargs)

    def _changed(self, then: Callable[[Any], None] | None, outcome: tuple[Any, Loaded]) -> None:
        result, loaded = outcome
        self._busy = False
        self._apply(loaded)
        if then is not None:
            then(result)
        self._pump()

    def _failed(self, error: FrontdeskError) -> None:
        self._busy = False
        self._queue.clear()
        self._pending.clear()
        if isinstance(error, ConflictError):
            self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)
            self._terms_shown = None  # show what the other terminal saved
            self.action_refresh()
            return
        if isinstance(error, ValidationError) and error.field in FIELD_HOME:
            home = FIELD_HOME[error.field]
            if home in TERMS_FIELDS:
                self._show_tab("terms")
            self._field_error(home, error.message)
        self.show_error(error)
        if self._loaded is not None:
            self._apply(self._loaded)

    def _field_error(self, home: str, message: str) -> None:
        try:
            self.query_one(f"#{home}-error", Static).update(message)
        except NoMatches:
            pass

    def _refuse_unless_editable(self) -> bool:
        """True (and a word to the advisor) when the estimate can no longer change."""
        v = self.view
        if v is None:
            return True
        if v.status not in EDITABLE:
            self.notify(_("Order {number} is {status}: the estimate can no longer be changed.").format(
                number=v.number, status=status(v.status)), severity="warning")
            return True
        if self._editing is not None:
            self.notify(_("Finish the line first: Enter saves it, Esc drops the change."), severity="warning")
            return True
        return False

    # Adding ---------------------------------------------------------------------------------------

    def action_add_job(self) -> None:
        if self._refuse_unless_editable():
            return
        from .catalog_picker import LaborOpPicker

        def picked(op_id: int | None) -> None:
            if op_id is not None:
                self._submit(estimate.add_job, labor_op_id=op_id, then=self._job_added)

        self.app.push_screen(LaborOpPicker(partial(desk.find_labor_ops, self.services)), picked)

    def _job_added(self, job: Any) -> None:
        self._show_tab("lines")
        self._table.move_to_key(f"j{job.id}")
        self.notify(_("Added: {job}").format(job=job.description), timeout=3)

    def _selected_job(self) -> int | None:
        line = self.selected
        if line is None:
            return None
        return line.id if line.kind == "labor" else line.job_id

    def action_add_part(self) -> None:
        if self._refuse_unless_editable():
            return
        from .catalog_picker import PartPicker

        v = self.view
        assert v is not None
        jobs = [(line.id, line.description) for line in v.lines
                if line.kind == "labor" and line.status != JobStatus.DECLINED]
        targets: list[tuple[int | None, str]] = [*jobs, (None, _("The order (no job)"))]
        picker = PartPicker(partial(desk.find_parts, self.services, self.actor), targets, self._selected_job())

        def picked(part_id: int | None) -> None:
            if part_id is None:
                return
            job_id = picker.target_job_id
            job = self._line(f"j{job_id}") if job_id is not None else None
            pay = job.pay_type if job is not None else PayType.CUSTOMER.value  # a job's parts are paid as it is
            self._submit(estimate.add_part, part_id=part_id, qty="1", job_id=job_id, pay_type=pay,
                         then=self._part_added)

        self.app.push_screen(picker, picked)

    def _part_added(self, line: Any) -> None:
        self._show_tab("lines")
        self._table.move_to_key(f"p{line.id}")
        self.action_edit()  # the quantity is what comes next
        if self.selected is not None and self.selected.short:
            self.notify(_("{part}: not enough in stock, the line is marked SHORT.").format(part=self.selected.description),
                        severity="warning", timeout=6)

    def action_add_recommendation(self) -> None:
        if self._tab != "history" and not self.query_one("#recommendations", ListTable).has_focus:
            return
        self._add_recommendation()

    @on(DataTable.RowSelected, "#recommendations")
    def _add_recommendation(self) -> None:
        if self._refuse_unless_editable() or self._loaded is None:
            return
        key = self.query_one("#recommendations", ListTable).cursor_key
        rec = next((r for r in self._loaded.history.declined if f"r{r.job_id}" == key), None)
        if rec is None:
            return
        if self._on_estimate(rec):
            self.notify(_("{job} is already on this estimate.").format(job=rec.description), severity="warning")
            return
        self._submit(estimate.add_job, labor_op_id=rec.labor_op_id, description=rec.description, hours=rec.hours,
                     origin="recommended", safety=rec.safety, then=self._job_added)

    # Editing the selected line ----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#lines")
    def action_edit(self) -> None:
        if self._refuse_unless_editable():
            return
        line = self.selected
        if line is None:
            self.notify(_("No line selected: F2 adds a job, F3 a part."), severity="warning")
            return
        if line.status == JobStatus.DECLINED:
            self.notify(_("The customer declined this job: add it again from the history (H)."), severity="warning")
            return
        self._show_tab("lines", focus=False)
        self._editing = row_key(line)
        labor = line.kind == "labor"
        _q, price, _a, _p = shown(line, self._pending.get(self._editing), self.services.settings)
        self.query_one("#qty-label", Label).update(_("Hours") if labor else _("Quantity"))
        self.query_one("#price-label", Label).update(_("Rate") if labor else _("Unit price"))
        for name in ("qty", "price"):
            self._field_error(name, "")
        self.query_one("#line-detail").display = False
        self.query_one("#lines-hint").display = False
        self.query_one("#line-editor").display = True
        self.query_one("#editor-errors").display = True
        qty = self.query_one("#qty", Input)
        with qty.prevent(Input.Changed), self.query_one("#price", Input).prevent(Input.Changed):
            qty.value = qty_text(line.quantity)
            self.query_one("#price", Input).value = money.format_money(price, symbol=False).replace(",", "")
        self._preview()
        qty.focus()

    def _typed_values(self) -> tuple[Decimal | None, Decimal | None]:
        """The editor's two values, each None (with its message shown beside it) when not valid."""
        line = self._line(self._editing)
        assert line is not None
        values: list[Decimal | None] = []
        for name, parse in (("qty", money.parse_hours if line.kind == "labor" else money.parse_quantity),
                            ("price", money.parse_money)):
            text = self.query_one(f"#{name}", Input).value
            try:
                values.append(parse(text, "price" if name == "price" else "quantity"))
                self._field_error(name, "")
            except ValidationError as exc:
                values.append(None)
                self._field_error(name, exc.message)
        return values[0], values[1]

    @on(Input.Changed, "#qty")
    @on(Input.Changed, "#price")
    def _preview(self) -> None:
        """As the advisor types: the line's amount and the totals, worked out here before saving."""
        key = self._editing
        line = self._line(key)
        if key is None or line is None:
            return
        qty, price = self._typed_values()
        overrides = dict(self._pending)
        amount_text = self.query_one("#edit-amount", Static)
        if qty is None or price is None:
            amount_text.update(Text("= ?", style="bold red"))
            return
        overrides[key] = Override(qty, price, (self._pending.get(key) or Override()).pay_type)
        _q, _p, amount, _pay = shown(line, overrides[key], self.services.settings)
        amount_text.update(Text(f"= {money.format_money(amount)}", style="bold"))
        self._table.update_cell(key, "amount", Text(money.format_money(amount, symbol=False), style="bold"))
        self._table.update_cell(key, "qty", Text(qty_text(qty)))
        self._table.update_cell(key, "price", Text(money.format_money(price, symbol=False)))
        if qty == line.quantity and price == line.unit_price and key not in self._pending:
            del overrides[key]  # typed back to what is saved: no preview
        self._show_totals(overrides)

    @on(Input.Submitted, "#qty")
    @on(Input.Submitted, "#price")
    def _save_edit(self) -> None:
        key = self._editing
        line = self._line(key)
        if key is None or line is None:
            return
        qty, price = self._typed_values()
        if qty is None or price is None:
            self.notify(_("Check the value marked in red."), title=_("Not saved"), severity="error", timeout=6)
            self.query_one("#qty" if qty is None else "#price", Input).focus()
            return
        self._close_editor()
        if line.kind == "labor":
            kwargs = {"hours": qty if qty != line.quantity else None, "rate": price if price != line.unit_price else None}
            kwargs = {k: v for k, v in kwargs.items() if v is not None}
            if kwargs:
                self._submit(estimate.update_job, line.id, **kwargs)
        else:
            kwargs = {"qty": qty if qty != line.quantity else None,
                      "unit_price": price if price != line.unit_price else None}
            kwargs = {k: v for k, v in kwargs.items() if v is not None}
            if kwargs:
                self._submit(estimate.update_part, line.id, **kwargs, then=self._part_saved)
        if not self._queue and not self._busy:
            self._apply(self._loaded)  # type: ignore[arg-type]  # nothing changed: the table as saved

    def _part_saved(self, line: Any) -> None:
        shown_line = self._line(f"p{line.id}")
        if shown_line is not None and shown_line.short:
            self.notify(_("{part}: not enough in stock, the line is marked SHORT.").format(part=shown_line.description),
                        severity="warning", timeout=6)

    def _close_editor(self) -> None:
        self._editing = None
        self.query_one("#line-editor").display = False
        self.query_one("#editor-errors").display = False
        self.query_one("#line-detail").display = True
        self.query_one("#lines-hint").display = True
        self._table.focus()

    def _cancel_edit(self) -> None:
        self._close_editor()
        if self._loaded is not None:
            self._apply(self._loaded)

    # One-key changes of the selected line ------------------------------------------------------------

    def action_cycle_pay(self) -> None:
        if not self._table.has_focus or self._refuse_unless_editable():
            return
        line = self.selected
        if line is None:
            return
        key = row_key(line)
        override = self._pending[key] = cycle_pay(line, self._pending.get(key), self.services.settings)
        pay = override.pay_type or line.pay_type
        self._table.update_cell(key, "pay", Text(label(PAY_TYPE, pay), style="bold yellow"))
        _q, price, amount, _p = shown(line, self._pending[key], self.services.settings)
        self._table.update_cell(key, "price", Text(money.format_money(price, symbol=False)))
        self._table.update_cell(key, "amount", Text(money.format_money(amount, symbol=False), style="bold"))
        self._show_totals()
        self._show_detail()
        if line.kind == "labor":
            self._submit(estimate.update_job, line.id, pay_type=pay)
        else:
            self._submit(estimate.update_part, line.id, pay_type=pay)

    def action_toggle_safety(self) -> None:
        if not self._table.has_focus or self._refuse_unless_editable():
            return
        line = self.selected
        if line is None:
            return
        if line.kind != "labor":
            self.notify(_("Safety is marked on the job, not on its parts."), severity="warning")
            return
        self._submit(estimate.update_job, line.id, safety=not line.safety)

    def action_toggle_recommended(self) -> None:
        if not self._table.has_focus or self._refuse_unless_editable():
            return
        line = self.selected
        if line is None:
            return
        if line.kind != "labor":
            self.notify(_("A part goes with its job: mark the job."), severity="warning")
            return
        origin = JobOrigin.REQUESTED if line.origin == JobOrigin.RECOMMENDED else JobOrigin.RECOMMENDED
        self._submit(estimate.update_job, line.id, origin=origin)

    def action_decline(self) -> None:
        if not self._table.has_focus or self._refuse_unless_editable():
            return
        line = self.selected
        if line is None:
            return
        if line.kind != "labor" or line.status != JobStatus.PROPOSED:
            self.notify(_("Only a proposed job can be declined."), severity="warning")
            return

        def declined(_job: Any) -> None:
            message = _("Declined: {job}. It stays a recommendation for the next visit.").format(job=line.description)
            if line.safety:
                message += " " + _("It is safety-related: the customer signs for it at settlement.")
            self.notify(message, severity="warning" if line.safety else "information", timeout=8)

        self._submit(estimate.decline_job, line.id, then=declined)

    def action_delete_line(self) -> None:
        if not self._table.has_focus or self._refuse_unless_editable():
            return
        line = self.selected
        v = self.view
        if line is None or v is None:
            return
        from .confirm import ConfirmScreen

        if line.kind == "labor":
            parts = sum(1 for other in v.lines if other.kind == "part" and other.job_id == line.id)
            message = _("Delete the job {job} and its {n} part lines?").format(job=line.description, n=parts) if parts \
                else _("Delete the job {job}?").format(job=line.description)
            kwargs = {"job_id": line.id}
        else:
            message = _("Delete the part line {part}?").format(part=line.description)
            kwargs = {"part_line_id": line.id}

        def answered(yes: bool | None) -> None:
            if yes:
                self._submit(estimate.remove_line, **kwargs)

        self.app.push_screen(ConfirmScreen(_("Delete line"), message, yes=_("Delete"), no=_("Keep")), answered)

    # Terms ---------------------------------------------------------------------------------------------

    def _terms_input(self) -> dict[str, Any] | None:
        """set_terms' arguments from the form, or None (with the message beside the field)."""
        for name in TERMS_FIELDS:
            self._field_error(name, "")
        promise_text, pay, old_parts, wash = self._terms_values()
        if self._terms_saved is not None and promise_text == self._terms_saved[0]:
            promise_text = ""  # unchanged: a promise made earlier today may be past by now, and stays as made
        try:
            promised = parse_promise(promise_text, self.services.clock())
        except ValidationError as exc:
            self._show_tab("terms")
            self._field_error("promised_at", exc.message)
            self.notify(exc.message, title=_("Not saved"), severity="error", timeout=6)
            return None
        return {"promised_at": promised, "payment_method": pay, "old_parts": old_parts, "wash": wash}

    def _save_terms(self, then: Callable[[Any], None] | None = None) -> None:
        if self._refuse_unless_editable():
            return
        data = self._terms_input()
        if data is None:
            return

        def saved(order: Any) -> None:
            self._terms_shown = None  # the form now shows what was saved
            if self._loaded is not None:
                self._show_terms()
            if then is not None:
                then(order)
            else:
                self.notify(_("Terms saved."), timeout=3)

        self._submit(estimate.set_terms, then=saved, **data)

    def action_save(self) -> None:
        if self._editing is not None:
            self._save_edit()
        else:
            self._save_terms()

    # Signing and printing ------------------------------------------------------------------------------

    def _sign_problems(self) -> dict[str, str]:
        """What stops the signature, found here before asking the customer to sign (field -> message)."""
        v = self.view
        assert v is not None
        problems: dict[str, str] = {}
        if v.walkaround is None:
            problems["walkaround"] = _("No walkaround yet: W opens it, do it with the customer.")
        if not any(line.kind == "labor" and billing.bills(v.status, line.status) for line in v.lines):
            problems["jobs"] = _("The estimate has no work to authorise.")
        promise_text, pay, _old, _wash = self._terms_values()
        if not promise_text:
            problems["promised_at"] = _("Set the promised completion time.")
        if pay is None:
            problems["payment_method"] = _("Choose how the customer will pay.")
        return problems

    def action_sign(self) -> None:
        v = self.view
        if v is None or self._busy:
            return
        if v.status not in EDITABLE:
            self.notify(_("Order {number} is {status}: it was signed by {name}.").format(
                number=v.number, status=status(v.status), name=v.signed_by or "—"), severity="warning")
            return
        if self._refuse_unless_editable():
            return
        problems = self._sign_problems()
        if problems:
            for field, message in problems.items():
                self._field_error(field, message)
            if any(field in TERMS_FIELDS for field in problems):
                self._show_tab("terms")
                first = next(field for field in TERMS_FIELDS if field in problems)
                self.query_one(f"#{first}").focus()
            self.notify("\n".join(f"• {m}" for m in problems.values()), title=_("Not ready to sign"),
                        severity="error", timeout=10)
            return
        if self._terms_unsaved():
            self._save_terms(then=lambda _order: self._ask_signature())
        else:
            self._ask_signature()

    def _ask_signature(self) -> None:
        from .sign import SignScreen, SignSummary

        self.clear_errors()
        self.app.clear_notifications()  # an earlier "not ready to sign" no longer holds

        v = self.view
        assert v is not None
        promise = v.promised_at.strftime(PROMISE_FORMAT) if v.promised_at else "—"
        summary = SignSummary(v.number, v.plate, v.customer_name, money.format_money(v.totals.net),
                              money.format_money(v.totals.customer_payable), promise,
                              label(PAYMENT_METHOD, v.payment_method) or "—")

        def signed(name: str | None) -> None:
            if not name:
                return
            self.sign_started = time.monotonic()
            self._submit(estimate.authorise, name, then=self._authorised)

        self.app.push_screen(SignScreen(summary), signed)

    def _authorised(self, order: Any) -> None:
        self.notify(_("Signed by {name}: the work is authorised. Printing…").format(name=order.signed_by), timeout=4)
        self._print(("work-order", "checkin-sheet"), leave=True)

    def action_print(self) -> None:
        if self.view is None:
            return
        self._print(("work-order",), leave=False)

    def _print(self, kinds: tuple[str, ...], *, leave: bool) -> None:
        if self._printing:
            self.notify(_("Still printing…"), timeout=2)
            return
        v = self.view
        assert v is not None
        self._printing = True
        number = v.number
        services = self.services

        def job() -> None:
            ok = True
            for kind in kinds:
                try:
                    printed = print_one(services, kind, number)
                except FrontdeskError as exc:
                    ok = False
                    self.app.call_from_thread(self.show_error, exc)
                    continue
                self.app.call_from_thread(self._printed, kind, printed)
            self.app.call_from_thread(self._printed_all, ok, leave)

        self.run_worker(job, thread=True, group="estimate-print", exit_on_error=False)

    def _printed(self, kind: str, printed: Any) -> None:
        document = document_name(kind)
        if printed.sent_to:
            message = _("{document} sent to printer {printer}: {path}").format(
                document=document, printer=printed.sent_to, path=printed.path)
            self.app.notify(message, timeout=10)
        elif printed.print_error:
            message = _("The printer refused the {document} ({reason}); the PDF is at {path}").format(
                document=document, reason=printed.print_error, path=printed.path)
            self.app.notify(message, severity="warning", timeout=15)
        else:
            self.app.notify(_("{document} saved as {path}").format(document=document, path=printed.path), timeout=10)

    def _printed_all(self, ok: bool, leave: bool) -> None:
        self._printing = False
        if not leave:
            return
        if not ok:  # stay: F8 prints again
            self.notify(_("The order is signed; print again with F8."), severity="warning", timeout=10)
            return
        if self.sign_started is not None:
            self.sign_seconds = time.monotonic() - self.sign_started
        if self.app.screen is self:
            self.app.pop_screen()

    # Leaving and neighbours ---------------------------------------------------------------------------------

    def action_walkaround(self) -> None:
        if self._editing is not None:
            return
        from .walkaround import WalkaroundScreen

        self.app.switch_screen(WalkaroundScreen(order_id=self._order_id))

    def action_order_history(self) -> None:
        self.fd.open_destination("order_history", order_id=self._order_id)

    def action_back(self) -> None:
        """Esc: drops the line being edited; on the history or the terms, back to the lines; then leaves."""
        if self._editing is not None:
            self._cancel_edit()
            return
        if self._tab != "lines":
            self._show_tab("lines")
            return
        if self._terms_edited() and self._editable():
            from .confirm import ConfirmScreen

            def answered(leave: bool | None) -> None:
                if leave:
                    super(EstimateScreen, self).action_back()

            self.app.push_screen(ConfirmScreen(_("Leave without saving the terms?"),
                                               _("The promised time, payment method, old parts or wash were changed and not saved (F6)."),
                                               yes=_("Leave"), no=_("Stay")), answered)
            return
        super().action_back()
