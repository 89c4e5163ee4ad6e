"""A key account's car at the desk (issue 21, item 1): the search's mark, the check-in's record of its sender.

The fleet SZ-BUS (a company) has two cars and one active driver, 王师傅 (刘师傅 left). The desk
search marks its cars with the account's code in one query; a check-in by someone not on the
drivers' list goes through, and its audit names the sender; a suspended account is said too.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.services import account_desk, accounts, checkin
from frontdesk.services.search import search

from .factories import customer_and_vehicle


def _check_in(services, advisor, vehicle_id: int, brought_by: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    order = checkin.check_in(services, advisor, checkin.CheckInInput(
        vehicle_id=vehicle_id, odometer_km=30000, fuel_eighths=4, concerns="保养", brought_by_name=brought_by))
    with services.db.session() as s:
        return s.scalars(select(AuditEvent.after).where(AuditEvent.order_id == order.id,
                                                        AuditEvent.action == "order.check_in")).one()


def test_an_account_car_is_marked_in_the_search_and_its_sender_checked_at_check_in(services, actors) -> None:
    manager, advisor = actors[Role.MANAGER], actors[Role.ADVISOR]
    bus = accounts.save_account(services, manager, accounts.AccountInput(
        code="SZ-BUS", name="深圳巴士集团", kind="fleet", credit_limit="50000", labour_discount="0.1",
        parts_discount="0.05"))
    company = checkin.save_customer(services, advisor, checkin.CustomerInput("深圳巴士集团", "138 0013 8001",
                                                                             is_company=True))
    cars = [checkin.save_vehicle(services, advisor, company.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="比亚迪", model="K9", confirm_vin_check_digit=True)).id
        for plate, vin in (("粤B10001", "LGXC76C42K0000011"), ("粤B10002", "LGXC76C42K0000025"))]
    _private, other = customer_and_vehicle(services, advisor, plate="粤B20001")
    for car in cars:
        accounts.add_vehicle(services, manager, bus.id, car)
    accounts.add_driver(services, manager, bus.id, "王师傅", "139 0000 1111")
    left = accounts.add_driver(services, manager, bus.id, "刘师傅", "")
    accounts.set_driver_active(services, manager, left.id, False)

    hits = {h.plate: h for h in search(services, "粤B", store_id=advisor.store_id)}
    assert (hits["粤B10001"].account, hits["粤B10002"].account, hits["粤B20001"].account) == ("SZ-BUS", "SZ-BUS", "")
    assert not hits["粤B10001"].account_suspended
    assert all(h.account == "" for h in search(services, "粤B"))  # no store: nothing to mark (other callers)

    view = account_desk.desk_account(services, advisor, cars[0])
    assert view is not None and (view.code, view.drivers, view.suspended) == ("SZ-BUS", ("王师傅",), False)
    assert account_desk.desk_account(services, advisor, other) is None
    assert account_desk.desk_account(services, actors[Role.TECHNICIAN], cars[0]) is None  # not theirs to see
    assert account_desk.agreed_discount(services, advisor, cars[0]) == account_desk.AgreedDiscount(
        "SZ-BUS", Decimal("0.1000"), Decimal("0.0500"))

    # Someone else brings the car: the check-in goes on and its audit names them; a driver (spaced and
    # full-width alike) is authorised; the owner of a private car is never asked.
    said = _check_in(services, advisor, cars[0], "刘师傅")
    assert said["account"] == "SZ-BUS" and said["sender_not_authorised"] == "刘师傅"
    assert "account_suspended" not in said
    said = _check_in(services, advisor, cars[1], " 王 师傅 ")
    assert said["account"] == "SZ-BUS" and "sender_not_authorised" not in said
    said = _check_in(services, advisor, other, "")
    assert "account" not in said and "sender_not_authorised" not in said

    accounts.suspend(services, manager, bus.id, "欠款三个月未付")
    hit = next(h for h in search(services, "粤B10001", store_id=advisor.store_id) if h.plate == "粤B10001")
    assert hit.account == "SZ-BUS" and hit.account_suspended
    view = account_desk.desk_account(services, advisor, cars[0])
    assert view is not None and view.suspended and view.suspended_reason == "欠款三个月未付"
    assert account_desk.agreed_discount(services, advisor, cars[0]) is None  # settlement takes nothing off


@pytest.mark.parametrize(("drivers", "sender", "company", "expected"), [
    (("王师傅",), "李四", True, "李四"),
    (("王师傅",), "王师傅", True, None),
    (("ＷＡＮＧ Wei",), "wang  wei", True, None),  # width, case and spacing do not make another person
    (("王师傅",), "", True, "深圳巴士集团"),  # "brought by the owner", a company: nobody named
    (("王师傅",), "", False, None),  # a private key customer brings their own car
    ((), "李四", True, None),  # no drivers on record: the account restricts nobody
])
def test_who_may_bring_an_account_car(drivers, sender, company, expected) -> None:  # type: ignore[no-untyped-def]
    assert account_desk.sender_not_authorised(drivers, sender, "深圳巴士集团", company) == expected
