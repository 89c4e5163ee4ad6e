"""The audit trail is a hash chain per store (issue 15, item 15): tampering shows, and is named.

Whoever owns the tables can get past the append-only triggers (drop or disable them, TRUNCATE);
``frontdesk audit verify`` then names the first broken link and exits non-zero. On PostgreSQL
the terminals work as a second role that may only read and add audit events.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from frontdesk import migrate
from frontdesk.cli import main
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import AuditEvent, Store
from frontdesk.model.enums import Role
from frontdesk.services import audit_chain, checkin, demo, sign_in
from frontdesk.services.context import Services
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.services.validation import with_check_digit
from tests import pg_scratch

from .conftest import PASSWORD, PG_URL, FakeClock, make_actors
from .factories import customer_and_vehicle, order_through, seed_shop

TERMINAL_ROLE = "frontdesk_terminal"  # created by .ci/run, password the same as the name


def _url(db: Database) -> str:
    return make_url(db.url).render_as_string(hide_password=False)


def _verify(db: Database, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str]:
    """``frontdesk audit verify``: its exit code and its one line (stdout when intact, stderr when not)."""
    code = main(["--db", _url(db), "--lang", "en", "audit", "verify", *more])
    out = capsys.readouterr()
    lines = (out.out + out.err).strip().splitlines()
    assert len(lines) == 1, lines
    return code, lines[0]


def _events(db: Database) -> list[int]:
    with db.engine.connect() as conn:
        return [i for (i,) in conn.execute(select(AuditEvent.id).order_by(AuditEvent.id))]


def _tamper(db: Database, *statements: str) -> None:
    """As the tables' owner would: with the append-only triggers out of the way (then back, on PostgreSQL)."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        for statement in statements:
            conn.exec_driver_sql(statement)
        if not db.is_sqlite:
            conn.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


@pytest.fixture
def busy_store(services, admin, actors, clock):
    """A store after a morning's work: users, logins (one failed), a catalog, orders at several stages."""
    shop = seed_shop(services, admin, actors)
    for n, stop in enumerate(("closed", "estimate")):
        _customer, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR], plate=f"粤A{n}B345",
                                                  vin=with_check_digit(f"LSVAU0330A{n + 1:07d}"))
        order_through(services, actors, shop, vehicle, stop=stop)
        clock.advance(minutes=20)
    with pytest.raises(Exception):
        sign_in.login(services, "cashier", "wrong password")
    return services


# Intact --------------------------------------------------------------------------------------------


def test_the_chain_of_a_working_store_verifies(busy_store, capsys):
    db = busy_store.db
    verdict = audit_chain.verify(db)
    assert verdict.intact and verdict.events == len(_events(db)) > 50
    assert _verify(db, capsys) == (0, f"audit trail intact: {verdict.events} events")
    with db.engine.connect() as conn:  # every event sealed, each naming the one before it; the store holds the last
        rows = conn.execute(select(AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.id)).all()
        head = conn.execute(select(Store.audit_head)).scalar_one()
    assert rows[0].prev_hash is None and all(r.hash for r in rows)
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    assert head == rows[-1].hash


def test_a_demo_store_verifies(tmp_path, capsys):
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    services = Services(db=db, settings=Settings(), clock=FakeClock(dt.datetime(2026, 11, 24, 11, 0)))
    migrate.upgrade(db)
    demo.generate(services, days=3, progress=False, today=dt.datetime(2026, 11, 24, 11, 0))
    code, line = _verify(db, capsys)
    assert (code, line) == (0, f"audit trail intact: {len(_events(db))} events")
    db.dispose()


@pytest.mark.postgres
def test_a_demo_store_verifies_on_postgres(capsys, worker_id):
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    db = Database(pg_scratch.fresh_postgres(PG_URL, "_audit_demo" + ("" if worker_id in ("", "master") else f"_{worker_id}")))
    try:
        migrate.upgrade(db)
        services = Services(db=db, settings=Settings(), clock=FakeClock(dt.datetime(2026, 11, 24, 11, 0)))
        demo.generate(services, days=2, progress=False, today=dt.datetime(2026, 11, 24, 11, 0))
        assert _verify(db, capsys) == (0, f"audit trail intact: {len(_events(db))} events")
    finally:
        db.dispose()


def test_stores_have_chains_of_their_own(busy_store, capsys):
    other = replace(busy_store, settings=replace(busy_store.settings, store_code="SZ02"))
    other_admin = replace(system_actor(ensure_store(other)), role=Role.ADVISOR)
    customer = checkin.save_customer(other, other_admin, checkin.CustomerInput("李娜", "139 0013 9000"))
    db = busy_store.db
    assert audit_chain.verify(db).intact
    with db.engine.connect() as conn:
        first_of_sz02 = conn.execute(select(AuditEvent.id, AuditEvent.prev_hash).where(
            AuditEvent.store_id == other_admin.store_id).order_by(AuditEvent.id)).first()
    assert first_of_sz02.prev_hash is None  # a new store starts a chain of its own
    _tamper(db, f"UPDATE audit_event SET after = NULL WHERE entity = 'customer' AND entity_id = {customer.id}"
                f" AND store_id = {other_admin.store_id}")
    code, line = _verify(db, capsys)
    assert code == 1 and "(store SZ02) was changed" in line
    assert _verify(db, capsys, "--store", "GZ01")[0] == 0  # the other store's chain still holds


def test_writers_on_two_terminals_never_fork_the_chain(services, actors):
    """Two terminals (threads with their own connections) save and sign in at the same moments."""
    advisor = actors[Role.ADVISOR]
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def terminal(n: int) -> None:
        start.wait()
        for i in range(12):
            try:
                checkin.save_customer(services, advisor, checkin.CustomerInput(f"客户{n}-{i}", f"1380013{n}{i:03d}"))
                sign_in.login(services, "cashier", PASSWORD)
            except Exception as exc:  # any error here is the bug
                errors.append(exc)

    threads = [threading.Thread(target=terminal, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = audit_chain.verify(services.db)
    assert verdict.intact, verdict.summary()
    with services.db.engine.connect() as conn:
        prevs = [p for (p,) in conn.execute(select(AuditEvent.prev_hash))]
    assert len(prevs) == len(set(prevs))  # no two events claim the same predecessor: no fork


# Tampering is found, and the first broken link named ------------------------------------------------


def test_a_changed_event_is_named(busy_store, capsys):
    db = busy_store.db
    victim = _events(db)[len(_events(db)) // 2]
    _tamper(db, f"UPDATE audit_event SET after = '{{\"discount\": \"0.00\"}}' WHERE id = {victim}")
    code, line = _verify(db, capsys)
    assert code == 1
    assert line == f"frontdesk: audit trail broken: event {victim} (store GZ01) was changed after it was written"


def test_a_removed_event_in_the_middle_is_named(busy_store, capsys):
    db = busy_store.db
    ids = _events(db)
    gone, after = ids[10], ids[11]
    _tamper(db, f"DELETE FROM audit_event WHERE id = {gone}")
    code, line = _verify(db, capsys)
    assert code == 1
    assert f"event {after} (store GZ01) does not follow event {ids[9]}" in line and "removed" in line


def test_removing_the_newest_events_is_found(busy_store, capsys):
    """A chain cut short is intact as far as it goes: the store's head says where it really ended."""
    db = busy_store.db
    ids = _events(db)
    _tamper(db, f"DELETE FROM audit_event WHERE id > {ids[-4]}")
    code, line = _verify(db, capsys)
    assert code == 1 and f"the events after event {ids[-4]} were removed" in line


@pytest.mark.parametrize("how", ["truncate", "delete all"])
def test_emptying_the_trail_is_found(busy_store, capsys, how):
    db = busy_store.db
    if how == "truncate" and not db.is_sqlite:
        with db.engine.begin() as conn:  # row triggers do not fire on TRUNCATE: the owner needs nothing else
            conn.exec_driver_sql("TRUNCATE audit_event")
    else:
        _tamper(db, "DELETE FROM audit_event")
    code, line = _verify(db, capsys)
    assert code == 1 and "store GZ01 has no audit events left" in line


def test_removing_the_first_events_is_found(busy_store, capsys):
    db = busy_store.db
    ids = _events(db)
    _tamper(db, f"DELETE FROM audit_event WHERE id <= {ids[2]}")
    code, line = _verify(db, capsys)
    assert code == 1 and f"event {ids[3]} (store GZ01) is the first left" in line


def test_an_event_added_by_hand_is_named(busy_store, capsys):
    db = busy_store.db
    with db.engine.begin() as conn:  # no trigger stops an INSERT: that is what the chain is for
        conn.exec_driver_sql(
            "INSERT INTO audit_event (store_id, at, user_id, action, entity, entity_id, order_id, before, after)"
            " VALUES (1, '2026-11-24 12:00:00', NULL, 'payment.void', 'payment', 1, NULL, NULL, NULL)")
        forged = conn.exec_driver_sql("SELECT max(id) FROM audit_event").scalar()
    code, line = _verify(db, capsys)
    assert code == 1 and f"event {forged} (store GZ01) carries no hash" in line


def test_a_forged_event_with_a_made_up_hash_is_named(busy_store, capsys):
    db = busy_store.db
    with db.engine.begin() as conn:
        head = conn.execute(select(Store.audit_head)).scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO audit_event (store_id, at, user_id, action, entity, entity_id, order_id, before, after,"
            f" prev_hash, hash) VALUES (1, '2026-11-24 12:00:00', NULL, 'payment.void', 'payment', 1, NULL, NULL,"
            f" NULL, '{head}', '{'0' * 64}')")
        forged = conn.exec_driver_sql("SELECT max(id) FROM audit_event").scalar()
    code, line = _verify(db, capsys)
    assert code == 1 and f"event {forged} (store GZ01) was changed" in line


def test_a_dropped_chain_is_found(busy_store, capsys):
    db = busy_store.db
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE store SET audit_head = NULL"))
    code, line = _verify(db, capsys)
    assert code == 1 and "store GZ01 has events but no chain head" in line
    if db.is_sqlite:  # the columns themselves gone (SQLite's ALTER TABLE ... DROP COLUMN)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE audit_event DROP COLUMN hash")
        code, line = _verify(db, capsys)
        assert code == 1 and "The audit trail has no hash chain" in line


def test_the_orm_refuses_an_unsealed_event(services):
    from frontdesk.model.audit import AuditTamperError

    with services.db.session() as s, pytest.raises(AuditTamperError, match="sealed"):
        with s.begin():
            s.add(AuditEvent(store_id=1, at=dt.datetime(2026, 11, 24), action="x", entity="store", entity_id=1))


def test_verify_names_an_unknown_store_in_one_line(services, capsys):
    code, line = _verify(services.db, capsys, "--store", "NOPE")
    assert code == 1 and "NOPE" in line


# The upgrade seals what was recorded before --------------------------------------------------------


@pytest.fixture
def empty_database(request, tmp_path, worker_id) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        if not PG_URL:
            pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
        db = Database(pg_scratch.fresh_postgres(
            PG_URL, "_audit_upgrade" + ("" if worker_id in ("", "master") else f"_{worker_id}")))
    yield db
    db.dispose()


@pytest.mark.parametrize("empty_database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_upgrading_from_0005_seals_the_recorded_events(empty_database, capsys):
    db = empty_database
    migrate.upgrade(db, "0005")
    with db.engine.begin() as conn:  # two stores' events as the program of 0005 wrote them, interleaved
        conn.exec_driver_sql("INSERT INTO store (id, code, name, address, phone, tax_id, change_seq) VALUES"
                             " (1, 'GZ01', 'A', '', '', '', 3), (2, 'SZ02', 'B', '', '', '', 2)")
        for n, (store, action, after) in enumerate([
            (1, "store.create", '{"code": "GZ01"}'), (2, "store.create", '{"code": "SZ02"}'),
            (1, "customer.save", '{"name": "\\u5f20\\u4f1f", "phone": "13800138000"}'),
            (2, "part.save", '{"price": "98.00", "bins": ["A-01-1"]}'), (1, "user.login", "{}"),
        ]):
            conn.execute(text("INSERT INTO audit_event (store_id, at, user_id, action, entity, entity_id, order_id,"
                              " before, after) VALUES (:s, :at, NULL, :a, 'x', :n, NULL, NULL, :after)"),
                         {"s": store, "at": dt.datetime(2026, 11, 24, 9, n, 0, 500), "a": action, "n": n,
                          "after": after})
        if not db.is_sqlite:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('store', 'id'), 2)")
    migrate.upgrade(db)
    assert _verify(db, capsys) == (0, "audit trail intact: 5 events")
    # The triggers are back in force after the backfill.
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_event SET action = 'x'")
    # New events carry the chain on.
    services = Services(db=db, settings=replace(Settings(), language="en", store_code="SZ02"))
    advisor = replace(system_actor(ensure_store(services)), role=Role.ADVISOR)
    checkin.save_customer(services, advisor, checkin.CustomerInput("李娜", "139 0013 9000"))
    assert _verify(db, capsys) == (0, "audit trail intact: 6 events")


# Two roles on PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_terminal_role_may_only_read_and_add_audit_events(capsys, worker_id):
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    url = pg_scratch.fresh_postgres(PG_URL, "_audit_roles" + ("" if worker_id in ("", "master") else f"_{worker_id}"))
    terminal_url = make_url(url).set(username=TERMINAL_ROLE, password=TERMINAL_ROLE).render_as_string(
        hide_password=False)
    probe = Database(terminal_url)
    try:
        with probe.engine.connect():
            pass
    except DBAPIError:
        pytest.skip(f"no PostgreSQL role {TERMINAL_ROLE} (password {TERMINAL_ROLE}) to log in as: .ci/run creates it")
    finally:
        probe.dispose()

    assert main(["--db", url, "--lang", "en", "db", "upgrade", "--grant-to", TERMINAL_ROLE]) == 0
    assert f"Role {TERMINAL_ROLE} may now work as a terminal" in capsys.readouterr().out
    owner = Services(db=Database(url), settings=replace(Settings(), language="en"))
    actors = make_actors(owner, system_actor(ensure_store(owner)))

    # A terminal connected as the second role works as usual: a service call, a sign-in.
    terminal = Services(db=Database(terminal_url), settings=replace(Settings(), language="en"))
    try:
        checkin.save_customer(terminal, actors[Role.ADVISOR], checkin.CustomerInput("王芳", "138 0013 8001"))
        sign_in.login(terminal, "advisor", PASSWORD)
        assert audit_chain.verify(terminal.db).intact
        # ... and cannot change, remove or unprotect audit events, whatever it tries.
        for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event",
                          "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
                          "ALTER TABLE audit_event DROP COLUMN hash", "DROP TABLE audit_event"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), \
                    terminal.db.engine.begin() as conn:
                conn.exec_driver_sql(statement)
    finally:
        terminal.db.dispose()
        owner.db.dispose()
    # Granting is refused to the owner itself, and on SQLite.
    assert main(["--db", url, "--lang", "en", "db", "upgrade", "--grant-to", make_url(url).username]) == 1
    assert "owns the tables" in capsys.readouterr().err


def test_grant_to_on_sqlite_is_one_line(tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 'x.db'}", "--lang", "en", "db", "upgrade", "--grant-to", "someone"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PostgreSQL" in err[0]


def test_events_counted_match_the_table(busy_store):
    with busy_store.db.reader() as s:
        assert audit_chain.verify(busy_store.db).events == s.scalar(select(func.count()).select_from(AuditEvent))
