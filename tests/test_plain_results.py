"""Services hand screens plain data, never an ORM record (issue 16, item 2).

A record that crosses from a service's worker to a screen is detached: a relationship not
loaded yet raises there, and every attribute read from it is untyped. So every registered
service answers with a frozen dataclass (services/refs.py, or a view of its own), a plain
value, or nothing — held here three ways: by what each service says it returns, by what
the services of a whole order really return, and by the pipeline (screens/pipeline.py),
which logs an answer holding a record and, in the tests, fails with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
import pkgutil
import subprocess
import sys
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import frontdesk.services
from frontdesk.model import Job, RepairOrder
from frontdesk.model.base import Base
from frontdesk.model.enums import JobStatus, Role
from frontdesk.screens import pipeline
from frontdesk.services import aftercare, context
from frontdesk.services.aftercare import FollowUpResult
from frontdesk.services.refs import JobRef, OrderRef

from .factories import customer_and_vehicle, order_through, seed_shop

#: What a service may answer with besides a frozen dataclass or nothing: values that cannot be records.
PLAIN = (Decimal, Path, int, str, bool, float)


def _registered() -> dict[str, Any]:
    for module in pkgutil.iter_modules(frontdesk.services.__path__):
        importlib.import_module(f"frontdesk.services.{module.name}")
    return dict(context.REGISTRY)


def _problem(annotation: Any, where: str, seen: set[Any]) -> str | None:
    """Why ``annotation`` is not plain data, or None: a mapped class anywhere in it, or a mutable answer."""
    if annotation is None or annotation is type(None):
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return next((p for a in typing.get_args(annotation) if (p := _problem(a, where, seen))), None)
    if origin is not None:
        return f"{where}: {annotation} (a container; answer with a frozen dataclass)"
    if isinstance(annotation, type) and issubclass(annotation, Base):
        return f"{where}: the mapped class {annotation.__name__}"
    if isinstance(annotation, type) and issubclass(annotation, PLAIN):
        return None
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        if not annotation.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return f"{where}: {annotation.__name__} is not frozen"
        if annotation in seen:
            return None
        seen.add(annotation)
        hints = typing.get_type_hints(annotation)
        for name, hint in hints.items():
            for part in (hint, *typing.get_args(hint)):
                if isinstance(part, type) and issubclass(part, Base):
                    return f"{where}: {annotation.__name__}.{name} holds a {part.__name__} record"
        return None
    return f"{where}: {annotation!r} is neither a frozen dataclass nor a plain value"


def test_every_service_says_it_answers_with_plain_data():
    registry = _registered()
    assert len(registry) > 60  # every service module was imported
    problems = []
    for name, run in sorted(registry.items()):
        answer = typing.get_type_hints(run.__wrapped__).get("return", "missing")
        if answer == "missing":
            problems.append(f"{name}: no return annotation")
            continue
        problem = _problem(answer, name, set())
        if problem:
            problems.append(problem)
    assert problems == []


def test_the_check_finds_a_record_in_an_answer():
    """The annotation check above can fail: a record, a container of them, a dataclass holding one."""

    @dataclasses.dataclass(frozen=True)
    class Holding:
        job: Job | None

    @dataclasses.dataclass
    class Loose:
        id: int

    assert _problem(RepairOrder, "x", set()) == "x: the mapped class RepairOrder"
    assert _problem(RepairOrder | None, "x", set()) == "x: the mapped class RepairOrder"
    assert "container" in _problem(list[Job], "x", set())
    assert "holds a Job record" in _problem(Holding, "x", set())
    assert "not frozen" in _problem(Loose, "x", set())
    assert _problem(OrderRef | None, "x", set()) is None


def test_a_whole_order_answers_with_plain_data_at_every_step(services, admin, actors, clock, monkeypatch):
    answers: list[tuple[str, object]] = []
    real_call = context._call

    def watched(fn, *args, **kwargs):  # every service call runs through the core's _call
        result = real_call(fn, *args, **kwargs)
        answers.append((fn.__name__, result))
        return result

    monkeypatch.setattr(context, "_call", watched)
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle_id, stop="closed")
    clock.advance(days=3)
    with services.db.reader() as s:
        from frontdesk.model import FollowUp

        follow_id = s.query(FollowUp.id).filter(FollowUp.order_id == order.id).scalar()
    aftercare.record_follow_up(services, actors[Role.ADVISOR], follow_id, FollowUpResult(reached=False))

    called = {name for name, _ in answers}
    assert {"check_in", "add_job", "add_part", "authorise", "dispatch", "start_job", "final_qc", "deliver",
            "prepare_settlement", "take_payment", "issue_gate_pass", "record_follow_up"} <= called
    leaked = [(name, pipeline.mapped_in(result)) for name, result in answers if pipeline.mapped_in(result)]
    assert leaked == []
    for name, result in answers:
        assert result is None or isinstance(result, PLAIN) or (
            dataclasses.is_dataclass(result) and type(result).__dataclass_params__.frozen), (name, result)
    # What a screen goes on with is what the database holds once the call committed.
    added = next(result for name, result in answers if name == "add_job")
    assert isinstance(added, JobRef) and added.version == 1 and added.status == JobStatus.PROPOSED
    closed = next(result for name, result in answers if name == "issue_gate_pass")
    with services.db.reader() as s:
        assert closed.version == s.get(RepairOrder, order.id).version


def test_a_changed_record_answers_with_the_version_it_was_saved_with(services, admin, actors):
    """The reference is taken after the flush: the next change names the version the database has."""
    from frontdesk.services import checkin, estimate

    adv = actors[Role.ADVISOR]
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, adv)
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=15230, fuel_eighths=4, concerns="保养"))
    assert order.version == 1
    terms = estimate.set_terms(services, adv, order.id, payment_method="cash", expected_version=order.version)
    assert terms.version == 2
    estimate.add_job(services, adv, order.id, labor_op_id=shop.oil_change, expected_version=terms.version)


# The pipeline's guard, without a running app -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Answer:
    ref: OrderRef
    record: Any = None


def _ref() -> OrderRef:
    from frontdesk.model.enums import OrderStatus

    return OrderRef(1, "GZ01-20261124-0001", 1, OrderStatus.ESTIMATE)


@pytest.mark.parametrize("answer", [
    Job(), (_ref(), Job()), [Job()], {"job": Job()}, {Job(): 1}, _Answer(_ref(), RepairOrder()), frozenset([Job()]),
], ids=["record", "tuple", "list", "dict value", "dict key", "dataclass field", "set"])
def test_the_pipeline_finds_a_record_one_level_down(answer):
    assert pipeline.mapped_in(answer) in ("Job", "RepairOrder")


@pytest.mark.parametrize("answer", [
    None, _ref(), (_ref(), 3), [_ref()], {"order": _ref()}, _Answer(_ref()), "text", Decimal("1.00"),
    dt.date(2026, 11, 24),
])
def test_plain_answers_pass_the_pipeline(answer):
    assert pipeline.mapped_in(answer) is None


class _Node:
    """What the pipeline needs of a screen to hand an answer over synchronously (``Ahead.take``)."""

    app = types.SimpleNamespace(actor=None)


def test_an_answer_holding_a_record_fails_in_the_tests(monkeypatch, caplog):
    monkeypatch.setattr(pipeline, "strict", True)
    shown: list[object] = []
    with pytest.raises(pipeline.RecordLeaked, match="Job"):
        pipeline.ahead(lambda: (_ref(), Job())).take(_Node(), then=shown.append, wait=10)
    assert shown == []
    assert "an ORM record reached a screen: Job" in caplog.text


def test_at_a_store_it_is_logged_and_the_screen_goes_on(monkeypatch, caplog):
    monkeypatch.setattr(pipeline, "strict", False)
    shown: list[object] = []
    record = Job()
    with caplog.at_level(logging.ERROR, logger="frontdesk.pipeline"):
        pipeline.ahead(lambda: record).take(_Node(), then=shown.append, wait=10)
    assert shown == [record]
    assert [r.getMessage() for r in caplog.records] == ["an ORM record reached a screen: Job"]
    shown.clear()
    pipeline.ahead(_ref).take(_Node(), then=shown.append, wait=10)
    assert shown == [_ref()]


def test_the_guard_loads_no_orm_on_the_plain_path():
    """The desk home and sign-in never load SQLAlchemy (tests/ui/test_desk_without_orm.py): nor does the guard."""
    script = ("import sys\nfrom frontdesk.screens import pipeline\n"
              "assert pipeline.mapped_in((1, [2], {'a': object()})) is None\n"
              "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'frontdesk.model'))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
