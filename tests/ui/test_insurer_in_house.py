"""The insurance clerk follows an accident repair before its settlement, by keys at 80x24 (issue 21, item 2).

粤B67890's order is at the estimate, its pads billed to the insurer: no insurer receivable
yet, so the collection queue is empty, but the clerk's home lists it under the accident
repairs in the house (no record yet). Tab, Enter opens its accident record; once the record
names the insurer, the report number and the assessment, the list shows them.
"""

from __future__ import annotations

from frontdesk.model.enums import Role
from frontdesk.services import accidents
from frontdesk.services.accidents import AccidentInput

from .desk_helpers import rows
from .reception import screen_name, settle
from .test_accident_journey import accident_order  # noqa: F401  (the fixture)
from .test_key_counts import Wait, run_path

SIZE = (80, 24)


async def test_the_insurance_clerk_opens_an_accident_repair_still_in_the_workshop(
        app_for, ui_services, ui_actors, accident_order) -> None:  # noqa: F811
    app = app_for(Role.INSURANCE_CLERK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "InsurerCollectionScreen" and bool(rows(app, "ic-house")))
        assert rows(app, "ic-queue") == []
        (row,) = rows(app, "ic-house")
        assert "粤B67890" in row
        await run_path(pilot, ("tab",))
        assert "no accident record yet" in str(app.screen.query_one("#ic-detail").render())
        await run_path(pilot, ("enter", Wait("AccidentScreen")))
        assert app.screen._order_id == accident_order
        accidents.save_accident(ui_services, ui_actors[Role.INSURANCE_CLERK], accident_order,
                                AccidentInput("PICC", "RDAA202611240007", "李娜", assessed_amount="800.00"))
        await run_path(pilot, ("escape", Wait("InsurerCollectionScreen")))
        await settle(pilot, lambda: "RDAA2026112" in " ".join(rows(app, "ic-house")))  # clipped to its column
        (row,) = rows(app, "ic-house")
        assert "PICC" in row and "800.00" in row and "-8" in row  # no paper yet
