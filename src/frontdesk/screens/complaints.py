"""Complaint cases (投诉): open and in-progress cases first, the oldest on top; then recent resolved ones.

Each row: status, age in days, plate, customer and phone, what the complaint is, owner,
order. Under the list the selected case in full: who opened it and when, the order's
advisor, and the resolution once there is one.

The service manager works the cases (the role table's ``complaint.update``):

- T takes the case on (owner: me, status in progress);
- O gives it to another owner (a digit or Up/Down in the dialog);
- P sets it in progress (a resolved case is reopened this way);
- R resolves it: the resolution must be written down.

F2 records a new complaint made at the desk or the till (advisors, cashiers and the
manager may): the order number, or the plate (its latest order here), and what it is.

Advisors and cashiers see the same list read-only (the keys are not offered), so they can
tell a customer on the phone where the case stands.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import NEW, REFRESH, back, binding
from frontdesk.labels import COMPLAINT_STATUS, ROLE, label
from frontdesk.model.enums import ComplaintStatus
from frontdesk.services import aftercare, aftercare_views
from frontdesk.services.aftercare_views import ComplaintBoard, ComplaintItem
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import clip, fixed_columns

from .aftercare_modals import NewComplaint, NewComplaintDialog, OwnerDialog, ResolveDialog
from .base import LiveScreen
from .list_detail import ListDetailScreen, ListLayout

STATUS_STYLE = {
    ComplaintStatus.OPEN: "bold white on red",
    ComplaintStatus.IN_PROGRESS: "bold black on yellow",
    ComplaintStatus.RESOLVED: "green",
}
NAME_CELLS = 10
TEXT_CELLS = 26
MANAGE = ("take", "assign", "progress", "resolve")


def update(services: Services, actor: Actor, item: ComplaintItem, **changes: Any) -> ComplaintItem:
    """Change the case and read it back as the list shows it."""
    aftercare.update_complaint(services, actor, item.id, expected_version=item.version, **changes)
    board = aftercare_views.complaint_board(services, actor)
    return next((c for c in board.items if c.id == item.id), item)


def open_case(services: Services, actor: Actor, entry: NewComplaint) -> ComplaintItem | None:
    ref = aftercare_views.complaint_order(services, actor, entry.order)
    case = aftercare.open_complaint(services, actor, ref.order_id, entry.description)
    board = aftercare_views.complaint_board(services, actor)
    return next((c for c in board.items if c.id == case.id), None)


class ComplaintsScreen(LiveScreen, ListDetailScreen):
    """``ComplaintsScreen()``: the complaint cases; the service manager moves them on."""

    CSS_PATH = "../assets/styles/complaints.tcss"
    LAYOUT = ListLayout(("complaints",), head="cp-head", detail="cp-detail")

    BINDINGS = [
        binding(NEW, "new", "New complaint", tooltip="Record a complaint made at the desk or the till"),
        binding("t", "take", "Take it on", tooltip="Own the selected case yourself and set it in progress"),
        binding("o", "assign", "Owner", tooltip="Give the selected case to someone"),
        binding("p", "progress", "In progress", tooltip="Set the case in progress (reopens a resolved one)"),
        binding("r", "resolve", "Resolve", tooltip="Write down how it was resolved and close the case"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the list again"),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._board: ComplaintBoard | None = None

    def loading_text(self) -> str:
        return _("Loading the complaints…")

    def on_mount(self) -> None:
        fixed_columns(self.table("complaints"),
                      (_("Status"), 13), (_("Days"), 4), (_("Plate"), 9), (_("Customer"), NAME_CELLS),
                      (_("Owner"), 12), (_("Complaint"), TEXT_CELLS), (_("Phone"), 11), (_("Order no."), 18),
                      (_("Opened"), 11))
        self.follow_store()

    @property
    def may_manage(self) -> bool:
        return allowed(self.actor.role, "complaint.update")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MANAGE:
            return self.may_manage
        if action == "new":
            return allowed(self.actor.role, "complaint.open")
        return True

    # Reading -------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> ComplaintBoard:
        return aftercare_views.complaint_board(services, actor)

    def show(self, board: ComplaintBoard) -> None:
        self._board = board
        table = self.fill("complaints", [(f"c{c.id}", c, self._cells(c)) for c in board.items])
        table.border_title = _("Open and in progress ({n}) · resolved in the last {days} days ({m})").format(
            n=len(board.active), days=aftercare_views.RESOLVED_DAYS, m=len(board.resolved))
        head = Text()
        opened = sum(1 for c in board.active if c.status == ComplaintStatus.OPEN)
        if board.active:
            head.append(_("Open: {n}").format(n=opened), style="bold red" if opened else "bold")
            head.append("  " + _("In progress: {n}").format(n=len(board.active) - opened), style="bold")
            unowned = sum(1 for c in board.active if c.owner_id is None)
            if unowned:
                head.append("  " + _("Without an owner: {n}").format(n=unowned), style="bold yellow")
        else:
            head.append(_("No open complaints."), style="dim")
        if not self.may_manage:
            head.append("   " + _("Read only: the service manager updates complaints."), style="dim")
        self.show_head(head)
        self.show_detail()

    def _cells(self, c: ComplaintItem) -> tuple[Any, ...]:
        today = self._board.taken_at.date() if self._board else c.opened_at.date()
        status = Text(f" {label(COMPLAINT_STATUS, c.status)} ", style=STATUS_STYLE[c.status])
        return (status, Text(str(c.age_days), justify="right"), Text(c.plate, style="bold"),
                clip(c.customer_name, NAME_CELLS), clip(c.owner, 12) if c.owner else Text("—", style="dim"),
                clip(" ".join(c.description.split()), TEXT_CELLS), c.phone, c.order_number,
                c.opened_at.strftime("%H:%M") if c.opened_at.date() == today else c.opened_at.strftime("%m-%d %H:%M"))

    @property
    def selected(self) -> ComplaintItem | None:
        return self.selected_in("complaints")

    def detail(self, c: ComplaintItem) -> Text:
        text = Text()
        text.append(_("Case no. {id}").format(id=c.id) + "  ", style="bold")
        text.append(_("opened {time} by {who}").format(time=c.opened_at.strftime("%Y-%m-%d %H:%M"),
                                                        who=c.opened_by or "—"), style="dim")
        if c.order_number:
            text.append("  " + _("order {number}, advisor {advisor}").format(number=c.order_number,
                                                                              advisor=c.advisor or "—"), style="dim")
        text.append("\n")
        text.append(c.description)
        text.append("\n")
        if c.status == ComplaintStatus.RESOLVED:
            text.append(_("Resolved {time}:").format(time=c.resolved_at.strftime("%m-%d %H:%M") if c.resolved_at else "—") + " ",
                        style="bold green")
            text.append(c.resolution)
        elif c.owner:
            text.append(_("Owner: {name}").format(name=c.owner), style="bold")
            if c.resolution:
                text.append("  " + c.resolution, style="dim")
        else:
            text.append(_("Nobody owns this case yet."), style="bold yellow")
        return text

    # The manager's keys ------------------------------------------------------------------------------

    def _need(self) -> ComplaintItem | None:
        item = self.selected
        if item is None:
            self.notify(_("No complaint selected."), severity="warning")
        return item

    def _run(self, item: ComplaintItem, message: str, **changes: Any) -> None:
        def done(_updated: ComplaintItem) -> None:
            self.notify(message, title=_("Case no. {id}").format(id=item.id), timeout=6)
            self.action_refresh()

        self.call_service(update, self.services, self.actor, item, then=done, failed=self.refused, **changes)

    def action_new(self) -> None:
        if not allowed(self.actor.role, "complaint.open"):
            return

        def save(entry: NewComplaint) -> ComplaintItem | None:
            return open_case(self.services, self.actor, entry)

        self.app.push_screen(NewComplaintDialog(save=save), self._changed)

    def action_take(self) -> None:
        item = self._need()
        if item is None:
            return
        changes: dict[str, Any] = {"owner_id": self.actor.user_id}
        if item.status != ComplaintStatus.IN_PROGRESS:
            changes["status"] = ComplaintStatus.IN_PROGRESS
        self._run(item, _("You own this case now; it is in progress."), **changes)

    def action_progress(self) -> None:
        item = self._need()
        if item is None:
            return
        if item.status == ComplaintStatus.IN_PROGRESS:
            self.notify(_("The case is in progress already."), severity="warning")
            return
        self._run(item, _("The case is in progress."), status=ComplaintStatus.IN_PROGRESS)

    def action_assign(self) -> None:
        item = self._need()
        if item is None or self._board is None:
            return
        owners = [(o.id, f"{o.name} · {label(ROLE, o.role)}") for o in self._board.owners]

        def save(owner_id: int) -> ComplaintItem:
            return update(self.services, self.actor, item, owner_id=owner_id)

        self.app.push_screen(OwnerDialog(title=_("Who owns case no. {id}?").format(id=item.id), owners=owners,
                                         current=item.owner_id, save=save), self._changed)

    def action_resolve(self) -> None:
        item = self._need()
        if item is None:
            return
        if item.status == ComplaintStatus.RESOLVED:
            self.notify(_("The case is resolved already (P reopens it)."), severity="warning")
            return

        def save(resolution: str) -> ComplaintItem:
            return update(self.services, self.actor, item, status=ComplaintStatus.RESOLVED, resolution=resolution)

        self.app.push_screen(ResolveDialog(
            title=_("Resolve case no. {id} · {plate} · {name}").format(id=item.id, plate=item.plate or "—",
                                                                       name=item.customer_name),
            summary=item.description, resolution=item.resolution, save=save), self._changed)

    def _changed(self, outcome: ComplaintItem | FrontdeskError | None) -> None:
        if outcome is None:
            return
        if isinstance(outcome, FrontdeskError):
            self.notify(str(outcome), title=_("Not saved"), severity="error", timeout=8)
        else:
            self.notify(_("Case no. {id}: {status}, owner {owner}.").format(
                id=outcome.id, status=label(COMPLAINT_STATUS, outcome.status), owner=outcome.owner or "—"), timeout=6)
        self.action_refresh()

