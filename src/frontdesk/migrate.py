"""Create or upgrade a database with the Alembic migrations shipped in the package."""

from __future__ import annotations

from importlib.resources import files

import re
from functools import cache
from typing import TYPE_CHECKING

from .db import Database

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("frontdesk") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(db: Database) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w-]+|None)['\"]?", re.M)


@cache
def _shipped() -> tuple[frozenset[str], frozenset[str]]:
    """Every revision shipped and every one that has a successor, read from the migration files
    without importing Alembic (which costs the console's startup a tenth of a second and ~10 MB)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (files("frontdesk") / "migrations" / "versions").iterdir():
        if not path.name.endswith(".py") or path.name.startswith("__"):
            continue
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            parents.add(found["down_revision"])
    return frozenset(revisions), frozenset(parents)


def shipped_head() -> str | None:
    """The newest revision shipped (None when the files have several heads)."""
    revisions, parents = _shipped()
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def is_known(revision: str) -> bool:
    """Whether this program ships ``revision``; a store at an unknown one was made by a newer version."""
    return revision in _shipped()[0]


def is_up_to_date(db: Database) -> bool:
    """Whether the schema is the shipped head, asked of the driver directly (no SQLAlchemy, no Alembic)."""
    head = shipped_head()
    if head is None:  # several heads or an unusual file: ask Alembic
        return current_revision(db) == head_revision(db)
    with db.plain_transaction() as cur:
        exists = ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                  if cur.is_sqlite else "SELECT count(*) FROM pg_tables WHERE tablename = 'alembic_version'"
                  " AND schemaname = ANY (current_schemas(false))")
        if not cur.one(exists)[0]:  # type: ignore[index]
            return False
        row = cur.one("SELECT version_num FROM alembic_version")
        return row is not None and row[0] == head


def grant_terminal(db: Database, role: str) -> None:
    """Let the PostgreSQL ``role`` do what a terminal does and no more (``db upgrade --grant-to``).

    Why a second role: the owner of the tables can disable the audit triggers, TRUNCATE or
    ALTER the audit table; a terminal's role cannot, because it owns nothing and is granted
    only SELECT, INSERT, UPDATE and DELETE on the other tables, SELECT and INSERT on
    ``audit_event``, SELECT on ``alembic_version`` and the use of the id sequences. What the
    role held before is revoked first, so running this again after each upgrade (new tables)
    leaves exactly that. A superuser, the owner of the tables or of their schema (or a member
    of it), or a role that PUBLIC or another role lets change audit events is refused.
    """
    from sqlalchemy import text

    from frontdesk.i18n import gettext as _
    from frontdesk.services.errors import ValidationError

    def refuse(message: str, **more: str) -> ValidationError:
        return ValidationError("--grant-to", message.format(role=role, **more))

    if db.is_sqlite:
        raise refuse(_("A SQLite store has no database roles: --grant-to is for PostgreSQL."))
    with db.engine.begin() as conn:
        found = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if found is None:
            raise refuse(_("There is no role {role} on this PostgreSQL server: create it first "
                           "(CREATE ROLE ... LOGIN PASSWORD ...)."))
        if found[0]:
            raise refuse(_("Role {role} is a superuser, which may change the audit trail whatever it is granted: "
                           "give the terminals an ordinary role."))
        schema, database, owns = conn.execute(text(
            "SELECT current_schema(), current_database(),"
            " pg_has_role(:r, t.tableowner, 'MEMBER') OR pg_has_role(:r, n.nspowner, 'MEMBER')"
            " FROM pg_tables t JOIN pg_namespace n ON n.nspname = t.schemaname"
            " WHERE t.schemaname = current_schema() AND t.tablename = 'audit_event'"), {"r": role}).one()
        if owns:
            raise refuse(_("Role {role} owns the tables or their schema (or belongs to their owner): the terminals "
                           "need a role of their own, and the owner's stays with whoever runs the upgrades."))
        quote = conn.dialect.identifier_preparer.quote_identifier
        who, where = quote(role), quote(schema)
        if not conn.execute(text("SELECT has_database_privilege(:r, current_database(), 'CONNECT')"),
                            {"r": role}).scalar():
            conn.execute(text(f"GRANT CONNECT ON DATABASE {quote(database)} TO {who}"))
        for statement in (
            f"GRANT USAGE ON SCHEMA {where} TO {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
            f"REVOKE UPDATE, DELETE ON {where}.audit_event FROM {who}",
            f"REVOKE INSERT, UPDATE, DELETE ON {where}.alembic_version FROM {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        ):
            conn.execute(text(statement))
        still = [privilege for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
                 if conn.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                                 {"r": role, "t": f"{where}.audit_event", "p": privilege}).scalar()]
        if still:  # (the transaction is rolled back: nothing above stays granted)
            raise refuse(_("Role {role} may still {privileges} audit events through PUBLIC or a role it belongs to: "
                           "revoke that, then run this again."), privileges="/".join(still))
