"""Every way a command can be pointed at the wrong thing ends in one line, a non-zero exit and nothing written.

Issue 15, items 9 (tracebacks instead of one line), 10 (a write that waits for another
terminal says so), 11 (a read-only store is not "busy") and 13 (a mistyped ``--db`` makes
no store).
"""

from __future__ import annotations

import codecs
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.cli import main
from frontdesk.db import Database
from frontdesk.model.enums import Role

from .conftest import PASSWORD, PG_URL
from .factories import customer_and_vehicle, order_through, seed_shop



@pytest.fixture
def database(tmp_path, sqlite_template):
    """SQLite only: the commands below are about files; PostgreSQL's cases name their own server."""
    path = tmp_path / "frontdesk.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command in-process; it must fail with exactly one line on stderr."""
    capsys.readouterr()
    try:
        code = main(["--lang", "en", *argv])
    except SystemExit as exc:  # argparse, or a message given to SystemExit: printed by Python itself
        code = exc.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            code = 1
    err = capsys.readouterr().err
    assert code not in (0, None), err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err.strip()


def listing(folder: Path) -> set[str]:
    """The files under ``folder``, the SQLite store's own -wal/-shm (there while it is open) left out."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if not p.name.endswith(("-wal", "-shm"))}


@pytest.fixture
def store(services, admin, actors) -> tuple[str, str]:
    """A store with one checked-in order: its URL and the order number."""
    _customer, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, seed_shop(services, admin, actors), vehicle_id, stop="estimate")
    return services.db.url, order.number


# --- bad --db ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["foo://x", "not a url", "mysql://clerk:s3cret@localhost/frontdesk",
                                 "postgresql+psycopg2://clerk:s3cret@localhost/frontdesk"])
def test_a_database_url_of_no_known_kind(url, capsys, tmp_path):
    before = listing(tmp_path)
    line = one_line(capsys, "users", "list", "--db", url)
    assert "is not a database this program can use" in line and "sqlite:///PATH" in line
    assert "s3cret" not in line
    assert listing(tmp_path) == before


def test_postgresql_refusing_the_connection(capsys):
    line = one_line(capsys, "users", "list", "--db", "postgresql://clerk:s3cret@127.0.0.1:1/frontdesk")
    assert line.startswith("frontdesk: Cannot connect to the database at postgresql://clerk:***@127.0.0.1:1/frontdesk")
    assert "s3cret" not in line


@pytest.mark.postgres
def test_postgresql_refusing_the_password(capsys):
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set")
    from sqlalchemy.engine import make_url

    wrong = make_url(Database(PG_URL).url).set(password="not-the-password", drivername="postgresql")
    line = one_line(capsys, "users", "list", "--db", wrong.render_as_string(hide_password=False))
    assert "password authentication failed" in line
    assert "not-the-password" not in line and ":***@" in line


def test_a_file_that_is_not_sqlite(capsys, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("the keys of the loan cars are in the second drawer\n")
    line = one_line(capsys, "users", "list", "--db", f"sqlite:///{notes}")
    assert f"{notes} is not a frontdesk store, or it is damaged" in line
    assert notes.read_text().startswith("the keys") and listing(tmp_path) == {"notes.db"}
    assert not Path(f"{notes}-wal").exists() and not Path(f"{notes}-shm").exists()


def test_a_truncated_store(capsys, tmp_path, sqlite_template):
    cut = tmp_path / "cut.db"
    cut.write_bytes(sqlite_template.read_bytes()[: sqlite_template.stat().st_size // 3])
    size = cut.stat().st_size
    line = one_line(capsys, "users", "list", "--db", f"sqlite:///{cut}")
    assert "is not a frontdesk store, or it is damaged" in line
    assert cut.stat().st_size == size and listing(tmp_path) == {"cut.db"}


def test_a_read_only_store_is_read_only_not_busy(store, capsys, monkeypatch):
    url, _number = store
    path = url.split(":///", 1)[1]
    monkeypatch.setenv("FRONTDESK_PASSWORD", "new-password")
    line = one_line(capsys, "users", "passwd", "advisor", "--db", f"sqlite:///file:{path}?mode=ro&uri=true")
    assert "is read-only" in line and "busy" not in line and "saving" not in line


def test_a_store_from_a_newer_frontdesk(capsys, tmp_path, sqlite_template):
    newer = tmp_path / "newer.db"
    newer.write_bytes(sqlite_template.read_bytes())
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.close()
    for argv in (["users", "list"], ["db", "upgrade"], ["db", "current"]):
        line = one_line(capsys, *argv, "--db", f"sqlite:///{newer}")
        assert "made by a newer frontdesk (schema 9999_from_the_future)" in line
    with sqlite3.connect(newer) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999_from_the_future",)
    con.close()


def test_a_broken_settings_file(capsys, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('language = "en"\nvat = 0.13\n', "utf-8")
    line = one_line(capsys, "users", "list", "--config", str(bad))
    assert "The settings file cannot be used" in line and "vat" in line


# --- bad targets and inputs ----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/proc/frontdesk-out", "/proc/self", "FILE", "FILE/sub"])
def test_print_into_a_folder_that_cannot_be(target, store, capsys, tmp_path):
    url, number = store
    (tmp_path / "FILE").write_text("a file where a folder is expected")
    out = target.replace("FILE", str(tmp_path / "FILE"))
    before = listing(tmp_path)
    line = one_line(capsys, "print", "work-order", number, "--out", out, "--db", url)
    assert line.startswith("frontdesk: Cannot use ")
    assert listing(tmp_path) == before and not Path("/proc/frontdesk-out").exists()


def test_a_report_past_the_end_of_the_calendar(store, capsys):
    url, _number = store
    line = one_line(capsys, "report", "--from", "9999-12-31", "--db", url)
    assert "9999-12-31 is past the last day a range can cover" in line
    line = one_line(capsys, "export", "orders", "--from", "2026-11-01", "--to", "9999-12-31", "--out", "o.csv",
                    "--db", url)
    assert "--to: 9999-12-31" in line and not Path("o.csv").exists()


def test_an_import_file_with_a_utf8_mark_and_gbk_bytes(store, capsys, tmp_path):
    url, _number = store
    bad = tmp_path / "parts.csv"
    bad.write_bytes(codecs.BOM_UTF8 + "配件编号,名称,单价\nP-1,机油滤清器,58.00\n".encode("gbk"))
    capsys.readouterr()
    code = main(["--lang", "en", "import", "parts", str(bad), "--db", url])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and len(err.splitlines()) == 1, err


def test_export_customers_without_a_terminal_or_a_password(store, capsys, tmp_path, monkeypatch):
    url, _number = store
    monkeypatch.delenv("FRONTDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - as under cron
    out = tmp_path / "customers.csv"
    line = one_line(capsys, "export", "customers", "--user", "manager", "--out", str(out), "--db", url)
    assert "FRONTDESK_PASSWORD" in line
    assert not out.exists()


@pytest.mark.parametrize("target", ["/proc/frontdesk.db", "FILE/backup.db"])
def test_backup_to_a_target_that_cannot_be(target, store, capsys, tmp_path):
    url, _number = store
    (tmp_path / "FILE").write_text("a file where a folder is expected")
    out = target.replace("FILE", str(tmp_path / "FILE"))
    before = listing(tmp_path)
    line = one_line(capsys, "backup", "--out", out, "--db", url)
    assert line.startswith("frontdesk: ")
    assert listing(tmp_path) == before


# --- item 13: a mistyped --db makes no store --------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["users", "list"], ["db", "current"], ["report", "--from", "2026-11-01"], ["export", "parts", "--out", "p.csv"],
    ["print", "work-order", "GZ01-20261124-0001"], ["import", "parts", "parts.csv", "--dry-run"], ["board"],
    ["backup"],
])
def test_a_missing_store_is_not_made(argv, capsys, tmp_path):
    typo = tmp_path / "stroe" / "frontdesk.db"
    line = one_line(capsys, *argv, "--db", f"sqlite:///{typo}")
    assert line.startswith("frontdesk: No ")
    if argv != ["backup"]:
        assert line == f"frontdesk: No store at {typo}; `frontdesk db upgrade` creates one."
    assert not typo.parent.exists()


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_not_made_a_store(capsys, worker_id):
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set")
    from sqlalchemy import inspect

    from .pg_scratch import fresh_postgres

    url = fresh_postgres(PG_URL, "_no_store" if worker_id in ("", "master") else f"_no_store_{worker_id}")
    line = one_line(capsys, "users", "list", "--db", url)
    assert "No store at postgresql://" in line and "`frontdesk db upgrade` creates one" in line
    db = Database(url)
    try:
        assert inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()


def test_the_console_makes_a_store_only_on_the_default_path(monkeypatch, tmp_path):
    """``frontdesk`` alone: the first start makes the store; ``frontdesk --db TYPO`` says there is none."""
    import frontdesk.app
    from frontdesk import gc_hold

    opened: list[object] = []

    class Console:
        def __init__(self, services) -> None:  # type: ignore[no-untyped-def]
            self.services = services

        def run(self) -> None:
            try:
                opened.append(self.services.open())
            except RuntimeError as exc:
                opened.append(exc)

    monkeypatch.setattr(frontdesk.app, "make_app", Console)
    try:
        typo = tmp_path / "stroe" / "frontdesk.db"
        assert main(["--db", f"sqlite:///{typo}", "--lang", "en"]) == 0
        assert isinstance(opened[-1], RuntimeError) and "No store at" in str(opened[-1])
        assert not typo.parent.exists()
        assert main([]) == 0
        assert not isinstance(opened[-1], Exception)
        assert (tmp_path / "data" / "frontdesk" / "frontdesk.db").exists()  # XDG_DATA_HOME
        opened[-1].db.dispose()  # type: ignore[attr-defined]
    finally:
        gc_hold.release()


# --- item 10: a write that waits for another terminal says so, then succeeds -------------------------


def test_export_waits_for_another_terminal_saving_and_says_so(store, capsys, tmp_path, monkeypatch):
    url, _number = store
    monkeypatch.setenv("FRONTDESK_PASSWORD", PASSWORD)
    holder = sqlite3.connect(url.split(":///", 1)[1], isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # a long import holding the write lock
    releaser = threading.Timer(1.5, lambda: holder.execute("COMMIT"))
    releaser.start()
    out = tmp_path / "customers.csv"
    capsys.readouterr()
    try:
        code = main(["--lang", "en", "export", "customers", "--user", "manager", "--out", str(out), "--db", url])
    finally:
        releaser.join()
        holder.close()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err.splitlines() == ["frontdesk: Another terminal is saving; waiting for it…"]
    assert out.exists() and "rows written" in captured.out


# --- a couple through a real process: what an administrator's shell sees -----------------------------


@pytest.mark.parametrize("argv", [["users", "list", "--db", "mysql://clerk:s3cret@localhost/x"],
                                  ["report", "--from", "2026-11-01", "--db", "sqlite:///TMP/typo/frontdesk.db"]])
def test_in_a_real_process(argv, tmp_path):
    argv = [a.replace("TMP", str(tmp_path)) for a in argv]
    done = subprocess.run([sys.executable, "-m", "frontdesk", "--lang", "en", *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60, env=dict(os.environ))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert "s3cret" not in done.stderr
    assert not (tmp_path / "typo").exists()


def test_open_services_refuses_without_create(tmp_path):
    from frontdesk.config import Settings
    from frontdesk.services.driver_errors import StoreError

    typo = tmp_path / "typo" / "x.db"
    with pytest.raises(StoreError, match="No store at"):
        cli.open_services(Settings(database_url=f"sqlite:///{typo}"), create=False)
    assert not typo.parent.exists()


def test_postgresql_without_its_driver_installed(capsys, monkeypatch):
    """`pip install .` (the README's first command) has no psycopg: a PostgreSQL URL says what to install."""
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # the import fails as if it were not installed
    line = one_line(capsys, "users", "list", "--db", "postgresql://clerk:s3cret@localhost/frontdesk")
    assert "pip install 'frontdesk[postgres]'" in line
    assert "s3cret" not in line
