"""Exports: catalogs that import back unchanged, orders as the database has them, customers for the manager only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.model import (
    AuditEvent,
    Customer,
    LaborOperation,
    Part,
    RepairOrder,
    StockLevel,
)
from frontdesk.model.enums import Role
from frontdesk.services import catalog, data_exports, imports, sanbao
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.setup import ensure_store, system_actor

from .conftest import PASSWORD
from .factories import VIN, customer_and_vehicle, order_through, seed_shop


@pytest.fixture
def shop(services, actors):  # type: ignore[no-untyped-def]
    return seed_shop(services, system_actor(ensure_store(services)), actors)


def events(services, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogs_export_and_import_back_unchanged(services, actors, shop, tmp_path, fmt):
    admin = actors[Role.ADMIN]
    # A part with awkward values: leading zeros, a fractional stock, an English name with a comma.
    odd = catalog.save_part(services, admin, catalog.PartInput("00123", "冷却液", "35.55", "Coolant, 1 L", "fluids", "L"))
    catalog.adjust_stock(services, admin, odd.id, Decimal("7.5"), "count", bin="C-3")
    catalog.save_part(services, admin, catalog.PartInput("NO-STOCK", "螺丝", "0.30"))
    for kind in ("parts", "labor"):
        done = data_exports.export_catalog(services, actors[Role.ADVISOR], kind, tmp_path / f"{kind}.{fmt}")
        report = imports.dry_run(services, admin, kind, done.path)
        assert report.ok and (report.added, report.changed) == ((), ())
        assert report.unchanged == report.rows == done.rows == (5 if kind == "parts" else 3)

    sheet = imports.read_sheet(tmp_path / f"parts.{fmt}")
    assert sheet.header == ["Part number", "Part name", "English name", "Category", "Unit", "Price", "Stock", "Bin"]
    with services.db.reader() as s:
        levels = {p: (q, b) for p, q, b in s.execute(select(StockLevel.part_id, StockLevel.on_hand, StockLevel.bin))}
        expected = [[p.number, p.name, p.name_en, p.category, p.unit, p.price, *levels.get(p.id, (Decimal(0), ""))]
                    for p in s.scalars(select(Part).order_by(Part.number))]
        ops = [[o.code, o.name, o.name_en, o.category, o.std_hours, o.models, "Yes" if o.safety else "No",
                sanbao.system_label(o.system)] for o in s.scalars(select(LaborOperation).order_by(LaborOperation.code))]
    got = [[number, name, en, cat, unit, Decimal(price), Decimal(stock), bin_]
           for _row, (number, name, en, cat, unit, price, stock, bin_) in sheet.rows]
    assert got == expected and got[0][:3] == ["00123", "冷却液", "Coolant, 1 L"]
    labor = imports.read_sheet(tmp_path / f"labor.{fmt}")
    assert [[c, n, e, cat, Decimal(h), m, s, sy or ""] for _r, (c, n, e, cat, h, m, s, sy) in labor.rows] == ops
    assert ops[0][-1] == "Brakes"  # the 三包 system (services/sanbao.py), read back unchanged
    (first, second) = events(services, "data.export")[-2:]
    assert first.after["kind"] == "parts" and first.after["rows"] == 5 and second.after["kind"] == "labor"

    # Edited in the spreadsheet and imported back: only the edit changes.
    if fmt == "csv":
        path = tmp_path / "parts.csv"
        path.write_text(path.read_text(encoding="utf-8-sig").replace("35.55", "36.00"), encoding="utf-8-sig")
        report = imports.import_catalog(services, admin, "parts", path)
        assert [(c.key, c.fields) for c in report.changed] == [("00123", ("price",))] and report.unchanged == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_orders_export_reads_back_as_the_database_has_them(services, actors, shop, tmp_path, fmt):
    _c, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    services.clock.now = dt.datetime(2026, 11, 20, 9, 0)
    closed = order_through(services, actors, shop, vehicle)
    services.clock.now = dt.datetime(2026, 12, 1, 8, 30)
    order_through(services, actors, shop, vehicle)  # outside the range
    services.clock.now = dt.datetime(2026, 11, 24, 8, 30)
    open_ = order_through(services, actors, shop, vehicle, stop="estimate")

    done = data_exports.export_orders(services, actors[Role.CASHIER], dt.date(2026, 11, 1), dt.date(2026, 11, 30),
                                      tmp_path / f"orders.{fmt}")
    sheet = imports.read_sheet(done.path)
    assert sheet.header == [
        "Order number", "Status", "Check-in time", "Promised", "Delivered at", "Settled at", "Plate", "Vehicle", "Advisor",
        "Odometer km", "Labor", "Parts", "Discount", "Net", "VAT included", "Customer pay", "Warranty", "Insurance",
        "Internal", "First free service", "Amount paid"]
    rows = {cells[0]: dict(zip(sheet.header, cells)) for _n, cells in sheet.rows}
    with services.db.reader() as s:
        c = s.get(RepairOrder, closed.id)
        o = s.get(RepairOrder, open_.id)
        assert list(rows) == [c.number, o.number] and done.rows == 2
        settled = rows[c.number]
        assert settled["Status"] == "Closed" and settled["Plate"] == "粤A12345" and settled["Vehicle"] == "大众 朗逸"
        assert settled["Check-in time"] == "2026-11-20 09:00" and settled["Settled at"] == c.settled_at.strftime("%Y-%m-%d %H:%M")
        assert Decimal(settled["Net"]) == c.total_amount and Decimal(settled["Customer pay"]) == c.customer_amount
        assert Decimal(settled["Amount paid"]) == c.customer_amount and Decimal(settled["Warranty"]) > 0
        assert Decimal(settled["Labor"]) + Decimal(settled["Parts"]) - Decimal(settled["Discount"]) == c.total_amount
        assert settled["Advisor"] == "Advisor Test" and int(settled["Odometer km"]) == c.odometer_km
        assert rows[o.number]["Status"] == "Estimate" and rows[o.number]["Settled at"] == ""
        names = [n for (n,) in s.execute(select(Customer.name))] + [p for (p,) in s.execute(select(Customer.phone))]
    text = str(sheet.rows)
    assert not any(n in text for n in names)  # no customer name or phone in the orders export
    (event,) = events(services, "data.export")
    assert event.after["from"] == "2026-11-01" and event.user_id == actors[Role.CASHIER].user_id


def test_customer_export_is_the_managers_and_audited(services, actors, shop, tmp_path):
    customer_and_vehicle(services, actors[Role.ADVISOR])
    for role in (Role.ADVISOR, Role.CASHIER, Role.ADMIN, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            data_exports.export_customers(services, actors[role], tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists() and events(services, "customer.export") == []
    done = data_exports.export_customers(services, actors[Role.MANAGER], tmp_path / "customers.xlsx")
    sheet = imports.read_sheet(done.path)
    with services.db.reader() as s:
        phone = s.scalar(select(Customer.phone))
    assert sheet.rows[0][1][:2] == ["张伟", phone] and sheet.rows[0][1][4:8] == ["粤A12345", VIN, "大众", "朗逸"]
    (event,) = events(services, "customer.export")
    assert event.user_id == actors[Role.MANAGER].user_id and event.after == {"path": str(done.path), "rows": 1}


def test_a_bad_target_writes_nothing(services, actors, tmp_path):
    with pytest.raises(ValidationError, match="csv or .xlsx"):
        data_exports.export_catalog(services, actors[Role.ADMIN], "parts", tmp_path / "parts.pdf")
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(ValidationError, match="Cannot write"):
        data_exports.export_catalog(services, actors[Role.ADMIN], "parts", tmp_path / "taken" / "parts.csv")
    assert events(services, "data.export") == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_command_line_exports(services, actors, shop, tmp_path, capsys, monkeypatch):
    url = services.db.engine.url.render_as_string(hide_password=False)
    base = ["--db", url, "--lang", "en", "export"]
    assert main([*base, "parts", "--out", str(tmp_path / "p.xlsx")]) == 0
    assert "3 rows written to" in capsys.readouterr().out
    assert main(["--db", url, "--lang", "en", "import", "parts", str(tmp_path / "p.xlsx"), "--dry-run"]) == 0
    assert "3 unchanged, 0 rejected" in capsys.readouterr().out
    assert main([*base, "orders", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "o.csv")]) == 0
    monkeypatch.setenv("FRONTDESK_PASSWORD", PASSWORD)
    assert main([*base, "customers", "--out", str(tmp_path / "c.csv"), "--user", "advisor"]) == 1
    assert "service manager" in capsys.readouterr().err
    assert main([*base, "customers", "--out", str(tmp_path / "c.csv"), "--user", "manager"]) == 0
    assert (tmp_path / "c.csv").exists() and events(services, "customer.export")[0].user_id == actors[Role.MANAGER].user_id
    monkeypatch.setenv("FRONTDESK_PASSWORD", "wrong-password")
    assert main([*base, "customers", "--out", str(tmp_path / "c2.csv"), "--user", "manager"]) == 1
    assert not (tmp_path / "c2.csv").exists()
