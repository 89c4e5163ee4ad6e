"""Workshop teams and technicians (dispatch picks from these).

A team has a leader (a user) and skills (the labor-operation categories it is good at,
which dispatch matches against the job); a technician belongs to at most one team and
may be linked to a user account (the technician's own bench screen). Teams and
technicians are kept, never deleted: finished jobs name them.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import Team, Technician, User

from .common import get, text
from .context import Tx, service
from .errors import NotFound, ValidationError
from .refs import Saved

_SKILL_SPLIT = re.compile(r"[,，、;；\s]+")


def normalise_skills(value: str) -> str:
    """"brakes, Maintenance，brakes" -> "brakes,maintenance": lower case, each once, sorted."""
    found = {s.lower() for s in _SKILL_SPLIT.split(value or "") if s}
    joined = ",".join(sorted(found))
    if len(joined) > 200:
        raise ValidationError("skills", _("At most {n} characters.").format(n=200))
    return joined


def _user_id(session: Session, username: str | None, field: str) -> int | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise ValidationError(field, _("No user called {name}.").format(name=username))
    return user.id


def _team(tx: Tx, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = get(tx.session, Team, team_id, "team")
    if team.store_id != tx.actor.store_id:
        raise NotFound("team", _("No such team in this store."))
    return team


@service("team.save")
def save_team(tx: Tx, name: str, *, skills: str = "", leader_username: str | None = None, team_id: int | None = None) -> Saved:
    """A new team (``team_id`` None) or a team's name, skills and leader (empty leader: none)."""
    team = Team(store_id=tx.actor.store_id) if team_id is None else _team(tx, team_id)
    assert team is not None
    before = None if team_id is None else {"name": team.name, "skills": team.skills, "leader_id": team.leader_id}
    team.name = text(name, "name", max_len=80, required=True)
    team.skills = normalise_skills(skills)
    team.leader_id = _user_id(tx.session, leader_username, "leader")
    tx.session.add(team)
    tx.session.flush()
    tx.audit("team", team.id, before=before, after={"name": team.name, "skills": team.skills, "leader_id": team.leader_id})
    return Saved(team.id)


@service("team.save")
def save_technician(tx: Tx, name: str, team_id: int | None, *, username: str | None = None, skills: str = "",
                    technician_id: int | None = None) -> Saved:
    """A new technician (``technician_id`` None) or one's name, team, user account and skills."""
    if technician_id is None:
        tech = Technician(store_id=tx.actor.store_id)
        before = None
    else:
        tech = _technician(tx, technician_id)
        before = {"name": tech.name, "team_id": tech.team_id, "user_id": tech.user_id, "skills": tech.skills}
    tech.name = text(name, "name", max_len=80, required=True)
    tech.team_id = team_id
    _team(tx, team_id)
    tech.skills = normalise_skills(skills)
    user_id = _user_id(tx.session, username, "username")
    if user_id is not None:
        other = tx.session.scalar(select(Technician).where(Technician.user_id == user_id))
        if other is not None and other is not tech:
            raise ValidationError("username", _("{user} is already the account of {name}.").format(
                user=username, name=other.name))
    tech.user_id = user_id
    tx.session.add(tech)
    tx.session.flush()
    tx.audit("technician", tech.id, before=before,
             after={"name": tech.name, "team_id": tech.team_id, "user_id": tech.user_id, "skills": tech.skills})
    return Saved(tech.id)


@service("team.save")
def assign_technician(tx: Tx, technician_id: int, team_id: int | None) -> Saved:
    """Move a technician to a team (``None``: to no team); jobs already assigned stay with them."""
    tech = _technician(tx, technician_id)
    before = {"team_id": tech.team_id}
    _team(tx, team_id)
    tech.team_id = team_id
    tx.audit("technician", tech.id, before=before, after={"team_id": team_id})
    return Saved(tech.id)


def _technician(tx: Tx, technician_id: int) -> Technician:
    tech = get(tx.session, Technician, technician_id, "technician")
    if tech.store_id != tx.actor.store_id:
        raise NotFound("technician", _("No such technician in this store."))
    return tech
