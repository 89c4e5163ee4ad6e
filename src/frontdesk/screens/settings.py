"""Settings (admin, service manager): the letterhead, tax and labor rates, terms, this terminal.

F6 saves through ``settings.save`` (checked as a whole, audited, the file replaced only when
the call commits); the saved settings then take effect at once in the running console —
the rates in the next estimate, the letterhead in the next document, the idle lock, and the
language, which switches without a restart (this screen is rebuilt in it; the screens
under it relabel their keys at once and the rest of their text when next opened).

The language choice shows each language in itself (简体中文 / English) on purpose: whoever
cannot read the current language still finds their own.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Header, Input, Label, Select, Static

from frontdesk.config import Settings
from frontdesk.i18n import current_language, gettext as _
from frontdesk.keys import REFRESH, SAVE, back, binding
from frontdesk.labels import PAY_TYPE, label
from frontdesk.services import settings as settings_service
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.capacity import trade_label
from frontdesk.services.settings import (
    SANBAO_NUMBERS,
    SettingsForm,
    rate_field,
    rate_keys,
    workshop_field,
    workshop_trades,
)
from frontdesk.widgets.field import Field
from frontdesk.widgets.key_footer import KeyFooter

from .base import DeskScreen
from .confirm import ConfirmScreen

#: Language codes and their names, each written in its own language.
LANGUAGE_CHOICES = (("简体中文", "zh_CN"), ("English", "en"))
#: The form's text fields, in the order of SettingsForm (labor rates and the language apart).
TEXT_FIELDS = ("name", "address", "phone", "tax_id", "logo_path", "vat_rate", "warranty_months", "warranty_km",
               "follow_up_days", "idle_lock_minutes", "printer", "pdf_dir",
               "appointment_band_minutes", "appointment_slots", "opening_hours")
#: Claims and 三包 (issue 21): the warranty claim deadline and the 三包 thresholds (services/settings.py).
CLAIM_FIELDS = ("warranty_claim_days", *(name for name, _lo, _hi in SANBAO_NUMBERS))


class SettingsScreen(DeskScreen):
    CSS_PATH = "../assets/styles/settings.tcss"
    AUTO_FOCUS = "#name"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        binding(SAVE, "save", "Save", tooltip="Check and save every setting; they take effect at once"),
        binding(REFRESH, "revert", "Undo changes", tooltip="Put back the settings as they were last saved"),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._pristine: SettingsForm | None = None
        self._busy = False

    # Layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        settings: Settings = self.services.settings
        # The language the console speaks now (a switch from the command palette included): saving keeps it.
        form = replace(SettingsForm.of(settings), language=current_language())
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Settings: the store's letterhead, rates and terms, and this terminal"), id="settings-title")
        with VerticalScroll(id="settings-form"):
            with Horizontal(id="settings-columns"):
                with Vertical(classes="settings-column", id="settings-left"):
                    yield Static(_("Letterhead (printed on the paperwork)"), classes="section")
                    yield Field("name", _("Dealership name"), value=form.name)
                    yield Field("address", _("Address"), value=form.address)
                    with Horizontal(classes="row"):
                        yield Field("phone", _("Phone"), value=form.phone, placeholder="020-12345678")
                        yield Field("tax_id", _("Tax id"), value=form.tax_id)
                    yield Field("logo_path", _("Logo (PNG or JPEG file)"), value=form.logo_path,
                                placeholder=_("Empty: no logo"))
                    yield Static(_("This terminal"), classes="section")
                    with Horizontal(classes="row"):
                        yield Field("idle_lock_minutes", _("Lock after idle (minutes)"), value=form.idle_lock_minutes)
                        with Vertical(id="language-field", classes="select-field"):
                            yield Label(_("Language"))
                            yield Select(LANGUAGE_CHOICES, value=form.language, allow_blank=False, id="language",
                                         compact=True)
                            yield Static("", id="language-error", classes="field-error")
                    with Horizontal(classes="row"):
                        yield Field("printer", _("Printer"), value=form.printer, placeholder=_("Empty: PDF only"))
                        yield Field("pdf_dir", _("PDF folder"), value=form.pdf_dir,
                                    placeholder=_("Empty: the default folder"))
                with Vertical(classes="settings-column", id="settings-right"):
                    yield Static(_("Tax and labor rates"), classes="section")
                    keys = list(rate_keys(settings))
                    typed = dict(form.labor_rates)
                    with Horizontal(classes="row"):
                        yield Field("vat_rate", _("VAT rate (%)"), value=form.vat_rate)
                        yield Field(rate_field("default"), _("Default labor rate (¥/hour)"), value=typed["default"])
                    rest = keys[1:]
                    for i in range(0, len(rest), 2):
                        with Horizontal(classes="row"):
                            for key in rest[i:i + 2]:
                                yield Field(rate_field(key), self._rate_label(key), value=typed[key],
                                            placeholder=_("Default rate"))
                    yield Static(_("Warranty and after-sales"), classes="section")
                    with Horizontal(classes="row"):
                        yield Field("warranty_months", _("Warranty (months)"), value=form.warranty_months)
                        yield Field("warranty_km", _("Warranty (km)"), value=form.warranty_km)
                    yield Field("follow_up_days", _("Follow-up call after delivery (days)"),
                                value=form.follow_up_days)
                    yield Field("reception_wait_red_minutes", _("Reception: a wait turns red after (minutes)"),
                                value=form.reception_wait_red_minutes)
                    yield Static(_("Claims and 三包"), classes="section")
                    yield Field("warranty_claim_days", _("Warranty claim due (days after the repair)"),
                                value=form.warranty_claim_days)
                    with Horizontal(classes="row"):
                        yield Field("sanbao_years", _("三包 period (years)"), value=form.sanbao_years)
                        yield Field("sanbao_km", _("三包 period (km)"), value=form.sanbao_km)
                    with Horizontal(classes="row"):
                        yield Field("sanbao_days_warn", _("Warn at (days in the workshop)"),
                                    value=form.sanbao_days_warn)
                        yield Field("sanbao_days_limit", _("Limit (days in the workshop)"),
                                    value=form.sanbao_days_limit)
                    yield Field("sanbao_repeat_limit", _("Repairs of one serious system (limit)"),
                                value=form.sanbao_repeat_limit)
                    yield Static(_("Appointment capacity"), classes="section")
                    with Horizontal(classes="row"):
                        yield Field("appointment_band_minutes", _("Band (minutes)"),
                                    value=form.appointment_band_minutes)
                        yield Field("appointment_slots", _("Slots per band per advisor"), value=form.appointment_slots)
                    yield Field("opening_hours", _("Opening hours"), value=form.opening_hours,
                                placeholder="08:30-17:30")
                    hours = dict(form.workshop_hours)
                    trades = list(workshop_trades(settings))
                    for i in range(0, len(trades), 2):
                        with Horizontal(classes="row"):
                            for trade in trades[i:i + 2]:
                                yield Field(workshop_field(trade), _("{trade} hours a day").format(
                                    trade=trade_label(trade)), value=hours.get(trade, ""),
                                    placeholder=_("Empty: not limited"))
        yield KeyFooter()

    @staticmethod
    def _rate_label(key: str) -> str:
        name = label(PAY_TYPE, key) if key in PAY_TYPE else key
        return _("{pay_type} (¥/hour)").format(pay_type=name)

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        """The letterhead as the store's record has it (another terminal may have changed it)."""
        self._busy = True
        self._pristine = None
        self.call_service(settings_service.current, self.services, self.actor, then=self._loaded,
                          failed=self._refused)

    def _loaded(self, settings: Settings) -> None:
        d = settings.dealership
        for name, value in (("name", d.name), ("address", d.address), ("phone", d.phone), ("tax_id", d.tax_id)):
            self.query_one(f"#{name}", Input).value = value
        self._pristine = self._form()
        self._busy = False
        # Focusing the first field scrolls it into view; the section title above it belongs on show too.
        self.call_after_refresh(self.query_one("#settings-form", VerticalScroll).scroll_home, animate=False)

    # The form ---------------------------------------------------------------------------------

    def _form(self) -> SettingsForm:
        fields = (*TEXT_FIELDS, "reception_wait_red_minutes", *CLAIM_FIELDS)  # reception (issue 20), issue 21
        values = {name: self.query_one(f"#{name}", Input).value for name in fields}
        rates = tuple((key, self.query_one(f"#{rate_field(key)}", Input).value)
                      for key in rate_keys(self.services.settings))
        language = self.query_one("#language", Select).value
        workshop = tuple((trade, self.query_one(f"#{workshop_field(trade)}", Input).value)
                         for trade in workshop_trades(self.services.settings))
        return SettingsForm(labor_rates=rates, language=str(language), workshop_hours=workshop, **values)

    def unsaved_work(self) -> str | None:
        """Asked by the shared desk's lock (FrontdeskApp.unsaved_work) before another user closes this screen."""
        return _("the settings' unsaved changes") if self._changed() else None

    def _changed(self) -> bool:
        return self._pristine is not None and self._form() != self._pristine

    # Actions ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._busy or self._pristine is None:  # not before the store's letterhead is on the form
            return
        self._busy = True
        self.clear_errors()
        self.call_service(settings_service.save, self.services, self.actor, self._form(),
                          then=self._saved, failed=self._refused)

    def _saved(self, settings: Settings) -> None:
        self._busy = False
        language_changed = settings.language != current_language()
        self.fd.apply_settings(settings)
        self.notify(_("Settings saved to {path}; they apply from now on.").format(
            path=settings_service.config_file(settings)), title=_("Saved"))
        if language_changed:
            self.call_later(self._rebuild)
        else:
            self._pristine = self._form()

    def _refused(self, error: FrontdeskError) -> None:
        self._busy = False
        self.show_error(error)
        if isinstance(error, ValidationError):
            try:
                widget = self.query_one(f"#{error.field}")
            except NoMatches:
                return
            widget.focus()

    async def _rebuild(self) -> None:
        """Every label here is written at compose time: a new language means a new form."""
        await self.recompose()
        self.query_one("#name", Input).focus()
        self._load()

    def action_revert(self) -> None:
        self.call_later(self._rebuild)

    def action_back(self) -> None:
        if not self._changed():
            super().action_back()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                super(SettingsScreen, self).action_back()

        self.app.push_screen(ConfirmScreen(_("Leave without saving?"),
                                           _("The changes on this screen are not saved yet."),
                                           yes=_("Leave"), no=_("Stay")), answered)
