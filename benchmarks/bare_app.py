"""The startup baseline: a bare Textual app (Header, DataTable, Footer) that exits on first paint.

Run as a script in a fresh process, exactly like the real app is; it writes the moment
of its first paint to ``FRONTDESK_EXIT_STAMP`` the same way ``frontdesk.bench_hook`` does,
so both sides of the ratio are timed by one rule: process start to the screen painted.
"""

from __future__ import annotations

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Plate", "Customer", "Status", "Promised")
        table.add_row("粤B12345", "王芳", "in workshop", "14:30")
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        path = os.environ.get("FRONTDESK_EXIT_STAMP")
        if path:
            with open(path, "w", encoding="ascii") as fh:
                fh.write(f"{time.time():.6f}\n")
        self.exit()


if __name__ == "__main__":
    BareApp().run()
