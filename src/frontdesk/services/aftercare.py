"""After the car left: the follow-up call (回访), complaints (投诉), service reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from frontdesk.i18n import gettext as _
from frontdesk.model import Complaint, FollowUp, ReminderCall, RepairOrder, Vehicle
from frontdesk.model.enums import ComplaintStatus, FollowUpStatus

from .common import get, text
from .context import Tx, check_version, flush_for_id, service
from .errors import NotFound, ValidationError

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(hours=4)
LOW_SCORE = 3  # a score at or below this opens a complaint case

SCORE_FIELDS = ("overall", "advisor", "quality", "timeliness", "price")


@dataclass(frozen=True)
class FollowUpResult:
    reached: bool
    scores: dict[str, int] | None = None
    comments: str = ""
    complaint: str = ""  # what the customer complains about, if anything


def _load_follow_up(tx: Tx, follow_up_id: int, expected_version: int | None) -> FollowUp:
    follow = get(tx.session, FollowUp, follow_up_id, "follow_up")
    if follow.store_id != tx.actor.store_id:
        raise NotFound("follow_up", _("No such follow-up call in this store."))
    check_version(follow, expected_version)
    return follow


@service("followup.record")
def record_follow_up(tx: Tx, follow_up_id: int, result: FollowUpResult, expected_version: int | None = None) -> FollowUp:
    """Reached: scores and comments (a low score or complaint opens a case). Not reached: retry, then escalate."""
    follow = _load_follow_up(tx, follow_up_id, expected_version)
    if follow.status == FollowUpStatus.DONE:
        raise ValidationError("follow_up", _("This call has already been recorded."))
    follow.attempts += 1
    follow.last_attempt_at = tx.now
    follow.caller_id = tx.actor.user_id
    follow.comments = text(result.comments, "comments", max_len=2000)
    complaint_id = None
    if not result.reached:
        follow.reached = False
        if follow.attempts >= MAX_ATTEMPTS:
            follow.status = FollowUpStatus.ESCALATED
        else:
            follow.due_at = tx.now + RETRY_AFTER
    else:
        scores = result.scores or {}
        unknown = set(scores) - set(SCORE_FIELDS)
        if unknown or set(SCORE_FIELDS) - set(scores):
            raise ValidationError("scores", _("Give a score from 1 to 5 for each question."))
        for name, score in scores.items():
            if not isinstance(score, int) or not 1 <= score <= 5:
                raise ValidationError(f"score_{name}", _("A score is from 1 to 5."))
            setattr(follow, f"score_{name}", score)
        follow.reached = True
        follow.status = FollowUpStatus.DONE
        words = text(result.complaint, "complaint", max_len=2000)
        if words or min(scores.values()) <= LOW_SCORE:
            order = tx.session.get(RepairOrder, follow.order_id)
            assert order is not None
            complaint = Complaint(
                store_id=follow.store_id, order_id=order.id, customer_id=order.customer_id,
                status=ComplaintStatus.OPEN, opened_by_id=tx.actor.user_id, opened_at=tx.now,
                description=words or _("Low score in the follow-up call: {comments}").format(comments=follow.comments),
            )
            tx.session.add(complaint)
            flush_for_id(tx.session, complaint)  # the id goes into the follow-up's audit record
            complaint_id = complaint.id
    tx.audit("follow_up", follow.id, order_id=follow.order_id,
             after={"reached": result.reached, "status": follow.status, "attempts": follow.attempts, "complaint_id": complaint_id})
    return follow


@service("complaint.open")
def open_complaint(tx: Tx, order_id: int, description: str) -> Complaint:
    order = get(tx.session, RepairOrder, order_id, "order")
    complaint = Complaint(
        store_id=tx.actor.store_id, order_id=order.id, customer_id=order.customer_id, status=ComplaintStatus.OPEN,
        description=text(description, "description", max_len=2000, required=True),
        opened_by_id=tx.actor.user_id, opened_at=tx.now,
    )
    tx.session.add(complaint)
    tx.audit("complaint", complaint, order_id=order.id, after={"status": complaint.status})
    return complaint


@service("complaint.update")
def update_complaint(
    tx: Tx, complaint_id: int, *, owner_id: int | None = None, status: ComplaintStatus | str | None = None,
    resolution: str | None = None, expected_version: int | None = None,
) -> Complaint:
    complaint = get(tx.session, Complaint, complaint_id, "complaint")
    check_version(complaint, expected_version)
    before = {"status": complaint.status, "owner_id": complaint.owner_id}
    if owner_id is not None:
        complaint.owner_id = owner_id
    if resolution is not None:
        complaint.resolution = text(resolution, "resolution", max_len=4000)
    if status is not None:
        new = ComplaintStatus(status)
        if new == ComplaintStatus.RESOLVED:
            if not complaint.resolution:
                raise ValidationError("resolution", _("Write down how the complaint was resolved."))
            complaint.resolved_at = tx.now
        complaint.status = new
    tx.audit("complaint", complaint.id, order_id=complaint.order_id, before=before,
             after={"status": complaint.status, "owner_id": complaint.owner_id})
    return complaint


@service("reminder.record")
def record_reminder_call(tx: Tx, vehicle_id: int, reached: bool, result: str = "", notes: str = "") -> ReminderCall:
    vehicle = get(tx.session, Vehicle, vehicle_id, "vehicle")
    call = ReminderCall(
        store_id=tx.actor.store_id, vehicle_id=vehicle.id, reached=reached, result=text(result, "result", max_len=200),
        notes=text(notes, "notes", max_len=2000), caller_id=tx.actor.user_id, at=tx.now,
    )
    tx.session.add(call)
    tx.audit("reminder_call", call, after={"vehicle_id": vehicle.id, "reached": reached})
    return call
