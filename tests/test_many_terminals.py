"""Many terminals on the same orders at once (issue 9, part 2), in the suite's short form.

Four worker processes each make a hundred random changes to the same two estimates, the same
workshop jobs and the same bill, on SQLite and (when configured) PostgreSQL; the checks in
tests/terminals_scenario.py then demand that every acknowledged change is in the final state
and the audit trail, that no two acknowledged writes were based on one version, and that
nothing but ``ConflictError`` reached a terminal. The full form is benchmarks/terminals.py.
The SQLite run is then tampered with, to show the checks do catch a lost update.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update

from frontdesk.db import Database
from frontdesk.model import Job

from .conftest import PG_URL
from .terminals_scenario import (
    RunResult,
    check,
    fresh_postgres,
    run_terminals,
    snapshot,
)

pytestmark = pytest.mark.slow

WORKERS, OPS = 4, 100


def _assert_clean(result: RunResult) -> None:
    print(result.summary())
    assert result.problems == []
    assert result.count("ok") > WORKERS * OPS // 3
    # The terminals really collided, and each collision was told as a conflict.
    assert result.count("conflict") > 0
    assert result.count("error") == result.count("refused") == 0


def test_terminals_on_sqlite_lose_nothing(tmp_path: Path) -> None:
    original = tmp_path / "frontdesk.db"
    result = run_terminals(f"sqlite:///{original}", "sqlite", WORKERS, OPS, tmp_path, seed=7)
    _assert_clean(result)
    _checks_catch_a_lost_update(result, original, tmp_path / "tampered.db")


@pytest.mark.postgres
def test_terminals_on_postgres_lose_nothing(tmp_path: Path, worker_id: str) -> None:
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    # A database of its own: the shared test database is wiped by other tests meanwhile.
    url = fresh_postgres(PG_URL, "_terminals" + ("" if worker_id in ("", "master") else f"_{worker_id}"))
    _assert_clean(run_terminals(url, "postgresql", WORKERS, OPS, tmp_path, seed=11))


def _checks_catch_a_lost_update(result: RunResult, original: Path, path: Path) -> None:
    """Tamper with the finished run, in the ways a real lost update would show, and expect the checks to say so."""
    shutil.copy(original, path)
    db = Database(f"sqlite:///{path}")
    sc, acked = result.scenario, [e for e in result.entries if e["outcome"] == "ok"]
    try:
        assert check(sc, result.before, snapshot(db, sc), result.entries) == []

        # A write that ignores the version (as a service without it would) overwrites an acknowledged value.
        after = snapshot(db, sc)
        oid = next(o for o in sc["estimate_orders"] if after["orders"][str(o)]["jobs"])
        job_id = int(next(iter(after["orders"][str(oid)]["jobs"])))
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(hours=Job.hours + 7))
        assert any(f"order {oid} jobs" in p for p in check(sc, result.before, snapshot(db, sc), result.entries))

        # An acknowledged change whose audit event is missing (the table refuses deletes, so the copy read lacks it).
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(hours=Job.hours - 7))
        after = snapshot(db, sc)
        assert check(sc, result.before, after, result.entries) == []
        after["audit"].pop(len(after["audit"]) // 2)
        problems = check(sc, result.before, after, result.entries)
        assert problems and all("audit" in p for p in problems)
    finally:
        db.dispose()

    # Two terminals told "saved" for changes based on the same version: a collision nobody was told about.
    twin = json.loads(json.dumps(next(e for e in acked if e["op"] == "terms")))
    twin.update(w=(twin["w"] + 1) % WORKERS, n=10_000)
    problems = check(sc, result.before, json.loads((original.parent / "snapshots.json").read_text())["after"],
                     [*result.entries, twin])
    assert any("collision not surfaced" in p for p in problems)
    # And an acknowledged line that is not in the database.
    ghost = {"w": 0, "n": 10_001, "op": "add_job", "order": oid, "target": None, "outcome": "ok", "id": 999_999,
             "expected": max(e["expected"] for e in acked if e["order"] == oid and e["op"] not in ("start", "pause", "resume")) + 1,
             "args": {"hours": "1.0"}}
    problems = check(sc, result.before, json.loads((original.parent / "snapshots.json").read_text())["after"],
                     [*result.entries, ghost])
    assert any(f"order {oid} jobs" in p for p in problems)
