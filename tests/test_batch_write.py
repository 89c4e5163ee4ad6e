"""A batch writes what the plain path writes: the same rows, ids handed out at once, audit events sealed.

The demo's batches (``Services.batch``, services/bulk_write.py) hand out ids as records are
added and write each table with one statement when the batch ends; these tests hold that to
the same service calls written the plain way (the ORM's flush), and keep the batch writer on
SQLAlchemy's public API: that is what lets pyproject.toml leave SQLAlchemy unpinned within 2.x.
"""

from __future__ import annotations

import ast
import datetime as dt
import enum
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import AuditEvent, Customer, RepairOrder, User, Vehicle
from frontdesk.model.enums import OrderStatus, Role
from frontdesk.services import audit_chain, bulk_write, checkin, demo
from frontdesk.services.context import Services, unflushed
from frontdesk.services.payloads import jsonable

from .conftest import FakeClock
from .factories import VIN


class _Colour(enum.Enum):  # an enum whose values are text but which is not a str
    RED = "red"


class _Size(enum.IntEnum):
    BIG = 2


PAYLOADS = [
    None,
    {},
    {"status": "in_progress"},
    {"status": OrderStatus.CHECK_IN, "total": Decimal("1234.50"), "at": dt.datetime(2026, 11, 24, 9, 5, 7)},
    {"due": dt.date(2026, 12, 1), "colour": _Colour.RED, "size": _Size.BIG, "paid": True, "rate": 0.5},
    {"lines": [1, "two", None], "nested": {"a": "b"}, "none": None, "zero": Decimal("-0.00")},
    {"名字": "王芳", "note": "quote \" and \\ and \n"},
]


def _reference_jsonable(data):  # the conversion as it was first written, value by value
    if data is None:
        return None
    out = {}
    for key, value in data.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        elif hasattr(value, "value") and isinstance(value.value, str):
            value = value.value
        out[key] = value
    return out


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_converted_as_before(payload):
    assert jsonable(payload) == _reference_jsonable(payload)
    if payload is not None:
        assert list(jsonable(payload)) == list(payload)  # the keys keep their order
    assert audit_chain.payload_text(jsonable(payload)) == json.dumps(_reference_jsonable(payload))


def test_a_payload_json_cannot_hold_fails_as_before():
    with pytest.raises(TypeError):  # only the top level is converted
        audit_chain.payload_text(jsonable({"lines": [Decimal("1.00")]}))


MIDDAY = dt.datetime(2026, 11, 24, 11, 0)


def _demo(path: Path, template: Path) -> dict[str, list[str]]:
    """A three-day demo store in a fresh copy of the template, read back table by table (versions aside)."""
    shutil.copy(template, path)
    db = Database(f"sqlite:///{path}")
    try:
        demo.generate(Services(db=db, settings=Settings(), clock=FakeClock(MIDDAY)), days=3, progress=False,
                      today=MIDDAY)
        assert audit_chain.verify(db).intact
    finally:
        db.dispose()
    tables: dict[str, list[str]] = {}
    with sqlite3.connect(path) as con:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%search%'"):
            # A record a batch writes once starts at version 1, as it would if it had been flushed once.
            columns = [r[1] for r in con.execute(f"PRAGMA table_info({name})") if r[1] not in ("version", "password_hash")]
            query = f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM {name}"
            tables[name] = sorted(map(repr, con.execute(query)))
    return tables


def test_the_demo_written_in_batches_is_the_demo_written_by_the_flush(tmp_path, sqlite_template, monkeypatch):
    batched = _demo(tmp_path / "batched.db", sqlite_template)
    plain_batch = bulk_write.batch_session
    monkeypatch.setattr(bulk_write, "batch_session",
                        lambda services, *, assign_ids=False: plain_batch(services, assign_ids=False))
    flushed = _demo(tmp_path / "flushed.db", sqlite_template)
    assert sum(map(len, batched.values())) > 3000  # orders, jobs, lines, checks, payments, audit events, ...
    for name in flushed:
        assert batched[name] == flushed[name], name  # ids, values and the audit events' hashes alike


def _customer_and_car(services, advisor) -> tuple[int, int]:
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput("王芳", "13800138000"))
    vehicle = checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
        plate="粤A12345", vin=VIN, make="大众", model="朗逸"))
    return customer.id, vehicle.id


def test_a_batch_hands_out_ids_at_once_and_writes_the_records_when_it_ends(services, actors):
    if not services.db.is_sqlite:
        pytest.skip("ids are handed out by SQLite batches only (PostgreSQL flushes for them)")
    advisor = actors[Role.ADVISOR]
    with services.db.reader() as s:
        events_before = s.scalar(select(func.count()).select_from(AuditEvent))
    with services.batch(assign_ids=True) as session:
        customer_id, vehicle_id = _customer_and_car(services, advisor)
        vehicle = session.get(Vehicle, vehicle_id)  # found by id in memory: nothing is written yet
        assert session.get(Customer, customer_id).name == "王芳" and vehicle.customer_id == customer_id
        assert session.execute(select(func.count()).select_from(Customer)).scalar() == 0
        assert unflushed(session, Vehicle, plate="粤A12345") == [vehicle]
        order_id = checkin.check_in(services, advisor, checkin.CheckInInput(
            vehicle_id=vehicle_id, odometer_km=12000, fuel_eighths=4, concerns="保养")).id
        assert session.get(RepairOrder, order_id).vehicle_id == vehicle_id
    assert unflushed(session, Vehicle) == []  # let go of
    with services.db.reader() as s:
        assert s.get(Customer, customer_id).name == "王芳"
        assert s.get(Vehicle, vehicle_id).customer_id == customer_id
        assert s.get(RepairOrder, order_id).vehicle_id == vehicle_id
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    mine = events[events_before:]
    assert [(e.entity, e.entity_id) for e in mine] == [
        ("customer", customer_id), ("vehicle", vehicle_id), ("repair_order", order_id)]
    assert all(e.hash for e in mine) and mine[0].prev_hash == events[events_before - 1].hash
    assert audit_chain.verify(services.db).intact


def test_a_batch_seals_its_events_after_the_plain_calls_and_before_the_next(services, actors):
    advisor = actors[Role.ADVISOR]
    with services.batch(assign_ids=True):
        customer_id, _vehicle_id = _customer_and_car(services, advisor)
    checkin.save_customer(services, advisor, checkin.CustomerInput("王芳", "13800138001"), customer_id=customer_id,
                          expected_version=1)
    with services.batch(assign_ids=True):
        checkin.save_customer(services, advisor, checkin.CustomerInput("陈静", "13900139000"))
    verdict = audit_chain.verify(services.db)
    assert verdict.intact, verdict.summary()
    with services.db.reader() as s:
        assert s.scalar(select(Customer.phone).where(Customer.id == customer_id)) == "13800138001"


def test_a_batch_writes_a_changed_record_with_its_version_bumped(services, actors):
    user_id = actors[Role.ADVISOR].user_id
    other_id = actors[Role.CASHIER].user_id
    with services.batch(assign_ids=True) as session:
        user = session.get(User, user_id)
        other = session.get(User, other_id)
        first, other_first = user.version, other.version
        user.failed_logins = 3
        user.display_name = "Renamed"
        other.display_name = other.display_name  # no change at all: not written, version kept
    with services.db.reader() as s:
        found = s.execute(select(User.id, User.failed_logins, User.display_name, User.version)
                          .where(User.id.in_([user_id, other_id]))).all()
    rows = {r[0]: tuple(r[1:]) for r in found}
    assert rows[user_id] == (3, "Renamed", first + 1)
    assert rows[other_id][2] == other_first
    assert user.version == first + 1  # the record the batch let go of agrees with the database


def test_a_record_changed_meanwhile_is_not_overwritten(services, actors):
    user_id = actors[Role.ADVISOR].user_id
    with pytest.raises(StaleDataError), services.batch(assign_ids=True) as session:
        user = session.get(User, user_id)
        user.failed_logins = 4
        # Another hand bumps the row's version after the batch read it.
        session.execute(text("UPDATE app_user SET version = version + 1 WHERE id = :id"), {"id": user_id})
    with services.db.reader() as s:
        assert s.scalar(select(User.failed_logins).where(User.id == user_id)) == 0


_OURS = {"_batch", "_batch_audits"}  # Services' own fields, not SQLAlchemy's


@pytest.mark.parametrize("module", ["bulk_write.py", "context.py", "common.py"])
def test_the_service_core_and_the_batch_writer_use_no_private_sqlalchemy_api(module):
    """No ``_``-prefixed attribute, no ``instance_state``: an upgrade of SQLAlchemy cannot break them unseen."""
    path = Path(bulk_write.__file__).with_name(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                      and node.attr.startswith("_") and not node.attr.startswith("__") and node.attr not in _OURS})
    assert private == []
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("sqlalchemy") for alias in node.names}
    assert not {name for name in imported if name.startswith("_") or name == "instance_state"}


def test_only_the_demo_reaches_the_batch_writer():
    """The interactive path never loads it: only ``Services.batch`` imports it, and only the demo calls that."""
    src = Path(bulk_write.__file__).parents[1]
    importers, callers = [], []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(src))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("bulk_write"):
                importers.append(name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "batch":
                callers.append(name)
    assert importers == ["services/runtime.py"]
    assert sorted(set(callers)) == ["services/demo.py"]
