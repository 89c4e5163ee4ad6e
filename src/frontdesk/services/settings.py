"""Saving the settings screen: the store's letterhead, rates and terms, this terminal's habits.

The settings live in a TOML file (see :mod:`frontdesk.config`), not the database, but a
save is still one service call: the form is checked as a whole first (a refusal names its
field and writes nothing), the store's own record gets the letterhead (the paperwork prints
the store's name, address, phone and tax id from the database, so every terminal of the
store prints the same), and the audit event lists each value before and after.

The file is written beside the old one first and put in its place only when the database
transaction commits: a refused or failed call leaves the old file, and a saved file always
has its audit event.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import event

from frontdesk.config import Dealership, Settings, default_config_path, opening_times, settings_text, stage_file
from frontdesk.i18n import LANGUAGES, gettext as _
from frontdesk.model import Store
from frontdesk.model.enums import PayType

from .common import positive_int, text
from .context import Actor, Services, Tx, service
from .errors import FrontdeskError, ValidationError
from .money import ROUND_OFF_SETTINGS, parse_money

#: 三包 (services/sanbao.py): (field, lowest, highest); the form leaves them as the file has them when blank.
SANBAO_NUMBERS = (("sanbao_years", 1, 10), ("sanbao_km", 1000, 1_000_000), ("sanbao_days_limit", 1, 365),
                  ("sanbao_days_warn", 1, 365), ("sanbao_repeat_limit", 1, 10))
#: What the settings screen edits; the rest of the file (database, font, store code) is the installer's.
EDITED_KEYS = (
    "dealership", "vat_rate", "labor_rates", "warranty_months", "warranty_km",
    "follow_up_days", "idle_lock_minutes", "language", "printer", "pdf_dir", "round_off",
    "reception_wait_red_minutes",
    "warranty_claim_days",
    "appointment_band_minutes", "appointment_slots", "opening_hours", "workshop_hours",
    *(name for name, _lo, _hi in SANBAO_NUMBERS),
)
#: Appointment capacity (services/capacity.py): (field, lowest, highest).
CAPACITY_NUMBERS = (("appointment_band_minutes", 5, 240), ("appointment_slots", 1, 50))
MAX_WORKSHOP_HOURS = Decimal(2000)
#: Whole-number settings: (field, lowest, highest).
WHOLE_NUMBERS = (
    ("warranty_months", 0, 240),
    ("warranty_km", 0, 1_000_000),
    ("follow_up_days", 1, 30),
    ("idle_lock_minutes", 1, 480),
)
# The unified social credit code (统一社会信用代码): 18 characters, digits and capitals without I, O, S, V, Z.
_TAX_ID_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_PHONE_SEPARATORS = frozenset("-+() ")
_PRINTER_FORBIDDEN = frozenset(" \t/\\#'\"")
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def rate_keys(settings: Settings) -> tuple[str, ...]:
    """The labor rates the screen offers: the default, each pay type, then any other key the file has."""
    keys = ["default", *(p.value for p in PayType)]
    return tuple(keys + [k for k in settings.labor_rates if k not in keys])


def rate_field(key: str) -> str:
    return f"labor_{key}"


def percent_text(rate: Decimal) -> str:
    """0.13 → "13", 0.065 → "6.5": the VAT rate as a person types it."""
    return f"{(rate * 100).normalize():f}"


@dataclass(frozen=True)
class SettingsForm:
    """The settings screen as typed; every value is text, checked by :func:`save`."""

    name: str
    address: str
    phone: str
    tax_id: str
    logo_path: str
    vat_rate: str  # in percent: "13"
    labor_rates: tuple[tuple[str, str], ...]  # (pay type or "default", rate); empty = the default rate
    warranty_months: str
    warranty_km: str
    follow_up_days: str
    idle_lock_minutes: str
    language: str
    printer: str
    pdf_dir: str
    #: 抹零: "none", "jiao" or "yuan"; "" keeps what the file says (a form that does not show it).
    round_off: str = ""
    #: Reception: a wait over this many minutes shows red; "" keeps what the file says.
    reception_wait_red_minutes: str = ""
    #: Warranty claims: days after the repair to submit the claim; "" keeps what the file says.
    warranty_claim_days: str = ""
    #: Appointment capacity; "" (and no trades) keeps what the file says.
    appointment_band_minutes: str = ""
    appointment_slots: str = ""
    opening_hours: str = ""
    workshop_hours: tuple[tuple[str, str], ...] = ()  # (trade, hours a day); an empty value: not limited
    #: 三包 thresholds; "" keeps what the file says.
    sanbao_years: str = ""
    sanbao_km: str = ""
    sanbao_days_limit: str = ""
    sanbao_days_warn: str = ""
    sanbao_repeat_limit: str = ""

    @classmethod
    def of(cls, settings: Settings) -> SettingsForm:
        d = settings.dealership
        rates = tuple((k, str(settings.labor_rates[k]) if k in settings.labor_rates else "") for k in rate_keys(settings))
        return cls(
            name=d.name, address=d.address, phone=d.phone, tax_id=d.tax_id, logo_path=d.logo_path,
            vat_rate=percent_text(settings.vat_rate), labor_rates=rates,
            warranty_months=str(settings.warranty_months), warranty_km=str(settings.warranty_km),
            follow_up_days=str(settings.follow_up_days), idle_lock_minutes=str(settings.idle_lock_minutes),
            language=settings.language, printer=settings.printer, pdf_dir=settings.pdf_dir,
            round_off=settings.round_off,
            reception_wait_red_minutes=str(settings.reception_wait_red_minutes),
            warranty_claim_days=str(settings.warranty_claim_days),
            appointment_band_minutes=str(settings.appointment_band_minutes),
            appointment_slots=str(settings.appointment_slots), opening_hours=settings.opening_hours,
            workshop_hours=tuple((t, f"{settings.workshop_hours[t].normalize():f}" if t in settings.workshop_hours
                                  else "") for t in workshop_trades(settings)),
            **{name: str(getattr(settings, name)) for name, _lo, _hi in SANBAO_NUMBERS},
        )


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _phone(value: str) -> str:
    phone = _fold(value)
    digits = sum(ch.isdigit() and ch.isascii() for ch in phone)
    if phone and (any(not (ch.isascii() and ch.isdigit()) and ch not in _PHONE_SEPARATORS for ch in phone)
                  or not 7 <= digits <= 20):
        raise ValidationError("phone", _("A phone number has 7 to 20 digits, with - ( ) + or spaces between them."))
    return text(phone, "phone", max_len=40)


def _tax_id(value: str) -> str:
    code = "".join(_fold(value).upper().split())
    if code and (len(code) != 18 or not set(code) <= _TAX_ID_ALPHABET):
        raise ValidationError("tax_id", _("The unified social credit code has 18 digits and capital letters "
                                          "(no I, O, S, V or Z)."))
    return code


def _whole_path(value: str, field: str) -> Path | None:
    raw = _fold(value)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ValidationError(field, _("Give the whole path, starting with / or ~."))
    return path


def _logo(value: str) -> str:
    path = _whole_path(value, "logo_path")
    if path is None:
        return ""
    if not path.is_file():
        raise ValidationError("logo_path", _("There is no file {path}.").format(path=path))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ValidationError("logo_path", _("The file cannot be read: {error}").format(error=exc.strerror or exc)) from None
    if not head.startswith(_IMAGE_MAGIC):
        raise ValidationError("logo_path", _("The logo must be a PNG or JPEG image."))
    return _fold(value)


def _vat_rate(value: str) -> Decimal:
    raw = _fold(value).removesuffix("%").strip()
    if not raw:
        raise ValidationError("vat_rate", _("This field is required."))
    try:
        percent = Decimal(raw)
    except InvalidOperation:
        raise ValidationError("vat_rate", _("This is not a number.")) from None
    if not percent.is_finite() or not raw.replace(".", "", 1).isdigit():
        raise ValidationError("vat_rate", _("This is not a number."))
    if percent >= 100:
        raise ValidationError("vat_rate", _("The VAT rate is a percentage below 100."))
    if percent != percent.quantize(Decimal("0.01")):
        raise ValidationError("vat_rate", _("Use at most 2 decimal places."))
    return percent.normalize() / 100


def _labor_rates(rows: tuple[tuple[str, str], ...]) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for key, typed in rows:
        field = rate_field(key)
        if not _fold(typed):
            if key == "default":
                raise ValidationError(field, _("This field is required."))
            continue  # this pay type is charged at the default rate
        rate = parse_money(typed, field)
        if key == "default" and rate == 0:
            raise ValidationError(field, _("The default labor rate cannot be zero."))
        rates[key] = rate
    return rates


def _printer(value: str) -> str:
    name = _fold(value)
    if any(ch in _PRINTER_FORBIDDEN or not ch.isprintable() for ch in name):
        raise ValidationError("printer", _("A printer name has no spaces, slashes, quotes or #."))
    return text(name, "printer", max_len=127)


def _pdf_dir(value: str) -> str:
    """Blank: the default folder. Otherwise a folder that is, or can be made, writable; nothing is created yet."""
    path = _whole_path(value, "pdf_dir")
    if path is None:
        return ""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe == path and not path.is_dir():
        raise ValidationError("pdf_dir", _("{path} is not a folder.").format(path=path))
    if not probe.is_dir():
        raise ValidationError("pdf_dir", _("The folder cannot be made: {path} is a file.").format(path=probe))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ValidationError("pdf_dir", _("This terminal's user cannot write to {path}.").format(path=probe))
    return _fold(value)


def checked(form: SettingsForm, current: Settings) -> Settings:
    """The settings the form asks for, or the first field it gets wrong (in the screen's order)."""
    dealership = Dealership(
        name=text(form.name, "name", max_len=100, required=True),
        address=text(form.address, "address", max_len=200),
        phone=_phone(form.phone),
        tax_id=_tax_id(form.tax_id),
        logo_path=_logo(form.logo_path),
    )
    vat_rate = _vat_rate(form.vat_rate)
    labor_rates = _labor_rates(form.labor_rates)
    whole = {name: _whole(getattr(form, name), name, lo, hi) for name, lo, hi in WHOLE_NUMBERS}
    if form.language not in LANGUAGES:
        raise ValidationError("language", _("Choose Chinese or English."))
    red = _fold(form.reception_wait_red_minutes)
    if red:  # reception (services/reception.py)
        whole["reception_wait_red_minutes"] = _whole(red, "reception_wait_red_minutes", 1, 240)
    if _fold(form.warranty_claim_days):  # warranty claims (services/warranty_claims.py)
        whole["warranty_claim_days"] = _whole(form.warranty_claim_days, "warranty_claim_days", 1, 365)
    for name, lo, hi in SANBAO_NUMBERS:
        if _fold(getattr(form, name)):
            whole[name] = _whole(getattr(form, name), name, lo, hi)
    if whole.get("sanbao_days_warn", current.sanbao_days_warn) > whole.get("sanbao_days_limit", current.sanbao_days_limit):
        raise ValidationError("sanbao_days_warn", _("The warning comes before the limit: at most {n} days.").format(
            n=whole.get("sanbao_days_limit", current.sanbao_days_limit)))
    round_off = _fold(form.round_off).lower() or current.round_off
    if round_off not in ROUND_OFF_SETTINGS:
        raise ValidationError("round_off", _("Rounding off is none, jiao or yuan."))
    return replace(current, dealership=dealership, vat_rate=vat_rate, labor_rates=labor_rates, language=form.language,
                   printer=_printer(form.printer), pdf_dir=_pdf_dir(form.pdf_dir), round_off=round_off, **whole,
                   **_capacity(form))


def workshop_trades(settings: Settings) -> tuple[str, ...]:
    """The trades the screen offers: mechanical, body, electrical, then any other the file names."""
    from .capacity import TRADES

    return TRADES + tuple(t for t in settings.workshop_hours if t not in TRADES)


def workshop_field(trade: str) -> str:
    return f"hours_{trade}"


def _capacity(form: SettingsForm) -> dict[str, Any]:
    """The appointment capacity settings the form asks for (blank ones keep the file's)."""
    out: dict[str, Any] = {}
    for name, lo, hi in CAPACITY_NUMBERS:
        if _fold(getattr(form, name)):
            out[name] = _whole(getattr(form, name), name, lo, hi)
    hours = _fold(form.opening_hours)
    if hours:
        try:
            opens, closes = opening_times(hours)
        except ValueError:
            raise ValidationError("opening_hours", _("Give the opening hours as 08:30-17:30.")) from None
        out["opening_hours"] = f"{opens:%H:%M}-{closes:%H:%M}"
    if form.workshop_hours:
        limits: dict[str, Decimal] = {}
        for trade, typed in form.workshop_hours:
            field = workshop_field(trade)
            raw = _fold(typed)
            if not raw:
                continue  # this trade is not limited
            try:
                value = Decimal(raw)
            except InvalidOperation:
                raise ValidationError(field, _("This is not a number.")) from None
            if not value.is_finite() or value <= 0 or value > MAX_WORKSHOP_HOURS:
                raise ValidationError(field, _("Give the hours a day, from 1 to {n}; empty: not limited.").format(
                    n=MAX_WORKSHOP_HOURS))
            value = value.quantize(Decimal("0.1"))
            limits[trade] = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
        out["workshop_hours"] = limits
    return out


def _whole(value: str, field: str, lo: int, hi: int) -> int:
    if not _fold(value):
        raise ValidationError(field, _("This field is required."))
    number = positive_int(_fold(value), field, maximum=hi)
    if number < lo:
        raise ValidationError(field, _("Enter a number between {lo} and {hi}.").format(lo=lo, hi=hi))
    return number


def _flat(settings: Settings) -> dict[str, Any]:
    """Every edited value under one key ("dealership.name", "labor_rates.warranty"), for the audit."""
    out: dict[str, Any] = {}
    for key in EDITED_KEYS:
        value = getattr(settings, key)
        if isinstance(value, Dealership):
            out.update({f"dealership.{k}": v for k, v in vars(value).items()})
        elif isinstance(value, dict):
            out.update({f"{key}.{k}": str(v) for k, v in value.items()})
        else:
            out[key] = str(value) if isinstance(value, Decimal) else value
    return out


def _with_store(settings: Settings, store: Store) -> Settings:
    d = settings.dealership
    return replace(settings, dealership=replace(d, name=store.name, address=store.address, phone=store.phone,
                                                tax_id=store.tax_id))


def current(services: Services, actor: Actor) -> Settings:
    """The settings as the screen shows them: the letterhead from the store's record, the rest from this terminal.

    Another terminal may have saved a new letterhead since this one read its file; showing
    the file's would put the old one back on the next save.
    """
    with services.db.reader() as session:
        store = session.get(Store, actor.store_id)
        assert store is not None
        return _with_store(services.settings, store)


def config_file(settings: Settings) -> Path:
    return Path(settings.config_path) if settings.config_path else default_config_path()


@service("settings.save")
def save(tx: Tx, form: SettingsForm) -> Settings:
    """Check the form, update the store's letterhead, write the file when the call commits; return the new settings."""
    new = checked(form, tx.settings)
    path = config_file(tx.settings)
    try:
        staged = stage_file(path, settings_text(new, path, EDITED_KEYS))
    except OSError as exc:
        raise FrontdeskError(_("The settings file {path} cannot be written: {error}").format(
            path=path, error=exc.strerror or exc)) from None
    except ValueError as exc:  # the file is no longer valid TOML (edited by hand since the start)
        raise FrontdeskError(_("The settings file {path} cannot be read: {error}").format(path=path, error=exc)) from None
    event.listen(tx.session, "after_commit", lambda _session: os.replace(staged, path), once=True)
    event.listen(tx.session, "after_rollback", lambda _session: staged.unlink(missing_ok=True), once=True)

    store = tx.session.get(Store, tx.actor.store_id)
    assert store is not None
    old_values, new_values = _flat(_with_store(tx.settings, store)), _flat(new)
    d = new.dealership
    store.name, store.address, store.phone, store.tax_id = d.name, d.address, d.phone, d.tax_id

    changed = sorted(k for k in old_values.keys() | new_values.keys() if old_values.get(k) != new_values.get(k))
    tx.audit("settings", store.id, before={k: old_values.get(k) for k in changed},
             after={**{k: new_values.get(k) for k in changed}, "file": str(path)})
    return new
