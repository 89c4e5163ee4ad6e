"""Import files are strangers' (issue 15, items 7 and 10): bombs are refused before they are read,
and an import reads and checks its file outside the write lock.

Item 7: a 0.9 MB workbook unpacked to 3 million rows and 2 GB; a shared-string bomb reached
2.1 GB. The bombs here are the same kinds, built small against limits scaled down through the
``limits`` parameter (the defaults, and the peak memory of real-sized files and both bombs at
full size, are measured by ``benchmarks/import_memory.py``).

Item 10: while an import reads and checks a large file, another terminal can still save.
Not timed: the test saves from inside the import's own progress callback, while the rows are
being checked, and on SQLite first asks for the write lock without waiting.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from frontdesk.db import Database
from frontdesk.model import AuditEvent, Part
from frontdesk.model.enums import Role
from frontdesk.services import catalog, imports
from frontdesk.services.context import Services
from frontdesk.services.imports import Limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import import_memory as bombs  # noqa: E402 - the builders the benchmark uses, at small sizes


def refusal(services, actor, path: Path, limits: Limits) -> str:  # type: ignore[no-untyped-def]
    """The dry run's and the commit's one error (the same), with the memory the refusal took."""
    tracemalloc.start()
    try:
        report = imports.dry_run(services, actor, "parts", path, limits=limits)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not report.ok and len(report.errors) == 1 and report.added == ()
    assert peak < 8 * 2**20, f"refusing took {peak / 2**20:.1f} MB"
    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_catalog(services, actor, "parts", path, limits=limits)
    assert caught.value.report.errors == report.errors
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Part)) == 0
    return report.errors[0]


def test_a_sheet_declaring_too_many_rows_is_refused_before_it_is_read(services, actors, tmp_path):
    path = bombs.rows_bomb(tmp_path / "rows.xlsx", rows=3_000, declare=True)
    assert "more than 1000 rows" in refusal(services, actors[Role.ADMIN], path, Limits(rows=1_000))


def test_a_sheet_hiding_its_rows_is_refused_when_it_passes_the_limit(services, actors, tmp_path):
    path = bombs.rows_bomb(tmp_path / "rows.xlsx", rows=3_000, declare=False)  # no <dimension>: found while streaming
    assert "more than 1000 rows" in refusal(services, actors[Role.ADMIN], path, Limits(rows=1_000))


def test_a_part_that_unpacks_hundreds_of_times_its_size_is_refused(services, actors, tmp_path):
    path = bombs.rows_bomb(tmp_path / "rows.xlsx", rows=120_000)  # 3 MB of sheet in a few kilobytes
    assert path.stat().st_size < 100_000
    assert "times its packed size" in refusal(services, actors[Role.ADMIN], path, Limits())


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(services, actors, tmp_path):
    path = bombs.rows_bomb(tmp_path / "rows.xlsx", rows=30_000)
    error = refusal(services, actors[Role.ADMIN], path, Limits(unpacked_bytes=2**19))
    assert error.startswith("The workbook unpacks to 0.7") and "at most 0.50 MB can be imported" in error


def test_a_shared_string_bomb_is_refused_by_size_and_by_count(services, actors, tmp_path):
    path = bombs.shared_strings_bomb(tmp_path / "strings.xlsx", strings=30_000)  # ~500 kB of tiny texts
    admin = actors[Role.ADMIN]
    assert "text table (xl/sharedStrings.xml) unpacks to 0.49 MB; at most 0.10 MB" in refusal(
        services, admin, path, Limits(shared_strings_bytes=100 * 1024))
    assert "holds more than 10000 texts" in refusal(services, admin, path, Limits(shared_strings=10_000))


def test_a_long_cell_and_a_wide_row_are_refused(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    long_cell = bombs.write_workbook(tmp_path / "long.xlsx", iter([
        bombs._header_row(), bombs._row(2, [("str", "P-1"), ("str", "机" * 1_001), ("n", "5")])]))
    assert "Row 2, column 2: a cell holds 1001 characters; at most 1000" in refusal(services, admin, long_cell, Limits())
    wide = bombs.write_workbook(tmp_path / "wide.xlsx", iter([
        bombs._header_row(), bombs._row(2, [("str", "P-1"), ("str", "机油"), *[("str", "")] * 67, ("str", "x")])]))
    assert "more than 64 columns" in refusal(services, admin, wide, Limits())


def test_csv_files_have_the_same_limits(services, actors, tmp_path):
    admin = actors[Role.ADMIN]
    path = tmp_path / "parts.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["配件编号", "配件名称", "单价"])
        out.writerows([[f"P-{i}", "机油滤清器", "30"] for i in range(300)])
    assert "more than 100 rows" in refusal(services, admin, path, Limits(rows=100))
    assert "at most 0.00 MB" in refusal(services, admin, path, Limits(text_bytes=1_000))


def test_a_real_list_within_the_limits_still_imports(services, actors, tmp_path):
    path = bombs.price_list(tmp_path / "list.xlsx", rows=500)
    report = imports.import_catalog(services, actors[Role.ADMIN], "parts", path, limits=Limits(rows=501))
    assert report.committed and len(report.added) == 500


def write_parts(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["配件编号", "配件名称", "单价"])
        out.writerows([[f"P-{i}", f"零件{i}", "10.00"] for i in range(rows)])
    return path


def test_the_file_is_read_and_checked_outside_the_write_lock(database, services, actors, tmp_path):
    admin, manager = actors[Role.ADMIN], actors[Role.MANAGER]
    path = write_parts(tmp_path / "parts.csv", 5_000)
    other = Services(db=Database(database.url), settings=services.settings, clock=services.clock)  # another terminal
    stages: list[str] = []
    lock_free: list[bool] = []

    def progress(stage: str, done: int, total: int) -> None:
        if not stages or stages[-1] != stage:
            stages.append(stage)
        if stage == imports.STAGE_CHECK and done == 2_000 and not lock_free:  # rows are being checked
            if database.is_sqlite:
                probe = sqlite3.connect(make_url(database.url).database, timeout=0, isolation_level=None)
                try:
                    probe.execute("BEGIN IMMEDIATE")  # the write lock, without waiting for it
                    probe.execute("ROLLBACK")
                    lock_free.append(True)
                except sqlite3.OperationalError:  # "database is locked": the import holds it
                    lock_free.append(False)
                    return
                finally:
                    probe.close()
            else:
                lock_free.append(True)
            # Another terminal adds a part the file also adds, after the import read the catalog.
            catalog.save_part(other, manager, catalog.PartInput("P-7", "别人刚加的", "99.00"))

    try:
        report = imports.import_catalog(services, admin, "parts", path, progress)
    finally:
        other.db.dispose()
    assert lock_free == [True]
    # The write noticed the catalog had changed and checked the rows again: P-7 is now a change, not
    # an insert that would have failed on the unique part number.
    assert report.committed and len(report.added) == 4_999
    assert [(c.key, c.fields) for c in report.changed] == [("P-7", ("name", "price"))]
    assert stages.count(imports.STAGE_READ) == 2 and stages[-1] == imports.STAGE_WRITE
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Part)) == 5_000
        p7 = s.scalar(select(Part).where(Part.number == "P-7"))
        assert (p7.name, p7.price) == ("零件7", Decimal("10.00"))


def test_a_price_update_holds_a_few_hundred_bytes_a_row(services, actors, tmp_path):
    """Item 7's memory, at a tenth of the benchmark's 200 000 rows: every price of a 20 000-part catalog changes.

    The plan reads the catalog a batch of rows at a time and holds its writes pickled and its report
    as arrays; holding the whole catalog as tuples, the writes as tuples and a Changed per row took
    twice this (22 MB here, 299 MB of the benchmark's 300). Traced Python memory, not time.
    """
    admin = actors[Role.ADMIN]
    rows = 20_000
    imports.import_catalog(services, admin, "parts", bombs.price_list(tmp_path / "list.xlsx", rows=rows))
    update = bombs.price_list(tmp_path / "update.xlsx", rows=rows, price_rise=3)
    with services.db.reader() as s:
        before = dict(s.execute(select(Part.number, Part.price)).all())
    tracemalloc.start()
    try:
        report = imports.import_catalog(services, admin, "parts", update)  # the plan a dry run makes, and its write
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 15 * 2**20, f"{peak / 2**20:.1f} MB"
    assert report.committed and (len(report.changed), report.unchanged, report.added) == (rows, 0, ())
    first, last = report.changed[0], report.changed[-1]
    assert (first.row, first.fields, last.row) == (2, ("price",), rows + 1)
    assert report.changed[1:3] == tuple(report.changed)[1:3] and list(report.changed)[-1] == last
    with services.db.reader() as s:
        after = dict(s.execute(select(Part.number, Part.price)).all())
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "catalog.import").order_by(AuditEvent.id.desc()))
    assert all(after[n] == price + 3 for n, price in before.items())
    assert event.after == {"kind": "parts", "file": "update.xlsx", "sha256": hashlib.sha256(update.read_bytes()).hexdigest(),
                           "rows": rows, "added": 0, "changed": rows, "unchanged": 0, "stock_movements": 0}


def test_the_text_table_is_read_without_holding_its_xml(services, actors, tmp_path):
    """A text table within the limits costs its texts, not an emptied XML element besides each (25 MB here before)."""
    path = bombs.text_table_at_the_limit(tmp_path / "texts.xlsx", size=4_000_000)  # 180 000 short texts
    tracemalloc.start()
    try:
        report = imports.dry_run(services, actors[Role.ADMIN], "parts", path)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.rows == 0
    assert peak < 16 * 2**20, f"{peak / 2**20:.1f} MB"


def test_rich_text_and_phonetic_guides_read_as_excel_shows_them(services, actors, tmp_path):
    header = ["配件编号", "配件名称", "单价"]
    texts = [f"<t>{h}</t>" for h in header] + [
        '<t xml:space="preserve">P-1 </t>',
        '<r><t>机油</t></r><r><rPr><b/></rPr><t>滤清器</t></r><rPh sb="0" eb="2"><t>jiyou</t></rPh>',
        "<t>A_x005F_x000D_B</t>",  # Excel's escaped underscore: the text "A_x000D_B"
    ]
    path = bombs.write_workbook(tmp_path / "rich.xlsx", iter([
        bombs._row(1, [("s", "0"), ("s", "1"), ("s", "2")]),
        bombs._row(2, [("s", "3"), ("s", "4"), ("n", "12.5")]),
        bombs._row(3, [("str", "P-2"), ("s", "5"), ("n", "3")])]), iter(texts), rich=True)
    report = imports.import_catalog(services, actors[Role.ADMIN], "parts", path)
    assert report.added == ((2, "P-1"), (3, "P-2"))
    with services.db.reader() as s:
        assert dict(s.execute(select(Part.number, Part.name)).all()) == {"P-1": "机油滤清器", "P-2": "A_x000D_B"}
