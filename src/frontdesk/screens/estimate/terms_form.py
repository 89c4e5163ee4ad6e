"""The estimate's terms: the promised completion time, how the customer pays, old parts, wash.

The promised time is suggested from the estimate's hours and the workshop's load, and is
the advisor's to override. The form keeps two pictures: what it was filled with (leaving
would lose an edit since then) and what the database holds (signing saves a difference
first, a suggestion not saved yet included). While the advisor has not touched the form, a
new reading refills it; a suggestion still untouched follows the hours as they change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Checkbox, Input, Label, Select, Static

from frontdesk.i18n import gettext as _
from frontdesk.labels import OLD_PARTS, PAYMENT_METHOD
from frontdesk.services.errors import ValidationError
from frontdesk.widgets.list_table import qty_text

from .reading import Loaded, work_hours

PROMISE_FORMAT = "%Y-%m-%d %H:%M"
TERMS_FIELDS = ("promised_at", "payment_method", "old_parts")


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


class TermsForm(Vertical):
    """``TermsForm(id="terms-pane")``: follows ``order`` (bound to the screen's); the screen saves what ``read`` gives."""

    order: var[Loaded | None] = var(None, always_update=True)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: tuple[Any, ...] | None = None  # what the form was filled with
        self._saved: tuple[Any, ...] | None = None  # what the database holds
        self._suggestion = ""

    def compose(self) -> ComposeResult:
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

    def values(self) -> tuple[Any, ...]:
        """(promise as typed, payment method or None, old parts, wash)."""
        pay = self.query_one("#payment_method", Select).value
        return (self.query_one("#promised_at", Input).value.strip(), None if pay == Select.NULL else pay,
                self.query_one("#old_parts", Select).value, self.query_one("#wash", Checkbox).value)

    def edited(self) -> bool:
        """The advisor changed the form since it was filled (leaving would lose that)."""
        return self._shown is not None and self.values() != self._shown

    def unsaved(self) -> bool:
        """The form differs from the database (a suggested promise not saved yet counts)."""
        return self._saved is not None and self.values() != self._saved

    def missing(self) -> dict[str, str]:
        """What the customer cannot sign without (field -> message)."""
        promise_text, pay, _old, _wash = self.values()
        problems: dict[str, str] = {}
        if not promise_text:
            problems["promised_at"] = _("Set the promised completion time.")
        if pay is None:
            problems["payment_method"] = _("Choose how the customer will pay.")
        return problems

    def forget_edits(self) -> None:
        """The next reading fills the form again (it was saved, or another terminal changed the order)."""
        self._shown = None

    def read(self, now: dt.datetime) -> dict[str, Any] | None:
        """set_terms' arguments from the form, or None: the time does not read (its message beside it, and notified)."""
        for name in TERMS_FIELDS:
            self.query_one(f"#{name}-error", Static).update("")
        promise_text, pay, old_parts, wash = self.values()
        if self._saved is not None and promise_text == self._saved[0]:
            promise_text = ""  # unchanged: a promise made earlier today may be past by now, and stays as made
        try:
            promised = parse_promise(promise_text, now)
        except ValidationError as exc:
            self.query_one("#promised_at-error", Static).update(exc.message)
            self.notify(exc.message, title=_("Not saved"), severity="error", timeout=6)
            return None
        return {"promised_at": promised, "payment_method": pay, "old_parts": old_parts, "wash": wash}

    def watch_order(self, order: Loaded | None) -> None:
        if order is not None:
            self.show(order)

    def show(self, loaded: Loaded) -> None:
        """Fill the form from ``loaded`` unless the advisor is editing it; the suggestion follows the hours."""
        v, suggested = loaded.view, loaded.suggested
        promise = self.query_one("#promised_at", Input)
        new_suggestion = suggested.strftime(PROMISE_FORMAT) if suggested else ""
        saved = (v.promised_at.strftime(PROMISE_FORMAT) if v.promised_at else "", v.payment_method, v.old_parts, v.wash)
        if self._shown is None or not self.edited():
            promise.value = saved[0] or new_suggestion  # a new order: the suggestion, for the advisor to change
            self.query_one("#payment_method", Select).value = v.payment_method or Select.NULL
            self.query_one("#old_parts", Select).value = v.old_parts
            self.query_one("#wash", Checkbox).value = v.wash
            self._shown = self.values()
        elif not saved[0] and promise.value.strip() == self._suggestion:
            promise.value = new_suggestion  # still the old suggestion: the hours changed, so does it
            self._shown = (new_suggestion, *self._shown[1:])
        self._saved = saved
        self._suggestion = new_suggestion
        hint = ""
        if suggested is not None:
            hint = _("Suggested {time} ({hours} h + workshop load)").format(
                time=suggested.strftime("%m-%d %H:%M"), hours=qty_text(work_hours(v)))
        self.query_one("#promise-hint", Static).update(hint)
