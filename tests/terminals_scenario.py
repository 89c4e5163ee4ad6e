"""Many terminals on the same few orders: the shop they share, the run, and the checks afterwards.

A dealership runs several desks, workshop tablets and a cashier against one database. Two of
them saving the same order must never silently keep only one of the changes: the loser is told
(``ConflictError``) and nothing it was told succeeded is missing later. This module builds a
small shop (two estimates, an order in the workshop, an order at the cashier), starts N worker
processes (tests/terminals_worker.py) that each log every acknowledged change and every
conflict, and then checks the final database against the union of those logs.

Used by tests/test_many_terminals.py (reduced) and benchmarks/terminals.py (full).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from frontdesk import migrate
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import (
    AuditEvent,
    ClockEvent,
    Job,
    PartLine,
    Payment,
    RepairOrder,
    StockLevel,
    User,
)
from frontdesk.model.enums import Role
from frontdesk.services import auth, sign_in, workshop
from frontdesk.services.auth import actor_for
from frontdesk.services.context import Actor, Services
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.services.validation import with_check_digit
from tests import pg_scratch

ROOT = Path(__file__).resolve().parents[1]
TERMINAL_ROLES = {"advisor": Role.ADVISOR, "technician": Role.TECHNICIAN, "cashier": Role.CASHIER}


# The shop -------------------------------------------------------------------------------


def fresh_postgres(base_url: str, suffix: str = "_terminals") -> str:
    """A sibling of the test database (``<name>_terminals``), created once and emptied here."""
    return pg_scratch.fresh_postgres(base_url, suffix)


@contextmanager
def _quick_hashing() -> Iterator[None]:
    """Argon2 at production cost for a few dozen set-up users would dominate a short run."""
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    real = sign_in._hasher
    sign_in._hasher = lambda: quick  # type: ignore[assignment]
    try:
        yield
    finally:
        sign_in._hasher = real  # type: ignore[assignment]


def _actor(services: Services, username: str) -> Actor:
    with services.db.reader() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return actor_for(user)


def prepare(url: str, workers: int) -> dict[str, Any]:
    """Migrate an empty database at ``url`` and build the shared orders; returns the scenario."""
    db = Database(url)
    try:
        migrate.upgrade(db)
        with _quick_hashing():
            return {"url": url, "workers": workers, **_build(Services(db=db, settings=Settings()), workers)}
    finally:
        db.dispose()


def _build(services: Services, workers: int) -> dict[str, Any]:
    from tests.factories import customer_and_vehicle, order_through, seed_shop

    admin = system_actor(ensure_store(services))
    for role in Role:
        auth.add_user(services, admin, role.value, f"{role.value.title()} Desk", role, "secret-pass")
    actors = {role: _actor(services, role.value) for role in Role}
    shop = seed_shop(services, admin, actors)
    users: dict[str, dict[str, int | None]] = {}
    for w in range(workers):  # every terminal its own users, so the audit trail tells them apart
        users[str(w)] = {}
        for kind, role in TERMINAL_ROLES.items():
            auth.add_user(services, admin, f"t{w}_{kind}", f"Terminal {w} {kind}", role, "secret-pass")
            users[str(w)][kind] = _actor(services, f"t{w}_{kind}").user_id

    def vehicle(n: int) -> int:
        _, vehicle_id = customer_and_vehicle(
            services, actors[Role.ADVISOR], plate=f"粤B{n:05d}", vin=with_check_digit(f"LSVAU0336{n:08d}"))
        return vehicle_id

    estimates = [order_through(services, actors, shop, vehicle(10 + i), stop="estimate").id for i in range(2)]
    floor = order_through(services, actors, shop, vehicle(20), stop="authorised").id
    with services.db.reader() as s:
        jobs = list(s.scalars(select(Job.id).where(Job.order_id == floor, Job.status == "approved").order_by(Job.id)))[:2]
    # Both to one technician: starting or resuming one pauses the other (one job at a time), a
    # write of that job the starting terminal's answer names (tests/terminals_worker.py).
    workshop.dispatch(services, actors[Role.SUPERVISOR], floor, {jobs[0]: shop.tech_a, jobs[1]: shop.tech_a})
    cashier = order_through(services, actors, shop, vehicle(30), stop="delivered").id
    return {
        "estimate_orders": estimates, "workshop_order": floor, "workshop_jobs": jobs, "pay_order": cashier,
        "parts": [shop.oil_filter, shop.engine_oil, shop.brake_pads], "users": users,
    }


# The state the checks compare ----------------------------------------------------------


def snapshot(db: Database, sc: dict[str, Any]) -> dict[str, Any]:
    """What the terminals may have changed, as plain JSON-able values (keys are strings)."""
    out: dict[str, Any] = {"orders": {}, "jobs": {}, "payments": {}}
    with db.reader() as s:
        for oid in sc["estimate_orders"]:
            order = s.get(RepairOrder, oid)
            assert order is not None
            out["orders"][str(oid)] = {
                "version": order.version, "wash": order.wash, "payment_method": str(order.payment_method),
                "concerns": order.concerns,
                "jobs": {str(j.id): str(j.hours) for j in order.jobs},
                "parts": {str(p.id): [str(p.qty), p.job_id] for p in order.part_lines},
            }
        for oid in (sc["workshop_order"], sc["pay_order"]):
            order = s.get(RepairOrder, oid)
            assert order is not None
            out["orders"][str(oid)] = {"version": order.version, "promised_at": order.promised_at.isoformat()
                                       if order.promised_at else None}
        for jid in sc["workshop_jobs"]:
            job = s.get(Job, jid)
            assert job is not None
            clocks = s.scalar(select(func.count()).select_from(ClockEvent).where(ClockEvent.job_id == jid))
            out["jobs"][str(jid)] = {"version": job.version, "status": str(job.status), "clock_events": clocks}
        for p in s.scalars(select(Payment).where(Payment.order_id == sc["pay_order"])):
            out["payments"][str(p.id)] = str(p.amount)
        levels = {lv.part_id: lv.reserved for lv in s.scalars(select(StockLevel))}
        held = dict(s.execute(select(PartLine.part_id, func.sum(PartLine.reserved_qty)).group_by(PartLine.part_id)).all())
        out["stock"] = {str(pid): [str(levels.get(pid, Decimal(0))), str(held.get(pid) or Decimal(0))]
                        for pid in set(levels) | set(held)}
        ids = [uid for kinds in sc["users"].values() for uid in kinds.values()]
        out["audit"] = [
            {"user_id": a.user_id, "action": a.action, "entity": a.entity, "entity_id": a.entity_id,
             "order_id": a.order_id, "after": a.after}
            for a in s.scalars(select(AuditEvent).where(AuditEvent.user_id.in_(ids)))
        ]
    return out


# Running the terminals -----------------------------------------------------------------


@dataclass
class RunResult:
    backend: str
    workers: int
    ops_per_worker: int
    seconds: float
    entries: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    scenario: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)  # the snapshot the terminals started from

    def count(self, outcome: str) -> int:
        return sum(1 for e in self.entries if e["outcome"] == outcome)

    @property
    def ops(self) -> int:
        return len(self.entries)

    @property
    def throughput(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (f"{self.backend}: {self.workers} terminals x {self.ops_per_worker} ops = {self.ops} ops in "
                f"{self.seconds:.1f} s ({self.throughput:.0f} ops/s); acknowledged {self.count('ok')}, "
                f"conflicts {self.count('conflict')}, refused {self.count('refused')}, errors {self.count('error')}; "
                f"problems {len(self.problems)}")


def run_terminals(url: str, backend: str, workers: int, ops: int, folder: Path, *, seed: int = 1,
                  think_ms: float = 2.0, timeout: float = 600.0) -> RunResult:
    """Build the shop at ``url`` (an empty database), run the terminals, check the outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    sc = prepare(url, workers)
    db = Database(url)
    try:
        before = snapshot(db, sc)
    finally:
        db.dispose()
    scenario_file = folder / "scenario.json"
    scenario_file.write_text(json.dumps(sc))
    go = folder / "go"
    go.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = []
    for w in range(workers):
        log = folder / f"terminal_{w}.jsonl"
        log.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "tests.terminals_worker", "--scenario", str(scenario_file), "--worker", str(w),
               "--ops", str(ops), "--seed", str(seed * 1000 + w), "--log", str(log), "--go", str(go),
               "--think-ms", str(think_ms)]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 120
    while not all((folder / f"terminal_{w}.jsonl.ready").exists() for w in range(workers)):
        if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in procs):
            for p in procs:
                p.kill()
            raise RuntimeError("terminals did not start: " + " | ".join((p.stderr.read() if p.stderr else "")[-2000:]
                                                                     for p in procs if p.poll() is not None))
        time.sleep(0.02)
    started = time.perf_counter()
    go.touch()
    problems: list[str] = []
    for w, p in enumerate(procs):
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            problems.append(f"terminal {w} did not finish in {timeout:.0f} s")
        if p.returncode != 0:
            problems.append(f"terminal {w} exited with {p.returncode}: {err[-2000:]}")
    seconds = time.perf_counter() - started
    entries: list[dict[str, Any]] = []
    for w in range(workers):
        with open(folder / f"terminal_{w}.jsonl", encoding="utf-8") as fh:
            entries.extend(json.loads(line) for line in fh if line.strip())
    db = Database(url)
    try:
        after = snapshot(db, sc)
    finally:
        db.dispose()
    (folder / "snapshots.json").write_text(json.dumps({"before": before, "after": after}, default=str))
    problems += check(sc, before, after, entries)
    return RunResult(backend, workers, ops, seconds, entries, problems, sc, before)


# The checks ----------------------------------------------------------------------------


def _switched(e: dict[str, Any]) -> list[dict[str, Any]]:
    """The pauses an acknowledged start or resume made on the technician's other jobs, as writes of theirs."""
    return [{**e, "op": "switched", "cause": e["op"], "target": job_id, "expected": version - 1, "args": {"status": "paused"},
             "by": e["target"]} for job_id, version in e.get("paused", ())]


def _target_of(e: dict[str, Any]) -> tuple[str, int]:
    """The versioned record an operation's ``expected`` version belongs to."""
    return ("job", e["target"]) if e["op"] in ("start", "pause", "resume") else ("order", e["order"])


def check(sc: dict[str, Any], before: dict[str, Any], after: dict[str, Any], entries: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with the final state given the terminals' logs (empty when all is well)."""
    problems: list[str] = []
    for e in entries:
        if e["outcome"] == "error":
            problems.append(f"unhandled {e['msg']} escaped to terminal {e['w']} ({e['op']})")
        elif e["outcome"] == "refused":
            # Each terminal only asks for what the state it read allows; the state can only have
            # changed under it if the version did, so a refusal is a collision told the wrong way.
            problems.append(f"terminal {e['w']} {e['op']} on order {e['order']} refused instead of a conflict: {e['msg']}")
    acked = [e for e in entries if e["outcome"] == "ok"]

    # 1. Every collision surfaced: no two acknowledged writes were based on the same version of a
    #    record, and each acknowledged write moved that record's version by exactly one. A job
    #    started or resumed pauses the technician's other running job (one at a time): the call's
    #    answer names it with the version it left, a write of that job like any other.
    by_record: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for e in acked:
        by_record.setdefault(_target_of(e), []).append(e)
        for e_side in _switched(e):
            if str(e_side["target"]) not in after["jobs"]:
                problems.append(f"terminal {e['w']} {e['op']} #{e['n']} paused job {e_side['target']}, "
                                "which no terminal works on")
                continue
            by_record.setdefault(("job", e_side["target"]), []).append(e_side)
    for (kind, rid), group in by_record.items():
        seen = Counter(e["expected"] for e in group)
        for version, n in seen.items():
            if n > 1:
                problems.append(f"{n} acknowledged writes to {kind} {rid} all based on version {version} (collision not surfaced)")
        first = (before["jobs"] if kind == "job" else before["orders"])[str(rid)]["version"]
        last = (after["jobs"] if kind == "job" else after["orders"])[str(rid)]["version"]
        if last != first + len(group):
            problems.append(f"{kind} {rid}: version went {first} -> {last} but {len(group)} writes were acknowledged")
        group.sort(key=lambda e: e["expected"])
        expected_chain = list(range(first, first + len(group)))
        if [e["expected"] for e in group] != expected_chain:
            problems.append(f"{kind} {rid}: acknowledged writes are not one unbroken chain of versions")

    # 2. No lost update: replaying the acknowledged writes in version order gives the final state.
    for oid in sc["estimate_orders"]:
        model = json.loads(json.dumps(before["orders"][str(oid)]))
        for e in by_record.get(("order", oid), []):
            try:
                _replay_estimate(model, e)
            except KeyError:
                problems.append(f"terminal {e['w']} {e['op']} #{e['n']} was acknowledged for a line already removed")
        final = after["orders"][str(oid)]
        for key in ("jobs", "parts", "wash", "payment_method", "concerns"):
            want, got = _norm(model[key]), _norm(final[key])
            if want != got:
                problems.append(f"order {oid} {key}: acknowledged changes give {want}, the database has {got}")
    for jid in sc["workshop_jobs"]:
        group = by_record.get(("job", jid), [])
        b, a = before["jobs"][str(jid)], after["jobs"][str(jid)]
        status = group[-1]["args"]["status"] if group else b["status"]
        if a["status"] != status:
            problems.append(f"job {jid}: last acknowledged status {status}, the database has {a['status']}")
        if a["clock_events"] != b["clock_events"] + len(group):
            problems.append(f"job {jid}: {len(group)} clock changes acknowledged, {a['clock_events'] - b['clock_events']} recorded")
    moves = by_record.get(("order", sc["workshop_order"]), [])
    if moves and after["orders"][str(sc["workshop_order"])]["promised_at"] != moves[-1]["args"]["promised_at"]:
        problems.append("the workshop order's promised time is not the last acknowledged one")
    paid = {str(e["id"]): e["args"]["amount"] for e in acked if e["op"] == "pay"}
    new_payments = {k: v for k, v in after["payments"].items() if k not in before["payments"]}
    if {k: Decimal(v) for k, v in new_payments.items()} != {k: Decimal(v) for k, v in paid.items()}:
        problems.append(f"payments: {len(paid)} acknowledged, {len(new_payments)} stored, or amounts differ")

    # 3. The audit trail: exactly one event per acknowledged change, by that terminal's user, with its values.
    users = {str(w): kinds for w, kinds in sc["users"].items()}
    want_events = Counter(_event_key(e, users) for e in acked)
    want_events.update(_event_key(e, users) for e in acked for e in _switched(e))  # the call's event on each
    got_events = Counter((a["user_id"], a["action"], a["entity"], a["entity_id"]) for a in after["audit"])
    if want_events != got_events:
        missing, extra = want_events - got_events, got_events - want_events
        problems.append(f"audit trail: {sum(missing.values())} acknowledged changes without their event "
                        f"(e.g. {list(missing)[:3]}), {sum(extra.values())} events without an acknowledged change "
                        f"(e.g. {list(extra)[:3]})")
    shown: dict[tuple[int, str, int], list[dict[str, Any]]] = {}
    for a in after["audit"]:
        shown.setdefault((a["user_id"], a["action"], a["entity_id"]), []).append(a["after"] or {})
    for e in acked:
        key = _event_key(e, users)
        want = _after_subset(e)
        if want and not any(all(_norm(got.get(f)) == _norm(v) for f, v in want.items())
                            for got in shown.get((key[0], key[1], key[3]), [])):
            problems.append(f"the audit event of terminal {e['w']} {e['op']} #{e['n']} does not show {want}")

    # 4. Stock: what is reserved equals what the lines hold.
    for pid, (reserved, held) in after["stock"].items():
        if Decimal(reserved) != Decimal(held):
            problems.append(f"part {pid}: stock level reserves {reserved}, the lines hold {held}")
    return problems


ACTIONS = {
    "add_job": ("estimate.add_job", "job", "advisor"), "add_part": ("estimate.add_part", "part_line", "advisor"),
    "update_job": ("estimate.update_job", "job", "advisor"), "update_part": ("estimate.update_part", "part_line", "advisor"),
    "remove_job": ("estimate.remove_line", "job", "advisor"), "remove_part": ("estimate.remove_line", "part_line", "advisor"),
    "terms": ("estimate.terms", "repair_order", "advisor"), "note": ("order.update_check_in", "repair_order", "advisor"),
    "reschedule": ("order.reschedule", "repair_order", "advisor"), "start": ("job.start", "job", "technician"),
    "pause": ("job.pause", "job", "technician"), "resume": ("job.resume", "job", "technician"),
    "pay": ("payment.take", "payment", "cashier"),
}


def _event_key(e: dict[str, Any], users: dict[str, dict[str, int]]) -> tuple[int, str, str, int]:
    if e["op"] == "switched":  # written by the start or resume that paused it, under that call's action
        action, entity, kind = ACTIONS[e["cause"]]
        return (users[str(e["w"])][kind], action, entity, e["target"])
    action, entity, kind = ACTIONS[e["op"]]
    entity_id = e["id"] if e["op"] in ("add_job", "add_part", "pay") else e["target"] if entity != "repair_order" else e["order"]
    return (users[str(e["w"])][kind], action, entity, entity_id)


def _after_subset(e: dict[str, Any]) -> dict[str, Any]:
    """The values an acknowledged change's audit event must show."""
    args = e["args"]
    if e["op"] == "switched":
        return {"status": "paused", "reason": "switched", "for_job": e["by"]}
    if e["op"] == "update_job":
        return {"hours": args["hours"]}
    if e["op"] == "update_part":
        return {"qty": args["qty"]}
    if e["op"] == "note":
        return {"concerns": args["concerns"]}
    if e["op"] == "pay":
        return {"amount": args["amount"]}
    return {}


def _replay_estimate(model: dict[str, Any], e: dict[str, Any]) -> None:
    op, args = e["op"], e["args"]
    if op == "add_job":
        model["jobs"][str(e["id"])] = args["hours"]
    elif op == "add_part":
        model["parts"][str(e["id"])] = [args["qty"], args["job_id"]]
    elif op == "update_job":
        model["jobs"][str(e["target"])] = args["hours"]
    elif op == "update_part":
        model["parts"][str(e["target"])][0] = args["qty"]
    elif op == "remove_job":
        model["jobs"].pop(str(e["target"]))
        model["parts"] = {k: v for k, v in model["parts"].items() if v[1] != e["target"]}
    elif op == "remove_part":
        model["parts"].pop(str(e["target"]))
    elif op == "terms":
        model["wash"], model["payment_method"] = args["wash"], args["payment_method"]
    elif op == "note":
        model["concerns"] = args["concerns"]


def _norm(value: Any) -> Any:
    """Compare quantities and hours as numbers ("1.5" == "1.50")."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value
