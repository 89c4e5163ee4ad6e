"""Many service calls in one transaction, their records written in bulk: what makes ``frontdesk demo`` fast.

Only the demo generator uses it (through ``Services.batch``); a desk's service call never
comes here. The calls are the same service calls a desk makes, so the demo obeys every rule
of the real thing; only their bookkeeping is gathered:

* the audit events of the whole batch are sealed into their store's hash chain in one pass
  (services/audit_chain.py) and inserted together; the store's chain head and change
  counter move once, at the end;
* stock levels are looked up once per batch (``STOCK_LEVELS``);
* ``assign_ids`` (SQLite, which holds the write lock for the whole batch): a new record gets
  its id when it is added (the batch counts on from the table's highest id), so nothing is
  flushed until the batch ends, and every new record is written once, in its final state,
  with one executemany INSERT per table; the loaded records the batch changed are written
  with one ORM bulk UPDATE by primary key per table, versions checked. The services find the
  new records by id as usual (``session.get``) and look for clashes among them
  (``context.unflushed``); foreign keys are checked at commit. When the batch ends it lets go
  of its records: their columns stay readable, their related records do not (a bulk load does
  not keep millions of objects alive). Elsewhere (PostgreSQL) the flag is ignored and the
  services flush when they need an id.

All of it on SQLAlchemy's public API (session and instance events, ``Session.get``,
``inspect()``, ``make_transient``, ``set_committed_value``, ORM bulk ``update()``, a Core
``insert()`` compiled once and sent through ``Connection.exec_driver_sql``), so an upgrade of
SQLAlchemy needs no reading of its internals; tests/test_batch_write.py holds the results to the
plain path's (the ORM's flush) and keeps private names out.
"""

from __future__ import annotations

import json
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, cast

from sqlalchemy import Date, DateTime, Table, event, func, inspect, insert, select, text, update
from sqlalchemy.orm import MANYTOONE, ONETOMANY, InstanceState, Mapper, Session, make_transient
from sqlalchemy.orm.attributes import set_committed_value

from frontdesk.model import AuditEvent, Base, Store

from .audit_chain import payload_text, seal_chain
from .context import CHAIN_HEADS, NEW_RECORDS, READS, STOCK_LEVELS, _resolved, lock_chain
from .payloads import jsonable, jsonable_value
from .runtime import Services


@contextmanager
def batch_session(services: Services, *, assign_ids: bool = False) -> Iterator[Session]:
    """Run many service calls in one transaction; see the module's docstring."""
    if services._batch is not None:
        raise RuntimeError("batches do not nest")
    assign = assign_ids and services.db.is_sqlite
    with (BatchSession(services.db.engine, expire_on_commit=False) if assign else services.db.session()) as session:
        audits: list[dict[str, Any]] = []
        services._batch, services._batch_audits = session, audits
        session.autoflush = False  # flushing once per batch instead of before every query is most of the speed-up
        session.info[STOCK_LEVELS] = {}
        cache: tuple[Any, int] | None = None
        try:
            with session.begin():
                if assign:
                    session.execute(text("PRAGMA defer_foreign_keys = ON"))
                    cache = _larger_cache(session)
                    session.info[READS] = {}  # nothing is written until it ends: a read asked again is answered once
                with _plain_construction() if assign else nullcontext():
                    yield session
                if isinstance(session, BatchSession):
                    session.write()
                else:
                    session.flush()
                if audits:
                    _write_audits(session, [_resolved(a) for a in audits], as_text=assign)
        finally:
            services._batch, services._batch_audits = None, []
            session.info.clear()
            if cache is not None:  # committed: the connection goes back to the pool as it came
                cache[0].execute(f"PRAGMA cache_size = {cache[1]}")


# SQLite's page cache while a batch runs (KiB): a week of the demo changes some thousands of pages
# all over the tables' indexes; with the default 2 MB most of them are spilled to the log and read
# back before the batch ends, more of them the larger the store grows.
BATCH_CACHE_KIB = 256 * 1024


def _larger_cache(session: Session) -> tuple[Any, int]:
    """Give the batch's connection a page cache for the whole batch (set back once it is committed:
    shrunk before, the cache would spill what it holds); returns the driver's connection and its setting."""
    connection = session.connection()
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = {-BATCH_CACHE_KIB}")
    return connection.connection.dbapi_connection, before


@contextmanager
def _plain_construction() -> Iterator[None]:
    """While the batch runs (in this thread), a record made with column values only takes them as they stand.

    The constructor sets them one by one through the attributes' bookkeeping (history,
    events), the larger part of making a demo record; a record nobody has read has no history
    to keep, and the batch writes its values as they stand. ``InstanceEvents.init`` may empty
    the constructor's keywords: they go into the record's ``__dict__`` instead. Classes with their
    own ``__init__``, validators or attribute listeners, and records given related records, are
    made as usual.
    """
    owner = threading.get_ident()

    def take(record: Any, args: Any, kwargs: dict[str, Any]) -> None:
        if kwargs and threading.get_ident() == owner:
            columns = (_SHAPES.get(type(record)) or _shape(type(record))).plain_init
            if columns is not None and kwargs.keys() <= columns:
                record.__dict__.update(kwargs)
                kwargs.clear()

    event.listen(Base, "init", take, propagate=True)
    try:
        yield
    finally:
        event.remove(Base, "init", take)


class BatchSession(Session):
    """A session that hands out ids itself, finds unwritten records by id, and writes them in bulk.

    Every record added gets the next id of its table at once and the column defaults its
    INSERT would get; every record added or loaded is kept until the batch ends, so ``get``
    answers from memory instead of flushing and querying.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records_by_id: dict[type, dict[tuple[Any, ...], Any]] = {}
        self.records_added: dict[type, list[Any]] = {}
        self.info[NEW_RECORDS] = self.records_added
        self.last_ids: dict[Table, int] = {}
        event.listen(self, "transient_to_pending", _on_added, raw=True)
        event.listen(self, "loaded_as_persistent", _on_loaded, raw=True)
        event.listen(self, "persistent_to_deleted", _on_gone, raw=True)
        event.listen(self, "pending_to_transient", _on_gone, raw=True)

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        if not kwargs and isinstance(ident, (int, str, tuple)):
            known = self.records_by_id.get(entity)
            if known is not None:
                record = known.get(ident if type(ident) is tuple else (ident,))
                if record is not None:
                    return record
        return super().get(entity, ident, **kwargs)

    def write(self) -> None:
        """Insert the new records table by table, update the changed loaded ones, and let go of them all.

        The loaded records' changes go as the flush would send them (the same UPDATEs, the same
        version check); anything less plain (a deletion, a changed link between loaded records,
        update events) is left to the flush itself.
        """
        groups = self.records_added
        pending = list(self.new)
        if sum(map(len, groups.values())) != len(pending):  # some were flushed or let go of meanwhile
            groups = {}
            for record in pending:
                groups.setdefault(type(record), []).append(record)
        shapes = {cls: _shape(cls) for cls in groups}
        for cls, records in groups.items():
            shapes[cls].adopt(records)
        changes = None if self.deleted else _changes(self.dirty)
        connection = self.connection()
        for cls in sorted(groups, key=lambda c: shapes[c].order):
            shape = shapes[cls]
            _insert(connection, shape.table, shape.column_keys, list(map(shape.row, groups[cls])))
        self.records_by_id.clear()  # written: nothing more to find by id
        self.records_added.clear()
        event.remove(self, "pending_to_transient", _on_gone)  # (nothing is held for them any more)
        try:
            if changes is not None:
                _update(self, changes)
                self.expunge_all()  # everything is written
                return
            for record in pending:  # the flush below must not insert them again
                make_transient(record)
        finally:
            event.listen(self, "pending_to_transient", _on_gone, raw=True)
        self.flush()


def _on_added(session: BatchSession, state: InstanceState[Any]) -> None:
    values = state.dict  # a pending record's values are written as they stand
    cls = state.mapper.class_
    shape = _SHAPES.get(cls) or _shape(cls)
    shape.prepare(values)
    if shape.id_attr is not None and values.get(shape.id_attr) is None:
        last = session.last_ids.get(shape.table)
        if last is None:
            last = session.execute(select(func.max(shape.id_column))).scalar() or 0
        values[shape.id_attr] = session.last_ids[shape.table] = last + 1
    record = state.object
    added = session.records_added.get(cls)
    if added is None:
        added = session.records_added[cls] = []
    added.append(record)
    ident = shape.ident(values)
    if None not in ident:
        session.records_by_id.setdefault(cls, {})[ident] = record


def _on_loaded(session: BatchSession, state: InstanceState[Any]) -> None:
    session.records_by_id.setdefault(state.mapper.class_, {})[tuple(state.identity or ())] = state.object


def _on_gone(session: BatchSession, state: InstanceState[Any]) -> None:
    cls, record = state.mapper.class_, state.object
    known = session.records_by_id.get(cls)
    if known:
        for ident, other in list(known.items()):
            if other is record:
                del known[ident]
    added = session.records_added.get(cls)
    if added and record in added:
        added.remove(record)


Changes = dict[type, list[tuple[Any, dict[str, Any]]]]


def _changes(dirty: Iterable[Any]) -> Changes | None:
    """The changed columns of each changed loaded record, by class; None when something else changed
    (a link between loaded records, a key, the version by hand, a class with update events)."""
    changes: Changes = {}
    for record in dirty:
        shape = _shape(type(record))
        if not shape.plain_updates:
            return None
        state = inspect(record)
        values: dict[str, Any] = {}
        for key in shape.attributes.difference(state.unmodified):
            history = state.attrs[key].history
            if key in shape.collections:  # new children only: their own rows name the parent
                if history.deleted or not all(inspect(child).pending for child in history.added):
                    return None
            elif key not in shape.settable:
                return None
            elif not history.unchanged:  # (set again to the value it had: nothing to write)
                if len(history.added) != 1:
                    return None
                values[key] = history.added[0]
        if values:
            changes.setdefault(type(record), []).append((record, values))
    return changes


def _update(session: Session, changes: Changes) -> None:
    """ORM bulk UPDATE by primary key, table by table: each row's version checked (StaleDataError) and moved on."""
    for cls, rows in sorted(changes.items(), key=lambda item: _shape(item[0]).order):
        shape = _shape(cls)
        for record, values in rows:
            values.update((key, record.__dict__[key]) for key in shape.keys)
            if shape.version_key is not None:
                values[shape.version_key] = record.__dict__[shape.version_key]
        session.execute(update(cls), [values for _record, values in rows])
        if shape.version_key is not None:
            for record, values in rows:
                set_committed_value(record, shape.version_key, shape.next_version(values[shape.version_key]))


_NO_DEFAULT = object()


class _Made:
    """A column default made by a function (``default=list``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self) -> Any:
        return self.fn(None)  # SQLAlchemy wraps it to take the execution context


class _Shape:
    """What the batch needs to know about a mapped class, found once per class."""

    def __init__(self, cls: type) -> None:
        mapper: Mapper[Any] = inspect(cls)
        self.table = table = cast(Table, mapper.local_table)
        self.order = table.metadata.sorted_tables.index(table)
        self.keys = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        column = mapper.primary_key[0]
        surrogate = len(self.keys) == 1 and column.autoincrement in (True, "auto") and column.type.python_type is int
        self.id_attr = self.keys[0] if surrogate else None
        self.id_column = column
        first = self.keys[0]
        self.ident: Callable[[dict[str, Any]], tuple[Any, ...]] = (
            (lambda values: (values.get(first),)) if len(self.keys) == 1
            else (lambda values: tuple(values.get(key) for key in self.keys)))
        version = mapper.version_id_col
        self.version_key = None if version is None else mapper.get_property_by_column(version).key
        self.next_version = cast(Callable[[Any], Any], mapper.version_id_generator)  # (when plain_updates)
        # Each column's default as its INSERT would fill it in (a record read before it is written needs it too).
        columns: list[tuple[str, str, Any]] = []  # (attribute, column, default)
        for prop in mapper.column_attrs:
            col = prop.columns[0]
            default: Any = _NO_DEFAULT
            if col is version:
                default = 1  # the first version
            elif col.default is not None and col.default.is_scalar:
                default = col.default.arg
            elif col.default is not None and col.default.is_callable:
                default = _Made(col.default.arg)
            columns.append((prop.key, col.key, default))
        self.defaults = {attr: default for attr, _c, default in columns
                         if default is not _NO_DEFAULT and attr not in self.keys and attr != self.version_key}
        self.attribute_order = [attr for attr, _c, _d in columns]
        self.column_keys = tuple(column for _a, column, _d in columns)
        self.defaulted = [(n, default) for n, (_a, _c, default) in enumerate(columns) if default is not _NO_DEFAULT]
        # Foreign keys the flush would copy from a related record given as an object: from a parent
        # named by a many-to-one link, and into a child put in a collection that has no link back.
        self.related = tuple(rel.key for rel in mapper.relationships)
        self.collections = frozenset(rel.key for rel in mapper.relationships if rel.direction is ONETOMANY)
        self.parents: list[tuple[str, list[tuple[str, str]]]] = []
        self.children: list[tuple[str, bool, list[tuple[str, str]]]] = []
        for rel in mapper.relationships:
            if rel.secondary is not None or rel.viewonly:
                continue
            pairs = [(mapper.get_property_by_column(local).key, rel.mapper.get_property_by_column(remote).key)
                     for local, remote in rel.local_remote_pairs]
            if rel.direction is MANYTOONE:
                self.parents.append((rel.key, pairs))
            elif rel.direction is ONETOMANY and not rel.back_populates and not rel.backref:
                self.children.append((rel.key, bool(rel.uselist), pairs))
        # A loaded record's change the batch may write itself: plain columns, nothing the flush would add
        # (update events, onupdate columns, a version made elsewhere, more than one table).
        self.attributes = frozenset(mapper.attrs.keys())
        self.settable = frozenset(self.attribute_order) - {*self.keys, self.version_key}
        self.plain_updates = (
            mapper.inherits is None and not mapper.dispatch.before_update and not mapper.dispatch.after_update
            and (version is None or callable(self.next_version))
            and all(c.onupdate is None and c.server_onupdate is None for c in table.c)
            and all(len(prop.columns) == 1 and prop.columns[0].table is table for prop in mapper.column_attrs))
        # The column attributes a constructor may take as they stand (see _plain_construction).
        plain = (mapper.class_manager.original_init is Base.__init__ and not mapper.validators  # no own __init__
                 and not any(mapper.attrs[key].class_attribute.dispatch.set for key in self.attribute_order))
        self.plain_init = frozenset(self.attribute_order) if plain else None

    def link(self, values: dict[str, Any]) -> None:
        for key, pairs in self.parents:
            parent = values.get(key)
            if parent is not None:
                parent_values = parent.__dict__
                for local, remote in pairs:
                    value = parent_values.get(remote)
                    if value is not None:
                        values[local] = value

    def prepare(self, values: dict[str, Any]) -> None:
        """A new record's defaults and the ids of the related records it was given."""
        for key, default in self.defaults.items():
            if key not in values:
                values[key] = default() if type(default) is _Made else default
        if self.parents:
            self.link(values)

    def row(self, record: Any) -> list[Any]:
        """The record's INSERT values in column order (None stands for the default, as in a flush); it
        lets go of its related records, so that the batch's records are freed without the cycle collector."""
        values = record.__dict__
        if self.parents:
            self.link(values)
        row = list(map(values.get, self.attribute_order))
        for n, default in self.defaulted:
            if row[n] is None:
                row[n] = default() if type(default) is _Made else default
        for key in self.related:
            values.pop(key, None)
        return row

    def adopt(self, records: list[Any]) -> None:
        """Give the new children held only in these records' collections their parent's id."""
        for key, many, pairs in self.children:
            for record in records:
                values = record.__dict__
                held = values.get(key)
                for child in (held or ()) if many else (() if held is None else (held,)):
                    named = child.__dict__
                    if any(named.get(remote) != values.get(local) for local, remote in pairs) and inspect(child).pending:
                        for local, remote in pairs:
                            named[remote] = values.get(local)


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _Shape(cls)
    return shape


def _insert(connection: Any, table: Table, keys: tuple[str, ...], rows: Sequence[Sequence[Any]],
            as_they_are: frozenset[str] = frozenset()) -> None:
    """``connection.execute(insert(table), rows)``, rows given as values in the order of ``keys``.

    The same SQL, compiled once, and the same conversions (each column type's bind processor),
    but made column by column and sent as one executemany, instead of a parameter dict built and
    converted for every row, which costs more than SQLite's own work. Columns named in
    ``as_they_are`` go unconverted (the audit payloads, already the JSON text that was sealed).
    """
    if not rows:
        return
    dialect = connection.dialect
    plan = _INSERTS.get((dialect.name, table, keys))
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        names = compiled.positiontup  # the driver's parameters in order (None: named parameters)
        if names is None or sorted(names) != sorted(keys):
            connection.execute(insert(table), [dict(zip(keys, row)) for row in rows])  # (not SQLite)
            return
        fields: list[tuple[int, Callable[[Sequence[Any]], Sequence[Any]] | None]] = []
        for name in names:
            column_type = table.c[name].type
            process = None if name in as_they_are else column_type.dialect_impl(dialect).bind_processor(dialect)
            convert = None if process is None else (
                _once_per_value if isinstance(column_type, (DateTime, Date)) else _each)(process)
            fields.append((keys.index(name), convert))
        plan = _INSERTS[(dialect.name, table, keys)] = (compiled.string, fields)
    sql, fields = plan
    columns = list(zip(*rows))
    converted = [columns[n] if process is None else process(columns[n]) for n, process in fields]
    connection.exec_driver_sql(sql, list(zip(*converted)))


_INSERTS: dict[tuple[str, Table, tuple[str, ...]], tuple[str, list[tuple[int, Callable[[Sequence[Any]], Sequence[Any]] | None]]]] = {}


def _each(process: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    return lambda values: list(map(process, values))


def _once_per_value(process: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    """A column's conversion made once per distinct value (the batch's events share their times).

    Times with a zone are converted one by one: equal instants in two zones are written differently.
    """
    def run(values: Sequence[Any]) -> list[Any]:
        done: dict[Any, Any] = {}
        out = []
        for value in values:
            text_ = done.get(value)
            if text_ is None:
                text_ = process(value)
                if getattr(value, "tzinfo", None) is None:
                    done[value] = text_
            out.append(text_)
        return out

    return run


# json.dumps(jsonable(payload)) in one pass: the encoder asks only about the values it cannot write itself.
_encode = json.JSONEncoder(default=jsonable_value).encode
_AUDIT_KEYS = ("store_id", "at", "user_id", "action", "entity", "entity_id", "order_id", "before", "after",
               "prev_hash", "hash")
_audit_row = operator.itemgetter(*_AUDIT_KEYS)


def _write_audits(session: Session, rows: list[dict[str, Any]], *, as_text: bool) -> None:
    """The batch's audit events (payloads as given), sealed in one pass per store and inserted together.

    Every call of the batch locked its store's row already (``context._call``); ``as_text``
    (SQLite): the payloads are written as the very text that was sealed.
    """
    for row in rows:
        if as_text:
            row["before"] = "null" if row["before"] is None else _encode(row["before"])
            row["after"] = "null" if row["after"] is None else _encode(row["after"])
        else:
            row["before"], row["after"] = jsonable(row["before"]), jsonable(row["after"])
    text_of = (lambda payload: payload) if as_text else payload_text
    heads: dict[int, str | None] = session.info.setdefault(CHAIN_HEADS, {})
    stores = list(dict.fromkeys(row["store_id"] for row in rows))
    for store_id in stores:
        if store_id not in heads:
            heads[store_id] = lock_chain(session, store_id)
        mine = [row for row in rows if row["store_id"] == store_id] if len(stores) > 1 else rows
        sealed = seal_chain(heads[store_id], store_id, [
            (r["at"], r["user_id"], r["action"], r["entity"], r["entity_id"], r["order_id"], text_of(r["before"]),
             text_of(r["after"])) for r in mine])
        for row, (prev_hash, own) in zip(mine, sealed, strict=True):
            row["prev_hash"], row["hash"] = prev_hash, own
        heads[store_id] = sealed[-1][1]
    if as_text:
        _insert(session.connection(), cast(Table, AuditEvent.__table__), _AUDIT_KEYS, list(map(_audit_row, rows)),
                as_they_are=frozenset({"before", "after"}))
    else:
        session.execute(insert(AuditEvent), rows)
    for store_id in stores:
        session.execute(update(Store).where(Store.id == store_id)
                        .values(change_seq=Store.change_seq + 1, audit_head=heads[store_id]))
