"""After the car left: the follow-up call (回访), complaints (投诉), service reminders (保养提醒).

Rules a service department runs by, where the brief leaves them open:

- A call not reached is tried again :data:`RETRY_AFTER` later, but never outside calling
  hours (:data:`CALL_OPENS`–:data:`CALL_CLOSES`): a retry that would fall in the evening
  moves to :data:`RETRY_AT` the next morning, one that would fall before opening to
  :data:`RETRY_AT` that day. Stores are open every day, so weekends are not skipped.
- After :data:`MAX_ATTEMPTS` misses the call is ``escalated``: it leaves the advisors'
  queue for the service manager's, instead of expiring silently. It can still be
  recorded (the customer may call back), and only the manager may close it unreached,
  with a note saying why (wrong number, customer asked not to be called...).
- A reached call with any score at or below :data:`LOW_SCORE`, or with complaint words,
  opens a complaint case. A case has an owner (a user of the store), a status (open →
  in progress → resolved; a resolved case may be reopened) and, to be resolved, a written
  resolution. Every change is audited with the state before and after.
- A reminder call records reached or not, a result code (:data:`REMINDER_RESULTS`) and
  notes; the reminders list (services/aftercare_views.py) keeps a vehicle whose call was
  not reached and drops one reached for :data:`REMINDER_QUIET_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from frontdesk.i18n import gettext as _
from frontdesk.labels import SCORE_QUESTION, label
from frontdesk.model import Complaint, FollowUp, ReminderCall, RepairOrder, User, Vehicle
from frontdesk.model.enums import ComplaintStatus, FollowUpStatus, Role

from .common import get, load_order, text
from .context import Tx, check_version, flush_for_id, service
from .errors import IllegalTransition, NotFound, ValidationError
from .refs import ComplaintRef, FollowUpRef, Saved

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(hours=4)
CALL_OPENS = dt.time(9, 0)
CALL_CLOSES = dt.time(18, 0)
RETRY_AT = dt.time(10, 0)  # a retry pushed out of the evening is made the next morning at this time
LOW_SCORE = 3  # a score at or below this opens a complaint case

SCORE_FIELDS = ("overall", "advisor", "quality", "timeliness", "price")

#: Reminder call results: the first four mean the customer was reached.
REMINDER_REACHED = ("booked", "later", "declined", "elsewhere")
REMINDER_NOT_REACHED = ("no_answer", "wrong_number")
REMINDER_RESULTS = REMINDER_REACHED + REMINDER_NOT_REACHED
REMINDER_QUIET_DAYS = 14  # a reached vehicle leaves the reminders list this long

#: Complaint status changes allowed (resolved may be reopened: the customer was not satisfied after all).
COMPLAINT_MOVES: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.OPEN: frozenset({ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED}),
    ComplaintStatus.IN_PROGRESS: frozenset({ComplaintStatus.RESOLVED}),
    ComplaintStatus.RESOLVED: frozenset({ComplaintStatus.IN_PROGRESS}),
}
#: Who may own a complaint case.
OWNER_ROLES = frozenset({Role.MANAGER, Role.ADVISOR, Role.SUPERVISOR, Role.CASHIER})


@dataclass(frozen=True)
class FollowUpResult:
    reached: bool
    scores: dict[str, int] | None = None
    comments: str = ""
    complaint: str = ""  # what the customer complains about, if anything


def next_try(now: dt.datetime) -> dt.datetime:
    """When to call again after a miss: four hours on, inside calling hours."""
    retry = now + RETRY_AFTER
    if retry.time() >= CALL_CLOSES:
        return dt.datetime.combine(retry.date() + dt.timedelta(days=1), RETRY_AT)
    if retry.time() < CALL_OPENS:
        return dt.datetime.combine(retry.date(), RETRY_AT)
    return retry


def _load_follow_up(tx: Tx, follow_up_id: int, expected_version: int | None) -> FollowUp:
    follow = get(tx.session, FollowUp, follow_up_id, "follow_up")
    if follow.store_id != tx.actor.store_id:
        raise NotFound("follow_up", _("No such follow-up call in this store."))
    check_version(follow, expected_version)
    return follow


@service("followup.record")
def record_follow_up(tx: Tx, follow_up_id: int, result: FollowUpResult, expected_version: int | None = None) -> FollowUpRef:
    """Reached: scores and comments (a low score or complaint opens a case). Not reached: retry, then escalate."""
    follow = _load_follow_up(tx, follow_up_id, expected_version)
    if follow.status == FollowUpStatus.DONE:
        raise ValidationError("follow_up", _("This call has already been recorded."))
    before = {"status": follow.status, "attempts": follow.attempts, "due_at": follow.due_at}
    comments = text(result.comments, "comments", max_len=2000)
    complaint_id = None
    if not result.reached:
        follow.reached = False
        if follow.attempts + 1 >= MAX_ATTEMPTS:
            follow.status = FollowUpStatus.ESCALATED
        else:
            follow.due_at = next_try(tx.now)
    else:
        scores = result.scores or {}
        unknown = set(scores) - set(SCORE_FIELDS)
        if unknown or set(SCORE_FIELDS) - set(scores):
            raise ValidationError("scores", _("Give a score from 1 to 5 for each question."))
        for name, score in scores.items():
            if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
                raise ValidationError(f"score_{name}", _("A score is from 1 to 5."))
        words = text(result.complaint, "complaint", max_len=2000)
        for name, score in scores.items():
            setattr(follow, f"score_{name}", score)
        follow.reached = True
        follow.status = FollowUpStatus.DONE
        if words or min(scores.values()) <= LOW_SCORE:
            order = tx.session.get(RepairOrder, follow.order_id)
            assert order is not None
            low = ", ".join(f"{label(SCORE_QUESTION, name)} {scores[name]}"
                            for name in SCORE_FIELDS if scores[name] <= LOW_SCORE)
            complaint = Complaint(
                store_id=follow.store_id, order_id=order.id, customer_id=order.customer_id,
                status=ComplaintStatus.OPEN, opened_by_id=tx.actor.user_id, opened_at=tx.now,
                description=words or _("Low score in the follow-up call ({scores}): {comments}").format(
                    scores=low, comments=comments or "—"),
            )
            tx.session.add(complaint)
            flush_for_id(tx.session, complaint)  # the id goes into the follow-up's audit record
            complaint_id = complaint.id
    follow.attempts += 1
    follow.last_attempt_at = tx.now
    follow.caller_id = tx.actor.user_id
    follow.comments = comments
    tx.audit("follow_up", follow.id, order_id=follow.order_id, before=before,
             after={"reached": result.reached, "status": follow.status, "attempts": follow.attempts,
                    "due_at": follow.due_at, "complaint_id": complaint_id})
    return FollowUpRef.of(tx, follow)


@service("followup.close")
def close_follow_up(tx: Tx, follow_up_id: int, note: str, expected_version: int | None = None) -> FollowUpRef:
    """The service manager gives up on an escalated call, saying why; it leaves every queue."""
    follow = _load_follow_up(tx, follow_up_id, expected_version)
    if follow.status != FollowUpStatus.ESCALATED:
        raise IllegalTransition(_("Only a call escalated to the service manager can be closed unreached."))
    why = text(note, "note", max_len=2000, required=True)
    follow.status = FollowUpStatus.DONE
    follow.reached = False
    follow.comments = why
    tx.audit("follow_up", follow.id, order_id=follow.order_id,
             before={"status": FollowUpStatus.ESCALATED}, after={"status": follow.status, "note": why})
    return FollowUpRef.of(tx, follow)


@service("complaint.open")
def open_complaint(tx: Tx, order_id: int, description: str) -> ComplaintRef:
    """A complaint made at the desk, at the till or on the phone, about one of this store's orders."""
    order = load_order(tx, order_id)
    complaint = Complaint(
        store_id=tx.actor.store_id, order_id=order.id, customer_id=order.customer_id, status=ComplaintStatus.OPEN,
        description=text(description, "description", max_len=2000, required=True),
        opened_by_id=tx.actor.user_id, opened_at=tx.now,
    )
    tx.session.add(complaint)
    tx.audit("complaint", complaint, order_id=order.id, after={"status": complaint.status})
    return ComplaintRef.of(tx, complaint)


def _owner(tx: Tx, owner_id: int) -> User:
    user = tx.session.get(User, owner_id)
    if user is None or user.store_id != tx.actor.store_id or not user.active:
        raise ValidationError("owner", _("No such user in this store."))
    if user.role not in OWNER_ROLES:
        raise ValidationError("owner", _("A complaint is owned by a service manager, advisor, supervisor or cashier."))
    return user


@service("complaint.update")
def update_complaint(
    tx: Tx, complaint_id: int, *, owner_id: int | None = None, status: ComplaintStatus | str | None = None,
    resolution: str | None = None, expected_version: int | None = None,
) -> ComplaintRef:
    """Give the case an owner, move it on (in progress, resolved with a resolution, reopened)."""
    complaint = get(tx.session, Complaint, complaint_id, "complaint")
    if complaint.store_id != tx.actor.store_id:
        raise NotFound("complaint", _("No such complaint in this store."))
    check_version(complaint, expected_version)
    before = {"status": complaint.status, "owner_id": complaint.owner_id, "resolution": complaint.resolution}
    if owner_id is not None:
        complaint.owner_id = _owner(tx, owner_id).id
    if resolution is not None:
        complaint.resolution = text(resolution, "resolution", max_len=4000)
    if status is not None:
        try:
            new = ComplaintStatus(status)
        except ValueError:
            raise ValidationError("status", _("No such complaint status.")) from None
        if new != complaint.status:
            if new not in COMPLAINT_MOVES[complaint.status]:
                raise IllegalTransition(_("A complaint cannot go from {old} to {new}.").format(
                    old=complaint.status.value, new=new.value))
            if new == ComplaintStatus.RESOLVED:
                if not complaint.resolution:
                    raise ValidationError("resolution", _("Write down how the complaint was resolved."))
                complaint.resolved_at = tx.now
            else:
                complaint.resolved_at = None
            if complaint.owner_id is None:  # whoever moves an unowned case on takes it
                complaint.owner_id = tx.actor.user_id
            complaint.status = new
    elif owner_id is None and resolution is None:
        raise ValidationError("complaint", _("Nothing to change."))
    tx.audit("complaint", complaint.id, order_id=complaint.order_id, before=before,
             after={"status": complaint.status, "owner_id": complaint.owner_id, "resolution": complaint.resolution})
    return ComplaintRef.of(tx, complaint)


@service("reminder.record")
def record_reminder_call(tx: Tx, vehicle_id: int, reached: bool, result: str = "", notes: str = "") -> Saved:
    """A next-service reminder call: reached or not, what came of it (a code of REMINDER_RESULTS), notes."""
    vehicle = get(tx.session, Vehicle, vehicle_id, "vehicle")
    code = text(result, "result", max_len=200) or ("later" if reached else "no_answer")
    if code not in (REMINDER_REACHED if reached else REMINDER_NOT_REACHED):
        raise ValidationError("result", _("This result does not fit a call that was {how}.").format(
            how=_("reached") if reached else _("not reached")))
    call = ReminderCall(
        store_id=tx.actor.store_id, vehicle_id=vehicle.id, reached=reached, result=code,
        notes=text(notes, "notes", max_len=2000), caller_id=tx.actor.user_id, at=tx.now,
    )
    tx.session.add(call)
    tx.audit("reminder_call", call, after={"vehicle_id": vehicle.id, "reached": reached, "result": code})
    return Saved.of(tx, call)

