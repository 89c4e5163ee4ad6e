"""A car seen from above as a grid of body panels: the arrows move, number keys mark damage.

The walkaround happens beside the car with the customer, so the grid is laid out like the
car diagram of the printed check-in sheet (front at the top, the car's left on the
reader's left) and every panel shows the same damage letters as the paper. The widget
knows nothing about orders: it is given names, keys and letters, holds a set of
``(panel, damage)`` marks and posts ``MarksChanged`` whenever a key changes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from frontdesk.keys import binding, translate_bindings

Mark = tuple[str, str]  # (panel code, damage code)

#: Front at the top, the car's left on the left, as on the printed check-in sheet.
CAR_LAYOUT: tuple[tuple[str | None, ...], ...] = (
    (None, None, "front_bumper", None, None),
    ("front_left_wheel", "front_left_wing", "bonnet", "front_right_wing", "front_right_wheel"),
    (None, "front_left_door", "windscreen", "front_right_door", None),
    (None, "rear_left_door", "roof", "rear_right_door", None),
    ("rear_left_wheel", "rear_left_wing", "rear_window", "rear_right_wing", "rear_right_wheel"),
    (None, None, "boot_lid", None, None),
    (None, None, "rear_bumper", None, None),
)


class PanelGrid(Widget, can_focus=True):
    """``PanelGrid(names, damage_keys, damage_codes)``; ``marks`` is the current set of marks.

    ``damage_keys`` maps a damage code to the key that toggles it on the selected panel,
    ``damage_codes`` to the letter shown on the panel, ``damage_names`` to the description
    of that key in the help (F1). Delete clears the selected panel.
    """

    DEFAULT_CSS = """
    PanelGrid {
        layout: grid;
        grid-size: 5 7;
        grid-columns: 1fr 2fr 2fr 2fr 1fr;
        grid-rows: 2;
        grid-gutter: 0 1;
        height: auto;
        width: 1fr;
        max-width: 90;
        padding: 0 1;
    }
    PanelGrid > .panel {
        width: 1fr;
        height: 2;
        background: $panel;
        color: $text;
        text-align: center;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    PanelGrid > .panel.-wheel {
        background: $panel-darken-2;
    }
    PanelGrid > .panel.-marked {
        background: $warning 45%;
        text-style: bold;
    }
    PanelGrid > .panel.-selected {
        background: $accent 35%;
    }
    PanelGrid:focus > .panel.-selected {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    PanelGrid > .gap {
        width: 1fr;
        height: 2;
    }
    """

    BINDINGS = [
        binding("up", "panel_up", "Panel in front", show=False),
        binding("down", "panel_down", "Panel behind", show=False),
        binding("left", "panel_left", "Panel to the left", show=False),
        binding("right", "panel_right", "Panel to the right", show=False),
        binding("delete,backspace", "clear_panel", "Clear the panel's marks", show=False),
    ]

    class MarksChanged(Message):
        """The marks changed (a key toggled or cleared one): ``marks`` is the whole new set."""

        def __init__(self, grid: PanelGrid, marks: frozenset[Mark]) -> None:
            super().__init__()
            self.grid = grid
            self.marks = marks

        @property
        def control(self) -> PanelGrid:
            return self.grid

    class Moved(Message):
        """The cursor moved to another panel."""

        def __init__(self, grid: PanelGrid, panel: str) -> None:
            super().__init__()
            self.grid = grid
            self.panel = panel

        @property
        def control(self) -> PanelGrid:
            return self.grid

    def __init__(
        self,
        names: Mapping[str, str],
        damage_keys: Mapping[str, str],
        damage_codes: Mapping[str, str],
        *,
        damage_names: Mapping[str, str] | None = None,
        layout: Sequence[Sequence[str | None]] = CAR_LAYOUT,
        marks: Iterable[Mark] = (),
        id: str | None = None,
        classes: str = "",
    ) -> None:
        super().__init__(id=id, classes=classes)
        translate_bindings(self)
        self._names = dict(names)
        self._codes = dict(damage_codes)
        self._damage_order = list(damage_keys)  # the legend's order: 1 scratch, 2 dent...
        self._layout = [list(row) for row in layout]
        self._marks: set[Mark] = set(marks)
        self._at = next((r, c) for r, row in enumerate(self._layout) for c, p in enumerate(row) if p)
        for damage, key in damage_keys.items():
            description = (damage_names or {}).get(damage, damage)
            self._bindings.key_to_bindings.setdefault(key, []).append(
                Binding(key, f"toggle_mark('{damage}')", f"{description} ({self._codes.get(damage, '')})",
                        show=False, id=f"frontdesk.mark_{damage}")
            )

    # Reading and setting -----------------------------------------------------------------

    @property
    def marks(self) -> frozenset[Mark]:
        return frozenset(self._marks)

    @marks.setter
    def marks(self, marks: Iterable[Mark]) -> None:
        """Replace the marks (loading a saved walkaround); posts no message."""
        self._marks = set(marks)
        if self.is_mounted:
            for panel in self.panels:
                self._paint(panel)

    @property
    def panel(self) -> str:
        """The selected panel's code."""
        r, c = self._at
        panel = self._layout[r][c]
        assert panel is not None
        return panel

    @property
    def panels(self) -> list[str]:
        return [p for row in self._layout for p in row if p]

    def codes_on(self, panel: str) -> list[str]:
        """The damage codes marked on ``panel``, in the keys' order."""
        return [d for d in self._damage_order if (panel, d) in self._marks]

    # Drawing ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        for row in self._layout:
            for panel in row:
                if panel is None:
                    yield Static("", classes="gap")
                else:
                    cls = "panel -wheel" if panel.endswith("_wheel") else "panel"
                    yield Static("", id=f"panel-{panel}", classes=cls)

    def on_mount(self) -> None:
        for panel in self.panels:
            self._paint(panel)

    def _paint(self, panel: str) -> None:
        cell = self.query_one(f"#panel-{panel}", Static)
        letters = " ".join(self._codes.get(d, d) for d in self.codes_on(panel))
        cell.update(f"{self._names.get(panel, panel)}\n{letters}")
        cell.set_class(bool(letters), "-marked")
        cell.set_class(panel == self.panel, "-selected")

    # Keys -----------------------------------------------------------------------------------

    def action_toggle_mark(self, damage: str) -> None:
        mark = (self.panel, damage)
        if mark in self._marks:
            self._marks.discard(mark)
        else:
            self._marks.add(mark)
        self._changed()

    def action_clear_panel(self) -> None:
        before = len(self._marks)
        self._marks = {m for m in self._marks if m[0] != self.panel}
        if len(self._marks) != before:
            self._changed()

    def _changed(self) -> None:
        self._paint(self.panel)
        self.post_message(self.MarksChanged(self, self.marks))

    def action_panel_up(self) -> None:
        self._move(-1, 0)

    def action_panel_down(self) -> None:
        self._move(1, 0)

    def action_panel_left(self) -> None:
        self._move(0, -1)

    def action_panel_right(self) -> None:
        self._move(0, 1)

    def _move(self, dr: int, dc: int) -> None:
        """Step to the next panel that way; going up or down, the nearest one in that row.

        The grid is sparse (a wheel has no neighbour above it), so "down" from the front
        left wheel lands on the front left door rather than nowhere.
        """
        r, c = self._at
        rows, cols = len(self._layout), len(self._layout[0])
        target: tuple[int, int] | None = None
        if dc:
            col = c + dc
            while 0 <= col < cols and target is None:
                if self._layout[r][col]:
                    target = (r, col)
                col += dc
        else:
            row = r + dr
            while 0 <= row < rows and target is None:
                filled = [k for k, p in enumerate(self._layout[row]) if p]
                if filled:
                    target = (row, min(filled, key=lambda k: (abs(k - c), k)))
                row += dr
        if target is None or target == self._at:
            return
        old = self.panel
        self._at = target
        self._paint(old)
        self._paint(self.panel)
        self.post_message(self.Moved(self, self.panel))
