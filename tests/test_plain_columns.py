"""The plain path's column names are the model's: checked here, since they cannot be read from it at run time.

The desk home, the search box and the sign-in read through the driver (``frontdesk.dbapi``)
so that the advisor's console starts without SQLAlchemy — and importing the model loads it.
So those modules name their columns themselves, in ``dbapi.Columns``, and this test holds
every such list against the model's ``Table`` objects: a column renamed or dropped in the
model fails here, and so does one added to a table the plain path writes rows into (the
audit trail), which would otherwise be left empty without an error.
"""

from __future__ import annotations

import importlib
from dataclasses import fields

import pytest
from sqlalchemy import Table

from frontdesk.dbapi import Columns
from frontdesk.model import Base, User

PLAIN_MODULES = ("frontdesk.services.desk_home", "frontdesk.services.search", "frontdesk.services.sign_in")


@pytest.fixture(scope="module")
def declared() -> list[Columns]:
    for name in PLAIN_MODULES:
        importlib.import_module(name)
    return list(Columns.declared)


def _table(name: str) -> Table:
    table = Base.metadata.tables.get(name)
    assert table is not None, f"the plain path names a table the model does not have: {name}"
    return table


def _written(table: Table) -> set[str]:
    """The columns a new row needs a value for: all but a generated integer key."""
    return {c.name for c in table.columns if not (c.primary_key and c.autoincrement in (True, "auto"))}


def test_the_plain_modules_name_their_columns_in_one_place(declared: list[Columns]) -> None:
    tables = {c.table for c in declared}
    assert {"repair_order", "vehicle", "customer", "app_user", "appointment", "job", "part_order", "follow_up",
            "audit_event"} <= tables


def test_every_column_the_plain_path_names_is_a_column_of_the_model(declared: list[Columns]) -> None:
    for columns in declared:
        have = {c.name for c in _table(columns.table).columns}
        assert not set(columns.names) - have, f"{columns.table} has no {sorted(set(columns.names) - have)}"
        assert len(set(columns.names)) == len(columns.names), f"{columns.table}: a column named twice"


def test_a_row_the_plain_path_adds_has_a_value_for_every_column(declared: list[Columns]) -> None:
    """The sign-in's audit events: a column the model gains (the hash chain's, say) must be written here too."""
    inserts = [c for c in declared if c.whole_row]
    assert [c.table for c in inserts] == ["audit_event"]
    for columns in inserts:
        assert set(columns.names) == _written(_table(columns.table))


def test_the_search_box_searches_columns_of_the_model() -> None:
    from frontdesk.services.search import INDEXED

    for column, (table, _fts) in INDEXED.items():
        assert column in _table(table).columns, f"{table}.{column}"


def test_the_sign_in_reads_an_account_as_its_columns_say() -> None:
    """Its row type unpacks the SELECT by position: same names, same order, and the stored scale of the rate."""
    from frontdesk.services.sign_in import _ACCOUNT_COLUMNS, RATE_PLACES, _Account

    assert tuple(f.name for f in fields(_Account)) == _ACCOUNT_COLUMNS.names
    assert RATE_PLACES == User.__table__.c.discount_authority.type.scale


def test_an_insert_must_be_given_every_column() -> None:
    columns = Columns("audit_event", "store_id", "action", whole_row=True)
    try:
        sql, params = columns.insert({"store_id": 1, "action": "x"})
        assert sql == "INSERT INTO audit_event (store_id, action) VALUES (:store_id, :action)"
        with pytest.raises(ValueError, match="audit_event"):
            columns.insert({"store_id": 1})
    finally:
        Columns.declared.remove(columns)
