"""Service packages (保养套餐): found like catalog items, proposed when due, added as one change.

A routine service used to be three searches at the desk (the labour, the oil, the filter);
a package (model/package.py) is one choice that adds them all as ordinary jobs and part
lines — each still editable, reserved and totalled exactly as ``estimate.add_job`` and
``estimate.add_part`` would, because it goes through the same helpers.

Which package is *due* for a car is read from its own history rather than stored: a
package is covered by the car's last visit that did all of its labour (or that added the
package itself), so a 20 000 km service covers the 10 000 km one, and the oil changes a
store did before packages existed count too. Of the packages due by mileage or by months,
the one with the largest interval wins — at 20 000 km the 20 000 km service, not the
10 000 km one it includes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from frontdesk.config import Settings
from frontdesk.dbapi import escape_like
from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Job,
    LaborOperation,
    PackageLine,
    Part,
    RepairOrder,
    ServicePackage,
    Vehicle,
)
from frontdesk.model.enums import JobOrigin, JobStatus, OrderStatus, PayType

from . import billing, catalog_use
from .catalog import initials
from .common import get, load_order, text
from .context import Actor, Services, Tx, service
from .errors import NotFound, ValidationError
from .estimate import _job_fields, _part_fields, _start_estimate, new_job, new_part_line
from .money import ZERO, labor_amount, line_amount, parse_hours, parse_quantity
from .payloads import jsonable
from .refs import JobRef, Saved

LABOUR, PART = "labour", "part"
# A package is due from the last tenth of its mileage interval on: a car in at 9 400 km is
# in for its 10 000 km service.
EARLY_FRACTION = Decimal("0.1")
MAX_INTERVAL_KM = 1_000_000
MAX_INTERVAL_MONTHS = 240
_MODEL_SPLIT = re.compile(r"\s*[,，、;；]\s*")


# What the screens see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageLineView:
    kind: str  # "labour" | "part"
    item_id: int  # the labour operation's or the part's id
    code: str  # labour code / part number
    name: str
    qty: Decimal  # hours (the operation's standard hours when the package gives none) / quantity
    unit: str  # "h" for labour, the part's unit
    price: Decimal  # at the store's customer labour rate / the part's list price


@dataclass(frozen=True)
class PackageHit:
    id: int
    code: str
    name: str
    name_en: str
    make: str  # "" = every make
    models: str  # comma list, "" = every model
    interval_km: int | None
    interval_months: int | None
    lines: tuple[PackageLineView, ...]
    price: Decimal  # labour at the default rate plus the parts
    first_service: bool = False
    active: bool = True
    fit: int = 3  # 0 this model, 1 this make, 2 every make, 3 another car (find_packages sorts by it)


@dataclass(frozen=True)
class PackageDue:
    package: PackageHit
    reason: str  # why it is due, as the estimate says it: "上次保养 10 200 km，已行驶 9 850 km"


@dataclass(frozen=True)
class PackageInput:
    """A package as the administrator (or an import, or the demo's schedule) gives it.

    ``lines``: (labour code or part number, qty) — a labour code is looked up first; qty is
    the hours for labour (None or 0: the operation's standard hours) and the quantity for a
    part (None: one). A line may name its kind first, ("part", number, qty), where a code
    could be both (the administrator's form does).
    """

    code: str
    name: str
    name_en: str = ""
    make: str = ""
    models: str = ""
    interval_km: int | None = None
    interval_months: int | None = None
    lines: tuple[tuple[str, Decimal | str | None] | tuple[str, str, Decimal | str | None], ...] = ()
    first_service: bool = False


def km(value: int) -> str:
    """Kilometres grouped by thousands as the desk reads them: 10 200."""
    return f"{value:,}".replace(",", " ")


def model_list(models: str) -> tuple[str, ...]:
    return tuple(m for m in _MODEL_SPLIT.split(models.strip()) if m)


def fit(package_make: str, package_models: str, make: str | None, model: str | None) -> int:
    """How closely a package fits a car: 0 its model named, 1 its make (all models), 2 every make (or no car
    named), 3 not this car."""
    if make is None:  # no car named: every package fits as well as any other
        return 2
    if package_make and package_make.strip().casefold() != make.strip().casefold():
        return 3
    named = model_list(package_models)
    if named:
        wanted = (model or "").strip().casefold()
        return 0 if any(m.casefold() == wanted for m in named) else 3
    return 1 if package_make else 2


def _line_views(s: Session, packages: Sequence[Any], settings: Settings) -> dict[int, tuple[PackageLineView, ...]]:
    """Every package's lines with their operations and parts, in three plain queries for all of them
    (no ORM objects: the desk's search runs this on every keystroke)."""
    ids = [p.id for p in packages]
    rows = s.execute(select(PackageLine.package_id, PackageLine.labor_op_id, PackageLine.part_id, PackageLine.qty)
                     .where(PackageLine.package_id.in_(ids)).order_by(PackageLine.package_id, PackageLine.seq)).all() \
        if ids else []
    op_ids = {r.labor_op_id for r in rows if r.labor_op_id is not None}
    part_ids = {r.part_id for r in rows if r.part_id is not None}
    ops = {r.id: r for r in s.execute(select(LaborOperation.id, LaborOperation.code, LaborOperation.name,
                                             LaborOperation.std_hours).where(LaborOperation.id.in_(op_ids)))} \
        if op_ids else {}
    parts = {r.id: r for r in s.execute(select(Part.id, Part.number, Part.name, Part.unit, Part.price)
                                        .where(Part.id.in_(part_ids)))} if part_ids else {}
    rate = billing.labor_rate(settings, PayType.CUSTOMER)
    out: dict[int, list[PackageLineView]] = {i: [] for i in ids}
    for package_id, op_id, part_id, qty in rows:
        if op_id is not None:
            op = ops[op_id]
            hours = qty if qty else op.std_hours
            out[package_id].append(PackageLineView(LABOUR, op.id, op.code, op.name, hours, "h", labor_amount(hours, rate)))
        else:
            part = parts[part_id]
            amount = qty or Decimal(1)
            out[package_id].append(PackageLineView(PART, part.id, part.number, part.name, amount, part.unit,
                                                   line_amount(amount, part.price)))
    return {i: tuple(views) for i, views in out.items()}


def _hits(s: Session, packages: Sequence[Any], settings: Settings, make: str | None = None,
          model: str | None = None) -> list[PackageHit]:
    lines = _line_views(s, packages, settings)
    return [PackageHit(p.id, p.code, p.name, p.name_en, p.make, p.models, p.interval_km, p.interval_months,
                       lines[p.id], sum((v.price for v in lines[p.id]), ZERO), p.first_service, p.active,
                       fit(p.make, p.models, make, model))
            for p in packages]


# A package's own columns, read as plain rows where a search reads them (they answer as the record would).
_COLUMNS = (ServicePackage.id, ServicePackage.code, ServicePackage.name, ServicePackage.name_en, ServicePackage.initials,
            ServicePackage.make, ServicePackage.models, ServicePackage.interval_km, ServicePackage.interval_months,
            ServicePackage.first_service, ServicePackage.active)


def _like(value: str) -> str:
    return f"%{escape_like(value)}%"


def _car(s: Session, vehicle_id: int | None) -> tuple[str | None, str | None]:
    if vehicle_id is None:
        return None, None
    row = s.execute(select(Vehicle.make, Vehicle.model).where(Vehicle.id == vehicle_id)).first()
    return (row[0], row[1]) if row else (None, None)


def find_packages(services: Services, actor: Actor, text: str, *, vehicle_id: int | None = None,
                  limit: int = 30) -> list[PackageHit]:
    """By code prefix, name, English name or pinyin initials (``by`` finds 保养…): the packages
    that fit the car first (its model, then its make, then every make), each group by this
    store's use (catalog_use), then by how well the text matched."""
    q = text.strip()
    with services.db.reader() as s:
        make, model = _car(s, vehicle_id)
        stmt = select(*_COLUMNS).where(ServicePackage.active.is_(True))
        if q:
            stmt = stmt.where(or_(
                ServicePackage.code.ilike(q + "%"), ServicePackage.name.like(_like(q), escape="\\"),
                ServicePackage.initials.like(_like(q.lower()), escape="\\"),
                ServicePackage.name_en.ilike(_like(q), escape="\\"),
            ))
        # A store has tens of packages, a group a few hundred: all the matches are read, then ordered.
        packages = s.execute(stmt.order_by(ServicePackage.code).limit(2000)).all()
        hits = _hits(s, packages, services.settings, make, model)
        typed = {p.id: p.initials for p in packages}
    weights = catalog_use.weights(services, actor.store_id, "package")
    ranked = catalog_use.rank(hits, weights, key_id=lambda h: h.id, quality=lambda h: catalog_use.match_quality(
        q, code=h.code, initials=typed[h.id], name=h.name))
    ranked.sort(key=lambda h: h.fit)  # stable: use and match quality within each fit
    return ranked[:limit]


def package(services: Services, package_id: int, *, vehicle_id: int | None = None) -> PackageHit:
    """One package with its lines and price (the administrator's form, the estimate's preview)."""
    with services.db.reader() as s:
        found = s.get(ServicePackage, package_id)
        if found is None:
            raise NotFound("package", _("No such service package."))
        make, model = _car(s, vehicle_id)
        return _hits(s, [found], services.settings, make, model)[0]


def all_packages(services: Services, *, include_inactive: bool = True) -> list[PackageHit]:
    """Every package by code (the administrator's list)."""
    with services.db.reader() as s:
        stmt = select(ServicePackage).order_by(ServicePackage.code)
        if not include_inactive:
            stmt = stmt.where(ServicePackage.active.is_(True))
        return _hits(s, s.scalars(stmt).all(), services.settings)


# Which package is due ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Visit:
    odometer_km: int
    on: dt.date
    labour: frozenset[int]  # labour operations done (or quoted and not declined) on this visit
    packages: frozenset[int]


def _visits(s: Session, vehicle_id: int) -> list[_Visit]:
    """The car's visits with their labour, newest first (cancelled orders and declined work left out)."""
    rows = s.execute(
        select(RepairOrder.id, RepairOrder.odometer_km, RepairOrder.checked_in_at, Job.labor_op_id, Job.package_id)
        .join(Job, Job.order_id == RepairOrder.id)
        .where(RepairOrder.vehicle_id == vehicle_id, RepairOrder.status != OrderStatus.CANCELLED,
               Job.status != JobStatus.DECLINED)
    ).all()
    by_order: dict[int, tuple[int, dt.datetime, set[int], set[int]]] = {}
    for order_id, odometer, at, op_id, package_id in rows:
        _o, _a, ops, pkgs = by_order.setdefault(order_id, (odometer, at, set(), set()))
        if op_id is not None:
            ops.add(op_id)
        if package_id is not None:
            pkgs.add(package_id)
    visits = [_Visit(o, at.date(), frozenset(ops), frozenset(pkgs)) for o, at, ops, pkgs in by_order.values()]
    visits.sort(key=lambda v: (v.on, v.odometer_km), reverse=True)
    return visits


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


@dataclass(frozen=True)
class _Due:
    hit: PackageHit
    reason: str


def _due_one(hit: PackageHit, visits: Sequence[_Visit], odometer: int, on: dt.date,
             sale_date: dt.date | None) -> _Due | None:
    """Whether ``hit`` is due, measured from the last visit that covered it (or from new)."""
    labour = frozenset(v.item_id for v in hit.lines if v.kind == LABOUR)
    if hit.first_service and any(v.packages or v.labour for v in visits):
        return None  # the first service is once, before any other
    last = None if hit.first_service else next((v for v in visits if hit.id in v.packages or (labour and labour <= v.labour)), None)
    since_km = odometer - (last.odometer_km if last else 0)
    start = last.on if last else sale_date
    months = _months_between(start, on) if start is not None else None
    by_km = hit.interval_km is not None and since_km >= hit.interval_km - int(hit.interval_km * EARLY_FRACTION)
    by_months = hit.interval_months is not None and months is not None and months >= hit.interval_months
    if not (by_km or by_months):
        return None
    if last is None:
        reason = (_("None on record: {km} km since new").format(km=km(odometer)) if by_km or months is None
                  else _("None on record: {months} months since the sale").format(months=months))
    elif by_km:
        reason = _("Last service at {last} km, {since} km since").format(last=km(last.odometer_km), since=km(since_km))
    else:
        reason = _("Last service on {date}, {months} months ago").format(date=last.on.isoformat(), months=months)
    return _Due(hit, reason)


def due_package(services: Services, actor: Actor, vehicle_id: int, odometer_km: int | None = None,
                on: dt.date | None = None) -> PackageDue | None:
    """The package due for this car at ``odometer_km`` (its last reading when None) on ``on`` (today).

    Of the packages that fit the car and have an interval, those due by mileage (from the
    last tenth of the interval on) or by months; the largest interval wins, then the
    closest fit (its model over its make over every make).
    """
    with services.db.reader() as s:
        vehicle = s.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise NotFound("vehicle", _("No such vehicle."))
        odometer = vehicle.last_odometer_km if odometer_km is None else odometer_km
        today = on or services.clock().date()
        packages = s.execute(
            select(*_COLUMNS)
            .where(ServicePackage.active.is_(True),
                   or_(ServicePackage.interval_km.is_not(None), ServicePackage.interval_months.is_not(None)),
                   or_(ServicePackage.make == "", ServicePackage.make == vehicle.make))
        ).all()
        hits = [h for h in _hits(s, packages, services.settings, vehicle.make, vehicle.model) if h.fit < 3]
        if not hits:
            return None
        visits = _visits(s, vehicle_id)
        sale_date = vehicle.sale_date
    due = [d for h in hits if (d := _due_one(h, visits, odometer, today, sale_date)) is not None]
    if not due:
        return None
    best = max(due, key=lambda d: (d.hit.interval_km or 0, d.hit.interval_months or 0, -d.hit.fit, d.hit.code))
    return PackageDue(best.hit, best.reason)


# Adding a package to an order --------------------------------------------------------------------


@service("estimate.add_package")
def add_package(tx: Tx, order_id: int, package_id: int, *, pay_type: PayType | str | None = None,
                expected_version: int | None = None) -> JobRef:
    """The package's labour as jobs (``package_id`` set) and its parts on them: one change.

    A part line goes on the job of the labour line before it (the first job when it comes
    first). Hours, rates, stock reservations and totals are exactly what ``add_job`` and
    ``add_part`` make; the pay type is the first service's (the maker pays) for a first
    service package, else the customer's, unless one is given. Answers the first job.
    """
    order = load_order(tx, order_id, expected_version)
    pkg = get(tx.session, ServicePackage, package_id, "package")
    if not pkg.active:
        raise ValidationError("package", _("This service package is no longer offered."))
    labour_lines = [ln for ln in pkg.lines if ln.labor_op_id is not None]
    if not labour_lines:
        raise ValidationError("package", _("This service package has no labour."))
    _start_estimate(tx, order)
    pay = pay_type if pay_type is not None else (PayType.FIRST_SERVICE if pkg.first_service else PayType.CUSTOMER)
    jobs: list[Job] = []
    job_of_line: dict[int, Job] = {}
    for ln in labour_lines:
        job = new_job(tx, order, labor_op_id=ln.labor_op_id, description="", hours=ln.qty if ln.qty else None,
                      pay_type=pay, origin=JobOrigin.REQUESTED, safety=None, status=JobStatus.PROPOSED)
        job.package_id = pkg.id
        jobs.append(job)
        job_of_line[ln.seq] = job
    parts = []
    current = jobs[0]
    for ln in pkg.lines:
        if ln.labor_op_id is not None:
            current = job_of_line[ln.seq]
            continue
        assert ln.part_id is not None
        parts.append(new_part_line(tx, order, part_id=ln.part_id, qty=ln.qty or Decimal(1), pay_type=pay,
                                   job=current, unit_price=None))
    if any(record.id is None for record in (*jobs, *parts)):  # (a flush midway, e.g. for stock, left the last ones)
        tx.session.flush()
    tx.audit("service_package", pkg.id, order_id=order.id, after={
        "package": pkg.code, "jobs": [jsonable({"id": j.id, **_job_fields(j)}) for j in jobs],
        "parts": [jsonable({"id": p.id, **_part_fields(p)}) for p in parts],
    })
    return JobRef.of(tx, jobs[0])


# The administrator's catalog ---------------------------------------------------------------------


def _interval(value: int | str | None, field: str, maximum: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip().replace(" ", "").replace(",", ""))
    except ValueError:
        raise ValidationError(field, _("Enter a whole number.")) from None
    if number == 0:
        return None
    if not 0 < number <= maximum:
        raise ValidationError(field, _("Enter a number between {lo} and {hi}.").format(lo=1, hi=maximum))
    return number


def _split_line(line: Sequence[object]) -> tuple[str | None, str, Decimal | str | None]:
    """(kind or None, code, qty) of a line given as (code, qty) or (kind, code, qty)."""
    if isinstance(line, (tuple, list)) and len(line) in (2, 3) and all(isinstance(v, str) for v in line[:-1]):
        qty = line[-1]
        if qty is None or (isinstance(qty, (str, Decimal, int)) and not isinstance(qty, bool)):
            kind = line[0] if len(line) == 3 else None
            if kind in (None, LABOUR, PART):
                return kind, line[-2], qty
    raise ValidationError("lines", _("A package line is a code and a quantity."))


def resolve_lines(s: Session, lines: Iterable[Sequence[object]]) -> list[PackageLine]:
    """The input's lines as package lines: codes looked up (labour first), quantities checked."""
    out: list[PackageLine] = []
    for seq, raw in enumerate(lines, start=1):
        kind, code, qty = _split_line(raw)
        key = code.strip().upper()
        op = s.scalar(select(LaborOperation).where(LaborOperation.code == key)) if key and kind != PART else None
        part = s.scalar(select(Part).where(Part.number == key)) if key and op is None and kind != LABOUR else None
        if op is not None:
            hours = parse_hours(qty, "qty") if qty not in (None, "") else None
            out.append(PackageLine(seq=seq, labor_op_id=op.id, part_id=None, qty=hours or None))
        elif part is not None:
            out.append(PackageLine(seq=seq, labor_op_id=None, part_id=part.id,
                                   qty=parse_quantity(qty if qty not in (None, "") else 1, "qty")))
        else:
            raise ValidationError("lines", _("No labour operation or part {code}.").format(code=code))
    if not any(ln.labor_op_id is not None for ln in out):
        raise ValidationError("lines", _("A package needs at least one labour line."))
    return out


def package_fields(pkg: ServicePackage) -> dict:
    return {"code": pkg.code, "name": pkg.name, "name_en": pkg.name_en, "make": pkg.make, "models": pkg.models,
            "interval_km": pkg.interval_km, "interval_months": pkg.interval_months,
            "first_service": pkg.first_service, "active": pkg.active,
            "lines": [[ln.labor_op_id, ln.part_id, None if ln.qty is None else str(ln.qty)] for ln in pkg.lines]}


def apply_input(s: Session, pkg: ServicePackage, data: PackageInput) -> None:
    """Set every field of ``pkg`` from ``data`` (its lines replaced), checked."""
    pkg.name = text(data.name, "name", max_len=120, required=True)
    pkg.name_en = text(data.name_en, "name_en")
    pkg.initials = initials(pkg.name)[:60]
    pkg.make = text(data.make, "make", max_len=40)
    pkg.models = ",".join(model_list(text(data.models, "models")))
    pkg.interval_km = _interval(data.interval_km, "interval_km", MAX_INTERVAL_KM)
    pkg.interval_months = _interval(data.interval_months, "interval_months", MAX_INTERVAL_MONTHS)
    pkg.first_service = bool(data.first_service)
    lines = resolve_lines(s, data.lines)
    pkg.lines.clear()
    pkg.lines.extend(lines)


@service("catalog.save")
def save_package(tx: Tx, data: PackageInput, package_id: int | None = None) -> Saved:
    """A new package (``package_id`` None; its code must be new) or a change to one, its lines replaced."""
    code = text(data.code, "code", max_len=20, required=True).upper()
    same_code = tx.session.scalar(select(ServicePackage).where(ServicePackage.code == code))
    if package_id is None:
        if same_code is not None:
            raise ValidationError("code", _("A service package with code {code} exists already.").format(code=code))
        pkg = ServicePackage(code=code, active=True)
        tx.session.add(pkg)
        before = None
    else:
        pkg = get(tx.session, ServicePackage, package_id, "package")
        if same_code is not None and same_code.id != pkg.id:
            raise ValidationError("code", _("A service package with code {code} exists already.").format(code=code))
        before = package_fields(pkg)
        pkg.code = code
    apply_input(tx.session, pkg, data)
    tx.session.flush()
    tx.audit("service_package", pkg.id, before=before, after=package_fields(pkg))
    return Saved(pkg.id)


@service("catalog.save")
def set_package_active(tx: Tx, package_id: int, active: bool) -> Saved:
    """Withdraw a package from the desk (or offer it again); jobs added with it keep naming it."""
    pkg = get(tx.session, ServicePackage, package_id, "package")
    before = pkg.active
    pkg.active = bool(active)
    tx.audit("service_package", pkg.id, before={"active": before}, after={"active": pkg.active})
    return Saved(pkg.id)


__all__ = [
    "LABOUR",
    "PART",
    "PackageDue",
    "PackageHit",
    "PackageInput",
    "PackageLineView",
    "add_package",
    "all_packages",
    "due_package",
    "find_packages",
    "fit",
    "package",
    "save_package",
    "set_package_active",
]
