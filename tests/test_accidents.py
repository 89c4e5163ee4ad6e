"""Issue 21, item 2: accident repairs (事故车) and what insurers owe (SQLite and PostgreSQL).

Two orders from tests/factories.order_through with the pads job under insurance: each leaves
an insurer receivable of ¥905.00. One insurer transfer pays the first in full and part of the
second; the manager writes the second's rest off; the gaps (assessed − paid) are stamped on
the records and reported.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import AccidentClaim, Receivable
from frontdesk.model.enums import PayerKind, Role
from frontdesk.services import accidents, checkin, estimate, ledger
from frontdesk.services.accidents import AccidentInput
from frontdesk.services.errors import ConflictError, PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop, stored

PICC = "中国人保"


def _insured(fn):  # type: ignore[no-untyped-def]
    """order_through's warranty lines (the pads) billed to the insurer instead."""
    def call(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("pay_type") == "warranty":
            kwargs["pay_type"] = "insurance"
        return fn(*args, **kwargs)
    return call


@pytest.fixture
def two_accidents(services, admin, actors, monkeypatch):  # type: ignore[no-untyped-def]
    """Two delivered accident orders: the first has its record before the settlement, the second after."""
    shop = seed_shop(services, admin, actors)
    adv = actors[Role.ADVISOR]
    monkeypatch.setattr(estimate, "add_job", _insured(estimate.add_job))
    monkeypatch.setattr(estimate, "add_part", _insured(estimate.add_part))
    orders = []
    for n, (plate, vin) in enumerate((("粤A12345", "LSVAU033612345678"), ("粤B54321", "LSVAU033612345679"))):
        customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "13800138000"))
        vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True))
        order = order_through(services, actors, shop, vehicle.id, stop="ready" if n == 0 else "delivered")
        orders.append(order)
        if n == 0:
            accidents.save_accident(services, adv, order.id, AccidentInput(
                PICC, "RDAA202611240001", "张伟", "李定损", "800.00", "0", dt.date(2026, 11, 20)))
            from frontdesk.services import delivery, settlement
            delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
            delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
            delivery.deliver(services, adv, order.id)
            settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(safety_ack_by="张伟"))
    return orders


def _receivable(services, order_id):  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(Receivable).where(Receivable.order_id == order_id,
                                                  Receivable.payer_kind == PayerKind.INSURER)).one()


def test_accident_from_report_number_to_insurer_paid(services, actors, clock, two_accidents):
    adv, ins, cash, mgr = (actors[r] for r in (Role.ADVISOR, Role.INSURANCE_CLERK, Role.CASHIER, Role.MANAGER))
    first, second = two_accidents
    # The settlement named the first insurer receivable after the record; the second had none yet.
    one, two = _receivable(services, first.id), _receivable(services, second.id)
    assert (one.payer_name, two.payer_name) == (PICC, "")
    assert one.amount == two.amount > 0
    owed = one.amount
    ref = accidents.save_accident(services, ins, second.id, AccidentInput(PICC, "RDAA202611240002", "王五",
                                                                          assessed_amount="700.00"))
    assert _receivable(services, second.id).payer_name == PICC  # renamed when the record came
    accidents.add_supplement(services, ins, ref.id, "250.00", clock().date(), "水箱开裂")
    accidents.set_documents(services, ins, ref.id, {"assessment", "invoice"})
    accidents.papers_delivered(services, ins, ref.id, "小李", clock().date())
    view = accidents.accident_for_order(services, adv, second.id)
    assert view is not None
    assert view.total_assessed == Decimal("950.00") and view.documents == ("assessment", "invoice")
    assert "accident_report" in view.missing and view.papers_delivered_by == "小李"
    assert view.insurer_owes == owed and view.insurer_open == owed

    # A week on: the second claim's follow-up has come due, so it leads the queue though it is younger.
    clock.advance(days=7)
    ledger.follow_up(services, ins, two.id, clock().date(), "保险公司说在审核")
    queue = accidents.collection_queue(services, ins)
    assert [r.order_id for r in queue] == [second.id, first.id]
    assert queue[0].overdue and queue[0].note.endswith("保险公司说在审核") and queue[0].papers_delivered_on
    assert queue[1].age_days == 7 and queue[1].bucket == "0-30" and queue[1].report_no == "RDAA202611240001"

    # Another insurer's transfer cannot pay PICC's claims.
    with pytest.raises(ValidationError):
        accidents.receive_payment(services, cash, ledger.RemittanceInput(
            PayerKind.INSURER, "平安保险", "100.00", "PA-1", clock().date()), [ledger.AllocationInput(one.id, "100.00")])
    # One PICC transfer pays the first claim in full and ¥600 of the second.
    paid = accidents.receive_payment(services, ins, ledger.RemittanceInput(
        PayerKind.INSURER, PICC, owed + Decimal("600.00"), "PICC-20261201", clock().date()),
        [ledger.AllocationInput(one.id, owed), ledger.AllocationInput(two.id, "600.00")])
    assert paid.unapplied == 0
    closed = stored(services, AccidentClaim, accidents.accident_for_order(services, adv, first.id).id)
    assert (closed.paid_amount, closed.gap) == (owed, Decimal("800.00") - owed)
    assert accidents.accident_for_order(services, adv, second.id).closed_on is None
    assert [r.order_id for r in accidents.collection_queue(services, ins)] == [second.id]

    # The insurer will pay no more: the manager (only) writes the rest off; the gap is stamped.
    with pytest.raises(PermissionDenied):
        accidents.write_off_rest(services, ins, two.id, "保险公司最终赔付")
    accidents.write_off_rest(services, mgr, two.id, "保险公司最终赔付")
    view = accidents.accident_for_order(services, adv, second.id)
    assert (view.paid_amount, view.gap, view.insurer_open) == (Decimal("600.00"), Decimal("350.00"), 0)
    assert accidents.collection_queue(services, ins) == []

    report = accidents.gap_report(services, mgr, clock().date().replace(day=1), clock().date())
    assert [g.report_no for g in report.rows] == ["RDAA202611240001", "RDAA202611240002"]
    assert report.assessed == Decimal("1750.00") and report.paid == owed + Decimal("600.00")
    assert report.gap == report.assessed - report.paid


@pytest.fixture
def checked_in(services, actors):  # type: ignore[no-untyped-def]
    adv = actors[Role.ADVISOR]
    _customer, vehicle = customer_and_vehicle(services, adv)
    return checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=15230, fuel_eighths=4,
                                                                concerns="追尾", brought_by_name="张伟"))


BAD_RECORDS = [
    ("assessed_amount", {"assessed_amount": "-100"}),
    ("assessed_amount", {"assessed_amount": Decimal("-0.01")}),
    ("accident_on", {"accident_on": dt.date(2026, 11, 25)}),
    ("report_no", {"report_no": "  "}),
    ("insurer", {"insurer": ""}),
    ("insurer", {"insurer": "人保\x07"}),
    ("report_no", {"report_no": "RD\nAA"}),
]


def test_bad_input_is_refused_and_changes_nothing(services, actors, clock, checked_in):
    adv = actors[Role.ADVISOR]
    data = AccidentInput(PICC, "RDAA1", "张伟", assessed_amount="100.00", accident_on=dt.date(2026, 11, 20))
    for field, change in BAD_RECORDS:
        with pytest.raises(ValidationError) as refused:
            accidents.save_accident(services, adv, checked_in.id, AccidentInput(**{**data.__dict__, **change}))
        assert refused.value.field == field, (field, change)
    assert accidents.accident_for_order(services, adv, checked_in.id) is None
    ref = accidents.save_accident(services, adv, checked_in.id,
                                  AccidentInput(PICC, "RDAA1", accident_on=dt.date(2026, 11, 20)))
    today = clock().date()
    for call, field in (
        (lambda: accidents.add_supplement(services, adv, ref.id, "0", today), "amount"),
        (lambda: accidents.add_supplement(services, adv, ref.id, "-5", today), "amount"),
        (lambda: accidents.add_supplement(services, adv, ref.id, "5", today + dt.timedelta(days=1)), "on"),
        (lambda: accidents.add_supplement(services, adv, ref.id, "5", dt.date(2026, 11, 1)), "on"),
        (lambda: accidents.set_documents(services, adv, ref.id, {"assessment", "passport"}), "documents"),
        (lambda: accidents.papers_delivered(services, adv, ref.id, "", today), "by"),
        (lambda: accidents.papers_delivered(services, adv, ref.id, "小李", today + dt.timedelta(days=1)), "on"),
        (lambda: accidents.save_accident(services, adv, checked_in.id, AccidentInput(PICC, "RDAA2"),
                                         expected_version=ref.version + 1), None),
    ):
        with pytest.raises(ValidationError if field else ConflictError) as refused:
            call()
        assert field is None or refused.value.field == field, refused.value
    with pytest.raises(PermissionDenied):
        accidents.save_accident(services, actors[Role.TECHNICIAN], checked_in.id, AccidentInput(PICC, "X"))
    view = accidents.accident_for_order(services, adv, checked_in.id)
    assert view is not None and view.version == ref.version
    assert (view.report_no, view.supplements, view.documents, view.papers_delivered_on) == ("RDAA1", (), (), None)


def test_accident_repairs_in_the_house_before_the_insurer_owes(services, admin, actors, clock, monkeypatch):
    """The insurance clerk's second list: unsettled orders with a record or insurer-billed work, nothing else."""
    shop, adv, ins = seed_shop(services, admin, actors), actors[Role.ADVISOR], actors[Role.INSURANCE_CLERK]

    def vehicle(n: int) -> int:
        customer = checkin.save_customer(services, adv, checkin.CustomerInput(f"张伟{n}", f"1380013800{n}"))
        return checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=f"粤A1234{n}", vin=f"LSVAU03361234567{n}", make="大众", model="朗逸",
            confirm_vin_check_digit=True)).id

    with monkeypatch.context() as m:
        m.setattr(estimate, "add_job", _insured(estimate.add_job))
        m.setattr(estimate, "add_part", _insured(estimate.add_part))
        billed = order_through(services, actors, shop, vehicle(0), stop="estimate").id  # insurer's lines, no record
        order_through(services, actors, shop, vehicle(1), stop="closed")  # settled and closed: the queue's
    order_through(services, actors, shop, vehicle(2), stop="estimate")  # warranty only: not an accident
    recorded = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle(3), odometer_km=15230, fuel_eighths=4, concerns="追尾", brought_by_name="张伟")).id
    ref = accidents.save_accident(services, adv, recorded, AccidentInput(PICC, "RDAA202611240009", "张伟3",
                                                                         assessed_amount="700.00"))
    accidents.add_supplement(services, ins, ref.id, "250.50", clock().date(), "水箱开裂")
    accidents.set_documents(services, ins, ref.id, {"assessment", "invoice"})

    first, second = accidents.accident_repairs(services, ins)
    assert (first.order_id, first.accident_id, first.insurer, first.total_assessed) == (billed, None, "", None)
    assert first.missing == accidents.DOCUMENTS and first.plate == "粤A12340"
    assert (second.order_id, second.accident_id, second.insurer, second.report_no) == (
        recorded, ref.id, PICC, "RDAA202611240009")
    assert second.total_assessed == Decimal("950.50") and "assessment" not in second.missing
    assert len(second.missing) == len(accidents.DOCUMENTS) - 2
    with pytest.raises(PermissionDenied):
        accidents.accident_repairs(services, actors[Role.CLAIMS_CLERK])
