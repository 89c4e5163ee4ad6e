"""Issue 20, item 1 and the reception figures of item 4, at the services (SQLite and PostgreSQL):
the arrival register, the appointment matched by itself, the advisor rotation, the lead's
override, take-next and the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk import board_tv
from frontdesk.model import AuditEvent
from frontdesk.model.arrival import Arrival
from frontdesk.model.enums import ArrivalPurpose, ArrivalStatus, Role, Timeliness
from frontdesk.services import auth, board, checkin, reception
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.reception import ArrivalInput
from frontdesk.services.validation import with_check_digit

from .conftest import PASSWORD
from .factories import customer_and_vehicle, stored


def _car(services, advisor, n: int) -> tuple[int, int]:
    vin = with_check_digit(f"LSVAU0336{n:08d}")
    return customer_and_vehicle(services, advisor, plate=f"粤B1000{n}", vin=vin)


def _advisors(services, admin, names=("advisor2", "advisor3")):
    """More advisors on duty (signed in today), besides the actors' own."""
    out = []
    for name in names:
        auth.add_user(services, admin, name, name.title(), Role.ADVISOR, PASSWORD)
        out.append(auth.login(services, name, PASSWORD))
    return out


def test_an_appointment_is_matched_by_itself_early_on_time_or_late(services, actors, clock):
    adv, desk = actors[Role.ADVISOR], actors[Role.RECEPTIONIST]
    cars = [_car(services, adv, n)[1] for n in (1, 2, 3)]
    clock.now = dt.datetime(2026, 11, 24, 7, 0)
    for vehicle_id, (hour, minute) in zip(cars, ((10, 0), (10, 0), (8, 30)), strict=True):
        checkin.book_appointment(services, adv, vehicle_id, dt.datetime(2026, 11, 24, hour, minute))
    clock.now = dt.datetime(2026, 11, 24, 9, 30)
    early = reception.register_arrival(services, desk, ArrivalInput(plate="粤b 10001"))
    clock.now = dt.datetime(2026, 11, 24, 9, 50)
    on_time = reception.register_arrival(services, desk, ArrivalInput(vehicle_id=cars[1]))
    late = reception.register_arrival(services, desk, ArrivalInput(plate="粤B10003", key_tag="K-7"))
    assert (early.timeliness, early.timeliness_minutes) == (Timeliness.EARLY, -30)
    assert (on_time.timeliness, on_time.timeliness_minutes) == (Timeliness.ON_TIME, -10)
    assert (late.timeliness, late.timeliness_minutes) == (Timeliness.LATE, 80)
    assert {r.purpose for r in (early, on_time, late)} == {ArrivalPurpose.APPOINTMENT}
    assert [r.advisor_id for r in (early, on_time, late)] == [adv.user_id] * 3  # the appointment's advisor
    assert [r.roof_number for r in (early, on_time, late)] == ["1", "2", "3"]  # the smallest free ones

    # A walk-in has no appointment; a pick-up of a booked car is not its visit.
    walk_in = reception.register_arrival(services, desk, ArrivalInput(plate="粤A99999", roof_number="12"))
    assert (walk_in.appointment_id, walk_in.timeliness, walk_in.purpose) == (None, None, ArrivalPurpose.WALK_IN)
    rows = reception.queue(services, desk)
    assert [r.plate for r in rows] == ["粤B10001", "粤B10002", "粤B10003", "粤A99999"]
    assert [r.waiting_minutes for r in rows] == [20, 0, 0, 0]
    assert rows[0].customer_name == "张伟" and rows[0].appointment_at == dt.datetime(2026, 11, 24, 10, 0)
    assert rows[2].key_tag == "K-7" and rows[3].roof_number == "12"


def test_a_plate_already_waiting_and_a_roof_number_in_use_are_refused(services, actors, clock):
    desk = actors[Role.RECEPTIONIST]
    reception.register_arrival(services, desk, ArrivalInput(plate="粤A12345", roof_number="5"))
    with pytest.raises(ValidationError) as refused:
        reception.register_arrival(services, desk, ArrivalInput(plate="粤a12345"))
    assert refused.value.field == "plate" and "粤A12345 is already waiting (arrived 09:00, roof number 5)" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        reception.register_arrival(services, desk, ArrivalInput(plate="粤A54321", roof_number="5"))
    assert refused.value.field == "roof_number"
    with pytest.raises(ValidationError) as refused:
        reception.register_arrival(services, desk, ArrivalInput(plate="粤A5432"))
    assert refused.value.field == "plate"
    with services.db.reader() as s:
        assert len(s.scalars(select(Arrival)).all()) == 1  # nothing written by the refusals


def test_the_rotation_goes_round_skipping_an_advisor_busy_with_a_customer(services, actors, admin, clock):
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    adv2, adv3 = _advisors(services, admin)
    auth.add_user(services, admin, "advisor4", "Advisor4", Role.ADVISOR, PASSWORD)  # not signed in: not on duty
    first = [reception.register_arrival(services, desk, ArrivalInput(plate=f"粤A1111{n}")) for n in range(4)]
    assert [r.advisor_id for r in first] == [adv.user_id, adv2.user_id, adv3.user_id, adv.user_id]
    assert [r.advisor for r in first[:2]] == ["Advisor Test", "Advisor2"]

    # advisor2 takes their customer: busy with them (no order yet) and skipped by the rotation.
    taken = reception.take_next(services, adv2)
    assert (taken.arrival_id, taken.plate, taken.roof_number) == (first[1].id, "粤A11111", "2")
    clock.advance(minutes=5)
    after = [reception.register_arrival(services, desk, ArrivalInput(plate=f"粤A2222{n}")) for n in range(2)]
    assert [r.advisor_id for r in after] == [adv3.user_id, adv.user_id]  # advisor2 skipped

    # Once the busy rule's time has passed, advisor2 is back in the rotation.
    clock.advance(minutes=reception.BUSY_MINUTES)
    again = reception.register_arrival(services, desk, ArrivalInput(plate="粤A33330"))
    assert again.advisor_id == adv2.user_id
    view = reception.reception_view(services, desk)
    assert [(a.name, a.on_duty) for a in view.advisors] == [
        ("Advisor Test", True), ("Advisor2", True), ("Advisor3", True), ("Advisor4", False)]


def test_an_advisor_checking_a_car_in_is_busy(services, actors, admin, clock):
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    (adv2,) = _advisors(services, admin, ("advisor2",))
    _, vehicle = _car(services, adv, 1)
    checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=1000, fuel_eighths=4,
                                                         concerns="保养"))
    assert reception.register_arrival(services, desk, ArrivalInput(plate="粤A11110")).advisor_id == adv2.user_id
    # Every advisor busy: the next in the rotation anyway.
    reception.take_next(services, adv2)
    assert reception.register_arrival(services, desk, ArrivalInput(plate="粤A11111")).advisor_id == adv.user_id


def test_the_lead_gives_a_customer_to_another_advisor_audited(services, actors, admin):
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    (adv2,) = _advisors(services, admin, ("advisor2",))
    ref = reception.register_arrival(services, desk, ArrivalInput(plate="粤A11110"))
    assert ref.advisor_id == adv.user_id
    for role in (Role.RECEPTIONIST, Role.ADVISOR):
        with pytest.raises(PermissionDenied):
            reception.assign(services, actors[role], ref.id, adv2.user_id)
    moved = reception.assign(services, actors[Role.SUPERVISOR], ref.id, adv2.user_id, expected_version=ref.version)
    assert moved.advisor_id == adv2.user_id
    with services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "arrival.assign")).one()
        assert (event.user_id, event.before, event.after["advisor_id"]) == (
            actors[Role.SUPERVISOR].user_id, {"advisor_id": adv.user_id}, adv2.user_id)
    with pytest.raises(ValidationError):
        reception.assign(services, actors[Role.MANAGER], ref.id, actors[Role.CASHIER].user_id)
    # The advisor now has nobody waiting for them: a take-next says so; advisor2 takes it.
    with pytest.raises(ValidationError) as refused:
        reception.take_next(services, adv)
    assert "No customer is waiting for you (1 waiting for other advisors)" in str(refused.value)
    assert reception.take_next(services, adv2).arrival_id == ref.id


def test_take_next_with_an_empty_queue_is_refused_and_takes_in_arrival_order(services, actors, clock):
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    with pytest.raises(ValidationError) as refused:
        reception.take_next(services, adv)
    assert refused.value.field == "queue" and "No customer is waiting." in str(refused.value)
    customer, vehicle = _car(services, adv, 1)
    appt = checkin.book_appointment(services, adv, vehicle, dt.datetime(2026, 11, 24, 9, 5))
    reception.register_arrival(services, desk, ArrivalInput(plate="粤B10001", key_tag="K1"))
    clock.advance(minutes=3)
    reception.register_arrival(services, desk, ArrivalInput(plate="粤A77777"))
    clock.advance(minutes=12)
    taken = reception.take_next(services, adv)
    assert taken == reception.TakenArrival(taken.arrival_id, vehicle, "粤B10001", customer, appt.id, "1", "K1",
                                           ArrivalPurpose.APPOINTMENT)
    with pytest.raises(PermissionDenied):
        reception.take_next(services, desk)  # the receptionist registers, the advisor takes
    with pytest.raises(ValidationError):
        reception.take_next(services, adv, taken.arrival_id)  # taken already
    stored_arrival = stored(services, Arrival, taken.arrival_id)
    assert (stored_arrival.status, stored_arrival.taken_by_id) == (ArrivalStatus.TAKEN, adv.user_id)


def test_figures_arrivals_per_hour_waits_and_the_show_rate(services, actors, clock):
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    cars = [_car(services, adv, n)[1] for n in (1, 2, 3, 4)]
    for vehicle_id, minute in zip(cars, (0, 0, 30, 30), strict=True):  # two a band (the capacity rule)
        checkin.book_appointment(services, adv, vehicle_id, dt.datetime(2026, 11, 24, 10, minute))
    checkin.cancel_appointment(services, adv, 4, no_show=False)  # cancelled: not counted as booked
    clock.now = dt.datetime(2026, 11, 24, 9, 50)
    reception.register_arrival(services, desk, ArrivalInput(plate="粤B10001"))
    reception.register_arrival(services, desk, ArrivalInput(plate="粤A55555"))
    clock.now = dt.datetime(2026, 11, 24, 10, 10)
    reception.take_next(services, adv)  # waited 20 min
    reception.register_arrival(services, desk, ArrivalInput(plate="粤B10002"))
    clock.now = dt.datetime(2026, 11, 24, 10, 40)
    reception.take_next(services, adv)  # 粤A55555 waited 50 min
    left = reception.register_arrival(services, desk, ArrivalInput(plate="粤A66666", purpose="enquiry"))
    reception.mark_left(services, desk, left.id)
    clock.now = dt.datetime(2026, 11, 24, 10, 45)
    fig = reception.figures(services, desk, dt.date(2026, 11, 24), dt.date(2026, 11, 24))
    assert fig.arrivals == 4 and fig.per_hour == ((9, 2), (10, 2))
    assert (fig.waiting_now, fig.left) == (1, 1)
    assert fig.longest_wait_minutes == 50  # taken 20 and 50, 粤B10002 waiting 35
    assert fig.average_wait_minutes == Decimal("35.0")
    assert (fig.booked, fig.showed, fig.show_rate) == (3, 2, Decimal("66.7"))
    strip = reception.board_strip(services, desk.store_id)
    assert (strip.waiting, strip.longest_minutes, strip.plates) == (1, 35, ("粤B10002",))
    # The wall board's strip and the TV's summary: plates only, no names.
    snap = board.snapshot(services, desk.store_id)
    assert snap.reception == strip
    tv = board_tv.payload(snap, clock.now, "Store")
    assert {"text": "Reception: 1 waiting · longest 35 min (粤B10002)", "kind": "reception"} in tv["summary"]
    with pytest.raises(ValidationError):
        reception.mark_left(services, desk, left.id)


def test_frontdesk_report_carries_the_reception_figures(services, actors, clock):
    from frontdesk.services import exports, reports

    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    _, vehicle = _car(services, adv, 1)
    checkin.book_appointment(services, adv, vehicle, dt.datetime(2026, 11, 24, 10, 0))
    clock.now = dt.datetime(2026, 11, 24, 10, 5)
    reception.register_arrival(services, desk, ArrivalInput(plate="粤B10001"))
    clock.now = dt.datetime(2026, 11, 24, 10, 17)
    reception.take_next(services, adv)
    day = dt.date(2026, 11, 24)
    text = exports.text_report(reports.report(services, actors[Role.MANAGER], day, day))
    for line in ("Arrivals", "10:00 (1)", "Longest wait (min)", "12", "Appointment show rate %", "100"):
        assert line in text, line


def test_the_red_wait_is_a_setting_of_the_settings_screen(settings):
    from dataclasses import replace

    from frontdesk.services import settings as settings_service

    form = settings_service.SettingsForm.of(settings)
    assert form.reception_wait_red_minutes == "10"
    assert settings_service.checked(replace(form, reception_wait_red_minutes="25"), settings).reception_wait_red_minutes == 25
    assert settings_service.checked(replace(form, reception_wait_red_minutes=""), settings).reception_wait_red_minutes == 10
    with pytest.raises(ValidationError) as refused:
        settings_service.checked(replace(form, reception_wait_red_minutes="0"), settings)
    assert refused.value.field == "reception_wait_red_minutes"


def test_a_taken_customer_given_back_waits_again_in_arrival_order_unless_checked_in(services, actors, clock):
    """Issue 20 (new-user trial): an abandoned check-in must not lose the customer taken from the queue."""
    desk, adv = actors[Role.RECEPTIONIST], actors[Role.ADVISOR]
    _, vehicle = _car(services, adv, 1)
    first = reception.register_arrival(services, desk, ArrivalInput(plate="粤B10001"))
    clock.advance(minutes=3)
    reception.register_arrival(services, desk, ArrivalInput(plate="粤A77777"))
    clock.advance(minutes=5)
    taken = reception.take_next(services, adv)
    assert taken.arrival_id == first.id
    assert [r.plate for r in reception.queue(services, adv)] == ["粤A77777"]
    with pytest.raises(PermissionDenied):
        reception.give_back(services, desk, taken.arrival_id)
    back = reception.give_back(services, adv, taken.arrival_id)
    assert back.status == ArrivalStatus.WAITING
    assert [r.plate for r in reception.queue(services, adv)] == ["粤B10001", "粤A77777"]  # its own place
    arrival = stored(services, Arrival, taken.arrival_id)
    assert (arrival.taken_at, arrival.taken_by_id) == (None, None)
    with services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "arrival.take")
                          .order_by(AuditEvent.id.desc())).first()
        assert (event.before["status"], event.after["status"]) == (ArrivalStatus.TAKEN, ArrivalStatus.WAITING)
    with pytest.raises(ValidationError):
        reception.give_back(services, adv, taken.arrival_id)  # waiting: nothing to give back
    # Taken again and checked in: the customer was served, giving back is refused.
    again = reception.take_next(services, adv, taken.arrival_id)
    clock.advance(minutes=1)
    checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=1000, fuel_eighths=4,
                                                         concerns="保养"))
    with pytest.raises(ValidationError) as refused:
        reception.give_back(services, adv, again.arrival_id)
    assert "checked in already" in str(refused.value)
    assert stored(services, Arrival, again.arrival_id).status == ArrivalStatus.TAKEN
