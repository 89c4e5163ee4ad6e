"""Workshop teams and technicians (administrator, workshop supervisor): who dispatch can give work to.

Teams on top (leader, skills, technicians), technicians under them (team, user account,
skills). Keys: F2 a new team or technician and F4 edits the selected one, in whichever
list has the focus; T assigns the selected technician to a team (or to none); Tab moves
between the lists; F5 reads them again. Skills are the labor-operation categories
(maintenance, brakes, electrical…) dispatch matches jobs against.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, NEW, binding
from frontdesk.labels import skills
from frontdesk.services import admin_views, staff
from frontdesk.services.admin_views import TeamRow, TeamsView, TechnicianRow
from frontdesk.services.context import Actor, Services
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import clip, fixed_columns

from .admin_modals import NONE, assign_form, team_form, technician_form
from .list_detail import ListDetailScreen, ListLayout, list_keys


def _team_id(value: str) -> int | None:
    return int(value) if value and value != NONE else None


class AdminTeamsScreen(ListDetailScreen):
    """``AdminTeamsScreen()``: teams (leader, skills) and technicians (team, account, skills)."""

    CSS_PATH = "../assets/styles/admin_teams.tcss"
    LAYOUT = ListLayout(("teams", "technicians"), head="at-head", list_class="at-list")

    BINDINGS = [
        binding(NEW, "new", "New", tooltip="A new team, or a new technician when the technicians list has the focus"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the selected team or technician"),
        binding("t", "assign", "Assign team", tooltip="Put the selected technician in a team"),
        *list_keys("Read the lists again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._view: TeamsView | None = None

    def on_mount(self) -> None:
        fixed_columns(self.table("teams"), (_("Team"), 12), (_("Leader"), 12), (_("Skills"), 20),
                      (_("Technicians"), 20))
        fixed_columns(self.table("technicians"), (_("Technician"), 14), (_("Team"), 12), (_("Account"), 12),
                      (_("Skills"), 24))
        self.table("teams").border_title = _("Teams")
        self.table("technicians").border_title = _("Technicians")
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit", "assign"):
            return allowed(self.actor.role, "team.save")
        return True

    # Reading ----------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> TeamsView:
        return admin_views.teams_view(services, actor)

    def show(self, view: TeamsView) -> None:
        self._view = view
        self.fill("teams", ((f"t{t.id}", t, self._team_cells(t)) for t in view.teams))
        self.fill("technicians", ((f"p{t.id}", t, self._tech_cells(t)) for t in view.technicians))
        loose = sum(1 for t in view.technicians if t.active and t.team_id is None)
        head = Text(_("{teams} teams, {techs} technicians").format(teams=len(view.teams), techs=len(view.technicians)),
                    style="bold")
        if loose:
            head.append("   ")
            head.append(_("{n} without a team").format(n=loose), style="bold yellow")
        self.show_head(head)

    def _team_cells(self, t: TeamRow) -> tuple[Any, ...]:
        return (Text(clip(t.name, 16), style="bold"), clip(t.leader_name, 12) or "—", clip(skills(t.skills), 30),
                clip(", ".join(t.technicians), 60) or "—")

    def _tech_cells(self, t: TechnicianRow) -> tuple[Any, ...]:
        style = "" if t.active else "dim"
        team = Text(clip(t.team_name, 14), style=style) if t.team_id else Text(_("no team"), style="yellow")
        return (Text(clip(t.name, 16), style=style or "bold"), team, t.username or "—", clip(skills(t.skills), 30))

    # Selection ----------------------------------------------------------------------------------

    @property
    def selected_team(self) -> TeamRow | None:
        return self.selected_in("teams")

    @property
    def selected_technician(self) -> TechnicianRow | None:
        return self.selected_in("technicians")

    def _on_technicians(self) -> bool:
        return self.focused is self.table("technicians")

    # Acting ---------------------------------------------------------------------------------------

    def action_new(self) -> None:
        if self._view is None:
            return
        if self._on_technicians():
            self._technician_dialog(None)
        else:
            self._team_dialog(None)

    def action_edit(self) -> None:
        if self._view is None:
            return
        if self._on_technicians():
            tech = self.selected_technician
            if tech is None:
                self.notify(_("Pick a technician in the list first."), severity="warning")
                return
            self._technician_dialog(tech)
        else:
            team = self.selected_team
            if team is None:
                self.notify(_("Pick a team in the list first."), severity="warning")
                return
            self._team_dialog(team)

    def _team_dialog(self, row: TeamRow | None) -> None:
        assert self._view is not None

        def save(v: dict[str, str]) -> Any:
            return staff.save_team(self.services, self.actor, v["name"], skills=v["skills"],
                                   leader_username=v["leader"] or None, team_id=row.id if row else None).id

        self.app.push_screen(team_form(row, self._view.leaders, save), self.saved)

    def _technician_dialog(self, row: TechnicianRow | None) -> None:
        assert self._view is not None

        def save(v: dict[str, str]) -> Any:
            return staff.save_technician(self.services, self.actor, v["name"], _team_id(v["team"]),
                                         username=v["username"] or None, skills=v["skills"],
                                         technician_id=row.id if row else None).id

        self.app.push_screen(technician_form(row, self._view.teams, self._view.bench_users, save), self.saved)

    def action_assign(self) -> None:
        if self._view is None:
            return
        tech = self.selected_technician
        if tech is None:
            self.notify(_("Pick a technician in the list first."), severity="warning")
            return

        def save(v: dict[str, str]) -> Any:
            return staff.assign_technician(self.services, self.actor, tech.id, _team_id(v["team"])).id

        self.app.push_screen(assign_form(tech, self._view.teams, save), self.saved)
