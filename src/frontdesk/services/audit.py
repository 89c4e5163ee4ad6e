"""An order's history written to CSV or Excel: for a dispute, an insurer, an internal review.

One row per changed field of each event (an event that changed nothing listed has one row
with the field empty), so a spreadsheet can filter by field or user. The history is read
and the file written inside the service call, which is audited like every export (who
wrote which order's history to which path); the file appears only once that event is
committed (:mod:`.export_files`), and no text cell is a formula. Manager and administrator only
(``audit.export``): the history holds the customer's details as they were recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from frontdesk.i18n import gettext as _, pgettext
from frontdesk.labels import AUDIT_ACTION, label

from .audit_views import OrderHistory, load_history
from .context import Tx, service
from .data_exports import Cell, Export, _write
from .export_files import ExportFile, export_file
from .runtime import Actor, Services


def default_path(pdf_dir: Path, number: str, fmt: str) -> Path:
    """``<pdf folder>/history_<order number>.xlsx``, next to the order's printed paperwork."""
    return pdf_dir / f"history_{number}.{fmt}"


def header() -> list[str]:
    return [_("Time"), _("User"), _("Action taken"), _("Action code"), pgettext("audit column", "Record"),
            _("Record id"), _("Field"), _("Before"), _("After")]


def rows(history: OrderHistory) -> Iterator[tuple[Cell, ...]]:
    for e in history.events:
        head: tuple[Cell, ...] = (e.at.strftime("%Y-%m-%d %H:%M:%S"), e.user, label(AUDIT_ACTION, e.action), e.action,
                                  e.entity, e.entity_id)
        if not e.changes:
            yield (*head, "", "", "")
        for c in e.changes:
            yield (*head, c.field, c.before, c.after)


def export_order_history(services: Services, actor: Actor, order_id: int, path: Path | str) -> Export:
    """Write the order's full history to ``path`` (.csv or .xlsx)."""
    return export_file(services, actor, order_history_file, path, order_id)


@service("audit.export")
def order_history_file(tx: Tx, out: ExportFile, order_id: int) -> Export:
    """:func:`export_order_history`'s service: the staged file written and the export recorded."""
    history = load_history(tx.session, tx.actor.store_id, order_id)
    title = _("History {number}").format(number=history.number)
    done = _write(out, header(), rows(history), title)
    tx.audit("order_history_export", order_id, order_id=order_id,
             after={"path": str(done.path), "rows": done.rows, "events": len(history.events)})
    return done
