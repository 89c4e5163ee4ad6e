"""The fuel level in eighths, read off the car's gauge: Left/Right step it, a digit sets it.

A check-in sheet records the fuel so nobody argues about it at delivery; the gauge starts
unread (``None``) so that skipping it is noticed rather than saved as a made-up half tank.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from frontdesk.keys import binding, translate_bindings

EIGHTHS = 8
DIGITS = "".join(str(n) for n in range(EIGHTHS + 1))


class FuelGauge(Widget, can_focus=True):
    """``FuelGauge(id="fuel_eighths")``; ``value`` is 0..8 or ``None`` (not read yet)."""

    DEFAULT_CSS = """
    FuelGauge {
        height: 3;
        width: 1fr;
        padding: 0 1;
        border: tall $border-blurred;
        background: $surface;
    }
    FuelGauge:focus {
        border: tall $border;
        background-tint: $foreground 5%;
    }
    FuelGauge.-invalid {
        border: tall $error 60%;
    }
    """

    BINDINGS = [
        binding("left", "less_fuel", "Less fuel", show=False),
        binding("right", "more_fuel", "More fuel", show=False),
    ]

    value: reactive[int | None] = reactive(None)

    class Changed(Message):
        def __init__(self, gauge: FuelGauge, value: int | None) -> None:
            super().__init__()
            self.gauge = gauge
            self.value = value

        @property
        def control(self) -> FuelGauge:
            return self.gauge

    def __init__(self, value: int | None = None, *, hint: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self._hint = hint
        self.set_reactive(FuelGauge.value, value)

    def render(self) -> Text:
        if self.value is None:
            return Text.assemble(("E ", "bold"), ("░" * EIGHTHS, "dim"), (" F  ", "bold"), (self._hint, "dim italic"))
        return Text.assemble(
            ("E ", "bold"), ("█" * self.value, "bold"), ("░" * (EIGHTHS - self.value), "dim"), (" F  ", "bold"),
            (f"{self.value}/{EIGHTHS}", "bold"),
        )

    def watch_value(self, value: int | None) -> None:
        self.post_message(self.Changed(self, value))

    def action_less_fuel(self) -> None:
        self._step(-1)

    def action_more_fuel(self) -> None:
        self._step(1)

    def _step(self, delta: int) -> None:
        """From unread, the first step lands on half a tank, the usual reading to adjust from."""
        start = EIGHTHS // 2 if self.value is None else self.value + delta
        self.value = max(0, min(EIGHTHS, start))

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and len(event.character) == 1 and event.character in DIGITS:
            event.stop()
            event.prevent_default()
            self.value = int(event.character)
