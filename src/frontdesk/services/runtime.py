"""Who is calling and with what: the acting user and the console's database, settings and clock.

Kept apart from :mod:`frontdesk.services.context` (the ORM machinery of a service call)
so the screens, the sign-in and the desk home can hold these without importing SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from frontdesk.model.enums import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from frontdesk.config import Settings
    from frontdesk.db import Database


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

    def __post_init__(self) -> None:
        from .driver_errors import user_error

        # The plain driver path (sign-in, desk home) reports driver errors as the user's errors,
        # by their codes; the db layer cannot import the services, so they are handed to it here.
        self.db.map_error = user_error

    def batch(self, *, assign_ids: bool = False) -> AbstractContextManager[Session]:
        """Run many service calls in one transaction (the demo's bulk load).

        See :mod:`frontdesk.services.bulk_write`, which holds the machinery.
        """
        from .bulk_write import batch_session

        return batch_session(self, assign_ids=assign_ids)
