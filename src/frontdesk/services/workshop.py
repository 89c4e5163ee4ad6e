"""The workshop: dispatch, clocking, parts issue, additional work, checks, QC and wash.

Two rules keep the clock true. A technician works one job at a time: starting (or
resuming) a job pauses whatever else of theirs is running, with the reason "switched".
And approved additional work goes back to the car: to the technician who has it (see
:func:`car_holder`), not through a second dispatch; the job that waited for the customer's
answer says so ("customer approved", and when), and its resume records that reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import ClockEvent, Job, JobCheck, PartLine, RepairOrder, StockMovement, Team, Technician
from frontdesk.model.enums import (
    CheckKind,
    DecisionChannel,
    JobOrigin,
    JobPriority,
    JobStatus,
    OrderStatus,
    PauseReason,
    PayType,
    StockMovementKind,
    UnissuedPartsReason,
)

from . import part_orders, recommendation_records, sanbao
from .common import get, load_job, load_order, text, touch
from .context import Tx, flush_for_id, read_rows, service, unflushed
from .errors import IllegalTransition, ValidationError
from .estimate import decline, new_job, new_part_line, reserve, stock_level
from .lifecycle import require_order_status, transition_job, transition_order
from .refs import JobRef, OrderRef, PartLineRef, SwitchedJobRef

J = JobStatus


def _technician(tx: Tx, technician_id: int) -> Technician:
    tech = get(tx.session, Technician, technician_id, "technician")
    if tech.store_id != tx.actor.store_id or not tech.active:
        raise ValidationError("technician", _("That technician is not available in this store."))
    return tech


def _assign(tx: Tx, job: Job, technician_id: int) -> None:
    tech = _technician(tx, technician_id)
    job.technician_id = tech.id
    job.team_id = tech.team_id


def _priority(value: JobPriority | str) -> JobPriority:
    try:
        return JobPriority(value)
    except ValueError:
        raise ValidationError("priority", _("Unknown priority {value}.").format(value=value)) from None


def _priority_for(priority: JobPriority | str | Mapping[int, JobPriority | str] | None, job_id: int) -> JobPriority | None:
    if priority is None:
        return None
    if isinstance(priority, Mapping):
        value = priority.get(job_id)
        return None if value is None else _priority(value)
    return _priority(priority)


@service("order.dispatch")
def dispatch(
    tx: Tx, order_id: int, assignments: dict[int, int], expected_version: int | None = None, *,
    priority: JobPriority | str | Mapping[int, JobPriority | str] | None = None,
) -> OrderRef:
    """Hand approved jobs to technicians ({job_id: technician_id}); the first dispatch moves the car in.

    ``priority`` is one priority for every job assigned, or {job_id: priority}; jobs it does
    not name keep theirs (normal unless set before).
    """
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP), _("dispatch"))
    if not assignments:
        raise ValidationError("assignments", _("Pick at least one job and a technician."))
    jobs = {j.id: j for j in order.jobs}
    done: dict[str, int] = {}
    priorities: dict[str, str] = {}
    for job_id, tech_id in assignments.items():
        job = jobs.get(job_id)
        if job is None:
            raise ValidationError("job", _("That job is not on this order."))
        transition_job(job, J.ASSIGNED)
        _assign(tx, job, tech_id)
        wanted = _priority_for(priority, job_id)
        if wanted is not None:
            job.priority = wanted
        done[str(job_id)] = tech_id
        priorities[str(job_id)] = job.priority.value
    if order.status == OrderStatus.AUTHORISED:
        transition_order(order, OrderStatus.IN_WORKSHOP, tx.now)
        order.dispatched_at = tx.now
    else:
        touch(order)
    tx.audit("repair_order", order.id, order_id=order.id,
             after={"assigned": done, "priority": priorities, "status": order.status})
    return OrderRef.of(tx, order)


@service("job.assign")
def reassign(
    tx: Tx, job_id: int, technician_id: int, expected_version: int | None = None, *,
    priority: JobPriority | str | None = None,
) -> JobRef:
    """Move a waiting job to another technician (or the same one, with another priority)."""
    job = load_job(tx, job_id, expected_version)
    if job.status not in (J.ASSIGNED, J.PAUSED):
        raise IllegalTransition(_("Only a job that is assigned or paused can move to another technician."))
    before = {"technician_id": job.technician_id, "priority": job.priority}
    _assign(tx, job, technician_id)
    if priority is not None:
        job.priority = _priority(priority)
    touch(job.order)
    tx.audit("job", job.id, order_id=job.order_id, before=before,
             after={"technician_id": job.technician_id, "priority": job.priority})
    return JobRef.of(tx, job)


def _clock(tx: Tx, job: Job, kind: str, reason: PauseReason | None = None) -> None:
    if job.running_since is not None:
        job.clocked_seconds += int((tx.now - job.running_since).total_seconds())
        job.running_since = None
    if kind in ("start", "resume"):
        job.running_since = tx.now
    event = ClockEvent(technician_id=job.technician_id, kind=kind, reason=reason, at=tx.now)
    event.job = job
    tx.session.add(event)


clock_job = _clock  # for the part orders, which stop a running job's clock

#: The pause reasons that say the customer has answered: the job may go on.
ANSWERED = (PauseReason.CUSTOMER_APPROVED, PauseReason.CUSTOMER_DECLINED)


def _set_pause(tx: Tx, job: Job, reason: PauseReason) -> None:
    job.pause_reason, job.pause_reason_at = reason, tx.now


#: The running jobs (one a technician at most), found by the status index and their technician compared after:
#: asked for both, SQLite walked the technician's whole history (ix_job_technician_id), slower every year.
#: (Core, on the session's connection: asked a few hundred thousand times by ``frontdesk demo``.)
_RUNNING = select(Job.__table__.c.id, Job.__table__.c.technician_id).where(
    Job.__table__.c.status == J.IN_PROGRESS).order_by(Job.__table__.c.id)


def _pause_others(tx: Tx, job: Job) -> list[Job]:
    """One job at a time: the technician's other running jobs pause ("switched"), so their clocks stop."""
    if job.technician_id is None:
        return []
    # Without the autoflush: it would write ``job``'s change now and the rest at the commit, two
    # UPDATEs moving its version by two for one call (a terminal's next expected_version is one on).
    with tx.session.no_autoflush:
        running = read_rows(tx.session, _RUNNING)
        others = [get(tx.session, Job, id, "job") for id, tech in running if tech == job.technician_id and id != job.id]
    # A batch (the demo) writes when it ends: a job it paused already still runs in the database.
    others = [other for other in others if other.status == J.IN_PROGRESS]
    for other in others:
        transition_job(other, J.PAUSED)
        _set_pause(tx, other, PauseReason.SWITCHED)
        _clock(tx, other, "pause", PauseReason.SWITCHED)  # its version guards it, as any pause: the order is not touched
        tx.audit("job", other.id, order_id=other.order_id, before={"status": "in_progress"},
                 after={"status": other.status, "reason": PauseReason.SWITCHED, "for_job": job.id})
    return list(others)


def _workshop_job(tx: Tx, job_id: int, expected_version: int | None) -> Job:
    job = load_job(tx, job_id, expected_version)
    require_order_status(job.order, (OrderStatus.IN_WORKSHOP,), _("workshop work"))
    return job


@service("job.start")
def start_job(tx: Tx, job_id: int, expected_version: int | None = None) -> SwitchedJobRef:
    """Start an assigned job; the technician's other running job pauses (one job at a time), and the answer names it."""
    job = _workshop_job(tx, job_id, expected_version)
    transition_job(job, J.IN_PROGRESS)
    switched = _pause_others(tx, job)
    _clock(tx, job, "start")
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "assigned"},
             after={"status": job.status, "paused_jobs": [o.id for o in switched]})
    return SwitchedJobRef.switched(tx, job, switched)


@service("job.pause")
def pause_job(tx: Tx, job_id: int, reason: PauseReason | str, expected_version: int | None = None) -> JobRef:
    job = _workshop_job(tx, job_id, expected_version)
    try:
        why = PauseReason(reason)
    except ValueError:
        raise ValidationError("reason", _("Say why the job pauses.")) from None
    transition_job(job, J.PAUSED)
    _set_pause(tx, job, why)
    _clock(tx, job, "pause", why)
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "in_progress"}, after={"status": job.status, "reason": why})
    return JobRef.of(tx, job)


@service("job.resume")
def resume_job(tx: Tx, job_id: int, expected_version: int | None = None) -> SwitchedJobRef:
    """Go on with a paused job. When it waited for the customer, the resume records their answer and its time."""
    job = _workshop_job(tx, job_id, expected_version)
    transition_job(job, J.IN_PROGRESS)
    reason, since = job.pause_reason, job.pause_reason_at
    answered = reason in ANSWERED
    job.pause_reason, job.pause_reason_at = None, None
    switched = _pause_others(tx, job)
    _clock(tx, job, "resume", reason if answered else None)
    after: dict[str, object] = {"status": job.status, "paused_jobs": [o.id for o in switched]}
    if answered:
        after |= {"reason": reason, "answered_at": since}
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "paused", "reason": reason}, after=after)
    return SwitchedJobRef.switched(tx, job, switched)


def unissued_parts(job: Job) -> list[PartLine]:
    """The job's part lines not (fully) issued from the store room."""
    return [line for line in job.part_lines if line.issued_qty < line.qty]


@service("job.finish")
def finish_job(
    tx: Tx, job_id: int, expected_version: int | None = None, *,
    unissued_reason: UnissuedPartsReason | str | None = None,
) -> JobRef:
    """The work is done. Parts of the job not issued need a reason (supplied by the customer, not needed),
    kept on the job: otherwise a part fitted from nowhere, or billed but never used, goes unnoticed."""
    job = _workshop_job(tx, job_id, expected_version)
    missing = unissued_parts(job)
    why: UnissuedPartsReason | None = None
    if missing:
        try:  # a job finished again after a check sent it back keeps the reason given the first time
            why = UnissuedPartsReason(unissued_reason) if unissued_reason is not None else job.unissued_parts_reason
        except ValueError:
            why = None
        if why is None:
            raise ValidationError("unissued_reason", _(
                "{n} of the job's parts were not issued ({parts}): say why (supplied by the customer, or not needed)."
            ).format(n=len(missing), parts=", ".join(line.name for line in missing)))
    transition_job(job, J.FINISHED)
    job.unissued_parts_reason = why
    _clock(tx, job, "finish")
    after: dict[str, object] = {"status": job.status, "clocked_seconds": job.clocked_seconds}
    if why is not None:
        after |= {"unissued_parts": [line.id for line in missing], "unissued_reason": why}
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "in_progress"}, after=after)
    return JobRef.of(tx, job)


@service("parts.issue")
def issue_parts(tx: Tx, part_line_id: int, qty: Decimal | None = None) -> PartLineRef:
    """领料: parts leave the store room against the order; stock goes down, a movement is kept.

    What the store room cannot cover is issued as far as it goes and the rest is requested
    from the supplier (a part order; the job waits for it), unless it is on order already.
    """
    line = get(tx.session, PartLine, part_line_id, "part_line")
    order = load_order(tx, line.order_id)
    require_order_status(order, (OrderStatus.IN_WORKSHOP,), _("issuing parts"))
    if line.job is not None and line.job.status in (J.PROPOSED, J.DECLINED):
        raise IllegalTransition(_("Parts for work the customer has not approved cannot be issued."))
    remaining = line.qty - line.issued_qty
    amount = remaining if qty is None else Decimal(qty)
    if amount <= 0 or amount > remaining:
        raise ValidationError("qty", _("Issue between 0 and {n}.").format(n=remaining))
    level = stock_level(tx.session, order.store_id, line.part_id)
    if level.on_hand < amount:
        short = amount - max(level.on_hand, Decimal(0))
        to_order = short - part_orders.open_qty(line)
        amount = max(level.on_hand, Decimal(0))
        if to_order > 0:
            request = part_orders.new_request(tx, line, to_order)
            touch(order)
            tx.audit("part_order", request, order_id=order.id,
                     after={"part_line_id": line.id, "qty": to_order, "state": request.state})
        elif amount <= 0:
            raise ValidationError("qty", _("None in stock, and the part is on order already."))
        if amount <= 0:
            return PartLineRef.of(tx, line)
    from_reserved = min(line.reserved_qty, amount)
    level.reserved -= from_reserved
    line.reserved_qty -= from_reserved
    level.on_hand -= amount
    line.issued_qty += amount
    tx.session.add(StockMovement(
        store_id=order.store_id, part_id=line.part_id, kind=StockMovementKind.ISSUE, qty=-amount, order_id=order.id,
        part_line_id=line.id, user_id=tx.actor.user_id, at=tx.now, reason=order.number,
    ))
    tx.audit("part_line", line.id, order_id=order.id, after={"issued": amount, "on_hand": level.on_hand})
    return PartLineRef.of(tx, line)


# Additional work ----------------------------------------------------------------------


@service("job.propose")
def propose_additional(
    tx: Tx, order_id: int, *, description: str, hours: Decimal | str | None = None, labor_op_id: int | None = None,
    pay_type: PayType | str = PayType.CUSTOMER, safety: bool | None = None, note: str = "",
    parts: tuple[tuple[int, Decimal | str], ...] = (), pause_job_id: int | None = None,
) -> JobRef:
    """A technician finds more work (增项): a new proposed job waits for the customer's decision."""
    order = load_order(tx, order_id)
    require_order_status(order, (OrderStatus.IN_WORKSHOP,), _("proposing additional work"))
    job = new_job(
        tx, order, labor_op_id=labor_op_id, description=description, hours=hours, pay_type=pay_type,
        origin=JobOrigin.ADDITIONAL, safety=safety, status=J.PROPOSED,
    )
    job.proposed_by_id, job.proposed_at = tx.actor.user_id, tx.now
    job.proposal_note = text(note, "note", max_len=2000)
    for part_id, qty in parts:
        new_part_line(tx, order, part_id=part_id, qty=qty, pay_type=pay_type, job=job, unit_price=None)
    if pause_job_id is not None:
        other = load_job(tx, pause_job_id)
        if other.order_id != order.id:
            raise ValidationError("pause_job_id", _("That job is on another order."))
        transition_job(other, J.PAUSED)
        _set_pause(tx, other, PauseReason.WAITING_APPROVAL)
        _clock(tx, other, "pause", PauseReason.WAITING_APPROVAL)
    touch(order)
    flush_for_id(tx.session, job)
    tx.audit("job", job.id, order_id=order.id, after={"description": job.description, "hours": job.hours,
                                                      "amount": job.amount, "origin": job.origin, "status": job.status})
    return JobRef.of(tx, job)


@service("job.decide")
def record_decision(
    tx: Tx, job_id: int, *, approved: bool, decided_by: str, channel: DecisionChannel | str = DecisionChannel.PHONE,
    note: str = "", expected_version: int | None = None,
) -> JobRef:
    """The advisor records the customer's yes or no (who, when, how); a no is kept as a recommendation.

    Approved work goes straight to the technician who has the car (:func:`car_holder`; the
    supervisor may move it), so it needs no second dispatch; with nobody at the car it waits
    for dispatch. Once nothing on the order awaits an answer, the jobs paused for it show the
    answer and when it came (they resume when the technician goes on).
    """
    job = load_job(tx, job_id, expected_version)
    order = job.order
    require_order_status(order, (OrderStatus.IN_WORKSHOP,), _("recording the customer's decision"))
    who = text(decided_by, "decided_by", max_len=80, required=True)
    try:
        how = DecisionChannel(channel)
    except ValueError:
        raise ValidationError("channel", _("Say how the customer answered.")) from None
    holder: int | None = None
    if approved:
        transition_job(job, J.APPROVED)
        job.decision_by, job.decision_channel, job.decision_at = who, how, tx.now
        job.decision_recorded_by_id = tx.actor.user_id
        for line in job.part_lines:
            reserve(tx.session, order.store_id, line)
        holder = car_holder(tx.session, order, job)
        if holder is not None:
            transition_job(job, J.ASSIGNED)
            _assign(tx, job, holder)
    else:
        decline(tx, job, decided_by=who, channel=how)
    job.decision_note = text(note, "note", max_len=400)
    # Jobs paused while waiting for this answer can go on: they say what the answer was, and when.
    if not any(j.status == J.PROPOSED for j in order.jobs):
        for other in order.jobs:
            if other.status == J.PAUSED and other.pause_reason == PauseReason.WAITING_APPROVAL:
                since = other.pause_reason_at
                yes = any(j.status not in (J.PROPOSED, J.DECLINED) and j.decision_at is not None
                          and (since is None or j.decision_at >= since) for j in order.jobs if j.origin == JobOrigin.ADDITIONAL)
                _set_pause(tx, other, PauseReason.CUSTOMER_APPROVED if yes else PauseReason.CUSTOMER_DECLINED)
    touch(order)
    _maybe_ready(tx, order)
    tx.audit("job", job.id, order_id=order.id, before={"status": "proposed"},
             after={"status": job.status, "decided_by": who, "channel": how, "technician_id": job.technician_id})
    return JobRef.of(tx, job)


@service("order.reschedule")
def reschedule(tx: Tx, order_id: int, promised_at: dt.datetime, told_customer: str, expected_version: int | None = None) -> OrderRef:
    """A schedule slip, reported to the customer like additional work (who was told)."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP), _("changing the promised time"))
    who = text(told_customer, "told_customer", max_len=80, required=True)
    if promised_at <= tx.now:
        raise ValidationError("promised_at", _("The promised time must be in the future."))
    before = {"promised_at": order.promised_at}
    order.promised_at = promised_at
    tx.audit("repair_order", order.id, order_id=order.id, before=before, after={"promised_at": promised_at, "told": who})
    return OrderRef.of(tx, order)


def car_holder(session: Session, order: RepairOrder, job: Job | None = None) -> int | None:
    """The technician who has the car: the one whose job waits for (or has) the customer's answer, else the
    one who last clocked on the order, else the technician who found the work; None when nobody (active) has it."""
    others = [j for j in order.jobs if job is None or j.id != job.id]
    candidates: list[int | None] = []
    paused = sorted((j for j in others if j.status == J.PAUSED and j.technician_id is not None
                     and j.pause_reason in (PauseReason.WAITING_APPROVAL, *ANSWERED)),
                    key=lambda j: (j.pause_reason_at or dt.datetime.min, j.id), reverse=True)
    candidates += [j.technician_id for j in paused]
    ids = [j.id for j in others]
    if ids:
        # A batch (the demo) writes its clock events when it ends, so no query sees them: its own
        # are the newest, the one the flush's query would have found.
        # It hands out ids as it adds records, so its newest is the last one of them that matches
        # (looked for from the end: a week's clock events are thousands, the order's are among the last).
        newest = next((e for e in reversed(unflushed(session, ClockEvent)) if e.technician_id is not None
                       and (e.job_id if e.job_id is not None else e.job.id) in ids), None)
        candidates.append(newest.technician_id if newest is not None else session.scalar(
            select(ClockEvent.technician_id).where(ClockEvent.job_id.in_(ids), ClockEvent.technician_id.is_not(None))
            .order_by(ClockEvent.id.desc()).limit(1)))
    if job is not None and job.proposed_by_id is not None:
        candidates.append(session.scalar(select(Technician.id).where(Technician.user_id == job.proposed_by_id)))
    for tech_id in candidates:
        if tech_id is None:
            continue
        tech = session.get(Technician, tech_id)
        if tech is not None and tech.active and tech.store_id == order.store_id:
            return tech.id
    return None


# Checks -------------------------------------------------------------------------------


def _check(tx: Tx, job: Job, kind: CheckKind, passed: bool, notes: str, recommendations: str = "") -> None:
    check = JobCheck(kind=kind, passed=passed, user_id=tx.actor.user_id, notes=text(notes, "notes", max_len=2000),
                     at=tx.now)
    check.job = job
    tx.session.add(check)
    said = text(recommendations, "recommendations", max_len=2000)
    if said:  # the leader's 维修建议: a recommendation the advisor puts to the customer
        recommendation_records.found(tx, job.order, description=said, check=check)


@service("job.self_check")
def self_check(tx: Tx, job_id: int, notes: str = "", expected_version: int | None = None) -> JobRef:
    job = _workshop_job(tx, job_id, expected_version)
    transition_job(job, J.SELF_CHECKED)
    _check(tx, job, CheckKind.SELF, True, notes)
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "finished"}, after={"status": job.status})
    return JobRef.of(tx, job)


@service("job.leader_check")
def leader_check(
    tx: Tx, job_id: int, *, passed: bool = True, notes: str = "", recommendations: str = "",
    expected_version: int | None = None,
) -> JobRef:
    job = _workshop_job(tx, job_id, expected_version)
    transition_job(job, J.LEADER_CHECKED if passed else J.IN_PROGRESS)
    if not passed:  # back on the bench, running: the technician's other running job pauses
        _pause_others(tx, job)
        _clock(tx, job, "resume")
    _check(tx, job, CheckKind.LEADER, passed, notes, recommendations)
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "self_checked"}, after={"status": job.status})
    return JobRef.of(tx, job)


@service("job.qc")
def final_qc(tx: Tx, job_id: int, *, passed: bool, notes: str = "", expected_version: int | None = None) -> JobRef:
    """总检: a fail sends the job back to the technician and counts one rework."""
    job = _workshop_job(tx, job_id, expected_version)
    if not passed and not notes.strip():
        raise ValidationError("notes", _("Say what failed so the technician can put it right."))
    transition_job(job, J.QC_PASSED if passed else J.IN_PROGRESS)
    if not passed:
        job.rework_count += 1
        _pause_others(tx, job)
        _clock(tx, job, "resume")
    _check(tx, job, CheckKind.QC, passed, notes)
    _maybe_ready(tx, job.order)
    tx.audit("job", job.id, order_id=job.order_id, before={"status": "leader_checked"},
             after={"status": job.status, "rework_count": job.rework_count})
    return JobRef.of(tx, job)


@service("order.wash")
def record_wash(tx: Tx, order_id: int, expected_version: int | None = None) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.IN_WORKSHOP,), _("the wash"))
    if not order.wash:
        raise ValidationError("wash", _("The customer did not ask for a wash."))
    if order.washed_at is not None:
        raise ValidationError("wash", _("The car has already been washed."))
    if not _all_work_passed(order):
        raise IllegalTransition(_("Wash the car after every job has passed QC."))
    order.washed_at = tx.now
    touch(order)
    _maybe_ready(tx, order)
    tx.audit("repair_order", order.id, order_id=order.id, after={"washed_at": tx.now, "status": order.status})
    return OrderRef.of(tx, order)


def _all_work_passed(order: RepairOrder) -> bool:
    live = [j for j in order.jobs if j.status != J.DECLINED]
    return bool(live) and all(j.status == J.QC_PASSED for j in live)


def _maybe_ready(tx: Tx, order: RepairOrder) -> None:
    """Ready when every approved job passed QC, nothing awaits a decision, washed if chosen."""
    if order.status == OrderStatus.IN_WORKSHOP and _all_work_passed(order) and (not order.wash or order.washed_at):
        transition_order(order, OrderStatus.READY, tx.now)
        order.ready_at = tx.now
        sanbao.refresh_order(tx, order)  # this visit's repairs and days counted (services/sanbao.py)


@service("order.reopen_workshop")
def reopen_workshop(tx: Tx, order_id: int, job_id: int, reason: str, expected_version: int | None = None) -> OrderRef:
    """The delivery check found the fault still there: the job goes back, counted as rework."""
    order = load_order(tx, order_id, expected_version)
    why = text(reason, "reason", max_len=400, required=True)
    transition_order(order, OrderStatus.IN_WORKSHOP, tx.now)
    job = next((j for j in order.jobs if j.id == job_id), None)
    if job is None or job.status != J.QC_PASSED:
        raise ValidationError("job", _("Pick a finished job on this order."))
    job.status = J.IN_PROGRESS
    job.rework_count += 1
    _pause_others(tx, job)
    _clock(tx, job, "resume")
    order.ready_at = None
    order.washed_at = None
    _check(tx, job, CheckKind.QC, False, why)
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": "ready"}, after={"status": order.status, "reason": why})
    return OrderRef.of(tx, order)


def teams(tx: Tx) -> list[Team]:
    return list(tx.session.query(Team).filter(Team.store_id == tx.actor.store_id))
