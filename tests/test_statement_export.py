"""Writing a key account's monthly statement to a file is an export (issue 21): audited as
``account.statement`` like every export of the store's data, the file there only once recorded;
refused for a role without the right, with nothing written."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.services import account_statement, accounts
from frontdesk.services.errors import PermissionDenied, ValidationError


def statement_events(services) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "account.statement")
                              .order_by(AuditEvent.id)))


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the audit, not the database, is in question
def test_a_statement_written_to_a_file_is_audited(services, actors, clock, tmp_path: Path) -> None:
    clock.now = dt.datetime(2026, 12, 2, 9, 0)
    tmp_path = tmp_path / "files"
    bus = accounts.save_account(services, actors[Role.MANAGER], accounts.AccountInput(
        code="SZ-BUS", name="深圳巴士集团", kind="fleet"))

    with pytest.raises(PermissionDenied):
        account_statement.export_statement(services, actors[Role.ADVISOR], bus.id, "2026-11", tmp_path / "a.xlsx")
    with pytest.raises(ValidationError):
        account_statement.export_statement(services, actors[Role.CASHIER], bus.id, "2026-11", tmp_path / "a.txt")
    assert statement_events(services) == [] and not tmp_path.exists()  # not even the folder

    written = account_statement.export_statement(services, actors[Role.CASHIER], bus.id, "2026-11",
                                                 tmp_path / "out" / "a.xlsx")
    assert written.path.is_file() and stat.S_IMODE(written.path.stat().st_mode) == 0o600
    assert main(["statement", "sz-bus", "--month", "2026-11", "--out", str(tmp_path / "b.pdf"),
                 "--db", services.db.url, "--lang", "en"]) == 0
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")

    events = statement_events(services)
    assert [(e.entity, e.entity_id, e.user_id, e.after["month"], e.after["format"], e.after["path"]) for e in events] == [
        ("account", bus.id, actors[Role.CASHIER].user_id, "2026-11", "xlsx", str(written.path)),
        ("account", bus.id, None, "2026-11", "pdf", str(tmp_path / "b.pdf"))]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.xlsx", "b.pdf"]  # no partials
