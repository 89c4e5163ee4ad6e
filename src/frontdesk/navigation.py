"""Where a user can go: one list read by the command palette, the help screen and the home screen.

Screens are imported when opened, not at startup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from frontdesk.model.enums import Role

if TYPE_CHECKING:
    from textual.screen import Screen

DESK_ROLES = frozenset({Role.ADVISOR, Role.MANAGER})


@dataclass(frozen=True)
class Destination:
    key: str
    title: str  # msgid
    help: str  # msgid
    target: str  # "module:Class"
    roles: frozenset[Role]

    def open(self, **kwargs: object) -> Screen:
        module, cls = self.target.split(":")
        return getattr(import_module(module), cls)(**kwargs)


DESTINATIONS: tuple[Destination, ...] = (
    Destination("desk", "Desk home", "Today's cars, appointments, follow-ups; search", "frontdesk.screens.desk_home:DeskHomeScreen", DESK_ROLES),
    Destination("checkin", "New check-in", "Check a car in: customer, vehicle, odometer, concerns", "frontdesk.screens.checkin:CheckInScreen", DESK_ROLES),
    Destination("appointments", "Appointments", "Book, move or cancel appointments", "frontdesk.screens.appointments:AppointmentsScreen", DESK_ROLES),
)


def home_for(role: Role) -> Callable[[], Screen]:
    """The first screen after login for this role."""
    if role in DESK_ROLES:
        return lambda: DESTINATIONS[0].open()
    from frontdesk.screens.role_home import RoleHomeScreen

    return RoleHomeScreen


def allowed(role: Role) -> list[Destination]:
    return [d for d in DESTINATIONS if role in d.roles]
