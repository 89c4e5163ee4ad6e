"""Service packages in and out of a spreadsheet: ``frontdesk import|export packages``.

A maker's service schedule arrives as a table, one row per package line: the package's
code, name, make, models and intervals (repeated on each of its rows, or given on its first
row only), then the line — its kind (labour or part), the labour code or part number, and
the hours or quantity. The file is read as the catalog imports read theirs
(:mod:`.imports`: CSV in UTF-8 or GBK, or XLSX; Chinese or English headers; rows numbered
as the spreadsheet numbers them; the same limits and the text rule) and written as the
catalog exports write theirs (:mod:`.data_exports`: formula-safe cells, the importer's own
columns, so an exported schedule edited in Excel imports back).

A file gives each package whole: its lines replace the package's lines, and a blank make,
models or interval means every make, every model, no interval. The import is every package
or none — a row naming an unknown code, a bad quantity or a package without labour is
listed with its reason and nothing is written — and importing the same file again changes
nothing. A package already in the catalog keeps its active flag.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import LaborOperation, PackageLine, Part, ServicePackage

from .catalog import initials
from .context import Actor, Services, Tx, require, service
from .data_exports import Cell, Export, write_csv, write_xlsx
from .errors import ValidationError
from .export_files import ExportFile, export_file, writing
from .imports import (
    LIMITS,
    N_,
    Changed,
    Field,
    FileProblem,
    ImportRejected,
    ImportReport,
    Limits,
    Rejected,
    match_columns,
    read_sheet,
)
from .money import parse_hours, parse_quantity
from .packages import LABOUR, MAX_INTERVAL_KM, MAX_INTERVAL_MONTHS, PART, model_list
from .validation import text_problem

KIND = "packages"

PACKAGE_FIELDS: tuple[Field, ...] = (
    Field("package_code", N_("Package code"), ("套餐代码", "套餐编号", "套餐编码", "package code", "package_code",
                                               "package", "package no"), True),
    Field("name", N_("Package name"), ("套餐名称", "名称", "name", "package name")),
    Field("name_en", N_("English name"), ("英文名称", "英文名", "english name", "name (english)", "name_en")),
    Field("make", N_("Make"), ("品牌", "厂牌", "make", "brand")),
    Field("models", N_("Models"), ("适用车型", "车型", "models", "applicable models", "model")),
    Field("interval_km", N_("Interval km"), ("保养里程", "间隔里程", "里程间隔", "保养间隔里程", "interval km",
                                             "interval_km", "interval")),
    Field("interval_months", N_("Interval months"), ("保养月数", "间隔月数", "月数间隔", "保养间隔月数", "interval months",
                                                     "interval_months", "months")),
    Field("kind", N_("Line kind"), ("类型", "项目类型", "行类型", "kind", "line kind", "type"), True),
    Field("item_code", N_("Item code"), ("项目代码", "工时代码/配件编号", "代码", "编号", "item code", "item_code", "code",
                                         "labour code or part number"), True),
    Field("qty", N_("Quantity"), ("数量", "工时/数量", "qty", "quantity", "hours or quantity")),
    Field("first_service", N_("First service"), ("首保", "首次保养", "first service", "first_service")),
)
_PACKAGE_KEYS = ("name", "name_en", "make", "models", "interval_km", "interval_months", "first_service")
_TITLES = {f.key: f.title for f in PACKAGE_FIELDS}
_LABOUR_WORDS = frozenset({"labour", "labor", "l", "工时", "项目", "维修项目", "人工"})
_PART_WORDS = frozenset({"part", "parts", "p", "配件", "零件", "备件", "材料"})
_YES = frozenset({"1", "y", "yes", "true", "是", "√", "✓", "x"})
_NO = frozenset({"0", "n", "no", "false", "否", "-", ""})


# Reading the file -------------------------------------------------------------------------------


def map_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field key -> column index, and the file's errors (unknown, doubled or missing columns)."""
    return match_columns(PACKAGE_FIELDS, header)


def _word(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def _kind(value: str) -> str | None:
    word = _word(value)
    if word in _LABOUR_WORDS or word == _("Labor").lower():
        return LABOUR
    if word in _PART_WORDS or word == _("Part").lower():
        return PART
    return None


def _yes_no(value: str) -> bool | None:
    word = _word(value)
    if word in _YES or word == _("Yes").lower():
        return True
    if word in _NO or word == _("No").lower():
        return False
    return None


def _interval(value: str, title: str, maximum: int, problems: list[str]) -> int | None:
    raw = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
    if not raw:
        return None
    try:
        number = int(Decimal(raw)) if Decimal(raw) == Decimal(raw).to_integral_value() else -1
    except ArithmeticError:
        number = -1
    if not 0 <= number <= maximum:
        problems.append(_("{field}: enter a whole number between {lo} and {hi}.").format(
            field=_(title), lo=0, hi=maximum))
        return None
    return number or None


# The plan ---------------------------------------------------------------------------------------


@dataclass
class _Package:
    """One package as the file gives it: its first row's fields and its lines."""

    code: str
    row: int
    values: dict[str, Any]
    given: dict[str, tuple[str, int]]  # field -> (the cell as written, its row): later rows must agree
    lines: list[tuple[str, int, Decimal | None]] = field(default_factory=list)  # (kind, item id, qty)


@dataclass
class _Plan:
    report: ImportReport
    packages: list[_Package] = field(default_factory=list)  # added or changed, in the file's order
    existing: dict[str, int] = field(default_factory=dict)  # code -> id of the packages it changes
    digest: str = ""  # SHA-256 of the file, for the audit event


def _line_tuple(line: PackageLine) -> tuple[str, int, Decimal | None]:
    if line.labor_op_id is not None:
        return LABOUR, line.labor_op_id, line.qty or None
    assert line.part_id is not None
    return PART, line.part_id, line.qty


def _current(pkg: ServicePackage) -> dict[str, Any]:
    return {"name": pkg.name, "name_en": pkg.name_en, "make": pkg.make, "models": pkg.models,
            "interval_km": pkg.interval_km, "interval_months": pkg.interval_months,
            "first_service": pkg.first_service, "lines": [_line_tuple(ln) for ln in pkg.lines]}


def _cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()}


def _package_values(v: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The package's own fields from one row, checked (every field: a file gives a package whole)."""
    values: dict[str, Any] = {}
    for key, limit in (("name", 120), ("name_en", 200), ("make", 40), ("models", 200)):
        value = v.get(key, "")
        if len(value) > limit:
            problems.append(_("{field} is longer than {n} characters.").format(field=_(_TITLES[key]), n=limit))
        values[key] = value
    values["models"] = ",".join(model_list(values["models"]))
    values["interval_km"] = _interval(v.get("interval_km", ""), _TITLES["interval_km"], MAX_INTERVAL_KM, problems)
    values["interval_months"] = _interval(v.get("interval_months", ""), _TITLES["interval_months"],
                                          MAX_INTERVAL_MONTHS, problems)
    first = _yes_no(v.get("first_service", ""))
    if first is None:
        problems.append(_("First service: write yes or no."))
    values["first_service"] = bool(first)
    return values


def plan(session: Session, path: Path | str, limits: Limits = LIMITS) -> _Plan:
    """Read the file and decide every package against the catalog as ``session`` sees it."""
    name = Path(path).name
    try:
        sheet = read_sheet(path, limits)
    except FileProblem as exc:
        return _Plan(ImportReport(KIND, name, 0, errors=(str(exc),)))  # type: ignore[arg-type]
    columns, errors = map_columns(sheet.header)
    if errors:
        return _Plan(ImportReport(KIND, name, 0, errors=tuple(errors)))  # type: ignore[arg-type]
    rows = [(row, _cells(cells, columns)) for row, cells in sheet.rows]
    codes = {unicodedata.normalize("NFKC", v["item_code"]).strip().upper() for _r, v in rows}
    ops = dict(session.execute(select(LaborOperation.code, LaborOperation.id).where(LaborOperation.code.in_(codes))).all())
    parts = dict(session.execute(select(Part.number, Part.id).where(Part.number.in_(codes))).all())
    found: dict[str, _Package] = {}
    rejected: list[Rejected] = []
    for row, v in rows:
        problems = [f"{_(_TITLES[k])}: {p}" for k, value in v.items() if (p := text_problem(value)) is not None]
        code = unicodedata.normalize("NFKC", v["package_code"]).strip().upper()
        if not code:
            problems.append(_("The package code is missing."))
        elif len(code) > 20:
            problems.append(_("{field} is longer than {n} characters.").format(field=_(_TITLES["package_code"]), n=20))
        pkg = found.get(code)
        if pkg is None:
            values = _package_values(v, problems)
            if not values["name"]:
                problems.append(_("The package name is missing (on the package's first row)."))
            given = {k: (v[k], row) for k in _PACKAGE_KEYS if v.get(k)}
            pkg = _Package(code, row, values, given)
            if code and len(code) <= 20:
                found[code] = pkg
        else:
            for key in _PACKAGE_KEYS:
                value = v.get(key, "")
                if value and key in pkg.given and pkg.given[key][0] != value:
                    problems.append(_("{field} differs from row {row} of the same package.").format(
                        field=_(_TITLES[key]), row=pkg.given[key][1]))
                elif value and key not in pkg.given:
                    problems.append(_("{field} is given only on the package's first row (row {row}).").format(
                        field=_(_TITLES[key]), row=pkg.row))
        kind = _kind(v["kind"])
        item = unicodedata.normalize("NFKC", v["item_code"]).strip().upper()
        qty_text = v.get("qty", "")
        qty: Decimal | None = None
        item_id: int | None = None
        if kind is None:
            problems.append(_("Line kind: write labour or part."))
        elif not item:
            problems.append(_("The item code is missing."))
        elif kind == LABOUR:
            item_id = ops.get(item)
            if item_id is None:
                problems.append(_("No labour operation {code}.").format(code=item))
        else:
            item_id = parts.get(item)
            if item_id is None:
                problems.append(_("No part {code}.").format(code=item))
        try:
            if kind == LABOUR and qty_text:
                qty = parse_hours(qty_text, "qty") or None
            elif kind == PART:
                qty = parse_quantity(qty_text or "1", "qty")
        except ValidationError as exc:
            problems.append(f"{_(_TITLES['qty'])}: {exc.message}")
        if problems:
            rejected.append(Rejected(row, code, " ".join(problems)))
            continue
        assert kind is not None and item_id is not None
        pkg.lines.append((kind, item_id, qty))
    rejected_codes = {r.key for r in rejected}
    for pkg in found.values():
        if pkg.code not in rejected_codes and not any(kind == LABOUR for kind, _i, _q in pkg.lines):
            rejected.append(Rejected(pkg.row, pkg.code, _("Package {code} has no labour line.").format(code=pkg.code)))
    old = {p.code: p for p in session.scalars(
        select(ServicePackage).where(ServicePackage.code.in_(list(found))).options(selectinload(ServicePackage.lines)))}
    out = _Plan(ImportReport(KIND, name, len(rows)))  # type: ignore[arg-type]
    added: list[tuple[int, str]] = []
    changed: list[Changed] = []
    unchanged = 0
    for pkg in found.values():
        if pkg.code in rejected_codes:
            continue  # said in the rejected rows; nothing of it is planned
        before = old.get(pkg.code)
        if before is None:
            added.append((pkg.row, pkg.code))
            out.packages.append(pkg)
            continue
        now = _current(before)
        fields = tuple(k for k in _PACKAGE_KEYS if pkg.values[k] != now[k])
        if pkg.lines != now["lines"]:
            fields += ("lines",)
        if fields:
            changed.append(Changed(pkg.row, pkg.code, fields))
            out.packages.append(pkg)
            out.existing[pkg.code] = before.id
        else:
            unchanged += 1
    rejected.sort(key=lambda r: r.row)
    out.report = ImportReport(KIND, name, len(rows), tuple(added), tuple(changed), unchanged,  # type: ignore[arg-type]
                              tuple(rejected))
    with open(Path(path).expanduser(), "rb") as fh:
        out.digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return out


def dry_run(services: Services, actor: Actor, path: Path | str, limits: Limits = LIMITS) -> ImportReport:
    """What importing ``path`` would do; reads only."""
    require(actor, "catalog.import")
    with services.db.reader() as session:
        return plan(session, path, limits).report


def import_packages(services: Services, actor: Actor, path: Path | str) -> ImportReport:
    """Every package of the file in one transaction, or nothing (:class:`ImportRejected` says why)."""
    return write_packages(services, actor, path)


@service("catalog.import")
def write_packages(tx: Tx, path: Path | str) -> ImportReport:
    """The file planned inside the transaction (a schedule is tens of rows) and written when no row is rejected."""
    work = plan(tx.session, path)
    report = work.report
    if not report.ok:
        raise ImportRejected(report)
    for pkg in work.packages:
        record = tx.session.get(ServicePackage, work.existing[pkg.code]) if pkg.code in work.existing else None
        if record is None:
            record = ServicePackage(code=pkg.code, active=True)
            tx.session.add(record)
        for key in _PACKAGE_KEYS:
            setattr(record, key, pkg.values[key])
        record.initials = initials(record.name)[:60]
        record.lines.clear()
        record.lines.extend(
            PackageLine(seq=seq, labor_op_id=item if kind == LABOUR else None, part_id=item if kind == PART else None,
                        qty=qty) for seq, (kind, item, qty) in enumerate(pkg.lines, start=1))
    report = ImportReport(KIND, report.file, report.rows, report.added, report.changed,  # type: ignore[arg-type]
                          report.unchanged, committed=True)
    tx.audit("package_import", None, after={
        "kind": KIND, "file": report.file, "sha256": work.digest, "rows": report.rows,
        "added": len(report.added), "changed": len(report.changed), "unchanged": report.unchanged,
    })
    return report


# Writing the file -------------------------------------------------------------------------------


def header() -> list[str]:
    """The export's headers (the importer's own, in the current language)."""
    return [_(f.title) for f in PACKAGE_FIELDS]


def package_rows(session: Session) -> Iterable[tuple[Cell, ...]]:
    """One row per line of every active package, by code and line, the package's fields on each."""
    packages = session.scalars(select(ServicePackage).where(ServicePackage.active.is_(True))
                               .order_by(ServicePackage.code).options(selectinload(ServicePackage.lines))).all()
    ops = dict(session.execute(select(LaborOperation.id, LaborOperation.code)).all())
    parts = dict(session.execute(select(Part.id, Part.number)).all())
    yes, no, labour, part = _("Yes"), _("No"), _("Labor"), _("Part")
    for p in packages:
        own = (p.code, p.name, p.name_en, p.make, p.models, p.interval_km, p.interval_months)
        for ln in p.lines:
            if ln.labor_op_id is not None:
                line: tuple[Cell, ...] = (labour, ops[ln.labor_op_id], ln.qty if ln.qty else None)
            else:
                line = (part, parts[ln.part_id], ln.qty)
            yield (*own, *line, yes if p.first_service else no)


def export_packages(services: Services, actor: Actor, path: Path | str) -> Export:
    """The packages in the columns ``frontdesk import packages`` reads."""
    return export_file(services, actor, packages_file, path)


@service("data.export")
def packages_file(tx: Tx, out: ExportFile) -> Export:
    """:func:`export_packages`'s service: the staged file written and the export recorded."""
    rows = package_rows(tx.session)
    text_columns = frozenset({0, 4, 8})  # codes, models and item codes are text (0123 keeps its zero)
    with writing(out) as partial:
        if out.fmt == "csv":
            n = write_csv(partial, header(), rows)
        else:
            n = write_xlsx(partial, header(), rows, _("Service packages"), text_columns)
    tx.audit("catalog_export", None, after={"kind": KIND, "path": str(out.path), "rows": n})
    return Export(out.path, n)


__all__ = ["PACKAGE_FIELDS", "dry_run", "export_packages", "header", "import_packages", "map_columns",
           "package_rows", "packages_file", "plan", "write_packages"]
