"""Backups under load, full form (issue 9, part 6): writer processes keep checking cars in while
backups are taken; every backup is restored and must hold every order acknowledged before it began.

```
python benchmarks/backup_under_load.py                        # SQLite, and PostgreSQL when FRONTDESK_TEST_DATABASE_URL is set
python benchmarks/backup_under_load.py --writers 4 --backups 10 --backend sqlite
```

Each writer is a separate process (this file with ``--worker``): it checks a new car in and
adds a job through the services, then appends the order number to its own log and flushes it,
so a line in the log means "acknowledged to the terminal". The main process reads the logs,
starts ``frontdesk.backup.backup``, restores the copy into a fresh database with
``frontdesk.backup.restore`` and checks that every order logged before the backup started is
there, with its job (and that the copy passed ``integrity_check``, which ``backup`` does).
PostgreSQL uses the sibling databases ``<name>_backup`` and ``<name>_backup_restore`` of the
given URL (emptied at every run; the test database itself is never touched).
The suite runs the short form: tests/test_backup.py (two writer threads, one backup).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-123"


def _settings(url: str):  # type: ignore[no-untyped-def]
    from frontdesk.config import Settings

    return replace(Settings(), language="en", database_url=url)


def worker(url: str, log: Path, first: int, labor_op: int, seconds: float) -> None:
    from frontdesk.cli import open_services
    from frontdesk.services import auth, checkin, estimate
    from frontdesk.services.validation import with_check_digit

    services = open_services(_settings(url))
    advisor = auth.login(services, "advisor", PASSWORD)
    deadline = time.monotonic() + seconds
    n = first
    with log.open("a", encoding="utf-8") as out:
        while time.monotonic() < deadline:
            n += 1
            customer = checkin.save_customer(services, advisor, checkin.CustomerInput(f"客户{n}", f"139{n:08d}"))
            vehicle = checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
                plate=f"粤B{n:05d}", vin=with_check_digit(f"LSVAU0330A{n:07d}"), make="大众", model="朗逸"))
            order = _retry(checkin.check_in, services, advisor, checkin.CheckInInput(
                vehicle_id=vehicle.id, odometer_km=1000 + n, fuel_eighths=4, concerns="保养", brought_by_name="王芳"))
            job = _retry(estimate.add_job, services, advisor, order.id, labor_op_id=labor_op)
            out.write(f"{order.number} {job.id}\n")
            out.flush()
    services.db.dispose()


def _retry(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    """What a terminal does with ConflictError (two check-ins drew the same order number): try again."""
    from frontdesk.services.errors import ConflictError

    for _attempt in range(20):
        try:
            return call(*args, **kwargs)
        except ConflictError:
            time.sleep(0.01)
    return call(*args, **kwargs)


def _prepare(url: str) -> int:
    from frontdesk.cli import open_services
    from frontdesk.model.enums import Role
    from frontdesk.services import auth, catalog
    from frontdesk.services.setup import ensure_store, system_actor

    services = open_services(_settings(url), upgrade=True)
    admin = system_actor(ensure_store(services))
    auth.add_user(services, admin, "advisor", "Advisor", Role.ADVISOR, PASSWORD)
    op = catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "MT0101", "更换机油机滤", "1.00", "Oil and filter change", "maintenance"))
    services.db.dispose()
    return op.id


def _acked(logs: list[Path]) -> list[tuple[str, int]]:
    out = []
    for log in logs:
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                number, job = line.split()
                out.append((number, int(job)))
    return out


def run(backend: str, pg: str | None, writers: int, backups: int, gap: float, folder: Path) -> list[str]:
    from sqlalchemy import text

    from frontdesk import backup
    from frontdesk.db import Database
    from tests.pg_scratch import fresh_postgres

    if backend == "sqlite":
        url = f"sqlite:///{folder / 'live.db'}"
    else:
        assert pg
        url = fresh_postgres(pg, "_backup")
    labor_op = _prepare(url)
    logs = [folder / f"{backend}-writer-{k}.log" for k in range(writers)]
    seconds = 3 + backups * (gap + 1.5)
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", url, str(log), str(k * 10_000),
                               str(labor_op), str(seconds)]) for k, log in enumerate(logs)]
    problems: list[str] = []
    timings: list[float] = []
    in_copy: list[int] = []
    acked_before: list[int] = []
    started_all = time.monotonic()
    time.sleep(2)
    for b in range(backups):
        before = _acked(logs)
        t0 = time.monotonic()
        info = backup.backup(url, folder / f"{backend}-{b}.backup")
        timings.append(time.monotonic() - t0)
        assert isinstance(info, backup.BackupInfo)
        in_copy.append(info.counts["repair_order"])
        acked_before.append(len(before))
        if backend == "sqlite":
            target = f"sqlite:///{folder / f'restored-{b}.db'}"
        else:
            target = fresh_postgres(pg or "", "_backup_restore")
        backup.restore(backup.inspect_backup(info.path, target), target)
        db = Database(target)
        with db.engine.connect() as conn:
            numbers = set(conn.execute(text("SELECT number FROM repair_order")).scalars())
            jobs = set(conn.execute(text("SELECT id FROM job")).scalars())
        db.dispose()
        missing = [n for n, j in before if n not in numbers or j not in jobs]
        if missing:
            problems.append(f"backup {b}: {len(missing)} acknowledged orders missing, e.g. {missing[:3]}")
        time.sleep(gap)
    for p in procs:
        p.wait()
        if p.returncode != 0:
            problems.append(f"a writer exited with status {p.returncode}")
    total = len(_acked(logs))
    elapsed = time.monotonic() - started_all
    print(f"{backend}: writers={writers} backups={backups} orders_acknowledged={total} "
          f"({total / elapsed:.1f}/s) acked_before_each={acked_before} in_copy={in_copy} "
          f"backup_ms=median {sorted(timings)[len(timings) // 2] * 1000:.0f} max {max(timings) * 1000:.0f} "
          f"missing=0" if not problems else f"{backend}: PROBLEMS")
    return problems


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, log, first, labor_op, seconds = sys.argv[2:7]
        worker(url, Path(log), int(first), int(labor_op), float(seconds))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--backups", type=int, default=5)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between backups")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg", default=os.environ.get("FRONTDESK_TEST_DATABASE_URL"))
    args = parser.parse_args()
    problems: list[str] = []
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgres" and not args.pg:
            print("postgres: skipped (no --pg or FRONTDESK_TEST_DATABASE_URL)")
            continue
        with tempfile.TemporaryDirectory(prefix="backup-bench-") as folder:
            problems += run(backend, args.pg, args.writers, args.backups, args.gap, Path(folder))
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
