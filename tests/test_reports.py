"""Reports on a hand-built month: every figure equals the value worked out by hand below.

The report covers November 2026 (2026-11-01..2026-11-30). Two people take cars in: the advisor
("A", Advisor Test) and the manager ("M", Manager Test). Labor is 180/h (warranty 150/h), VAT 13 %
contained in the prices. Parts: oil filter 58.00, engine oil 98.00/L, front pads 680.00.

Before the range (never counted, except as the earlier visit of a comeback):
- O00 (A) 粤C24680 2026-10-10: diagnosis 0.5 h customer = 90.00, delivered 10-10 about 09:30.
- O0  (M) 粤B67890 2026-10-20: front pads job 1.5 h customer = 270.00, a QC fail (10-20, outside),
  delivered and settled 10-20; its follow-up (10-23) scores all 1 and opens complaint C0 (still open).

In the range:
- O1 (A) 粤A12345 11-02: oil service customer (180.00 + filter 58.00 + oil 4 × 98.00 = 630.00) and
  pads under warranty (1.5 h × 150 = 225.00 + pads 680.00 = 905.00); a declined diagnosis with a
  filter (never counted). Discount 30.00. Oil clocked 50 + 10 min around a QC fail (rework 1),
  pads 80 min. Follow-up reached 11-05: 5, 5, 4, 4, 5 (sum 23).
- O3 (A) 粤B67890 11-05: pads job customer 270.00 + pads 680.00 = 950.00, clocked 90 min. A
  comeback: the same labor operation as O0, delivered 16 days before — counted for M (O0's
  advisor). Follow-up reached 11-08: 3, 4, 4, 2, 3 (sum 16): a complaint C1 opens (still open).
- O2 (M) 粤C24680 11-10: diagnosis customer 90.00 (30 min) and a body repair without a labor
  operation, insurance, 2 h × 180 = 360.00 (150 min). O00 had the same diagnosis, but 31 days
  before: no comeback. Follow-up not reached three times: escalated 11-13. Complaint C2 opened
  11-11, resolved 11-12.
- O4 (M) 粤D13579 11-12: oil service as first free service (180 + 58 + 392 = 630.00), 45 min.
  Nothing for the customer to pay. Follow-up reached 11-15: all 5 (sum 25). Complaint C3
  opened 11-16, in progress.
- O7 (A) 粤A12345 11-20: a diagnosis estimate (unrelated to O1's oil and brakes: no comeback).
- O8 (A) 粤D13579 11-25: cancelled.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.model import AuditEvent
from frontdesk.model.enums import OrderStatus, PaymentMethod, PayType, Role
from frontdesk.services import (
    aftercare,
    catalog,
    checkin,
    delivery,
    estimate,
    exports,
    reports,
    settlement,
    workshop,
)
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import PermissionDenied, ValidationError

from .factories import Shop, customer_and_vehicle, seed_shop

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@dataclass
class Month:
    shop: Shop
    advisor: Actor
    manager: Actor
    orders: dict[str, int]


def _at(services: Services, when: dt.datetime) -> None:
    services.clock.now = when  # type: ignore[attr-defined]


def _advance(services: Services, minutes: int) -> None:
    services.clock.advance(minutes=minutes)  # type: ignore[attr-defined]


def _work(services: Services, actors: dict[Role, Actor], job_id: int, minutes: int, rework_minutes: int | None = None) -> None:
    tech, lead, qc = actors[Role.TECHNICIAN], actors[Role.TEAM_LEADER], actors[Role.QC]
    workshop.start_job(services, tech, job_id)
    _advance(services, minutes)
    workshop.finish_job(services, tech, job_id, unissued_reason="not_needed")
    workshop.self_check(services, tech, job_id)
    workshop.leader_check(services, lead, job_id)
    if rework_minutes is not None:
        workshop.final_qc(services, qc, job_id, passed=False, notes="机油渗漏")  # the clock runs again
        _advance(services, rework_minutes)
        workshop.finish_job(services, tech, job_id, unissued_reason="not_needed")
        workshop.self_check(services, tech, job_id)
        workshop.leader_check(services, lead, job_id)
    workshop.final_qc(services, qc, job_id, passed=True)


def _visit(services: Services, actors: dict[Role, Actor], tech: int, who: Actor, vehicle_id: int, when: dt.datetime,
           km: int, jobs: list[dict], *, discount: str = "0", stop: str = "closed") -> int:
    """Check in at ``when``; each job {op|description+hours, pay, parts: [(part, qty)], minutes, rework}."""
    _at(services, when)
    order = checkin.check_in(services, who, checkin.CheckInInput(vehicle_id=vehicle_id, odometer_km=km, fuel_eighths=4,
                                                                 concerns="见工单"))
    checkin.record_walkaround(services, who, order.id, checkin.WalkaroundInput(covers_fitted=True, signed_by="客户"))
    made = []
    for spec in jobs:
        job = estimate.add_job(services, who, order.id, labor_op_id=spec.get("op"), description=spec.get("description", ""),
                               hours=spec.get("hours"), pay_type=spec.get("pay", "customer"),
                               origin=spec.get("origin", "requested"))
        for part_id, qty in spec.get("parts", ()):
            estimate.add_part(services, who, order.id, part_id=part_id, qty=qty, job_id=job.id,
                              pay_type=spec.get("pay", "customer"))
        if spec.get("declined"):
            estimate.decline_job(services, who, order.id, job.id)
        else:
            made.append((job.id, spec))
    if stop == "estimate":
        return order.id
    if stop == "cancelled":
        estimate.cancel_order(services, who, order.id, "客户改期")
        return order.id
    estimate.set_terms(services, who, order.id, payment_method="cash", wash=False, promised_at=when + dt.timedelta(hours=6))
    estimate.authorise(services, who, order.id, "客户")
    workshop.dispatch(services, actors[Role.SUPERVISOR], order.id, {job_id: tech for job_id, _ in made})
    for job_id, spec in made:
        _work(services, actors, job_id, spec["minutes"], spec.get("rework"))
    delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, who, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, who, order.id)
    settled = settlement.prepare_settlement(services, who, order.id, settlement.SettlementInput(discount=discount))
    if settled.customer_amount:
        settlement.take_payment(services, actors[Role.CASHIER], order.id, PaymentMethod.WECHAT, settled.customer_amount)
    settlement.issue_gate_pass(services, actors[Role.CASHIER], order.id)
    return order.id


def _follow_up(services: Services, actor: Actor, order_id: int):  # type: ignore[no-untyped-def]
    from frontdesk.model import FollowUp

    with services.db.reader() as s:
        return s.scalars(select(FollowUp).where(FollowUp.order_id == order_id)).one()


def _scores(*values: int) -> dict[str, int]:
    return dict(zip(aftercare.SCORE_FIELDS, values, strict=True))


def build_month(services: Services, actors: dict[Role, Actor], admin: Actor) -> Month:
    adv, mgr = actors[Role.ADVISOR], actors[Role.MANAGER]
    _at(services, dt.datetime(2026, 10, 1, 8, 0))
    shop = seed_shop(services, admin, actors)
    catalog.adjust_stock(services, admin, shop.brake_pads, 10, "receipt")
    _, v1 = customer_and_vehicle(services, adv)
    ids = {}
    for plate, vin in (("粤B67890", "LFV2A21K6B7654321"), ("粤C24680", "LGXC0000XD1112223"), ("粤D13579", "LSGPC54U0AF102938")):
        customer = checkin.save_customer(services, adv, checkin.CustomerInput("客户" + plate[-2:], "13900000" + plate[-3:]))
        ids[plate] = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=vin, make="大众", model="速腾", sale_date=dt.date(2024, 1, 1), confirm_vin_check_digit=True)).id
    v2, v3, v4 = ids["粤B67890"], ids["粤C24680"], ids["粤D13579"]
    oil = {"op": shop.oil_change, "parts": [(shop.oil_filter, "1"), (shop.engine_oil, "4")]}
    o = {}
    o["O00"] = _visit(services, actors, shop.tech_a, adv, v3, dt.datetime(2026, 10, 10, 9, 0), 20000,
                      [{"op": shop.diagnosis, "minutes": 20}])
    o["O0"] = _visit(services, actors, shop.tech_a, mgr, v2, dt.datetime(2026, 10, 20, 9, 0), 30000,
                     [{"op": shop.brake_pads_job, "minutes": 60, "rework": 15}])
    _at(services, dt.datetime(2026, 10, 23, 10, 0))
    aftercare.record_follow_up(services, adv, _follow_up(services, adv, o["O0"]).id,
                               aftercare.FollowUpResult(True, _scores(1, 1, 1, 1, 1), "很差"))  # complaint C0
    o["O1"] = _visit(services, actors, shop.tech_a, adv, v1, dt.datetime(2026, 11, 2, 9, 0), 15230, [
        dict(oil, minutes=50, rework=10),
        {"op": shop.brake_pads_job, "pay": "warranty", "parts": [(shop.brake_pads, "1")], "minutes": 80},
        {"op": shop.diagnosis, "origin": "recommended", "parts": [(shop.oil_filter, "1")], "declined": True},
    ], discount="30")
    o["O3"] = _visit(services, actors, shop.tech_a, adv, v2, dt.datetime(2026, 11, 5, 9, 0), 30500, [
        {"op": shop.brake_pads_job, "parts": [(shop.brake_pads, "1")], "minutes": 90}])
    _at(services, dt.datetime(2026, 11, 5, 10, 0))
    aftercare.record_follow_up(services, adv, _follow_up(services, adv, o["O1"]).id,
                               aftercare.FollowUpResult(True, _scores(5, 5, 4, 4, 5)))
    _at(services, dt.datetime(2026, 11, 8, 10, 0))
    aftercare.record_follow_up(services, adv, _follow_up(services, adv, o["O3"]).id,
                               aftercare.FollowUpResult(True, _scores(3, 4, 4, 2, 3), "等太久"))  # complaint C1
    o["O2"] = _visit(services, actors, shop.tech_a, mgr, v3, dt.datetime(2026, 11, 10, 10, 0), 21000, [
        {"op": shop.diagnosis, "minutes": 30},
        {"description": "钣金修复", "hours": "2", "pay": "insurance", "minutes": 150}])
    _at(services, dt.datetime(2026, 11, 11, 9, 0))
    c2 = aftercare.open_complaint(services, adv, o["O2"], "车门有划痕")
    o["O4"] = _visit(services, actors, shop.tech_a, mgr, v4, dt.datetime(2026, 11, 12, 9, 0), 8000, [
        dict(oil, pay="first_service", minutes=45)])
    _at(services, dt.datetime(2026, 11, 12, 15, 0))
    aftercare.update_complaint(services, mgr, c2.id, resolution="已补漆", status="resolved")
    for hour in (10, 14, 18):  # three unreached attempts: escalated
        _at(services, dt.datetime(2026, 11, 13, hour, 0))
        aftercare.record_follow_up(services, adv, _follow_up(services, adv, o["O2"]).id, aftercare.FollowUpResult(False))
    _at(services, dt.datetime(2026, 11, 15, 10, 0))
    aftercare.record_follow_up(services, adv, _follow_up(services, adv, o["O4"]).id,
                               aftercare.FollowUpResult(True, _scores(5, 5, 5, 5, 5)))
    _at(services, dt.datetime(2026, 11, 16, 9, 0))
    c3 = aftercare.open_complaint(services, mgr, o["O4"], "首保后仪表提示未清除")
    aftercare.update_complaint(services, mgr, c3.id, status="in_progress")
    o["O7"] = _visit(services, actors, shop.tech_a, adv, v1, dt.datetime(2026, 11, 20, 9, 0), 15900,
                     [{"op": shop.diagnosis}], stop="estimate")
    o["O8"] = _visit(services, actors, shop.tech_a, adv, v4, dt.datetime(2026, 11, 25, 9, 0), 8500,
                     [{"op": shop.oil_change}], stop="cancelled")
    _at(services, dt.datetime(2026, 11, 30, 18, 0))
    return Month(shop, adv, mgr, o)


@pytest.fixture
def month(services: Services, actors: dict[Role, Actor], admin: Actor) -> Month:
    return build_month(services, actors, admin)


def _row(report: reports.Report, actor: Actor) -> reports.Figures:
    return next(r.figures for r in report.advisors if r.advisor_id == actor.user_id)


def test_store_figures_equal_the_hand_computed_ones(services, month):
    r = reports.report(services, month.manager, NOV_1, NOV_30)
    t = r.total
    # Check-ins in the range: O1 O3 O2 O4 O7 (+ O8 cancelled); vehicles 粤A (twice) 粤B 粤C 粤D.
    assert (t.car_count, t.vehicles) == (5, 4)
    assert dict(t.by_status) == {**dict.fromkeys(OrderStatus, 0), OrderStatus.CLOSED: 4, OrderStatus.ESTIMATE: 1,
                                 OrderStatus.CANCELLED: 1}
    # Settled in the range: O1 O3 O2 O4.
    assert t.revenue_orders == 4
    # Labor 180 + 225 (O1) + 270 (O3) + 90 + 360 (O2) + 180 (O4) = 1305.00
    assert t.labor == D("1305.00")
    # Parts 58 + 392 + 680 (O1) + 680 (O3) + 58 + 392 (O4) = 2260.00 (O1's declined filter left out)
    assert t.parts == D("2260.00")
    assert (t.gross, t.discount, t.net) == (D("3565.00"), D("30.00"), D("3535.00"))
    # VAT per order and payer, as invoiced: 600×13/113 = 69.03, 905 → 104.12, 950 → 109.29,
    # 90 → 10.35, 360 → 41.42, 630 → 72.48; sum 406.69
    assert t.tax == D("406.69")
    # Customer payable: 600.00 (O1) + 950.00 (O3) + 90.00 (O2) = 1640.00 over 3 orders = 546.666… → 546.67
    assert (t.customer_orders, t.customer_payable, t.average_customer_order) == (3, D("1640.00"), D("546.67"))
    # Sold 2.50 + 1.50 + 2.50 + 1.00 = 7.50 h; clocked (60 + 80) + 90 + (30 + 150) + 45 = 455 min = 7.58 h;
    # efficiency 7.5 × 60 / 455 × 100 = 98.90… → 98.9
    assert (t.hours_sold, t.hours_clocked, t.efficiency) == (D("7.50"), D("7.58"), D("98.9"))
    assert t.clocked_seconds == 455 * 60
    assert t.reworks == 1  # O1's oil job; O0's fail was in October
    assert t.comebacks == 1  # O3 after O0; O2 after O00 is 31 days; O7 is unrelated
    # Calls finished: O1, O3 reached, O2 escalated, O4 reached: 3 of 4 = 75.0 %
    assert (t.calls, t.reached, t.reach_rate) == (4, 3, D("75.0"))
    # CSI: (23 + 16 + 25) × 20 / 15 answers = 85.33… → 85.3
    assert (t.scored, t.csi) == (3, D("85.3"))
    # Per question: overall 5+3+5=13 → 86.7; advisor 14 → 93.3; quality 13 → 86.7; timeliness 11 → 73.3; price 13 → 86.7
    assert [t.csi_of(q) for q in aftercare.SCORE_FIELDS] == [D("86.7"), D("93.3"), D("86.7"), D("73.3"), D("86.7")]
    # Complaints opened in November: C1, C2, C3; still open: C1, C3. Open now, whenever: C0, C1, C3.
    assert (t.complaints_opened, t.complaints_open, r.complaints_open_now) == (3, 2, 3)


def test_revenue_by_pay_type(services, month):
    t = reports.report(services, month.manager, NOV_1, NOV_30).total
    got = {p.pay_type: (p.orders, p.labor, p.parts, p.gross, p.discount, p.net, p.tax) for p in t.by_pay_type}
    assert got == {
        # customer: labor 180 + 270 + 90, parts 450 + 680, discount 30; VAT 69.03 + 109.29 + 10.35
        PayType.CUSTOMER: (3, D("540.00"), D("1130.00"), D("1670.00"), D("30.00"), D("1640.00"), D("188.67")),
        PayType.WARRANTY: (1, D("225.00"), D("680.00"), D("905.00"), D("0.00"), D("905.00"), D("104.12")),
        PayType.INSURANCE: (1, D("360.00"), D("0.00"), D("360.00"), D("0.00"), D("360.00"), D("41.42")),
        PayType.INTERNAL: (0, D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00")),
        PayType.FIRST_SERVICE: (1, D("180.00"), D("450.00"), D("630.00"), D("0.00"), D("630.00"), D("72.48")),
    }


def test_per_advisor(services, month):
    r = reports.report(services, month.advisor, NOV_1, NOV_30)
    assert [row.name for row in r.advisors] == ["Advisor Test", "Manager Test"]
    a, m = _row(r, month.advisor), _row(r, month.manager)
    # A: O1, O3, O7 (粤A twice, 粤B) and the cancelled O8
    assert (a.car_count, a.vehicles, a.status_count(OrderStatus.CANCELLED)) == (3, 2, 1)
    assert (m.car_count, m.vehicles) == (2, 2)
    # A: O1 + O3: labor 405 + 270, parts 1130 + 680, discount 30; VAT 69.03 + 104.12 + 109.29
    assert (a.labor, a.parts, a.discount, a.net, a.tax) == (D("675.00"), D("1810.00"), D("30.00"), D("2455.00"), D("282.44"))
    # M: O2 + O4: labor 450 + 180, parts 450; VAT 10.35 + 41.42 + 72.48
    assert (m.labor, m.parts, m.discount, m.net, m.tax) == (D("630.00"), D("450.00"), D("0.00"), D("1080.00"), D("124.25"))
    # A: (600 + 950) / 2 = 775.00; M: O2's 90.00 (O4 is free)
    assert (a.average_customer_order, m.average_customer_order) == (D("775.00"), D("90.00"))
    # A: 4.00 h sold, 230 min = 3.83 h, 240/230 = 104.3 %; M: 3.50 h, 225 min = 3.75 h, 210/225 = 93.3 %
    assert (a.hours_sold, a.hours_clocked, a.efficiency) == (D("4.00"), D("3.83"), D("104.3"))
    assert (m.hours_sold, m.hours_clocked, m.efficiency) == (D("3.50"), D("3.75"), D("93.3"))
    assert (a.reworks, m.reworks) == (1, 0)
    assert (a.comebacks, m.comebacks) == (0, 1)  # O3 came back on M's O0 work
    # A: O1, O3 reached: 100.0 %, CSI (23 + 16) × 20 / 10 = 78.0; M: O4 reached, O2 not: 50.0 %, CSI 100.0
    assert (a.reach_rate, a.csi, m.reach_rate, m.csi) == (D("100.0"), D("78.0"), D("50.0"), D("100.0"))
    assert (a.complaints_opened, a.complaints_open, m.complaints_opened, m.complaints_open) == (1, 1, 2, 1)


def test_a_single_day_and_an_empty_range(services, month):
    day = reports.report(services, month.manager, dt.date(2026, 11, 2), dt.date(2026, 11, 2)).total
    assert (day.car_count, day.revenue_orders, day.net, day.reworks, day.calls) == (1, 1, D("1505.00"), 1, 0)
    empty = reports.report(services, month.manager, dt.date(2026, 12, 1), dt.date(2026, 12, 31)).total
    assert (empty.car_count, empty.net, empty.efficiency, empty.csi, empty.average_customer_order) == (0, D("0.00"), None, None, None)
    october = reports.report(services, month.manager, dt.date(2026, 10, 1), dt.date(2026, 10, 31)).total
    # O00 90.00 + O0 270.00; O0's QC fail; O0's follow-up all ones = CSI 20.0; C0 opened and open
    assert (october.car_count, october.net, october.reworks, october.csi, october.complaints_open) == (2, D("360.00"), 1, D("20.0"), 1)


def test_bad_ranges_and_roles(services, month, actors):
    with pytest.raises(ValidationError):
        reports.report(services, month.manager, NOV_30, NOV_1)
    with pytest.raises(PermissionDenied):
        reports.report(services, actors[Role.TECHNICIAN], NOV_1, NOV_30)


def test_related_work():
    brakes = reports._work([(1, 7, "BR0201", "brakes")])[1]
    maint = reports._work([(2, 3, "MT0101", "maintenance")])[2]
    other_maint = reports._work([(3, 4, "MT0102", "maintenance")])[3]
    brake_fluid = reports._work([(4, 9, "BR0301", "brakes")])[4]
    assert reports.related(brakes, brake_fluid)  # same category
    assert reports.related(maint, maint)  # the same operation, even a routine one
    assert not reports.related(maint, other_maint)  # routine categories alone do not make a comeback
    assert not reports.related(None, brakes)


# Exports ------------------------------------------------------------------------------------------


def _sections(path: Path) -> dict[str, list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    out: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in rows:
        if not row:
            continue
        if len(row) == 1:
            current = out.setdefault(row[0], [])
        else:
            current.append(row)
    return out


def test_csv_round_trip(services, month, tmp_path):
    r = reports.report(services, month.manager, NOV_1, NOV_30)
    path = exports.export_report(services, month.advisor, r, tmp_path / "out" / "report.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    sections = _sections(path)
    overview = dict(sections["Overview"][1:])
    assert overview["Net revenue"] == "3535.00" and overview["Car count"] == "5" and overview["CSI"] == "85.3"
    assert overview["Average customer-pay order"] == "546.67" and overview["Efficiency %"] == "98.9"
    assert overview["Open complaints now (all)"] == "3" and overview["From"] == "2026-11-01"
    pays = {row[0]: row[1:] for row in sections["Revenue by pay type"][1:]}
    assert pays["Warranty"] == ["1", "225.00", "680.00", "905.00", "0.00", "905.00", "104.12"]
    assert pays["Total"][-2:] == ["3535.00", "406.69"]
    advisors = sections["Per advisor"]
    header = advisors[0]
    a = dict(zip(header, next(row for row in advisors if row[0] == "Advisor Test")))
    assert (a["Net revenue"], a["Hours clocked"], a["Efficiency %"], a["CSI"], a["Comebacks"]) == ("2455.00", "3.83", "104.3", "78.0", "0")
    statuses = dict(sections["Orders by status"][1:])
    assert (statuses["Closed"], statuses["Cancelled"], statuses["Total"]) == ("4", "1", "6")
    with services.db.reader() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert audit.user_id == month.advisor.user_id
    assert audit.after == {"from": "2026-11-01", "to": "2026-11-30", "format": "csv", "path": str(path),
                           "car_count": 5, "net": "3535.00"}


def test_xlsx_round_trip(services, month, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    r = reports.report(services, month.manager, NOV_1, NOV_30)
    path = exports.export_report(services, month.manager, r, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Overview", "Revenue by pay type", "Orders by status", "CSI by question", "Per advisor"]
    overview = {row[0]: row[1] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert D(str(overview["Net revenue"])) == D("3535.00") and overview["Car count"] == 5
    assert D(str(overview["VAT included"])) == D("406.69") and D(str(overview["CSI"])) == D("85.3")
    sheet = book["Per advisor"]
    header = [c.value for c in sheet[1]]
    rows = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert D(str(rows["Manager Test"]["Net revenue"])) == D("1080.00")
    assert D(str(rows["Manager Test"]["Efficiency %"])) == D("93.3")
    assert rows["Total"]["Rework"] == 1 and D(str(rows["Total"]["Parts"])) == D("2260.00")
    net_cell = next(c for c in book["Overview"]["B"] if c.row > 1 and book["Overview"].cell(c.row, 1).value == "Net revenue")
    assert net_cell.number_format == "#,##0.00"


def test_export_refuses_other_formats_and_roles(services, month, actors, tmp_path):
    r = reports.report(services, month.manager, NOV_1, NOV_30)
    with pytest.raises(ValidationError):
        exports.export_report(services, month.manager, r, tmp_path / "report.pdf")
    with pytest.raises(PermissionDenied):
        exports.export_report(services, actors[Role.QC], r, tmp_path / "report.csv")
    assert not list(tmp_path.glob("report.*"))


def test_default_path_is_in_the_pdf_folder(services, month):
    r = reports.report(services, month.manager, NOV_1, NOV_30)
    path = exports.default_path(services.settings, r, "xlsx")
    assert path == services.settings.resolved_pdf_dir() / "report_2026-11-01_2026-11-30.xlsx"


# The command line --------------------------------------------------------------------------------


@pytest.fixture
def month_db(tmp_path, sqlite_template, settings, clock, monkeypatch):  # type: ignore[no-untyped-def]
    """The month on a SQLite file the command line opens by URL."""
    import shutil

    from frontdesk.db import Database
    from frontdesk.services.setup import ensure_store, system_actor

    from .conftest import make_actors

    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    svc = Services(db=Database(f"sqlite:///{path}"), settings=settings, clock=clock)
    admin = system_actor(ensure_store(svc))
    build_month(svc, make_actors(svc, admin), admin)
    svc.db.dispose()
    return f"sqlite:///{path}"


def test_cli_report_prints_and_exports(month_db, tmp_path, capsys):
    assert main(["report", "--db", month_db, "--lang", "en", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split("  ")[0]: ln.split()[-1] for ln in out.splitlines() if "  " in ln}
    assert lines["Net revenue"] == "3535.00" and lines["Comebacks"] == "1" and lines["Reach rate %"] == "75.0"
    assert "Manager Test" in out
    target = tmp_path / "nov.xlsx"
    assert main(["report", "--db", month_db, "--lang", "en", "--from", "2026-11-01", "--to", "2026-11-30",
                 "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.exists()
    assert main(["report", "--db", month_db, "--lang", "en", "--from", "2026-11-02"]) == 0  # one day
    one_day = capsys.readouterr().out
    assert any(ln.startswith("Net revenue") and ln.endswith("1505.00") for ln in one_day.splitlines())


def test_cli_report_refuses_bad_input(month_db, capsys):
    assert main(["report", "--lang", "en", "--db", month_db, "--from", "2026-11-30", "--to", "2026-11-01"]) == 1
    assert "end date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--db", month_db, "--from", "30/11/2026"])
