"""A warranty claim from the order to the maker's money, by keys at 80x24 (issue 21, item 3's done-when).

The claims clerk's home lists the delivered warranty order (front pads replaced under
warranty) as still to claim: Tab, Enter opens its claim from the order's warranty lines. E
goes into the fields, the technician's cause is typed, Enter through to the save, S submits.
The maker returns it (R, the reason); the clerk adds to the remedy and submits again (the
first revision is kept), the maker approves it (A, the amount claimed). O tags the replaced
pads for the old-parts ledger; there (L from the list) S ships them under a consignment
number. Back on the claims, P records the maker's transfer over the approved claim: the claim
reads paid.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.model import OldPart, Remittance
from frontdesk.model.enums import Role
from frontdesk.model.old_part import OldPartState
from frontdesk.model.warranty import ClaimState
from frontdesk.services import warranty_claims
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import customer_and_vehicle, order_through, seed_shop
from .reception import screen_name, settle

SIZE = (80, 24)


@pytest.fixture
def warranty_order(ui_services, ui_actors) -> int:  # type: ignore[no-untyped-def]
    """粤A12345's visit: front pads under warranty (and an oil service the customer paid), delivered."""
    shop = seed_shop(ui_services, system_actor(ensure_store(ui_services)), ui_actors)
    _, vehicle = customer_and_vehicle(ui_services, ui_actors[Role.ADVISOR])
    return order_through(ui_services, ui_actors, shop, vehicle, stop="delivered").id


async def _type(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for ch in text:
        await pilot.press(ch)


async def test_a_claim_returned_resubmitted_approved_paid_with_its_old_part_shipped(
        app_for, ui_services, ui_actors, warranty_order) -> None:
    svc, clerk = ui_services, ui_actors[Role.CLAIMS_CLERK]
    app = app_for(Role.CLAIMS_CLERK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen" and app.screen.board is not None)
        assert [o.order_id for o in app.screen.board.to_claim] == [warranty_order]
        await pilot.press("escape")  # the clerk's home stays (it used to pop to a blank terminal)
        await settle(pilot)
        assert screen_name(pilot) == "WarrantyClaimsScreen"
        await pilot.press("tab", "enter")  # the order to claim: its claim opens
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimScreen" and app.screen.claim is not None)
        claim = app.screen.claim
        assert claim.state == ClaimState.DRAFT and claim.parts

        await pilot.press("e", "tab")  # into the fields: the fault (the customer's words) is kept, on to the cause
        await _type(pilot, "刹车片材质缺陷")
        await pilot.press("enter", "enter", "enter", "enter")  # remedy, mileage, maker's no., saved
        await settle(pilot, lambda: app.screen.claim.cause == "刹车片材质缺陷")
        await pilot.press("s")
        await settle(pilot, lambda: app.screen.claim.state == ClaimState.SUBMITTED)

        await pilot.press("r")
        await _type(pilot, "照片不清晰")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.claim.state == ClaimState.RETURNED)
        assert "照片不清晰" in str(app.screen.query_one("#wc-history").render())

        await pilot.press("e", "tab", "tab", "end")  # the remedy, to add to it
        await _type(pilot, "，附新照片")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen.claim.remedy.endswith("附新照片"))
        await pilot.press("s")
        await settle(pilot, lambda: app.screen.claim.state == ClaimState.SUBMITTED)
        assert [r.version_no for r in app.screen.claim.revisions] == [1, 2]

        await pilot.press("a", "enter")  # approved for what was claimed
        await settle(pilot, lambda: app.screen.claim.state == ClaimState.APPROVED)

        await pilot.press("o")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await _type(pilot, "A-3")
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimScreen")
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen")

        await pilot.press("shift+tab", "l")  # the old-parts ledger: the pads on the shelf
        await settle(pilot, lambda: screen_name(pilot) == "OldPartsScreen" and bool(app.screen.rows))
        assert [r.location for r in app.screen.rows] == ["A-3"]
        await pilot.press("s")
        await _type(pilot, "SF1234567")
        await pilot.press("enter", "enter")  # field by field: the number, then the date (today) records
        await settle(pilot, lambda: screen_name(pilot) == "OldPartsScreen" and app.screen.rows
                     and app.screen.rows[0].state == "shipped")
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen")

        await pilot.press("p")  # the maker's transfer over the approved claim
        await settle(pilot, lambda: screen_name(pilot) == "FieldByFieldDialog")
        await _type(pilot, "MK202611")
        await pilot.press("enter", "enter")  # the reference, the day received (today), on to the amount
        assert screen_name(pilot) == "FieldByFieldDialog" and app.screen.focused.id == "amount"  # not recorded yet
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen" and app.screen.board is not None
                     and app.screen.board.claims[0].state == ClaimState.PAID)

    (row,) = warranty_claims.claims(svc, clerk)
    assert row.state == ClaimState.PAID and row.paid == row.approved == claim.claimed
    with svc.db.reader() as s:
        assert s.scalars(select(OldPart.state)).all() == [OldPartState.SHIPPED]
        assert s.scalars(select(Remittance.reference)).all() == ["MK202611"]


async def test_space_marks_a_run_of_old_parts_for_one_shipment(app_for, ui_services, ui_actors) -> None:
    """A box of parts goes back at once: Space marks and moves down, so Space, Space marks two."""
    from frontdesk.model import PartLine
    from frontdesk.model.enums import PayType
    from frontdesk.services import old_parts

    svc, clerk = ui_services, ui_actors[Role.CLAIMS_CLERK]
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    for plate, vin in (("粤A12345", "LSVAU0331N2000001"), ("粤B54321", "LSVAU0333N2000002")):
        _, vehicle = customer_and_vehicle(svc, ui_actors[Role.ADVISOR], plate=plate, vin=vin)
        order = order_through(svc, ui_actors, shop, vehicle, stop="delivered")
        with svc.db.reader() as s:
            line = s.scalars(select(PartLine.id).where(PartLine.order_id == order.id,
                                                       PartLine.pay_type == PayType.WARRANTY)).one()
        old_parts.tag_part(svc, clerk, order.id, line, "A-3")
    app = app_for(Role.CLAIMS_CLERK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen")
        app.open_destination("old_parts")
        await settle(pilot, lambda: screen_name(pilot) == "OldPartsScreen" and len(app.screen.rows) == 2)
        await pilot.press("space", "space", "s")
        await settle(pilot, lambda: screen_name(pilot) == "FieldByFieldDialog")
        await _type(pilot, "SF7654321")
        await pilot.press("enter", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "OldPartsScreen"
                     and all(r.state == OldPartState.SHIPPED for r in app.screen.rows))
