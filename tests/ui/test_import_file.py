"""The import screen by keys: dry run with progress, commit only after a clean check, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.i18n import set_language
from frontdesk.model import LaborOperation, Part
from frontdesk.model.enums import Role
from frontdesk.screens.import_file import ImportFileScreen
from frontdesk.services import imports

from ..test_imports import BAD_HEADER, BAD_ROWS, write_csv
from .desk_helpers import notes, rows, type_text
from .test_estimate import settle


def count(services, model) -> int:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files typed by relative name (the working folder is the test's), so snapshots do not see tmp paths."""
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "parts.csv", ["配件编号", "配件名称", "单位", "单价", "库存", "库位"],
              [[f"P{i:05d}", f"机油滤清器{i}", "个", f"{10 + i % 90}.00", i % 7, "A-01"] for i in range(6000)],
              encoding="gbk")
    write_csv(tmp_path / "bad.csv", BAD_HEADER, BAD_ROWS)
    write_csv(tmp_path / "labor.csv", ["Code", "Name", "Hours"], [["MT0101", "更换机油机滤", "1.0"]])
    return tmp_path


async def open_import(pilot) -> ImportFileScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = ImportFileScreen()
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen)
    return screen


async def test_dry_run_then_import_with_progress(app_for, ui_services, files):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_import(pilot)
        shown: list[tuple[str, int, int]] = []
        real = screen._show_progress
        screen._show_progress = lambda *a: (shown.append(a), real(*a))  # type: ignore[method-assign]

        await pilot.press("f6")  # nothing checked yet: refused
        await settle(pilot)
        assert any("Check the file first" in n for n in notes(app))

        await type_text(pilot, "parts.csv")
        await pilot.press("enter")  # Enter in the file field runs the dry run
        await settle(pilot, lambda: screen.report is not None)
        assert screen.report.summary() == "6000 rows: 6000 to add, 0 to change, 0 unchanged, 0 rejected."
        assert "6000 to add" in str(screen.query_one("#im-summary").render())
        assert shown[0][0] == "Reading" and shown[-1] == ("Checking", 6000, 6000)
        assert rows(app, "im-rows")[0].startswith("2 P00000 To add")
        assert count(ui_services, Part) == 0

        shown.clear()
        await pilot.press("f6")
        await settle(pilot, lambda: screen.report is not None and screen.report.committed)
        assert shown[-1][0] == "Writing" and shown[-1][1] == shown[-1][2] >= 6000 and len(shown) < 200
        assert count(ui_services, Part) == 6000 and not screen.query_one("#im-progress").display
        assert "Imported 6000 rows: 6000 added" in str(screen.query_one("#im-summary").render())

        await pilot.press("d")  # D checks again too: all unchanged now
        await settle(pilot, lambda: not screen._busy and not screen.report.committed)
        assert screen.report.unchanged == 6000


async def test_rejected_rows_are_listed_and_block_the_import(app_for, ui_services, files):
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_import(pilot)
        await type_text(pilot, "bad.csv")
        await pilot.press("f5")
        await settle(pilot, lambda: screen.report is not None)
        listed = rows(app, "im-rows")
        assert listed[:2] == ["3 A-2 Rejected The price is missing.",
                              "4 A-3 Rejected Stock cannot be negative."]
        assert any(r.startswith("5 A-1 Rejected Part number A-1 is also on row 2.") for r in listed)
        await pilot.press("f6")
        await settle(pilot)
        assert any("Check the file first" in n for n in notes(app)) and count(ui_services, Part) == 0

        await pilot.press("l")  # labor, a new file: F3 back to the field
        await pilot.press("f3")
        field = screen.query_one("#path")
        field.value = ""
        await type_text(pilot, "labor.csv")
        await pilot.press("f5")
        await settle(pilot, lambda: screen.report is not None and screen.report.kind == "labor")
        await pilot.press("f6")
        await settle(pilot, lambda: screen.report.committed)
        assert count(ui_services, LaborOperation) == 1


async def test_export_a_catalog_into_the_paperwork_folder(app_for, ui_services, files):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await type_text(pilot, "parts.csv")
        await pilot.press("enter")
        await settle(pilot, lambda: screen.report is not None)
        await pilot.press("f6")
        await settle(pilot, lambda: screen.report.committed)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("2")  # the parts price list as CSV
        await settle(pilot, lambda: screen.last_export is not None)
        exported = Path(screen.last_export)
        assert exported.name == "parts.csv" and exported.parent == ui_services.settings.resolved_pdf_dir()
        admin = app.actor
        again = imports.dry_run(ui_services, admin, "parts", exported)
        assert again.unchanged == 6000 and again.ok


@pytest.mark.parametrize("lang,size", [("en", (80, 24)), ("en", (120, 36)), ("zh_CN", (80, 24)), ("zh_CN", (120, 36))],
                         ids=["en-80x24", "en-120x36", "zh-80x24", "zh-120x36"])
def test_import_snapshot(snap_compare, app_for, files, lang, size):
    set_language(lang)
    app = app_for(Role.ADMIN)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = await open_import(pilot)
        await type_text(pilot, "bad.csv")
        await pilot.press("f5")
        await settle(pilot, lambda: screen.report is not None)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)
