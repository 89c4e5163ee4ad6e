"""The cashier's queue, the delivery checklist view and the settlement view (sqlite and postgres).

The scene (tests/factories.order_through): an oil service paid by the customer (1.0 h × ¥180 +
an oil filter ¥58 + 4 L oil × ¥98 = ¥630.00), front pads under warranty (1.5 h × ¥150 + the pads
¥680 = ¥905.00) and a declined safety-related diagnosis (0.5 h × ¥180 = ¥90.00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from frontdesk.model import RepairOrder
from frontdesk.model.enums import OrderStatus, PaymentMethod, PayType, Role
from frontdesk.services import cashier_views, checkin, delivery, settlement
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.errors import NotFound, PermissionDenied, ValidationError

from .conftest import PASSWORD
from .factories import order_through, seed_shop, stored

CARS = (("粤A12345", "LSVAU033612345678"), ("粤B67890", "LFV2A21K6B7654321"), ("粤C24680", "LGXC0000XD1112223"),
        ("粤D13579", "LGXC0000XD1112224"))


def vehicle(services, adv, n: int) -> int:
    plate, vin = CARS[n]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput(f"客户{n}", f"1391234567{n}"))
    return checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True)).id


def count_queries(services):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(services.db.engine, "before_cursor_execute", before)


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


def test_queue_lists_ready_delivered_and_settled_orders_with_amounts(services, actors, shop):
    adv, cash = actors[Role.ADVISOR], actors[Role.CASHIER]
    ready = order_through(services, actors, shop, vehicle(services, adv, 0), stop="ready")
    delivery.tick_internal(services, actors[Role.QC], ready.id, ["work_done", "fault_gone"])
    part_paid = order_through(services, actors, shop, vehicle(services, adv, 1), stop="delivered")
    settlement.take_payment(services, cash, part_paid.id, PaymentMethod.WECHAT, "200.00")
    settled = order_through(services, actors, shop, vehicle(services, adv, 2), stop="delivered")
    settlement.take_payment(services, cash, settled.id, PaymentMethod.CARD, "630.00")
    order_through(services, actors, shop, vehicle(services, adv, 3))  # closed: gone from the queue

    queue = cashier_views.cashier_queue(services, cash)

    assert [r.order_id for r in queue.ready] == [ready.id]
    assert [r.order_id for r in queue.open] == [part_paid.id]
    assert [r.order_id for r in queue.settled] == [settled.id]
    assert [r.order_id for r in queue.rows] == [part_paid.id, settled.id, ready.id]
    r = queue.ready[0]
    assert (r.plate, r.model, r.customer_name, r.advisor) == ("粤A12345", "大众 朗逸", "客户0", "Advisor Test")
    # The customer declined the wash: no "clean outside" / "cleaning shown" on this car's checklist.
    assert r.missing_items == 3 + 8 and not r.settlement_prepared
    assert (r.customer_share, r.paid, r.due) == (Decimal("630.00"), Decimal("0.00"), Decimal("630.00"))
    o = queue.open[0]
    assert o.settlement_prepared and (o.customer_share, o.paid, o.due) == (
        Decimal("630.00"), Decimal("200.00"), Decimal("430.00"))
    s = queue.settled[0]
    assert (s.paid, s.due, s.credit_approved) == (Decimal("630.00"), Decimal("0.00"), False)


def test_queue_reads_in_a_fixed_number_of_queries(services, actors, shop):
    adv = actors[Role.ADVISOR]
    order_through(services, actors, shop, vehicle(services, adv, 0), stop="delivered")
    seen, stop = count_queries(services)
    cashier_views.cashier_queue(services, adv)
    one = len(seen)
    stop()
    order_through(services, actors, shop, vehicle(services, adv, 1), stop="delivered")
    order_through(services, actors, shop, vehicle(services, adv, 2), stop="ready")
    seen, stop = count_queries(services)
    queue = cashier_views.cashier_queue(services, adv)
    stop()
    assert len(queue.rows) == 3 and len(seen) == one


def test_delivery_view_lists_every_item_and_what_is_missing(services, actors, shop, clock):
    adv, qc = actors[Role.ADVISOR], actors[Role.QC]
    order = order_through(services, actors, shop, vehicle(services, adv, 0), stop="ready")
    clock.advance(minutes=5)
    delivery.tick_internal(services, qc, order.id, "work_done", note="路试正常")

    view = cashier_views.delivery_view(services, adv, order.id)

    assert view.status == OrderStatus.READY and view.plate == "粤A12345"
    # This car's items: the customer declined the wash (no wash items), takes the old parts.
    car_internal = [i for i in delivery.INTERNAL_ITEMS if i not in delivery.WASH_ITEMS]
    car_walkthrough = [i for i in delivery.WALKTHROUGH_ITEMS if i not in delivery.WASH_ITEMS]
    assert [i.code for i in view.internal] == car_internal
    assert [i.code for i in view.walkthrough] == car_walkthrough
    done = view.internal[0]
    assert (done.ticked, done.by, done.at, done.note) == (True, "Qc Test", clock(), "路试正常")
    assert not any(i.ticked for i in view.internal[1:] + view.walkthrough)
    assert view.missing_internal == tuple(car_internal[1:])
    assert view.missing_walkthrough == tuple(car_walkthrough)
    assert view.missing_labels()[0] == "Fault gone (road test where needed)" and not view.complete
    assert [(j.code, j.qc_passed, j.qc_by) for j in view.jobs] == [("MT0101", True, "Qc Test"), ("BR0201", True, "Qc Test")]
    assert view.declined == ("故障诊断",)

    delivery.tick_internal(services, qc, order.id, list(view.missing_internal))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    assert cashier_views.delivery_view(services, adv, order.id).complete


def test_views_stay_in_the_store(services, actors, shop):
    from dataclasses import replace

    order = order_through(services, actors, shop, vehicle(services, actors[Role.ADVISOR], 0), stop="ready")
    stranger = replace(actors[Role.ADVISOR], store_id=actors[Role.ADVISOR].store_id + 99)
    with pytest.raises(NotFound):
        cashier_views.delivery_view(services, stranger, order.id)
    with pytest.raises(NotFound):
        cashier_views.settlement_view(services, stranger, order.id)


def test_settlement_view_before_it_is_prepared(services, actors, shop, clock):
    adv = actors[Role.ADVISOR]
    order = order_through(services, actors, shop, vehicle(services, adv, 0), stop="ready")
    delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order.id)

    view = cashier_views.settlement_view(services, adv, order.id)

    assert not view.prepared and view.status == OrderStatus.DELIVERED
    assert [g.pay_type for g in view.groups] == [PayType.CUSTOMER, PayType.WARRANTY]
    customer, warranty = view.groups
    assert [(ln.kind, ln.code, ln.amount) for ln in customer.lines] == [
        ("labor", "MT0101", Decimal("180.00")), ("part", "06L115562B", Decimal("58.00")),
        ("part", "LQ-0001", Decimal("392.00"))]
    assert (customer.labor, customer.parts, customer.net) == (Decimal("180.00"), Decimal("450.00"), Decimal("630.00"))
    assert [(ln.code, ln.safety) for ln in warranty.lines] == [("BR0201", True), ("5Q0698151", False)]
    assert (warranty.labor, warranty.parts, warranty.net) == (Decimal("225.00"), Decimal("680.00"), Decimal("905.00"))
    assert view.gross == Decimal("1535.00") and view.customer_payable == view.due == Decimal("630.00")
    assert view.tax == customer.tax + warranty.tax == Decimal("72.48") + Decimal("104.12")
    # the advisor may give 5 % of the customer gross; the manager 20 %
    assert (view.authority_rate, view.authority_limit) == (Decimal("0.05"), Decimal("31.50"))
    assert cashier_views.settlement_view(services, actors[Role.MANAGER], order.id).authority_limit == Decimal("126.00")
    assert cashier_views.settlement_view(services, actors[Role.CASHIER], order.id).authority_limit == Decimal("0.00")
    # the declined safety item is listed, not yet acknowledged
    assert [(d.description, d.safety, d.amount, d.acknowledged_by) for d in view.declined] == [
        ("故障诊断", True, Decimal("90.00"), "")]
    assert view.safety_ack_needed and not view.safety_acknowledged
    # the form's defaults: six months / 5 000 km on; the follow-up call three days after delivery at 10:00
    assert view.default_next_service_date == dt.date(2027, 5, 24)
    assert view.default_next_service_km == 15230 + 5000
    assert view.default_follow_up_at == dt.datetime(2026, 11, 27, 10, 0)
    assert view.next_service_date is None and view.receivables == () and view.payments == ()
    assert cashier_views.preview_totals(view, Decimal("50.00")).customer_payable == Decimal("580.00")
    with pytest.raises(ValidationError):
        cashier_views.preview_totals(view, Decimal("631.00"))


def test_settlement_view_after_partial_payment_with_receivables(services, actors, shop, clock):
    adv, cash = actors[Role.ADVISOR], actors[Role.CASHIER]
    order = order_through(services, actors, shop, vehicle(services, adv, 0), stop="delivered")
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(
        discount="50.00", next_service_date=dt.date(2027, 5, 1), next_service_km=20000,
        follow_up_at=dt.datetime(2026, 11, 28, 15, 0), warranty_claim_ref="WC-1", safety_ack_by="李娜"),
        approval=ManagerApproval("manager", PASSWORD))
    clock.advance(minutes=3)
    wechat = settlement.take_payment(services, cash, order.id, PaymentMethod.WECHAT, "300.00", reference="WX1")
    wrong = settlement.take_payment(services, cash, order.id, PaymentMethod.CARD, "100.00")
    settlement.void_payment(services, cash, wrong.id, "keyed twice", approval=ManagerApproval("manager", PASSWORD))
    settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, "100.00", tendered="200.00")

    view = cashier_views.settlement_view(services, cash, order.id)

    assert view.prepared and view.discount == Decimal("50.00") and view.discount_by == "Manager Test"
    assert view.customer_payable == Decimal("580.00") and view.groups[0].net == Decimal("580.00")
    assert view.groups[0].discount == Decimal("50.00") and view.gross == Decimal("1535.00")
    assert (view.paid, view.due, view.change_given) == (Decimal("400.00"), Decimal("180.00"), Decimal("100.00"))
    assert [(p.method, p.amount, p.voided) for p in view.payments] == [
        (PaymentMethod.WECHAT, Decimal("300.00"), False), (PaymentMethod.CARD, Decimal("100.00"), True),
        (PaymentMethod.CASH, Decimal("100.00"), False)]
    voided = view.payments[1]
    assert (voided.voided_by, voided.void_reason, voided.by) == ("Manager Test", "keyed twice", "Cashier Test")
    assert view.payments[0].id == wechat.id and view.payments[0].reference == "WX1"
    assert view.payments[2].tendered == Decimal("200.00") and view.payments[2].change == Decimal("100.00")
    assert [(r.pay_type, r.amount, r.reference) for r in view.receivables] == [
        (PayType.WARRANTY, Decimal("905.00"), "WC-1")]
    assert view.receivable_ref(PayType.WARRANTY) == "WC-1" and view.receivable_ref(PayType.INSURANCE) == ""
    assert view.declined[0].acknowledged_by == "李娜" and view.safety_acknowledged
    assert (view.next_service_date, view.next_service_km, view.follow_up_at) == (
        dt.date(2027, 5, 1), 20000, dt.datetime(2026, 11, 28, 15, 0))
    assert view.default_next_service_date == dt.date(2027, 5, 1)  # what is recorded is the default
    assert view.status == OrderStatus.DELIVERED and not view.may_close

    settlement.take_payment(services, cash, order.id, PaymentMethod.ALIPAY, "180.00")
    paid = cashier_views.settlement_view(services, cash, order.id)
    assert paid.status == OrderStatus.SETTLED and paid.due == Decimal("0.00") and paid.may_close


def test_settlement_view_reads_in_a_fixed_number_of_queries(services, actors, shop):
    cash = actors[Role.CASHIER]
    order = order_through(services, actors, shop, vehicle(services, actors[Role.ADVISOR], 0), stop="delivered")
    settlement.take_payment(services, cash, order.id, PaymentMethod.WECHAT, "5.00")
    seen, stop = count_queries(services)
    cashier_views.settlement_view(services, cash, order.id)
    first = len(seen)
    stop()
    for amount in ("10.00", "20.00"):
        settlement.take_payment(services, cash, order.id, PaymentMethod.WECHAT, amount)
    seen, stop = count_queries(services)
    view = cashier_views.settlement_view(services, cash, order.id)
    stop()
    assert len(view.payments) == 3 and len(seen) == first <= 9  # 9: the role's discount authority (admin-set) is read too


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert cashier_views.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert cashier_views.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert cashier_views.add_months(dt.date(2026, 11, 24), 6) == dt.date(2027, 5, 24)


# The two fixes to services/settlement.py this change made -----------------------------------------


def test_a_declined_safety_item_must_be_acknowledged_when_the_settlement_is_prepared(services, actors, shop):
    adv = actors[Role.ADVISOR]
    order = order_through(services, actors, shop, vehicle(services, adv, 0), stop="ready")
    delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order.id)
    with pytest.raises(ValidationError) as refused:
        settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput())
    assert refused.value.field == "safety_ack_by"
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(safety_ack_by="张伟"))
    # once given it stays: changing the bill later does not ask again
    again = settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(discount="10.00"))
    acknowledged = cashier_views.settlement_view(services, adv, order.id)  # on the recommendation (issue 18, item 2)
    assert acknowledged.safety_ack_by == "张伟" and again.customer_amount == Decimal("620.00")


def test_credit_needs_a_managers_password_unless_a_manager_is_at_the_terminal(services, actors, shop, monkeypatch):
    from frontdesk.services import permissions

    order = order_through(services, actors, shop, vehicle(services, actors[Role.ADVISOR], 0), stop="delivered")
    cash = actors[Role.CASHIER]
    # a cashier allowed to ask for credit (see /work/tools/integrate_cashier.md) still needs the password
    monkeypatch.setitem(permissions.PERMISSIONS, "credit.approve", frozenset({Role.CASHIER, Role.MANAGER}))
    with pytest.raises(PermissionDenied):
        settlement.approve_credit(services, cash, order.id)
    done = settlement.approve_credit(services, cash, order.id, approval=ManagerApproval("manager", PASSWORD))
    assert done.status == OrderStatus.SETTLED
    assert stored(services, RepairOrder, order.id).credit_approved_by_id == actors[Role.MANAGER].user_id
    view = cashier_views.settlement_view(services, cash, order.id)
    assert view.credit_approved_by == "Manager Test" and view.due == Decimal("630.00") and view.may_close
    queue = cashier_views.cashier_queue(services, cash)
    assert queue.settled[0].credit_approved and queue.settled[0].due == Decimal("630.00")
