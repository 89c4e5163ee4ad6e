"""The rule that guards the gate pass, kept light so refusing never loads ReportLab."""

from __future__ import annotations

from frontdesk.i18n import translator

from .documents import GatePassDoc
from .errors import DocumentRefused


def check_release(doc: GatePassDoc, lang: str = "zh_CN") -> None:
    """Raise ``DocumentRefused`` (in the desk's language) unless the car may leave.

    A car may leave when its order is paid, or when a manager approved settling it on
    credit (fleet accounts, insurance direct billing). Anything else is refused here, in
    the renderer, so no caller can print a pass by forgetting to check.
    """
    if not doc.release_allowed:
        _ = translator(lang)
        raise DocumentRefused(_(
            "No gate pass for order {order_no}: it is neither paid nor approved for credit."
        ).format(order_no=doc.order_no))
