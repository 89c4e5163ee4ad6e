"""Loading records inside a service transaction, with the store and version checks."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from frontdesk.i18n import gettext as _
from frontdesk.model import Job, JobCheck, RepairOrder

from .context import Tx, check_version
from .errors import NotFound, ValidationError

T = TypeVar("T")


def get(session: Session, model: type[T], record_id: int, field: str) -> T:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(field, _("No such record (id {id}).").format(id=record_id))
    return record


def load_order(tx: Tx, order_id: int, expected_version: int | None = None) -> RepairOrder:
    order = tx.session.get(RepairOrder, order_id)
    if order is None or order.store_id != tx.actor.store_id:
        raise NotFound("order", _("No such repair order in this store."))
    check_version(order, expected_version)
    return order


def load_order_by_number(session: Session, number: str) -> RepairOrder:
    order = session.scalar(select(RepairOrder).where(RepairOrder.number == number.strip().upper()))
    if order is None:
        raise NotFound("order", _("No repair order numbered {number}.").format(number=number))
    return order


def load_job(tx: Tx, job_id: int, expected_version: int | None = None) -> Job:
    job = tx.session.get(Job, job_id)
    if job is None or job.order.store_id != tx.actor.store_id:
        raise NotFound("job", _("No such job in this store."))
    check_version(job, expected_version)
    return job


def touch(order: RepairOrder) -> None:
    """Bump the order's version when only its lines changed, so other terminals see a conflict."""
    flag_modified(order, "status")


def text(value: Any, field: str, *, max_len: int = 200, required: bool = False) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise ValidationError(field, _("This field is required."))
    if len(value) > max_len:
        raise ValidationError(field, _("At most {n} characters.").format(n=max_len))
    return value


def positive_int(value: Any, field: str, *, maximum: int = 10_000_000, allow_zero: bool = True) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(field, _("Enter a whole number.")) from None
    if number < 0 or (number == 0 and not allow_zero) or number > maximum:
        raise ValidationError(field, _("Enter a number between {lo} and {hi}.").format(lo=0 if allow_zero else 1, hi=maximum))
    return number


def money_graph() -> tuple[Any, ...]:
    """Just what the lines and the money of an order need (the work order, an estimate's totals)."""
    from sqlalchemy.orm import joinedload, selectinload

    from frontdesk.model import PartLine

    return (
        joinedload(RepairOrder.customer),
        joinedload(RepairOrder.vehicle),
        joinedload(RepairOrder.advisor),
        selectinload(RepairOrder.jobs).selectinload(Job.part_lines),
        selectinload(RepairOrder.part_lines).joinedload(PartLine.job),
    )


def order_graph() -> tuple[Any, ...]:
    """Loader options that bring a whole order in a handful of queries (documents, screens)."""
    from sqlalchemy.orm import selectinload

    from frontdesk.model import Walkaround

    return (
        *money_graph(),
        selectinload(RepairOrder.jobs).selectinload(Job.checks).joinedload(JobCheck.found),
        selectinload(RepairOrder.walkaround).selectinload(Walkaround.marks),
        selectinload(RepairOrder.delivery_checks),
        selectinload(RepairOrder.payments),
    )


def read_order(session: Session, order_id: int, graph: tuple[Any, ...] | None = None) -> RepairOrder:
    order = session.scalar(select(RepairOrder).where(RepairOrder.id == order_id).options(*(graph or order_graph())))
    if order is None:
        raise NotFound("order", _("No such repair order."))
    return order


def read_order_by_number(session: Session, number: str, graph: tuple[Any, ...] | None = None) -> RepairOrder:
    """``read_order`` by the number printed on the paper, in one round of queries."""
    order = session.scalar(select(RepairOrder).where(RepairOrder.number == number.strip().upper())
                           .options(*(graph or order_graph())))
    if order is None:
        raise NotFound("order", _("No repair order numbered {number}.").format(number=number))
    return order
