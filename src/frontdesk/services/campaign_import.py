"""``frontdesk import campaigns FILE``: the maker's recall / service-campaign list, all or nothing.

The file is one row per VIN and job (CSV UTF-8/GBK or XLSX, read by ``imports.open_sheet``
within its limits), with English or Chinese headers (:data:`FIELDS`). What a row may do:

- a malformed VIN (not 17 VIN characters, or a check digit that does not verify: a maker's
  list comes from the maker's system, so a wrong check digit is a typing slip) or a row that
  repeats an earlier one is *listed with its reason and left out* — the maker's list cannot
  be fixed at the desk, and the rest of it must still reach the cars;
- everything that would make the campaign itself wrong refuses the whole file, each problem
  naming its row: an unknown labour code or part number (the work could not be added at the
  desk), a kind other than recall/service, an unreadable date or quantity, a campaign whose
  title, kind or dates differ between its rows, a missing code/title/VIN/labour code.

A VIN the store has never seen is kept (the car may come later; ``vehicle_id`` is filled
for the cars it knows). The import is keyed by campaign code, VIN and job: importing the
same file again finds nothing new, and a later list for the same campaign adds its new cars
and jobs (nothing is ever taken off: a car's outcome stays). Each campaign is reported with
its cars, its jobs and whether it is new, changed or unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.i18n import ngettext
from frontdesk.model import (
    Campaign,
    CampaignJob,
    CampaignVehicle,
    LaborOperation,
    Part,
    Vehicle,
)
from frontdesk.model.campaign import CampaignCarStatus, CampaignKind

from .context import Actor, Services, Tx, require, service
from .errors import ValidationError
from .imports import N_, Field, FileProblem, Rejected, match_columns, open_sheet
from .money import parse_quantity
from .validation import normalise_vin, text_problem

FIELDS: tuple[Field, ...] = (
    Field("code", N_("Campaign code"), ("campaign_code", "campaign code", "campaign", "code", "活动编号", "活动代码",
                                        "召回编号", "活动号"), True),
    Field("title", N_("Campaign title"), ("title", "campaign title", "活动名称", "召回名称", "名称"), True),
    Field("kind", N_("Kind"), ("kind", "type", "campaign type", "类型", "活动类型"), True),
    Field("vin", N_("VIN"), ("vin", "vin code", "车架号", "vin码", "车辆识别代号", "车辆识别号"), True),
    Field("labor_code", N_("Labor code"), ("labor_code", "labour_code", "labor code", "labour code", "工时代码",
                                           "工时编号"), True),
    Field("part_number", N_("Part number"), ("part_number", "part number", "part no", "零件号", "配件号", "配件编号",
                                             "零件编号")),
    Field("qty", N_("Quantity"), ("qty", "quantity", "数量")),
    Field("starts", N_("Starts"), ("starts", "start", "start date", "开始日期", "开始时间")),
    Field("ends", N_("Ends"), ("ends", "end", "end date", "结束日期", "结束时间")),
)
_KINDS = {"recall": CampaignKind.RECALL, "召回": CampaignKind.RECALL,
          "service": CampaignKind.SERVICE, "服务": CampaignKind.SERVICE, "服务活动": CampaignKind.SERVICE,
          "service campaign": CampaignKind.SERVICE}


@dataclass(frozen=True)
class CampaignLine:
    """One campaign of the file, as the import leaves it."""

    code: str
    title: str
    kind: str
    cars: int  # VINs of the file for it
    new_cars: int
    jobs: int  # its jobs after the import
    new_jobs: int
    state: str  # 'new' | 'changed' | 'unchanged'

    def line(self) -> str:
        state = {"new": _("new"), "changed": _("changed"), "unchanged": _("unchanged")}[self.state]
        return _("{code} {title}: {cars} cars ({new} new), {jobs} jobs — {state}").format(
            code=self.code, title=self.title, cars=self.cars, new=self.new_cars, jobs=self.jobs, state=state)


@dataclass(frozen=True)
class CampaignImportReport:
    file: str
    rows: int
    campaigns: tuple[CampaignLine, ...] = ()
    skipped: tuple[Rejected, ...] = ()  # malformed or repeated VIN rows: listed, left out
    errors: tuple[str, ...] = ()  # refuse the file: nothing is written
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if len(self.errors) == 1:
            return _("The file cannot be imported: {errors}").format(errors=self.errors[0])
        if self.errors:
            return _("The file cannot be imported: {n} problems; nothing was imported.").format(n=len(self.errors))
        # Each count in its own plural form: "1 campaign", "1 row left out" (a whole-sentence plural cannot hold three).
        rows = ngettext("{n} row", "{n} rows", self.rows).format(n=self.rows)
        found = ngettext("{n} campaign", "{n} campaigns", len(self.campaigns)).format(n=len(self.campaigns))
        n = len(self.skipped)
        if self.committed:
            skipped = ngettext("{n} row left out", "{n} rows left out", n).format(n=n)
            return _("Imported {rows}: {campaigns}, {skipped}.").format(rows=rows, campaigns=found, skipped=skipped)
        skipped = ngettext("{n} row would be left out", "{n} rows would be left out", n).format(n=n)
        return _("{rows}: {campaigns}, {skipped}.").format(rows=rows, campaigns=found, skipped=skipped)


class CampaignImportRefused(ValidationError):
    def __init__(self, report: CampaignImportReport) -> None:
        super().__init__("file", report.errors[0] if report.errors else _("Nothing was imported."))
        self.report = report


@dataclass
class _Wanted:
    title: str
    kind: CampaignKind
    starts: dt.date | None
    ends: dt.date | None
    row: int
    vins: dict[str, int] = field(default_factory=dict)  # vin -> first row
    jobs: dict[tuple[int, int | None], Decimal | None] = field(default_factory=dict)  # (op, part) -> qty


def _date(value: str) -> dt.date:
    text = unicodedata.normalize("NFKC", value).strip().replace("/", "-").replace(".", "-")
    text = text.replace("年", "-").replace("月", "-").replace("日", "")
    return dt.date.fromisoformat(text[:10] if len(text) > 10 else "-".join(p.zfill(2) for p in text.split("-")))


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    return match_columns(FIELDS, header, units=False)


def plan(session: Session, path: Path | str) -> tuple[CampaignImportReport, dict[str, _Wanted]]:
    """Read the file and check every row against the catalog ``session`` sees; no writes."""
    name = Path(path).name
    try:
        sheet = open_sheet(path)
        columns, errors = _columns(sheet.header)
        if errors:
            return CampaignImportReport(name, 0, errors=tuple(errors)), {}
        rows = [(n, {k: (cells[i] if i < len(cells) else "") for k, i in columns.items()}) for n, cells in sheet.rows]
    except FileProblem as exc:
        return CampaignImportReport(name, 0, errors=(str(exc),)), {}
    codes = {unicodedata.normalize("NFKC", v["labor_code"]).strip().upper() for _n, v in rows}
    numbers = {unicodedata.normalize("NFKC", v.get("part_number", "")).strip().upper() for _n, v in rows} - {""}
    ops = dict(session.execute(select(LaborOperation.code, LaborOperation.id)
                               .where(LaborOperation.code.in_(sorted(codes)))).all()) if codes else {}
    parts = dict(session.execute(select(Part.number, Part.id).where(Part.number.in_(sorted(numbers)))).all()) \
        if numbers else {}
    errors = []
    skipped: list[Rejected] = []
    wanted: dict[str, _Wanted] = {}
    seen: dict[tuple[str, str, int, int | None], int] = {}
    for row, v in rows:
        where = _("Row {row}").format(row=row)
        problems = [f"{where}: {p}" for p in {text_problem(x) for x in v.values()} if p]
        code = unicodedata.normalize("NFKC", v["code"]).strip().upper()
        title = v["title"].strip()
        if not code or len(code) > 40:
            problems.append(_("{row}: the campaign code is missing or longer than 40 characters.").format(row=where))
        if not title or len(title) > 200:
            problems.append(_("{row}: the campaign title is missing or longer than 200 characters.").format(row=where))
        kind = _KINDS.get(unicodedata.normalize("NFKC", v["kind"]).strip().lower())
        if kind is None:
            problems.append(_("{row}: kind \"{kind}\" is neither recall (召回) nor service (服务).").format(
                row=where, kind=v["kind"]))
        labor = unicodedata.normalize("NFKC", v["labor_code"]).strip().upper()
        op_id = ops.get(labor)
        if op_id is None:
            problems.append(_("{row}: unknown labor code \"{code}\": import the labor-time table first.").format(
                row=where, code=labor) if labor else _("{row}: the labor code is missing.").format(row=where))
        number = unicodedata.normalize("NFKC", v.get("part_number", "")).strip().upper()
        part_id = parts.get(number) if number else None
        if number and part_id is None:
            problems.append(_("{row}: unknown part number \"{number}\": import the price list first.").format(
                row=where, number=number))
        qty: Decimal | None = None
        if v.get("qty"):
            try:
                qty = parse_quantity(v["qty"])
            except ValidationError as exc:
                problems.append(f"{where}: {_('Quantity')}: {exc.message}")
        dates: list[dt.date | None] = []
        for key in ("starts", "ends"):
            try:
                dates.append(_date(v[key]) if v.get(key) else None)
            except ValueError:
                problems.append(_("{row}: \"{value}\" is not a date (YYYY-MM-DD).").format(row=where, value=v[key]))
                dates.append(None)
        starts, ends = dates
        if starts and ends and ends < starts:
            problems.append(_("{row}: the campaign ends before it starts.").format(row=where))
        if problems:
            errors.extend(problems)
            continue
        assert kind is not None and op_id is not None
        campaign = wanted.get(code)
        if campaign is None:
            campaign = wanted[code] = _Wanted(title, kind, starts, ends, row)
        elif (campaign.title, campaign.kind, campaign.starts, campaign.ends) != (title, kind, starts, ends):
            errors.append(_("{row}: campaign {code}'s title, kind or dates differ from row {first}.").format(
                row=where, code=code, first=campaign.row))
            continue
        try:
            check = normalise_vin(v["vin"])
        except ValidationError as exc:
            skipped.append(Rejected(row, v["vin"], exc.message))
            continue
        if not check.check_digit_ok:
            skipped.append(Rejected(row, check.vin, _("The check digit (9th character) should be {digit}: "
                                                      "the VIN is mistyped.").format(digit=check.expected)))
            continue
        key = (code, check.vin, op_id, part_id)
        if key in seen:
            skipped.append(Rejected(row, check.vin, _("Repeats row {row} (same campaign, VIN and job).").format(
                row=seen[key])))
            continue
        seen[key] = row
        campaign.vins.setdefault(check.vin, row)
        if (op_id, part_id) not in campaign.jobs or qty is not None:
            campaign.jobs[(op_id, part_id)] = qty
    if errors:
        return CampaignImportReport(name, len(rows), skipped=tuple(skipped), errors=tuple(errors)), {}
    wanted = {code: w for code, w in wanted.items() if w.vins}  # every row left out: no empty campaign is made
    lines = _compare(session, wanted)
    return CampaignImportReport(name, len(rows), tuple(lines), tuple(skipped)), wanted


def _existing_vins(session: Session, campaign_id: int) -> set[str]:
    return set(session.scalars(select(CampaignVehicle.vin).where(CampaignVehicle.campaign_id == campaign_id)))


def _compare(session: Session, wanted: dict[str, _Wanted]) -> list[CampaignLine]:
    lines = []
    for code, w in wanted.items():
        old = session.scalar(select(Campaign).where(Campaign.code == code))
        if old is None:
            lines.append(CampaignLine(code, w.title, w.kind.value, len(w.vins), len(w.vins), len(w.jobs), len(w.jobs),
                                      "new"))
            continue
        have_vins = _existing_vins(session, old.id)
        have_jobs = {(j.labor_op_id, j.part_id): j.qty for j in old.jobs}
        new_vins = len(set(w.vins) - have_vins)
        new_jobs = len(set(w.jobs) - set(have_jobs))
        changed_jobs = any(k in have_jobs and q is not None and q != have_jobs[k] for k, q in w.jobs.items())
        same = (old.title, old.kind, old.starts, old.ends) == (w.title, w.kind, w.starts, w.ends)
        state = "unchanged" if same and not new_vins and not new_jobs and not changed_jobs else "changed"
        lines.append(CampaignLine(code, w.title, w.kind.value, len(w.vins), new_vins, len(set(have_jobs) | set(w.jobs)),
                                  new_jobs, state))
    return lines


def dry_run(services: Services, actor: Actor, path: Path | str) -> CampaignImportReport:
    require(actor, "campaign.import")
    with services.db.reader() as session:
        return plan(session, path)[0]


def import_campaigns(services: Services, actor: Actor, path: Path | str) -> CampaignImportReport:
    """The whole file in one transaction, or nothing (:class:`CampaignImportRefused`)."""
    require(actor, "campaign.import")
    with services.db.reader() as session:  # refused files never take the write lock
        report = plan(session, path)[0]
    if not report.ok:
        raise CampaignImportRefused(report)
    return write_campaigns(services, actor, path)


def _digest(path: Path | str) -> str:
    with open(Path(path).expanduser(), "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@service("campaign.import")
def write_campaigns(tx: Tx, path: Path | str) -> CampaignImportReport:
    report, wanted = plan(tx.session, path)  # again, under the lock: what it writes is what it checked
    if not report.ok:
        raise CampaignImportRefused(report)
    for code, w in wanted.items():
        campaign = tx.session.scalar(select(Campaign).where(Campaign.code == code))
        if campaign is None:
            campaign = Campaign(code=code, title=w.title, kind=w.kind, starts=w.starts, ends=w.ends,
                                imported_at=tx.now)
            tx.session.add(campaign)
            tx.session.flush()
        elif (campaign.title, campaign.kind, campaign.starts, campaign.ends) != (w.title, w.kind, w.starts, w.ends):
            campaign.title, campaign.kind, campaign.starts, campaign.ends = w.title, w.kind, w.starts, w.ends
            campaign.imported_at = tx.now
        have = {(j.labor_op_id, j.part_id): j for j in campaign.jobs}
        seq = max((j.seq for j in campaign.jobs), default=0)
        for (op_id, part_id), qty in w.jobs.items():
            job = have.get((op_id, part_id))
            if job is None:
                seq += 1
                campaign.jobs.append(CampaignJob(seq=seq, labor_op_id=op_id, part_id=part_id, qty=qty))
            elif qty is not None and job.qty != qty:
                job.qty = qty
        new = sorted(set(w.vins) - _existing_vins(tx.session, campaign.id))
        known: dict[str, int] = {}
        for start in range(0, len(new), 500):
            known.update(tx.session.execute(select(Vehicle.vin, Vehicle.id)
                                            .where(Vehicle.vin.in_(new[start:start + 500]))).all())
        if new:
            tx.session.execute(insert(CampaignVehicle.__table__), [
                {"campaign_id": campaign.id, "vin": vin, "vehicle_id": known.get(vin),
                 "status": CampaignCarStatus.OPEN.value, "reason": "", "version": 1} for vin in new])
    done = CampaignImportReport(report.file, report.rows, report.campaigns, report.skipped, committed=True)
    tx.audit("campaign_import", None, after={
        "file": report.file, "sha256": _digest(path), "rows": report.rows, "skipped": len(report.skipped),
        "campaigns": {c.code: {"cars": c.cars, "new_cars": c.new_cars, "jobs": c.jobs, "state": c.state}
                      for c in report.campaigns}})
    return done


__all__ = ["FIELDS", "CampaignImportRefused", "CampaignImportReport", "CampaignLine", "dry_run", "import_campaigns",
           "plan", "write_campaigns"]
