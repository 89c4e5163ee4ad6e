"""A recall from import to the car's delivery, by keys at 80x24 (issue 20, item 3's done-when).

The maker's list names 赵敏's 粤D13579 (serviced here in May, no order open). The
advisor types the plate on the desk: the result row carries the campaign mark; Enter opens the
check-in, which names the recall on its red line; km and fuel save it, N (no new damage) passes
the walkaround; the estimate's strip offers the recall and C adds its work at the warranty pay
type (the maker pays); F9 signs. The workshop and QC are service calls (as tests/factories.py's
order_through does them); the car is then on the desk's ready list, Enter opens its delivery
checklist, the digits tick it and F9 delivers: the campaign is done here, with this order.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.i18n import set_language
from frontdesk.model import CampaignVehicle, Job, PartLine
from frontdesk.model.enums import JobStatus, OrderStatus, PayType, Role
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.services import campaign_import, checkin, search, workshop
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import order_through
from .cashier_helpers import order_row
from .desk_helpers import rows
from .reception import screen_name, settle
from .test_estimate_offers import strip_text
from .test_key_counts import SIGN_WITH_TERMS, Type, Wait, run_path

SIZE = (80, 24)
PLATE = "粤D13579"
CAR_VIN = "LSVAU0331N1357913"  # its check digit verifies: the import keeps it
CODE = "R2026-09"


@pytest.fixture
def recall(ui_services, ui_actors, desk_data, tmp_path: Path) -> None:
    """赵敏's 粤D13579, serviced in May (as tests/ui/test_key_counts.py's), and the maker's recall for it:
    new front pads (labour and the part), imported as the manager would."""
    adv = ui_actors[Role.ADVISOR]
    owner = checkin.save_customer(ui_services, adv, checkin.CustomerInput("赵敏", "13500001111")).id
    car = checkin.save_vehicle(ui_services, adv, owner, checkin.VehicleInput(
        plate=PLATE, vin=CAR_VIN, make="大众", model="朗逸", sale_date=dt.date(2024, 5, 1))).id
    now = ui_services.clock.now
    ui_services.clock.now = dt.datetime(2026, 5, 20, 9, 0)  # type: ignore[attr-defined]
    order_through(ui_services, ui_actors, desk_data.shop, car)  # 15 230 km, an oil service
    ui_services.clock.now = now  # type: ignore[attr-defined]
    path = tmp_path / "recall.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["campaign_code", "title", "kind", "vin", "labor_code", "part_number", "qty", "starts", "ends"])
        out.writerow([CODE, "刹车片召回", "recall", CAR_VIN, "BR0201", "5Q0698151", "1", "2026-11-01", ""])
    campaign_import.import_campaigns(ui_services, system_actor(ensure_store(ui_services)), path)


def campaign_car(services) -> CampaignVehicle:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(CampaignVehicle).where(CampaignVehicle.vin == CAR_VIN)).one()


def campaign_jobs(services, order_id: int) -> list[Job]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Job).where(Job.order_id == order_id, Job.description.like(f"{CODE} %"))))


def through_the_workshop(services, actors, shop, order_id: int) -> None:  # type: ignore[no-untyped-def]
    """Dispatched, done, checked by the technician, the team leader and QC; washed if the customer wanted it."""
    sup, tech, lead, qc = (actors[r] for r in (Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC))
    with services.db.reader() as s:
        job_ids = list(s.scalars(select(Job.id).where(Job.order_id == order_id, Job.status == JobStatus.APPROVED)))
    workshop.dispatch(services, sup, order_id, dict.fromkeys(job_ids, shop.tech_a))
    for job_id in job_ids:
        workshop.start_job(services, tech, job_id)
        workshop.finish_job(services, tech, job_id, unissued_reason="not_needed")  # parts not issued here
        workshop.self_check(services, tech, job_id)
        workshop.leader_check(services, lead, job_id)
        workshop.final_qc(services, qc, job_id, passed=True)
    if order_row(services, order_id).status == OrderStatus.IN_WORKSHOP:  # waits for its wash
        workshop.record_wash(services, qc, order_id)
    assert order_row(services, order_id).status == OrderStatus.READY


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_recall_from_the_desk_search_to_delivery(app_for, ui_services, ui_actors, desk_data, recall, lang):
    set_language(lang)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")

        # the desk search: the car's row carries the campaign mark
        await run_path(pilot, (Type(PLATE),))
        await settle(pilot, lambda: any(PLATE in r for r in rows(app, "search-results")))
        (row,) = rows(app, "search-results")
        assert row.startswith(f"{_('R')} {PLATE}"), row

        # Enter: the check-in names the recall on its red line
        await run_path(pilot, ("enter", Wait("CheckInScreen")))
        banner = app.screen.query_one("#checkin-campaign", Static)
        await settle(pilot, lambda: CODE in str(banner.render()))
        line = str(banner.render())
        assert banner.display and line == _("{kind}: {code} {title}").format(
            kind=_("Open recall"), code=CODE, title="刹车片召回")

        # km, fuel: saved; N: no new damage; the estimate offers the recall, C adds it at the warranty pay type
        await run_path(pilot, (Type("25100"), "enter", Type("6"), "enter", Wait("WalkaroundScreen"),
                               "n", Wait("EstimateScreen")))
        estimate = app.screen
        await settle(pilot, lambda: CODE in strip_text(estimate))
        [hit] = search.search(ui_services, PLATE)
        order_id = hit.order_id
        assert order_id is not None and campaign_jobs(ui_services, order_id) == []
        await pilot.press("c")
        await settle(pilot, lambda: bool(campaign_jobs(ui_services, order_id)) and CODE not in strip_text(estimate))
        jobs = campaign_jobs(ui_services, order_id)
        assert [j.pay_type for j in jobs] == [PayType.WARRANTY]
        with ui_services.db.reader() as s:
            parts = s.scalars(select(PartLine).where(PartLine.job_id.in_([j.id for j in jobs]))).all()
            assert [p.pay_type for p in parts] == [PayType.WARRANTY]
        car = campaign_car(ui_services)
        assert (car.status, car.order_id) == ("open", order_id)  # in the house with this order, not done yet

        # F9 signs (the terms first: how the customer pays); back on the desk
        await run_path(pilot, SIGN_WITH_TERMS)
        order = order_row(ui_services, order_id)
        assert order.status == OrderStatus.AUTHORISED and order.signed_by == "赵敏"

        through_the_workshop(ui_services, ui_actors, desk_data.shop, order_id)

        # the desk's ready list: Enter opens the delivery checklist; every item ticked by its digit; F9 delivers
        await pilot.press("escape", "f5")  # the search cleared, the lists read again
        await settle(pilot, lambda: any(PLATE in r for r in rows(app, "ready-table")))
        for _n in range(5):  # the search, then the lists in turn
            if app.focused is not None and app.focused.id == "ready-table":
                break
            await pilot.press("tab")
        assert app.focused.id == "ready-table"
        assert [PLATE in r for r in rows(app, "ready-table")] == [True]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, DeliveryScreen) and app.screen.view is not None)
        delivery = app.screen
        for table in ("internal", "walkthrough"):
            await settle(pilot, lambda table=table: app.focused is not None and app.focused.id == table)
            await pilot.press(*(str(n) for n in range(1, len(rows(app, table)) + 1)))
        await settle(pilot, lambda: delivery.view.complete)
        await pilot.press("f9")
        await settle(pilot, lambda: order_row(ui_services, order_id).status == OrderStatus.DELIVERED)

    car = campaign_car(ui_services)
    assert (car.status, car.order_id) == ("done_here", order_id)
