"""Reports (manager, supervisor, cashier, advisor): the figures of a day, a week, a month or any range.

The range is chosen by key: D today, W this week, M this month, L last month; [ and ] (or
- and +) move it back and forth by its own length (a month by a calendar month); F3 puts the
cursor in the From/To fields for any other range (Enter reads it). Three pages, 1 2 3:

- Overview: car count, revenue (labor, parts, discount, VAT), the average customer-pay order,
  hours sold against clocked; bars for revenue by pay type, labor against parts, orders by status.
- Per advisor: the same figures side by side, and bars of each advisor's revenue and cars.
- Quality: rework, comebacks, follow-up reach rate, CSI (bars per question and per advisor),
  complaints.

E writes the report as CSV, X as an Excel workbook, into the paperwork folder
(``report_<from>_<to>.csv``) and says where; F5 reads it again. The report is read in a
worker: the screen says "Loading…" and a slower answer for an older range is dropped.
Every advisor's figures are visible to everyone who may open the screen (a store's ranking
board is no secret behind the counter).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import ContentSwitcher, Header, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, REFRESH, back, binding
from frontdesk.labels import PAY_TYPE, label, status
from frontdesk.model.enums import OrderStatus
from frontdesk.services import exports, reports
from frontdesk.services.aftercare import SCORE_FIELDS
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.exports import N_
from frontdesk.services.money import format_money
from frontdesk.services.periods import parse_day, preset, shift
from frontdesk.services.reports import Figures, Report
from frontdesk.widgets.bar_chart import Bar, BarChart
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns

from .base import DeskScreen

PAGES = ("overview", "advisors", "quality")
PAGE_TITLES = {"overview": N_("Overview"), "advisors": N_("Per advisor"), "quality": N_("Quality")}
KINDS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month"), "custom": N_("Custom range")}
NAME_CELLS = 12
HUNDRED = Decimal(100)


# Showing figures ---------------------------------------------------------------------------------


def shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return f"{value}"
    if kind == "hours":
        return f"{value} h"
    return str(value)


def figure_lines(figs: list[exports.Figure]) -> Text:
    cells = max((cell_len(f.label) for f in figs), default=0)
    out = Text(no_wrap=True, overflow="ellipsis")
    for n, fig in enumerate(figs):
        if n:
            out.append("\n")
        out.append(fig.label + " " * (cells - cell_len(fig.label) + 1), style="dim")
        out.append(shown(fig.value, fig.kind), style="bold")
    return out


def _pick(figs: tuple[exports.Figure, ...], *labels: str) -> list[exports.Figure]:
    by_label = {f.label: f for f in figs}
    return [by_label[_(msgid)] for msgid in labels]


def figures_page(page: str, figures: str, *charts: BarChart) -> ComposeResult:
    """A page of the switcher: the figures (``#<figures>``) beside a column of charts (the overview, the quality)."""
    with VerticalScroll(id=page, classes="rp-page"):
        with Horizontal(classes="rp-row"):
            yield Static("", id=figures, classes="rp-figures")
            with VerticalScroll(classes="rp-charts"):
                yield from charts


class ReportsScreen(DeskScreen):
    """``ReportsScreen()``: this month's figures; keys choose the range, the page and the export."""

    CSS_PATH = "../assets/styles/reports.tcss"

    BINDINGS = [
        binding("d", "range('day')", "Today", tooltip="Today's figures"),
        binding("w", "range('week')", "Week", tooltip="This week, Monday to Sunday"),
        binding("m", "range('month')", "Month", tooltip="This calendar month"),
        binding("l", "range('last_month')", "Last month", tooltip="The calendar month before this one"),
        binding("e", "export('csv')", "CSV", tooltip="Write the report as CSV into the paperwork folder"),
        binding("x", "export('xlsx')", "Excel", tooltip="Write the report as an Excel workbook into the paperwork folder"),
        binding("left_square_bracket,minus", "move(-1)", "Earlier", key_display="[",
                tooltip="The range before this one, as long"),
        binding("right_square_bracket,plus", "move(1)", "Later", key_display="]",
                tooltip="The range after this one, as long"),
        binding(FIND, "custom", "From–to", tooltip="Type any range into the From and To fields; Enter reads it"),
        binding("1", "page('overview')", "Overview", show=False),
        binding("2", "page('advisors')", "Per advisor", show=False),
        binding("3", "page('quality')", "Quality", show=False),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the figures again"),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._start: dt.date | None = None
        self._end: dt.date | None = None
        self._kind = "month"
        self._report: Report | None = None
        self._token = 0
        self._page = PAGES[0]
        self.last_export: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="rp-range"):
            yield Label(_("From"), classes="rp-label")
            yield Input(id="rp-from", classes="rp-date", max_length=10)
            yield Label(_("To"), classes="rp-label")
            yield Input(id="rp-to", classes="rp-date", max_length=10)
            yield Static("", id="rp-state")
        yield Static("", id="rp-tabs")
        with ContentSwitcher(initial="overview", id="rp-pages"):
            yield from figures_page("overview", "ov-figures",
                                    BarChart(_("Revenue by pay type"), id="ov-pay", bar_style="green"),
                                    BarChart(_("Labor and parts"), id="ov-split", bar_style="cyan"),
                                    BarChart(_("Orders by status"), id="ov-status", bar_style="blue"))
            with VerticalScroll(id="advisors", classes="rp-page"):
                yield ListTable(id="ad-table")
                with Horizontal(classes="rp-row"):
                    yield BarChart(_("Net revenue"), id="ad-revenue", bar_style="green", classes="rp-half")
                    yield BarChart(_("Car count"), id="ad-cars", bar_style="cyan", classes="rp-half")
            yield from figures_page("quality", "qu-figures",
                                    BarChart(_("CSI by question"), id="qu-questions", bar_style="magenta"),
                                    BarChart(_("CSI by advisor"), id="qu-advisors", bar_style="magenta"),
                                    BarChart(_("Follow-up reach rate by advisor"), id="qu-reach", bar_style="yellow"))
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.query_one("#ad-table", ListTable),
                      (_("Advisor"), NAME_CELLS), (_("Cars"), 4), (_("Net revenue"), 13), (_("Avg order"), 10),
                      (_("Hours sold"), 7), (_("Clocked"), 7), (_("Eff. %"), 6), (_("Rework"), 4),
                      (_("Comebacks"), 4), (_("Reach %"), 6), (_("CSI"), 5), (_("Complaints open"), 4))
        self._show_tabs()
        self._fields(False)
        self.action_range("month")

    # Keys ------------------------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self.services.clock().date()

    def action_range(self, kind: str) -> None:
        start, end = preset(kind, self._today())
        self._load(start, end, "month" if kind == "last_month" else kind)

    def action_move(self, step: int) -> None:
        if self._start is None or self._end is None:
            return
        start, end = shift(self._start, self._end, self._kind, step)
        self._load(start, end, self._kind)

    def _fields(self, editable: bool) -> None:
        """The From/To fields take the keyboard only after F3, so letters stay the screen's keys."""
        for field in self.query(".rp-date").results(Input):
            field.can_focus = editable
        if not editable:
            self.set_focus(None)
            self._focus_page()

    def _focus_page(self) -> None:
        target = self.query_one("#ad-table", ListTable) if self._page == "advisors" else self.query_one(f"#{self._page}")
        target.focus()

    def action_custom(self) -> None:
        self._fields(True)
        field = self.query_one("#rp-from", Input)
        field.focus()
        field.action_select_all()

    def action_page(self, page: str) -> None:
        self._page = page
        self.query_one("#rp-pages", ContentSwitcher).current = page
        self._show_tabs()
        self._focus_page()

    def action_refresh(self) -> None:
        if self._start is not None and self._end is not None:
            self._load(self._start, self._end, self._kind)

    def action_back(self) -> None:
        if isinstance(self.focused, Input):  # leave the field, not the screen
            self._show_range()
            self._fields(False)
            return
        super().action_back()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            start = parse_day(self.query_one("#rp-from", Input).value, "start")
            end = parse_day(self.query_one("#rp-to", Input).value, "end")
        except ValidationError as exc:
            self.show_error(exc)
            return
        if event.input.id == "rp-from":
            to = self.query_one("#rp-to", Input)
            to.focus()
            to.action_select_all()
            return
        self._fields(False)
        self._load(start, end, "day" if start == end else "custom")

    def action_export(self, fmt: str) -> None:
        report = self._report
        if report is None:
            self.notify(_("The figures are still loading."), severity="warning")
            return
        path = exports.default_path(self.services.settings, report, fmt)
        self.call_service(exports.export_report, self.services, self.actor, report, path, then=self._exported)

    def _exported(self, path: Any) -> None:
        self.last_export = str(path)
        self.notify(_("Report saved: {path}").format(path=path), title=_("Exported"), timeout=10)

    # Loading ---------------------------------------------------------------------------------------

    def _load(self, start: dt.date, end: dt.date, kind: str) -> None:
        self._start, self._end, self._kind = start, end, kind
        self._token += 1
        token = self._token
        self._show_range(loading=True)
        self.call_service(reports.report, self.services, self.actor, start, end,
                          then=lambda r: self._loaded(token, r), failed=lambda e: self._failed(token, e),
                          group="report-read")

    def _loaded(self, token: int, report: Report) -> None:
        if token != self._token:  # an older range answered late
            return
        self._report = report
        self._show_range()
        self._show_overview(report)
        self._show_advisors(report)
        self._show_quality(report)

    def _failed(self, token: int, error: FrontdeskError) -> None:
        if token == self._token:
            self._show_range()
            self.show_error(error)

    # Drawing ---------------------------------------------------------------------------------------

    def _show_range(self, loading: bool = False) -> None:
        if self._start is None or self._end is None:
            return
        self.query_one("#rp-from", Input).value = self._start.isoformat()
        self.query_one("#rp-to", Input).value = self._end.isoformat()
        days = (self._end - self._start).days + 1
        state = Text()
        state.append(_(KINDS[self._kind]), style="bold")
        state.append("  " + _("{n} days").format(n=days) if days > 1 else "")
        if loading:
            state.append("  " + _("Loading…"), style="dim italic")
        self.query_one("#rp-state", Static).update(state)

    def _show_tabs(self) -> None:
        tabs = Text()
        for n, page in enumerate(PAGES, start=1):
            style = "bold reverse" if page == self._page else "dim"
            tabs.append(f" {n} {_(PAGE_TITLES[page])} ", style=style)
            tabs.append(" ")
        self.query_one("#rp-tabs", Static).update(tabs)

    def _show_overview(self, report: Report) -> None:
        t = report.total
        figs = exports.figures(t)
        lines = _pick(figs, "Car count", "Vehicles", "Orders settled", "Net revenue", "Labor", "Parts", "Discount",
                      "VAT included", "Customer-pay orders", "Average customer-pay order", "Hours sold",
                      "Hours clocked", "Efficiency %")
        self.query_one("#ov-figures", Static).update(figure_lines(lines))
        self.query_one("#ov-pay", BarChart).set_bars(
            [Bar(label(PAY_TYPE, p.pay_type), p.net, format_money(p.net)) for p in t.by_pay_type if p.orders])
        self.query_one("#ov-split", BarChart).set_bars([
            Bar(_("Labor"), t.labor, format_money(t.labor)), Bar(_("Parts"), t.parts, format_money(t.parts))])
        self.query_one("#ov-status", BarChart).set_bars(
            [Bar(status(s), n, str(n), style="red" if s == OrderStatus.CANCELLED else "") for s, n in t.by_status if n])

    def _show_advisors(self, report: Report) -> None:
        rows = [(str(r.advisor_id), self._advisor_cells(r.name, r.figures)) for r in report.advisors]
        rows.append(("total", self._advisor_cells(_("Total"), report.total, bold=True)))
        self.query_one("#ad-table", ListTable).refill(rows)
        self.query_one("#ad-revenue", BarChart).set_bars(
            [Bar(r.name, r.figures.net, format_money(r.figures.net)) for r in report.advisors])
        self.query_one("#ad-cars", BarChart).set_bars(
            [Bar(r.name, r.figures.car_count, str(r.figures.car_count)) for r in report.advisors])

    @staticmethod
    def _advisor_cells(name: str, f: Figures, bold: bool = False) -> tuple[Any, ...]:
        def right(value: str) -> Text:
            return Text(value, justify="right", style="bold" if bold else "")

        return (Text(clip(name, NAME_CELLS), style="bold" if bold else ""), right(str(f.car_count)),
                right(format_money(f.net)), right(shown(f.average_customer_order, "money")),
                right(str(f.hours_sold)), right(str(f.hours_clocked)), right(shown(f.efficiency, "percent")),
                right(str(f.reworks)), right(str(f.comebacks)), right(shown(f.reach_rate, "percent")),
                right(shown(f.csi, "percent")), right(str(f.complaints_open)))

    def _show_quality(self, report: Report) -> None:
        t = report.total
        lines = _pick(exports.figures(t), "Rework", "Comebacks", "Follow-up calls", "Reached", "Reach rate %", "CSI",
                      "Complaints opened", "Complaints still open")
        lines.append(exports.Figure(_("Open complaints now (all)"), report.complaints_open_now, "count"))
        lines.extend(exports.campaign_figures(report))  # recall/service campaign completion
        lines.extend(exports.reception_figures(report))  # arrivals, waits, show rate (issue 20)
        lines.extend(exports.capacity_figures(report))  # appointment capacity used (issue 20)
        self.query_one("#qu-figures", Static).update(figure_lines(lines))
        self.query_one("#qu-questions", BarChart).set_bars(
            [Bar(_(exports.QUESTION[q]), t.csi_of(q) or 0, shown(t.csi_of(q), "percent")) for q in SCORE_FIELDS]
            if t.scored else [], maximum=HUNDRED)
        self.query_one("#qu-advisors", BarChart).set_bars(
            [Bar(r.name, r.figures.csi or 0, shown(r.figures.csi, "percent")) for r in report.advisors if r.figures.scored],
            maximum=HUNDRED)
        self.query_one("#qu-reach", BarChart).set_bars(
            [Bar(r.name, r.figures.reach_rate or 0, shown(r.figures.reach_rate, "percent"))
             for r in report.advisors if r.figures.calls], maximum=HUNDRED)
