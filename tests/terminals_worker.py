"""One terminal of the many-terminals harness, as its own process.

Run by tests/terminals_scenario.py (``python -m tests.terminals_worker ...``). Like a real
desk it reads the order it shows (its version and lines), waits a moment, then saves one
change with that ``expected_version``. Every outcome goes to its own log, one JSON line per
operation, written before the next operation starts: ``ok`` (acknowledged, with what changed,
any new record's id, and for a job started or resumed the other jobs it paused with their new
versions, ``paused``), ``conflict`` (a ``ConflictError``), ``refused`` (another
``FrontdeskError``) or ``error`` (anything else: an unhandled "database is locked", a
serialization failure... which the checks count as a bug).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.i18n import set_language
from frontdesk.model import Job, RepairOrder, User
from frontdesk.services import checkin, estimate, settlement, workshop
from frontdesk.services.auth import actor_for
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ConflictError, FrontdeskError

MAX_LINES = 14  # beyond this an estimate only shrinks, so a long run does not slow down on huge orders
HOURS = ("0.5", "1.0", "1.5", "2.0", "2.5", "3.0")
METHODS = ("cash", "wechat", "alipay", "card")
PAUSE_REASONS = ("waiting_parts", "waiting_approval", "other")


class Terminal:
    def __init__(self, sc: dict[str, Any], worker: int, rng: random.Random, think_ms: float) -> None:
        self.sc, self.w, self.rng, self.think = sc, worker, rng, think_ms / 1000
        self.db = Database(sc["url"])
        self.services = Services(db=self.db, settings=Settings())
        self.actors: dict[str, Actor] = {}
        with self.db.reader() as s:
            for kind, user_id in sc["users"][str(worker)].items():
                user = s.get(User, user_id)
                assert user is not None
                self.actors[kind] = actor_for(user)
        self.n = 0

    def pause_to_think(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0, self.think))

    def one(self) -> dict[str, Any]:
        """Pick an order, read it, save one change; returns the log entry."""
        choice = self.rng.choices(("estimate", "workshop", "reschedule", "pay"), weights=(14, 5, 1, 3))[0]
        self.n += 1
        entry: dict[str, Any] = {"w": self.w, "n": self.n, "t": time.time()}
        try:
            if choice == "estimate":
                self._estimate(entry)
            elif choice == "workshop":
                self._workshop(entry)
            elif choice == "reschedule":
                self._reschedule(entry)
            else:
                self._pay(entry)
            entry["outcome"] = "ok"
        except ConflictError as exc:
            entry.update(outcome="conflict", msg=str(exc))
        except FrontdeskError as exc:
            entry.update(outcome="refused", msg=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the harness reports whatever escapes
            entry.update(outcome="error", msg=f"{type(exc).__name__}: {exc}", tb=traceback.format_exc()[-3000:])
        return entry

    # What a terminal shows, then what it saves ---------------------------------------------

    def _read_order(self, order_id: int) -> tuple[int, dict[int, Job], list[tuple[int, Decimal, int | None]], RepairOrder]:
        with self.db.reader() as s:
            order = s.get(RepairOrder, order_id)
            assert order is not None
            jobs = {j.id: j for j in order.jobs}
            parts = [(p.id, p.qty, p.job_id) for p in order.part_lines]
            return order.version, jobs, parts, order

    def _estimate(self, e: dict[str, Any]) -> None:
        oid = self.rng.choice(self.sc["estimate_orders"])
        version, jobs, parts, order = self._read_order(oid)
        adv = self.actors["advisor"]
        e.update(order=oid, expected=version, target=None)
        lines = len(jobs) + len(parts)
        ops = ["add_job", "add_part", "terms", "note"] if lines < MAX_LINES else ["terms", "note"]
        ops += ["update_job", "remove_job"] * bool(jobs) + ["update_part", "remove_part"] * bool(parts)
        ops += ["update_job", "update_part"] * bool(jobs and parts)
        op = e["op"] = self.rng.choice(ops)
        svc, rng = self.services, self.rng
        if op == "add_job":
            hours = rng.choice(HOURS)
            e["args"] = {"hours": hours}
            self.pause_to_think()
            job = estimate.add_job(svc, adv, oid, description=f"终端{self.w}检查{self.n}", hours=hours, expected_version=version)
            e["id"] = job.id
        elif op == "add_part":
            job_id = rng.choice([None, *jobs])
            qty = str(rng.randint(1, 4))
            e["args"] = {"qty": qty, "job_id": job_id}
            self.pause_to_think()
            line = estimate.add_part(svc, adv, oid, part_id=rng.choice(self.sc["parts"][:2]), qty=qty, job_id=job_id,
                                     expected_version=version)
            e["id"] = line.id
        elif op == "update_job":
            e["target"] = rng.choice(list(jobs))
            e["args"] = {"hours": rng.choice(HOURS)}
            self.pause_to_think()
            estimate.update_job(svc, adv, oid, e["target"], hours=e["args"]["hours"], expected_version=version)
        elif op == "update_part":
            e["target"] = rng.choice(parts)[0]
            e["args"] = {"qty": str(rng.randint(1, 5))}
            self.pause_to_think()
            estimate.update_part(svc, adv, oid, e["target"], qty=e["args"]["qty"], expected_version=version)
        elif op == "remove_job":
            e["target"], e["args"] = rng.choice(list(jobs)), {}
            self.pause_to_think()
            estimate.remove_line(svc, adv, oid, job_id=e["target"], expected_version=version)
        elif op == "remove_part":
            e["target"], e["args"] = rng.choice(parts)[0], {}
            self.pause_to_think()
            estimate.remove_line(svc, adv, oid, part_line_id=e["target"], expected_version=version)
        elif op == "terms":
            e["args"] = {"wash": not order.wash, "payment_method": rng.choice(METHODS)}
            self.pause_to_think()
            estimate.set_terms(svc, adv, oid, wash=e["args"]["wash"], payment_method=e["args"]["payment_method"],
                               expected_version=version)
        else:  # a note on the customer's concerns, unique so that it is always a change
            e["args"] = {"concerns": f"刹车异响 / 终端{self.w} 备注{self.n}"}
            self.pause_to_think()
            checkin.update_concerns(svc, adv, oid, e["args"]["concerns"], expected_version=version)

    def _workshop(self, e: dict[str, Any]) -> None:
        jid = self.rng.choice(self.sc["workshop_jobs"])
        with self.db.reader() as s:
            job = s.get(Job, jid)
            assert job is not None
            version, status = job.version, str(job.status)
        e.update(order=self.sc["workshop_order"], target=jid, expected=version)
        tech, svc = self.actors["technician"], self.services
        if status in ("assigned", "paused"):
            e["op"] = "start" if status == "assigned" else "resume"
            e["args"] = {"status": "in_progress"}
            self.pause_to_think()
            done = (workshop.start_job if status == "assigned" else workshop.resume_job)(svc, tech, jid,
                                                                                       expected_version=version)
            # One job at a time: the technician's other running job paused, a write of this call too.
            e["paused"] = [[other.id, other.version] for other in done.paused]
        else:
            e["op"], e["args"] = "pause", {"status": "paused"}
            self.pause_to_think()
            workshop.pause_job(svc, tech, jid, self.rng.choice(PAUSE_REASONS), expected_version=version)

    def _reschedule(self, e: dict[str, Any]) -> None:
        oid = self.sc["workshop_order"]
        with self.db.reader() as s:
            order = s.get(RepairOrder, oid)
            assert order is not None
            version = order.version
        when = (dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=2, minutes=self.w * 1000 + self.n))
        e.update(op="reschedule", order=oid, target=None, expected=version, args={"promised_at": when.isoformat()})
        self.pause_to_think()
        workshop.reschedule(self.services, self.actors["advisor"], oid, when, f"张伟 (终端{self.w})", expected_version=version)

    def _pay(self, e: dict[str, Any]) -> None:
        oid = self.sc["pay_order"]
        with self.db.reader() as s:
            order = s.get(RepairOrder, oid)
            assert order is not None
            version = order.version
        amount = str(Decimal(self.rng.randint(1, 50)) / 100)  # ¥0.01-0.50: the bill lasts the whole run
        e.update(op="pay", order=oid, target=None, expected=version, args={"amount": amount})
        self.pause_to_think()
        payment = settlement.take_payment(self.services, self.actors["cashier"], oid, self.rng.choice(METHODS), amount,
                                          expected_version=version)
        e["id"] = payment.id


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scenario", required=True)
    p.add_argument("--worker", type=int, required=True)
    p.add_argument("--ops", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--go", required=True, help="start when this file appears")
    p.add_argument("--think-ms", type=float, default=2.0)
    args = p.parse_args(argv)
    set_language("en")  # the logs are read by developers
    sc = json.loads(Path(args.scenario).read_text())
    terminal = Terminal(sc, args.worker, random.Random(args.seed), args.think_ms)
    log = Path(args.log)
    Path(f"{log}.ready").touch()
    go = Path(args.go)
    while not go.exists():
        time.sleep(0.005)
    with open(log, "w", encoding="utf-8") as fh:
        for _ in range(args.ops):
            fh.write(json.dumps(terminal.one(), ensure_ascii=False) + "\n")
            fh.flush()
    terminal.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
