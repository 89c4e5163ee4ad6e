"""Check-in at the desk, by keys only: a new customer and car, a known car, and every refusal."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static, TextArea

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role, WarrantyStatus
from frontdesk.screens.checkin import CheckInScreen
from frontdesk.services import search
from frontdesk.services.desk import order_view, vehicle_card
from frontdesk.services.desk_home import desk_home

from .reception import counts, screen_name, settle

GOOD_VIN = "LSGPC52U1AF123456"  # check digit 1 verifies
BAD_CHECK_DIGIT = "LSGPC52U2AF123456"  # well formed, but position 9 should be 1
NEW_CAR = dict(name="王芳", phone="137 1234 5678", plate="粤E55667", vin=GOOD_VIN, make="别克", model="英朗",
               colour="珍珠白", sale_date="2025-06-15", odometer_km="8021", fuel="6", concerns="空调不凉")


def checkin_screen(app) -> CheckInScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, CheckInScreen))


def error_beside(app, field: str) -> str:
    return str(checkin_screen(app).query_one(f"#{field}-error", Static).render())


async def open_checkin(pilot, **kwargs) -> None:
    await settle(pilot)
    pilot.app.push_screen(CheckInScreen(**kwargs))
    await settle(pilot, lambda: screen_name(pilot) == "CheckInScreen")


async def fill_new(pilot, brought_by: tuple[str, str] | None = None, **changes: str) -> None:
    """Type a whole new check-in, field after field, as the advisor would (focus starts on the name)."""
    v = {**NEW_CAR, **changes}
    await pilot.press(*v["name"], "tab", *v["phone"], "tab", "tab",  # past "company"
                      *v["plate"], "tab", *v["vin"], "tab", *v["make"], "tab", *v["model"], "tab",
                      *v["colour"], "tab", *v["sale_date"], "tab", "tab",  # past "new-energy"
                      *v["odometer_km"], "tab", v["fuel"], "tab")  # on "brought in by the owner"
    if brought_by is not None:
        await pilot.press("space", "tab", *brought_by[0], "tab", *brought_by[1], "tab")
    else:
        await pilot.press("tab")
    await pilot.press("tab", *v["concerns"])  # past the contact mobile, into the concerns


async def test_new_customer_and_car_checked_in_by_keys(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"New check-in")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot) == "CheckInScreen")
        await fill_new(pilot, brought_by=("王强", "13698765432"))
        await pilot.press("enter", *"右前轮异响")
        assert "In warranty" in str(app.screen.query_one("#warranty", Static).render())
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    assert counts(ui_services) == (before[0] + 1, before[1] + 1, before[2] + 1)
    [hit] = search.search(ui_services, "粤E55667")
    assert hit.customer_name == "王芳" and hit.phone == "13712345678" and hit.vin == GOOD_VIN
    order = order_view(ui_services, hit.order_id)
    assert (order.odometer_km, order.fuel_eighths, order.concerns) == (8021, 6, "空调不凉\n右前轮异响")
    assert order.brought_by_name == "王强" and order.phone == "13712345678"
    assert order.warranty_status == WarrantyStatus.IN_WARRANTY
    card = vehicle_card(ui_services, hit.vehicle_id)
    assert (card.make, card.model, card.colour, card.sale_date.isoformat()) == ("别克", "英朗", "珍珠白", "2025-06-15")
    assert card.last_odometer_km == 8021 and not card.is_company


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("vin", "LSGPC52U1AF12345", "The VIN has 16 characters instead of 17."),
    ("vin", "LSGPC52U1AFO23456", "A VIN never contains the letters I, O or Q"),
    ("plate", "粤I12345", "Plates do not use the letters I or O."),
    ("plate", "AB12345", "The plate must start with the province character"),
    ("phone", "1371234567", "A mobile number has 11 digits; this one has 10."),
    ("sale_date", "2025-13-01", "There is no such date."),
], ids=["vin-16-chars", "vin-with-O", "plate-with-I", "plate-without-province", "phone-10-digits", "no-such-date"])
async def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(app_for, ui_services, desk_data, field, typed, message):
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        await fill_new(pilot, **{field: typed})
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen"
        assert message in error_beside(app, field)
        assert app.screen.query_one(f"#{field}", Input).value == typed  # the form keeps what was typed
        assert app.screen.query_one(f"#{field}", Input).has_class("-invalid")
    assert counts(ui_services) == before


async def test_odometer_below_the_last_visit_is_questioned_then_saved_when_confirmed(app_for, ui_services, desk_data):
    vehicle = desk_data.vehicle_ids["粤B67890"]
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=vehicle)
        assert app.screen.query_one("#plate", Input).value == "粤B67890"
        assert app.screen.query_one("#name", Input).value == "李娜"
        # the focus waits on the odometer of a known car
        await pilot.press(*"15000", "tab", "4", "tab", "tab", "tab", *"保养")
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        assert "less than at the last visit (15230 km)" in error_beside(app, "odometer_km")
        await pilot.press("n")  # not sure: look again
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen"
        assert counts(ui_services) == before
        assert vehicle_card(ui_services, vehicle).open_order_id is None
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")  # the cluster was replaced: the reading is right
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    assert counts(ui_services) == (before[0], before[1], before[2] + 1)
    card = vehicle_card(ui_services, vehicle)
    assert card.last_odometer_km == 15000
    order = order_view(ui_services, card.open_order_id)
    assert (order.odometer_km, order.fuel_eighths, order.concerns, order.customer_name) == (15000, 4, "保养", "李娜")


async def test_vin_check_digit_mismatch_asks_and_saves_when_confirmed(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        await fill_new(pilot, vin=BAD_CHECK_DIGIT)
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        assert "check digit is 2, expected 1" in error_beside(app, "vin")
        assert counts(ui_services) == before  # nothing saved while the question is open
        await pilot.press("y")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    assert counts(ui_services) == (before[0] + 1, before[1] + 1, before[2] + 1)
    [hit] = search.search(ui_services, "粤E55667")
    assert hit.vin == BAD_CHECK_DIGIT and hit.order_id is not None


async def test_a_refused_vehicle_keeps_the_saved_customer_so_the_retry_does_not_duplicate_it(
        app_for, ui_services, desk_data, monkeypatch):
    """Another terminal takes the plate between the look-up and the save: the customer is kept, once."""
    import frontdesk.screens.checkin as screen

    monkeypatch.setattr(screen, "_taken_by_another", lambda *args: {})
    app = app_for(Role.ADVISOR)
    customers, vehicles, orders = counts(ui_services)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_checkin(pilot)
        await fill_new(pilot, plate="粤A12345")
        await pilot.press("f6")
        await settle(pilot, lambda: bool(error_beside(app, "plate")))
        assert "Another vehicle already has this plate." in error_beside(app, "plate")
        assert counts(ui_services) == (customers + 1, vehicles, orders)
        plate = app.screen.query_one("#plate", Input)
        assert app.focused is plate
        await pilot.press("end", *["backspace"] * 7, *"粤E55667", "f6")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    assert counts(ui_services) == (customers + 1, vehicles + 1, orders + 1)


async def test_checking_in_an_appointment_brings_its_work_and_closes_it(app_for, ui_services, desk_data, ui_actors):
    vehicle = desk_data.vehicle_ids["粤C24680"]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_checkin(pilot, vehicle_id=vehicle, appointment_id=desk_data.appointment_id)
        assert app.screen.query_one("#concerns", TextArea).text == "做首保"
        assert "Appointment 14:00" in str(app.screen.query_one("#checkin-note", Static).render())
        assert "Undetermined" in str(app.screen.query_one("#warranty", Static).render())  # no sale date
        await pilot.press(*"3050", "tab", "right", "right", "f6")  # fuel: from unread to 4, then 5
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    order = order_view(ui_services, vehicle_card(ui_services, vehicle).open_order_id)
    assert (order.odometer_km, order.fuel_eighths, order.concerns) == (3050, 5, "做首保")
    assert desk_data.appointment_id not in [a.id for a in desk_home(ui_services, ui_actors[Role.ADVISOR]).appointments]


async def test_a_car_with_an_open_order_is_not_checked_in_twice(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_checkin(pilot, vehicle_id=desk_data.vehicle_ids["粤A12345"])
        assert "already has an open order" in error_beside(app, "vehicle")
        await pilot.press(*"16000", "tab", "5", "tab", "tab", "tab", *"异响", "f6")
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen"
    assert counts(ui_services) == before


async def test_missing_fuel_and_concerns_are_asked_for(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=desk_data.vehicle_ids["粤B67890"])
        await pilot.press(*"16000", "f6")
        await settle(pilot)
        assert "Read the fuel gauge" in error_beside(app, "fuel_eighths")
        assert "required" in error_beside(app, "concerns")
        assert app.focused is app.screen.query_one("#fuel_eighths")


async def test_escape_asks_before_discarding_what_was_typed(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        await pilot.press("escape")  # nothing typed: leaves at once
        await settle(pilot)
        assert screen_name(pilot) != "CheckInScreen"
        await open_checkin(pilot)
        await pilot.press(*"王芳", "escape")
        await settle(pilot)
        assert screen_name(pilot) == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen" and app.screen.query_one("#name", Input).value == "王芳"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert screen_name(pilot) not in ("CheckInScreen", "ConfirmScreen")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_checkin_snapshot(snap_compare, app_for, desk_data, lang, size):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def known_car(pilot):
        await open_checkin(pilot, vehicle_id=desk_data.vehicle_ids["粤B67890"])
        await pilot.press(*"15000", "tab", "3")

    assert snap_compare(app, terminal_size=size, run_before=known_car)


@pytest.mark.parametrize(("typed", "expected"), [
    ("粤e·55667", {"plate": "粤E55667"}),
    ("137 1234 5678", {"phone": "13712345678"}),
    ("王芳", {"name": "王芳"}),
    ("5678", {}),  # the end of a number: not enough to fill anything
    ("LSGPC52U1AF123456", {}),
])
def test_what_a_search_that_found_nothing_fills_in(typed, expected):
    from frontdesk.screens.checkin import prefill_fields

    assert prefill_fields(typed) == expected
