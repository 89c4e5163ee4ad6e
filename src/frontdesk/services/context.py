"""How a service call runs: permission check, one transaction, one audit event, conflicts.

Every state-changing service is a function decorated with :func:`service`. It receives a
:class:`Tx` (the open session, the acting user, the time) and must record exactly one
audit event. Callers hold a :class:`Services` context (database, settings, clock) and an
:class:`Actor` (the logged-in user). The demo generator runs many calls inside one
``batch()`` transaction for speed; everything else commits per call.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from json import encoder as json_encoder
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    bindparam,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import MANYTOONE, ONETOMANY, Session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ClauseElement

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.model import AuditEvent, Store

from .audit_chain import payload_text, seal_chain
from .driver_errors import user_error
from .errors import ConflictError, FrontdeskError, PermissionDenied, ValidationError
from .permissions import PERMISSIONS
from .runtime import Actor, Services, system_now
from .text_rule import check_arguments

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def batch_session(self: Services, *, assign_ids: bool = False) -> Iterator[Session]:
    """Run many service calls in one transaction (bulk loads: demo data, imports).

    The calls are the same; only their bookkeeping is gathered: audit events are
    inserted together and the store's change counter is bumped once, at the end.
    Stock levels are looked up once per batch.

    ``assign_ids`` (SQLite, which holds the write lock for the whole batch): new records
    get their ids when they are added, so nothing is flushed until the batch ends and
    every record is written once, in its final state, with one multi-row INSERT per
    table. The services find such records by id as usual (``session.get``) and look for
    clashes among them (``unflushed``); foreign keys are checked at commit. The records
    are let go of when the batch ends: their columns stay readable, their related
    records do not (a bulk load does not keep millions of objects alive). Elsewhere
    (PostgreSQL) the flag is ignored and the services flush when they need an id.
    """
    if self._batch is not None:
        raise RuntimeError("batches do not nest")
    assign = assign_ids and self.db.is_sqlite
    with (_BatchSession(self.db.engine, expire_on_commit=False) if assign else self.db.session()) as session:
        self._batch = session
        self._batch_audits = []
        # Flushing once per batch instead of before every query is most of the speed-up.
        session.autoflush = False
        session.info[STOCK_LEVELS] = {}
        try:
            with session.begin():
                if assign:
                    session.execute(text("PRAGMA defer_foreign_keys = ON"))
                yield session
                if assign:
                    session.write()
                else:
                    session.flush()
                if self._batch_audits:
                    _write_batch_audits(session, self._batch_audits, assign)
        finally:
            self._batch = None
            self._batch_audits = []
            session.info.clear()




STOCK_LEVELS = "frontdesk.stock_levels"  # session.info key: {(store_id, part_id): StockLevel} in a batch
_KNOWN = "frontdesk.known"  # session.info key: {class: {identity: record}} in a batch that assigns ids
_NEW = "frontdesk.new"  # session.info key: {class: [record]} added in a batch that assigns ids
_NEXT_ID = "frontdesk.next_id"  # session.info key: {table: last id handed out}


class _BatchSession(Session):
    """A batch session that hands out ids itself and finds unflushed records by id.

    Every record added gets the next id of its table at once (the batch holds SQLite's
    write lock, so nobody else can take it) and the column defaults its INSERT would get;
    every record added or loaded is kept until the batch ends, so ``get`` answers from
    memory instead of flushing and querying. At the end the new records are written with
    one multi-row INSERT per table (``write``), then the rest is flushed as usual.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known: dict[type, dict[tuple[Any, ...], Any]] = {}
        self.info[_KNOWN] = self._known
        self.info[_NEW] = {}
        self.info[_NEXT_ID] = {}
        event.listen(self, "transient_to_pending", _on_pending, raw=True)
        event.listen(self, "loaded_as_persistent", _on_loaded, raw=True)
        event.listen(self, "persistent_to_deleted", _on_gone, raw=True)
        event.listen(self, "pending_to_transient", _on_gone, raw=True)

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        if not kwargs and isinstance(ident, (int, str, tuple)):
            known = self._known.get(entity)
            if known is not None:
                record = known.get(ident if type(ident) is tuple else (ident,))
                if record is not None:
                    return record
        return super().get(entity, ident, **kwargs)

    def _save_or_update_state(self, state: Any) -> None:
        # Adding a record cascades along its relationships to the related records it holds
        # that the session lacks. A record holding none (it names them by id, as the services'
        # new records do), or only records the session has, is just added, without walking
        # all its properties.
        shape = _SHAPES.get(state.class_) or _shape(state.class_)
        values = state.dict
        if not values.keys().isdisjoint(shape.related):
            held = self._contains_state
            for key in shape.cascading:
                if key in values:
                    for related, record in state.manager[key].impl.get_all_pending(state, values):
                        if record is not None and not held(related):
                            super()._save_or_update_state(state)
                            return
        state._orphaned_outside_of_session = False
        self._save_or_update_impl(state)

    def write(self) -> None:
        """Write the new records table by table, let go of them, and flush the changed old ones."""
        by_class: dict[type, list[Any]] = self.info[_NEW]
        pending = self._new  # state: record, for every record added and not yet written
        if pending:
            # The records the batch has seen added are the pending ones unless something
            # flushed or let go of some without telling (then they are sorted out afresh).
            if sum(map(len, by_class.values())) == len(pending):
                groups = dict(by_class)
            else:
                groups = {}
                for record in list(self.new):
                    groups.setdefault(type(record), []).append(record)
            shapes = {cls: _shape(cls) for cls in groups}
            for cls, records in groups.items():  # children named only through a parent's collection
                adopt = shapes[cls].adopt
                if adopt is not None:
                    for record in records:
                        adopt(record.__dict__)
            connection = self.connection()
            for cls in sorted(groups, key=lambda c: shapes[c].order):
                shape = shapes[cls]
                rows = list(map(shape.row, groups[cls]))  # (the records let go of one another)
                _Insert.run(connection, shape.table, shape.column_keys, rows)
            self._known.clear()  # written: nothing more to find by id
            by_class.clear()
            # Written: the flush below must not insert them again. They were pending, so this
            # is what make_transient does for each (no identity, no expired or deferred state);
            # nothing is held for them any more, so nobody needs to hear of it record by record.
            event.remove(self, "pending_to_transient", _on_gone)
            try:
                self._expunge_states(list(pending))
            finally:
                event.listen(self, "pending_to_transient", _on_gone, raw=True)
        self._update_changed()
        self.flush()  # whatever else changed

    def _update_changed(self) -> None:
        """Write the changed columns of plain loaded records with one executemany per table and columns.

        What the flush would do for them, the same UPDATEs in the same order (by table, then
        by primary key) and the same version check, without its bookkeeping for every row;
        anything less plain (related records changed, update events, deletions) is left to
        the flush.
        """
        plans: dict[Any, list[tuple[tuple[Any, ...], dict[str, Any], Any]]] = {}
        for state in list(self.identity_map._modified):
            if state.key is None or state in self._deleted:
                continue
            plan = _changed_columns(state)
            if plan is not None:
                plans.setdefault(state.mapper, []).append((state.key[1], *plan))
        if not plans:
            return
        order = {t: n for n, t in enumerate(next(iter(plans)).local_table.metadata.sorted_tables)}
        connection = self.connection()
        for mapper in sorted(plans, key=lambda m: order[m.local_table]):
            states = sorted(plans[mapper], key=operator.itemgetter(0))
            for keys, run in itertools.groupby(states, key=lambda p: tuple(sorted(p[1]))):
                rows = list(run)
                statement = _update_statement(mapper, keys)
                params = [_update_params(mapper, values, state) for _pk, values, state in rows]
                matched = connection.execute(statement, params).rowcount
                if matched != len(rows):
                    raise StaleDataError(
                        f"UPDATE statement on table '{mapper.local_table.name}' expected to update "
                        f"{len(rows)} row(s); {matched} were matched."
                    )
                version = mapper.version_id_col
                version_key = mapper.get_property_by_column(version).key if version is not None else None
                for (_pk, _columns, state), values in zip(rows, params):
                    if version_key is not None:
                        state.dict[version_key] = values["new_version"]
                    state._commit_all(state.dict, self.identity_map)


def _plain_updates(mapper: Any) -> bool:
    """Whether the flush's UPDATE of this mapper's records is nothing but their changed columns."""
    known = _PLAIN_UPDATES.get(mapper)
    if known is None:
        table = mapper.local_table
        known = _PLAIN_UPDATES[mapper] = (
            mapper.inherits is None and len(mapper.tables) == 1 and not mapper.dispatch.before_update
            and not mapper.dispatch.after_update and mapper.base_mapper.eager_defaults is not True
            and (mapper.version_id_col is None or mapper.version_id_generator is not False)
            and all(c.onupdate is None and c.server_onupdate is None for c in table.c)
            and all(len(prop.columns) == 1 and prop.columns[0].table is table for prop in mapper.column_attrs)
        )
    return known


_PLAIN_UPDATES: dict[Any, bool] = {}


def _changed_columns(state: Any) -> tuple[dict[str, Any], Any] | None:
    """The columns the flush would SET for this record (attribute: value), or None to leave it to the flush."""
    mapper = state.mapper
    if not _plain_updates(mapper):
        return None
    committed = state.committed_state
    values = state.dict
    columns = mapper.column_attrs
    manager = state.manager
    changed: dict[str, Any] = {}
    version = mapper.version_id_col
    version_key = mapper.get_property_by_column(version).key if version is not None else None
    for key in committed:
        if key not in columns or key == version_key or key in mapper._pk_attr_keys_by_table[mapper.local_table]:
            return None  # related records, the version or the key itself changed: the flush knows how
        value = values.get(key, _NO_DEFAULT)
        if value is _NO_DEFAULT or hasattr(value, "__clause_element__") or isinstance(value, ClauseElement):
            return None
        if manager[key].impl.is_equal(value, committed[key]) is not True:
            changed[key] = value
    if not changed:
        return None
    return changed, state


def _update_statement(mapper: Any, keys: tuple[str, ...]) -> Any:
    statement = _UPDATES.get((mapper, keys))
    if statement is None:
        table = mapper.local_table
        where = [c == bindparam(f"pk_{c.key}") for c in mapper.primary_key]
        sets = {mapper.get_property(k).columns[0]: bindparam(f"new_{k}") for k in keys}
        if mapper.version_id_col is not None:
            where.append(mapper.version_id_col == bindparam("old_version"))
            sets[mapper.version_id_col] = bindparam("new_version")
        statement = _UPDATES[(mapper, keys)] = update(table).where(*where).values(sets)
    return statement


_UPDATES: dict[tuple[Any, tuple[str, ...]], Any] = {}


def _update_params(mapper: Any, values: dict[str, Any], state: Any) -> dict[str, Any]:
    params = {f"new_{k}": v for k, v in values.items()}
    for column, value in zip(mapper.primary_key, state.key[1]):
        params[f"pk_{column.key}"] = value
    if mapper.version_id_col is not None:
        old = state.dict[mapper.get_property_by_column(mapper.version_id_col).key]
        params["old_version"] = old
        params["new_version"] = mapper.version_id_generator(old)
    return params


_NO_DEFAULT = object()


class _Make:
    """A column default made by a function (``default=list``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self) -> Any:
        return self.fn(None)  # SQLAlchemy wraps it to take the execution context


class _Shape:
    """What a batch that hands out ids needs to know about a mapped class.

    Its per-record work (``prepare`` when a record is added, ``row`` when it is written)
    runs for every one of millions of demo records, so it is made once per class into
    plain functions of the record's ``__dict__`` instead of loops over the columns.
    """

    def __init__(self, cls: type) -> None:
        mapper = inspect(cls)
        self.table = mapper.local_table
        self.order = [t.name for t in mapper.local_table.metadata.sorted_tables].index(self.table.name)
        self.keys = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        column = mapper.primary_key[0]
        surrogate = len(self.keys) == 1 and column.autoincrement in (True, "auto") and column.type.python_type is int
        self.id_attr = self.keys[0] if surrogate else None
        self.id_column = column
        # Column defaults the INSERT would fill in: a record read before its flush needs them too.
        self.defaults: dict[str, Any] = {}  # attribute: default value, or a function making it
        self.columns: list[tuple[str, Any]] = []  # (attribute, default) in the table's column order
        for prop in mapper.column_attrs:
            col = prop.columns[0]
            default: Any = _NO_DEFAULT
            if col is mapper.version_id_col:
                default = 1  # the first version
            elif col.default is not None and col.default.is_scalar:
                default = col.default.arg
            elif col.default is not None and col.default.is_callable:
                default = _Make(col.default.arg)
            self.columns.append((prop.key, default))
            if default is not _NO_DEFAULT and not col.primary_key and col is not mapper.version_id_col:
                self.defaults[prop.key] = default
        self.default_keys = frozenset(self.defaults)
        self.column_keys = tuple(prop.columns[0].key for prop in mapper.column_attrs)
        # Foreign keys the flush would copy from a related record given as an object.
        self.related = tuple(rel.key for rel in mapper.relationships)
        self.cascading = tuple(rel.key for rel in mapper.relationships if "save-update" in rel.cascade)
        self.parents: list[tuple[str, list[tuple[str, str]]]] = []
        self.children: list[tuple[str, bool, list[tuple[str, str]]]] = []
        for rel in mapper.relationships:
            if rel.secondary is not None or rel.viewonly:
                continue
            if rel.direction is MANYTOONE:
                pairs = [(mapper.get_property_by_column(local).key, rel.mapper.get_property_by_column(remote).key)
                         for local, remote in rel.local_remote_pairs]
                self.parents.append((rel.key, pairs))
            elif rel.direction is ONETOMANY and not _linked_back(rel):
                pairs = [(mapper.get_property_by_column(local).key, rel.mapper.get_property_by_column(remote).key)
                         for local, remote in rel.local_remote_pairs]
                self.children.append((rel.key, bool(rel.uselist), pairs))
        self.prepare, self.row, self.ident, self.adopt = self._compile()

    def _compile(self) -> tuple[Callable[[dict[str, Any]], None], Callable[[Any], tuple[Any, ...]],
                                Callable[[dict[str, Any]], tuple[Any, ...]], Callable[[dict[str, Any]], None] | None]:
        """Make the per-record work plain functions of the record's values (``__dict__``).

        ``prepare(values)``: the defaults it lacks, the foreign keys of related records
        given as objects. ``row(record)``: the same foreign keys again, the row in column
        order (None stands for the default, as in a flush), and the record lets go of its
        related records (so they are freed without the cycle collector). ``ident(values)``:
        its primary key. ``adopt(values)``: the ids of the new children named only through
        its collections (None when it has none).
        """
        names: dict[str, Any] = {"state_of": instance_state}

        def constant(value: Any) -> str:
            name = f"d{len(names)}"
            names[name] = value
            return name

        def made(default: Any) -> str:  # an expression giving the default's value
            if type(default) is _Make:
                return f"{constant(default.fn)}(None)"
            return constant(default)

        link = []
        for key, pairs in self.parents:
            link += [f"    p = s.get({key!r})", "    if p is not None:", "        d = p.__dict__"]
            for local, remote in pairs:
                link += [f"        v = d.get({remote!r})", "        if v is not None:", f"            s[{local!r}] = v"]
        fill = [f"    if {key!r} not in s:\n        s[{key!r}] = {made(default)}" for key, default in self.defaults.items()]
        values = [
            f"g({attr!r})" if default is _NO_DEFAULT else f"(v if (v := g({attr!r})) is not None else {made(default)})"
            for attr, default in self.columns
        ]
        release = [f"    pop({key!r}, None)" for key in self.related]
        adopt = []
        for key, many, pairs in self.children:
            copy = [f"            c[{remote!r}] = s.get({local!r})" for local, remote in pairs]
            if many:
                adopt += [f"    for child in s.get({key!r}) or ():"]
            else:
                adopt += [f"    child = s.get({key!r})", "    if child is not None:"]
            adopt += ["        if state_of(child).key is None:", "            c = child.__dict__", *copy]
        source = "\n".join([
            "def prepare(s):", *fill, *link, "    pass",
            "def row(record):", "    s = record.__dict__", *link, "    g = s.get", f"    row = ({', '.join(values)},)",
            "    pop = s.pop", *release, "    return row",
            "def ident(s):", f"    return ({', '.join(f's.get({k!r})' for k in self.keys)},)",
            "def adopt(s):", *adopt, "    pass",
        ])
        exec(compile(source, f"<batch shape of {self.table.name}>", "exec"), names)  # noqa: S102 - names are mapped attributes
        return names["prepare"], names["row"], names["ident"], names["adopt"] if self.children else None


def _linked_back(rel: Any) -> bool:
    """Whether a child put in this collection names its parent itself (a backref), so that
    ``row`` copies the parent's id from there and nothing needs to look into the collection."""
    for back in rel._reverse_property:
        if (back.direction is MANYTOONE and back.secondary is None and not back.viewonly
                and sorted((r.key, l.key) for l, r in back.local_remote_pairs)
                == sorted((l.key, r.key) for l, r in rel.local_remote_pairs)):
            return True
    return False


def _encode_json() -> Callable[[Any], str]:
    """``json.dumps`` with its default settings, without making a new encoder for every value."""
    if json_encoder.c_make_encoder is None:
        return json.dumps
    plain = json.JSONEncoder()
    encode = json_encoder.c_make_encoder(
        None, plain.default, json_encoder.encode_basestring_ascii, None, plain.key_separator,
        plain.item_separator, plain.sort_keys, plain.skipkeys, plain.allow_nan,
    )
    return lambda value: "".join(encode(value, 0))


_JSON_TEXT = _encode_json()


_NATIVE = (str, int, float, list, tuple, dict, type(None))  # what JSON encodes without asking


def _encode_payloads(payloads: Sequence[dict[str, Any] | None]) -> list[str | None]:
    """The audit rows' ``before``/``after`` as their JSON columns write ``_jsonable`` of them.

    In one pass: JSON asks only for the values it has no form for (decimals, times; enum
    values are text already) and they are converted as ``_jsonable`` would. Should it ask
    for one below the top level, which ``_jsonable`` leaves alone, the payload takes the
    plain way (and fails there, as it always did).
    """
    null = _PAYLOAD_NULL
    if json_encoder.c_make_encoder is None:
        return [null if p is None else _JSON_TEXT(_jsonable(p)) for p in payloads]
    asked: list[Any] = []

    def default(value: Any) -> Any:
        converted = _jsonable_value(value)
        if converted is value:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        asked.append(value)
        return converted

    plain = json.JSONEncoder()
    encode = json_encoder.c_make_encoder(
        None, default, json_encoder.encode_basestring_ascii, None, plain.key_separator,
        plain.item_separator, plain.sort_keys, plain.skipkeys, plain.allow_nan,
    )
    out: list[str | None] = []
    for payload in payloads:
        if payload is None:
            out.append(null)
            continue
        text = "".join(encode(payload, 0))
        if asked:
            if len(asked) != sum(not isinstance(v, _NATIVE) for v in payload.values()):
                text = _JSON_TEXT(_jsonable(payload))
            asked.clear()
        out.append(text)
    return out


def _json_column(process: Callable[[Any], Any], none_as_null: bool) -> Callable[[Sequence[Any]], list[Any]]:
    """A JSON column's conversion, its dicts (the audit payloads) and Nones encoded at once."""
    text = _JSON_TEXT
    null = None if none_as_null else "null"  # what the type's own conversion makes of None

    def run(values: Sequence[Any]) -> list[Any]:
        return [null if v is None else text(v) if type(v) is dict else process(v) for v in values]

    return run


_SQLITE_DATETIME = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"


def _times_column(process: Callable[[Any], Any], iso: bool) -> Callable[[Sequence[Any]], list[Any]]:
    """Convert a column of dates or times once per distinct value (many events share a time).

    ``iso``: the column's text is a naive time's ``isoformat(" ", "microseconds")``
    (SQLite's default storage format), made without going through a format string.
    """
    plain = dt.datetime
    isoformat = plain.isoformat

    def run(values: Sequence[Any]) -> list[Any]:
        distinct = dict.fromkeys(values)
        for value in distinct:
            if iso and type(value) is plain and value.tzinfo is None:
                distinct[value] = isoformat(value, " ", "microseconds")
            elif getattr(value, "tzinfo", None) is not None:  # equal aware times may be written differently
                return list(map(process, values))
            else:
                distinct[value] = process(value)
        return list(map(distinct.__getitem__, values))

    return run


class _Insert:
    """A multi-row INSERT compiled once by SQLAlchemy, its values converted by the columns' own types.

    The same statement and conversions ``connection.execute(table.insert(), rows)`` uses,
    without its bookkeeping for every row, which costs more than SQLite's work here.
    """

    _cache: dict[tuple[str, Any, tuple[str, ...]], _Insert] = {}

    def __init__(self, table: Any, keys: tuple[str, ...], dialect: Any) -> None:
        compiled = table.insert().compile(dialect=dialect, column_keys=list(keys))
        order = compiled.positiontup
        if order is None or sorted(order) != sorted(keys):
            raise LookupError("not a plain positional INSERT of these columns")
        self.sql = compiled.string
        self.fields: list[tuple[int, Callable[[Sequence[Any]], Sequence[Any]] | None]] = []
        for k in order:
            column_type = table.c[k].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            column: Callable[[Sequence[Any]], Sequence[Any]] | None = None
            if process is None:
                pass
            elif isinstance(column_type, (DateTime, Date)) and not getattr(column_type, "timezone", False):
                impl = column_type.dialect_impl(dialect)
                iso = isinstance(column_type, DateTime) and getattr(impl, "_storage_format", None) == _SQLITE_DATETIME
                column = _times_column(process, iso)
            elif (isinstance(column_type, JSON) and dialect._json_serializer is None
                  and column_type._str_impl.bind_processor(dialect) is None):
                column = _json_column(process, column_type.none_as_null)
            else:
                column = functools.partial(_each, process)
            self.fields.append((keys.index(k), column))
        # Rows passed as they are when nothing needs converting or reordering.
        self.as_is = [(i, c) for i, c in self.fields] == [(i, None) for i in range(len(keys))]

    @classmethod
    def run(cls, connection: Any, table: Any, keys: tuple[str, ...], rows: list[tuple[Any, ...]],
            convert: dict[str, Callable[[Sequence[Any]], Sequence[Any]]] | None = None) -> None:
        """Insert ``rows`` (values in the order of ``keys``; ``convert``: columns converted otherwise)."""
        if not rows:
            return
        dialect = connection.dialect
        key = (dialect.name, table, keys)
        insert_ = cls._cache.get(key)
        if insert_ is None:
            try:
                insert_ = cls._cache[key] = cls(table, keys, dialect)
            except LookupError:
                if convert:
                    rows = list(zip(*[convert[k](c) if k in convert else c for k, c in zip(keys, zip(*rows))]))
                connection.execute(table.insert(), [dict(zip(keys, row)) for row in rows])
                return
        fields = insert_.fields
        if convert:
            fields = [(i, convert.get(keys[i], column)) for i, column in fields]
        elif insert_.as_is:
            connection.exec_driver_sql(insert_.sql, rows)
            return
        # Column by column: each column's conversion mapped over its values.
        columns = list(zip(*rows))
        converted = [columns[i] if column is None else column(columns[i]) for i, column in fields]
        connection.exec_driver_sql(insert_.sql, list(zip(*converted)))


def _each(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    return list(map(process, values))


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _Shape(cls)
    return shape


def _on_pending(session: Session, state: Any) -> None:
    cls = state.class_
    shape = _SHAPES.get(cls) or _shape(cls)
    values = state.dict  # a pending record's values are written as they stand
    shape.prepare(values)
    info = session.info
    id_attr = shape.id_attr
    if id_attr is not None and values.get(id_attr) is None:
        counters = info[_NEXT_ID]
        last = counters.get(shape.id_column)
        if last is None:
            last = session.execute(select(func.max(shape.id_column))).scalar() or 0
        counters[shape.id_column] = last + 1
        values[id_attr] = last + 1
    record = state.obj()
    new = info[_NEW]
    records = new.get(cls)
    if records is None:
        records = new[cls] = []
    records.append(record)
    ident = shape.ident(values)
    if None not in ident:
        known = info[_KNOWN]
        found = known.get(cls)
        if found is None:
            found = known[cls] = {}
        found[ident] = record


def _on_loaded(session: Session, state: Any) -> None:
    session.info[_KNOWN].setdefault(state.class_, {})[state.identity] = state.obj()


def _on_gone(session: Session, state: Any) -> None:
    known = session.info[_KNOWN].get(state.class_)
    new = session.info[_NEW].get(state.class_)
    if not known and not new:  # nothing held (as when the batch lets go of what it has written)
        return
    record = state.obj()
    if known:
        for ident, other in list(known.items()):
            if other is record:
                del known[ident]
    if new and record in new:
        new.remove(record)


_VALUES = operator.attrgetter("__dict__")


def unflushed(session: Session, cls: type[R], **equal: Any) -> list[R]:
    """New records of ``cls`` (with these column values) that a batch handing out ids holds unwritten.

    Queries cannot see them before the batch ends, so a service looking for a clash
    (one open order per vehicle, one vehicle per plate) looks here as well. Outside such
    a batch there are none.
    """
    new = session.info.get(_NEW)
    records = new.get(cls) if new else None
    if not records:
        return []
    if not equal:
        return list(records)
    # A new record's values are all in its __dict__ (no attribute machinery needed to read them).
    if len(equal) == 1:
        ((key, value),) = equal.items()
        values = map(operator.methodcaller("get", key), map(_VALUES, records))
        return list(itertools.compress(records, map(operator.eq, values, itertools.repeat(value))))
    wanted = tuple(equal.items())
    return [r for r in records if all(r.__dict__.get(k) == v for k, v in wanted)]


def flush_for_id(session: Session, record: Any) -> None:
    """Make sure a new record has its id: flush, unless a batch has handed it out already."""
    if record.id is None:
        session.flush()


@dataclass
class Tx:
    """One service call's transaction."""

    session: Session
    actor: Actor
    now: dt.datetime
    settings: Settings
    action: str
    sink: list[dict[str, Any]] = field(default_factory=list)
    # In a batch that writes its audit rows itself (SQLite) the payloads are converted as they
    # are encoded, at the end (``_encode_payloads``); here they are only copied.
    raw_payloads: bool = False

    def audit(
        self,
        entity: str,
        entity_id: int | Any | None,
        *,
        order_id: int | Any | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        action: str | None = None,
    ) -> None:
        """Record the change; ids may be given as the (maybe not yet flushed) records themselves."""
        if self.raw_payloads:
            before = None if before is None else dict(before)
            after = None if after is None else dict(after)
        else:
            before = _jsonable(before)
            after = _jsonable(after)
        row = dict(
            store_id=self.actor.store_id,
            at=self.now,
            user_id=self.actor.user_id,
            action=action or self.action,
            entity=entity,
            entity_id=entity_id,
            order_id=order_id,
            before=before,
            after=after,
        )
        self.sink.append(row)


_PAYLOAD_NULL = None if AuditEvent.__table__.c.before.type.none_as_null else "null"  # as the JSON type writes None
_AUDIT_KEYS = ("store_id", "at", "user_id", "action", "entity", "entity_id", "order_id", "before", "after")  # Tx.audit's rows
_SEALED_KEYS = (*_AUDIT_KEYS, "prev_hash", "hash")
_AS_ENCODED = {"before": list, "after": list}  # payloads already encoded (and sealed as encoded)
_audit_values = operator.itemgetter(*_AUDIT_KEYS)
_CHAIN_HEADS = "frontdesk.chain_heads"  # session.info key in a batch: {store_id: head} of the stores it has locked


def lock_chain(session: Session, store_id: int) -> str | None:
    """Lock the store's row and read the head of its audit chain (services/audit_chain.py).

    A service call takes it FIRST, before the service reads or locks anything else: the
    writers of one store then append one after another, each after the last committed event
    (the chain never forks, and event ids follow it), and a lock every writer takes first
    cannot close a deadlock among them. NO KEY UPDATE, as the UPDATE of the counter needs:
    rows naming the store may still be inserted meanwhile. On SQLite the write transaction
    holds the whole database already and FOR UPDATE is left out.
    """
    return session.execute(
        select(Store.audit_head).where(Store.id == store_id).with_for_update(key_share=True)
    ).scalar()


def seal_events(session: Session, store_id: int, head: str | None, rows: list[dict[str, Any]]) -> None:
    """Seal ``rows`` (Tx.audit's, ids resolved, payloads JSON-able) after ``head``, insert them,
    and move the store's chain head and change counter on; the store row is locked (``lock_chain``)."""
    sealed = seal_chain(head, store_id, [
        (r["at"], r["user_id"], r["action"], r["entity"], r["entity_id"], r["order_id"], payload_text(r["before"]),
         payload_text(r["after"])) for r in rows])
    for row, (prev_hash, own) in zip(rows, sealed, strict=True):
        row["prev_hash"] = prev_hash
        row["hash"] = own
    session.execute(insert(AuditEvent), rows)
    session.execute(update(Store).where(Store.id == store_id)
                    .values(change_seq=Store.change_seq + 1, audit_head=sealed[-1][1]))


def _write_batch_audits(session: Session, audits: list[dict[str, Any]], assign: bool) -> None:
    """A batch's audit events, sealed in one pass and written with one INSERT, in the order recorded.

    Where the batch writes rows itself (``assign``), the payloads are encoded here instead of
    by the INSERT, and the hash is made of that very text (``_encode_payloads`` writes what
    ``payload_text`` would: ``json.dumps`` of ``_jsonable``), so nothing is encoded twice.
    """
    rows = list(map(_resolved, audits))
    heads: dict[int, str | None] = session.info.setdefault(_CHAIN_HEADS, {})
    stores = list(dict.fromkeys(r["store_id"] for r in rows))
    for store_id in stores:
        if store_id not in heads:  # (every call of the batch locked its store already)
            heads[store_id] = lock_chain(session, store_id)
    if assign:
        columns = list(zip(*map(_audit_values, rows)))
        columns[7], columns[8] = befores, afters = _encode_payloads(columns[7]), _encode_payloads(columns[8])
        if _PAYLOAD_NULL is None:
            befores, afters = (["null" if t is None else t for t in texts] for texts in (befores, afters))
    else:
        columns = list(zip(*map(_audit_values, rows)))
        befores, afters = list(map(payload_text, columns[7])), list(map(payload_text, columns[8]))
    fields = list(zip(*columns[1:7], befores, afters))
    seals: list[tuple[str | None, str]] = []
    if len(stores) == 1:
        seals = seal_chain(heads[stores[0]], stores[0], fields)
        heads[stores[0]] = seals[-1][1]
    else:
        seals = [None] * len(rows)  # type: ignore[list-item]
        for store_id in stores:
            picked = [i for i, s in enumerate(columns[0]) if s == store_id]
            chained = seal_chain(heads[store_id], store_id, [fields[i] for i in picked])
            for i, pair in zip(picked, chained, strict=True):
                seals[i] = pair
            heads[store_id] = chained[-1][1]
    if assign:
        prevs, hashes = zip(*seals)
        _Insert.run(session.connection(), AuditEvent.__table__, _SEALED_KEYS, list(zip(*columns, prevs, hashes)),
                    convert=_AS_ENCODED)
    else:
        for row, (prev_hash, own) in zip(rows, seals, strict=True):
            row["prev_hash"] = prev_hash
            row["hash"] = own
        session.connection().execute(AuditEvent.__table__.insert(), rows)
    for store_id in stores:
        session.execute(update(Store).where(Store.id == store_id)
                        .values(change_seq=Store.change_seq + 1, audit_head=heads[store_id]))


def _resolved(row: dict[str, Any]) -> dict[str, Any]:
    """Audit rows name records by object until the flush has given them ids."""
    value = row["entity_id"]
    if value is not None and not isinstance(value, int):
        row["entity_id"] = value.id
    value = row["order_id"]
    if value is not None and not isinstance(value, int):
        row["order_id"] = value.id
    return row


def _jsonable_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):
        return value.value
    return value


def _keep(value: Any) -> Any:
    return value


def _converter(kind: type) -> Callable[[Any], Any]:
    """How ``_jsonable_value`` treats every value of this exact type, found once per type."""
    if kind in (str, int, bool, float, type(None), list, dict, tuple):
        return _keep
    if kind is Decimal:
        return str
    if kind is dt.datetime or kind is dt.date:
        return kind.isoformat
    if (issubclass(kind, enum.Enum) and not issubclass(kind, (Decimal, dt.date))
            and all(isinstance(member.value, str) for member in kind)):  # every member's value is text
        return operator.attrgetter("value")
    return _jsonable_value  # asked value by value


_CONVERTERS: dict[type, Callable[[Any], Any]] = {}
_PLAIN = frozenset({str, int, bool, float, type(None), list, dict, tuple})  # kept as they are


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The payload with decimals as text, times in ISO form and enums as their values."""
    if data is None:
        return None
    if _PLAIN.issuperset(map(type, data.values())):  # nothing to convert
        return dict(data)
    out: dict[str, Any] = {}
    converters = _CONVERTERS
    for key, value in data.items():
        kind = type(value)
        convert = converters.get(kind)
        if convert is None:
            convert = converters[kind] = _converter(kind)
        out[key] = convert(value)
    return out


REGISTRY: dict[str, Callable[..., Any]] = {}


def require(actor: Actor, action: str) -> None:
    if actor.role not in PERMISSIONS[action]:
        raise PermissionDenied(
            _("Your role ({role}) may not do this ({action}).").format(role=label(ROLE, actor.role), action=action)
        )


def service(action: str) -> Callable[[Callable[Concatenate[Tx, P], R]], Callable[Concatenate[Services, Actor, P], R]]:
    """Make ``fn(tx, ...)`` a service ``fn(services, actor, ...)`` guarded by ``action``."""
    if action not in PERMISSIONS:
        raise KeyError(f"no permission entry for {action}")

    def decorate(fn: Callable[Concatenate[Tx, P], R]) -> Callable[Concatenate[Services, Actor, P], R]:
        @functools.wraps(fn)
        def run(services: Services, actor: Actor, /, *args: P.args, **kwargs: P.kwargs) -> R:
            require(actor, action)
            check_arguments(fn, action, args, kwargs)  # the text rule, before any transaction
            if services._batch is not None:
                return _call(fn, services._batch, services, actor, action, args, kwargs, services._batch_audits)
            try:
                with services.db.session() as session:
                    with session.begin():
                        return _call(fn, session, services, actor, action, args, kwargs)
            except StaleDataError as exc:
                raise ConflictError(
                    _("Someone else changed this record a moment ago. Reload it and try again.")
                ) from exc
            except IntegrityError as exc:
                raise ConflictError(
                    _("This conflicts with a record saved at another terminal. Reload and try again.")
                ) from exc
            except OverflowError as exc:  # SQLite cannot even look up an integer beyond 64 bits
                raise ValidationError("number", _("The number is too large.")) from exc
            except DBAPIError as exc:  # busy, read-only, ...: by the driver's code, never its text (it holds the SQL)
                mapped = user_error(exc, services.db.url)
                if mapped is None:
                    raise
                raise mapped from exc

        run.action = action  # type: ignore[attr-defined]
        REGISTRY[f"{fn.__module__}.{fn.__name__}"] = run
        return run

    return decorate


def _call(
    fn: Callable[..., R],
    session: Session,
    services: Services,
    actor: Actor,
    action: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    sink: list[dict[str, Any]] | None = None,
) -> R:
    # The store's row first, before the service touches anything (lock_chain); once per batch.
    if sink is None:
        head = lock_chain(session, actor.store_id)
    else:
        heads = session.info.get(_CHAIN_HEADS)
        if heads is None:
            heads = session.info[_CHAIN_HEADS] = {}
        if actor.store_id not in heads:
            heads[actor.store_id] = lock_chain(session, actor.store_id)
    tx = Tx(session=session, actor=actor, now=services.clock(), settings=services.settings, action=action,
            raw_payloads=type(session) is _BatchSession)
    result = fn(tx, *args, **kwargs)
    if not tx.sink:
        raise RuntimeError(f"service {action} wrote no audit event")
    if sink is not None:  # in a batch: written when the batch ends
        sink.extend(tx.sink)
        return result
    session.flush()
    seal_events(session, actor.store_id, head, [_resolved(a) for a in tx.sink])
    return result


def check_version(record: Any, expected: int | None) -> None:
    """Raise ConflictError when the terminal's copy is older than the database's."""
    if expected is not None and record.version != expected:
        raise ConflictError(
            _("This record was changed at another terminal (version {theirs}, yours {ours}). Reload it.").format(
                theirs=record.version, ours=expected
            )
        )


__all__ = [
    "Actor",
    "FrontdeskError",
    "REGISTRY",
    "Services",
    "Tx",
    "check_version",
    "flush_for_id",
    "require",
    "service",
    "system_now",
    "unflushed",
]
