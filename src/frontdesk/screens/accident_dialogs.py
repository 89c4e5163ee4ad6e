"""The dialogs of accident repairs and the insurer collection (screens/accident.py, screens/insurer_collection.py).

- :class:`AccidentFormDialog`: the record itself — insurer, report number (报案号), insured,
  assessor (定损员), assessed amount (定损金额), the customer's own share, the accident date.
- :class:`SupplementDialog`: a supplement (追加定损) with its date and note.
- :class:`PapersDialog`: who delivered the claim papers to the insurer, and when (送单).
- :class:`InsurerPaymentDialog`: one transfer from an insurer, applied to the claims marked
  in the queue (each line's amount may be changed; what is left over stays as the insurer's credit).
- :class:`WriteOffDialog`: the manager lets a short-paid rest go (the gap is stamped).
- :class:`GapReportScreen`: assessed against paid for the claims closed in a month.

Each saves from itself (screens/decision.py ``RecordDialog``): F6 or Enter records, Esc goes
back, a refusal stands beside its field and what was typed stays.
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
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import back, binding, translate_bindings
from frontdesk.services import accidents
from frontdesk.services.accidents import (
    AccidentInput,
    AccidentView,
    CollectionRow,
    GapReport,
)
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.money import format_money
from frontdesk.widgets.field import dialog_field
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, fixed_columns

from . import pipeline
from .decision import RecordDialog

DATE_HINT = "YYYY-MM-DD"


def parse_day(raw: str, today: dt.date) -> dt.date | None:
    """"2026-11-24", "11-24" (this year), "" → None; raises ValueError on anything else."""
    value = raw.strip()
    if not value:
        return None
    for fmt, this_year in (("%Y-%m-%d", False), ("%m-%d", True)):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return day.replace(year=today.year) if this_year else day
    raise ValueError(value)


def _money(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


class _DayDialog(RecordDialog):
    """A record dialog whose date fields are read as :func:`parse_day` reads them."""

    def __init__(self, save: Callable[..., Any], today: dt.date) -> None:
        super().__init__(save)
        self._today = today

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter goes on to the next field and records only from the last one (F6 records from any).

        Recording as soon as the required fields were filled lost what was typed after them (the
        assessor and amount, a supplement's note, the papers' date), and those keys then landed
        on the record's screen underneath: Enter ticked a document, D opened the papers.
        """
        fields = [field for field in self.query(Input) if field.display]
        if event.input in fields[:-1]:
            event.prevent_default()  # not RecordDialog's Enter-records
            event.stop()
            fields[fields.index(event.input) + 1].focus()

    def _error(self, name: str, message: str) -> None:
        """The refusal beside its field, and the cursor in it: the fix is typed where the reason is read."""
        super()._error(name, message)
        if message:
            found = self.query(f"#{name}")
            if found and isinstance(found.first(), Input):
                found.first().focus()

    def _day(self, name: str, *, required: bool = False) -> tuple[bool, dt.date | None]:
        try:
            day = parse_day(self._value(name), self._today)
        except ValueError:
            self._error(name, _("Write the date as YYYY-MM-DD, e.g. 2026-11-24."))
            return False, None
        if required and day is None:
            self._error(name, _("This field is required."))
            return False, None
        return True, day


class AccidentFormDialog(_DayDialog):
    """``AccidentFormDialog(title, current, today, save)``: ``save(AccidentInput)``."""

    AUTO_FOCUS = "#insurer"
    FIELDS = ("insurer", "report_no", "insured_name", "assessor", "assessed_amount", "customer_share", "accident_on")

    def __init__(self, *, title: str, current: AccidentView | None, insured: str, today: dt.date,
                 save: Callable[[AccidentInput], Any]) -> None:
        super().__init__(save, today)
        self._title, self._current, self._insured = title, current, insured

    def compose(self) -> ComposeResult:
        c = self._current
        with Vertical(id="accident-form", classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield from dialog_field("insurer", _("Insurer"), value=c.insurer if c else "", max_length=120,
                                    placeholder=_("e.g. PICC, Ping An"))
            yield from dialog_field("report_no", _("Report number"), value=c.report_no if c else "", max_length=60,
                                    placeholder=_("the claim report number, required"))
            yield from dialog_field("insured_name", _("Insured"), value=c.insured_name if c else self._insured,
                                    max_length=80)
            yield from dialog_field("assessor", _("Loss assessor"), value=c.assessor if c else "", max_length=80)
            yield from dialog_field("assessed_amount", _("Assessed amount"),
                                    value=_money(c.assessed_amount) if c else "", max_length=16,
                                    placeholder=_("blank until the assessor has been"))
            yield from dialog_field("customer_share", _("Customer's own share"),
                                    value=_money(c.customer_share) if c else "", max_length=16, placeholder="0")
            yield from dialog_field("accident_on", _("Accident date"),
                                    value=c.accident_on.isoformat() if c and c.accident_on else "", max_length=10,
                                    placeholder=DATE_HINT)
            yield Static(_("Enter: next field · F6: save · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> AccidentInput | None:
        ok, accident_on = self._day("accident_on")
        if not ok:
            return None
        return AccidentInput(self._value("insurer"), self._value("report_no"), self._value("insured_name"),
                             self._value("assessor"), self._value("assessed_amount") or None,
                             self._value("customer_share") or "0", accident_on)


@dataclass(frozen=True)
class SupplementEntry:
    amount: str
    on: dt.date
    note: str


class SupplementDialog(_DayDialog):
    """``SupplementDialog(title, today, save)``: ``save(SupplementEntry)``."""

    AUTO_FOCUS = "#amount"
    FIELDS = ("amount", "on", "note")

    def __init__(self, *, title: str, today: dt.date, save: Callable[[SupplementEntry], Any]) -> None:
        super().__init__(save, today)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield from dialog_field("amount", _("Supplement amount"), max_length=16, placeholder="0.00")
            yield from dialog_field("on", _("Assessed on"), value=self._today.isoformat(), max_length=10,
                                    placeholder=DATE_HINT)
            yield from dialog_field("note", _("Note"), max_length=400, placeholder=_("e.g. radiator found cracked"))
            yield Static(_("F6 or Enter: add · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> SupplementEntry | None:
        if not self._value("amount"):
            self._error("amount", _("This field is required."))
            return None
        ok, on = self._day("on", required=True)
        if not ok or on is None:
            return None
        return SupplementEntry(self._value("amount"), on, self._value("note"))


@dataclass(frozen=True)
class DayEntry:
    """Who delivered the papers, and when."""

    text: str
    on: dt.date | None


class PapersDialog(_DayDialog):
    """``PapersDialog(title, who, today, save)``: ``save(DayEntry)``, who took the papers and when."""

    AUTO_FOCUS = "#by"
    FIELDS = ("by", "on")

    def __init__(self, *, title: str, who: str, today: dt.date, save: Callable[[DayEntry], Any]) -> None:
        super().__init__(save, today)
        self._title, self._who = title, who

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield from dialog_field("by", _("Delivered by"), value=self._who, max_length=80)
            yield from dialog_field("on", _("Delivered on"), value=self._today.isoformat(), max_length=10,
                                    placeholder=DATE_HINT)
            yield Static(_("F6 or Enter: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> DayEntry | None:
        if not self._value("by"):
            self._error("by", _("This field is required."))
            return None
        ok, on = self._day("on", required=True)
        return DayEntry(self._value("by"), on) if ok else None


@dataclass(frozen=True)
class PaymentEntry:
    """The insurer's transfer and what it pays of each claim (receivable id → amount typed)."""

    amount: str
    reference: str
    received_on: dt.date
    applied: tuple[tuple[int, str, int], ...]  # (receivable id, amount, its version)


class InsurerPaymentDialog(_DayDialog):
    """``InsurerPaymentDialog(insurer, claims, today, save)``: ``save(PaymentEntry)``; one line per claim."""

    AUTO_FOCUS = "#amount"

    def __init__(self, *, insurer: str, claims: Sequence[CollectionRow], today: dt.date,
                 save: Callable[[PaymentEntry], Any]) -> None:
        super().__init__(save, today)
        self._insurer, self._claims = insurer, tuple(claims)
        self.FIELDS = ("amount", "reference", "received_on", "allocations",
                       *(f"apply-{c.receivable_id}" for c in self._claims))

    def compose(self) -> ComposeResult:
        total = sum((c.open_amount for c in self._claims), Decimal(0))
        with VerticalScroll(id="payment-box", classes="dialog-box"):
            yield Static(_("Payment from {insurer}").format(insurer=self._insurer), classes="dialog-title")
            yield from dialog_field("amount", _("Amount received"), value=format(total, "f"), max_length=16)
            yield from dialog_field("reference", _("Bank reference"), max_length=80,
                                    placeholder=_("the transfer's number, required"))
            yield from dialog_field("received_on", _("Received on"), value=self._today.isoformat(), max_length=10,
                                    placeholder=DATE_HINT)
            yield Static(_("Applied to:"), classes="dialog-hint")
            for c in self._claims:
                label = f"{c.plate} {format_money(c.open_amount)}"
                yield from dialog_field(f"apply-{c.receivable_id}", label, value=format(c.open_amount, "f"),
                                        max_length=16)
            yield Static("", id="allocations-error", classes="field-error")
            yield Static(_("What is not applied stays as the insurer's credit. F6: record · Esc: back"),
                         classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> PaymentEntry | None:
        ok, on = self._day("received_on", required=True)
        if not ok or on is None:
            return None
        if not self._value("reference"):
            self._error("reference", _("This field is required."))
            return None
        applied = tuple((c.receivable_id, self._value(f"apply-{c.receivable_id}"), c.receivable_version)
                        for c in self._claims if self._value(f"apply-{c.receivable_id}") not in ("", "0"))
        return PaymentEntry(self._value("amount"), self._value("reference"), on, applied)

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and error.field not in self.FIELDS:
            self._saving = False
            self._error("allocations", error.message)
            return
        super()._refused(error)


class WriteOffDialog(RecordDialog):
    """``WriteOffDialog(title, summary, save)``: ``save(reason)``, the manager writes the rest off."""

    AUTO_FOCUS = "#reason"
    FIELDS = ("reason",)

    def __init__(self, *, title: str, summary: str, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self._title, self._summary = title, summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -failed"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, classes="dialog-summary")
            yield from dialog_field("reason", _("Reason"), max_length=200,
                                    placeholder=_("e.g. insurer's final payment, excess not covered"))
            yield Static(_("F6 or Enter: write off · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> str | None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self._error("reason", _("This field is required."))
            return None
        return reason


def _month(day: dt.date, step: int) -> dt.date:
    """The first of the month ``step`` months from ``day``'s."""
    index = day.year * 12 + day.month - 1 + step
    return dt.date(index // 12, index % 12 + 1, 1)


class GapReportScreen(ModalScreen[None]):
    """``GapReportScreen(services, actor, today)``: the claims closed in a month, assessed against paid."""

    CSS_PATH = "../assets/styles/insurer_collection.tcss"
    AUTO_FOCUS = "#gap-rows"
    BINDINGS = [
        binding("left_square_bracket", "month(-1)", "Earlier month", key_display="[",
                tooltip="The claims closed in the month before"),
        binding("right_square_bracket", "month(1)", "Later month", key_display="]",
                tooltip="The claims closed in the month after"),
        back("Close"),
    ]

    def __init__(self, *, services: Any, actor: Any, today: dt.date) -> None:
        super().__init__()
        translate_bindings(self)
        self._services, self._actor, self._today = services, actor, today
        self._start = today.replace(day=1)

    def compose(self) -> ComposeResult:
        with Vertical(id="gap-box"):
            yield Static("", id="gap-title")
            yield ListTable(id="gap-rows")
            yield Static("", id="gap-totals")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.query_one("#gap-rows", ListTable), Col(_("Closed on"), 5, keep=3),
                      Col(_("Plate"), 9, whole=True, keep=4), Col(_("Insurer"), 8, keep=1),
                      Col(_("Report no."), 16, keep=2), Col(_("Assessed"), 10, whole=True, keep=7),
                      Col(_("Insurer paid"), 10, whole=True, keep=8), Col(_("Gap"), 9, whole=True, keep=9))
        self._read()

    def _read(self) -> None:
        end = min(_month(self._start, 1) - dt.timedelta(days=1), self._today)
        pipeline.call(self, accidents.gap_report, self._services, self._actor, self._start, end, then=self._show,
                      failed=lambda e: self.notify(str(e), severity="error"), group="gap-report", saves=False)

    def _show(self, report: GapReport) -> None:
        self.query_one("#gap-title", Static).update(Text(_("Assessed against paid · claims closed {start} – {end}")
                                                         .format(start=report.start, end=report.end), style="bold"))
        rows = []
        for n, g in enumerate(report.rows):
            gap = Text(format_money(g.gap) if g.gap is not None else "—", justify="right",
                       style="bold red" if g.gap and g.gap > 0 else "")
            rows.append((f"g{n}", (g.closed_on.strftime("%m-%d"), g.plate, clip(g.insurer, 8), clip(g.report_no, 16),
                                   Text(format_money(g.assessed) if g.assessed is not None else "—", justify="right"),
                                   Text(format_money(g.paid), justify="right"), gap)))
        self.query_one("#gap-rows", ListTable).refill(rows)
        totals = Text()
        if not report.rows:
            totals.append(_("No claim closed in this range."), style="dim")
        else:
            totals.append(_("{n} claims · assessed {assessed} · paid {paid} · gap {gap}").format(
                n=len(report.rows), assessed=format_money(report.assessed), paid=format_money(report.paid),
                gap=format_money(report.gap)), style="bold")
        self.query_one("#gap-totals", Static).update(totals)

    def action_month(self, step: int) -> None:
        start = _month(self._start, step)
        if start > self._today:
            self.notify(_("No later month yet."), timeout=3)
            return
        self._start = start
        self._read()

    def action_back(self) -> None:
        self.dismiss(None)
