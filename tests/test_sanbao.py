"""三包 (issue 21, item 4): days in the workshop and repeat repairs of a car in its period.

The story car (sold 2025-06-01, so in its period until 2027-05-31 at 2026-11-24; 15 230 km):

* visit A, 2026-03-02 09:00: oil service (customer) and front brake pads under warranty, ready
  the same hour → 1 day, brakes repaired once;
* visit B, 2026-07-10: checked in with a warranty brake job, then cancelled → counts nothing;
* visit C, 2026-11-20 09:00: brake pads under warranty again, ready 2026-11-24 08:00 (95 hours:
  4 started days) → 5 days in all, brakes repaired twice: the repeat limit (2) is reached.

At C's check-in the car stands at 1 day and one brake repair: one short of the limit, a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from frontdesk.config import Settings
from frontdesk.model import AuditEvent, Job, LaborOperation, RepairOrder
from frontdesk.model.enums import Role, SanbaoState, VehicleSystem
from frontdesk.services import catalog, checkin, estimate, imports, sanbao, workshop
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.validation import with_check_digit

from .factories import customer_and_vehicle, order_through, seed_shop, stored

B = VehicleSystem.BRAKES


def _visit_c(services, actors, shop, vehicle_id, clock):
    """Warranty brake pads: checked in, then 95 hours later every job passed QC (ready)."""
    adv, sup, tech, lead, qc = (actors[r] for r in (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN,
                                                    Role.TEAM_LEADER, Role.QC))
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=18400, fuel_eighths=4, concerns="刹车异响"))
    checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(signed_by="张伟"))
    pads = estimate.add_job(services, adv, order.id, labor_op_id=shop.brake_pads_job, pay_type="warranty")
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="take", wash=False,
                       promised_at=clock() + dt.timedelta(days=5))
    estimate.authorise(services, adv, order.id, "张伟")
    workshop.dispatch(services, sup, order.id, {pads.id: shop.tech_a})
    workshop.start_job(services, tech, pads.id)
    clock.advance(hours=95)
    workshop.finish_job(services, tech, pads.id)
    workshop.self_check(services, tech, pads.id)
    workshop.leader_check(services, lead, pads.id)
    workshop.final_qc(services, qc, pads.id, passed=True)
    return order


def test_a_car_in_its_period_is_counted_flagged_and_watched(services, admin, actors, clock):
    shop = seed_shop(services, admin, actors)
    adv, manager = actors[Role.ADVISOR], actors[Role.MANAGER]
    with services.db.reader() as s:  # the category names the system; routine work has none
        systems = dict(s.execute(select(LaborOperation.code, LaborOperation.system)).all())
    assert systems == {"MT0101": None, "BR0201": B, "DG0101": None}
    _, car = customer_and_vehicle(services, adv, sale_date=dt.date(2025, 6, 1))
    _, old_car = customer_and_vehicle(services, adv, plate="粤A99999", vin=with_check_digit("LFV2A21K0H3000009"),
                                      sale_date=dt.date(2023, 1, 1))

    clock.now = dt.datetime(2026, 3, 2, 9, 0)
    a = order_through(services, actors, shop, car)
    a_jobs = stored(services, RepairOrder, a.id)
    with services.db.reader() as s:
        assert {j.code: j.system for j in s.scalars(select(Job).where(Job.order_id == a.id))} == {
            "MT0101": None, "BR0201": B, "DG0101": None}  # copied from the operation
    assert a_jobs.sanbao_status == SanbaoState.WARNING  # ready, then delivered: brakes once, one short of 2
    old = order_through(services, actors, shop, old_car)  # out of its period: nothing counted
    assert stored(services, RepairOrder, old.id).sanbao_status == SanbaoState.NONE

    clock.now = dt.datetime(2026, 7, 10, 9, 0)
    b = checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=car, odometer_km=16800, fuel_eighths=4,
                                                             concerns="刹车"))
    estimate.add_job(services, adv, b.id, labor_op_id=shop.brake_pads_job, pay_type="warranty")
    estimate.cancel_order(services, adv, b.id, "客户改天再来")

    clock.now = dt.datetime(2026, 11, 20, 9, 0)
    c = _visit_c(services, actors, shop, car, clock)
    order = stored(services, RepairOrder, c.id)
    assert order.ready_at == dt.datetime(2026, 11, 24, 8, 0)
    assert order.sanbao_status == SanbaoState.THRESHOLD
    with services.db.reader() as s:  # at its check-in: visit A only, one brake repair → warning
        checked_in = s.scalar(select(AuditEvent.after).where(AuditEvent.action == "order.check_in",
                                                             AuditEvent.order_id == c.id))
    assert checked_in["sanbao_status"] == "warning"

    status = sanbao.status_for_vehicle(services, adv, car)
    assert status is not None and status.in_period and status.period_ends_on == dt.date(2027, 5, 31)
    assert (status.state, status.days, status.repeats) == (SanbaoState.THRESHOLD, 5, ((B, 2),))
    assert status.alert == "三包 threshold reached: Brakes repaired 2 times (limit 2)"
    # The day before visit C only visit A counted: 1 day, brakes once (as C's check-in saw it).
    earlier = sanbao.status_for_vehicle(services, adv, car, on=dt.date(2026, 11, 19))
    assert (earlier.state, earlier.days, earlier.repeats) == (SanbaoState.WARNING, 1, ((B, 1),))
    assert earlier.alert == "三包: near a threshold: Brakes repaired 1 time (limit 2)"
    old_status = sanbao.status_for_vehicle(services, adv, old_car)
    assert old_status is not None and not old_status.in_period and old_status.state == SanbaoState.NONE

    rows = sanbao.watch_list(services, manager)
    assert [(r.plate, r.customer, r.days, r.repeats, r.state) for r in rows] == [
        ("粤A12345", "张伟", 5, ((B, 2),), SanbaoState.THRESHOLD)]
    with pytest.raises(PermissionDenied):
        sanbao.watch_list(services, actors[Role.CASHIER])


def _status(days_hours: list[tuple[int, frozenset]], *, km: int = 10_000, settings: Settings | None = None):
    start = dt.datetime(2026, 1, 5, 9, 0)
    visits = [sanbao.Visit(i, start + dt.timedelta(days=10 * i), start + dt.timedelta(days=10 * i, hours=hours),
                           systems) for i, (hours, systems) in enumerate(days_hours)]
    return sanbao.evaluate(1, dt.date(2025, 12, 1), km, visits, dt.datetime(2026, 6, 1, 12, 0), settings or Settings())


def test_the_thresholds_and_the_period():
    electrical = frozenset({VehicleSystem.ELECTRICAL})
    # 24 days 1 hour = 25 started days: the warning; electrical repairs are shown, not flagged.
    warn = _status([(24 * 24 + 1, electrical), (1, electrical), (2, electrical)])
    assert (warn.state, warn.days, warn.repeats) == (SanbaoState.WARNING, 27, ((VehicleSystem.ELECTRICAL, 3),))
    assert warn.alert == "三包: near a threshold: 27 of 35 days in the workshop"
    assert _status([(34 * 24, electrical), (1, electrical)]).state == SanbaoState.THRESHOLD  # 35 days
    assert _status([(1, electrical)]).state == SanbaoState.IN_PERIOD
    assert _status([(1, frozenset())]).days == 0  # no repair on the visit: its days do not count
    assert _status([(1, electrical)], km=50_001).state == SanbaoState.NONE  # past the mileage
    stricter = replace(Settings(), sanbao_repeat_limit=3)
    assert _status([(1, frozenset({B})), (1, frozenset({B}))], settings=stricter).state == SanbaoState.WARNING
    assert sanbao.period_end(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 27)
    assert sanbao.in_period(dt.date(2024, 11, 25), 100, dt.date(2026, 11, 24), Settings())
    assert not sanbao.in_period(dt.date(2024, 11, 24), 100, dt.date(2026, 11, 24), Settings())


def test_the_labour_import_reads_an_optional_system_column(services, admin, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["工时代码", "名称", "类别", "标准工时", "系统"])
    sheet.append(["EN0301", "更换正时皮带", "maintenance", "3.0", "发动机"])
    sheet.append(["BR0301", "更换制动总泵", "brakes", "1.5", ""])  # blank: the category's
    sheet.append(["EL0301", "更换大灯总成", "electrical", "0.8", "steering"])
    path = tmp_path / "labour.xlsx"
    book.save(path)
    imports.import_catalog(services, admin, "labor", path)
    with services.db.reader() as s:
        systems = dict(s.execute(select(LaborOperation.code, LaborOperation.system)).all())
    assert systems == {"EN0301": VehicleSystem.ENGINE, "BR0301": B, "EL0301": VehicleSystem.STEERING}
    sheet.append(["EL0302", "更换喇叭", "electrical", "0.3", "wheels"])
    book.save(path)
    report = imports.dry_run(services, admin, "labor", path)
    assert [r.key for r in report.rejected] == ["EL0302"]
    with pytest.raises(ValidationError):
        catalog.save_labor_operation(services, admin, catalog.LaborOpInput("X1", "x", "1", system="wheels"))
