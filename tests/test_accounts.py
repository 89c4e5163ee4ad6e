"""Key accounts (issue 21, item 1): terms, cars and drivers, the agreed discount, the charge and its gate pass.

The oil service of ``factories.order_through`` bills the customer 180.00 labour (1 h at
180.00) and 450.00 parts (filter 58.00 + 4 L oil at 98.00); the pads are warranty. An
account agreeing 10 % off labour and 5 % off parts takes 18.00 + 22.50 = 40.50 off: the
customer share is 589.50, and that is what the account is charged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, Receivable, RepairOrder
from frontdesk.model.enums import OrderStatus, PayerKind, PayType, Role
from frontdesk.services import accounts, documents, settlement
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

from .conftest import PASSWORD
from .factories import customer_and_vehicle, order_through, seed_shop, stored

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _account(services, manager, **terms) -> accounts.AccountRef:  # type: ignore[no-untyped-def]
    data = {"code": "sz-bus", "name": "深圳巴士集团", "kind": "fleet", "credit_limit": "1000", "terms_days": 30,
            "labour_discount": "0.10", "parts_discount": "0.05", "invoice_title": "深圳巴士集团有限公司",
            "tax_id": "91440300192173412x"} | terms
    return accounts.save_account(services, manager, accounts.AccountInput(**data))


@SQLITE_ONLY
def test_account_terms_are_checked_and_a_car_is_on_one_account(services, admin, actors) -> None:
    manager, advisor = actors[Role.MANAGER], actors[Role.ADVISOR]
    bad = {"code": " ", "name": "", "credit_limit": "-1", "labour_discount": "0.6", "parts_discount": "-0.1",
           "terms_days": 181, "kind": "friend"}
    for field, value in bad.items():
        with pytest.raises(ValidationError) as err:
            _account(services, manager, **{field: value})
        assert err.value.field == field
    with pytest.raises(ValidationError) as err:
        _account(services, manager, name="巴士\x1b[31m")
    assert err.value.field == "name" and "U+001B" in err.value.message
    with pytest.raises(PermissionDenied):
        _account(services, actors[Role.CASHIER])

    bus = _account(services, manager)
    assert bus.code == "SZ-BUS"
    with pytest.raises(ValidationError, match="taken"):
        _account(services, manager, name="another")
    taxi = _account(services, manager, code="TAXI", name="鹏程出租")
    _customer, car = customer_and_vehicle(services, advisor)
    accounts.add_vehicle(services, manager, bus.id, car)
    with pytest.raises(ValidationError, match="on account SZ-BUS"):
        accounts.add_vehicle(services, manager, taxi.id, car)
    with pytest.raises(ValidationError, match="already"):
        accounts.add_vehicle(services, manager, bus.id, car)
    driver = accounts.add_driver(services, manager, bus.id, "王师傅", "139 0000 1111")
    accounts.add_driver(services, manager, bus.id, "刘师傅", "")
    accounts.set_driver_active(services, manager, driver.id, False)
    badge = accounts.account_for_vehicle(services, advisor, car)
    assert badge is not None and (badge.code, badge.drivers, badge.suspended) == ("SZ-BUS", ("刘师傅",), False)
    with pytest.raises(ValidationError, match="required"):
        accounts.suspend(services, manager, bus.id, " ")
    accounts.suspend(services, manager, bus.id, "欠款三个月未付")
    assert accounts.list_accounts(services, advisor, "巴士")[0].suspended
    accounts.remove_vehicle(services, manager, bus.id, car)
    assert accounts.account_for_vehicle(services, advisor, car) is None
    accounts.add_vehicle(services, manager, taxi.id, car)  # now it may go to the other account
    with pytest.raises(NotFound):
        accounts.remove_vehicle(services, manager, bus.id, car)


def test_charge_within_limit_over_limit_suspended_and_gate_pass(services, admin, actors, clock) -> None:
    manager, advisor, cashier = actors[Role.MANAGER], actors[Role.ADVISOR], actors[Role.CASHIER]
    shop = seed_shop(services, admin, actors)
    _customer, car = customer_and_vehicle(services, advisor)
    bus = _account(services, manager)
    accounts.add_vehicle(services, manager, bus.id, car)

    first = order_through(services, actors, shop, car, stop="delivered")
    prepared = stored(services, RepairOrder, first.id)
    # The agreed discount, without the advisor's authority (10 % of 180.00 + 5 % of 450.00).
    assert (prepared.discount, prepared.customer_amount) == (Decimal("40.50"), Decimal("589.50"))
    with services.db.reader() as s:
        said = s.scalars(select(AuditEvent.after).where(AuditEvent.order_id == first.id,
                                                        AuditEvent.action == "settlement.prepare")).one()
    assert said["agreed_discount_of_account"] == "SZ-BUS" and said["discount_approved_by"] is None

    accounts.suspend(services, manager, bus.id, "欠款未付")
    with pytest.raises(IllegalTransition, match="suspended: 欠款未付"):
        accounts.charge_to_account(services, cashier, first.id)
    # Suspended, the car pays at the counter at the full price.
    settlement.prepare_settlement(services, advisor, first.id, settlement.SettlementInput(safety_ack_by="张伟"))
    assert stored(services, RepairOrder, first.id).customer_amount == Decimal("630.00")
    accounts.reinstate(services, manager, bus.id)
    settlement.prepare_settlement(services, advisor, first.id, settlement.SettlementInput(safety_ack_by="张伟"))

    charged = accounts.charge_to_account(services, cashier, first.id)  # 589.50 of a 1000.00 limit
    assert charged.status == OrderStatus.SETTLED
    with pytest.raises(IllegalTransition):
        settlement.prepare_settlement(services, advisor, first.id, settlement.SettlementInput(safety_ack_by="张伟"))
    closed = settlement.issue_gate_pass(services, cashier, first.id)
    assert closed.status == OrderStatus.CLOSED
    with services.db.reader() as s:  # the paper says where the money went: no balance due, not "paid"
        order = s.get(RepairOrder, first.id)
        statement, gate = documents.settlement_statement(s, services, order), documents.gate_pass(s, services, order)
    assert (statement.charged_to_account, statement.account_charged, statement.balance_due) == (
        "深圳巴士集团", Decimal("589.50"), Decimal("0.00"))
    assert (gate.paid, gate.charged_to_account, gate.release_allowed) == (False, "深圳巴士集团", True)
    with services.db.reader() as s:
        (owed,) = s.scalars(select(Receivable).where(Receivable.order_id == first.id,
                                                    Receivable.payer_kind == PayerKind.ACCOUNT))
        assert (owed.amount, owed.account_id, owed.payer_name, owed.pay_type) == (
            Decimal("589.50"), bus.id, "深圳巴士集团", PayType.CUSTOMER)
        assert owed.due_on == dt.date(2026, 11, 30) + dt.timedelta(days=30)  # 月结: month end + 30 days
        order = s.get(RepairOrder, first.id)
        assert order is not None and (order.account_id, order.account_charged) == (bus.id, Decimal("589.50"))

    clock.advance(days=1)
    second = order_through(services, actors, shop, car, stop="delivered")  # 589.50 more: 1179.00 > 1000.00
    with pytest.raises(PermissionDenied, match="credit limit"):
        accounts.charge_to_account(services, cashier, second.id)
    with pytest.raises(PermissionDenied):
        accounts.charge_to_account(services, cashier, second.id, ManagerApproval("manager", "wrong"))
    assert stored(services, RepairOrder, second.id).account_charged == 0  # nothing written
    accounts.charge_to_account(services, cashier, second.id, ManagerApproval("manager", PASSWORD))
    assert settlement.issue_gate_pass(services, cashier, second.id).status == OrderStatus.CLOSED
    with services.db.reader() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.order_id == second.id,
                                                   AuditEvent.action == "account.charge")).all()
    assert len(audit) == 1 and audit[0].after["over_limit_approved_by"] == manager.user_id
    assert audit[0].after["amount"] == "589.50"

    detail = accounts.account_detail(services, cashier, bus.id)
    assert detail.open_balance == Decimal("1179.00") and detail.overdue == 0
    assert [r.bucket for r in detail.receivables] == ["0-30", "0-30"]
    assert dict(detail.aging)["0-30"] == Decimal("1179.00")
    (row,) = accounts.list_accounts(services, cashier)
    assert (row.open_balance, row.overdue) == (Decimal("1179.00"), 0)
    clock.advance(days=70)  # past the due date (2026-12-30), 70-71 days old
    row, = accounts.list_accounts(services, cashier)
    assert row.overdue == Decimal("1179.00")
    assert dict(accounts.account_detail(services, cashier, bus.id).aging)["61-90"] == Decimal("1179.00")


@SQLITE_ONLY
def test_a_car_on_no_account_is_not_charged_and_a_typed_discount_replaces_the_agreed_one(
        services, admin, actors) -> None:
    manager, advisor, cashier = actors[Role.MANAGER], actors[Role.ADVISOR], actors[Role.CASHIER]
    shop = seed_shop(services, admin, actors)
    _customer, car = customer_and_vehicle(services, advisor)
    order = order_through(services, actors, shop, car, stop="delivered")
    with pytest.raises(IllegalTransition, match="not on any account"):
        accounts.charge_to_account(services, cashier, order.id)
    bus = _account(services, manager, monthly=False, terms_days=15)
    accounts.add_vehicle(services, manager, bus.id, car)
    settlement.prepare_settlement(services, advisor, order.id, settlement.SettlementInput(
        discount="10.00", safety_ack_by="张伟"))
    assert stored(services, RepairOrder, order.id).customer_amount == Decimal("620.00")  # not on top of 40.50
    accounts.charge_to_account(services, cashier, order.id)
    with services.db.reader() as s:
        owed = s.scalar(select(Receivable).where(Receivable.order_id == order.id,
                                                 Receivable.payer_kind == PayerKind.ACCOUNT))
        assert owed is not None and owed.due_on == dt.date(2026, 11, 24) + dt.timedelta(days=15)
