"""The reports screen by keys: ranges (presets, earlier/later, typed), pages, CSV and Excel exports.

The data is the hand-built November of tests/test_reports.py (its docstring has the arithmetic);
the clock stands at Monday 2026-11-30 18:00, so "this month" is November: net revenue ¥3,535.00,
October (L) ¥360.00, 2–5 November (typed) O1 + O3 = ¥2,455.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.reports import ReportsScreen
from frontdesk.services.periods import preset, shift
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.widgets.bar_chart import BarChart, bar_text, eighths

from ..test_reports import build_month
from .desk_helpers import notes, rows, type_text
from .test_estimate import settle


@pytest.fixture
def month(ui_services, ui_actors):  # type: ignore[no-untyped-def]
    return build_month(ui_services, ui_actors, system_actor(ensure_store(ui_services)))


async def open_reports(pilot) -> ReportsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = ReportsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen._report is not None)
    return screen


async def range_is(pilot, screen: ReportsScreen, start: dt.date, end: dt.date) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: screen._report is not None and (screen._report.start, screen._report.end) == (start, end))


def figures_text(screen: ReportsScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_ranges_pages_and_exports_by_keys(app_for, month, tmp_path):
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        assert (screen._report.start, screen._report.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert "¥3,535.00" in figures_text(screen, "#ov-figures")
        pay = {b.label: b.value for b in screen.query_one("#ov-pay", BarChart).bars}
        assert pay == {"Customer pay": Decimal("1640.00"), "Warranty": Decimal("905.00"),
                       "Insurance": Decimal("360.00"), "First free service": Decimal("630.00")}

        await pilot.press("l")
        await range_is(pilot, screen, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
        assert "¥360.00" in figures_text(screen, "#ov-figures")
        await pilot.press("right_square_bracket")
        await range_is(pilot, screen, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        await pilot.press("d")
        await range_is(pilot, screen, dt.date(2026, 11, 30), dt.date(2026, 11, 30))
        await pilot.press("minus")
        await range_is(pilot, screen, dt.date(2026, 11, 29), dt.date(2026, 11, 29))
        await pilot.press("w")
        await range_is(pilot, screen, dt.date(2026, 11, 30), dt.date(2026, 12, 6))
        await pilot.press("left_square_bracket")
        await range_is(pilot, screen, dt.date(2026, 11, 23), dt.date(2026, 11, 29))
        assert (screen._report.total.car_count, screen._report.total.status_count("cancelled")) == (0, 1)  # O8
        await pilot.press("m")
        await range_is(pilot, screen, dt.date(2026, 11, 1), dt.date(2026, 11, 30))

        await pilot.press("2")
        await settle(pilot)
        advisors = rows(app, "ad-table")
        assert advisors[0].startswith("Advisor Test 3 ¥2,455.00 ¥775.00")
        assert advisors[-1].startswith("Total 5 ¥3,535.00 ¥546.67")
        await pilot.press("3")
        await settle(pilot)
        quality = figures_text(screen, "#qu-figures")
        assert "Comebacks" in quality and "85.3" in quality and "75.0" in quality

        await pilot.press("e")
        await settle(pilot, lambda: screen.last_export is not None)
        csv_path = screen.last_export
        assert csv_path.endswith("report_2026-11-01_2026-11-30.csv")
        assert any(csv_path in n for n in notes(app))
        await pilot.press("x")
        await settle(pilot, lambda: screen.last_export is not None and screen.last_export.endswith(".xlsx"))
        from pathlib import Path

        assert Path(csv_path).exists() and Path(screen.last_export).exists()
        assert Path(screen.last_export).parent == ui_settings_dir(app)


def ui_settings_dir(app):  # type: ignore[no-untyped-def]
    return app.services.settings.resolved_pdf_dir()


async def test_typed_range_and_escape_from_the_fields(app_for, month):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("f3")
        assert screen.focused is screen.query_one("#rp-from")
        await type_text(pilot, "2026-11-02")
        await pilot.press("enter")
        assert screen.focused is screen.query_one("#rp-to")
        await type_text(pilot, "2026-11-05")
        await pilot.press("enter")
        await range_is(pilot, screen, dt.date(2026, 11, 2), dt.date(2026, 11, 5))
        assert screen._report.total.net == Decimal("2455.00")
        assert screen._kind == "custom"
        await pilot.press("right_square_bracket")  # a custom range moves by its own length
        await range_is(pilot, screen, dt.date(2026, 11, 6), dt.date(2026, 11, 9))

        await pilot.press("f3")
        await type_text(pilot, "2026-1")
        await pilot.press("escape")  # leaves the field, not the screen; the range is shown again
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#rp-from").value == "2026-11-06"
        await pilot.press("f3", "enter", "enter")
        await settle(pilot)
        await pilot.press("f3")
        await type_text(pilot, "11/02/2026")
        await pilot.press("enter")
        await settle(pilot)
        assert any("YYYY-MM-DD" in n for n in notes(app))


def test_range_arithmetic_and_bars():
    monday = dt.date(2026, 11, 30)
    assert preset("week", dt.date(2026, 12, 3)) == (monday, dt.date(2026, 12, 6))
    assert preset("last_month", dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert shift(dt.date(2026, 1, 1), dt.date(2026, 1, 31), "month", 1) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert shift(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "month", -1) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # 3 of 8 over 10 cells = 30 eighths = 3 full blocks and a 6/8 block
    assert eighths(Decimal("3.00"), Decimal("8.00"), 10) == 30 and bar_text(30) == "███▊"
    assert eighths(Decimal("0.01"), Decimal(100000), 10) == 1  # above zero always shows
    assert eighths(0, 5, 10) == 0 and eighths(5, 5, 10) == 80
    with pytest.raises(TypeError):
        eighths(1.5, 3, 10)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang,size,page", [("en", (80, 24), "1"), ("en", (120, 36), "1"), ("en", (80, 24), "2"),
                                            ("en", (120, 36), "3"), ("zh_CN", (80, 24), "1")],
                         ids=["en-80x24", "en-120x36", "advisors-80x24", "quality-120x36", "zh-80x24"])
def test_reports_snapshot(snap_compare, app_for, month, lang, size, page):
    set_language(lang)
    app = app_for(Role.MANAGER)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_reports(pilot)
        await pilot.press(page)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)
