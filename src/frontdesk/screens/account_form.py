"""One key account as the service manager sets it up: its terms, its cars and its authorised drivers.

Over the accounts list and the account screen (screens/accounts.py, screens/account_detail.py).
The fields are the agreement with the company (services/accounts.py ``AccountInput``): code
and name, kind, contact, credit limit and days to pay, monthly statement (月结) or per order,
the agreed discount on labour and on parts (typed in per cent: 10 is 10 %), the invoicing
details (抬头, 税号, address, bank) and a note. F6 saves them, the version guarding against a
second manager's change; a refusal is written beside its field and nothing is lost.

Under the fields the account's cars and drivers. They change at once, each change its own
audited service call: F2 puts a car on the account by its plate (the desk's search: part of
the plate or the VIN's tail, when it finds one car), F3 adds a driver (送修人), Del takes the
car highlighted off the account or withdraws / restores the driver highlighted. A new account
has neither until it is saved: its first F6 keeps the form open to add them. F7 suspends the
account with a reason (a company that stopped paying: its cars pay at the counter), or
reinstates it — a service manager's act.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, NEW, SAVE, binding
from frontdesk.services import accounts, search
from frontdesk.services.accounts import AccountDetail, AccountInput
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.services.validation import plate_search_key
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns

from . import pipeline
from .account_dialogs import ACCOUNT_KIND, driver_form, money_text, plate_form, reason_form
from .admin_modals import percent_text
from .decision import RecordDialog

if TYPE_CHECKING:
    from frontdesk.services.context import Actor, Services

#: The form's fields in the order Tab visits them: AccountInput's names (a refusal lands beside its field).
FIELDS = ("code", "name", "kind", "monthly", "contact_name", "contact_phone", "credit_limit", "terms_days",
          "labour_discount", "parts_discount", "invoice_title", "tax_id", "invoice_address", "invoice_bank", "note")
#: Rows of the form: two fields side by side, or one across.
ROWS = (("code", "name"), ("kind", "monthly"), ("contact_name", "contact_phone"), ("credit_limit", "terms_days"),
        ("labour_discount", "parts_discount"), ("invoice_title", "tax_id"), ("invoice_address",), ("invoice_bank",),
        ("note",))
MAX_LENGTH = {"code": 20, "name": 120, "contact_name": 80, "contact_phone": 20, "credit_limit": 14, "terms_days": 3,
              "labour_discount": 6, "parts_discount": 6, "invoice_title": 120, "tax_id": 30, "invoice_address": 200,
              "invoice_bank": 200, "note": 500}
YES, NO = "yes", "no"


def labels() -> dict[str, str]:
    return {"code": _("Code"), "name": _("Account name"), "kind": _("Kind"), "monthly": _("Billing"),
            "contact_name": _("Contact"), "contact_phone": _("Phone"), "credit_limit": _("Credit limit"),
            "terms_days": _("Days to pay"), "labour_discount": _("Labour off %"), "parts_discount": _("Parts off %"),
            "invoice_title": _("Invoice title"), "tax_id": _("Tax ID"), "invoice_address": _("Address"),
            "invoice_bank": _("Bank"), "note": _("Note")}


def rate_from_percent(text: str, field: str) -> Decimal:
    """"10" or "7.5" (per cent) -> 0.1 / 0.075; the service checks the range."""
    raw = text.strip().rstrip("%").strip() or "0"
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(field, _("Type the discount in per cent, e.g. 10 or 7.5.")) from None
    if not value.is_finite():
        raise ValidationError(field, _("Type the discount in per cent, e.g. 10 or 7.5."))
    if not 0 <= value <= accounts.MAX_RATE * 100:
        raise ValidationError(field, _("Type a discount between 0 and {max} %.").format(
            max=format(accounts.MAX_RATE * 100, "f").rstrip("0").rstrip(".")))
    return value / 100


def find_vehicle(services: Services, plate: str) -> int:
    """The one car the desk's search finds for ``plate`` (the plate itself wins over cars it is part of)."""
    wanted = plate.strip()
    if not wanted:
        raise ValidationError("plate", _("Type the plate."))
    hits = search.search(services, wanted)
    exact = {h.vehicle_id for h in hits if plate_search_key(h.plate) == plate_search_key(wanted)}
    found = exact or {h.vehicle_id for h in hits}
    if not found:
        raise ValidationError("plate", _("No car with that plate or VIN in this store."))
    if len(found) > 1:
        raise ValidationError("plate", _("{n} cars match: type more of the plate.").format(n=len(found)))
    return found.pop()


class AccountForm(RecordDialog):
    """``AccountForm(detail)`` (None: a new account); dismissed with the last saved ``AccountRef``, or None."""

    CSS_PATH = ["../assets/styles/dialog.tcss", "../assets/styles/accounts.tcss"]  # type: ignore[assignment]
    AUTO_FOCUS = "#code"
    FIELDS = (*FIELDS, "vehicle", "driver", "reason", "account")

    BINDINGS = [
        binding(SAVE, "record", "Save", tooltip="Save the account's terms (a new one stays open for its cars)"),
        binding(NEW, "add_vehicle", "Add car", tooltip="Put a car on the account by its plate"),
        binding(FIND, "add_driver", "Add driver", tooltip="Add a driver the account authorises (送修人)"),
        binding("delete", "remove", "Remove", key_display="Del",
                tooltip="Take the highlighted car off the account, or withdraw / restore the highlighted driver"),
        binding("f7", "suspend", "Suspend", tooltip="Suspend the account with a reason, or reinstate it (manager)"),
    ]

    def __init__(self, detail: AccountDetail | None) -> None:
        super().__init__(self._save_and_read)
        self.detail = detail
        self.saved: Any = None  # the last AccountRef saved here (the list reads again)

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined,no-any-return]

    @property
    def actor(self) -> Actor:
        return self.app.actor  # type: ignore[attr-defined,no-any-return]

    # Layout --------------------------------------------------------------------------------------

    def _value_of(self, name: str) -> str:
        d = self.detail
        if d is None:
            return {"kind": "key", "monthly": YES, "terms_days": "30", "credit_limit": "0"}.get(name, "")
        value = getattr(d, name)
        if name == "monthly":
            return YES if value else NO
        if name in ("labour_discount", "parts_discount"):
            return percent_text(value) or "0"
        if name == "credit_limit":
            return money_text(value)
        return str(value)

    def _widget(self, name: str) -> Input | Select[str]:
        value = self._value_of(name)
        if name == "kind":
            return Select([(_(text), code) for code, text in ACCOUNT_KIND.items()], value=value, allow_blank=False,
                          id=name, compact=True)
        if name == "monthly":
            return Select([(_("Monthly statement (月结)"), YES), (_("Per order"), NO)], value=value, allow_blank=False,
                          id=name, compact=True)
        return Input(value, id=name, max_length=MAX_LENGTH[name], compact=True)

    def compose(self) -> ComposeResult:
        names = labels()
        with Vertical(classes="dialog-box", id="acct-form"):
            yield Static(self._title(), id="acct-form-title", classes="dialog-title")
            for row in ROWS:
                with Horizontal(classes="acct-row"):
                    for name in row:
                        with Horizontal(classes="acct-field" + (" -wide" if len(row) == 1 else "")):
                            yield Label(names[name], classes="acct-label")
                            yield self._widget(name)
            with Horizontal(classes="acct-errors"):
                for name in self.FIELDS:
                    yield Static("", id=f"{name}-error", classes="field-error")
            with Horizontal(id="acct-lists"):
                yield ListTable(id="acct-vehicles")
                yield ListTable(id="acct-drivers")
            yield Static("", id="acct-state")
            yield Static(_("F6 save · F2 car · F3 driver · Del remove · F7 suspend · Esc back"), classes="dialog-hint")
        yield KeyFooter()

    def _title(self) -> str:
        d = self.detail
        return _("Account · {code} {name}").format(code=d.code, name=d.name) if d else _("New account")

    def on_mount(self) -> None:
        declare_columns(self.query_one("#acct-vehicles", ListTable), Col(_("Plate"), whole=True),
                        Col(_("Model"), 18, shrink=True))
        declare_columns(self.query_one("#acct-drivers", ListTable), Col(_("Driver"), 8),
                        Col(_("Mobile"), 11, whole=True), Col(_("Active"), 4))
        self._show_lists()
        self._as_opened = self._state()

    def _show_lists(self) -> None:
        d = self.detail
        vehicles = self.query_one("#acct-vehicles", ListTable)
        drivers = self.query_one("#acct-drivers", ListTable)
        vehicles.refill((f"v{v.vehicle_id}", (Text(v.plate, style="bold"), clip(v.make_model, 20)))
                        for v in (d.vehicles if d else ()))
        drivers.refill((f"d{r.id}", (Text(r.name, style="" if r.active else "dim strike"), r.phone,
                                     Text(_("yes"), style="green") if r.active else Text(_("no"), style="dim")))
                       for r in (d.drivers if d else ()))
        vehicles.border_title = _("Cars ({n})").format(n=len(d.vehicles) if d else 0)
        drivers.border_title = _("Drivers ({n})").format(n=sum(1 for r in d.drivers if r.active) if d else 0)
        state = Text()
        if d is None:
            state.append(_("Save the account (F6) to add its cars and drivers."), style="dim")
        elif d.suspended:
            state.append(" " + _("Suspended") + " ", style="bold white on red")
            state.append("  " + d.suspended_reason)
        else:
            state.append(_("Owes {open} of a {limit} limit").format(open=format_money(d.open_balance),
                                                                  limit=format_money(d.credit_limit)))
        self.query_one("#acct-state", Static).update(state)
        self.query_one("#acct-form-title", Static).update(self._title())

    # Keys ------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "suspend":
            return allowed(self.actor.role, "account.suspend")
        if action in ("add_vehicle", "add_driver", "remove") and self.detail is None:
            return None  # dimmed: said why when pressed
        return True

    def on_key(self, event: Any) -> None:
        """A dimmed key says why (a new account is saved before it has cars)."""
        if event.key in ("f2", "f3", "delete") and self.detail is None:
            event.stop()
            self.notify(_("Save the account first (F6): then add its cars and drivers."), severity="warning")

    def _act(self, fn: Any, *args: Any, done: str) -> Any:
        """A change of the account's cars or drivers, then the account read again (both in the worker)."""
        assert self.detail is not None
        account_id = self.detail.id

        def run() -> AccountDetail:
            fn(self.services, self.actor, *args)
            return accounts.account_detail(self.services, self.actor, account_id)

        def then(detail: AccountDetail) -> None:
            self._changed(detail)
            self.notify(done, timeout=4)

        pipeline.call(self, run, then=then, failed=self._failed, group="account-form", saves=True)

    def _changed(self, detail: AccountDetail) -> None:
        self.detail = detail
        self.saved = self.saved or True
        self._show_lists()

    def _failed(self, error: FrontdeskError) -> None:
        self.notify(error.message if isinstance(error, ValidationError) else str(error), title=_("Not saved"),
                    severity="error", timeout=8)

    def action_add_vehicle(self) -> None:
        if self.detail is None:
            return
        account_id = self.detail.id
        services, actor = self.services, self.actor

        def save(values: dict[str, str]) -> AccountDetail:
            vehicle_id = find_vehicle(services, values["plate"])
            try:
                accounts.add_vehicle(services, actor, account_id, vehicle_id)
            except ValidationError as exc:  # the car is on an account already: said beside the plate
                raise ValidationError("plate", exc.message) from None
            return accounts.account_detail(services, actor, account_id)

        def done(outcome: Any) -> None:
            if isinstance(outcome, FrontdeskError):
                self._failed(outcome)
            elif outcome is not None:
                self._changed(outcome)
                self.notify(_("Car added to the account."), timeout=4)
                self.query_one("#acct-vehicles", ListTable).focus()

        self.app.push_screen(plate_form(save), done)

    def action_add_driver(self) -> None:
        if self.detail is None:
            return
        account_id = self.detail.id
        services, actor = self.services, self.actor

        def save(values: dict[str, str]) -> AccountDetail:
            accounts.add_driver(services, actor, account_id, values["name"], values["phone"])
            return accounts.account_detail(services, actor, account_id)

        def done(outcome: Any) -> None:
            if isinstance(outcome, FrontdeskError):
                self._failed(outcome)
            elif outcome is not None:
                self._changed(outcome)
                self.notify(_("Driver added."), timeout=4)
                self.query_one("#acct-drivers", ListTable).focus()

        self.app.push_screen(driver_form(save), done)

    def action_remove(self) -> None:
        d = self.detail
        if d is None:
            return
        focused = self.focused.id if self.focused is not None else None
        if focused == "acct-drivers":
            key = self.query_one("#acct-drivers", ListTable).cursor_key
            driver = next((r for r in d.drivers if f"d{r.id}" == key), None)
            if driver is None:
                self.notify(_("No driver yet: F3 adds one."), severity="warning")
                return
            self._act(accounts.set_driver_active, driver.id, not driver.active,
                      done=(_("{name} withdrawn.") if driver.active else _("{name} authorised again.")).format(
                          name=driver.name))
            return
        key = self.query_one("#acct-vehicles", ListTable).cursor_key
        vehicle = next((v for v in d.vehicles if f"v{v.vehicle_id}" == key), None)
        if focused != "acct-vehicles" or vehicle is None:
            self.notify(_("Highlight a car or a driver in the lists below (Tab) first."), severity="warning")
            return
        from .confirm import ConfirmScreen

        def answered(ok: bool | None) -> None:
            if ok:
                self._act(accounts.remove_vehicle, d.id, vehicle.vehicle_id,
                          done=_("{plate} taken off the account.").format(plate=vehicle.plate))

        self.app.push_screen(ConfirmScreen(_("Take the car off the account"), _(
            "Take {plate} off {code}? Its orders from now on are paid at the counter; past charges stay on the "
            "account.").format(plate=vehicle.plate, code=d.code), yes=_("Take off"), no=_("Keep")), answered)

    def action_suspend(self) -> None:
        d = self.detail
        if d is None:
            self.notify(_("Save the account first (F6)."), severity="warning")
            return
        if d.suspended:
            from .confirm import ConfirmScreen

            def answered(ok: bool | None) -> None:
                if ok:
                    self._act(accounts.reinstate, d.id, done=_("Account {code} reinstated.").format(code=d.code))

            self.app.push_screen(ConfirmScreen(_("Reinstate the account"), _(
                "Reinstate {code} {name}? Its cars may be charged to it again.").format(code=d.code, name=d.name),
                yes=_("Reinstate"), no=_("Keep suspended")), answered)
            return
        services, actor = self.services, self.actor

        def save(values: dict[str, str]) -> AccountDetail:
            accounts.suspend(services, actor, d.id, values["reason"])
            return accounts.account_detail(services, actor, d.id)

        def done(outcome: Any) -> None:
            if isinstance(outcome, FrontdeskError):
                self._failed(outcome)
            elif outcome is not None:
                self._changed(outcome)
                self.notify(_("Account {code} suspended.").format(code=d.code), timeout=6)

        self.app.push_screen(reason_form(_("Suspend · {code} {name}").format(code=d.code, name=d.name), save), done)

    # Saving ----------------------------------------------------------------------------------------------

    def _read(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        if isinstance(widget, Select):
            return "" if widget.is_blank() else str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def _state(self) -> tuple[str, ...]:
        return tuple(self._read(name) for name in FIELDS)

    def entered(self) -> AccountInput | None:
        values = {name: self._read(name) for name in FIELDS}
        try:
            labour = rate_from_percent(values["labour_discount"], "labour_discount")
            parts = rate_from_percent(values["parts_discount"], "parts_discount")
        except ValidationError as exc:
            self._error(exc.field, exc.message)
            return None
        return AccountInput(
            code=values["code"], name=values["name"], kind=values["kind"], contact_name=values["contact_name"],
            contact_phone=values["contact_phone"], credit_limit=values["credit_limit"] or "0",
            terms_days=values["terms_days"], monthly=values["monthly"] == YES, labour_discount=labour,
            parts_discount=parts, invoice_title=values["invoice_title"], tax_id=values["tax_id"],
            invoice_address=values["invoice_address"], invoice_bank=values["invoice_bank"], note=values["note"])

    def _save_and_read(self, data: AccountInput) -> tuple[Any, AccountDetail]:
        """Runs in the worker: the save (the version as read), then the account again."""
        d = self.detail
        ref = accounts.save_account(self.services, self.actor, data, d.id if d else None, d.version if d else None)
        return ref, accounts.account_detail(self.services, self.actor, ref.id)

    def _record(self, *args: Any) -> None:
        self._saving = True
        pipeline.call(self, self._save, *args, then=self._after_save, failed=self._refused, group=self.GROUP,
                      saves=True)

    def _after_save(self, outcome: tuple[Any, AccountDetail]) -> None:
        self._saving = False
        ref, detail = outcome
        self.saved = ref
        if self.detail is None:  # a new account: its cars and drivers come next, here
            self.detail = detail
            self._show_lists()
            self._as_opened = self._state()
            self.notify(_("Account {code} saved: F2 adds its cars, F3 its drivers.").format(code=ref.code), timeout=8)
            self.refresh_bindings()
            return
        self.dismiss(ref)

    def _error(self, name: str, message: str) -> None:
        super()._error(name, message)
        errors = self.query_one(".acct-errors")
        errors.display = any(str(w.render()).strip() for w in errors.query(Static))

    def action_back(self) -> None:
        """Esc: leaves at once when nothing typed is unsaved, else asks first."""
        if self._saving:
            return
        if self._state() == self._as_opened:
            self.dismiss(self.saved)
            return
        from .confirm import ConfirmScreen

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.saved)

        self.app.push_screen(ConfirmScreen(_("Leave without saving?"), _("The account was changed and not saved (F6)."),
                                           yes=_("Leave"), no=_("Stay")), answered)


__all__ = ["AccountForm", "find_vehicle", "rate_from_percent"]
