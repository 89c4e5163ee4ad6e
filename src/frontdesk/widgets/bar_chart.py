"""Horizontal bars drawn with block characters, for the report's "which is bigger" questions.

A bar's length is worked out in eighths of a cell with integer and Decimal arithmetic (money
never becomes a float, not even to be drawn): ``value × cells × 8 ÷ maximum``, half up, and
any value above zero shows at least one eighth. The widget takes the width it is given: the
labels and the value texts keep their room and the bars share the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from frontdesk.widgets.list_table import clip

EIGHTHS = " ▏▎▍▌▋▊▉"  # 0..7 eighths of a cell; a full cell is "█"
FULL = "█"
MAX_LABEL_SHARE = 3  # labels take at most a third of the width


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    text: str  # the value as shown at the bar's end ("¥1,234.00", "87.5")
    style: str = ""  # the bar's colour; the chart's default when empty


def eighths(value: Decimal | int, maximum: Decimal | int, cells: int) -> int:
    """How many eighths of ``cells`` a bar of ``value`` fills when ``maximum`` fills them all."""
    if isinstance(value, float) or isinstance(maximum, float):
        raise TypeError("bars are measured in Decimal or int, never float")
    if cells <= 0 or maximum <= 0 or value <= 0:
        return 0
    whole = cells * 8
    n = int((Decimal(value) * whole / Decimal(maximum)).to_integral_value(rounding=ROUND_HALF_UP))
    return max(1, min(whole, n))


def bar_text(n: int) -> str:
    """``n`` eighths as block characters (the last cell partly filled)."""
    full, rest = divmod(max(0, n), 8)
    return FULL * full + (EIGHTHS[rest] if rest else "")


class BarChart(Widget):
    """``BarChart(title="Revenue by pay type")``; ``set_bars([Bar(...), ...], maximum=None)``."""

    DEFAULT_CSS = """
    BarChart {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, title: str = "", *, bar_style: str = "cyan", empty: str = "—", id: str | None = None,
                 classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.bar_style = bar_style
        self.empty = empty
        self._bars: tuple[Bar, ...] = ()
        self._maximum: Decimal | int | None = None

    @property
    def bars(self) -> tuple[Bar, ...]:
        return self._bars

    def set_bars(self, bars: Sequence[Bar], *, maximum: Decimal | int | None = None) -> None:
        """Show ``bars``; ``maximum`` fixes the full length (a score out of 100), else the largest value."""
        self._bars = tuple(bars)
        self._maximum = maximum
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return (1 if self.title else 0) + max(1, len(self._bars))

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        out = Text(no_wrap=True, overflow="crop")
        if self.title:
            out.append(self.title, style="bold")
            out.append("\n")
        if not self._bars:
            out.append(self.empty, style="dim")
            return out
        label_cells = min(max(cell_len(b.label) for b in self._bars), max(4, width // MAX_LABEL_SHARE))
        text_cells = max(cell_len(b.text) for b in self._bars)
        cells = max(1, width - label_cells - text_cells - 2)
        maximum = self._maximum if self._maximum is not None else max((b.value for b in self._bars), default=0)
        for n, bar in enumerate(self._bars):
            if n:
                out.append("\n")
            label = clip(bar.label, label_cells)
            out.append(label + " " * (label_cells - cell_len(label)) + " ")
            drawn = bar_text(eighths(bar.value, maximum, cells))
            out.append(drawn, style=bar.style or self.bar_style)
            out.append(" " * (cells - cell_len(drawn)) + " ")
            out.append(" " * (text_cells - cell_len(bar.text)) + bar.text)
        return out


__all__ = ["Bar", "BarChart", "bar_text", "eighths"]
