"""What must hold after every kill, and the kill-check-restart loop that enforces it.

Shared by tests/test_crash_safety.py (a few kills, in the suite) and
benchmarks/crash_harness.py (200 kills). The checks read the database directly, with
SQL and the ORM, and compare it with the worker's acknowledged-call log: an order is
wholly there or absent, stored totals equal the sum of the lines, stock equals its
movements and reservations, and the audit trail and the acknowledged calls agree.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from frontdesk import migrate
from frontdesk.db import Database
from frontdesk.model import (
    AuditEvent,
    FollowUp,
    OdometerReading,
    PartLine,
    Payment,
    RepairOrder,
    StockLevel,
    StockMovement,
)
from frontdesk.model.enums import (
    DeliveryStage,
    JobStatus,
    OrderStatus,
    PauseReason,
    PaymentKind,
    StockMovementKind,
)
from frontdesk.services import delivery
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.estimate import order_totals
from frontdesk.services.money import labor_amount, line_amount
from frontdesk.services.settlement import paid_amount

from .crash_worker import crash_settings

ROOT = Path(__file__).resolve().parent.parent
RANK = {s: i for i, s in enumerate((
    OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP, OrderStatus.READY,
    OrderStatus.DELIVERED, OrderStatus.SETTLED, OrderStatus.CLOSED))}
# The status an order has reached, at the latest, once this call has been made on it.
REACHED = {"order.authorise": OrderStatus.AUTHORISED, "order.dispatch": OrderStatus.IN_WORKSHOP,
           "order.deliver": OrderStatus.DELIVERED, "gate_pass.issue": OrderStatus.CLOSED}
# Job statuses only the job's own audited calls set: the last job event must say so.
JOB_AUDITED = {JobStatus.IN_PROGRESS, JobStatus.FINISHED, JobStatus.SELF_CHECKED, JobStatus.LEADER_CHECKED,
               JobStatus.QC_PASSED, JobStatus.DECLINED}
UNACKED_SETUP = {"store.create"}  # written by ensure_store at start-up, outside a service call
# A manager's password typed on the spot is recorded in a short transaction of its own right
# after the call it approved (services/auth.verify_manager), so that a refused or rolled-back
# call still counts the attempt: these events sit beside their call's, or alone after a kill.
ATTEMPTS = {"manager.approval", "manager.approval_refused", "user.locked"}


def problems(db: Database, acks: list[dict[str, Any]], kills: int) -> list[str]:
    """Everything wrong with the database after ``kills`` kills; empty when all holds."""
    out: list[str] = []
    with db.engine.connect() as conn:
        result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        if result != ["ok"]:
            out.append(f"integrity_check: {result[:5]}")
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if fk:
            out.append(f"foreign_key_check: {fk[:5]}")
    with db.reader() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        orders = list(s.scalars(select(RepairOrder).options(
            selectinload(RepairOrder.jobs), selectinload(RepairOrder.part_lines).selectinload(PartLine.job),
            selectinload(RepairOrder.payments), selectinload(RepairOrder.delivery_checks),
            selectinload(RepairOrder.walkaround))))
        out += _orders(s, orders, events)
        out += _stock(s)
        out += _audit(s, orders, events, acks, kills)
    return out


def _orders(s: Any, orders: list[RepairOrder], events: list[AuditEvent]) -> list[str]:
    out: list[str] = []
    settings = crash_settings()
    checked_in = {e.entity_id for e in events if e.action == "order.check_in"}
    ids = {o.id for o in orders}
    if checked_in != ids:
        out.append(f"orders without their check-in event {sorted(ids - checked_in)}, "
                   f"check-in events without their order {sorted(checked_in - ids)}")
    for table, column in (("job", "order_id"), ("part_line", "order_id"), ("payment", "order_id"),
                          ("walkaround", "order_id"), ("odometer_reading", "order_id")):
        orphans = s.execute(text(f"SELECT count(*) FROM {table} t LEFT JOIN repair_order o ON o.id = t.{column} "
                                 f"WHERE t.{column} IS NOT NULL AND o.id IS NULL")).scalar()
        if orphans:
            out.append(f"{orphans} {table} rows without their order")
    running: dict[int, list[int]] = defaultdict(list)  # one job at a time per technician (issue 18)
    for o in orders:
        for j in o.jobs:
            if j.status == JobStatus.IN_PROGRESS and j.technician_id is not None:
                running[j.technician_id].append(j.id)
    for tech, job_ids in running.items():
        if len(job_ids) > 1:
            out.append(f"technician {tech} runs jobs {sorted(job_ids)} at once")
    readings = set(s.scalars(select(OdometerReading.order_id)))
    follow_ups = set(s.scalars(select(FollowUp.order_id)))
    for o in orders:
        where = f"order {o.id} ({o.status})"
        if o.id not in readings:
            out.append(f"{where}: no odometer reading from its check-in")
        for j in o.jobs:
            if j.amount != labor_amount(j.hours, j.rate):
                out.append(f"{where}: job {j.id} amount {j.amount} is not hours x rate")
        for p in o.part_lines:
            if p.amount != line_amount(p.qty, p.unit_price):
                out.append(f"{where}: part line {p.id} amount {p.amount} is not qty x price")
            if p.job is not None and p.job.order_id != o.id:
                out.append(f"{where}: part line {p.id} hangs on another order's job")
            if not (0 <= p.reserved_qty and 0 <= p.issued_qty and p.reserved_qty + p.issued_qty <= p.qty):
                out.append(f"{where}: part line {p.id} reserved {p.reserved_qty} issued {p.issued_qty} of {p.qty}")
        live = [j for j in o.jobs if j.status != JobStatus.DECLINED]
        rank = RANK.get(o.status, -1)
        if o.status == OrderStatus.CANCELLED:
            if o.cancelled_at is None or not o.cancel_reason:
                out.append(f"{where}: cancelled without time or reason")
            if any(p.reserved_qty for p in o.part_lines):
                out.append(f"{where}: a cancelled order still holds stock")
        if rank >= RANK[OrderStatus.AUTHORISED]:
            if o.walkaround is None or not o.signed_by or o.promised_at is None or o.payment_method is None:
                out.append(f"{where}: authorised without walkaround, signature, promise or payment method")
            if not live or any(j.status == JobStatus.PROPOSED for j in o.jobs):
                out.append(f"{where}: authorised with no approved work or work still proposed")
        if rank >= RANK[OrderStatus.IN_WORKSHOP] and (o.dispatched_at is None or any(j.technician_id is None for j in live)):
            out.append(f"{where}: in the workshop without dispatch")
        if rank >= RANK[OrderStatus.READY] and (o.ready_at is None or any(j.status != JobStatus.QC_PASSED for j in live)):
            out.append(f"{where}: ready with work not through QC")
        if rank >= RANK[OrderStatus.DELIVERED] and (o.delivered_at is None or any(
                delivery.missing_items(o, st) for st in DeliveryStage)):
            out.append(f"{where}: delivered without its checks")
        if o.total_amount is not None or o.customer_amount is not None:
            try:
                totals = order_totals(o, settings)
            except FrontdeskError as exc:  # a discount above what the lines left: the lines went missing
                out.append(f"{where}: stored totals {o.total_amount}/{o.customer_amount} but the lines do not add up: {exc}")
                continue
            if (o.total_amount, o.customer_amount) != (totals.gross, totals.customer_payable):
                out.append(f"{where}: stored totals {o.total_amount}/{o.customer_amount} but lines sum to "
                           f"{totals.gross}/{totals.customer_payable}")
        paid = paid_amount(o)
        if paid and (o.customer_amount is None or paid > o.customer_amount):
            out.append(f"{where}: paid {paid} against {o.customer_amount}")
        if rank >= RANK[OrderStatus.SETTLED]:
            if o.customer_amount is None or o.settled_at is None or (paid != o.customer_amount and o.credit_approved_by_id is None):
                out.append(f"{where}: settled but {paid} paid of {o.customer_amount}")
        elif o.customer_amount is not None and paid == o.customer_amount and o.status != OrderStatus.CANCELLED:
            out.append(f"{where}: fully paid but not settled")
        if o.status == OrderStatus.CLOSED and (not o.gate_pass_no or o.closed_at is None or o.id not in follow_ups):
            out.append(f"{where}: closed without gate pass or follow-up")
    return out


def _stock(s: Any) -> list[str]:
    out: list[str] = []
    moved: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for store_id, part_id, qty in s.execute(select(StockMovement.store_id, StockMovement.part_id, StockMovement.qty)):
        moved[(store_id, part_id)] += qty
    held: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for store_id, part_id, qty in s.execute(select(RepairOrder.store_id, PartLine.part_id, PartLine.reserved_qty)
                                            .join(RepairOrder, RepairOrder.id == PartLine.order_id)):
        held[(store_id, part_id)] += qty
    levels = {(lvl.store_id, lvl.part_id): lvl for lvl in s.scalars(select(StockLevel))}
    for key in set(levels) | set(moved) | set(held):
        lvl = levels.get(key)
        on_hand, reserved = (lvl.on_hand, lvl.reserved) if lvl else (Decimal(0), Decimal(0))
        if on_hand != moved[key]:
            out.append(f"part {key[1]}: on hand {on_hand} but movements sum to {moved[key]}")
        if reserved != held[key]:
            out.append(f"part {key[1]}: reserved {reserved} but lines hold {held[key]}")
        if on_hand < 0 or reserved < 0:
            out.append(f"part {key[1]}: negative stock {on_hand}/{reserved}")
    issued: dict[int, Decimal] = defaultdict(Decimal)
    for line_id, qty in s.execute(select(StockMovement.part_line_id, StockMovement.qty)
                                  .where(StockMovement.kind == StockMovementKind.ISSUE)):
        issued[line_id] -= qty
    for line_id, qty in s.execute(select(PartLine.id, PartLine.issued_qty)):
        if qty != issued.pop(line_id, Decimal(0)):
            out.append(f"part line {line_id}: issued {qty} but its movements say {issued.get(line_id)}")
    return out


def _own_or_switched(mine: list[AuditEvent], order_id: int) -> bool:
    """A call's events name its order, but for the jobs it paused on another order.

    Starting or resuming a job pauses the technician's other running job ("switched"),
    wherever it is: that job's event names its own order, says which job it was paused for,
    and the call's own event lists it among ``paused_jobs``.
    """
    own = [e for e in mine if e.order_id == order_id]
    paused = {(job, e.entity_id) for e in own if e.entity == "job" and e.after
              for job in e.after.get("paused_jobs", ())}
    return bool(own) and all(
        e.entity == "job" and e.after is not None and e.after.get("reason") == PauseReason.SWITCHED
        and (e.entity_id, e.after.get("for_job")) in paused
        for e in mine if e.order_id != order_id)


def _audit(s: Any, orders: list[RepairOrder], events: list[AuditEvent], acks: list[dict[str, Any]], kills: int) -> list[str]:
    out: list[str] = []
    by_id = {e.id: e for e in events}
    # 1. Every acknowledged call left its event, in the order the calls were made.
    owner: dict[int, dict[str, Any]] = {}  # audit event id -> the acknowledged call that wrote it
    last = 0
    for ack in acks:
        first, final = ack["first"], ack["audit_id"]
        mine = [e for i in range(first, final + 1)
                if (e := by_id.get(i)) is None or e.action not in ATTEMPTS or ack["action"] in ATTEMPTS]
        if first <= last or not mine or any(e is None or e.action != ack["action"] for e in mine):
            out.append(f"acknowledged {ack} has no matching audit events (found {[e and e.action for e in mine][:5]})")
            continue
        if ack["order_id"] is not None and not _own_or_switched(mine, ack["order_id"]):
            out.append(f"acknowledged {ack} but its events name order {[e.order_id for e in mine]}")
        for i in range(first, final + 1):
            owner[i] = ack
        last = final
    # 2. What was committed but never acknowledged: only the call in flight when a run was killed,
    # so right after that run's last acknowledged call, and one call (one action) per kill.
    last_of_run: dict[int, int] = {}
    for ack in acks:
        last_of_run[ack["run"]] = ack["audit_id"]
    strays: dict[int, set[str]] = defaultdict(set)
    previous: dict[str, Any] | None = None
    for e in events:
        if e.id in owner:
            previous = owner[e.id]
            continue
        if e.action in UNACKED_SETUP or e.action in ATTEMPTS:
            continue
        run = previous["run"] if previous else 0
        if previous is not None and last_of_run[run] != previous["audit_id"]:
            out.append(f"audit event {e.id} ({e.action}) was never acknowledged, in the middle of run {run}")
        strays[run].add(e.action)
    for run, actions in strays.items():
        if len(actions) > 1:
            out.append(f"unacknowledged events of several calls after run {run}: {sorted(actions)}")
    if len(strays) > kills:
        out.append(f"unacknowledged calls after {len(strays)} runs but only {kills} kills")
    # 3. Every event names something that is there (or that a later event removed).
    orders_by_id = {o.id: o for o in orders}
    jobs = {j.id: j for o in orders for j in o.jobs}
    lines = {p.id for o in orders for p in o.part_lines}
    payments = set(s.scalars(select(Payment.id)))
    removed = {(e.entity, e.entity_id) for e in events if e.action == "estimate.remove_line"}
    last_job_status: dict[int, str] = {}
    seen: dict[int, set[str]] = defaultdict(set)
    for e in events:
        if e.order_id is not None:
            seen[e.order_id].add(e.action)
            if e.order_id not in orders_by_id:
                out.append(f"audit event {e.id} ({e.action}) names order {e.order_id}, which is not there")
        gone = (e.entity, e.entity_id) in removed
        if e.entity == "job" and not gone and e.entity_id not in jobs:
            out.append(f"audit event {e.id} ({e.action}) names job {e.entity_id}, which is not there")
        if e.entity == "part_line" and not gone and e.entity_id not in lines:
            out.append(f"audit event {e.id} ({e.action}) names part line {e.entity_id}, which is not there")
        if e.entity == "payment" and e.entity_id not in payments:
            out.append(f"audit event {e.id} ({e.action}) names payment {e.entity_id}, which is not there")
        if e.entity == "job" and e.after and "status" in e.after:
            last_job_status[e.entity_id] = e.after["status"]
    # 4. Nothing is in the data that no event accounts for (a call's data committed without its event).
    made: dict[str, set[int | None]] = defaultdict(set)
    for e in events:
        made[e.action].add(e.entity_id)
    proposed = {j.id for j in jobs.values() if j.id in made["job.propose"]}
    unexplained = {
        "jobs": set(jobs) - made["estimate.add_job"] - proposed,
        "part lines": {p.id for o in orders for p in o.part_lines
                       if p.id not in made["estimate.add_part"] and p.job_id not in proposed},
        "payments": payments - made["payment.take"] - made["payment.refund"],
    }
    for what, ids in unexplained.items():
        if ids:
            out.append(f"{what} {sorted(ids)[:10]} were never recorded in the audit trail")
    issues: dict[int | None, int] = defaultdict(int)
    for e in events:
        if e.action == "parts.issue" and e.entity == "part_line":
            issues[e.entity_id] += 1
    moved: dict[int | None, int] = defaultdict(int)
    receipts = 0
    for kind, line_id in s.execute(select(StockMovement.kind, StockMovement.part_line_id)):
        if kind == StockMovementKind.ISSUE:
            moved[line_id] += 1
        else:
            receipts += 1
    if moved != issues:
        out.append(f"stock issues {dict(moved)} do not match the parts.issue events {dict(issues)}"[:400])
    adjusts = sum(1 for e in events if e.action == "stock.adjust" and e.after and Decimal(e.after["delta"]) != 0)
    received = sum(1 for e in events if e.action == "parts.receive")
    if receipts != adjusts + received:
        out.append(f"{receipts} stock receipts and adjustments but {adjusts + received} events that make them")
    # 5. The order's status and its trail agree both ways.
    for o in orders:
        actions = seen[o.id]
        if (o.status == OrderStatus.CANCELLED) != ("order.cancel" in actions):
            out.append(f"order {o.id} is {o.status} but its trail says cancel={('order.cancel' in actions)}")
        rank = RANK.get(o.status)
        for action, status in REACHED.items():
            if rank is not None and (action in actions) != (rank >= RANK[status]):
                out.append(f"order {o.id} is {o.status} but its trail has {action}={action in actions}")
        for j in o.jobs:
            logged = last_job_status.get(j.id)
            if (j.status in JOB_AUDITED or logged in JOB_AUDITED) and logged != j.status:
                out.append(f"job {j.id} is {j.status} but its last audit event says {logged}")
        for present, action in ((o.walkaround is not None, "order.walkaround"),
                                (o.payment_method is not None, "estimate.terms"),
                                (o.customer_amount is not None, "settlement.prepare"),
                                (bool(o.delivery_checks), "delivery.internal_check")):
            if present and action not in actions:
                out.append(f"order {o.id} has what {action} writes but no such event")
        if o.payments and not all(p.kind == PaymentKind.PAYMENT for p in o.payments):
            out.append(f"order {o.id}: unexpected refunds")
    return out


# The loop ------------------------------------------------------------------------------------------


@dataclass
class Report:
    kills: int = 0
    acknowledged: int = 0
    orders: int = 0
    closed: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    check_seconds: float = 0.0

    @property
    def survived(self) -> int:
        if not self.failures:
            return self.kills
        return self.kills if self.failures[0].startswith("final run") else self.kills - 1  # stops at the first failure

    def summary(self) -> str:
        return (f"kills survived: {self.survived}/{self.kills}, "
                f"operations acknowledged: {self.acknowledged}, orders: {self.orders} ({self.closed} closed), "
                f"failures: {len(self.failures)}, {self.seconds:.1f} s ({self.check_seconds:.1f} s checking)")


def read_acks(path: Path) -> list[dict[str, Any]]:
    """The log's complete lines (a line cut short by the kill was never acknowledged)."""
    if not path.exists():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if raw.endswith("\n"):
            out.append(json.loads(raw))
    return out


def fresh_database(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    return db


def run(folder: Path, kills: int, *, seed: int = 1, max_delay: float = 1.5, log: Any = None) -> Report:
    """Start, kill at a random moment, check, restart on the same file: ``kills`` times."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path, ack_path = folder / "crash.db", folder / "acks.jsonl"
    for p in (db_path, ack_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        p.unlink(missing_ok=True)
    fresh_database(db_path).dispose()
    rng = random.Random(seed)
    report = Report()
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for n in range(1, kills + 1):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_worker", str(db_path), str(ack_path), str(rng.randrange(1 << 30)), str(n)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        ready = proc.stdout.readline()  # imports done: from here on every moment is a fair target
        if ready.strip() != "started":
            proc.kill()
            report.failures.append(f"kill {n}: the worker did not start: {proc.stderr.read() if proc.stderr else ''}")
            break
        time.sleep(rng.uniform(0, max_delay))
        if proc.poll() is not None:
            report.failures.append(f"kill {n}: the worker stopped by itself ({proc.returncode}): "
                                   f"{proc.stderr.read()[-2000:] if proc.stderr else ''}")
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        report.kills = n
        t0 = time.perf_counter()
        acks = read_acks(ack_path)
        db = Database(f"sqlite:///{db_path}")
        try:
            found = problems(db, acks, n)
            with db.reader() as s:
                report.orders = s.scalar(select(func.count()).select_from(RepairOrder)) or 0
                report.closed = s.scalar(select(func.count()).select_from(RepairOrder)
                                         .where(RepairOrder.status == OrderStatus.CLOSED)) or 0
        finally:
            db.dispose()
        report.check_seconds += time.perf_counter() - t0
        report.acknowledged = len(acks)
        report.failures += [f"kill {n}: {p}" for p in found]
        if log is not None:
            log(f"kill {n:3d}: {len(acks)} acknowledged, {report.orders} orders, {len(found)} problems")
        if found:
            break
    if not report.failures:  # last, a run that is not killed must carry on and stop cleanly
        done = subprocess.run(
            [sys.executable, "-m", "tests.crash_worker", str(db_path), str(ack_path), str(seed), str(kills + 1), "60"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        acks = read_acks(ack_path)
        if done.returncode != 0:
            report.failures.append(f"final run: the worker failed: {done.stderr[-2000:]}")
        else:
            db = Database(f"sqlite:///{db_path}")
            try:
                report.failures += [f"final run: {p}" for p in problems(db, acks, kills)]
            finally:
                db.dispose()
        report.acknowledged = len(acks)
    report.seconds = time.perf_counter() - started
    return report
