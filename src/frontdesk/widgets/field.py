"""A labelled input with its own error line, so a refused value is explained in place.

Two shapes: :class:`Field` (the label over the input, on the forms of the desk) and
:func:`dialog_field` (label and input on one row of a dialog, the error line under them;
:func:`dialog_row` puts any other field on such a row).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, Label, Static


class Field(Vertical):
    """``Field("vin", "VIN")`` gives ``#vin`` (the Input) and ``#vin-error`` (the message)."""

    DEFAULT_CSS = """
    Field { height: auto; width: 1fr; margin: 0 1 0 0; }
    Field > Label { color: $text-muted; }
    Field > .field-error { color: $error; height: auto; min-height: 1; }
    Field > Input { width: 1fr; }
    """

    def __init__(self, name: str, label: str, *, value: str = "", placeholder: str = "", password: bool = False,
                 restrict: str | None = None, max_length: int = 0, classes: str = "") -> None:
        super().__init__(id=f"{name}-field", classes=classes)
        self.field_name = name
        self._label = label
        self._input = Input(value=value, placeholder=placeholder, password=password, id=name,
                            restrict=restrict, max_length=max_length)

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        yield self._input
        yield Static("", id=f"{self.field_name}-error", classes="field-error")

    @property
    def value(self) -> str:
        return self._input.value

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text

    def set_error(self, message: str) -> None:
        self.query_one(f"#{self.field_name}-error", Static).update(message)


def dialog_field(name: str, label: str, *, row_id: str | None = None, label_id: str | None = None,
                 **options: Any) -> ComposeResult:
    """One row of a dialog: ``label`` beside a compact ``#<name>`` Input (``options`` are the Input's).

    Under the row ``#<name>-error``, where the dialog shows a refusal. Compose it with ``yield from``
    inside the dialog's box.
    """
    yield from dialog_row(label, Input(id=name, compact=True, **options), row_id=row_id, label_id=label_id)


def dialog_row(label: str, field: Widget, *, row_id: str | None = None, label_id: str | None = None,
               css: str = "dialog") -> ComposeResult:
    """:func:`dialog_field`'s row around any field (a Select, a StepInput …) that has an id.

    ``css`` names the row's and the label's classes (``<css>-row``, ``<css>-label``), for a
    dialog with a style sheet of its own.
    """
    with Horizontal(classes=f"{css}-row", id=row_id):
        yield Label(label, id=label_id, classes=f"{css}-label")
        yield field
    yield Static("", id=f"{field.id}-error", classes="field-error")


def show_field_error(node: DOMNode, name: str, message: str) -> bool:
    """``message`` on the error line ``#<name>-error`` under ``node``; a field it does not show is passed over.

    ``True`` when the message reads in place (the line is there and displayed; it is scrolled
    into view): the caller then shows no toast, which would lie over the bottom of the form
    and could cover the very line it points to (issue 17). ``False``: say it another way.
    """
    try:
        line = node.query_one(f"#{name}-error", Static)
    except NoMatches:
        return False
    line.update(message)
    if not all(n.display for n in line.ancestors_with_self if isinstance(n, Widget)):
        return False
    if message:
        line.scroll_visible(animate=False, immediate=False)
    return True
