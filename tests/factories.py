"""Small, readable set-ups shared by the service tests (all built through the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from frontdesk.model.enums import Role
from frontdesk.services import catalog, checkin, staff
from frontdesk.services.context import Actor, Services

VIN = "LSVAU033612345678"  # check digit 6 is correct


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


def money(text: str) -> Decimal:
    return Decimal(text)
