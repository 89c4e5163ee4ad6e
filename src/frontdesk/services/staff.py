"""Workshop teams and technicians (dispatch picks from these)."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.i18n import gettext as _
from frontdesk.model import Team, Technician, User

from .common import get, text
from .context import Tx, service
from .errors import ValidationError


@service("team.save")
def save_team(tx: Tx, name: str, *, skills: str = "", leader_username: str | None = None, team_id: int | None = None) -> Team:
    team = Team(store_id=tx.actor.store_id) if team_id is None else get(tx.session, Team, team_id, "team")
    team.name = text(name, "name", max_len=80, required=True)
    team.skills = text(skills, "skills")
    if leader_username:
        leader = tx.session.scalar(select(User).where(User.username == leader_username))
        if leader is None:
            raise ValidationError("leader", _("No user called {name}.").format(name=leader_username))
        team.leader_id = leader.id
    tx.session.add(team)
    tx.session.flush()
    tx.audit("team", team.id, after={"name": team.name, "leader_id": team.leader_id})
    return team


@service("team.save")
def save_technician(tx: Tx, name: str, team_id: int | None, *, username: str | None = None, skills: str = "") -> Technician:
    tech = Technician(store_id=tx.actor.store_id, name=text(name, "name", max_len=80, required=True),
                      team_id=team_id, skills=text(skills, "skills"))
    if team_id is not None:
        get(tx.session, Team, team_id, "team")
    if username:
        user = tx.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise ValidationError("username", _("No user called {name}.").format(name=username))
        tech.user_id = user.id
    tx.session.add(tech)
    tx.session.flush()
    tx.audit("technician", tech.id, after={"name": tech.name, "team_id": team_id})
    return tech
