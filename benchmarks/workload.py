"""The databases the benchmarks read: the big demo store, and a small working store.

The big store is ``frontdesk demo --days N`` (the real generator, through the services).
The working store holds what the timed writes need without touching the big one: 120
cars on the workshop board in every stage, an estimate with 40 lines and a work order
with 25 lines — all made through the same service calls a desk makes (the demo's order
walker, stopped at each stage).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
BOARD_CARS = 120
ESTIMATE_LINES = 40
PDF_LINES = 25
BOARD_STOPS = ("authorised", "waiting", "in_progress", "in_progress", "waiting_parts", "waiting_approval",
               "checks", "wash", "ready")


def url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def generate_demo(path: Path, days: int) -> float:
    """``frontdesk demo --days`` into a fresh ``path``, in its own process; seconds it took."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "frontdesk", "demo", "--db", url(path), "--days", str(days), "--quiet"],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, FRONTDESK_CONFIG=str(CACHE / "none.toml")))
    return time.monotonic() - started


def open_services(path: Path | str):  # type: ignore[no-untyped-def]
    from frontdesk.cli import open_services as open_
    from frontdesk.config import load_settings

    return open_(load_settings(CACHE / "none.toml", database_url=url(path)))


@dataclass(frozen=True)
class WorkStore:
    path: Path
    estimate_order_id: int  # an order at the estimate stage with 40 lines
    pdf_order_number: str  # an authorised order with 25 lines


def work_store(path: Path | None = None) -> WorkStore:
    """Build (or reuse) the working store; its ids are kept in the store's own rows."""
    path = path or CACHE / "work.db"
    marker = Path(f"{path}.ids")
    if path.exists() and marker.exists():
        order_id, number = marker.read_text().split()
        return WorkStore(path, int(order_id), number)
    for suffix in ("", "-wal", "-shm", ".ids"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    services = open_services(path)
    order_id, number = _fill(services)
    services.db.dispose()
    marker.write_text(f"{order_id} {number}\n")
    return WorkStore(path, order_id, number)


def _fill(services) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    # The demo's generator is internal API; the benchmark borrows its order walker so the
    # board's cars went through every real service call (dispatch, clocking, checks, ...).
    from frontdesk.services.demo import _Generator
    from frontdesk.services.setup import ensure_store, system_actor

    now = dt.datetime.now().replace(microsecond=0)
    gen = _Generator(services, 11, now)
    gen.plates, gen.vins = set(), set()  # type: ignore[attr-defined]
    gen.now = now - dt.timedelta(days=1)
    admin = system_actor(ensure_store(services))
    gen.staff(admin)
    cat = gen.catalog(admin)
    gen.promise_floor = now
    with gen.services.batch(assign_ids=True):
        for n in range(BOARD_CARS):
            start = now - dt.timedelta(hours=8) + dt.timedelta(minutes=3 * n)
            gen.now = start
            vehicle = gen.new_vehicle(gen.advisors[n % 3])
            gen.run_order(cat, vehicle, start, BOARD_STOPS[n % len(BOARD_STOPS)])
    s, advisor = gen.services, gen.advisors[0]
    gen.now = now
    big = _order_with_lines(s, advisor, gen, cat, ESTIMATE_LINES)
    pdf = _order_with_lines(s, advisor, gen, cat, PDF_LINES)  # printed at the desk before the signature
    with services.db.reader() as session:
        from frontdesk.model import RepairOrder

        number = session.get(RepairOrder, pdf).number
    return big, number


def _order_with_lines(s, advisor, gen, cat, lines: int) -> int:  # type: ignore[no-untyped-def]
    from frontdesk.services import checkin, estimate

    vehicle = gen.new_vehicle(advisor)
    order = checkin.check_in(s, advisor, checkin.CheckInInput(
        vehicle_id=vehicle.id, odometer_km=vehicle.odometer + 500, fuel_eighths=4, concerns="保养；刹车异响；空调不凉"))
    jobs = lines // 2
    for n in range(jobs):
        op_id = cat.ops[(n * 7) % len(cat.ops)][0]
        job = estimate.add_job(s, advisor, order.id, labor_op_id=op_id)
        estimate.add_part(s, advisor, order.id, part_id=cat.parts[(n * 11) % len(cat.parts)], qty=1, job_id=job.id)
    if lines % 2:
        estimate.add_job(s, advisor, order.id, labor_op_id=cat.ops[-1][0])
    return order.id


def bench_postgres(url: str) -> str:
    """A sibling database ``<name>_bench`` on the server of ``url`` (created when missing).

    The benchmark never fills the database it was given: FRONTDESK_TEST_DATABASE_URL is the
    test suite's, and a demo store would be in its way.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    from frontdesk.db import normalise_url

    parsed = make_url(normalise_url(url))
    name = f"{parsed.database}_bench"
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as con:
        if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            con.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def postgres_orders(url: str) -> int:
    from sqlalchemy import create_engine, inspect, text

    from frontdesk.db import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as con:
            if not inspect(con).has_table("repair_order"):
                return 0
            return con.execute(text("SELECT count(*) FROM repair_order")).scalar() or 0
    finally:
        engine.dispose()
