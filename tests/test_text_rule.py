"""The text rule (issue 15, item 4): control characters and bidi controls are refused at the service
boundary and in imports, with the field named, and stored ones are shown escaped on the terminal.

Before the rule an ESC in a name broke every XLSX export, a NUL passed the import's dry run and
then crashed PostgreSQL's write, and ``users list`` printed raw escape sequences.
"""

from __future__ import annotations

import csv
import timeit
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from frontdesk.cli import main
from frontdesk.model import Customer, Part, User
from frontdesk.model.enums import Role
from frontdesk.services import catalog, checkin, imports, text_rule
from frontdesk.services.errors import ValidationError
from frontdesk.services.validation import BIDI_CONTROLS, check_text, shown, text_problem

from .factories import customer_and_vehicle

# Every class of payload the issue names: NUL, ESC, BEL, an OSC sequence (set the terminal's
# title), a C1 CSI, a right-to-left override and a left-to-right isolate.
PAYLOADS = ["\x00", "\x1b", "\x07", "\x1b]0;title\x07", "\x9b", "\u202e", "\u2066"]


def refused(ch: str, multiline: bool) -> bool:
    """An independent statement of the rule, from the Unicode database."""
    if multiline and ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p) for p in PAYLOADS])
def test_every_payload_is_refused_in_a_one_line_field_with_the_field_named(services, actors, payload):
    advisor = actors[Role.ADVISOR]
    with pytest.raises(ValidationError) as caught:
        check_text("name", f"张{payload}三")
    assert caught.value.field == "name" and "U+" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        checkin.save_customer(services, advisor, checkin.CustomerInput(f"张{payload}三", "13812345678"))
    assert caught.value.field == "name"  # the dataclass field: the form field a screen marks
    with pytest.raises(ValidationError) as caught:  # in a multi-line field too: only newline and tab are allowed there
        checkin.save_customer(services, advisor, checkin.CustomerInput("张三", "13812345678", notes=f"a{payload}b"))
    assert caught.value.field == "notes"
    with pytest.raises(ValidationError) as caught:  # a plain parameter is named by its name
        catalog.adjust_stock(services, actors[Role.MANAGER], 1, 1, f"count{payload}")
    assert caught.value.field == "reason"
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0


def test_newline_is_for_multi_line_fields_only(services, actors):
    advisor = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput(
        "张三", "13812345678", notes="周二来电\n要求周末取车\r\n\t可以电话联系"))
    with services.db.reader() as s:
        assert s.get(Customer, customer.id).notes == "周二来电\n要求周末取车\r\n\t可以电话联系"
    for name in ("张\n三", "张\r三", "张\t三", "张\u2028三"):
        with pytest.raises(ValidationError) as caught:
            checkin.save_customer(services, advisor, checkin.CustomerInput(name, "13912345678"))
        assert caught.value.field == "name"
    with pytest.raises(ValidationError, match="line break"):
        check_text("name", "张\n三")
    with pytest.raises(ValidationError):  # a lone CR rewrites a terminal line, even in notes
        check_text("notes", "a\rb", multiline=True)
    # The check-in concerns are the multi-line area on screen.
    _c, vehicle = customer_and_vehicle(services, advisor, plate="粤B54321")
    order = checkin.check_in(services, advisor, checkin.CheckInInput(vehicle, 12000, 4, "刹车异响\n空调不凉"))
    with pytest.raises(ValidationError) as caught:
        checkin.update_concerns(services, advisor, order.id, "刹车\x1b[2J异响")
    assert caught.value.field == "concerns"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from([*BIDI_CONTROLS, "\x9b", "\x85", "\u2028"]),
               max_size=20), st.booleans())
@example("\ud800", False)
def test_the_rule_is_exactly_controls_and_bidi_controls(value, multiline):
    bad = [ch for ch in value if refused(ch, multiline)]
    if multiline:  # CR is allowed only as the first half of CRLF
        bad = [ch for i, ch in enumerate(value) if refused(ch, True) and not (ch == "\r" and value[i + 1:i + 2] == "\n")]
    problem = text_problem(value, multiline)
    assert (problem is None) == (not bad), (value, problem)
    if problem is None:
        assert check_text("f", value, multiline) is value
    shown_value = shown(value)
    assert not any(refused(ch, False) for ch in shown_value)  # the display escape leaves none behind


def test_arguments_are_walked_through_dicts_lists_and_dataclasses():
    def service(tx, order_id: int, data, extra: dict[str, str], items: list[str], password: str) -> None: ...

    ok = checkin.CustomerInput("张三", "138", notes="a\nb")
    text_rule.check_arguments(service, "x", (1, ok, {"k": "v"}, ["a"]), {"password": "\x00 hashed, never stored"})
    for args, field in [((1, checkin.CustomerInput("张\x1b三", "138"), {}, []), "name"),
                        ((1, ok, {"k\u202e": "v"}, []), "extra"), ((1, ok, {"k": "v\x07"}, []), "extra"),
                        ((1, ok, {}, ["a", "b\x00"]), "items"), ((Path("/tmp/x\x1by"), ok, {}, []), "order_id")]:
        with pytest.raises(ValidationError) as caught:
            text_rule.check_arguments(service, "x", args, {})
        assert caught.value.field == field
    with pytest.raises(ValidationError) as caught:
        text_rule.check_arguments(service, "x", (), {"items": ("ok", "\x9b")})
    assert caught.value.field == "items"


def test_the_check_costs_microseconds_per_call():
    """Printed for the report: what the walk adds to a service call such as adding an estimate line."""
    from frontdesk.services.estimate import add_job

    fn = add_job.__wrapped__
    args = (17,)
    kwargs = {"labor_op_id": 3, "description": "更换机油机滤", "hours": "0.5", "pay_type": "customer",
              "expected_version": 4}
    n = 20_000
    per_call = timeit.timeit(lambda: text_rule.check_arguments(fn, "estimate.add_job", args, kwargs), number=n) / n
    print(f"\ntext rule on add_job's arguments: {per_call * 1e6:.2f} µs per call")
    assert per_call < 1e-3  # generous: a millisecond would be a bug, not a slow machine


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


@pytest.mark.parametrize("cell", ["机油\x00滤清器", "机油\x1b[31m滤清器", "\u202e器清滤油机"])
def test_an_import_refuses_in_its_dry_run_what_its_commit_would(services, actors, tmp_path, cell):
    admin = actors[Role.ADMIN]
    path = write_csv(tmp_path / "parts.csv", ["配件编号", "配件名称", "单价"],
                     [["P-1", "空气滤清器", "30.00"], ["P-2", cell, "12.50"]])
    report = imports.dry_run(services, admin, "parts", path)
    assert len(report.added) == 1 and not report.ok
    (rejected,) = report.rejected
    assert rejected.row == 3 and rejected.reason.startswith("Part name: ") and "U+" in rejected.reason
    with pytest.raises(imports.ImportRejected) as caught:  # on PostgreSQL a NUL crashed the write here
        imports.import_catalog(services, admin, "parts", path)
    assert caught.value.report.rejected == report.rejected
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Part)) == 0


def test_users_list_shows_stored_escapes_instead_of_sending_them_to_the_terminal(database, services, admin, capsys):
    from frontdesk.services import auth

    auth.add_user(services, admin, "wangfang", "王芳", Role.ADVISOR, "first-pass-1")
    with database.session() as s, s.begin():  # a row stored before the rule
        s.execute(update(User).where(User.username == "wangfang")
                  .values(display_name="王芳\x1b]0;owned\x07\x1b[2J\u202e\x9b"))
    url = database.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert main(["users", "list", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "wangfang" in out and "王芳" in out
    assert not any(refused(ch, False) for line in out.splitlines() for ch in line)
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202e\\x9b" in out
