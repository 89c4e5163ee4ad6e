"""What an order bills: the one rule for which of its lines count, and for a job's labour rate.

Every figure of an order is made of the same lines: the estimate screen's live totals, the
work order and the settlement on paper, the cashier's bill, the approvals queue and the
manager's report. Each of them used to choose those lines itself, so the choice is made
here once, on plain data (no session, no model instances): the services call it with what
they read, the screens with what they show, the report with what it groups.

Which lines bill:

- a job bills once the customer approved it, whatever the workshop has done with it since
  (``lifecycle.BILLABLE``: every status but ``proposed`` and ``declined``);
- on an order still at the desk (check-in, estimate) a proposed job bills too: the
  estimate is what the customer is asked to sign, so its total must show;
- once the work order is signed a proposed job is additional work waiting for the
  customer's decision, and bills only when approved; a declined job never bills (it
  stays a recommendation for the next visit);
- a part bills with its job, and a part on no job always bills.

Rounding, the payers and the discount are the money module's (``money.compute_totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from frontdesk.model.enums import JobStatus, OrderStatus, PayType

from .errors import ValidationError
from .lifecycle import BILLABLE
from .money import ZERO, MoneyLine, Totals, compute_totals

__all__ = ["AT_THE_DESK", "Line", "LaborRates", "billable", "bills", "counted_statuses", "labor_rate", "totals"]

#: Order statuses in which the estimate is still being written (proposed work is shown priced).
AT_THE_DESK = frozenset({OrderStatus.CHECK_IN, OrderStatus.ESTIMATE})
_ON_THE_ESTIMATE = frozenset(BILLABLE | {JobStatus.PROPOSED})


def counted_statuses(order_status: OrderStatus | str) -> frozenset[JobStatus]:
    """The job statuses whose lines bill on an order in ``order_status``."""
    return _ON_THE_ESTIMATE if OrderStatus(order_status) in AT_THE_DESK else BILLABLE


def bills(order_status: OrderStatus | str, job_status: JobStatus | None) -> bool:
    """Whether a line bills: a job's labour, or a part (``job_status`` is its job's; None: on no job)."""
    return job_status is None or job_status in counted_statuses(order_status)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an order as plain data: what the rule needs to know about it."""

    kind: Literal["labor", "part"]
    pay_type: PayType
    amount: Decimal
    job_status: JobStatus | None  # the job's status; a part's job's; None for a part on no job


def billable(order_status: OrderStatus | str, lines: Iterable[Line]) -> list[MoneyLine]:
    """The lines of an order that bill, ready for ``money.compute_totals``."""
    counted = counted_statuses(order_status)
    return [MoneyLine(ln.kind, ln.pay_type, ln.amount) for ln in lines
            if ln.job_status is None or ln.job_status in counted]


def totals(order_status: OrderStatus | str, lines: Iterable[Line], vat_rate: Decimal,
           discount: Decimal = ZERO, *, keep_unfit_discount: bool = True, rounding: Decimal = ZERO) -> Totals:
    """The order's totals: its billable lines, its discount (and 抹零), the VAT share.

    A discount above the customer share raises ``ValidationError``; with
    ``keep_unfit_discount=False`` it is left out instead, for the views that show an order
    whose lines changed after its discount was given (the settlement asks again).
    """
    money_lines = billable(order_status, lines)
    try:
        return compute_totals(money_lines, vat_rate, discount, rounding)
    except ValidationError:
        if keep_unfit_discount:
            raise
        return compute_totals(money_lines, vat_rate)


class LaborRates(Protocol):
    """The store's labour rate per pay type (``config.Settings``)."""

    def labor_rate(self, pay_type: str) -> Decimal: ...


def labor_rate(rates: LaborRates, pay_type: PayType | str,
               now: tuple[PayType | str, Decimal] | None = None) -> Decimal:
    """A job's labour rate under ``pay_type``: a new pay type brings its own rate.

    ``now`` is the job's pay type and rate so far: while the pay type stays the same the
    rate stays too (a rate the advisor typed is kept); a new job, or a new pay type, takes
    the store's rate for that pay type (warranty work is paid at the maker's rate).
    """
    pay = PayType(pay_type)
    if now is not None and PayType(now[0]) is pay:
        return now[1]
    return rates.labor_rate(pay.value)
