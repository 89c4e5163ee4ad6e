"""An input whose value the + and - keys (and Up/Down) step: a day, half an hour.

On the phone the advisor moves an appointment "one day later" far more often than they
type a date, so stepping takes one key. The value can still be typed: ``step(text, n)``
returns the stepped text, or ``None`` when the text is not a complete value yet, and then
"-" is typed as usual (it is also the date separator in 2026-11-25).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from frontdesk.keys import translate_bindings

Stepper = Callable[[str, int], "str | None"]


class StepInput(Input):
    BINDINGS = [
        Binding("up", "step(1)", "Later", show=False),
        Binding("down", "step(-1)", "Earlier", show=False),
    ]

    def __init__(self, step: Stepper, *, value: str = "", id: str | None = None, placeholder: str = "",
                 restrict: str | None = None, max_length: int = 0, compact: bool = False) -> None:
        super().__init__(value=value, id=id, placeholder=placeholder, restrict=restrict, max_length=max_length,
                         compact=compact)
        self._step = step
        translate_bindings(self)

    def action_step(self, n: int) -> None:
        self.step(n)

    def step(self, n: int) -> bool:
        """Step the value by ``n``; False (and nothing changes) when the text is not a value."""
        stepped = self._step(self.value, n)
        if stepped is None:
            return False
        self.value = stepped
        self.cursor_position = len(stepped)
        return True

    async def _on_key(self, event: events.Key) -> None:
        if event.character in ("+", "-") and self.step(1 if event.character == "+" else -1):
            event.stop()
            event.prevent_default()  # Input's own handler would type the character too
