"""Which of the estimate's panes are on show: the tab's, and from 110x30 up the lines beside it.

On a small terminal one pane at a time, the one of the tab (L, H, T or F7). From 110x30 up
(``wide``) the lines stay in view with every column, and under them the history or, on the
Terms tab, the terms: the advisor adds a recommendation or sets the promise while the lines
and their totals stay on screen. The panes carry the class ``-shown`` (and ``-side`` when
under the lines); estimate.tcss does the rest.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.reactive import var

TABS = ("lines", "history", "terms")


class PaneSwitcher(Vertical):
    """``PaneSwitcher(id="est-body")`` around the panes ``#lines-pane``, ``#history-pane``, ``#terms-pane``.

    ``tab``: the tab on show (set by the screen); ``wide``: bound to the screen's.
    """

    tab = var("lines", init=False, always_update=True)
    wide = var(False, init=False)

    def watch_tab(self) -> None:
        self._layout()

    def watch_wide(self) -> None:
        self._layout()

    def _layout(self) -> None:
        visible = {"lines", "terms" if self.tab == "terms" else "history"} if self.wide else {self.tab}
        for name in TABS:
            for pane in self.query(f"#{name}-pane"):
                pane.set_class(name in visible, "-shown")
                pane.set_class(self.wide and name != "lines", "-side")
