"""Campaigns at 80×24 (issue 20, item 3): flagged at the desk search, their progress, a car closed as not applicable."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.model import CampaignVehicle
from frontdesk.model.enums import Role
from frontdesk.services import campaign_import
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.services.validation import with_check_digit

from ..factories import VIN
from .desk_helpers import notes, rows, screen_name, type_text
from .reception import settle

SIZE = (80, 24)
LATER_VIN = with_check_digit("LFV2A21K0H3000001")


@pytest.fixture
def campaign(ui_services, desk_data, tmp_path: Path) -> None:
    path = tmp_path / "recall.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["campaign_code", "title", "kind", "vin", "labor_code", "part_number", "qty", "starts", "ends"])
        for vin in (VIN, LATER_VIN):
            out.writerow(["R2026-01", "刹车片召回", "recall", vin, "BR0201", "5Q0698151", "1", "2026-11-01", ""])
    campaign_import.import_campaigns(ui_services, system_actor(ensure_store(ui_services)), path)


async def test_the_desk_search_flags_a_car_with_an_open_campaign(app_for, campaign):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "粤a12")
        await settle(pilot, lambda: len(rows(app, "search-results")) == 1)
        (row,) = rows(app, "search-results")
        assert row.startswith("R 粤A12345")
        await pilot.press("escape")  # clears the box
        await type_text(pilot, "粤b67")
        await settle(pilot, lambda: any("粤B67890" in r for r in rows(app, "search-results")))
        other = next(r for r in rows(app, "search-results") if "粤B67890" in r)
        assert other.startswith("粤B67890")  # no campaign for that car: no mark


async def test_progress_and_closing_a_car_as_not_applicable(app_for, ui_services, campaign):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("campaigns")
        await settle(pilot, lambda: screen_name(app) == "CampaignsScreen" and rows(app, "cp-campaigns"))
        (row,) = rows(app, "cp-campaigns")
        assert "R2026-01" in row and "Recall" in row
        cells = app.screen.query_one("#cp-campaigns").get_row_at(0)
        assert [str(c) for c in cells[3:7]] == ["2", "0", "2", "1"]  # listed, done, open, in the house (粤A12345)
        await pilot.press("enter")
        await settle(pilot, lambda: len(rows(app, "cp-cars")) == 2)
        assert app.focused.id == "cp-cars"
        cars = rows(app, "cp-cars")
        later = next(i for i, r in enumerate(cars) if LATER_VIN in r)
        for _ in range(later):
            await pilot.press("down")
        await pilot.press("n")
        await settle(pilot, lambda: screen_name(app) == "CloseCampaignDialog")
        await pilot.press("f6")  # no reason: refused beside the field
        await settle(pilot)
        assert screen_name(app) == "CloseCampaignDialog"
        await type_text(pilot, "车辆已报废")
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "CampaignsScreen"
                     and any("Not applicable" in r for r in rows(app, "cp-cars")))
        assert any("Closed" in n for n in notes(app))
        with ui_services.db.reader() as s:
            car = s.scalars(select(CampaignVehicle).where(CampaignVehicle.vin == LATER_VIN)).one()
        assert (car.status, car.reason, car.closed_by_id) == ("not_applicable", "车辆已报废", app.actor.user_id)
        cells = app.screen.query_one("#cp-campaigns").get_row_at(0)
        assert [str(c) for c in cells[3:6]] == ["2", "0", "1"]


async def test_the_call_list_and_its_export(app_for, ui_services, campaign, tmp_path, monkeypatch):
    from dataclasses import replace

    ui_services.settings = replace(ui_services.settings, pdf_dir=str(tmp_path / "pdf"))
    app = app_for(Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("campaigns")
        await settle(pilot, lambda: screen_name(app) == "CampaignsScreen" and rows(app, "cp-campaigns"))
        await pilot.press("l")  # the call list: 粤A12345 is in the house, the other car is unknown
        await settle(pilot, lambda: "Call list" in str(app.screen.query_one("#cp-cars").border_title))
        assert rows(app, "cp-cars") == []
        await pilot.press("x")
        await settle(pilot, lambda: any("Call list saved" in n for n in notes(app)))
        assert (tmp_path / "pdf" / "campaign_R2026-01_calls.xlsx").exists()
