"""Recall and service campaigns (issue 20, item 3): the maker's list, the flag, the work, the outcome."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, CampaignVehicle, Job, PartLine
from frontdesk.model.enums import JobStatus, PayType, Role
from frontdesk.services import (
    campaign_import,
    campaigns,
    checkin,
    delivery,
    estimate,
    search,
    workshop,
)
from frontdesk.services.errors import ConflictError, PermissionDenied, ValidationError
from frontdesk.services.validation import with_check_digit

from .factories import VIN, customer_and_vehicle, order_through, seed_shop, stored

HEADER = ["campaign_code", "title", "kind", "vin", "labor_code", "part_number", "qty", "starts", "ends"]
LATER_VIN = with_check_digit("LFV2A21K0H3000001")  # a car the store has not seen yet
OTHER_VIN = with_check_digit("LFV2A21K0H3000002")


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def recall_rows(*vins: str) -> list[list[str]]:
    rows = []
    for vin in vins:
        rows.append(["R2026-01", "刹车片召回", "recall", vin, "BR0201", "5Q0698151", "1", "2026-11-01", "2027-06-30"])
        rows.append(["R2026-01", "刹车片召回", "recall", vin, "DG0101", "", "", "2026-11-01", "2027-06-30"])
    return rows


@pytest.fixture
def shop(services, admin, actors):
    return seed_shop(services, admin, actors)


@pytest.fixture
def car(services, actors, shop):
    return customer_and_vehicle(services, actors[Role.ADVISOR])


@pytest.fixture
def imported(services, admin, shop, car, tmp_path):
    path = write_csv(tmp_path / "recall.csv", recall_rows(VIN, LATER_VIN))
    return campaign_import.import_campaigns(services, admin, path)


def test_import_reports_each_campaign_and_keeps_unknown_vins(services, admin, imported):
    assert imported.committed and imported.skipped == ()
    (line,) = imported.campaigns
    assert (line.code, line.kind, line.cars, line.new_cars, line.jobs, line.state) == (
        "R2026-01", "recall", 2, 2, 2, "new")
    assert "R2026-01" in line.line() and "2 cars" in line.line()
    with services.db.reader() as s:
        cars = {cv.vin: cv.vehicle_id for cv in s.scalars(select(CampaignVehicle))}
    assert set(cars) == {VIN, LATER_VIN}
    assert cars[LATER_VIN] is None and cars[VIN] is not None  # the unknown car is kept, by VIN


def test_dry_run_writes_nothing_and_a_second_import_changes_nothing(services, admin, shop, car, tmp_path):
    path = write_csv(tmp_path / "recall.csv", recall_rows(VIN, LATER_VIN))
    dry = campaign_import.dry_run(services, admin, path)
    assert dry.ok and not dry.committed and dry.campaigns[0].state == "new"
    assert campaigns.open_vins(services, [VIN, LATER_VIN]) == set()
    campaign_import.import_campaigns(services, admin, path)
    with services.db.reader() as s:
        before = sorted((cv.id, cv.vin, cv.version) for cv in s.scalars(select(CampaignVehicle)))
    again = campaign_import.import_campaigns(services, admin, path)
    assert again.campaigns[0].state == "unchanged" and again.campaigns[0].new_cars == 0
    with services.db.reader() as s:
        assert sorted((cv.id, cv.vin, cv.version) for cv in s.scalars(select(CampaignVehicle))) == before
    # A later list for the same campaign adds its new car only.
    more = write_csv(tmp_path / "more.csv", recall_rows(VIN, OTHER_VIN))
    added = campaign_import.import_campaigns(services, admin, more)
    assert (added.campaigns[0].state, added.campaigns[0].new_cars) == ("changed", 1)


def test_malformed_and_repeated_vins_are_listed_and_left_out(services, admin, shop, car, tmp_path):
    bad_check = VIN[:8] + ("0" if VIN[8] != "0" else "1") + VIN[9:]
    rows = recall_rows(VIN) + [
        ["R2026-01", "刹车片召回", "recall", "LSVAU0336123", "BR0201", "", "", "2026-11-01", "2027-06-30"],
        ["R2026-01", "刹车片召回", "recall", bad_check, "BR0201", "", "", "2026-11-01", "2027-06-30"],
        recall_rows(VIN)[0],
    ]
    report = campaign_import.import_campaigns(services, admin, write_csv(tmp_path / "bad.csv", rows))
    reasons = {r.row: r.reason for r in report.skipped}
    assert set(reasons) == {4, 5, 6}
    assert "12 characters" in reasons[4]
    assert "check digit" in reasons[5]
    assert "Repeats row 2" in reasons[6]
    assert report.campaigns[0].cars == 1


def test_a_campaign_whose_every_vin_is_left_out_is_not_made(services, admin, actors, shop, car, tmp_path):
    """Every VIN mistyped: the campaign was created with no cars and no jobs ("0 cars (0 new), 0 jobs — new")."""
    bad_check = VIN[:8] + ("0" if VIN[8] != "0" else "1") + VIN[9:]
    rows = [["R2026-09", "空召回", "recall", bad_check, "BR0201", "", "", "2026-11-01", "2027-06-30"]]
    report = campaign_import.import_campaigns(services, admin, write_csv(tmp_path / "none.csv", rows))
    assert (report.campaigns, [r.row for r in report.skipped]) == ((), [2])
    assert not [c for c in campaigns.progress(services, actors[Role.MANAGER]) if c.code == "R2026-09"]


def test_unknown_labour_code_refuses_the_file_naming_the_row(services, admin, shop, car, tmp_path):
    rows = recall_rows(VIN) + [["R2026-01", "刹车片召回", "recall", LATER_VIN, "XX9999", "", "", "2026-11-01",
                                "2027-06-30"]]
    path = write_csv(tmp_path / "unknown.csv", rows)
    with pytest.raises(campaign_import.CampaignImportRefused) as refused:
        campaign_import.import_campaigns(services, admin, path)
    assert "Row 4" in refused.value.message and "XX9999" in refused.value.message
    assert campaigns.open_vins(services, [VIN]) == set()  # nothing written
    unknown_part = recall_rows(VIN)
    unknown_part[0][5] = "NOPE-1"
    report = campaign_import.dry_run(services, admin, write_csv(tmp_path / "part.csv", unknown_part))
    assert not report.ok and "Row 2" in report.errors[0] and "NOPE-1" in report.errors[0]


def test_gbk_csv_with_chinese_headers_and_xlsx(services, admin, shop, car, tmp_path):
    chinese = ["活动编号", "活动名称", "类型", "车架号", "工时代码", "零件号", "数量", "开始日期", "结束日期"]
    rows = [["S2026-07", "免费检测活动", "服务", VIN, "DG0101", "", "", "2026/11/01", ""]]
    report = campaign_import.import_campaigns(services, admin, write_csv(tmp_path / "gbk.csv", rows, chinese, "gbk"))
    assert report.campaigns[0].kind == "service" and report.campaigns[0].title == "免费检测活动"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["R2026-09", "Airbag recall", "召回", LATER_VIN, "BR0201", "5Q0698151", 2, dt.date(2026, 11, 1), None])
    book.save(tmp_path / "list.xlsx")
    report = campaign_import.import_campaigns(services, admin, tmp_path / "list.xlsx")
    assert (report.campaigns[0].code, report.campaigns[0].kind, report.campaigns[0].cars) == ("R2026-09", "recall", 1)


def test_open_vins_and_the_search_flag(services, admin, actors, imported):
    assert campaigns.open_vins(services, [VIN, LATER_VIN, OTHER_VIN]) == {VIN, LATER_VIN}
    hits = search.search(services, "粤A12345")
    assert hits and hits[0].campaign is True


def test_a_campaign_found_for_a_car_that_came_later(services, actors, shop, imported):
    assert campaigns.open_for_vehicle(services, vin=LATER_VIN)[0].code == "R2026-01"
    _cid, vid = customer_and_vehicle(services, actors[Role.ADVISOR], plate="粤B54321", vin=LATER_VIN)
    flags = campaigns.open_for_vehicle(services, vehicle_id=vid)
    assert [(f.code, f.kind) for f in flags] == [("R2026-01", "recall")]
    assert campaigns.open_for_vehicle(services, vehicle_id=None, vin=None) == []


def _campaign_order(services, actors, shop, vehicle_id):
    order = order_through(services, actors, shop, vehicle_id, stop="estimate")
    (flag,) = campaigns.open_for_vehicle(services, vehicle_id=vehicle_id)
    return order, flag


def test_add_to_order_at_the_makers_pay_type_and_only_once(services, actors, shop, car, imported):
    adv = actors[Role.ADVISOR]
    order, flag = _campaign_order(services, actors, shop, car[1])
    job = campaigns.add_to_order(services, adv, order.id, flag.campaign_vehicle_id)
    assert job.description.startswith("R2026-01")
    with services.db.reader() as s:
        jobs = s.scalars(select(Job).where(Job.order_id == order.id, Job.description.like("R2026-01%"))).all()
        assert sorted(j.code for j in jobs) == ["BR0201", "DG0101"]
        assert {j.pay_type for j in jobs} == {PayType.WARRANTY}
        parts = s.scalars(select(PartLine).where(PartLine.job_id.in_([j.id for j in jobs]))).all()
        assert [(p.number, p.pay_type, p.qty) for p in parts] == [("5Q0698151", PayType.WARRANTY, Decimal("1.00"))]
        assert stored(services, CampaignVehicle, flag.campaign_vehicle_id).order_id == order.id
    with pytest.raises(ConflictError, match="already on order"):
        campaigns.add_to_order(services, adv, order.id, flag.campaign_vehicle_id)
    with pytest.raises(PermissionDenied):
        campaigns.add_to_order(services, actors[Role.CASHIER], order.id, flag.campaign_vehicle_id)


def test_done_here_when_the_order_is_delivered(services, actors, shop, car, imported):
    adv = actors[Role.ADVISOR]
    order, flag = _campaign_order(services, actors, shop, car[1])
    campaigns.add_to_order(services, adv, order.id, flag.campaign_vehicle_id)
    estimate.set_terms(services, adv, order.id, payment_method="wechat", old_parts="take", wash=False,
                       promised_at=services.clock() + dt.timedelta(hours=4))
    estimate.authorise(services, adv, order.id, "张伟")
    sup, tech, lead, qc = (actors[r] for r in (Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC))
    with services.db.reader() as s:
        job_ids = [j.id for j in s.scalars(select(Job).where(Job.order_id == order.id,
                                                             Job.status == JobStatus.APPROVED))]
    workshop.dispatch(services, sup, order.id, dict.fromkeys(job_ids, shop.tech_a))
    for job_id in job_ids:
        workshop.start_job(services, tech, job_id)
        workshop.finish_job(services, tech, job_id, unissued_reason="not_needed")
        workshop.self_check(services, tech, job_id)
        workshop.leader_check(services, lead, job_id)
        workshop.final_qc(services, qc, job_id, passed=True)
    assert campaigns.open_vins(services, [VIN]) == {VIN}  # still open until the car leaves with it done
    delivery.tick_internal(services, qc, order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order.id)
    done = stored(services, CampaignVehicle, flag.campaign_vehicle_id)
    assert done.status == "done_here" and done.order_id == order.id
    assert campaigns.open_vins(services, [VIN]) == set()
    (row,) = campaigns.progress(services, adv)
    assert (row.listed, row.done, row.open, row.in_house) == (2, 1, 1, 0)


def test_cancelling_the_order_reopens_the_campaign(services, actors, shop, car, imported):
    adv = actors[Role.ADVISOR]
    order, flag = _campaign_order(services, actors, shop, car[1])
    campaigns.add_to_order(services, adv, order.id, flag.campaign_vehicle_id)
    (row,) = campaigns.progress(services, adv)
    assert row.in_house == 1
    estimate.cancel_order(services, adv, order.id, "客户改期")
    assert stored(services, CampaignVehicle, flag.campaign_vehicle_id).order_id is None
    assert campaigns.open_for_vehicle(services, vehicle_id=car[1])[0].order_id is None


def test_close_needs_a_reason_when_not_applicable(services, actors, imported):
    adv = actors[Role.ADVISOR]
    flag = campaigns.open_for_vehicle(services, vin=LATER_VIN)[0]
    with pytest.raises(ValidationError):
        campaigns.close(services, adv, flag.campaign_vehicle_id, "not_applicable", "")
    with pytest.raises(ValidationError):
        campaigns.close(services, adv, flag.campaign_vehicle_id, "done_here", "x")
    campaigns.close(services, adv, flag.campaign_vehicle_id, "not_applicable", "车辆已报废")
    car = stored(services, CampaignVehicle, flag.campaign_vehicle_id)
    assert (car.status, car.reason) == ("not_applicable", "车辆已报废")
    with pytest.raises(ValidationError, match="already closed"):
        campaigns.close(services, adv, flag.campaign_vehicle_id, "done_elsewhere")
    mine = campaigns.open_for_vehicle(services, vin=VIN)[0]
    campaigns.close(services, adv, mine.campaign_vehicle_id, "done_elsewhere")
    (row,) = campaigns.progress(services, adv)
    assert (row.listed, row.done, row.done_elsewhere, row.not_applicable, row.open) == (2, 0, 1, 1, 0)
    assert row.completion == Decimal("1.000")


def test_call_list_and_its_export_are_formula_safe_private_and_audited(services, actors, shop, imported, tmp_path):
    adv = actors[Role.ADVISOR]
    cust = checkin.save_customer(services, adv, checkin.CustomerInput("=HYPERLINK(\"x\")", "13700137000"))
    checkin.save_vehicle(services, adv, cust.id, checkin.VehicleInput(plate="粤B54321", vin=LATER_VIN, make="大众",
                                                                       model="朗逸"))
    campaign_id = campaigns.progress(services, adv)[0].campaign_id
    rows = campaigns.call_list(services, adv, campaign_id)
    assert sorted(r.plate for r in rows) == ["粤A12345", "粤B54321"]
    out = campaigns.export_call_list(services, adv, campaign_id, tmp_path / "calls.csv")
    assert out.rows == 2
    assert stat.S_IMODE(os.stat(out.path).st_mode) == 0o600
    text = out.path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    with services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.export")).one()
        assert event.after["rows"] == 2
    with pytest.raises(PermissionDenied):
        campaigns.call_list(services, actors[Role.CASHIER], campaign_id)


def test_booked_or_in_house_cars_are_not_on_the_call_list(services, actors, shop, car, imported):
    adv = actors[Role.ADVISOR]
    order_through(services, actors, shop, car[1], stop="estimate")
    campaign_id = campaigns.progress(services, adv)[0].campaign_id
    assert campaigns.call_list(services, adv, campaign_id) == []  # the other car is unknown: no one to call


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_command_line_prints_a_line_per_campaign(services, admin, shop, car, tmp_path, capsys):
    from frontdesk.cli import main

    url = services.db.engine.url.render_as_string(hide_password=False)
    path = write_csv(tmp_path / "recall.csv", recall_rows(VIN, LATER_VIN))
    assert main(["--db", url, "--lang", "en", "import", "campaigns", str(path), "--dry-run"]) == 0
    assert "R2026-01 刹车片召回: 2 cars (2 new), 2 jobs — new" in capsys.readouterr().out
    assert main(["--db", url, "--lang", "en", "import", "campaigns", str(path)]) == 0
    assert "Imported 4 rows: 1 campaign, 0 rows left out." in capsys.readouterr().out  # not "1 campaigns"
    assert main(["--db", url, "--lang", "en", "import", "campaigns", str(path)]) == 0
    assert "2 cars (0 new), 2 jobs — unchanged" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [["R2026-02", "x", "recall", VIN, "ZZ01", "", "", "", ""]])
    assert main(["--db", url, "--lang", "en", "import", "campaigns", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "Row 2: unknown labor code \"ZZ01\"" in captured.out and "Nothing was imported." in captured.err


def test_report_figures_campaign_completion(services, actors, imported):
    from frontdesk.services import exports, reports

    adv, manager = actors[Role.ADVISOR], actors[Role.MANAGER]
    flag = campaigns.open_for_vehicle(services, vin=LATER_VIN)[0]
    campaigns.close(services, adv, flag.campaign_vehicle_id, "done_elsewhere", "4S店B")
    day = services.clock().date()
    report = reports.report(services, manager, day, day)
    assert report.campaigns == campaigns.CampaignFigures(done_here=0, closed_other=1, listed=2, open=1)
    text = exports.text_report(report)
    assert "Campaign completion %" in text and "50.0" in text
    assert "50.000" not in text  # one decimal, as every percent of the report (was 4.300 on the demo)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_demo_has_a_recall_and_a_service_campaign(services, clock):
    from frontdesk.services import demo
    from frontdesk.services.auth import login

    demo.generate(services, days=3, progress=False, today=clock.now.replace(hour=11))
    advisor = login(services, "advisor", "demo1234")
    rows = campaigns.progress(services, advisor)
    assert sorted(r.kind for r in rows) == ["recall", "service"]
    assert all(r.listed > 10 for r in rows) and sum(r.in_house for r in rows) >= 3, rows
    assert sum(r.done_elsewhere + r.not_applicable for r in rows) == 3
