"""From "ready" to "closed" by keys alone: the advisor hands the car over and prepares the bill,
the cashier (at another terminal) takes two payments and prints the statement and the gate pass.

The car (tests/ui/cashier_helpers.py): an oil service paid by the customer (¥630.00), front pads
under warranty (¥905.00), a declined safety-related diagnosis. The advisor gives ¥50.00 off —
above their 5 % (¥31.50), so a service manager types their password — and the customer
acknowledges the declined diagnosis: the customer pays ¥580.00. The cashier takes ¥300.00 by
WeChat Pay and ¥280.00 in cash from ¥300.00 handed over (¥20.00 change).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from textual.widgets import Input

from frontdesk.model import AuditEvent, FollowUp, Receivable, Recommendation
from frontdesk.model.enums import OrderStatus, PaymentMethod, PayType, Role
from frontdesk.screens.cashier_home import CashierHomeScreen
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.services.settlement import gate_pass_number

from ..conftest import PASSWORD
from ..paperwork.pdfcheck import page_texts, squash
from .cashier_helpers import open_screen, order_row, payments_of, ready_fixture, settle  # noqa: F401  (a fixture)
from .desk_helpers import notes, rows, screen_name, type_text


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return squash("".join(page_texts(path)))


def actions(services, order_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.order_id == order_id).order_by(AuditEvent.id)))


async def test_from_ready_to_closed_by_keys(app_for, ui_services, ui_actors, ready):
    svc, order_id = ui_services, ready.order_id
    manager = ui_actors[Role.MANAGER]

    # The advisor's terminal -------------------------------------------------------------------------
    advisor_app = app_for(Role.ADVISOR)
    async with advisor_app.run_test(size=(100, 30)) as pilot:
        app = advisor_app
        delivery_screen = DeliveryScreen(order_id)
        await open_screen(pilot, delivery_screen, lambda: delivery_screen.view is not None)

        # F9 before anything is ticked: refused, and every missing item is named
        await pilot.press("f9")
        await settle(pilot, lambda: any("Still to do:" in n for n in notes(app)))
        said = next(n for n in notes(app) if "Still to do:" in n)
        assert "Clean inside" in said and "Covers removed in front of the customer" in said
        assert order_row(svc, order_id).status == OrderStatus.READY

        # the internal check (1-6), then the walkthrough (the focus moves there by itself: 1-8)
        for key in "123456":
            await pilot.press(key)
        await settle(pilot, lambda: not delivery_screen.view.missing_internal)
        for key in "12345678":
            await pilot.press(key)
        await settle(pilot, lambda: delivery_screen.view.complete)
        await pilot.press("f9")
        await settle(pilot, lambda: screen_name(app) == "SettlementScreen" and app.screen.view is not None)
        assert order_row(svc, order_id).status == OrderStatus.DELIVERED
        settlement_screen = app.screen

        # the settlement: ¥50.00 off, the warranty claim number; F6 first asks for the acknowledgement
        assert app.focused.id == "discount"
        await type_text(pilot, "50")
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused.id == "warranty_claim_ref"
        await type_text(pilot, "WC-778899")
        await pilot.press("f6")
        await settle(pilot)
        assert app.focused.id == "safety_ack_by"
        assert "must acknowledge" in str(settlement_screen.query_one("#st-errors").render())
        await type_text(pilot, "张伟")

        # above the advisor's authority: refused, the manager's password is asked; a wrong one is said
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        assert any("above your authority needs a service manager's password" in n for n in notes(app))
        assert order_row(svc, order_id).customer_amount is None
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, "not-the-password")
        await pilot.press("enter")
        await settle(pilot, lambda: "wrong" in str(app.screen.query_one("#password-error").render()))
        assert order_row(svc, order_id).customer_amount is None
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is settlement_screen and settlement_screen.view.prepared)

        order = order_row(svc, order_id)
        assert (order.discount, order.discount_by_id) == (Decimal("50.00"), manager.user_id)
        assert (order.total_amount, order.customer_amount) == (Decimal("1535.00"), Decimal("580.00"))
        with svc.db.reader() as s:  # acknowledged on the declined safety item itself (issue 18, item 2)
            assert set(s.execute(select(Recommendation.acknowledged_by, Recommendation.acknowledged_at).where(
                Recommendation.order_id == order_id, Recommendation.safety))) == {("张伟", svc.clock())}
        assert (order.next_service_date, order.next_service_km) == (dt.date(2027, 5, 24), 20230)
        assert order.follow_up_at == dt.datetime(2026, 11, 27, 10, 0)
        with svc.db.reader() as s:
            (claim,) = s.scalars(select(Receivable).where(Receivable.order_id == order_id)).all()
        assert (claim.pay_type, claim.amount, claim.reference) == (PayType.WARRANTY, Decimal("905.00"), "WC-778899")
        assert screen_name(app) == "SettlementScreen"  # the advisor sends the customer to the cashier

    # The cashier's terminal ----------------------------------------------------------------------------
    cashier_app = app_for(Role.CASHIER)
    async with cashier_app.run_test(size=(100, 30)) as pilot:
        app = cashier_app
        home = CashierHomeScreen()
        await open_screen(pilot, home, lambda: home.queue is not None)
        assert rows(app, "queue")[0].startswith("To pay") and "¥580.00" in rows(app, "queue")[0]
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "PaymentScreen" and app.screen.view is not None)
        pay = app.screen

        # no gate pass for an unpaid car
        await pilot.press("g")
        await settle(pilot)
        assert any("not paid or credit-approved" in n for n in notes(app))
        assert order_row(svc, order_id).status == OrderStatus.DELIVERED and order_row(svc, order_id).gate_pass_no is None

        # ¥300.00 by WeChat Pay (the amount starts at the ¥580.00 due)
        await pilot.press("w")
        assert app.screen.query_one("#amount", Input).value == "580.00"
        await pilot.press("ctrl+u")
        await type_text(pilot, "300")
        await pilot.press("tab")  # to the reference (what was handed over is asked for cash only) (the handed-over field is for cash only)
        assert app.focused.id == "reference"
        await type_text(pilot, "WX20261124001")
        await pilot.press("f6")
        await settle(pilot, lambda: pay.view.due == Decimal("280.00"))
        (wechat,) = payments_of(svc, order_id)
        assert (wechat.method, wechat.amount, wechat.reference) == (PaymentMethod.WECHAT, Decimal("300.00"), "WX20261124001")
        assert order_row(svc, order_id).status == OrderStatus.DELIVERED
        # still refused: ¥280.00 is due
        await pilot.press("g")
        await settle(pilot)
        assert "Still due ¥280.00" in str(pay.query_one("#pay-errors").render())

        # the rest in cash: ¥300.00 handed over, ¥20.00 change
        await pilot.press("c", "enter")
        await type_text(pilot, "300")
        assert "Change ¥20.00" in str(pay.query_one("#pay-change").render())
        await pilot.press("enter")
        await settle(pilot, lambda: pay.view.status == OrderStatus.SETTLED)
        cash = payments_of(svc, order_id)[-1]
        assert (cash.method, cash.amount, cash.tendered, cash.change) == (
            PaymentMethod.CASH, Decimal("280.00"), Decimal("300.00"), Decimal("20.00"))
        assert any("Give ¥20.00 change" in n for n in notes(app))
        order = order_row(svc, order_id)
        assert order.status == OrderStatus.SETTLED and order.settled_at == svc.clock()

        # the settlement statement
        await pilot.press("f8")
        await settle(pilot, lambda: "settlement" in pay.printed)
        statement = pdf_text(pay.printed["settlement"])
        for amount in ("¥1,535.00", "¥580.00", "-¥50.00", "¥905.00", "¥300.00", "¥280.00", "¥20.00"):
            assert squash(amount) in statement, amount
        assert "WC-778899" in statement and "WX20261124001" in statement and order.number in statement

        # the gate pass: the order closes, the follow-up call is scheduled at the agreed time
        await pilot.press("g")
        await settle(pilot, lambda: "gate-pass" in pay.printed)
        order = order_row(svc, order_id)
        assert order.status == OrderStatus.CLOSED and order.gate_pass_no == gate_pass_number(order.number)
        assert order.gate_pass_by_id == ui_actors[Role.CASHIER].user_id
        gate = pdf_text(pay.printed["gate-pass"])
        assert order.number in gate and "粤A12345" in gate
        assert any(str(pay.printed["gate-pass"]) in n for n in notes(app))  # where the PDF went is said
        with svc.db.reader() as s:
            (call,) = s.scalars(select(FollowUp).where(FollowUp.order_id == order_id)).all()
        assert call.due_at == dt.datetime(2026, 11, 27, 10, 0)

        # G again prints the pass again; it is issued once. The car has left the cashier's list.
        del pay.printed["gate-pass"]
        await pilot.press("g")
        await settle(pilot, lambda: "gate-pass" in pay.printed)
        await pilot.press("escape")
        await settle(pilot, lambda: home.queue is not None and not home.queue.rows)
    assert actions(svc, order_id)[-4:] == ["settlement.prepare", "payment.take", "payment.take", "gate_pass.issue"]
