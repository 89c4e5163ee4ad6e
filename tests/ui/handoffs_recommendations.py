"""Issue 18, item 2 — recommendations have one home, at 80×24 (merged into test_handoffs.py by the lead).

The car (tests/ui/cashier_helpers.py ``ready``): 粤A12345 for 张伟, every job through QC, a
safety-related diagnosis declined at the estimate. The team leader records his 维修建议 on
the checks screen (N); at delivery the advisor goes through the recommendations with the
customer (R) and the customer declines it (D), acknowledging it as safety-related; it prints
on the settlement statement (本次暂不维修的建议项目) and comes back on the next visit's
estimate history, where Enter takes it up as a line.
"""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Job, Recommendation
from frontdesk.model.enums import JobOrigin, JobStatus, PaymentMethod, Role
from frontdesk.model.recommendation import RecommendationStatus, RecommendationStep
from frontdesk.screens.checks import ChecksScreen
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.screens.follow_up_call import RecordCallDialog
from frontdesk.services import aftercare_views, checkin, documents, settlement, workshop
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.widgets.list_table import ListTable

from ..factories import customer_and_vehicle, order_through, seed_shop
from ..paperwork.pdfcheck import page_texts, squash
from .cashier_helpers import deliver_all, open_screen, ready_fixture, settle  # noqa: F401  (a fixture)
from .desk_helpers import notes, type_text
from .test_estimate import open_estimate

SIZE = (80, 24)
ADVICE = "后刹车片剩3mm建议更换"


def _f_recs(services, order_id: int) -> list[Recommendation]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Recommendation).where(Recommendation.order_id == order_id)
                              .order_by(Recommendation.id)))


def _f_screen(pilot) -> str:  # type: ignore[no-untyped-def]
    return type(pilot.app.screen).__name__


async def test_item2_a_leaders_recommendation_declined_at_delivery_printed_and_offered_next_visit(
        app_for, ui_services, ui_actors, ready, tmp_path):
    svc, order_id = ui_services, ready.order_id

    # The team leader, at the checks screen: the ready car, N, what and why, safety-related, F6 -------------
    async with app_for(Role.TEAM_LEADER).run_test(size=SIZE) as pilot:
        checks = ChecksScreen()
        await open_screen(pilot, checks, lambda: checks._queue is not None)
        checks.query_one("#check-cars", ListTable).focus()
        await pilot.press("n")
        await settle(pilot, lambda: _f_screen(pilot) == "RecommendDialog")
        await type_text(pilot, ADVICE)
        await pilot.press("tab")
        await type_text(pilot, "3mm")
        await pilot.press("tab", "tab", "space")  # past the price: safety-related
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is checks)
        assert any("Recommended: " + ADVICE in n for n in notes(pilot.app))
    leader = _f_recs(svc, order_id)[-1]
    assert (leader.description, leader.reason, leader.safety, leader.step, leader.status, leader.found_by_id) == (
        ADVICE, "3mm", True, RecommendationStep.LEADER_CHECK, RecommendationStatus.OPEN,
        ui_actors[Role.TEAM_LEADER].user_id)

    # The advisor, at delivery: R lists the visit's recommendations; the customer declines the leader's (D) --
    async with app_for(Role.ADVISOR).run_test(size=SIZE) as pilot:
        delivery_screen = DeliveryScreen(order_id)
        await open_screen(pilot, delivery_screen, lambda: delivery_screen.view is not None)
        assert ADVICE in delivery_screen.view.declined  # still to go through with the customer
        await pilot.press("r")
        await settle(pilot, lambda: _f_screen(pilot) == "RecommendationsDialog"
                     and pilot.app.screen.query_one(ListTable).row_count == 2)
        review = pilot.app.screen
        table = review.query_one(ListTable)
        assert "故障诊断" in " ".join(map(str, table.get_row_at(0)))  # declined at the estimate already
        await pilot.press("down")
        assert review.selected is not None and review.selected.description == ADVICE
        assert "Team_Leader Test" in str(review.query_one("#recs-detail").render())
        await pilot.press("d")
        await settle(pilot, lambda: _f_screen(pilot) == "DecideDialog")
        assert "acknowledges the risk" in str(pilot.app.screen.query_one("#decide-safety").render())
        await pilot.press("enter")  # the customer's name is there already: 张伟
        await settle(pilot, lambda: pilot.app.screen is review and review.selected is not None
                     and review.selected.status == RecommendationStatus.DECLINED)
        await pilot.press("escape")
        await settle(pilot, lambda: pilot.app.screen is delivery_screen)
    leader = _f_recs(svc, order_id)[-1]
    assert (leader.status, leader.decided_by, leader.acknowledged_by) == (RecommendationStatus.DECLINED, "张伟", "张伟")

    # Handed over and settled: the statement lists it under 本次暂不维修的建议项目, with who found it --------------
    deliver_all(svc, ui_actors, order_id)
    adv = ui_actors[Role.ADVISOR]
    settlement.prepare_settlement(svc, adv, order_id, settlement.SettlementInput(safety_ack_by="张伟"))
    settlement.take_payment(svc, ui_actors[Role.CASHIER], order_id, PaymentMethod.WECHAT, "630.00")
    number = documents.build(svc, "settlement", order_id=order_id).order_no
    set_language("zh_CN")
    try:
        printed = documents.print_document(svc, "settlement", number, out_dir=tmp_path, lang="zh_CN")
    finally:
        set_language("en")
    text = squash("".join(page_texts(printed.path)))
    assert "本次暂不维修的建议项目" in text and ADVICE in text and "故障诊断" in text
    assert squash("发现人：Team_Leader Test") in text
    settlement.issue_gate_pass(svc, ui_actors[Role.CASHIER], order_id)

    # The follow-up call a few days on: the caller sees what was left undone, to offer again --------------
    svc.clock.advance(days=4)  # type: ignore[attr-defined]
    (call,) = aftercare_views.follow_up_queue(svc, adv, find="粤A12345").found
    async with app_for(Role.ADVISOR).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = RecordCallDialog.for_row(call)
        pilot.app.push_screen(dialog)
        await settle(pilot, lambda: "offer again" in str(dialog.query_one("#call-summary").render()))
        assert ADVICE in str(dialog.query_one("#call-summary").render())

    # The next visit: the estimate's history offers it, who found it beside it; Enter takes it up --------------
    svc.clock.advance(days=90)  # type: ignore[attr-defined]
    again = checkin.check_in(svc, adv, checkin.CheckInInput(
        vehicle_id=ready.vehicle_id, odometer_km=21000, fuel_eighths=4, concerns="保养"))
    async with app_for(Role.ADVISOR).run_test(size=SIZE) as pilot:
        estimate_screen = await open_estimate(pilot, again.id)
        await pilot.press("h")
        await settle(pilot)
        recs = estimate_screen.query_one("#recommendations", ListTable)
        shown = {str(recs.get_row_at(n)[1]): n for n in range(recs.row_count)}
        assert any(ADVICE[:8] in cell for cell in shown)
        row = next(n for cell, n in shown.items() if ADVICE[:8] in cell)
        while recs.cursor_row != row:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, lambda: any(r.status == RecommendationStatus.ACCEPTED for r in _f_recs(svc, order_id)))
    leader = _f_recs(svc, order_id)[-1]
    with svc.db.reader() as s:
        job = s.get(Job, leader.job_id)
        assert (job.order_id, job.description, job.origin, job.status, job.safety) == (
            again.id, ADVICE, JobOrigin.RECOMMENDED, JobStatus.PROPOSED, True)


async def test_item2_the_technician_records_one_from_the_bench_without_stopping_the_job(app_for, ui_services, ui_actors):
    svc = ui_services
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    _c, vehicle_id = customer_and_vehicle(svc, ui_actors[Role.ADVISOR])
    order = order_through(svc, ui_actors, shop, vehicle_id, stop="authorised")
    with svc.db.reader() as s:
        oil = s.scalar(select(Job.id).where(Job.order_id == order.id, Job.code == "MT0101"))
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order.id, {oil: shop.tech_a})
    workshop.start_job(svc, ui_actors[Role.TECHNICIAN], oil)

    async with app_for(Role.TECHNICIAN).run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: _f_screen(pilot) == "TechnicianScreen" and pilot.app.screen._list is not None)
        bench = pilot.app.screen
        await pilot.press("n")
        await settle(pilot, lambda: _f_screen(pilot) == "RecommendDialog")
        await pilot.press("f6")  # nothing typed: refused beside the field, the dialog stays
        await settle(pilot)
        assert "Say what should be done" in str(pilot.app.screen.query_one("#description-error").render())
        await type_text(pilot, "雨刮片老化")
        await pilot.press("tab", "tab")
        await type_text(pilot, "45")
        await pilot.press("enter")
        await settle(pilot, lambda: pilot.app.screen is bench)
    (rec,) = [r for r in _f_recs(svc, order.id) if r.step == RecommendationStep.WORKSHOP]
    assert (rec.description, str(rec.price), rec.safety, rec.found_by_id) == (
        "雨刮片老化", "45.00", False, ui_actors[Role.TECHNICIAN].user_id)
    with svc.db.reader() as s:
        assert s.get(Job, oil).status == JobStatus.IN_PROGRESS  # the work goes on
