"""Issue 18, items 4, 8 and 9 by keys at 80×24 (engineer h's part of tests/ui/test_handoffs.py).

- item 4: the walkaround's valuables (行车记录仪) and equipment are verified on the delivery
  checklist; a car whose customer declined the wash skips it; the QC inspector records a wash;
- item 8: the settlement statement's sums follow from one another as printed (pdftotext);
- item 9: 抹零 by the cashier within the store's setting, refused beyond it.

The car is tests/ui/cashier_helpers.py's (customer ¥630.00, warranty ¥905.00, wash declined,
old parts taken, 行车记录仪 and spare tyre, tools and triangle in the car).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select
from textual.widgets import Input

from frontdesk.i18n import translator
from frontdesk.model import AuditEvent, DeliveryCheck, RepairOrder
from frontdesk.model.enums import OrderStatus, Role
from frontdesk.screens.checks import ChecksScreen
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.screens.payment import PaymentScreen
from frontdesk.services import checkin, estimate, settlement, workshop
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import seed_shop
from .cashier_helpers import (  # noqa: F401  (a fixture)
    deliver_all,
    open_screen,
    order_row,
    ready_fixture,
    settle,
)
from .desk_helpers import rows, type_text

_H_SIZE = (80, 24)


def _h_ticks(services, order_id: int) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return {c.item: (c.stage.value, c.user_id) for c in s.scalars(
            select(DeliveryCheck).where(DeliveryCheck.order_id == order_id))}


def _h_leader_checked(services, actors, shop, plate: str, vin: str, *, wash: bool) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A car with one labor-only job, checked by the team leader: the final QC (总检) is next."""
    adv, sup, tech, lead = (actors[r] for r in (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER))
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("王建国", "13912345678"))
    vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True))
    order = checkin.check_in(services, adv, checkin.CheckInInput(vehicle_id=vehicle.id, odometer_km=1000,
                                                                  fuel_eighths=4, concerns="异响"))
    checkin.record_walkaround(services, adv, order.id, checkin.WalkaroundInput(marks=(), signed_by="王建国"))
    job = estimate.add_job(services, adv, order.id, labor_op_id=shop.diagnosis)
    estimate.set_terms(services, adv, order.id, payment_method="cash", old_parts="leave", wash=wash,
                       promised_at=services.clock() + dt.timedelta(hours=3))
    estimate.authorise(services, adv, order.id, "王建国")
    workshop.dispatch(services, sup, order.id, {job.id: shop.tech_a})
    workshop.start_job(services, tech, job.id)
    workshop.finish_job(services, tech, job.id)
    workshop.self_check(services, tech, job.id)
    workshop.leader_check(services, lead, job.id)
    return order.id, job.id


def _h_pdf_lines(path) -> list[str]:  # type: ignore[no-untyped-def]
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def _h_amount(line: str) -> Decimal:
    """The amount at the end of a printed line ("Less: discounts given   -¥12.37" -> -12.37)."""
    match = re.search(r"(-?)¥([\d,]+\.\d\d)\s*$", line)
    assert match is not None, line
    return Decimal(match.group(1) + match.group(2).replace(",", ""))


# Item 4 ------------------------------------------------------------------------------------------


async def test_item4_valuables_verified_at_delivery(app_for, ui_services, ui_actors, ready):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=_H_SIZE) as pilot:
        screen = DeliveryScreen(ready.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        internal, walk = rows(app, "internal"), rows(app, "walkthrough")
        # what the walkaround recorded in the car is named on the walkthrough, to verify with the customer
        assert any("Valuables still in the car: 行车记录仪" in r for r in walk)
        assert any("Equipment still in the car: Spare tyre" in r for r in walk)
        # the old parts go home with the customer; the customer declined the wash: no wash items
        assert any("Old parts bagged for the customer" in r for r in internal)
        assert any("Old parts shown and handed over" in r for r in walk)
        assert not any("Clean outside" in r for r in internal) and not any("Cleaning shown" in r for r in walk)
        subtitle = str(screen.query_one("#internal").border_subtitle)
        assert "Customer takes the old parts" in subtitle and "No wash (customer declined)" in subtitle

        for key in "12345":  # the internal check; the walkthrough is next by itself
            await pilot.press(key)
        await settle(pilot, lambda: not screen.view.missing_internal and app.focused.id == "walkthrough")
        valuables = next(n for n, r in enumerate(rows(app, "walkthrough"), 1) if "行车记录仪" in r)
        for key in "12345678":
            await pilot.press(key)
        await settle(pilot, lambda: screen.view.complete)
        await pilot.press("f9")
        await settle(pilot, lambda: order_row(ui_services, ready.order_id).status == OrderStatus.DELIVERED)

    ticks = _h_ticks(ui_services, ready.order_id)
    assert valuables == 5 and ticks["valuables"] == ("walkthrough", ui_actors[Role.ADVISOR].user_id)
    assert ticks["spare_and_tools"][0] == "walkthrough" and "clean_outside" not in ticks


async def test_item4_a_wash_skipped_and_the_qc_inspector_records_a_wash(app_for, ui_services, ui_actors):
    svc = ui_services
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    no_wash, _ = _h_leader_checked(svc, ui_actors, shop, "粤B67890", "LFV2A21K6B7654321", wash=False)
    washed, _ = _h_leader_checked(svc, ui_actors, shop, "粤C24680", "LGXC0000XD1112223", wash=True)
    app = app_for(Role.QC)
    async with app.run_test(size=_H_SIZE) as pilot:
        await settle(pilot)
        app.open_destination("checks")
        await settle(pilot, lambda: isinstance(app.screen, ChecksScreen) and app.screen._queue is not None)
        screen = app.screen
        for _n in range(2):  # the final QC of both cars, from the top of the list
            await settle(pilot, lambda: bool(rows(app, "check-jobs")) and rows(app, "check-jobs")[0].startswith("Final QC"))
            await pilot.press("p")
            await settle(pilot, lambda: type(app.screen).__name__ == "CheckDialog")
            await pilot.press("enter")
            await settle(pilot, lambda: app.screen is screen)
        # the car whose customer declined the wash is ready at once; the other waits for the wash
        await settle(pilot, lambda: order_row(svc, washed).status == OrderStatus.IN_WORKSHOP
                     and order_row(svc, no_wash).status == OrderStatus.READY and len(screen._queue.wash) == 1)
        assert order_row(svc, no_wash).washed_at is None
        await settle(pilot, lambda: rows(app, "check-cars") and rows(app, "check-cars")[0].startswith("Wash"))
        await pilot.press("tab", "up", "up", "w")  # the car at the wash (the top row): the QC inspector records it
        await settle(pilot, lambda: order_row(svc, washed).status == OrderStatus.READY)

    with svc.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "order.wash")).one()
        assert event.user_id == ui_actors[Role.QC].user_id and event.order_id == washed

    # at delivery, the skipped wash is not asked for
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=_H_SIZE) as pilot:
        screen = DeliveryScreen(no_wash)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        assert not any("Clean outside" in r for r in rows(app, "internal"))
        assert not any("Cleaning shown" in r for r in rows(app, "walkthrough"))
        assert "No wash (customer declined)" in str(screen.query_one("#internal").border_subtitle)


# Items 8 and 9 ------------------------------------------------------------------------------------


@pytest.fixture
def _h_cents(ui_services, ui_actors, ready):  # type: ignore[no-untyped-def]
    """Delivered, ¥12.37 off the customer's ¥630.00: ¥617.63 to pay."""
    deliver_all(ui_services, ui_actors, ready.order_id)
    settlement.prepare_settlement(ui_services, ui_actors[Role.ADVISOR], ready.order_id, settlement.SettlementInput(
        discount="12.37", safety_ack_by="张伟", warranty_claim_ref="WC-1"))
    return ready


async def _h_round_off(pilot, screen, amount: str) -> None:  # type: ignore[no-untyped-def]
    """Cash, the amount typed, back to the list, M."""
    await pilot.press("c")
    await settle(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == "amount")
    pilot.app.focused.value = ""
    await type_text(pilot, amount)
    await pilot.press("escape")
    await settle(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == "payments")
    await pilot.press("m")


async def test_item9_round_off_within_and_beyond_the_setting(app_for, ui_services, ui_actors, _h_cents):
    order_id = _h_cents.order_id
    app = app_for(Role.CASHIER)
    async with app.run_test(size=_H_SIZE) as pilot:
        screen = PaymentScreen(order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        assert screen.view.due == Decimal("617.63")

        # beyond the setting (the store rounds to the jiao): refused, saying what is allowed
        await _h_round_off(pilot, screen, "617")
        await settle(pilot, lambda: "at most to ¥617.60" in str(screen.query_one("#pay-errors").render()))
        assert order_row(ui_services, order_id).rounding == Decimal("0.00")

        # within it: the fen go, recorded under the cashier's own name
        await _h_round_off(pilot, screen, "617.60")
        await settle(pilot, lambda: screen.view.due == Decimal("617.60"))
        assert "rounded off ¥0.03" in str(screen.query_one("#pay-summary").render())
        assert screen.query_one("#amount", Input).value == "617.60"  # the cash payment goes on for the new due
        assert app.focused.id == "amount"
        await pilot.press("enter", "enter")  # the amount, then what was handed over (the same)
        await settle(pilot, lambda: screen.view.status == OrderStatus.SETTLED)

    order = order_row(ui_services, order_id)
    assert (order.rounding, order.customer_amount, order.discount) == (
        Decimal("0.03"), Decimal("617.60"), Decimal("12.37"))
    with ui_services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "payment.round_off")).one()
        assert event.user_id == ui_actors[Role.CASHIER].user_id


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is not installed")
async def test_item8_statement_lines_add_up_as_printed(app_for, ui_services, ui_actors, _h_cents):
    order_id = _h_cents.order_id
    settlement.round_off(ui_services, ui_actors[Role.CASHIER], order_id, "617.60")
    app = app_for(Role.CASHIER)
    async with app.run_test(size=_H_SIZE) as pilot:
        screen = PaymentScreen(order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await pilot.press("f8")
        await settle(pilot, lambda: "settlement" in screen.printed)
        path = screen.printed["settlement"]

    lines = _h_pdf_lines(path)
    tr = translator(ui_services.settings.language)  # the statement's language, translated or not yet
    wanted = [tr(m).split("{")[0].split("（")[0].split("(")[0] for m in (
        "All pay types, before discounts", "Less: paid by others (warranty, insurance, internal)",
        "Customer's share, before discounts", "Less: discounts given", "Less: small change rounded off (抹零)",
        "Customer pays", "of which VAT ({rate}%)")]
    start = next(i for i, line in enumerate(lines) if line.startswith(wanted[0]))
    printed = lines[start:start + len(wanted)]
    assert [next(w for w in wanted if line.startswith(w)) for line in printed] == wanted
    total, others, share, discount, rounding, pays, _vat = (_h_amount(line) for line in printed)
    assert (total, others, share, discount, rounding, pays) == (
        Decimal("1535.00"), Decimal("-905.00"), Decimal("630.00"), Decimal("-12.37"), Decimal("-0.03"),
        Decimal("617.60"))
    assert total + others == share and share + discount + rounding == pays  # each line from those above it


async def test_item8_gate_pass_number_is_readable(app_for, ui_services, ui_actors, _h_cents):
    order_id = _h_cents.order_id
    settlement.take_payment(ui_services, ui_actors[Role.CASHIER], order_id, "card", "617.63")
    app = app_for(Role.CASHIER)
    async with app.run_test(size=_H_SIZE) as pilot:
        screen = PaymentScreen(order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await pilot.press("g")
        await settle(pilot, lambda: "gate-pass" in screen.printed)
        number = order_row(ui_services, order_id).number
        assert "Gate pass GZ01-出-261124-" in str(screen.query_one("#pay-head").render())
    assert order_row(ui_services, order_id).gate_pass_no == "GZ01-出-" + number[7:]
    with ui_services.db.reader() as s:
        assert s.get(RepairOrder, order_id).status == OrderStatus.CLOSED
