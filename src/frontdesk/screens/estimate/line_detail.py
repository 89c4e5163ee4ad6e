"""The selected line in one sentence under the table: what the narrow columns cannot say.

A job: its hours at its rate, pay type, origin, safety. A part: what is on hand and what is
reserved for this line of the quantity asked, so a SHORT part says how short it is.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import ORIGIN, PAY_TYPE, label
from frontdesk.services import desk, money
from frontdesk.widgets.list_table import qty_text

from .lines_table import SHORT_STYLE
from .preview import Override, shown


class LineDetail(Static):
    """``LineDetail(settings, id="line-detail")``: shows ``selected``, (line, its pay type cycled and not saved).

    The line is None when the order has none; ``selected`` stays None (nothing shown) until
    the order is read.
    """

    selected: var[tuple[desk.LineView | None, Override | None] | None] = var(None, init=False)

    def __init__(self, settings: Callable[[], Settings], *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._settings = settings

    def watch_selected(self, selected: tuple[desk.LineView | None, Override | None] | None) -> None:
        if selected is None:
            return
        line, override = selected
        detail = Text()
        if line is None:
            detail.append(_("No lines yet: F2 adds a job from the catalog, F3 a part."), style="dim")
        elif line.kind == "labor":
            _q, price, _a, pay = shown(line, override, self._settings())
            detail.append(line.description, style="bold")
            detail.append("  " + _("{hours} h at {rate}/h").format(hours=qty_text(line.quantity),
                                                                     rate=money.format_money(price)))
            detail.append(f"  {label(PAY_TYPE, pay)}  {label(ORIGIN, line.origin)}")
            if line.safety:
                detail.append("  ")
                detail.append(_("Safety-related"), style="bold yellow")
        else:
            _q, _p, _a, pay = shown(line, override, self._settings())
            detail.append(line.description, style="bold")
            detail.append("  " + _("on hand {on_hand}, reserved for this line {reserved} of {qty}").format(
                on_hand=qty_text(line.on_hand or Decimal(0)), reserved=qty_text(line.reserved or Decimal(0)),
                qty=qty_text(line.quantity)) + f"  {label(PAY_TYPE, pay)}")
            if line.short:
                detail.append("  ")
                detail.append(" " + _("SHORT") + " ", style=SHORT_STYLE)
        self.update(detail)
