"""A key account's monthly statement (issue 21, item 1): figures worked out by hand, the PDF, the XLSX, the CLI.

Each order of ``factories.order_through`` on the account's car is charged 589.50 (180.00
labour and 450.00 parts less the agreed 10 % / 5 %: 40.50). The story:

- 2026-10-20 order A charged 589.50; 2026-10-25 transfer TR-1 of 200.00 applied to A.
- 2026-11-24 order B charged 589.50; 2026-11-26 transfer "=1+2" of 500.00: 389.50 closes A,
  110.50 stays unapplied; 2026-11-28 the manager writes 10.00 of B off.

October: opening 0, charged 589.50, received 200.00, closing 389.50; at 10-31 A is 11 days
old with 389.50 open. November: opening 389.50, charged 589.50, received 500.00, written
off 10.00, closing 389.50 + 589.50 - 500.00 - 10.00 = 469.00; at 11-30 B is 6 days old
with 579.50 open, less 110.50 of credit: 469.00 again.
"""

from __future__ import annotations

import datetime as dt
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from frontdesk.cli import main
from frontdesk.model.enums import PayerKind, Role
from frontdesk.services import account_statement, accounts, ledger, settlement
from frontdesk.services.errors import PermissionDenied, ValidationError

from .factories import customer_and_vehicle, order_through, seed_shop
from .paperwork.pdfcheck import missing_texts

D = Decimal


@pytest.fixture
def story(services, admin, actors, clock):  # type: ignore[no-untyped-def]
    manager, cashier = actors[Role.MANAGER], actors[Role.CASHIER]
    shop = seed_shop(services, admin, actors)
    _customer, car = customer_and_vehicle(services, actors[Role.ADVISOR])
    bus = accounts.save_account(services, manager, accounts.AccountInput(
        code="SZ-BUS", name="深圳巴士集团", kind="fleet", credit_limit="100000", labour_discount="0.1",
        parts_discount="0.05", invoice_title="深圳巴士集团有限公司", tax_id="91440300192173412X",
        invoice_bank="招商银行深圳分行 7559 0000 0000 001"))
    accounts.add_vehicle(services, manager, bus.id, car)

    def charge() -> int:
        order = order_through(services, actors, shop, car, stop="delivered")
        accounts.charge_to_account(services, cashier, order.id)
        settlement.issue_gate_pass(services, cashier, order.id)
        return accounts.account_detail(services, cashier, bus.id).receivables[-1].receivable_id

    def transfer(reference: str, amount: str, on: dt.date, *allocations: tuple[int, str]) -> None:
        ledger.record_remittance(services, cashier, ledger.RemittanceInput(
            payer_kind=PayerKind.ACCOUNT, payer_name="深圳巴士集团", amount=amount, reference=reference,
            received_on=on, account_id=bus.id), [ledger.AllocationInput(r, a) for r, a in allocations])

    clock.now = dt.datetime(2026, 10, 20, 9, 0)
    a = charge()
    clock.now = dt.datetime(2026, 10, 25, 15, 0)
    transfer("TR-1", "200.00", dt.date(2026, 10, 25), (a, "200.00"))
    clock.now = dt.datetime(2026, 11, 24, 9, 0)
    b = charge()
    clock.now = dt.datetime(2026, 11, 26, 11, 0)
    transfer("=1+2", "500.00", dt.date(2026, 11, 26), (a, "389.50"))
    clock.now = dt.datetime(2026, 11, 28, 10, 0)
    ledger.write_off(services, manager, b, "10.00", "零头")
    clock.now = dt.datetime(2026, 12, 2, 9, 0)
    return bus.id


def test_the_statement_adds_up_as_worked_out_by_hand(services, actors, story) -> None:
    cashier = actors[Role.CASHIER]
    october = account_statement.statement(services, cashier, story, "2026-10")
    assert (october.opening_balance, october.charged, october.received, october.written_off,
            october.closing_balance) == (0, D("589.50"), D("200.00"), 0, D("389.50"))
    assert {a.bucket: a.amount for a in october.aging}["0-30"] == D("389.50")

    november = account_statement.statement(services, cashier, story, "2026-11")
    assert (november.opening_balance, november.charged, november.received, november.written_off,
            november.closing_balance) == (D("389.50"), D("589.50"), D("500.00"), D("10.00"), D("469.00"))
    (line,) = november.lines
    assert (line.day, line.driver, line.plate, line.labour, line.parts, line.discount, line.amount) == (
        dt.date(2026, 11, 24), "李娜", "粤A12345", D("180.00"), D("450.00"), D("40.50"), D("589.50"))
    assert [(p.reference, p.amount) for p in november.payments] == [("=1+2", D("500.00"))]
    assert [(a.bucket, a.amount) for a in november.aging] == [
        ("0-30", D("579.50")), ("31-60", 0), ("61-90", 0), ("90+", 0)]
    assert november.unapplied_credit == D("110.50")
    assert november.aging_total - november.unapplied_credit == november.closing_balance
    assert (november.account.invoice_title, november.number) == ("深圳巴士集团有限公司", "SZ-BUS-2026-11")
    assert accounts.account_credits(services, cashier, story)[0].unapplied == D("110.50")

    with pytest.raises(ValidationError, match="YYYY-MM"):
        account_statement.statement(services, cashier, story, "2026-13")
    with pytest.raises(ValidationError, match="not begun"):
        account_statement.statement(services, cashier, story, "2027-01")
    with pytest.raises(PermissionDenied):
        account_statement.statement(services, actors[Role.TECHNICIAN], story, "2026-11")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_statement_pdf_xlsx_and_command_line(services, actors, story, tmp_path: Path, capsys) -> None:
    data = account_statement.statement(services, actors[Role.CASHIER], story, "2026-11")
    for lang, words in (("zh_CN", ["深圳巴士集团有限公司", "李娜", "¥469.00", "肆佰陆拾玖元整"]),
                        ("en", ["Statement of account", "Closing balance", "¥469.00", "SZ-BUS-2026-11"])):
        pdf = account_statement.write_pdf(data, tmp_path / f"s-{lang}.pdf", lang)
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
        assert missing_texts(pdf, [*words, "¥589.50", "¥110.50"]) == []

    xlsx = account_statement.write_xlsx(data, tmp_path / "s.xlsx")
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600
    book = load_workbook(xlsx)
    reference = book.worksheets[1]["B2"]
    assert (reference.value, reference.data_type) == ("=1+2", "s")  # shown, never run
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert book.worksheets[0]["H4"].value == D("589.50") or book.worksheets[0]["H4"].value == 589.5

    url, out = services.db.url, tmp_path / "cli.pdf"
    assert main(["statement", "sz-bus", "--month", "2026-11", "--out", str(out), "--db", url, "--lang", "en"]) == 0
    assert missing_texts(out, ["Statement of account", "¥469.00"]) == []
    capsys.readouterr()
    for argv in (["NOPE", "--month", "2026-11", "--out", str(out)], ["SZ-BUS", "--month", "11/2026", "--out", str(out)],
                 ["SZ-BUS", "--month", "2026-11", "--out", str(tmp_path / "s.txt")]):
        assert main(["statement", *argv, "--db", url, "--lang", "en"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("frontdesk: ") and err.count("\n") == 1, err
