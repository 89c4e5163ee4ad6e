"""Printing from the database: `frontdesk print` on real orders, in both languages."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from frontdesk.cli import main
from frontdesk.model.enums import Role

from .factories import customer_and_vehicle, order_through, seed_shop


@pytest.fixture
def closed(services, admin, actors):
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    return order_through(services, actors, shop, vehicle_id)


def _text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def _print(services, kind, number, out, lang):
    url = services.db.engine.url.render_as_string(hide_password=False)
    return main(["print", kind, number, "--out", str(out), "--db", url, "--lang", lang])


# oil change 1.0 h x 180 + filter 58 + 4 L x 98 = 630 customer; pads 1.5 h x 150 + 680 = 905 warranty
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_document_prints_with_the_orders_figures(services, closed, tmp_path, capsys, lang):
    expected = {
        "work-order": [closed.number, "粤A12345", "更换机油机滤", "630.00", "905.00", "1,535.00", "张伟"],
        "checkin-sheet": [closed.number, "粤A12345", "行车记录仪", "张伟"],
        "settlement": [closed.number, "粤A12345", "630.00", "905.00", "700.00", "70.00", "WC-778899", "故障诊断"],
        "gate-pass": [closed.number, "粤A12345", "朗逸"],
    }
    for kind, needles in expected.items():
        assert _print(services, kind, closed.number, tmp_path, lang) == 0
        path = capsys.readouterr().out.strip().splitlines()[0]
        assert path.endswith(".pdf") and kind in path
        text = _text(path)
        for needle in needles:
            assert needle in text, (kind, lang, needle)


def test_gate_pass_refused_for_an_unpaid_order(services, admin, actors, tmp_path, capsys):
    shop = seed_shop(services, admin, actors)
    _, vehicle_id = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle_id, stop="delivered")
    assert _print(services, "gate-pass", order.number, tmp_path, "en") == 1
    assert "not paid" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))


def test_unknown_order_number_is_a_clear_error(services, tmp_path, capsys):
    assert _print(services, "work-order", "GZ01-20200101-9999", tmp_path, "en") == 1
    assert "No repair order numbered" in capsys.readouterr().err


def test_printer_is_sent_the_file_with_lp(services, closed, tmp_path, capsys, monkeypatch):
    """With a printer named, the PDF goes to `lp -d NAME -o media=A5` (gate pass) — a stand-in lp records it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "lp.log"
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho "request id is desk-1 (1 file(s))"\n')
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    url = services.db.engine.url.render_as_string(hide_password=False)
    assert main(["print", "gate-pass", closed.number, "--out", str(tmp_path), "--printer", "desk", "--db", url, "--lang", "en"]) == 0
    args = log.read_text()
    assert "-d desk" in args and "media=A5" in args and "gate-pass" in args


def test_missing_lp_is_a_clear_message_and_the_pdf_is_kept(services, closed, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp anywhere
    url = services.db.engine.url.render_as_string(hide_password=False)
    assert main(["print", "work-order", closed.number, "--out", str(tmp_path), "--printer", "desk", "--db", url, "--lang", "en"]) == 1
    out = capsys.readouterr()
    assert "lp" in out.err and out.out.strip().endswith("work-order-en.pdf")
    assert list(tmp_path.glob("*work-order-en.pdf"))


def test_work_order_is_read_in_four_queries(services, closed):
    """The order with its people and car, its jobs, its part lines, the technicians' names —
    however many lines it has (no query per job, no part orders)."""
    from sqlalchemy import event

    from frontdesk.services import documents

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", seen)
    try:
        doc = documents.build(services, "work-order", order_number=closed.number)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", seen)
    assert [line.kind for line in doc.lines].count("part") >= 2
    assert len(statements) <= 4, statements
    assert not any("part_order" in s for s in statements)
