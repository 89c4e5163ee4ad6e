"""Every pair of statuses: the allowed transitions succeed, every other raises IllegalTransition."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from frontdesk.model import Job, RepairOrder
from frontdesk.model.enums import JobStatus, OrderStatus
from frontdesk.services.errors import IllegalTransition
from frontdesk.services.lifecycle import JOB_TRANSITIONS, ORDER_TRANSITIONS, transition_job, transition_order

NOW = dt.datetime(2026, 11, 24, 10, 0)

# The specification, written out independently of the code's table (DESIGN §2).
ORDER_ALLOWED = {
    ("check_in", "estimate"), ("check_in", "cancelled"),
    ("estimate", "authorised"), ("estimate", "cancelled"),
    ("authorised", "in_workshop"), ("authorised", "estimate"), ("authorised", "cancelled"),
    ("in_workshop", "ready"),
    ("ready", "delivered"), ("ready", "in_workshop"),
    ("delivered", "settled"),
    ("settled", "closed"),
}
JOB_ALLOWED = {
    ("proposed", "approved"), ("proposed", "declined"),
    ("approved", "assigned"),
    ("assigned", "in_progress"),
    ("in_progress", "paused"), ("in_progress", "finished"),
    ("paused", "in_progress"),
    ("finished", "self_checked"),
    ("self_checked", "leader_checked"), ("self_checked", "in_progress"),
    ("leader_checked", "qc_passed"), ("leader_checked", "in_progress"),
}


def test_tables_match_the_specification():
    code_orders = {(a.value, b.value) for a, targets in ORDER_TRANSITIONS.items() for b in targets}
    code_jobs = {(a.value, b.value) for a, targets in JOB_TRANSITIONS.items() for b in targets}
    assert code_orders == ORDER_ALLOWED
    assert code_jobs == JOB_ALLOWED
    assert set(ORDER_TRANSITIONS) == set(OrderStatus) and set(JOB_TRANSITIONS) == set(JobStatus)


@pytest.mark.parametrize("current,target", list(itertools.product(OrderStatus, OrderStatus)))
def test_every_order_status_pair(current: OrderStatus, target: OrderStatus):
    order = RepairOrder(number="GZ01-20261124-0001", status=current, status_changed_at=NOW - dt.timedelta(hours=1))
    if (current.value, target.value) in ORDER_ALLOWED:
        assert transition_order(order, target, NOW) == current
        assert order.status == target and order.status_changed_at == NOW
    else:
        with pytest.raises(IllegalTransition) as info:
            transition_order(order, target, NOW)
        assert order.status == current
        assert "GZ01-20261124-0001" in str(info.value)  # the message names the order


@pytest.mark.parametrize("current,target", list(itertools.product(JobStatus, JobStatus)))
def test_every_job_status_pair(current: JobStatus, target: JobStatus):
    job = Job(description="更换机油机滤", status=current)
    if (current.value, target.value) in JOB_ALLOWED:
        assert transition_job(job, target) == current
        assert job.status == target
    else:
        with pytest.raises(IllegalTransition) as info:
            transition_job(job, target)
        assert job.status == current
        assert "更换机油机滤" in str(info.value)
