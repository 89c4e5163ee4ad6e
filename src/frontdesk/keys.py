"""The function keys every screen uses the same way (desk staff come from F-key dealer systems).

Screens build their bindings from these so that "new", "save", "print" and "back" never
move; letters serve the rest. Binding descriptions are English msgids in the class
definitions and are translated per instance (:func:`translate_bindings`), so a screen
opened after a language switch speaks the new language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from frontdesk.i18n import gettext as _

HELP = "f1"
NEW = "f2"
FIND = "f3"
EDIT = "f4"
REFRESH = "f5"
SAVE = "f6"
PRINT = "f8"
SIGN = "f9"
LOCK = "f12"
BACK = "escape"


def binding(key: str, action: str, description: str, *, show: bool = True, tooltip: str = "",
            priority: bool = False, key_display: str | None = None, group: Binding.Group | None = None) -> Binding:
    """A binding with a description (msgid), a tooltip and an id users can remap from config.

    A screen's BINDINGS list is its order of importance: the footer (widgets/key_footer.py)
    shows the keys in that order while they fit, and F1 lists them in it. Bindings sharing a
    ``group`` (its description a msgid) take one place in the footer: "c/b/w/a/t Pay by".
    """
    return Binding(key, action, description, show=show, tooltip=tooltip, id=f"frontdesk.{action}",
                   priority=priority, key_display=key_display, group=group)


def group(description: str) -> Binding.Group:
    """A footer group of keys; ``description`` is a msgid, translated with the bindings."""
    return Binding.Group(description)


def back(description: str = "Back") -> Binding:
    return binding(BACK, "back", description, key_display="Esc")


def _group(found: Binding.Group | None) -> Binding.Group | None:
    return replace(found, description=_(found.description)) if found is not None and found.description else found


def translate_bindings(node: DOMNode) -> None:
    """Give ``node`` its class's bindings with descriptions in the current language.

    A letter command answers in either case: the footer shows ``h`` but a user with Caps
    Lock on (or who reads the footer's letters as capitals) types ``H``. The capital is a
    silent alias — no footer entry, no F1 line, no keymap id — unless the screen binds the
    capital to something of its own.
    """
    merged = type(node)._merged_bindings
    if merged is None:
        return
    own = node._bindings.key_to_bindings
    for key, bindings in merged.key_to_bindings.items():
        own[key] = [
            replace(b, description=_(b.description) if b.description else "", tooltip=_(b.tooltip) if b.tooltip else "",
                    group=_group(b.group))
            for b in bindings
        ]
    for key, bindings in merged.key_to_bindings.items():
        if len(key) == 1 and "a" <= key <= "z" and key.upper() not in merged.key_to_bindings:
            own[key.upper()] = [replace(b, key=key.upper(), show=False, description="", tooltip="", id=None,
                                        key_display=None) for b in bindings]
