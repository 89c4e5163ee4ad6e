"""What every screen after login shares: the services, the user, and how service calls run.

Service calls go through the pipeline (screens/pipeline.py: a worker, so the UI never waits
on the database); a ``FrontdeskError`` comes back as a message next to the field it names
(when the screen has one, ``#<field>-error``) and as a notification, and nothing is
half-saved because the service call was one transaction. An unexpected error comes back
the same way, as a ``pipeline.UnexpectedError``, and is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.screen import Screen
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import translate_bindings
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.widgets.field import show_field_error

from . import pipeline

if TYPE_CHECKING:
    from frontdesk.app import FrontdeskApp
    from frontdesk.services.context import Actor, Services

R = TypeVar("R")


class DeskScreen(Screen[Any]):
    """Base of the screens a logged-in user works in."""

    #: The navigation key it was opened as (``FrontdeskApp.open_destination`` sets it), so a
    #: screen can tell what lies below it without importing another screen's class.
    destination: str | None = None

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
        saves: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``fn(*args, **kwargs)`` through the pipeline (screens/pipeline.py); ``then(result)`` on the UI thread.

        Any failure, expected or not, comes to ``failed`` (default :meth:`show_error`) and to the log.
        """
        pipeline.call(self, fn, *args, then=then, failed=failed or self.show_error, group=group, saves=saves,
                      **kwargs)

    def show_error(self, error: FrontdeskError) -> None:
        """Put the message beside its field when the screen has one, and always notify."""
        if isinstance(error, ValidationError):
            show_field_error(self, error.field, error.message)  # the toast below is moved clear of the line
        if isinstance(error, pipeline.UnexpectedError):
            pipeline.notify_error(self, error)
            return
        self.notify(str(error) if not isinstance(error, ValidationError) else error.message,
                    title=_("Not saved"), severity="error", timeout=8)

    def on_key(self, event: events.Key) -> None:
        """A key the footer shows dimmed says why it cannot act now, in one line, rather than nothing (issue 17).

        Textual passes a disabled binding over in silence; it reaches here as an unhandled key.
        """
        key = event.key.lower() if len(event.key) == 1 else event.key
        node = self.focused
        while node is not None and node is not self:  # the focused widget's own keys come first
            if key in node._bindings.key_to_bindings:
                return
            node = node.parent
        for b in self._bindings.key_to_bindings.get(key, ()):
            action = b.action.split("(", 1)[0]
            if b.show and b.description and self.check_action(action, ()) is None:
                event.stop()
                event.prevent_default()
                self.notify(self.why_not(action) or _("{key} ({what}) cannot be used now.").format(
                    key=b.key_display or key.upper(), what=b.description), severity="warning", timeout=4)
                return

    def _action_refresh(self) -> None:
        """F5 itself (Textual runs ``_action_<name>`` before ``action_<name>``): read again and say so.

        A read that finds nothing new changes nothing on the screen, and a key that seems to do
        nothing is pressed again and again (issue 17). A refresh after a save calls
        ``action_refresh`` and says nothing.
        """
        refresh = getattr(self, "action_refresh", None)
        if refresh is not None:
            self.notify(_("Reading again…"), timeout=2)
            refresh()

    def why_not(self, action: str) -> str | None:
        """Why ``action``'s key is dimmed just now, in one line; ``None``: the general "cannot be used now"."""
        return None

    def clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                widget.update("")

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def focus_next_list(self, lists: tuple[str, ...], step: int) -> None:
        """Tab and Shift+Tab between a screen's lists (their ids), round the end."""
        current = self.focused.id if self.focused is not None else None
        at = lists.index(current) if current in lists else -1
        self.query_one(f"#{lists[(at + step) % len(lists)]}").focus()


class LiveScreen(DeskScreen):
    """A queue that follows the store: read again when another terminal records something.

    Every ``POLL_SECONDS`` while the screen is on show it reads the store's change counter
    (one indexed row); only when the counter moved is the queue itself read again, so an
    idle queue costs next to nothing. Subclasses say how to read (``load``, run in a worker)
    and how to show (``show``); ``poll_paused`` holds the polling while an action of the
    screen's own is on its way (its answer brings the fresh queue).
    """

    POLL_SECONDS = 2.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seq: int | None = None
        self._polling = False

    def load(self, services: Services, actor: Actor) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def poll_paused(self) -> bool:
        return False

    def follow_store(self) -> None:
        """Read now, then keep following; called from ``on_mount``."""
        self.action_refresh()
        self.set_interval(self.POLL_SECONDS, self._tick)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._read(force=True)

    def _tick(self) -> None:
        if self.is_current and not self.poll_paused():
            self._read(force=False)

    def _read(self, *, force: bool) -> None:
        if self._polling:
            return
        self._polling = True
        self.call_service(self._poll, self.services, self.actor, None if force else self._seq, then=self._polled,
                          failed=self._poll_failed, group=f"{type(self).__name__}-read", saves=False)

    def _poll(self, services: Services, actor: Actor, seen: int | None) -> tuple[int, Any]:
        from frontdesk.services.board import change_seq

        seq = change_seq(services, actor.store_id)
        return seq, (self.load(services, actor) if seq != seen else None)

    def _polled(self, outcome: tuple[int, Any]) -> None:
        self._polling = False
        seq, data = outcome
        self._seq = seq
        if data is not None:
            self.show(data)

    def _poll_failed(self, error: FrontdeskError) -> None:
        self._polling = False
        self.show_error(error)
