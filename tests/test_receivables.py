"""Issue 21, item 5: the receivables by payer kind and age, the follow-ups due, the tie-out (SQLite and PostgreSQL).

One store for the module, built through the services with the clock moved by hand; the
aging is read on 2026-11-24. Three orders from tests/factories.order_through leave ¥905.00
each under warranty, owed by the maker: A settled on 08-01, B on 10-01, C delivered on
11-10 and not paid yet (its settlement prepared: the receivable exists, the order is not
settled). Then, by ``ledger``:

====  ========  =====  =======  ========  ============================  ========  ==========
 r    payer     order  created  amount    since                          open      bucket
====  ========  =====  =======  ========  ============================  ========  ==========
 r1   maker     A      08-01    905.00                                   905.00    90+ (115)
 r2   maker     B      10-01    905.00    300.00 paid                    605.00    31-60 (54)
 r3   maker     C      11-10    905.00                                   905.00    0-30 (14)
 r4   insurer   A      09-10    1200.00   250 paid, 200 written off      750.00    61-90 (75)
 r5   account   B      11-01    800.00    due 11-20                      800.00    0-30 (23)
 r6   customer  A      08-15    150.00    next action 11-30              150.00    90+ (101)
 r7   maker     A      09-20    500.00    written off in full            closed
 r8   insurer   C      11-12    400.00    paid in full                   closed
====  ========  =====  =======  ========  ============================  ========  ==========

r4's next action is 11-20 (come) and r5's due date 11-20 (past, no next action): two
follow-ups due; r6's next action 11-30 is not due. The maker paid ¥1 000.00 and ¥300.00 of
it was applied: ¥700.00 is the maker's credit.

Tie-out: A and B are settled; their warranty shares are 2 × 905.00 = 1 810.00 and the
ledger booked r1 + r2 = 1 810.00 at their settlement; r4–r7 (2 650.00) came after it (r6,
the customer's, would not count even if it had come before: the settlement makes none), r3
and r8 (1 305.00) are on C, not settled.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from frontdesk.config import Settings
from frontdesk.model import Receivable, RepairOrder, Store
from frontdesk.model.enums import PayerKind, PayType, Role
from frontdesk.services import checkin, ledger, receivables
from frontdesk.services.context import Services
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.setup import ensure_store, system_actor

from .conftest import FakeClock, make_actors
from .factories import order_through, seed_shop

ON = dt.date(2026, 11, 24)
D = Decimal


def at(clock: FakeClock, month: int, day: int) -> None:
    clock.now = dt.datetime(2026, month, day, 9, 0)


@pytest.fixture(scope="module")
def store(module_database):  # type: ignore[no-untyped-def]
    clock = FakeClock(dt.datetime(2026, 8, 1, 9, 0))
    svc = Services(db=module_database, settings=replace(Settings(), language="en"), clock=clock)
    admin = system_actor(ensure_store(svc))
    actors = make_actors(svc, admin)
    shop = seed_shop(svc, admin, actors)
    adv, cash, boss = actors[Role.ADVISOR], actors[Role.CASHIER], actors[Role.MANAGER]
    orders = {}
    for name, (month, day), stop, plate, vin in (("A", (8, 1), "closed", "粤A12345", "LSVAU033612345678"),
                                                 ("B", (10, 1), "closed", "粤B54321", "LSVAU033612345679"),
                                                 ("C", (11, 10), "delivered", "粤C11111", "LSVAU033612345680")):
        at(clock, month, day)
        customer = checkin.save_customer(svc, adv, checkin.CustomerInput("张伟", "13800138000"))
        vehicle = checkin.save_vehicle(svc, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=vin, make="大众", model="朗逸", confirm_vin_check_digit=True))
        orders[name] = order_through(svc, actors, shop, vehicle.id, stop=stop).id
    with svc.db.reader() as s:
        r = {n: s.scalars(select(Receivable.id).where(Receivable.order_id == orders[o])).one()
             for n, o in (("r1", "A"), ("r2", "B"), ("r3", "C"))}

    def add(name: str, month: int, day: int, order: str, kind: PayerKind, payer: str, amount: str, **kw):  # type: ignore[no-untyped-def]
        at(clock, month, day)
        r[name] = ledger.add_receivable(svc, cash, orders[order], kind, payer, amount,
                                        pay_type=PayType.INSURANCE if kind == PayerKind.INSURER else PayType.WARRANTY,
                                        **kw).id

    add("r4", 9, 10, "A", PayerKind.INSURER, "平安保险", "1200.00")
    add("r6", 8, 15, "A", PayerKind.CUSTOMER, "", "150.00")
    add("r7", 9, 20, "A", PayerKind.MAKER, "大众", "500.00")
    add("r5", 11, 1, "B", PayerKind.ACCOUNT, "=HYPERLINK(\"http://x\")", "800.00", due_on=dt.date(2026, 11, 20))
    add("r8", 11, 12, "C", PayerKind.INSURER, "平安保险", "400.00")
    at(clock, 11, 15)
    ledger.record_remittance(svc, cash, ledger.RemittanceInput(PayerKind.MAKER, "大众", "1000.00", "MK-1", clock().date()),
                             [ledger.AllocationInput(r["r2"], "300.00")])
    ledger.record_remittance(svc, cash, ledger.RemittanceInput(PayerKind.INSURER, "平安保险", "650.00", "PA-1",
                                                               clock().date()),
                             [ledger.AllocationInput(r["r4"], "250.00"), ledger.AllocationInput(r["r8"], "400.00")])
    ledger.write_off(svc, boss, r["r4"], "200.00", "short payment")
    ledger.write_off(svc, boss, r["r7"], None, "not worth chasing")
    ledger.follow_up(svc, cash, r["r4"], dt.date(2026, 11, 20), "called the assessor")
    ledger.follow_up(svc, cash, r["r6"], dt.date(2026, 11, 30), "customer pays next week")
    clock.now = dt.datetime(2026, 11, 24, 10, 0)
    return svc, actors, orders, r


def test_the_grid_by_payer_kind_and_age_with_credit_and_follow_ups_due(store) -> None:  # type: ignore[no-untyped-def]
    svc, actors, _orders, _r = store
    data = receivables.summary(svc, actors[Role.CASHIER])

    assert data.on == ON
    grid = {row.payer_kind: row.amounts for row in data.rows}
    assert grid == {
        PayerKind.ACCOUNT: (D("800.00"), D(0), D(0), D(0)),
        PayerKind.INSURER: (D(0), D(0), D("750.00"), D(0)),
        PayerKind.MAKER: (D("905.00"), D("605.00"), D(0), D("905.00")),
        PayerKind.CUSTOMER: (D(0), D(0), D(0), D("150.00")),
    }
    assert [row.count for row in data.rows] == [1, 1, 3, 1]
    assert data.bucket_totals == (D("1705.00"), D("605.00"), D("750.00"), D("1055.00"))
    assert (data.total, data.count) == (D("4115.00"), 6)
    assert data.row(PayerKind.MAKER).unapplied == D("700.00")
    assert data.unapplied == D("700.00")
    assert data.overdue == 2


def test_the_tie_out_accounts_for_every_receivable_and_names_a_difference(store) -> None:  # type: ignore[no-untyped-def]
    svc, actors, orders, r = store
    tie = receivables.summary(svc, actors[Role.MANAGER]).tie
    assert (tie.orders, tie.shares, tie.account_charges, tie.booked) == (2, D("1810.00"), D(0), D("1810.00"))
    assert (tie.added_after, tie.unsettled, tie.ledger_total) == (D("2650.00"), D("1305.00"), D("5765.00"))
    assert tie.ties and receivables.tie_line(tie).startswith("Ties to the settlements")

    # A cost moved to the customer before the order was paid (a goodwill share) is not the settlement's.
    with svc.db.session() as s, s.begin():
        s.execute(update(Receivable).where(Receivable.id == r["r6"]).values(created_at=dt.datetime(2026, 8, 1, 9, 0)))
    assert receivables.summary(svc, actors[Role.MANAGER]).tie == tie

    # A settlement whose receivable does not match it (and an account charge the ledger never booked).
    with svc.db.session() as s, s.begin():
        s.execute(update(Receivable).where(Receivable.id == r["r1"]).values(amount=D("900.00")))
        s.execute(update(RepairOrder).where(RepairOrder.id == orders["B"]).values(account_charged=D("100.00")))
    try:
        tie = receivables.summary(svc, actors[Role.MANAGER]).tie
        assert (tie.shares, tie.account_charges, tie.booked) == (D("1810.00"), D("100.00"), D("1805.00"))
        assert (tie.difference, tie.orders_off, tie.ties) == (D("-105.00"), 2, False)
        assert "difference -¥105.00 on 2 orders" in receivables.tie_line(tie)
    finally:
        with svc.db.session() as s, s.begin():
            s.execute(update(Receivable).where(Receivable.id == r["r1"]).values(amount=D("905.00")))
            s.execute(update(RepairOrder).where(RepairOrder.id == orders["B"]).values(account_charged=D(0)))
            s.execute(update(Receivable).where(Receivable.id == r["r6"]).values(created_at=dt.datetime(2026, 8, 15, 9)))


def test_items_oldest_first_and_filtered(store) -> None:  # type: ignore[no-untyped-def]
    svc, actors, orders, r = store
    cash = actors[Role.CASHIER]
    every = receivables.items(svc, cash)
    assert [i.receivable_id for i in every] == [r["r1"], r["r6"], r["r4"], r["r2"], r["r5"], r["r3"]]
    first = every[0]
    assert (first.payer_kind, first.payer_name, first.plate, first.age_days, first.bucket) == (
        PayerKind.MAKER, "大众", "粤A12345", 115, "90+")
    customer = every[1]
    assert (customer.payer_name, customer.next_action_on, customer.overdue) == ("张伟", dt.date(2026, 11, 30), False)
    insurer = every[2]
    assert (insurer.amount, insurer.paid, insurer.written_off, insurer.open_amount) == (
        D("1200.00"), D("250.00"), D("200.00"), D("750.00"))
    assert insurer.overdue and insurer.note.endswith("called the assessor") and insurer.order_id == orders["A"]

    assert [i.receivable_id for i in receivables.items(svc, cash, payer_kind="maker")] == [r["r1"], r["r2"], r["r3"]]
    assert [i.receivable_id for i in receivables.items(svc, cash, bucket="0-30")] == [r["r5"], r["r3"]]
    assert [i.receivable_id for i in receivables.items(svc, cash, payer_kind=PayerKind.MAKER, bucket="90+")] == [r["r1"]]
    assert [i.receivable_id for i in receivables.items(svc, cash, overdue_only=True)] == [r["r4"], r["r5"]]
    assert len(receivables.items(svc, cash, limit=2)) == 2
    # Read later, the ages move on: on 12-31 r5 is 60 days old, still 31-60; r2 91 days, 90+.
    later = {i.receivable_id: i.bucket for i in receivables.items(svc, cash, on=dt.date(2026, 12, 31))}
    assert (later[r["r5"]], later[r["r2"]]) == ("31-60", "90+")
    with pytest.raises(ValidationError):
        receivables.items(svc, cash, bucket="91-120")


def test_another_store_and_other_roles_see_nothing(store) -> None:  # type: ignore[no-untyped-def]
    svc, actors, _orders, _r = store
    with pytest.raises(PermissionDenied):
        receivables.summary(svc, actors[Role.ADVISOR])
    with svc.db.session() as s, s.begin():
        other = Store(code="SZ01", name="深圳店")
        s.add(other)
        s.flush()
        other_id = other.id
    elsewhere = replace(actors[Role.MANAGER], store_id=other_id)
    data = receivables.summary(svc, elsewhere)
    assert (data.total, data.overdue, data.unapplied, data.tie.booked) == (D(0), 0, D(0), D(0))
    assert receivables.items(svc, elsewhere) == []


def test_the_workbook_and_the_command_line(store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    svc, actors, _orders, _r = store
    path = receivables.export_receivables(svc, actors[Role.CASHIER], tmp_path / "out" / "ar.xlsx").path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    book = load_workbook(path)
    summary_sheet, items_sheet = book.worksheets
    rows = [[c.value for c in row] for row in summary_sheet.iter_rows()]
    assert rows[3][:6] == ["Accounts", 800, 0, 0, 0, 800]
    assert rows[7][0] == "Total" and rows[7][5] == 4115
    assert ["Collection follow-ups due", 2] in [r[:2] for r in rows]
    assert items_sheet.max_row == 7  # the headings and six open receivables
    payer = next(row[3] for row in items_sheet.iter_rows() if row[2].value == "Accounts")
    assert payer.value.startswith("=HYPERLINK") and payer.data_type == "s"  # shown, never run
    with pytest.raises(ValidationError):
        receivables.export_receivables(svc, actors[Role.CASHIER], tmp_path / "ar.csv")

    if not svc.db.is_sqlite:
        return
    from frontdesk.cli import main

    url = svc.db.engine.url.render_as_string(hide_password=False)
    assert main(["receivables", "--db", url, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Insurers" in out and "¥750.00" in out and "¥4,115.00" in out and "Collection follow-ups due:" in out  # today's
    assert main(["receivables", "--db", url, "--lang", "en", "--out", str(tmp_path / "cli.xlsx")]) == 0
    assert (tmp_path / "cli.xlsx").exists()
    assert main(["receivables", "--db", url, "--out", str(tmp_path / "cli.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("frontdesk: ") and err.count("\n") == 1
