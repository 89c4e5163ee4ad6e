"""A key account's month by keys at 80×24 in Chinese (issue 21, item 1): charge, statement, transfer, aging.

A fleet car's oil service (¥630.00 for the customer share, tests/factories.order_through) is
delivered and its settlement saved. At the till the cashier sees the account under the head
and charges the bill to it with F7; the account owes nothing yet but its limit is ¥500.00,
so a service manager types their password, and G gives the gate pass. Next month the cashier
opens the account from the accounts list and prints November's statement (a PDF). In
January a transfer of ¥400.00 comes in: the cashier applies ¥300.00 of it to the order, the
rest stays as the account's credit, and A applies that credit too. The order still owes
¥230.00, 42 days after the charge: the aging shows it in 31–60 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Receivable, Remittance, RepairOrder
from frontdesk.model.enums import OrderStatus, PayerKind, Role
from frontdesk.screens.payment import PaymentScreen
from frontdesk.services import accounts, cashier_views
from frontdesk.services.setup import ensure_store, system_actor

from ..conftest import PASSWORD
from ..factories import customer_and_vehicle, order_through, seed_shop
from .cashier_helpers import open_screen, settle
from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import pdf_dir  # noqa: F401  (a fixture)


async def test_charge_statement_transfer_and_aging_by_keys(app_for, ui_services, ui_actors, pdf_dir):  # noqa: F811
    svc, manager = ui_services, ui_actors[Role.MANAGER]
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    _customer, car = customer_and_vehicle(svc, ui_actors[Role.ADVISOR])
    bus = accounts.save_account(svc, manager, accounts.AccountInput("SZ-BUS", "深圳巴士集团", "fleet",
                                                                    credit_limit="500"))
    accounts.add_vehicle(svc, manager, bus.id, car)
    order = order_through(svc, ui_actors, shop, car, stop="delivered")
    set_language("zh_CN")  # the console's own language

    app = app_for(Role.CASHIER)
    async with app.run_test(size=(80, 24)) as pilot:
        # The till: the account's badge, F7 over the limit -> the manager's password, then the gate pass.
        pay = PaymentScreen(order.id)
        await open_screen(pilot, pay, lambda: pay.view is not None and pay.account is not None)
        assert "SZ-BUS" in str(pay.query_one("#pay-account").render())
        await pilot.press("f7")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is pay and pay.view.status == OrderStatus.SETTLED)
        assert pay.view.due == 0  # the account's charge covers the bill: nothing is left to pay at the till
        assert "SZ-BUS" in str(pay.query_one("#pay-summary").render())  # the charge stays said after its toast
        await pilot.press("c")  # the till's keys say why they are dimmed: the charge (beside the charge's own toast)
        await settle(pilot)
        assert sum("SZ-BUS" in n for n in notes(app)) == 2
        (queued,) = cashier_views.cashier_queue(svc, ui_actors[Role.CASHIER]).settled
        assert queued.due == 0  # the cashier's list does not ask for the charged bill either
        await pilot.press("g")
        await settle(pilot, lambda: pay.view.status == OrderStatus.CLOSED)
        assert pay.printed["gate-pass"].exists()
        with svc.db.reader() as s:
            owed = s.scalars(select(Receivable).where(Receivable.payer_kind == PayerKind.ACCOUNT)).one()
            assert (owed.order_id, owed.amount, owed.account_id) == (order.id, Decimal("630.00"), bus.id)
        await pilot.press("escape")
        await settle(pilot)

        # December: November's statement, from the account's screen.
        svc.clock.now = dt.datetime(2026, 12, 10, 9, 0)  # type: ignore[attr-defined]
        app.open_destination("accounts")
        await settle(pilot, lambda: screen_name(app) == "AccountsScreen" and app.screen.rows)
        await pilot.press("enter", "enter")
        await settle(pilot, lambda: screen_name(app) == "AccountDetailScreen" and app.screen.detail is not None)
        detail = app.screen
        assert dict(detail.detail.aging)["0-30"] == Decimal("630.00")
        await pilot.press("f8")
        await settle(pilot, lambda: screen_name(app) == "FormDialog")
        assert app.screen.query_one("#month").value == "2026-11"  # last month, asked first
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is detail and "pdf" in detail.written)
        statement = detail.written["pdf"]
        assert statement == pdf_dir / "statement_SZ-BUS_2026-11.pdf"
        assert statement.read_bytes().startswith(b"%PDF")

        # January: ¥400.00 in, ¥300.00 of it on the order (edited), ¥100.00 kept as credit, then applied.
        svc.clock.now = dt.datetime(2027, 1, 5, 9, 0)  # type: ignore[attr-defined]
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot, lambda: screen_name(app) == "AllocationDialog")
        await type_text(pilot, "400")
        await settle(pilot)
        assert app.screen.query_one("#alloc-0").value == "400.00"  # filled oldest first, up to the transfer
        await pilot.press("enter")
        await type_text(pilot, "HB20270104")
        await pilot.press("enter", "enter")  # received today; on to the order's amount (selected: typing replaces)
        await type_text(pilot, "300")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is detail and detail.detail.unapplied_credit == Decimal("100.00"))
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(app) == "AllocationDialog")
        assert app.screen.query_one("#alloc-0").value == "100.00"
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is detail and not detail.detail.unapplied_credit)

        assert "预收款" not in str(detail.query_one("#ad-aging").render())  # no credit left: the line fits 80 columns
        aging = dict(detail.detail.aging)
        assert aging == {"0-30": 0, "31-60": Decimal("230.00"), "61-90": 0, "90+": 0}
        (row,) = rows(app, "ad-orders")
        assert "¥230.00" in row and "42" in row
        with svc.db.reader() as s:
            (transfer,) = s.scalars(select(Remittance)).all()
            assert (transfer.amount, transfer.applied, transfer.reference, transfer.received_on) == (
                Decimal("400.00"), Decimal("400.00"), "HB20270104", dt.date(2027, 1, 5))
            assert s.get(RepairOrder, order.id).status == OrderStatus.CLOSED
