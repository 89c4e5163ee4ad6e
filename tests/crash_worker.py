"""A front desk that never stops: the process the crash harness kills at random moments.

Run as ``python -m tests.crash_worker DB ACKLOG SEED RUN``. It works a SQLite database
through the real services only — check-ins, estimates that reserve stock, signatures,
the workshop (parts issued, QC), delivery, settlement, payment, gate pass, the odd
cancellation and stock receipt — one service call at a time, forever. After every call
returns it appends one line to ACKLOG and fsyncs it: that line is the promise the
harness holds the database to after the kill. Every step is chosen from what the
database holds now, so a restart carries on from whatever the last kill left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import (
    AuditEvent,
    Customer,
    LaborOperation,
    Part,
    RepairOrder,
    StockLevel,
    Team,
    Technician,
    User,
    Vehicle,
)
from frontdesk.model.enums import (
    DeliveryStage,
    JobStatus,
    OrderStatus,
    PaymentMethod,
    PayType,
    Role,
    StockMovementKind,
)
from frontdesk.services import (
    auth,
    catalog,
    checkin,
    delivery,
    estimate,
    settlement,
    sign_in,
    staff,
    workshop,
)
from frontdesk.services.context import Actor, Services
from frontdesk.services.setup import ensure_store, system_actor

PASSWORD = "crash-pass-1"
OPS = [("CW01", "更换机油机滤", "1.00"), ("CW02", "更换前刹车片", "1.50"), ("CW03", "四轮定位", "0.80")]
PARTS = [("CW-FILTER", "机油滤清器", "58.00"), ("CW-OIL", "0W-20 机油", "98.00"), ("CW-PADS", "前刹车片", "680.00")]
ROLES = (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC, Role.CASHIER, Role.MANAGER)
OPEN = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP,
        OrderStatus.READY, OrderStatus.DELIVERED, OrderStatus.SETTLED)
MAX_OPEN = 6  # orders in the house at once: enough to interleave, few enough that they finish


def crash_settings() -> Settings:
    """The settings both the worker and the checks use (totals depend on VAT and labour rates)."""
    return replace(Settings(), language="en")


class Acks:
    """The acknowledged-call log: one JSON line per returned service call, fsync'd before going on."""

    def __init__(self, path: Path, run: int) -> None:
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 -- open for the process's life
        self.run = run

    def write(self, record: dict[str, Any]) -> None:
        self.fh.write(json.dumps({"run": self.run, **record}) + "\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())


class Worker:
    def __init__(self, db_path: Path, ack_path: Path, seed: int, run: int) -> None:
        self.db = Database(f"sqlite:///{db_path}")
        self.services = Services(db=self.db, settings=crash_settings())
        self.acks = Acks(ack_path, run)
        self.rng = random.Random(seed)
        self.store = ensure_store(self.services)
        self.admin = system_actor(self.store)
        self.actors: dict[Role, Actor] = {}

    # Every state change goes through here -----------------------------------------------

    def call(self, fn: Callable[..., Any], actor: Actor, *args: Any, order_id: int | None = None, **kwargs: Any) -> Any:
        first = self.last_event() + 1
        result = fn(self.services, actor, *args, **kwargs)
        if fn is checkin.check_in:  # the new order's id is known only now
            order_id = result.id
        self.ack(fn.action, order_id, first)  # type: ignore[attr-defined]
        return result

    def last_event(self) -> int:
        with self.db.reader() as s:
            return s.scalar(select(func.max(AuditEvent.id))) or 0

    def ack(self, action: str, order_id: int | None, first: int) -> None:
        """This process is the only writer: the events from ``first`` to the newest are this call's."""
        self.acks.write({"action": action, "order_id": order_id, "first": first, "audit_id": self.last_event()})

    # Set-up, each step skipped when an earlier run did it -------------------------------

    def setup(self) -> None:
        with self.db.reader() as s:
            users = {u.username: u for u in s.scalars(select(User))}
        for role in ROLES:
            name = f"crash_{role.value}"
            if name not in users:
                self.call(auth.add_user, self.admin, name, f"Crash {role.value}", role, PASSWORD)
        for role in ROLES:  # every terminal's user logs in afresh after a restart (an audited write)
            first = self.last_event() + 1
            self.actors[role] = auth.login(self.services, f"crash_{role.value}", PASSWORD)
            self.ack("user.login", None, first)
        with self.db.reader() as s:
            ops = set(s.scalars(select(LaborOperation.code)))
            parts = set(s.scalars(select(Part.number)))
            team = s.scalar(select(Team.id).where(Team.name == "机修一组"))
        for code, name, hours in OPS:
            if code not in ops:
                self.call(catalog.save_labor_operation, self.admin, catalog.LaborOpInput(code, name, hours, category="x"))
        for number, name, price in PARTS:
            if number not in parts:
                self.call(catalog.save_part, self.admin, catalog.PartInput(number, name, price))
        if team is None:
            team = self.call(staff.save_team, self.admin, "机修一组", skills="maintenance").id
        with self.db.reader() as s:
            techs = s.scalar(select(func.count()).select_from(Technician))
        for n in range(techs or 0, 2):
            self.call(staff.save_technician, self.admin, f"Tech {n}", team)

    # The loop ----------------------------------------------------------------------------

    def step(self) -> None:
        with self.db.reader() as s:
            open_ids = list(s.scalars(select(RepairOrder.id).where(RepairOrder.status.in_(OPEN)).order_by(RepairOrder.id)))
        if len(open_ids) < MAX_OPEN and (not open_ids or self.rng.random() < 0.25):
            self.new_order()
        else:
            self.advance(self.rng.choice(open_ids))

    def new_order(self) -> None:
        adv = self.actors[Role.ADVISOR]
        with self.db.reader() as s:
            busy = select(RepairOrder.vehicle_id).where(RepairOrder.status.in_(OPEN))
            vehicle = s.scalar(select(Vehicle).where(Vehicle.id.not_in(busy)).order_by(func.random()).limit(1))
            count = s.scalar(select(func.count()).select_from(Customer)) or 0
            free = vehicle is not None and self.rng.random() < 0.6
            vehicle_id, km = (vehicle.id, vehicle.last_odometer_km) if free else (None, 0)
        if vehicle_id is None:
            n = count + 1
            customer = self.call(checkin.save_customer, adv, checkin.CustomerInput(f"顾客{n}", f"139{n:08d}"))
            vehicle_id = self.call(checkin.save_vehicle, adv, customer.id, checkin.VehicleInput(
                plate=f"粤B{n:05d}", vin=f"LSVCW{n:012d}", make="大众", model="朗逸", sale_date=dt.date(2024, 5, 1),
                confirm_vin_check_digit=True)).id
            km = 0
        self.call(checkin.check_in, adv, checkin.CheckInInput(
            vehicle_id=vehicle_id, odometer_km=km + self.rng.randint(500, 9000), fuel_eighths=self.rng.randint(0, 8),
            concerns="做保养"))

    def advance(self, order_id: int) -> None:
        with self.db.reader() as s:
            order = s.get(RepairOrder, order_id)
            assert order is not None
            status, has_walk, method = order.status, order.walkaround is not None, order.payment_method
            jobs = [(j.id, j.status) for j in order.jobs]
            lines = [(p.id, p.qty - p.issued_qty, p.part_id, p.job_id) for p in order.part_lines]
            customer_amount = order.customer_amount
            shares = estimate.order_totals(order, self.services.settings, discount=Decimal(0)).by_pay_type
            gross = shares[PayType.CUSTOMER].gross if PayType.CUSTOMER in shares else Decimal(0)
            paid = settlement.paid_amount(order)
            unticked = {stage: delivery.missing_items(order, stage) for stage in DeliveryStage}
            ops = list(s.scalars(select(LaborOperation.id).order_by(LaborOperation.code)))
            parts = list(s.scalars(select(Part.id).order_by(Part.number)))
            techs = list(s.scalars(select(Technician.id).order_by(Technician.id)))
            levels = {lvl.part_id: lvl.on_hand for lvl in s.scalars(select(StockLevel))}
        a = self.actors
        rng = self.rng
        kw = {"order_id": order_id}
        if status in (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE):
            if not has_walk:
                self.call(checkin.record_walkaround, a[Role.ADVISOR], order_id, checkin.WalkaroundInput(
                    marks=(("front_bumper", "scratch"),), covers_fitted=True, signed_by="顾客"), **kw)
            elif rng.random() < 0.015:
                self.call(estimate.cancel_order, a[Role.ADVISOR], order_id, "customer changed their mind", **kw)
            elif not jobs or (len(jobs) < 3 and rng.random() < 0.5):
                self.call(estimate.add_job, a[Role.ADVISOR], order_id, labor_op_id=rng.choice(ops), **kw)
            elif len(lines) < 2 * len(jobs) and rng.random() < 0.6:
                job_id = rng.choice(jobs)[0]
                self.call(estimate.add_part, a[Role.ADVISOR], order_id, part_id=rng.choice(parts),
                          qty=str(rng.randint(1, 4)), job_id=job_id, **kw)
            elif lines and rng.random() < 0.1:
                self.call(estimate.remove_line, a[Role.ADVISOR], order_id, part_line_id=rng.choice(lines)[0], **kw)
            elif method is None:
                self.call(estimate.set_terms, a[Role.ADVISOR], order_id, payment_method=rng.choice(["cash", "wechat"]),
                          wash=False, promised_at=self.services.clock() + dt.timedelta(hours=6), **kw)
            else:
                self.call(estimate.authorise, a[Role.ADVISOR], order_id, "顾客", **kw)
        elif status == OrderStatus.AUTHORISED:
            live = [j for j, st in jobs if st == JobStatus.APPROVED]
            self.call(workshop.dispatch, a[Role.SUPERVISOR], order_id, {j: rng.choice(techs) for j in live}, **kw)
        elif status == OrderStatus.IN_WORKSHOP:
            self.workshop_step(order_id, jobs, lines, levels)
        elif status == OrderStatus.READY:
            if unticked[DeliveryStage.INTERNAL]:
                self.call(delivery.tick_internal, a[Role.QC], order_id, unticked[DeliveryStage.INTERNAL], **kw)
            elif unticked[DeliveryStage.WALKTHROUGH]:
                self.call(delivery.tick_walkthrough, a[Role.ADVISOR], order_id, unticked[DeliveryStage.WALKTHROUGH], **kw)
            else:
                self.call(delivery.deliver, a[Role.ADVISOR], order_id, **kw)
        elif status == OrderStatus.DELIVERED:
            if customer_amount is None:
                share = rng.choice([Decimal(0), Decimal(0), Decimal("0.02"), Decimal("0.10")])
                # Above the advisor's 5 %, the service manager types their password on the spot.
                approval = settlement.ManagerApproval("crash_manager", PASSWORD) if share > Decimal("0.05") else None
                self.call(settlement.prepare_settlement, a[Role.ADVISOR], order_id, settlement.SettlementInput(
                    discount=(gross * share).quantize(Decimal("0.01"))), approval, **kw)
            else:
                due = customer_amount - paid
                part = due if due < 2 or rng.random() < 0.5 else (due / 2).quantize(Decimal("0.01"))
                self.call(settlement.take_payment, a[Role.CASHIER], order_id, PaymentMethod.CASH, str(part), **kw)
        elif status == OrderStatus.SETTLED:
            self.call(settlement.issue_gate_pass, a[Role.CASHIER], order_id, **kw)

    def workshop_step(self, order_id: int, jobs: list, lines: list, levels: dict) -> None:
        a = self.actors
        kw = {"order_id": order_id}
        live = {j: st for j, st in jobs if st not in (JobStatus.DECLINED, JobStatus.PROPOSED)}
        for line_id, open_qty, part_id, job_id in lines:
            if open_qty > 0 and job_id in live:
                if levels.get(part_id, Decimal(0)) < open_qty:  # receive stock first: no supplier order here
                    self.call(catalog.adjust_stock, self.actors[Role.MANAGER], part_id, str(open_qty + 20),
                              "supplier delivery", kind=StockMovementKind.RECEIPT)
                    return
                self.call(workshop.issue_parts, a[Role.TECHNICIAN], line_id, **kw)
                return
        moves = {
            JobStatus.ASSIGNED: lambda j: self.call(workshop.start_job, a[Role.TECHNICIAN], j, **kw),
            # Paused because its technician started another job (one at a time): back to it.
            JobStatus.PAUSED: lambda j: self.call(workshop.resume_job, a[Role.TECHNICIAN], j, **kw),
            JobStatus.IN_PROGRESS: lambda j: self.call(workshop.finish_job, a[Role.TECHNICIAN], j, **kw),
            JobStatus.FINISHED: lambda j: self.call(workshop.self_check, a[Role.TECHNICIAN], j, **kw),
            JobStatus.SELF_CHECKED: lambda j: self.call(workshop.leader_check, a[Role.TEAM_LEADER], j, **kw),
            JobStatus.LEADER_CHECKED: lambda j: self.call(workshop.final_qc, a[Role.QC], j, passed=True, **kw),
        }
        for job_id, st in live.items():
            if st in moves:
                moves[st](job_id)
                return
        raise RuntimeError(f"order {order_id} is stuck in the workshop: {jobs}")

    def run_forever(self, limit: int | None = None) -> None:
        self.setup()
        n = 0
        while limit is None or n < limit:
            self.step()
            n += 1


def _quick_hashing() -> None:
    """Argon2 at production cost only slows the set-up; the kills are what is measured."""
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    sign_in._hasher = lambda: quick  # type: ignore[assignment]


def _tear_services() -> None:
    """The bug the harness exists to catch, for its own test: a call's changes committed before its audit event.

    Set ``CRASH_WORKER_TORN=1``: every service commits its work, waits a moment (a slow
    disk), then writes its audit event in a second transaction — a kill in between leaves
    data no audit event accounts for.
    """
    from frontdesk.services import context

    original = context._call

    def torn(fn: Callable[..., Any], session: Any, *rest: Any) -> Any:
        def commit_early(tx: Any, *args: Any, **kwargs: Any) -> Any:
            result = fn(tx, *args, **kwargs)
            tx.session.flush()
            tx.session.connection().exec_driver_sql("COMMIT")
            time.sleep(0.02)
            tx.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            return result

        return original(commit_early, session, *rest)

    context._call = torn  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    db_path, ack_path, seed, run = Path(argv[0]), Path(argv[1]), int(argv[2]), int(argv[3])
    limit = int(argv[4]) if len(argv) > 4 else None
    _quick_hashing()
    if os.environ.get("CRASH_WORKER_TORN"):
        _tear_services()
    worker = Worker(db_path, ack_path, seed, run)
    print("started", flush=True)
    worker.run_forever(limit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
