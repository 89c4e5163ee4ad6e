"""msgids for the closed sets of values a document prints (pay types, methods, panels …).

Why a table of msgids rather than ``_(value)``: the stored values are code names
(``first_service``), not English sentences; the tables name the English msgid for each,
and ``N_`` marks them so the catalog test finds them without running anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# The code -> msgid tables the console shows are the ones the paper prints: one source.
from frontdesk.labels import DAMAGE as DAMAGES
from frontdesk.labels import OLD_PARTS
from frontdesk.labels import PANEL as PANELS
from frontdesk.labels import PAY_TYPE as PAY_TYPES
from frontdesk.labels import PAYMENT_METHOD as PAYMENT_METHODS

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a msgid for the catalog without translating it yet."""
    return message


#: Who pays a share the customer does not, for the settlement's "not payable" notes.
PAYER_NOTES: Mapping[str, str] = {
    "warranty": N_("Claimed from the manufacturer under warranty, not payable by the customer"),
    "insurance": N_("Paid by the insurer, not payable by the customer"),
    "internal": N_("Booked internally, not payable by the customer"),
    "first_service": N_("First free service, borne by the manufacturer, not payable by the customer"),
}


LINE_KINDS: Mapping[str, str] = {
    "labor": N_("Labor"),
    "part": N_("Part"),
    "other": N_("Other"),
}

ORIGINS: Mapping[str, str] = {
    "requested": N_("requested"),
    "recommended": N_("recommended"),
    "additional": N_("additional"),
}


TITLES: Mapping[str, str] = {
    "work_order": N_("Work order"),
    "checkin_sheet": N_("Check-in sheet"),
    "settlement": N_("Settlement statement"),
    "gate_pass": N_("Gate pass"),
}


def label(_: Gettext, table: Mapping[str, str], value: str | None, empty: str = "") -> str:
    """Translate a stored value through its table; an unknown value prints as itself."""
    if value is None:
        return empty
    msgid = table.get(value)
    return _(msgid) if msgid else value
