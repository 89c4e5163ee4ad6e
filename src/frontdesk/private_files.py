"""Files that hold personal data: owner-only from the moment they exist, and whole or absent.

A customer list, an order export, a backup or the SQLite store itself names people and
their phones; on a shared desk machine a 0644 file in a 0755 folder is readable by every
account. Everything frontdesk writes that holds such data is made here: the file is
created 0600 before a byte is written (never chmod-ed afterwards, which leaves a window),
a folder frontdesk creates for it is 0700 (folders that already exist are the owner's
business and are left alone), and a file appears under its name only once it is complete:
it is written beside the target and moved into place with ``os.replace``, so a reader
never sees half of it and a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(folder: Path | str) -> Path:
    """Make ``folder`` (and any missing parents) 0700; an existing folder is left as it is."""
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it a moment ago
            path.mkdir(mode=PRIVATE_DIR)
            os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return folder


def create_private(path: Path | str) -> Path:
    """An empty 0600 file at ``path`` (truncated if it exists, and made 0600 if it was not)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
    finally:
        os.close(fd)
    return path


def restrict(path: Path | str) -> None:
    """Make an existing file 0600 (a file another program created, such as SQLite's own)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)


def partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.part")


@contextlib.contextmanager
def staged(target: Path | str) -> Iterator[Path]:
    """Yield a 0600 file beside ``target`` to write; it becomes ``target`` when the block ends well.

    Whatever must happen before the file may exist (its audit event committed) goes inside
    the block, after the writing: if anything raises, the partial file is removed and the
    target is untouched.
    """
    target = Path(target)
    private_dir(target.parent)
    partial = create_private(partial_name(target))
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
