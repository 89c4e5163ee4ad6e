"""Dispatch: priority on assignment, the suggestion (skill, then fewest booked hours), the load,
the technician's own jobs with clocked time, efficiency; refusals and conflicts. Both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, Job
from frontdesk.model.enums import JobPriority, JobStatus, OrderStatus, PauseReason, Role
from frontdesk.services import catalog, staff, workshop
from frontdesk.services import workshop_views as views
from frontdesk.services.common import read_order
from frontdesk.services.errors import ConflictError, IllegalTransition, PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop, stored


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


@pytest.fixture
def authorised(services, actors, shop):
    """An authorised order: oil service (maintenance, 1 h) and front pads (brakes, 1.5 h)."""
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="authorised")
    with services.db.reader() as s:
        o = read_order(s, order.id)
        jobs = {j.code: j.id for j in o.jobs if j.status == JobStatus.APPROVED}
    return order.id, jobs["MT0101"], jobs["BR0201"]


@pytest.fixture
def electrician(services, admin):
    """A second team that does electrical work only, with one technician."""
    team = staff.save_team(services, admin, "电工组", skills="electrical")
    return staff.save_technician(services, admin, "Technician C", team.id).id


def _job(services, job_id: int) -> Job:
    with services.db.reader() as s:
        return s.get(Job, job_id)


def _audits(services, entity: str, entity_id: int) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                              .order_by(AuditEvent.id)))


# Priority --------------------------------------------------------------------------------------------


def test_dispatch_sets_priority_per_job_and_audits_it(services, actors, shop, authorised):
    order_id, oil, pads = authorised
    sup = actors[Role.SUPERVISOR]
    workshop.dispatch(services, sup, order_id, {oil: shop.tech_a, pads: shop.tech_b}, priority={oil: "rush"})
    assert _job(services, oil).priority == JobPriority.RUSH
    assert _job(services, pads).priority == JobPriority.NORMAL
    after = _audits(services, "repair_order", order_id)[-1].after
    assert after["priority"] == {str(oil): "rush", str(pads): "normal"}
    assert after["assigned"] == {str(oil): shop.tech_a, str(pads): shop.tech_b}


def test_one_priority_for_the_whole_order(services, actors, shop, authorised):
    order_id, oil, pads = authorised
    workshop.dispatch(services, actors[Role.SUPERVISOR], order_id, {oil: shop.tech_a, pads: shop.tech_a},
                      priority=JobPriority.URGENT)
    assert {_job(services, j).priority for j in (oil, pads)} == {JobPriority.URGENT}


def test_an_unknown_priority_is_refused_and_nothing_is_saved(services, actors, shop, authorised):
    order_id, oil, _pads = authorised
    with pytest.raises(ValidationError) as err:
        workshop.dispatch(services, actors[Role.SUPERVISOR], order_id, {oil: shop.tech_a}, priority="asap")
    assert err.value.field == "priority"
    job = _job(services, oil)
    assert job.status == JobStatus.APPROVED and job.technician_id is None
    with services.db.reader() as s:
        assert s.get(type(read_order(s, order_id)), order_id).status == OrderStatus.AUTHORISED


def test_reassign_moves_the_job_and_changes_its_priority(services, actors, shop, authorised):
    order_id, oil, _pads = authorised
    sup = actors[Role.SUPERVISOR]
    workshop.dispatch(services, sup, order_id, {oil: shop.tech_a})
    workshop.reassign(services, sup, oil, shop.tech_b, priority="urgent")
    job = stored(services, Job, oil)
    assert job.technician_id == shop.tech_b and job.priority == JobPriority.URGENT and job.team_id == shop.team
    audit = _audits(services, "job", oil)[-1]
    assert audit.action == "job.assign"
    assert audit.before == {"technician_id": shop.tech_a, "priority": "normal"}
    assert audit.after == {"technician_id": shop.tech_b, "priority": "urgent"}
    # The team leader may move work in the team too; a running job cannot move.
    workshop.reassign(services, actors[Role.TEAM_LEADER], oil, shop.tech_a)
    workshop.start_job(services, actors[Role.TECHNICIAN], oil)
    with pytest.raises(IllegalTransition):
        workshop.reassign(services, sup, oil, shop.tech_b)


# Refusals and conflicts -------------------------------------------------------------------------------


def test_roles_that_may_not_dispatch_are_refused(services, actors, shop, authorised):
    order_id, oil, _pads = authorised
    for role in (Role.TECHNICIAN, Role.ADVISOR, Role.TEAM_LEADER, Role.QC):
        with pytest.raises(PermissionDenied):
            workshop.dispatch(services, actors[role], order_id, {oil: shop.tech_a}, priority="rush")
    workshop.dispatch(services, actors[Role.SUPERVISOR], order_id, {oil: shop.tech_a})
    for role in (Role.TECHNICIAN, Role.ADVISOR):
        with pytest.raises(PermissionDenied):
            workshop.reassign(services, actors[role], oil, shop.tech_b, priority="rush")
    assert _job(services, oil).technician_id == shop.tech_a


def test_stale_versions_are_conflicts(services, actors, shop, authorised):
    order_id, oil, pads = authorised
    sup = actors[Role.SUPERVISOR]
    with services.db.reader() as s:
        order_version = read_order(s, order_id).version
    workshop.dispatch(services, sup, order_id, {oil: shop.tech_a}, order_version)
    with pytest.raises(ConflictError):  # the other terminal still shows the old order
        workshop.dispatch(services, sup, order_id, {pads: shop.tech_b}, order_version)
    assert _job(services, pads).status == JobStatus.APPROVED
    version = _job(services, oil).version
    workshop.reassign(services, sup, oil, shop.tech_b, version, priority="rush")
    with pytest.raises(ConflictError):
        workshop.reassign(services, sup, oil, shop.tech_a, version)
    assert _job(services, oil).technician_id == shop.tech_b


# The suggestion -------------------------------------------------------------------------------------------


def test_suggestion_is_the_skilled_technician_with_the_fewest_booked_hours(
        services, actors, admin, shop, authorised, electrician):
    order_id, oil, pads = authorised
    sup = actors[Role.SUPERVISOR]
    # Nobody busy: A and B tie on hours; C has no maintenance skill even with no work at all.
    first = views.suggest_technician(services, sup, oil)
    assert (first.technician, first.team, first.skill, first.skill_matched) == ("Technician A", "机修一组", "maintenance", True)
    workshop.dispatch(services, sup, order_id, {pads: shop.tech_a})  # A: 1.5 h queued
    second = views.suggest_technician(services, sup, oil)
    assert second.technician_id == shop.tech_b and second.booked_hours == 0 and second.team_booked_hours == Decimal("1.5")
    workshop.dispatch(services, sup, order_id, {oil: shop.tech_b})  # B: 1 h
    workshop.start_job(services, actors[Role.TECHNICIAN], oil)  # running hours count as booked too

    # Another maintenance job found on the car goes to B (1 h) rather than A (1.5 h); never to C.
    tech = actors[Role.TECHNICIAN]

    def found(**kw):
        return workshop.propose_additional(services, tech, order_id, **kw)

    maint = found(labor_op_id=shop.oil_change, description="")
    assert views.suggest_technician(services, sup, maint.id).technician_id == shop.tech_b

    # Electrical work goes to C; work of a skill nobody has goes to the least busy of all.
    elec_op = catalog.save_labor_operation(services, admin, catalog.LaborOpInput("EL0101", "蓄电池检测", "0.50",
                                                                                 "Battery test", "electrical"))
    elec = found(labor_op_id=elec_op.id, description="")
    got = views.suggest_technician(services, sup, elec.id)
    assert (got.technician_id, got.team, got.skill_matched) == (electrician, "电工组", True)
    body_op = catalog.save_labor_operation(services, admin, catalog.LaborOpInput("BP0101", "钣金", "3.00", "Body", "body"))
    body = found(labor_op_id=body_op.id, description="")
    got = views.suggest_technician(services, sup, body.id)
    assert got.technician_id == electrician and got.skill_matched is False
    # A free-text job has no skill: anyone may do it, the least busy is suggested.
    free = found(description="清洗节气门", hours="0.3")
    got = views.suggest_technician(services, sup, free.id)
    assert got.technician_id == electrician and got.skill == "" and got.skill_matched is True

    many = views.suggestions_for(services, sup, [maint.id, elec.id])
    assert many[maint.id].technician_id == shop.tech_b and many[elec.id].technician_id == electrician


def test_a_technicians_own_skills_count(services, actors, admin, shop, authorised):
    order_id, oil, pads = authorised
    team = staff.save_team(services, admin, "快修组")  # a team without listed skills
    d = staff.save_technician(services, admin, "Technician D", team.id, skills="brakes")
    got = views.suggest_technician(services, actors[Role.SUPERVISOR], pads)
    assert got.technician_id in (shop.tech_a, d.id)  # all three idle: A wins the tie on name, D has the skill
    workshop.dispatch(services, actors[Role.SUPERVISOR], order_id, {oil: shop.tech_a, pads: shop.tech_b})
    workshop.reassign(services, actors[Role.SUPERVISOR], oil, shop.tech_b)
    # Now A is idle, B busy, D idle: the tie between A and D is broken by the team's load (A's team has B's hours).
    got = views.suggest_technician(services, actors[Role.SUPERVISOR], pads)
    assert got.technician_id == d.id


# Load and the queue ---------------------------------------------------------------------------------------


def test_dispatch_board_lists_the_queue_and_everyones_load(services, actors, shop, authorised, clock):
    order_id, oil, pads = authorised
    sup = actors[Role.SUPERVISOR]
    board = views.dispatch_board(services, sup)
    assert [o.id for o in board.orders] == [order_id]
    waiting = board.orders[0]
    assert waiting.plate == "粤A12345" and waiting.model == "大众 朗逸" and waiting.status == OrderStatus.AUTHORISED
    assert waiting.promised_at == clock.now + dt.timedelta(hours=4) and not waiting.overdue
    assert waiting.unassigned_hours == Decimal("2.5") and [j.skill for j in waiting.unassigned] == ["maintenance", "brakes"]
    assert all(t.booked_hours == 0 for t in board.technicians)

    workshop.dispatch(services, sup, order_id, {oil: shop.tech_a, pads: shop.tech_b}, priority={pads: "urgent"})
    workshop.start_job(services, actors[Role.TECHNICIAN], oil)
    board = views.dispatch_board(services, sup)
    load = {t.name: (t.queued_hours, t.running_hours, t.jobs) for t in board.technicians}
    assert load == {"Technician A": (0, 1, 1), "Technician B": (Decimal("1.5"), 0, 1)}
    (team,) = board.teams
    assert (team.name, team.queued_hours, team.running_hours, team.booked_hours) == ("机修一组", Decimal("1.5"), 1, Decimal("2.5"))
    order = board.orders[0]
    assert order.unassigned == () and order.priority == JobPriority.URGENT
    assert {j.technician for j in order.jobs} == {"Technician A", "Technician B"}
    clock.advance(hours=5)
    assert views.dispatch_board(services, sup).orders[0].overdue


# The technician's jobs and clocked time ------------------------------------------------------------------


def test_work_list_clocked_time_and_efficiency(services, actors, shop, authorised, clock):
    order_id, oil, pads = authorised
    sup, tech, lead = actors[Role.SUPERVISOR], actors[Role.TECHNICIAN], actors[Role.TEAM_LEADER]
    workshop.dispatch(services, sup, order_id, {oil: shop.tech_a, pads: shop.tech_b})
    mine = views.work_list(services, tech)
    assert (mine.scope, mine.title, mine.technician_id) == ("own", "Technician A", shop.tech_a)
    assert [j.id for j in mine.jobs] == [oil]  # the technician sees their own job only
    team = views.work_list(services, lead)
    assert team.scope == "team" and team.title == "机修一组" and {j.id for j in team.jobs} == {oil, pads}
    assert views.work_list(services, sup).scope == "all"

    workshop.start_job(services, tech, oil)
    clock.advance(minutes=25)
    job = views.work_list(services, tech).jobs[0]
    assert job.running and job.clocked_minutes == 25 and job.hours == 1
    assert [(p.number, p.qty, p.issued) for p in job.parts] == [("06L115562B", 1, 0), ("LQ-0001", 4, 0)]
    workshop.pause_job(services, tech, oil, PauseReason.OTHER)
    clock.advance(minutes=30)  # a pause is not clocked
    job = views.work_list(services, tech).jobs[0]
    assert not job.running and job.clocked_minutes == 25 and job.pause_reason == PauseReason.OTHER
    workshop.resume_job(services, tech, oil)
    clock.advance(minutes=35)
    workshop.finish_job(services, tech, oil, unissued_reason="not_needed")
    job = views.work_list(services, tech).jobs[0]
    assert job.status == JobStatus.FINISHED and job.clocked_minutes == 60

    (eff,) = views.efficiency(services, sup)
    assert (eff.technician, eff.jobs, eff.sold_hours, eff.clocked_hours, eff.percent) == ("Technician A", 1, 1, 1, 100)
    workshop.start_job(services, tech, pads)
    clock.advance(minutes=60)
    workshop.finish_job(services, tech, pads, unissued_reason="not_needed")  # 1.5 h sold in 1 h: 150 %
    by_name = {e.technician: e for e in views.efficiency(services, sup)}
    assert by_name["Technician B"].percent == 150 and by_name["Technician B"].clocked_hours == 1
    assert views.efficiency(services, sup, since=clock.now + dt.timedelta(minutes=1)) == ()
