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
