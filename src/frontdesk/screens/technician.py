"""The technician's bench (技师): my jobs, the clock, parts, additional work, checks.

A technician sees the jobs dispatched to them; a team leader sees the whole team's (and
does the leader check); the supervisor and the service manager see every job in the
workshop. Rushed and urgent jobs come first. Each row shows the job's state ("waiting
parts" while a part ordered for it has not arrived), its priority and the clocked time
against the sold hours; the list under it holds the selected job's parts with their stock
and order state.

Keys: S starts (or resumes) the selected job, P pauses it (1 waiting parts, 2 waiting
approval, 3 other), F finishes it. One job at a time: starting or resuming a job pauses the
technician's other running job ("switched"), so the clocked hours stay true. A job paused
for the customer's answer shows it ("customer approved 10:42"); its resume records it.
Finishing a job with parts not issued asks why (1 supplied by the customer, 2 not needed).
I issues its parts (领料; on the parts list, the line under the cursor): what the store room
cannot cover is requested from the supplier and the job waits for it; O requests a part
explicitly. A proposes additional work found on the car (增项: a catalog operation with F2
or a description, hours, parts with F3, a note; the running job can wait for the customer's
answer). C is the technician's self-check, L the
team leader's check (pass with F6, send back with F7, with notes and recommendations).
N records a recommendation (what, why, safety-related, a price): something the car needs
that the advisor puts to the customer at delivery, without stopping the work for it.
Tab moves between the jobs and the parts. The list is read again every 30 seconds, so the
clock keeps moving and work dispatched meanwhile appears.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import BACK, REFRESH, binding
from frontdesk.labels import PART_ORDER, PAUSE_REASON, PRIORITY, UNISSUED_PARTS, label, status
from frontdesk.model.enums import JobPriority, JobStatus, PauseReason
from frontdesk.services import desk, part_orders, workshop
from frontdesk.services import workshop_views as views
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.services.workshop import ANSWERED
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip

from .base import DeskScreen
from .recommendation_dialogs import open_recommend
from .workshop_modals import CheckResult, CheckScreen, ChoiceScreen, Proposal, ProposeScreen, fixed_columns, hours

J = JobStatus
PRIORITY_STYLE = {JobPriority.NORMAL: "", JobPriority.URGENT: "bold yellow", JobPriority.RUSH: "bold white on red"}
STATE_STYLE = {J.IN_PROGRESS: "bold green", J.PAUSED: "bold yellow", J.FINISHED: "cyan", J.SELF_CHECKED: "cyan"}
REFRESH_SECONDS = 30
#: Which job states each key works in.
WHEN = {
    "start": (J.ASSIGNED, J.PAUSED),
    "pause": (J.IN_PROGRESS,),
    "finish": (J.IN_PROGRESS,),
    "self_check": (J.FINISHED,),
    "leader_check": (J.SELF_CHECKED,),
    "issue": (J.ASSIGNED, J.IN_PROGRESS, J.PAUSED),
    "request": (J.ASSIGNED, J.IN_PROGRESS, J.PAUSED),
    "propose": (J.ASSIGNED, J.IN_PROGRESS, J.PAUSED, J.FINISHED, J.SELF_CHECKED),
    "recommend": tuple(J),  # anything found on the car, at any stage of the job
}
#: The permission behind each key (a role without it does not see the key at all).
ACTION = {
    "start": "job.start", "pause": "job.pause", "finish": "job.finish", "self_check": "job.self_check",
    "leader_check": "job.leader_check", "issue": "parts.issue", "request": "parts.request", "propose": "job.propose",
    "recommend": "recommendation.add",
}


def clock_text(job: views.TechJob) -> Text:
    """"0:25 / 1.5 h": clocked against sold; red once it runs over."""
    minutes = job.clocked_minutes
    over = minutes > int(job.hours * 60)
    text = Text(f"{minutes // 60}:{minutes % 60:02d}", style="bold red" if over else ("bold" if job.running else ""))
    text.append(f" / {hours(job.hours)} h", style="dim")
    return text


def state_text(job: views.TechJob) -> Text:
    if job.waiting_parts:
        return Text(_("Waiting parts"), style="bold magenta")
    if job.status == J.PAUSED and job.pause_reason in ANSWERED:
        at = job.pause_reason_at.strftime("%H:%M") if job.pause_reason_at else ""
        if job.pause_reason == PauseReason.CUSTOMER_APPROVED:  # short: the state column is 16 cells
            return Text(_("Approved {time}").format(time=at).strip(), style="bold green")
        return Text(_("Declined {time}").format(time=at).strip(), style="bold cyan")
    if job.status == J.PAUSED and job.pause_reason is not None:
        return Text(_("Paused: {reason}").format(reason=label(PAUSE_REASON, job.pause_reason)), style="bold yellow")
    return Text(status(job.status), style=STATE_STYLE.get(job.status, ""))


def answer_text(job: views.TechJob) -> str:
    """"the customer approved at 10:42": what a job paused for the customer's answer waited for."""
    at = job.pause_reason_at.strftime("%H:%M") if job.pause_reason_at else "—"
    if job.pause_reason == PauseReason.CUSTOMER_APPROVED:
        return _("the customer approved at {time}").format(time=at)
    return _("the customer declined at {time}").format(time=at)


class TechnicianScreen(DeskScreen):
    """``TechnicianScreen()``: the home of technicians and team leaders."""

    CSS_PATH = "../assets/styles/technician.tcss"
    AUTO_FOCUS = "#bench"

    BINDINGS = [
        binding("s", "start", "Start", tooltip="Start the selected job, or resume it"),
        binding("p", "pause", "Pause", tooltip="Pause: waiting parts, waiting approval, other"),
        binding("f", "finish", "Finish", tooltip="The work on the selected job is done"),
        binding("i", "issue", "Issue", tooltip="Issue the job's parts (short: ordered, the job waits)"),
        binding("o", "request", "Order part", tooltip="Request the selected part from the supplier"),
        binding("a", "propose", "Extra work", tooltip="Propose work found on the car for the customer's decision"),
        binding("c", "self_check", "Self-check", tooltip="Check your own finished work"),
        binding("l", "leader_check", "Leader check", tooltip="Team leader: check the work, with recommendations"),
        binding("n", "recommend", "Recommend",
                tooltip="Record something the car needs for the customer (the advisor puts it to them at delivery)"),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the jobs again"),
        binding("tab", "next_area", "Jobs / parts", show=False),
        binding("shift+tab", "next_area", "Jobs / parts", show=False),
        binding(BACK, "back", "Back", show=False, key_display="Esc"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._list: views.WorkList | None = None
        self._busy = False
        self._parts_shown: tuple[views.TechJob | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static("", id="bench-head")
        yield ListTable(id="bench", classes="bench-list")
        yield ListTable(id="bench-parts", classes="bench-list")
        yield Static("", id="bench-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self._bench, (_("Plate"), 9), ("#", 2), (_("Job"), 18), (_("State"), 16), (_("Clock / sold"), 12),
                      (_("Priority"), 6), (_("Technician"), 14), (_("Promised"), 11), Col(_("Order no."), 18, whole=True))
        fixed_columns(self._parts, Col(_("Part no."), 12, whole=True), (_("Part"), 16), (_("Qty"), 4), (_("Issued qty"), 4),
                      (_("On hand"), 4), (_("Order"), 9), (_("Expected"), 5))
        self._parts.border_title = _("Parts")
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def _tick(self) -> None:
        if self.is_current and not self._busy:
            self.action_refresh()

    @property
    def _bench(self) -> ListTable:
        return self.query_one("#bench", ListTable)

    @property
    def _parts(self) -> ListTable:
        return self.query_one("#bench-parts", ListTable)

    # Reading ---------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(views.work_list, self.services, self.actor, then=self._show, failed=self._failed,
                          group="bench")

    def _failed(self, error: FrontdeskError) -> None:
        self._busy = False
        self.show_error(error)

    def _show(self, work: views.WorkList) -> None:
        self._busy = False
        self._list = work
        today = work.taken_at.date()
        keep = self._bench.cursor_key
        self._bench.clear()
        for j in work.jobs:
            promised = j.promised_at.strftime("%H:%M" if j.promised_at.date() == today else "%m-%d %H:%M") \
                if j.promised_at else "—"
            self._bench.add_row(
                Text(j.plate, style="bold"), str(j.seq), clip(j.description, 18), state_text(j), clock_text(j),
                Text(label(PRIORITY, j.priority), style=PRIORITY_STYLE[j.priority]), clip(j.technician, 14), promised,
                j.order_number, key=f"j{j.id}")
        self._bench.move_to_key(keep)
        if work.scope == "own":
            head = _("Jobs of {name}").format(name=work.title)
        elif work.scope == "team":
            head = _("Jobs of team {name}").format(name=work.title)
        else:
            head = _("Every job in the workshop")
        self._bench.border_title = f"{head} ({len(work.jobs)})"
        running = sum(1 for j in work.jobs if j.running)
        self.query_one("#bench-head", Static).update(Text.assemble(
            (head, "bold"), "  ", _("{n} running · {w} waiting parts").format(
                n=running, w=sum(1 for j in work.jobs if j.waiting_parts))))
        self._show_parts()
        self.refresh_bindings()

    def _job(self) -> views.TechJob | None:
        key = self._bench.cursor_key
        if self._list is None or key is None:
            return None
        return next((j for j in self._list.jobs if f"j{j.id}" == key), None)

    def _show_parts(self) -> None:
        job = self._job()
        if self._parts_shown == (job,) and job is not None:
            return  # the same job as shown: refilling the table would only make it flicker
        self._parts_shown = (job,)
        keep = self._parts.cursor_key
        self._parts.clear()
        detail = Text()
        if job is not None:
            for p in job.parts:
                req = p.open_request or (p.requests[-1] if p.requests else None)
                state = Text(label(PART_ORDER, req.state), style="bold magenta" if p.open_request else "") if req \
                    else (Text(_("SHORT"), style="bold white on red") if p.short else Text(""))
                expected = req.expected_on.strftime("%m-%d") if req and req.expected_on else ""
                self._parts.add_row(Text(p.number, style="bold"), clip(p.name, 16), hours(p.qty), hours(p.issued),
                                    hours(p.on_hand), state, expected, key=f"p{p.id}")
            self._parts.move_to_key(keep)
            self._parts.border_title = _("Parts of {job}").format(job=clip(job.description, 24))
            detail.append(f"{job.order_number} · {job.model}", style="dim")
            if job.rework_count:
                detail.append("  " + _("Rework ×{n}").format(n=job.rework_count), style="bold red")
            if job.status == J.PAUSED and job.pause_reason in ANSWERED:
                detail.append("  " + _("Paused for the customer: {answer} · S resumes").format(answer=answer_text(job)),
                              style="bold green")
            if job.last_check_notes:
                detail.append("  " + _("Last check: {notes}").format(notes=clip(job.last_check_notes, 60)))
        else:
            self._parts.border_title = _("Parts")
            detail.append(_("No jobs for you right now. New work shows here when it is dispatched."), style="dim")
        self.query_one("#bench-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#bench")
    def _job_moved(self, event: DataTable.RowHighlighted) -> None:
        self._show_parts()
        self.refresh_bindings()

    def action_next_area(self) -> None:
        (self._parts if self.focused is self._bench else self._bench).focus()

    # Which keys apply -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION:
            if not allowed(self.actor.role, ACTION[action]):
                return False  # never this role's work: not offered at all
            job = self._job()
            if job is None or job.status not in WHEN[action] or self._busy:
                return None  # shown, dimmed
            return True
        if action == "back":
            return self.app.screen_stack.index(self) > 1 if self in self.app.screen_stack else False
        return super().check_action(action, parameters)

    # Acting ---------------------------------------------------------------------------------------

    def _call(self, fn: Any, *args: Any, done: str | None = None, **kwargs: Any) -> None:
        """One change, then the list read again (the job's new version is what the next change expects)."""
        self._busy = True
        self.refresh_bindings()

        def then(_result: Any) -> None:
            if done:
                self.notify(done)
            self.action_refresh()

        def failed(error: FrontdeskError) -> None:
            self._busy = False
            self.show_error(error)
            self.action_refresh()

        self.call_service(fn, self.services, self.actor, *args, then=then, failed=failed, **kwargs)

    def why_not(self, action: str) -> str | None:
        """The one line a dimmed key says (the leader check before the self-check, a pause of a job not started)."""
        if action not in WHEN:
            return None
        job = self._job()
        if job is None:
            return _("No job is selected.")
        if self._busy:
            return _("Wait a moment: the last change is still being saved.")
        return _("{job} ({plate}) is {state}: not now.").format(
            job=job.description, plate=job.plate, state=state_text(job).plain)

    def _ready(self, action: str) -> views.TechJob | None:
        job = self._job()
        if job is None or self._busy or job.status not in WHEN[action]:
            return None
        return job

    def action_start(self) -> None:
        job = self._ready("start")
        if job is None:
            return
        fn = workshop.resume_job if job.status == J.PAUSED else workshop.start_job
        done = None
        if job.status == J.PAUSED and job.pause_reason in ANSWERED:
            done = _("{job} goes on: {answer}.").format(job=job.description, answer=answer_text(job))
        switched = [j for j in (self._list.jobs if self._list else ()) if j.running and j.id != job.id
                    and j.technician_id == job.technician_id]
        if switched:
            switch = _("{job} paused: one job at a time.").format(job=", ".join(j.description for j in switched))
            done = f"{done} {switch}" if done else switch
        self._call(fn, job.id, expected_version=job.version, done=done)

    def action_pause(self) -> None:
        job = self._ready("pause")
        if job is None:
            return
        choices = [("1", PauseReason.WAITING_PARTS.value, _("Waiting parts")),
                   ("2", PauseReason.WAITING_APPROVAL.value, _("Waiting approval")),
                   ("3", PauseReason.OTHER.value, _("Other"))]

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self._call(workshop.pause_job, job.id, reason, expected_version=job.version)

        self.app.push_screen(ChoiceScreen(_("Why does {job} pause?").format(job=job.description), choices), chosen)

    def action_finish(self) -> None:
        job = self._ready("finish")
        if job is None:
            return
        missing = [p for p in job.parts if p.to_issue > 0]
        if not missing:
            self._call(workshop.finish_job, job.id, expected_version=job.version)
            return
        # Parts sold with the job were never issued: say why before it counts as done.
        choices = [("1", "customer_supplied", label(UNISSUED_PARTS, "customer_supplied")),
                   ("2", "not_needed", label(UNISSUED_PARTS, "not_needed"))]

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self._call(workshop.finish_job, job.id, expected_version=job.version, unissued_reason=reason)

        title = _("Not issued: {parts}. Why is {job} finished without them?").format(
            parts=", ".join(clip(p.name, 16) for p in missing), job=job.description)
        self.app.push_screen(ChoiceScreen(title, choices), chosen)

    def _part_lines(self, job: views.TechJob) -> list[views.TechPart]:
        """The part line under the cursor when the parts list has the focus, else all the job's lines."""
        if self.focused is self._parts:
            key = self._parts.cursor_key
            return [p for p in job.parts if f"p{p.id}" == key]
        return list(job.parts)

    def action_issue(self) -> None:
        job = self._ready("issue")
        if job is None:
            return
        lines = [p for p in self._part_lines(job) if p.to_issue > 0 and not (p.open_request and p.on_hand <= 0)]
        if not lines:
            self.notify(_("Nothing to issue: every part is issued or on order."), severity="warning")
            return
        services, actor = self.services, self.actor

        def run() -> tuple[int, int]:
            issued = 0
            for p in lines:
                line = workshop.issue_parts(services, actor, p.id)
                issued += 1 if line.issued_qty > p.issued else 0
            return issued, sum(1 for p in lines if p.short and p.open_request is None)

        def then(result: tuple[int, int]) -> None:
            issued, ordered = result
            message = _("{n} parts issued.").format(n=issued)
            if ordered:
                message += " " + _("{n} short: ordered, the job waits for them.").format(n=ordered)
            self.notify(message, title=job.plate)
            self.action_refresh()

        def failed(error: FrontdeskError) -> None:
            self._busy = False
            self.show_error(error)
            self.action_refresh()

        self._busy = True
        self.call_service(run, then=then, failed=failed)

    def action_request(self) -> None:
        job = self._ready("request")
        if job is None:
            return
        lines = [p for p in self._part_lines(job) if p.to_issue > 0 and p.open_request is None]
        if self.focused is not self._parts:
            lines = [p for p in lines if p.short]
        if not lines:
            self.notify(_("Pick a part on the parts list (Tab) to order it."), severity="warning")
            return
        services, actor = self.services, self.actor

        def run() -> int:
            for p in lines:
                part_orders.request_part(services, actor, p.id, p.to_issue if self.focused is self._parts else None)
            return len(lines)

        self._busy = True
        self.call_service(run, then=lambda n: (self.notify(_("{n} parts requested from the supplier.").format(n=n)),
                                               self.action_refresh()),
                          failed=self._failed)

    def action_propose(self) -> None:
        job = self._ready("propose")
        if job is None:
            return
        screen = ProposeScreen(job.plate, can_pause=job.status == J.IN_PROGRESS,
                               search_ops=partial(desk.find_labor_ops, self.services),
                               search_parts=partial(desk.find_parts, self.services, self.actor))

        def proposed(p: Proposal | None) -> None:
            if p is None:
                return
            self._call(workshop.propose_additional, job.order_id, description=p.description,
                       hours=p.hours or None, labor_op_id=p.labor_op_id, note=p.note, parts=p.parts,
                       pause_job_id=job.id if p.pause_current else None,
                       done=_("Proposed: the advisor asks the customer."))

        self.app.push_screen(screen, proposed)

    def action_recommend(self) -> None:
        job = self._ready("recommend")
        if job is not None:
            open_recommend(self, job.order_id, f"{job.plate} · {job.description}")

    def action_self_check(self) -> None:
        job = self._ready("self_check")
        if job is None:
            return

        def checked(result: CheckResult | None) -> None:
            if result is not None:
                self._call(workshop.self_check, job.id, result.notes, expected_version=job.version)

        self.app.push_screen(CheckScreen(_("Self-check · {job}").format(job=job.description), leader=False), checked)

    def action_leader_check(self) -> None:
        job = self._ready("leader_check")
        if job is None:
            return

        def checked(result: CheckResult | None) -> None:
            if result is not None:
                self._call(workshop.leader_check, job.id, passed=result.passed, notes=result.notes,
                           recommendations=result.recommendations, expected_version=job.version,
                           done=None if result.passed else _("Sent back to the technician."))

        self.app.push_screen(CheckScreen(_("Team leader check · {job}").format(job=job.description), leader=True),
                             checked)


__all__ = ["TechnicianScreen"]
