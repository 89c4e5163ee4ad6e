"""Printing from a screen: render one document (and send it to the printer), then say where it went.

The settlement and payment screens (and the estimate's work order and check-in sheet) print
the same way, so the way lives here once: a paperwork or disk failure becomes a
``FrontdeskError`` the screen's worker shows like any refusal, and the notification names the
PDF's path even when the printer refused it — the cashier can still hand the paper over.
Nothing here is a screen, so a screen that prints imports no other screen for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.i18n import gettext as _
from frontdesk.services.errors import FrontdeskError

if TYPE_CHECKING:
    from textual.screen import Screen

    from frontdesk.services.context import Services
    from frontdesk.services.documents import Printed


def document_name(kind: str) -> str:
    """The printed documents' names as the notifications say them."""
    return {"work-order": _("Work order"), "checkin-sheet": _("Check-in sheet"),
            "settlement": _("Settlement statement"), "gate-pass": _("Gate pass")}[kind]


def print_one(services: Services, kind: str, number: str) -> Printed:
    """Render (and send) one document; a paperwork or disk failure reads as a message.

    Runs in a screen's worker. The paperwork is imported here, not at the top: ReportLab is
    loaded the first time something is printed, not when the console starts.
    """
    from frontdesk.paperwork import PaperworkError
    from frontdesk.services import documents

    try:
        return documents.print_document(services, kind, number)
    except (PaperworkError, OSError) as exc:
        raise FrontdeskError(_("{document} could not be printed: {reason}").format(
            document=document_name(kind), reason=exc)) from exc


def say_printed(screen: Screen[Any], kind: str, printed: Printed) -> Path:
    """Tell the user where the PDF went (and whether the printer took it); the path, for the screen to keep."""
    document = document_name(kind)
    if printed.sent_to:
        screen.app.notify(_("{document} sent to printer {printer}: {path}").format(
            document=document, printer=printed.sent_to, path=printed.path), timeout=10)
    elif printed.print_error:
        screen.app.notify(_("The printer refused the {document} ({reason}); the PDF is at {path}").format(
            document=document, reason=printed.print_error, path=printed.path), severity="warning", timeout=15)
    else:
        screen.app.notify(_("{document} saved as {path}").format(document=document, path=printed.path), timeout=10)
    return Path(printed.path)
