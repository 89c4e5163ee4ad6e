"""What every screen after login shares: the services, the user, and how service calls run.

Service calls go to a thread worker (the UI never waits on the database); a
``FrontdeskError`` comes back as a message next to the field it names (when the screen
has one, ``#<field>-error``) and as a notification, and nothing is half-saved because the
service call was one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import translate_bindings
from frontdesk.services.errors import FrontdeskError, ValidationError

if TYPE_CHECKING:
    from frontdesk.app import FrontdeskApp
    from frontdesk.services.context import Actor, Services

R = TypeVar("R")
log = logging.getLogger(__name__)


class DeskScreen(Screen[Any]):
    """Base of the screens a logged-in user works in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def fd(self) -> FrontdeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        return self.fd.services

    @property
    def actor(self) -> Actor:
        actor = self.fd.actor
        assert actor is not None, "screens after login always have a user"
        return actor

    def call_service(
        self,
        fn: Callable[..., R],
        *args: Any,
        then: Callable[[R], None] | None = None,
        failed: Callable[[FrontdeskError], None] | None = None,
        group: str = "service",
        **kwargs: Any,
    ) -> None:
        """Run ``fn(*args, **kwargs)`` in a worker; ``then(result)`` back on the UI thread."""

        def job() -> None:
            try:
                result = fn(*args, **kwargs)
            except FrontdeskError as exc:
                self.app.call_from_thread(failed or self.show_error, exc)
                return
            except Exception as exc:  # a bug or a lost database: say so instead of hanging
                log.exception("service call %s failed", getattr(fn, "__name__", fn))
                # As a FrontdeskError the screen's own failure path runs too (a busy flag is reset).
                error = FrontdeskError(_("Unexpected error; nothing was saved: {error}").format(
                    error=str(exc) or type(exc).__name__))
                self.app.call_from_thread(failed or self.show_error, error)
                return
            if then is not None:
                self.app.call_from_thread(then, result)

        self.run_worker(job, thread=True, group=group, exit_on_error=False)

    def show_error(self, error: FrontdeskError) -> None:
        """Put the message beside its field when the screen has one, and always notify."""
        if isinstance(error, ValidationError):
            try:
                self.query_one(f"#{error.field}-error", Static).update(error.message)
            except NoMatches:
                pass
        self.notify(str(error) if not isinstance(error, ValidationError) else error.message,
                    title=_("Not saved"), severity="error", timeout=8)

    def clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                widget.update("")

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
