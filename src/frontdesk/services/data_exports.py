"""Writing the store's data out for a spreadsheet: orders of a date range, the catalogs, customers.

Catalogs are written in exactly the columns :mod:`frontdesk.services.imports` reads (its
field titles, in the current language), so an exported price list can be edited in Excel
and imported back — unchanged rows stay unchanged. Orders are one row per order, checked
in within the range, with totals per payer computed as the settlement does
(``estimate.order_totals``); they carry plate and advisor but never the customer's name or
phone. Those are only in the customer export, which is the service manager's alone
(``customer.export``); every other export is ``data.export``. Each export is one audited
service call whose file appears only once its audit event is committed
(:mod:`.export_files`), as the report export's does.

Files hold plain values (money ``1234.50``, times ``2026-11-24 09:00``); CSV is UTF-8 with a
byte-order mark so Excel shows the Chinese; XLSX is written row by row (openpyxl's
write-only mode), so 100 000 parts do not need a workbook in memory. Names and notes are
typed by people: no text cell is ever a formula (:mod:`.spreadsheet_cells`).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.labels import status
from frontdesk.model import (
    Customer,
    LaborOperation,
    Part,
    RepairOrder,
    StockLevel,
    Vehicle,
)
from frontdesk.model.enums import PaymentKind, PayType

from . import periods, sanbao
from .context import Tx, service
from .errors import ValidationError
from .estimate import order_totals
from .export_files import FORMATS, Export, ExportFile, export_file, writing
from .exports import N_, csv_cell, plain
from .imports import FIELDS, Kind
from .money import ZERO
from .runtime import Actor, Services
from .spreadsheet_cells import needs_guard, visible

Cell = str | int | Decimal | None
DataKind = Literal["orders", "parts", "labor", "customers"]


# Writing ----------------------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for row in rows:
            out.writerow([csv_cell(v) for v in row])
            n += 1
    return n


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str,
               text_columns: frozenset[int] = frozenset()) -> int:
    """One sheet; numbers as numbers, except ``text_columns`` (codes like 0123 keep their zeros)."""
    from openpyxl import Workbook  # only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from .exports import _sheet_name

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_name(title))
    bold = Font(bold=True)
    def text(value: str) -> Any:
        value = visible(value)
        if not needs_guard(value):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula (openpyxl takes any str beginning with "=" for one)
        return cell

    heads = []
    for title_ in header:
        cell = WriteOnlyCell(sheet, value=visible(title_))
        cell.font = bold
        cell.data_type = "s"
        heads.append(cell)
    sheet.append(heads)
    n = 0
    for row in rows:
        sheet.append([text(plain(v)) if (i in text_columns or not isinstance(v, (int, Decimal))) else v
                      for i, v in enumerate(row)])
        n += 1
    book.save(path)
    return n


def _write(out: ExportFile, header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str,
           text_columns: frozenset[int] = frozenset()) -> Export:
    """The rows written to ``out``'s staged file; the export service audits and returns the result."""
    with writing(out) as partial:
        if out.fmt == "csv":
            n = write_csv(partial, header, rows)
        else:
            n = write_xlsx(partial, header, rows, title, text_columns)
    return Export(out.path, n)


def default_path(pdf_dir: Path, kind: DataKind, fmt: str, start: dt.date | None = None,
                 end: dt.date | None = None) -> Path:
    """``<pdf folder>/parts.xlsx``, ``orders_<from>_<to>.csv``… next to the printed paperwork."""
    stem = kind if start is None or end is None else f"{kind}_{start.isoformat()}_{end.isoformat()}"
    return pdf_dir / f"{stem}.{fmt}"


# Catalogs ---------------------------------------------------------------------------------------


def catalog_rows(session: Session, store_id: int, kind: Kind) -> Iterable[tuple[Cell, ...]]:
    """Active parts / labor operations in the importer's column order, by number / code."""
    if kind == "parts":
        levels = {pid: (on_hand, bin_) for pid, on_hand, bin_ in session.execute(
            select(StockLevel.part_id, StockLevel.on_hand, StockLevel.bin).where(StockLevel.store_id == store_id))}
        for pid, number, name, en, cat, unit, price in session.execute(
                select(Part.id, Part.number, Part.name, Part.name_en, Part.category, Part.unit, Part.price)
                .where(Part.active.is_(True)).order_by(Part.number)):
            on_hand, bin_ = levels.get(pid, (ZERO, ""))
            yield number, name, en, cat, unit, price, on_hand, bin_
        return
    yes, no = _("Yes"), _("No")
    for code, name, en, cat, hours, models, safety, system in session.execute(
            select(LaborOperation.code, LaborOperation.name, LaborOperation.name_en, LaborOperation.category,
                   LaborOperation.std_hours, LaborOperation.models, LaborOperation.safety, LaborOperation.system)
            .where(LaborOperation.active.is_(True)).order_by(LaborOperation.code)):
        yield code, name, en, cat, hours, models, yes if safety else no, sanbao.system_label(system)


def export_catalog(services: Services, actor: Actor, kind: Kind, path: Path | str) -> Export:
    """The parts price list (with this store's stock and bins) or the labor-time table."""
    return export_file(services, actor, catalog_file, path, kind)


@service("data.export")
def catalog_file(tx: Tx, out: ExportFile, kind: Kind) -> Export:
    """:func:`export_catalog`'s service: the staged file written and the export recorded."""
    if kind not in FIELDS:
        raise ValidationError("kind", _("Export parts or labor."))
    header = [_(f.title) for f in FIELDS[kind]]
    title = _("Parts") if kind == "parts" else _("Labor operations")
    done = _write(out, header, catalog_rows(tx.session, tx.actor.store_id, kind), title, frozenset({0}))
    tx.audit("catalog_export", None, after={"kind": kind, "path": str(done.path), "rows": done.rows})
    return done


# Orders -----------------------------------------------------------------------------------------

ORDER_COLUMNS: tuple[str, ...] = (
    N_("Order number"), N_("Status"), N_("Check-in time"), N_("Promised"), N_("Delivered at"), N_("Settled at"),
    N_("Plate"), N_("Vehicle"), N_("Advisor"), N_("Odometer km"), N_("Labor"), N_("Parts"), N_("Discount"),
    N_("Net"), N_("VAT included"), N_("Customer pay"), N_("Warranty"), N_("Insurance"), N_("Internal"),
    N_("First free service"), N_("Amount paid"),
)
PAY_COLUMNS = (PayType.CUSTOMER, PayType.WARRANTY, PayType.INSURANCE, PayType.INTERNAL, PayType.FIRST_SERVICE)


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def order_rows(session: Session, store_id: int, settings: Any, start: dt.date, end: dt.date) -> list[tuple[Cell, ...]]:
    """Orders checked in ``start``..``end`` (both included), cancelled ones too, by check-in time."""
    lo, hi = periods.window(start, end, _("An export covers at most three years."))
    orders = session.scalars(
        select(RepairOrder)
        .where(RepairOrder.store_id == store_id, RepairOrder.checked_in_at >= lo, RepairOrder.checked_in_at < hi)
        .order_by(RepairOrder.checked_in_at, RepairOrder.number)
        .options(selectinload(RepairOrder.jobs), selectinload(RepairOrder.part_lines),
                 selectinload(RepairOrder.payments), selectinload(RepairOrder.vehicle),
                 selectinload(RepairOrder.advisor))
    ).all()
    rows: list[tuple[Cell, ...]] = []
    for o in orders:
        try:
            totals = order_totals(o, settings)
        except ValidationError:  # a discount above what is now billable: show the lines undiscounted
            totals = order_totals(o, settings, discount=ZERO)
        paid = sum((p.amount if p.kind == PaymentKind.PAYMENT else -p.amount
                    for p in o.payments if p.voided_at is None), ZERO)
        by_pay = [totals.by_pay_type[p].net if p in totals.by_pay_type else ZERO for p in PAY_COLUMNS]
        rows.append((
            o.number, status(o.status), _when(o.checked_in_at), _when(o.promised_at), _when(o.delivered_at),
            _when(o.settled_at), o.vehicle.plate, f"{o.vehicle.make} {o.vehicle.model}".strip(),
            o.advisor.display_name, o.odometer_km, totals.labor, totals.parts, totals.discount, totals.net,
            totals.tax, *by_pay, paid,
        ))
    return rows


def export_orders(services: Services, actor: Actor, start: dt.date, end: dt.date, path: Path | str) -> Export:
    """One row per order checked in within the range: dates, plate, advisor, status, totals per payer."""
    return export_file(services, actor, orders_file, path, start, end)


@service("data.export")
def orders_file(tx: Tx, out: ExportFile, start: dt.date, end: dt.date) -> Export:
    """:func:`export_orders`'s service: the staged file written and the export recorded."""
    rows = order_rows(tx.session, tx.actor.store_id, tx.settings, start, end)
    done = _write(out, [_(c) for c in ORDER_COLUMNS], rows, _("Repair orders"), frozenset({0, 6}))
    tx.audit("order_export", None, after={"from": start, "to": end, "path": str(done.path), "rows": done.rows})
    return done


# Customers (manager only) -----------------------------------------------------------------------

CUSTOMER_COLUMNS: tuple[str, ...] = (
    N_("Customer"), N_("Phone"), N_("Company"), N_("Address"), N_("Plate"), N_("VIN"), N_("Make"), N_("Model"),
    N_("Colour"), N_("Sale date"), N_("Odometer km"), N_("Next service"),
)


def customer_rows(session: Session) -> Iterable[tuple[Cell, ...]]:
    """One row per vehicle with its owner; a customer without a vehicle gets one row of their own."""
    vehicles: dict[int, list[tuple[Any, ...]]] = {}
    for row in session.execute(
            select(Vehicle.customer_id, Vehicle.plate, Vehicle.vin, Vehicle.make, Vehicle.model, Vehicle.colour,
                   Vehicle.sale_date, Vehicle.last_odometer_km, Vehicle.next_service_date).order_by(Vehicle.plate)):
        vehicles.setdefault(row[0], []).append(tuple(row[1:]))
    yes, no = _("Yes"), _("No")
    for cid, name, phone, company, address in session.execute(
            select(Customer.id, Customer.name, Customer.phone, Customer.is_company, Customer.address)
            .order_by(Customer.name, Customer.id)):
        person = (name, phone, yes if company else no, address)
        for plate, vin, make, model, colour, sale, km, due in vehicles.get(cid) or [(None,) * 8]:
            yield (*person, plate or "", vin or "", make or "", model or "", colour or "",
                   sale.isoformat() if sale else "", km, due.isoformat() if due else "")


def export_customers(services: Services, actor: Actor, path: Path | str) -> Export:
    """Customers with phone and their vehicles: personal data, so the manager's alone and audited."""
    return export_file(services, actor, customers_file, path)


@service("customer.export")
def customers_file(tx: Tx, out: ExportFile) -> Export:
    """:func:`export_customers`'s service: the staged file written and the export recorded."""
    done = _write(out, [_(c) for c in CUSTOMER_COLUMNS], customer_rows(tx.session), _("Customers"),
                  frozenset({1, 4, 5}))
    tx.audit("customer_export", None, after={"path": str(done.path), "rows": done.rows})
    return done


__all__ = [
    "CUSTOMER_COLUMNS",
    "FORMATS",
    "ORDER_COLUMNS",
    "Export",
    "catalog_file",
    "catalog_rows",
    "customer_rows",
    "customers_file",
    "default_path",
    "export_catalog",
    "export_customers",
    "export_orders",
    "order_rows",
    "orders_file",
    "write_csv",
    "write_xlsx",
]
