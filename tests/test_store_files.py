"""The SQLite store's files: private (issue 15, item 5) and durable (item 16).

The store names every customer and their phone: it and SQLite's ``-wal``/``-shm`` beside
it are 0600, and a folder frontdesk creates for it 0700, whichever way it was made (``db
upgrade``, ``demo``, the console's first start). A commit is on disk when it returns
(``synchronous=FULL``) unless the settings trade that for speed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.cli import main
from frontdesk.config import Settings, load_settings
from frontdesk.db import Database


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """A desk machine's 022: what made the store 0644 in a 0755 folder."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private_store(path: Path) -> None:
    """The file 0600; opened by frontdesk (so SQLite makes its -wal and -shm), those 0600 too."""
    db = Database(f"sqlite:///{path}")
    try:
        with db.plain_transaction() as cur:
            cur.one("SELECT count(*) FROM store")
        with db.reader() as session:
            session.connection().exec_driver_sql("SELECT count(*) FROM app_user")
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{path}{suffix}")) == 0o600, suffix
    finally:
        db.dispose()


def test_db_upgrade_makes_a_private_store_in_a_private_folder(tmp_path, capsys):
    path = tmp_path / "new" / "deeper" / "frontdesk.db"
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 0
    assert mode(tmp_path / "new") == 0o700 and mode(path.parent) == 0o700
    assert_private_store(path)


def test_db_upgrade_makes_an_older_store_private(tmp_path, capsys, sqlite_template):
    path = tmp_path / "old.db"
    path.write_bytes(sqlite_template.read_bytes())
    path.chmod(0o644)  # as stores were made before
    tmp_path.chmod(0o755)
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 0
    assert mode(path) == 0o600
    assert mode(tmp_path) == 0o755  # a folder the user made is theirs: left alone


def test_demo_makes_a_private_store(tmp_path, capsys):
    path = tmp_path / "demo" / "frontdesk.db"
    assert main(["demo", "--days", "1", "--quiet", "--db", f"sqlite:///{path}"]) == 0
    assert mode(path.parent) == 0o700
    assert_private_store(path)


def test_the_console_first_start_makes_a_private_store(tmp_path, monkeypatch):
    import frontdesk.app
    from frontdesk import gc_hold

    class Console:
        def __init__(self, services) -> None:  # type: ignore[no-untyped-def]
            self.services = services

        def run(self) -> None:
            self.services.open().db.dispose()

    monkeypatch.setattr(frontdesk.app, "make_app", Console)
    try:
        assert main([]) == 0
    finally:
        gc_hold.release()
    folder = tmp_path / "data" / "frontdesk"  # XDG_DATA_HOME
    assert mode(tmp_path / "data") == 0o700 and mode(folder) == 0o700
    assert_private_store(folder / "frontdesk.db")


# --- durability ---------------------------------------------------------------------------------------

FULL, NORMAL = 2, 1  # PRAGMA synchronous


def _synchronous(db: Database) -> tuple[int, int]:
    """What the driver connection (sign-in, desk home) and the ORM's connections run with."""
    with db.plain_transaction() as cur:
        plain = cur.one("PRAGMA synchronous")[0]  # type: ignore[index]
    with db.reader() as session:
        orm = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
    return plain, orm


def test_commits_survive_a_power_cut_by_default(tmp_path, sqlite_template):
    path = tmp_path / "frontdesk.db"
    path.write_bytes(sqlite_template.read_bytes())
    services = cli.open_services(replace(Settings(), database_url=f"sqlite:///{path}"))
    try:
        assert _synchronous(services.db) == (FULL, FULL)
    finally:
        services.db.dispose()


def test_a_store_may_trade_durability_for_speed(tmp_path, sqlite_template):
    path = tmp_path / "frontdesk.db"
    path.write_bytes(sqlite_template.read_bytes())
    config = tmp_path / "config.toml"
    config.write_text(f'database_url = "sqlite:///{path}"\nsqlite_synchronous = "normal"\n', "utf-8")
    settings = load_settings(config)
    assert settings.sqlite_synchronous == "normal"
    services = cli.open_services(settings)
    try:
        assert _synchronous(services.db) == (NORMAL, NORMAL)
    finally:
        services.db.dispose()


def test_an_unknown_durability_is_refused(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('sqlite_synchronous = "off"\n', "utf-8")
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        load_settings(config)
    assert main(["--lang", "en", "--config", str(config), "db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "sqlite_synchronous" in err
