"""Parts short in stock: issue what is there, request the rest; requested -> ordered -> arrived;
stock as the sum of its movements; the job and the board show "waiting parts" until arrival. Both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from frontdesk.model import AuditEvent, Job, PartOrder, StockLevel, StockMovement
from frontdesk.model.enums import JobStatus, PartOrderState, PauseReason, Role, StockMovementKind
from frontdesk.services import catalog, estimate, part_orders, workshop
from frontdesk.services import workshop_views as views
from frontdesk.services.common import read_order
from frontdesk.services.errors import ConflictError, IllegalTransition, PermissionDenied, ValidationError
from frontdesk.services.lifecycle import BoardStage, board_stage

from .factories import customer_and_vehicle, order_through, seed_shop, stored


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


@pytest.fixture
def disc(services, admin):
    """A part the store room does not have."""
    return catalog.save_part(services, admin, catalog.PartInput("5Q0615301", "前刹车盘", "420.00", "Front brake disc")).id


@pytest.fixture
def car(services, actors, shop, disc, clock):
    """In the workshop: oil (A) and pads (B) with two brake discs nobody has; returns (order, oil, pads, disc line)."""
    adv, sup = actors[Role.ADVISOR], actors[Role.SUPERVISOR]
    _, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="estimate")
    with services.db.reader() as s:
        jobs = {j.code: j.id for j in read_order(s, order.id).jobs}
    line = estimate.add_part(services, adv, order.id, part_id=disc, qty="2", job_id=jobs["BR0201"])
    estimate.set_terms(services, adv, order.id, payment_method="cash", promised_at=clock.now + dt.timedelta(hours=5))
    estimate.authorise(services, adv, order.id, "张伟")
    workshop.dispatch(services, sup, order.id, {jobs["MT0101"]: shop.tech_a, jobs["BR0201"]: shop.tech_b})
    return order.id, jobs["MT0101"], jobs["BR0201"], line.id


def _stage(services, order_id: int) -> BoardStage:
    with services.db.reader() as s:
        return board_stage(read_order(s, order_id))


def _level(services, part_id: int) -> tuple[Decimal, Decimal]:
    with services.db.reader() as s:
        level = s.scalar(select(StockLevel).where(StockLevel.part_id == part_id))
        return level.on_hand, level.reserved


def _movements(services, part_id: int) -> Decimal:
    with services.db.reader() as s:
        return s.scalar(select(func.coalesce(func.sum(StockMovement.qty), 0)).where(StockMovement.part_id == part_id))


def _requests(services) -> list[PartOrder]:
    with services.db.reader() as s:
        return list(s.scalars(select(PartOrder).order_by(PartOrder.id)))


def _job(services, job_id: int) -> Job:
    with services.db.reader() as s:
        return s.get(Job, job_id)


def test_a_short_part_is_requested_ordered_and_arrives_into_stock(services, actors, car, disc, clock):
    order_id, _oil, pads, line = car
    tech, sup = actors[Role.TECHNICIAN], actors[Role.SUPERVISOR]
    workshop.start_job(services, tech, pads)
    clock.advance(minutes=10)
    workshop.issue_parts(services, tech, line)  # none in stock: nothing issued, the two discs requested

    (request,) = _requests(services)
    assert (request.state, request.qty, request.part_line_id, request.job_id) == (PartOrderState.REQUESTED, 2, line, pads)
    job = _job(services, pads)
    assert job.status == JobStatus.PAUSED and job.pause_reason == PauseReason.WAITING_PARTS
    assert job.clocked_seconds == 600  # the clock stopped with the request
    assert _stage(services, order_id) == BoardStage.WAITING_PARTS
    assert _level(services, disc) == (0, 0) and _movements(services, disc) == 0
    with services.db.reader() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.entity == "part_order")).one()
        assert audit.action == "parts.issue" and audit.after["qty"] == "2.00" and audit.order_id == order_id
    shown = next(p for j in views.work_list(services, actors[Role.TEAM_LEADER]).jobs for p in j.parts if p.id == line)
    assert shown.short and shown.open_request.state == PartOrderState.REQUESTED

    expected = clock.now.date() + dt.timedelta(days=2)
    part_orders.mark_ordered(services, sup, request.id, expected, supplier_ref="PO-8812")
    ordered = stored(services, PartOrder, request.id)
    assert (ordered.state, ordered.expected_on, ordered.supplier_ref) == (PartOrderState.ORDERED, expected, "PO-8812")
    assert _stage(services, order_id) == BoardStage.WAITING_PARTS
    (listed,) = views.part_requests(services, sup)
    assert (listed.plate, listed.number, listed.state, listed.expected_on) == ("粤A12345", "5Q0615301", "ordered", expected)

    clock.advance(days=2)
    part_orders.mark_arrived(services, sup, request.id)
    assert _level(services, disc) == (2, 2)  # received and reserved for the line at once
    assert _movements(services, disc) == 2
    with services.db.reader() as s:
        receipt = s.scalars(select(StockMovement).where(StockMovement.part_id == disc)).one()
        assert receipt.kind == StockMovementKind.RECEIPT and receipt.part_line_id == line
    job = _job(services, pads)
    assert job.status == JobStatus.PAUSED and job.pause_reason == PauseReason.OTHER
    assert _stage(services, order_id) == BoardStage.IN_PROGRESS
    assert views.part_requests(services, sup) == ()

    workshop.resume_job(services, tech, pads)
    workshop.issue_parts(services, tech, line)
    assert _level(services, disc) == (0, 0) and _movements(services, disc) == 0


def test_issue_covers_what_is_there_and_requests_the_rest(services, actors, admin, shop, car):
    _order, oil, _pads, _line = car
    tech = actors[Role.TECHNICIAN]
    with services.db.reader() as s:
        oil_line = next(p for p in s.get(Job, oil).part_lines if p.part_id == shop.engine_oil)
    # Four litres on the line, 40 in the room (4 of them reserved for the line): a stocktake leaves 2.
    workshop_line = oil_line.id
    catalog.adjust_stock(services, admin, shop.engine_oil, -38, "stocktake")  # 2 on hand, 4 reserved
    workshop.start_job(services, tech, oil)
    workshop.issue_parts(services, tech, workshop_line)
    (request,) = _requests(services)
    assert request.qty == 2 and request.state == PartOrderState.REQUESTED
    with services.db.reader() as s:
        line = s.get(type(oil_line), workshop_line)
        assert line.issued_qty == 2
    assert _level(services, shop.engine_oil)[0] == 0
    # Issuing again while the rest is on order and the room is empty: refused, no second request.
    with pytest.raises(ValidationError, match="on order"):
        workshop.issue_parts(services, tech, workshop_line)
    assert len(_requests(services)) == 1


def test_an_explicit_request_makes_a_waiting_job_show_waiting_parts(services, actors, car):
    order_id, _oil, pads, line = car
    tech = actors[Role.TECHNICIAN]
    assert _stage(services, order_id) == BoardStage.WAITING
    request = part_orders.request_part(services, tech, line, expected_on=dt.date(2026, 11, 26), note="客户同意等件")
    assert request.qty == 2 and stored(services, PartOrder, request.id).note == "客户同意等件"
    job = _job(services, pads)
    assert job.status == JobStatus.ASSIGNED  # not started: nothing to pause, yet it waits
    assert _stage(services, order_id) == BoardStage.WAITING_PARTS
    shown = next(j for j in views.work_list(services, actors[Role.SUPERVISOR]).jobs if j.id == pads)
    assert shown.waiting_parts
    board = views.dispatch_board(services, actors[Role.SUPERVISOR])
    assert next(j for j in board.orders[0].jobs if j.id == pads).waiting_parts
    with pytest.raises(ValidationError):  # all of it is on order already
        part_orders.request_part(services, tech, line)


def test_refusals_and_conflicts(services, actors, shop, car, clock):
    order_id, oil, _pads, line = car
    tech, sup, adv = actors[Role.TECHNICIAN], actors[Role.SUPERVISOR], actors[Role.ADVISOR]
    with services.db.reader() as s:
        filter_line = next(p.id for p in s.get(Job, oil).part_lines if p.part_id == shop.oil_filter)
    with pytest.raises(ValidationError, match="enough"):
        part_orders.request_part(services, tech, filter_line)  # 10 in the room
    with pytest.raises(PermissionDenied):
        part_orders.request_part(services, adv, line)
    with pytest.raises(ValidationError):
        part_orders.request_part(services, tech, line, "3")  # more than the line needs
    request = part_orders.request_part(services, tech, line, "1")
    with pytest.raises(IllegalTransition):
        part_orders.mark_arrived(services, sup, request.id)  # not ordered yet
    for role in (Role.TECHNICIAN, Role.ADVISOR, Role.TEAM_LEADER):
        with pytest.raises(PermissionDenied):
            part_orders.mark_ordered(services, actors[role], request.id, clock.now.date())
    with pytest.raises(ValidationError):
        part_orders.mark_ordered(services, sup, request.id, clock.now.date() - dt.timedelta(days=1))
    version = _requests(services)[0].version
    part_orders.mark_ordered(services, sup, request.id, clock.now.date(), expected_version=version)
    with pytest.raises(ConflictError):
        part_orders.mark_arrived(services, sup, request.id, expected_version=version)
    with pytest.raises(IllegalTransition):
        part_orders.mark_ordered(services, sup, request.id, clock.now.date())
    with pytest.raises(PermissionDenied):
        part_orders.mark_arrived(services, tech, request.id)
    assert _requests(services)[0].state == PartOrderState.ORDERED
    assert order_id


def test_parts_cannot_be_ordered_before_the_car_is_in_the_workshop(services, actors, shop, disc):
    adv = actors[Role.ADVISOR]
    _, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="estimate")
    line = estimate.add_part(services, adv, order.id, part_id=disc, qty="1")
    with pytest.raises(IllegalTransition):
        part_orders.request_part(services, actors[Role.TECHNICIAN], line.id)
    assert _requests(services) == []
