"""Check-in (接车): the customer, the vehicle and this visit on one form; F6 opens the order.

A check-in is three service calls (customer, vehicle, order), each its own transaction.
So that a refusal never leaves half a check-in behind, the form first checks what it can
check by itself, with the rules and messages the services use (VIN, plate, mobile, dates,
the odometer against the last visit); it asks the advisor to confirm a VIN whose check
digit does not verify, or a reading below the last one; it looks up whether the plate or
the VIN belongs to another car; and only then saves, skipping the customer or the vehicle
when nothing in them changed. Should a later step still be refused, the ids of what was
saved are kept, so the retry updates those records instead of creating them twice.

The steps go through a ``ChangeQueue`` (``frontdesk.change_queue``), one after the other:
each needs what the one before saved (the vehicle the customer's id, the order the
vehicle's), and the first refusal stops the rest. Each record carries its own version, so
the queue is not versioned: every step sends the version of the record it saves.

Fewer stops (issue 19): the fields follow how the information arrives — the driving licence
first (plate, VIN, make, model, model year, colour, sale date, the owner's name), then the
customer's mobile, then this visit (odometer, fuel, who brought the car, the contact, the
concerns). Enter goes to the next field a work order needs (plate, VIN, make, model, name,
mobile, odometer, fuel), passing over the optional ones (Tab visits every field), and on the
fuel gauge, the last of them, saves; in the sender's and contact fields Enter goes to the
next field. A VIN of 17 valid characters is decoded when it is entered or left
(services/vin_decode.py): the make, model year and model fill the fields still empty, and a
note says what the VIN said, for the advisor to confirm or correct. A known car comes
pre-filled from its last visit (contact and sender), with the focus on the odometer; the
reading is questioned below the last one, or far above what the car's pace predicts
(:func:`far_above_pace`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Checkbox, Header, Input, Label, Static, TextArea

from frontdesk.change_queue import ChangeQueue
from frontdesk.i18n import gettext as _
from frontdesk.keys import SAVE, back, binding
from frontdesk.labels import WARRANTY, label
from frontdesk.services import campaigns, checkin, desk, reception, sanbao, search, vin_decode
from frontdesk.services.account_desk import DeskAccount, desk_account, sender_not_authorised
from frontdesk.services.aftercare_views import Pace
from frontdesk.services.campaigns import CampaignFlag
from frontdesk.services.checkin import (
    CheckInInput,
    CustomerInput,
    VehicleInput,
    prefill_fields,
)
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.model.enums import ArrivalPurpose
from frontdesk.services.refs import OrderRef, Versioned
from frontdesk.services.validation import (
    VinCheck,
    is_new_energy_plate,
    normalise_phone,
    normalise_plate,
    normalise_vin,
)
from frontdesk.widgets.field import Field, show_field_error
from frontdesk.widgets.fuel_gauge import FuelGauge
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.notes_area import NotesArea

from .base import DeskScreen
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from frontdesk.services.reception import TakenArrival

TEXT_FIELDS = (
    "plate", "vin", "make", "model", "model_year", "colour", "sale_date", "name", "phone",
    "odometer_km", "brought_by_name", "brought_by_phone", "contact_phone",
)
CHECKBOXES = ("is_company", "new_energy", "same_as_owner")
#: The fields in the order they are filled (the form's tab order, less the check boxes).
FORM_ORDER = (
    "plate", "vin", "make", "model", "model_year", "colour", "sale_date", "name", "phone",
    "odometer_km", "fuel_eighths", "brought_by_name", "brought_by_phone", "contact_phone", "concerns",
)
#: What a work order needs: Enter walks these; on the last one it saves.
REQUIRED = ("plate", "vin", "make", "model", "name", "phone", "odometer_km", "fuel_eighths")
#: Typed only when they apply: Enter goes on to the next field, whatever it is.
VISIT_EXTRAS = ("brought_by_name", "brought_by_phone", "contact_phone")
#: A reading this many times what the car's pace predicts since its last reading (and at least
#: PACE_MARGIN_KM more than the last one) is asked about: a digit too many, or another car's reading.
PACE_FACTOR = 3
PACE_MARGIN_KM = 3000
#: What an untouched new form holds; "edited" means different from what was loaded.
BLANK: dict[str, Any] = {
    **{name: "" for name in TEXT_FIELDS}, "is_company": False, "new_energy": False, "same_as_owner": True,
    "fuel_eighths": None, "concerns": "",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Messages about the whole form rather than one field: their lines show only when they say something.
BANNERS = ("checkin-campaign", "checkin-sanbao", "checkin-account", "checkin-sender", "checkin-note", "vin-note",
           "vehicle-error", "appointment-error", "customer-error")


@dataclass(frozen=True)
class _Terms:
    """The three things ``checkin.warranty_status`` reads of a vehicle, for the live preview."""

    sale_date: dt.date | None
    warranty_months: int
    warranty_km: int


@dataclass(frozen=True)
class _Parsed:
    """The form after its own checks: ready for the three service calls."""

    customer: CustomerInput
    vehicle: VehicleInput
    vin: VinCheck
    km: int
    fuel: int
    concerns: str
    brought_by_name: str
    brought_by_phone: str
    contact_phone: str


def _kilometres(text: str) -> int:
    digits = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    if not digits:
        raise ValidationError("odometer_km", _("This field is required."))
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError("odometer_km", _("Enter a whole number."))
    km = int(digits)
    if km > checkin.MAX_ODOMETER:
        raise ValidationError("odometer_km", _("Enter a number between {lo} and {hi}.").format(lo=0, hi=checkin.MAX_ODOMETER))
    return km


def _model_year(text: str, this_year: int) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not checkin.FIRST_MODEL_YEAR <= int(text) <= this_year + 1:
        raise ValidationError("model_year", _("The model year must be between {first} and {last}.").format(
            first=checkin.FIRST_MODEL_YEAR, last=this_year + 1))
    return int(text)


def far_above_pace(km: int, last_km: int, last_on: dt.date | None, pace: Pace | None, today: dt.date) -> int | None:
    """The distance the car should have covered since its last reading, when ``km`` is far above it.

    Far: more than :data:`PACE_FACTOR` times what the car's pace predicts for the days since,
    and more than :data:`PACE_MARGIN_KM` above the last reading. ``None``: the reading is
    believable (or there is nothing to weigh it against).
    """
    if pace is None or last_on is None or not last_km or km <= last_km:
        return None
    expected = pace.over(max((today - last_on).days, 1))
    return expected if km - last_km > max(PACE_FACTOR * expected, PACE_MARGIN_KM) else None


def _vin_facts(services: Services, vin: str) -> tuple[vin_decode.VinFacts | None, list[CampaignFlag]]:
    """The VIN decoded, and the open campaigns for it (once a car with this VIN is recalled)."""
    return vin_decode.decode(services, vin), _campaign_flags(services, vin=vin)


def _campaign_flags(services: Services, *, vehicle_id: int | None = None, vin: str | None = None) -> list[CampaignFlag]:
    """Open recalls and service campaigns of the car (services/campaigns.py)."""
    return campaigns.open_for_vehicle(services, vehicle_id=vehicle_id, vin=vin)


def _taken_by_another(services: Services, plate: str, vin: str, vehicle_id: int | None) -> dict[str, str]:
    """Whether another vehicle has this plate or VIN (read before anything is saved)."""
    taken: dict[str, str] = {}
    for name, value, message in (
        ("plate", plate, _("Another vehicle already has this plate.")),
        ("vin", vin, _("Another vehicle already has this VIN.")),
    ):
        if any(getattr(hit, name) == value and hit.vehicle_id != vehicle_id for hit in search.search(services, value)):
            taken[name] = message
    return taken


class CheckInScreen(DeskScreen):
    """``CheckInScreen()`` for a new customer and car; ``CheckInScreen(vehicle_id=...)`` for a known one."""

    CSS_PATH = "../assets/styles/checkin.tcss"
    AUTO_FOCUS = "#plate"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        binding(SAVE, "save", "Save", tooltip="Save the customer, the vehicle and the check-in, then do the walkaround"),
        back(),
    ]

    def __init__(self, vehicle_id: int | None = None, appointment_id: int | None = None,
                 prefill: str | None = None, arrival: TakenArrival | None = None) -> None:
        super().__init__()
        if arrival is not None:  # taken from the reception queue: its car, appointment and plate
            vehicle_id = vehicle_id if vehicle_id is not None else arrival.vehicle_id
            appointment_id = appointment_id if appointment_id is not None else arrival.appointment_id
            prefill = prefill or arrival.plate or None
        self._arrival = arrival
        self._prefill = prefill_fields(prefill) if prefill and vehicle_id is None else {}
        self._vehicle_id = vehicle_id
        self._appointment_id = appointment_id
        self._appointment_note = ""
        self._decoded_vin = ""  # the VIN last sent to the decoder (a VIN is decoded once)
        self._last_reading_on: dt.date | None = None
        self._pace: Pace | None = None
        self._vehicle_version: int | None = None
        self._customer_id: int | None = None
        self._customer_version: int | None = None
        # What the database holds now (None: not saved yet); an unchanged record is not saved again.
        self._saved_customer: CustomerInput | None = None
        self._saved_vehicle: VehicleInput | None = None
        self._address = ""
        self._notes = ""
        self._warranty_months: int | None = None
        self._warranty_km: int | None = None
        self._last_km = 0
        self._open_order = False
        # What the advisor confirmed: the VIN as typed despite its check digit, the lower reading.
        self._vin_confirmed: str | None = None
        self._km_confirmed: int | None = None
        self._pristine: dict[str, Any] = dict(BLANK)
        self._loaded = vehicle_id is None
        self._saves: ChangeQueue[Any] = ChangeQueue(self._run_save, failed=self._failed)
        self._account: DeskAccount | None = None  # the key account the car is billed to (services/account_desk.py)

    # Layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("New check-in: customer and vehicle") if self._vehicle_id is None else _("Check-in"),
                     id="checkin-title")
        # Above the scrolling form: a returning car opens on the odometer, which scrolled them out of sight at 80x24.
        yield Static("", id="checkin-campaign")
        yield Static("", id="checkin-sanbao")  # 三包: near a threshold (services/sanbao.py)
        yield Static("", id="checkin-account")  # a key account's car: the account, its balance, its drivers
        yield Static("", id="checkin-sender")  # ... and who may not bring it, or a suspended account
        yield Static("", id="checkin-note")
        with VerticalScroll(id="checkin-form"):
            yield Static("", id="vehicle-error", classes="field-error")
            yield Static("", id="appointment-error", classes="field-error")
            with Horizontal(id="checkin-columns"):
                with Vertical(id="checkin-owner", classes="checkin-column"):
                    yield Static(_("Driving licence"), classes="section")
                    with Horizontal(classes="row"):
                        yield Field("plate", _("Plate"), placeholder="粤B12345")
                        yield Field("vin", _("VIN"), placeholder=_("17 characters"))
                    yield Static("", id="vin-note")
                    with Horizontal(classes="row"):
                        yield Field("make", _("Make"))
                        yield Field("model", _("Model"))
                    with Horizontal(classes="row"):
                        yield Field("model_year", _("Model year"), placeholder=_("optional"), restrict=r"[0-9]*",
                                    max_length=4, classes="short")
                        yield Field("colour", _("Colour"), placeholder=_("optional"))
                        yield Field("sale_date", _("Sale date"), placeholder="YYYY-MM-DD")
                    with Horizontal(classes="row"):
                        yield Field("name", _("Owner's name"))
                        yield Field("phone", _("Mobile"), placeholder=_("11 digits"))
                    with Horizontal(classes="row checks"):
                        yield Checkbox(_("New-energy vehicle"), id="new_energy", compact=True)
                        yield Checkbox(_("Company customer"), id="is_company", compact=True)
                    yield Static("", id="customer-error", classes="field-error")
                with Vertical(id="checkin-visit", classes="checkin-column"):
                    yield Static(_("This visit"), classes="section")
                    with Horizontal(classes="row"):
                        yield Field("odometer_km", _("Odometer (km)"))
                        with Vertical(id="fuel_eighths-field", classes="gauge"):
                            yield Label(_("Fuel (eighths)"))
                            yield FuelGauge(id="fuel_eighths", hint=_("← → or 0-8"))
                            yield Static("", id="fuel_eighths-error", classes="field-error")
                    yield Checkbox(_("Brought in by the owner"), value=True, id="same_as_owner", compact=True)
                    with Horizontal(id="brought-by", classes="row"):
                        yield Field("brought_by_name", _("Brought in by"))
                        yield Field("brought_by_phone", _("Their mobile"))
                    yield Field("contact_phone", _("Contact mobile for this visit"),
                                placeholder=_("Empty: the owner's mobile"))
                    yield Label(_("Concerns, in the customer's own words"), classes="concerns-label")
                    yield NotesArea(id="concerns")
                    yield Static("", id="concerns-error", classes="field-error")
                    yield Static("", id="warranty")
            yield Static(_("Enter: next required field (on the fuel gauge: save) · Tab: every field"),
                         id="checkin-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#brought-by").display = False
        for field, value in self._prefill.items():
            self.query_one(f"#{field}", Input).value = value
        self._show_note()
        if self._vehicle_id is not None:
            self.call_service(desk.checkin_record, self.services, self._vehicle_id, then=self._show_record)
            self.call_service(_campaign_flags, self.services, vehicle_id=self._vehicle_id, then=self._show_campaigns)
            if allowed(self.actor.role, "sanbao.view"):
                self.call_service(sanbao.status_for_vehicle, self.services, self.actor, self._vehicle_id,
                                  then=self._show_sanbao)
            self.call_service(desk_account, self.services, self.actor, self._vehicle_id, then=self._show_account)
        else:  # a new car: the licence from the top, past what the desk's search carried in
            self._focus_first_empty(REQUIRED)
        if self._appointment_id is not None:
            self.call_service(desk.day_load, self.services, self.actor, self.services.clock().date(),
                              then=self._show_appointment)
        self._show_warranty()

    def _focus_first_empty(self, names: tuple[str, ...]) -> None:
        values = self._values()
        empty = [name for name in names if name in TEXT_FIELDS and not values[name].strip()]
        self.query_one(f"#{empty[0] if empty else names[-1]}").focus()

    def _show_note(self) -> None:
        """The appointment and what reception gave the car (roof number, key tag), on one line."""
        parts = [self._appointment_note] if self._appointment_note else []
        arrival = self._arrival
        if arrival is not None and (arrival.roof_number or arrival.key_tag):
            parts.append(_("Roof number {roof} · key tag {tag}").format(
                roof=arrival.roof_number or "—", tag=arrival.key_tag or "—"))
        self.query_one("#checkin-note", Static).update("  ·  ".join(parts))
        self._fit_banners()

    def _show_campaigns(self, flags: list[CampaignFlag]) -> None:
        """A car with an open recall or service campaign: one red line, so the estimate adds it."""
        text = ""
        if flags:
            first = flags[0]
            kind = _("Open recall") if first.kind == "recall" else _("Open service campaign")
            text = _("{kind}: {code} {title}").format(kind=kind, code=first.code, title=first.title)
            if len(flags) > 1:
                text += "  " + _("(and {n} more)").format(n=len(flags) - 1)
        self.query_one("#checkin-campaign", Static).update(text)
        self._fit_banners()

    def _show_sanbao(self, status: sanbao.SanbaoStatus | None) -> None:
        """A car in its 三包 period near a threshold: its alert, so this visit's repair is done with care."""
        self.query_one("#checkin-sanbao", Static).update(status.alert if status is not None else "")
        self._fit_banners()

    def _show_account(self, account: DeskAccount | None) -> None:
        self._account = account
        self._show_account_lines()

    def _show_account_lines(self) -> None:
        """A key account's car: whose bill it is, what it owes against its limit, who may bring it; then a
        warning when someone else brought it (said, not refused: the audit keeps it) or the account is suspended."""
        account, v = self._account, self._values()
        line = self.query_one("#checkin-account", Static)
        line.set_class(account is not None and account.suspended, "-suspended")
        warnings: list[str] = []
        if account is None:
            line.update("")
        else:  # the name only when it is not the owner's, which the title shows (a fleet's cars are its own)
            name = account.name if account.name != v["name"].strip() else ""
            parts = [_("Account {code} {name}").format(code=account.code, name=name).strip(),
                     _("owes {balance} of {limit}").format(balance=format_money(account.open_balance),
                                                           limit=format_money(account.credit_limit)),
                     _("drivers: {names}").format(names="、".join(account.drivers)) if account.drivers
                     else _("no drivers on record")]
            if account.suspended:
                parts.insert(1, _("suspended: {reason}").format(reason=account.suspended_reason or "—"))
                warnings.append(_("The account is suspended: this bill will have to be paid at the counter."))
            line.update(" · ".join(parts))
            sender = "" if v["same_as_owner"] else v["brought_by_name"]
            who = sender_not_authorised(account.drivers, sender, v["name"], v["is_company"])
            if who is not None and not sender.strip():
                warnings.append(_("Who brought it in? Untick “Brought in by the owner” and name the driver."))
            elif who is not None:
                warnings.append(_("{name} is not an authorised driver of {code}: you may go on, the check-in "
                                  "records it.").format(name=who, code=account.code))
        self.query_one("#checkin-sender", Static).update("  ".join(warnings))
        self._fit_banners()

    # Loading -------------------------------------------------------------------------------

    def _show_record(self, record: desk.CheckInRecord) -> None:
        """Fill the customer and vehicle from the database (first load, or after a conflict)."""
        card = record.card
        self._vehicle_id, self._vehicle_version = card.vehicle_id, card.version
        self._customer_id, self._customer_version = card.customer_id, card.customer_version
        self._address, self._notes = record.address, record.notes
        self._warranty_months, self._warranty_km = card.warranty_months, card.warranty_km
        self._last_km = card.last_odometer_km
        self._last_reading_on, self._pace = record.last_reading_on, record.pace
        self._open_order = card.open_order_id is not None
        self._saved_customer = CustomerInput(card.customer_name, card.phone, card.is_company, record.address, record.notes)
        model_year = card.model_year
        self._saved_vehicle = VehicleInput(
            plate=card.plate, vin=card.vin, make=card.make, model=card.model, colour=card.colour,
            sale_date=card.sale_date, warranty_months=card.warranty_months, warranty_km=card.warranty_km,
            new_energy=record.new_energy, model_year=model_year,
        )
        if record.vin_check_confirmed:
            self._vin_confirmed = card.vin  # confirmed when the car was first saved
        self._decoded_vin = card.vin  # decoded when the car was first saved: not again unless it is changed
        for name, value in (
            ("name", card.customer_name), ("phone", card.phone), ("is_company", card.is_company),
            ("plate", card.plate), ("vin", card.vin), ("make", card.make), ("model", card.model),
            ("model_year", str(model_year) if model_year else ""),
            ("colour", card.colour), ("sale_date", card.sale_date.isoformat() if card.sale_date else ""),
            ("new_energy", record.new_energy),
        ):
            self._set(name, value)
        if not self._loaded:  # the last visit's sender and contact, offered again (a reload keeps what was typed)
            self._offer_last_visit(record)
        booked = not card.vin  # booked by phone: the plate, VIN and make are completed now, off the car
        if booked:
            title = _("Check-in: {name}'s car booked by phone ({model}): complete the plate, VIN and make").format(
                name=card.customer_name, model=" ".join(filter(None, (card.make, card.model, card.plate))) or "—")
        else:
            title = _("Check-in: {plate} · {make} {model} · {name}").format(
                plate=card.plate, make=card.make, model=card.model, name=card.customer_name)
        self.query_one("#checkin-title", Static).update(title)
        if card.last_odometer_km:
            self.query_one("#odometer_km-field > Label", Label).update(
                _("Odometer (km), last {km}").format(km=card.last_odometer_km))
            on = record.last_reading_on  # in the empty box: the label has no room left at 80 or 120 columns
            if on is not None:
                day = on.strftime("%m-%d" if on.year == self.services.clock().year else "%Y-%m-%d")
                self.query_one("#odometer_km", Input).placeholder = _("last read on {date}").format(date=day)
        self.query_one("#vehicle-error", Static).update(
            _("This vehicle already has an open order: open it from the desk.") if self._open_order else "")
        self._fit_banners()
        if not self._loaded:
            self._loaded = True
            empty = [name for name in ("plate", "vin", "make", "model") if booked and not self._values()[name].strip()]
            self.query_one(f"#{empty[0] if empty else 'odometer_km'}", Input).focus()
        self._show_warranty()

    def _offer_last_visit(self, record: desk.CheckInRecord) -> None:
        """Who brought the car last time and the number called then: usually the same people again."""
        owner = record.card.customer_name
        if record.last_brought_by_name and record.last_brought_by_name != owner:
            self._set("same_as_owner", False)
            self.query_one("#brought-by").display = True
            self._set("brought_by_name", record.last_brought_by_name)
            self._set("brought_by_phone", record.last_brought_by_phone)
        if record.last_contact_phone and record.last_contact_phone != record.card.phone:
            self._set("contact_phone", record.last_contact_phone)

    def _show_appointment(self, rows: list[desk.AppointmentRow]) -> None:
        row = next((r for r in rows if r.id == self._appointment_id), None)
        if row is None:  # not today's, or no longer open: check_in says which when it is saved
            return
        self._appointment_note = _("Appointment {time}: {work}").format(
            time=row.scheduled_at.strftime("%H:%M"), work=row.requested_work)
        self._show_note()
        if row.requested_work and not self.query_one("#concerns", TextArea).text.strip():
            self._set("concerns", row.requested_work)

    # The form's values ------------------------------------------------------------------------

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS}
        values.update({name: self.query_one(f"#{name}", Checkbox).value for name in CHECKBOXES})
        values["fuel_eighths"] = self.query_one("#fuel_eighths", FuelGauge).value
        values["concerns"] = self.query_one("#concerns", TextArea).text
        return values

    def _set(self, name: str, value: Any) -> None:
        """Fill one field from the database: it counts as unedited."""
        if name in TEXT_FIELDS:
            self.query_one(f"#{name}", Input).value = value
        elif name in CHECKBOXES:
            self.query_one(f"#{name}", Checkbox).value = value
        elif name == "concerns":
            self.query_one("#concerns", TextArea).text = value
        self._pristine[name] = value

    def _edited(self) -> bool:
        return self._values() != self._pristine

    def _sale_date(self, text: str) -> dt.date | None:
        text = unicodedata.normalize("NFKC", text).strip()
        if not text:
            return None
        if not _DATE.fullmatch(text):
            raise ValidationError("sale_date", _("Enter the date as YYYY-MM-DD, for example 2024-05-01."))
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError("sale_date", _("There is no such date.")) from None
        if day > self.services.clock().date():
            raise ValidationError("sale_date", _("The sale date cannot be in the future."))
        return day

    def _check(self, v: dict[str, Any]) -> tuple[dict[str, str], _Parsed | None]:
        """The form's own checks, before anything is saved: problems by field, or the parsed form."""
        errors: dict[str, str] = {}

        def run(field: str, fn: Callable[[str], Any], text: str) -> Any:
            try:
                return fn(text)
            except ValidationError as exc:
                errors[field] = exc.message
                return None

        required = _("This field is required.")
        for name in ("name", "make", "model"):
            if not v[name].strip():
                errors[name] = required
        phone = run("phone", normalise_phone, v["phone"])
        plate = run("plate", normalise_plate, v["plate"])
        vin = run("vin", normalise_vin, v["vin"])
        sale_date = run("sale_date", self._sale_date, v["sale_date"])
        km = run("odometer_km", _kilometres, v["odometer_km"])
        model_year = run("model_year", partial(_model_year, this_year=self.services.clock().year), v["model_year"])
        if v["fuel_eighths"] is None:
            errors["fuel_eighths"] = _("Read the fuel gauge: 0 to 8 eighths (Left/Right or a digit).")
        brought_name = brought_phone = ""
        if not v["same_as_owner"]:
            brought_name = v["brought_by_name"].strip()
            if not brought_name:
                errors["brought_by_name"] = required
            if v["brought_by_phone"].strip():
                brought_phone = run("brought_by_phone", normalise_phone, v["brought_by_phone"]) or ""
        contact = run("contact_phone", normalise_phone, v["contact_phone"]) if v["contact_phone"].strip() else ""
        if self._open_order:
            errors["vehicle"] = _("This vehicle already has an open order: open it from the desk.")
        if errors:
            return errors, None
        return {}, _Parsed(
            customer=CustomerInput(v["name"].strip(), phone, v["is_company"], self._address, self._notes),
            vehicle=VehicleInput(
                plate=plate, vin=vin.vin, make=v["make"].strip(), model=v["model"].strip(), colour=v["colour"].strip(),
                sale_date=sale_date, warranty_months=self._warranty_months, warranty_km=self._warranty_km,
                new_energy=v["new_energy"], model_year=model_year,
            ),
            vin=vin, km=km, fuel=v["fuel_eighths"], concerns=v["concerns"].strip(), brought_by_name=brought_name,
            brought_by_phone=brought_phone, contact_phone=contact or "",
        )

    # Errors beside the fields ----------------------------------------------------------------

    def show_error(self, error: FrontdeskError) -> None:
        super().show_error(error)
        if isinstance(error, ValidationError):
            self._mark([error.field])
        self._fit_banners()

    def _fit_banners(self) -> None:
        for name in BANNERS:
            banner = self.query_one(f"#{name}", Static)
            banner.display = bool(str(banner.render()))

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            show_field_error(self, name, message)  # the toast is moved clear of the line
        self._mark(list(problems))
        self._fit_banners()
        self.notify(_("Check the fields marked in red."), title=_("Not saved"), severity="error", timeout=6)

    def _mark(self, names: list[str]) -> None:
        """Outline the refused inputs in red and put the focus on the first one."""
        first: Widget | None = None
        for name in names:
            try:
                widget = self.query_one(f"#{name}")
            except NoMatches:
                continue
            if isinstance(widget, (Input, TextArea, FuelGauge)):
                widget.add_class("-invalid")
                first = first or widget
        if first is not None:
            first.focus()
            first.scroll_visible(animate=False)

    def clear_errors(self) -> None:
        super().clear_errors()
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        self._fit_banners()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(FuelGauge.Changed)
    def _edited_field(self, event: Input.Changed | TextArea.Changed | FuelGauge.Changed) -> None:
        """Typing into a refused field takes its complaint away; the warranty follows the form."""
        widget = event.control
        if widget is None or not widget.id:
            return
        if widget.has_class("-invalid"):
            widget.remove_class("-invalid")
            self.query_one(f"#{widget.id}-error", Static).update("")
        if widget.id == "plate" and self.focused is widget and is_new_energy_plate(self.query_one("#plate", Input).value):
            self.query_one("#new_energy", Checkbox).value = True  # typed a green plate: tick it for the advisor
        if widget.id in ("brought_by_name", "name"):
            self._show_account_lines()
        if widget.id in ("sale_date", "odometer_km"):
            self._show_warranty()

    # Enter: the next field the order needs --------------------------------------------------

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        name = event.input.id or ""
        if name not in FORM_ORDER:
            return
        event.stop()
        if name == "vin":
            self._decode_vin()
        self._enter_from(name)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter" and isinstance(self.focused, FuelGauge):  # the gauge has no Enter of its own
            event.stop()
            event.prevent_default()
            self._enter_from("fuel_eighths")
            return
        super().on_key(event)

    def _enter_from(self, name: str) -> None:
        """From a field of the licence or the visit's reading: the next required field, or save after the last
        (optional fields are passed over: Tab visits them). From the sender's or contact fields: the next field."""
        later = FORM_ORDER[FORM_ORDER.index(name) + 1:]
        if name in VISIT_EXTRAS:
            target = next((n for n in later if all(
                node.display for node in self.query_one(f"#{n}").ancestors_with_self if isinstance(node, Widget))), None)
        else:
            target = next((n for n in later if n in REQUIRED), None)
        if target is None:
            self.action_save()
            return
        widget = self.query_one(f"#{target}")
        widget.focus()
        widget.scroll_visible(animate=False)

    @on(Input.Blurred, "#vin")
    def _left_vin(self) -> None:
        self._decode_vin()

    def _decode_vin(self) -> None:
        """A whole VIN typed (or changed): what it says about the car, in a worker."""
        try:
            vin = normalise_vin(self.query_one("#vin", Input).value).vin
        except ValidationError:
            return  # not a VIN yet: saving says what is wrong with it
        if vin == self._decoded_vin:
            return
        self._decoded_vin = vin
        self.call_service(_vin_facts, self.services, vin, then=partial(self._show_vin_facts, vin))

    def _show_vin_facts(self, vin: str, found: tuple[vin_decode.VinFacts | None, list[CampaignFlag]]) -> None:
        """Fill what is still empty (never what the advisor typed) and say what the VIN said."""
        if vin != self._decoded_vin:
            return  # the VIN was changed while this one was read: its own answer follows
        facts, flags = found
        if self._vehicle_id is None or flags:
            self._show_campaigns(flags)
        note = self.query_one("#vin-note", Static)
        if facts is None:
            note.update("")
            self._fit_banners()
            return
        values = self._values()
        for name, value in (("make", facts.make), ("model", facts.model),
                            ("model_year", str(facts.model_year) if facts.model_year else "")):
            if value and not values[name].strip():
                field = self.query_one(f"#{name}", Input)
                field.value = value
                if field is self.focused:  # the advisor is on it already: typing replaces it, Enter keeps it
                    field.select_all()
        said = " ".join(filter(None, (facts.make, facts.model, str(facts.model_year or "") or None)))
        note.update(_("VIN: {what}").format(what=said) if said else "")
        self._fit_banners()

    @on(Checkbox.Changed, "#same_as_owner")
    def _brought_by_owner(self, event: Checkbox.Changed) -> None:
        """Someone else brought the car: their name and mobile are asked for, next in the tab order."""
        self.query_one("#brought-by").display = not event.value
        self._show_account_lines()

    # Warranty, live --------------------------------------------------------------------------

    def _show_warranty(self) -> None:
        v = self._values()
        try:
            sale = self._sale_date(v["sale_date"])
        except ValidationError:
            sale = None
        try:
            km = _kilometres(v["odometer_km"])
        except ValidationError:
            km = self._last_km
        settings = self.services.settings
        terms = _Terms(sale, self._warranty_months or settings.warranty_months, self._warranty_km or settings.warranty_km)
        status = checkin.warranty_status(terms, km, self.services.clock().date())
        text = _("Warranty: {status}").format(status=label(WARRANTY, status))
        if sale is None:
            text += "  " + _("(no sale date: decided at diagnosis)")
        else:
            text += "  " + _("(sold {date}; {months} months or {km} km)").format(
                date=sale.isoformat(), months=terms.warranty_months, km=terms.warranty_km)
        widget = self.query_one("#warranty", Static)
        widget.update(text)
        for status_class in ("in_warranty", "out_of_warranty", "undetermined"):
            widget.set_class(status == status_class, f"-{status_class.replace('_', '-')}")

    # Saving -----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self._saves.idle or not self._loaded:
            return
        self.clear_errors()
        problems, parsed = self._check(self._values())
        if parsed is None:
            self._show_problems(problems)
            return
        if not parsed.vin.check_digit_ok and self._vin_confirmed != parsed.vin.vin:
            message = _("The VIN's check digit is {got}, expected {expected}: read it off the car again and confirm.").format(
                got=parsed.vin.vin[8], expected=parsed.vin.expected)
            self._ask("vin", message, _("Check the VIN"), _("The VIN is right"),
                      lambda: setattr(self, "_vin_confirmed", parsed.vin.vin))
            return
        if parsed.km < self._last_km and self._km_confirmed != parsed.km:
            self._ask_lower_odometer(parsed.km)
            return
        today = self.services.clock().date()
        expected = far_above_pace(parsed.km, self._last_km, self._last_reading_on, self._pace, today)
        if expected is not None and self._km_confirmed != parsed.km:
            assert self._last_reading_on is not None and self._pace is not None
            message = _("The odometer reads {gain} km more than at the last visit ({last} km, {days} days ago); "
                        "at this car's pace of about {pace} km a day, about {expected} km were expected. "
                        "Check it and confirm.").format(
                gain=parsed.km - self._last_km, last=self._last_km, days=(today - self._last_reading_on).days,
                pace=self._pace.per_day, expected=expected)
            self._ask("odometer_km", message, _("Check the odometer"), _("The reading is right"),
                      lambda: setattr(self, "_km_confirmed", parsed.km))
            return
        self._save(parsed)

    def _save(self, parsed: _Parsed) -> None:
        """The check-in's steps, in order: the plate and VIN looked up (when the vehicle changed), the customer
        and the vehicle saved (when new or changed), the order opened. Each step runs once the one before
        has answered, so it reads the ids that one saved."""
        services, actor = self.services, self.actor
        vehicle_changed = self._saved_vehicle != parsed.vehicle
        if vehicle_changed:
            self._saves.submit(partial(_taken_by_another, services, parsed.vehicle.plate, parsed.vehicle.vin,
                                       self._vehicle_id), then=self._after_lookup)
        if self._customer_id is None or self._saved_customer != parsed.customer:
            self._saves.submit(partial(self._save_customer, services, actor, parsed),
                               then=partial(self._customer_saved, parsed))
        if self._vehicle_id is None or vehicle_changed:
            self._saves.submit(partial(self._save_vehicle, services, actor, parsed),
                               then=partial(self._vehicle_saved, parsed))
        self._saves.submit(partial(self._check_in, services, actor, parsed), then=self._checked_in,
                           failed=partial(self._check_in_refused, parsed))

    def _run_save(self, call: Callable[[], Any], then: Callable[[Any], None],
                  failed: Callable[[FrontdeskError], None]) -> None:
        self.call_service(call, then=then, failed=failed)

    def _ask(self, field: str, message: str, title: str, yes: str, confirmed: Callable[[], None]) -> None:
        """Show the doubt beside the field and ask; a yes records it and saves again."""
        self.query_one(f"#{field}-error", Static).update(message)
        self._mark([field])

        def answered(ok: bool | None) -> None:
            if ok:
                confirmed()
                self.action_save()

        self.app.push_screen(ConfirmScreen(title, message + "\n\n" + _("Save it as typed?"), yes=yes,
                                           no=_("Correct it")), answered)

    def _ask_lower_odometer(self, km: int) -> None:
        message = _("The odometer reads less than at the last visit ({last} km). Check it and confirm.").format(
            last=self._last_km)
        self._ask("odometer_km", message, _("Check the odometer"), _("The reading is right"),
                  lambda: setattr(self, "_km_confirmed", km))

    def _after_lookup(self, taken: dict[str, str]) -> None:
        if taken:
            self._saves.drop()  # nothing is saved for a plate or VIN another car has
            self._show_problems(taken)

    # The steps run in the pipeline's worker, each after the one before answered (its ids are set by then).

    def _save_customer(self, services: Services, actor: Actor, parsed: _Parsed) -> Versioned:
        return checkin.save_customer(services, actor, parsed.customer, customer_id=self._customer_id,
                                     expected_version=self._customer_version)

    def _customer_saved(self, parsed: _Parsed, customer: Versioned) -> None:
        self._customer_id, self._customer_version = customer.id, customer.version
        self._saved_customer = parsed.customer

    def _save_vehicle(self, services: Services, actor: Actor, parsed: _Parsed) -> Versioned:
        assert self._customer_id is not None
        data = replace(parsed.vehicle, confirm_vin_check_digit=self._vin_confirmed == parsed.vehicle.vin)
        return checkin.save_vehicle(services, actor, self._customer_id, data, vehicle_id=self._vehicle_id,
                                    expected_version=self._vehicle_version)

    def _vehicle_saved(self, parsed: _Parsed, vehicle: Versioned) -> None:
        self._vehicle_id, self._vehicle_version = vehicle.id, vehicle.version
        self._saved_vehicle = parsed.vehicle

    def _check_in(self, services: Services, actor: Actor, parsed: _Parsed) -> OrderRef:
        assert self._vehicle_id is not None
        return checkin.check_in(services, actor, CheckInInput(
            vehicle_id=self._vehicle_id, odometer_km=parsed.km, fuel_eighths=parsed.fuel, concerns=parsed.concerns,
            brought_by_name=parsed.brought_by_name, brought_by_phone=parsed.brought_by_phone,
            contact_phone=parsed.contact_phone, appointment_id=self._appointment_id,
            confirm_lower_odometer=parsed.km < self._last_km and self._km_confirmed == parsed.km,
        ))

    def _check_in_refused(self, parsed: _Parsed, error: FrontdeskError) -> None:
        # Another terminal recorded a higher reading since this form was loaded: ask as above.
        if isinstance(error, ValidationError) and error.field == "odometer_km" and self._km_confirmed != parsed.km:
            assert self._vehicle_id is not None  # the order is opened for a saved vehicle
            self._saves.submit(partial(desk.vehicle_card, self.services, self._vehicle_id),
                               then=lambda card: self._recheck_km(card, parsed.km))
            return
        self._failed(error)

    def _recheck_km(self, card: desk.VehicleCard, km: int) -> None:
        self._last_km = card.last_odometer_km
        self._vehicle_version = card.version
        self._ask_lower_odometer(km)

    def _checked_in(self, order: OrderRef) -> None:
        self.notify(_("Order {number} opened.").format(number=order.number), timeout=4)
        self.fd.open_destination("walkaround", switch=True, order_id=order.id)
        if (self._arrival is not None and self._arrival.purpose == ArrivalPurpose.ACCIDENT
                and allowed(self.actor.role, "accident.edit")):
            # Registered at reception as an accident: the insurer's claim record (report number, insurer) comes
            # up over the walkaround while the customer is at the desk; Esc leaves it for later (I on the estimate).
            self.notify(_("An accident repair: record the insurer's claim now, or later with I on the estimate."),
                        timeout=8)
            self.fd.open_destination("accident", order_id=order.id)

    def _failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ConflictError) and self._vehicle_id is not None:
            self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)
            self.call_service(desk.checkin_record, self.services, self._vehicle_id, then=self._show_record)
            return
        self.show_error(error)

    # Leaving ------------------------------------------------------------------------------------

    def unsaved_work(self) -> str | None:
        """Asked by the shared desk's lock (FrontdeskApp.unsaved_work) before another user closes this screen."""
        return _("a check-in being typed") if self._edited() else None

    def action_back(self) -> None:
        if not self._edited():
            self._leave()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._leave()

        self.app.push_screen(ConfirmScreen(_("Discard this check-in?"), _("What was typed here has not been saved."),
                                           yes=_("Discard"), no=_("Keep editing")), answered)

    def _leave(self) -> None:
        """Left without an order: a customer taken from the reception queue waits there again (not lost)."""
        arrival, self._arrival = self._arrival, None
        if arrival is None:
            super().action_back()
            return
        self.call_service(reception.give_back, self.services, self.actor, arrival.arrival_id,
                          then=lambda _ref: super(CheckInScreen, self).action_back(),
                          failed=self._not_given_back)

    def _not_given_back(self, error: FrontdeskError) -> None:
        self.show_error(error)
        super().action_back()
