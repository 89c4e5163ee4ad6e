"""The footer every screen shows: its keys by importance, whole labels only, F1 always.

Textual's Footer lays every shown key out in one row and lets the row run off the right
edge: at 80 columns a label is cut in half ("r▏") and the keys after it are gone without
a trace, while the palette key, docked on the right, covers F1. An advisor at a small
terminal then never learns that F8 prints. This footer measures first: the screen's own
keys in the order the screen declares them (its BINDINGS list is its order of
importance), F1, then the app-wide keys; F1 is always kept, the rest are taken in that
order while they fit, and what does not fit is left out whole — F1 lists every key.

Bindings that share a ``Binding.Group`` (the payment's five pay methods) take one place:
"c/b/w/a/t Pay by".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from frontdesk.i18n import gettext as _

if TYPE_CHECKING:
    from textual.screen import Screen

HELP_ACTION = "help"
PALETTE_ACTION = "command_palette"


@dataclass(frozen=True)
class FooterEntry:
    """One place in the footer: a key (or a group of keys) and what it does."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    kind: str  # "screen" (the screen and its focused widgets), "help" (F1), "app", "palette"

    @property
    def width(self) -> int:
        """Columns it takes: Textual's FooterKey pads the key by one on each side and the
        description by one on the right; the palette key is compact (the key unpadded, one
        space before the description), with a border on the left and a padding on the right."""
        if self.kind == "palette":
            return cell_len(self.key_display) + (cell_len(self.description) + 1 if self.description else 0) + 2
        cells = cell_len(self.key_display) + 2
        if self.description:
            cells += cell_len(self.description) + 1
        return cells


def footer_entries(screen: Screen) -> list[FooterEntry]:
    """Every key the screen shows, in the footer's order: the screen's, F1, the app's, the palette."""
    app = screen.app
    active = screen.active_bindings
    by_action: dict[str, tuple] = {}
    for node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in by_action:
            by_action[binding.action] = (node, binding, enabled, tooltip)
    screen_entries: list[FooterEntry] = []
    help_entries: list[FooterEntry] = []
    app_entries: list[FooterEntry] = []
    grouped: dict[object, list[tuple]] = {}
    for node, binding, enabled, tooltip in by_action.values():
        if binding.group is not None:
            members = grouped.setdefault(binding.group, [])
            members.append((node, binding, enabled, tooltip))
            if len(members) > 1:
                continue  # the group takes the place of its first key
        kind = "help" if binding.action == HELP_ACTION else "app" if node is app else "screen"
        target = {"help": help_entries, "app": app_entries}.get(kind, screen_entries)
        target.append(_entry(app, binding, enabled, tooltip, kind))
    for group, members in grouped.items():
        if len(members) < 2:
            continue
        first = members[0][1]
        kind = "app" if members[0][0] is app else "screen"
        target = app_entries if kind == "app" else screen_entries
        at = next(i for i, e in enumerate(target) if e.action == first.action)
        target[at] = FooterEntry(
            first.key, "/".join(app.get_key_display(b) for _n, b, _e, _t in members), group.description,  # type: ignore[attr-defined]
            first.action, any(e for _n, _b, e, _t in members), group.description, kind)  # type: ignore[attr-defined]
    # The app's keys in the order its BINDINGS list gives them (Textual's merged map keeps the
    # place of a key its base class bound first, so ctrl+q would come before F1 and F12).
    declared = [getattr(b, "action", None) for b in type(app).__dict__.get("BINDINGS", ())]
    app_entries.sort(key=lambda e: declared.index(e.action) if e.action in declared else len(declared))
    palette: list[FooterEntry] = []
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
        if binding.action not in by_action:
            palette.append(_entry(app, binding, enabled, tooltip or binding.tooltip, "palette"))
    return [*screen_entries, *help_entries, *app_entries, *palette]


def _entry(app, binding, enabled: bool, tooltip: str, kind: str) -> FooterEntry:  # type: ignore[no-untyped-def]
    # Ours are translated already (keys.translate_bindings); Textual's ("Dismiss menu") here.
    return FooterEntry(binding.key, app.get_key_display(binding), _(binding.description) if binding.description else "",
                       binding.action, bool(enabled), _(tooltip) if tooltip else "", kind)


def fit(entries: Iterable[FooterEntry], width: int) -> list[FooterEntry]:
    """The entries that fit in ``width`` columns: F1, and the others in order up to the first
    that does not fit — a less important key never shows while a more important one is left out."""
    entries = list(entries)
    room = width - sum(e.width for e in entries if e.kind == "help")
    keep: set[int] = {i for i, e in enumerate(entries) if e.kind == "help"}
    for i, entry in enumerate(entries):
        if i in keep:
            continue
        if entry.width > room:
            break
        keep.add(i)
        room -= entry.width
    return [e for i, e in enumerate(entries) if i in keep]


class KeyFooter(Footer):
    """Textual's Footer (same look, same clicks), choosing what it shows by :func:`fit`."""

    _fitted_width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.screen.size.width or self.app.size.width
        self._fitted_width = width
        for entry in fit(footer_entries(self.screen), width):
            key = FooterKey(entry.key, entry.key_display, entry.description, entry.action,
                            disabled=not entry.enabled, tooltip=entry.tooltip,
                            classes="-command-palette" if entry.kind == "palette" else "")
            yield key if entry.kind == "palette" else key.data_bind(compact=Footer.compact)  # as Textual's

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)
