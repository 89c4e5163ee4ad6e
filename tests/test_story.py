"""The whole seed workflow of a repair order as one service-level story (DESIGN §1, 1-17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from frontdesk.model import AuditEvent, FollowUp, Job, Payment, Receivable, RepairOrder, StockLevel, StockMovement
from frontdesk.model.enums import (
    DecisionChannel,
    JobOrigin,
    JobStatus,
    OrderStatus,
    PauseReason,
    PaymentMethod,
    PayType,
    Role,
)
from frontdesk.services import aftercare, checkin, delivery, estimate, settlement, workshop
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.common import read_order
from frontdesk.services.errors import IllegalTransition, PermissionDenied, ValidationError
from frontdesk.services.lifecycle import BoardStage, board_stage

from .conftest import PASSWORD
from .factories import customer_and_vehicle, seed_shop, stored


def _order(services, order_id: int) -> RepairOrder:
    with services.db.reader() as s:
        return read_order(s, order_id)


def _stock(services, part_id: int) -> tuple[Decimal, Decimal]:
    with services.db.reader() as s:
        level = s.scalar(select(StockLevel).where(StockLevel.part_id == part_id))
        return level.on_hand, level.reserved


def _audit_count(services, order_id: int) -> int:
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.order_id == order_id))


def test_a_repair_order_from_check_in_to_follow_up(services, admin, actors, clock):
    adv, sup, tech, lead, qc, cash, mgr = (actors[r] for r in (
        Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC, Role.CASHIER, Role.MANAGER))
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, adv)

    # 2. Check-in: odometer, fuel, the person who brought the car, concerns verbatim.
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=15230, fuel_eighths=4, concerns="刹车时有异响，做一万公里保养",
        brought_by_name="李娜", brought_by_phone="+86 139-0013-9000"))
    assert order.status == OrderStatus.CHECK_IN
    assert order.number == "GZ01-20261124-0001"
    checked_in = _order(services, order.id)
    assert checked_in.brought_by_phone == "13900139000"
    assert checked_in.warranty_status.value == "in_warranty"
    assert _audit_count(services, order.id) == 1

    # 3. Walkaround with two damage marks and a valuable.
    checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(
        marks=(("front_bumper", "scratch"), ("rear_left_door", "dent")), covers_fitted=True,
        valuables="行车记录仪", spare_tyre=True, tool_kit=True, warning_triangle=True, signed_by="李娜"))

    # 6. Estimate: oil service + parts, brake pads (safety) + pads, a recommended diagnosis declined.
    oil = estimate.add_job(services, adv, order.id, labor_op_id=shop.oil_change)
    assert _order(services, order.id).status == OrderStatus.ESTIMATE
    estimate.add_part(services, adv, order.id, part_id=shop.oil_filter, qty="1", job_id=oil.id)
    estimate.add_part(services, adv, order.id, part_id=shop.engine_oil, qty="4.5", job_id=oil.id)
    brakes = estimate.add_job(services, adv, order.id, labor_op_id=shop.brake_pads_job)
    assert stored(services, Job, brakes.id).safety is True
    estimate.add_part(services, adv, order.id, part_id=shop.brake_pads, qty="1", job_id=brakes.id)
    diag = estimate.add_job(services, adv, order.id, labor_op_id=shop.diagnosis, origin=JobOrigin.RECOMMENDED)
    estimate.decline_job(services, adv, order.id, diag.id)
    assert _stock(services, shop.engine_oil) == (Decimal(40), Decimal("4.5"))
    assert _stock(services, shop.brake_pads) == (Decimal(1), Decimal(1))

    current = _order(services, order.id)
    totals = estimate.order_totals(current, services.settings)
    # labor 1.0h + 1.5h at 180 = 450; parts 58 + 4.5*98 (441) + 680 = 1179
    assert totals.labor == Decimal("450.00") and totals.parts == Decimal("1179.00")
    assert totals.gross == Decimal("1629.00") == totals.customer_payable
    assert totals.tax == Decimal("187.41")  # 1629 * 0.13 / 1.13, half-up

    # 7. Terms and the customer's signature.
    with pytest.raises(ValidationError, match="promised"):
        estimate.authorise(services, adv, order.id, "张伟")
    promised = estimate.suggest_promise(services, adv, Decimal("2.5"))
    assert promised > clock.now
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="take", wash=True, promised_at=promised)
    signed = estimate.authorise(services, adv, order.id, "张伟")
    assert signed.status == OrderStatus.AUTHORISED and _order(services, order.id).signed_by == "张伟"
    states = {j.id: j.status for j in _order(services, order.id).jobs}
    assert states == {oil.id: JobStatus.APPROVED, brakes.id: JobStatus.APPROVED, diag.id: JobStatus.DECLINED}

    # 8. Dispatch.
    with pytest.raises(PermissionDenied):
        workshop.dispatch(services, adv, order.id, {oil.id: shop.tech_a})
    workshop.dispatch(services, sup, order.id, {oil.id: shop.tech_a, brakes.id: shop.tech_b})
    assert _order(services, order.id).status == OrderStatus.IN_WORKSHOP
    assert board_stage(_order(services, order.id)) == BoardStage.WAITING

    # 9. Work: start, paused for parts, parts issued, resumed, finished.
    workshop.start_job(services, tech, brakes.id)
    clock.advance(minutes=20)
    workshop.pause_job(services, tech, brakes.id, PauseReason.WAITING_PARTS)
    assert board_stage(_order(services, order.id)) == BoardStage.WAITING_PARTS
    clock.advance(minutes=30)
    pads_line = next(p for p in _order(services, order.id).part_lines if p.part_id == shop.brake_pads)
    workshop.issue_parts(services, tech, pads_line.id)
    assert _stock(services, shop.brake_pads) == (Decimal(0), Decimal(0))
    workshop.resume_job(services, tech, brakes.id)
    clock.advance(minutes=40)
    workshop.finish_job(services, tech, brakes.id)
    with services.db.reader() as s:
        assert s.get(Job, brakes.id).clocked_seconds == 60 * 60  # 20 + 40 minutes, not the pause

    workshop.start_job(services, tech, oil.id)
    for line in _order(services, order.id).part_lines:
        if line.job_id == oil.id:
            workshop.issue_parts(services, tech, line.id)
    assert _stock(services, shop.engine_oil) == (Decimal("35.5"), Decimal(0))

    # 10. Additional work found; the oil job waits for the answer; approved by phone.
    extra = workshop.propose_additional(
        services, tech, order.id, description="更换空调滤清器", hours="0.30", note="滤芯很脏", pause_job_id=oil.id)
    assert stored(services, Job, extra.id).origin == JobOrigin.ADDITIONAL and extra.status == JobStatus.PROPOSED
    assert board_stage(_order(services, order.id)) == BoardStage.WAITING_APPROVAL
    with pytest.raises(IllegalTransition):
        workshop.start_job(services, tech, extra.id)
    decided = workshop.record_decision(services, adv, extra.id, approved=True, decided_by="张伟", channel=DecisionChannel.PHONE)
    assert decided.status == JobStatus.ASSIGNED  # back to the technician who has the car: no second dispatch
    assert stored(services, Job, extra.id).decision_channel == DecisionChannel.PHONE
    assert _order(services, order.id).status == OrderStatus.IN_WORKSHOP
    workshop.reassign(services, sup, extra.id, shop.tech_a)  # the supervisor may move it
    workshop.resume_job(services, tech, oil.id)
    clock.advance(minutes=45)
    workshop.finish_job(services, tech, oil.id)
    workshop.start_job(services, tech, extra.id)
    clock.advance(minutes=15)
    workshop.finish_job(services, tech, extra.id)

    # 11. Checks: self, leader, QC — the brake job fails QC once (rework) and then passes.
    for job_id in (oil.id, brakes.id, extra.id):
        workshop.self_check(services, tech, job_id)
        workshop.leader_check(services, lead, job_id, recommendations="建议下次更换后刹车片")
    assert board_stage(_order(services, order.id)) == BoardStage.CHECKS
    with pytest.raises(ValidationError):
        workshop.final_qc(services, qc, brakes.id, passed=False)  # a fail must say why
    workshop.final_qc(services, qc, brakes.id, passed=False, notes="刹车踏板偏软")
    clock.advance(minutes=20)
    workshop.finish_job(services, tech, brakes.id)
    workshop.self_check(services, tech, brakes.id)
    workshop.leader_check(services, lead, brakes.id)
    for job_id in (oil.id, brakes.id, extra.id):
        workshop.final_qc(services, qc, job_id, passed=True)
    with services.db.reader() as s:
        assert s.get(Job, brakes.id).rework_count == 1
    assert _order(services, order.id).status == OrderStatus.IN_WORKSHOP
    assert board_stage(_order(services, order.id)) == BoardStage.WASH

    # 12. Wash -> ready.
    workshop.record_wash(services, sup, order.id)
    assert _order(services, order.id).status == OrderStatus.READY

    # 13-14. Internal delivery check and walkthrough; settling before it is refused.
    with pytest.raises(ValidationError, match="Still to do"):
        delivery.deliver(services, adv, order.id)
    for item in delivery.INTERNAL_ITEMS:
        delivery.tick_internal(services, qc if item == "work_done" else adv, order.id, item)
    for item in delivery.WALKTHROUGH_ITEMS:
        delivery.tick_walkthrough(services, adv, order.id, item)
    delivered = delivery.deliver(services, adv, order.id)
    assert delivered.status == OrderStatus.DELIVERED

    # 15. Settlement: a discount over the advisor's 5 % needs the manager's password.
    extra_amount = Decimal("0.30") * Decimal("180")  # 54.00
    gross = Decimal("1629.00") + extra_amount
    data = settlement.SettlementInput(discount=Decimal("100.00"), next_service_date=dt.date(2027, 5, 24),
                                      next_service_km=25230, safety_ack_by="")
    with pytest.raises(PermissionDenied):
        settlement.prepare_settlement(services, adv, order.id, data)
    with pytest.raises(PermissionDenied):
        settlement.prepare_settlement(services, adv, order.id, data, approval=ManagerApproval("manager", "wrong-pass"))
    settled = settlement.prepare_settlement(services, adv, order.id, data, approval=ManagerApproval("manager", PASSWORD))
    assert settled.total_amount == gross == Decimal("1683.00")
    assert settled.customer_amount == Decimal("1583.00")
    assert settled.discount_by_id == mgr.user_id

    # Gate pass before payment is refused.
    with pytest.raises(IllegalTransition, match="not paid"):
        settlement.issue_gate_pass(services, cash, order.id)

    # Payment by two methods: WeChat part, cash the rest with change.
    settlement.take_payment(services, cash, order.id, PaymentMethod.WECHAT, "1000.00", reference="WX42")
    with pytest.raises(ValidationError, match="still due"):
        settlement.take_payment(services, cash, order.id, PaymentMethod.CARD, "600.00")
    cash_payment = settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, "583.00", tendered="600.00")
    assert cash_payment.change == Decimal("17.00")
    assert _order(services, order.id).status == OrderStatus.SETTLED

    # Gate pass closes the order and schedules the follow-up call 3 days after delivery.
    closed = settlement.issue_gate_pass(services, cash, order.id)
    assert closed.status == OrderStatus.CLOSED and _order(services, order.id).gate_pass_no == settlement.gate_pass_number(order.number)
    with services.db.reader() as s:
        follow = s.scalar(select(FollowUp).where(FollowUp.order_id == order.id))
        assert follow.due_at.date() == (clock.now + dt.timedelta(days=3)).date()
        paid = s.scalar(select(func.sum(Payment.amount)).where(Payment.order_id == order.id))
        assert paid == Decimal("1583.00")
        assert s.scalar(select(func.count()).select_from(Receivable).where(Receivable.order_id == order.id)) == 0
        # Stock equals the sum of its movements for every part.
        for part_id in (shop.oil_filter, shop.engine_oil, shop.brake_pads):
            moved = s.scalar(select(func.sum(StockMovement.qty)).where(StockMovement.part_id == part_id))
            assert moved == s.scalar(select(StockLevel.on_hand).where(StockLevel.part_id == part_id))

    # 16. The follow-up call: not reached once, then reached with a low price score -> complaint.
    clock.advance(days=3)
    aftercare.record_follow_up(services, adv, follow.id, aftercare.FollowUpResult(reached=False))
    done = aftercare.record_follow_up(services, adv, follow.id, aftercare.FollowUpResult(
        reached=True, scores={"overall": 5, "advisor": 5, "quality": 5, "timeliness": 4, "price": 2},
        comments="价格偏高"))
    assert done.status.value == "done" and done.attempts == 2

    # The audit trail holds every step with who and when.
    with services.db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.order_id == order.id).order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        assert actions[0] == "order.check_in"
        for expected in ("order.walkaround", "order.authorise", "order.dispatch", "job.pause", "parts.issue",
                         "job.propose", "job.decide", "job.qc", "order.wash", "order.deliver",
                         "settlement.prepare", "payment.take", "gate_pass.issue", "followup.record"):
            assert expected in actions, expected
        assert all(e.user_id is not None for e in events)
        complaint_events = [e for e in events if e.action == "followup.record" and e.after.get("complaint_id")]
        assert len(complaint_events) == 1
        assert sum(1 for a in actions if a == "job.qc") == 4  # one fail, three passes
