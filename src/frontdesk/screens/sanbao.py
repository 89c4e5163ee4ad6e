"""三包 watch list: the cars in their 三包 period near or over a threshold, for the service manager.

A car is on it when its repairs under warranty have kept it ``sanbao_days_warn`` days or more in
the workshop, or a serious system (brakes, steering, engine, transmission) has been repaired one
time short of the repeat limit or more (services/sanbao.py says what counts). The worst first:
over a threshold, then the most repeats, then the most days. Under the list the highlighted car:
its alert as the check-in shows it, the model, the sale date and the end of its period. Read
when opened and on F5; nothing is changed here.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, back, binding
from frontdesk.model.enums import SanbaoState
from frontdesk.services import sanbao
from frontdesk.services.sanbao import SanbaoRow
from frontdesk.widgets.list_table import Col, clip, fixed_columns

from .list_detail import ListDetailScreen, ListLayout

NAME_CELLS = 8
THRESHOLD_STYLE = "bold white on red"
WARNING_STYLE = "bold yellow"


def state_badge(state: SanbaoState) -> Text:
    if state == SanbaoState.THRESHOLD:
        reached = _("At limit")
        return Text(f" {reached} ", style=THRESHOLD_STYLE)
    return Text(_("Near"), style=WARNING_STYLE)


class SanbaoScreen(ListDetailScreen):
    """``SanbaoScreen()``: cars near or over a 三包 threshold."""

    CSS_PATH = "../assets/styles/sanbao.tcss"
    LAYOUT = ListLayout(("sanbao-cars",), head="sb-head", detail="sb-detail")

    BINDINGS = [
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the list again"),
        back(),
    ]

    def on_mount(self) -> None:
        # The repeats are what the list is for: the phone gives way first when the list is narrow
        # (a scrollbar, a longer language), and the state is as wide as its badge.
        badge = max(cell_len(state_badge(state).plain) for state in (SanbaoState.THRESHOLD, SanbaoState.WARNING))
        fixed_columns(self.table("sanbao-cars"),
                      Col(_("State"), badge, keep=9), Col(_("Plate"), 9, keep=8),
                      Col(_("Customer"), NAME_CELLS, keep=4), Col(_("Phone"), 11, keep=3), Col(_("Days"), 4, keep=6),
                      Col(_("Repairs by system"), 26, keep=7))
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def load(self, services: Any, actor: Any) -> list[SanbaoRow]:
        return sanbao.watch_list(services, actor)

    def show(self, rows: list[SanbaoRow]) -> None:
        table = self.fill("sanbao-cars", [(f"v{r.vehicle_id}", r, self._cells(r)) for r in rows])
        table.border_title = _("Cars near a 三包 threshold ({n})").format(n=len(rows))
        settings = self.services.settings
        head = Text(_("三包 period: {years} years or {km} km · limits: {days} days in the workshop, {repeats} repairs "
                      "of one serious fault").format(years=settings.sanbao_years, km=f"{settings.sanbao_km:,}",
                                                     days=settings.sanbao_days_limit,
                                                     repeats=settings.sanbao_repeat_limit))
        if not rows:
            head = Text(_("No car in its 三包 period is near a threshold."), style="dim")
        self.show_head(head)
        self.show_detail()

    def _cells(self, r: SanbaoRow) -> tuple[Any, ...]:
        days_style = "bold red" if r.days >= self.services.settings.sanbao_days_warn else ""
        return (state_badge(r.state), Text(r.plate, style="bold"), clip(r.customer, NAME_CELLS), r.phone,
                Text(str(r.days), style=days_style, justify="right"), sanbao.repeats_text(r.repeats))

    def detail(self, item: SanbaoRow) -> Text:
        text = Text(item.alert, style="bold")
        text.append("\n")
        text.append(f"{item.customer} {item.phone} · ")  # the phone column gives way first at 80 columns
        text.append(_("{model} · sold {sold} · period ends {ends} · {km} km").format(
            model=item.model, sold=item.sale_date.isoformat(), ends=item.period_ends_on.isoformat(),
            km=f"{item.odometer_km:,}"))
        return text
