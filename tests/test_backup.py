"""Backups taken while terminals write keep every acknowledged order; restores refuse what is unsafe."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk import backup, cli, migrate
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model.enums import Role
from frontdesk.services import checkin, estimate
from frontdesk.services.context import Actor, Services
from frontdesk.services.desk import order_view
from frontdesk.services.validation import with_check_digit
from tests.conftest import PG_URL
from tests.factories import seed_shop
from tests.pg_scratch import fresh_postgres

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _check_in_one(services: Services, advisor: Actor, shop, n: int) -> tuple[str, int, int]:
    """A new car checked in with one job: (order number, order id, job id) once both calls returned."""
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput(f"客户{n}", f"139{n:08d}"))
    vehicle = checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
        plate=f"粤B{n:05d}", vin=with_check_digit(f"LSVAU0330A{n:07d}"), make="大众", model="朗逸"))
    order = checkin.check_in(services, advisor, checkin.CheckInInput(
        vehicle_id=vehicle.id, odometer_km=1000 + n, fuel_eighths=4, concerns="保养", brought_by_name="王芳"))
    job = estimate.add_job(services, advisor, order.id, labor_op_id=shop.oil_change)
    return order.number, order.id, job.id


class Writer(threading.Thread):
    """A terminal checking cars in and adding lines until told to stop; logs what was acknowledged."""

    def __init__(self, services: Services, advisor: Actor, shop, start: int) -> None:
        super().__init__(daemon=True)
        self.services, self.advisor, self.shop, self.n = services, advisor, shop, start
        self.acked: list[tuple[str, int, int]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.n += 1
                self.acked.append(_check_in_one(self.services, self.advisor, self.shop, self.n))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc



def _wait_for_total(writers: list[Writer], count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while sum(len(w.acked) for w in writers) < count and not any(w.error for w in writers):
        assert time.monotonic() < deadline, "the writers made no progress"
        time.sleep(0.01)


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def _settings(url: str) -> Settings:
    return replace(Settings(), language="en", database_url=url)


@SQLITE_ONLY
def test_backup_under_load_restores_every_acknowledged_order(services, admin, actors, tmp_path):
    shop = seed_shop(services, admin, actors)
    writers = [Writer(services, actors[Role.ADVISOR], shop, start=k * 10_000) for k in range(2)]
    for w in writers:
        w.start()
    _wait_for_total(writers, 20)
    before = [list(w.acked) for w in writers]  # acknowledged before the backup started
    out = tmp_path / "copies" / "under-load.db"
    started = time.monotonic()
    info = backup.backup(services.db.url, out)
    took = time.monotonic() - started
    during = [len(w.acked) for w in writers]
    _wait_for_total(writers, sum(during) + 5)  # keep writing after the copy, then stop
    for w in writers:
        w.stop.set()
    for w in writers:
        w.join(30)
        assert w.error is None, repr(w.error)

    assert isinstance(info, backup.BackupInfo)
    assert info.path == out and info.size == out.stat().st_size > 0
    assert _integrity(out) == ["ok"]
    acked_before = [a for log in before for a in log]
    assert info.counts["repair_order"] >= len(acked_before)
    assert info.revision == migrate.head_revision(services.db)

    target = tmp_path / "restored" / "frontdesk.db"
    url = f"sqlite:///{target}"
    assert backup.restore(backup.inspect_backup(out, url), url) == info.revision
    restored = cli.open_services(_settings(url))
    try:
        numbers = {o for o, _i, _j in acked_before}
        with restored.db.reader() as s:
            found = set(s.scalars(text("SELECT number FROM repair_order")))
            assert len(found) == info.counts["repair_order"]
        assert numbers <= found, numbers - found
        for number, order_id, job_id in acked_before:
            view = order_view(restored, order_id)
            assert view.number == number
            assert job_id in {line.job_id for line in view.lines if line.kind == "labor"}
    finally:
        restored.db.dispose()
    # Whatever was acknowledged after the copy is in the live database, not necessarily in the copy.
    assert sum(during) >= len(acked_before)
    print(f"backup under load: {len(acked_before)} orders acknowledged before, {info.counts['repair_order']} in the "
          f"copy, {sum(len(w.acked) for w in writers)} at the end; copy took {took * 1000:.0f} ms")


def _small_store(tmp_path: Path, name: str, orders: int, revision: str = "head") -> str:
    url = f"sqlite:///{tmp_path / name}"
    db = Database(url)
    migrate.upgrade(db, revision)
    db.dispose()
    if revision == "head" and orders:
        services = cli.open_services(_settings(url))
        from frontdesk.services.setup import ensure_store, system_actor
        from tests.conftest import make_actors

        admin = system_actor(ensure_store(services))
        actors = make_actors(services, admin)
        shop = seed_shop(services, admin, actors)
        for n in range(orders):
            _check_in_one(services, actors[Role.ADVISOR], shop, n)
        services.db.dispose()
    return url


def _orders(url: str) -> int:
    conn = sqlite3.connect(backup.sqlite_path(url))
    try:
        return conn.execute("SELECT count(*) FROM repair_order").fetchone()[0]
    finally:
        conn.close()


def test_cli_backup_default_path_and_restore_asks_for_confirmation(tmp_path, monkeypatch, capsys):
    source = _small_store(tmp_path, "live.db", orders=3)
    assert cli.main(["backup", "--lang", "en", "--db", source]) == 0
    written = sorted((tmp_path / "data" / "frontdesk" / "backups").glob("frontdesk-*.db"))  # XDG_DATA_HOME
    assert len(written) == 1
    shown = capsys.readouterr().out
    assert str(written[0]) in shown and "repair_order" in shown and "Integrity check: ok" in shown

    target = _small_store(tmp_path, "target.db", orders=1)
    answers = iter(["restore", backup.CONFIRM_WORD])
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt="": (asked.append(prompt), next(answers))[1])
    assert cli.main(["restore", str(written[0]), "--lang", "en", "--db", target]) == 1  # wrong word: nothing happens
    assert _orders(target) == 1
    assert cli.main(["restore", str(written[0]), "--lang", "en", "--db", target]) == 0
    assert len(asked) == 2 and backup.CONFIRM_WORD in asked[0]
    assert _orders(target) == 3
    assert _integrity(backup.sqlite_path(target)) == ["ok"]
    conn = sqlite3.connect(backup.sqlite_path(target))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_restore_refuses_a_corrupt_file(tmp_path, monkeypatch):
    source = _small_store(tmp_path, "live.db", orders=2)
    good = tmp_path / "good.db"
    assert isinstance(backup.backup(source, good), backup.BackupInfo)
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):  # scribble over every page but the header page
        data[offset + 10: offset + 200] = b"\xa5" * 190
    bad = tmp_path / "bad.db"
    bad.write_bytes(bytes(data))
    target = _small_store(tmp_path, "target.db", orders=1)
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked before checking the file"))
    assert cli.main(["restore", str(bad), "--lang", "en", "--db", target, "--yes"]) == 1
    assert cli.main(["restore", str(tmp_path / "missing.db"), "--lang", "en", "--db", target]) == 1
    (tmp_path / "notes.db").write_text("not a database at all " * 100)
    assert cli.main(["restore", str(tmp_path / "notes.db"), "--lang", "en", "--db", target]) == 1
    assert _orders(target) == 1


def test_restore_refuses_an_open_database_and_a_newer_one(tmp_path):
    order = backup.revision_order()
    source = _small_store(tmp_path, "live.db", orders=1)
    copy = tmp_path / "copy.db"
    backup.backup(source, copy)
    target = _small_store(tmp_path, "target.db", orders=0)
    terminal = Database(target)  # a console still connected
    with terminal.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM repair_order"))
    with pytest.raises(backup.BackupError, match="open elsewhere"):
        backup.restore(backup.inspect_backup(copy, target), target)
    terminal.dispose()
    backup.restore(backup.inspect_backup(copy, target), target)
    assert _orders(target) == 1

    old = _small_store(tmp_path, "old.db", orders=0, revision=order[-2])
    old_copy = tmp_path / "old-copy.db"
    assert backup.backup(old, old_copy).revision == order[-2]
    with pytest.raises(backup.BackupError, match="newer than the backup"):
        backup.restore(backup.inspect_backup(old_copy, target), target)
    assert _orders(target) == 1
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"  # an older backup restores into a new file and is upgraded
    assert backup.restore(backup.inspect_backup(old_copy, fresh), fresh) == order[-1]


def test_backup_does_not_wait_for_an_open_write_and_copies_only_committed_rows(tmp_path):
    source = _small_store(tmp_path, "live.db", orders=2)
    terminal = sqlite3.connect(backup.sqlite_path(source), isolation_level=None, timeout=1)
    terminal.execute("BEGIN IMMEDIATE")  # a terminal in the middle of a write transaction
    terminal.execute("UPDATE repair_order SET concerns = 'half-written' WHERE id = 1")
    terminal.execute("DELETE FROM odometer_reading")
    started = time.monotonic()
    info = backup.backup(source, tmp_path / "copy.db")
    assert time.monotonic() - started < 1  # the busy timeout is 15 s: it did not wait for the writer
    terminal.execute("COMMIT")
    terminal.close()
    assert isinstance(info, backup.BackupInfo) and info.counts["repair_order"] == 2
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT count(*) FROM repair_order WHERE concerns = 'half-written'").fetchone()[0] == 0
    assert copy.execute("SELECT count(*) FROM odometer_reading").fetchone()[0] == 2
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copy.close()
    with pytest.raises(backup.BackupError, match="database itself"):
        backup.backup(source, backup.sqlite_path(source))


def test_cli_prints_the_commands_when_the_postgres_tools_are_missing(monkeypatch, capsys):
    monkeypatch.setattr(backup, "pg_tool", lambda name: None)
    url = "postgresql://clerk:s3cret@db.example/frontdesk"
    assert cli.main(["backup", "--lang", "en", "--db", url, "--out", "/srv/backup.dump"]) == 2
    assert "pg_dump -Fc --file /srv/backup.dump 'postgresql://clerk:***@db.example/frontdesk'" in capsys.readouterr().out
    assert cli.main(["restore", "/srv/backup.dump", "--lang", "en", "--db", url]) == 2
    shown = capsys.readouterr().out
    assert "pg_restore --clean" in shown and "s3cret" not in shown


@pytest.mark.postgres
def test_postgres_pg_dump_backup_and_restore(tmp_path, worker_id):
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set")
    if backup.pg_tool("pg_dump") is None or backup.pg_tool("pg_restore") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    suffix = "" if worker_id in ("", "master") else f"_{worker_id}"  # one pair per xdist worker
    source = fresh_postgres(PG_URL, f"_backup{suffix}")
    target = fresh_postgres(PG_URL, f"_backup_restore{suffix}")
    services = cli.open_services(_settings(source))
    from frontdesk.services.setup import ensure_store, system_actor
    from tests.conftest import make_actors

    admin = system_actor(ensure_store(services))
    actors = make_actors(services, admin)
    shop = seed_shop(services, admin, actors)
    acked = [_check_in_one(services, actors[Role.ADVISOR], shop, n) for n in range(4)]
    out = tmp_path / "pg.dump"
    info = backup.backup(source, out)
    _check_in_one(services, actors[Role.ADVISOR], shop, 99)  # after the dump: not in it
    services.db.dispose()
    assert isinstance(info, backup.BackupInfo) and info.backend == "postgresql"
    assert info.counts["repair_order"] == 4 and info.revision == backup.revision_order()[-1]
    checked = backup.inspect_backup(out, target)
    assert checked.revision == info.revision
    terminal = Database(target)  # a terminal still connected to the target
    with terminal.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        with pytest.raises(backup.BackupError, match="open elsewhere"):
            backup.restore(checked, target)
    terminal.dispose()
    assert backup.restore(checked, target) == info.revision
    restored = cli.open_services(_settings(target))
    try:
        for number, order_id, _job in acked:
            assert order_view(restored, order_id).number == number
        with restored.db.reader() as s:
            assert s.scalar(text("SELECT count(*) FROM repair_order")) == 4
    finally:
        restored.db.dispose()
    bad = tmp_path / "bad.dump"
    bad.write_bytes(out.read_bytes()[:200])
    with pytest.raises(backup.BackupError):
        backup.inspect_backup(bad, target)


