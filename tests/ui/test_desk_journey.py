"""The advisor's whole morning with one new customer, by keys only, from login to the signed work order.

Each step is checked in the database as soon as the screen says it is done: what the
advisor typed is what was saved, and nothing is saved ahead of its step.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from frontdesk.services import money
from frontdesk.labels import DAMAGE_KEYS
from frontdesk.model import Customer, RepairOrder, Vehicle
from frontdesk.model.enums import Role
from frontdesk.services import desk, search

from ..conftest import PASSWORD
from .desk_helpers import type_text
from .reception import counts, screen_name, settle

VIN = "LSGPC52U1AF123456"


@pytest.fixture
def pdf_dir(ui_services, tmp_path: Path) -> Path:
    folder = tmp_path / "pdf"
    ui_services.settings = replace(ui_services.settings, pdf_dir=str(folder))
    return folder


def new_order(services) -> RepairOrder | None:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(RepairOrder).join(Vehicle).where(Vehicle.plate == "粤E55667")).one_or_none()


async def test_login_search_check_in_walkaround_estimate_sign_and_print(app_for, ui_services, desk_data, pdf_dir):
    before = counts(ui_services)
    app = app_for(None)
    async with app.run_test(size=(80, 24)) as pilot:  # the small desk terminal
        # Login
        await settle(pilot)
        await pilot.press(*"advisor", "enter", *PASSWORD, "enter")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        assert app.actor is not None and app.actor.role == Role.ADVISOR

        # Search: the car is not known yet
        await type_text(pilot, "粤e·55667")
        await settle(pilot)
        await pilot.pause(0.3)  # past the search's debounce
        await settle(pilot)
        assert "Nothing found" in str(app.screen.query_one("#search-status").render())
        assert search.search(ui_services, "粤E55667") == []

        # Check-in of a new customer and car: the plate comes from the search
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "CheckInScreen")
        assert app.screen.query_one("#plate").value == "粤E55667"
        # the driving licence's order: the VIN (the plate is in), make, model, colour, sale date, the owner;
        # Enter goes to the next required field, Tab also to the optional ones
        assert app.focused is app.screen.query_one("#vin")
        await pilot.press(*VIN, "enter")
        await settle(pilot)  # the VIN decoded: what it fills in the make is selected, typed over
        await pilot.press(*"别克", "enter", *"英朗", "tab", "tab", *"珍珠白", "tab", *"2025-06-15",
                          "enter", *"王芳", "enter", *"13712345678", "enter", *"8021", "enter", "6",
                          "tab", "tab", "tab", *"空调不凉")
        assert counts(ui_services) == before  # nothing saved while typing
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen" and app.screen._loaded)
        assert counts(ui_services) == (before[0] + 1, before[1] + 1, before[2] + 1)
        order = new_order(ui_services)
        assert order is not None and order.status == "check_in" and order.odometer_km == 8021
        with ui_services.db.reader() as s:
            customer = s.scalars(select(Customer).where(Customer.phone == "13712345678")).one()
            assert customer.name == "王芳"

        # Walkaround: a scratch on the front bumper, a dent on the front right wing, a valuable
        await pilot.press(DAMAGE_KEYS["scratch"], "down", "right", DAMAGE_KEYS["dent"])
        await pilot.press("c", "v")  # v asks for the valuables in a dialog (issue 17: a command key never moves the focus)
        await settle(pilot, lambda: screen_name(pilot) == "NoteDialog")
        await pilot.press(*"行车记录仪", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen" and app.screen._loaded is not None)
        walk = desk.order_view(ui_services, order.id).walkaround
        assert walk is not None and set(walk.marks) == {("front_bumper", "scratch"), ("front_right_wing", "dent")}
        assert walk.valuables == "行车记录仪" and walk.covers_fitted
        assert desk.order_view(ui_services, order.id).lines == ()

        # Estimate: the oil change found by pinyin initials ("jy" of 机油)...
        estimate = app.screen
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "LaborOpPicker")
        await pilot.press(*"jy")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is estimate and len(desk.order_view(ui_services, order.id).lines) == 1)
        [oil] = desk.order_view(ui_services, order.id).lines
        assert oil.code == "MT0101" and oil.origin == "requested"

        # ...with two parts on it: one filter (as offered), four litres of oil (typed)
        await pilot.press("f3")
        await settle(pilot, lambda: screen_name(pilot) == "PartPicker")
        await pilot.press(*"jylq", "enter")
        await settle(pilot, lambda: app.screen is estimate and estimate._editing is not None)
        await pilot.press("escape")
        await pilot.press("up")  # back from the part to its job
        await pilot.press("f3")
        await settle(pilot, lambda: screen_name(pilot) == "PartPicker")
        await pilot.press(*"LQ-0001", "enter")
        await settle(pilot, lambda: app.screen is estimate and estimate._editing is not None)
        await pilot.press("4", "enter")
        await settle(pilot, lambda: any(ln.code == "LQ-0001" and ln.quantity == 4
                                        for ln in desk.order_view(ui_services, order.id).lines))
        parts = {ln.code: ln for ln in desk.order_view(ui_services, order.id).lines if ln.kind == "part"}
        assert set(parts) == {"06L115562B", "LQ-0001"} and all(p.job_id == oil.id for p in parts.values())
        assert parts["06L115562B"].quantity == 1 and parts["LQ-0001"].reserved == 4

        # ...and a diagnosis the advisor recommends (the customer did not ask for it)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "LaborOpPicker")
        await pilot.press(*"gzzd")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is estimate and any(
            ln.code == "DG0101" for ln in desk.order_view(ui_services, order.id).lines))
        await pilot.press("r")
        await settle(pilot, lambda: any(ln.code == "DG0101" and ln.origin == "recommended"
                                        for ln in desk.order_view(ui_services, order.id).lines))
        view = desk.order_view(ui_services, order.id)
        assert view.status == "estimate"
        total = view.totals.gross
        assert total == sum((ln.amount for ln in view.lines), Decimal(0)) > 0
        assert money.format_money(total) in str(estimate.query_one("#est-totals").render())

        # Sign: first the terms say what is missing (how the customer pays): cash, saved
        await pilot.press("f9")
        await settle(pilot)
        assert screen_name(pilot) == "EstimateScreen" and estimate._tab == "terms"
        assert "how the customer will pay" in str(estimate.query_one("#payment_method-error").render())
        await pilot.press("enter", "down", "enter", "f6")  # the list opens on "blank": one down is cash
        await settle(pilot, lambda: desk.order_view(ui_services, order.id).payment_method == "cash")
        assert desk.order_view(ui_services, order.id).status == "estimate"

        # then the customer's name is offered, Enter signs, prints both papers and goes home
        await pilot.press("f9")
        await settle(pilot, lambda: screen_name(pilot) == "SignScreen")
        assert app.screen.query_one("#signer").value == "王芳"
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen", timeout=30)

    signed = desk.order_view(ui_services, order.id)
    assert signed.status == "authorised" and signed.signed_by == "王芳"
    work_order = next(pdf_dir.glob("*work-order.pdf"))
    text = "".join("".join((page.extract_text() or "").split()) for page in PdfReader(str(work_order)).pages)
    for expected in ("粤E55667", order.number, "更换机油机滤", "机油滤清器", "0W-20机油", "故障诊断",
                     money.format_money(total, symbol=False), "王芳"):
        assert expected in text, expected
    assert any("checkin" in p.name for p in pdf_dir.glob("*.pdf"))
