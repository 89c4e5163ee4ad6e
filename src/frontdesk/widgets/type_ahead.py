"""Search as you type without freezing the screen: shared by the desk's search box and the catalog pickers.

Typing waits for a short pause, then the search runs through the pipeline
(screens/pipeline.py), exclusive in its group: a new keystroke drops the previous one's
answer, and a failure is logged and said in the status line. An answer that arrives for an
older text is thrown away, so what is on show always belongs to what is in the box. Enter
pressed before the answer is in is remembered and handed to the owner with the answer; any
other key that is not text (F2, Down, Tab) waits for the answer (frontdesk.key_hold), so it
acts on the hits of what was typed, not of an earlier text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from frontdesk.i18n import gettext as _
from frontdesk.screens import pipeline
from frontdesk.services.errors import FrontdeskError

H = TypeVar("H")


def select_or_hint(box: Input, hint: str) -> None:
    """F3 pressed in a search box: its text selected (typing replaces it), or, empty, ``hint`` says what to type."""
    if box.value:
        box.select_all()
    else:
        box.notify(hint, timeout=4)

DEBOUNCE_SECONDS = 0.15


class TypeAhead(Generic[H]):
    """``TypeAhead(owner, search, arrived=..., status=..., group=...)``; the owner calls ``schedule``.

    ``arrived(hits, enter_waiting)`` runs on the UI thread with the answer to the latest
    text only; ``status(text)`` shows "Searching…", the count, or what went wrong.
    """

    def __init__(self, owner: Widget, search: Callable[[str], Sequence[H]], *,
                 arrived: Callable[[list[H], bool], None], status: Callable[[str], None], group: str) -> None:
        self._owner = owner
        self._search = search
        self._arrived_cb = arrived
        self._status = status
        self._group = group
        self._seq = 0  # one number per text typed; answers carry the number they were asked for
        self._answered = 0  # the number whose answer is on show
        self._timer: Timer | None = None
        self._enter_waiting = False
        self._keys_wait: Any = None  # frontdesk.key_hold.Hold while a search is pending

    @property
    def pending(self) -> bool:
        """A search for the text in the box has not answered yet."""
        return self._answered != self._seq

    def schedule(self, text: str, *, delay: float = DEBOUNCE_SECONDS) -> None:
        self._seq += 1
        self._enter_waiting = False
        seq = self._seq
        self.cancel_timer()
        self._hold_keys()
        self._status(_("Searching…"))
        if delay <= 0:
            self._start(seq, text)
        else:
            self._timer = self._owner.set_timer(delay, partial(self._start, seq, text))

    def forget(self) -> None:
        """The box was emptied: nothing is searched, and any answer still on its way is dropped."""
        self._seq += 1
        self._answered = self._seq
        self._enter_waiting = False
        self.cancel_timer()
        self._release_keys()

    def _hold_keys(self) -> None:
        self._release_keys()
        hold = getattr(self._owner.app, "hold_keys", None)
        if hold is not None:
            self._keys_wait = hold("search", node=self._owner, text_passes=True)

    def _release_keys(self) -> None:
        if self._keys_wait is not None:
            self._keys_wait.release()
            self._keys_wait = None

    def enter_when_answered(self) -> None:
        self._enter_waiting = True

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _start(self, seq: int, text: str) -> None:
        pipeline.call(self._owner, self._search, text, then=partial(self._answered_with, seq),
                      failed=partial(self._refused, seq), group=self._group, exclusive=True, saves=False)

    def _answered_with(self, seq: int, hits: Sequence[H]) -> None:
        self._arrived(seq, list(hits))

    def _refused(self, seq: int, error: FrontdeskError) -> None:
        # Logged by the pipeline; the box says so, and typing on stays possible.
        if isinstance(error, pipeline.UnexpectedError):
            self._failed(seq, _("Search failed: {error}").format(error=error.detail))
        else:
            self._failed(seq, str(error))

    def _arrived(self, seq: int, hits: list[H]) -> None:
        if seq != self._seq:  # the box has changed since: a newer search is on its way
            return
        self._answered = seq
        self._release_keys()
        self._status(_("{n} found").format(n=len(hits)) if hits else _("Nothing found"))
        waiting, self._enter_waiting = self._enter_waiting, False
        self._arrived_cb(hits, waiting)

    def _failed(self, seq: int, message: str) -> None:
        if seq == self._seq:
            self._answered = seq
            self._release_keys()
            self._enter_waiting = False
            self._status(message)
