"""The claims clerk's reads and the maker's payment over several claims (issue 21, item 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk.model.enums import Role
from frontdesk.model.warranty import ClaimState
from frontdesk.services import claim_desk, warranty_claims
from frontdesk.services.errors import ValidationError
from frontdesk.services.warranty_claims import ClaimInput

from .factories import customer_and_vehicle, order_through, seed_shop


def test_one_maker_transfer_pays_two_approved_claims_and_keeps_the_rest(services, admin, actors, clock):
    clerk = actors[Role.CLAIMS_CLERK]
    shop = seed_shop(services, admin, actors)
    orders = []
    for n, vin in enumerate(("LSVAU033612345678", "LSVAU0331N1357913")):
        _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR], plate=f"粤A1234{n}", vin=vin)
        orders.append(order_through(services, actors, shop, vehicle, stop="delivered").id)
    waiting = claim_desk.orders_to_claim(services, clerk)
    assert [o.order_id for o in waiting] == orders
    assert waiting[0].days_left == services.settings.warranty_claim_days

    claims = []
    for order_id in orders:
        ref = warranty_claims.create_claim(services, clerk, order_id)
        view = warranty_claims.claim_detail(services, clerk, ref.id)
        ref = warranty_claims.update_claim(services, clerk, ref.id, ClaimInput(
            fault=view.fault, mileage_km=view.mileage_km, cause="刹车片早期磨损", remedy=view.remedy,
            labour=view.labour, parts=view.parts), ref.version)
        ref = warranty_claims.submit(services, clerk, ref.id, ref.version)
        warranty_claims.record_approval(services, clerk, ref.id, view.claimed, expected_version=ref.version)
        claims.append(view)
    assert claim_desk.orders_to_claim(services, clerk) == []

    dues = claim_desk.maker_dues(services, clerk, [c.id for c in claims])
    owed = sum((d.due for d in dues), Decimal(0))
    assert [d.due for d in dues] == [c.claimed for c in claims] and dues[0].maker == "大众"
    today = clock().date()
    with pytest.raises(ValidationError):  # the ledger's rules hold: no transfer dated tomorrow
        claim_desk.record_maker_payment(services, clerk, [c.id for c in claims], maker="", reference="MK-1",
                                        received_on=today + dt.timedelta(days=1), amount=owed)
    paid = claim_desk.record_maker_payment(services, clerk, [c.id for c in claims], maker="", reference="MK-1",
                                           received_on=today, amount=owed + 10)
    assert (paid.applied, paid.unapplied) == (owed, Decimal("10.00"))
    assert [r.state for r in warranty_claims.claims(services, clerk)] == [ClaimState.PAID, ClaimState.PAID]
    assert claim_desk.maker_dues(services, clerk, [c.id for c in claims]) == []
