"""Crash safety in the suite: a short kill-check-restart run, and proof that each check bites.

The full form (200 kills) is benchmarks/crash_harness.py; here 15 kills keep the suite
quick. A harness whose checks never fire would pass on a broken database too, so the
second half damages a worked database one way at a time — the kind of half-written
state a non-atomic service would leave — and expects the checks to name it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from frontdesk.db import Database

from .crash_checks import ROOT, fresh_database, problems, read_acks, run

KILLS = 15


@pytest.mark.slow
def test_kills_leave_a_whole_database(tmp_path: Path) -> None:
    report = run(tmp_path / "crash", KILLS, seed=9, max_delay=1.0)
    assert report.failures == [], report.summary() + "\n" + "\n".join(report.failures[:20])
    assert report.kills == KILLS
    assert report.acknowledged > 200  # the runs did real work between kills
    assert report.closed > 0  # and took orders all the way to the gate pass


def test_a_torn_service_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's services commit their data before their audit event: the kills must expose it."""
    monkeypatch.setenv("CRASH_WORKER_TORN", "1")
    report = run(tmp_path / "torn", KILLS, seed=4, max_delay=1.0)
    assert report.failures, report.summary()
    assert report.survived < KILLS


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database the worker ran 400 steps on, uninterrupted, and its acknowledged-call log."""
    folder = tmp_path_factory.mktemp("worked")
    db_path, ack_path = folder / "crash.db", folder / "acks.jsonl"
    fresh_database(db_path).dispose()
    subprocess.run([sys.executable, "-m", "tests.crash_worker", str(db_path), str(ack_path), "5", "1", "400"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return db_path, ack_path


def _copy(worked: tuple[Path, Path], tmp_path: Path) -> tuple[Path, list[dict]]:
    db_path = tmp_path / "crash.db"
    for suffix in ("", "-wal", "-shm"):  # the database is its file and its write-ahead log
        source = Path(f"{worked[0]}{suffix}")
        if source.exists():
            shutil.copy(source, f"{db_path}{suffix}")
    return db_path, read_acks(worked[1])


def _found(db_path: Path, acks: list[dict], kills: int = 0) -> list[str]:
    db = Database(f"sqlite:///{db_path}")
    try:
        return problems(db, acks, kills)
    finally:
        db.dispose()


def test_a_clean_run_passes_every_check(worked: tuple[Path, Path], tmp_path: Path) -> None:
    db_path, acks = _copy(worked, tmp_path)
    assert _found(db_path, acks) == []


def _sql(statement: str) -> Callable[[sqlite3.Connection, list[dict]], None]:
    return lambda conn, acks: conn.execute(statement)


def _forget_an_ack(conn: sqlite3.Connection, acks: list[dict]) -> None:
    del acks[len(acks) // 2]


def _invent_an_ack(conn: sqlite3.Connection, acks: list[dict]) -> None:
    n = acks[-1]["audit_id"] + 1
    acks.append({"run": 1, "action": "payment.take", "order_id": None, "first": n, "audit_id": n})


def _half_an_estimate_line(conn: sqlite3.Connection, acks: list[dict]) -> None:
    """A part line written without its audit event or its reservation, as a torn add_part would."""
    order_id, job_id = conn.execute("SELECT order_id, id FROM job ORDER BY id LIMIT 1").fetchone()
    conn.execute("INSERT INTO part_line (order_id, job_id, part_id, number, name, qty, unit_price, amount, pay_type, "
                 "reserved_qty, issued_qty) SELECT ?, ?, id, number, name, 1, price, price, 'customer', 1, 0 "
                 "FROM part LIMIT 1", (order_id, job_id))


def _order_without_its_check_in(conn: sqlite3.Connection, acks: list[dict]) -> None:
    conn.execute("INSERT INTO repair_order SELECT * FROM repair_order WHERE id = (SELECT min(id) FROM repair_order)"
                 .replace("SELECT *", "SELECT " + _columns(conn, "repair_order")))


def _columns(conn: sqlite3.Connection, table: str) -> str:
    cols = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return ", ".join("NULL" if c == "id" else "number || 'X'" if c == "number" else c for c in cols)


DAMAGE = {
    "stock not the sum of its movements": (_sql("UPDATE stock_level SET on_hand = on_hand + 1 WHERE id = "
                                                 "(SELECT min(id) FROM stock_level)"), "movements sum"),
    "reservation not held by any line": (_sql("UPDATE stock_level SET reserved = reserved + 1 WHERE id = "
                                              "(SELECT min(id) FROM stock_level)"), "lines hold"),
    "stored total off its lines": (_sql("UPDATE repair_order SET total_amount = total_amount + 1 WHERE id = "
                                        "(SELECT min(id) FROM repair_order WHERE total_amount IS NOT NULL)"), "stored totals"),
    "signed order without its signature": (_sql("UPDATE repair_order SET signed_by = NULL WHERE id = "
                                                "(SELECT min(id) FROM repair_order WHERE status = 'closed')"), "signature"),
    "closed without the gate pass call": (_sql("UPDATE repair_order SET status = 'closed' WHERE id = "
                                               "(SELECT min(id) FROM repair_order WHERE status NOT IN ('closed', 'cancelled'))"),
                                          "gate_pass.issue"),
    "issue without its movement": (_sql("UPDATE part_line SET issued_qty = issued_qty + 1, qty = qty + 1 WHERE id = "
                                        "(SELECT min(id) FROM part_line WHERE issued_qty > 0)"), "its movements say"),
    "an acknowledged call lost": (_forget_an_ack, "in the middle of run"),
    "an acknowledgement with no event": (_invent_an_ack, "no matching audit event"),
    "a torn estimate line": (_half_an_estimate_line, "lines hold"),
    "an order without its check-in": (_order_without_its_check_in, "without their check-in event"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_the_checks_name_the_damage(worked: tuple[Path, Path], tmp_path: Path, damage: str) -> None:
    db_path, acks = _copy(worked, tmp_path)
    harm, expected = DAMAGE[damage]
    conn = sqlite3.connect(db_path)
    with conn:
        harm(conn, acks)
    conn.close()
    found = _found(db_path, acks)
    assert any(expected in p for p in found), json.dumps(found, ensure_ascii=False)[:2000]
