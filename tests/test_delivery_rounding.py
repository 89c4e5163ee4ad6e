"""Issue 18, items 4, 8 and 9 at the service layer (SQLite and PostgreSQL).

- item 4: the delivery checklist is the car's own: the walkaround's valuables and equipment to
  verify, the old parts only when the customer takes them, the wash items only when washed;
  the QC inspector may record the wash;
- item 8: the statement's steps add up; the gate pass number reads GZ01-出-261124-0001;
- item 9: 抹零 within the store's setting on the cashier's own authority, refused beyond it.

The order is tests/factories.order_through's: ¥630.00 the customer's (oil service), ¥905.00
under warranty, the customer declined the wash and takes the old parts, 行车记录仪 in the car.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.bill_sums import payable_steps
from frontdesk.model import AuditEvent, DeliveryCheck, RepairOrder, Walkaround
from frontdesk.model.enums import DeliveryStage, OldParts, OrderStatus, PaymentMethod, Role
from frontdesk.services import cashier_views, checkin, delivery, documents, estimate, settlement, workshop
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.money import check_round_off, round_off_choices

from .factories import order_through, seed_shop, stored


@pytest.fixture
def shop(services, admin, actors):  # type: ignore[no-untyped-def]
    return seed_shop(services, admin, actors)


def _car(services, adv, plate: str = "粤A12345", vin: str = "LSVAU033612345678") -> int:  # type: ignore[no-untyped-def]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "13800138000"))
    return checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True)).id


def _delivered_with_cents(services, actors, shop):  # type: ignore[no-untyped-def]
    """The factory order, delivered, its settlement saved again with ¥12.37 off: the customer pays ¥617.63."""
    order = order_through(services, actors, shop, _car(services, actors[Role.ADVISOR]), stop="delivered")
    settlement.prepare_settlement(services, actors[Role.ADVISOR], order.id, settlement.SettlementInput(
        discount="12.37", safety_ack_by="张伟"))
    return order


# Item 4 -----------------------------------------------------------------------------------------


def test_item4_the_checklist_is_the_cars_own(services, actors, shop):
    adv, qc = actors[Role.ADVISOR], actors[Role.QC]
    order = order_through(services, actors, shop, _car(services, adv), stop="ready")

    view = cashier_views.delivery_view(services, adv, order.id)

    internal = {i.code: i for i in view.internal}
    walk = {i.code: i for i in view.walkthrough}
    assert "clean_outside" not in internal and "cleaning_shown" not in walk  # the customer declined the wash
    assert "old_parts_ready" in internal and "old_parts_shown" in walk  # ... and takes the old parts
    assert walk["valuables"].detail == "行车记录仪"
    assert walk["spare_and_tools"].detail == "Spare tyre/Tool kit/Warning triangle"
    assert view.missing_internal == tuple(internal) and view.missing_walkthrough == tuple(walk)

    with pytest.raises(ValidationError, match="not on this car's checklist"):
        delivery.tick_internal(services, qc, order.id, "clean_outside")
    with pytest.raises(ValidationError, match="Unknown checklist item"):
        delivery.tick_internal(services, qc, order.id, ["work_done", "no_such_item"])
    # a whole table ticks what this car has; the valuables are verified by the advisor, then it goes
    delivery.tick_internal(services, qc, order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, [i for i in walk if i != "valuables"])
    with pytest.raises(ValidationError, match="Still to do: Valuables still in the car"):
        delivery.deliver(services, adv, order.id)
    delivery.tick_walkthrough(services, adv, order.id, "valuables", note="行车记录仪在车上")
    assert delivery.deliver(services, adv, order.id).status == OrderStatus.DELIVERED
    with services.db.reader() as s:
        ticked = {c.item: c.note for c in s.scalars(select(DeliveryCheck).where(DeliveryCheck.order_id == order.id))}
    assert set(ticked) == set(internal) | set(walk) and ticked["valuables"] == "行车记录仪在车上"


def test_item4_a_washed_car_that_leaves_its_old_parts(services):
    """Pure: what applies follows the terms and the walkaround (nothing recorded in the car: nothing to verify)."""
    order = RepairOrder(old_parts=OldParts.LEAVE, wash=True)
    order.walkaround = Walkaround(valuables=" ", spare_tyre=False, tool_kit=True, warning_triangle=False)

    internal, walk = delivery.checklist(order, DeliveryStage.INTERNAL), delivery.checklist(order, DeliveryStage.WALKTHROUGH)

    assert "clean_outside" in internal and "cleaning_shown" in walk
    assert "old_parts_ready" not in internal and "old_parts_shown" not in walk
    assert "valuables" not in walk and walk["spare_and_tools"] == "Tool kit"
    assert list(walk) == [i for i in delivery.WALKTHROUGH_ITEMS if i not in ("old_parts_shown", "valuables")]


def test_item4_the_qc_inspector_records_the_wash_and_a_declined_wash_is_skipped(services, actors, shop):
    adv, sup, tech, lead, qc = (actors[r] for r in (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN,
                                                     Role.TEAM_LEADER, Role.QC))

    def through_qc(vehicle_id: int, wash: bool) -> int:
        order = checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicle_id, odometer_km=1000,
                                                                      fuel_eighths=4, concerns="检查"))
        checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(marks=(), signed_by="张伟"))
        job = estimate.add_job(services, adv, order.id, labor_op_id=shop.diagnosis)
        estimate.set_terms(services, adv, order.id, payment_method="cash", old_parts="leave", wash=wash,
                           promised_at=services.clock() + dt.timedelta(hours=3))
        estimate.authorise(services, adv, order.id, "张伟")
        workshop.dispatch(services, sup, order.id, {job.id: shop.tech_a})
        workshop.start_job(services, tech, job.id)
        workshop.finish_job(services, tech, job.id)
        workshop.self_check(services, tech, job.id)
        workshop.leader_check(services, lead, job.id)
        workshop.final_qc(services, qc, job.id, passed=True)
        return order.id

    washed = through_qc(_car(services, adv), wash=True)
    assert stored(services, RepairOrder, washed).status == OrderStatus.IN_WORKSHOP
    assert workshop.record_wash(services, qc, washed).status == OrderStatus.READY
    skipped = through_qc(_car(services, adv, "粤B67890", "LFV2A21K6B7654321"), wash=False)
    order = stored(services, RepairOrder, skipped)
    assert order.status == OrderStatus.READY and order.washed_at is None
    assert not {"clean_outside", "cleaning_shown"} & {
        i.code for i in cashier_views.delivery_view(services, adv, skipped).internal
        + cashier_views.delivery_view(services, adv, skipped).walkthrough}


# Item 8 -----------------------------------------------------------------------------------------


def test_item8_the_steps_follow_from_one_another():
    steps = payable_steps(gross=Decimal("2159.00"), customer_gross=Decimal("2084.00"), discount=Decimal("209.00"),
                          rounding=Decimal("0.60"), customer_payable=Decimal("1875.00"), tax=Decimal("215.71"))
    assert [(s.what, s.amount) for s in steps] == [
        ("All pay types, before discounts", Decimal("2159.00")),
        ("Less: paid by others (warranty, insurance, internal)", Decimal("-75.00")),
        ("Customer's share, before discounts", Decimal("2084.00")),
        ("Less: discounts given", Decimal("-208.40")),
        ("Less: small change rounded off (抹零)", Decimal("-0.60")),
        ("Customer pays", Decimal("1875.00")),
        ("of which VAT ({rate}%)", Decimal("215.71")),
    ]
    with pytest.raises(ValueError, match="Customer pays"):  # a bill that does not add up is not printed
        payable_steps(gross=Decimal("2159.00"), customer_gross=Decimal("2084.00"), discount=Decimal("208.40"),
                      rounding=Decimal(0), customer_payable=Decimal("1950.60"), tax=Decimal(0))


def test_item8_gate_pass_numbers_read_as_a_guard_says_them(services, actors, shop):
    assert settlement.gate_pass_number("GZ01-20261207-0001") == "GZ01-出-261207-0001"
    assert settlement.gate_pass_number("GZ01-20261207-12345") == "GZ01-出-261207-12345"
    assert settlement.gate_pass_number("OLD123") == "出-OLD123"
    one = order_through(services, actors, shop, _car(services, actors[Role.ADVISOR]))
    two = order_through(services, actors, shop, _car(services, actors[Role.ADVISOR], "粤B67890", "LFV2A21K6B7654321"))
    numbers = [stored(services, RepairOrder, o.id).gate_pass_no for o in (one, two)]
    assert numbers == ["GZ01-出-261124-0001", "GZ01-出-261124-0002"]


# Item 9 -----------------------------------------------------------------------------------------


def test_item9_money_rounds_down_within_the_setting_only():
    assert round_off_choices(Decimal("617.63"), "yuan") == {"jiao": Decimal("617.60"), "yuan": Decimal("617.00")}
    assert round_off_choices(Decimal("617.63"), "jiao") == {"jiao": Decimal("617.60")}
    assert round_off_choices(Decimal("617.63"), "none") == {}
    assert check_round_off(Decimal("617.63"), Decimal("617.60"), "jiao") == Decimal("0.03")
    assert check_round_off(Decimal("617.63"), Decimal("617.63"), "jiao") == Decimal("0.00")
    for wanted, setting in (("617.00", "jiao"), ("617.50", "yuan"), ("616.00", "yuan"), ("617.60", "none")):
        with pytest.raises(PermissionDenied):
            check_round_off(Decimal("617.63"), Decimal(wanted), setting)


def test_item9_the_cashier_rounds_off_within_the_setting(services, actors, shop):
    cash, adv = actors[Role.CASHIER], actors[Role.ADVISOR]
    order = _delivered_with_cents(services, actors, shop)
    assert stored(services, RepairOrder, order.id).customer_amount == Decimal("617.63")

    with pytest.raises(PermissionDenied, match="at most to ¥617.60"):  # the default setting: to the jiao
        settlement.round_off(services, cash, order.id, "617.00")
    with pytest.raises(PermissionDenied):  # the advisor gives discounts at the settlement, not 抹零
        settlement.round_off(services, adv, order.id, "617.60")
    done = settlement.round_off(services, cash, order.id, "617.60")
    assert (done.rounding, done.customer_amount) == (Decimal("0.03"), Decimal("617.60"))

    view = cashier_views.settlement_view(services, cash, order.id)
    assert (view.customer_payable, view.due, view.discount, view.totals.discount, view.totals.rounding) == (
        Decimal("617.60"), Decimal("617.60"), Decimal("12.37"), Decimal("12.40"), Decimal("0.03"))
    doc = documents.build(services, "settlement", order_id=order.id)
    assert (doc.totals.customer_payable, doc.totals.rounding) == (Decimal("617.60"), Decimal("0.03"))
    with services.db.reader() as s:
        event = s.query(AuditEvent).filter(AuditEvent.action == "payment.round_off").one()
        assert event.user_id == cash.user_id and event.after["rounding"] == "0.03"

    settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, "617.60", tendered="620.00")
    assert stored(services, RepairOrder, order.id).status == OrderStatus.SETTLED


def test_item9_to_the_yuan_when_the_store_allows_it_and_a_new_settlement_starts_again(services, actors, shop):
    cash, adv = actors[Role.CASHIER], actors[Role.ADVISOR]
    order = _delivered_with_cents(services, actors, shop)
    yuan = dataclasses.replace(services, settings=dataclasses.replace(services.settings, round_off="yuan"))
    assert settlement.round_off(yuan, cash, order.id, "617").customer_amount == Decimal("617.00")
    assert settlement.round_off(yuan, cash, order.id, "617.63").rounding == Decimal("0.00")  # taken back
    settlement.round_off(yuan, cash, order.id, "617.00")
    off = dataclasses.replace(services, settings=dataclasses.replace(services.settings, round_off="none"))
    with pytest.raises(PermissionDenied, match="setting is off"):
        settlement.round_off(off, cash, order.id, "617.60")
    # the advisor prepares the settlement again: the bill is new, the rounding goes
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(discount="12.37",
                                                                                      safety_ack_by="张伟"))
    again = stored(services, RepairOrder, order.id)
    assert (again.rounding, again.customer_amount) == (Decimal("0.00"), Decimal("617.63"))
