"""The approvals queue (advisor) and the checks queue (team leader, QC), and the schedule slip service.

The scene: 粤A12345's order (oil service, customer pay ¥630; warranty front pads ¥905) is in the
workshop with the oil job started; promised at 13:00 (the clock starts at 09:00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from frontdesk.model.enums import CheckKind, DecisionChannel, JobStatus, OrderStatus, Role
from frontdesk.services import approval_views, approvals, checkin, desk, estimate, workshop
from frontdesk.services.errors import ConflictError, IllegalTransition, PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop

OTHER_CARS = (("粤B67890", "LFV2A21K6B7654321"), ("粤C24680", "LGXC0000XD1112223"))


def jobs_of(services, order_id: int) -> dict[str, int]:
    return {ln.code: ln.id for ln in desk.order_view(services, order_id).lines if ln.kind == "labor"}


def in_workshop(services, actors, shop, vehicle_id: int, *, wash: bool = False) -> tuple[int, int, int]:
    """An order authorised (promised in 4 hours), dispatched, its oil job started: (order, oil, pads)."""
    adv, sup, tech = actors[Role.ADVISOR], actors[Role.SUPERVISOR], actors[Role.TECHNICIAN]
    order = order_through(services, actors, shop, vehicle_id, stop="estimate")
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="take", wash=wash,
                       promised_at=services.clock() + dt.timedelta(hours=4))
    estimate.authorise(services, adv, order.id, "张伟")
    jobs = jobs_of(services, order.id)
    oil, pads = jobs["MT0101"], jobs["BR0201"]
    workshop.dispatch(services, sup, order.id, {oil: shop.tech_a, pads: shop.tech_b})
    workshop.start_job(services, tech, oil)
    return order.id, oil, pads


def another_vehicle(services, adv, n: int) -> int:
    plate, vin = OTHER_CARS[n]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput(f"客户{n}", f"1391234567{n}"))
    return checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="大众", model="速腾", confirm_vin_check_digit=True)).id


@pytest.fixture
def scene(services, admin, actors):
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    order_id, oil, pads = in_workshop(services, actors, shop, vehicle_id)
    return shop, order_id, oil, pads


def count_queries(services):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(services.db.engine, "before_cursor_execute", before)


# The approvals queue -----------------------------------------------------------------------------------


def test_additional_work_waits_in_the_queue_with_what_the_advisor_needs(services, actors, scene, clock):
    shop, order_id, oil, _pads = scene
    tech = actors[Role.TECHNICIAN]
    assert approval_views.approvals_queue(services, actors[Role.ADVISOR]).waiting == ()
    clock.advance(minutes=25)
    extra = workshop.propose_additional(
        services, tech, order_id, description="更换空调滤清器", hours="0.50", note="滤芯很脏",
        parts=((shop.oil_filter, "1"), (shop.brake_pads, "1")), pause_job_id=oil)

    queue = approval_views.approvals_queue(services, actors[Role.ADVISOR])
    (item,) = queue.waiting
    view = desk.order_view(services, order_id)
    assert (item.job_id, item.order_id, item.order_number) == (extra.id, order_id, view.number)
    assert (item.plate, item.model, item.customer_name, item.phone) == ("粤A12345", "大众 朗逸", "张伟", "13800138000")
    assert item.brought_by == "李娜" and item.advisor == "Advisor Test"
    assert (item.description, item.hours, item.note) == ("更换空调滤清器", Decimal("0.50"), "滤芯很脏")
    assert item.labor_amount == Decimal("90.00")  # 0.5 h at 180
    assert [(p.number, p.qty, p.amount) for p in item.parts] == [
        ("06L115562B", Decimal(1), Decimal("58.00")), ("5Q0698151", Decimal(1), Decimal("680.00"))]
    filter_, pads = item.parts
    assert filter_.reserved == Decimal(1) and not filter_.short
    assert filter_.available == Decimal(8)  # 10 on hand, one held for the oil job and one for this
    assert pads.reserved == Decimal(0) and pads.short  # the store's only set is held for the warranty job
    assert item.parts_amount == Decimal("738.00") and item.amount == Decimal("828.00")
    assert item.proposed_by == "Technician Test" and item.proposed_at == dt.datetime(2026, 11, 24, 9, 25)
    assert item.promised_at == dt.datetime(2026, 11, 24, 13, 0) and not item.overdue
    assert item.order_total == Decimal("1535.00")  # proposed work is not on the bill yet
    assert item.total_if_approved == Decimal("2363.00")
    assert item.customer_pays_if_approved == Decimal("1458.00")  # 630 + 828; the pads are warranty
    assert item.waiting_jobs == 1  # the oil job paused for the answer
    assert queue.decided_today == ()


def test_decisions_and_slips_of_today(services, actors, scene, clock):
    _shop, order_id, oil, _pads = scene
    adv, tech = actors[Role.ADVISOR], actors[Role.TECHNICIAN]
    yes = workshop.propose_additional(services, tech, order_id, description="更换空调滤清器", hours="0.5")
    no = workshop.propose_additional(services, tech, order_id, description="轮胎换位", hours="0.4", safety=True)
    waiting = approval_views.approvals_queue(services, adv).waiting
    assert [i.job_id for i in waiting] == [yes.id, no.id]

    clock.advance(minutes=10)
    workshop.record_decision(services, adv, yes.id, approved=True, decided_by="张伟", channel=DecisionChannel.PHONE,
                             expected_version=waiting[0].job_version)
    clock.advance(minutes=5)
    workshop.record_decision(services, adv, no.id, approved=False, decided_by="李娜", channel="wechat",
                             note="下次再做")
    clock.advance(minutes=5)
    approvals.report_slip(services, adv, order_id, promised_at=dt.datetime(2026, 11, 24, 16, 30), told="张伟",
                          channel="phone", note="增项需要时间")

    queue = approval_views.approvals_queue(services, adv)
    assert queue.waiting == ()
    slip, declined, approved = queue.decided_today  # newest first
    assert (approved.kind, approved.description, approved.answered_by, approved.channel) == (
        "approved", "更换空调滤清器", "张伟", "phone")
    assert approved.amount == Decimal("90.00") and approved.recorded_by == "Advisor Test"
    assert approved.at == dt.datetime(2026, 11, 24, 9, 10) and approved.plate == "粤A12345"
    assert (declined.kind, declined.answered_by, declined.channel, declined.note) == ("declined", "李娜", "wechat", "下次再做")
    assert (slip.kind, slip.answered_by, slip.channel, slip.note) == ("slip", "张伟", "phone", "增项需要时间")
    assert slip.promised_before == dt.datetime(2026, 11, 24, 13, 0)
    assert slip.promised_after == dt.datetime(2026, 11, 24, 16, 30)
    assert approval_views.order_totals(services, order_id).gross == Decimal("1625.00")  # 1535 + 90

    clock.advance(days=1)  # tomorrow the list starts empty
    assert approval_views.approvals_queue(services, adv).decided_today == ()


def test_a_stale_decision_is_refused(services, actors, scene):
    _shop, order_id, _oil, _pads = scene
    adv, tech = actors[Role.ADVISOR], actors[Role.TECHNICIAN]
    job = workshop.propose_additional(services, tech, order_id, description="更换空调滤清器", hours="0.5")
    (item,) = approval_views.approvals_queue(services, adv).waiting
    workshop.record_decision(services, adv, job.id, approved=True, decided_by="张伟")  # another terminal
    with pytest.raises(ConflictError):
        workshop.record_decision(services, adv, job.id, approved=False, decided_by="张伟",
                                 expected_version=item.job_version)


def test_report_slip_rules(services, actors, scene, clock):
    _shop, order_id, _oil, _pads = scene
    adv = actors[Role.ADVISOR]
    later = dt.datetime(2026, 11, 24, 17, 0)
    with pytest.raises(ValidationError, match="future"):
        approvals.report_slip(services, adv, order_id, promised_at=clock.now - dt.timedelta(minutes=1), told="张伟")
    with pytest.raises(ValidationError, match="already"):
        approvals.report_slip(services, adv, order_id, promised_at=dt.datetime(2026, 11, 24, 13, 0), told="张伟")
    with pytest.raises(ValidationError) as error:
        approvals.report_slip(services, adv, order_id, promised_at=later, told=" ")
    assert error.value.field == "told"
    with pytest.raises(ValidationError) as error:
        approvals.report_slip(services, adv, order_id, promised_at=later, told="张伟", channel="fax")
    assert error.value.field == "channel"
    with pytest.raises(PermissionDenied):
        approvals.report_slip(services, actors[Role.TECHNICIAN], order_id, promised_at=later, told="张伟")
    version = desk.order_view(services, order_id).version
    approvals.report_slip(services, actors[Role.SUPERVISOR], order_id, promised_at=later, told="张伟",
                          expected_version=version)
    assert desk.order_view(services, order_id).promised_at == later
    with pytest.raises(ConflictError):
        approvals.report_slip(services, adv, order_id, promised_at=later + dt.timedelta(hours=1), told="张伟",
                              expected_version=version)


def test_report_slip_only_while_the_car_is_in(services, admin, actors):
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle_id, stop="estimate")
    with pytest.raises(IllegalTransition):
        approvals.report_slip(services, actors[Role.ADVISOR], order.id,
                              promised_at=services.clock() + dt.timedelta(hours=2), told="张伟")


def test_the_approvals_queue_reads_in_a_fixed_number_of_queries(services, actors, scene):
    shop, order_id, _oil, _pads = scene
    adv, tech = actors[Role.ADVISOR], actors[Role.TECHNICIAN]
    workshop.propose_additional(services, tech, order_id, description="A", hours="0.5", parts=((shop.oil_filter, "1"),))
    workshop.record_decision(services, adv, workshop.propose_additional(
        services, tech, order_id, description="B", hours="0.5").id, approved=True, decided_by="张伟")
    seen, stop = count_queries(services)
    approval_views.approvals_queue(services, adv)
    one = len(seen)
    stop()
    for n in range(2):
        other, _o, _p = in_workshop(services, actors, shop, another_vehicle(services, adv, n))
        for k in range(2):
            job = workshop.propose_additional(services, tech, other, description=f"X{k}", hours="0.5",
                                              parts=((shop.engine_oil, "1"),))
        workshop.record_decision(services, adv, job.id, approved=False, decided_by="客户")
        approvals.report_slip(services, adv, other, promised_at=services.clock() + dt.timedelta(hours=6), told="客户")
    seen, stop = count_queries(services)
    queue = approval_views.approvals_queue(services, adv)
    stop()
    assert len(queue.waiting) == 3 and len(queue.decided_today) == 5
    assert len(seen) == one


# The checks queue ----------------------------------------------------------------------------------------


def test_jobs_wait_for_each_check_and_a_qc_fail_counts_as_rework(services, admin, actors, clock):
    shop = seed_shop(services, admin, actors)
    adv, tech, lead, qc, sup = (actors[r] for r in (Role.ADVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC,
                                                    Role.SUPERVISOR))
    _, vehicle_id = customer_and_vehicle(services, adv)
    order_id, oil, pads = in_workshop(services, actors, shop, vehicle_id, wash=True)
    assert approval_views.checks_queue(services, qc).jobs == ()

    clock.advance(minutes=30)
    workshop.finish_job(services, tech, oil, unissued_reason="not_needed")
    workshop.start_job(services, tech, pads)
    clock.advance(minutes=30)
    workshop.finish_job(services, tech, pads, unissued_reason="not_needed")
    workshop.self_check(services, tech, pads, notes="已试车")
    queue = approval_views.checks_queue(services, qc)
    by_job = {i.job_id: i for i in queue.jobs}
    assert set(by_job) == {oil, pads}
    assert by_job[oil].waiting_for == "self" and by_job[pads].waiting_for == "leader"
    item = by_job[oil]
    assert (item.plate, item.model, item.advisor, item.code, item.technician, item.team) == (
        "粤A12345", "大众 朗逸", "Advisor Test", "MT0101", "Technician A", "机修一组")
    assert item.finished_at == dt.datetime(2026, 11, 24, 9, 30) and item.rework_count == 0
    assert by_job[pads].safety and by_job[pads].technician == "Technician B"
    assert [(c.kind, c.passed, c.by, c.notes) for c in by_job[pads].checks] == [
        (CheckKind.SELF, True, "Technician Test", "已试车")]

    workshop.self_check(services, tech, oil)
    workshop.leader_check(services, lead, pads, notes="刹车正常", recommendations="建议下次更换后刹车片")
    workshop.leader_check(services, lead, oil)
    workshop.final_qc(services, qc, pads, passed=False, notes="刹车踏板偏软")
    queue = approval_views.checks_queue(services, qc)
    assert [(i.job_id, i.waiting_for, i.rework_count) for i in queue.jobs] == [(oil, "qc", 0), (pads, None, 1)]
    back = queue.jobs[1]
    assert back.status == JobStatus.IN_PROGRESS
    assert back.checks[1].recommendations == "建议下次更换后刹车片" and back.checks[2].notes == "刹车踏板偏软"
    assert queue.wash == () and queue.ready == ()

    workshop.final_qc(services, qc, oil, passed=True)
    workshop.finish_job(services, tech, pads, unissued_reason="not_needed")
    workshop.self_check(services, tech, pads)
    workshop.leader_check(services, lead, pads)
    workshop.final_qc(services, qc, pads, passed=True)
    queue = approval_views.checks_queue(services, qc)
    assert queue.jobs == ()
    (car,) = queue.wash
    assert (car.order_id, car.status, car.wash, car.rework_count, car.jobs) == (
        order_id, OrderStatus.IN_WORKSHOP, True, 1, 2)

    workshop.record_wash(services, sup, order_id, expected_version=car.order_version)
    queue = approval_views.checks_queue(services, qc)
    assert queue.wash == ()
    (car,) = queue.ready
    assert car.status == OrderStatus.READY and car.washed_at == car.ready_at == clock.now and car.rework_count == 1


def test_the_checks_queue_reads_in_a_fixed_number_of_queries(services, admin, actors):
    shop = seed_shop(services, admin, actors)
    adv, tech = actors[Role.ADVISOR], actors[Role.TECHNICIAN]
    _, vehicle_id = customer_and_vehicle(services, adv)
    orders = [in_workshop(services, actors, shop, vehicle_id)]
    seen, stop = count_queries(services)
    approval_views.checks_queue(services, adv)
    empty = len(seen)
    stop()
    workshop.finish_job(services, tech, orders[0][1], unissued_reason="not_needed")
    workshop.self_check(services, tech, orders[0][1], notes="ok")
    seen, stop = count_queries(services)
    approval_views.checks_queue(services, adv)
    one = len(seen)
    stop()
    for n in range(2):
        order_id, oil, pads = in_workshop(services, actors, shop, another_vehicle(services, adv, n))
        workshop.finish_job(services, tech, oil, unissued_reason="not_needed")
        workshop.self_check(services, tech, oil, notes="ok")
    seen, stop = count_queries(services)
    queue = approval_views.checks_queue(services, adv)
    stop()
    assert len(queue.jobs) == 3
    assert len(seen) == one and one <= empty + 5
