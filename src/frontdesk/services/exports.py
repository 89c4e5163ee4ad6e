"""The report as tables, and those tables written to CSV or XLSX for the manager's spreadsheet.

One layout (:func:`overview`, :func:`tables`) serves the CSV, the workbook, the command
line's text and the screen, so a figure has the same name and value wherever it is read.
Files hold plain numbers (money with two decimals, no currency sign or thousands commas) so
the spreadsheet can add them up; the CSV is UTF-8 with a byte-order mark, which is what
makes Excel read the Chinese headers correctly.

Writing a file is a service (``report.export``): who exported which range, in which format,
to which path is in the audit trail. The file is written to a staged name and appears under
its own only once that event is committed (:mod:`.export_files`), so a failed write or a
failed audit leaves neither a half file nor a file nobody recorded. Text cells are written
so that no spreadsheet runs them as formulas (:mod:`.spreadsheet_cells`).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import PAY_TYPE, label, status

from .aftercare import SCORE_FIELDS
from .context import Tx, service
from .export_files import FORMATS, ExportFile, export_file, format_of, writing
from .reports import Figures, Report
from .runtime import Actor, Services
from .spreadsheet_cells import guard, needs_guard, visible

Cell = str | int | Decimal | None
Kind = Literal["text", "count", "money", "hours", "percent"]


def N_(message: str) -> str:
    """Marks a msgid for extraction; it is translated where it is shown."""
    return message


QUESTION = {"overall": N_("Overall satisfaction"), "advisor": N_("Advisor"), "quality": N_("Repair quality"),
            "timeliness": N_("Timeliness"), "price": N_("Price fairness")}


@dataclass(frozen=True)
class Column:
    title: str  # translated
    kind: Kind


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # translated
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_kinds: tuple[Kind, ...] | None = None  # a figure/value table: each row's value its own kind

    def kind(self, row: int, column: int) -> Kind:
        if self.row_kinds is not None and column > 0:
            return self.row_kinds[row]
        return self.columns[column].kind


@dataclass(frozen=True)
class Figure:
    label: str  # translated
    value: Cell
    kind: Kind


# The layout --------------------------------------------------------------------------------------


def figures(f: Figures) -> tuple[Figure, ...]:
    """The headline figures of one row (the store or an advisor), in reading order."""
    return (
        Figure(_("Car count"), f.car_count, "count"),
        Figure(_("Vehicles"), f.vehicles, "count"),
        Figure(_("Orders settled"), f.revenue_orders, "count"),
        Figure(_("Labor"), f.labor, "money"),
        Figure(_("Parts"), f.parts, "money"),
        Figure(_("Discount"), f.discount, "money"),
        Figure(_("Net revenue"), f.net, "money"),
        Figure(_("VAT included"), f.tax, "money"),
        Figure(_("Customer-pay orders"), f.customer_orders, "count"),
        Figure(_("Customer payable"), f.customer_payable, "money"),
        Figure(_("Average customer-pay order"), f.average_customer_order, "money"),
        Figure(_("Hours sold"), f.hours_sold, "hours"),
        Figure(_("Hours clocked"), f.hours_clocked, "hours"),
        Figure(_("Efficiency %"), f.efficiency, "percent"),
        Figure(_("Rework"), f.reworks, "count"),
        Figure(_("Comebacks"), f.comebacks, "count"),
        Figure(_("Follow-up calls"), f.calls, "count"),
        Figure(_("Reached"), f.reached, "count"),
        Figure(_("Reach rate %"), f.reach_rate, "percent"),
        Figure(_("CSI"), f.csi, "percent"),
        Figure(_("Complaints opened"), f.complaints_opened, "count"),
        Figure(_("Complaints still open"), f.complaints_open, "count"),
    )


def overview(report: Report) -> tuple[Figure, ...]:
    return (
        Figure(_("Store"), report.store, "text"),
        Figure(_("From"), report.start.isoformat(), "text"),
        Figure(_("To"), report.end.isoformat(), "text"),
        *figures(report.total),
        Figure(_("Open complaints now (all)"), report.complaints_open_now, "count"),
        *campaign_figures(report),
        *reception_figures(report),
        *capacity_figures(report),
    )


def capacity_figures(report: Report) -> tuple[Figure, ...]:
    """Appointment capacity (issue 20): slots booked of those offered over the range, and the lead's overrides."""
    c = report.capacity
    if c is None or not c.booked:
        return ()
    return (
        Figure(_("Appointment slots booked"), c.booked, "count"),
        Figure(_("Appointment slots offered"), c.slots, "count"),
        Figure(_("Capacity used %"), c.percent, "percent"),
        Figure(_("Booked over capacity (lead's override)"), c.overrides, "count"),
    )


def reception_figures(report: Report) -> tuple[Figure, ...]:
    """Reception (issue 20): arrivals, the busiest hour, waits, the appointment show rate (到店率)."""
    r = report.reception
    if r is None or not (r.arrivals or r.booked):
        return ()
    busiest = max(r.per_hour, key=lambda hour_count: (hour_count[1], -hour_count[0]), default=None)
    return (
        Figure(_("Arrivals"), r.arrivals, "count"),
        Figure(_("Busiest hour (arrivals)"), f"{busiest[0]:02d}:00 ({busiest[1]})" if busiest else "", "text"),
        Figure(_("Average wait (min)"), r.average_wait_minutes, "percent"),  # one decimal, as the percents
        Figure(_("Longest wait (min)"), r.longest_wait_minutes, "count"),
        Figure(_("Customers who left unserved"), r.left, "count"),
        Figure(_("Appointments booked"), r.booked, "count"),
        Figure(_("Appointment show rate %"), r.show_rate, "percent"),
    )


def campaign_figures(report: Report) -> tuple[Figure, ...]:
    """Recall and service campaigns: cars done here in the range, closed otherwise, and the lists' completion."""
    c = report.campaigns
    if c is None or not c.listed:
        return ()
    return (
        Figure(_("Campaign cars done here"), c.done_here, "count"),
        Figure(_("Campaign cars closed otherwise"), c.closed_other, "count"),
        Figure(_("Campaign cars still open"), c.open, "count"),
        Figure(_("Campaign completion %"), (c.completion * 100).quantize(Decimal("0.1")), "percent"),  # as the others
    )


def tables(report: Report) -> tuple[Table, ...]:
    t = report.total
    figs = overview(report)
    over = Table("overview", _("Overview"), (Column(_("Figure"), "text"), Column(_("Value"), "text")),
                 tuple((fig.label, fig.value) for fig in figs), tuple(fig.kind for fig in figs))
    pay_cols = (Column(_("Pay type"), "text"), Column(_("Orders"), "count"), Column(_("Labor"), "money"),
                Column(_("Parts"), "money"), Column(_("Gross"), "money"), Column(_("Discount"), "money"),
                Column(_("Net"), "money"), Column(_("VAT included"), "money"))
    pays = tuple((label(PAY_TYPE, p.pay_type), p.orders, p.labor, p.parts, p.gross, p.discount, p.net, p.tax)
                 for p in t.by_pay_type)
    pays += ((_("Total"), t.revenue_orders, t.labor, t.parts, t.gross, t.discount, t.net, t.tax),)
    statuses = tuple((status(s), n) for s, n in t.by_status) + ((_("Total"), sum(n for _s, n in t.by_status)),)
    csi = tuple((_(QUESTION[q]), t.csi_of(q)) for q in SCORE_FIELDS) + ((_("All questions"), t.csi),)
    adv_cols = (Column(_("Advisor"), "text"),) + tuple(Column(fig.label, fig.kind) for fig in figures(t))
    advisors = tuple((row.name, *(fig.value for fig in figures(row.figures))) for row in report.advisors)
    advisors += ((_("Total"), *(fig.value for fig in figures(t))),)
    return (
        over,
        Table("pay_types", _("Revenue by pay type"), pay_cols, pays),
        Table("statuses", _("Orders by status"), (Column(_("Status"), "text"), Column(_("Orders"), "count")), statuses),
        Table("csi", _("CSI by question"), (Column(_("Question"), "text"), Column(_("CSI"), "percent")), csi),
        Table("advisors", _("Per advisor"), adv_cols, advisors),
    )


def plain(value: Cell) -> str:
    """A cell as a file holds it: "1234.50", "87.5", "" for no value."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_cell(value: Cell) -> str:
    """A cell as CSV holds it: :func:`plain`, and text that would start a formula escaped."""
    return guard(value) if isinstance(value, str) else plain(value)


# Files -------------------------------------------------------------------------------------------


def default_path(settings: Settings, report: Report, fmt: str) -> Path:
    """``<pdf folder>/report_<from>_<to>.<fmt>``, next to the printed paperwork."""
    return settings.resolved_pdf_dir() / f"report_{report.start.isoformat()}_{report.end.isoformat()}.{fmt}"


def write_csv(report: Report, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        for n, table in enumerate(tables(report)):
            if n:
                out.writerow([])
            out.writerow([csv_cell(table.title)])
            out.writerow([csv_cell(c.title) for c in table.columns])
            out.writerows([csv_cell(v) for v in row] for row in table.rows)


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook  # only when a workbook is asked for
    from openpyxl.styles import Font

    formats = {"money": "#,##0.00", "hours": "0.00", "percent": "0.0", "count": "0"}
    book = Workbook()
    book.remove(book.active)
    for table in tables(report):
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append([visible(c.title) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            _as_text(cell)
        for r, row in enumerate(table.rows):
            sheet.append([visible(v) if isinstance(v, str) else v for v in row])
            for c, cell in enumerate(sheet[sheet.max_row]):
                fmt = formats.get(table.kind(r, c))
                if fmt and isinstance(cell.value, (int, Decimal)):
                    cell.number_format = fmt
                _as_text(cell)
        for index, column in enumerate(table.columns, start=1):
            width = max([_cells(column.title)] + [_cells(plain(r[index - 1])) for r in table.rows]) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 40)
        sheet.freeze_panes = "B2" if table.key == "advisors" else "A2"
    book.save(path)


def _as_text(cell: Any) -> None:
    """A text cell stays text: openpyxl takes any str beginning with "=" for a formula."""
    if isinstance(cell.value, str) and needs_guard(cell.value):
        cell.data_type = "s"


def _sheet_name(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def export_report(services: Services, actor: Actor, report: Report, path: Path | str) -> Path:
    """Write ``report`` to ``path`` (.csv or .xlsx; the folder is made if missing) and record it."""
    return export_file(services, actor, report_file, path, report)


@service("report.export")
def report_file(tx: Tx, out: ExportFile, report: Report) -> Path:
    """The report written to ``out``'s staged file and the export recorded (see :func:`export_report`)."""
    fmt = out.fmt
    with writing(out) as partial:
        WRITERS[fmt](report, partial)
    tx.audit("report", None, after={
        "from": report.start, "to": report.end, "format": fmt, "path": str(out.path),
        "car_count": report.total.car_count, "net": report.total.net,
    })
    return out.path


# Text (the command line) --------------------------------------------------------------------------


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    room = " " * max(0, width - _cells(text))
    return room + text if right else text + room


def text_table(table: Table) -> list[str]:
    cells = [[c.title for c in table.columns]] + [[plain(v) for v in row] for row in table.rows]
    widths = [max(_cells(row[i]) for row in cells) for i in range(len(table.columns))]
    lines = [table.title]
    for n, row in enumerate(cells):
        right = [n > 0 and table.kind(n - 1, i) != "text" for i in range(len(row))]
        lines.append("  ".join(_pad(v, w, r) for v, w, r in zip(row, widths, right)).rstrip())
    return lines


def text_report(report: Report, keys: Sequence[str] = ("overview", "pay_types", "statuses", "csi", "advisors")) -> str:
    out: list[str] = []
    for table in tables(report):
        if table.key in keys:
            out += text_table(table) + [""]
    return "\n".join(out).rstrip() + "\n"


__all__ = [
    "FORMATS",
    "Column",
    "csv_cell",
    "Figure",
    "Table",
    "default_path",
    "export_report",
    "figures",
    "format_of",
    "overview",
    "plain",
    "report_file",
    "tables",
    "text_report",
    "write_csv",
    "write_xlsx",
]
