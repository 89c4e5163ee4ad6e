"""Recommendations have one home (issue 18, item 2): recorded at any step, decided at delivery,
printed on the statement and on the work order, offered again on the next visit (SQLite and PostgreSQL).

The scene (tests/factories.order_through): an oil service and front pads, and a safety-related
diagnosis the customer declined at the estimate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import Appointment, Job, RepairOrder
from frontdesk.model.enums import JobOrigin, JobStatus, OrderStatus, Role
from frontdesk.model.recommendation import Recommendation, RecommendationStatus, RecommendationStep
from frontdesk.services import (
    cashier_views,
    checkin,
    delivery,
    desk,
    documents,
    estimate,
    recommendations,
    settlement,
    workshop,
)
from frontdesk.services.errors import IllegalTransition, PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop, stored


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


def _recs(services, order_id: int) -> list[Recommendation]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Recommendation).where(Recommendation.order_id == order_id)
                              .order_by(Recommendation.id)))


def _hand_over(services, actors, order_id: int) -> None:  # type: ignore[no-untyped-def]
    delivery.tick_internal(services, actors[Role.QC], order_id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, actors[Role.ADVISOR], order_id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, actors[Role.ADVISOR], order_id)


def test_a_declined_estimate_line_is_one_declined_recommendation(services, actors, shop):
    _c, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="estimate")
    (rec,) = _recs(services, order.id)
    assert (rec.description, rec.step, rec.status, rec.safety, rec.decided_by) == (
        "故障诊断", RecommendationStep.ESTIMATE, RecommendationStatus.DECLINED, True, "张伟")
    assert rec.price == Decimal("90.00") and rec.job_id is not None and rec.vehicle_id == vehicle


def test_the_leaders_words_at_his_check_are_a_recommendation_of_that_check(services, actors, shop):
    _c, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="authorised")
    tech, lead = actors[Role.TECHNICIAN], actors[Role.TEAM_LEADER]
    job = next(j for j in estimate_jobs(services, order.id) if j.status == JobStatus.APPROVED)
    workshop.dispatch(services, actors[Role.SUPERVISOR], order.id, {job.id: shop.tech_a})
    workshop.start_job(services, tech, job.id)
    workshop.finish_job(services, tech, job.id, unissued_reason="not_needed")
    workshop.self_check(services, tech, job.id)
    workshop.leader_check(services, lead, job.id, notes="正常", recommendations="建议下次更换后刹车片")
    leader = _recs(services, order.id)[-1]
    assert (leader.description, leader.step, leader.status, leader.check_id is not None) == (
        "建议下次更换后刹车片", RecommendationStep.LEADER_CHECK, RecommendationStatus.OPEN, True)
    assert leader.found_by_id == lead.user_id


def estimate_jobs(services, order_id: int) -> list[Job]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Job).where(Job.order_id == order_id).order_by(Job.seq)))


def test_each_role_records_at_its_own_step_until_settlement(services, actors, shop):
    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    steps = {}
    for role, what in ((Role.TECHNICIAN, "雨刮片老化"), (Role.TEAM_LEADER, "后刹车片剩 3 mm"), (Role.QC, "左前轮胎鼓包"),
                       (Role.ADVISOR, "空调滤清器脏")):
        ref = recommendations.add(services, actors[role], order.id, description=what, reason="见照片",
                                  safety=role == Role.QC, price="120.00" if role == Role.ADVISOR else None)
        steps[what] = ref.id
    by_id = {r.id: r for r in _recs(services, order.id)}
    assert [by_id[steps[w]].step for w in steps] == [RecommendationStep.WORKSHOP, RecommendationStep.LEADER_CHECK,
                                                    RecommendationStep.QC, RecommendationStep.DELIVERY]
    assert by_id[steps["空调滤清器脏"]].price == Decimal("120.00")
    with pytest.raises(PermissionDenied):
        recommendations.add(services, actors[Role.CASHIER], order.id, description="洗车")
    with pytest.raises(ValidationError):
        recommendations.add(services, adv, order.id, description="  ")
    with pytest.raises(PermissionDenied):  # only the advisor puts them to the customer
        recommendations.decline(services, actors[Role.TECHNICIAN], steps["雨刮片老化"])
    _hand_over(services, actors, order.id)
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(safety_ack_by="张伟"))
    settlement.take_payment(services, actors[Role.CASHIER], order.id, "cash", "630.00", tendered="700.00")
    with pytest.raises(IllegalTransition):
        recommendations.add(services, actors[Role.TECHNICIAN], order.id, description="太迟了")


def test_taken_up_at_delivery_the_car_goes_back_with_the_job_approved(services, actors, shop):
    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    found = recommendations.add(services, actors[Role.TEAM_LEADER], order.id, description="更换雨刮片")
    with pytest.raises(ValidationError):  # no quote to take the hours from
        recommendations.accept(services, adv, found.id, decided_by="张伟")
    taken = recommendations.accept(services, adv, found.id, decided_by="张伟", hours="0.3")
    assert taken.status == RecommendationStatus.ACCEPTED and taken.job_id is not None
    job = stored(services, Job, taken.job_id)
    assert (job.status, job.origin, job.decision_by, job.hours) == (
        JobStatus.APPROVED, JobOrigin.ADDITIONAL, "张伟", Decimal("0.30"))
    assert stored(services, RepairOrder, order.id).status == OrderStatus.IN_WORKSHOP
    with pytest.raises(IllegalTransition):  # decided already
        recommendations.decline(services, adv, found.id)


def test_booked_for_another_day_is_an_appointment_for_the_work(services, actors, shop, clock):
    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    found = recommendations.add(services, actors[Role.QC], order.id, description="四轮定位", safety=True)
    when = clock() + dt.timedelta(days=7)
    with pytest.raises(ValidationError):
        recommendations.book(services, adv, found.id, scheduled_at=clock() - dt.timedelta(hours=1))
    booked = recommendations.book(services, adv, found.id, scheduled_at=when, decided_by="张伟")
    appt = stored(services, Appointment, booked.appointment_id)
    assert (appt.vehicle_id, appt.requested_work, appt.scheduled_at) == (vehicle, "四轮定位", when.replace(second=0))
    # booked is taken up: nothing to acknowledge, not offered again
    assert [r.description for r in recommendations.still_open(services, vehicle)] == ["故障诊断"]


def test_a_declined_safety_item_is_acknowledged_on_its_record(services, actors, shop):
    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    qc = recommendations.add(services, actors[Role.QC], order.id, description="左前轮胎鼓包", safety=True)
    recommendations.decline(services, adv, qc.id, decided_by="李娜", acknowledged=True)
    _hand_over(services, actors, order.id)
    with pytest.raises(ValidationError) as refused:  # the estimate's safety item is not acknowledged yet
        settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput())
    assert refused.value.field == "safety_ack_by"
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(safety_ack_by="张伟"))
    acks = {r.description: (r.acknowledged_by, r.status) for r in _recs(services, order.id)}
    assert acks == {"故障诊断": ("张伟", RecommendationStatus.DECLINED),
                    "左前轮胎鼓包": ("张伟", RecommendationStatus.DECLINED)}
    view = cashier_views.settlement_view(services, actors[Role.CASHIER], order.id)
    assert [d.description for d in view.declined] == ["故障诊断", "左前轮胎鼓包"] and view.safety_acknowledged


def test_the_leaders_recommendation_declined_prints_and_comes_back_next_visit(services, actors, shop, clock):
    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    lead = recommendations.add(services, actors[Role.TEAM_LEADER], order.id, description="建议更换后刹车片",
                               reason="剩 3 mm", safety=True)
    recommendations.decline(services, adv, lead.id, decided_by="张伟")
    _hand_over(services, actors, order.id)
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(safety_ack_by="张伟"))
    statement = documents.build(services, "settlement", order_id=order.id)
    assert [(r.description, r.reason, r.found_by, r.acknowledged_by) for r in statement.declined] == [
        ("故障诊断", "", "Advisor Test", "张伟"), ("建议更换后刹车片", "剩 3 mm", "Team_Leader Test", "张伟")]
    work_order = documents.build(services, "work-order", order_id=order.id)
    assert [r.description for r in work_order.declined] == ["故障诊断"]  # declined at the estimate only
    settlement.take_payment(services, actors[Role.CASHIER], order.id, "cash", "630.00", tendered="700.00")
    settlement.issue_gate_pass(services, actors[Role.CASHIER], order.id)

    clock.advance(days=60)
    again = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle, odometer_km=18000, fuel_eighths=4, concerns="保养"))
    history = desk.vehicle_history(services, vehicle)
    offered = {r.description: r for r in history.declined}
    assert set(offered) == {"故障诊断", "建议更换后刹车片"}
    brakes = offered["建议更换后刹车片"]
    assert (brakes.found_by, brakes.reason, brakes.safety, brakes.declined) == ("Team_Leader Test", "剩 3 mm", True, True)
    taken = recommendations.accept(services, adv, brakes.id, order_id=again.id, hours="1.0")
    job = stored(services, Job, taken.job_id)
    assert (job.order_id, job.status, job.origin) == (again.id, JobStatus.PROPOSED, JobOrigin.RECOMMENDED)
    # until the customer signs it stays in the history, as the line of this estimate
    assert {(r.description, r.job_id) for r in desk.vehicle_history(services, vehicle).declined} == {
        ("故障诊断", statement_job(services, order.id)), ("建议更换后刹车片", job.id)}
    # taken off the new estimate again, it is offered again, undecided as it was
    estimate.remove_line(services, adv, again.id, job_id=job.id)
    offered = {r.description: r for r in desk.vehicle_history(services, vehicle).declined}
    assert offered["建议更换后刹车片"].job_id is None and offered["建议更换后刹车片"].declined


def statement_job(services, order_id: int) -> int:  # type: ignore[no-untyped-def]
    """The diagnosis job declined at the estimate of ``order_id``."""
    with services.db.reader() as s:
        return s.scalar(select(Job.id).where(Job.order_id == order_id, Job.status == JobStatus.DECLINED))


def test_the_demo_store_records_recommendations_at_every_step(module_database):
    from frontdesk.config import Settings
    from frontdesk.services import demo
    from frontdesk.services.context import Services

    from .conftest import FakeClock

    midday = dt.datetime(2026, 11, 24, 12, 0)
    services = Services(db=module_database, settings=Settings(), clock=FakeClock(midday))
    demo.generate(services, days=12, progress=False, today=midday)
    with services.db.reader() as s:
        recs = s.scalars(select(Recommendation)).all()
        steps = {r.step for r in recs}
        open_on_closed = [r for r in recs if r.status == RecommendationStatus.OPEN
                          and s.get(RepairOrder, r.order_id).status == OrderStatus.CLOSED]
        unacknowledged = [r for r in recs if r.needs_acknowledgement
                          and s.get(RepairOrder, r.order_id).status == OrderStatus.CLOSED]
    assert steps == set(RecommendationStep), steps  # technician, team leader, QC, advisor (estimate, delivery)
    assert not open_on_closed and not unacknowledged  # each put to the customer at delivery


def test_migration_0008_moves_declined_jobs_check_texts_and_acknowledgements(tmp_path):
    """A store at 0007: its declined jobs, a leader's text and the order's acknowledgement become recommendations."""
    from pathlib import Path

    from sqlalchemy import text

    from frontdesk import migrate
    from frontdesk.db import Database

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate.upgrade(db, "0005")
        sql = (Path(__file__).parent / "fixtures" / "upgrade_0005" / "data.sql").read_text(encoding="utf-8")
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.executescript(f"BEGIN;\n{sql}\nCOMMIT;")
        finally:
            raw.close()
        migrate.upgrade(db, "0007")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE job_check SET recommendations = '建议更换雨刮片' WHERE id = 2"))
            conn.execute(text("UPDATE repair_order SET safety_ack_by = '张伟', safety_ack_at = '2026-11-24 12:00:00' "
                              "WHERE id = 1"))
            declined = conn.execute(text(
                "SELECT j.id, j.order_id, j.description, j.safety FROM job j WHERE j.status = 'declined' ORDER BY j.id"
            )).all()
        assert declined
        migrate.upgrade(db)
        with db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT job_id, check_id, order_id, description, status, step, acknowledged_by FROM recommendation "
                "ORDER BY id")).all()
            columns = {c["name"] for c in inspect_columns(conn, "repair_order")} | {
                c["name"] for c in inspect_columns(conn, "job_check")}
    finally:
        db.dispose()
    from_jobs = [r for r in rows if r.job_id is not None]
    assert [(r.job_id, r.order_id, r.description, r.status, r.step) for r in from_jobs] == [
        (j.id, j.order_id, j.description, "declined", "estimate") for j in declined]
    assert [r.acknowledged_by for r in from_jobs] == ["张伟" if (j.order_id == 1 and j.safety) else None
                                                      for j in declined]
    (leader,) = [r for r in rows if r.check_id is not None]
    assert (leader.check_id, leader.description, leader.status, leader.step) == (2, "建议更换雨刮片", "open", "leader_check")
    assert not {"recommendations", "safety_ack_by", "safety_ack_at"} & columns  # one home: the old places are gone


def inspect_columns(conn, table: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    from sqlalchemy import inspect

    return inspect(conn).get_columns(table)


def test_the_reminder_call_names_what_the_car_still_needs(services, actors, shop, clock):
    from frontdesk.services import aftercare_views

    adv = actors[Role.ADVISOR]
    _c, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="ready")
    wipers = recommendations.add(services, actors[Role.TECHNICIAN], order.id, description="雨刮片老化")
    recommendations.decline(services, adv, wipers.id, decided_by="张伟")
    taken = recommendations.add(services, actors[Role.QC], order.id, description="四轮定位", price="200.00")
    recommendations.accept(services, adv, taken.id, decided_by="张伟", hours="0.5")
    workshop_done(services, actors, shop, order.id)
    _hand_over(services, actors, order.id)
    bill = settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(
        next_service_date=(clock() + dt.timedelta(days=10)).date(), safety_ack_by="张伟"))
    assert bill.customer_amount == Decimal("720.00")  # the alignment taken up: 0.5 h × ¥180 more
    settlement.take_payment(services, actors[Role.CASHIER], order.id, "cash", "720.00")
    settlement.issue_gate_pass(services, actors[Role.CASHIER], order.id)
    due = aftercare_views.reminders(services, adv, days=30)
    (item,) = [i for i in due.items if i.vehicle_id == vehicle]
    assert item.recommended == ("⚠ 故障诊断", "雨刮片老化")  # the one taken up is not offered again


def workshop_done(services, actors, shop, order_id: int) -> None:  # type: ignore[no-untyped-def]
    """The job taken up at delivery: dispatched, done, checked; the car is ready again."""
    tech = actors[Role.TECHNICIAN]
    (job,) = [j for j in estimate_jobs(services, order_id) if j.status == JobStatus.APPROVED]
    workshop.dispatch(services, actors[Role.SUPERVISOR], order_id, {job.id: shop.tech_a})
    workshop.start_job(services, tech, job.id)
    workshop.finish_job(services, tech, job.id, unissued_reason="not_needed")
    workshop.self_check(services, tech, job.id)
    workshop.leader_check(services, actors[Role.TEAM_LEADER], job.id)
    workshop.final_qc(services, actors[Role.QC], job.id, passed=True)
    assert stored(services, RepairOrder, order_id).status == OrderStatus.READY
