"""The append-only record of every change of state: who, when, what, before and after.

Nothing may change or remove an event once written (issue 9): the ORM refuses it here, for
records in a session and for UPDATE/DELETE statements run through a session; the database
refuses it too (triggers of migration 0005), for anything that bypasses the ORM.

Whoever owns the table can still get round both, so each event is also sealed into a hash
chain per store (``prev_hash``, ``hash``; the store row holds the chain's head): see
services/audit_chain.py. Nothing here computes it; an event added without its seal is
refused before it is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from .base import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    at: Mapped[dt.datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    # The hash chain (services/audit_chain.py): the store's previous event's hash (None for its
    # first) and this event's. Nullable so that a row added by hand is found, not refused.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


# Append-only, in the ORM as well as in the database (migration 0005 adds triggers) -------------


class AuditTamperError(RuntimeError):
    """Something tried to change or remove a recorded audit event: a bug, never a user's mistake."""


def _refuse(kind: str) -> AuditTamperError:
    return AuditTamperError(f"audit events are append-only: {kind} refused")


@event.listens_for(AuditEvent, "before_insert")
def _sealed(mapper: Any, connection: Any, target: AuditEvent) -> None:
    """An event added through the ORM must come sealed (services.context.seal_events): unsealed, it
    would break its store's chain for good."""
    if target.hash is None:
        raise AuditTamperError("audit events are written sealed: seal_events() before adding one")


@event.listens_for(AuditEvent, "before_update")
def _no_update(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise _refuse("UPDATE")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise _refuse("DELETE")


@event.listens_for(Session, "before_flush")
def _no_changed_events(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse before any SQL is sent: an audit event deleted or edited in the session."""
    for record in session.deleted:
        if isinstance(record, AuditEvent):
            raise _refuse("DELETE")
    for record in session.dirty:
        if isinstance(record, AuditEvent) and session.is_modified(record):
            raise _refuse("UPDATE")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_statements(state: ORMExecuteState) -> None:
    """``session.execute(update(AuditEvent)...)`` / ``delete(...)`` never reach the database."""
    table = getattr(state.statement, "table", None)  # an ORM statement's table is an annotated copy
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == AuditEvent.__tablename__:
        raise _refuse("UPDATE" if state.is_update else "DELETE")
