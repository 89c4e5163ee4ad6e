"""``frontdesk demo``: a realistic store with years of history, built through the services.

Every order goes through the same service calls a desk would make (check-in, walkaround,
estimate, signature, dispatch, clocking, checks, delivery, settlement, payment, gate pass,
follow-up), so the demo obeys every rule of the real thing. A week of history runs in one
batch transaction (see ``Services.batch``: on SQLite the records get their ids as they are
made and are written once, at the end of the week). Today is left with cars in every status.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Complaint,
    FollowUp,
    Job,
    LaborOperation,
    Part,
    RepairOrder,
    ServicePackage,
    StockLevel,
    Vehicle,
)
from frontdesk.model.enums import (
    ComplaintStatus,
    DecisionChannel,
    JobOrigin,
    OldParts,
    PauseReason,
    PaymentMethod,
    PayType,
    Role,
    StockMovementKind,
)
from frontdesk.model.recommendation import RecommendationStatus

from . import (
    aftercare,
    auth,
    campaign_demo,
    campaigns,
    catalog,
    checkin,
    delivery,
    estimate,
    packages,
    reception,
    recommendations,
    settlement,
    staff,
    workshop,
)
from .context import STOCK_LEVELS, Actor, Services, unflushed
from .demo_money import MoneyDemo
from .demo_sources import (
    COLOURS,
    COMPANY_NAMES,
    CONCERNS,
    VEHICLE_MODELS,
    load_labor_operations,
    load_parts,
    model_year_of,
    random_mobile,
    random_person_name,
    random_plate,
    random_vin_body,
)
from .package_schedule import demo_packages
from .setup import (
    ensure_store,
    holds_real_data,
    is_demo,
    mark_demo,
    system_actor,
    wipe_database,
)
from .validation import with_check_digit

DEMO_PASSWORD = "demo1234"
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "系统管理员", Role.ADMIN),
    ("manager", "刘建国", Role.MANAGER),
    ("advisor", "王芳", Role.ADVISOR),
    ("advisor2", "陈静", Role.ADVISOR),
    ("advisor3", "赵磊", Role.ADVISOR),
    ("supervisor", "孙强", Role.SUPERVISOR),
    ("team_leader", "周明", Role.TEAM_LEADER),
    ("technician", "吴涛", Role.TECHNICIAN),
    ("qc", "郑华", Role.QC),
    ("cashier", "林小红", Role.CASHIER),
    ("reception", "何丽", Role.RECEPTIONIST),
    ("claims", "马晓燕", Role.CLAIMS_CLERK),
    ("insurance", "黄国栋", Role.INSURANCE_CLERK),
)
# Skills are labor-operation categories (labels.SKILL): every category of the catalog has a team.
TEAMS = (
    ("机修一组", "maintenance,engine,brakes,transmission"),
    ("机修二组", "maintenance,suspension,steering"),
    ("快保组", "maintenance,tyres,inspection"),
    ("电器组", "electrical,diagnostics,air_conditioning,new_energy"),
    ("钣喷组", "body,paint,glass"),
)
ORDERS_PER_WEEKDAY = 50
MAINTENANCE_PARTS = ("oil filter", "engine oil")
BATCH_DAYS = 7  # days of history per transaction (see Services.batch)
# Found on the car and recommended to the customer (services/recommendations.py): (what, why, safety).
FINDINGS = (
    ("后刹车片磨损，剩余约 3 mm", "建议 3000 公里内更换", True),
    ("雨刮片老化，刮水不净", "", False),
    ("空调滤清器脏堵", "出风有异味", False),
    ("左前轮胎侧面鼓包", "高速有爆胎风险", True),
    ("蓄电池电压偏低", "冬季启动可能困难", False),
    ("刹车油含水量超标", "建议更换刹车油", True),
)
LEADER_ADVICE = ("建议下次保养时更换空调滤清器", "后轮胎花纹接近磨损极限，建议尽快更换", "节气门积碳，建议清洗")


class DemoRefused(Exception):
    """The target database holds a real store's data."""


@dataclass
class _Catalog:
    ops: list[tuple[int, str, bool]]  # id, category, safety
    maintenance_ops: list[int]
    parts: list[int]
    oil_filter: int
    engine_oil: int
    on_hand: dict[int, Decimal] = field(default_factory=dict)
    # The maker's schedule (services/package_schedule.py): (make, model) -> its packages (id, interval km, first service).
    packages: dict[tuple[str, str], list[tuple[int, int, bool]]] = field(default_factory=dict)


@dataclass
class _Vehicle:
    id: int
    customer_name: str
    odometer: int
    km_per_day: int
    sale_date: dt.date
    make: str = ""
    model: str = ""


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.start, self.done = max(total, 1), enabled and sys.stderr.isatty() or enabled, time.monotonic(), 0

    def step(self, n: int = 1, label: str = "") -> None:
        self.done += n
        if not self.enabled:
            return
        share = self.done / self.total
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.start
        sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {label:<24} {elapsed:6.1f}s")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


class _Generator:
    def __init__(self, services: Services, seed: int, today: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.package_rng = random.Random(seed * 7 + 19)
        self.visit: tuple[int, Actor, random.Random] | None = None  # the last car's order, advisor, findings
        self.seed_of_findings = seed
        self.now = today
        self.real_now = today
        # The phones have clocks of their own: the advisor making follow-up calls and the manager
        # calling complaints back work through their lists while the cars move on.
        self.caller_free = dt.datetime.min
        self.manager_free = dt.datetime.min
        self.promise_floor: dt.datetime | None = None  # today's cars are promised after this
        self.services = replace(services, clock=lambda: self.now)
        self.vehicles: list[_Vehicle] = []
        self.follow_ups: list[tuple[dt.datetime, int]] = []  # a heap: the call due first on top (retries too)
        self.complaints: list[tuple[dt.datetime, int]] = []  # (when the manager closes it, complaint id), a heap
        self.orders = 0
        self.money: MoneyDemo | None = None  # the accounts' cars and what payers owe (services/demo_money.py)

    # Set-up ---------------------------------------------------------------------------

    def staff(self, admin: Actor) -> None:
        s = self.services
        with s.batch():
            for username, name, role in DEMO_USERS:
                auth.add_user(s, admin, username, name, role, DEMO_PASSWORD)
        self.actors = {u: auth.login(s, u, DEMO_PASSWORD) for u, _, _ in DEMO_USERS}
        with s.db.reader() as session:
            # What each user may give away is their role's share in this store (nobody has one of
            # their own): read once, instead of at every one of the tens of thousands of settlements.
            self.actors = {u: a if a.discount_authority is not None else replace(
                a, discount_authority=auth.discount_authority(session, a.store_id, a.role, None))
                for u, a in self.actors.items()}
        self.advisors = [self.actors[u] for u in ("advisor", "advisor2", "advisor3")]
        self.tech_ids: list[int] = []
        with s.batch():
            for index, (name, skills) in enumerate(TEAMS):
                team = staff.save_team(s, admin, name, skills=skills, leader_username="team_leader" if index == 0 else None)
                for n in range(4):
                    username = "technician" if index == 0 and n == 0 else None
                    tech = staff.save_technician(s, admin, "吴涛" if username else random_person_name(self.rng), team.id, username=username)
                    self.tech_ids.append(tech.id)

    def catalog(self, admin: Actor) -> _Catalog:
        s = self.services
        ops: list[tuple[int, str, bool]] = []
        with s.batch():
            for row in load_labor_operations():
                op = catalog.save_labor_operation(s, admin, catalog.LaborOpInput(
                    row.code, row.name_zh, row.std_hours, row.name_en, row.category, row.safety))
                ops.append((op.id, row.category, row.safety))
            parts: list[int] = []
            on_hand: dict[int, Decimal] = {}
            oil_filter = engine_oil = 0
            for prow in load_parts():
                part = catalog.save_part(s, admin, catalog.PartInput(
                    prow.number, prow.name_zh, prow.price, prow.name_en, prow.category, prow.unit))
                catalog.adjust_stock(s, admin, part.id, prow.stock, "opening stock", bin=prow.bin, kind=StockMovementKind.RECEIPT) if prow.stock else None
                on_hand[part.id] = Decimal(prow.stock)
                parts.append(part.id)
                name = prow.name_en.lower()
                if not oil_filter and "oil filter" in name:
                    oil_filter = part.id
                if not engine_oil and "engine oil" in name and prow.unit == "L":
                    engine_oil = part.id
        # Maintenance (MT...) jobs are most of a service department's day.
        maintenance = [op_id for op_id, cat, _ in ops if cat.lower().startswith("maint") or cat == "保养"]
        if not maintenance:
            maintenance = [op_id for op_id, _, _ in ops[:10]]
        schedule: dict[tuple[str, str], list[tuple[int, int, bool]]] = {}
        with s.batch():
            for data in demo_packages():
                saved = packages.save_package(s, admin, data)
                for model in packages.model_list(data.models):
                    schedule.setdefault((data.make, model), []).append(
                        (saved.id, data.interval_km or 0, data.first_service))
        return _Catalog(ops=ops, maintenance_ops=maintenance, parts=parts, oil_filter=oil_filter or parts[0],
                        engine_oil=engine_oil or parts[1], on_hand=on_hand, packages=schedule)

    # Customers and vehicles -----------------------------------------------------------

    def new_vehicle(self, advisor: Actor) -> _Vehicle:
        s, rng = self.services, self.rng
        company = rng.random() < 0.06
        name = rng.choice(COMPANY_NAMES) if company else random_person_name(rng)
        customer = checkin.save_customer(s, advisor, checkin.CustomerInput(name, random_mobile(rng), is_company=company))
        model = rng.choice(VEHICLE_MODELS)
        age_days = rng.randint(30, 9 * 365)
        sale = (self.now - dt.timedelta(days=age_days)).date()
        while True:
            plate = random_plate(rng, model.new_energy)
            vin = with_check_digit(random_vin_body(rng, model, model_year=sale.year))
            if plate not in self.plates and vin not in self.vins:
                break
        self.plates.add(plate)
        self.vins.add(vin)
        colour = rng.choice(COLOURS)[0]
        vehicle = checkin.save_vehicle(s, advisor, customer.id, checkin.VehicleInput(
            plate=plate, vin=vin, make=model.make, model=model.model, colour=colour, sale_date=sale,
            new_energy=model.new_energy, model_year=model_year_of(vin)))
        km_per_day = rng.randint(20, 90)
        v = _Vehicle(vehicle.id, name, max(5, age_days * km_per_day // 1), km_per_day, sale, model.make, model.model)
        self.vehicles.append(v)
        return v

    def pick_vehicle(self, advisor: Actor, busy: set[int]) -> _Vehicle:
        account_car = self.money.pick(busy) if self.money is not None else None
        if account_car is not None:
            return account_car
        if self.vehicles and self.rng.random() < 0.62:
            for _ in range(5):
                v = self.rng.choice(self.vehicles)
                if v.id not in busy:
                    return v
        return self.new_vehicle(advisor)

    def fetch_catalog(self, store_id: int) -> None:
        """Bring the catalog and the stock levels into a new batch with three looks, not one per item.

        A week uses most of the catalog; the batch keeps what it has read, so the services
        find the operations and parts by id in memory and the levels in the batch's cache.
        """
        session = self.session
        session.scalars(select(LaborOperation)).all()
        session.scalars(select(Part)).all()
        session.scalars(select(ServicePackage).options(selectinload(ServicePackage.lines))).all()
        levels = session.info.get(STOCK_LEVELS)
        found = session.scalars(select(StockLevel).where(StockLevel.store_id == store_id)).all()
        if levels is not None:
            levels.update(((level.store_id, level.part_id), level) for level in found)

    def fetch_vehicles(self, ids: list[int]) -> None:
        """Bring the day's returning cars and their owners in with one look (the batch keeps them)."""
        self.session.scalars(select(Vehicle).options(joinedload(Vehicle.customer)).where(Vehicle.id.in_(ids))).all()

    # One day, one order -----------------------------------------------------------------

    def run_day(self, cat: _Catalog, day: dt.date, count: int) -> None:
        """The cars that come in during one working day, known or new, and their orders."""
        opening = dt.datetime.combine(day, dt.time(8, 0))
        starts = [opening + dt.timedelta(minutes=n * (540 / count)) for n in range(count)]
        busy: set[int] = set()
        cars: list[_Vehicle] = []
        for n, start in enumerate(starts):
            self.now = start  # a new customer is registered when the car arrives
            vehicle = self.pick_vehicle(self.advisors[n % 3], busy)
            busy.add(vehicle.id)
            cars.append(vehicle)
        self.fetch_vehicles([v.id for v in cars])
        for vehicle, start in zip(cars, starts):
            self.run_order(cat, vehicle, start)

    def at(self, when: dt.datetime) -> None:
        self.now = max(self.now, when)

    def later(self, minutes: float) -> None:
        """Time passes on a car; work that runs past closing goes on the next morning."""
        when = self.now + dt.timedelta(minutes=minutes)
        self.now = when if WORKSHOP_OPENS <= when.time() < WORKSHOP_CLOSES else self.in_hours(
            when, WORKSHOP_OPENS, WORKSHOP_CLOSES)

    def in_hours(self, when: dt.datetime, opens: dt.time, closes: dt.time) -> dt.datetime:
        """``when`` moved into opening hours, the time past closing carried into the next morning.

        Nothing is moved into the real today, whose day is still being played out: work
        from the evening before it stays where it fell.
        """
        moved = _in_hours(when, opens, closes)
        return moved if moved.date() < self.real_now.date() else when

    def run_order(self, cat: _Catalog, vehicle: _Vehicle, start: dt.datetime, stop: str | None = None,
                  campaign: int | None = None, repair: int | None = None) -> None:
        """Take one car from check-in as far as ``stop`` (None = closed and followed up), with ``campaign``
        (a campaign car's id) and ``repair`` (a labour operation, under warranty) on its estimate."""
        s, rng, a = self.services, self.rng, self.actors
        self.now = start
        advisor = rng.choice(self.advisors)
        days_since = max(1, (start.date() - vehicle.sale_date).days)
        vehicle.odometer = max(vehicle.odometer + rng.randint(300, 900), days_since * vehicle.km_per_day // 1)
        concern = rng.choice(CONCERNS)[0]
        brought_by = "" if rng.random() < 0.8 else random_person_name(rng)
        order = checkin.check_in(s, advisor, checkin.CheckInInput(
            vehicle_id=vehicle.id, odometer_km=vehicle.odometer, fuel_eighths=rng.randint(1, 8), concerns=concern,
            brought_by_name=brought_by, brought_by_phone=random_mobile(rng) if brought_by else ""))
        self.orders += 1
        # Its own stream, so the recommendations leave the rest of the demo as it was.
        findings = random.Random(self.seed_of_findings * 1_000_003 + self.orders)
        if stop == "check_in":
            return
        self.later(rng.uniform(5, 15))
        marks = tuple((p, d) for p, d in rng.sample(_PANEL_DAMAGES, rng.choice((0, 0, 1, 1, 2, 3))))
        checkin.record_walkaround(s, advisor, order.id, checkin.WalkaroundInput(
            marks=marks, covers_fitted=True, valuables=rng.choice(("", "", "", "行车记录仪", "墨镜", "充电线")),
            spare_tyre=rng.random() < 0.9, tool_kit=rng.random() < 0.9, warning_triangle=rng.random() < 0.95,
            photos_ref=f"IMG_{rng.randint(1000, 9999)}", signed_by=vehicle.customer_name))
        warranty_age = (start.date() - vehicle.sale_date).days < 3 * 365
        jobs = []
        main = rng.choice(cat.maintenance_ops)
        first_service = (start.date() - vehicle.sale_date).days < 200 and rng.random() < 0.5
        pay = PayType.FIRST_SERVICE if first_service else PayType.CUSTOMER
        package = self.routine_package(cat, vehicle, first_service)
        if package is not None:  # the maker's schedule: its labour and parts in one choice
            estimate_jobs = packages.add_package(s, advisor, order.id, package)
            jobs += [j.id for j in self.session_order(order.id).jobs if j.package_id == package]
            assert jobs and jobs[0] == estimate_jobs.id
        else:
            job = estimate.add_job(s, advisor, order.id, labor_op_id=main, pay_type=pay)
            jobs.append(job.id)
            estimate.add_part(s, advisor, order.id, part_id=cat.oil_filter, qty=1, job_id=job.id, pay_type=pay)
            estimate.add_part(s, advisor, order.id, part_id=cat.engine_oil, qty=rng.choice((4, 4, 5)), job_id=job.id,
                              pay_type=pay)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            op_id, _, safety = rng.choice(cat.ops)
            pay = PayType.WARRANTY if warranty_age and rng.random() < 0.25 else (
                PayType.INSURANCE if rng.random() < 0.05 else PayType.CUSTOMER)
            extra = estimate.add_job(s, advisor, order.id, labor_op_id=op_id, pay_type=pay)
            jobs.append(extra.id)
            if rng.random() < 0.6:
                estimate.add_part(s, advisor, order.id, part_id=rng.choice(cat.parts), qty=1, job_id=extra.id, pay_type=pay)
        if rng.random() < 0.15:
            op_id, _, _ = rng.choice(cat.ops)
            rec = estimate.add_job(s, advisor, order.id, labor_op_id=op_id, origin=JobOrigin.RECOMMENDED)
            if rng.random() < 0.6:
                estimate.decline_job(s, advisor, order.id, rec.id)
            else:
                jobs.append(rec.id)
        if campaign is not None:  # the maker's work, at the maker's cost
            on_order = {j.id for j in self.session_order(order.id).jobs}
            campaigns.add_to_order(s, advisor, order.id, campaign)
            jobs += [j.id for j in self.session_order(order.id).jobs if j.id not in on_order]
        if repair is not None:
            jobs.append(estimate.add_job(s, advisor, order.id, labor_op_id=repair, pay_type=PayType.WARRANTY).id)
        if stop == "estimate":
            return
        self.later(rng.uniform(5, 20))
        hours = Decimal(len(jobs))
        promised = estimate.add_working_minutes(self.now, int(hours * 60) + rng.choice((60, 90, 120, 180)))
        if self.promise_floor is not None and rng.random() < 0.8:
            # Today's cars mostly still have time (a few are late, as in any workshop).
            promised = max(promised, estimate.add_working_minutes(self.promise_floor, rng.choice((60, 120, 180, 240))))
        estimate.set_terms(s, advisor, order.id, payment_method=rng.choice(list(PaymentMethod)),
                           old_parts=rng.choice((OldParts.LEAVE, OldParts.LEAVE, OldParts.TAKE)),
                           wash=rng.random() < 0.8, promised_at=promised)
        estimate.authorise(s, advisor, order.id, vehicle.customer_name)
        if stop == "authorised":
            return
        self.later(rng.uniform(5, 40))
        techs = {j: rng.choice(self.tech_ids) for j in jobs}
        workshop.dispatch(s, a["supervisor"], order.id, techs)
        if stop == "waiting":
            return
        tech = a["technician"]
        pending_parts = stop == "waiting_parts"
        for index, job_id in enumerate(jobs):
            self.later(rng.uniform(5, 30))
            workshop.start_job(s, tech, job_id)
            if pending_parts and index == 0:
                self.later(20)
                workshop.pause_job(s, tech, job_id, PauseReason.WAITING_PARTS)
                return
            if stop == "in_progress" and index == len(jobs) - 1:
                return
            self.issue_parts(cat, order.id, job_id)
            self.later(rng.uniform(30, 90))
            workshop.finish_job(s, tech, job_id)
            if index == 0 and findings.random() < 0.08:  # the technician notes what else the car needs
                self.recommend(tech, order.id, findings)
        if stop == "waiting_approval" or (stop is None and rng.random() < 0.12):
            op_id, _, safety = rng.choice(cat.ops)
            found = workshop.propose_additional(s, tech, order.id, description="", labor_op_id=op_id, note="检查发现")
            if stop == "waiting_approval":
                return
            self.later(rng.uniform(10, 40))
            approved = rng.random() < 0.7
            workshop.record_decision(s, advisor, found.id, approved=approved, decided_by=vehicle.customer_name,
                                     channel=DecisionChannel.PHONE)
            if approved:  # it went back to the technician who has the car: no second dispatch
                workshop.start_job(s, tech, found.id)
                self.later(rng.uniform(20, 60))
                workshop.finish_job(s, tech, found.id)
                jobs.append(found.id)
        for index, job_id in enumerate(jobs):
            self.later(rng.uniform(2, 8))
            workshop.self_check(s, tech, job_id)
            advice = findings.choice(LEADER_ADVICE) if index == 0 and findings.random() < 0.12 else ""
            workshop.leader_check(s, a["team_leader"], job_id, recommendations=advice)  # his 维修建议
        if stop == "checks":
            return
        for job_id in jobs:
            if rng.random() < 0.04:
                workshop.final_qc(s, a["qc"], job_id, passed=False, notes="复检不合格")
                self.later(rng.uniform(15, 40))
                workshop.finish_job(s, tech, job_id)
                workshop.self_check(s, tech, job_id)
                workshop.leader_check(s, a["team_leader"], job_id)
            workshop.final_qc(s, a["qc"], job_id, passed=True)
        if findings.random() < 0.05:  # the inspector's own finding
            self.recommend(a["qc"], order.id, findings)
        if stop == "wash":
            return
        self.later(rng.uniform(15, 30))
        self.wash_if_chosen(order.id)
        self.visit = (order.id, advisor, findings)
        if stop == "ready":
            return
        self.hand_over(vehicle, order.id, advisor, findings, stop)

    def hand_over(self, vehicle: _Vehicle, order_id: int, advisor: Actor, findings: random.Random,
                  stop: str | None = None) -> None:
        """A ready car goes home: the walk round it, delivery, the bill, the gate pass."""
        s, rng, a = self.services, self.rng, self.actors
        order = self.session_order(order_id)
        self.later(rng.uniform(20, 120))
        if findings.random() < 0.04:  # the advisor's, at the walk round the car with the customer
            self.recommend(advisor, order.id, findings, price=Decimal(findings.choice((80, 120, 260, 480))))
        self.go_through_recommendations(advisor, order.id, vehicle.customer_name)
        delivery.tick_internal(s, a["qc"], order.id, list(delivery.INTERNAL_ITEMS))
        delivery.tick_walkthrough(s, advisor, order.id, list(delivery.WALKTHROUGH_ITEMS))
        delivery.deliver(s, advisor, order.id)
        if stop == "delivered":
            return
        discount = Decimal(rng.choice((0, 0, 0, 0, 10, 20, 50)))
        safety_declined = self.declined_safety(order.id)
        try:
            settled = settlement.prepare_settlement(s, advisor, order.id, settlement.SettlementInput(
                discount=discount, next_service_date=(self.now + dt.timedelta(days=180)).date(),
                next_service_km=vehicle.odometer + 7500, safety_ack_by=vehicle.customer_name if safety_declined else "",
                warranty_claim_ref=f"WC{rng.randint(100000, 999999)}", insurance_ref=f"INS{rng.randint(100000, 999999)}"))
        except Exception:
            settled = settlement.prepare_settlement(s, advisor, order.id, settlement.SettlementInput(
                next_service_date=(self.now + dt.timedelta(days=180)).date(), next_service_km=vehicle.odometer + 7500,
                safety_ack_by=vehicle.customer_name if safety_declined else ""))
        due = settled.customer_amount
        cashier = a["cashier"]
        if self.money is not None:
            self.money.settled(order.id, settled, vehicle.customer_name)  # when the insurer or the maker will pay their shares
        if self.money is not None and self.money.charge(order.id, vehicle.id, cashier, a["manager"]):
            due = Decimal(0)  # on the account's monthly statement
        if due > 0:
            self.later(rng.uniform(2, 10))
            if due > 200 and rng.random() < 0.2:
                first = (due / 2).quantize(Decimal(1))
                settlement.take_payment(s, cashier, order.id, PaymentMethod.WECHAT, first)
                due -= first
            method = rng.choice(list(PaymentMethod))
            tendered = (due + Decimal(rng.choice((0, 0, 50, 100)))) if method == PaymentMethod.CASH else None
            settlement.take_payment(s, cashier, order.id, method, due, tendered=tendered)
        if stop == "settled":
            return
        self.later(rng.uniform(1, 10))
        settlement.issue_gate_pass(s, cashier, order.id)
        heapq.heappush(self.follow_ups, (self.now + dt.timedelta(days=3), order.id))

    def campaign_visit(self, cat: _Catalog, first_in: dt.datetime) -> None:
        """A car on the recall list came in the day before and went home with the recall done.

        Two batches: its campaign car is linked to the order in the first, so that delivery,
        in the second, finds it with its query as the desk's would.
        """
        s, advisor = self.services, self.advisors[0]
        with s.db.reader() as session:
            today = set(session.scalars(select(RepairOrder.vehicle_id).where(
                RepairOrder.checked_in_at >= dt.datetime.combine(first_in.date(), dt.time()))))
            by_vin = {vin: vid for vin, vid in session.execute(select(Vehicle.vin, Vehicle.id).where(Vehicle.vin.is_not(None)))}
        known = {v.id: v for v in self.vehicles}
        recall = next((c for p in campaigns.progress(s, advisor) if p.kind == "recall"
                       for c in campaigns.campaign_cars(s, advisor, p.campaign_id, status="open")
                       if by_vin.get(c.vin) in known and by_vin[c.vin] not in today), None)
        if recall is None:
            return
        vehicle = known[by_vin[recall.vin]]
        start = dt.datetime.combine(first_in.date() - dt.timedelta(days=1), dt.time(9, 10))
        with s.batch():  # (flushed as it goes: the campaign reads the new order's car through its relationship)
            self.fetch_catalog(advisor.store_id)
            self.run_order(cat, vehicle, start, stop="ready", campaign=recall.campaign_vehicle_id)
        with s.batch():
            self.fetch_catalog(advisor.store_id)
            assert self.visit is not None
            self.hand_over(vehicle, *self.visit)

    def sanbao_cars(self, cat: _Catalog, today: dt.date) -> list[tuple[_Vehicle, int]]:
        """Two young cars back for their brakes again (三包: the same serious system repaired within the period).

        The first had its brakes repaired twice in the last days and is in the workshop again
        today: the threshold reached; the second once, and is on an estimate today: this repair
        reaches it. The past visits are played after the history (each its own batch, as
        ``campaign_visit``), before today's, whose cars they join; on cars that were not in the
        day before or after them, nor today. Returns the cars and today's brake repair.
        """
        s = self.services
        brakes = [op_id for op_id, category, _safety in cat.ops if category == "brakes"]
        with s.db.reader() as session:
            days: dict[int, set[int]] = {}
            for vehicle_id, checked_in in session.execute(select(RepairOrder.vehicle_id, RepairOrder.checked_in_at)):
                days.setdefault(vehicle_id, set()).update((today - checked_in.date()).days + d for d in (-1, 0, 1))
        plans = ((9, 4), (6,))  # days ago
        young = [v for v in self.vehicles if (today - v.sale_date).days < 540 and v.odometer < 30_000]
        chosen: list[_Vehicle] = []
        for plan in plans:
            chosen += [v for v in young if v not in chosen and not days.get(v.id, set()) & {0, *plan}][:1]
        if not brakes:
            return []
        for n, (vehicle, plan) in enumerate(zip(chosen, plans, strict=False)):
            for days_ago in plan:
                with s.batch():
                    self.fetch_catalog(self.advisors[0].store_id)
                    self.run_order(cat, vehicle, dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9, 40)),
                                   repair=brakes[(n + days_ago) % len(brakes)])
        return [(vehicle, brakes[n % len(brakes)]) for n, vehicle in enumerate(chosen)]

    def arrivals(self, now: dt.datetime, first_in: dt.datetime, appointments: list[tuple[int, dt.datetime]]) -> None:
        """Today's cars came through reception: registered at the door, taken by the advisor who checked them in.

        Written after today's batch, each call in its own transaction (the reception's rotation and
        roof numbers read today's arrivals with queries, which a batch's unwritten records would
        escape), at the times they happened. Two customers wait now: an early one for a booking
        later today, and a walk-in.
        """
        s, rng = self.services, random.Random(self.seed_of_findings * 13 + 20)
        desk = self.actors["reception"]
        advisors = {a.user_id: a for a in self.advisors}
        with s.db.reader() as session:
            today = session.execute(
                select(RepairOrder.vehicle_id, RepairOrder.advisor_id, RepairOrder.checked_in_at)
                .where(RepairOrder.checked_in_at >= dt.datetime.combine(first_in.date(), dt.time()))
                .order_by(RepairOrder.checked_in_at, RepairOrder.id)).all()
        events: list[tuple[dt.datetime, int, int]] = []
        for n, row in enumerate(today):
            events.append((row.checked_in_at - dt.timedelta(minutes=rng.randint(3, 25)), 0, n))
            events.append((row.checked_in_at - dt.timedelta(minutes=1), 1, n))
        arrived: dict[int, int] = {}
        for when, kind, n in sorted(events):
            self.now = when
            row = today[n]
            if kind == 0:
                arrived[n] = reception.register_arrival(s, desk, reception.ArrivalInput(
                    vehicle_id=row.vehicle_id, key_tag=f"K{n + 1:02d}")).id
            else:
                reception.take_next(s, advisors.get(row.advisor_id, self.advisors[0]), arrived[n])
        self.now = now
        early = [(vid, when) for vid, when in appointments if when.date() == now.date()]
        if early:  # booked for later today, here already
            reception.register_arrival(s, desk, reception.ArrivalInput(vehicle_id=early[0][0], key_tag="K90"))
        walk_in = next((v for v in self.vehicles if v.id not in {r.vehicle_id for r in today}
                        and v.id not in {vid for vid, _ in appointments}), None)
        if walk_in is not None:
            self.now = now - dt.timedelta(minutes=7)
            reception.register_arrival(s, desk, reception.ArrivalInput(vehicle_id=walk_in.id, key_tag="K91"))
        self.now = now

    def routine_package(self, cat: _Catalog, vehicle: _Vehicle, first_service: bool) -> int | None:
        """The maker's package for this visit, for half the cars its schedule covers (the rest are serviced line by line).

        Its own random stream, so the cars it does not cover leave the rest of the demo as it was;
        the package is the one due by the reading (the largest interval the mileage has reached a
        multiple of), the first service while the car is new.
        """
        schedule = cat.packages.get((vehicle.make, vehicle.model))
        if not schedule or self.package_rng.random() < 0.5:
            return None
        if first_service:
            first = [pid for pid, _km, is_first in schedule if is_first]
            if first:
                return first[0]
        due = [(km, pid) for pid, km, is_first in schedule
               if not is_first and km and vehicle.odometer >= 7_500 and round(vehicle.odometer / 10_000) * 10_000 % km == 0]
        return max(due)[1] if due else None

    def session_order(self, order_id: int) -> RepairOrder:
        order = self.session.get(RepairOrder, order_id)
        assert order is not None
        if any(j.id is None for j in order.jobs):
            self.session.flush()  # (PostgreSQL: the batch hands out no ids itself)
        return order

    @property
    def session(self) -> Session:
        """The open batch session: the generator reads what it just wrote, never writes."""
        assert self.services._batch is not None
        return self.services._batch

    def wash_if_chosen(self, order_id: int) -> None:
        order = self.session.get(RepairOrder, order_id)
        assert order is not None
        if order.wash and order.washed_at is None:
            workshop.record_wash(self.services, self.actors["supervisor"], order_id)

    def recommend(self, actor: Actor, order_id: int, findings: random.Random, price: Decimal | None = None) -> None:
        what, why, safety = findings.choice(FINDINGS)
        recommendations.add(self.services, actor, order_id, description=what, reason=why, safety=safety, price=price)

    def go_through_recommendations(self, advisor: Actor, order_id: int, customer: str) -> None:
        """At delivery the customer hears every open recommendation; in the demo they are left for next time."""
        order = self.session.get(RepairOrder, order_id)
        assert order is not None
        waiting = [r for r in order.recommendations if r.status == RecommendationStatus.OPEN]
        if any(r.id is None for r in waiting):
            self.session.flush()  # (PostgreSQL: the batch hands out no ids itself)
        for rec in waiting:
            recommendations.decline(self.services, advisor, rec.id, decided_by=customer, acknowledged=rec.safety)

    def declined_safety(self, order_id: int) -> bool:
        order = self.session.get(RepairOrder, order_id)
        return bool(settlement.declined_safety_jobs(order))

    def issue_parts(self, cat: _Catalog, order_id: int, job_id: int) -> None:
        job = self.session.get(Job, job_id)
        assert job is not None
        for line in list(job.part_lines):
            need = line.qty - line.issued_qty
            if cat.on_hand.get(line.part_id, Decimal(0)) < need:
                catalog.adjust_stock(self.services, self.actors["manager"], line.part_id, Decimal(100), "purchase receipt",
                                     kind=StockMovementKind.RECEIPT)
                cat.on_hand[line.part_id] = cat.on_hand.get(line.part_id, Decimal(0)) + 100
            workshop.issue_parts(self.services, self.actors["technician"], line.id)
            cat.on_hand[line.part_id] -= need

    def due_follow_ups(self, until: dt.datetime) -> None:
        self.resolve_complaints(until)
        session = self.session
        due = [order_id for when, order_id in self.follow_ups if when <= until]
        if not due:
            return
        # The calls due today, found in one look: those this batch made, and those it did not.
        calls = {f.order_id: f for f in unflushed(session, FollowUp)}
        older = [order_id for order_id in due if order_id not in calls]
        if older:
            calls.update((f.order_id, f) for f in session.scalars(select(FollowUp).where(FollowUp.order_id.in_(older))))
        while self.follow_ups and self.follow_ups[0][0] <= until:
            when, order_id = heapq.heappop(self.follow_ups)
            follow = calls.get(order_id)
            if follow is None:
                continue
            call = self.in_hours(max(self.caller_free, follow.due_at), aftercare.CALL_OPENS, aftercare.CALL_CLOSES)
            if call > self.real_now or not aftercare.CALL_OPENS <= call.time() < aftercare.CALL_CLOSES:  # left for later
                heapq.heappush(self.follow_ups, (when, order_id))
                break
            self.now = call
            reached = self.rng.random() < 0.85
            scores = None
            if reached:
                scores = self.scores()
            aftercare.record_follow_up(self.services, self.advisors[0], follow.id, aftercare.FollowUpResult(
                reached=reached, scores=scores, comments=self.comment(scores)))
            opened = scores is not None and min(scores.values()) <= aftercare.LOW_SCORE
            cases = (unflushed(session, Complaint, order_id=order_id) or session.scalars(select(Complaint).where(
                Complaint.order_id == order_id, Complaint.status == ComplaintStatus.OPEN)).all()) if opened else []
            for case in cases:
                # The manager calls back and settles most cases within one to five days.
                heapq.heappush(self.complaints, (self.now + dt.timedelta(days=self.rng.uniform(1, 5)), case.id))
            if not reached and follow.attempts < aftercare.MAX_ATTEMPTS:
                heapq.heappush(self.follow_ups, (follow.due_at, order_id))
            self.caller_free = self.now + CALL_MINUTES  # the next call

    def resolve_complaints(self, until: dt.datetime) -> None:
        """Complaints the manager has dealt with by ``until``: one in twenty stays open a while longer."""
        while self.complaints and self.complaints[0][0] <= until:
            when, case_id = heapq.heappop(self.complaints)
            if self.rng.random() < 0.05 and until - when < dt.timedelta(days=30):
                heapq.heappush(self.complaints, (when + dt.timedelta(days=self.rng.uniform(5, 20)), case_id))
                continue
            call = self.in_hours(max(self.manager_free, when), aftercare.CALL_OPENS, aftercare.CALL_CLOSES)
            if call > self.real_now or not aftercare.CALL_OPENS <= call.time() < aftercare.CALL_CLOSES:
                heapq.heappush(self.complaints, (when, case_id))  # the manager calls in the morning
                break
            self.now = call
            self.manager_free = call + CALL_MINUTES
            aftercare.update_complaint(self.services, self.actors["manager"], case_id, status=ComplaintStatus.RESOLVED,
                                       resolution=self.rng.choice(RESOLUTIONS))

    def scores(self) -> dict[str, int]:
        """A follow-up's five scores as dealers see them: most customers are content, a few are not.

        About 80 % give fives (now and then a four), 15 % fours with the odd three, 5 % are
        unhappy; so roughly one call in ten or fifteen opens a complaint, as in a real store.
        """
        rng = self.rng
        mood = rng.random()
        if mood < 0.80:
            return {k: 4 if rng.random() < 0.08 else 5 for k in aftercare.SCORE_FIELDS}
        if mood < 0.95:
            return {k: rng.choice((4, 4, 4, 5, 5, 3)) if rng.random() < 0.9 else 4 for k in aftercare.SCORE_FIELDS}
        low = rng.choice(("timeliness", "price", "quality", "advisor"))
        return {k: rng.choice((1, 2, 3)) if k in (low, "overall") else rng.choice((3, 4)) for k in aftercare.SCORE_FIELDS}

    def comment(self, scores: dict[str, int] | None) -> str:
        if scores is None:
            return ""
        if min(scores.values()) <= aftercare.LOW_SCORE:
            return self.rng.choice(("等待时间太长，比约定晚了两个小时", "价格比预估高，没有提前说明", "车洗得不干净",
                                    "问题没有修好，还有异响"))
        return self.rng.choice(("满意", "服务很好", "顾问很专业", "", "", ""))


WORKSHOP_OPENS, WORKSHOP_CLOSES = dt.time(8, 30), dt.time(18, 30)
CALL_MINUTES = dt.timedelta(minutes=4)


def _in_hours(when: dt.datetime, opens: dt.time, closes: dt.time) -> dt.datetime:
    """``when`` if the store is open then; else as long after the next opening as it was after closing.

    Before opening counts from the day's opening. The overflow is capped at a couple of hours,
    so a car finished late is collected early next morning, not at noon.
    """
    if when.time() < opens:
        return dt.datetime.combine(when.date(), opens)
    if when.time() < closes:
        return when
    overflow = min(when - dt.datetime.combine(when.date(), closes), dt.timedelta(hours=2))
    return dt.datetime.combine(when.date() + dt.timedelta(days=1), opens) + overflow


RESOLUTIONS = (
    "已致电客户致歉，下次保养工时费八折", "已安排返厂免费复查，问题已解决", "已向客户解释收费明细，客户表示理解",
    "已重新清洗车辆并送上小礼品", "已对顾问进行服务流程再培训，客户接受",
)

FINISHED_STOPS = (None, "settled", "delivered", "ready")


def _today_check_ins(now: dt.datetime) -> list[tuple[str | None, dt.datetime]]:
    """When each of "today's" cars came in: within the last working day, never in the future.

    Between 09:00 and 17:30 that is this morning up to a few minutes ago; at night or before
    opening it is the last working day, so the desk shows the cars left in overnight as a
    real store would. Finished cars came in early; the car still at check-in came in last.
    """
    opening, closing = dt.time(8, 30), dt.time(17, 30)
    day = now.date()
    if now.time() < dt.time(9, 0):
        day -= dt.timedelta(days=1)
        end = dt.datetime.combine(day, closing)
    elif now.time() > closing:
        end = dt.datetime.combine(day, closing)
    else:
        end = now - dt.timedelta(minutes=10)
    start = dt.datetime.combine(day, opening)
    span = max((end - start).total_seconds(), 20 * 60)
    start = end - dt.timedelta(seconds=span)
    finished = [s for s in TODAY_STOPS if s in FINISHED_STOPS]
    open_ = [s for s in TODAY_STOPS if s not in FINISHED_STOPS]
    times: list[tuple[str | None, dt.datetime]] = []
    for n, stop in enumerate(finished):  # the first 40 % of the day
        times.append((stop, start + dt.timedelta(seconds=span * 0.4 * n / len(finished))))
    for n, stop in enumerate(reversed(open_)):  # the rest, the car at check-in last
        times.append((stop, start + dt.timedelta(seconds=span * (0.4 + 0.6 * n / len(open_)))))
    return times


def _appointment_times(now: dt.datetime, count: int) -> list[dt.datetime]:
    """Booked slots from the next half hour of opening time on, 45 minutes apart, 09:00–17:00."""
    slot = (now + dt.timedelta(minutes=60)).replace(second=0, microsecond=0)
    slot = slot.replace(minute=0 if slot.minute < 30 else 30)
    times: list[dt.datetime] = []
    while len(times) < count:
        if slot.time() < dt.time(9, 0):
            slot = dt.datetime.combine(slot.date(), dt.time(9, 0))
        elif slot.time() > dt.time(17, 0):
            slot = dt.datetime.combine(slot.date() + dt.timedelta(days=1), dt.time(9, 0))
            continue
        times.append(slot)
        slot += dt.timedelta(minutes=45)
    return times


_PANEL_DAMAGES = [
    (p, d)
    for p in ("front_bumper", "bonnet", "front_left_wing", "front_right_wing", "front_left_door", "front_right_door",
              "rear_left_door", "rear_right_door", "rear_bumper", "boot_lid", "windscreen", "front_left_wheel")
    for d in ("scratch", "dent", "chip", "crack")
]

TODAY_STOPS = (
    "check_in", "estimate", "estimate", "authorised", "waiting", "waiting", "in_progress", "in_progress", "in_progress",
    "waiting_parts", "waiting_parts", "waiting_approval", "waiting_approval", "checks", "checks", "wash", "ready", "ready",
    "ready", "delivered", "settled", None, None, None,
)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Millions of short-lived ORM objects: collect garbage once per batch, never walking the program itself.

    A batch's records live until it ends and are garbage all at once then, so automatic
    collections during a batch only walk live objects again and again; the generator
    collects after every batch instead (``gc.collect()``).
    """
    enabled = gc.isenabled()
    gc.collect()
    gc.freeze()  # what exists now (modules, catalogs, the staff) lives for the whole run
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def _wipe(services: Services) -> None:
    """Replace an earlier demo: drop everything and migrate afresh."""
    wipe_database(services.db)


def generate(services: Services, *, days: int = 90, seed: int = 4, progress: bool = True,
             today: dt.datetime | None = None) -> str:
    if days < 0 or days > 20 * 365:
        raise DemoRefused(_("--days must be between 0 and 7300"))
    with services.db.reader() as session:
        if holds_real_data(session):
            raise DemoRefused(
                _("this database holds a real store's data (it was not made by `frontdesk demo`); "
                  "refusing to touch it. Point --db at another database.")
            )
        replacing = is_demo(session)
    if replacing:
        _wipe(services)
    store = ensure_store(services)
    admin = system_actor(store)
    started = time.monotonic()
    now = (today or dt.datetime.now()).replace(microsecond=0)
    gen = _Generator(services, seed, now)
    gen.plates, gen.vins = set(), set()  # type: ignore[attr-defined]
    gen.now = now - dt.timedelta(days=days + 1)
    with _few_collections():
        gen.staff(admin)
        cat = gen.catalog(admin)
        gc.collect()
        with services.db.session() as session, session.begin():
            mark_demo(session, f"frontdesk demo --days {days} --seed {seed}")
        bar = _Progress(days + 1, progress)
        first_day = (now - dt.timedelta(days=days)).date()
        gen.money = money = MoneyDemo(gen, seed, first_day, now.date())
        with gen.services.batch(assign_ids=True):
            money.setup(gen.actors["manager"], gen.advisors[0])
        # A batch that hands out ids (SQLite) sees its own unwritten orders; elsewhere a day is a batch.
        batch_days = BATCH_DAYS if services.db.is_sqlite else 1
        for batch_start in range(0, days, batch_days):
            with gen.services.batch(assign_ids=True):
                gen.fetch_catalog(admin.store_id)
                for offset in range(batch_start, min(days, batch_start + batch_days)):
                    day = first_day + dt.timedelta(days=offset)
                    money.day(day, gen.actors["cashier"], gen.actors["manager"])  # transfers, first thing
                    count = ORDERS_PER_WEEKDAY if day.weekday() < 5 else int(ORDERS_PER_WEEKDAY * 0.7)
                    count = max(1, int(count * gen.rng.uniform(0.8, 1.2)))
                    gen.due_follow_ups(dt.datetime.combine(day, aftercare.CALL_CLOSES))  # the day's calls, that day
                    gen.run_day(cat, day, count)
                    bar.step(label=day.isoformat())
            gc.collect()  # what the batch left behind
            gc.freeze()  # and what outlives it (the cars, the calls due) is not walked again
        sanbao_cars = gen.sanbao_cars(cat, now.date())  # 三包: two young cars back for their brakes
        # Today: cars in every status, checked in over the last hours.
        with gen.services.batch(assign_ids=True):
            gen.fetch_catalog(admin.store_id)
            gen.due_follow_ups(now)  # today's calls made so far (none before the lines open)
            busy = {vehicle.id for vehicle, _brakes in sanbao_cars}
            gen.promise_floor = now
            for n, (stop, start) in enumerate(_today_check_ins(now)):
                gen.now = start
                vehicle = gen.pick_vehicle(gen.advisors[n % 3], busy)
                busy.add(vehicle.id)
                gen.run_order(cat, vehicle, start, stop)
            for n, (vehicle, brakes) in enumerate(sanbao_cars):  # dispatched, not started: the workshop's jobs run on
                busy.add(vehicle.id)
                gen.run_order(cat, vehicle, _today_check_ins(now)[0][1] + dt.timedelta(minutes=3 + n),
                              "waiting" if n == 0 else "estimate", repair=brakes)
            # Appointments for the rest of today and tomorrow.
            booked: list[tuple[int, dt.datetime]] = []
            for n, when in enumerate(_appointment_times(now, 8)):
                gen.now = now
                vehicle = gen.pick_vehicle(gen.advisors[n % 3], busy)
                busy.add(vehicle.id)
                checkin.book_appointment(gen.services, gen.advisors[n % 3], vehicle.id, when, gen.rng.choice(CONCERNS)[0])
                booked.append((vehicle.id, when))
            # A first-time caller booked by phone: no car on file yet, completed (VIN, plate) at check-in.
            checkin.book_appointment(
                gen.services, gen.advisors[0], None, dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(9, 30)),
                "常规保养", caller=checkin.CallerInput("王建国", "13912345678", model="丰田 卡罗拉"))
        gen.arrivals(now, _today_check_ins(now)[0][1], booked)  # through reception, roof numbers on
        campaign_demo.demo_campaigns(services, admin, gen.advisors[0], seed, now)  # a recall, a service campaign
        gen.campaign_visit(cat, _today_check_ins(now)[0][1])  # and a recall done here
        bar.step(label=_("today"))
        bar.close()
    elapsed = time.monotonic() - started
    return _("demo store ready: {orders} orders over {days} days, {vehicles} vehicles, {operations} labor "
             "operations, {parts} parts, in {seconds:.1f}s. Log in as advisor / {password}.").format(
        orders=gen.orders, days=days, vehicles=len(gen.vehicles), operations=len(cat.ops), parts=len(cat.parts),
        seconds=elapsed, password=DEMO_PASSWORD)
