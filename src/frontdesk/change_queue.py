"""Saves sent one at a time, in the order they were made, each with the version the last one left.

A screen that saves on every key (P pressed three times on the estimate) cannot send the
second change before the first has answered: every change carries the version of the
record it was made on, the service refuses a stale one (``ConflictError``), and the
answer to the first is what brings the version the second must carry. So the changes
wait here and go out one by one. The first refusal stops the queue: the changes made
after it were made on a picture the refusal just proved wrong, so they are dropped (the
screen's failure handler is told once and shows the record as saved), never sent against
a version that no longer holds.

Nothing here is a screen: the queue is handed a ``run`` that sends one call off the UI
thread and answers on it (a screen's ``call_service``), so it is tested without a terminal
and serves every screen with ordered saves:

- the estimate: versioned (``version_of`` reads the order's version from each answer);
- check-in: a chain of saves (customer, vehicle, order) where each record has a version of
  its own and each step needs the id the previous one saved: not versioned;
- settlement and payment: one save at a time on the order, the answer a view that carries
  the new version (``version_of=lambda view: view.version``); ``idle`` is their busy flag;
- dispatch: several records per change (the order, its jobs), read again after each: not
  versioned.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from frontdesk.services.errors import FrontdeskError

A = TypeVar("A")

Answered = Callable[[Any], None]
Refused = Callable[["FrontdeskError"], None]


class Runner(Protocol):
    """Runs ``call()`` off the UI thread; ``then(answer)`` or ``failed(error)`` back on it, exactly once."""

    def __call__(self, call: Callable[[], Any], then: Answered, failed: Refused) -> None: ...


@dataclass(frozen=True)
class _Change:
    send: Callable[..., Any]
    then: Answered | None
    failed: Refused | None


class ChangeQueue(Generic[A]):
    """``ChangeQueue(run, failed=..., version_of=...)``: ``submit`` changes; they are sent in order.

    Versioned (``version_of`` given): each ``send`` is called as ``send(expected_version=v)``
    with the version the previous answer left (or the one the screen set after reading the
    record: ``queue.version = view.version``); nothing goes out while the version is not
    known yet. Not versioned: ``send()``; a send reads what the previous answers saved.
    """

    def __init__(self, run: Runner, *, failed: Refused, version_of: Callable[[A], int] | None = None) -> None:
        self._run = run
        self._failed = failed
        self._version_of = version_of
        self._waiting: deque[_Change] = deque()
        self._version: int | None = None
        self.busy = False  # a change is on its way

    @property
    def version(self) -> int | None:
        """The record's version the next change carries (versioned queues)."""
        return self._version

    @version.setter
    def version(self, version: int | None) -> None:
        known = self._version is not None
        self._version = version
        if not known:
            self._send_next()  # changes made before the record was read go out now

    @property
    def waiting(self) -> int:
        """Changes made and not sent yet."""
        return len(self._waiting)

    @property
    def idle(self) -> bool:
        """Nothing on its way and nothing waiting: the record on screen is the record saved."""
        return not self.busy and not self._waiting

    def submit(self, send: Callable[..., A], *, then: Callable[[A], None] | None = None,
               failed: Refused | None = None) -> None:
        """Queue one change; ``then(answer)`` when it is saved, ``failed`` (default: the queue's) when refused."""
        self._waiting.append(_Change(send, then, failed))
        self._send_next()

    def drop(self) -> int:
        """Forget the changes not sent yet (a step found the rest must not go out); how many they were."""
        dropped = len(self._waiting)
        self._waiting.clear()
        return dropped

    def _send_next(self) -> None:
        if self.busy or not self._waiting:
            return
        if self._version_of is not None and self._version is None:
            return  # the record has not been read yet: its version is what the first change carries
        change = self._waiting.popleft()
        self.busy = True
        call = change.send if self._version_of is None else partial(change.send, expected_version=self._version)
        self._run(call, partial(self._answered, change), partial(self._refused, change))

    def _answered(self, change: _Change, answer: Any) -> None:
        self.busy = False
        if self._version_of is not None:
            self._version = self._version_of(answer)
        if change.then is not None:
            change.then(answer)
        self._send_next()

    def _refused(self, change: _Change, error: FrontdeskError) -> None:
        self.busy = False
        self._waiting.clear()  # made on the picture this refusal proved wrong: not sent
        (change.failed or self._failed)(error)
