"""What the estimate screen reads, and how one change is saved: both run in a worker.

The offers (the package due for the car, its open campaigns) are read in a worker of their
own once the order is on show: the first paint never waits on them, and a store without a
maker's schedule or campaigns costs the advisor nothing.

Every change is followed by reading the order again, in the same worker: the answer
brings the order's new version, which the next change in the queue must carry
(``frontdesk.change_queue``), and the screen shows the order as the database now has it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from frontdesk.i18n import gettext as _
from frontdesk.model.enums import OrderStatus
from frontdesk.services import account_desk, billing, campaigns, desk, estimate, packages
from frontdesk.services.campaigns import CampaignFlag
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.packages import PackageDue

EDITABLE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE)


@dataclass(frozen=True)
class Loaded:
    """Everything the screen shows, read in one worker."""

    view: desk.OrderView
    history: desk.History
    suggested: dt.datetime | None  # promised time for this estimate's hours; None once signed
    agreed: account_desk.AgreedDiscount | None = None  # a key account's discount, taken off at settlement


def work_hours(view: desk.OrderView) -> Decimal:
    """The hours of the work the order bills (what the promised time is planned for)."""
    return sum((line.quantity for line in view.lines if line.kind == "labor" and billing.bills(view.status, line.status)),
               Decimal(0))


def order_problems(view: desk.OrderView) -> dict[str, str]:
    """What on the order itself stops the signature (field -> message); the terms say theirs."""
    problems: dict[str, str] = {}
    if view.walkaround is None:
        problems["walkaround"] = _("No walkaround yet: W opens it, do it with the customer.")
    if not any(line.kind == "labor" and billing.bills(view.status, line.status) for line in view.lines):
        problems["jobs"] = _("The estimate has no work to authorise.")
    return problems


def load(services: Services, actor: Actor, order_id: int) -> Loaded:
    view = desk.order_view(services, order_id)
    history = desk.vehicle_history(services, view.vehicle_id)
    suggested = estimate.suggest_promise(services, actor, work_hours(view)) if view.status in EDITABLE else None
    return Loaded(view, history, suggested, account_desk.agreed_discount(services, actor, view.vehicle_id))


@dataclass(frozen=True)
class Offers:
    """What the estimate offers to add with one key: the package due for the car, its open campaigns."""

    package: PackageDue | None = None
    campaigns: tuple[CampaignFlag, ...] = ()


def load_offers(services: Services, actor: Actor, vehicle_id: int, odometer_km: int | None) -> Offers:
    """The package due at this reading (the maker's schedule and the car's last services) and its open campaigns."""
    due = packages.due_package(services, actor, vehicle_id, odometer_km)
    flags = campaigns.open_for_vehicle(services, vehicle_id=vehicle_id)
    return Offers(due, tuple(flags))


def change(services: Services, actor: Actor, order_id: int, fn: Callable[..., Any], *args: Any, **kwargs: Any
           ) -> tuple[Any, Loaded]:
    """One service call, then the order read again (its new version is what the next change expects).

    An unexpected failure is reported like a refusal: the screen must not wait for an answer forever.
    """
    try:
        result = fn(services, actor, order_id, *args, **kwargs)
    except FrontdeskError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise FrontdeskError(_("The change was not saved: {error}").format(error=exc)) from exc
    return result, load(services, actor, order_id)
