"""The change queue: saves go out one at a time, in order, each with the version the last answer left.

The runner here stands in for a screen's ``call_service``: it keeps each call until the test
answers it, as a worker would some time later. What is pinned is what the estimate has always
done: a refusal stops the queue, the changes made after it are not sent (the screen is told
once, and shows the order as saved again), and the queue takes new changes afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from frontdesk.change_queue import ChangeQueue
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError


@dataclass
class Sent:
    call: Callable[[], Any]
    then: Callable[[Any], None]
    failed: Callable[[FrontdeskError], None]


class Worker:
    """Holds the calls the queue sends; the test answers them one by one."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.answered = 0

    def __call__(self, call: Callable[[], Any], then: Callable[[Any], None],
                 failed: Callable[[FrontdeskError], None]) -> None:
        self.sent.append(Sent(call, then, failed))

    @property
    def in_flight(self) -> int:
        return len(self.sent) - self.answered

    def answer(self) -> Any:
        """Run the oldest unanswered call as the worker would, and hand its outcome back."""
        sent = self.sent[self.answered]
        self.answered += 1
        try:
            result = sent.call()
        except FrontdeskError as exc:
            sent.failed(exc)
            return exc
        sent.then(result)
        return result


class Order:
    """A record with a version: a change made on a stale version is refused, as the services do."""

    def __init__(self, version: int = 7) -> None:
        self.version = version
        self.log: list[tuple[str, int]] = []

    def change(self, what: str, *, expected_version: int) -> int:
        if expected_version != self.version:
            raise ConflictError("changed by someone else")
        self.log.append((what, expected_version))
        self.version += 1
        return self.version


@pytest.fixture
def setup() -> tuple[Worker, Order, list[FrontdeskError], ChangeQueue[int]]:
    worker, order, failures = Worker(), Order(), []
    queue: ChangeQueue[int] = ChangeQueue(worker, failed=failures.append, version_of=lambda version: version)
    queue.version = order.version
    return worker, order, failures, queue


def test_changes_go_out_one_at_a_time_in_the_order_they_were_made(setup):
    worker, order, failures, queue = setup
    done: list[str] = []
    for what in ("warranty", "insurance", "internal"):
        queue.submit(lambda expected_version, what=what: order.change(what, expected_version=expected_version),
                     then=lambda _v, what=what: done.append(what))
    assert worker.in_flight == 1 and queue.waiting == 2 and queue.busy and not queue.idle
    while worker.in_flight:
        assert worker.in_flight == 1  # never two at once
        worker.answer()
    assert [what for what, _v in order.log] == ["warranty", "insurance", "internal"] == done
    assert queue.idle and not failures


def test_each_change_carries_the_version_the_previous_answer_left(setup):
    worker, order, failures, queue = setup
    for what in ("a", "b", "c"):
        queue.submit(lambda expected_version, what=what: order.change(what, expected_version=expected_version))
    while worker.in_flight:
        worker.answer()
    assert order.log == [("a", 7), ("b", 8), ("c", 9)]
    assert queue.version == order.version == 10 and not failures


def test_nothing_goes_out_before_the_record_was_read():
    worker, order = Worker(), Order()
    queue: ChangeQueue[int] = ChangeQueue(worker, failed=pytest.fail, version_of=lambda version: version)
    queue.submit(lambda expected_version: order.change("early", expected_version=expected_version))
    assert worker.in_flight == 0 and queue.waiting == 1
    queue.version = order.version  # the screen read the order
    assert worker.in_flight == 1
    worker.answer()
    assert order.log == [("early", 7)]


def test_the_version_read_again_after_a_refusal_is_the_one_carried(setup):
    worker, order, failures, queue = setup
    order.version = 12  # another terminal saved meanwhile
    queue.submit(lambda expected_version: order.change("stale", expected_version=expected_version))
    worker.answer()
    assert isinstance(failures[0], ConflictError)
    queue.version = order.version  # the screen reloads the order
    queue.submit(lambda expected_version: order.change("fresh", expected_version=expected_version))
    worker.answer()
    assert order.log == [("fresh", 12)]


def test_a_conflict_stops_the_queue_and_is_reported_once(setup):
    worker, order, failures, queue = setup
    answered: list[str] = []
    order.version = 8  # another terminal saved since this screen read the order
    for what in ("p1", "p2", "p3"):
        queue.submit(lambda expected_version, what=what: order.change(what, expected_version=expected_version),
                     then=lambda _v, what=what: answered.append(what))
    worker.answer()
    assert len(failures) == 1 and isinstance(failures[0], ConflictError)
    # the two made after it were made on the picture the conflict proved wrong: not sent, not answered
    assert worker.in_flight == 0 and len(worker.sent) == 1 and queue.waiting == 0 and queue.idle
    assert order.log == [] and answered == []


def test_after_a_refusal_the_queue_takes_new_changes(setup):
    """The edits queued behind a refusal are gone (the screen redraws the order as saved, so
    their previews go with them); what is made after the refusal is saved."""
    worker, order, failures, queue = setup

    def refuse(expected_version: int) -> int:
        raise ValidationError("quantity", "cannot be negative")

    queue.submit(refuse)
    queue.submit(lambda expected_version: order.change("dropped", expected_version=expected_version))
    worker.answer()
    assert [type(f) for f in failures] == [ValidationError] and queue.idle
    queue.submit(lambda expected_version: order.change("later", expected_version=expected_version))
    worker.answer()
    assert order.log == [("later", 7)] and len(failures) == 1


def test_a_change_may_have_its_own_refusal_handler(setup):
    worker, order, failures, queue = setup
    own: list[FrontdeskError] = []

    def refuse(expected_version: int) -> int:
        raise ValidationError("odometer_km", "lower than last time")

    queue.submit(refuse, failed=own.append)
    worker.answer()
    assert len(own) == 1 and failures == []


def test_an_unversioned_chain_sends_each_step_after_the_previous_one_answered():
    """Check-in: customer, vehicle, order; each step reads the id the step before saved."""
    worker, failures = Worker(), []
    queue: ChangeQueue[Any] = ChangeQueue(worker, failed=failures.append)
    saved: dict[str, int] = {}
    queue.submit(lambda: 41, then=lambda cid: saved.__setitem__("customer", cid))
    queue.submit(lambda: saved["customer"] + 1, then=lambda vid: saved.__setitem__("vehicle", vid))
    queue.submit(lambda: ("order for", saved["vehicle"]), then=lambda o: saved.__setitem__("order", o[1]))
    while worker.in_flight:
        worker.answer()
    assert saved == {"customer": 41, "vehicle": 42, "order": 42} and not failures and queue.idle


def test_a_step_may_drop_the_rest():
    """Check-in's first step looks whether the plate is taken; if so, nothing after it is saved."""
    worker, failures = Worker(), []
    queue: ChangeQueue[Any] = ChangeQueue(worker, failed=failures.append)
    saved: list[str] = []
    queue.submit(lambda: {"plate": "taken"}, then=lambda taken: queue.drop() if taken else None)
    queue.submit(lambda: saved.append("customer"))
    worker.answer()
    assert worker.in_flight == 0 and saved == [] and queue.idle and not failures
