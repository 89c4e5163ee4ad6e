"""Two campaigns for ``frontdesk demo``: a maker's recall and a winter service campaign.

Built as a store gets them: a maker's list written to a CSV file (Chinese headers, as a
maker's portal exports it) and read by ``frontdesk import campaigns``'s own service. The
lists name some of the store's cars — a few of them in the house today, so the desk's
search, the check-in and the estimate flag them — and cars the store has never seen. A few
cars are closed already: done elsewhere (another dealer), or not applicable (why).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

from sqlalchemy import select

from frontdesk.model import LaborOperation, Part, RepairOrder, Vehicle

from . import campaign_import, campaigns
from .context import Actor, Services
from .validation import with_check_digit

HEADER = ["活动编号", "活动名称", "类型", "车架号", "工时代码", "零件号", "数量", "开始日期", "结束日期"]


def demo_campaigns(services: Services, admin: Actor, advisor: Actor, seed: int, today: dt.datetime) -> int:
    """Import the two campaigns and close a few cars; returns how many cars they list."""
    rng = random.Random(seed * 31 + 20)
    with services.db.reader() as s:
        vins = list(s.scalars(select(Vehicle.vin).where(Vehicle.vin.is_not(None)).order_by(Vehicle.id)))
        here = list(s.scalars(select(Vehicle.vin).join(RepairOrder, RepairOrder.vehicle_id == Vehicle.id)
                              .where(RepairOrder.status.in_(campaigns.IN_HOUSE), Vehicle.vin.is_not(None))
                              .order_by(RepairOrder.id)))
        ops = list(s.scalars(select(LaborOperation.code).where(LaborOperation.active.is_(True))
                             .order_by(LaborOperation.id).limit(40)))
        parts = list(s.scalars(select(Part.number).where(Part.active.is_(True)).order_by(Part.id).limit(40)))
    if not vins or len(ops) < 2:
        return 0
    recall_cars = set(here[:3]) | set(rng.sample(vins, max(1, len(vins) // 8)))
    service_cars = set(here[3:4]) | set(rng.sample(vins, max(1, len(vins) // 10)))
    unknown = [with_check_digit(f"LFV2A2BS{rng.randrange(10**9):09d}") for _n in range(30)]
    year = today.year
    recall = (f"R{year}-07", "前制动软管检查更换召回", "召回", (today - dt.timedelta(days=60)).date(), None)
    service = (f"S{year}-12", "冬季免费检测服务活动", "服务", (today - dt.timedelta(days=20)).date(),
               (today + dt.timedelta(days=70)).date())
    recall_op, service_op = rng.choice(ops[:20]), rng.choice(ops[20:] or ops)
    part = rng.choice(parts) if parts else ""
    rows = []
    for vin in sorted(recall_cars) + unknown[:20]:
        code, title, kind, starts, ends = recall
        rows.append([code, title, kind, vin, recall_op, part, "1" if part else "", starts.isoformat(), ""])
    for vin in sorted(service_cars) + unknown[20:]:
        code, title, kind, starts, ends = service
        rows.append([code, title, kind, vin, service_op, "", "", starts.isoformat(), ends.isoformat() if ends else ""])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "campaigns.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(HEADER)
            out.writerows(rows)
        report = campaign_import.import_campaigns(services, admin, path)
    open_cars = [c for p in campaigns.progress(services, advisor)
                 for c in campaigns.campaign_cars(services, advisor, p.campaign_id, status="open")
                 if c.plate and c.vin not in here]
    for car, outcome, reason in zip(rng.sample(open_cars, min(3, len(open_cars))),
                                    ("done_elsewhere", "done_elsewhere", "not_applicable"),
                                    ("外地4S店已做", "", "车辆已报废"), strict=False):
        campaigns.close(services, advisor, car.campaign_vehicle_id, outcome, reason)
    return sum(c.cars for c in report.campaigns)


__all__ = ["demo_campaigns"]
