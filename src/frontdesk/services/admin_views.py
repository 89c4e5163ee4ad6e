"""What the administration screens show: users and role authorities, teams, catalogs.

Read in short sessions and handed over as frozen dataclasses (screens never see ORM
objects). The catalog lists search the way the estimate builder does (code prefix, a
name fragment in either language, pinyin initials: services/desk.py), so an
administrator finds an item by what the advisors type; the rows then carry what only
the administration needs (models, category, bin, reserved stock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, select

from frontdesk.model import (
    LaborOperation,
    Part,
    RoleAuthority,
    StockLevel,
    Team,
    Technician,
    User,
)
from frontdesk.model.enums import Role, VehicleSystem

from .auth import role_discount_authorities
from .context import Actor, Services
from .desk import find_labor_ops, find_parts
from .money import DISCOUNT_AUTHORITY

CATALOG_LIMIT = 200  # rows a search shows: type more to narrow it down
LEADER_ROLES = (Role.TEAM_LEADER, Role.SUPERVISOR)
BENCH_ROLES = (Role.TECHNICIAN, Role.TEAM_LEADER)


# Users and roles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    last_login_at: dt.datetime | None
    own_authority: Decimal | None  # None: the role's
    locked: bool  # too many failed logins, for now
    version: int


@dataclass(frozen=True)
class RoleRow:
    role: Role
    discount_authority: Decimal  # a share: 0.05 = 5 %
    default: Decimal  # what the product ships with
    set_here: bool  # the administrator has set it for this store
    users: int  # active users with this role


@dataclass(frozen=True)
class UsersView:
    users: tuple[UserRow, ...]
    roles: tuple[RoleRow, ...]
    taken_at: dt.datetime


def users_view(services: Services, actor: Actor) -> UsersView:
    now = services.clock()
    with services.db.reader() as s:
        users = s.scalars(select(User).where(User.store_id == actor.store_id).order_by(User.username)).all()
        rows = tuple(
            UserRow(u.id, u.username, u.display_name, u.role, u.active, u.last_login_at, u.discount_authority,
                    u.locked_until is not None and u.locked_until > now, u.version)
            for u in users
        )
        shares = role_discount_authorities(s, actor.store_id)
        set_here = set(s.scalars(select(RoleAuthority.role).where(RoleAuthority.store_id == actor.store_id)))
    counts: dict[Role, int] = {}
    for u in rows:
        if u.active:
            counts[u.role] = counts.get(u.role, 0) + 1
    roles = tuple(RoleRow(r, shares[r], DISCOUNT_AUTHORITY[r], r in set_here, counts.get(r, 0)) for r in Role)
    return UsersView(rows, roles, now)


# Teams ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    skills: tuple[str, ...]  # skill codes (labels.SKILL)
    leader_username: str
    leader_name: str
    technicians: tuple[str, ...]  # names, active ones


@dataclass(frozen=True)
class TechnicianRow:
    id: int
    name: str
    team_id: int | None
    team_name: str
    username: str  # the technician's own account, "" when none
    skills: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class TeamsView:
    teams: tuple[TeamRow, ...]
    technicians: tuple[TechnicianRow, ...]
    leaders: tuple[Person, ...]  # who may lead a team (team leaders, supervisors), active
    bench_users: tuple[Person, ...]  # accounts a technician may be linked to, active


def _skills(value: str) -> tuple[str, ...]:
    return tuple(sorted({s.strip() for s in (value or "").split(",") if s.strip()}))


def teams_view(services: Services, actor: Actor) -> TeamsView:
    with services.db.reader() as s:
        people = s.execute(select(User.id, User.username, User.display_name, User.role, User.active)
                           .where(User.store_id == actor.store_id).order_by(User.display_name)).all()
        by_id = {p.id: p for p in people}
        teams = s.scalars(select(Team).where(Team.store_id == actor.store_id, Team.active.is_(True))
                          .order_by(Team.name, Team.id)).all()
        techs = s.scalars(select(Technician).where(Technician.store_id == actor.store_id)
                          .order_by(Technician.name, Technician.id)).all()
        team_names = {t.id: t.name for t in teams}
        tech_rows = tuple(
            TechnicianRow(t.id, t.name, t.team_id, team_names.get(t.team_id, "") if t.team_id else "",
                          by_id[t.user_id].username if t.user_id in by_id else "", _skills(t.skills), t.active)
            for t in techs
        )
        team_rows = tuple(
            TeamRow(t.id, t.name, _skills(t.skills),
                    by_id[t.leader_id].username if t.leader_id in by_id else "",
                    by_id[t.leader_id].display_name if t.leader_id in by_id else "",
                    tuple(x.name for x in tech_rows if x.team_id == t.id and x.active))
            for t in teams
        )
    leaders = tuple(Person(p.username, p.display_name, p.role) for p in people if p.active and p.role in LEADER_ROLES)
    bench = tuple(Person(p.username, p.display_name, p.role) for p in people if p.active and p.role in BENCH_ROLES)
    return TeamsView(team_rows, tech_rows, leaders, bench)


# Catalogs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaborRow:
    id: int
    code: str
    name: str
    name_en: str
    category: str
    std_hours: Decimal
    models: str  # comma-separated; "" = every model
    safety: bool
    system: VehicleSystem | None = None  # the car's system (三包 counts repeat repairs per system); None: routine


@dataclass(frozen=True)
class PartRow:
    id: int
    number: str
    name: str
    name_en: str
    category: str
    unit: str
    price: Decimal
    on_hand: Decimal
    reserved: Decimal
    bin: str

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def labor_rows(services: Services, actor: Actor, text: str = "", *, limit: int = CATALOG_LIMIT) -> list[LaborRow]:
    """Labor operations matching ``text`` (empty: the first by code), ranked as the estimate builder ranks them."""
    ids = [h.id for h in find_labor_ops(services, text, limit=limit)]
    if not ids:
        return []
    with services.db.reader() as s:
        ops = {o.id: o for o in s.scalars(select(LaborOperation).where(LaborOperation.id.in_(ids)))}
    return [LaborRow(o.id, o.code, o.name, o.name_en, o.category, o.std_hours, o.models, o.safety, o.system)
            for o in (ops[i] for i in ids if i in ops)]


def part_rows(services: Services, actor: Actor, text: str = "", *, limit: int = CATALOG_LIMIT) -> list[PartRow]:
    """Parts matching ``text`` with this store's stock and bin, in the estimate builder's order."""
    ids = [h.id for h in find_parts(services, actor, text, limit=limit)]
    if not ids:
        return []
    with services.db.reader() as s:
        rows = s.execute(
            select(Part, StockLevel.on_hand, StockLevel.reserved, StockLevel.bin)
            .outerjoin(StockLevel, and_(StockLevel.part_id == Part.id, StockLevel.store_id == actor.store_id))
            .where(Part.id.in_(ids))
        ).all()
    by_id = {p.id: (p, on, res, bin_) for p, on, res, bin_ in rows}
    zero = Decimal(0)
    out = []
    for i in ids:
        if i in by_id:
            p, on, res, bin_ = by_id[i]
            out.append(PartRow(p.id, p.number, p.name, p.name_en, p.category, p.unit, p.price, on or zero,
                               res or zero, bin_ or ""))
    return out
