"""Send a finished PDF to a CUPS printer with ``lp``.

Why ``lp`` and not a Python library: every Linux desk has the CUPS client, the store's
administrator configures printers there once, and ``lp`` returns as soon as the job is
spooled. Any failure becomes a ``PrintError`` whose message the desk can show as is; the
PDF stays on disk, so the advisor can print it again or hand it over another way.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Literal

from frontdesk.i18n import gettext as _

from .errors import PrintError

Media = Literal["A4", "A5"]
LP_TIMEOUT_SECONDS = 30


def lp_command(path: Path, printer: str, media: str, title: str | None, copies: int) -> list[str]:
    """The command line, separate so it can be shown in a log or a test."""
    command = ["lp", "-d", printer, "-o", f"media={media}"]
    if copies > 1:
        command += ["-n", str(copies)]
    command += ["-t", title or path.stem, str(path)]
    return command


def print_file(path: str | Path, printer: str, media: Media = "A4", title: str | None = None,
               *, copies: int = 1, timeout: float = LP_TIMEOUT_SECONDS) -> str:
    """Spool ``path`` on ``printer``; returns the CUPS job id (``"desk-42"``) or ``""``.

    Raises ``PrintError`` when the file is missing, ``lp`` is not installed, the printer
    refuses the job (unknown printer, disabled queue) or ``lp`` does not answer in time.
    """
    file = Path(path)
    if not printer:
        raise PrintError(_("No printer is configured (set the printer in the settings)."))
    if media not in ("A4", "A5"):
        raise PrintError(_("Unsupported paper size {media}: A4 or A5.").format(media=media))
    if copies < 1:
        raise PrintError(_("Copies must be at least 1 (got {copies}).").format(copies=copies))
    if not file.is_file():
        raise PrintError(_("Cannot print {file}: the file does not exist.").format(file=file))
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError(_("Cannot print: the lp command is not installed (install the CUPS client, "
                           "e.g. the cups-client package)."))
    command = lp_command(file, printer, media, title, copies)
    command[0] = lp
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintError(_("Printer {printer} did not answer within {seconds} s.").format(
            printer=printer, seconds=f"{timeout:g}")) from exc
    except OSError as exc:
        raise PrintError(_("Cannot run lp: {error}").format(error=exc)) from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip() or _("exit status {code}").format(code=done.returncode)
        raise PrintError(_("Printer {printer} refused {file}: {detail}").format(printer=printer, file=file.name, detail=detail))
    # "request id is desk-42 (1 file(s))"
    words = done.stdout.split()
    if "is" in words and words.index("is") + 1 < len(words):
        return words[words.index("is") + 1]
    return ""
