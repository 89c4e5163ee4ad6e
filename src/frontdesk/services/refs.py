"""What a state-changing service hands back: frozen references to what it saved, never a record.

A screen runs a service in a worker and reads the answer on the UI thread, after the session
has closed: an ORM record handed over is detached (a relationship not yet loaded raises),
and every attribute read from it is untyped guesswork. So a service answers with one of
these, a view of its own, or nothing: the ids, the version the next change must name, the
status — what its callers go on with, and nothing that could be read lazily. The pipeline
(screens/pipeline.py) refuses a mapped instance, and tests/test_plain_results.py holds every
registered service to it.

A reference is taken after the flush (:func:`flushed`), so that a new record's id and a
changed record's version are what the database holds once the call commits. A batch (the
demo, services/bulk_write.py) writes only when it ends: there ids are handed out as records
are added, but a version is the one the batch read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Self

from frontdesk.model.enums import (
    AppointmentStatus,
    ComplaintStatus,
    FollowUpStatus,
    JobStatus,
    OrderStatus,
    PartOrderState,
)

from .context import STOCK_LEVELS

if TYPE_CHECKING:
    from .context import Tx


def flushed(tx: Tx) -> None:
    """Flush the call's changes now (the core would right after), so ids and versions are final; not in a batch."""
    if STOCK_LEVELS not in tx.session.info:  # only a batch holds it (services/context.py)
        tx.session.flush()


class Ref:
    """What every reference shares: it is made from the record by its own field names, after the flush.

    A field is the record's attribute of the same name, so a reference that names one more
    thing only declares it (no copy of the list to keep in step).
    """

    __slots__ = ()

    @classmethod
    def of(cls, tx: Tx, record: Any) -> Self:
        flushed(tx)
        return cls(*_values(cls)(record))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _values(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """The record's values of the reference's fields, in order, read in one call (made a few hundred thousand
    times by ``frontdesk demo``)."""
    names = _field_names(cls)
    if len(names) == 1:
        (name,) = names
        return lambda record: (getattr(record, name),)
    return attrgetter(*names)


@dataclass(frozen=True, slots=True)
class Saved(Ref):
    """A record without a version (catalog, staff, walkaround, reminder call): its id is all callers need."""

    id: int


@dataclass(frozen=True, slots=True)
class Versioned(Ref):
    """A record the desk edits again (a customer, a vehicle): its id and the version the next save names."""

    id: int
    version: int


@dataclass(frozen=True, slots=True)
class OrderRef(Ref):
    """A repair order after the change: the number people say, the version the next change names, where it is."""

    id: int
    number: str
    version: int
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class JobRef(Ref):
    """A job after the change (its description is what the estimate screen names when it is added)."""

    id: int
    order_id: int
    version: int
    status: JobStatus
    description: str


@dataclass(frozen=True, slots=True)
class SwitchedJobRef(JobRef):
    """A job started or resumed, with the technician's other jobs it paused (one job at a time).

    Those jobs changed too (their versions moved on): a caller that holds one of them, or
    counts its writes, learns it here rather than from a conflict later.
    """

    paused: tuple[JobRef, ...]

    @classmethod
    def switched(cls, tx: Tx, record: Any, paused: Sequence[Any]) -> Self:
        flushed(tx)
        return cls(**{name: getattr(record, name) for name in _field_names(JobRef)},
                   paused=tuple(JobRef.of(tx, other) for other in paused))


@dataclass(frozen=True, slots=True)
class PartLineRef(Ref):
    """A part line after the change (part lines have no version: their order's is checked)."""

    id: int
    order_id: int
    job_id: int | None
    qty: Decimal
    issued_qty: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRef(Ref):
    """A payment, void or refund as recorded: what was applied to the order and the change handed back."""

    id: int
    order_id: int
    amount: Decimal
    change: Decimal


@dataclass(frozen=True, slots=True)
class PartOrderRef(Ref):
    """A request to the supplier, as the parts desk moves it on: how many (a shortfall is worked out) and where."""

    id: int
    version: int
    state: PartOrderState
    qty: Decimal


@dataclass(frozen=True, slots=True)
class AppointmentRef(Ref):
    """An appointment booked, moved or cancelled: when it is (the screen says so and selects it)."""

    id: int
    version: int
    scheduled_at: dt.datetime
    status: AppointmentStatus


@dataclass(frozen=True, slots=True)
class FollowUpRef(Ref):
    """A follow-up call after a try: where it stands, and when it is tried again (``call_outcome`` says the rest)."""

    id: int
    version: int
    status: FollowUpStatus
    attempts: int
    due_at: dt.datetime
    reached: bool | None


@dataclass(frozen=True, slots=True)
class ComplaintRef(Ref):
    """A complaint case after the change: where it is and who owns it (the complaint board shows the rest)."""

    id: int
    version: int
    status: ComplaintStatus
    owner_id: int | None
    resolved_at: dt.datetime | None
