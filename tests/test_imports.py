"""Importing parts price lists and labor-time tables: dry run, all-or-nothing commit, speed."""

from __future__ import annotations

import csv
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.cli import main
from frontdesk.model import AuditEvent, LaborOperation, Part, StockLevel, StockMovement
from frontdesk.model.enums import Role
from frontdesk.services import catalog, imports
from frontdesk.services.errors import PermissionDenied


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def count(services, model) -> int:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def stock_off_movements(services) -> int:  # type: ignore[no-untyped-def]
    """Stock levels whose on-hand differs from the sum of their movements (must be none)."""
    with services.db.reader() as s:
        moved = dict(s.execute(select(StockMovement.part_id, func.sum(StockMovement.qty)).group_by(StockMovement.part_id)).all())
        return sum(1 for pid, on_hand in s.execute(select(StockLevel.part_id, StockLevel.on_hand))
                   if on_hand != Decimal(moved.get(pid) or 0))


def part(services, number: str):  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        p = s.scalar(select(Part).where(Part.number == number))
        level = s.scalar(select(StockLevel).where(StockLevel.part_id == p.id)) if p else None
        return p, level


def import_events(services) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "catalog.import")))


NAMES = ["机油滤清器", "空气滤清器", "前刹车片", "火花塞", "雨刮片", "正时皮带", "水泵", "节温器", "氧传感器", "减震器"]


def test_a_100k_row_price_list_imports_in_seconds(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    # Two parts exist already: one gets a new price and stock, one stays as it is.
    old = catalog.save_part(services, admin, catalog.PartInput("P0000007", "火花塞7", "9.50", unit="个"))
    catalog.adjust_stock(services, admin, old.id, 3, "opening stock", bin="Z-9")
    rows = [[f"P{i:07d}", f"{NAMES[i % 10]}{i}", "个", f"{i % 5000}.50", i % 20, f"A-{i % 50:02d}"]
            for i in range(100_000)]
    path = write_csv(tmp_path / "parts.csv", ["配件编号", "配件名称", "单位", "单价", "库存", "库位"], rows)
    seen: list[tuple[str, int, int]] = []

    started = time.perf_counter()
    report = imports.dry_run(services, admin, "parts", path, lambda *a: seen.append(a))
    dry = time.perf_counter() - started
    assert (len(report.added), len(report.changed), report.unchanged, report.rejected) == (99_999, 1, 0, ())
    assert report.changed[0].row == 9 and set(report.changed[0].fields) == {"name", "price", "stock", "bin"}
    assert seen[-1] == ("Checking", 100_000, 100_000) and len(seen) < 100
    assert count(services, Part) == 1  # a dry run writes nothing

    started = time.perf_counter()
    report = imports.import_catalog(services, admin, "parts", path, lambda *a: seen.append(a))
    commit = time.perf_counter() - started
    print(f"\n100k parts on {services.db.engine.dialect.name}: dry run {dry:.1f} s, commit {commit:.1f} s")
    assert report.committed and (len(report.added), len(report.changed)) == (99_999, 1)
    assert seen[-1][0] == "Writing" and seen[-1][1] == seen[-1][2]
    assert dry + commit < 60
    assert count(services, Part) == 100_000
    for i in (0, 7, 4_321, 99_999):
        p, level = part(services, f"P{i:07d}")
        assert (p.name, p.unit, p.price, p.initials) == (f"{NAMES[i % 10]}{i}", "个", Decimal(f"{i % 5000}.50"),
                                                         catalog.initials(p.name))
        assert (level.on_hand if level else Decimal(0)) == i % 20
        assert level is None or level.bin == f"A-{i % 50:02d}"
    assert stock_off_movements(services) == 0
    with services.db.reader() as s:
        reasons = set(s.scalars(select(StockMovement.reason).where(StockMovement.reason != "opening stock")))
        assert reasons == {"import"}
    (event,) = import_events(services)
    assert event.after["added"] == 99_999 and event.after["file"] == "parts.csv"

    again = imports.import_catalog(services, admin, "parts", path)  # the same file again: nothing to do
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, 100_000)


BAD_HEADER = ["Part number", "Name", "Unit", "Price", "Stock"]
BAD_ROWS = [
    ["A-1", "好零件", "个", "12.50", "4"],  # row 2: fine
    ["A-2", "无价格", "个", "", "1"],  # row 3: missing price
    ["A-3", "负库存", "个", "5", "-2"],  # row 4: negative stock
    ["a-1", "重复", "个", "7", "1"],  # row 5: the same number as row 2 (case does not matter)
    ["A-5", "坏价格", "个", "十二元", "1"],  # row 6: not a number
    ["A-6", "", "个", "3", ""],  # row 7: a new part without a name
]


def test_bad_rows_are_each_reported_and_nothing_is_imported(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    path = write_csv(tmp_path / "bad.csv", BAD_HEADER, BAD_ROWS)
    report = imports.dry_run(services, admin, "parts", path)
    reasons = {r.row: (r.key, r.reason) for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "price is missing" in reasons[3][1]
    assert "negative" in reasons[4][1]
    assert reasons[5] == ("A-1", "Part number A-1 is also on row 2.")
    assert "Price: This is not a number." in reasons[6][1]
    assert "name is missing" in reasons[7][1]
    assert [a[1] for a in report.added] == ["A-1"] and not report.ok
    assert "Nothing will be imported" in report.summary()

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_catalog(services, admin, "parts", path)
    assert "5 rows rejected: nothing was imported." in str(caught.value)
    assert len(caught.value.report.rejected) == 5
    assert count(services, Part) == 0 and count(services, StockMovement) == 0 and import_events(services) == []


def test_an_unknown_or_missing_column_is_a_file_error(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    path = write_csv(tmp_path / "odd.csv", ["配件编号", "名称", "单价", "颜色"], [["X1", "螺丝", "1.00", "红"]])
    report = imports.dry_run(services, admin, "parts", path)
    assert report.errors == ('Unknown column "颜色" (column 4).',) and not report.ok
    with pytest.raises(imports.ImportRejected, match="颜色"):
        imports.import_catalog(services, admin, "parts", path)
    path = write_csv(tmp_path / "noprice.csv", ["Part number", "Name"], [["X1", "Screw"]])
    assert imports.dry_run(services, admin, "parts", path).errors == ("The file has no Price column.",)
    missing = imports.dry_run(services, admin, "parts", tmp_path / "nowhere.csv")
    assert missing.errors and "No such file" in missing.errors[0]
    assert count(services, Part) == 0


def test_reimport_is_a_no_op_and_changes_are_field_by_field(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    header = ["Part number", "Name", "English name", "Unit", "Price", "Stock", "Bin"]
    rows = [["B-1", "机油", "Oil", "L", "98", "40", "A-01"], ["B-2", "机滤", "", "个", "58.00", "", ""]]
    path = write_csv(tmp_path / "p.csv", header, rows)
    first = imports.import_catalog(services, admin, "parts", path)
    assert len(first.added) == 2 and first.stock_moves == 1
    moves = count(services, StockMovement)
    for report in (imports.dry_run(services, admin, "parts", path), imports.import_catalog(services, admin, "parts", path)):
        assert (len(report.added), len(report.changed), report.unchanged, report.rejected) == (0, 0, 2, ())
    assert count(services, StockMovement) == moves

    rows[0][4], rows[0][5] = "¥1,099.50", "35"  # new price and a stock count
    report = imports.import_catalog(services, admin, "parts", write_csv(tmp_path / "p2.csv", header, rows))
    assert [(c.key, c.fields) for c in report.changed] == [("B-1", ("price", "stock"))]
    p, level = part(services, "B-1")
    assert (p.price, level.on_hand, level.bin) == (Decimal("1099.50"), Decimal(35), "A-01")
    with services.db.reader() as s:
        assert s.scalars(select(StockMovement.qty).where(StockMovement.part_id == p.id)
                         .order_by(StockMovement.id)).all() == [Decimal(40), Decimal(-5)]
    assert stock_off_movements(services) == 0


def test_gbk_csv_and_xlsx_with_chinese_and_english_headers(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    gbk = write_csv(tmp_path / "gbk.csv", ["零件号", "配件名称", "单位", "销售价", "库存", "库位"],
                    [["06L115562B", "机油滤清器", "个", "58.00", "10", "A-01-1"]], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")
    assert imports.import_catalog(services, admin, "parts", gbk).added == ((2, "06L115562B"),)
    p, level = part(services, "06L115562B")
    assert (p.name, p.price, p.initials, level.on_hand, level.bin) == ("机油滤清器", Decimal("58.00"), "jylqq",
                                                                       Decimal(10), "A-01-1")

    # Excel gives numbers as numbers: 12.35 must stay exactly 12.35, 4711 a part number, not 4711.0.
    xlsx = write_xlsx(tmp_path / "en.xlsx", ["Part No.", "Name", "Unit", "Unit price (CNY)", "Stock", "Bin"],
                      [[4711, "Wiper blade", "pc", 12.35, 3, "B-2"], ["06L115562B", None, None, 59, None, None]])
    report = imports.import_catalog(services, admin, "parts", xlsx)
    assert report.added == ((2, "4711"),) and [(c.key, c.fields) for c in report.changed] == [("06L115562B", ("price",))]
    p, level = part(services, "4711")
    assert (p.name, p.price, level.on_hand) == ("Wiper blade", Decimal("12.35"), Decimal(3))
    p, level = part(services, "06L115562B")
    assert (p.name, p.price, level.on_hand, level.bin) == ("机油滤清器", Decimal("59.00"), Decimal(10), "A-01-1")


def test_labor_table_in_chinese_and_english(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    zh = write_csv(tmp_path / "labor.csv", ["工时代码", "名称", "标准工时", "适用车型", "类别", "安全项目"],
                   [["mt0101", "更换机油机滤", "1.0", "朗逸,速腾", "maintenance", "否"],
                    ["BR0201", "更换前刹车片", "1.5", "", "brakes", "是"],
                    ["BR0202", "更换后刹车片", "250", "", "brakes", "是"]], encoding="gbk")
    report = imports.dry_run(services, admin, "labor", zh)
    assert [(r.row, r.key) for r in report.rejected] == [(4, "BR0202")] and "200" in report.rejected[0].reason
    zh = write_csv(tmp_path / "labor.csv", ["工时代码", "名称", "标准工时", "适用车型", "类别", "安全项目"],
                   [["mt0101", "更换机油机滤", "1.0", "朗逸,速腾", "maintenance", "否"],
                    ["BR0201", "更换前刹车片", "1.5", "", "brakes", "是"]], encoding="gbk")
    assert len(imports.import_catalog(services, admin, "labor", zh).added) == 2
    with services.db.reader() as s:
        op = s.scalar(select(LaborOperation).where(LaborOperation.code == "MT0101"))
        assert (op.name, op.std_hours, op.models, op.safety, op.initials) == ("更换机油机滤", Decimal("1.00"), "朗逸,速腾",
                                                                              False, "ghjyjl")
    en = write_xlsx(tmp_path / "labor.xlsx", ["Code", "Name", "Hours", "Safety"],
                    [["BR0201", "更换前刹车片", 1.8, "yes"], ["MT0101", "", 1, "no"]])
    report = imports.import_catalog(services, admin, "labor", en)
    assert [(c.key, c.fields) for c in report.changed] == [("BR0201", ("std_hours",))] and report.unchanged == 1


def test_only_admin_and_manager_may_import(services, actors, tmp_path):
    path = write_csv(tmp_path / "p.csv", ["Part number", "Name", "Price"], [["C-1", "螺丝", "1"]])
    for role in (Role.ADVISOR, Role.CASHIER, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            imports.dry_run(services, actors[role], "parts", path)
        with pytest.raises(PermissionDenied):
            imports.import_catalog(services, actors[role], "parts", path)
    assert len(imports.import_catalog(services, actors[Role.MANAGER], "parts", path).added) == 1
    (event,) = import_events(services)
    assert event.user_id == actors[Role.MANAGER].user_id and event.after["rows"] == 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_command_line_reports_and_refuses_bad_files(services, actors, tmp_path, capsys):
    url = services.db.engine.url.render_as_string(hide_password=False)
    bad = write_csv(tmp_path / "bad.csv", BAD_HEADER, BAD_ROWS)
    assert main(["--db", url, "--lang", "en", "import", "parts", str(bad), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "6 rows: 1 to add, 0 to change, 0 unchanged, 5 rejected." in out
    assert "row 5  A-1  Part number A-1 is also on row 2." in out
    assert main(["--db", url, "--lang", "en", "import", "parts", str(bad)]) == 1
    assert "Nothing was imported." in capsys.readouterr().err
    assert count(services, Part) == 0
    good = write_csv(tmp_path / "good.csv", BAD_HEADER, BAD_ROWS[:1])
    assert main(["--db", url, "--lang", "en", "import", "parts", str(good)]) == 0
    assert "Imported 1 rows: 1 added" in capsys.readouterr().out
    assert count(services, Part) == 1


def test_stock_and_bins_of_parts_with_and_without_a_level(services, actors, tmp_path):
    """The write sets levels from what the plan read (issue 15, item 7: no second read of every level)."""
    admin = actors[Role.ADMIN]
    catalog.save_part(services, admin, catalog.PartInput("S-1", "无库存", "5.00"))  # in the catalog, no level yet
    shelved = catalog.save_part(services, admin, catalog.PartInput("S-2", "有库存", "6.00"))
    catalog.adjust_stock(services, admin, shelved.id, 4, "opening stock", bin="Z-1")
    version = part(services, "S-2")[1].version
    header = ["Part number", "Name", "Price", "Stock", "Bin"]
    rows = [["S-1", "", "5.00", "7", "C-3"],  # a level made: on-hand 7, a movement of 7
            ["S-2", "", "6.00", "", "Z-2"],  # the bin moves, the stock stays: no movement
            ["S-3", "新零件", "8.00", "", "D-4"],  # new, a bin and no stock: a level of 0
            ["S-4", "新零件二", "9.00", "0", ""]]  # new, stock 0 and no bin: no level at all
    report = imports.import_catalog(services, admin, "parts", write_csv(tmp_path / "s.csv", header, rows))
    assert report.added == ((4, "S-3"), (5, "S-4")) and report.stock_moves == 1
    assert [(c.key, c.fields) for c in report.changed] == [("S-1", ("stock", "bin")), ("S-2", ("bin",))]
    levels = {n: part(services, n)[1] for n in ("S-1", "S-2", "S-3", "S-4")}
    assert (levels["S-1"].on_hand, levels["S-1"].bin, levels["S-1"].version) == (Decimal(7), "C-3", 1)
    assert (levels["S-2"].on_hand, levels["S-2"].bin, levels["S-2"].version) == (Decimal(4), "Z-2", version + 1)
    assert (levels["S-3"].on_hand, levels["S-3"].bin) == (Decimal(0), "D-4") and levels["S-4"] is None
    assert stock_off_movements(services) == 0
    again = imports.import_catalog(services, admin, "parts", write_csv(tmp_path / "s.csv", header, rows))
    assert (again.added, again.changed, again.unchanged) == ((), (), 4)


def test_every_import_reads_a_header_the_same_way() -> None:
    """Catalog, package and campaign imports share one header reader (issues 19/20 dedupe): the same
    unknown / doubled / missing-column words; a unit in brackets is read where the importer allows it."""
    from frontdesk.services import campaign_import, package_files

    catalog_cols, catalog_errors = imports.map_columns("parts", ["Part number", "Price (CNY)", "Part #", "Colour"])
    assert catalog_cols["number"] == 0 and "price" in catalog_cols
    assert any("Two columns mean" in e for e in catalog_errors)
    assert any('Unknown column "Colour" (column 4).' in e for e in catalog_errors)

    package_cols, package_errors = package_files.map_columns(["Package code", "Interval km (km)", "Colour"])
    assert package_cols == {"package_code": 0, "interval_km": 1}
    assert 'Unknown column "Colour" (column 3).' in package_errors
    assert any("has no" in e for e in package_errors)

    campaign_cols, campaign_errors = campaign_import._columns(["Campaign code", "Campaign code", "VIN (x)"])
    assert campaign_cols["code"] == 0
    assert any("Two columns mean" in e for e in campaign_errors)
    assert 'Unknown column "VIN (x)" (column 3).' in campaign_errors  # campaigns read no units, as before
    assert imports.match_columns(campaign_import.FIELDS, ["Campaign code"], units=False)[0] == {"code": 0}
