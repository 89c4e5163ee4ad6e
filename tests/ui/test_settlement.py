"""The settlement and payment screens by keys: discount over authority, manager password, safety
acknowledgement; payments with change, a void, credit, the gate pass (refused while unpaid).

The order is tests/ui/cashier_helpers.py's car (customer ¥630.00, warranty ¥905.00, a declined
safety-related diagnosis), delivered for these tests. The advisor may give 5 % of ¥630.00
(¥31.50) without a manager; the manager 20 % (¥126.00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from textual.widgets import Input

from frontdesk.model import Receivable, Recommendation
from frontdesk.model.enums import OrderStatus, PaymentKind, PaymentMethod, PayType, Role
from frontdesk.screens.cashier_home import CashierHomeScreen
from frontdesk.screens.payment import PaymentScreen
from frontdesk.screens.settlement import SettlementScreen
from frontdesk.services import settlement

from ..conftest import PASSWORD
from .cashier_helpers import (  # noqa: F401  (a fixture)
    deliver_all,
    open_screen,
    order_row,
    payments_of,
    ready_fixture,
    settle,
)
from .desk_helpers import notes, rows, screen_name, type_text


@pytest.fixture
def delivered(ui_services, ui_actors, ready):  # type: ignore[no-untyped-def]
    deliver_all(ui_services, ui_actors, ready.order_id)
    return ready


def prepared(services, actors, order_id: int, **changes) -> None:  # type: ignore[no-untyped-def]
    settlement.prepare_settlement(services, actors[Role.ADVISOR], order_id, settlement.SettlementInput(
        safety_ack_by="张伟", warranty_claim_ref="WC-1", **changes))


def value(app, field: str) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#{field}", Input).value


async def test_settlement_defaults_refusals_and_save(app_for, ui_services, delivered):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        lines = rows(app, "st-lines")
        assert lines[0].strip() == "Customer pay"
        assert [r.split()[0] for r in lines[1:4]] == ["MT0101", "06L115562B", "LQ-0001"]
        assert lines[4].split() == ["labor", "¥180.00", "·", "parts", "¥450.00", "¥630.00"]
        assert lines[5].strip() == "Warranty" and lines[6].split()[:2] == ["BR0201", "更换前刹车片"]
        assert lines[8].split() == ["labor", "¥225.00", "·", "parts", "¥680.00", "¥905.00"]
        assert "Customer pays ¥630.00" in str(screen.query_one("#st-totals").render())
        assert "up to ¥31.50" in str(screen.query_one("#st-totals").render())
        assert "故障诊断" in str(screen.query_one("#st-declined").render())
        # the defaults: follow-up three days on at 10:00; next service six months / 5 000 km on
        assert value(app, "follow_up_at") == "2026-11-27 10:00"
        assert (value(app, "next_service_date"), value(app, "next_service_km")) == ("2027-05-24", "20230")
        assert app.screen.query_one("#safety_ack_by").display and not app.screen.query_one("#insurance_ref").display

        # the totals follow the discount as it is typed
        await type_text(pilot, "20")
        assert "Customer pays ¥610.00" in str(screen.query_one("#st-totals").render())
        # without the customer's acknowledgement of the declined safety item, F6 is refused here
        await pilot.press("f6")
        await settle(pilot)
        assert "must acknowledge" in str(screen.query_one("#st-errors").render())
        assert app.focused.id == "safety_ack_by"
        assert order_row(ui_services, delivered.order_id).customer_amount is None
        await type_text(pilot, "张伟")
        # a bad date is said beside its name
        app.screen.query_one("#next_service_date", Input).value = "2027-13-01"
        await pilot.press("f6")
        await settle(pilot)
        assert "Next service: Type the date as 2027-05-24." in str(screen.query_one("#st-errors").render())
        app.screen.query_one("#next_service_date", Input).value = "2027-06-30"
        app.screen.query_one("#warranty_claim_ref", Input).value = "WC-2026-0042"
        await pilot.press("f6")
        await settle(pilot, lambda: screen.view is not None and screen.view.prepared)
        order = order_row(ui_services, delivered.order_id)
        assert (order.discount, order.customer_amount, order.total_amount) == (
            Decimal("20.00"), Decimal("610.00"), Decimal("1535.00"))
        assert (order.next_service_date, order.next_service_km) == (dt.date(2027, 6, 30), 20230)
        with ui_services.db.reader() as s:  # acknowledged on the declined safety item itself (issue 18, item 2)
            assert set(s.scalars(select(Recommendation.acknowledged_by).where(
                Recommendation.order_id == delivered.order_id, Recommendation.safety))) == {"张伟"}
        assert order.follow_up_at == dt.datetime(2026, 11, 27, 10, 0)
        with ui_services.db.reader() as s:
            rec = s.scalars(select(Receivable).where(Receivable.order_id == delivered.order_id)).one()
        assert (rec.pay_type, rec.amount, rec.reference) == (PayType.WARRANTY, Decimal("905.00"), "WC-2026-0042")
        assert any("the customer pays ¥610.00" in n for n in notes(app))
        assert screen_name(app) == "SettlementScreen"  # an advisor does not take payments: stays
        # P for the payment is refused to an advisor by the role, only when it is taken; F8 prints
        await pilot.press("f8")
        await settle(pilot, lambda: "settlement" in screen.printed)
        assert screen.printed["settlement"].exists()


async def test_discount_over_authority_needs_the_manager(app_for, ui_services, ui_actors, delivered):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await type_text(pilot, "50")
        assert "(a manager approves)" in str(screen.query_one("#st-totals").render())
        app.screen.query_one("#safety_ack_by", Input).value = "张伟"
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        assert "¥50.00 is above your authority (at most ¥31.50)" in str(app.screen.query_one("#mgr-summary").render())
        password = app.screen.query_one("#password", Input)
        assert password.password  # masked
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, "wrong-pass")
        await pilot.press("enter")
        await settle(pilot, lambda: "wrong" in str(app.screen.query_one("#password-error").render()))
        assert screen_name(app) == "ManagerApprovalScreen" and password.value == ""
        assert order_row(ui_services, delivered.order_id).customer_amount is None
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and screen.view is not None and screen.view.prepared)
        order = order_row(ui_services, delivered.order_id)
        assert order.discount == Decimal("50.00") and order.customer_amount == Decimal("580.00")
        assert order.discount_by_id == ui_actors[Role.MANAGER].user_id


async def test_a_cashier_saving_the_settlement_goes_on_to_payment(app_for, ui_services, delivered):
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        app.screen.query_one("#safety_ack_by", Input).value = "张伟"
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "PaymentScreen" and app.screen.view is not None)
        assert "Due ¥630.00" in str(app.screen.query_one("#pay-summary").render())


async def test_an_advisor_is_offered_no_till_keys(app_for, ui_services, ui_actors, delivered):
    """The advisor saves the bill and sends the customer to the cashier: no P, and no payment keys anywhere."""
    prepared(ui_services, ui_actors, delivered.order_id)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        keys = {b.binding.key for b in app.active_bindings.values()}
        assert "f6" in keys and "p" not in keys
        await pilot.press("escape", "p")  # from the lines list too: nothing opens
        await settle(pilot)
        assert app.screen is screen
        till = PaymentScreen(delivered.order_id)
        await open_screen(pilot, till, lambda: till.view is not None)
        keys = {b.binding.key for b in app.active_bindings.values()}
        assert keys.isdisjoint({"c", "b", "w", "a", "t", "f6", "v", "k", "g"}) and "f8" in keys
        await pilot.press("c", "g")
        await settle(pilot)
        assert payments_of(ui_services, delivered.order_id) == []


async def test_payments_void_and_gate_pass(app_for, ui_services, ui_actors, delivered):
    prepared(ui_services, ui_actors, delivered.order_id)
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = PaymentScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        # the gate pass of an unpaid order is refused, with the reason
        await pilot.press("g")
        await settle(pilot)
        assert any("not paid or credit-approved" in n for n in notes(app))
        assert order_row(ui_services, delivered.order_id).gate_pass_no is None

        # a card payment of ¥100 keyed by mistake, then voided with the manager's password
        await pilot.press("b")
        assert app.focused.id == "amount" and value(app, "amount") == "630.00"
        await pilot.press("ctrl+u")
        await type_text(pilot, "100")
        await pilot.press("enter")
        await settle(pilot, lambda: len(rows(app, "payments")) == 1)
        assert "Due ¥530.00" in str(screen.query_one("#pay-summary").render())
        await pilot.press("v")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        await pilot.press("enter")  # no reason: refused in the dialog
        assert "Say why" in str(app.screen.query_one("#reason-error").render())
        await type_text(pilot, "keyed twice")
        await pilot.press("enter")
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and screen.view.due == Decimal("630.00"))
        (card,) = payments_of(ui_services, delivered.order_id)
        assert card.voided_at is not None and card.void_reason == "keyed twice"
        assert card.voided_by_id == ui_actors[Role.MANAGER].user_id
        assert "void: keyed twice (Manager" in rows(app, "payments")[0]

        # cash: more than the amount handed over, the change shown as it is typed
        await pilot.press("c")
        await pilot.press("enter")  # the amount (the due) stands: on to what was handed over
        assert app.focused.id == "tendered"
        await type_text(pilot, "700")
        assert "Change ¥70.00" in str(screen.query_one("#pay-change").render())
        await pilot.press("enter")
        await settle(pilot, lambda: screen.view is not None and screen.view.status == OrderStatus.SETTLED)
        assert any("Give ¥70.00 change" in n for n in notes(app))
        cash = payments_of(ui_services, delivered.order_id)[-1]
        assert (cash.method, cash.amount, cash.tendered, cash.change) == (
            PaymentMethod.CASH, Decimal("630.00"), Decimal("700.00"), Decimal("70.00"))

        await pilot.press("g")
        await settle(pilot, lambda: "gate-pass" in screen.printed)
        order = order_row(ui_services, delivered.order_id)
        assert order.status == OrderStatus.CLOSED and order.gate_pass_no == settlement.gate_pass_number(order.number)
        assert screen.printed["gate-pass"].exists()
        assert "Gate pass GZ01-出-" in str(screen.query_one("#pay-head").render())

        # a week later ¥50 goes back to the customer: on the cash payment, with the manager's password
        await pilot.press("down")
        assert screen._selected_payment().id == cash.id
        screen.query_one("#amount", Input).value = "50"
        await pilot.press("r")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        await type_text(pilot, "goodwill")
        await pilot.press("enter")
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and len(payments_of(ui_services, delivered.order_id)) == 3)
        back = payments_of(ui_services, delivered.order_id)[-1]
        assert (back.kind, back.method, back.amount, back.reference) == (
            PaymentKind.REFUND, PaymentMethod.CASH, Decimal("50.00"), "goodwill")
        assert back.authorised_by_id == ui_actors[Role.MANAGER].user_id


async def test_credit_by_a_manager_lets_the_gate_pass_print(app_for, ui_services, ui_actors, delivered):
    prepared(ui_services, ui_actors, delivered.order_id)
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = PaymentScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await pilot.press("k")
        await settle(pilot, lambda: screen.view.status == OrderStatus.SETTLED)
        assert "Credit approved by Manager Test" in str(screen.query_one("#pay-summary").render())
        await pilot.press("g")
        await settle(pilot, lambda: "gate-pass" in screen.printed)
        order = order_row(ui_services, delivered.order_id)
        assert order.status == OrderStatus.CLOSED and order.credit_approved_by_id == ui_actors[Role.MANAGER].user_id


async def test_cashier_home_opens_the_right_screen_and_follows_changes(app_for, ui_services, ui_actors, ready):
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = CashierHomeScreen()
        await open_screen(pilot, screen, lambda: screen.queue is not None)
        assert len(rows(app, "queue")) == 1 and rows(app, "queue")[0].startswith("Delivery")
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "DeliveryScreen")
        await pilot.press("escape")
        await settle(pilot)
        # the advisor delivers at another desk: the list follows by itself
        deliver_all(ui_services, ui_actors, ready.order_id)
        await settle(pilot, lambda: screen.queue is not None and len(screen.queue.open) == 1, timeout=6)
        assert rows(app, "queue")[0].startswith("Settlement")
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "SettlementScreen")
        await pilot.press("escape", "escape")
        await settle(pilot)
        prepared(ui_services, ui_actors, ready.order_id)
        await settle(pilot, lambda: rows(app, "queue")[0].startswith("To pay"), timeout=6)
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "PaymentScreen")


# Snapshots ------------------------------------------------------------------------------------------

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


@SIZES
def test_settlement_snapshot(snap_compare, app_for, ui_services, delivered, size):
    app = app_for(Role.ADVISOR)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await type_text(pilot, "20")

    assert snap_compare(app, terminal_size=size, run_before=on_screen)


@SIZES
def test_payment_snapshot(snap_compare, app_for, ui_services, ui_actors, delivered, size):
    prepared(ui_services, ui_actors, delivered.order_id)
    settlement.take_payment(ui_services, ui_actors[Role.CASHIER], delivered.order_id, "wechat", "300.00", reference="WX1")
    app = app_for(Role.CASHIER)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = PaymentScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await pilot.press("c", "enter")
        await type_text(pilot, "400")

    assert snap_compare(app, terminal_size=size, run_before=on_screen)


@SIZES
def test_cashier_home_snapshot(snap_compare, app_for, ui_services, ui_actors, ready, size):
    from ..factories import customer_and_vehicle, order_through

    svc = ui_services
    _, other = customer_and_vehicle(svc, ui_actors[Role.ADVISOR], plate="粤B67890", vin="LFV2A21K5B7654321")
    paid = order_through(svc, ui_actors, ready.shop, other, stop="delivered")
    settlement.take_payment(svc, ui_actors[Role.CASHIER], paid.id, "card", "200.00")
    app = app_for(Role.CASHIER)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = CashierHomeScreen()
        await open_screen(pilot, screen, lambda: screen.queue is not None)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)


def test_manager_approval_snapshot(snap_compare, app_for, ui_services, delivered):
    app = app_for(Role.ADVISOR)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = SettlementScreen(delivered.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await type_text(pilot, "50")
        app.screen.query_one("#safety_ack_by", Input).value = "张伟"
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "ManagerApprovalScreen")
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, "secret")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=on_screen)
