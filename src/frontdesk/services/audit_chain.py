"""The audit trail as a hash chain, per store: a changed, removed or forged event shows.

Why: the triggers of migration 0005 stop UPDATE and DELETE, but whoever owns the tables can
disable them or TRUNCATE (PostgreSQL) or drop them (SQLite) without a trace. So every event
carries ``hash``, the SHA-256 of its own fields and of ``prev_hash`` (the ``hash`` of the
store's event before it; NULL for a store's first), and the store row carries ``audit_head``,
the ``hash`` of its last event, written in the same transaction. ``verify`` walks each store's
events in id order and names the first link that does not hold:

* an event whose fields no longer give its ``hash``: changed after it was written;
* an event whose ``prev_hash`` is not the ``hash`` of the event before it: one or more events
  between them were removed (or the one before was replaced);
* an event without a ``hash``: added by hand, outside frontdesk;
* a store whose ``audit_head`` is not the ``hash`` of its last event: the newest events were
  removed (TRUNCATE, a DELETE of the tail) — the head is what makes the end of the chain
  tamper-evident, since removing the tail leaves a chain that is intact as far as it goes.

What the hash covers is the event as the database gives it back, not the bytes stored: the
time in ISO form to the microsecond, ids as digits, texts JSON-quoted, and the payloads as
``json.dumps`` (default settings) of what the JSON column reads back — the very text every
writer sends, so a writer seals what it writes without reading it back, and a backup restored
elsewhere (new row ids, PostgreSQL instead of SQLite) still verifies. Row ids are left out
for the same reason; their order is the chain's order because writers append while holding
the store row's lock (services/context.py, services/sign_in.py).

What it does not stop: someone who can write the table *and* knows this recipe can rebuild
the whole chain and its head. The defence there is the second PostgreSQL role
(``frontdesk db upgrade --grant-to``): the terminals' role may only SELECT and INSERT audit
events, and the owner's password stays with whoever runs the upgrades.

This module imports no SQLAlchemy at load: the sign-in (plain driver) seals its events here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _quoted
from typing import TYPE_CHECKING, Any

from frontdesk.i18n import gettext as _

from .errors import FrontdeskError

if TYPE_CHECKING:
    from frontdesk.db import Database

# One event's sealed fields, in this order (payloads as their JSON text).
Event = tuple[Any, Any, str, str, Any, Any, str, str]  # at, user_id, action, entity, entity_id, order_id, before, after


def payload_text(value: Any) -> str:
    """A payload as the hash sees it: ``json.dumps`` with its defaults; no payload is ``null``."""
    return "null" if value is None else json.dumps(value)


def _time(at: Any) -> str:
    if isinstance(at, dt.datetime):
        return at.replace(tzinfo=None).isoformat(" ", "microseconds")  # a naive column keeps the wall time only
    return str(at)


def seal_chain(prev_hash: str | None, store_id: int | None, events: Iterable[Event]) -> list[tuple[str | None, str]]:
    """``(prev_hash, hash)`` for each of a store's events appended after ``prev_hash``, in order.

    The fields are joined by newlines, each in a form without one (JSON-quoted texts, JSON
    payloads, digits), so no two events have the same text.
    """
    sha256 = hashlib.sha256
    store = "" if store_id is None else str(store_id)
    times: dict[Any, str] = {}  # (a demo writes 100 000 events a season: many share a time, a few actions)
    quoted: dict[str, str] = {}
    out: list[tuple[str | None, str]] = []
    append = out.append
    for at, user_id, action, entity, entity_id, order_id, before, after in events:
        when = times.get(at)
        if when is None:
            when = times[at] = _time(at)
        what = quoted.get(action)
        if what is None:
            what = quoted[action] = _quoted(action)
        kind = quoted.get(entity)
        if kind is None:
            kind = quoted[entity] = _quoted(entity)
        text = (f"{prev_hash or ''}\n{store}\n{when}\n{'' if user_id is None else user_id}\n{what}\n{kind}\n"
                f"{'' if entity_id is None else entity_id}\n{'' if order_id is None else order_id}\n{before}\n{after}")
        sealed = sha256(text.encode()).hexdigest()
        append((prev_hash, sealed))
        prev_hash = sealed
    return out


def seal(prev_hash: str | None, store_id: int | None, event: Event) -> str:
    return seal_chain(prev_hash, store_id, (event,))[0][1]


# Verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first link of one store's chain that does not hold."""

    store: str
    event_id: int | None  # None: the break is at the end (or the store has no events left)
    message: str

    def __str__(self) -> str:
        return _("audit trail broken: {problem}").format(problem=self.message)


@dataclass(frozen=True)
class Verdict:
    events: int
    breaks: list[Break]

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        """The earliest break (by event id; a missing tail after every named event)."""
        if not self.breaks:
            return None
        return min(self.breaks, key=lambda b: (b.event_id is None, b.event_id or 0))

    def summary(self) -> str:
        if self.intact:
            return _("audit trail intact: {n} events").format(n=self.events)
        return str(self.first)


class ChainMissing(FrontdeskError):
    """The audit table has no chain columns: an older schema, or they were dropped."""


_COLUMNS = ("id", "store_id", "at", "user_id", "action", "entity", "entity_id", "order_id", "before", "after",
            "prev_hash", "hash")
PAGE = 5000


def verify(db: Database, store_code: str | None = None) -> Verdict:
    """Walk every store's chain (or one store's) in id order, in one consistent snapshot."""
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from frontdesk.model import AuditEvent, Store

    table = AuditEvent.__table__
    options: dict[str, Any] = {"sqlite_begin": "DEFERRED"} if db.is_sqlite else {"isolation_level": "REPEATABLE READ"}
    with db.engine.connect().execution_options(**options) as conn:
        try:
            conn.exec_driver_sql("SELECT prev_hash, hash FROM audit_event WHERE 1 = 0").all()
            conn.exec_driver_sql("SELECT audit_head FROM store WHERE 1 = 0").all()
        except DBAPIError as exc:
            raise ChainMissing(_("The audit trail has no hash chain: its columns are missing (dropped, or the "
                                 "schema predates it: run `frontdesk db upgrade`).")) from exc
        query = select(Store.id, Store.code, Store.audit_head).order_by(Store.id)
        if store_code is not None:
            query = query.where(Store.code == store_code)
        stores = conn.execute(query).all()
        if store_code is not None and not stores:
            from .errors import ValidationError

            raise ValidationError("store", _("No store with code {code}: run `frontdesk db upgrade` first.").format(
                code=store_code))
        columns = [table.c[name] for name in _COLUMNS]
        events, breaks = 0, []
        for store_id, code, head in stores:
            walk = _Walk(code, head)
            for row in _pages(conn, select(*columns).where(table.c.store_id == store_id), table.c.id):
                events += 1
                walk.step(row)
                if walk.broken is not None:
                    break
            found = walk.broken or walk.end()
            if found is not None:
                breaks.append(found)
        if store_code is None:  # an event of no store belongs to no chain: frontdesk never writes one
            stray = conn.execute(select(table.c.id).where(table.c.store_id.is_(None)).order_by(table.c.id).limit(1))
            for (event_id,) in stray:
                breaks.append(Break("-", event_id, _("event {id} belongs to no store: it was not written by "
                                                     "frontdesk").format(id=event_id)))
    return Verdict(events, breaks)


def _pages(conn: Any, query: Any, key: Any) -> Iterator[Sequence[Any]]:
    """The rows in ``key`` order, a page at a time (a store's trail may hold millions of events)."""
    last = None
    while True:
        page = conn.execute((query if last is None else query.where(key > last)).order_by(key).limit(PAGE)).all()
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1][0]


class _Walk:
    """One store's chain, event by event: the first link that does not hold."""

    def __init__(self, store: str, head: str | None) -> None:
        self.store = store
        self.head = head
        self.last: tuple[int, str] | None = None  # id and hash of the last event that held
        self.broken: Break | None = None

    def _break(self, event_id: int | None, message: str) -> None:
        self.broken = Break(self.store, event_id, message)

    def step(self, row: Sequence[Any]) -> None:
        event_id, store_id, at, user_id, action, entity, entity_id, order_id, before, after, prev_hash, sealed = row
        where = {"id": event_id, "store": self.store}
        if sealed is None:
            return self._break(event_id, _("event {id} (store {store}) carries no hash: it was added outside "
                                           "frontdesk").format(**where))
        fields = (at, user_id, action, entity, entity_id, order_id, payload_text(before), payload_text(after))
        if seal(prev_hash, store_id, fields) != sealed:
            return self._break(event_id, _("event {id} (store {store}) was changed after it was "
                                           "written").format(**where))
        expected = None if self.last is None else self.last[1]
        if prev_hash != expected:
            if self.last is None:
                return self._break(event_id, _("event {id} (store {store}) is the first left, but it follows "
                                               "another: the events before it were removed").format(**where))
            return self._break(event_id, _("event {id} (store {store}) does not follow event {prev}: the events "
                                           "between them were removed, or event {prev} was replaced").format(
                prev=self.last[0], **where))
        self.last = (event_id, sealed)

    def end(self) -> Break | None:
        last_hash = None if self.last is None else self.last[1]
        if self.head == last_hash:
            return None
        if self.head is None:
            return Break(self.store, None, _("store {store} has events but no chain head: the chain was "
                                             "dropped").format(store=self.store))
        if self.last is None:
            return Break(self.store, None, _("store {store} has no audit events left: they were all "
                                             "removed").format(store=self.store))
        return Break(self.store, None, _("store {store}: the events after event {id} were removed (the chain "
                                         "ended later)").format(store=self.store, id=self.last[0]))
