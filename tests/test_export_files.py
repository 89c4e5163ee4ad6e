"""An export's file exists only with its audit event, and only its owner can read it (issue 15, items 12 and 5).

Every export kind is written to a 0600 partial file beside the target and moved into place
after the service's transaction committed: when the audit insert fails there is no file at
the target and no partial file left; when it succeeds there is the file and exactly one
audit event naming it. A folder the export makes is 0700.
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.services import audit, data_exports, exports, reports
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ValidationError
from frontdesk.services.setup import ensure_store, system_actor

from .factories import customer_and_vehicle, order_through, seed_shop

Export = Callable[[Path], Path]
KINDS = ["customers", "orders", "parts", "labor", "report", "history"]


class AuditInsertFailed(Exception):
    pass


@pytest.fixture
def export(services: Services, actors: dict[Role, Actor]) -> Callable[[str], Export]:
    """``export(kind)(path)`` runs that kind's export to ``path`` and returns the written path."""
    shop = seed_shop(services, system_actor(ensure_store(services)), actors)
    _customer, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="estimate")
    manager = actors[Role.MANAGER]
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    def of(kind: str) -> Export:
        if kind == "customers":
            return lambda path: data_exports.export_customers(services, manager, path).path
        if kind == "orders":
            return lambda path: data_exports.export_orders(services, actors[Role.CASHIER], *nov, path).path
        if kind in ("parts", "labor"):
            return lambda path: data_exports.export_catalog(services, actors[Role.ADMIN], kind, path).path
        if kind == "report":
            report = reports.report(services, manager, *nov)
            return lambda path: exports.export_report(services, manager, report, path)
        return lambda path: audit.export_order_history(services, manager, order.id, path).path

    return of


def audit_count(services: Services) -> int:
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_audit_leaves_no_file(services, export, tmp_path, kind, fmt):
    run = export(kind)
    folder = tmp_path / "out"
    folder.mkdir()
    before = audit_count(services)

    def refuse_audit(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            raise AuditInsertFailed("the audit insert failed")

    event.listen(services.db.engine, "before_cursor_execute", refuse_audit)
    try:
        with pytest.raises(AuditInsertFailed):
            run(folder / f"{kind}.{fmt}")
    finally:
        event.remove(services.db.engine, "before_cursor_execute", refuse_audit)
    assert files_under(folder) == []  # neither the file nor its partial
    assert audit_count(services) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_export_is_its_file_and_one_audit_event(services, export, tmp_path, kind, fmt):
    folder = tmp_path / "out"
    folder.mkdir()
    before = audit_count(services)
    target = folder / f"{kind}.{fmt}"
    assert export(kind)(target) == target
    assert files_under(folder) == [target] and target.stat().st_size > 0
    assert audit_count(services) == before + 1
    with services.db.reader() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert last.after["path"] == str(target)


@pytest.mark.parametrize("kind", KINDS)
def test_export_files_are_private(services, export, tmp_path, kind):
    """0600 files; folders the export makes are 0700, a folder that exists is left as it is."""
    tmp_path.chmod(0o755)
    target = tmp_path / "exports" / "2026" / f"{kind}.csv"
    export(kind)(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    # A world-readable file of the same name is replaced by a private one.
    old = tmp_path / f"{kind}.xlsx"
    old.write_text("old")
    old.chmod(0o644)
    export(kind)(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("kind", ["customers", "report"])
def test_a_target_that_cannot_be_written_is_refused_before_the_audit(services, export, tmp_path, kind):
    before = audit_count(services)
    folder = tmp_path / "out"
    (folder / "a-folder.csv").mkdir(parents=True)
    with pytest.raises(ValidationError, match="Cannot write"):
        export(kind)(folder / "a-folder.csv")
    (folder / "a-file").write_text("not a folder")
    with pytest.raises(ValidationError, match="Cannot write"):
        export(kind)(folder / "a-file" / "x.csv")
    with pytest.raises(ValidationError, match="csv or .xlsx"):
        export(kind)(folder / "new-folder" / "x.pdf")
    assert not (folder / "new-folder").exists()
    assert audit_count(services) == before
    assert files_under(folder) == [folder / "a-file"]
