"""The receivables screen at 80×24 by keys: the grid, a payer kind chosen, a follow-up recorded (issue 21, item 5).

On 2026-11-24 the store is owed ¥905.00 by the maker since 08-01 (115 days: 90+) and
¥1 200.00 by 平安保险 since 10-20 (35 days: 31-60), whose due date 11-20 has passed: one
follow-up due. The cashier picks the insurers (2), presses F on the receivable, writes what
was done and the next action (11-30), and F6 records it: the follow-up is no longer due.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from textual.widgets import Static

from frontdesk.model import Receivable
from frontdesk.model.enums import PayerKind, PayType, Role
from frontdesk.services import checkin, ledger

from ..factories import customer_and_vehicle
from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle


def seen(screen, widget_id: str) -> str:  # type: ignore[no-untyped-def]
    """What a Static shows, as plain text at the screen's width."""
    console = Console(width=80, color_system=None)
    with console.capture() as capture:
        console.print(screen.query_one(f"#{widget_id}", Static).content)
    return capture.get()


async def test_the_grid_then_a_follow_up_on_an_insurer(app_for, ui_services, ui_actors) -> None:  # type: ignore[no-untyped-def]
    svc, adv, cash = ui_services, ui_actors[Role.ADVISOR], ui_actors[Role.CASHIER]
    _customer, vehicle = customer_and_vehicle(svc, adv)
    order = checkin.check_in(svc, adv, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=15230, fuel_eighths=4,
                                                            concerns="事故维修"))
    svc.clock.now = dt.datetime(2026, 8, 1, 9, 0)
    ledger.add_receivable(svc, cash, order.id, PayerKind.MAKER, "大众", "905.00", pay_type=PayType.WARRANTY)
    svc.clock.now = dt.datetime(2026, 10, 20, 9, 0)
    insurer = ledger.add_receivable(svc, cash, order.id, PayerKind.INSURER, "平安保险", "1200.00",
                                    pay_type=PayType.INSURANCE, due_on=dt.date(2026, 11, 20))
    svc.clock.now = dt.datetime(2026, 11, 24, 9, 0)

    app = app_for(Role.CASHIER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_destination("receivables")
        await settle(pilot, lambda: screen_name(app) == "ReceivablesScreen" and app.screen.data is not None)
        screen = app.screen
        grid = seen(screen, "rv-grid")
        maker = next(line for line in grid.splitlines() if line.lstrip().startswith("Maker"))
        assert maker.split()[1:] == ["—", "—", "—", "¥905.00", "¥905.00"]
        assert "¥1,200.00" in next(line for line in grid.splitlines() if "Insurers" in line)
        assert "¥2,105.00" in grid.splitlines()[-1]
        assert "Collection follow-ups due: 1" in seen(screen, "rv-status")
        assert len(rows(app, "rv-items")) == 2

        await pilot.press("2")
        await settle(pilot, lambda: len(rows(app, "rv-items")) == 1)
        assert "平安保险" in rows(app, "rv-items")[0] and "due 11-20" in rows(app, "rv-items")[0]
        await pilot.press("f")
        await settle(pilot, lambda: screen_name(app) == "CollectionNoteDialog")
        await type_text(pilot, "报案人说月底付")
        await pilot.press("enter")  # on to the date (Enter in the note used to record it without one)
        await type_text(pilot, "11-30")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and "Follow-up recorded." in notes(app))
        await settle(pilot, lambda: "No collection follow-up due" in seen(screen, "rv-status"))

    with svc.db.reader() as s:
        stored = s.get(Receivable, insurer.id)
        assert stored is not None
        assert stored.next_action_on == dt.date(2026, 11, 30)
        assert stored.note == "2026-11-24 Cashier Test: 报案人说月底付"
