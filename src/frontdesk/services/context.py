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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.model import AuditEvent, Store
from frontdesk.model.enums import Role

from .errors import ConflictError, FrontdeskError, PermissionDenied
from .permissions import PERMISSIONS

P = ParamSpec("P")
R = TypeVar("R")


def system_now() -> dt.datetime:
    """Local wall-clock time to the second: the store works in one time zone."""
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class Actor:
    """The logged-in user as the services see them (no ORM object leaks out of a session)."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    store_id: int
    discount_authority: Decimal | None = None


@dataclass
class Services:
    """What every service call needs besides its arguments."""

    db: Database
    settings: Settings
    clock: Callable[[], dt.datetime] = system_now
    _batch: Session | None = field(default=None, repr=False)
    _batch_audits: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """Run many service calls in one transaction (bulk loads: demo data, imports).

        The calls are the same; only their bookkeeping is gathered: audit events are
        inserted together and the store's change counter is bumped once, at the end.
        """
        if self._batch is not None:
            raise RuntimeError("batches do not nest")
        with self.db.session() as session:
            self._batch = session
            self._batch_audits = []
            # Flushing once per batch instead of before every query is most of the speed-up.
            session.autoflush = False
            try:
                with session.begin():
                    yield session
                    session.flush()
                    if self._batch_audits:
                        session.execute(insert(AuditEvent), [_resolved(a) for a in self._batch_audits])
                        for store_id in {a["store_id"] for a in self._batch_audits}:
                            session.execute(update(Store).where(Store.id == store_id).values(change_seq=Store.change_seq + 1))
            finally:
                self._batch = None
                self._batch_audits = []


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
    "require",
    "service",
    "system_now",
]
