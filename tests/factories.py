"""Small, readable set-ups shared by the service tests (all built through the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from frontdesk.model.enums import Role
from frontdesk.services import catalog, checkin, staff
from frontdesk.services.context import Actor, Services

VIN = "LSVAU033612345678"  # check digit 6 is correct
T = TypeVar("T")


@dataclass
class Shop:
    oil_change: int
    brake_pads_job: int
    diagnosis: int
    oil_filter: int
    engine_oil: int
    brake_pads: int
    team: int
    tech_a: int
    tech_b: int


def seed_shop(services: Services, admin: Actor, actors: dict[Role, Actor]) -> Shop:
    ops = [
        catalog.LaborOpInput("MT0101", "更换机油机滤", "1.00", "Oil and filter change", "maintenance"),
        catalog.LaborOpInput("BR0201", "更换前刹车片", "1.50", "Replace front brake pads", "brakes", safety=True),
        catalog.LaborOpInput("DG0101", "故障诊断", "0.50", "Diagnosis", "diagnostics"),
    ]
    op_ids = [catalog.save_labor_operation(services, admin, op).id for op in ops]
    parts = [
        (catalog.PartInput("06L115562B", "机油滤清器", "58.00", "Oil filter", unit="pc"), 10),
        (catalog.PartInput("LQ-0001", "0W-20 机油", "98.00", "0W-20 engine oil", unit="L"), 40),
        (catalog.PartInput("5Q0698151", "前刹车片", "680.00", "Front brake pads", unit="set"), 1),
    ]
    part_ids = []
    for data, stock in parts:
        part = catalog.save_part(services, admin, data)
        catalog.adjust_stock(services, admin, part.id, stock, "opening stock", bin="A-01-1")
        part_ids.append(part.id)
    team = staff.save_team(services, admin, "机修一组", skills="maintenance,brakes", leader_username="team_leader")
    tech_a = staff.save_technician(services, admin, "Technician A", team.id, username="technician")
    tech_b = staff.save_technician(services, admin, "Technician B", team.id)
    return Shop(*op_ids, *part_ids, team=team.id, tech_a=tech_a.id, tech_b=tech_b.id)


def customer_and_vehicle(services: Services, advisor: Actor, *, plate: str = "粤A12345", vin: str = VIN,
                         sale_date: dt.date | None = dt.date(2024, 5, 1)) -> tuple[int, int]:
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput("张伟", "138 0013 8000"))
    vehicle = checkin.save_vehicle(
        services, advisor, customer.id,
        checkin.VehicleInput(plate=plate, vin=vin, make="大众", model="朗逸", colour="珍珠白", sale_date=sale_date),
    )
    return customer.id, vehicle.id


def stored(services: Services, model: type[T], record_id: int) -> T:
    """The record as the database holds it now: services answer with references (services/refs.py), not records."""
    with services.db.reader() as s:
        record = s.get(model, record_id)
        assert record is not None, f"no {model.__name__} {record_id}"
        return record


def money(text: str) -> Decimal:
    return Decimal(text)


def order_through(services: Services, actors: dict[Role, Actor], shop: Shop, vehicle_id: int, *, stop: str = "closed"):
    """One order with an oil service (two parts) and front pads, taken as far as ``stop``.

    ``stop``: "estimate", "authorised", "ready" (every job QC-passed, no wash: the delivery
    checklist is next), "delivered" (delivered and the settlement prepared), "closed".
    """
    from frontdesk.model.enums import PaymentMethod
    from frontdesk.services import delivery, estimate, settlement, workshop

    adv, sup, tech, lead, qc, cash = (actors[r] for r in (
        Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC, Role.CASHIER))
    clock = services.clock
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=15230, fuel_eighths=4, concerns="刹车异响\n做保养", brought_by_name="李娜"))
    checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(
        marks=(("front_bumper", "scratch"), ("rear_left_door", "dent")), covers_fitted=True, valuables="行车记录仪",
        spare_tyre=True, tool_kit=True, warning_triangle=True, signed_by="张伟"))
    oil = estimate.add_job(services, adv, order.id, labor_op_id=shop.oil_change)
    estimate.add_part(services, adv, order.id, part_id=shop.oil_filter, qty="1", job_id=oil.id)
    estimate.add_part(services, adv, order.id, part_id=shop.engine_oil, qty="4", job_id=oil.id)
    pads = estimate.add_job(services, adv, order.id, labor_op_id=shop.brake_pads_job, pay_type="warranty")
    estimate.add_part(services, adv, order.id, part_id=shop.brake_pads, qty="1", job_id=pads.id, pay_type="warranty")
    diag = estimate.add_job(services, adv, order.id, labor_op_id=shop.diagnosis, origin="recommended", safety=True)
    estimate.decline_job(services, adv, order.id, diag.id)
    if stop == "estimate":
        return order
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="take", wash=False,
                       promised_at=clock() + dt.timedelta(hours=4))
    estimate.authorise(services, adv, order.id, "张伟")
    if stop == "authorised":
        return order
    workshop.dispatch(services, sup, order.id, {oil.id: shop.tech_a, pads.id: shop.tech_b})
    for job in (oil, pads):
        workshop.start_job(services, tech, job.id)
        workshop.finish_job(services, tech, job.id, unissued_reason="not_needed")  # parts not issued here
        workshop.self_check(services, tech, job.id)
        workshop.leader_check(services, lead, job.id)
        workshop.final_qc(services, qc, job.id, passed=True)
    if stop == "ready":
        return order
    delivery.tick_internal(services, qc, order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order.id)
    settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(
        next_service_date=(clock() + dt.timedelta(days=180)).date(), next_service_km=22730, safety_ack_by="张伟",
        warranty_claim_ref="WC-778899"))
    if stop == "delivered":
        return order
    settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, "630.00", tendered="700.00")
    settlement.issue_gate_pass(services, cash, order.id)
    return order
