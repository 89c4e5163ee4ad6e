"""Backups are private and the PostgreSQL password stays off command lines (issue 15, items 5 and 6).

The PostgreSQL tests put recording stand-ins for ``pg_dump``/``pg_restore`` in front of the
real tools: each writes down its argv, its password-related environment and what the
passfile it was handed looks like at that moment, then runs the real tool, so the backup
and restore are real and only the observation is added.
"""

from __future__ import annotations

import json
import os
import stat
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from frontdesk import backup, cli, migrate
from frontdesk.db import Database
from tests.conftest import PG_URL
from tests.pg_scratch import fresh_postgres


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The common 022: without frontdesk's care every file would be 0644 and every folder 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _store(path: Path) -> str:
    url = f"sqlite:///{path}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    return url


# --- SQLite ---------------------------------------------------------------------------------

def test_a_sqlite_backup_is_0600_in_a_new_0700_folder(tmp_path: Path) -> None:
    source = _store(tmp_path / "live.db")
    out = tmp_path / "new" / "nested" / "copy.db"
    assert isinstance(backup.backup(source, out), backup.BackupInfo)
    assert _mode(out) == 0o600
    assert _mode(out.parent) == 0o700 and _mode(out.parent.parent) == 0o700
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.db"]  # no temporary file left


def test_the_default_backup_folder_is_0700(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _store(tmp_path / "live.db")
    assert cli.main(["backup", "--lang", "en", "--db", source]) == 0
    written = list((tmp_path / "data" / "frontdesk" / "backups").glob("frontdesk-*.db"))  # XDG_DATA_HOME
    assert len(written) == 1 and _mode(written[0]) == 0o600 and _mode(written[0].parent) == 0o700


def test_a_store_made_by_restore_and_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    source = _store(tmp_path / "live.db")
    copy = tmp_path / "copy.db"
    backup.backup(source, copy)
    target = tmp_path / "restored" / "frontdesk.db"
    url = f"sqlite:///{target}"
    backup.restore(backup.inspect_backup(copy, url), url)
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    conn = sqlite3.connect(target)  # a terminal writing: SQLite makes the -wal and -shm now
    try:
        conn.execute("CREATE TABLE scratch (x)")
        conn.commit()
        for companion in ("-wal", "-shm"):
            path = target.with_name(target.name + companion)
            assert path.exists() and _mode(path) == 0o600, companion
    finally:
        conn.close()


def test_restoring_over_a_world_readable_store_makes_it_private(tmp_path: Path) -> None:
    source = _store(tmp_path / "live.db")
    copy = tmp_path / "copy.db"
    backup.backup(source, copy)
    target = tmp_path / "old.db"
    url = _store(target)
    os.chmod(target, 0o644)  # made by an earlier version
    backup.restore(backup.inspect_backup(copy, url), url)
    assert _mode(target) == 0o600


# --- PostgreSQL: the password never on a command line ---------------------------------------

def test_the_tools_get_a_url_without_the_password_and_a_private_passfile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "stale")
    url = "postgresql+psycopg://clerk:p%3Aa%5Cb%40c@db.example:5433/frontdesk?sslmode=require"
    with backup.pg_client(url) as (conninfo, env):
        parsed = make_url(conninfo)
        assert parsed.password is None and "p:a" not in conninfo and "%3A" not in conninfo
        assert (parsed.username, parsed.host, parsed.port, parsed.database) == ("clerk", "db.example", 5433, "frontdesk")
        assert parsed.drivername == "postgresql" and parsed.query == {"sslmode": "require"}
        assert "PGPASSWORD" not in env
        passfile = Path(env["PGPASSFILE"])
        assert _mode(passfile) == 0o600 and _mode(passfile.parent) == 0o700
        assert passfile.read_text("utf-8") == "*:*:*:*:p\\:a\\\\b@c\n"  # libpq's escapes for : and \
    assert not passfile.exists() and not passfile.parent.exists()


def test_a_password_given_as_a_query_parameter_is_kept_off_the_url_too() -> None:
    with backup.pg_client("postgresql://clerk@db.example/frontdesk?password=s3cret") as (conninfo, env):
        assert "s3cret" not in conninfo and "password" not in conninfo
        assert Path(env["PGPASSFILE"]).read_text("utf-8") == "*:*:*:*:s3cret\n"


def test_without_a_password_the_operators_own_libpq_settings_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "theirs")
    with backup.pg_client("postgresql://clerk@db.example/frontdesk") as (conninfo, env):
        assert conninfo == "postgresql://clerk@db.example/frontdesk"
        assert env.get("PGPASSWORD") == "theirs" and "PGPASSFILE" not in env


RECORDER = """#!{python}
import json, os, stat, sys
record = {{"argv": sys.argv, "PGPASSWORD": os.environ.get("PGPASSWORD"), "PGPASSFILE": os.environ.get("PGPASSFILE")}}
passfile = os.environ.get("PGPASSFILE")
if passfile and os.path.exists(passfile):
    record["passfile_mode"] = stat.S_IMODE(os.stat(passfile).st_mode)
    record["folder_mode"] = stat.S_IMODE(os.stat(os.path.dirname(passfile)).st_mode)
with open({log!r}, "a") as fh:
    fh.write(json.dumps(record) + "\\n")
if os.environ.get("FAKE_PG_FAIL"):
    sys.stderr.write("pg: could not connect to " + os.environ["FAKE_PG_FAIL"] + "\\n")
    sys.exit(1)
os.execv({real!r}, [{real!r}] + sys.argv[1:])
"""


@pytest.fixture
def recorded_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``pg_dump``/``pg_restore`` that record how they were called, then run the real ones."""
    real = {name: backup.pg_tool(name) for name in ("pg_dump", "pg_restore")}
    if None in real.values():
        pytest.skip("the PostgreSQL client tools are not installed")
    log = tmp_path / "tool-calls.jsonl"
    fakes = tmp_path / "fake-bin"
    fakes.mkdir()
    for name, path in real.items():
        fake = fakes / name
        fake.write_text(RECORDER.format(python=sys.executable, log=str(log), real=path))
        fake.chmod(0o755)
    monkeypatch.setattr(backup, "pg_tool", lambda name: str(fakes / name))
    return log


def _calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_never_see_the_password_in_argv(
        tmp_path: Path, recorded_tools: Path, monkeypatch: pytest.MonkeyPatch, worker_id: str) -> None:
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set")
    suffix = "" if worker_id in ("", "master") else f"_{worker_id}"
    source = fresh_postgres(PG_URL, f"_bsec{suffix}")
    password = make_url(source).password
    assert password, "the test database URL must carry a password for this test to mean anything"
    db = Database(source)
    migrate.upgrade(db)
    db.dispose()
    monkeypatch.setenv("PGPASSWORD", "not-this-one")  # a stale one must not win over the URL's

    out = tmp_path / "backups" / "pg.dump"
    info = backup.backup(source, out)
    assert isinstance(info, backup.BackupInfo) and info.revision == backup.revision_order()[-1]
    assert _mode(out) == 0o600 and _mode(out.parent) == 0o700
    assert backup.restore(backup.inspect_backup(out, source), source) == info.revision

    calls = _calls(recorded_tools)
    assert [Path(c["argv"][0]).name for c in calls].count("pg_dump") == 1
    assert any("--clean" in c["argv"] for c in calls), "pg_restore was not called to restore"
    for call in calls:
        for arg in call["argv"]:
            assert f":{password}@" not in arg and "password=" not in arg, arg
            if arg.startswith("--dbname="):
                assert make_url(arg.removeprefix("--dbname=")).password is None
    for call in (c for c in calls if any(a.startswith("--dbname=") for a in c["argv"])):
        assert call["PGPASSWORD"] is None
        assert call["passfile_mode"] == 0o600 and call["folder_mode"] == 0o700
        assert not Path(call["PGPASSFILE"]).exists()  # removed once the tool finished


@pytest.mark.postgres
def test_a_tool_error_that_echoes_the_url_is_shown_without_the_password(
        tmp_path: Path, recorded_tools: Path, monkeypatch: pytest.MonkeyPatch, worker_id: str) -> None:
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set")
    suffix = "" if worker_id in ("", "master") else f"_{worker_id}"
    source = fresh_postgres(PG_URL, f"_bsec{suffix}")
    monkeypatch.setenv("FAKE_PG_FAIL", "postgresql://clerk:Sup3rS3cret@db.example/frontdesk")
    out = tmp_path / "pg.dump"
    with pytest.raises(backup.BackupError) as refused:
        backup.backup(source, out)
    assert "Sup3rS3cret" not in str(refused.value) and "clerk:***@db.example" in str(refused.value)
    assert not out.exists() and list(tmp_path.glob(".pg.dump*")) == []  # nothing half-written left
