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
from textual.widgets._toast import ToastRack  # the screen's toasts (no public name in Textual 8)


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
    into view, and the screen's toasts are moved clear of it: :func:`toasts_clear_of`).
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
        toasts_clear_of(line)
    return True


def toasts_clear_of(line: Widget) -> None:
    """Put the screen's toasts on the half of the screen away from ``line``.

    Toasts stack at the bottom right, over the lower fields of a form: the "check the fields
    marked in red" toast lay on the very red line it pointed to (issue 17). The line is
    placed by its field's input, which is laid out already (the line may only now be growing).
    """
    screen = line.screen
    try:
        rack = screen.query_one(ToastRack)
    except NoMatches:
        return
    parent = line.parent if isinstance(line.parent, Widget) else None
    inputs = list(parent.query(Input)) if parent is not None else []
    region = next((w.region for w in inputs if w.region.height), None) or line.region
    if parent is not None and not region.height:
        region = parent.region
    low = region.y + region.height // 2 >= screen.size.height // 2
    rack.styles.dock = "top" if low else "bottom"
    rack.styles.align_vertical = "top" if low else "bottom"
