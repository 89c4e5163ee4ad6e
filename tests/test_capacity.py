"""Issue 20, item 2 (and the capacity figure of item 4), at the services on SQLite and PostgreSQL:
appointment capacity per band and advisor and workshop hours by trade, the refusal over it, a
supervisor's override on the spot (audited; a wrong password refused), bookings in the past or
outside opening hours, the reminder call the day before, and capacity used."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.config import Settings, _from_mapping
from frontdesk.model import Appointment, AuditEvent, Vehicle
from frontdesk.model.enums import AppointmentStatus, Role
from frontdesk.model.order import ReminderOutcome
from frontdesk.services import capacity, catalog, checkin
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.capacity import CapacityError
from frontdesk.services.errors import PermissionDenied, ValidationError

from .conftest import PASSWORD
from .factories import VIN, customer_and_vehicle, stored

TOMORROW = dt.date(2026, 11, 25)  # the test clock starts on 2026-11-24 at 09:00


def at(hh: int, mm: int = 0, day: dt.date = TOMORROW) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm))


def _cars(services, adv, n: int, first: int = 0) -> list[int]:
    from frontdesk.services.validation import with_check_digit

    out = []
    for i in range(first, first + n):
        vin = with_check_digit(f"LSVAU0330A{i + 1:07d}")
        out.append(customer_and_vehicle(services, adv, plate=f"粤B{i + 1:05d}", vin=vin)[1])
    return out


def _audit(services, appointment_id: int) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == "appointment",
                                                       AuditEvent.entity_id == appointment_id)
                              .order_by(AuditEvent.id)))


def test_the_band_load_counts_each_advisors_bookings_and_the_workshop_hours(services, actors, admin):
    adv = actors[Role.ADVISOR]
    catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "MT0117", "首次免费保养(首保)", "1.00", "First free service", "maintenance"))
    catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "PT0101", "前保险杠喷漆", "3.50", "Paint front bumper", "paint"))
    a, b, c = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, a, at(9, 0), "做首保")
    checkin.book_appointment(services, adv, b, at(9, 20), "前保险杠喷漆")
    checkin.book_appointment(services, adv, c, at(10, 0), "异响", work_hours="2.5")
    day = capacity.day_capacity(services, adv, TOMORROW)
    bands = capacity.band_load(services, adv, TOMORROW)
    assert bands == list(day.bands)
    assert (bands[0].start, bands[-1].end) == (at(8, 30), at(17, 30))  # the opening hours in 30-minute bands
    nine = next(b for b in bands if b.start == at(9, 0))
    assert (nine.booked, nine.slots, nine.full) == (2, 2, True)  # one advisor on duty, two slots each
    assert nine.of(adv.user_id).booked == 2 and nine.of(adv.user_id).full
    ten = next(b for b in bands if b.start == at(10, 0))
    assert (ten.booked, ten.full) == (1, False)
    trades = {t.trade: t for t in day.trades}
    # 首保 is named in brackets (1.0 h); the paint job 3.5 h goes to body and paint; a typed 2.5 h to mechanical
    assert trades["mechanical"].booked == Decimal("3.50") and trades["mechanical"].available == Decimal(64)
    assert trades["body"].booked == Decimal("3.50")
    assert (day.booked, day.slots) == (3, 2 * len(bands))


def test_a_booking_over_capacity_is_refused_naming_the_full_band_and_the_nearest_free_one(services, actors):
    adv = actors[Role.ADVISOR]
    a, b, c = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, a, at(9, 0), "保养")
    checkin.book_appointment(services, adv, b, at(9, 15), "保养")
    with pytest.raises(CapacityError) as refused:
        checkin.book_appointment(services, adv, c, at(9, 10), "保养")
    assert isinstance(refused.value, ValidationError)
    assert "09:00–09:30" in refused.value.message and "09:30" in refused.value.message.split("full")[1]
    assert refused.value.nearest == at(9, 30)
    with services.db.reader() as s:  # nothing written
        assert s.scalar(select(Appointment.id).where(Appointment.vehicle_id == c)) is None
    # another advisor's band is their own
    other = actors[Role.MANAGER]
    checkin.book_appointment(services, other, c, at(9, 10), "保养")
    # moving into a full band is refused the same way; within its own band it moves
    late = checkin.book_appointment(services, adv, _cars(services, adv, 1, first=3)[0], at(11, 0), "保养")
    with pytest.raises(CapacityError):
        checkin.move_appointment(services, adv, late.id, at(9, 5))
    assert checkin.move_appointment(services, adv, late.id, at(11, 10)).scheduled_at == at(11, 10)


def test_a_supervisor_lets_a_booking_in_over_capacity_with_their_password_audited(services, actors):
    adv = actors[Role.ADVISOR]
    a, b, c = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, a, at(14, 0), "保养")
    checkin.book_appointment(services, adv, b, at(14, 0), "保养")
    with pytest.raises(PermissionDenied):  # a wrong password: refused, nothing written
        checkin.book_appointment(services, adv, c, at(14, 0), "保养",
                                 override_by=ManagerApproval("supervisor", "wrong-password"))
    with pytest.raises(PermissionDenied):  # a technician is no lead
        checkin.book_appointment(services, adv, c, at(14, 0), "保养",
                                 override_by=ManagerApproval("technician", PASSWORD))
    with services.db.reader() as s:
        assert s.scalar(select(Appointment.id).where(Appointment.vehicle_id == c)) is None
    appt = checkin.book_appointment(services, adv, c, at(14, 0), "保养",
                                    override_by=ManagerApproval("supervisor", PASSWORD))
    assert stored(services, Appointment, appt.id).override_by_id == actors[Role.SUPERVISOR].user_id
    (event,) = _audit(services, appt.id)
    assert event.action == "appointment.book"
    assert event.after["capacity_override"]["by"] == actors[Role.SUPERVISOR].user_id
    assert "14:00–14:30" in event.after["capacity_override"]["full"]
    # within capacity an override is not asked for, and not recorded
    d = _cars(services, adv, 1, first=3)[0]
    fits = checkin.book_appointment(services, adv, d, at(15, 0), "保养",
                                    override_by=ManagerApproval("supervisor", PASSWORD))
    assert stored(services, Appointment, fits.id).override_by_id is None
    assert capacity.figures(services, adv, TOMORROW, TOMORROW).overrides == 1


def test_workshop_hours_by_trade_refuse_a_day_that_is_booked(services, actors):
    adv = actors[Role.ADVISOR]
    services.settings = replace(services.settings, workshop_hours={"body": Decimal(6)})
    a, b, c = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, a, at(9, 0), "钣金喷漆", work_hours="4")
    with pytest.raises(CapacityError) as refused:
        checkin.book_appointment(services, adv, b, at(11, 0), "右前门凹陷 钣金", work_hours="3")
    assert "Body and paint hours of 2026-11-25" in refused.value.message
    assert refused.value.nearest is not None and refused.value.nearest.date() == dt.date(2026, 11, 26)
    # mechanical is not limited in these settings
    checkin.book_appointment(services, adv, c, at(11, 0), "保养", work_hours="30")


def test_a_booking_in_the_past_or_outside_opening_hours_is_refused(services, actors):
    adv = actors[Role.ADVISOR]
    (a,) = _cars(services, adv, 1)
    with pytest.raises(ValidationError, match="past"):
        checkin.book_appointment(services, adv, a, dt.datetime(2026, 11, 24, 8, 40), "保养")
    for early_or_late in (at(8, 0), at(17, 30), at(20, 0)):
        with pytest.raises(ValidationError, match="from 08:30 to 17:30"):
            checkin.book_appointment(services, adv, a, early_or_late, "保养")
    with pytest.raises(ValidationError, match="from 08:30 to 17:30"):  # an override does not open the store
        checkin.book_appointment(services, adv, a, at(7, 0), "保养", override_by=ManagerApproval("manager", PASSWORD))
    appt = checkin.book_appointment(services, adv, a, at(17, 29), "保养")
    with pytest.raises(ValidationError, match="from 08:30 to 17:30"):
        checkin.move_appointment(services, adv, appt.id, at(18, 0))


def test_the_settings_read_and_check_the_capacity_keys():
    s = _from_mapping({"opening_hours": "8:00 – 18:00", "appointment_band_minutes": 20, "appointment_slots": 3,
                       "workshop_hours": {"mechanical": 40, "body": "12.5"}})
    assert (s.opening_hours, s.appointment_band_minutes, s.appointment_slots) == ("08:00-18:00", 20, 3)
    assert s.workshop_hours == {"mechanical": Decimal(40), "body": Decimal("12.5")}
    with pytest.raises(ValueError, match="opening_hours"):
        _from_mapping({"opening_hours": "18:00-08:00"})
    assert Settings().opening_hours == "08:30-17:30"


def test_the_reminder_queue_the_day_before_records_each_outcome(services, actors):
    adv = actors[Role.ADVISOR]
    a, b, c, d = _cars(services, adv, 4)
    confirmed = checkin.book_appointment(services, adv, a, at(9, 0), "保养")
    moved = checkin.book_appointment(services, adv, b, at(10, 0), "保养")
    cancelled = checkin.book_appointment(services, adv, c, at(11, 0), "保养")
    silent = checkin.book_appointment(services, adv, d, at(12, 0), "保养")
    queue = capacity.reminder_queue(services, adv)
    assert queue.day == TOMORROW
    assert [i.id for i in queue.to_call] == [confirmed.id, moved.id, cancelled.id, silent.id]

    capacity.record_reminder(services, adv, confirmed.id, ReminderOutcome.CONFIRMED)
    capacity.record_reminder(services, adv, moved.id, "moved", scheduled_at=at(15, 30, dt.date(2026, 11, 26)))
    capacity.record_reminder(services, adv, cancelled.id, ReminderOutcome.CANCELLED)
    capacity.record_reminder(services, adv, silent.id, ReminderOutcome.NO_ANSWER)
    with pytest.raises(ValidationError):  # moved needs the new time
        capacity.record_reminder(services, adv, silent.id, ReminderOutcome.MOVED)

    queue = capacity.reminder_queue(services, adv)
    assert [(i.id, i.tries, i.last_outcome) for i in queue.to_call] == [(silent.id, 1, ReminderOutcome.NO_ANSWER)]
    assert [i.id for i in queue.done] == [confirmed.id]
    assert stored(services, Appointment, moved.id).scheduled_at == at(15, 30, dt.date(2026, 11, 26))
    assert stored(services, Appointment, cancelled.id).status == AppointmentStatus.CANCELLED
    row = stored(services, Appointment, confirmed.id)
    assert (row.reminder_outcome, row.reminder_by_id, row.reminder_at) == (
        ReminderOutcome.CONFIRMED, adv.user_id, services.clock())
    # tried again: reached this time
    capacity.record_reminder(services, adv, silent.id, ReminderOutcome.CONFIRMED)
    assert capacity.reminder_queue(services, adv).to_call == ()
    events = _audit(services, silent.id)
    assert [e.action for e in events] == ["appointment.book", "appointment.remind", "appointment.remind"]
    assert events[-1].after == {"reminder_outcome": "confirmed", "reminder_tries": 2}
    with pytest.raises(ValidationError):  # a cancelled appointment is not called
        capacity.record_reminder(services, adv, cancelled.id, ReminderOutcome.CONFIRMED)


def test_a_reminder_move_into_a_full_band_needs_the_leads_override(services, actors):
    adv = actors[Role.ADVISOR]
    a, b, c = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, a, at(16, 0), "保养")
    checkin.book_appointment(services, adv, b, at(16, 0), "保养")
    appt = checkin.book_appointment(services, adv, c, at(9, 0), "保养")
    with pytest.raises(CapacityError):
        capacity.record_reminder(services, adv, appt.id, ReminderOutcome.MOVED, scheduled_at=at(16, 10))
    capacity.record_reminder(services, adv, appt.id, ReminderOutcome.MOVED, scheduled_at=at(16, 10),
                             override_by=ManagerApproval("manager", PASSWORD))
    assert stored(services, Appointment, appt.id).override_by_id == actors[Role.MANAGER].user_id


def test_capacity_used_per_day_and_over_the_period(services, actors):
    adv = actors[Role.ADVISOR]
    cars = _cars(services, adv, 3)
    checkin.book_appointment(services, adv, cars[0], at(9, 0), "保养")
    checkin.book_appointment(services, adv, cars[1], at(13, 0), "保养")
    gone = checkin.book_appointment(services, adv, cars[2], at(9, 0, dt.date(2026, 11, 26)), "保养")
    checkin.cancel_appointment(services, adv, gone.id)  # a cancelled booking frees its slot
    fig = capacity.figures(services, adv, TOMORROW, dt.date(2026, 11, 26))
    per_day = 18 * 2  # 08:30-17:30 in 30-minute bands, two slots, one advisor
    assert [(d.day, d.booked, d.slots) for d in fig.days] == [(TOMORROW, 2, per_day), (dt.date(2026, 11, 26), 0, per_day)]
    assert (fig.booked, fig.slots, fig.percent) == (2, 2 * per_day, Decimal("2.8"))
    assert fig.days[0].percent == Decimal("5.6")


def test_the_hours_estimate_reads_the_catalog_and_the_words(services, admin, actors):
    catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "MT0101", "更换机油机滤", "0.50", "Replace engine oil and oil filter", "maintenance"))
    catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "AC0101", "空调系统检测", "0.80", "Air conditioning check", "air_conditioning"))
    with services.db.reader() as s:
        oil = capacity.estimate_work(s, "做常规保养，换机油机滤")
        assert (oil.hours, oil.trade, oil.operations, oil.typed) == (Decimal("0.50"), "mechanical", ("MT0101",), False)
        ac = capacity.estimate_work(s, "空调不凉")  # no operation named: the default hours, the trade by its words
        assert (ac.hours, ac.trade) == (capacity.DEFAULT_HOURS, "electrical")
        assert capacity.estimate_work(s, "空调系统检测").trade == "electrical"
        assert capacity.estimate_work(s, "异响", "1.5h", "body") == capacity.WorkEstimate(Decimal("1.50"), "body", True, ())
        with pytest.raises(ValidationError):
            capacity.estimate_work(s, "异响", "lots")
    assert VIN  # the factories' VIN stays the default car's


def test_the_settings_screen_saves_the_capacity_settings_checked(services, actors, tmp_path):
    from frontdesk.config import load_settings
    from frontdesk.services import settings as settings_service
    from frontdesk.services.settings import SettingsForm

    path = tmp_path / "config.toml"
    path.write_text('printer = "front-desk"\n', "utf-8")
    services.settings = replace(load_settings(path), language="en")
    manager = actors[Role.MANAGER]
    form = SettingsForm.of(services.settings)
    for field, bad in (("opening_hours", "17:30-08:30"), ("appointment_slots", "0"),
                       ("appointment_band_minutes", "abc")):
        with pytest.raises(ValidationError) as refused:
            settings_service.save(services, manager, replace(form, **{field: bad}))
        assert refused.value.field == field
    with pytest.raises(ValidationError) as refused:
        settings_service.save(services, manager, replace(form, workshop_hours=(("body", "-3"),)))
    assert refused.value.field == "hours_body"
    saved = settings_service.save(services, manager, replace(
        form, opening_hours="8-18", appointment_slots="3", appointment_band_minutes="20",
        workshop_hours=(("mechanical", "40"), ("body", ""), ("electrical", "12.5"))))
    again = load_settings(path)
    for s in (saved, again):
        assert (s.opening_hours, s.appointment_slots, s.appointment_band_minutes) == ("08:00-18:00", 3, 20)
        assert s.workshop_hours == {"mechanical": Decimal(40), "electrical": Decimal("12.5")}  # body: not limited
    assert again.printer == "front-desk"


def test_the_report_says_the_capacity_used(services, actors):
    from frontdesk.services import exports, reports

    adv = actors[Role.ADVISOR]
    cars = _cars(services, adv, 2)
    checkin.book_appointment(services, adv, cars[0], at(9, 0), "保养")
    checkin.book_appointment(services, adv, cars[1], at(9, 0), "保养")
    report = reports.report(services, actors[Role.MANAGER], TOMORROW, TOMORROW)
    assert (report.capacity.booked, report.capacity.slots) == (2, 36)
    shown = {fig.label: fig.value for fig in exports.overview(report)}
    assert shown["Capacity used %"] == Decimal("5.6") and shown["Appointment slots booked"] == 2
    assert "Capacity used %" in exports.text_report(report)


def test_a_car_with_an_open_campaign_is_flagged_on_the_day_and_the_reminder_call(services, admin, actors, tmp_path):
    from frontdesk.services import campaign_import

    from .factories import seed_shop
    from .test_campaigns import recall_rows, write_csv

    adv = actors[Role.ADVISOR]
    seed_shop(services, admin, actors)
    recalled, plain = _cars(services, adv, 2)
    campaign_import.import_campaigns(services, admin, write_csv(tmp_path / "recall.csv",
                                                                recall_rows(stored(services, Vehicle, recalled).vin)))
    flagged = checkin.book_appointment(services, adv, recalled, at(9, 0), "保养")
    checkin.book_appointment(services, adv, plain, at(10, 0), "保养")
    assert capacity.day_capacity(services, adv, TOMORROW).campaign_appointments == {flagged.id}
    assert [(i.id, i.campaign) for i in capacity.reminder_queue(services, adv).to_call] == [
        (flagged.id, True), (flagged.id + 1, False)]


def test_the_reminder_call_move_and_cancel_open_an_appointment_alike(services, actors):
    """One rule (capacity.open_appointment) decides which appointment a call, a move or a cancel may change."""
    from frontdesk.services.errors import ConflictError

    adv = actors[Role.ADVISOR]
    (car,) = _cars(services, adv, 1)
    appt = checkin.book_appointment(services, adv, car, at(9, 0), "保养")
    stale = appt.version
    capacity.record_reminder(services, adv, appt.id, ReminderOutcome.NO_ANSWER)
    refusals = []
    for change in (lambda v: capacity.record_reminder(services, adv, appt.id, ReminderOutcome.CONFIRMED,
                                                      expected_version=v),
                   lambda v: checkin.move_appointment(services, adv, appt.id, at(10, 0), expected_version=v),
                   lambda v: checkin.cancel_appointment(services, adv, appt.id, expected_version=v)):
        with pytest.raises(ConflictError):  # seen before the call was recorded
            change(stale)
    checkin.cancel_appointment(services, adv, appt.id)
    for change in (lambda: capacity.record_reminder(services, adv, appt.id, ReminderOutcome.CONFIRMED),
                   lambda: checkin.move_appointment(services, adv, appt.id, at(10, 0)),
                   lambda: checkin.cancel_appointment(services, adv, appt.id)):
        with pytest.raises(ValidationError) as refused:
            change()
        refusals.append(refused.value.message)
    assert refusals == ["This appointment is no longer open."] * 3


def test_the_reminder_call_and_the_desks_day_show_a_booked_appointment_alike(services, actors):
    """ReminderItem and the desk's AppointmentRow are one BookedAppointment (desk_home.py) read two ways."""
    from dataclasses import fields

    from frontdesk.services import desk_home

    adv = actors[Role.ADVISOR]
    (car,) = _cars(services, adv, 1)
    today = services.clock().date()
    appt = checkin.book_appointment(services, adv, car, at(14, 0, today), "保养")
    (item,) = capacity.reminder_queue(services, adv, today).to_call
    (row,) = [r for r in desk_home.desk_home(services, adv).appointments if r.id == appt.id]
    shared = [f.name for f in fields(desk_home.BookedAppointment)]
    assert shared[:3] == ["id", "version", "scheduled_at"] and "status" not in shared and "tries" not in shared
    assert [getattr(item, n) for n in shared] == [getattr(row, n) for n in shared]
    assert isinstance(item, desk_home.BookedAppointment) and isinstance(row, desk_home.BookedAppointment)
    assert (item.tries, row.status) == (0, AppointmentStatus.BOOKED)
