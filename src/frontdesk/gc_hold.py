"""The cycle collector held off while the console starts, and resumed once its first screen is painted.

Why: starting the console creates tens of thousands of objects that live as long as it
does (Textual's widgets and styles, the modules, the message catalog) and no garbage at
all, yet the collector would walk them dozens of times on the way: about a tenth of the
time to the desk home on the reference machine. Once the first screen is painted the
collector is switched back on and those objects are frozen (``gc.freeze``), so later
collections no longer walk them either.

Only the console's own entry points hold it (``frontdesk run``, the board); a program
that merely imports the package (the tests) keeps the collector as it was.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Resume collection (once; later calls do nothing)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
