"""The administrator's service packages (issue 19, item 1), by keys only at 80x24.

F2 opens the package form: the fields, F2 a labour operation and F3 a part through the
estimate's pickers, F4 the quantity (4 L of oil), F6 saves; Enter on the row edits it again
(the quantity changed and saved); Del withdraws it from the desk after asking. Each step is
read back from the services.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Input

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.admin_modals import FormDialog
from frontdesk.screens.catalog_picker import LaborOpPicker, PartPicker
from frontdesk.screens.confirm import ConfirmScreen
from frontdesk.screens.package_form import PackageForm
from frontdesk.screens.packages import PackagesScreen
from frontdesk.services import packages

from .test_estimate import settle

SIZE = (80, 24)


def stored(services, code: str) -> packages.PackageHit:  # type: ignore[no-untyped-def]
    found = [hit for hit in packages.all_packages(services) if hit.code == code]
    assert len(found) == 1, found
    return found[0]


async def type_into(pilot, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    await pilot.pause()


async def pick(pilot, picker_type: type, text: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, picker_type))
    await pilot.press(*text)
    await settle(pilot, lambda: bool(app.screen.hits) and app.screen.box.value == text)
    await pilot.pause(0.4)  # the type-ahead's pause, then the search for what was typed
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, (PackageForm, FormDialog)))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_admin_creates_edits_and_withdraws_a_package(app_for, ui_services, desk_data, lang):
    set_language(lang)
    app = app_for(Role.ADMIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("packages")
        await settle(pilot, lambda: isinstance(app.screen, PackagesScreen))
        screen = app.screen

        # F2: a new package, its fields, a labour line and a part line
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, PackageForm))
        form = app.screen
        headers = [str(column.label) for column in form.table.columns.values()]
        assert headers[2] == ("名称" if lang == "zh_CN" else "Description")  # was 姓名, a person's name
        await type_into(pilot, "#code", "by5k")
        await type_into(pilot, "#pkg-name", "5000公里保养")
        await type_into(pilot, "#make", "大众")
        await type_into(pilot, "#models", "朗逸、速腾")
        await type_into(pilot, "#interval_km", "5000")
        form.table.focus()
        await pilot.press("f2")
        await pick(pilot, LaborOpPicker, "MT0101")
        assert [(ln.code, ln.qty) for ln in form.lines] == [("MT0101", Decimal("1.00"))]
        await pilot.press("f3")
        await pick(pilot, PartPicker, "LQ-0001")
        # the quantity comes next: 4 L
        assert isinstance(app.screen, FormDialog)
        await type_into(pilot, "#qty", "4")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form)
        assert [(ln.code, ln.qty) for ln in form.lines] == [("MT0101", Decimal("1.00")), ("LQ-0001", Decimal(4))]
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen)
        saved = stored(ui_services, "BY5K")
        assert (saved.name, saved.make, saved.models, saved.interval_km, saved.active) == (
            "5000公里保养", "大众", "朗逸,速腾", 5000, True)
        assert [(v.kind, v.code, v.qty) for v in saved.lines] == [("labour", "MT0101", Decimal(1)),
                                                                   ("part", "LQ-0001", Decimal(4))]
        await settle(pilot, lambda: any(r.code == "BY5K" for r in screen.rows))

        # Enter on its row edits it: the oil becomes 4.5 L
        screen.table.focus()
        screen.table.move_to_key(f"k{saved.id}")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, PackageForm))
        form = app.screen
        form.table.focus()
        await pilot.press("down", "f4")
        await settle(pilot, lambda: isinstance(app.screen, FormDialog))
        await type_into(pilot, "#qty", "4.5")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form)
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen)
        assert [(v.code, v.qty) for v in stored(ui_services, "BY5K").lines] == [("MT0101", Decimal(1)),
                                                                                 ("LQ-0001", Decimal("4.5"))]

        # Del withdraws it, after asking
        await settle(pilot, lambda: screen.selected is not None and screen.selected.code == "BY5K")
        screen.table.focus()
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: not stored(ui_services, "BY5K").active)
        assert not packages.find_packages(ui_services, app.actor, "BY5K")  # the desk no longer finds it
        # at 80 columns the Active column is dropped: the detail line says so
        await settle(pilot, lambda: screen.selected is not None and not screen.selected.active)
        detail = str(screen.query_one("#pkg-detail").render())
        assert ("停用" if lang == "zh_CN" else "withdrawn") in detail


async def test_a_package_without_labour_is_refused_in_the_form(app_for, ui_services, desk_data):
    set_language("en")
    app = app_for(Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("packages")
        await settle(pilot, lambda: isinstance(app.screen, PackagesScreen))
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, PackageForm))
        form = app.screen
        await type_into(pilot, "#code", "X1")
        await type_into(pilot, "#pkg-name", "空套餐")
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen is form
        assert "labour" in str(form.query_one("#lines-error").render())
        assert not [h for h in packages.all_packages(ui_services) if h.code == "X1"]
        # Esc with what was typed asks first; yes leaves
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, PackagesScreen))


async def test_export_and_import_back_through_the_screen(app_for, ui_services, desk_data, tmp_path):
    """F8 writes the packages in the import's columns; I reads the file back (a dry run, then yes): nothing changes."""
    from dataclasses import replace

    from frontdesk.services.setup import ensure_store, system_actor

    set_language("en")
    ui_services.settings = replace(ui_services.settings, pdf_dir=str(tmp_path / "out"))
    admin = system_actor(ensure_store(ui_services))
    packages.save_package(ui_services, admin, packages.PackageInput(
        "BY10K", "1万公里保养", make="大众", interval_km=10000, lines=(("MT0101", None), ("LQ-0001", "4"))))
    app = app_for(Role.ADMIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("packages")
        await settle(pilot, lambda: isinstance(app.screen, PackagesScreen) and bool(app.screen.rows))
        screen = app.screen
        await pilot.press("f8")
        await settle(pilot, lambda: screen.last_export is not None)
        assert screen.last_export.endswith("packages.xlsx")
        screen.table.focus()
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, FormDialog))
        assert app.screen.query_one("#path", Input).value == screen.last_export  # the file just written
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is screen and any("Imported" in str(n.message) for n in app._notifications))
        assert any("1 unchanged" in str(n.message) or "unchanged" in str(n.message) for n in app._notifications)
        assert [(v.code, v.qty) for v in stored(ui_services, "BY10K").lines] == [("MT0101", Decimal(1)),
                                                                                 ("LQ-0001", Decimal(4))]
