"""Loading a maker's parts price list or labor-time table from the dealer's own CSV or XLSX file.

A dealer's files come from Excel, in Chinese or English, so the columns are found by their
header names (``配件编号``, ``Part number``, ``单价``…: :data:`PART_FIELDS`, :data:`LABOR_FIELDS`);
a header nobody knows is an error naming it, so a mistyped column is never silently dropped.
CSV files may be UTF-8 (with or without Excel's byte-order mark) or GBK (what Chinese Excel
saves): the bytes decide. Row numbers are the spreadsheet's (the header is row 1).

The same plan serves both modes. A dry run (:func:`dry_run`) reads the catalog and says per
row what would be added, changed (and which fields), left alone or rejected and why. The
commit (:func:`import_catalog`, action ``catalog.import``) makes that plan again inside its
one transaction and writes it only when *no* row is rejected — a bad row never half-imports
a file (:class:`ImportRejected` carries the report). The write is an idempotent upsert keyed
by part number / labor code: importing the same file again finds nothing to change.

Rules a file follows:

- The key column and the price (parts) or standard hours (labor) column are required;
  other columns are optional, and a column missing from the file leaves that field alone.
- A blank cell never changes anything: a blank name, unit, English name, category, bin,
  models, safety or stock keeps what the catalog has (a new record gets the defaults: unit
  "pc", no stock; it needs a name). A blank price (parts) or standard hours (labor) is a
  rejected row: that is the figure a price list is for.
- Stock is this store's on-hand quantity. Setting it records a stock movement (kind
  ``adjust``, reason ``import``) for the difference, so stock still equals its movements.

Speed: the catalog and this store's stock levels are read once into dicts keyed by number,
the rows are checked in Python, and the writes are a few executemany statements per table —
no ORM object per row. Spreadsheet numbers arrive as floats from openpyxl; they are turned
into their shortest decimal text before any parsing, so prices stay exact ``Decimal``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import LaborOperation, Part, StockLevel, StockMovement
from frontdesk.model.enums import StockMovementKind

from .catalog import initials
from .context import Actor, Services, Tx, require, service
from .errors import ValidationError
from .money import parse_hours, parse_money

Kind = Literal["parts", "labor"]
KINDS: tuple[Kind, ...] = ("parts", "labor")
Progress = Callable[[str, int, int], None]  # (stage msgid, done, total)
IMPORT_REASON = "import"
PROGRESS_EVERY = 2000
_CHUNK = 5000
_MINUS = ("-", "−", "－")


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where shown."""
    return message


STAGE_READ, STAGE_CHECK, STAGE_WRITE = N_("Reading"), N_("Checking"), N_("Writing")


@dataclass(frozen=True)
class Field:
    key: str
    title: str  # msgid: the header an export writes
    aliases: tuple[str, ...]  # headers a file may use (compared normalised)
    required: bool = False


PART_FIELDS: tuple[Field, ...] = (
    Field("number", N_("Part number"), ("配件编号", "配件号", "零件号", "零件编号", "备件号", "备件编号", "配件代码",
                                       "part number", "part no", "part no.", "part #", "number", "part"), True),
    Field("name", N_("Part name"), ("名称", "配件名称", "零件名称", "备件名称", "name", "part name", "description")),
    Field("name_en", N_("English name"), ("英文名称", "英文名", "english name", "name (english)", "name_en")),
    Field("category", N_("Category"), ("类别", "分类", "类型", "category")),
    Field("unit", N_("Unit"), ("单位", "unit", "uom")),
    Field("price", N_("Price"), ("单价", "销售价", "售价", "零售价", "价格", "price", "unit price", "retail price",
                                 "sales price"), True),
    Field("stock", N_("Stock"), ("库存", "库存数量", "库存量", "stock", "on hand", "quantity on hand")),
    Field("bin", N_("Bin"), ("库位", "货位", "仓位", "bin", "location", "bin location")),
)

LABOR_FIELDS: tuple[Field, ...] = (
    Field("code", N_("Labor code"), ("工时代码", "工时编号", "项目代码", "代码", "code", "labor code", "labour code",
                                     "operation code", "op code"), True),
    Field("name", N_("Operation name"), ("名称", "工时名称", "项目名称", "name", "operation", "operation name",
                                          "description")),
    Field("name_en", N_("English name"), ("英文名称", "英文名", "english name", "name (english)", "name_en")),
    Field("category", N_("Category"), ("类别", "分类", "类型", "category")),
    Field("std_hours", N_("Standard hours"), ("标准工时", "工时", "工时数", "hours", "standard hours", "std hours",
                                              "labor hours", "labour hours"), True),
    Field("models", N_("Models"), ("适用车型", "车型", "models", "applicable models", "model")),
    Field("safety", N_("Safety related"), ("安全项目", "安全相关", "安全", "safety", "safety related")),
)

FIELDS: dict[Kind, tuple[Field, ...]] = {"parts": PART_FIELDS, "labor": LABOR_FIELDS}

# Field names as a report shows them (the changed fields of a row).
FIELD_TITLE: dict[str, str] = {f.key: f.title for f in PART_FIELDS + LABOR_FIELDS}

_YES = frozenset({"1", "y", "yes", "true", "是", "√", "✓", "x"})
_NO = frozenset({"0", "n", "no", "false", "否", "-"})


# The report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    row: int  # the spreadsheet's row number (header = 1)
    key: str  # part number / labor code as read ("" when missing)
    reason: str  # translated


@dataclass(frozen=True)
class Changed:
    row: int
    key: str
    fields: tuple[str, ...]  # field keys (FIELD_TITLE gives their names)


@dataclass(frozen=True)
class ImportReport:
    kind: Kind
    file: str  # the file's name
    rows: int  # data rows read (blank rows skipped)
    added: tuple[tuple[int, str], ...] = ()  # (row, key)
    changed: tuple[Changed, ...] = ()
    unchanged: int = 0
    rejected: tuple[Rejected, ...] = ()
    errors: tuple[str, ...] = ()  # problems of the whole file (unknown column, unreadable…)
    stock_moves: int = 0  # stock movements the import makes (parts)
    committed: bool = False

    @property
    def ok(self) -> bool:
        """Nothing stops a commit."""
        return not self.errors and not self.rejected

    def summary(self) -> str:
        if self.errors:
            return _("The file cannot be imported: {errors}").format(errors=" ".join(self.errors))
        text = _("{rows} rows: {added} to add, {changed} to change, {unchanged} unchanged, {rejected} rejected.").format(
            rows=self.rows, added=len(self.added), changed=len(self.changed), unchanged=self.unchanged,
            rejected=len(self.rejected))
        if self.committed:
            text = _("Imported {rows} rows: {added} added, {changed} changed, {unchanged} unchanged.").format(
                rows=self.rows, added=len(self.added), changed=len(self.changed), unchanged=self.unchanged)
        elif self.rejected:
            text += " " + _("Nothing will be imported until every rejected row is fixed.")
        return text


class ImportRejected(ValidationError):
    """The commit found rejected rows or a file error: nothing was written; ``report`` says why."""

    def __init__(self, report: ImportReport) -> None:
        if report.errors:
            message = " ".join(report.errors)
        else:
            message = _("{n} rows rejected: nothing was imported.").format(n=len(report.rejected))
        super().__init__("file", message)
        self.report = report


# Reading files ----------------------------------------------------------------------------------


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells as text)


class FileProblem(Exception):
    """The file itself cannot be read as a table (message translated)."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes as such, else GBK (as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(_("The file is neither UTF-8 nor GBK text.")) from None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees in it (numbers without float noise)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 12.35, not 12.3499999…
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise FileProblem(_("Not a readable Excel workbook: {error}").format(error=exc)) from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in values]
    finally:
        book.close()


def read_sheet(path: Path | str) -> Sheet:
    """The first sheet (XLSX) or the CSV as header + numbered non-blank rows, cells stripped text."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise FileProblem(_("Import a .csv or .xlsx file."))
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows: Iterable[list[str]] = _xlsx_rows(path)
        else:
            rows = _csv_rows(decode(path.read_bytes()))
        header: list[str] | None = None
        out: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(rows, start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if header is None:
                header = cells  # blank rows above it are skipped; numbers stay the spreadsheet's
                continue
            out.append((number, cells))
    except FileNotFoundError:
        raise FileProblem(_("No such file: {path}").format(path=path)) from None
    except IsADirectoryError:
        raise FileProblem(_("This is a folder, not a file: {path}").format(path=path)) from None
    except OSError as exc:
        raise FileProblem(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    except csv.Error as exc:
        raise FileProblem(_("Not a readable CSV file: {error}").format(error=exc)) from exc
    if header is None:
        raise FileProblem(_("The file is empty."))
    return Sheet(header, out)


def normalise(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = text.lstrip("*").rstrip(":：*").strip()
    return re.sub(r"\s+", " ", text)


def _without_unit(header: str) -> str:
    """"单价(元)" -> "单价", "price (cny)" -> "price"."""
    return re.sub(r"\s*[(\[（【][^)\]）】]*[)\]）】]$", "", header)


def map_columns(kind: Kind, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field key -> column index, and the file-level errors (unknown, doubled or missing columns)."""
    lookup: dict[str, str] = {}
    for f in FIELDS[kind]:
        for alias in (*f.aliases, f.title, _(f.title)):
            lookup.setdefault(normalise(alias), f.key)
    columns: dict[str, int] = {}
    errors: list[str] = []
    titles = {f.key: f.title for f in FIELDS[kind]}
    for index, raw in enumerate(header):
        name = normalise(raw)
        if not name:
            continue  # an unnamed column (Excel's trailing empties) is ignored
        key = lookup.get(name) or lookup.get(_without_unit(name))
        if key is None:
            errors.append(_("Unknown column \"{name}\" (column {n}).").format(name=raw, n=index + 1))
        elif key in columns:
            errors.append(_("Two columns mean {field}: \"{a}\" and \"{b}\".").format(
                field=_(titles[key]), a=header[columns[key]], b=raw))
        else:
            columns[key] = index
    for f in FIELDS[kind]:
        if f.required and f.key not in columns:
            errors.append(_("The file has no {field} column.").format(field=_(f.title)))
    return columns, errors


# Checking rows ----------------------------------------------------------------------------------


def _text(value: str, title: str, max_len: int, problems: list[str]) -> str:
    if len(value) > max_len:
        problems.append(_("{field} is longer than {n} characters.").format(field=_(title), n=max_len))
    return value


def _amount(value: str, title: str, problems: list[str], parse: Callable[[str, str], Decimal]) -> Decimal | None:
    try:
        return parse(value, title)
    except ValidationError as exc:
        problems.append(f"{_(title)}: {exc.message}")
        return None


def _stock(value: str, problems: list[str]) -> Decimal | None:
    if unicodedata.normalize("NFKC", value).startswith(_MINUS):
        problems.append(_("Stock cannot be negative."))
        return None
    return _amount(value, N_("Stock"), problems, parse_money)


def _yes_no(value: str, problems: list[str]) -> bool | None:
    word = unicodedata.normalize("NFKC", value).strip().lower()
    if word in _YES or word == _("Yes").lower():
        return True
    if word in _NO or word == _("No").lower():
        return False
    problems.append(_("Safety related: write yes or no."))
    return None


@dataclass
class _Plan:
    report: ImportReport
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    # parts only: (part number, new on_hand or None, new bin or None)
    stock: list[tuple[str, Decimal | None, str | None]] = field(default_factory=list)


_PART_COLUMNS = ("name", "name_en", "category", "unit", "price")
_LABOR_COLUMNS = ("name", "name_en", "category", "std_hours", "models", "safety")


def _existing_parts(session: Session, store_id: int) -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]]]:
    parts = {number: {"id": pid, "name": name, "name_en": en, "category": cat, "unit": unit, "price": price}
             for pid, number, name, en, cat, unit, price in session.execute(
                 select(Part.id, Part.number, Part.name, Part.name_en, Part.category, Part.unit, Part.price))}
    levels = {pid: {"id": lid, "on_hand": on_hand, "reserved": reserved, "bin": bin_}
              for lid, pid, on_hand, reserved, bin_ in session.execute(
                  select(StockLevel.id, StockLevel.part_id, StockLevel.on_hand, StockLevel.reserved, StockLevel.bin)
                  .where(StockLevel.store_id == store_id))}
    return parts, levels


def _existing_labor(session: Session) -> dict[str, dict[str, Any]]:
    return {code: {"id": oid, "name": name, "name_en": en, "category": cat, "std_hours": hours, "models": models,
                   "safety": safety}
            for oid, code, name, en, cat, hours, models, safety in session.execute(
                select(LaborOperation.id, LaborOperation.code, LaborOperation.name, LaborOperation.name_en,
                       LaborOperation.category, LaborOperation.std_hours, LaborOperation.models,
                       LaborOperation.safety))}


class _Ticker:
    def __init__(self, progress: Progress | None, stage: str, total: int) -> None:
        self.progress, self.stage, self.total = progress, stage, total
        if progress is not None:
            progress(stage, 0, total)

    def tick(self, done: int) -> None:
        if self.progress is not None and (done % PROGRESS_EVERY == 0 or done == self.total):
            self.progress(self.stage, done, self.total)

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(self.stage, done, self.total)


def plan(session: Session, store_id: int, kind: Kind, path: Path | str, progress: Progress | None = None) -> _Plan:
    """Read the file and decide every row against the catalog as ``session`` sees it."""
    name = Path(path).name
    if kind not in KINDS:
        raise ValidationError("kind", _("Import parts or labor."))
    if progress is not None:
        progress(STAGE_READ, 0, 0)
    try:
        sheet = read_sheet(path)
    except FileProblem as exc:
        return _Plan(ImportReport(kind, name, 0, errors=(str(exc),)))
    columns, errors = map_columns(kind, sheet.header)
    if errors:
        return _Plan(ImportReport(kind, name, len(sheet.rows), errors=tuple(errors)))
    if kind == "parts":
        return _plan_parts(session, store_id, name, sheet, columns, progress)
    return _plan_labor(session, name, sheet, columns, progress)


def _cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()}


def _plan_parts(session: Session, store_id: int, name: str, sheet: Sheet, columns: dict[str, int],
                progress: Progress | None) -> _Plan:
    parts, levels = _existing_parts(session, store_id)
    out = _Plan(ImportReport("parts", name, len(sheet.rows)))
    added: list[tuple[int, str]] = []
    changed: list[Changed] = []
    rejected: list[Rejected] = []
    unchanged = moves = 0
    seen: dict[str, int] = {}
    ticker = _Ticker(progress, STAGE_CHECK, len(sheet.rows))
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        ticker.tick(done)
        v = _cells(cells, columns)
        problems: list[str] = []
        number = unicodedata.normalize("NFKC", v["number"]).strip().upper()
        if not number:
            problems.append(_("The part number is missing."))
        elif len(number) > 40:
            problems.append(_("{field} is longer than {n} characters.").format(field=_("Part number"), n=40))
        elif number in seen:
            problems.append(_("Part number {number} is also on row {row}.").format(number=number, row=seen[number]))
        else:
            seen[number] = row
        old = parts.get(number)
        new: dict[str, Any] = {}
        if v.get("name"):
            new["name"] = _text(v["name"], N_("Part name"), 120, problems)
        elif old is None:
            problems.append(_("The name is missing (a new part needs one)."))
        if v.get("name_en"):
            new["name_en"] = _text(v["name_en"], N_("English name"), 200, problems)
        if v.get("category"):
            new["category"] = _text(v["category"], N_("Category"), 40, problems)
        if v.get("unit"):
            new["unit"] = _text(v["unit"], N_("Unit"), 8, problems)
        if not v["price"]:
            problems.append(_("The price is missing."))
        else:
            new["price"] = _amount(v["price"], N_("Price"), problems, parse_money)
        stock = _stock(v["stock"], problems) if v.get("stock") else None
        bin_ = _text(v["bin"], N_("Bin"), 20, problems) if v.get("bin") else None
        level = levels.get(old["id"]) if old is not None else None
        if stock is not None and level is not None and stock < level["reserved"]:
            problems.append(_("Stock {stock} is less than the {reserved} reserved for open orders.").format(
                stock=stock, reserved=level["reserved"]))
        if problems:
            rejected.append(Rejected(row, number, " ".join(problems)))
            continue
        fields = [k for k in _PART_COLUMNS if k in new and (old is None or new[k] != old[k])]
        on_hand = level["on_hand"] if level else Decimal(0)
        if stock is not None and stock != on_hand:
            fields.append("stock")
            moves += 1
        if bin_ is not None and bin_ != (level["bin"] if level else ""):
            fields.append("bin")
        if old is None:
            added.append((row, number))
            out.inserts.append({"number": number, "name": new["name"], "name_en": new.get("name_en", ""),
                                "category": new.get("category", ""), "unit": new.get("unit", "pc"),
                                "price": new["price"], "active": True})
        elif fields:
            changed.append(Changed(row, number, tuple(fields)))
            if any(k in _PART_COLUMNS for k in fields):
                out.updates.append({**{k: old[k] for k in _PART_COLUMNS}, **new, "id": old["id"]})
        else:
            unchanged += 1
            continue
        if "stock" in fields or "bin" in fields:
            out.stock.append((number, stock if "stock" in fields else None, bin_ if "bin" in fields else None))
    out.report = ImportReport("parts", name, len(sheet.rows), tuple(added), tuple(changed), unchanged,
                              tuple(rejected), stock_moves=moves)
    return out


def _plan_labor(session: Session, name: str, sheet: Sheet, columns: dict[str, int],
                progress: Progress | None) -> _Plan:
    ops = _existing_labor(session)
    out = _Plan(ImportReport("labor", name, len(sheet.rows)))
    added: list[tuple[int, str]] = []
    changed: list[Changed] = []
    rejected: list[Rejected] = []
    unchanged = 0
    seen: dict[str, int] = {}
    ticker = _Ticker(progress, STAGE_CHECK, len(sheet.rows))
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        ticker.tick(done)
        v = _cells(cells, columns)
        problems: list[str] = []
        code = unicodedata.normalize("NFKC", v["code"]).strip().upper()
        if not code:
            problems.append(_("The labor code is missing."))
        elif len(code) > 20:
            problems.append(_("{field} is longer than {n} characters.").format(field=_("Labor code"), n=20))
        elif code in seen:
            problems.append(_("Labor code {code} is also on row {row}.").format(code=code, row=seen[code]))
        else:
            seen[code] = row
        old = ops.get(code)
        new: dict[str, Any] = {}
        if v.get("name"):
            new["name"] = _text(v["name"], N_("Operation name"), 120, problems)
        elif old is None:
            problems.append(_("The name is missing (a new labor operation needs one)."))
        if v.get("name_en"):
            new["name_en"] = _text(v["name_en"], N_("English name"), 200, problems)
        if v.get("category"):
            new["category"] = _text(v["category"], N_("Category"), 40, problems)
        if v.get("models"):
            new["models"] = _text(v["models"], N_("Models"), 200, problems)
        if v.get("safety"):
            new["safety"] = _yes_no(v["safety"], problems)
        if not v["std_hours"]:
            problems.append(_("The standard hours are missing."))
        else:
            new["std_hours"] = _amount(v["std_hours"], N_("Standard hours"), problems, parse_hours)
        if problems:
            rejected.append(Rejected(row, code, " ".join(problems)))
            continue
        if old is None:
            added.append((row, code))
            out.inserts.append({"code": code, "name": new["name"], "name_en": new.get("name_en", ""),
                                "category": new.get("category", ""), "std_hours": new["std_hours"],
                                "models": new.get("models", ""), "safety": new.get("safety", False), "active": True})
            continue
        fields = [k for k in _LABOR_COLUMNS if k in new and new[k] != old[k]]
        if fields:
            changed.append(Changed(row, code, tuple(fields)))
            out.updates.append({**{k: old[k] for k in _LABOR_COLUMNS}, **new, "id": old["id"]})
        else:
            unchanged += 1
    out.report = ImportReport("labor", name, len(sheet.rows), tuple(added), tuple(changed), unchanged,
                              tuple(rejected))
    return out


# Dry run and commit -----------------------------------------------------------------------------


def dry_run(services: Services, actor: Actor, kind: Kind, path: Path | str,
            progress: Progress | None = None) -> ImportReport:
    """What importing ``path`` would do; reads only."""
    require(actor, "catalog.import")
    with services.db.reader() as session:
        return plan(session, actor.store_id, kind, path, progress).report


@lru_cache(maxsize=65536)
def _initials(name: str) -> str:
    return initials(name)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start:start + _CHUNK]


@service("catalog.import")
def import_catalog(tx: Tx, kind: Kind, path: Path | str, progress: Progress | None = None) -> ImportReport:
    """Upsert the whole file in this one transaction, or nothing when any row is rejected."""
    work = plan(tx.session, tx.actor.store_id, kind, path, progress)
    report = work.report
    if not report.ok:
        raise ImportRejected(report)
    total = len(work.inserts) + len(work.updates) + len(work.stock)
    ticker = _Ticker(progress, STAGE_WRITE, total)
    done = 0
    conn = tx.session.connection()
    model = Part if kind == "parts" else LaborOperation
    table = model.__table__
    for chunk in _chunks(work.inserts):
        for row in chunk:
            row["initials"] = _initials(row["name"])
        conn.execute(insert(table), chunk)
        done += len(chunk)
        ticker.report(done)
    if work.updates:
        columns = _PART_COLUMNS if kind == "parts" else _LABOR_COLUMNS
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({c: bindparam(f"b_{c}") for c in (*columns, "initials")}))
        for chunk in _chunks(work.updates):
            params = []
            for row in chunk:
                p = {f"b_{c}": row[c] for c in columns}
                p["b_id"] = row["id"]
                p["b_initials"] = _initials(row["name"])
                params.append(p)
            conn.execute(statement, params)
            done += len(chunk)
            ticker.report(done)
    if work.stock:
        _write_stock(tx, work.stock)
        done += len(work.stock)
    if progress is not None:
        progress(STAGE_WRITE, total, total)
    report = ImportReport(report.kind, report.file, report.rows, report.added, report.changed, report.unchanged,
                          stock_moves=report.stock_moves, committed=True)
    tx.audit("catalog_import", None, after={
        "kind": kind, "file": report.file, "rows": report.rows, "added": len(report.added),
        "changed": len(report.changed), "unchanged": report.unchanged, "stock_movements": report.stock_moves,
    })
    return report


def _write_stock(tx: Tx, stock: list[tuple[str, Decimal | None, str | None]]) -> None:
    """Set on-hand and bins of this store, with a movement for every change of on-hand."""
    conn = tx.session.connection()
    store_id = tx.actor.store_id
    wanted = {number for number, _q, _b in stock}
    ids = {n: i for i, n in conn.execute(select(Part.id, Part.number)) if n in wanted}
    levels = {pid: (lid, on_hand) for lid, pid, on_hand in conn.execute(
        select(StockLevel.id, StockLevel.part_id, StockLevel.on_hand).where(StockLevel.store_id == store_id))}
    new_levels: list[dict[str, Any]] = []
    level_updates: list[dict[str, Any]] = []
    bin_updates: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for number, qty, bin_ in stock:
        part_id = ids[number]
        level = levels.get(part_id)
        on_hand = level[1] if level else Decimal(0)
        if qty is not None and qty != on_hand:
            moves.append({"store_id": store_id, "part_id": part_id, "kind": StockMovementKind.ADJUST,
                          "qty": qty - on_hand, "order_id": None, "part_line_id": None, "reason": IMPORT_REASON,
                          "user_id": tx.actor.user_id, "at": tx.now})
        if level is None:
            new_levels.append({"store_id": store_id, "part_id": part_id, "on_hand": qty if qty is not None else Decimal(0),
                               "reserved": Decimal(0), "bin": bin_ or "", "version": 1})
        elif qty is not None:
            level_updates.append({"b_id": level[0], "b_on_hand": qty, **({"b_bin": bin_} if bin_ is not None else {})})
        else:
            bin_updates.append({"b_id": level[0], "b_bin": bin_})
    t = StockLevel.__table__
    for chunk in _chunks(new_levels):
        conn.execute(insert(t), chunk)
    with_bin = [u for u in level_updates if "b_bin" in u]
    without_bin = [u for u in level_updates if "b_bin" not in u]
    bump = {"version": t.c.version + 1}
    if with_bin:
        conn.execute(update(t).where(t.c.id == bindparam("b_id"))
                     .values(on_hand=bindparam("b_on_hand"), bin=bindparam("b_bin"), **bump), with_bin)
    if without_bin:
        conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(on_hand=bindparam("b_on_hand"), **bump),
                     without_bin)
    if bin_updates:
        conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(bin=bindparam("b_bin"), **bump), bin_updates)
    for chunk in _chunks(moves):
        conn.execute(insert(StockMovement.__table__), chunk)


def template_header(kind: Kind) -> list[str]:
    """The headers an export writes (and the importer reads), in the current language."""
    return [_(f.title) for f in FIELDS[kind]]


__all__ = [
    "FIELDS",
    "FIELD_TITLE",
    "KINDS",
    "Changed",
    "FileProblem",
    "ImportRejected",
    "ImportReport",
    "Rejected",
    "Sheet",
    "cell_text",
    "decode",
    "dry_run",
    "import_catalog",
    "map_columns",
    "plan",
    "read_sheet",
    "template_header",
]
