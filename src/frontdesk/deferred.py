"""The services of a console that is still opening its database.

The login form needs no database until the user presses Enter, so ``frontdesk run``
paints it first and opens the database (SQLAlchemy, the schema check, the store row)
in a thread right after the first paint. Until then the app holds this stand-in:
``settings`` is there at once; any other attribute waits for the opening to finish and
is taken from the real :class:`~frontdesk.services.context.Services`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontdesk.config import Settings
    from frontdesk.services.context import Services


class DeferredServices:
    def __init__(self, settings: Settings, opener: Callable[[Settings], Services]) -> None:
        self.settings = settings
        self._opener = opener
        self._lock = threading.Lock()
        self._services: Services | None = None
        self._error: BaseException | None = None

    def open(self) -> Services:
        """The real services, opened on first call (every other caller waits for it)."""
        with self._lock:
            if self._services is None:
                if self._error is not None:
                    raise RuntimeError(str(self._error)) from self._error
                try:
                    self._services = self._opener(self.settings)
                except BaseException as exc:  # SystemExit too: "run `frontdesk db upgrade` first"
                    self._error = exc
                    raise RuntimeError(str(exc)) from exc
            return self._services

    def open_in_background(self, failed: Callable[[str], None]) -> None:
        def run() -> None:
            try:
                self.open()
            except RuntimeError as exc:
                failed(str(exc))

        threading.Thread(target=run, name="open-database", daemon=True).start()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.open(), name)
