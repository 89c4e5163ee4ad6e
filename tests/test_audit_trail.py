"""The audit trail is append-only (ORM and database), and an order's history reads and exports it."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

import frontdesk
from frontdesk import migrate
from frontdesk.db import Database
from frontdesk.model import AuditEvent
from frontdesk.model.audit import AuditTamperError
from frontdesk.model.enums import Role
from frontdesk.services import audit, audit_views, auth
from frontdesk.services.errors import NotFound, PermissionDenied
from frontdesk.services.setup import wipe_database

from .factories import customer_and_vehicle, order_through, seed_shop

SRC = Path(frontdesk.__file__).parent


def _count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _snapshot(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, action, entity, entity_id, order_id FROM audit_event ORDER BY id"))]


# Append-only through the ORM ---------------------------------------------------------------------


def test_orm_refuses_to_change_a_recorded_event(services, actors):
    before = _snapshot(services.db)
    assert len(before) > 1  # the store's creation and the users added and logged in
    with services.db.session() as s, pytest.raises(AuditTamperError, match="UPDATE"):
        with s.begin():
            event = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
            event.action = "order.cancel"
    assert _snapshot(services.db) == before


def test_orm_refuses_to_delete_a_recorded_event(services, actors):
    before = _snapshot(services.db)
    with services.db.session() as s, pytest.raises(AuditTamperError, match="DELETE"):
        with s.begin():
            s.delete(s.scalars(select(AuditEvent)).first())
    assert _snapshot(services.db) == before


@pytest.mark.parametrize("statement", [
    update(AuditEvent).values(action="x"),
    update(AuditEvent).where(AuditEvent.id == 1).values(after=None),
    delete(AuditEvent),
    delete(AuditEvent).where(AuditEvent.id == 1),
    update(AuditEvent.__table__).values(action="x"),
    delete(AuditEvent.__table__),
], ids=["update-all", "update-one", "delete-all", "delete-one", "core-update", "core-delete"])
def test_orm_refuses_update_and_delete_statements(services, actors, statement):
    before = _snapshot(services.db)
    with services.db.session() as s, pytest.raises(AuditTamperError):
        with s.begin():
            s.execute(statement)
    assert _snapshot(services.db) == before


def test_new_events_are_still_written(services, actors):
    """Appending is what the trail is for: a service call and a login add their events."""
    n = _count(services.db)
    customer_and_vehicle(services, actors[Role.ADVISOR])
    auth.login(services, "advisor", "secret-pass")
    assert _count(services.db) == n + 3


# Append-only in the database (raw SQL bypasses the ORM) ------------------------------------------


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET action = 'forged'",
    "UPDATE audit_event SET after = NULL WHERE id = (SELECT MIN(id) FROM audit_event)",
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE id = (SELECT MAX(id) FROM audit_event)",
], ids=["update-all", "update-one", "delete-all", "delete-one"])
def test_database_refuses_raw_update_and_delete(services, actors, sql):
    before = _snapshot(services.db)
    with pytest.raises(DBAPIError, match="append-only"):
        with services.db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert _snapshot(services.db) == before


def test_database_refuses_it_on_a_raw_driver_connection(services, actors):
    """Not even a plain DB-API cursor (another program, a console) gets through."""
    before = _snapshot(services.db)
    raw = services.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with pytest.raises(Exception, match="append-only"):
            cursor.execute("DELETE FROM audit_event")
        raw.rollback()
    finally:
        raw.close()
    assert _snapshot(services.db) == before


def test_demo_wipe_still_empties_a_protected_database(tmp_path):
    """``frontdesk demo`` replaces its database by dropping everything; the triggers come back."""
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert(), [{"at": dt.datetime(2026, 11, 24, 9), "action": "x", "entity": "y"}])
    assert _count(db) == 1
    wipe_database(db)
    assert _count(db) == 0 and migrate.is_up_to_date(db)
    with db.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert(), [{"at": dt.datetime(2026, 11, 24, 9), "action": "x", "entity": "y"}])
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_event")
    db.dispose()


# No code of the application changes the trail -----------------------------------------------------


def _tampering(path: Path) -> list[str]:
    """UPDATE/DELETE aimed at the audit table in a module: statements, session deletes, raw SQL."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        target = ast.unparse(node.args[0]) if node.args else ""
        if name in ("update", "delete") and "AuditEvent" in target:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        if name in ("delete", "update") and isinstance(node.func, ast.Attribute) and "AuditEvent" in ast.unparse(node.func.value):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")  # query(AuditEvent)....delete()
    for match in re.finditer(r"(UPDATE\s+\"?audit_event|DELETE\s+FROM\s+\"?audit_event)", source, re.IGNORECASE):
        found.append(f"{path.name}: {match.group(0)}")
    return found


def test_the_scan_finds_tampering(tmp_path):
    """The scan below is only worth something if it sees the usual ways of doing it."""
    probe = tmp_path / "probe.py"  # parsed, never imported
    probe.write_text("s.execute(update(AuditEvent).values(action='x'))\n"
                     "s.execute(delete(AuditEvent.__table__))\n"
                     "s.query(AuditEvent).filter_by(id=1).delete()\n"
                     "conn.exec_driver_sql('DELETE FROM audit_event')\n"
                     "s.execute(update(Store).values(change_seq=1))\n", encoding="utf-8")
    assert len(_tampering(probe)) == 4


def test_no_module_updates_or_deletes_audit_events():
    modules = sorted((SRC / "services").glob("*.py")) + sorted(SRC.glob("*.py")) + sorted((SRC / "screens").glob("*.py"))
    assert len(modules) > 30
    found = [hit for path in modules for hit in _tampering(path)]
    assert found == []


# An order's history ---------------------------------------------------------------------------------


@pytest.fixture
def closed_order(services, actors, admin):
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    return order_through(services, actors, shop, vehicle)


def test_history_says_who_did_what_when(services, actors, closed_order):
    history = audit_views.order_history(services, actors[Role.ADVISOR], closed_order.id)
    assert history.number == closed_order.number and history.plate == "粤A12345"
    events = history.events
    with services.db.reader() as s:
        stored = s.scalars(select(AuditEvent.id).where(AuditEvent.order_id == closed_order.id).order_by(AuditEvent.id)).all()
    assert [e.id for e in events] == list(stored)
    assert events[0].action == "order.check_in" and events[0].user == "Advisor Test"
    assert [e.at for e in events] == sorted(e.at for e in events)
    by_action = {e.action: e for e in events}
    for action, user in (("order.dispatch", "Supervisor Test"), ("job.qc", "Qc Test"),
                         ("payment.take", "Cashier Test"), ("gate_pass.issue", "Cashier Test")):
        assert by_action[action].user == user, action
    # The jobs', lines' and payments' events are in it, not only the order's own.
    assert {"repair_order", "job", "payment"} <= {e.entity for e in events}
    assert any(e.entity != "repair_order" and e.entity_id != closed_order.id for e in events)


def test_history_shows_before_and_after(services, actors, closed_order):
    events = audit_views.order_history(services, actors[Role.MANAGER], closed_order.id).events
    changed = [c for e in events for c in e.changes if c.before and c.after and c.before != c.after]
    assert changed, "some event records a value before and after"
    with services.db.reader() as s:
        raw = next(e for e in s.scalars(select(AuditEvent).where(AuditEvent.order_id == closed_order.id)
                                        .order_by(AuditEvent.id)) if e.before)
        before, after = raw.before, raw.after
    event = next(e for e in events if e.id == raw.id)
    fields = {c.field: c for c in event.changes}
    assert set(fields) == set(before) | set(after or {})
    for key, value in before.items():
        assert fields[key].before == audit_views.shown(value)
    assert "→" in event.summary or not any(c.before for c in event.changes)


def test_history_changes_helper():
    got = audit_views.changes({"status": "estimate", "gone": 1}, {"status": "authorised", "total": "12.50",
                                                                 "marks": ["a", "b"]})
    assert got == (audit_views.Change("status", "estimate", "authorised"), audit_views.Change("total", "", "12.50"),
                   audit_views.Change("marks", "", "a, b"), audit_views.Change("gone", "1", ""))


def test_history_is_for_the_desk_the_cashier_and_management(services, actors, closed_order):
    for role in Role:
        if role in audit_views.VIEW_ROLES:
            assert audit_views.order_history(services, actors[role], closed_order.id).events
        else:
            with pytest.raises(PermissionDenied):
                audit_views.order_history(services, actors[role], closed_order.id)
    with pytest.raises(NotFound):
        audit_views.order_history(services, actors[Role.MANAGER], closed_order.id + 999)


def test_export_history_csv_one_row_per_change(services, actors, closed_order, tmp_path):
    manager = actors[Role.MANAGER]
    history = audit_views.order_history(services, manager, closed_order.id)
    path = tmp_path / "out" / "history.csv"
    done = audit.export_order_history(services, manager, closed_order.id, path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == audit.header()
    expected = sum(max(1, len(e.changes)) for e in history.events)
    assert done.rows == len(table) - 1 == expected
    first = history.events[0]
    assert table[1][:4] == [first.at.strftime("%Y-%m-%d %H:%M:%S"), "Advisor Test", "Checked in", "order.check_in"]
    payment = next(r for r in table[1:] if r[3] == "payment.take")
    assert payment[1] == "Cashier Test"
    # The export is itself in the trail, and therefore in the order's history.
    after = audit_views.order_history(services, manager, closed_order.id).events[-1]
    assert after.action == "audit.export" and after.user == "Manager Test"
    assert {c.field: c.after for c in after.changes}["path"] == str(path)
    assert not path.with_name("history.csv.part").exists()


def test_export_history_xlsx(services, actors, closed_order, tmp_path):
    from openpyxl import load_workbook

    admin_user = actors[Role.ADMIN]
    path = audit.default_path(tmp_path, closed_order.number, "xlsx")
    done = audit.export_order_history(services, admin_user, closed_order.id, path)
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == done.rows + 1 and rows[0][0] == "Time"


def test_export_is_for_manager_and_admin_only(services, actors, closed_order, tmp_path):
    n = _count(services.db)
    for role in (Role.ADVISOR, Role.CASHIER, Role.SUPERVISOR, Role.TECHNICIAN):
        with pytest.raises(PermissionDenied):
            audit.export_order_history(services, actors[role], closed_order.id, tmp_path / "h.csv")
    assert not (tmp_path / "h.csv").exists() and _count(services.db) == n
