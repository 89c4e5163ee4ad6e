"""The catalogs screen by keys: search by pinyin initials, edit a labor time, a new part, adjust stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from frontdesk.i18n import set_language
from frontdesk.model import StockLevel, StockMovement
from frontdesk.model.enums import Role
from frontdesk.screens.catalogs import PARTS, CatalogsScreen
from frontdesk.services import admin_views

from ..factories import seed_shop
from .admin_helpers import fill, open_screen
from .desk_helpers import type_text
from .test_estimate import screen_name, settle


@pytest.fixture
def shop(ui_services, ui_actors):  # type: ignore[no-untyped-def]
    from frontdesk.services.setup import ensure_store, system_actor

    return seed_shop(ui_services, system_actor(ensure_store(ui_services)), ui_actors)


async def open_catalogs(pilot) -> CatalogsScreen:  # type: ignore[no-untyped-def]
    screen = CatalogsScreen()
    return await open_screen(pilot, screen, lambda: len(screen._rows) > 0)


async def test_search_and_edit_a_labor_time_by_keys(app_for, ui_services, ui_actors, shop):
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogs(pilot)
        assert [r.code for r in screen._rows] == ["BR0201", "DG0101", "MT0101"]
        await type_text(pilot, "ghjy")
        await settle(pilot, lambda: [r.code for r in screen._rows] == ["MT0101"])
        await pilot.press("down")
        assert pilot.app.focused.id == "cat-list"
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, std_hours="1.2", models="朗逸")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and screen._rows[0].std_hours == Decimal("1.20"))
        assert screen._rows[0].models == "朗逸"


async def test_new_part_and_stock_adjust_by_keys(app_for, ui_services, ui_actors, shop):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_catalogs(pilot)
        await pilot.press("f7")
        await settle(pilot, lambda: screen.catalog == PARTS and len(screen._rows) == 3)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, number="1K0129620", name="空气滤清器", price="abc", unit="pc", bin="A-02-1")
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(pilot) == "FormDialog"  # a bad price stays in the dialog, beside its field
        assert str(pilot.app.screen.query_one("#price-error").render())
        await fill(pilot, price="85")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and len(screen._rows) == 4)

        await type_text(pilot, "kqlqq")
        await settle(pilot, lambda: [r.number for r in screen._rows] == ["1K0129620"])
        await pilot.press("down", "s")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, delta="+6", reason="到货")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and screen._rows[0].on_hand == 6)
        await pilot.press("s")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, delta="-1", reason="盘点")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and screen._rows[0].on_hand == 5)
        part_id = screen._rows[0].id
    with ui_services.db.reader() as s:
        on_hand = s.scalar(select(StockLevel.on_hand).where(StockLevel.part_id == part_id))
        moved = s.scalar(select(func.sum(StockMovement.qty)).where(StockMovement.part_id == part_id))
    assert on_hand == moved == 5
    (row,) = admin_views.part_rows(ui_services, ui_actors[Role.ADMIN], "1K0129620")
    assert (row.bin, row.price) == ("A-02-1", Decimal("85.00"))


async def test_an_advisor_only_looks(app_for, ui_services, ui_actors, shop):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogs(pilot)
        await pilot.press("f7")
        await settle(pilot, lambda: screen.catalog == PARTS and len(screen._rows) == 3)
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled and b.binding.show}
        assert "switch" in keys and not keys & {"new", "edit", "stock"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("which", ["labor", "parts"])
def test_catalogs_snapshot(snap_compare, app_for, shop, lang, size, which):
    set_language(lang)
    app = app_for(Role.ADMIN)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = await open_catalogs(pilot)
        if which == "parts":
            await pilot.press("f7")
            await settle(pilot, lambda: screen.catalog == PARTS and len(screen._rows) == 3)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)


@pytest.mark.parametrize("which", ["catalogs", "packages"])
async def test_the_catalog_screens_share_their_search_keys(app_for, ui_services, ui_actors, shop, which):
    """One skeleton (screens/search_list.py): F3 in the box selects its text or hints, F4 with nothing picked warns,
    Enter with no rows stays in the box — alike on the catalogs and the packages."""
    from frontdesk.screens.packages import PackagesScreen
    from frontdesk.screens.search_list import SearchListScreen

    from .desk_helpers import notes

    set_language("en")
    screen, hint, pick_first = {
        "catalogs": (CatalogsScreen(), "Type a code, a name or its pinyin initials.", "Pick an item in the list first."),
        "packages": (PackagesScreen(), "Type a code, a name, a make or a model.", "Pick a package in the list first."),
    }[which]
    assert isinstance(screen, SearchListScreen)
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, screen, lambda: not screen._type_ahead.pending)
        assert pilot.app.focused is screen.box
        await pilot.press("f3")
        await settle(pilot, lambda: hint in notes(pilot.app))
        await type_text(pilot, "zzq")
        await settle(pilot, lambda: not screen._type_ahead.pending and screen._rows == [])
        await pilot.press("f3")
        await settle(pilot, lambda: screen.box.selected_text == "zzq")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.focused is screen.box
        await pilot.press("f4")
        await settle(pilot, lambda: pick_first in notes(pilot.app))
