"""An accident repair from its report number to the insurer's payment, by keys at 80x24 (issue 21, item 2).

李娜's 粤B67890 came in after an accident; its estimate has the pads job billed to the
insurer. The advisor presses I on the estimate: the accident record, none yet; F4 opens its
form: insurer, report number, assessor, assessed amount; F2 adds a supplement, Space
ticks two papers, D records the papers delivered. The workshop, delivery and settlement are
service calls (tests/factories.py's steps): the settlement puts the insurance share on the
insurer the record names. The insurance clerk signs in to the collection queue, F notes a call, R records
the insurer's transfer applied to the claim, and the queue no longer lists it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Receivable
from frontdesk.model.enums import PayerKind, Role
from frontdesk.services import accidents, delivery, estimate, settlement
from frontdesk.services.accidents import DOCUMENTS

from ..factories import order_through
from .desk_helpers import rows
from .reception import screen_name, settle
from .test_campaign_journey import through_the_workshop
from .test_key_counts import Type, Wait, run_path

SIZE = (80, 24)
INSURER = "PICC"
REPORT = "RDAA202611240001"


@pytest.fixture
def accident_order(ui_services, ui_actors, desk_data, monkeypatch) -> int:  # type: ignore[no-untyped-def]
    """粤B67890's new order at the estimate, its pads job and part billed to the insurer."""
    def insured(fn):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            if kwargs.get("pay_type") == "warranty":
                kwargs["pay_type"] = "insurance"
            return fn(*args, **kwargs)
        return call

    with monkeypatch.context() as m:
        m.setattr(estimate, "add_job", insured(estimate.add_job))
        m.setattr(estimate, "add_part", insured(estimate.add_part))
        return order_through(ui_services, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤B67890"],
                             stop="estimate").id


def insurer_receivable(services, order_id: int) -> Receivable:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(Receivable).where(Receivable.order_id == order_id,
                                                  Receivable.payer_kind == PayerKind.INSURER)).one()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_an_accident_repair_from_report_number_to_insurer_paid(app_for, ui_services, ui_actors, desk_data,
                                                                     accident_order, lang):
    set_language(lang)
    svc, adv, order_id = ui_services, ui_actors[Role.ADVISOR], accident_order
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        app.open_destination("estimate", order_id=order_id)
        # I: the accident record, none yet; F4 opens its form
        await run_path(pilot, (Wait("EstimateScreen"), "i", Wait("AccidentScreen"), "f4", Wait("AccidentFormDialog")))
        # Enter goes field to field (typed ahead: saving after the report number lost the rest)
        await run_path(pilot, (Type(INSURER), "enter", Type(REPORT), "enter", "enter", Type("LiDS"), "enter",
                               Type("800"), "f6", Wait("AccidentScreen")))
        view = accidents.accident_for_order(svc, adv, order_id)
        assert view is not None and (view.insurer, view.report_no, view.assessor) == (INSURER, REPORT, "LiDS")
        assert view.insured_name == "李娜" and str(view.assessed_amount) == "800.00"
        # F2: a supplement of 150 dated today; Space ticks the first two papers; D: papers delivered
        await run_path(pilot, ("f2", Wait("SupplementDialog"), Type("150"), "f6", Wait("AccidentScreen")))
        await run_path(pilot, ("space", "down", "space"))
        await settle(pilot, lambda: accidents.accident_for_order(svc, adv, order_id).documents == DOCUMENTS[:2])
        await run_path(pilot, ("d", Wait("PapersDialog"), "f6", Wait("AccidentScreen")))
        await settle(pilot, lambda: "✔" in rows(app, "ac-documents")[0])
        view = accidents.accident_for_order(svc, adv, order_id)
        assert str(view.total_assessed) == "950.00" and view.papers_delivered_on == svc.clock().date()
        assert view.papers_delivered_by == adv.display_name
        record = str(app.screen.query_one("#ac-record").render())
        assert REPORT in record and "950.00" in record
        await run_path(pilot, ("escape", Wait("EstimateScreen")))

    # The customer signs, the workshop repairs, the car is delivered and settled (service calls).
    estimate.set_terms(svc, adv, order_id, payment_method="wechat", old_parts="take", wash=False,
                       promised_at=svc.clock() + dt.timedelta(hours=4))
    estimate.authorise(svc, adv, order_id, "李娜")
    through_the_workshop(svc, ui_actors, desk_data.shop, order_id)
    delivery.tick_internal(svc, ui_actors[Role.QC], order_id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(svc, adv, order_id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(svc, adv, order_id)
    settlement.prepare_settlement(svc, adv, order_id, settlement.SettlementInput(safety_ack_by="李娜"))
    owed = insurer_receivable(svc, order_id)
    assert owed.payer_name == INSURER and owed.amount > 0 and owed.closed_at is None

    # The insurance clerk's home is the collection queue: R records the insurer's transfer on the claim.
    app = app_for(Role.INSURANCE_CLERK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "InsurerCollectionScreen" and bool(rows(app, "ic-queue")))
        (row,) = rows(app, "ic-queue")
        assert "粤B67890" in row and INSURER in row
        await run_path(pilot, ("escape",))  # the clerk's home stays (it used to pop to a blank terminal)
        assert screen_name(pilot) == "InsurerCollectionScreen"
        # F: a follow-up call (recv's collection note): what was said and the next date
        await run_path(pilot, ("f", Wait("CollectionNoteDialog"), Type("papers in review"), "f6",
                               Wait("InsurerCollectionScreen")))
        await settle(pilot, lambda: "papers in review" in insurer_receivable(svc, order_id).note)
        await run_path(pilot, ("r", Wait("InsurerPaymentDialog"), "tab", Type("PICC-1201"), "f6",
                               Wait("InsurerCollectionScreen")))
        await settle(pilot, lambda: rows(app, "ic-queue") == [])
        paid = insurer_receivable(svc, order_id)
        assert paid.closed_at is not None and paid.paid == owed.amount
        view = accidents.accident_for_order(svc, adv, order_id)
        assert view.paid_amount == owed.amount and view.gap == view.total_assessed - owed.amount
        # G: the gap report lists the claim
        await run_path(pilot, ("g", Wait("GapReportScreen")))
        await settle(pilot, lambda: any(REPORT[:9] in r for r in rows(app, "gap-rows")))
        await run_path(pilot, ("escape", Wait("InsurerCollectionScreen")))
