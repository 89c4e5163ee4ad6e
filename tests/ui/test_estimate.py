"""The estimate builder by keys only: catalog search by pinyin initials, parts with stock, live totals,
history, terms, signing and printing; and what is refused.

The fixture order of 粤A12345 (``desk_data.estimate_order_id``) has an oil service (1 h customer
pay, oil filter + 4 L oil), warranty front pads (1.5 h at the warranty rate, one set of pads: the
store's only set) and a safety diagnosis the customer declined at the desk. Its totals: customer
¥630.00, warranty ¥905.00, ¥1,535.00 in all.

Recommendations: the History tab lists what the vehicle was refused before, including what was
declined on this very order (that is how the advisor takes a declined item back). 粤A12345 has no
earlier closed order (it cannot get one while this order is open), so the main story adds back
the diagnosis declined on this order; ``test_a_recommendation_from_an_earlier_visit`` covers the
other case on 粤B67890, whose closed order of 11-20 has a declined diagnosis.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.estimate import EstimateScreen
from frontdesk.services import catalog, checkin, desk
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.widgets.list_table import ListTable


# Helpers ----------------------------------------------------------------------------------------


async def settle(pilot: Pilot, until: Callable[[], bool] | None = None, timeout: float = 15.0) -> None:
    """Workers done and the screen redrawn; with ``until``, keep going until it holds (a save is a chain)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if until is None or until():
            return
        assert time.monotonic() < deadline, "timed out waiting for the screen"


def screen_name(pilot: Pilot) -> str:
    return type(pilot.app.screen).__name__


async def open_estimate(pilot: Pilot, order_id: int) -> EstimateScreen:
    await settle(pilot)
    screen = EstimateScreen(order_id=order_id)
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen._loaded is not None)
    return screen


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


def lines(services, order_id: int) -> list[desk.LineView]:  # type: ignore[no-untyped-def]
    return list(desk.order_view(services, order_id).lines)


def row_keys(screen: EstimateScreen) -> list[str]:
    table = screen.query_one("#lines", ListTable)
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


async def cursor_to(pilot: Pilot, screen: EstimateScreen, key: str) -> None:
    """Move the row cursor with the arrow keys to the row ``key`` (``j<job id>`` or ``p<part line id>``)."""
    table = screen.query_one("#lines", ListTable)
    target = row_keys(screen).index(key)
    step = "down" if target > table.cursor_row else "up"
    await pilot.press(*[step] * abs(target - table.cursor_row))
    assert table.cursor_key == key


def job_line(services, order_id: int, code: str, *, status: str | None = None) -> desk.LineView:  # type: ignore[no-untyped-def]
    found = [ln for ln in lines(services, order_id) if ln.kind == "labor" and ln.code == code
             and (status is None or ln.status == status)]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def pdf_dir(ui_services, tmp_path: Path) -> Path:
    folder = tmp_path / "pdf"
    ui_services.settings = replace(ui_services.settings, pdf_dir=str(folder))
    return folder


@pytest.fixture
def alignment_op(ui_services, desk_data) -> int:
    """One more operation in the catalog, so the story adds work the order does not have yet."""
    admin = system_actor(ensure_store(ui_services))
    op = catalog.save_labor_operation(ui_services, admin, catalog.LaborOpInput(
        "AL0101", "四轮定位", "1.00", "Wheel alignment", "chassis"))
    return op.id


# The story ------------------------------------------------------------------------------------------


async def test_build_sign_and_print_by_keys(app_for, ui_services, desk_data, pdf_dir, alignment_op):
    order_id = desk_data.estimate_order_id
    oil_job = job_line(ui_services, order_id, "MT0101")
    pads_job = job_line(ui_services, order_id, "BR0201")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_estimate(pilot, order_id)
        head = text_of(screen, "#est-head")
        assert "粤A12345" in head and "张伟" in head and "15,230km" in head and "Estimate" in head
        assert "¥1,535.00" in text_of(screen, "#est-totals")

        # a job found by its pinyin initials: 四轮定位 is "sldw"
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "LaborOpPicker")
        await pilot.press(*"sldw", "enter")
        await settle(pilot, lambda: any(ln.code == "AL0101" for ln in lines(ui_services, order_id)))
        await settle(pilot, lambda: pilot.app.screen is screen)
        alignment = job_line(ui_services, order_id, "AL0101")
        assert alignment.origin == "requested" and alignment.status == "proposed" and alignment.amount == Decimal("180.00")
        assert screen.query_one("#lines", ListTable).cursor_key == f"j{alignment.id}"

        # a part on the (selected) warranty pads job: the store's only set is taken, so it is SHORT
        await cursor_to(pilot, screen, f"j{pads_job.id}")
        await pilot.press("f3")
        await settle(pilot, lambda: screen_name(pilot) == "PartPicker")
        assert "更换前刹车片" in text_of(pilot.app.screen, "#picker-target")
        await pilot.press(*"qscp", "enter")
        await settle(pilot, lambda: len([ln for ln in lines(ui_services, order_id) if ln.code == "5Q0698151"]) == 2)
        await settle(pilot, lambda: screen._editing is not None)
        await pilot.press("escape")  # one set is what was meant
        new_pads = [ln for ln in lines(ui_services, order_id) if ln.code == "5Q0698151"][-1]
        assert new_pads.job_id == pads_job.id and new_pads.pay_type == "warranty"  # a job's parts pay as it does
        assert new_pads.short and new_pads.reserved == 0
        table = screen.query_one("#lines", ListTable)
        assert "SHORT" in str(table.get_cell(f"p{new_pads.id}", "status"))

        # a second part, on the oil job: the quantity is typed and the totals follow before saving
        await cursor_to(pilot, screen, f"j{oil_job.id}")
        await pilot.press("f3")
        await settle(pilot, lambda: screen_name(pilot) == "PartPicker")
        await pilot.press(*"jylq", "enter")
        await settle(pilot, lambda: pilot.app.screen is screen and screen._editing is not None)
        filters = [ln for ln in lines(ui_services, order_id) if ln.code == "06L115562B"]
        assert len(filters) == 2 and filters[-1].job_id == oil_job.id and filters[-1].quantity == 1
        before = desk.order_view(ui_services, order_id)
        assert before.totals.gross == Decimal("2453.00")  # 1,535 + 180 alignment + 680 pads + 58 filter
        assert app.focused is screen.query_one("#qty", Input)
        await pilot.press("2")  # the "1" was selected: typing replaces it
        await pilot.pause()
        totals = text_of(screen, "#est-totals")
        assert "¥2,511.00" in totals and "Preview" in totals  # worked out here, as the key was pressed
        assert desk.order_view(ui_services, order_id).version == before.version  # nothing saved yet
        await pilot.press("enter")
        await settle(pilot, lambda: [ln for ln in lines(ui_services, order_id) if ln.code == "06L115562B"][-1].quantity == 2)
        await settle(pilot)
        assert "¥2,511.00" in text_of(screen, "#est-totals") and "Preview" not in text_of(screen, "#est-totals")

        # the declined diagnosis comes back from the history as a recommended job
        await pilot.press("h")
        await settle(pilot)
        recs = screen.query_one("#recommendations", ListTable)
        assert app.focused is recs and recs.row_count == 1
        assert "故障诊断" in " ".join(str(c) for c in recs.get_row_at(0))
        await pilot.press("enter")
        await settle(pilot, lambda: any(ln.code == "DG0101" and ln.status == "proposed"
                                        for ln in lines(ui_services, order_id)))
        diag = job_line(ui_services, order_id, "DG0101", status="proposed")
        assert diag.origin == "recommended" and diag.safety  # the safety flag comes with it
        await settle(pilot)
        assert "on the estimate" in " ".join(str(c) for c in recs.get_row_at(0))

        # terms: the suggested promise stays, WeChat Pay, and no wash this time (a wash is the default)
        assert desk.order_view(ui_services, order_id).wash
        await pilot.press("t")
        await settle(pilot)
        promised = screen.query_one("#promised_at", Input)
        assert app.focused is promised and promised.value.startswith("2026-11-2")
        suggested = promised.value
        await pilot.press("tab", "enter", "down", "down", "down", "enter")  # blank, cash, card, WeChat
        assert screen.query_one("#payment_method", Select).value == "wechat"
        await pilot.press("tab", "tab", "space")  # old parts stay as they are; the wash box
        await pilot.press("f6")
        await settle(pilot, lambda: desk.order_view(ui_services, order_id).payment_method == "wechat")
        saved = desk.order_view(ui_services, order_id)
        assert not saved.wash and saved.promised_at is not None and saved.promised_at.strftime("%Y-%m-%d %H:%M") == suggested

        # sign: the customer's name by default, the total read back; then both papers and home
        await pilot.press("f9")
        await settle(pilot, lambda: screen_name(pilot) == "SignScreen")
        modal = pilot.app.screen
        assert modal.query_one("#signer", Input).value == "张伟"
        assert "¥2,601.00" in text_of(modal, "#sign-total")
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        notes = [n.message for n in app._notifications]
        assert any("Work order saved as" in n and n.endswith("work-order.pdf") for n in notes), notes
        assert any("Check-in sheet saved as" in n for n in notes), notes
        assert screen.sign_seconds is not None and screen.sign_seconds < 10
        print(f"sign + print: {screen.sign_seconds:.2f} s from the signature to the desk home")

    view = desk.order_view(ui_services, order_id)
    assert view.status == "authorised" and view.signed_by == "张伟"
    assert all(ln.status == "approved" for ln in view.lines if ln.kind == "labor" and ln.status != "declined")
    pdfs = sorted(p.name for p in pdf_dir.glob("*.pdf"))
    assert len(pdfs) == 2 and any(n.endswith("work-order.pdf") for n in pdfs) and any("checkin" in n for n in pdfs)
    text = "".join((page.extract_text() or "") for page in PdfReader(str(next(pdf_dir.glob("*work-order.pdf")))).pages)
    squashed = "".join(text.split())
    for expected in ("粤A12345", "四轮定位", "故障诊断", "前刹车片", "机油滤清器", "2,601.00", "张伟"):
        assert expected in squashed, expected


# Refusals ---------------------------------------------------------------------------------------------


async def test_a_negative_quantity_and_letters_in_a_price_are_explained_and_nothing_is_saved(
        app_for, ui_services, desk_data):
    order_id = desk_data.estimate_order_id
    oil_filter = next(ln for ln in lines(ui_services, order_id) if ln.code == "06L115562B")
    version = desk.order_view(ui_services, order_id).version
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_estimate(pilot, order_id)
        await cursor_to(pilot, screen, f"p{oil_filter.id}")
        await pilot.press("f4")
        assert app.focused is screen.query_one("#qty", Input)
        await pilot.press("minus", "1")
        assert "cannot be negative" in text_of(screen, "#qty-error")
        assert "¥1,535.00" in text_of(screen, "#est-totals")  # no preview of a refused value
        await pilot.press("enter")
        await settle(pilot)
        assert screen._editing == f"p{oil_filter.id}"  # still editing: nothing to save
        await pilot.press("backspace", "backspace", "3", "tab")
        assert text_of(screen, "#qty-error") == ""
        await pilot.press(*"5a.x")  # the price was selected when the focus came: typing replaces it
        assert "not a number" in text_of(screen, "#price-error")
        await pilot.press("f6")
        await settle(pilot)
        assert "not a number" in text_of(screen, "#price-error") and screen._editing is not None
        await pilot.press("escape")  # drop the change
        await settle(pilot)
        assert screen._editing is None and "¥1,535.00" in text_of(screen, "#est-totals")
    after = desk.order_view(ui_services, order_id)
    assert after.version == version
    assert next(ln for ln in after.lines if ln.id == oil_filter.id).quantity == 1


async def test_signing_says_what_is_missing(app_for, ui_services, desk_data):
    """No payment method chosen: the terms open with the message beside the field; nothing is signed."""
    order_id = desk_data.estimate_order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_estimate(pilot, order_id)
        await pilot.press("f9")
        await settle(pilot)
        assert screen_name(pilot) == "EstimateScreen" and screen._tab == "terms"
        assert "how the customer will pay" in text_of(screen, "#payment_method-error")
        assert app.focused is screen.query_one("#payment_method", Select)
        assert any("Not ready to sign" == (n.title or "") for n in app._notifications)
    assert desk.order_view(ui_services, order_id).status == "estimate"


async def test_signing_without_a_walkaround_is_refused_with_the_reason(app_for, ui_services, ui_actors, desk_data):
    order = checkin.check_in(ui_services, ui_actors[Role.ADVISOR], checkin.CheckInInput(
        vehicle_id=desk_data.vehicle_ids["粤C24680"], odometer_km=3050, fuel_eighths=5, concerns="做首保"))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_estimate(pilot, order.id)
        assert "No walkaround yet" in text_of(screen, "#est-head")
        await pilot.press("f9")
        await settle(pilot)
        messages = " ".join(n.message for n in app._notifications)
        assert "No walkaround yet" in messages and "no work to authorise" in messages
        assert screen_name(pilot) == "EstimateScreen"
    assert desk.order_view(ui_services, order.id).status == "check_in"


async def test_one_key_changes_pay_type_safety_decline_delete(app_for, ui_services, desk_data):
    order_id = desk_data.estimate_order_id
    oil_job = job_line(ui_services, order_id, "MT0101")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_estimate(pilot, order_id)
        # 故障诊断 by its initials, from the catalog
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "LaborOpPicker")
        await pilot.press(*"gzzd")
        await settle(pilot, lambda: pilot.app.screen.hits and not pilot.app.screen._type_ahead.pending)
        assert [h.code for h in pilot.app.screen.hits] == ["DG0101"]
        await pilot.press("enter")
        await settle(pilot, lambda: len([ln for ln in lines(ui_services, order_id) if ln.code == "DG0101"]) == 2)
        # P twice on the oil job: warranty, then insurance (the rate follows the pay type)
        await settle(pilot, lambda: pilot.app.screen is screen)
        await cursor_to(pilot, screen, f"j{oil_job.id}")
        await pilot.press("p", "p")
        await settle(pilot, lambda: job_line(ui_services, order_id, "MT0101").pay_type == "insurance")
        await settle(pilot)
        assert job_line(ui_services, order_id, "MT0101").unit_price == Decimal("180.00")
        await pilot.press("p", "p", "p")  # internal, first free service, back to the customer
        await settle(pilot, lambda: job_line(ui_services, order_id, "MT0101").pay_type == "customer")
        # S flags it safety-related; D: the customer declines it; Del removes the new diagnosis
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot, lambda: job_line(ui_services, order_id, "MT0101").safety)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: job_line(ui_services, order_id, "MT0101").status == "declined")
        await settle(pilot)
        assert any("safety-related" in n.message for n in app._notifications)
        new_diag = [ln for ln in lines(ui_services, order_id) if ln.code == "DG0101" and ln.status == "proposed"][0]
        await cursor_to(pilot, screen, f"j{new_diag.id}")
        await pilot.press("delete")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: not any(ln.code == "DG0101" and ln.status == "proposed"
                                            for ln in lines(ui_services, order_id)))
    view = desk.order_view(ui_services, order_id)
    assert view.totals.by_pay_type.keys() == {"warranty"}  # the declined oil service no longer counts


async def test_a_recommendation_from_an_earlier_visit(app_for, ui_services, ui_actors, desk_data):
    """粤B67890 comes back: its closed order of 11-20 had the diagnosis declined."""
    adv = ui_actors[Role.ADVISOR]
    order = checkin.check_in(ui_services, adv, checkin.CheckInInput(
        vehicle_id=desk_data.vehicle_ids["粤B67890"], odometer_km=18000, fuel_eighths=6, concerns="异响"))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_estimate(pilot, order.id)
        await pilot.press("h")
        await settle(pilot)
        visits = screen.query_one("#visits", ListTable)
        closed_number = desk.order_view(ui_services, desk_data.closed_order_id).number
        assert visits.row_count == 1 and closed_number in " ".join(str(c) for c in visits.get_row_at(0))
        await pilot.press("a")
        await settle(pilot, lambda: bool(lines(ui_services, order.id)))
        await settle(pilot)
        assert screen._tab == "lines"
    job = job_line(ui_services, order.id, "DG0101")
    assert job.origin == "recommended" and job.status == "proposed"
    assert desk.order_view(ui_services, order.id).status == "estimate"


async def test_f8_prints_the_estimate_and_stays(app_for, ui_services, desk_data, pdf_dir):
    order_id = desk_data.estimate_order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_estimate(pilot, order_id)
        await pilot.press("f8")
        await settle(pilot, lambda: any(".pdf" in n.message for n in app._notifications))
        assert pilot.app.screen is screen
    assert [p.name for p in pdf_dir.glob("*.pdf")] == [f"{desk.order_view(ui_services, order_id).number}-work-order.pdf"]
    assert desk.order_view(ui_services, order_id).status == "estimate"


# Snapshots ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_estimate_snapshot(snap_compare, app_for, desk_data, lang, size):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def estimate_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_estimate(pilot, desk_data.estimate_order_id)
        await pilot.press("down", "down")  # the oil: its stock in the line below the table
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=estimate_on_screen)


async def test_letter_commands_answer_in_capitals_too(app_for, desk_data):
    """The footer shows h; a user with Caps Lock on types H — the same command (issue 17's dead keys)."""
    from frontdesk.model.enums import Role
    from .desk_helpers import settle as settle_

    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_(pilot)
        app.open_destination("estimate", order_id=desk_data.estimate_order_id)
        await settle_(pilot)
        screen = app.screen
        assert type(screen).__name__ == "EstimateScreen"
        keys = {b.binding.key: b.binding for b in screen.active_bindings.values()}
        assert keys["H"].action == keys["h"].action and not keys["H"].show and not keys["H"].description
        await pilot.press("H")
        await settle_(pilot)
        assert app.focused is screen.query_one("#recommendations")
