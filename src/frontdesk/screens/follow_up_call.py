"""One follow-up call recorded: the dialog and what it led to, for the follow-up queue and the desk home.

Both screens open the same dialog for a call that is due (the desk home lists today's calls
too), so it lives here rather than in either screen: screens never import each other. Under
the call's summary it names what the visit left undone (the recommendations not taken up,
services/recommendations.py), for the caller to offer again.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.model.enums import FollowUpStatus
from frontdesk.services import aftercare, aftercare_views, recommendations
from frontdesk.services.aftercare_views import CallItem, CallOutcome
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.recommendations import RecommendationRow

from . import pipeline
from .aftercare_modals import CallEntry, FollowUpDialog


def record_call(services: Services, actor: Actor, follow_up_id: int, version: int, entry: CallEntry) -> CallOutcome:
    aftercare.record_follow_up(services, actor, follow_up_id, aftercare.FollowUpResult(
        reached=entry.reached, scores=entry.scores, comments=entry.comments, complaint=entry.complaint),
        expected_version=version)
    return aftercare_views.call_outcome(services, actor, follow_up_id)


def close_call(services: Services, actor: Actor, item: CallItem, note: str) -> CallOutcome:
    aftercare.close_follow_up(services, actor, item.id, note, expected_version=item.version)
    return aftercare_views.call_outcome(services, actor, item.id)


def outcome_message(outcome: CallOutcome) -> tuple[str, str]:
    """What to tell the caller, and how loudly ("information" | "warning")."""
    if outcome.status == FollowUpStatus.ESCALATED:
        return _("Not reached {n} times: the call goes to the service manager.").format(n=outcome.attempts), "warning"
    if outcome.status == FollowUpStatus.DUE:
        return _("Not reached: next try {time}.").format(time=outcome.due_at.strftime("%m-%d %H:%M")), "information"
    if not outcome.reached:
        return _("The call is closed without reaching the customer."), "information"
    scores = "/".join(str(s) for s in outcome.scores)
    if outcome.complaint_id is not None:
        return _("Recorded ({scores}). Complaint case no. {id} opened for the service manager.").format(
            scores=scores, id=outcome.complaint_id), "warning"
    return _("Recorded ({scores}). Thank you.").format(scores=scores), "information"


def report_outcome(screen: Screen[Any], outcome: CallOutcome | FrontdeskError | None) -> bool:
    """Tell the caller what a recorded call led to; False when the dialog was left with Esc."""
    if outcome is None:
        return False
    if isinstance(outcome, FrontdeskError):
        screen.notify(str(outcome), title=_("Not saved"), severity="error", timeout=8)
    else:
        message, severity = outcome_message(outcome)
        screen.notify(message, severity=severity, timeout=8)  # type: ignore[arg-type]
    return True


class RecordCallDialog(FollowUpDialog):
    """The record dialog for one call, saved as the signed-in user; dismissed with a ``CallOutcome``.

    ``RecordCallDialog(follow_up_id=, version=, customer_name=, phone=, plate=, order_number=,
    attempts=, summary="")``; :meth:`for_row` takes a desk home ``FollowUpRow`` (or a ``CallItem``).
    Show the result with :func:`report_outcome` (or :func:`outcome_message`).
    """

    def __init__(self, *, follow_up_id: int, version: int, customer_name: str, phone: str, plate: str,
                 order_number: str, attempts: int, summary: str = "", order_id: int | None = None) -> None:
        super().__init__(
            title=_("Follow-up call · {name} {phone}").format(name=customer_name, phone=phone),
            summary=summary or _("{plate} · order {number} · tries so far {n}").format(
                plate=plate, number=order_number, n=attempts),
            save=self._save_call)
        self._follow_up_id = follow_up_id
        self._version = version
        self._who: tuple[Services, Actor] | None = None
        self._order_id = order_id

    @classmethod
    def for_row(cls, row: Any, summary: str = "") -> RecordCallDialog:
        return cls(follow_up_id=row.id, version=row.version, customer_name=row.customer_name, phone=row.phone,
                   plate=row.plate, order_number=row.order_number, attempts=row.attempts, summary=summary,
                   order_id=getattr(row, "order_id", None))

    def on_mount(self) -> None:
        fd = self.app
        self._who = (fd.services, fd.actor)  # type: ignore[attr-defined]
        super().on_mount()
        if self._order_id is not None:  # what the visit left undone: the caller offers it again
            pipeline.call(self, recommendations.for_order, *self._who, self._order_id, then=self._show_not_done,
                          failed=lambda _error: None, group="call-recommendations", saves=False)

    def _show_not_done(self, rows: tuple[RecommendationRow, ...]) -> None:
        items = ["⚠ " + r.description if r.safety else r.description for r in rows if r.open]
        if items:
            self.query_one("#call-summary", Static).update(self._summary + "\n" + _(
                "Not done on this visit, to offer again: {items}").format(items="; ".join(items)))

    def _save_call(self, entry: CallEntry) -> CallOutcome:  # in the dialog's worker
        assert self._who is not None
        services, actor = self._who
        return record_call(services, actor, self._follow_up_id, self._version, entry)
