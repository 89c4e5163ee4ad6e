"""A dialog that saves from itself, through the pipeline, and stays open on a refusal.

The base of the record dialogs (screens/decision.py ``RecordDialog`` and those built on it)
and of the manager's approval (screens/manager_approval.py): the save runs in the pipeline
(screens/pipeline.py) while a second F6 or Esc is ignored; a refusal is written beside its
field (``#<name>-error``) so nothing has to be typed twice; the answer closes the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import ModalScreen

from frontdesk.keys import translate_bindings
from frontdesk.services.errors import FrontdeskError
from frontdesk.widgets.field import show_field_error

from . import pipeline


class SavingDialog(ModalScreen[Any]):
    """``save`` runs through :meth:`_record`; dismissed with its result, or ``None`` (Esc).

    A failure comes back to :meth:`_refused`, which by default closes the dialog with the error
    for the screen underneath to report; subclasses keep the dialog open for what they can show.
    """

    #: The pipeline's worker group of the save.
    GROUP = "record"

    def __init__(self, save: Callable[..., Any]) -> None:
        super().__init__()
        translate_bindings(self)
        self._save = save
        self._saving = False

    def _record(self, *args: Any) -> None:
        self._saving = True
        pipeline.call(self, self._save, *args, then=self.dismiss, failed=self._refused, group=self.GROUP, saves=True)

    def _refused(self, error: FrontdeskError) -> None:
        self._saving = False
        self.dismiss(error)

    def _error(self, name: str, message: str) -> None:
        show_field_error(self, name, message)

    def action_back(self) -> None:
        if not self._saving:
            self.dismiss(None)
