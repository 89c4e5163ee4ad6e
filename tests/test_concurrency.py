"""Two terminals on one order: the second writer is told, and nothing is lost."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.model import RepairOrder
from frontdesk.model.enums import Role
from frontdesk.services import checkin, estimate
from frontdesk.services.errors import ConflictError

from .factories import customer_and_vehicle


def _open_order(services, advisor):
    _, vehicle_id = customer_and_vehicle(services, advisor)
    return checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=vehicle_id, odometer_km=1000,
                                                                     fuel_eighths=4, concerns="保养"))


def test_second_terminal_gets_conflict_and_first_change_survives(services, actors):
    adv = actors[Role.ADVISOR]
    order = _open_order(services, adv)
    seen_by_a = seen_by_b = order.version  # both terminals show the same order

    estimate.set_terms(services, adv, order.id, payment_method="cash", wash=False, expected_version=seen_by_b)
    with pytest.raises(ConflictError, match="another terminal"):
        estimate.set_terms(services, adv, order.id, payment_method="alipay", wash=True, expected_version=seen_by_a)

    with services.db.reader() as s:
        stored = s.get(RepairOrder, order.id)
        assert stored.payment_method.value == "cash" and stored.wash is False
        assert stored.version == seen_by_b + 1
    # Reloading gives the terminal the new version, and its retry goes through.
    estimate.set_terms(services, adv, order.id, payment_method="alipay", expected_version=seen_by_b + 1)


def test_line_changes_bump_the_order_version(services, actors):
    """Adding a line is a change of the order: a terminal holding the old copy is told."""
    adv = actors[Role.ADVISOR]
    order = _open_order(services, adv)
    estimate.add_job(services, adv, order.id, description="检查异响", hours="0.5", expected_version=order.version)
    with pytest.raises(ConflictError):
        estimate.add_job(services, adv, order.id, description="再次检查", hours="0.5", expected_version=order.version)


def test_stale_write_is_refused_by_the_version_column(services, actors):
    """Even without an expected version, a write based on an old read cannot overwrite a newer one."""
    adv = actors[Role.ADVISOR]
    order = _open_order(services, adv)
    with services.db.session() as s1:
        with s1.begin():
            copy_a = s1.get(RepairOrder, order.id)  # terminal A reads, then the transaction ends
        estimate.set_terms(services, adv, order.id, wash=False)  # terminal B writes meanwhile
        with pytest.raises(StaleDataError):
            with s1.begin():
                copy_a.concerns = "A's edit based on an old copy"
    with services.db.reader() as s:
        assert s.get(RepairOrder, order.id).concerns == "保养"


def test_desks_checking_in_at_once_draw_different_numbers(services, actors):
    """Two desks check cars in at the same moments: every car gets its own number, nobody a conflict."""
    import threading

    adv = actors[Role.ADVISOR]
    from frontdesk.services.validation import with_check_digit

    vehicles = [customer_and_vehicle(services, adv, plate=f"粤A1{n:04d}", vin=with_check_digit(f"LSVAU0330{n:08d}"))[1]
                for n in range(16)]
    checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicles.pop(), odometer_km=1000,
                                                          fuel_eighths=4, concerns="保养"))  # the day's counter exists
    numbers: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def desk(mine: list[int]) -> None:
        start.wait()
        for vehicle_id in mine:
            try:
                order = checkin.check_in(services, adv, checkin.CheckInInput(
                    vehicle_id=vehicle_id, odometer_km=1000, fuel_eighths=4, concerns="保养"))
                numbers.append(order.number)
            except Exception as exc:  # a conflict here is the bug
                errors.append(exc)

    desks = [threading.Thread(target=desk, args=(vehicles[n::2],)) for n in range(2)]
    for t in desks:
        t.start()
    for t in desks:
        t.join()
    assert not errors
    assert len(numbers) == len(set(numbers)) == 15
