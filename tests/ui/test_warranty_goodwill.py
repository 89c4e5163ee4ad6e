"""Goodwill (善意保修) split by the service manager on the claim's screen, by keys at 80x24 (issue 21, item 3).

The delivered warranty order (¥905.00 owed by the maker, no claim yet): the claims clerk
sees G dimmed (the manager's); the manager presses G, the dialog offers the whole share to
the maker; a split that does not add up is refused on one line and the dialog stays; 505 to
the maker, 200 to the customer, 200 borne by the dealer is approved. The claim then opened
(N) asks the maker's 505 and is marked goodwill, and G is dimmed, saying why. On the claims
list X writes the batch for the maker's portal into the paperwork folder (in Chinese: the
order column is the repair order's 工单号).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Goodwill, Receivable
from frontdesk.model.enums import PayerKind, Role
from frontdesk.services import warranty_claims
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import customer_and_vehicle, order_through, seed_shop
from .reception import screen_name, settle
from .test_key_counts import Type, Wait, run_path

SIZE = (80, 24)


@pytest.fixture
def warranty_order(ui_services, ui_actors) -> int:  # type: ignore[no-untyped-def]
    shop = seed_shop(ui_services, system_actor(ensure_store(ui_services)), ui_actors)
    _, vehicle = customer_and_vehicle(ui_services, ui_actors[Role.ADVISOR])
    return order_through(ui_services, ui_actors, shop, vehicle, stop="delivered").id


def _error(app, field: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#{field}-error").render())


async def test_the_manager_splits_a_goodwill_repair_before_the_claim_then_exports_it(
        app_for, ui_services, ui_actors, warranty_order) -> None:
    set_language("zh_CN")
    svc, order_id = ui_services, warranty_order
    app = app_for(Role.CLAIMS_CLERK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen")
        app.open_destination("warranty_claim", order_id=order_id)
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimScreen" and app.screen.read)
        assert app.screen.check_action("goodwill", ()) is False  # the manager's key, shown dimmed
        await pilot.press("g")
        assert screen_name(pilot) == "WarrantyClaimScreen"

    app = app_for(Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_destination("warranty_claim", order_id=order_id)
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimScreen" and app.screen.read)
        assert app.screen.check_action("goodwill", ()) is True
        await run_path(pilot, ("g", Wait("FormDialog")))
        assert app.screen.entered() == {"maker": "905.00", "customer": "0", "dealer": "0", "reason": ""}
        assert "905.00" in str(app.screen.query_one(".admin-form-note").render())
        await run_path(pilot, ("tab", "ctrl+u", Type("200"), "enter"))  # 905 + 200: refused beside the maker's share
        await settle(pilot, lambda: "1,105.00" in _error(app, "maker") or "1105.00" in _error(app, "maker"))
        assert screen_name(pilot) == "FormDialog"
        await run_path(pilot, ("shift+tab", "ctrl+u", Type("505"), "tab", "tab", "ctrl+u", Type("200"), "tab",
                               Type("老客户，过保两个月"), "enter", Wait("WarrantyClaimScreen")))
        await run_path(pilot, ("n",))
        await settle(pilot, lambda: app.screen.claim is not None)
        claim = app.screen.claim
        assert (claim.goodwill, claim.claimed) == (True, Decimal("505.00"))
        assert app.screen.check_action("goodwill", ()) is None
        assert claim.number in (app.screen.why_not("goodwill") or "")  # says why: the split is made
        await run_path(pilot, ("escape",))
        app.open_destination("warranty_claims")
        await settle(pilot, lambda: screen_name(pilot) == "WarrantyClaimsScreen" and app.screen.board is not None
                     and bool(app.screen.board.claims))
        notes = len(app._notifications)
        await run_path(pilot, ("x",))
        await settle(pilot, lambda: len(app._notifications) > notes)
        (xlsx,) = svc.settings.resolved_pdf_dir().glob("*.xlsx")
        assert str(xlsx) in str(list(app._notifications)[-1].message)  # says where it went
        (head, line, *_more) = load_workbook(xlsx).active.iter_rows(values_only=True)
        assert head[:2] == ("索赔单号", "工单号")  # the repair order, not 订货 (a purchase order)
        assert line[1] == claim.order_number and claim.number in line

    with svc.db.reader() as s:
        split = s.scalars(select(Goodwill)).one()
        billed = s.scalars(select(Receivable.amount).where(Receivable.order_id == order_id,
                                                           Receivable.payer_kind == PayerKind.CUSTOMER)).all()
    assert (split.maker_amount, split.customer_amount, split.dealer_amount) == (
        Decimal("505.00"), Decimal("200.00"), Decimal("200.00"))
    assert split.reason == "老客户，过保两个月" and Decimal("200.00") in billed
    assert warranty_claims.claim_for_order(svc, ui_actors[Role.CLAIMS_CLERK], order_id).goodwill
