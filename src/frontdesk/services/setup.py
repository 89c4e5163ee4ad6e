"""Setting a database up: its store, the system actor used by command-line tools, markers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.model import AppMeta, Base, RepairOrder, Store, User
from frontdesk.model.enums import Role

from .context import Actor, Services, lock_chain, seal_events
from .errors import ValidationError

DEMO_KEY = "demo"


def ensure_store(services: Services) -> Store:
    """The store this installation serves (from settings), created on first use."""
    s: Settings = services.settings
    with services.db.reader() as session:  # the usual case: no write lock at every start
        store = session.scalar(select(Store).where(Store.code == s.store_code))
        if store is not None:
            return store
    with services.db.session() as session, session.begin():
        store = session.scalar(select(Store).where(Store.code == s.store_code))
        if store is None:
            d = s.dealership
            store = Store(code=s.store_code, name=d.name, address=d.address, phone=d.phone, tax_id=d.tax_id, change_seq=0)
            session.add(store)
            session.flush()
            seal_events(session, store.id, lock_chain(session, store.id), [dict(
                store_id=store.id, at=services.clock(), user_id=None, action="store.create", entity="store",
                entity_id=store.id, order_id=None, before=None, after={"code": store.code})])
        return store


def system_actor(store: Store) -> Actor:
    """Who the command line acts as: someone with shell access to the database is its admin."""
    return Actor(user_id=None, username="system", display_name=_("System"), role=Role.ADMIN, store_id=store.id)


def is_demo(session: Session) -> bool:
    return session.get(AppMeta, DEMO_KEY) is not None


def holds_real_data(session: Session) -> bool:
    """True when the database has orders or users and was not made by ``frontdesk demo``."""
    if is_demo(session):
        return False
    has_orders = session.scalar(select(RepairOrder.id).limit(1)) is not None
    has_users = session.scalar(select(User.id).limit(1)) is not None
    return has_orders or has_users


def mark_demo(session: Session, note: str) -> None:
    meta = session.get(AppMeta, DEMO_KEY)
    if meta is None:
        session.add(AppMeta(key=DEMO_KEY, value=note))
    else:
        meta.value = note


def require_store(session: Session, code: str) -> Store:
    store = session.scalar(select(Store).where(Store.code == code))
    if store is None:
        raise ValidationError("store", _("No store with code {code}: run `frontdesk db upgrade` first.").format(code=code))
    return store


def wipe_database(db) -> None:  # type: ignore[no-untyped-def]
    """Drop every table, index, trigger and search table, then migrate afresh (demo replacement only)."""
    from sqlalchemy import text

    from frontdesk import migrate

    with db.engine.begin() as conn:
        if db.is_sqlite:
            rows = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all()
            for kind, name, _ in rows:
                if kind == "trigger":
                    conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
            for kind, name, sql in rows:  # virtual tables first: they take their shadow tables along
                if kind == "table" and sql and sql.upper().startswith("CREATE VIRTUAL"):
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
            Base.metadata.drop_all(conn)  # in foreign-key order
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        else:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(db)
