"""Issue 21, the receivables ledger under accounts, insurers and the maker (SQLite and PostgreSQL).

Two orders from tests/factories.order_through each leave ¥905.00 under warranty: two
receivables owed by the maker (大众). One transfer of ¥1 500.00 pays the first in full and
¥400.00 of the second; ¥195.00 stays as the maker's credit, applied later.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from frontdesk.model import Allocation, AuditEvent, Receivable, Remittance
from frontdesk.model.enums import PayerKind, Role
from frontdesk.services import checkin, ledger, settlement
from frontdesk.services.errors import (
    ConflictError,
    IllegalTransition,
    PermissionDenied,
    ValidationError,
)

from .factories import order_through, seed_shop, stored


@pytest.fixture
def two_claims(services, admin, actors):  # type: ignore[no-untyped-def]
    shop = seed_shop(services, admin, actors)
    adv = actors[Role.ADVISOR]
    ids = []
    for plate, vin in (("粤A12345", "LSVAU033612345678"), ("粤B54321", "LSVAU033612345679")):
        customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "13800138000"))
        vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True))
        order = order_through(services, actors, shop, vehicle.id, stop="delivered")
        with services.db.session() as s:
            ids.append(s.scalars(select(Receivable.id).where(Receivable.order_id == order.id)).one())
    return ids


def _transfer(services, amount="1500.00", reference="MK-2026-11", **kw):  # type: ignore[no-untyped-def]
    return ledger.RemittanceInput(PayerKind.MAKER, "大众", amount, reference,
                                  received_on=services.clock().date(), **kw)


def test_one_transfer_pays_one_order_and_part_of_another_and_keeps_the_rest(services, actors, two_claims):
    cash = actors[Role.CASHIER]
    first, second = two_claims
    assert stored(services, Receivable, first).payer_kind == PayerKind.MAKER
    assert stored(services, Receivable, first).payer_name == "大众"

    ref = ledger.record_remittance(services, cash, _transfer(services), [
        ledger.AllocationInput(first, "905.00"), ledger.AllocationInput(second, "400.00")])

    assert (ref.applied, ref.unapplied) == (Decimal("1305.00"), Decimal("195.00"))
    a, b = stored(services, Receivable, first), stored(services, Receivable, second)
    assert (a.paid, a.closed_at is not None) == (Decimal("905.00"), True)
    assert (b.paid, ledger.open_amount(b), b.closed_at) == (Decimal("400.00"), Decimal("505.00"), None)
    later = ledger.apply_remittance(services, cash, ref.id, [ledger.AllocationInput(second, "195.00")])
    assert later.unapplied == Decimal("0.00")
    assert stored(services, Receivable, second).paid == Decimal("595.00")
    with services.db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "remittance")).all()
    assert actions == ["remittance.apply", "remittance.apply"]


@pytest.mark.parametrize(("allocations", "error", "words"), [
    ([("first", "905.01")], ValidationError, "more than the"),
    ([("first", "100"), ("first", "100")], ValidationError, "twice"),
    ([("first", "0")], ValidationError, "above zero"),
    ([("first", "900"), ("second", "700")], ValidationError, "does not cover"),
])
def test_bad_allocations_change_nothing(services, actors, two_claims, allocations, error, words):
    named = dict(zip(("first", "second"), two_claims))
    with pytest.raises(error, match=words):
        ledger.record_remittance(services, actors[Role.CASHIER], _transfer(services), [
            ledger.AllocationInput(named[key], amount) for key, amount in allocations])
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Remittance)) == 0
        assert s.scalar(select(func.sum(Receivable.paid))) == Decimal("0.00")


def test_bad_transfers_are_refused(services, actors, two_claims):
    cash = actors[Role.CASHIER]
    tomorrow = services.clock().date() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        ledger.record_remittance(services, cash, ledger.RemittanceInput(PayerKind.MAKER, "大众", "10", "X1", tomorrow))
    with pytest.raises(ValidationError, match="required"):
        ledger.record_remittance(services, cash, _transfer(services, reference=""))
    with pytest.raises(ValidationError, match="negative"):
        ledger.record_remittance(services, cash, _transfer(services, amount="-5"))
    with pytest.raises(ValidationError, match="another payer"):
        ledger.record_remittance(services, cash, ledger.RemittanceInput(
            PayerKind.INSURER, "平安产险", "100", "PA-1", services.clock().date()), [
            ledger.AllocationInput(two_claims[0], "100")])


def test_a_transfer_recorded_twice_is_a_conflict_and_applies_once(services, actors, two_claims):
    """Two cashiers record the same bank transfer at the same moment: one applies it, the other is told."""
    cash = actors[Role.CASHIER]
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def apply() -> None:
        start.wait()
        try:
            outcomes.append(ledger.record_remittance(services, cash, _transfer(services), [
                ledger.AllocationInput(two_claims[0], "905.00")]))
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["ConflictError", "RemittanceRef"]
    assert stored(services, Receivable, two_claims[0]).paid == Decimal("905.00")
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Allocation)) == 1


def test_credit_applied_later_tops_up_and_stale_copies_conflict(services, actors, two_claims):
    cash = actors[Role.CASHIER]
    first = two_claims[0]
    version = stored(services, Receivable, first).version
    ref = ledger.record_remittance(services, cash, _transfer(services), [ledger.AllocationInput(first, "300")])
    ledger.apply_remittance(services, cash, ref.id, [ledger.AllocationInput(first, "100")])
    with pytest.raises(ValidationError, match="more than"):
        ledger.apply_remittance(services, cash, ref.id, [ledger.AllocationInput(first, "505.01")])
    with services.db.session() as s:
        assert s.scalars(select(Allocation.amount)).all() == [Decimal("400.00")]
    with pytest.raises(ConflictError):  # another transfer, read before the first was applied
        ledger.record_remittance(services, cash, _transfer(services, reference="MK-2"), [
            ledger.AllocationInput(first, "100", expected_version=version)])
    assert stored(services, Receivable, first).paid == Decimal("400.00")


def test_write_off_is_the_managers_and_follow_ups_are_kept(services, actors, two_claims, clock):
    first = two_claims[0]
    with pytest.raises(PermissionDenied):
        ledger.write_off(services, actors[Role.CASHIER], first, None, "short paid")
    ref = ledger.write_off(services, actors[Role.MANAGER], first, "5.00", "保险公司少付")
    assert ref.open_amount == Decimal("900.00")
    with pytest.raises(ValidationError, match="more than"):
        ledger.write_off(services, actors[Role.MANAGER], first, "900.01", "x")
    with pytest.raises(ValidationError, match="past"):
        ledger.follow_up(services, actors[Role.CASHIER], first, clock().date() - dt.timedelta(days=1), "called")
    nxt = clock().date() + dt.timedelta(days=7)
    ledger.follow_up(services, actors[Role.INSURANCE_CLERK], first, nxt, "已电话催收，下周付款")
    r = stored(services, Receivable, first)
    assert r.next_action_on == nxt and r.note.endswith("已电话催收，下周付款")


def test_the_settlement_is_fixed_once_a_payer_has_paid(services, actors, two_claims):
    ledger.record_remittance(services, actors[Role.CASHIER], _transfer(services), [
        ledger.AllocationInput(two_claims[0], "905.00")])
    order_id = stored(services, Receivable, two_claims[0]).order_id
    with pytest.raises(IllegalTransition, match="paid on this bill"):
        settlement.prepare_settlement(services, actors[Role.ADVISOR], order_id, settlement.SettlementInput(
            safety_ack_by="张伟"))


def test_buckets_count_from_the_day_it_arose():
    assert [ledger.bucket(d) for d in (0, 30, 31, 60, 61, 90, 91, 400)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+"]
