"""The list screens' one skeleton: a head line, one or two lists, and a pane that details the highlighted row.

Approvals, checks, follow-up calls, complaints, service reminders, the cashier's home and
the two administrator screens are all built this way. Said once here, a fix to how a list
finds the row under its cursor, how the pane follows the cursor, how Tab goes round the
lists or how a refusal is reported reaches every one of them alike.

A screen configures the skeleton with its ``LAYOUT`` (the ids its stylesheet names),
says how its data is read (``load``, in a worker) and shown (``show``, which fills a list
with ``fill``: rows keyed as before, each with the item it shows), and what the pane reads
for an item (``detail``); it keeps its own data and keys. F5 reads again; a queue that
follows the store puts :class:`~frontdesk.screens.base.LiveScreen` before this class in
its bases, and reads by itself whenever another terminal records something.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, back, binding
from frontdesk.services.errors import FrontdeskError
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable

from .base import DeskScreen

if TYPE_CHECKING:
    from frontdesk.services.context import Actor, Services

R = TypeVar("R")
OVERDUE_STYLE = "bold white on red"


def list_keys(refresh_tooltip: str) -> list[Binding]:
    """The keys that end the bindings of a screen with several lists: F5, Tab and Shift+Tab round the lists, Esc.

    ``refresh_tooltip`` is an English msgid, translated with the rest of the screen's bindings.
    """
    return [
        binding(REFRESH, "refresh", "Refresh", tooltip=refresh_tooltip),
        binding("tab", "next_list(1)", "Next list", show=False),
        binding("shift+tab", "next_list(-1)", "Previous list", show=False),
        back(),
    ]


class MaybeLate(Protocol):
    @property
    def overdue(self) -> bool: ...


def count_head(items: Sequence[MaybeLate], counted: str, nothing: str) -> Text:
    """``counted`` (with ``{n}``) in bold and an "Overdue n" badge when any is late; ``nothing`` dimmed when none.

    The head of a queue worked against the clock: what is late is what the user looks at first.
    """
    head = Text()
    if not items:
        head.append(nothing, style="dim")
        return head
    head.append(counted.format(n=len(items)), style="bold")
    late = sum(1 for i in items if i.overdue)
    if late:
        head.append("  ")
        head.append(f" {_('Overdue {n}').format(n=late)} ", style=OVERDUE_STYLE)
    return head


@dataclass(frozen=True)
class ListLayout:
    """The ids of a list screen: its ``lists`` top to bottom (each with the class ``list_class``), the ``head``
    line above them and the ``detail`` pane under the first list (``None``: no pane).

    The pane describes the highlighted row of the focused list among ``detail_of``, else of the
    first of them; ``detail_of`` empty: the first list's.
    """

    lists: tuple[str, ...]
    head: str
    detail: str | None = None
    list_class: str = ""
    detail_of: tuple[str, ...] = ()


class ListDetailScreen(DeskScreen):
    """A head line, ``LAYOUT.lists`` (Tab goes round them; the first has the focus when the screen opens), a pane."""

    LAYOUT: ClassVar[ListLayout]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The first list takes the focus unless the screen says otherwise: the layout names it once."""
        super().__init_subclass__(**kwargs)
        if "LAYOUT" in cls.__dict__ and "AUTO_FOCUS" not in cls.__dict__:
            cls.AUTO_FOCUS = f"#{cls.LAYOUT.lists[0]}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: dict[str, dict[str, Any]] = {}  # list id -> row key -> the item the row shows

    def loading_text(self) -> str:
        """The head line until the first read arrives."""
        return _("Loading…")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        layout = self.LAYOUT
        yield Static(self.loading_text(), id=layout.head)
        for n, name in enumerate(layout.lists):
            yield ListTable(id=name, classes=layout.list_class)
            if n == 0 and layout.detail is not None:
                yield Static("", id=layout.detail)
        yield KeyFooter()

    # Reading -----------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> Any:
        """Read what the screen shows; runs in a worker."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Show what ``load`` read: the lists (``fill``), the head (``show_head``), the pane (``show_detail``)."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        """F5, and after every change saved here: read once more.

        A LiveScreen placed earlier in the bases answers with its own read (the store's counter first).
        """
        self.call_service(self.load, self.services, self.actor, then=self.show, group=f"{type(self).__name__}-read")

    # The lists -------------------------------------------------------------------------------------

    def table(self, name: str) -> ListTable:
        return self.query_one(f"#{name}", ListTable)

    def fill(self, name: str, rows: Iterable[tuple[str, Any, tuple[Any, ...]]]) -> ListTable:
        """Refill a list with ``(key, item, cells)``; the cursor stays on its row while that row is still there."""
        rows = list(rows)
        self._items[name] = {key: item for key, item, _cells in rows}
        table = self.table(name)
        table.refill((key, cells) for key, _item, cells in rows)
        return table

    def selected_in(self, name: str) -> Any | None:
        """The item of the row under the list's cursor (``None`` before the first read or on an empty list)."""
        key = self.table(name).cursor_key
        return self._items.get(name, {}).get(key) if key is not None else None

    def show_head(self, head: Text) -> None:
        self.query_one(f"#{self.LAYOUT.head}", Static).update(head)

    def action_next_list(self, step: int) -> None:
        self.focus_next_list(self.LAYOUT.lists, step)
        self.show_detail()

    # The pane --------------------------------------------------------------------------------------

    def _detail_lists(self) -> tuple[str, ...]:
        return self.LAYOUT.detail_of or self.LAYOUT.lists[:1]

    def detail(self, item: Any) -> Text:
        """What the pane reads for the highlighted item."""
        raise NotImplementedError

    def empty_detail(self) -> Text | None:
        """What the pane reads when no row is highlighted; ``None`` hides it (the list gets the room)."""
        return None

    def highlighted(self) -> Any | None:
        """The item the pane describes (see :class:`ListLayout`); ``None`` when no row is highlighted."""
        lists = self._detail_lists()
        name = self.focused.id if self.focused is not None and self.focused.id in lists else lists[0]
        return self.selected_in(name)

    def show_detail(self) -> None:
        if self.LAYOUT.detail is None:
            return
        item = self.highlighted()
        text = self.empty_detail() if item is None else self.detail(item)
        pane = self.query_one(f"#{self.LAYOUT.detail}", Static)
        pane.display = text is not None
        pane.update(text if text is not None else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id in self._detail_lists():
            self.show_detail()

    # Answers ---------------------------------------------------------------------------------------

    def refused(self, error: FrontdeskError) -> None:
        """Say why nothing was saved, then read the lists again: a refusal often means they are stale."""
        self.show_error(error)
        self.action_refresh()

    def answered(self, outcome: R | FrontdeskError | None) -> R | None:
        """What a dialog saved, to act on; ``None`` when it was left with Esc, or refused (said via ``refused``)."""
        if isinstance(outcome, FrontdeskError):
            self.refused(outcome)
            return None
        return outcome

    def saved(self, outcome: object) -> None:
        """A form dialog's answer: "Saved." and the lists read again (nothing on Esc; a refusal is said)."""
        if self.answered(outcome) is not None:
            self.notify(_("Saved."), timeout=4)
            self.action_refresh()
