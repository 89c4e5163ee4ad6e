"""An export's file appears under its name only after its audit event is committed.

Every export (report, orders, catalogs, customers, an order's history) is an audited service
call: the audit trail must name every file that holds the store's data. Writing the file
inside the call and renaming it there would leave a file without its audit event whenever
the event's insert or the commit fails (a busy store, a full disk). So the call writes a
0600 partial file beside the target (:func:`frontdesk.private_files.staged`), and
:func:`export_file` wraps the *whole* service call in that staging: the file is moved into
place only once the call has returned, which is after its transaction committed; any
failure removes the partial and leaves the target as it was. A folder made for the file is
0700: customer lists and order exports are personal data.

The service functions take an :class:`ExportFile` (where to write, what to record); the
public ``export_…`` functions take a path and are what screens and the command line call.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from frontdesk.i18n import gettext as _
from frontdesk.private_files import partial_name, staged

from .context import require
from .errors import ValidationError
from .runtime import Actor, Services

P = ParamSpec("P")
R = TypeVar("R")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Export:
    """A file written: where, and how many rows (the audit event and the screen say both)."""

    path: Path
    rows: int


@dataclass(frozen=True)
class ExportFile:
    """The file the user asked for (``path``, what the audit names) and where it is written first."""

    path: Path
    partial: Path

    @classmethod
    def beside(cls, path: Path | str) -> ExportFile:
        """The staging names for ``path`` (what :func:`export_file` hands the service)."""
        target = Path(path).expanduser()
        return cls(target, partial_name(target))

    @property
    def fmt(self) -> str:
        return format_of(self.path)


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError("path", _("Save the file as .csv or .xlsx."))
    return fmt


def cannot_write(path: Path, exc: OSError) -> ValidationError:
    return ValidationError("path", _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc))


@contextlib.contextmanager
def writing(out: ExportFile) -> Iterator[Path]:
    """Inside the service: the partial file to write; a failed write is the one-line path error."""
    try:
        yield out.partial
    except OSError as exc:
        raise cannot_write(out.path, exc) from exc


def export_file(services: Services, actor: Actor, export: Callable[Concatenate[Services, Actor, ExportFile, P], R],
                path: Path | str, /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the export service ``export`` on a staged file; ``path`` exists only if the call committed."""
    require(actor, export.action)  # type: ignore[attr-defined]  # refused before any folder is made
    out = ExportFile.beside(path)
    format_of(out.path)  # a wrong suffix is refused before anything is written
    if out.path.is_dir():  # found now, not by the rename after the audit event is committed
        raise cannot_write(out.path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    try:
        with staged(out.path) as partial:
            return export(services, actor, ExportFile(out.path, partial), *args, **kwargs)
    except OSError as exc:  # the folder, the partial file or the rename
        raise cannot_write(out.path, exc) from exc


__all__ = ["FORMATS", "ExportFile", "cannot_write", "export_file", "format_of", "writing"]
