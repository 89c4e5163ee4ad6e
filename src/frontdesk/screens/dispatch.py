"""Dispatch (派工), the workshop supervisor's home: who does what, and how soon.

Three lists: the queue (authorised cars and cars in the workshop with work still to do;
cars with unassigned work first, then by priority and promised time), the jobs of the car
under the cursor (skill, hours, priority, technician), and a side list that shows either
everyone's load (queued and running sold hours per team and technician), the parts on
order, or efficiency (sold against clocked hours, last 30 days).

Keys: Tab moves between the lists (Enter on a car goes to its jobs). On a job, G takes the
suggestion (the technician with the skill and the fewest booked hours, shown above the
lists; for additional work the customer approved, the technician who has the car — it went
to them already, unless the supervisor moves it), A picks a technician (dispatch, or a
reassignment when the job is already assigned), P cycles its priority (normal, urgent,
rush). On a car, the same keys act on all its unassigned jobs: G gives each its own
suggestion, A gives them all to one technician ("whole order"). L, O and E switch the side list; with the parts on order in
view, M marks the selected request ordered (with its expected date) and R arrived.

Every change is one service call with the version this screen showed; another terminal's
change in between is reported and the lists are read again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _, ngettext
from frontdesk.keys import BACK, REFRESH, binding
from frontdesk.labels import PART_ORDER, PRIORITY, SKILL, label, skills, status
from frontdesk.model.enums import JobPriority, JobStatus
from frontdesk.services import part_orders, workshop
from frontdesk.services import workshop_views as views
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip

from .base import DeskScreen
from .workshop_modals import PromptScreen, TechnicianPicker, fixed_columns, hours

PRIORITIES = tuple(JobPriority)
PRIORITY_STYLE = {JobPriority.NORMAL: "", JobPriority.URGENT: "bold yellow", JobPriority.RUSH: "bold white on red"}
OVERDUE_STYLE = "bold white on red"
REASSIGNABLE = (JobStatus.ASSIGNED, JobStatus.PAUSED)
SIDES = ("load", "parts", "efficiency")


def when(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "—"
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


def priority_text(priority: JobPriority, *, pending: bool = False) -> Text:
    text = Text(label(PRIORITY, priority), style=PRIORITY_STYLE[priority])
    if pending:
        text.append("*", style="bold")
    return text


@dataclass(frozen=True)
class Loaded:
    board: views.DispatchBoard
    suggestions: dict[int, views.Suggestion | None]
    requests: tuple[views.PartRequestView, ...]
    efficiency: tuple[views.Efficiency, ...]


def load(services: Services, actor: Actor) -> Loaded:
    board = views.dispatch_board(services, actor)
    ids = [j.id for o in board.orders for j in o.jobs if j.status in (JobStatus.APPROVED,) + REASSIGNABLE]
    return Loaded(board, views.suggestions_for(services, actor, ids), views.part_requests(services, actor),
                  views.efficiency(services, actor))


class DispatchScreen(DeskScreen):
    """``DispatchScreen()``: the supervisor's home."""

    CSS_PATH = "../assets/styles/dispatch.tcss"
    AUTO_FOCUS = "#queue"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    BINDINGS = [
        binding("g", "take_suggestion", "Suggested", tooltip="Assign to the suggested technician"),
        binding("a", "assign", "Assign", tooltip="Pick the technician (the whole order on a car; reassign a waiting job)"),
        binding("p", "priority", "Priority", tooltip="Normal, urgent, rush for the selected job (or car)"),
        binding("l", "side('load')", "Load", tooltip="Queued and running hours per team and technician"),
        binding("o", "side('parts')", "Parts", tooltip="Parts requested by the workshop"),
        binding("e", "side('efficiency')", "Efficiency", tooltip="Sold against clocked hours per technician"),
        binding("m", "mark_ordered", "Ordered", tooltip="The selected part is on order: give the expected date"),
        binding("r", "mark_arrived", "Arrived", tooltip="The selected part has arrived: into stock, reserved"),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the lists again"),
        binding("tab", "next_area(1)", "Next list", show=False),
        binding("shift+tab", "next_area(-1)", "Previous list", show=False),
        binding(BACK, "back", "Back", show=False, key_display="Esc"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._loaded: Loaded | None = None
        self._order_id: int | None = None
        self._side = "load"
        self._pending: dict[int, JobPriority] = {}  # priorities chosen for jobs not yet assigned
        self._jobs_shown: object = None
        self._busy = False

    # Layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static("", id="dispatch-hint")
        with Container(id="dispatch-main"):
            with Vertical(id="dispatch-left"):
                yield ListTable(id="queue", classes="dispatch-list")
                yield ListTable(id="jobs", classes="dispatch-list")
            yield ListTable(id="side", classes="dispatch-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self._queue, (_("Plate"), 9), (_("Promised"), 11), (_("To assign"), 4), (_("Open h"), 4),
                      (_("Priority"), 6), (_("Order no."), 18), (_("Model"), 16), (_("Status"), 12))
        fixed_columns(self._jobs, ("#", 2), (_("Job"), 22), (_("Hours"), 4), (_("Priority"), 6), (_("Technician"), 14),
                      (_("Status"), 14), (_("Skill"), 12), (_("Team"), 12))
        self._side_columns()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @property
    def _queue(self) -> ListTable:
        return self.query_one("#queue", ListTable)

    @property
    def _jobs(self) -> ListTable:
        return self.query_one("#jobs", ListTable)

    @property
    def _sidelist(self) -> ListTable:
        return self.query_one("#side", ListTable)

    # Reading -------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(load, self.services, self.actor, then=self._show, failed=self._failed, group="dispatch")

    def _show(self, loaded: Loaded) -> None:
        self._busy = False
        self._loaded = loaded
        board = loaded.board
        today = board.taken_at.date()
        keep = self._queue.cursor_key
        self._queue.clear()
        for o in board.orders:
            # Overdue cars stand out: the promised time in white on red.
            promised = Text(when(o.promised_at, today), style=OVERDUE_STYLE if o.overdue else "")
            todo = Text(hours(o.unassigned_hours), style="bold") if o.unassigned else Text("—", style="dim")
            self._queue.add_row(Text(o.plate, style="bold"), promised, todo, hours(o.open_hours),
                                priority_text(o.priority), o.number, clip(o.model, 16), status(o.status),
                                key=f"o{o.id}")
        self._queue.move_to_key(keep)
        # The title counts the cars the list shows, and of them those with work to assign.
        self._queue.border_title = _("Work queue ({n}) · to assign {m}").format(
            n=len(board.orders), m=sum(1 for o in board.orders if o.unassigned))
        self._order_id = self._current_order_id()
        self._show_jobs()
        self._show_side()
        self._hint()

    def _failed(self, error: FrontdeskError) -> None:
        self._busy = False
        self.show_error(error)

    def _current_order_id(self) -> int | None:
        key = self._queue.cursor_key
        return int(key[1:]) if key else None

    def _order(self) -> views.DispatchOrder | None:
        if self._loaded is None or self._order_id is None:
            return None
        return next((o for o in self._loaded.board.orders if o.id == self._order_id), None)

    def _show_jobs(self) -> None:
        order = self._order()
        shown = (order, tuple(sorted(self._pending.items())))
        if shown == self._jobs_shown:
            return  # the same car as shown: refilling the table would only make it flicker
        self._jobs_shown = shown
        keep = self._jobs.cursor_key
        self._jobs.clear()
        if order is None:
            self._jobs.border_title = _("Jobs")
            return
        for j in order.jobs:
            pending = j.id in self._pending and j.status == JobStatus.APPROVED
            state = Text(status(j.status))
            if j.waiting_parts:
                state = Text(_("Waiting parts"), style="bold magenta")
            tech = Text(j.technician) if j.technician else Text(_("unassigned"), style="bold yellow")
            self._jobs.add_row(str(j.seq), clip(j.description, 22), hours(j.hours),
                               priority_text(self._pending.get(j.id, j.priority) if pending else j.priority,
                                             pending=pending),
                               tech, state, label(SKILL, j.skill) if j.skill else "—", clip(j.team, 12), key=f"j{j.id}")
        self._jobs.move_to_key(keep)
        self._jobs.border_title = _("Jobs of {plate} · {number}").format(plate=order.plate, number=order.number)

    def _side_columns(self) -> None:
        table = self._sidelist
        table.clear(columns=True)
        if self._side == "load":
            fixed_columns(table, (_("Team / technician"), 16), (_("Queued h"), 4), (_("Running h"), 4),
                          (_("No. of jobs"), 3), (_("Skills"), 24))
            table.border_title = _("Load")
        elif self._side == "parts":
            fixed_columns(table, (_("Plate"), 9), (_("Part"), 24), (_("Qty"), 4), (_("State"), 9), (_("Expected"), 5),
                          (_("Job"), 16))
            table.border_title = _("Parts on order")
        else:
            fixed_columns(table, (_("Technician"), 14), (_("No. of jobs"), 3), (_("Sold h"), 5), (_("Clocked h"), 5),
                          (_("Efficiency"), 6), (_("Reworks"), 3))
            table.border_title = _("Efficiency, last 30 days")

    def _show_side(self) -> None:
        if self._loaded is None:
            return
        table = self._sidelist
        keep = table.cursor_key
        table.clear()
        board = self._loaded.board
        if self._side == "load":
            for team in board.teams:
                table.add_row(Text(team.name, style="bold"), Text(hours(team.queued_hours), style="bold"),
                              Text(hours(team.running_hours), style="bold"), "", clip(skills(team.skills), 24),
                              key=f"team{team.id}")
                for t in board.technicians:
                    if t.team_id == team.id:
                        table.add_row(f"  {t.name}", hours(t.queued_hours), hours(t.running_hours), str(t.jobs), "",
                                      key=f"t{t.id}")
            for t in board.technicians:
                if t.team_id is None:
                    table.add_row(t.name, hours(t.queued_hours), hours(t.running_hours), str(t.jobs),
                                  clip(skills(t.skills), 24), key=f"t{t.id}")
        elif self._side == "parts":
            for r in self._loaded.requests:
                expected = r.expected_on.strftime("%m-%d") if r.expected_on else "—"
                late = r.expected_on is not None and r.expected_on < board.taken_at.date()
                table.add_row(Text(r.plate, style="bold"), clip(f"{r.number} {r.name}", 24), hours(r.qty),
                              label(PART_ORDER, r.state), Text(expected, style="bold red" if late else ""),
                              clip(r.job, 16), key=f"r{r.id}")
            table.border_title = _("Parts on order ({n})").format(n=len(self._loaded.requests))
        else:
            for e in self._loaded.efficiency:
                pct = f"{e.percent} %" if e.percent is not None else "—"
                style = "bold green" if (e.percent or 0) >= 100 else "bold yellow"
                table.add_row(e.technician, str(e.jobs), hours(e.sold_hours), hours(e.clocked_hours),
                              Text(pct, style=style), str(e.reworks), key=f"e{e.technician_id}")
        table.move_to_key(keep)

    def _selected_job(self) -> views.DispatchJob | None:
        order = self._order()
        key = self._jobs.cursor_key
        if order is None or key is None:
            return None
        return next((j for j in order.jobs if f"j{j.id}" == key), None)

    def _acting_on_jobs(self) -> bool:
        return self.focused is self._jobs

    def _hint(self) -> None:
        text = Text()
        job = self._selected_job() if self._acting_on_jobs() else None
        order = self._order()
        if job is not None:
            s = self._loaded.suggestions.get(job.id) if self._loaded else None
            if s is not None and job.status in (JobStatus.APPROVED,) + REASSIGNABLE:
                text.append(_("Suggested for {job}: ").format(job=clip(job.description, 16)))
                text.append(s.technician, style="bold")
                text.append(_(" ({team}, {h} h booked)").format(team=s.team or "—", h=hours(s.booked_hours)))
                if s.has_the_car:
                    text.append(" " + _("has the car"), style="bold green")
                if not s.skill_matched:
                    text.append(" " + _("nobody has the skill {skill}").format(skill=label(SKILL, s.skill)), style="bold yellow")
                text.append("  " + _("G: take it"), style="dim")
            else:
                text.append(_("{job}: {status}").format(job=clip(job.description, 20), status=status(job.status)))
        elif order is not None:
            todo = order.unassigned
            if todo:
                text.append(ngettext("{plate}: {n} job to assign ({h} h)", "{plate}: {n} jobs to assign ({h} h)",
                                     len(todo)).format(
                    plate=order.plate, n=len(todo), h=hours(order.unassigned_hours)), style="bold")
                text.append("  " + _("G: each to its suggestion · A: all to one technician · Enter: the jobs"),
                            style="dim")
            else:
                text.append(_("{plate}: every job is assigned").format(plate=order.plate))
                text.append("  " + _("Enter: the jobs"), style="dim")
        else:
            text.append(_("Nothing waiting for work."))
        self.query_one("#dispatch-hint", Static).update(text)

    # Moving around --------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#queue")
    def _order_moved(self, event: DataTable.RowHighlighted) -> None:
        new = self._current_order_id()
        if new != self._order_id:
            self._order_id = new
            self._show_jobs()
        self._hint()

    @on(DataTable.RowHighlighted, "#jobs")
    def _job_moved(self, event: DataTable.RowHighlighted) -> None:
        self._hint()

    @on(DataTable.RowSelected, "#queue")
    def _order_chosen(self, event: DataTable.RowSelected) -> None:
        self._jobs.focus()

    def on_descendant_focus(self) -> None:
        self._hint()

    def action_next_area(self, step: int) -> None:
        ring = [self._queue, self._jobs, self._sidelist]
        at = ring.index(self.focused) if self.focused in ring else 0
        ring[(at + step) % len(ring)].focus()

    def action_side(self, side: str) -> None:
        if side == self._side:
            self._sidelist.focus()
            return
        self._side = side
        self._side_columns()
        self._show_side()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("mark_ordered", "mark_arrived"):
            return self._side == "parts"
        if action == "back":
            return self.app.screen_stack.index(self) > 1 if self in self.app.screen_stack else False
        return super().check_action(action, parameters)

    # Assigning ---------------------------------------------------------------------------------------

    def _targets(self) -> list[views.DispatchJob]:
        """The selected job, or on a car all its unassigned jobs."""
        if self._acting_on_jobs():
            job = self._selected_job()
            return [job] if job is not None else []
        order = self._order()
        return list(order.unassigned) if order else []

    def _assignable(self) -> list[views.DispatchJob]:
        """The targets that may be (re)assigned now; none while the screen is busy or not read yet (said when none)."""
        if self._loaded is None or self._busy:
            return []
        jobs = [j for j in self._targets() if j.status in (JobStatus.APPROVED,) + REASSIGNABLE]
        if not jobs:
            self.notify(_("Nothing to assign here."), severity="warning")
        return jobs

    def action_take_suggestion(self) -> None:
        jobs = self._assignable()
        if not jobs or self._loaded is None:
            return
        if not self._loaded.board.technicians:
            self.notify(_("There are no technicians to suggest."), severity="warning")
            return
        if len(jobs) == 1:
            s = self._loaded.suggestions.get(jobs[0].id)
            if s is not None:
                self._assign(jobs, {jobs[0].id: s.technician_id})
            return
        self._assign(jobs, None)  # a whole car: the work is shared out as it is assigned

    def action_assign(self) -> None:
        jobs = self._assignable()
        if not jobs or self._loaded is None:
            return
        first = self._loaded.suggestions.get(jobs[0].id)
        order = self._order()
        if len(jobs) == 1:
            title = _("Who does {job}?").format(job=jobs[0].description)
        else:
            title = _("Who does all of {plate} ({n} jobs)?").format(plate=order.plate if order else "", n=len(jobs))

        def picked(tech_id: int | None) -> None:
            if tech_id is not None:
                self._assign(jobs, {j.id: tech_id for j in jobs})

        self.app.push_screen(TechnicianPicker(title, self._loaded.board.technicians,
                                              first.technician_id if first else None), picked)

    def _assign(self, jobs: list[views.DispatchJob], picks: dict[int, int] | None) -> None:
        """Assign (and reassign) ``jobs``; ``picks`` None: each to its suggestion, shared out."""
        order = self._order()
        if order is None:
            return
        priorities = {j.id: self._pending.get(j.id, JobPriority.NORMAL) for j in jobs if j.status == JobStatus.APPROVED}
        services, actor = self.services, self.actor

        def run() -> dict[int, int]:
            chosen = picks
            if chosen is None:
                found = views.suggestions_for(services, actor, [j.id for j in jobs], spread=True)
                chosen = {jid: s.technician_id for jid, s in found.items() if s is not None}
            new = {j.id: chosen[j.id] for j in jobs if j.status == JobStatus.APPROVED and j.id in chosen}
            if new:
                workshop.dispatch(services, actor, order.id, new, order.version,
                                  priority={jid: priorities[jid] for jid in new})
            for j in jobs:
                if j.status in REASSIGNABLE and j.id in chosen:
                    workshop.reassign(services, actor, j.id, chosen[j.id], j.version)
            return chosen

        def done(chosen: dict[int, int]) -> None:
            for jid in chosen:
                self._pending.pop(jid, None)
            names = {t.id: t.name for t in self._loaded.board.technicians} if self._loaded else {}
            who = sorted({names.get(t, "") for t in chosen.values()})
            self.notify(_("{n} jobs assigned to {who}.").format(n=len(chosen), who=", ".join(who)), title=order.plate)
            self.action_refresh()

        self._busy = True
        self.call_service(run, then=done, failed=self._change_failed)

    def _change_failed(self, error: FrontdeskError) -> None:
        self._busy = False
        self.show_error(error)
        self.action_refresh()

    def action_priority(self) -> None:
        if self._loaded is None or self._busy:
            return
        jobs = self._targets()
        if not jobs:
            self.notify(_("Pick a job, or a car with jobs to assign, to set its priority."), severity="warning")
            return
        current = self._pending.get(jobs[0].id, jobs[0].priority)
        nxt = PRIORITIES[(PRIORITIES.index(current) + 1) % len(PRIORITIES)]
        waiting = [j for j in jobs if j.status in REASSIGNABLE and j.technician_id is not None]
        for j in jobs:
            if j.status == JobStatus.APPROVED:
                self._pending[j.id] = nxt
        if not waiting:
            self._show_jobs()
            self._hint()
            return
        services, actor = self.services, self.actor

        def run() -> None:
            for j in waiting:
                workshop.reassign(services, actor, j.id, j.technician_id, j.version, priority=nxt)

        self._busy = True
        self.call_service(run, then=lambda _r: self.action_refresh(), failed=self._change_failed)

    # Parts on order -------------------------------------------------------------------------------------

    def _selected_request(self) -> views.PartRequestView | None:
        key = self._sidelist.cursor_key
        if self._loaded is None or key is None or not key.startswith("r"):
            return None
        return next((r for r in self._loaded.requests if f"r{r.id}" == key), None)

    def action_mark_ordered(self) -> None:
        request = self._selected_request()
        if request is None or self._busy:
            return
        if request.state != "requested":
            self.notify(_("This part is {state} already.").format(state=label(PART_ORDER, request.state)),
                        severity="warning")
            return
        today = self.services.clock().date()
        default = (today + dt.timedelta(days=2)).isoformat()

        def answered(text: str | None) -> None:
            if text is None:
                return
            try:
                expected = dt.date.fromisoformat(text)
            except ValueError:
                self.show_error(ValidationError("expected_on", _("Write the date as YYYY-MM-DD.")))
                return
            self._busy = True
            self.call_service(part_orders.mark_ordered, self.services, self.actor, request.id, expected,
                              expected_version=request.version, then=lambda _r: self.action_refresh(),
                              failed=self._change_failed)

        self.app.push_screen(PromptScreen(
            _("{number} {name} for {plate}").format(number=request.number, name=request.name, plate=request.plate),
            _("Expected on (YYYY-MM-DD)"), default), answered)

    def action_mark_arrived(self) -> None:
        request = self._selected_request()
        if request is None or self._busy:
            return
        self._busy = True
        self.call_service(part_orders.mark_arrived, self.services, self.actor, request.id,
                          expected_version=request.version, failed=self._change_failed,
                          then=lambda _r: (self.notify(_("{number} arrived: in stock, reserved for {plate}.").format(
                              number=request.number, plate=request.plate)), self.action_refresh()))


__all__ = ["DispatchScreen", "load"]
