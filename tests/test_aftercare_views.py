"""Follow-up calls, complaints and reminders on both databases, with the clock moved by hand.

The fixture car 粤A12345 is serviced and leaves on Tuesday 2026-11-24 at 09:00 (the
test clock's start): its follow-up call falls due on Friday 2026-11-27 at 10:00, its
next service on 2027-05-23 or at 22 730 km.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, Complaint, FollowUp
from frontdesk.model.enums import ComplaintStatus, FollowUpStatus, PaymentMethod, Role
from frontdesk.services import aftercare, aftercare_views, checkin, delivery, estimate, settlement, workshop
from frontdesk.services.aftercare import FollowUpResult
from frontdesk.services.aftercare_views import Pace, pace
from frontdesk.services.errors import IllegalTransition, PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop, stored

DAY0 = dt.datetime(2026, 11, 24, 9, 0)
FIVES = {name: 5 for name in aftercare.SCORE_FIELDS}


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


@pytest.fixture
def car(services, actors):
    return customer_and_vehicle(services, actors[Role.ADVISOR])[1]


def second_car(services, actors, plate: str = "粤B67890", vin: str = "LFV2A21K6B7654321", sale_date=None) -> int:
    adv = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("李娜", "13912345678"))
    return checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="大众", model="速腾", sale_date=sale_date, confirm_vin_check_digit=True)).id


def warranty_visit(services, actors, shop, vehicle_id: int, km: int) -> int:
    """A short visit under warranty (nothing for the customer to pay), checked in at ``km`` and closed."""
    adv, sup, tech, lead, qc, cash = (actors[r] for r in (
        Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC, Role.CASHIER))
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=km, fuel_eighths=4, concerns="刹车异响"))
    checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(covers_fitted=True, signed_by="张伟"))
    job = estimate.add_job(services, adv, order.id, labor_op_id=shop.diagnosis, pay_type="warranty")
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="leave", wash=False,
                       promised_at=services.clock() + dt.timedelta(hours=2))
    estimate.authorise(services, adv, order.id, "张伟")
    workshop.dispatch(services, sup, order.id, {job.id: shop.tech_a})
    workshop.start_job(services, tech, job.id)
    workshop.finish_job(services, tech, job.id, unissued_reason="not_needed")
    workshop.self_check(services, tech, job.id)
    workshop.leader_check(services, lead, job.id)
    workshop.final_qc(services, qc, job.id, passed=True)
    delivery.tick_internal(services, qc, order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order.id)
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(warranty_claim_ref="WC-1"))
    settlement.issue_gate_pass(services, cash, order.id)
    return order.id


def follow_up_of(services, order_id: int) -> FollowUp:
    with services.db.reader() as s:
        return s.scalar(select(FollowUp).where(FollowUp.order_id == order_id))


def complaints(services) -> list[Complaint]:
    with services.db.reader() as s:
        return list(s.scalars(select(Complaint).order_by(Complaint.id)))


# Follow-up calls -----------------------------------------------------------------------------


def test_the_call_falls_due_three_days_after_delivery_at_ten(services, actors, shop, car, clock):
    order = order_through(services, actors, shop, car)
    follow = follow_up_of(services, order.id)
    assert follow.due_at == dt.datetime(2026, 11, 27, 10, 0) and follow.status == FollowUpStatus.DUE

    adv = actors[Role.ADVISOR]
    clock.now = dt.datetime(2026, 11, 27, 9, 0)  # due later today
    queue = aftercare_views.follow_up_queue(services, adv)
    assert queue.due == () and [c.id for c in queue.later_today] == [follow.id]
    clock.now = dt.datetime(2026, 11, 26, 17, 0)  # the day before: nothing at all
    queue = aftercare_views.follow_up_queue(services, adv)
    assert queue.due == () and queue.later_today == ()
    clock.now = dt.datetime(2026, 11, 27, 10, 0)
    (call,) = aftercare_views.follow_up_queue(services, adv).due
    assert (call.order_number, call.plate, call.customer_name, call.phone) == (order.number, "粤A12345", "张伟", "13800138000")
    assert call.delivered_at == DAY0 and call.advisor == "Advisor Test" and call.attempts == 0
    assert not call.overdue and not call.agreed
    clock.now = dt.datetime(2026, 11, 28, 9, 0)  # not called yesterday: overdue, and first in the queue
    assert aftercare_views.follow_up_queue(services, adv).due[0].overdue


def test_the_agreed_time_wins(services, actors, shop, car, clock):
    agreed = dt.datetime(2026, 11, 25, 19, 30)  # the customer asked to be called after work
    order = order_through(services, actors, shop, car, stop="delivered")
    settlement.prepare_settlement(services, actors[Role.ADVISOR], order.id, settlement.SettlementInput(
        follow_up_at=agreed, safety_ack_by="张伟"))
    settlement.take_payment(services, actors[Role.CASHIER], order.id, PaymentMethod.CASH, "630.00")
    settlement.issue_gate_pass(services, actors[Role.CASHIER], order.id)
    assert follow_up_of(services, order.id).due_at == agreed
    clock.now = dt.datetime(2026, 11, 25, 19, 30)
    (call,) = aftercare_views.follow_up_queue(services, actors[Role.ADVISOR]).due
    assert call.agreed


def test_next_try_stays_in_calling_hours():
    assert aftercare.next_try(dt.datetime(2026, 11, 27, 10, 5)) == dt.datetime(2026, 11, 27, 14, 5)
    assert aftercare.next_try(dt.datetime(2026, 11, 27, 13, 59)) == dt.datetime(2026, 11, 27, 17, 59)
    assert aftercare.next_try(dt.datetime(2026, 11, 27, 14, 0)) == dt.datetime(2026, 11, 28, 10, 0)
    assert aftercare.next_try(dt.datetime(2026, 11, 27, 21, 0)) == dt.datetime(2026, 11, 28, 10, 0)
    assert aftercare.next_try(dt.datetime(2026, 11, 27, 3, 0)) == dt.datetime(2026, 11, 27, 10, 0)


def test_misses_retry_then_escalate_to_the_manager(services, actors, shop, car, clock):
    adv, mgr = actors[Role.ADVISOR], actors[Role.MANAGER]
    order = order_through(services, actors, shop, car)
    follow_id = follow_up_of(services, order.id).id

    clock.now = dt.datetime(2026, 11, 27, 10, 5)
    first = aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(reached=False, comments="无人接听"))
    assert (first.status, first.attempts, first.due_at) == (FollowUpStatus.DUE, 1, dt.datetime(2026, 11, 27, 14, 5))
    queue = aftercare_views.follow_up_queue(services, adv)
    assert queue.due == () and [c.id for c in queue.later_today] == [follow_id]
    assert queue.later_today[0].last_note == "无人接听" and queue.later_today[0].last_caller == "Advisor Test"

    clock.now = dt.datetime(2026, 11, 27, 14, 10)  # 4 h on would be 18:10: tomorrow morning instead
    second = aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(reached=False))
    assert (second.attempts, second.due_at) == (2, dt.datetime(2026, 11, 28, 10, 0))
    assert aftercare_views.follow_up_queue(services, adv).later_today == ()

    clock.now = dt.datetime(2026, 11, 28, 10, 30)
    third = aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(reached=False, comments="关机"))
    assert (third.status, third.attempts) == (FollowUpStatus.ESCALATED, 3)
    queue = aftercare_views.follow_up_queue(services, mgr)
    assert queue.due == () and queue.later_today == ()
    (escalated,) = queue.escalated
    assert (escalated.id, escalated.attempts, escalated.last_attempt_at) == (follow_id, 3, clock.now)

    # Only the manager closes it unreached, and says why.
    with pytest.raises(PermissionDenied):
        aftercare.close_follow_up(services, adv, follow_id, "号码错误")
    with pytest.raises(ValidationError):
        aftercare.close_follow_up(services, mgr, follow_id, "  ")
    closed = aftercare.close_follow_up(services, mgr, follow_id, "号码错误，已转销售核实")
    assert (closed.status, closed.reached) == (FollowUpStatus.DONE, False)
    assert stored(services, FollowUp, follow_id).comments == "号码错误，已转销售核实"
    assert aftercare_views.follow_up_queue(services, mgr).escalated == ()
    with services.db.reader() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "follow_up")
                                              .order_by(AuditEvent.id))]
    assert actions == ["followup.record"] * 3 + ["followup.close"]


def test_the_manager_records_an_escalated_call(services, actors, shop, car, clock):
    adv, mgr = actors[Role.ADVISOR], actors[Role.MANAGER]
    order = order_through(services, actors, shop, car)
    follow_id = follow_up_of(services, order.id).id
    clock.now = dt.datetime(2026, 11, 27, 10, 0)
    for _ in range(3):
        aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(reached=False))
    done = aftercare.record_follow_up(services, mgr, follow_id, FollowUpResult(reached=True, scores=FIVES))
    assert (done.status, done.attempts, done.reached) == (FollowUpStatus.DONE, 4, True)
    with pytest.raises(ValidationError):
        aftercare.record_follow_up(services, mgr, follow_id, FollowUpResult(reached=False))
    with pytest.raises(IllegalTransition):
        aftercare.close_follow_up(services, mgr, follow_id, "done already")


def test_a_low_score_opens_a_complaint_all_fives_do_not(services, actors, shop, car, clock):
    adv = actors[Role.ADVISOR]
    other = second_car(services, actors)
    happy = order_through(services, actors, shop, car)
    unhappy = order_through(services, actors, shop, other)
    clock.now = dt.datetime(2026, 11, 27, 10, 0)

    done = aftercare.record_follow_up(services, adv, follow_up_of(services, happy.id).id,
                                      FollowUpResult(reached=True, scores=FIVES, comments="满意"))
    assert done.status == FollowUpStatus.DONE and stored(services, FollowUp, done.id).score_price == 5
    assert complaints(services) == []
    assert aftercare_views.call_outcome(services, adv, done.id).complaint_id is None

    scores = {**FIVES, "timeliness": 3}
    follow_id = follow_up_of(services, unhappy.id).id
    aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(reached=True, scores=scores, comments="晚了一小时"))
    (case,) = complaints(services)
    assert case.status == ComplaintStatus.OPEN and case.order_id == unhappy.id and case.owner_id is None
    assert "On time 3" in case.description and "晚了一小时" in case.description
    outcome = aftercare_views.call_outcome(services, adv, follow_id)
    assert outcome.complaint_id == case.id and outcome.scores == (5, 5, 5, 3, 5)


def test_complaint_words_open_a_case_even_with_good_scores(services, actors, shop, car, clock):
    adv = actors[Role.ADVISOR]
    order = order_through(services, actors, shop, car)
    clock.now = dt.datetime(2026, 11, 27, 10, 0)
    follow_id = follow_up_of(services, order.id).id
    with pytest.raises(ValidationError, match="each question"):  # a score missing: nothing saved
        aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(
            reached=True, scores={"overall": 5}, complaint="车内有油污"))
    assert complaints(services) == [] and follow_up_of(services, order.id).attempts == 0
    scores = {**FIVES, "overall": 4}
    aftercare.record_follow_up(services, adv, follow_id, FollowUpResult(
        reached=True, scores=scores, complaint="车内有油污，座椅没清理"))
    (case,) = complaints(services)
    assert case.description == "车内有油污，座椅没清理"


def test_a_complaint_is_owned_worked_and_resolved(services, actors, shop, car, clock):
    adv, mgr, cash = actors[Role.ADVISOR], actors[Role.MANAGER], actors[Role.CASHIER]
    order = order_through(services, actors, shop, car)
    case = aftercare.open_complaint(services, cash, order.id, "收银台排队太久")
    clock.advance(days=2)
    board = aftercare_views.complaint_board(services, adv)
    (item,) = board.active
    assert (item.status, item.age_days, item.order_number, item.customer_name, item.owner) == (
        ComplaintStatus.OPEN, 2, order.number, "张伟", "")
    assert item.opened_by == "Cashier Test" and item.advisor == "Advisor Test"
    assert board.owners[0].role == Role.MANAGER  # the manager heads the list of possible owners

    with pytest.raises(PermissionDenied):
        aftercare.update_complaint(services, adv, case.id, status="in_progress")
    with pytest.raises(ValidationError, match="resolved"):
        aftercare.update_complaint(services, mgr, case.id, status="resolved")
    assert all(o.role != Role.TECHNICIAN for o in board.owners)  # a technician does not own cases
    taken = aftercare.update_complaint(services, mgr, case.id, status=ComplaintStatus.IN_PROGRESS)
    assert taken.owner_id == mgr.user_id and taken.status == ComplaintStatus.IN_PROGRESS
    aftercare.update_complaint(services, mgr, case.id, owner_id=cash.user_id)
    clock.advance(days=1)
    done = aftercare.update_complaint(services, mgr, case.id, status="resolved",
                                      resolution="致电道歉，赠送一次免费洗车")
    assert done.status == ComplaintStatus.RESOLVED and done.resolved_at == clock.now
    board = aftercare_views.complaint_board(services, mgr)
    assert board.active == () and board.resolved[0].owner == "Cashier Test" and board.resolved[0].age_days == 3
    with pytest.raises(IllegalTransition):
        aftercare.update_complaint(services, mgr, case.id, status="open")
    reopened = aftercare.update_complaint(services, mgr, case.id, status="in_progress")
    assert reopened.resolved_at is None

    with services.db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "complaint").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["complaint.open"] + ["complaint.update"] * 4
    assert events[3].before["status"] == "in_progress" and events[3].after["status"] == "resolved"
    assert events[3].after["resolution"] == "致电道歉，赠送一次免费洗车"
    assert all(e.user_id is not None for e in events)


def test_a_complaint_names_its_order_by_number_or_plate(services, actors, shop, car, clock):
    order = order_through(services, actors, shop, car)
    cash = actors[Role.CASHIER]
    assert aftercare_views.complaint_order(services, cash, order.number.lower()).order_id == order.id
    ref = aftercare_views.complaint_order(services, cash, " 粤a12345 ")
    assert (ref.order_id, ref.plate, ref.customer_name) == (order.id, "粤A12345", "张伟")
    with pytest.raises(ValidationError, match="No order"):
        aftercare_views.complaint_order(services, cash, "粤Z99999")
    with pytest.raises(ValidationError):
        aftercare_views.complaint_order(services, cash, "  ")


# Reminders ---------------------------------------------------------------------------------------


def test_pace_from_readings_sale_date_or_default():
    on = dt.date(2026, 11, 24)
    assert pace(2, 15230, 16230, on, on + dt.timedelta(days=20), None) == Pace(1000, 20, "readings")
    assert pace(2, 15230, 16230, on, on + dt.timedelta(days=20), None).per_day == 50
    # two readings too close together say little: the sale date, else the default
    assert pace(2, 15230, 15300, on, on + dt.timedelta(days=2), dt.date(2025, 11, 24)) == Pace(15300, 367, "sale")
    assert pace(1, 15230, 15230, on, on, None) == Pace(40, 1, "default")
    assert pace(0, None, None, None, None, dt.date(2025, 1, 1)) == Pace(40, 1, "default")
    assert Pace(1000, 20, "readings").over(80) == 4000 and Pace(1000, 20, "readings").days_for(2500) == 50


def test_reminders_by_mileage_from_the_cars_own_pace(services, actors, shop, car, clock):
    adv = actors[Role.ADVISOR]
    order_through(services, actors, shop, car)  # 15 230 km today; next service 2027-05-23 or 22 730 km
    clock.now = dt.datetime(2026, 12, 14, 9, 0)  # 20 days later, 1 000 km more: 50 km a day
    warranty_visit(services, actors, shop, car, 16230)

    clock.now = dt.datetime(2027, 3, 4, 9, 0)  # 80 days on: about 20 230 km, 2 500 to go
    assert aftercare_views.reminders(services, adv).items == ()
    (item,) = aftercare_views.reminders(services, adv, days=30, km=3000).items
    assert (item.km_per_day, item.pace_source, item.estimated_km, item.km_left) == (50, "readings", 20230, 2500)
    assert item.by_km and not item.by_date and item.days_left == 80
    assert item.due_on == dt.date(2027, 4, 23)  # 2 500 km at 50 a day

    clock.now = dt.datetime(2027, 4, 13, 9, 0)  # 120 days on: 22 230 km, 500 to go
    (item,) = aftercare_views.reminders(services, adv).items
    assert (item.estimated_km, item.km_left, item.by_km, item.by_date) == (22230, 500, True, False)
    assert (item.plate, item.customer_name, item.phone) == ("粤A12345", "张伟", "13800138000")
    assert (item.last_visit, item.last_odometer_km, item.last_reading_on) == (
        dt.datetime(2026, 12, 14, 9, 0), 16230, dt.date(2026, 12, 14))
    assert (item.next_service_date, item.next_service_km) == (dt.date(2027, 5, 23), 22730)
    assert item.last_call_result == ""


def test_reminders_by_date_and_who_is_left_out(services, actors, shop, car, clock):
    adv = actors[Role.ADVISOR]
    other = second_car(services, actors)  # no sale date: one reading, so 40 km a day
    order_through(services, actors, shop, other)
    clock.now = dt.datetime(2027, 5, 3, 9, 0)  # 20 days before 2027-05-23; about 21 630 km
    (item,) = aftercare_views.reminders(services, adv).items
    assert (item.plate, item.days_left, item.by_date, item.by_km) == ("粤B67890", 20, True, False)
    assert (item.pace_source, item.km_per_day, item.estimated_km, item.km_left) == ("default", 40, 21630, 1100)
    assert aftercare_views.reminders(services, adv, days=14).items == ()
    assert len(aftercare_views.reminders(services, adv, days=14, km=1100).items) == 1

    # Not reached: it stays, with the result; reached: it leaves for two weeks.
    aftercare.record_reminder_call(services, adv, other, reached=False, notes="关机")
    (item,) = aftercare_views.reminders(services, adv).items
    assert (item.last_call_reached, item.last_call_result, item.last_call_notes) == (False, "no_answer", "关机")
    with pytest.raises(ValidationError):
        aftercare.record_reminder_call(services, adv, other, reached=True, result="no_answer")
    aftercare.record_reminder_call(services, adv, other, reached=True, result="later", notes="下周再联系")
    assert aftercare_views.reminders(services, adv).items == ()
    clock.advance(days=aftercare.REMINDER_QUIET_DAYS, minutes=1)
    (item,) = aftercare_views.reminders(services, adv).items
    assert (item.last_call_reached, item.last_call_result) == (True, "later")

    # A booked appointment or an open order: the car is coming, nobody calls.
    appt = checkin.book_appointment(services, adv, other, clock.now + dt.timedelta(days=3), "保养")
    assert aftercare_views.reminders(services, adv).items == ()
    checkin.cancel_appointment(services, adv, appt.id)
    assert len(aftercare_views.reminders(services, adv).items) == 1
    checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=other, odometer_km=22000, fuel_eighths=4,
                                                         concerns="保养"))
    assert aftercare_views.reminders(services, adv).items == ()


def test_a_lapsed_customer_is_not_a_reminder(services, actors, shop, car, clock):
    order_through(services, actors, shop, car)
    clock.now = dt.datetime(2027, 5, 23, 9, 0) + dt.timedelta(days=aftercare_views.LAPSED_DAYS + 1)
    assert aftercare_views.reminders(services, actors[Role.ADVISOR]).items == ()
