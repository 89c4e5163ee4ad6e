"""The desk home's plain reads (``services/desk_home.py``, no ORM) agree with the ORM, on both databases.

The lists are SQL written once for SQLite and PostgreSQL through the driver; here a demo
store (every stage of the workshop, appointments, calls due) is read both ways: the plain
lists against ORM queries of the same rules, and the workshop stage against the board's
(which derives it from ORM objects with the same ``board_stage``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import Appointment, FollowUp, RepairOrder
from frontdesk.model.enums import AppointmentStatus, FollowUpStatus
from frontdesk.services import board, demo, search, sign_in
from frontdesk.services.desk_home import AWAITING_DELIVERY, IN_HOUSE, day_of, desk_home

NOW = dt.datetime(2026, 11, 24, 11, 0)


@pytest.fixture
def store(services, clock):  # type: ignore[no-untyped-def]
    clock.now = NOW
    demo.generate(services, days=4, progress=False, today=NOW)
    return services


def test_lists_match_the_orm(store) -> None:  # type: ignore[no-untyped-def]
    advisor = sign_in.actor_named(store, "advisor")
    home = desk_home(store, advisor)
    start, end = day_of(NOW)
    with store.db.reader() as s:
        def orders(statuses):  # type: ignore[no-untyped-def]
            rows = s.scalars(select(RepairOrder).where(RepairOrder.store_id == advisor.store_id,
                                                       RepairOrder.status.in_(statuses))).all()
            return sorted(rows, key=lambda o: (o.promised_at is None, o.promised_at or NOW, o.checked_in_at, o.id))

        in_house, ready = orders(IN_HOUSE), orders(AWAITING_DELIVERY)
        appointments = s.scalars(select(Appointment).where(
            Appointment.scheduled_at >= start, Appointment.scheduled_at < end,
            Appointment.status == AppointmentStatus.BOOKED).order_by(Appointment.scheduled_at, Appointment.id)).all()
        calls = s.scalars(select(FollowUp).where(FollowUp.status == FollowUpStatus.DUE, FollowUp.due_at < end)
                          .order_by(FollowUp.due_at, FollowUp.id)).all()
        assert in_house and ready and appointments and calls, "the demo store has something in every list"
        assert [o.id for o in home.in_house] == [o.id for o in in_house]
        assert [o.id for o in home.ready] == [o.id for o in ready]
        assert [(r.number, r.plate, r.customer_name, r.advisor, r.promised_at, r.checked_in_at)
                for r in home.in_house] == [(o.number, o.vehicle.plate, o.customer.name, o.advisor.display_name,
                                             o.promised_at, o.checked_in_at) for o in in_house]
        assert [o.overdue for o in home.in_house] == [o.promised_at is not None and o.promised_at < NOW
                                                      for o in in_house]
        assert [(a.id, a.scheduled_at, a.vehicle_id, a.requested_work) for a in home.appointments] == [
            (a.id, a.scheduled_at, a.vehicle_id, a.requested_work) for a in appointments]
        numbers = dict(s.execute(select(RepairOrder.id, RepairOrder.number)
                                 .where(RepairOrder.id.in_([f.order_id for f in calls]))).all())
        assert [(f.id, f.due_at, f.attempts, f.order_number) for f in home.follow_ups] == [
            (f.id, f.due_at, f.attempts, numbers[f.order_id]) for f in calls]


def test_workshop_stage_is_the_board_s(store) -> None:  # type: ignore[no-untyped-def]
    advisor = sign_in.actor_named(store, "advisor")
    home = desk_home(store, advisor)
    on_board = {row.order_id: row.stage for row in board.snapshot(store, advisor.store_id).rows}
    staged = {row.id: row.stage for row in home.in_house + home.ready if row.stage is not None}
    assert len(set(staged.values())) >= 3, staged  # several stages, not one by accident
    assert staged == {order_id: on_board[order_id] for order_id in staged}


def test_search_finds_what_the_orm_holds(store) -> None:  # type: ignore[no-untyped-def]
    with store.db.reader() as s:
        order = s.scalars(select(RepairOrder).where(RepairOrder.status.in_(IN_HOUSE))).first()
        assert order is not None
        plate, number, phone = order.vehicle.plate, order.number, order.customer.phone
    by_plate = search.search(store, plate[:5])
    assert any(h.order_id == order.id and h.matched == "plate" for h in by_plate)
    by_number = search.search(store, number)
    assert [(h.order_id, h.order_number, h.matched) for h in by_number] == [(order.id, number, "order")]
    assert any(h.order_id == order.id for h in search.search(store, phone[-4:]))


def test_sign_in_writes_its_bookkeeping_and_one_audit_event(store) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.model import AuditEvent, User
    from frontdesk.services.demo import DEMO_PASSWORD
    from frontdesk.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        sign_in.login(store, "cashier", "wrong-password")
    actor = sign_in.login(store, "cashier", DEMO_PASSWORD)
    with store.db.reader() as s:
        user = s.scalar(select(User).where(User.username == "cashier"))
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_id == user.id)
                           .order_by(AuditEvent.id)).all()
    assert (actor.user_id, actor.role, actor.store_id) == (user.id, user.role, user.store_id)
    assert user.failed_logins == 0 and user.last_login_at == NOW and user.version == 1
    assert [(e.action, e.after) for e in events[-2:]] == [("user.login_failed", {"failed_logins": 1}),
                                                         ("user.login", {})]
    assert events[-1].at == NOW and events[-1].store_id == user.store_id
