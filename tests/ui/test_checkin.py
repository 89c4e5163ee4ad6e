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
    """Type a whole new check-in in the form's order, as the advisor would (focus starts on the plate).

    Enter goes to the next required field; Tab also visits the optional ones (model year, colour, sale date).
    """
    v = {**NEW_CAR, **changes}
    await pilot.press(*v["plate"], "enter", *v["vin"], "enter")
    await settle(pilot)  # the VIN decoded: what it fills is selected, typed over below
    await pilot.press(*v["make"], "enter", *v["model"], "tab", "tab",  # past the model year
                      *v["colour"], "tab", *v["sale_date"], "enter",  # on to the owner's name
                      *v["name"], "enter", *v["phone"], "enter", *v["odometer_km"], "enter", v["fuel"], "tab")
    # on "brought in by the owner"
    if brought_by is not None:
        await pilot.press("space", "tab", *brought_by[0], "enter", *brought_by[1], "enter")
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


async def test_missing_fuel_is_asked_for_and_the_concerns_may_wait_for_the_estimate(app_for, ui_services, desk_data):
    vehicle = desk_data.vehicle_ids["粤B67890"]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=vehicle)
        await pilot.press(*"16000", "f6")
        await settle(pilot)
        assert "Read the fuel gauge" in error_beside(app, "fuel_eighths")
        assert error_beside(app, "concerns") == ""  # a routine service's work is the estimate's package
        assert app.focused is app.screen.query_one("#fuel_eighths")
        await pilot.press("5", "f6")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    order = order_view(ui_services, vehicle_card(ui_services, vehicle).open_order_id)
    assert (order.odometer_km, order.fuel_eighths, order.concerns) == (16000, 5, "")


async def test_escape_asks_before_discarding_what_was_typed(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        await pilot.press("escape")  # nothing typed: leaves at once
        await settle(pilot)
        assert screen_name(pilot) != "CheckInScreen"
        await open_checkin(pilot)
        await pilot.press(*"王芳", "escape")  # typed into the first field (the plate)
        await settle(pilot)
        assert screen_name(pilot) == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen" and app.screen.query_one("#plate", Input).value == "王芳"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert screen_name(pilot) not in ("CheckInScreen", "ConfirmScreen")


# Issue 19: fewer stops, the VIN decoded, the returning customer's short path --------------------------

DECODABLE_VIN = "LFV2A21K2C1234567"  # FAW-Volkswagen, the same line as 李娜's 速腾 (LFV2A21K…); C: 2012


async def test_enter_walks_the_required_fields_the_vin_fills_make_model_and_year_and_the_fuel_gauge_saves(
        app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, prefill="粤E55667")  # what the desk's search carried in
        screen = checkin_screen(app)
        assert app.focused is screen.query_one("#vin", Input)  # the plate is there: the VIN is next
        await pilot.press(*DECODABLE_VIN, "enter")
        await settle(pilot)
        values = {name: screen.query_one(f"#{name}", Input).value for name in ("make", "model", "model_year")}
        assert values == {"make": "大众", "model": "速腾", "model_year": "2012"}
        assert "VIN: 大众 速腾 2012" in str(screen.query_one("#vin-note", Static).render())
        assert app.focused is screen.query_one("#make", Input)
        # Enter confirms what the VIN said and passes over the optional fields to the owner's name
        await pilot.press("enter", "enter")
        assert app.focused is screen.query_one("#name", Input)
        await pilot.press(*"王芳", "enter", *"13712345678", "enter", *"8021", "enter")
        assert app.focused is screen.query_one("#fuel_eighths")
        await pilot.press("6", "enter")  # the last field a work order needs: Enter saves
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    [hit] = search.search(ui_services, "粤E55667")
    card = vehicle_card(ui_services, hit.vehicle_id)
    assert (card.make, card.model, card.model_year, card.vin) == ("大众", "速腾", 2012, DECODABLE_VIN)
    order = order_view(ui_services, hit.order_id)
    assert (order.odometer_km, order.fuel_eighths, order.customer_name) == (8021, 6, "王芳")


async def test_the_vin_never_overwrites_what_the_advisor_typed(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        screen = checkin_screen(app)
        screen.query_one("#make", Input).focus()
        await pilot.press(*"一汽大众")
        screen.query_one("#vin", Input).focus()
        await pilot.press(*DECODABLE_VIN, "tab")  # left, not entered: decoded all the same
        await settle(pilot)
        assert screen.query_one("#make", Input).value == "一汽大众"
        assert screen.query_one("#model", Input).value == "速腾"
        assert "2012" in str(screen.query_one("#vin-note", Static).render())


async def test_a_returning_car_brings_its_last_sender_and_contact_and_saves_with_km_enter_fuel_enter(
        app_for, ui_services, desk_data):
    from sqlalchemy import update

    from frontdesk.model import RepairOrder

    with ui_services.db.session() as s:  # the last visit: the owner's husband brought it, his number to call
        s.execute(update(RepairOrder).where(RepairOrder.id == desk_data.closed_order_id).values(
            brought_by_name="王强", brought_by_phone="13698765432", contact_phone="13698765432"))
        s.commit()
    vehicle = desk_data.vehicle_ids["粤B67890"]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=vehicle)
        screen = checkin_screen(app)
        assert app.focused is screen.query_one("#odometer_km", Input)
        assert [screen.query_one(f"#{n}", Input).value for n in ("brought_by_name", "brought_by_phone", "contact_phone")] \
            == ["王强", "13698765432", "13698765432"]
        assert "last 15230" in str(screen.query_one("#odometer_km-field Label").render())
        assert screen.query_one("#odometer_km", Input).placeholder == "last read on 11-20"
        await pilot.press(*"16000", "enter", "5", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    order = order_view(ui_services, vehicle_card(ui_services, vehicle).open_order_id)
    assert (order.odometer_km, order.fuel_eighths, order.brought_by_name, order.phone) == (16000, 5, "王强", "13698765432")


async def test_a_reading_far_above_the_cars_pace_is_questioned(app_for, ui_services, desk_data):
    """15 230 km four days ago, about 24 km a day since its sale: 152 300 (a digit too many) is asked about."""
    vehicle = desk_data.vehicle_ids["粤B67890"]
    app = app_for(Role.ADVISOR)
    before = counts(ui_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=vehicle)
        await pilot.press(*"152300", "enter", "5", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        assert "137070 km more than at the last visit" in error_beside(app, "odometer_km")
        await pilot.press("n")  # look again
        await settle(pilot)
        assert screen_name(pilot) == "CheckInScreen" and counts(ui_services) == before
        await pilot.press(*["backspace"] * 6, *"15230", "f6")  # corrected: within the pace, no question
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
    assert vehicle_card(ui_services, vehicle).last_odometer_km == 15230


def test_far_above_pace_weighs_the_days_since_the_last_reading():
    import datetime as dt

    from frontdesk.screens.checkin import far_above_pace
    from frontdesk.services.aftercare_views import Pace

    last = dt.date(2026, 1, 1)
    forty = Pace(40, 1, "readings")
    assert far_above_pace(12_000, 10_000, last, forty, dt.date(2026, 1, 5)) is None  # within the 3 000 km margin
    assert far_above_pace(100_000, 10_000, last, forty, dt.date(2026, 1, 5)) == 160
    assert far_above_pace(40_000, 10_000, last, forty, dt.date(2027, 1, 1)) is None  # a year: 14 600 expected
    assert far_above_pace(60_000, 10_000, last, forty, dt.date(2027, 1, 1)) == 14_600
    assert far_above_pace(60_000, 10_000, last, None, dt.date(2027, 1, 1)) is None  # no reading to weigh it against


async def test_an_open_campaign_shows_one_red_line_for_a_known_car_and_for_a_vin_typed(
        app_for, ui_services, desk_data, tmp_path):
    from frontdesk.services import campaign_import
    from frontdesk.services.setup import ensure_store, system_actor

    rows = [["campaign_code", "title", "kind", "vin", "labor_code", "part_number", "qty", "starts", "ends"]] + [
        ["R2026-03", "刹车片召回", "recall", vin, "BR0201", "", "", "2026-11-01", "2027-06-30"]
        for vin in ("LSVAU033612345678", DECODABLE_VIN)]  # 张伟's 朗逸 (粤A12345), and a car not on file yet
    path = tmp_path / "recall.csv"
    path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    campaign_import.import_campaigns(ui_services, system_actor(ensure_store(ui_services)), path)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, vehicle_id=desk_data.vehicle_ids["粤A12345"])
        banner = checkin_screen(app).query_one("#checkin-campaign", Static)
        assert banner.display and "Open recall: R2026-03 刹车片召回" in str(banner.render())
        assert banner.region.height == 1
        await pilot.press("escape")
        await open_checkin(pilot, prefill="粤E55667")
        banner = checkin_screen(app).query_one("#checkin-campaign", Static)
        assert not banner.display
        await pilot.press(*DECODABLE_VIN, "enter")
        await settle(pilot)
        assert banner.display and "R2026-03" in str(banner.render())


async def test_a_car_taken_from_reception_brings_its_plate_roof_number_and_key_tag(app_for, ui_services, desk_data):
    from types import SimpleNamespace

    arrival = SimpleNamespace(arrival_id=3, vehicle_id=None, plate="粤E55667", customer_id=None, appointment_id=None,
                              roof_number="12", key_tag="K07")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot, arrival=arrival)
        screen = checkin_screen(app)
        assert screen.query_one("#plate", Input).value == "粤E55667"
        assert "Roof number 12 · key tag K07" in str(screen.query_one("#checkin-note", Static).render())
        assert app.focused is screen.query_one("#vin", Input)


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


async def test_the_campaign_line_is_one_translatable_sentence(app_for, ui_services, desk_data, monkeypatch):
    """zh read "未完成召回: R2026-07": the colon was outside the translation (zh takes the full-width "：")."""
    from frontdesk.screens import checkin as screen_module
    from frontdesk.services.campaigns import CampaignFlag

    zh = {"{kind}: {code} {title}": "{kind}：{code} {title}", "Open recall": "未完成召回"}
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkin(pilot)
        monkeypatch.setattr(screen_module, "_", lambda msgid: zh.get(msgid, msgid))
        screen = checkin_screen(app)
        screen._show_campaigns([CampaignFlag(1, "R2026-07", "刹车片召回", "recall", 1)])
        assert str(screen.query_one("#checkin-campaign", Static).render()) == "未完成召回：R2026-07 刹车片召回"
