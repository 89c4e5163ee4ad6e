"""Appointment capacity (预约限量) and the reminder call the day before.

Rules, where the issue leaves them open:

- The day is cut into **bands** of ``appointment_band_minutes`` from the opening time
  (``opening_hours``, "08:30-17:30": a booking starts at or after opening and before
  closing; in the past or outside those hours it is refused, override or not). Each
  advisor takes ``appointment_slots`` bookings a band; a band's slots are that times the
  store's active advisors. Appointments booked, arrived or recorded as a no-show hold their
  slot (the advisor's time was kept for them); cancelled ones free it.
- The workshop's hours a day are kept by **trade** — 机修 mechanical, 钣喷 body, 电工
  electrical — the way the workshop is staffed: the labour-operation categories, which are
  also the skills teams and technicians list, fall into them (:data:`TRADE_OF_CATEGORY`;
  any other category is mechanical). ``workshop_hours`` gives each trade's hours a day; a
  trade it leaves out is not limited.
- A booking's **hours** are the advisor's typed estimate, else the standard hours of the
  labour operations the requested work names (an operation's name, the short name in its
  brackets — 首保 —, or its name without 更换), else :data:`DEFAULT_HOURS`. Its **trade** is
  typed, else the one of those operations carrying the most hours, else the one whose words
  (:data:`TRADE_WORDS`: 钣金, 喷漆, 空调, 电瓶…) the requested work uses, else mechanical.
- Over capacity — the advisor's band full, or the trade's hours that day used up — the
  booking is refused with :class:`CapacityError`, naming the full band (or day) and the
  nearest free one, unless a supervisor or service manager confirms with their password on
  the spot (``auth.verify_manager``, the same check and lockout as a manager's discount);
  the appointment keeps who let it in and the audit event says so.
- The **reminder call** is made the day before: tomorrow's booked appointments not yet
  reached. Confirmed, moved (to a new time, capacity checked again) or cancelled ends the
  call; no answer keeps the appointment in the queue to be tried again. Each is one call.
- **Capacity used**: slots held ÷ slots offered, over the days of a range (the bands of the
  opening hours × the slots × the active advisors).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.config import Settings, opening_times
from frontdesk.i18n import gettext as _
from frontdesk.model import Appointment, Customer, LaborOperation, User, Vehicle
from frontdesk.model.enums import AppointmentStatus, Role
from frontdesk.model.order import ReminderOutcome

from .auth import ManagerApproval, verify_manager
from .campaigns_flag import open_vins
from .common import get
from .context import Actor, Services, Tx, check_version, service, unflushed
from .desk_home import BookedAppointment
from .errors import NotFound, ValidationError
from .refs import AppointmentRef

TRADES = ("mechanical", "body", "electrical")
TRADE_OF_CATEGORY = {
    "body": "body", "paint": "body", "glass": "body",
    "electrical": "electrical", "diagnostics": "electrical", "air_conditioning": "electrical",
    "new_energy": "electrical",
}
TRADE_WORDS = {
    "body": ("钣金", "钣喷", "喷漆", "补漆", "油漆", "划痕", "刮花", "凹陷", "撞", "碰", "事故", "玻璃", "挡风",
             "body", "paint", "dent", "scratch", "glass"),
    "electrical": ("空调", "电瓶", "蓄电池", "电器", "电路", "充电", "灯", "音响", "导航", "故障码", "诊断", "三电",
                   "air con", "battery", "electric", "light", "charging"),
}
DEFAULT_HOURS = Decimal("1.0")
MAX_HOURS = Decimal(99)
NEAREST_DAYS = 14  # how far ahead the nearest day with workshop hours left is looked for
#: The roles that may let a booking in over capacity (the desk lead's: the workshop supervisor, the manager).
OVERRIDE_ROLES = (Role.SUPERVISOR, Role.MANAGER)
#: The appointments holding a slot.
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW)


def trade_label(trade: str) -> str:
    return {"mechanical": _("Mechanical"), "body": _("Body and paint"), "electrical": _("Auto electrical")}.get(trade, trade)


def trade_short(trade: str) -> str:
    """The trade in a few letters, for the day's load line (机修 / 钣喷 / 电工)."""
    return {"mechanical": _("Mech"), "body": _("Body"), "electrical": _("Elec")}.get(trade, trade)


class CapacityError(ValidationError):
    """A booking over capacity: ``nearest`` is the nearest time (or day) with room; a lead may override."""

    def __init__(self, message: str, *, full: dt.datetime, nearest: dt.datetime | None) -> None:
        super().__init__("scheduled_at", message)
        self.full = full
        self.nearest = nearest


# Bands -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """The store's booking day as the settings give it."""

    opens: dt.time
    closes: dt.time
    band_minutes: int
    slots: int

    @classmethod
    def of(cls, settings: Settings) -> Hours:
        opens, closes = opening_times(settings.opening_hours)
        return cls(opens, closes, max(5, settings.appointment_band_minutes), max(1, settings.appointment_slots))

    def bands(self, day: dt.date) -> list[dt.datetime]:
        start = dt.datetime.combine(day, self.opens)
        end = dt.datetime.combine(day, self.closes)
        step = dt.timedelta(minutes=self.band_minutes)
        out = []
        while start < end:
            out.append(start)
            start += step
        return out

    def band_of(self, when: dt.datetime) -> dt.datetime:
        opened = dt.datetime.combine(when.date(), self.opens)
        n = int((when - opened).total_seconds() // 60) // self.band_minutes
        return opened + dt.timedelta(minutes=n * self.band_minutes)

    def is_open(self, when: dt.datetime) -> bool:
        return self.opens <= when.time() < self.closes


def bookable_time(when: dt.datetime, now: dt.datetime, settings: Settings, field: str = "scheduled_at") -> dt.datetime:
    """The time to the minute, or a clear refusal: in the past, or outside the opening hours."""
    if when < now - dt.timedelta(minutes=5):
        raise ValidationError(field, _("An appointment cannot be in the past."))
    hours = Hours.of(settings)
    if not hours.is_open(when):
        raise ValidationError(field, _("The store takes appointments from {opens} to {closes}.").format(
            opens=f"{hours.opens:%H:%M}", closes=f"{hours.closes:%H:%M}"))
    return when.replace(second=0, microsecond=0)


# Estimating the hours ------------------------------------------------------------------------------

_BRACKETS = re.compile(r"[(（]([^)）]*)[)）]")


def _aliases(name: str, name_en: str) -> set[str]:
    plain = _BRACKETS.sub("", name).strip()
    names = {name, plain, *(_BRACKETS.findall(name))}
    names |= {n.removeprefix("更换") for n in set(names)}
    names = {n.strip() for n in names if len(n.strip()) >= 2}
    if len(name_en) >= 8:
        names.add(name_en.lower())
    return names


@dataclass(frozen=True)
class WorkEstimate:
    hours: Decimal
    trade: str
    typed: bool
    operations: tuple[str, ...]  # the codes of the labour operations the requested work named


def parse_hours(value: Decimal | str | None) -> Decimal | None:
    """The advisor's typed estimate ("1.5", "1.5h", blank for none)."""
    if value is None or isinstance(value, Decimal):
        hours = value
    else:
        raw = str(value).strip().lower().removesuffix("h").removesuffix("小时").strip()
        if not raw:
            return None
        try:
            hours = Decimal(raw)
        except InvalidOperation:
            raise ValidationError("work_hours", _("Give the hours as a number, e.g. 1.5.")) from None
    if hours is not None and (not hours.is_finite() or hours <= 0 or hours > MAX_HOURS):
        raise ValidationError("work_hours", _("Give the hours as a number from 0.1 to {n}.").format(n=MAX_HOURS))
    return None if hours is None else hours.quantize(Decimal("0.01"))


def estimate_work(session: Session, requested_work: str, hours: Decimal | str | None = None,
                  trade: str | None = None) -> WorkEstimate:
    typed = parse_hours(hours)
    if trade is not None and trade not in TRADES:
        raise ValidationError("trade", _("Choose mechanical, body or electrical."))
    work = requested_work.lower()
    matched: dict[str, tuple[str, Decimal, str]] = {}  # code -> (alias matched, hours, category)
    if work.strip():
        rows = session.execute(select(LaborOperation.code, LaborOperation.name, LaborOperation.name_en,
                                      LaborOperation.category, LaborOperation.std_hours)
                               .where(LaborOperation.active.is_(True))).all()
        for code, name, name_en, category, std in rows:
            found = [a for a in _aliases(name, name_en or "") if a.lower() in work]
            if found:
                matched[code] = (max(found, key=len), Decimal(std), category)
        # "更换机油" inside a matched "更换机油机滤" is the same work named once
        matched = {c: m for c, m in matched.items()
                   if not any(m[0] != o[0] and m[0] in o[0] for o in matched.values())}
    by_trade: Counter[str] = Counter()
    for _alias, std, category in matched.values():
        by_trade[TRADE_OF_CATEGORY.get(category, "mechanical")] += std  # type: ignore[assignment]
    if trade is None:
        if by_trade:
            trade = by_trade.most_common(1)[0][0]
        else:
            trade = next((t for t, words in TRADE_WORDS.items() if any(w in work for w in words)), "mechanical")
    if typed is None:
        typed_flag = False
        total = sum((m[1] for m in matched.values()), Decimal(0))
        estimate = total if total > 0 else DEFAULT_HOURS
    else:
        typed_flag, estimate = True, typed
    return WorkEstimate(estimate.quantize(Decimal("0.01")), trade, typed_flag, tuple(sorted(matched)))


# The load --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvisorLoad:
    advisor_id: int
    name: str
    booked: int
    slots: int

    @property
    def full(self) -> bool:
        return self.booked >= self.slots


@dataclass(frozen=True)
class BandLoad:
    start: dt.datetime
    end: dt.datetime
    booked: int
    slots: int  # the band's slots over every advisor on duty
    advisors: tuple[AdvisorLoad, ...]  # those on duty, and anyone else booked in the band

    @property
    def full(self) -> bool:
        return self.booked >= self.slots

    def of(self, advisor_id: int | None) -> AdvisorLoad | None:
        return next((a for a in self.advisors if a.advisor_id == advisor_id), None)


@dataclass(frozen=True)
class TradeLoad:
    trade: str
    booked: Decimal
    available: Decimal | None  # None: not limited

    @property
    def full(self) -> bool:
        return self.available is not None and self.booked >= self.available


@dataclass(frozen=True)
class DayCapacity:
    day: dt.date
    bands: tuple[BandLoad, ...]
    trades: tuple[TradeLoad, ...]
    booked: int
    slots: int
    campaign_appointments: frozenset[int]  # appointments of cars with an open campaign
    band_minutes: int
    opens: dt.time
    closes: dt.time


def _advisors(session: Session, store_id: int) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.display_name).where(
        User.store_id == store_id, User.role == Role.ADVISOR, User.active.is_(True)).order_by(User.display_name)).all())


def _held(session: Session, store_id: int, start: dt.datetime, end: dt.datetime,
          skip: int | None = None) -> list[tuple[int, dt.datetime, int | None, Decimal | None, str | None]]:
    """(id, time, advisor, hours, trade) of the appointments holding a slot in [start, end)."""
    rows = [tuple(r) for r in session.execute(
        select(Appointment.id, Appointment.scheduled_at, Appointment.advisor_id, Appointment.work_hours,
               Appointment.trade)
        .where(Appointment.store_id == store_id, Appointment.scheduled_at >= start, Appointment.scheduled_at < end,
               Appointment.status.in_(HOLDING))).all()]
    seen = {r[0] for r in rows}
    for a in unflushed(session, Appointment, store_id=store_id):  # a batch's bookings not yet written
        if a.id not in seen and start <= a.scheduled_at < end and a.status in (None, *HOLDING):
            rows.append((a.id, a.scheduled_at, a.advisor_id, a.work_hours, a.trade))
    return [r for r in rows if skip is None or r[0] != skip]  # type: ignore[misc]


def _bands(hours: Hours, day: dt.date, held: Sequence[tuple[Any, ...]], advisors: dict[int, str],
           names: dict[int, str]) -> list[BandLoad]:
    step = dt.timedelta(minutes=hours.band_minutes)
    counts: dict[dt.datetime, Counter[int | None]] = defaultdict(Counter)
    for _id, at, advisor, _hours, _trade in held:
        counts[hours.band_of(at)][advisor] += 1
    out = []
    for start in hours.bands(day):
        booked = counts.get(start, Counter())
        ids = list(advisors) + sorted(a for a in booked if a is not None and a not in advisors)
        loads = tuple(AdvisorLoad(a, advisors.get(a) or names.get(a, ""), booked[a], hours.slots) for a in ids)
        out.append(BandLoad(start, start + step, sum(booked.values()), hours.slots * max(1, len(advisors)), loads))
    return out


def _trades(settings: Settings, held: Iterable[tuple[Any, ...]]) -> list[TradeLoad]:
    booked: Counter[str] = Counter()
    for _id, _at, _advisor, work_hours, trade in held:
        booked[trade or "mechanical"] += Decimal(work_hours) if work_hours is not None else DEFAULT_HOURS  # type: ignore[assignment]
    limits = settings.workshop_hours
    names = list(TRADES) + sorted(t for t in set(limits) | set(booked) if t not in TRADES)
    return [TradeLoad(t, Decimal(booked[t]).quantize(Decimal("0.01")),
                      Decimal(limits[t]) if t in limits else None) for t in names]


def _day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def band_load(services: Services, actor: Actor, day: dt.date) -> list[BandLoad]:
    """The day's bands within the opening hours: booked and slots, in total and per advisor."""
    return list(day_capacity(services, actor, day).bands)


def day_capacity(services: Services, actor: Actor, day: dt.date) -> DayCapacity:
    """The day's bands, each trade's workshop hours booked and available, and the cars with an open campaign."""
    hours = Hours.of(services.settings)
    with services.db.reader() as s:
        advisors = _advisors(s, actor.store_id)
        held = _held(s, actor.store_id, *_day_window(day))
        others = {a for _i, _t, a, _h, _tr in held if a is not None and a not in advisors}
        names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(others))).all()) if others else {}
        vins = dict(s.execute(select(Appointment.id, Vehicle.vin).join(Vehicle, Vehicle.id == Appointment.vehicle_id)
                              .where(Appointment.id.in_([h[0] for h in held]), Vehicle.vin.is_not(None))).all()) \
            if held else {}
    bands = _bands(hours, day, held, advisors, names)
    flagged = _campaign_vins(services, set(vins.values()))
    return DayCapacity(day, tuple(bands), tuple(_trades(services.settings, held)), sum(b.booked for b in bands),
                       sum(b.slots for b in bands), frozenset(i for i, v in vins.items() if v in flagged),
                       hours.band_minutes, hours.opens, hours.closes)


def _campaign_vins(services: Services, vins: set[str]) -> set[str]:
    """The VINs among these with an open recall or service campaign (one indexed query)."""
    return open_vins(services, vins) if vins else set()


# The check at booking ------------------------------------------------------------------------------


def check(tx: Tx, when: dt.datetime, advisor_id: int | None, work: WorkEstimate, *,
          skip: int | None = None) -> CapacityError | None:
    """Whether one more booking fits at ``when`` for ``advisor_id``: None, or the refusal to raise.

    ``skip`` leaves out the appointment being moved (its own slot and hours are the ones moving).
    """
    hours = Hours.of(tx.settings)
    store = tx.actor.store_id
    held = _held(tx.session, store, *_day_window(when.date()), skip=skip)
    band = hours.band_of(when)
    in_band = sum(1 for _i, at, advisor, _h, _t in held if hours.band_of(at) == band and advisor == advisor_id)
    if in_band >= hours.slots:
        nearest = _nearest_band(tx, hours, held, when, advisor_id)
        message = _("The {start}–{end} band is full for this advisor ({n} of {slots} booked).").format(
            start=f"{band:%H:%M}", end=f"{band + dt.timedelta(minutes=hours.band_minutes):%H:%M}", n=in_band,
            slots=hours.slots)
        message += " " + (_("Nearest free band: {when}.").format(when=_when(nearest, when.date())) if nearest
                          else _("No free band left that day."))
        return CapacityError(message, full=band, nearest=nearest)
    limit = tx.settings.workshop_hours.get(work.trade)
    if limit is not None:
        used = _used(held, work.trade)
        if used + work.hours > Decimal(limit):
            nearest_day = _nearest_day(tx, hours, when, work, skip)
            message = _("{trade} hours of {day} are booked: {used} of {limit} h, this visit {hours} h.").format(
                trade=trade_label(work.trade), day=when.date().isoformat(), used=used, limit=Decimal(limit),
                hours=work.hours)
            message += " " + (_("Nearest day with room: {when}.").format(when=_when(nearest_day, when.date()))
                              if nearest_day else _("No day with room in the next two weeks."))
            return CapacityError(message, full=band, nearest=nearest_day)
    return None


def _used(held: Iterable[tuple[Any, ...]], trade: str) -> Decimal:
    return sum((Decimal(h) if h is not None else DEFAULT_HOURS for _i, _a, _ad, h, t in held
                if (t or "mechanical") == trade), Decimal(0))


def _when(at: dt.datetime | None, day: dt.date) -> str:
    if at is None:
        return ""
    return f"{at:%H:%M}" if at.date() == day else f"{at:%Y-%m-%d %H:%M}"


def _nearest_band(tx: Tx, hours: Hours, held: Sequence[tuple[Any, ...]], when: dt.datetime,
                  advisor_id: int | None) -> dt.datetime | None:
    """The start of the advisor's free band nearest ``when`` that day (later first on a tie; not yet over)."""
    counts = Counter(hours.band_of(at) for _i, at, advisor, _h, _t in held if advisor == advisor_id)
    step = dt.timedelta(minutes=hours.band_minutes)
    now = tx.now.replace(second=0, microsecond=0)
    free = [b for b in hours.bands(when.date()) if counts[b] < hours.slots and b + step > now]
    if not free:
        return None
    best = min(free, key=lambda b: (abs((b - when).total_seconds()), b < when))
    return max(best, now)


def _nearest_day(tx: Tx, hours: Hours, when: dt.datetime, work: WorkEstimate, skip: int | None) -> dt.datetime | None:
    limit = Decimal(tx.settings.workshop_hours[work.trade])
    for n in range(1, NEAREST_DAYS + 1):
        day = when.date() + dt.timedelta(days=n)
        held = _held(tx.session, tx.actor.store_id, *_day_window(day), skip=skip)
        if _used(held, work.trade) + work.hours <= limit:
            return dt.datetime.combine(day, when.time()) if hours.is_open(when) else dt.datetime.combine(day, hours.opens)
    return None


def admit(tx: Tx, appt: Appointment, refusal: CapacityError | None,
          override_by: ManagerApproval | None) -> dict[str, Any]:
    """Let the booking in: as it fits, or over capacity on a supervisor's or manager's password (else raise).

    Returns what the audit event adds: the override, who gave it and what was full.
    """
    if refusal is None:
        return {}
    if override_by is None:
        raise refusal
    lead = verify_manager(tx, override_by, roles=OVERRIDE_ROLES)
    appt.override_by_id = lead.id
    return {"capacity_override": {"by": lead.id, "name": lead.display_name, "full": refusal.message}}


def estimate_for(tx: Tx, requested_work: str, hours: Decimal | str | None, trade: str | None) -> WorkEstimate:
    return estimate_work(tx.session, requested_work, hours, trade)


# The reminder call the day before --------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem(BookedAppointment):
    tries: int
    last_outcome: ReminderOutcome | None
    last_at: dt.datetime | None
    campaign: bool


@dataclass(frozen=True)
class ReminderQueue:
    day: dt.date
    to_call: tuple[ReminderItem, ...]  # not reached yet (never called, or no answer)
    done: tuple[ReminderItem, ...]  # confirmed or moved here
    taken_at: dt.datetime


def reminder_queue(services: Services, actor: Actor, day: dt.date | None = None) -> ReminderQueue:
    """The appointments of ``day`` (tomorrow) still booked: those to call, then those already confirmed."""
    now = services.clock()
    day = day or now.date() + dt.timedelta(days=1)
    start, end = _day_window(day)
    with services.db.reader() as s:
        rows = s.execute(
            select(Appointment, Vehicle.plate, Vehicle.vin, Vehicle.make, Vehicle.model, Customer.name, Customer.phone,
                   User.display_name)
            .join(Vehicle, Vehicle.id == Appointment.vehicle_id).join(Customer, Customer.id == Appointment.customer_id)
            .outerjoin(User, User.id == Appointment.advisor_id)
            .where(Appointment.store_id == actor.store_id, Appointment.scheduled_at >= start,
                   Appointment.scheduled_at < end, Appointment.status == AppointmentStatus.BOOKED)
            .order_by(Appointment.scheduled_at, Appointment.id)).all()
    flagged = _campaign_vins(services, {r[2] for r in rows if r[2]})
    items = [ReminderItem(a.id, a.version, a.scheduled_at, a.vehicle_id, plate or "", f"{make} {model}".strip(), name,
                          phone, a.requested_work, advisor or "", a.reminder_tries, a.reminder_outcome, a.reminder_at,
                          vin in flagged)
             for a, plate, vin, make, model, name, phone, advisor in rows]
    open_ = (None, ReminderOutcome.NO_ANSWER)
    return ReminderQueue(day, tuple(i for i in items if i.last_outcome in open_),
                         tuple(i for i in items if i.last_outcome not in open_), now)


def open_appointment(tx: Tx, appointment_id: int, expected_version: int | None) -> Appointment:
    """The store's booked appointment, at the version the desk saw: what a call, a move, a cancel or a check-in may change."""
    appt = get(tx.session, Appointment, appointment_id, "appointment")
    if appt.store_id != tx.actor.store_id:
        raise NotFound("appointment", _("No such appointment in this store."))
    check_version(appt, expected_version)
    if appt.status != AppointmentStatus.BOOKED:
        raise ValidationError("appointment", _("This appointment is no longer open."))
    return appt


@service("appointment.remind")
def record_reminder(tx: Tx, appointment_id: int, outcome: str, *,
                    scheduled_at: dt.datetime | None = None, override_by: ManagerApproval | None = None,
                    expected_version: int | None = None) -> AppointmentRef:
    """One reminder call: confirmed, moved to ``scheduled_at`` (capacity checked), cancelled, or no answer."""
    try:
        outcome = ReminderOutcome(outcome)
    except ValueError:
        raise ValidationError("outcome", _("Confirmed, moved, cancelled or no answer.")) from None
    if scheduled_at is not None and outcome != ReminderOutcome.MOVED:
        raise ValidationError("scheduled_at", _("A new time is given only when the appointment is moved."))
    appt = open_appointment(tx, appointment_id, expected_version)
    before: dict[str, Any] = {"reminder_outcome": appt.reminder_outcome, "reminder_tries": appt.reminder_tries}
    after: dict[str, Any] = {"reminder_outcome": outcome}
    if outcome == ReminderOutcome.MOVED:
        if scheduled_at is None:
            raise ValidationError("scheduled_at", _("Give the new day and time."))
        when = bookable_time(scheduled_at, tx.now, tx.settings)
        work = WorkEstimate(appt.work_hours or DEFAULT_HOURS, appt.trade or "mechanical", True, ())
        after.update(admit(tx, appt, check(tx, when, appt.advisor_id, work, skip=appt.id), override_by))
        before["scheduled_at"], after["scheduled_at"] = appt.scheduled_at, when
        appt.scheduled_at = when
    elif outcome == ReminderOutcome.CANCELLED:
        appt.status = AppointmentStatus.CANCELLED
        before["status"], after["status"] = AppointmentStatus.BOOKED, appt.status
    appt.reminder_outcome = outcome
    appt.reminder_at = tx.now
    appt.reminder_by_id = tx.actor.user_id
    appt.reminder_tries = (appt.reminder_tries or 0) + 1
    after["reminder_tries"] = appt.reminder_tries
    tx.audit("appointment", appt.id, before=before, after=after)
    return AppointmentRef.of(tx, appt)


# Capacity used ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigure:
    day: dt.date
    booked: int
    slots: int

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.booked, self.slots)


@dataclass(frozen=True)
class CapacityFigures:
    start: dt.date
    end: dt.date
    booked: int  # slots held by appointments within the range
    slots: int  # slots offered: bands × slots per advisor × active advisors, every day of the range
    days: tuple[DayFigure, ...]
    overrides: int  # bookings let in over capacity

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.booked, self.slots)


def _percent(booked: int, slots: int) -> Decimal | None:
    if not slots:
        return None
    return (Decimal(booked) * 100 / slots).quantize(Decimal("0.1"))


def figures(services: Services, actor: Actor, start: dt.date, end: dt.date) -> CapacityFigures:
    """Capacity used (booked slots ÷ slots offered) for each day of ``start``..``end`` and the whole range."""
    with services.db.reader() as s:
        return figures_in(s, services.settings, actor.store_id, start, end)


def figures_in(session: Session, settings: Settings, store_id: int, start: dt.date, end: dt.date) -> CapacityFigures:
    """:func:`figures` in a session already open (the report's)."""
    if end < start:
        raise ValidationError("end", _("The end is before the start."))
    hours = Hours.of(settings)
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    advisors = len(_advisors(session, store_id))
    rows = session.execute(select(Appointment.scheduled_at, Appointment.override_by_id)
                           .where(Appointment.store_id == store_id, Appointment.scheduled_at >= lo,
                                  Appointment.scheduled_at < hi, Appointment.status.in_(HOLDING))).all()
    per_day = Counter(at.date() for at, _o in rows)
    slots = len(hours.bands(start)) * hours.slots * max(1, advisors)
    days = []
    day = start
    while day <= end:
        days.append(DayFigure(day, per_day[day], slots))
        day += dt.timedelta(days=1)
    return CapacityFigures(start, end, sum(d.booked for d in days), sum(d.slots for d in days), tuple(days),
                           sum(1 for _at, o in rows if o is not None))


__all__ = ["CapacityError", "band_load", "check", "day_capacity", "figures", "open_appointment", "record_reminder",
           "reminder_queue"]
