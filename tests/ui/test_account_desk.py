"""A key account's car at the desk by keys at 80×24 (issue 21, item 1): search mark, check-in lines, estimate.

The fleet SZ-BUS lets 王师傅 bring its cars. The advisor finds one by its plate: the hit is
marked "A" with the account's code; Enter opens the check-in, which names the account, what it
owes against its limit and its drivers. 李四 brought it: a warning says so, the check-in goes on
and its audit records him; the estimate says the agreed discount comes off at settlement. A
suspended account's car: its line names the reason and the bill is to be paid at the counter.
"""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Static

from frontdesk.model import AuditEvent, RepairOrder
from frontdesk.model.enums import Role
from frontdesk.screens.checkin import CheckInScreen
from frontdesk.services import accounts

from ..factories import customer_and_vehicle
from .desk_helpers import rows, screen_name, type_text
from .reception import settle


def _fleet(svc, ui_actors, *, suspended: bool = False) -> int:  # type: ignore[no-untyped-def]
    manager = ui_actors[Role.MANAGER]
    _customer, car = customer_and_vehicle(svc, ui_actors[Role.ADVISOR], plate="粤B10001")
    bus = accounts.save_account(svc, manager, accounts.AccountInput(
        "SZ-BUS", "深圳巴士集团", "fleet", credit_limit="5000", labour_discount="0.1", parts_discount="0.05"))
    accounts.add_vehicle(svc, manager, bus.id, car)
    accounts.add_driver(svc, manager, bus.id, "王师傅", "")
    if suspended:
        accounts.suspend(svc, manager, bus.id, "欠款未付")
    return car


def _text(app, id_: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#{id_}", Static).render())


async def test_search_mark_check_in_warning_and_estimate_discount(app_for, ui_services, ui_actors):
    car = _fleet(ui_services, ui_actors)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "粤B10001")
        await pilot.pause(0.3)  # past the search's debounce
        await settle(pilot, lambda: bool(rows(app, "search-results")))
        [hit] = rows(app, "search-results")
        assert hit.startswith("A 粤B10001") and "SZ-BUS 张伟" in hit

        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "CheckInScreen" and "SZ-BUS" in _text(app, "checkin-account"))
        line = _text(app, "checkin-account")
        assert "Account SZ-BUS 深圳巴士集团" in line and "owes ¥0.00 of ¥5,000.00" in line
        assert "drivers: 王师傅" in line
        assert _text(app, "checkin-sender") == ""  # the private owner brings their own car
        # the focus waits on the odometer: reading, fuel, then not the owner but 李四
        await pilot.press(*"15000", "tab", "4", "tab", "space", "tab", *"李四")
        await settle(pilot)
        assert "李四 is not an authorised driver of SZ-BUS" in _text(app, "checkin-sender")
        assert app.screen.query_one("#checkin-sender").display
        await pilot.press("f6")  # a warning, not a refusal
        await settle(pilot, lambda: screen_name(app) == "WalkaroundScreen")
        with ui_services.db.reader() as s:
            order = s.scalars(select(RepairOrder).where(RepairOrder.vehicle_id == car)).one()
            said = s.scalars(select(AuditEvent.after).where(AuditEvent.order_id == order.id,
                                                            AuditEvent.action == "order.check_in")).one()
        assert said["sender_not_authorised"] == "李四" and said["account"] == "SZ-BUS"

        app.open_destination("estimate", order_id=order.id)
        await settle(pilot, lambda: "Agreed discount" in _text(app, "est-totals"))
        assert "Agreed discount 10% labour / 5% parts (SZ-BUS), taken off at settlement" in _text(app, "est-totals")
        assert app.screen.query_one("#est-totals").has_class("-agreed")


async def test_a_suspended_account_car_pays_at_the_counter(app_for, ui_services, ui_actors):
    car = _fleet(ui_services, ui_actors, suspended=True)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CheckInScreen(vehicle_id=car))
        await settle(pilot, lambda: screen_name(app) == "CheckInScreen" and "SZ-BUS" in _text(app, "checkin-account"))
        assert "suspended: 欠款未付" in _text(app, "checkin-account")
        assert app.screen.query_one("#checkin-account").has_class("-suspended")
        assert "this bill will have to be paid at the counter" in _text(app, "checkin-sender")
