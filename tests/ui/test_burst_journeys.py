"""Keys typed in bursts land where the user meant them (issue 17, lost keys).

A fast typist at an 80x24 terminal, or a terminal handing over a whole burst in one read:
every key of a burst is in the app's queue before the first one is handled. The journeys
below send each burst that way (:func:`burst`: all keys posted at once, no pause between
them, unlike ``Pilot.press``, which lets the app run after every key) across sign-in,
focus changes, pushed screens and saves whose answer opens the next screen, and check the
database afterwards. Before frontdesk.key_hold, the Tab of the delivery checklist was
overtaken by the digits behind it, the plate typed after the password's Enter went into
the login form, and the check-in form swallowed the walkaround's keys.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from textual import events
from textual.keys import _character_to_key, _get_unicode_name_from_key

from frontdesk.i18n import set_language
from frontdesk.model import DeliveryCheck, RepairOrder, Vehicle, Walkaround
from frontdesk.model.enums import OrderStatus, PaymentMethod, Role
from frontdesk.screens.cashier_home import CashierHomeScreen
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.services import cashier_views, desk

from ..conftest import PASSWORD
from .cashier_helpers import open_screen, order_row, payments_of, ready_fixture  # noqa: F401  (a fixture)
from .reception import screen_name, settle

SIZE = (80, 24)
VIN = "LSGPC52U1AF123456"
#: Key names a burst sends as one key; any other part of a burst is typed character by character.
NAMED = {"tab", "shift+tab", "enter", "escape", "down", "up", "left", "right", "ctrl+u", "backspace",
         *(f"f{n}" for n in range(1, 13))}


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key`` (as Pilot builds it; characters it cannot name go as they are)."""
    if key in NAMED:
        return events.Key(key, None)
    name = _character_to_key(key) if not key.isalnum() else key
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(name))
    except KeyError:
        char = key
    return events.Key(name, char)


async def burst(pilot, *parts: str) -> None:  # type: ignore[no-untyped-def]
    """Post every key of ``parts`` to the app at once, as one read of a fast terminal delivers them."""
    keys: list[str] = []
    for part in parts:
        keys.extend([part] if part in NAMED else list(part))
    driver = pilot.app._driver
    for key in keys:
        driver.send_message(key_event(key))


@pytest.fixture(autouse=True)
def pdf_dir(ui_services, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The signature and the gate pass print: into the test's own folder."""
    ui_services.settings = replace(ui_services.settings, pdf_dir=str(tmp_path / "pdf"))
    return tmp_path / "pdf"


@pytest.fixture(params=["zh_CN", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    set_language(request.param)
    return request.param


def order_of(services, plate: str) -> RepairOrder | None:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(RepairOrder).join(Vehicle).where(Vehicle.plate == plate)).one_or_none()


def walkaround_of(services, order_id: int) -> Walkaround | None:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(Walkaround).where(Walkaround.order_id == order_id)).one_or_none()


async def test_the_morning_in_bursts(app_for, ui_services, desk_data, lang, pdf_dir):
    """Sign-in, search, check-in, walkaround, estimate and signature, each step typed without a pause."""
    app = app_for(None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "LoginScreen")

        # Sign in and search in one burst: the plate is for the desk's search box, not the login form
        await burst(pilot, "advisor", "tab", PASSWORD, "enter", "粤e·55667")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen" and app.keys_waiting == 0)
        assert app.actor is not None and app.actor.role == Role.ADVISOR
        assert app.screen.query_one("#search").value == "粤e·55667"

        # F2 check-in (the plate carried in), the form, F6, and the walkaround's keys right behind:
        # a scratch on the front bumper, a dent on the front right wing, the covers fitted, F6
        # (the form in the driving licence's order: Enter to the next required field, Tab to the optional ones)
        await burst(pilot, "f2", VIN, "enter", "别克", "enter", "英朗", "tab", "tab", "珍珠白", "tab", "2025-06-15",
                    "enter", "王芳", "enter", "13712345678", "enter", "8021", "enter", "6", "tab", "tab",
                    "tab", "空调不凉", "f6",
                    "1", "down", "right", "2", "c", "f6")
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen" and app.screen._loaded is not None
                     and app.keys_waiting == 0, timeout=15)
        order = order_of(ui_services, "粤E55667")
        assert order is not None and order.odometer_km == 8021 and order.concerns == "空调不凉"
        walk = walkaround_of(ui_services, order.id)
        assert walk is not None and walk.covers_fitted
        assert set(desk.order_view(ui_services, order.id).walkaround.marks) == {
            ("front_bumper", "scratch"), ("front_right_wing", "dent")}

        # The oil change by pinyin initials, the payment method on the terms (F9 says it is missing
        # and moves there), then F9 again and Enter: signed, printed, back home
        await burst(pilot, "f2", "jy", "enter", "f9", "enter", "down", "enter", "f6", "f9", "enter")
        await settle(pilot, lambda: desk.order_view(ui_services, order.id).status == "authorised"
                     and screen_name(pilot) == "DeskHomeScreen" and app.keys_waiting == 0, timeout=15)
        signed = desk.order_view(ui_services, order.id)
        assert [ln.code for ln in signed.lines if ln.kind == "labor"] == ["MT0101"]
        assert signed.payment_method == "cash" and signed.signed_by == "王芳"
    assert any(pdf_dir.glob("*work-order.pdf"))


async def test_delivery_checklist_and_payment_in_bursts(app_for, ui_services, ready, lang):
    """``1…n Tab 1…m F9``: the second run ticks the walkthrough; then the cashier takes the money in two bursts."""
    svc, order_id = ui_services, ready.order_id
    advisor = app_for(Role.ADVISOR)
    async with advisor.run_test(size=SIZE) as pilot:
        screen = DeliveryScreen(order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        internal, walkthrough = len(screen.view.internal), len(screen.view.walkthrough)
        digits = "".join(str(n) for n in range(1, internal + 1))
        await burst(pilot, digits, "tab", "".join(str(n) for n in range(1, walkthrough + 1)), "f9")
        await settle(pilot, lambda: screen_name(pilot) == "SettlementScreen" and advisor.keys_waiting == 0,
                     timeout=30)
        with svc.db.reader() as s:
            stages = [c.stage.value for c in s.scalars(
                select(DeliveryCheck).where(DeliveryCheck.order_id == order_id).order_by(DeliveryCheck.id))]
        assert stages == ["internal"] * internal + ["walkthrough"] * walkthrough
        assert order_row(svc, order_id).status == OrderStatus.DELIVERED

        # The settlement: the claim number, F6 asks who acknowledges the declined safety item
        # and moves there; the name typed ahead goes into that field, F6 again saves
        await burst(pilot, "tab", "tab", "tab", "tab", "WC-778899", "f6", "张伟", "f6")
        await settle(pilot, lambda: order_row(svc, order_id).customer_amount is not None
                     and advisor.keys_waiting == 0)
        view = cashier_views.settlement_view(svc, advisor.actor, order_id)
        assert view.prepared and view.safety_ack_by == "张伟"
        assert order_row(svc, order_id).customer_amount == Decimal("630.00")

    cashier = app_for(Role.CASHIER)
    async with cashier.run_test(size=SIZE) as pilot:
        home = CashierHomeScreen()
        await open_screen(pilot, home, lambda: home.queue is not None)
        # Enter opens the payment of the first car; W, the amount and the reference go to it at once
        await burst(pilot, "enter", "w", "ctrl+u", "300", "tab", "WX20261124001", "f6",
                    "c", "enter", "400", "enter", "g")
        await settle(pilot, lambda: order_row(svc, order_id).status == OrderStatus.CLOSED
                     and cashier.keys_waiting == 0, timeout=30)
        wechat, cash = payments_of(svc, order_id)
        assert (wechat.method, wechat.amount, wechat.reference) == (PaymentMethod.WECHAT, Decimal("300.00"),
                                                                    "WX20261124001")
        assert (cash.method, cash.amount, cash.tendered, cash.change) == (
            PaymentMethod.CASH, Decimal("330.00"), Decimal("400.00"), Decimal("70.00"))


async def test_two_quick_downs_in_a_picker_move_two_rows(app_for, ui_services, desk_data, lang):
    """Down from the search box into the list, Down again: the second row, not the first."""
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("estimate", order_id=desk_data.estimate_order_id)
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen" and app.screen._loaded is not None)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "LaborOpPicker" and bool(app.screen.hits))
        picker = app.screen
        await burst(pilot, "down", "down")
        await settle(pilot, lambda: app.keys_waiting == 0)
        assert app.focused is picker.results and picker.results.cursor_row == 1


async def test_keys_typed_after_a_refused_sign_in_are_not_the_next_password(app_for, desk_data):
    """A wrong password and a plate behind it: the plate was for a desk that never came; it is dropped."""
    app = app_for(None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "LoginScreen")
        await burst(pilot, "advisor", "tab", "not-the-password", "enter", "粤e55667", "enter")
        await settle(pilot, lambda: bool(str(app.screen.query_one("#login-error").render()).strip("… "))
                     and app.keys_waiting == 0)
        assert screen_name(pilot) == "LoginScreen" and app.actor is None
        assert app.screen.query_one("#username").value == "advisor"
        assert app.screen.query_one("#password").value == "" and app.focused.id == "password"
        # the next try, typed at once, signs in
        await burst(pilot, PASSWORD, "enter")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen" and app.keys_waiting == 0)
        assert app.actor is not None


async def test_a_password_typed_ahead_of_the_lock_screen_unlocks(app_for, desk_data):
    """F12 and the password in one burst: the password goes into the lock's field, not the desk's search."""
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "f12", PASSWORD, "enter", "粤a")
        await settle(pilot, lambda: not app.locked and screen_name(pilot) == "DeskHomeScreen"
                     and app.keys_waiting == 0)
        assert app.screen.query_one("#search").value == "粤a"


async def test_a_tab_after_a_pause_still_goes_on_to_the_walkthrough(app_for, ui_services, ready):
    """The issue's slower typist: the internal list done, a pause, Tab, the walkthrough's digits.

    The finished internal check has moved the focus to the walkthrough by itself; the Tab typed
    to go there must not send it back to the internal list.
    """
    svc, order_id = ui_services, ready.order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = DeliveryScreen(order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        internal, walkthrough = len(screen.view.internal), len(screen.view.walkthrough)
        for n in range(1, internal + 1):
            await pilot.press(str(n))
            await pilot.pause(0.05)
        await settle(pilot, lambda: screen.view is not None and not screen.view.missing_internal)
        await pilot.pause(0.3)
        await pilot.press("tab")
        for n in range(1, walkthrough + 1):
            await pilot.press(str(n))
        await settle(pilot, lambda: screen.view is not None and screen.view.complete)
        with svc.db.reader() as s:
            stages = [c.stage.value for c in s.scalars(
                select(DeliveryCheck).where(DeliveryCheck.order_id == order_id).order_by(DeliveryCheck.id))]
        assert stages == ["internal"] * internal + ["walkthrough"] * walkthrough
