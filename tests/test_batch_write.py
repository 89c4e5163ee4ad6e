"""A batch writes what the ORM's flush and ``json.dumps`` would have written, only faster.

The demo's batches (SQLite) write their records and audit rows with their own multi-row
statements: these tests hold those shortcuts to the plain path's results.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal

import pytest
from sqlalchemy import JSON, DateTime, create_engine, select, text
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.model import User
from frontdesk.model.enums import OrderStatus, Role
from frontdesk.services import context


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
def test_payloads_are_converted_and_encoded_as_before(payload):
    expected = _reference_jsonable(payload)
    assert context._jsonable(payload) == expected
    if payload is not None:
        assert list(context._jsonable(payload)) == list(payload)  # the keys keep their order
    text_form = "null" if expected is None else json.dumps(expected)
    assert context._encode_payloads([payload]) == [text_form]


def test_a_payload_json_cannot_hold_fails_as_before():
    with pytest.raises(TypeError):
        context._encode_payloads([{"lines": [Decimal("1.00")]}])  # only the top level is converted
    with pytest.raises(TypeError):
        json.dumps(_reference_jsonable({"lines": [Decimal("1.00")]}))


def test_json_and_time_columns_are_converted_as_sqlalchemy_does():
    dialect = create_engine("sqlite://").dialect
    json_type, time_type = JSON(), DateTime()
    json_process = json_type.dialect_impl(dialect).bind_processor(dialect)
    time_process = time_type.dialect_impl(dialect).bind_processor(dialect)
    values = [None, {"a": 1, "b": [True, None]}, [1, 2], "text", 3]
    assert context._json_column(json_process, json_type.none_as_null)(values) == [json_process(v) for v in values]

    iso = time_type.dialect_impl(dialect)._storage_format == context._SQLITE_DATETIME
    times = [dt.datetime(2026, 1, 2, 3, 4, 5), dt.datetime(2026, 1, 2, 3, 4, 5, 60), None,
             dt.datetime(2026, 1, 2, 3, 4, 5), dt.date(2026, 1, 2), dt.datetime(999, 1, 1)]
    assert context._times_column(time_process, iso)(times) == [time_process(v) for v in times]
    # Two equal instants in different zones are written as their own wall-clock times.
    utc = dt.datetime(2026, 1, 2, 3, 0, tzinfo=dt.UTC)
    beijing = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert context._times_column(time_process, iso)([utc, beijing]) == [time_process(utc), time_process(beijing)]


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
