"""msgids for the closed sets of values a document prints (pay types, methods, panels …).

Why a table of msgids rather than ``_(value)``: the stored values are code names
(``first_service``), not English sentences; the tables name the English msgid for each,
and ``N_`` marks them so the catalog test finds them without running anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a msgid for the catalog without translating it yet."""
    return message


PAY_TYPES: Mapping[str, str] = {
    "customer": N_("Customer pay"),
    "warranty": N_("Warranty"),
    "insurance": N_("Insurance"),
    "internal": N_("Internal"),
    "first_service": N_("First free service"),
}

#: Who pays a share the customer does not, for the settlement's "not payable" notes.
PAYER_NOTES: Mapping[str, str] = {
    "warranty": N_("Claimed from the manufacturer under warranty, not payable by the customer"),
    "insurance": N_("Paid by the insurer, not payable by the customer"),
    "internal": N_("Booked internally, not payable by the customer"),
    "first_service": N_("First free service, borne by the manufacturer, not payable by the customer"),
}

PAYMENT_METHODS: Mapping[str, str] = {
    "cash": N_("Cash"),
    "card": N_("Bank card"),
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
    "transfer": N_("Bank transfer"),
}

OLD_PARTS: Mapping[str, str] = {
    "take": N_("Customer takes the old parts"),
    "leave": N_("Old parts left to the store"),
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

DAMAGES: Mapping[str, str] = {
    "scratch": N_("Scratch"),
    "dent": N_("Dent"),
    "chip": N_("Chip / paint loss"),
    "crack": N_("Crack"),
}

PANELS: Mapping[str, str] = {
    "front_bumper": N_("Front bumper"),
    "bonnet": N_("Bonnet"),
    "windscreen": N_("Windscreen"),
    "roof": N_("Roof"),
    "front_left_wing": N_("Front left wing"),
    "front_right_wing": N_("Front right wing"),
    "front_left_door": N_("Front left door"),
    "front_right_door": N_("Front right door"),
    "rear_left_door": N_("Rear left door"),
    "rear_right_door": N_("Rear right door"),
    "rear_left_wing": N_("Rear left wing"),
    "rear_right_wing": N_("Rear right wing"),
    "boot_lid": N_("Boot lid"),
    "rear_window": N_("Rear window"),
    "rear_bumper": N_("Rear bumper"),
    "front_left_wheel": N_("Front left wheel"),
    "front_right_wheel": N_("Front right wheel"),
    "rear_left_wheel": N_("Rear left wheel"),
    "rear_right_wheel": N_("Rear right wheel"),
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
