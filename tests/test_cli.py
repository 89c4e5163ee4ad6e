"""The command line as an installer and an administrator use it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from frontdesk import migrate
from frontdesk.cli import main
from frontdesk.db import Database
from frontdesk.model import AuditEvent, User


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_db_upgrade_creates_the_database(url, tmp_path, capsys):
    assert main(["db", "upgrade", "--db", url, "--lang", "en"]) == 0
    assert "Database at revision" in capsys.readouterr().out
    assert (tmp_path / "cli.db").exists()
    other = tmp_path / "other.db"
    assert main(["--db", f"sqlite:///{other}", "db", "upgrade"]) == 0  # --db before the subcommand works too
    assert str(other) in capsys.readouterr().out and other.exists()
    assert main(["--db", url, "db", "current"]) == 0
    assert capsys.readouterr().out.strip() == migrate.head_revision(Database(url))


def test_default_database_is_in_the_user_data_dir(tmp_path, capsys):
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "data" / "frontdesk" / "frontdesk.db").exists()


def test_database_url_from_environment(url, monkeypatch, capsys):
    monkeypatch.setenv("FRONTDESK_DB", url)
    assert main(["db", "upgrade"]) == 0
    assert url.split("///")[1] in capsys.readouterr().out


def test_users_add_list_passwd(url, capsys, monkeypatch):
    assert main(["db", "upgrade", "--db", url]) == 0  # only `db upgrade` and `demo` make a store
    assert main(["users", "add", "wangfang", "--role", "advisor", "--name", "王芳", "--password", "first-pass", "--db", url]) == 0
    assert main(["users", "list", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "wangfang" in out and "advisor" in out and "王芳" in out
    monkeypatch.setenv("FRONTDESK_PASSWORD", "second-pass")
    assert main(["users", "passwd", "wangfang", "--db", url]) == 0
    db = Database(url)
    with db.reader() as s:
        user = s.scalar(select(User).where(User.username == "wangfang"))
        assert "first-pass" not in user.password_hash and user.password_hash.startswith("$argon2id$")
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "user")).all()
        assert actions == ["user.add", "user.set_password"]
    # A duplicate user name is refused with a message, not a traceback.
    assert main(["users", "add", "wangfang", "--role", "qc", "--name", "X", "--password", "abcdefg", "--db", url, "--lang", "en"]) == 1
    assert "taken" in capsys.readouterr().err


def test_short_password_refused(url, capsys):
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["users", "add", "li", "--role", "cashier", "--name", "李", "--password", "123", "--db", url, "--lang", "en"]) == 1
    assert "at least" in capsys.readouterr().err


def test_demo_refuses_a_real_store_and_replaces_an_old_demo(url, capsys):
    assert main(["demo", "--days", "1", "--quiet", "--db", url, "--lang", "en"]) == 0
    assert "demo store ready" in capsys.readouterr().out
    db = Database(url)
    with db.reader() as s:
        first_orders = s.scalar(select(func.count()).select_from(AuditEvent))
    assert main(["demo", "--days", "1", "--quiet", "--seed", "9", "--db", url]) == 0  # replacing a demo is fine
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 13  # the demo's staff, the receptionist and the two clerks among them
        assert s.scalar(select(func.count()).select_from(AuditEvent)) > 0
    assert first_orders > 0


def test_demo_refuses_real_data(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["users", "add", "boss", "--role", "admin", "--name", "店长", "--password", "real-pass", "--db", url]) == 0
    assert main(["demo", "--days", "1", "--quiet", "--db", url, "--lang", "en"]) == 2
    assert "real store" in capsys.readouterr().err
    with Database(url).reader() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_python_dash_m_and_console_script_help():
    out = subprocess.run([sys.executable, "-m", "frontdesk", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("run", "db", "demo", "users"):
        assert command in out
