"""What a database driver's exception means to the user, decided by its code, never its text.

Why codes: an error's text carries the SQL that failed, so "locked" turns up in any
statement that touches ``locked_until`` and a read-only store was reported as "busy, try
again" (issue 15, item 11). SQLite's exceptions carry ``sqlite_errorcode`` (the extended
code; its low byte is the primary one), psycopg's carry ``sqlstate``; a SQLAlchemy
``DBAPIError`` holds the driver's exception in ``orig``. The codes are read in the db
layer (:func:`frontdesk.dbapi.classify`: it needs them itself, to tell a held write lock
from anything else); here one function, :func:`user_error`, turns any of them into the
:class:`FrontdeskError` a screen or the command line shows in one line. It is used by the
``@service`` wrapper, the plain driver path (installed on the database as its
``map_error`` by :class:`~frontdesk.services.runtime.Services`, since the db layer may not
import the services) and ``frontdesk.cli``.

No SQLAlchemy, psycopg or textual is imported here: the console's sign-in path uses it.
"""

from __future__ import annotations

import re
from pathlib import Path

from frontdesk.dbapi import Problem, classify, driver_exception, is_busy
from frontdesk.i18n import gettext as _
from frontdesk.redact import redact_text, redact_url

from .errors import ConflictError, FrontdeskError

__all__ = ["Problem", "StoreError", "classify", "driver_exception", "is_busy", "user_error", "where"]

class StoreError(FrontdeskError):
    """The store cannot be used as it is (missing, read-only, damaged, unreachable, too new).

    Nothing was written; the message says what is wrong and what to do.
    """


def where(url: str | None) -> str:
    """The store as a user recognises it: a SQLite file's path, a server URL without its password."""
    if not url:
        return _("the store")
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        path = path.removeprefix("file:").split("?", 1)[0]
        return str(Path(path)) if path and path != ":memory:" else _("the in-memory store")
    return redact_url(url.replace("postgresql+psycopg://", "postgresql://", 1))  # as the user typed it


def _reason(driver: BaseException) -> str:
    """The driver's own words in one line, the server's part only (libpq repeats host and port first)."""
    text = " ".join(str(driver).split())
    for marker in ("FATAL: ", "failed: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    text = re.split(r"\s+(?:Is the server running|HINT:|DETAIL:)", text, maxsplit=1)[0]
    return redact_text(text.strip().rstrip("."))


def user_error(exc: BaseException, url: str | None = None) -> FrontdeskError | None:
    """The error to show for a driver exception; None when it is not one the user can act on."""
    problem = classify(exc)
    if problem is None:
        return None
    store = where(url)
    driver = driver_exception(exc)
    assert driver is not None
    if problem is Problem.BUSY:
        return ConflictError(_("Another terminal is saving. Try again in a moment."))
    if problem is Problem.READ_ONLY:
        return StoreError(_("The store at {store} is read-only: check the permissions of the file and its folder,"
                            " or ask the administrator.").format(store=store))
    if problem is Problem.NOT_A_STORE:
        return StoreError(_("{store} is not a frontdesk store, or it is damaged: check --db, or restore a backup."
                            ).format(store=store))
    if problem is Problem.FULL:
        return StoreError(_("The store at {store} is out of space or resources ({reason}): free some and try again."
                            ).format(store=store, reason=_reason(driver)))
    if problem is Problem.CANT_OPEN:
        return StoreError(_("Cannot open the store at {store}: check the path and its permissions.").format(store=store))
    if problem is Problem.DISK:
        return StoreError(_("The disk failed while using the store at {store} ({reason}): check the disk, then try"
                            " again.").format(store=store, reason=_reason(driver)))
    if problem is Problem.NOT_ALLOWED:
        return StoreError(_("The database user may not do this ({reason}): ask the administrator.").format(
            reason=_reason(driver)))
    return StoreError(_("Cannot connect to the database at {store} ({reason}): check the address, the user name and"
                        " the password.").format(store=store, reason=_reason(driver)))
