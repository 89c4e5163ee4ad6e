"""How a service call runs: permission check, one transaction, one audit event, conflicts.

Every state-changing service is a function decorated with :func:`service`. It receives a
:class:`Tx` (the open session, the acting user, the time) and must record exactly one
audit event. Callers hold a :class:`Services` context (database, settings, clock) and an
:class:`Actor` (the logged-in user). The demo runs many calls inside one
``Services.batch()`` transaction for speed (services/bulk_write.py, which only the demo
uses); everything else commits per call. This module is the core every call goes through,
kept small so that it can be read in one sitting.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.model import AuditEvent, Store

from .audit_chain import payload_text, seal_chain
from .driver_errors import user_error
from .errors import ConflictError, FrontdeskError, PermissionDenied, ValidationError
from .payloads import jsonable
from .permissions import PERMISSIONS
from .runtime import Actor, Services, system_now
from .text_rule import check_arguments

P = ParamSpec("P")
R = TypeVar("R")

# session.info keys a batch (services/bulk_write.py) fills; outside a batch they are absent.
STOCK_LEVELS = "frontdesk.stock_levels"  # {(store_id, part_id): StockLevel}: each level looked up once
NEW_RECORDS = "frontdesk.new"  # {class: [record]} added and not yet written, in a batch that hands out ids
CHAIN_HEADS = "frontdesk.chain_heads"  # {store_id: head} of the stores whose row the batch has locked
READS = "frontdesk.reads"  # {statement: (changes, rows)}: a batch that writes when it ends answers a repeated read once


def _copied(data: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if data is None else dict(data)


@dataclass
class Tx:
    """One service call's transaction."""

    session: Session
    actor: Actor
    now: dt.datetime
    settings: Settings
    action: str
    sink: list[dict[str, Any]] = field(default_factory=list)
    # How a payload is kept: JSON-able at once; a batch copies it and converts it as it encodes it.
    keep: Callable[[dict[str, Any] | None], dict[str, Any] | None] = field(default=jsonable, repr=False)

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
        self.sink.append(dict(
            store_id=self.actor.store_id, at=self.now, user_id=self.actor.user_id, action=action or self.action,
            entity=entity, entity_id=entity_id, order_id=order_id, before=self.keep(before), after=self.keep(after),
        ))


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


def seal_events(session: Session, store_id: int, head: str | None, rows: list[dict[str, Any]]) -> str:
    """Seal ``rows`` (Tx.audit's, ids resolved) after ``head``, insert them, and move the store's
    chain head and change counter on; the store row is locked (``lock_chain``). Returns the new head."""
    sealed = seal_chain(head, store_id, [
        (r["at"], r["user_id"], r["action"], r["entity"], r["entity_id"], r["order_id"], payload_text(r["before"]),
         payload_text(r["after"])) for r in rows])
    for row, (prev_hash, own) in zip(rows, sealed, strict=True):
        row["prev_hash"] = prev_hash
        row["hash"] = own
    session.execute(insert(AuditEvent), rows)
    session.execute(update(Store).where(Store.id == store_id)
                    .values(change_seq=Store.change_seq + 1, audit_head=sealed[-1][1]))
    return sealed[-1][1]


def _resolved(row: dict[str, Any]) -> dict[str, Any]:
    """Audit rows name records by object until the flush (or a batch) has given them ids."""
    for key in ("entity_id", "order_id"):
        value = row[key]
        if value is not None and not isinstance(value, int):
            row[key] = value.id
    return row


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
    batch_sink: list[dict[str, Any]] | None = None,
) -> R:
    # The store's row first, before the service touches anything (lock_chain); once per batch.
    if batch_sink is None:
        head = lock_chain(session, actor.store_id)
    else:
        heads = session.info.setdefault(CHAIN_HEADS, {})
        if actor.store_id not in heads:
            heads[actor.store_id] = lock_chain(session, actor.store_id)
    tx = Tx(session=session, actor=actor, now=services.clock(), settings=services.settings, action=action,
            keep=jsonable if batch_sink is None else _copied)
    result = fn(tx, *args, **kwargs)
    if not tx.sink:
        raise RuntimeError(f"service {action} wrote no audit event")
    if batch_sink is not None:  # sealed and written when the batch ends
        batch_sink.extend(tx.sink)
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


def flush_for_id(session: Session, record: Any) -> None:
    """Make sure a new record has its id: flush, unless a batch has handed it out already."""
    if record.id is None:
        session.flush()


def read_rows(session: Session, statement: Any) -> list[Any]:
    """The rows of a Core ``statement`` (no parameters) on the session's connection.

    A batch that writes its records when it ends (services/bulk_write.py, SQLite, holding the
    write lock) answers it again from memory for as long as the database has not changed since
    (the connection's change count): the same rows the query would return, without the query.
    """
    connection = session.connection()
    reads = session.info.get(READS)
    if reads is None:
        return connection.execute(statement).all()
    changes = connection.connection.dbapi_connection.total_changes  # type: ignore[union-attr]
    known = reads.get(statement)
    if known is None or known[0] != changes:
        known = reads[statement] = (changes, connection.execute(statement).all())
    return list(known[1])


def unflushed(session: Session, cls: type[R], **equal: Any) -> list[R]:
    """New records of ``cls`` (with these column values) that a batch handing out ids holds unwritten.

    Queries cannot see them before the batch ends, so a service looking for a clash
    (one open order per vehicle, one vehicle per plate) looks here as well. Outside such
    a batch there are none.
    """
    new = session.info.get(NEW_RECORDS)
    records = new.get(cls) if new else None
    if not records:
        return []
    if not equal:
        return list(records)
    if len(equal) == 1:  # the common case, in C: a new record's values are all in its __dict__
        ((key, value),) = equal.items()
        values = map(operator.methodcaller("get", key), map(operator.attrgetter("__dict__"), records))
        return list(itertools.compress(records, map(operator.eq, values, itertools.repeat(value))))
    wanted = tuple(equal.items())
    return [r for r in records if all(r.__dict__.get(k) == v for k, v in wanted)]


__all__ = ["REGISTRY", "Actor", "FrontdeskError", "Services", "Tx", "check_version", "flush_for_id", "read_rows",
           "require", "service", "system_now", "unflushed"]
