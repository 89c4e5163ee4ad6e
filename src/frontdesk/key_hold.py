"""Keys typed ahead wait for the screen they were typed for: held, in order, never sent to the old focus.

A fast typist (or a terminal delivering a burst in one read) gets several keys into the
app's queue at once. Textual hands each to whatever has focus *at that moment*, but what an
earlier key asked for happens later: ``Widget.focus`` is a callback on the app's queue, a
pushed screen composes and takes its focus in its own queue, an ``Input.Submitted`` is
handled by the screen after the key, and a save's answer (which may open the next screen)
comes from a worker. So the Tab of ``1…6 Tab 1…7`` was overtaken by the digits after it,
and a plate typed after the password's Enter landed in the login form.

:class:`KeyHoldApp` dispatches a key only once the app has *settled* from the ones before:

- nothing is waiting in the app's queue or its next-callbacks (a focus change, a switch);
- the screen on top and every widget on it have handled their messages (a pushed screen
  is composed, mounted and focused; a submitted field has moved the focus);
- no hold is open: a worker whose answer decides where keys go or what they act on (every
  save, and every read a screen starts while it is being mounted — its first load — through
  ``screens/pipeline.py``: :func:`worker_started`; the sign-in) or an explicit
  :meth:`KeyHoldApp.hold_keys`.

Until then keys queue here and are replayed one at a time, each after the previous one's
consequences, checked every few milliseconds. A hold older than :data:`PATIENCE` seconds
stops holding (a save waiting on another terminal's lock must not freeze the keyboard),
and so does a screen that never settles (:data:`SETTLE_LIMIT`): then keys flow as before.
Ctrl+Q is never held. Typing into a search box does not wait for its search, nor a queue
for its poll: reads of a screen already on show do not hold keys (their answer changes a
list, not where the next key goes). A search box holds only the keys that act on its hits
(Enter, arrows, F2: widgets/type_ahead.py), letting text through. A paste keeps its place
among the keys.
"""

from __future__ import annotations

import collections
import logging
import time
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump
    from textual.timer import Timer
    from textual.worker import Worker

log = logging.getLogger("frontdesk.key_hold")

#: Seconds one hold may keep keys waiting before they flow again.
PATIENCE = 5.0
#: Seconds keys wait for a screen whose widgets never fall quiet (an animation, say).
SETTLE_LIMIT = 2.0
#: How often held keys look again whether the app has settled.
RETRY = 0.004
#: Keys that pass at once: quitting must work whatever is in flight.
NEVER_HELD = frozenset({"ctrl+q"})


class Hold:
    """One reason keys wait; :meth:`release` ends it (twice is harmless).

    ``worker``: it ends with the worker. ``node``: it holds only while that widget is on the
    screen on top (a search pending on a screen underneath holds nothing). ``text_passes``:
    printable keys go on (typing into a search box never waits for its search), and only the
    others — Enter, Tab, arrows, function keys, and whatever follows them — wait.
    """

    def __init__(self, reason: str, worker: Worker[Any] | None = None, node: DOMNode | None = None,
                 text_passes: bool = False) -> None:
        self.reason = reason
        self.worker = worker
        self.node = node
        self.text_passes = text_passes
        self.since = time.monotonic()
        self.released = False

    def release(self) -> None:
        self.released = True

    def alive(self, now: float) -> bool:
        """Still to be kept: not released, its worker running, its widget on a screen, within patience."""
        if self.released or (self.worker is not None and self.worker.is_finished):
            return False
        if self.node is not None and not self.node.is_attached:
            return False
        if now - self.since > PATIENCE:
            log.warning("keys no longer wait for %s after %.0f s", self.reason, PATIENCE)
            return False
        return True

    def holds(self, key: events.Key | events.Paste, app: App[Any]) -> bool:
        if self.text_passes and (isinstance(key, events.Paste) or key.is_printable):
            return False
        if self.node is not None:
            try:
                return self.node.screen is app.screen
            except Exception:  # noqa: BLE001 - taken off its screen meanwhile
                return False
        return True


class KeyHoldApp(App[None]):
    """An app whose keys wait for the screen they were typed for (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: collections.deque[events.Key | events.Paste] = collections.deque()
        self._holds: list[Hold] = []
        self._retry: Timer | None = None
        self._waiting_since: float | None = None

    # What screens and the pipeline call ----------------------------------------------------

    def hold_keys(self, reason: str, *, node: DOMNode | None = None, text_passes: bool = False) -> Hold:
        """Keys wait until the returned hold is released (or :data:`PATIENCE` has passed); see :class:`Hold`."""
        hold = Hold(reason, node=node, text_passes=text_passes)
        self._holds.append(hold)
        return hold

    def hold_keys_for(self, worker: Worker[Any], reason: str = "") -> Hold:
        """Keys wait until ``worker`` has finished, its answer shown (the answer runs inside the worker)."""
        hold = Hold(reason or worker.description or worker.name, worker)
        if not worker.is_finished:
            self._holds.append(hold)
            task = getattr(worker, "_task", None)  # started by run_worker; look again the moment it ends
            if task is not None:
                task.add_done_callback(lambda _task: self._wake())
        return hold

    def holds_keys(self, node: DOMNode, *, saves: bool) -> bool:
        """Whether keys wait for a pipeline call of ``node``: a save, or a screen's first load (started while it mounts)."""
        return saves or not _mounted(node)

    def drop_typed_ahead(self) -> int:
        """Forget the keys waiting now (a refused sign-in: they were meant for a desk that never came)."""
        dropped = len(self._typed_ahead)
        self._typed_ahead.clear()
        return dropped

    @property
    def keys_waiting(self) -> int:
        return len(self._typed_ahead)

    # The hook -------------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded \
                and getattr(event, "key", None) not in NEVER_HELD:
            self._typed_ahead.append(event)
            await self._replay()
            return
        await super().on_event(event)

    def _wake(self) -> None:
        if self._typed_ahead and self.is_running:
            self.call_later(self._replay)

    async def _replay(self) -> None:
        """Dispatch the first waiting key if the app has settled; otherwise look again shortly."""
        if not self._typed_ahead:
            return
        if not self._settled(self._typed_ahead[0]):
            self._look_again()
            return
        self._waiting_since = None
        await super().on_event(self._typed_ahead.popleft())
        if self._typed_ahead:  # the next one waits for what this one started
            self._look_again()

    def _look_again(self) -> None:
        if self._retry is None:
            self._retry = self.set_timer(RETRY, self._retry_now, name="key-hold")

    def _retry_now(self) -> None:
        """From the app's queue, never from the timer's task: the app may be half-way through a switch."""
        self._retry = None
        self.call_later(self._replay)

    def _settled(self, key: events.Key | events.Paste) -> bool:
        now = time.monotonic()
        self._holds = [h for h in self._holds if h.alive(now)]
        if any(h.holds(key, self) for h in self._holds):
            self._waiting_since = None  # a hold has its own patience
            return False
        if _quiet(self, own=True) and all(_quiet(n) for n in _on_show(self)):
            return True
        if self._waiting_since is None:
            self._waiting_since = now
        elif now - self._waiting_since > SETTLE_LIMIT:
            log.warning("keys no longer wait for a screen that does not settle (%s)", type(self.screen).__name__)
            return True
        return False


def worker_started(node: DOMNode, worker: Worker[Any], *, saves: bool) -> None:
    """The pipeline's hook: the app decides whether keys wait for this call (:meth:`KeyHoldApp.holds_keys`)."""
    app = node.app
    if isinstance(app, KeyHoldApp) and app.holds_keys(node, saves=saves):
        app.hold_keys_for(worker)


def _mounted(node: DOMNode) -> bool:
    try:
        return node.screen.is_mounted
    except Exception:  # noqa: BLE001 - not on a screen (the app itself): nothing is being built
        return True


def _on_show(app: App[Any]) -> list[DOMNode]:
    try:
        return list(app.screen.walk_children(with_self=True))
    except Exception:  # noqa: BLE001 - no screen yet (starting) or any more (closing): nothing to wait for
        return []


def _quiet(pump: MessagePump, *, own: bool = False) -> bool:
    """Nothing waiting in ``pump``'s queue and nothing being handled (``own``: the caller is the one handling).

    Textual's queue does not count a message in hand, but a pump with nothing to do waits on
    its queue's ``ready_event``: no waiter there means it is busy with a message, its idle
    callbacks, or has not started yet.
    """
    if pump._closed or pump._closing:
        return True
    if pump._next_callbacks:
        return False
    queue = pump.__dict__.get("_message_queue")  # a cached_property: never looked at means never used
    if queue is None:
        return True
    if queue.qsize():
        return False
    return own or bool(getattr(queue.ready_event, "_waiters", True))
