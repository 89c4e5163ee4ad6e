"""The workshop's handoffs (issue 18, items 3, 5, 10, 12), by the services, on both databases.

Approved extra work goes back to the technician who has the car and the job paused for the
answer says so; the approval's new promised time reaches the board; a job is not finished
with parts unissued without a reason; a technician runs one job at a time; every skill the
demo's teams name is a known, translated skill.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from importlib import resources

import pytest
from sqlalchemy import select

from frontdesk.i18n import translator
from frontdesk.labels import SKILL
from frontdesk.model import AuditEvent, ClockEvent, Job, PartLine, RepairOrder
from frontdesk.model.enums import JobStatus, PauseReason, Role, UnissuedPartsReason
from frontdesk.services import approvals, board, demo, workshop
from frontdesk.services import workshop_views as views
from frontdesk.services.common import read_order
from frontdesk.services.errors import ValidationError
from frontdesk.services.workshop_views import skills_of

from .factories import customer_and_vehicle, order_through, seed_shop, stored

J = JobStatus


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


@pytest.fixture
def in_workshop(services, actors, shop):
    """粤A12345 authorised: the oil service (two parts) to Technician A, the pads (one part) to Technician B."""
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="authorised")
    with services.db.reader() as s:
        jobs = {j.code: j.id for j in read_order(s, order.id).jobs if j.status == J.APPROVED}
    oil, pads = jobs["MT0101"], jobs["BR0201"]
    workshop.dispatch(services, actors[Role.SUPERVISOR], order.id, {oil: shop.tech_a, pads: shop.tech_b})
    return order.id, oil, pads


def _audits(services, job_id: int) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == "job", AuditEvent.entity_id == job_id)
                              .order_by(AuditEvent.id)))


def _clock_events(services, job_id: int) -> list[tuple[str, PauseReason | None]]:
    with services.db.reader() as s:
        return [(e.kind, e.reason) for e in s.scalars(select(ClockEvent).where(ClockEvent.job_id == job_id)
                                                       .order_by(ClockEvent.id))]


# Item 3: approved extra work goes back to the car ------------------------------------------------


def test_item3_approved_work_goes_to_the_technician_who_has_the_car(services, actors, shop, in_workshop, clock):
    order_id, oil, _pads = in_workshop
    tech, adv = actors[Role.TECHNICIAN], actors[Role.ADVISOR]
    workshop.start_job(services, tech, oil)
    clock.advance(minutes=30)
    extra = workshop.propose_additional(services, tech, order_id, description="更换空调滤清器", hours="0.5",
                                        pause_job_id=oil)
    assert stored(services, Job, oil).pause_reason == PauseReason.WAITING_APPROVAL
    clock.now = dt.datetime.combine(clock.now.date(), dt.time(10, 42))
    decided = workshop.record_decision(services, adv, extra.id, approved=True, decided_by="张伟")

    # No second dispatch: assigned to Technician A, who has the car (not B, nor the least busy).
    assert decided.status == J.ASSIGNED
    job = stored(services, Job, extra.id)
    assert (job.technician_id, job.team_id) == (shop.tech_a, shop.team)
    assert _audits(services, extra.id)[-1].after["technician_id"] == shop.tech_a
    # The supervisor's suggestion names the same technician, and says why.
    s = views.suggestions_for(services, actors[Role.SUPERVISOR], [extra.id])[extra.id]
    assert s is not None and (s.technician_id, s.has_the_car) == (shop.tech_a, True)

    # The paused job shows the answer and its time; resuming it records them.
    paused = stored(services, Job, oil)
    assert (paused.status, paused.pause_reason, paused.pause_reason_at) == (
        J.PAUSED, PauseReason.CUSTOMER_APPROVED, clock.now)
    (mine,) = [j for j in views.work_list(services, tech).jobs if j.id == oil]
    assert (mine.pause_reason, mine.pause_reason_at) == (PauseReason.CUSTOMER_APPROVED, clock.now)
    clock.advance(minutes=3)
    workshop.resume_job(services, tech, oil)
    assert _clock_events(services, oil)[-1] == ("resume", PauseReason.CUSTOMER_APPROVED)
    resumed = _audits(services, oil)[-1]
    assert resumed.after["reason"] == "customer_approved" and resumed.after["answered_at"].endswith("10:42:00")
    assert stored(services, Job, oil).pause_reason is None

    # The supervisor may still move it.
    workshop.reassign(services, actors[Role.SUPERVISOR], extra.id, shop.tech_b)
    assert stored(services, Job, extra.id).technician_id == shop.tech_b


def test_item3_a_declined_answer_lets_the_paused_job_go_on_too(services, actors, in_workshop, clock):
    order_id, oil, _pads = in_workshop
    tech = actors[Role.TECHNICIAN]
    workshop.start_job(services, tech, oil)
    extra = workshop.propose_additional(services, tech, order_id, description="更换雨刮", hours="0.2", pause_job_id=oil)
    clock.advance(minutes=12)
    workshop.record_decision(services, actors[Role.ADVISOR], extra.id, approved=False, decided_by="张伟")
    paused = stored(services, Job, oil)
    assert (paused.pause_reason, paused.pause_reason_at) == (PauseReason.CUSTOMER_DECLINED, clock.now)
    assert stored(services, Job, extra.id).status == J.DECLINED


def test_item3_with_nobody_at_the_car_the_work_waits_for_dispatch(services, actors, shop, in_workshop):
    order_id, _oil, _pads = in_workshop  # dispatched, nobody started: the team leader (no bench of his own) finds it
    extra = workshop.propose_additional(services, actors[Role.TEAM_LEADER], order_id, description="四轮定位",
                                        hours="1")
    decided = workshop.record_decision(services, actors[Role.ADVISOR], extra.id, approved=True, decided_by="张伟")
    assert decided.status == J.APPROVED and stored(services, Job, extra.id).technician_id is None


def test_item3_the_new_promised_time_from_the_added_hours_reaches_the_board(services, actors, in_workshop, clock):
    order_id, oil, _pads = in_workshop
    tech, adv = actors[Role.TECHNICIAN], actors[Role.ADVISOR]
    promised = stored(services, RepairOrder, order_id).promised_at
    assert promised == dt.datetime(2026, 11, 24, 13, 0)
    workshop.start_job(services, tech, oil)
    extra = workshop.propose_additional(services, tech, order_id, description="更换刹车盘", hours="1.5", pause_job_id=oil)
    workshop.record_decision(services, adv, extra.id, approved=True, decided_by="张伟")
    offered = approvals.promise_after_added_work(promised, clock.now, Decimal("1.5"))
    assert offered == dt.datetime(2026, 11, 24, 14, 30)
    approvals.report_slip(services, adv, order_id, promised_at=offered, told="张伟", note="增项已同意")
    snap = board.snapshot(services, board.store_id_for(services))
    (row,) = [r for r in snap.rows if r.order_id == order_id]
    assert row.promised_at == offered
    slip = [e for e in _order_audits(services, order_id) if e.action == "order.reschedule"][-1]
    assert slip.after["told"] == "张伟" and slip.before["promised_at"].endswith("13:00:00")


def test_item3_the_offer_counts_working_hours_from_now_once_the_promise_has_passed():
    now = dt.datetime(2026, 11, 24, 17, 10)
    assert approvals.promise_after_added_work(dt.datetime(2026, 11, 24, 16, 0), now, Decimal(1)) == (
        dt.datetime(2026, 11, 25, 9, 0))  # 50 minutes today, 10 tomorrow from 08:30, then the half hour
    assert approvals.promise_after_added_work(None, dt.datetime(2026, 11, 24, 9, 0), Decimal("0.5")) == (
        dt.datetime(2026, 11, 24, 9, 30))


def _order_audits(services, order_id: int) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.order_id == order_id).order_by(AuditEvent.id)))


# Item 5: parts before finish ------------------------------------------------------------------


def test_item5_finishing_with_parts_not_issued_needs_a_reason_which_is_kept(services, actors, in_workshop):
    _order_id, oil, _pads = in_workshop
    tech = actors[Role.TECHNICIAN]
    workshop.start_job(services, tech, oil)
    with pytest.raises(ValidationError) as refused:
        workshop.finish_job(services, tech, oil)
    assert refused.value.field == "unissued_reason" and "机油滤清器" in str(refused.value)
    with pytest.raises(ValidationError):
        workshop.finish_job(services, tech, oil, unissued_reason="forgot")
    assert stored(services, Job, oil).status == J.IN_PROGRESS  # nothing half-saved

    workshop.finish_job(services, tech, oil, unissued_reason=UnissuedPartsReason.CUSTOMER_SUPPLIED)
    job = stored(services, Job, oil)
    assert (job.status, job.unissued_parts_reason) == (J.FINISHED, UnissuedPartsReason.CUSTOMER_SUPPLIED)
    after = _audits(services, oil)[-1].after
    assert after["unissued_reason"] == "customer_supplied" and len(after["unissued_parts"]) == 2


def test_item5_with_every_part_issued_no_reason_is_asked(services, actors, in_workshop):
    _order_id, oil, _pads = in_workshop
    tech = actors[Role.TECHNICIAN]
    workshop.start_job(services, tech, oil)
    with services.db.reader() as s:
        lines = s.scalars(select(PartLine.id).where(PartLine.job_id == oil)).all()
    for line_id in lines:
        workshop.issue_parts(services, tech, line_id)
    workshop.finish_job(services, tech, oil)
    job = stored(services, Job, oil)
    assert (job.status, job.unissued_parts_reason) == (J.FINISHED, None)
    assert "unissued_reason" not in _audits(services, oil)[-1].after


# Item 10: one job at a time per technician -------------------------------------------------------


def test_item10_starting_a_job_pauses_the_technicians_running_one(services, actors, shop, in_workshop, clock):
    _order_id, oil, pads = in_workshop
    sup, tech = actors[Role.SUPERVISOR], actors[Role.TECHNICIAN]
    workshop.reassign(services, sup, pads, shop.tech_a)  # both jobs on Technician A's bench
    workshop.start_job(services, tech, oil)
    clock.advance(minutes=20)
    workshop.start_job(services, tech, pads)
    first = stored(services, Job, oil)
    assert (first.status, first.pause_reason, first.running_since, first.clocked_seconds) == (
        J.PAUSED, PauseReason.SWITCHED, None, 20 * 60)
    assert _clock_events(services, oil)[-1] == ("pause", PauseReason.SWITCHED)
    assert _audits(services, pads)[-1].after["paused_jobs"] == [oil]
    clock.advance(minutes=10)
    workshop.resume_job(services, tech, oil)  # back to the oil: the pads stop clocking
    second = stored(services, Job, pads)
    assert (second.status, second.pause_reason, second.clocked_seconds) == (J.PAUSED, PauseReason.SWITCHED, 10 * 60)
    with services.db.reader() as s:
        running = s.scalars(select(Job.id).where(Job.technician_id == shop.tech_a, Job.status == J.IN_PROGRESS)).all()
    assert running == [oil]
    clock.advance(minutes=15)
    assert sum(j.clocked_seconds for j in views.work_list(services, tech).jobs) == 45 * 60  # the hours really worked


def test_item10_another_technicians_job_keeps_running(services, actors, in_workshop):
    _order_id, oil, pads = in_workshop  # oil: Technician A, pads: Technician B
    tech = actors[Role.TECHNICIAN]
    workshop.start_job(services, tech, pads)
    workshop.start_job(services, tech, oil)
    assert stored(services, Job, pads).status == J.IN_PROGRESS and stored(services, Job, oil).status == J.IN_PROGRESS


def test_item10_the_dispatch_header_counts_what_the_list_shows(services, actors, in_workshop):
    board_view = views.dispatch_board(services, actors[Role.SUPERVISOR])
    assert len(board_view.orders) == 1 and not board_view.orders[0].unassigned  # listed, nothing left to assign


# Item 12: the demo's skills -----------------------------------------------------------------------


def _catalog_categories() -> set[str]:
    text = resources.files("frontdesk").joinpath("assets", "catalog", "labor_operations.csv").read_text("utf-8")
    return {row["category"] for row in csv.DictReader(io.StringIO(text))}


def test_item12_every_demo_team_skill_is_a_known_skill_with_a_translated_label():
    zh = translator("zh_CN")
    skills = set().union(*(skills_of(text) for _name, text in demo.TEAMS))
    assert "ac" not in skills and "air_conditioning" in skills
    unknown = skills - set(SKILL)
    assert not unknown, f"demo team skills without a label: {unknown}"
    untranslated = {code for code in skills if zh(SKILL[code]) == SKILL[code]}
    assert not untranslated, f"skill labels without a Chinese translation: {untranslated}"


def test_item12_every_category_of_the_demo_catalog_has_a_team():
    skills = set().union(*(skills_of(text) for _name, text in demo.TEAMS))
    categories = _catalog_categories()
    assert categories <= set(SKILL), categories - set(SKILL)
    assert categories <= skills, f"no team for {categories - skills}"
