"""A multi-line text box that leaves F6 to the screen.

Textual's TextArea binds F6 to "select line", but every desk screen saves with F6; a
customer's concerns or a note is exactly where the advisor is when they press it.
"""

from __future__ import annotations

from textual.widgets import TextArea


class NotesArea(TextArea):
    """``NotesArea(id="concerns")``: soft-wrapped, Tab moves on, F6 goes to the screen."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", id=id, classes=classes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_line":
            return False  # handed on along the focus chain, to the screen's save
        return super().check_action(action, parameters)
