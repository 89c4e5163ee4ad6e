"""Key accounts on screen (issue 21, item 1), at 80×24: the list and the form, and a suspended account's charge.

The manager sets an account up by keys — its terms, then (the form staying open) a car by
its plate and a driver — finds it in the list by typing and opens it: with nothing owed, A
and W say why they cannot act, X writes last month's statement as Excel, F4 edits it. At the till, a car whose account
is suspended shows it under the head, and F7 is refused on the error line: the order stays
delivered, nothing is charged.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from frontdesk.model import Receivable, RepairOrder
from frontdesk.model.account import Account, AccountDriver, AccountVehicle
from frontdesk.model.enums import OrderStatus, Role
from frontdesk.screens.payment import PaymentScreen
from frontdesk.services import accounts
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import customer_and_vehicle, order_through, seed_shop
from .cashier_helpers import open_screen, settle
from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import pdf_dir  # noqa: F401  (a fixture)

SIZE = (80, 24)


async def test_the_manager_sets_up_an_account_with_a_car_and_a_driver(app_for, ui_services, ui_actors,
                                                                       pdf_dir):  # noqa: F811
    svc = ui_services
    _customer, car = customer_and_vehicle(svc, ui_actors[Role.ADVISOR])  # 粤A12345
    app = app_for(Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("accounts")
        await settle(pilot, lambda: screen_name(app) == "AccountsScreen")
        assert "No accounts yet" in str(app.screen.query_one("#acct-status").render())

        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(app) == "AccountForm")
        form = app.screen
        await type_text(pilot, "sz-bus")
        await pilot.press("tab")
        await type_text(pilot, "深圳巴士集团")
        for _ in range(5):  # kind, billing, contact, phone: to the credit limit
            await pilot.press("tab")
        assert app.focused.id == "credit_limit"
        await type_text(pilot, "5000")
        await pilot.press("tab", "tab")
        await type_text(pilot, "60")  # 60 % off labour: refused beside the field, nothing saved
        await pilot.press("f6")
        await settle(pilot, lambda: "50 %" in str(form.query_one("#labour_discount-error").render()))
        with svc.db.reader() as s:
            assert s.scalar(select(Account.id)) is None
        await pilot.press("backspace", "backspace")
        await type_text(pilot, "10")
        await pilot.press("f6")
        await settle(pilot, lambda: form.detail is not None)
        assert screen_name(app) == "AccountForm"  # a new account stays open for its cars

        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(app) == "FormDialog")
        await type_text(pilot, "a12345")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form and form.detail.vehicles)
        await pilot.press("f3")
        await settle(pilot, lambda: screen_name(app) == "FormDialog")
        await type_text(pilot, "王师傅")
        await pilot.press("tab")
        await type_text(pilot, "13900001111")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form and form.detail.drivers)
        assert "粤A12345" in rows(app, "acct-vehicles")[0] and "王师傅" in rows(app, "acct-drivers")[0]
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(app) == "AccountsScreen" and app.screen.rows)

        with svc.db.reader() as s:
            account = s.scalars(select(Account)).one()
            assert (account.code, account.credit_limit, account.labour_discount) == (
                "SZ-BUS", Decimal("5000.00"), Decimal("0.1000"))
            assert s.scalar(select(AccountVehicle.vehicle_id)) == car
            assert s.scalar(select(AccountDriver.phone)) == "13900001111"
        await type_text(pilot, "巴士")
        await settle(pilot)
        assert len(app.screen.rows) == 1 and "SZ-BUS" in rows(app, "acct-list")[0]
        await pilot.press("enter", "enter")  # into the list, then the account itself (not the form)
        await settle(pilot, lambda: screen_name(app) == "AccountDetailScreen" and app.screen.detail is not None)
        detail = app.screen
        assert detail.detail.receivables == ()
        for key, said in (("a", "No credit to apply"), ("w", "No open order to write off")):  # dimmed: they say why
            await pilot.press(key)
            await settle(pilot, lambda: any(said in n for n in notes(app)))
        await pilot.press("x")  # October's statement as Excel (the month before the clock's)
        await settle(pilot, lambda: screen_name(app) == "FormDialog")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is detail and "xlsx" in detail.written)
        assert detail.written["xlsx"] == pdf_dir / "statement_SZ-BUS_2026-10.xlsx" and detail.written["xlsx"].exists()
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(app) == "AccountForm")
        assert app.screen.query_one("#code").value == "SZ-BUS"
        await pilot.press("escape", "escape")
        await settle(pilot, lambda: screen_name(app) == "AccountsScreen")
        await pilot.press("f3")
        await type_text(pilot, "x")
        await settle(pilot)
        assert app.screen.rows == []


async def test_a_suspended_account_is_not_charged_at_the_till(app_for, ui_services, ui_actors):
    svc, manager = ui_services, ui_actors[Role.MANAGER]
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    _customer, car = customer_and_vehicle(svc, ui_actors[Role.ADVISOR])
    bus = accounts.save_account(svc, manager, accounts.AccountInput("SZ-BUS", "深圳巴士集团", "fleet",
                                                                    credit_limit="5000"))
    accounts.add_vehicle(svc, manager, bus.id, car)
    order = order_through(svc, ui_actors, shop, car, stop="delivered")
    accounts.suspend(svc, manager, bus.id, "欠款三个月未付")

    app = app_for(Role.CASHIER)
    async with app.run_test(size=SIZE) as pilot:
        pay = PaymentScreen(order.id)
        await open_screen(pilot, pay, lambda: pay.view is not None and pay.account is not None)
        assert "suspended" in str(pay.query_one("#pay-account").render())
        await pilot.press("f7")
        await settle(pilot, lambda: "欠款三个月未付" in str(pay.query_one("#pay-errors").render()))
        assert any("suspended" in n for n in notes(app))
        with svc.db.reader() as s:
            assert s.get(RepairOrder, order.id).status == OrderStatus.DELIVERED
            assert s.scalar(select(Receivable.id).where(Receivable.account_id == bus.id)) is None
        app.open_destination("accounts")
        await settle(pilot, lambda: screen_name(app) == "AccountsScreen" and app.screen.rows)
        state = list(app.screen.table.columns.values())[-1]
        assert state.width >= len("suspended")  # the list's mark whole at 80 columns, not "susp"
