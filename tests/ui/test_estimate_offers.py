"""The estimate offers what the car is due for (issue 19, items 1 and 4), by keys only, at 80x24.

粤A12345 (大众 朗逸, 15 230 km, at the estimate with an oil service, brake pads and a declined
diagnosis) has no service package on record: the 10 000 km package made here for 大众 is
due. The strip above the lines names it and Y adds it whole — its labour as a job that
remembers the package, its parts on that job — as one change; K picks any package from the
catalog. A recall for the car's VIN is offered the same way, C adds its work at the
warranty pay type (the maker pays). Taken, an offer leaves the strip.
"""

from __future__ import annotations

import csv
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Static

from frontdesk.i18n import set_language
from frontdesk.model import Job, PartLine
from frontdesk.model.enums import PayType, Role
from frontdesk.screens.catalog_picker import PackagePicker
from frontdesk.screens.estimate import EstimateScreen
from frontdesk.services import campaign_import, catalog, packages
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.widgets.key_footer import KeyFooter, fit, footer_entries

from ..factories import VIN
from .test_estimate import open_estimate, settle

LANGS = pytest.mark.parametrize("lang", ["zh_CN", "en"])
SIZE = (80, 24)


@pytest.fixture
def service_package(ui_services, desk_data) -> int:
    """A 10 000 km service for every 大众: an inspection (0.8 h), 4 L of 0W-20 and an oil filter."""
    admin = system_actor(ensure_store(ui_services))
    catalog.save_labor_operation(ui_services, admin, catalog.LaborOpInput(
        "MT1001", "常规保养检查", "0.50", "Routine service inspection", "maintenance"))
    return packages.save_package(ui_services, admin, packages.PackageInput(
        "BY10K", "1万公里保养", "10 000 km service", make="大众", interval_km=10000, interval_months=12,
        lines=(("MT1001", "0.8"), ("LQ-0001", "4"), ("06L115562B", "1")))).id


@pytest.fixture
def recall(ui_services, desk_data, tmp_path: Path) -> None:
    """A recall for 粤A12345's VIN: a diagnosis and an oil filter."""
    path = tmp_path / "recall.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["campaign_code", "title", "kind", "vin", "labor_code", "part_number", "qty", "starts", "ends"])
        out.writerow(["R2026-07", "机滤召回", "recall", VIN, "DG0101", "06L115562B", "1", "2026-11-01", "2027-06-30"])
    campaign_import.import_campaigns(ui_services, system_actor(ensure_store(ui_services)), path)


def strip(screen: EstimateScreen) -> Static:
    return screen.query_one("#est-offers", Static)


def strip_text(screen: EstimateScreen) -> str:
    return str(strip(screen).render()) if strip(screen).display else ""


def footer_keys(screen: EstimateScreen) -> list[str]:
    width = screen.query_one(KeyFooter).size.width
    return [entry.key for entry in fit(footer_entries(screen), width)]


def package_jobs(services, order_id: int, package_id: int) -> list[Job]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Job).where(Job.order_id == order_id, Job.package_id == package_id)))


def parts_on(services, job_ids: list[int]) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    from frontdesk.model import Part

    with services.db.reader() as s:
        rows = s.execute(select(Part.number, PartLine.qty).join(Part, Part.id == PartLine.part_id)
                         .where(PartLine.job_id.in_(job_ids))).all()
    return {number: qty for number, qty in rows}


@LANGS
async def test_the_due_package_is_offered_and_taken_with_one_key(app_for, ui_services, desk_data, service_package,
                                                                 lang):
    set_language(lang)
    order_id = desk_data.estimate_order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_estimate(pilot, order_id)
        await settle(pilot, lambda: "BY10K" in strip_text(screen) or "1万公里保养" in strip_text(screen))
        shown = strip_text(screen)
        assert "1万公里保养" in shown and "Y " in shown
        assert strip(screen).region.height <= 2 and strip(screen).region.width <= 80
        assert "y" in footer_keys(screen), footer_keys(screen)  # the key is in the footer while offered
        lines_before = screen.query_one("#lines").row_count

        await pilot.press("y")
        await settle(pilot, lambda: bool(package_jobs(ui_services, order_id, service_package)))
        await settle(pilot, lambda: screen.query_one("#lines").row_count == lines_before + 3)
        jobs = package_jobs(ui_services, order_id, service_package)
        assert [(j.description, j.hours) for j in jobs] == [("常规保养检查", Decimal("0.80"))]
        assert parts_on(ui_services, [j.id for j in jobs]) == {"LQ-0001": Decimal(4), "06L115562B": Decimal(1)}
        assert "1万公里保养" not in strip_text(screen)  # taken: it leaves the strip
        assert "y" not in footer_keys(screen)
        assert screen._table.cursor_key == f"j{jobs[0].id}"  # on the new job: its lines edit like any other

        said = len(app._notifications)
        await pilot.press("y")  # nothing left to take: it says why
        await settle(pilot)
        assert len(app._notifications) > said
        assert len(package_jobs(ui_services, order_id, service_package)) == 1


@LANGS
async def test_k_picks_a_package_for_the_car(app_for, ui_services, desk_data, service_package, lang):
    set_language(lang)
    order_id = desk_data.estimate_order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_estimate(pilot, order_id)
        await pilot.press("k")
        await settle(pilot, lambda: isinstance(app.screen, PackagePicker) and bool(app.screen.hits))
        picker = app.screen
        assert [h.code for h in picker.hits] == ["BY10K"]
        detail = str(picker.query_one("#picker-detail", Static).render())
        assert "常规保养检查" in detail and "0W-20" in detail  # what it adds, before it is chosen
        await pilot.press(*"by", "enter")
        await settle(pilot, lambda: app.screen is screen and bool(package_jobs(ui_services, order_id, service_package)))
        jobs = package_jobs(ui_services, order_id, service_package)
        assert len(jobs) == 1
        assert parts_on(ui_services, [jobs[0].id]) == {"LQ-0001": Decimal(4), "06L115562B": Decimal(1)}
        await settle(pilot, lambda: "1万公里保养" not in strip_text(screen))  # the due one was this one


@LANGS
async def test_an_open_campaign_is_added_at_the_warranty_pay_type(app_for, ui_services, desk_data, recall, lang):
    set_language(lang)
    order_id = desk_data.estimate_order_id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_estimate(pilot, order_id)
        await settle(pilot, lambda: "R2026-07" in strip_text(screen))
        assert " C " in strip_text(screen)
        assert "c" in footer_keys(screen)
        await pilot.press("c")
        await settle(pilot, lambda: "R2026-07" not in strip_text(screen))

        def campaign_jobs() -> list[Job]:
            with ui_services.db.reader() as s:
                return list(s.scalars(select(Job).where(Job.order_id == order_id, Job.description.like("R2026-07 %"))))

        await settle(pilot, lambda: bool(campaign_jobs()))
        jobs = campaign_jobs()
        assert [j.pay_type for j in jobs] == [PayType.WARRANTY]
        with ui_services.db.reader() as s:
            parts = s.scalars(select(PartLine).where(PartLine.job_id == jobs[0].id)).all()
            assert [p.pay_type for p in parts] == [PayType.WARRANTY]
        await settle(pilot, lambda: f"j{jobs[0].id}" in [str(k.value) for k in screen._table.rows])
        assert "c" not in footer_keys(screen)

        # opened again, the campaign on this order is not offered a second time
        app.pop_screen()
        screen = await open_estimate(pilot, order_id)
        await settle(pilot, lambda: bool(strip_text(screen)))  # the open recommendation shows
        await pilot.pause(0.3)
        await settle(pilot)
        assert "R2026-07" not in strip_text(screen)


async def test_the_strip_counts_open_recommendations_and_stays_off_without_offers(app_for, desk_data):
    set_language("en")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_estimate(pilot, desk_data.estimate_order_id)
        await settle(pilot, lambda: bool(strip_text(screen)))
        shown = strip_text(screen)
        assert "Recommendations open: 1" in shown and " H " in shown  # the diagnosis declined at the desk
        assert " Y " not in shown and " C " not in shown
        said = len(app._notifications)
        await pilot.press("y")
        await settle(pilot)
        assert any("No service package is due" in str(n.message) for n in list(app._notifications)[said:])
        await pilot.press("c")
        await settle(pilot)
        assert any("no open recall" in str(n.message) for n in list(app._notifications)[said:])


async def test_the_order_is_shown_before_the_offers_are_read(app_for, ui_services, desk_data, service_package,
                                                             monkeypatch):
    """The offers are read in a worker of their own: a slow read never holds the order back."""
    from frontdesk.screens.estimate import reading
    from frontdesk.screens.estimate import screen as estimate_screen

    set_language("en")
    release = threading.Event()

    def slow_offers(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(20)
        return reading.load_offers(*args, **kwargs)

    monkeypatch.setattr(estimate_screen, "load_offers", slow_offers)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = EstimateScreen(order_id=desk_data.estimate_order_id)
        app.push_screen(screen)
        for _ in range(100):  # not settle(): the offers' worker is still waiting
            await pilot.pause(0.05)
            if screen.query_one("#lines").row_count:
                break
        assert screen.query_one("#lines").row_count == 6  # the order is on show
        assert "1万公里保养" not in strip_text(screen)
        release.set()
        await settle(pilot, lambda: "1万公里保养" in strip_text(screen))
