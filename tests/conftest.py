"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when configured).

``FRONTDESK_TEST_DATABASE_URL`` names a PostgreSQL database the tests may wipe; without
it the PostgreSQL half of every ``services`` test is skipped. SQLite databases are copies
of one migrated template file, so each test starts from an empty, current schema quickly.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk import migrate
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.i18n import set_language
from frontdesk.model import Base
from frontdesk.model.enums import Role
from frontdesk.services import auth, catalog_use, sign_in
from frontdesk.services.context import Actor, Services
from frontdesk.services.setup import ensure_store, system_actor

PG_URL = os.environ.get("FRONTDESK_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PASSWORD = "secret-pass"


class FakeClock:
    """A clock the test moves by hand, so durations and due dates are exact."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _english_and_hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests read English messages and never touch the user's own config or database."""
    monkeypatch.setenv("FRONTDESK_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.delenv("FRONTDESK_DB", raising=False)
    monkeypatch.delenv("FRONTDESK_LANG", raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its production cost would dominate the suite; tests/test_auth.py checks that cost."""
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(sign_in, "_hasher", lambda: quick)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


def _wipe_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _worker_url(base: str, worker: str) -> str:
    """Under pytest-xdist every worker gets a database of its own (created on first use)."""
    if worker in ("", "master"):
        return base
    from sqlalchemy.engine import make_url

    url = make_url(Database(base).url)
    name = f"{url.database}_{worker}"
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_db(worker_id: str) -> Iterator[Database]:
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    db = Database(_worker_url(PG_URL, worker_id))
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(db)
    yield db
    db.dispose()


def _open(request: pytest.FixtureRequest, folder: Path, template: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = folder / "frontdesk.db"
        shutil.copy(template, path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        db = request.getfixturevalue("postgres_db")
        _wipe_postgres(db)
        catalog_use.invalidate()  # the process's catalog-use cache knew the wiped rows (services/catalog_use.py)
        yield db


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty, migrated database for one test."""
    yield from _open(request, tmp_path, sqlite_template)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Database]:
    """One database shared by a module's tests that do not write (e.g. the role matrix)."""
    yield from _open(request, tmp_path_factory.mktemp("module"), sqlite_template)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 24, 9, 0))


@pytest.fixture
def settings() -> Settings:
    return replace(Settings(), language="en")


@pytest.fixture
def services(database: Database, settings: Settings, clock: FakeClock) -> Services:
    svc = Services(db=database, settings=settings, clock=clock)
    ensure_store(svc)
    return svc


@pytest.fixture
def admin(services: Services) -> Actor:
    return system_actor(ensure_store(services))


def make_actors(services: Services, admin: Actor) -> dict[Role, Actor]:
    out = {}
    for role in Role:
        auth.add_user(services, admin, role.value, f"{role.value.title()} Test", role, PASSWORD)
        out[role] = auth.login(services, role.value, PASSWORD)
    return out


@pytest.fixture
def actors(services: Services, admin: Actor) -> dict[Role, Actor]:
    """One user per role, logged in; the manager's password is PASSWORD for overrides."""
    return make_actors(services, admin)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core. The console's tests mostly wait — on a screen to
    settle, a worker's answer, a timer — so a worker a core leaves the cores half idle (the
    suite ran at ~57 % a core on two workers); two a core finish it in about two-thirds of
    the time on the 2-core CI machine."""
    return 2 * (os.cpu_count() or 1)
