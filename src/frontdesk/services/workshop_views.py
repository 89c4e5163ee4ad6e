"""What the dispatch and technician screens show, read in short sessions as frozen dataclasses.

Like ``desk``: screens never see ORM objects. Each function reads one screen's worth in a
few narrow queries (whole lists in one query each, never one query per row) and returns
plain values. Hours are sold hours (the job's hours); clocked time is what the technicians'
start/pause/finish recorded, the running stretch included up to now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    ClockEvent,
    Job,
    JobCheck,
    LaborOperation,
    PartLine,
    PartOrder,
    RepairOrder,
    StockLevel,
    Team,
    Technician,
    User,
    Vehicle,
)
from frontdesk.model.enums import (
    PRIORITY_RANK,
    JobOrigin,
    JobPriority,
    JobStatus,
    OrderStatus,
    PartOrderState,
    PauseReason,
    Role,
)

from .context import Actor, Services
from .errors import NotFound
from .workshop import car_holder

J = JobStatus
QUEUED = (J.ASSIGNED, J.PAUSED)  # booked to a technician, not being worked on
RUNNING = (J.IN_PROGRESS,)
BOOKED = QUEUED + RUNNING
OPEN_WORK = (J.APPROVED,) + BOOKED
#: What a technician (or the team leader) still has to do something about.
ON_THE_BENCH = (J.ASSIGNED, J.IN_PROGRESS, J.PAUSED, J.FINISHED, J.SELF_CHECKED)
DONE = (J.FINISHED, J.SELF_CHECKED, J.LEADER_CHECKED, J.QC_PASSED)
ZERO = Decimal(0)


def skills_of(text: str) -> frozenset[str]:
    """"maintenance, brakes" -> {"maintenance", "brakes"} (commas, 、 or spaces between)."""
    for sep in ("，", "、", ";", " "):
        text = text.replace(sep, ",")
    return frozenset(s.strip().lower() for s in text.split(",") if s.strip())


def clocked_seconds(seconds: int, running_since: dt.datetime | None, now: dt.datetime) -> int:
    if running_since is None:
        return seconds
    return seconds + max(0, int((now - running_since).total_seconds()))


# Load and the suggestion -----------------------------------------------------------------------


class _Booked:
    """Sold hours on someone's plate; the dispatcher weighs a technician and a team alike by them."""

    queued_hours: Decimal
    running_hours: Decimal

    @property
    def booked_hours(self) -> Decimal:
        return self.queued_hours + self.running_hours


@dataclass(frozen=True)
class TechnicianLoad(_Booked):
    id: int
    name: str
    team_id: int | None
    team: str
    skills: frozenset[str]  # their own and their team's
    queued_hours: Decimal
    running_hours: Decimal
    jobs: int


@dataclass(frozen=True)
class TeamLoad(_Booked):
    id: int
    name: str
    skills: frozenset[str]
    queued_hours: Decimal
    running_hours: Decimal
    technicians: int


def _loads(s: Session, store_id: int, *, leave_out_job: int | None = None) -> tuple[list[TeamLoad], list[TechnicianLoad]]:
    techs = s.execute(
        select(Technician.id, Technician.name, Technician.team_id, Technician.skills, Team.name, Team.skills)
        .outerjoin(Team, Team.id == Technician.team_id)
        .where(Technician.store_id == store_id, Technician.active.is_(True))
        .order_by(Team.name, Technician.name, Technician.id)
    ).all()
    booked = select(
        Job.technician_id,
        func.coalesce(func.sum(case((Job.status.in_(QUEUED), Job.hours), else_=0)), 0),
        func.coalesce(func.sum(case((Job.status.in_(RUNNING), Job.hours), else_=0)), 0),
        func.count(),
    ).join(RepairOrder, RepairOrder.id == Job.order_id).where(
        RepairOrder.store_id == store_id, Job.status.in_(BOOKED), Job.technician_id.is_not(None))
    if leave_out_job is not None:
        booked = booked.where(Job.id != leave_out_job)
    per_tech = {tid: (Decimal(q), Decimal(r), n) for tid, q, r, n in s.execute(booked.group_by(Job.technician_id))}
    technicians = []
    for tid, name, team_id, skills, team_name, team_skills in techs:
        q, r, n = per_tech.get(tid, (ZERO, ZERO, 0))
        technicians.append(TechnicianLoad(tid, name, team_id, team_name or "", skills_of(skills) | skills_of(team_skills or ""),
                                          q, r, n))
    teams_rows = s.execute(
        select(Team.id, Team.name, Team.skills).where(Team.store_id == store_id, Team.active.is_(True))
        .order_by(Team.name, Team.id)
    ).all()
    teams = []
    for team_id, name, skills in teams_rows:
        members = [t for t in technicians if t.team_id == team_id]
        teams.append(TeamLoad(team_id, name, skills_of(skills), sum((t.queued_hours for t in members), ZERO),
                              sum((t.running_hours for t in members), ZERO), len(members)))
    return teams, technicians


@dataclass(frozen=True)
class Suggestion:
    job_id: int
    technician_id: int
    technician: str
    team_id: int | None
    team: str
    booked_hours: Decimal  # the technician's queued + running sold hours
    team_booked_hours: Decimal
    skill: str  # the labor operation's category ("" when the job has none)
    skill_matched: bool  # False: nobody has the skill, this is merely the least busy
    has_the_car: bool = False  # additional work: the technician who has the car, whatever their load


def suggest_technician(services: Services, actor: Actor, job_id: int) -> Suggestion | None:
    """The technician with the skill and the fewest booked hours (then the least busy team); None: no technicians."""
    with services.db.reader() as s:
        row = s.execute(
            select(Job.id, RepairOrder.store_id, LaborOperation.category)
            .join(RepairOrder, RepairOrder.id == Job.order_id)
            .outerjoin(LaborOperation, LaborOperation.id == Job.labor_op_id)
            .where(Job.id == job_id)
        ).first()
        if row is None or row.store_id != actor.store_id:
            raise NotFound("job", _("No such job in this store."))
        teams, techs = _loads(s, actor.store_id, leave_out_job=job_id)
    return _suggest(job_id, (row.category or "").strip().lower(), teams, techs)


def _suggest(job_id: int, skill: str, teams: list[TeamLoad], techs: list[TechnicianLoad]) -> Suggestion | None:
    if not techs:
        return None
    skilled = [t for t in techs if not skill or skill in t.skills]
    pool = skilled or techs
    team_hours = {t.id: t.booked_hours for t in teams}
    best = min(pool, key=lambda t: (t.booked_hours, team_hours.get(t.team_id, ZERO), t.name, t.id))
    return Suggestion(job_id, best.id, best.name, best.team_id, best.team, best.booked_hours,
                      team_hours.get(best.team_id, ZERO), skill, bool(skilled) or not skill)


# Dispatch ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WorkshopJob:
    """A job as the workshop sees it, on the dispatch board and on a technician's list alike."""

    id: int
    version: int
    seq: int
    code: str
    description: str
    hours: Decimal
    status: JobStatus
    priority: JobPriority
    pause_reason: PauseReason | None
    technician_id: int | None
    technician: str
    pause_reason_at: dt.datetime | None = None  # paused at, or when the answer it waited for came


_JOB_COLUMNS = ("id", "version", "seq", "code", "description", "hours", "status", "priority", "pause_reason",
                "technician_id", "pause_reason_at")


def _workshop_job(row: Any) -> dict[str, Any]:
    """``WorkshopJob``'s fields of a job row that was selected with its technician's name as ``name``."""
    return {name: getattr(row, name) for name in _JOB_COLUMNS} | {"technician": row.name or ""}


@dataclass(frozen=True, kw_only=True)
class DispatchJob(WorkshopJob):
    skill: str
    team: str
    waiting_parts: bool


@dataclass(frozen=True)
class DispatchOrder:
    id: int
    version: int
    number: str
    status: OrderStatus
    plate: str
    model: str
    advisor: str
    promised_at: dt.datetime | None
    overdue: bool
    jobs: tuple[DispatchJob, ...]

    @property
    def unassigned(self) -> tuple[DispatchJob, ...]:
        return tuple(j for j in self.jobs if j.status == J.APPROVED)

    @property
    def unassigned_hours(self) -> Decimal:
        return sum((j.hours for j in self.unassigned), ZERO)

    @property
    def open_hours(self) -> Decimal:
        return sum((j.hours for j in self.jobs if j.status in OPEN_WORK), ZERO)

    @property
    def priority(self) -> JobPriority:
        return max((j.priority for j in self.jobs), key=PRIORITY_RANK.__getitem__, default=JobPriority.NORMAL)


@dataclass(frozen=True)
class PartRequestView:
    id: int
    version: int
    order_id: int
    order_number: str
    plate: str
    job_id: int | None
    job: str
    part_line_id: int
    number: str
    name: str
    qty: Decimal
    state: PartOrderState
    requested_at: dt.datetime
    expected_on: dt.date | None
    supplier_ref: str


@dataclass(frozen=True)
class DispatchBoard:
    orders: tuple[DispatchOrder, ...]  # waiting for work first, then by priority and promised time
    teams: tuple[TeamLoad, ...]
    technicians: tuple[TechnicianLoad, ...]
    taken_at: dt.datetime


def dispatch_board(services: Services, actor: Actor) -> DispatchBoard:
    """Authorised orders and cars in the workshop with work still to do, and everyone's load."""
    now = services.clock()
    with services.db.reader() as s:
        teams, techs = _loads(s, actor.store_id)
        orders = s.execute(
            select(RepairOrder.id, RepairOrder.version, RepairOrder.number, RepairOrder.status, Vehicle.plate,
                   Vehicle.make, Vehicle.model, User.display_name, RepairOrder.promised_at)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .join(User, User.id == RepairOrder.advisor_id)
            .where(RepairOrder.store_id == actor.store_id,
                   RepairOrder.status.in_((OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP)))
        ).all()
        ids = [o.id for o in orders]
        jobs = s.execute(
            select(Job.id, Job.version, Job.order_id, Job.seq, Job.code, Job.description, LaborOperation.category,
                   Job.hours, Job.status, Job.priority, Job.pause_reason, Job.technician_id, Technician.name, Team.name,
                   Job.pause_reason_at)
            .outerjoin(LaborOperation, LaborOperation.id == Job.labor_op_id)
            .outerjoin(Technician, Technician.id == Job.technician_id)
            .outerjoin(Team, Team.id == Job.team_id)
            .where(Job.order_id.in_(ids), Job.status.in_(OPEN_WORK))
            .order_by(Job.order_id, Job.seq)
        ).all() if ids else []
        waiting = set(s.scalars(
            select(PartOrder.job_id).where(PartOrder.order_id.in_(ids), PartOrder.state != PartOrderState.ARRIVED)
        )) if ids else set()
    by_order: dict[int, list[DispatchJob]] = defaultdict(list)
    for j in jobs:
        by_order[j.order_id].append(DispatchJob(
            **_workshop_job(j), skill=(j.category or "").lower(), team=j[13] or "",
            waiting_parts=j.id in waiting or (j.status == J.PAUSED and j.pause_reason == PauseReason.WAITING_PARTS)))
    out = []
    for o in orders:
        if not by_order.get(o.id):
            continue
        overdue = o.promised_at is not None and o.promised_at < now
        out.append(DispatchOrder(o.id, o.version, o.number, o.status, o.plate, f"{o.make} {o.model}", o.display_name,
                                 o.promised_at, overdue, tuple(by_order[o.id])))
    far = dt.datetime.max
    out.sort(key=lambda o: (not o.unassigned, -PRIORITY_RANK[o.priority], o.promised_at or far, o.id))
    return DispatchBoard(tuple(out), tuple(teams), tuple(techs), now)


def suggestions_for(services: Services, actor: Actor, job_ids: list[int], *, spread: bool = False
                    ) -> dict[int, Suggestion | None]:
    """One suggestion per job in one read. Alone, each as if the others were not assigned; with
    ``spread`` (a whole car at once), each job's hours count for the technician suggested for it
    before the next job is suggested, so the work is shared out instead of piled on one person."""
    if not job_ids:
        return {}
    with services.db.reader() as s:
        rows = {r.id: r for r in s.execute(
            select(Job.id, Job.hours, Job.status, Job.technician_id, Job.origin, Job.order_id, LaborOperation.category)
            .join(RepairOrder, RepairOrder.id == Job.order_id)
            .outerjoin(LaborOperation, LaborOperation.id == Job.labor_op_id)
            .where(Job.id.in_(job_ids), RepairOrder.store_id == actor.store_id)
        )}
        teams, techs = _loads(s, actor.store_id)
        # Additional work goes back to the car: its technician is the suggestion when they have the skill
        # (few such jobs at a time: read one by one).
        holders = {r.id: car_holder(s, order, s.get(Job, r.id))
                   for r in rows.values() if r.origin == JobOrigin.ADDITIONAL
                   for order in (s.get(RepairOrder, r.order_id),) if order is not None}
    out: dict[int, Suggestion | None] = {}
    for jid in job_ids:
        row = rows.get(jid)
        if row is None:
            continue
        pool = techs
        if row.technician_id is not None and row.status in BOOKED:  # a reassignment: its own hours leave with it
            field = "running_hours" if row.status in RUNNING else "queued_hours"
            pool = [replace(t, **{field: getattr(t, field) - row.hours}) if t.id == row.technician_id else t
                    for t in techs]
        got = out[jid] = _suggest(jid, (row.category or "").strip().lower(), teams, pool)
        holder = next((t for t in pool if t.id == holders.get(jid)), None)
        skill = (row.category or "").strip().lower()
        if holder is not None and (not skill or skill in holder.skills):  # else: who has the skill
            team_hours = {t.id: t.booked_hours for t in teams}
            got = out[jid] = Suggestion(jid, holder.id, holder.name, holder.team_id, holder.team, holder.booked_hours,
                                        team_hours.get(holder.team_id, ZERO), skill, True, has_the_car=True)
        if spread and got is not None:
            techs = [replace(t, queued_hours=t.queued_hours + row.hours) if t.id == got.technician_id else t
                     for t in techs]
            teams = [replace(t, queued_hours=t.queued_hours + row.hours) if t.id == got.team_id else t for t in teams]
    return out


def part_requests(services: Services, actor: Actor, *, open_only: bool = True) -> tuple[PartRequestView, ...]:
    """Parts on order for the store (the supervisor marks them ordered and arrived)."""
    with services.db.reader() as s:
        q = (select(PartOrder, RepairOrder.number, Vehicle.plate, Job.description, PartLine.number, PartLine.name)
             .join(RepairOrder, RepairOrder.id == PartOrder.order_id)
             .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
             .join(PartLine, PartLine.id == PartOrder.part_line_id)
             .outerjoin(Job, Job.id == PartOrder.job_id)
             .where(PartOrder.store_id == actor.store_id))
        if open_only:
            q = q.where(PartOrder.state != PartOrderState.ARRIVED)
        rows = s.execute(q.order_by(PartOrder.requested_at, PartOrder.id)).all()
        return tuple(PartRequestView(p.id, p.version, p.order_id, number, plate, p.job_id, job or "", p.part_line_id,
                                     pnum, pname, p.qty, p.state, p.requested_at, p.expected_on, p.supplier_ref)
                     for p, number, plate, job, pnum, pname in rows)


# The technician's own jobs ------------------------------------------------------------------------


@dataclass(frozen=True)
class TechPart:
    id: int  # the part line
    number: str
    name: str
    qty: Decimal
    issued: Decimal
    reserved: Decimal
    on_hand: Decimal
    requests: tuple[PartRequestView, ...]

    @property
    def to_issue(self) -> Decimal:
        return self.qty - self.issued

    @property
    def short(self) -> bool:
        return self.to_issue > 0 and self.on_hand < self.to_issue

    @property
    def open_request(self) -> PartRequestView | None:
        return next((r for r in self.requests if r.state != PartOrderState.ARRIVED), None)


@dataclass(frozen=True, kw_only=True)
class TechJob(WorkshopJob):
    order_id: int
    order_number: str
    plate: str
    model: str
    promised_at: dt.datetime | None
    clocked_seconds: int  # running stretch included
    running: bool
    rework_count: int
    parts: tuple[TechPart, ...]
    last_check_notes: str  # the latest check's notes (what a failed QC said)

    @property
    def clocked_minutes(self) -> int:
        return self.clocked_seconds // 60

    @property
    def waiting_parts(self) -> bool:
        if self.status == J.PAUSED and self.pause_reason == PauseReason.WAITING_PARTS:
            return True
        return self.status in (J.ASSIGNED, J.PAUSED) and any(p.open_request for p in self.parts)


@dataclass(frozen=True)
class WorkList:
    """The jobs a technician (scope "own"), a team leader ("team") or the supervisor ("all") sees."""

    scope: str
    title: str  # the technician's or the team's name
    technician_id: int | None
    jobs: tuple[TechJob, ...]
    taken_at: dt.datetime


def _scope(s: Session, actor: Actor) -> tuple[str, str, int | None, list[int] | None]:
    """(scope, title, the actor's technician id, technician ids to show; None = all)."""
    me = s.execute(select(Technician.id, Technician.name, Technician.team_id)
                   .where(Technician.user_id == actor.user_id)).first()
    if actor.role == Role.TEAM_LEADER:
        team = s.execute(select(Team.id, Team.name).where(Team.leader_id == actor.user_id, Team.store_id == actor.store_id)
                         .order_by(Team.id)).first()
        if team is None and me is not None and me.team_id is not None:
            team = s.execute(select(Team.id, Team.name).where(Team.id == me.team_id)).first()
        if team is not None:
            members = list(s.scalars(select(Technician.id).where(Technician.team_id == team.id)))
            return "team", team.name, me.id if me else None, members
    if actor.role in (Role.SUPERVISOR, Role.MANAGER):
        return "all", "", me.id if me else None, None
    if me is None:
        return "own", actor.display_name, None, []
    return "own", me.name, me.id, [me.id]


def work_list(services: Services, actor: Actor) -> WorkList:
    now = services.clock()
    with services.db.reader() as s:
        scope, title, my_id, tech_ids = _scope(s, actor)
        q = (select(Job.id, Job.version, Job.order_id, RepairOrder.number, Vehicle.plate, Vehicle.make, Vehicle.model,
                    RepairOrder.promised_at, Job.seq, Job.code, Job.description, Job.hours, Job.status, Job.priority,
                    Job.pause_reason, Job.technician_id, Technician.name, Job.clocked_seconds, Job.running_since,
                    Job.rework_count, Job.pause_reason_at)
             .join(RepairOrder, RepairOrder.id == Job.order_id)
             .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
             .outerjoin(Technician, Technician.id == Job.technician_id)
             .where(RepairOrder.store_id == actor.store_id, RepairOrder.status == OrderStatus.IN_WORKSHOP,
                    Job.status.in_(ON_THE_BENCH)))
        if tech_ids is not None:
            q = q.where(Job.technician_id.in_(tech_ids or [-1]))
        rank = case({p.value: -r for p, r in PRIORITY_RANK.items()}, value=Job.priority, else_=0)
        rows = s.execute(q.order_by(rank, RepairOrder.promised_at, Job.order_id, Job.seq)).all()
        job_ids = [r.id for r in rows]
        parts = s.execute(
            select(PartLine, StockLevel.on_hand)
            .outerjoin(StockLevel, and_(StockLevel.part_id == PartLine.part_id, StockLevel.store_id == actor.store_id))
            .where(PartLine.job_id.in_(job_ids)).order_by(PartLine.id)
        ).all() if job_ids else []
        requests = s.execute(
            select(PartOrder).where(PartOrder.job_id.in_(job_ids)).order_by(PartOrder.id)
        ).scalars().all() if job_ids else []
        last_check = dict(s.execute(
            select(JobCheck.job_id, JobCheck.notes).where(JobCheck.id.in_(
                select(func.max(JobCheck.id)).where(JobCheck.job_id.in_(job_ids)).group_by(JobCheck.job_id)))
        ).all()) if job_ids else {}
    jobs_by_id = {r.id: r for r in rows}
    req_by_line: dict[int, list[PartRequestView]] = defaultdict(list)
    for p in requests:
        r = jobs_by_id[p.job_id]
        req_by_line[p.part_line_id].append(PartRequestView(
            p.id, p.version, p.order_id, r.number, r.plate, p.job_id, r.description, p.part_line_id, "", "", p.qty,
            p.state, p.requested_at, p.expected_on, p.supplier_ref))
    parts_by_job: dict[int, list[TechPart]] = defaultdict(list)
    for line, on_hand in parts:
        parts_by_job[line.job_id].append(TechPart(
            line.id, line.number, line.name, line.qty, line.issued_qty, line.reserved_qty, on_hand or ZERO,
            tuple(req_by_line.get(line.id, ()))))
    jobs = tuple(TechJob(
        **_workshop_job(r), order_id=r.order_id, order_number=r.number, plate=r.plate, model=f"{r.make} {r.model}",
        promised_at=r.promised_at, clocked_seconds=clocked_seconds(r.clocked_seconds, r.running_since, now),
        running=r.running_since is not None, rework_count=r.rework_count, parts=tuple(parts_by_job.get(r.id, ())),
        last_check_notes=last_check.get(r.id, "") or "",
    ) for r in rows)
    return WorkList(scope, title, my_id, jobs, now)


# Efficiency -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Efficiency:
    technician_id: int
    technician: str
    team: str
    jobs: int
    sold_hours: Decimal
    clocked_hours: Decimal
    reworks: int

    @property
    def percent(self) -> int | None:
        """Sold hours over clocked hours (100 = on time; more is faster than the book)."""
        if self.clocked_hours <= 0:
            return None
        return int((self.sold_hours / self.clocked_hours * 100).quantize(Decimal(1)))


def efficiency(services: Services, actor: Actor, *, since: dt.datetime | None = None) -> tuple[Efficiency, ...]:
    """Per technician, the jobs finished since ``since`` (default: the last 30 days): sold against clocked hours."""
    now = services.clock()
    start = since or now - dt.timedelta(days=30)
    with services.db.reader() as s:
        finished = (select(ClockEvent.job_id).where(ClockEvent.kind == "finish", ClockEvent.at >= start)
                    .distinct().scalar_subquery())
        rows = s.execute(
            select(Technician.id, Technician.name, Team.name, func.count(Job.id), func.coalesce(func.sum(Job.hours), 0),
                   func.coalesce(func.sum(Job.clocked_seconds), 0), func.coalesce(func.sum(Job.rework_count), 0))
            .join(Job, Job.technician_id == Technician.id)
            .outerjoin(Team, Team.id == Technician.team_id)
            .where(Technician.store_id == actor.store_id, Job.status.in_(DONE), Job.id.in_(finished))
            .group_by(Technician.id, Technician.name, Team.name)
            .order_by(Technician.name, Technician.id)
        ).all()
    return tuple(
        Efficiency(tid, name, team or "", n, Decimal(sold),
                   (Decimal(int(secs)) / Decimal(3600)).quantize(Decimal("0.01")), int(rework))
        for tid, name, team, n, sold, secs, rework in rows
    )


__all__ = [
    "DispatchBoard", "DispatchJob", "DispatchOrder", "Efficiency", "PartRequestView", "Suggestion", "TeamLoad",
    "TechJob", "TechPart", "TechnicianLoad", "WorkList", "dispatch_board", "efficiency", "part_requests",
    "suggest_technician", "suggestions_for", "work_list",
]
