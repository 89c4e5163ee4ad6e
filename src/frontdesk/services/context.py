"""How a service call runs: permission check, one transaction, one audit event, conflicts.

Every state-changing service is a function decorated with :func:`service`. It receives a
:class:`Tx` (the open session, the acting user, the time) and must record exactly one
audit event. Callers hold a :class:`Services` context (database, settings, clock) and an
:class:`Actor` (the logged-in user). The demo generator runs many calls inside one
``batch()`` transaction for speed; everything else commits per call.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import event, func, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import MANYTOONE, ONETOMANY, Session, make_transient
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.model import AuditEvent, Store

from .errors import ConflictError, FrontdeskError, PermissionDenied, ValidationError
from .permissions import PERMISSIONS
from .runtime import Actor, Services, system_now

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
                    rows = [_resolved(a) for a in self._batch_audits]
                    if assign:
                        _Insert.run(session.connection(), AuditEvent.__table__, _AUDIT_KEYS, list(map(_audit_values, rows)))
                    else:
                        session.connection().execute(AuditEvent.__table__.insert(), rows)
                    for store_id in {a["store_id"] for a in self._batch_audits}:
                        session.execute(update(Store).where(Store.id == store_id).values(change_seq=Store.change_seq + 1))
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
        self.info[_KNOWN] = {}
        self.info[_NEW] = {}
        self.info[_NEXT_ID] = {}
        event.listen(self, "transient_to_pending", _on_pending, raw=True)
        event.listen(self, "loaded_as_persistent", _on_loaded, raw=True)
        event.listen(self, "persistent_to_deleted", _on_gone, raw=True)
        event.listen(self, "pending_to_transient", _on_gone, raw=True)

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        if not kwargs and isinstance(ident, (int, str, tuple)):
            known = self.info[_KNOWN].get(entity)
            if known is not None:
                record = known.get(ident if type(ident) is tuple else (ident,))
                if record is not None:
                    return record
        return super().get(entity, ident, **kwargs)

    def write(self) -> None:
        """Write the new records table by table, let go of them, and flush the changed old ones."""
        new = list(self.new)
        if new:
            groups: dict[type, list[Any]] = {}
            for record in new:
                groups.setdefault(type(record), []).append(record)
            shapes = {cls: _shape(cls) for cls in groups}
            for cls, records in groups.items():  # children named only through a parent's collection
                for key, many, pairs in shapes[cls].children:
                    for record in records:
                        value = record.__dict__.get(key)
                        for child in (value or ()) if many else (value,) if value is not None else ():
                            child_state = inspect(child)
                            if child_state.key is None:
                                for local, remote in pairs:
                                    child_state.dict[remote] = record.__dict__.get(local)
            connection = self.connection()
            for cls in sorted(groups, key=lambda c: shapes[c].order):
                shape = shapes[cls]
                _Insert.run(connection, shape.table, shape.column_keys, [shape.row(r) for r in groups[cls]])
            self.info[_KNOWN].clear()  # written: nothing more to find by id
            self.info[_NEW].clear()
            for record in new:  # written: the flush below must not insert them again
                make_transient(record)
            for record in new:  # and let go of one another, so they are freed without the cycle collector
                values = record.__dict__
                for key in _shape(type(record)).related:
                    values.pop(key, None)
        self.flush()


_NO_DEFAULT = object()


class _Make:
    """A column default made by a function (``default=list``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self) -> Any:
        return self.fn(None)  # SQLAlchemy wraps it to take the execution context


class _Shape:
    """What a batch that hands out ids needs to know about a mapped class."""

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
        self.parents: list[tuple[str, list[tuple[str, str]]]] = []
        self.children: list[tuple[str, bool, list[tuple[str, str]]]] = []
        for rel in mapper.relationships:
            if rel.secondary is not None or rel.viewonly:
                continue
            if rel.direction is MANYTOONE:
                pairs = [(mapper.get_property_by_column(local).key, rel.mapper.get_property_by_column(remote).key)
                         for local, remote in rel.local_remote_pairs]
                self.parents.append((rel.key, pairs))
            elif rel.direction is ONETOMANY:
                pairs = [(mapper.get_property_by_column(local).key, rel.mapper.get_property_by_column(remote).key)
                         for local, remote in rel.local_remote_pairs]
                self.children.append((rel.key, bool(rel.uselist), pairs))

    def link(self, state: dict[str, Any]) -> None:
        """Copy the ids of related records given as objects into the foreign-key columns."""
        for key, pairs in self.parents:
            parent = state.get(key)
            if parent is not None:
                parent_state = parent.__dict__
                for local, remote in pairs:
                    value = parent_state.get(remote)
                    if value is not None:
                        state[local] = value

    def fill(self, values: dict[str, Any]) -> None:
        """Give a new record the column defaults it lacks."""
        for key in self.default_keys.difference(values):
            default = self.defaults[key]
            values[key] = default() if type(default) is _Make else default

    def row(self, record: Any) -> tuple[Any, ...]:
        """The record's values in column order, as the flush would insert them."""
        values = record.__dict__
        self.link(values)
        get = values.get
        row = []
        for attr, default in self.columns:
            value = get(attr)
            if value is None and default is not _NO_DEFAULT:  # None stands for the default, as in a flush
                value = default() if type(default) is _Make else default
            row.append(value)
        return tuple(row)


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
        self.fields = [(keys.index(k), table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in order]

    @classmethod
    def run(cls, connection: Any, table: Any, keys: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (values in the order of ``keys``)."""
        if not rows:
            return
        dialect = connection.dialect
        key = (dialect.name, table, keys)
        insert_ = cls._cache.get(key)
        if insert_ is None:
            try:
                insert_ = cls._cache[key] = cls(table, keys, dialect)
            except LookupError:
                connection.execute(table.insert(), [dict(zip(keys, row)) for row in rows])
                return
        # Column by column: each column's conversion mapped over its values.
        columns = list(zip(*rows))
        converted = [columns[i] if process is None else list(map(process, columns[i])) for i, process in insert_.fields]
        connection.exec_driver_sql(insert_.sql, list(zip(*converted)))


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _Shape(cls)
    return shape


def _on_pending(session: Session, state: Any) -> None:
    cls = state.class_
    shape = _shape(cls)
    values = state.dict  # a pending record's values are written as they stand
    shape.fill(values)
    shape.link(values)
    if shape.id_attr is not None and values.get(shape.id_attr) is None:
        counters = session.info[_NEXT_ID]
        last = counters.get(shape.id_column)
        if last is None:
            last = session.execute(select(func.max(shape.id_column))).scalar() or 0
        counters[shape.id_column] = last + 1
        values[shape.id_attr] = last + 1
    record = state.obj()
    session.info[_NEW].setdefault(cls, []).append(record)
    ident = tuple(values.get(k) for k in shape.keys)
    if None not in ident:
        session.info[_KNOWN].setdefault(cls, {})[ident] = record


def _on_loaded(session: Session, state: Any) -> None:
    session.info[_KNOWN].setdefault(state.class_, {})[state.identity] = state.obj()


def _on_gone(session: Session, state: Any) -> None:
    record = state.obj()
    known = session.info[_KNOWN].get(state.class_)
    if known:
        for ident, other in list(known.items()):
            if other is record:
                del known[ident]
    new = session.info[_NEW].get(state.class_)
    if new and record in new:
        new.remove(record)


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
        return [r for r in records if r.__dict__.get(key) == value]
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
        row = dict(
            store_id=self.actor.store_id,
            at=self.now,
            user_id=self.actor.user_id,
            action=action or self.action,
            entity=entity,
            entity_id=entity_id,
            order_id=order_id,
            before=_jsonable(before),
            after=_jsonable(after),
        )
        self.sink.append(row)


_AUDIT_KEYS = ("store_id", "at", "user_id", "action", "entity", "entity_id", "order_id", "before", "after")  # Tx.audit's rows
_audit_values = operator.itemgetter(*_AUDIT_KEYS)


def _resolved(row: dict[str, Any]) -> dict[str, Any]:
    """Audit rows name records by object until the flush has given them ids."""
    for key in ("entity_id", "order_id"):
        value = row[key]
        if value is not None and not isinstance(value, int):
            row[key] = value.id
    return row


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        elif hasattr(value, "value") and isinstance(getattr(value, "value"), str):
            value = value.value
        out[key] = value
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
            except OperationalError as exc:
                if "locked" in str(exc).lower() or "deadlock" in str(exc).lower():
                    raise ConflictError(_("The database is busy with another terminal. Try again.")) from exc
                raise

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
    tx = Tx(session=session, actor=actor, now=services.clock(), settings=services.settings, action=action)
    result = fn(tx, *args, **kwargs)
    if not tx.sink:
        raise RuntimeError(f"service {action} wrote no audit event")
    if sink is not None:  # in a batch: written when the batch ends
        sink.extend(tx.sink)
        return result
    session.flush()
    session.execute(insert(AuditEvent), [_resolved(a) for a in tx.sink])
    session.execute(update(Store).where(Store.id == actor.store_id).values(change_seq=Store.change_seq + 1))
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
