"""Checks, final QC and wash (team leader, QC inspector, supervisor): the last steps before "ready".

The upper list holds every job waiting for a check, the most urgent car first: waiting for
the technician's self-check, the team leader's check, or the final QC (总检); jobs QC sent
back are listed last, still with the technician, with their rework count. Below it the
selected job's checks so far (who, when, notes, the leader's recommendations). The lower
list holds the cars whose work has all passed QC: waiting for the wash, or ready in the
finished area.

Keys (each offered only to the roles that may use it):

- S self-check (a team leader may record it for the team), L leader check passed, with
  notes and recommendations for the customer; B sends the job back to the technician
  (not counted as rework);
- P final QC passed; F final QC failed: the job goes back to the technician and counts
  one rework (the notes say what failed);
- N records a recommendation for the customer (what, why, safety-related, a price) on the
  selected job or car: the team leader's 维修建议 and what QC finds, put to the customer at
  delivery;
- W the car was washed (the team leader or the QC inspector records it). A car becomes
  ready by itself once every job has passed QC and, if the customer chose it, the wash is
  done; a car whose customer declined the wash skips it. The screen says so.

Tab moves between the lists. The lists follow every terminal's changes by themselves
(the store's change counter, asked every two seconds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding
from frontdesk.labels import CHECK_KIND, label
from frontdesk.model.enums import OrderStatus
from frontdesk.services import approval_views, workshop
from frontdesk.services.approval_views import CarItem, CheckItem, ChecksQueue
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import Col, clip, declare_columns, qty_text, when

from .base import LiveScreen
from .check_note import CheckDialog, CheckEntry
from .recommendation_dialogs import open_recommend
from .list_detail import ListDetailScreen, ListLayout, list_keys

JOB_CELLS = 20
OVERDUE_STYLE = "bold white on red"
REWORK_STYLE = "bold white on red"
#: The permission behind each key (services/permissions.py); a role without it does not see the key.
ACTION_PERMISSION = {
    "self_check": "job.self_check",
    "leader_check": "job.leader_check",
    "send_back": "job.leader_check",
    "qc_pass": "job.qc",
    "qc_fail": "job.qc",
    "wash": "order.wash",
    "recommend": "recommendation.add",
}
#: What a job must be waiting for before each key applies to it.
ACTION_STAGE = {"self_check": "self", "leader_check": "leader", "send_back": "leader", "qc_pass": "qc", "qc_fail": "qc"}


def waiting_label(item: CheckItem) -> str:
    return label(CHECK_KIND, item.waiting_for) if item.waiting_for else _("Sent back")


def act(services: Services, actor: Actor, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ChecksQueue:
    """One check or the wash, then the queue read again (what the notification says comes from it)."""
    fn(services, actor, *args, **kwargs)
    return approval_views.checks_queue(services, actor)



class ChecksScreen(LiveScreen, ListDetailScreen):
    """``ChecksScreen()``: jobs waiting for checks and QC; cars waiting for the wash; cars ready."""

    CSS_PATH = "../assets/styles/checks.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    LAYOUT = ListLayout(("check-jobs", "check-cars"), head="ck-head", detail="ck-detail", list_class="ck-list")

    BINDINGS = [
        binding("s", "self_check", "Self-check", tooltip="Record the technician's self-check of the selected job"),
        binding("l", "leader_check", "Leader check",
                tooltip="The team leader's check passed: notes, and recommendations for the customer"),
        binding("b", "send_back", "Send back", tooltip="The team leader sends the job back to the technician (not rework)"),
        binding("p", "qc_pass", "QC pass", tooltip="Final QC passed"),
        binding("f", "qc_fail", "QC fail", tooltip="Final QC failed: the job goes back to the technician, one rework"),
        binding("w", "wash", "Washed", tooltip="The selected car was washed (it is then ready)"),
        binding("n", "recommend", "Recommend",
                tooltip="Record something the car needs for the customer (the advisor puts it to them at delivery)"),
        *list_keys("Read the lists again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._queue: ChecksQueue | None = None
        self._busy = False

    def loading_text(self) -> str:
        return _("Loading the checks…")

    def on_mount(self) -> None:
        # narrow, the last columns drop out first; plates and order numbers are shown whole or not at all
        declare_columns(self.table("check-jobs"), _("Waiting for"), Col(_("Plate"), whole=True), _("Job"),
                        _("Technician"), _("Rework"), _("Finished"), _("Promised"), Col(_("Order no."), whole=True),
                        _("Team"), _("Model"), _("Advisor"))
        declare_columns(self.table("check-cars"), _("Stage"), Col(_("Plate"), whole=True), _("Promised"), _("Rework"),
                        _("Jobs"), _("Since"), Col(_("Order no."), whole=True), _("Model"), _("Advisor"))
        self._titles()
        self.follow_store()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        permission = ACTION_PERMISSION.get(action)
        if permission is not None and not allowed(self.actor.role, permission):
            return False  # not this role's work: the key is not offered at all
        return super().check_action(action, parameters)

    # Reading ------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> ChecksQueue:
        return approval_views.checks_queue(services, actor)

    def poll_paused(self) -> bool:
        return self._busy

    def show(self, queue: ChecksQueue) -> None:
        self._queue = queue
        today = queue.taken_at.date()
        self.fill("check-jobs", [(f"j{i.job_id}", i, self._job_cells(i, today)) for i in queue.jobs])
        self.fill("check-cars", [(f"o{c.order_id}", c, self._car_cells(c, today)) for c in queue.wash + queue.ready])
        self._titles()
        self._show_head()
        self.show_detail()

    def _mine(self, item: CheckItem) -> bool:
        """The job waits for a check this user may record."""
        stage = item.waiting_for
        return stage is not None and any(
            ACTION_STAGE[a] == stage and allowed(self.actor.role, p) for a, p in ACTION_PERMISSION.items()
            if a in ACTION_STAGE)

    def _job_cells(self, i: CheckItem, today: dt.date) -> tuple[Any, ...]:
        stage = Text(waiting_label(i), style="bold" if self._mine(i) else "dim")
        job = Text(clip(i.description, JOB_CELLS))
        if i.safety:
            job.append(" ⚠", style="bold yellow")
        rework = Text(f" {i.rework_count} ", style=REWORK_STYLE) if i.rework_count else Text("0", style="dim")
        promised = Text(when(i.promised_at, today), style="bold red" if i.overdue else "")
        return (stage, Text(i.plate, style="bold"), job, clip(i.technician, 14), rework, when(i.finished_at, today),
                promised, i.order_number, i.team, i.model, i.advisor)

    def _car_cells(self, c: CarItem, today: dt.date) -> tuple[Any, ...]:
        if c.status == OrderStatus.READY:
            stage = Text(_("Ready"), style="bold green")
            since = c.ready_at
        else:
            stage = Text(_("Wash"), style="bold cyan")
            since = None
        rework = Text(f" {c.rework_count} ", style=REWORK_STYLE) if c.rework_count else Text("0", style="dim")
        promised = Text(when(c.promised_at, today), style="bold red" if c.overdue else "")
        return (stage, Text(c.plate, style="bold"), promised, rework, str(c.jobs), when(since, today), c.order_number,
                c.model, c.advisor)

    def _titles(self) -> None:
        q = self._queue
        self.table("check-jobs").border_title = _("Jobs waiting for checks ({n})").format(
            n=sum(1 for i in q.jobs if i.waiting_for) if q else 0)
        self.table("check-cars").border_title = _("Wash ({wash}) · Ready ({ready})").format(
            wash=len(q.wash) if q else 0, ready=len(q.ready) if q else 0)

    def _show_head(self) -> None:
        q = self._queue
        assert q is not None
        counts = {stage: sum(1 for i in q.jobs if i.waiting_for == stage) for stage in CHECK_KIND}
        back_ = sum(1 for i in q.jobs if i.waiting_for is None)
        head = Text()
        for n, (stage, count) in enumerate(counts.items()):
            if n:
                head.append(" · ", style="dim")
            head.append(f"{label(CHECK_KIND, stage)} ", style="dim")
            head.append(str(count), style="bold")
        head.append(" · ", style="dim")
        head.append(_("Sent back") + " ", style="dim")
        head.append(str(back_), style=REWORK_STYLE if back_ else "bold")
        head.append(" · ", style="dim")
        head.append(_("Wash") + " ", style="dim")
        head.append(str(len(q.wash)), style="bold")
        head.append(" · ", style="dim")
        head.append(_("Ready") + " ", style="dim")
        head.append(str(len(q.ready)), style="bold")
        self.show_head(head)

    @property
    def selected_job(self) -> CheckItem | None:
        return self.selected_in("check-jobs")

    @property
    def selected_car(self) -> CarItem | None:
        return self.selected_in("check-cars")

    def detail(self, i: CheckItem) -> Text:
        today = self._queue.taken_at.date() if self._queue else dt.date.today()
        text = Text()
        text.append(f"{i.plate} {i.description}", style="bold")
        text.append(f"  {qty_text(i.hours)} h · {i.technician or '—'}")
        if i.team:
            text.append(f" ({i.team})", style="dim")
        if i.rework_count:
            text.append("  ")
            text.append(" " + _("Rework {n}").format(n=i.rework_count) + " ", style=REWORK_STYLE)
        if not i.checks:
            text.append("\n")
            text.append(_("No checks yet."), style="dim")
        for c in i.checks[-3:]:  # the latest three: the round the job is in
            text.append("\n")
            mark = ("✓ ", "green") if c.passed else ("✗ ", "bold red")
            text.append(mark[0], style=mark[1])
            text.append(f"{label(CHECK_KIND, c.kind)} {c.by} {when(c.at, today)}", style="dim")
            if c.notes:
                text.append(f"  {c.notes}")
            if c.recommendations:
                text.append("  " + _("Recommends: {text}").format(text=c.recommendations), style="bold")
        return text

    # Recording ----------------------------------------------------------------------------------------

    def _job_for(self, action: str) -> CheckItem | None:
        item = self.selected_job
        if item is None:
            self.notify(_("No job is waiting for a check."), severity="warning")
            return None
        if item.waiting_for != ACTION_STAGE[action]:
            self.notify(_("{job} on {plate} is waiting for: {stage}.").format(
                job=item.description, plate=item.plate, stage=waiting_label(item)), severity="warning")
            return None
        return item

    def _check(self, action: str, kind: str, title: str, summary: str,
               record: Callable[[CheckItem, CheckEntry], ChecksQueue], done: Callable[[CheckItem, ChecksQueue], None]) -> None:
        item = self._job_for(action)
        if item is None:
            return
        head = f"{title} · {item.plate} · {item.description}"
        body = _("{technician}, {hours} h; order {number}").format(
            technician=item.technician or "—", hours=qty_text(item.hours), number=item.order_number)
        if summary:
            body += "\n" + summary

        def save(entry: CheckEntry) -> ChecksQueue:
            return record(item, entry)

        def closed(answer: ChecksQueue | FrontdeskError | None) -> None:
            queue = self.answered(answer)
            if queue is not None:
                self.show(queue)
                done(item, queue)

        self.app.push_screen(CheckDialog(kind=kind, title=head, summary=body, save=save), closed)

    def action_self_check(self) -> None:
        self._check("self_check", "self", _("Self-check"), "",
                    lambda i, e: act(self.services, self.actor, workshop.self_check, i.job_id, notes=e.notes,
                                     expected_version=i.job_version),
                    lambda i, q: self.notify(_("Self-check recorded: {job} waits for the leader's check.").format(
                        job=i.description), title=i.plate))

    def action_leader_check(self) -> None:
        self._check("leader_check", "leader", _("Leader check passed"), "",
                    lambda i, e: act(self.services, self.actor, workshop.leader_check, i.job_id, passed=True,
                                     notes=e.notes, recommendations=e.recommendations, expected_version=i.job_version),
                    lambda i, q: self.notify(_("Leader check recorded: {job} waits for final QC.").format(
                        job=i.description), title=i.plate))

    def action_send_back(self) -> None:
        self._check("send_back", "back", _("Send back to the technician"),
                    _("The job goes back to the technician; this is not counted as rework."),
                    lambda i, e: act(self.services, self.actor, workshop.leader_check, i.job_id, passed=False,
                                     notes=e.notes, expected_version=i.job_version),
                    lambda i, q: self.notify(_("Sent back to {technician}.").format(
                        technician=i.technician or "—"), title=i.plate, severity="warning"))

    def action_qc_pass(self) -> None:
        self._check("qc_pass", "pass", _("Final QC passed"), "",
                    lambda i, e: act(self.services, self.actor, workshop.final_qc, i.job_id, passed=True,
                                     notes=e.notes, expected_version=i.job_version),
                    self._after_pass)

    def action_qc_fail(self) -> None:
        item = self.selected_job
        rework = (item.rework_count + 1) if item else 1
        self._check("qc_fail", "fail", _("Final QC failed"),
                    _("The job goes back to the technician and counts as rework no. {n}.").format(n=rework),
                    lambda i, e: act(self.services, self.actor, workshop.final_qc, i.job_id, passed=False,
                                     notes=e.notes, expected_version=i.job_version),
                    self._after_fail)

    def _after_pass(self, item: CheckItem, queue: ChecksQueue) -> None:
        if any(c.order_id == item.order_id for c in queue.ready):
            self.notify(_("QC passed. Order {number} is ready for delivery.").format(number=item.order_number),
                        title=item.plate, timeout=8)
        elif any(c.order_id == item.order_id for c in queue.wash):
            self.notify(_("QC passed. Every job on {plate} has passed: the car goes to the wash.").format(
                plate=item.plate), title=item.plate, timeout=8)
        else:
            self.notify(_("QC passed: {job}.").format(job=item.description), title=item.plate)

    def _after_fail(self, item: CheckItem, queue: ChecksQueue) -> None:
        back_ = next((i for i in queue.jobs if i.job_id == item.job_id), None)
        count = back_.rework_count if back_ else item.rework_count + 1
        self.notify(_("Sent back to {technician}: rework {n} on this job.").format(
            technician=item.technician or "—", n=count), title=item.plate, severity="warning", timeout=8)

    def action_recommend(self) -> None:
        """On the job (or the car) under the cursor of the list in focus."""
        on_cars = self.focused is not None and self.focused.id == "check-cars"
        item: CheckItem | CarItem | None = self.selected_car if on_cars else self.selected_job
        if item is None:
            item = self.selected_job or self.selected_car
        if item is None:
            self.notify(_("Pick a job or a car first."), severity="warning")
            return
        what = item.description if isinstance(item, CheckItem) else item.order_number
        open_recommend(self, item.order_id, f"{item.plate} · {what}")

    def action_wash(self) -> None:
        car = self.selected_car
        if car is None or car.status != OrderStatus.IN_WORKSHOP:
            wash = self._queue.wash if self._queue else ()
            if len(wash) == 1 and car is None:
                car = wash[0]
            else:
                self.notify(_("Pick a car waiting for the wash in the lower list."), severity="warning")
                return
        if self._busy:
            return
        self._busy = True
        picked = car

        def washed(queue: ChecksQueue) -> None:
            self._busy = False
            self.show(queue)
            if any(c.order_id == picked.order_id for c in queue.ready):
                self.notify(_("Washed: order {number} is ready for delivery.").format(number=picked.order_number),
                            title=picked.plate, timeout=8)
            else:
                self.notify(_("Wash recorded."), title=picked.plate)

        def failed(error: FrontdeskError) -> None:
            self._busy = False
            self.refused(error)

        self.call_service(act, self.services, self.actor, workshop.record_wash, picked.order_id,
                          expected_version=picked.order_version, then=washed, failed=failed, group="checks-act")
