"""Benchmark hook: ``FRONTDESK_EXIT_WHEN=<screen>`` ends the app once that screen has painted.

Startup is measured from outside, in a fresh process running the real app on the real
database (see benchmarks/README.md). The screens call :func:`screen_ready` at the moment
they are ready for the user — the login form after its first paint, the desk home after
its first data fill has been painted. When the variable names that screen the app writes
the wall-clock time to ``FRONTDESK_EXIT_STAMP`` (when set) and exits; otherwise nothing
happens, so in normal use the hook costs one environment lookup per screen.
"""

from __future__ import annotations

import os
import time
from typing import Any

EXIT_WHEN = "FRONTDESK_EXIT_WHEN"
EXIT_STAMP = "FRONTDESK_EXIT_STAMP"


def screen_ready(app: Any, screen: str) -> None:
    """Called by a screen when it is ready; exits after the next paint if ``screen`` was asked for."""
    if os.environ.get(EXIT_WHEN) != screen:
        return

    def painted() -> None:
        stamp = time.time()
        path = os.environ.get(EXIT_STAMP)
        if path:
            with open(path, "w", encoding="ascii") as fh:
                fh.write(f"{stamp:.6f}\n")
        app.exit()

    app.call_after_refresh(painted)
