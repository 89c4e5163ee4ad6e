"""A manager's password typed on the spot: the sign-in's lockout, an audit event per attempt, one answer.

Issue 15, item 2. The scene (tests/factories.order_through): a delivered oil service whose
customer share is ¥630.00; the advisor may give 5 % (¥31.50), so ¥50.00 off needs a service
manager's password. Every refused approval rolls the settlement back; the attempt must
still be counted and audited.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, RepairOrder, User
from frontdesk.model.enums import Role
from frontdesk.services import auth, checkin, settlement, sign_in
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.errors import PermissionDenied

from .conftest import PASSWORD
from .factories import order_through, seed_shop

DISCOUNT = settlement.SettlementInput(discount=Decimal("50.00"))


@pytest.fixture
def order(services, admin, actors):  # type: ignore[no-untyped-def]
    shop = seed_shop(services, admin, actors)
    adv = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("客户", "13912345670"))
    vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate="粤A12345", vin="LSVAU033612345678", make="大众", model="朗逸", confirm_vin_check_digit=True))
    return order_through(services, actors, shop, vehicle.id, stop="delivered")


def counter(services, username: str = "manager") -> tuple[int, object]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        user = s.scalar(select(User).where(User.username == username))
        return user.failed_logins, user.locked_until


def events(services, *actions: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)))


def refusal(services, actors, order, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as caught:
        settlement.prepare_settlement(services, actors[Role.ADVISOR], order.id, DISCOUNT,
                                      approval=ManagerApproval(username, password))
    return str(caught.value)


def test_wrong_passwords_count_are_audited_and_lock_the_manager(services, actors, order, clock):
    adv, mgr = actors[Role.ADVISOR], actors[Role.MANAGER]
    answer = refusal(services, actors, order, "manager", "wrong-pass")
    # the settlement was rolled back, the failure was not
    assert counter(services) == (1, None)
    with services.db.reader() as s:
        assert s.get(RepairOrder, order.id).discount == Decimal("0.00")
    [first] = events(services, "manager.approval_refused")
    assert (first.user_id, first.at, first.store_id) == (adv.user_id, clock.now, adv.store_id)
    assert first.after == {"manager": "manager", "manager_id": mgr.user_id, "order_id": order.id,
                           "for": "settlement.prepare", "failed_logins": 1}

    for n in range(2, sign_in.MAX_FAILED_LOGINS + 1):
        assert refusal(services, actors, order, "manager", f"guess-{n}") == answer
    failed, locked_until = counter(services)
    assert failed == 0 and locked_until == clock.now + sign_in.LOCKOUT
    [locked] = events(services, "user.locked")
    assert (locked.entity_id, locked.after["failed_logins"]) == (mgr.user_id, sign_in.MAX_FAILED_LOGINS)

    # locked: the right password gets exactly the wrong one's answer, and changes nothing
    assert refusal(services, actors, order, "manager", PASSWORD) == answer
    assert counter(services) == (0, locked_until)
    # one counter: the manager cannot sign in either
    with pytest.raises(PermissionDenied, match="locked"):
        sign_in.login(services, "manager", PASSWORD)
    assert len(events(services, "manager.approval_refused")) == sign_in.MAX_FAILED_LOGINS + 1

    clock.advance(minutes=5, seconds=1)
    done = settlement.prepare_settlement(services, adv, order.id, DISCOUNT, approval=ManagerApproval("manager", PASSWORD))
    assert done.discount == Decimal("50.00") and done.discount_by_id == mgr.user_id
    assert counter(services) == (0, None)
    [granted] = events(services, "manager.approval")
    assert granted.user_id == adv.user_id and granted.after == {
        "manager": "manager", "manager_id": mgr.user_id, "order_id": order.id, "for": "settlement.prepare"}


def test_sign_in_and_approval_failures_add_up(services, actors, order):
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            sign_in.login(services, "manager", "wrong-pass")
    refusal(services, actors, order, "manager", "wrong-pass")
    assert counter(services) == (4, None)
    refusal(services, actors, order, "manager", "wrong-pass")
    assert counter(services)[1] is not None
    with pytest.raises(PermissionDenied, match="locked"):
        sign_in.login(services, "manager", PASSWORD)


def test_one_answer_whatever_is_wrong(services, admin, actors, order):
    auth.add_user(services, admin, "manager2", "Second Manager", Role.MANAGER, PASSWORD)
    auth.set_active(services, admin, "manager2", False)
    wrong = refusal(services, actors, order, "manager", "wrong-pass")
    assert refusal(services, actors, order, "nobody", PASSWORD) == wrong  # no such user
    assert refusal(services, actors, order, "cashier", PASSWORD) == wrong  # not a manager, right password
    assert refusal(services, actors, order, "manager2", PASSWORD) == wrong  # deactivated, right password
    # the right password of an account that may not approve is neither a guess nor a grant
    assert counter(services, "cashier") == (0, None) and counter(services, "manager2") == (0, None)
    # a wrong guess at anyone's password counts against them
    refusal(services, actors, order, "cashier", "wrong-pass")
    assert counter(services, "cashier") == (1, None)
    refused = events(services, "manager.approval_refused")
    assert [(e.after["manager"], e.after["manager_id"]) for e in refused] == [
        ("manager", actors[Role.MANAGER].user_id), ("nobody", None), ("cashier", actors[Role.CASHIER].user_id),
        ("manager2", refused[3].after["manager_id"]), ("cashier", actors[Role.CASHIER].user_id)]
    assert {e.user_id for e in refused} == {actors[Role.ADVISOR].user_id}


def test_void_and_credit_are_counted_too(services, actors, order):
    cash = actors[Role.CASHIER]
    payment = settlement.take_payment(services, cash, order.id, "card", "100.00")
    with pytest.raises(PermissionDenied):
        settlement.void_payment(services, cash, payment.id, "keyed twice", approval=ManagerApproval("manager", "x-wrong"))
    with pytest.raises(PermissionDenied):
        settlement.approve_credit(services, cash, order.id, approval=ManagerApproval("manager", "y-wrong"))
    assert counter(services) == (2, None)
    assert [(e.user_id, e.after["for"], e.after["order_id"]) for e in events(services, "manager.approval_refused")] == [
        (cash.user_id, "payment.void", order.id), (cash.user_id, "credit.approve", order.id)]
    # a look-alike of the manager's name is the manager (issue 15, item 14)
    settlement.void_payment(services, cash, payment.id, "keyed twice", approval=ManagerApproval("ＭＡＮＡＧＥＲ", PASSWORD))
    assert counter(services) == (0, None)
