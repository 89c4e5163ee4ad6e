"""Stores, staff and workshop teams: what belongs to one store of a dealer group."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Rate, enum_column
from .enums import Role


class Store(Base):
    __tablename__ = "store"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str]
    address: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    # Bumped by every state change in this store; the board polls it instead of reloading.
    change_seq: Mapped[int] = mapped_column(default=0)
    # The hash of this store's last audit event: the end of its chain (services/audit_chain.py).
    audit_head: Mapped[str | None] = mapped_column(String(64))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    # None = the role's default discount authority.
    discount_authority: Mapped[Decimal | None] = mapped_column(Rate)
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    store: Mapped[Store] = relationship(lazy="joined")


class RoleAuthority(Base):
    """What a role may do in one store that the administrator sets without code: its discount authority.

    No row for a role means the shipped default (services/money.py ``DISCOUNT_AUTHORITY``).
    """

    __tablename__ = "role_authority"
    __table_args__ = (UniqueConstraint("store_id", "role", name="uq_role_authority_store_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # Share of the customer gross the role may give away without a manager (0.05 = 5 %).
    discount_authority: Mapped[Decimal] = mapped_column(Rate)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # What the team is good at (maintenance, brakes, electrical, body...), for dispatch.
    skills: Mapped[str] = mapped_column(default="")
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    active: Mapped[bool] = mapped_column(default=True)

    technicians: Mapped[list[Technician]] = relationship(back_populates="team")


class Technician(Base):
    __tablename__ = "technician"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    skills: Mapped[str] = mapped_column(default="")
    active: Mapped[bool] = mapped_column(default=True)

    team: Mapped[Team | None] = relationship(back_populates="technicians")


class AppMeta(Base):
    """Key/value facts about the database itself (e.g. that it holds demo data)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))
