"""Backups and restores of the order book, safe while terminals keep writing.

SQLite: the online backup API copies the live WAL database page by page inside one read
transaction of the source (``pages=-1``: a single step), so the copy is the state of one
instant and writers are never blocked (WAL readers do not block writers). The copy is
written to a temporary file, switched to a plain rollback journal, checked with
``PRAGMA integrity_check`` and only then renamed into place.

Restoring replaces a live order book, so it refuses rather than guesses:

* the backup must pass ``integrity_check`` and carry an ``alembic_version`` this program
  knows (a backup from a newer program cannot be upgraded by this one);
* the target may not be at a newer schema revision than the backup (restore into a new
  file with ``--db`` instead, then look at it: nothing is overwritten by surprise);
* nobody may hold the target open. A WAL database can only leave WAL mode when its
  connection is the only one, so ``PRAGMA journal_mode=DELETE`` succeeding is the proof
  that no console, board or terminal has it open (and so no write is under way). The
  backup API then overwrites the target inside one write transaction of the target,
  atomically (its rollback journal undoes a half-done copy), and WAL mode is put back.
  A terminal started in the few milliseconds between check and copy simply waits on the
  lock and then sees the restored book.

After the copy the database is upgraded to this program's head revision.

PostgreSQL: ``pg_dump -Fc`` (custom format) under an exported snapshot, so the row counts
printed are those of the dump itself; restoring runs ``pg_restore --clean --if-exists
--single-transaction`` after the same checks (``pg_stat_activity`` stands in for the
journal-mode test). Without the client tools the exact command is given instead.

Backups name every customer, so they are private (:mod:`frontdesk.private_files`): each
file is 0600 from its first byte, written beside its name and moved into place whole, and
a folder made for it is 0700; a store made or replaced by a restore is 0600 with its
``-wal``/``-shm``. The PostgreSQL password never reaches a command line (``ps`` shows every
argument to every user): the tools get the URL without it and read it from a 0600
``PGPASSFILE`` in a private temporary folder that is removed when they finish.
No textual here, and nothing heavy at import time: ``frontdesk.cli`` imports this lazily.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.i18n import gettext as _
from frontdesk.private_files import create_private, private_dir, restrict, staged
from frontdesk.redact import redact_text, redact_url
from frontdesk.services.errors import FrontdeskError

MAIN_TABLES = ("customer", "vehicle", "repair_order", "job", "part_line", "payment", "stock_movement",
               "audit_event")
CONFIRM_WORD = "RESTORE"


class BackupError(FrontdeskError):
    """A backup or restore that cannot be done safely; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds (or what was just written)."""

    path: Path
    size: int
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)
    backend: str = "sqlite"


@dataclass(frozen=True)
class Manual:
    """The client tools are missing: the command the operator should run instead."""

    command: str


# --- shared ---------------------------------------------------------------------------------

def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(_("An in-memory database has nothing to back up."))
    return Path(database)


def default_backup_path(url: str, now: dt.datetime | None = None) -> Path:
    """``<user data dir>/backups/frontdesk-YYYYmmdd-HHMMSS.<db|dump>``."""
    from frontdesk.config import _dirs

    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = "db" if is_sqlite_url(url) else "dump"
    return Path(_dirs().user_data_dir) / "backups" / f"frontdesk-{stamp}.{suffix}"


def revision_order() -> list[str]:
    """Shipped revisions from the first to the head."""
    from importlib.resources import files

    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(files("frontdesk") / "migrations"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _rank(revision: str | None, order: Sequence[str]) -> int:
    if revision is None:
        return -1
    if revision not in order:
        raise BackupError(_("Schema revision {revision} is unknown to this program (made by a newer version?).").format(
            revision=revision))
    return order.index(revision)


def _upgrade(url: str) -> None:
    from frontdesk import migrate
    from frontdesk.db import Database

    db = Database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_facts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in MAIN_TABLES if t in tables}
    return revision, counts


def _integrity(conn: sqlite3.Connection) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        raise BackupError(_("Integrity check failed: {problems}").format(problems="; ".join(rows[:5])))


def _backup_sqlite(url: str, out: Path) -> BackupInfo:
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(_("No database at {path}.").format(path=source))
    if out.exists() and out.resolve() == source.resolve():
        raise BackupError(_("The backup file would replace the database itself: choose another --out."))
    try:
        with staged(out) as tmp:  # 0600 beside ``out``; becomes ``out`` only once checked
            src = sqlite3.connect(source, timeout=15)
            dst = sqlite3.connect(tmp)  # SQLite's journal beside it takes the file's 0600
            try:
                src.backup(dst, pages=-1)  # one step = one read snapshot of the source
                dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
                _integrity(dst)
                revision, counts = _sqlite_facts(dst)
            finally:
                dst.close()
                src.close()
    except sqlite3.Error as exc:
        raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc
    return BackupInfo(out, out.stat().st_size, revision, counts)


def inspect_sqlite_backup(path: Path) -> BackupInfo:
    """Integrity, revision and counts of a backup file, opened read-only."""
    if not path.is_file():
        raise BackupError(_("No backup file at {path}.").format(path=path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _integrity(conn)
            revision, counts = _sqlite_facts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("{path} is not a usable SQLite backup: {error}").format(path=path, error=exc)) from exc
    if revision is None:
        raise BackupError(_("{path} has no schema revision (alembic_version): not a frontdesk backup.").format(path=path))
    _rank(revision, revision_order())
    return BackupInfo(path, path.stat().st_size, revision, counts)


def _restore_sqlite(backup: BackupInfo, url: str) -> None:
    target = sqlite_path(url)
    if target.exists() and target.resolve() == backup.path.resolve():
        raise BackupError(_("The backup file is the database itself."))
    private_dir(target.parent)
    created = not target.exists()
    if created:
        create_private(target)  # SQLite gives its -wal, -shm and journal the store's own mode
    order = revision_order()
    conn = sqlite3.connect(target, timeout=2, isolation_level=None)
    restored = False
    try:
        current, _counts = _sqlite_facts(conn)
        if _rank(current, order) > _rank(backup.revision, order):
            raise BackupError(_(
                "The database is at schema revision {current}, newer than the backup ({revision}): "
                "restore into a new file with --db instead.").format(current=current, revision=backup.revision))
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "wal"
        if mode.lower() != "delete":
            raise BackupError(_("The database is open elsewhere (a console, the board or a terminal): close them first."))
        src = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
        try:
            src.backup(conn, pages=-1)  # one write transaction on the target: all or nothing
        finally:
            src.close()
        _integrity(conn)
        restored = True
    except sqlite3.Error as exc:
        raise BackupError(_("Restore failed, the database is unchanged: {error}").format(error=exc)) from exc
    finally:
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # as the app runs it (a no-op if another holds it)
        except sqlite3.Error:
            pass
        conn.close()
        if created and not restored:
            target.unlink(missing_ok=True)  # a refused restore into a new file leaves no empty store behind
    restrict_store(target)


def restrict_store(path: Path) -> None:
    """The store and its companions 0600: a restore may replace a store made before they were private."""
    for companion in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        restrict(companion)


# --- PostgreSQL -----------------------------------------------------------------------------

def pg_tool(name: str) -> str | None:
    """``pg_dump``/``pg_restore`` from PATH, else from the usual Debian/Ubuntu place."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).is_file():
            return str(folder / name)
    return None


def libpq_url(url: str) -> tuple[str, str | None]:
    """The URL as libpq tools want it (no driver part) but WITHOUT its password, and the password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    password = parsed.password
    if password is None and "password" in parsed.query:  # ``?password=`` is libpq's other spelling
        value = parsed.query["password"]
        password = value if isinstance(value, str) else value[-1]
    bare = parsed._replace(password=None).difference_update_query(["password"])  # .set() ignores None
    return bare.render_as_string(hide_password=False), (str(password) if password is not None else None)


def _shown(url: str) -> str:
    """The URL for a command the operator runs by hand: the password masked."""
    from sqlalchemy.engine import make_url

    return redact_url(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


def _passfile_line(password: str) -> str:
    """A ``.pgpass`` line for any host, port, database and user (libpq escapes ``:`` and ``\\``)."""
    return "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n"


@contextmanager
def pg_client(url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The connection string and environment for ``pg_dump``/``pg_restore``, the password kept off argv.

    A password from the URL goes into a 0600 ``PGPASSFILE`` inside a 0700 temporary folder,
    deleted when the block ends; ``PGPASSWORD`` is removed from the tool's environment so a
    stale one cannot win over it. A password with a line break cannot be written to a
    passfile and is handed over as ``PGPASSWORD`` (the environment, still never argv).
    """
    conninfo, password = libpq_url(url)
    if password is None:  # the operator's own PGPASSWORD, PGPASSFILE or ~/.pgpass, as they set them
        yield conninfo, dict(os.environ)
        return
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if "\n" in password or "\r" in password:
        yield conninfo, {**env, "PGPASSWORD": password}
        return
    with tempfile.TemporaryDirectory(prefix="frontdesk-pg-") as folder:  # mkdtemp: 0700
        passfile = create_private(Path(folder) / "pgpass")
        passfile.write_text(_passfile_line(password), "utf-8")
        yield conninfo, {**env, "PGPASSFILE": str(passfile)}


def _tool_error(done: subprocess.CompletedProcess[str]) -> str:
    return redact_text(done.stderr.strip())


def _backup_postgres(url: str, out: Path) -> BackupInfo | Manual:
    tool = pg_tool("pg_dump")
    if tool is None:
        return Manual(f"pg_dump -Fc --file {out} '{_shown(url)}'")
    from sqlalchemy import create_engine, inspect, text

    from frontdesk.db import normalise_url

    engine = create_engine(normalise_url(url))
    with staged(out) as tmp:  # pg_dump writes into this 0600 file; it becomes ``out`` once checked
        try:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
                present = set(inspect(conn).get_table_names())
                counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                          for t in MAIN_TABLES if t in present}
                revision = (conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                            if "alembic_version" in present else None)
                with pg_client(url) as (conninfo, env):
                    done = subprocess.run([tool, "-Fc", f"--snapshot={snapshot}", "--file", str(tmp),
                                           f"--dbname={conninfo}"],
                                          capture_output=True, text=True, check=False, env=env)
                conn.rollback()
        finally:
            engine.dispose()
        if done.returncode != 0:
            raise BackupError(_("pg_dump failed: {error}").format(error=_tool_error(done)))
        restrict(tmp)  # pg_dump reopens the file it was given; keep it owner-only whatever it did
        _check_dump(tmp)
    return BackupInfo(out, out.stat().st_size, revision, counts, backend="postgresql")


def _check_dump(path: Path) -> str | None:
    """``pg_restore --list`` reads the whole table of contents; the revision comes from the data."""
    tool = pg_tool("pg_restore")
    if tool is None:
        raise BackupError(_("pg_restore is not installed: cannot check the dump."))
    listed = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise BackupError(_("{path} is not a usable pg_dump archive: {error}").format(path=path, error=_tool_error(listed)))
    data = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                          capture_output=True, text=True, check=False)
    if data.returncode != 0:
        raise BackupError(_("{path} could not be read: {error}").format(path=path, error=_tool_error(data)))
    found = re.search(r"COPY [\w.\"]*alembic_version .*?FROM stdin;\n([^\n\\]+)\n", data.stdout)
    return found.group(1).strip() if found else None


def inspect_postgres_backup(path: Path) -> BackupInfo:
    if not path.is_file():
        raise BackupError(_("No backup file at {path}.").format(path=path))
    revision = _check_dump(path)
    if revision is None:
        raise BackupError(_("{path} has no schema revision (alembic_version): not a frontdesk backup.").format(path=path))
    _rank(revision, revision_order())
    return BackupInfo(path, path.stat().st_size, revision, backend="postgresql")


def _restore_postgres(backup: BackupInfo, url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    from frontdesk.db import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            current = (conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                       if inspect(conn).has_table("alembic_version") else None)
            others = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar()
    finally:
        engine.dispose()
    order = revision_order()
    if _rank(current, order) > _rank(backup.revision, order):
        raise BackupError(_("The database is at schema revision {current}, newer than the backup ({revision}): "
                            "restore into a new, empty database instead.").format(current=current, revision=backup.revision))
    if others:
        raise BackupError(_("The database is open elsewhere ({n} other connections): close them first.").format(n=others))
    tool = pg_tool("pg_restore")
    assert tool is not None  # inspect_postgres_backup needed it
    with pg_client(url) as (conninfo, env):
        done = subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                               f"--dbname={conninfo}", str(backup.path)],
                              capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise BackupError(_("pg_restore failed, the database is unchanged: {error}").format(error=_tool_error(done)))


# --- entry points ---------------------------------------------------------------------------

def backup(url: str, out: Path | None = None) -> BackupInfo | Manual:
    """Copy the database at ``url`` to ``out`` (default: a timestamped file in the data dir)."""
    from frontdesk.db import normalise_url

    url = normalise_url(url)
    out = out or default_backup_path(url)
    return _backup_sqlite(url, out) if is_sqlite_url(url) else _backup_postgres(url, out)


def inspect_backup(path: Path, url: str) -> BackupInfo:
    """Check a backup meant for the database at ``url``; raises :class:`BackupError` if unusable."""
    return inspect_sqlite_backup(path) if is_sqlite_url(url) else inspect_postgres_backup(path)


def restore_command(path: Path, url: str) -> str | None:
    """What to run by hand when the PostgreSQL client tools are missing."""
    if is_sqlite_url(url) or pg_tool("pg_restore"):
        return None
    return f"pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{_shown(url)}' {path}"


def restore(backup_info: BackupInfo, url: str) -> str | None:
    """Replace the database at ``url`` with a checked backup, then upgrade it; returns the revision."""
    from frontdesk import migrate
    from frontdesk.db import Database, normalise_url

    url = normalise_url(url)
    if is_sqlite_url(url):
        _restore_sqlite(backup_info, url)
    else:
        _restore_postgres(backup_info, url)
    _upgrade(url)
    db = Database(url)
    try:
        return migrate.current_revision(db)
    finally:
        db.dispose()
