"""Loading a maker's parts price list or labor-time table from the dealer's own CSV or XLSX file.

A dealer's files come from Excel, in Chinese or English, so the columns are found by their
header names (``配件编号``, ``Part number``, ``单价``…: :data:`PART_FIELDS`, :data:`LABOR_FIELDS`);
a header nobody knows is an error naming it, so a mistyped column is never silently dropped.
CSV files may be UTF-8 (with or without Excel's byte-order mark) or GBK (what Chinese Excel
saves): the bytes decide. Row numbers are the spreadsheet's (the header is row 1).

The same plan serves both modes. A dry run (:func:`dry_run`) reads the catalog and says per
row what would be added, changed (and which fields), left alone or rejected and why. The
commit (:func:`import_catalog`, action ``catalog.import``) makes that plan the same way —
reading the file and checking every row before its transaction, so SQLite's write lock is
held only to apply it — and writes it only when *no* row is rejected: a bad row never
half-imports a file (:class:`ImportRejected` carries the report). The write is an idempotent
upsert keyed by part number / labor code: importing the same file again finds nothing to change.

A file is a stranger's: cells holding control characters or bidi controls are rejected rows
(the text rule of ``validation.check_text``, so the dry run refuses what the database or a
terminal would choke on), and a workbook is streamed and checked against :class:`Limits`
(rows, columns, cell length, unpacked size, compression ratio) before it is read, so an XLSX
bomb is refused in a moment instead of taking gigabytes.

Rules a file follows:

- The key column and the price (parts) or standard hours (labor) column are required;
  other columns are optional, and a column missing from the file leaves that field alone.
- A blank cell never changes anything: a blank name, unit, English name, category, bin,
  models, safety or stock keeps what the catalog has (a new record gets the defaults: unit
  "pc", no stock; it needs a name). A blank price (parts) or standard hours (labor) is a
  rejected row: that is the figure a price list is for.
- Stock is this store's on-hand quantity. Setting it records a stock movement (kind
  ``adjust``, reason ``import``) for the difference, so stock still equals its movements.

Speed and memory (``benchmarks/import_memory.py``: a 200 000-part list, added and then every
price changed): the rows are checked in Python a batch at a time, against the catalog records
and this store's stock levels of that batch's numbers only (one query per batch), and the
writes are a few executemany statements per chunk of rows — no ORM object per row. What the
plan holds until it is written is kept compact: the writes pickled a chunk at a time, the
report's rows as arrays. Spreadsheet numbers arrive as floats from openpyxl; they are turned
into their shortest decimal text before any parsing, so prices stay exact ``Decimal``.

The audit event of an import (``catalog_import``) records the file's name and SHA-256, and how
many rows it added, changed and left alone, and the stock movements it made.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import pickle
import re
import unicodedata
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar, overload
from xml.etree import ElementTree

from sqlalchemy import Executable, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import LaborOperation, Part, StockLevel, StockMovement, Store
from frontdesk.model.enums import StockMovementKind

from . import sanbao
from .catalog import initials
from .context import Actor, Services, Tx, require, service
from .errors import ValidationError
from .money import parse_hours, parse_money
from .spreadsheet_cells import unguard  # an exported CSV's "'-…" cells read back as written
from .validation import text_problem

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
    # 三包 (services/sanbao.py): the car's system, by code or name; a new operation without one follows its category.
    Field("system", N_("Vehicle system"), ("系统", "车辆系统", "所属系统", "system", "vehicle system")),
)

FIELDS: dict[Kind, tuple[Field, ...]] = {"parts": PART_FIELDS, "labor": LABOR_FIELDS}

# Field names as a report shows them (the changed fields of a row).
FIELD_TITLE: dict[str, str] = {f.key: f.title for f in PART_FIELDS + LABOR_FIELDS}
_TITLES: dict[Kind, dict[str, str]] = {kind: {f.key: f.title for f in fields} for kind, fields in FIELDS.items()}

_YES = frozenset({"1", "y", "yes", "true", "是", "√", "✓", "x"})
_NO = frozenset({"0", "n", "no", "false", "否", "-"})


# The report -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int  # the spreadsheet's row number (header = 1)
    key: str  # part number / labor code as read ("" when missing)
    reason: str  # translated


@dataclass(frozen=True, slots=True)
class Changed:
    row: int
    key: str
    fields: tuple[str, ...]  # field keys (FIELD_TITLE gives their names)


T = TypeVar("T")


class _Compact(Sequence[T], Generic[T]):
    """A report's list of rows, kept as arrays: a 200 000-row file lists 200 000 of them.

    A tuple of (row, key) tuples or of :class:`Changed` took 65 to 95 bytes a row besides the
    key; here a row costs its key and a few bytes. It reads, and compares equal, as the tuple
    of its items.
    """

    __slots__ = ("_keys", "_rows")

    def __init__(self) -> None:
        self._rows = array("i")
        self._keys: list[str] = []

    def _item(self, index: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self._item(i) for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class AddedRows(_Compact[tuple[int, str]]):
    """(row, key) of each row that adds a record."""

    __slots__ = ()

    def append(self, row: int, key: str) -> None:
        self._rows.append(row)
        self._keys.append(key)

    def _item(self, index: int) -> tuple[int, str]:
        return self._rows[index], self._keys[index]


class ChangedRows(_Compact[Changed]):
    """The rows that change a record, each with its changed fields (a few combinations, held once)."""

    __slots__ = ("_fields", "_index", "_kinds")

    def __init__(self) -> None:
        super().__init__()
        self._kinds = array("H")
        self._fields: list[tuple[str, ...]] = []
        self._index: dict[tuple[str, ...], int] = {}

    def append(self, row: int, key: str, fields: tuple[str, ...]) -> None:
        kind = self._index.get(fields)
        if kind is None:
            kind = self._index[fields] = len(self._fields)
            self._fields.append(fields)
        self._rows.append(row)
        self._keys.append(key)
        self._kinds.append(kind)

    def _item(self, index: int) -> Changed:
        return Changed(self._rows[index], self._keys[index], self._fields[self._kinds[index]])


@dataclass(frozen=True)
class ImportReport:
    kind: Kind
    file: str  # the file's name
    rows: int  # data rows read (blank rows skipped)
    added: Sequence[tuple[int, str]] = ()  # (row, key)
    changed: Sequence[Changed] = ()
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


@dataclass(frozen=True)
class Limits:
    """The most an import file may hold; beyond any of it the file is refused, with the reason.

    A price list is a few columns of short text, so a file bigger than that is a mistake
    or an attack (a 0.9 MB workbook can unpack to millions of rows and gigabytes). The
    defaults take a real 200 000-row price list with room to spare — its workbook unpacks to
    about 65 MB — and keep any import under 300 MB of memory (``benchmarks/import_memory.py``
    measures both bombs, that list, a price update of it, and a text table at its limits).
    """

    rows: int = 250_000  # spreadsheet rows, header included: a 200 000-part list and a quarter more
    columns: int = 64  # a price list has at most 8 known columns
    cell_chars: int = 1_000  # the longest field is 200 characters; a longer cell is not a catalog's
    unpacked_bytes: int = 160 * 2**20  # the workbook unzipped, every part
    # xl/sharedStrings.xml, which openpyxl holds whole (at ~170 bytes a string whatever its length): a real
    # 200 000-part list has up to 4 text columns of its own, 800 000 strings and ~25 MB at most.
    shared_strings_bytes: int = 32 * 2**20
    shared_strings: int = 1_000_000
    part_bytes: int = 16 * 2**20  # any other XML part but the worksheets (styles…), parsed whole
    ratio: int = 100  # unzipped / zipped size of a part above 1 MB (real sheets: 5 to 30)
    text_bytes: int = 64 * 2**20  # a CSV file (read whole; a 200 000-row CSV has ~15 MB)


LIMITS = Limits()
_RATIO_FLOOR = 2**20  # small parts compress as they like


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


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time (a StringIO would copy the whole text at 4 bytes a character)."""
    sep = "\n" if "\n" in text or "\r" not in text else "\r"  # a file saved with bare CRs (old Macs)
    start = 0
    while start < len(text):
        end = text.find(sep, start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _csv_rows(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return ([unguard(cell) for cell in row] for row in csv.reader(_lines(text), delimiter=delimiter))


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}" if size >= 2**20 else f"{size / 2**20:.2f}"


def check_archive(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse a workbook whose parts unpack beyond the limits, before openpyxl reads any of it.

    The sizes are the zip directory's; Python's zipfile never hands out more than a part's
    declared size (and checks its CRC), so a part that lies about its size cannot unpack more.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise FileProblem(_("Not a readable Excel workbook: {error}").format(error=exc)) from exc
    total = sum(p.file_size for p in parts)
    if total > limits.unpacked_bytes:
        raise FileProblem(_("The workbook unpacks to {size} MB; at most {limit} MB can be imported. "
                            "Split the list into smaller files.").format(size=_mb(total), limit=_mb(limits.unpacked_bytes)))
    for part in parts:
        name = part.filename.lower()
        if part.file_size > _RATIO_FLOOR and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise FileProblem(_("The workbook's part {part} unpacks to {ratio} times its packed size (a real "
                                "spreadsheet stays under {limit}): it looks built to exhaust memory.").format(
                part=part.filename, ratio=part.file_size // max(part.compress_size, 1), limit=limits.ratio))
        if name.endswith("sharedstrings.xml"):
            if part.file_size > limits.shared_strings_bytes:
                raise FileProblem(_("The workbook's text table ({part}) unpacks to {size} MB; at most {limit} MB "
                                    "can be imported.").format(part=part.filename, size=_mb(part.file_size),
                                                               limit=_mb(limits.shared_strings_bytes)))
            if _count_strings(path, part) > limits.shared_strings:
                raise FileProblem(_("The workbook's text table ({part}) holds more than {n} texts.").format(
                    part=part.filename, n=limits.shared_strings))
        elif not name.startswith("xl/worksheets/") and name.endswith((".xml", ".rels")) \
                and part.file_size > limits.part_bytes:
            raise FileProblem(_("The workbook's part {part} unpacks to {size} MB; at most {limit} MB can be "
                                "imported.").format(part=part.filename, size=_mb(part.file_size),
                                                    limit=_mb(limits.part_bytes)))


_STRING_TAG = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")


def _count_strings(path: Path, part: zipfile.ZipInfo) -> int:
    """How many strings the text table holds, counted by streaming it (bounded by its checked size)."""
    count = 0
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            count += len(_STRING_TAG.findall(data, 0, max(len(data) - 32, 0)))
            tail = data[max(len(data) - 32, 0):]
        count += len(_STRING_TAG.findall(tail))
    return count


def _too_many_rows(limits: Limits) -> FileProblem:
    return FileProblem(_("The sheet has more than {n} rows; split it into smaller files.").format(n=limits.rows))


def _too_many_columns(limits: Limits) -> FileProblem:
    return FileProblem(_("The sheet has more than {n} columns.").format(n=limits.columns))


def _text_table(source: Any) -> list[str]:
    """The workbook's shared strings, as openpyxl reads them but dropping each one's XML as it goes.

    openpyxl's own reader clears each ``<si>`` element but leaves it in the tree until the end:
    a million texts (within the limits) held a million empty elements, 65 MB more than the
    texts themselves.
    """
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS

    tag, plain = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    strings: list[str] = []
    root = None
    for event, node in ElementTree.iterparse(source, events=("start", "end")):
        if root is None:
            root = node
        elif event == "end" and node.tag == tag:
            if len(node) == 1 and node[0].tag == plain:  # <si><t>text</t></si>, what nearly every text is
                text = node[0].text or ""
            else:  # rich text runs, phonetic guides: openpyxl's reading of them
                text = Text.from_tree(node).content
            strings.append(text.replace("x005F_", ""))
            root.clear()  # every <si> is a child of the root <sst>: this one, read, and none before it
    return strings


def _load_workbook(path: Path) -> Any:
    """openpyxl's ``load_workbook(path, read_only=True, data_only=True)`` with a leaner text table (:func:`_text_table`)."""
    from openpyxl.reader.excel import ExcelReader  # only when a workbook is read
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            found = self.package.find(SHARED_STRINGS)
            if found is not None:
                with self.archive.open(found.PartName[1:]) as source:
                    self.shared_strings = _text_table(source)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _xlsx_open(path: Path, limits: Limits) -> tuple[Iterator[list[str]], int]:
    """The first sheet's rows, streamed (openpyxl read-only), and how many it declares.

    Within the limits: checked before reading where the file declares them (its parts' sizes,
    the sheet's dimension), and while reading where it may lie or not say.
    """
    check_archive(path, limits)
    try:
        book = _load_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise FileProblem(_("Not a readable Excel workbook: {error}").format(error=exc)) from exc
    sheet = book.worksheets[0]
    declared = sheet.max_row or 0  # the declared dimension (absent or wrong in some files)
    if declared > limits.rows:
        book.close()
        raise _too_many_rows(limits)
    if (sheet.max_column or 0) > limits.columns:
        book.close()
        raise _too_many_columns(limits)

    def rows() -> Iterator[list[str]]:
        try:
            # As wide as the declared dimension (checked above) or, undeclared, as a row's last cell: the
            # first row with a cell past the limit is refused (_numbered).
            values = sheet.iter_rows(values_only=True, max_row=limits.rows + 1)
            while True:
                try:
                    row = next(values, None)
                except Exception as exc:  # a broken part found half way (bad XML, a bad CRC)
                    raise FileProblem(_("Not a readable Excel workbook: {error}").format(error=exc)) from exc
                if row is None:
                    return
                yield [v.strip() if type(v) is str else cell_text(v) for v in row]  # texts: most cells, inline
        finally:
            book.close()

    return rows(), declared


@dataclass
class OpenSheet:
    """A file's header, and its numbered non-blank rows as they are read (once)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # raises FileProblem when the file passes a limit half way
    estimate: int  # how many rows to expect (for progress): what the file declares or its line count


@contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    """Whatever goes wrong reading ``path`` as one translated :class:`FileProblem`."""
    try:
        yield
    except FileNotFoundError:
        raise FileProblem(_("No such file: {path}").format(path=path)) from None
    except IsADirectoryError:
        raise FileProblem(_("This is a folder, not a file: {path}").format(path=path)) from None
    except OSError as exc:
        raise FileProblem(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    except ValueError as exc:  # a NUL in the path
        raise FileProblem(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
    except csv.Error as exc:
        raise FileProblem(_("Not a readable CSV file: {error}").format(error=exc)) from exc


_SAME_MOST = 4096


def _numbered(rows: Iterable[list[str]], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows with their spreadsheet numbers (the header first), cells stripped, within the limits."""
    width = limits.columns  # then the header's: cells right of it are nobody's column (ignored, as ever)
    # Short texts repeat (units, bins, stock): one object each. Emptied when full, as prices are mostly
    # all different: held for the whole file, they took 20 MB of a 200 000-row list.
    same: dict[str, str] = {}
    header = True
    for number, cells in enumerate(rows, start=1):
        if number > limits.rows:
            raise _too_many_rows(limits)
        if len(cells) > limits.columns and any(cells[limits.columns:]):
            raise _too_many_columns(limits)
        cells = [c.strip() for c in cells[:width]]
        if not any(cells):
            continue
        for index, cell in enumerate(cells):
            if len(cell) > limits.cell_chars:
                raise FileProblem(_("Row {row}, column {column}: a cell holds {n} characters; at most {limit} "
                                    "can be imported.").format(row=number, column=index + 1, n=len(cell),
                                                               limit=limits.cell_chars))
            if len(cell) <= 12:
                if len(same) >= _SAME_MOST:
                    same.clear()
                cells[index] = same.setdefault(cell, cell)
        if header:  # blank rows above it are skipped; numbers stay the spreadsheet's
            while not cells[-1]:
                cells.pop()
            width = len(cells)
            header = False
        yield number, cells


def _guarded(rows: Iterator[tuple[int, list[str]]], path: Path) -> Iterator[tuple[int, list[str]]]:
    with _file_errors(path):
        yield from rows


def open_sheet(path: Path | str, limits: Limits = LIMITS) -> OpenSheet:
    """The first sheet (XLSX) or the CSV: its header now, its rows as they are read.

    Within ``limits`` (:class:`Limits`), or a :class:`FileProblem` saying which one — before
    anything is read where the file lets that be known, as soon as it is passed otherwise.
    Streamed, so an import holds the plan it makes, never the whole file as well.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise FileProblem(_("Import a .csv or .xlsx file."))
    with _file_errors(path):
        if suffix in (".xlsx", ".xlsm"):
            raw, estimate = _xlsx_open(path, limits)
        else:
            size = path.stat().st_size
            if size > limits.text_bytes:
                raise FileProblem(_("The file has {size} MB; at most {limit} MB can be imported. Split the list "
                                    "into smaller files.").format(size=_mb(size), limit=_mb(limits.text_bytes)))
            text = decode(path.read_bytes())
            estimate = text.count("\n")
            raw = _csv_rows(text)
            del text
        rows = _guarded(_numbered(raw, limits), path)
        first = next(rows, None)
    if first is None:
        raise FileProblem(_("The file is empty."))
    return OpenSheet(first[1], rows, max(estimate - first[0], 0))


def read_sheet(path: Path | str, limits: Limits = LIMITS) -> Sheet:
    """The first sheet (XLSX) or the CSV as header + numbered non-blank rows, cells stripped text (all read)."""
    opened = open_sheet(path, limits)
    return Sheet(opened.header, list(opened.rows))


def normalise(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = text.lstrip("*").rstrip(":：*").strip()
    return re.sub(r"\s+", " ", text)


def _without_unit(header: str) -> str:
    """"单价(元)" -> "单价", "price (cny)" -> "price"."""
    return re.sub(r"\s*[(\[（【][^)\]）】]*[)\]）】]$", "", header)


def match_columns(fields: Sequence[Field], header: list[str], *,
                  units: bool = True) -> tuple[dict[str, int], list[str]]:
    """Field key -> column index, and the file-level errors (unknown, doubled or missing columns).

    One reading of a header for every import (catalog, packages, campaigns), so a header is accepted — or
    refused with the same words — alike in each; ``units`` also reads "单价(元)" as "单价".
    """
    lookup: dict[str, str] = {}
    for f in fields:
        for alias in (*f.aliases, f.title, _(f.title)):
            lookup.setdefault(normalise(alias), f.key)
    columns: dict[str, int] = {}
    errors: list[str] = []
    titles = {f.key: f.title for f in fields}
    for index, raw in enumerate(header):
        name = normalise(raw)
        if not name:
            continue  # an unnamed column (Excel's trailing empties) is ignored
        key = lookup.get(name) or (lookup.get(_without_unit(name)) if units else None)
        if key is None:
            errors.append(_("Unknown column \"{name}\" (column {n}).").format(name=raw, n=index + 1))
        elif key in columns:
            errors.append(_("Two columns mean {field}: \"{a}\" and \"{b}\".").format(
                field=_(titles[key]), a=header[columns[key]], b=raw))
        else:
            columns[key] = index
    for f in fields:
        if f.required and f.key not in columns:
            errors.append(_("The file has no {field} column.").format(field=_(f.title)))
    return columns, errors


def map_columns(kind: Kind, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field key -> column index, and the file-level errors (unknown, doubled or missing columns)."""
    return match_columns(FIELDS[kind], header)


# Checking rows ----------------------------------------------------------------------------------


def _text(value: str, title: str, max_len: int, problems: list[str]) -> str:
    if len(value) > max_len:
        problems.append(_("{field} is longer than {n} characters.").format(field=_(title), n=max_len))
    return value


@lru_cache(maxsize=4096)
def _parsed(parse: Callable[[str, str], Decimal], value: str, title: str) -> Decimal:
    """Stock counts and many prices repeat down a list: one Decimal each, not one per row (memory)."""
    return parse(value, title)


def _amount(value: str, title: str, problems: list[str], parse: Callable[[str, str], Decimal]) -> Decimal | None:
    try:
        return _parsed(parse, value, title)
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


class _Spool(Generic[T]):
    """Rows a plan holds until they are written, pickled a chunk at a time.

    A price update plans 200 000 row updates, and as tuples of Python objects (an id, a
    ``Decimal``…) they took 45 MB; pickled, a chunk of them is a few bytes a row. The bytes are
    made by this process and read back by it only, never from a file.
    """

    def __init__(self) -> None:
        self._sealed: list[bytes] = []
        self._open: list[T] = []
        self._count = 0

    def append(self, row: T) -> None:
        self._open.append(row)
        self._count += 1
        if len(self._open) >= _CHUNK:
            self._sealed.append(pickle.dumps(self._open, pickle.HIGHEST_PROTOCOL))
            self._open = []

    def __len__(self) -> int:
        return self._count

    def chunks(self) -> Iterator[list[T]]:
        """The rows, a chunk at a time, in the order they came (may be read again)."""
        for sealed in self._sealed:
            yield pickle.loads(sealed)  # this process's own bytes (see the class)
        if self._open:
            yield self._open


# Parts: (number, name, name_en, category, unit, price, on_hand or None, bin or None).
# Labor: (code, name, name_en, category, std_hours, models, safety, system).
Insert = tuple[Any, ...]
# (id, the changed values in the order of _PART/_LABOR_COLUMNS, None where a value stays)
Update = tuple[Any, ...]
# A part already in the catalog: (part id, this store's level id or None, on_hand before, new on_hand or None,
# new bin or None).
Level = tuple[int, "int | None", Decimal, "Decimal | None", "str | None"]


@dataclass
class _Plan:
    report: ImportReport
    inserts: _Spool[Insert] = field(default_factory=_Spool)
    updates: _Spool[Update] = field(default_factory=_Spool)
    stock: _Spool[Level] = field(default_factory=_Spool)  # parts only
    digest: str = ""  # SHA-256 of the file, for the audit event


_PART_COLUMNS = ("name", "name_en", "category", "unit", "price")
_LABOR_COLUMNS = ("name", "name_en", "category", "std_hours", "models", "safety", "system")
_INSERT_COLUMNS: dict[Kind, tuple[str, ...]] = {"parts": ("number", *_PART_COLUMNS), "labor": ("code", *_LABOR_COLUMNS)}


# The catalog a plan compares with is read a batch of rows at a time, for the numbers (codes) of that batch
# only: a price update compares every part, and the whole catalog held at once took 85 MB for 200 000 parts.
_BATCH = 1000  # rows decided together: one query for their records (parameters well within every driver's limit)

# Runs a query (with its parameters) where the plan reads the catalog: a short read of its own outside the
# write lock, or the write transaction's session when the plan is made there.
Fetch = Callable[[Executable, dict[str, Any]], Iterable[Any]]


class _OldPart(NamedTuple):
    """A part and this store's stock level of it (``level_id`` None: none yet)."""

    id: int
    name: str
    name_en: str
    category: str
    unit: str
    price: Decimal
    level_id: int | None
    on_hand: Decimal
    reserved: Decimal
    bin: str


class _OldLabor(NamedTuple):
    id: int
    name: str
    name_en: str
    category: str
    std_hours: Decimal
    models: str
    safety: bool
    system: str | None


def _parts_query(store_id: int) -> Executable:
    return (select(Part.id, Part.number, Part.name, Part.name_en, Part.category, Part.unit, Part.price,
                   StockLevel.id, StockLevel.on_hand, StockLevel.reserved, StockLevel.bin)
            .outerjoin(StockLevel, (StockLevel.part_id == Part.id) & (StockLevel.store_id == store_id))
            .where(Part.number.in_(bindparam("keys", expanding=True))))


_LABOR_QUERY = select(LaborOperation.id, LaborOperation.code, LaborOperation.name, LaborOperation.name_en,
                      LaborOperation.category, LaborOperation.std_hours, LaborOperation.models,
                      LaborOperation.safety, LaborOperation.system
                      ).where(LaborOperation.code.in_(bindparam("keys", expanding=True)))


def _existing_parts(fetch: Fetch, query: Executable, numbers: Iterable[str]) -> dict[str, _OldPart]:
    keys = list(dict.fromkeys(n for n in numbers if n))
    if not keys:
        return {}
    zero = Decimal(0)
    return {number: _OldPart(pid, name, en or "", cat or "", unit, price, lid, on_hand if lid else zero,
                             reserved if lid else zero, bin_ or "")
            for pid, number, name, en, cat, unit, price, lid, on_hand, reserved, bin_ in fetch(query, {"keys": keys})}


def _existing_labor(fetch: Fetch, codes: Iterable[str]) -> dict[str, _OldLabor]:
    keys = list(dict.fromkeys(c for c in codes if c))
    if not keys:
        return {}
    return {code: _OldLabor(oid, name, en or "", cat or "", hours, models or "", safety, system)
            for oid, code, name, en, cat, hours, models, safety, system in fetch(_LABOR_QUERY, {"keys": keys})}


def _short_reads(services: Services) -> Fetch:
    """Each batch's query in a short read of its own: no transaction stays open while the file is read."""
    def fetch(query: Executable, params: dict[str, Any]) -> Sequence[Any]:
        with services.db.reader() as session:
            return session.connection().execute(query, params).all()
    return fetch


def _in_session(session: Session) -> Fetch:
    def fetch(query: Executable, params: dict[str, Any]) -> Iterable[Any]:
        return session.connection().execute(query, params)
    return fetch


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

    def finish(self, done: int) -> None:
        """The end: the count is known now (the total was the file's estimate)."""
        if self.total != done:
            self.total = done
            self.report(done)


@dataclass
class _File:
    """A file opened and its columns found; its rows are read while they are planned."""

    kind: Kind
    name: str
    sheet: OpenSheet | None = None
    columns: dict[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    digest: str = ""


def _digest(path: Path | str) -> str:
    with open(Path(path).expanduser(), "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def open_file(kind: Kind, path: Path | str, progress: Progress | None = None, limits: Limits = LIMITS) -> _File:
    """Open the file and map its header; no database involved."""
    name = Path(path).name
    if kind not in KINDS:
        raise ValidationError("kind", _("Import parts or labor."))
    if progress is not None:
        progress(STAGE_READ, 0, 0)
    try:
        sheet = open_sheet(path, limits)
        with _file_errors(Path(path)):
            digest = _digest(path)
    except FileProblem as exc:
        return _File(kind, name, errors=(str(exc),))
    columns, errors = map_columns(kind, sheet.header)
    return _File(kind, name, sheet, columns, tuple(errors), digest)


def _decide(fetch: Fetch, store_id: int, file: _File, progress: Progress | None) -> _Plan:
    """Every row of the file against the catalog ``fetch`` reads, reading the rows as it goes."""
    if file.errors or file.sheet is None:
        return _Plan(ImportReport(file.kind, file.name, 0, errors=file.errors))
    try:
        if file.kind == "parts":
            work = _plan_parts(fetch, store_id, file.name, file.sheet, file.columns, progress)
        else:
            work = _plan_labor(fetch, file.name, file.sheet, file.columns, progress)
    except _Unreadable as exc:  # a limit passed, or the file broke, half way
        return _Plan(ImportReport(file.kind, file.name, exc.rows, errors=(str(exc.problem),)))
    work.digest = file.digest
    return work


class _Unreadable(Exception):
    def __init__(self, problem: FileProblem, rows: int) -> None:
        self.problem, self.rows = problem, rows


def _keyed(batch: list[tuple[int, tuple[int, list[str]]]], columns: dict[str, int], key: str,
           ticker: _Ticker) -> tuple[list[tuple[int, dict[str, str], str]], int]:
    """A batch's rows as (row number, cells by column, key folded as the catalog stores it), and the count so far."""
    rows: list[tuple[int, dict[str, str], str]] = []
    done = 0
    for done, (row, cells) in batch:
        ticker.tick(done)
        v = _cells(cells, columns)
        rows.append((row, v, unicodedata.normalize("NFKC", v[key]).strip().upper()))
    return rows, done


def _key_problems(key: str, row: int, seen: dict[str, int], limit: int, missing: str, field: str,
                  also: Callable[[str, int], str]) -> list[str]:
    """The row's key is there, short enough, and on no earlier row of the file (``seen`` remembers them)."""
    if not key:
        return [missing]
    if len(key) > limit:
        return [_("{field} is longer than {n} characters.").format(field=field, n=limit)]
    if key in seen:
        return [also(key, seen[key])]
    seen[key] = row
    return []


def _batches(sheet: OpenSheet) -> Iterator[list[tuple[int, tuple[int, list[str]]]]]:
    """(count, (row number, cells)) as the rows are read, a batch at a time; a FileProblem says how far it got."""
    done = 0
    batch: list[tuple[int, tuple[int, list[str]]]] = []
    try:
        for done, numbered in enumerate(sheet.rows, start=1):
            batch.append((done, numbered))
            if len(batch) == _BATCH:
                yield batch
                batch = []
    except FileProblem as exc:
        raise _Unreadable(exc, done) from exc
    if batch:
        yield batch


def plan(session: Session, store_id: int, kind: Kind, path: Path | str, progress: Progress | None = None,
         limits: Limits = LIMITS) -> _Plan:
    """Read the file and decide every row against the catalog as ``session`` sees it."""
    return _decide(_in_session(session), store_id, open_file(kind, path, progress, limits), progress)


def _refused_text(values: dict[str, str], kind: Kind) -> list[str]:
    """The text rule (validation.check_text) on a row's cells: what the commit's database would refuse or
    a terminal would obey, found by the dry run too. One search per row; per cell only when it finds something."""
    if text_problem("".join(values.values())) is None:
        return []
    titles = _TITLES[kind]
    return [f"{_(titles[key])}: {problem}" for key, value in values.items()
            if (problem := text_problem(value)) is not None]


def _cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()}


def _plan_parts(fetch: Fetch, store_id: int, name: str, sheet: OpenSheet,
                columns: dict[str, int], progress: Progress | None) -> _Plan:
    out = _Plan(ImportReport("parts", name, 0))
    added = AddedRows()
    changed = ChangedRows()
    rejected: list[Rejected] = []
    unchanged = moves = 0
    seen: dict[str, int] = {}
    query = _parts_query(store_id)
    ticker = _Ticker(progress, STAGE_CHECK, sheet.estimate)
    done = 0
    for batch in _batches(sheet):
        rows, done = _keyed(batch, columns, "number", ticker)
        parts = _existing_parts(fetch, query, (number for _r, _v, number in rows))
        for row, v, number in rows:
            problems = _refused_text(v, "parts") + _key_problems(
                number, row, seen, 40, _("The part number is missing."), _("Part number"),
                lambda key, first: _("Part number {number} is also on row {row}.").format(number=key, row=first))
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
            level = old if old is not None and old.level_id is not None else None
            if stock is not None and level is not None and stock < level.reserved:
                problems.append(_("Stock {stock} is less than the {reserved} reserved for open orders.").format(
                    stock=stock, reserved=level.reserved))
            if problems:
                rejected.append(Rejected(row, number, " ".join(problems)))
                continue
            fields = [k for k in _PART_COLUMNS if k in new and (old is None or new[k] != getattr(old, k))]
            on_hand = level.on_hand if level else Decimal(0)
            if stock is not None and stock != on_hand:
                fields.append("stock")
                moves += 1
            if bin_ is not None and bin_ != (level.bin if level else ""):
                fields.append("bin")
            qty = stock if "stock" in fields else None
            new_bin = bin_ if "bin" in fields else None
            if old is None:
                added.append(row, number)
                out.inserts.append((number, new["name"], new.get("name_en", ""), new.get("category", ""),
                                    new.get("unit", "pc"), new["price"], qty, new_bin))
            elif fields:
                changed.append(row, number, tuple(fields))
                if any(k in _PART_COLUMNS for k in fields):
                    out.updates.append((old.id, *[new[k] if k in fields else None for k in _PART_COLUMNS]))
                if qty is not None or new_bin is not None:
                    out.stock.append((old.id, old.level_id, on_hand, qty, new_bin))
            else:
                unchanged += 1
    ticker.finish(done)
    out.report = ImportReport("parts", name, done, added, changed, unchanged, tuple(rejected), stock_moves=moves)
    return out


def _plan_labor(fetch: Fetch, name: str, sheet: OpenSheet, columns: dict[str, int],
                progress: Progress | None) -> _Plan:
    out = _Plan(ImportReport("labor", name, 0))
    added = AddedRows()
    changed = ChangedRows()
    rejected: list[Rejected] = []
    unchanged = 0
    seen: dict[str, int] = {}
    ticker = _Ticker(progress, STAGE_CHECK, sheet.estimate)
    done = 0
    for batch in _batches(sheet):
        rows, done = _keyed(batch, columns, "code", ticker)
        ops = _existing_labor(fetch, (code for _r, _v, code in rows))
        for row, v, code in rows:
            problems = _refused_text(v, "labor") + _key_problems(
                code, row, seen, 20, _("The labor code is missing."), _("Labor code"),
                lambda key, first: _("Labor code {code} is also on row {row}.").format(code=key, row=first))
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
            if v.get("system"):
                try:
                    new["system"] = sanbao.parse_system(v["system"])
                except ValidationError as exc:
                    problems.append(exc.message)
            if not v["std_hours"]:
                problems.append(_("The standard hours are missing."))
            else:
                new["std_hours"] = _amount(v["std_hours"], N_("Standard hours"), problems, parse_hours)
            if problems:
                rejected.append(Rejected(row, code, " ".join(problems)))
                continue
            if old is None:
                added.append(row, code)
                out.inserts.append((code, new["name"], new.get("name_en", ""), new.get("category", ""),
                                    new["std_hours"], new.get("models", ""), new.get("safety", False),
                                    new.get("system") or sanbao.system_of(new.get("category", ""))))
                continue
            fields = [k for k in _LABOR_COLUMNS if k in new and new[k] != getattr(old, k)]
            if fields:
                changed.append(row, code, tuple(fields))
                out.updates.append((old.id, *[new[k] if k in fields else None for k in _LABOR_COLUMNS]))
            else:
                unchanged += 1
    ticker.finish(done)
    out.report = ImportReport("labor", name, done, added, changed, unchanged, tuple(rejected))
    return out


# Dry run and commit -----------------------------------------------------------------------------


def _catalog_seq(session: Session) -> int:
    """A counter that moves whenever anything is written: every service call bumps its store's
    ``change_seq`` (context._call), so while the sum over the stores is the same, nothing a plan read changed."""
    return int(session.scalar(select(func.coalesce(func.sum(Store.change_seq), 0))) or 0)


@dataclass
class _Prepared:
    kind: Kind
    path: str
    seq: int  # _catalog_seq before the plan read the catalog
    work: _Plan


class _Stale(Exception):
    """Something was written between planning and the write transaction: plan again."""


# The plan import_catalog made outside the write lock, handed to the service that writes it.
_PREPARED: ContextVar[_Prepared | None] = ContextVar("frontdesk_import_prepared", default=None)
_ATTEMPTS = 3  # plans made outside the lock before one is made under it (a store busy with writes)


def _prepare(services: Services, actor: Actor, kind: Kind, path: Path | str, progress: Progress | None,
             limits: Limits) -> _Prepared:
    file = open_file(kind, path, progress, limits)
    with services.db.reader() as session:  # a short read: never SQLite's write lock
        # Before any of the catalog: a write committed while the batches are read shows as a new count, and
        # write_import plans again. So the batches, each read on its own, need not share one snapshot.
        seq = _catalog_seq(session)
    return _Prepared(kind, str(path), seq, _decide(_short_reads(services), actor.store_id, file, progress))


def dry_run(services: Services, actor: Actor, kind: Kind, path: Path | str,
            progress: Progress | None = None, limits: Limits = LIMITS) -> ImportReport:
    """What importing ``path`` would do; reads only. The same reading and checks as :func:`import_catalog`."""
    require(actor, "catalog.import")
    return _prepare(services, actor, kind, path, progress, limits).work.report


def import_catalog(services: Services, actor: Actor, kind: Kind, path: Path | str,
                   progress: Progress | None = None, limits: Limits = LIMITS) -> ImportReport:
    """Upsert the whole file in one transaction, or nothing when any row is rejected (:class:`ImportRejected`).

    The file is read and every row checked *before* the write transaction, as the dry run
    does: on SQLite a write transaction holds the store's one write lock, and reading a
    200 000-row workbook takes many seconds in which no other terminal could save (nor
    record a sign-in). The transaction (:func:`write_import`) only applies the plan, after
    one query that tells whether anything was written since the plan read the catalog; if
    so, it is planned again, still outside the lock (a store that never stops writing gets
    its plan made under the lock, as before).
    """
    require(actor, "catalog.import")
    for _attempt in range(_ATTEMPTS):
        prepared: _Prepared | None = None  # a stale plan goes before the next is made: never two at once
        prepared = _prepare(services, actor, kind, path, progress, limits)
        if not prepared.work.report.ok:
            raise ImportRejected(prepared.work.report)
        token = _PREPARED.set(prepared)
        try:
            return write_import(services, actor, kind, path, progress)
        except _Stale:
            continue
        finally:
            _PREPARED.reset(token)
    return write_import(services, actor, kind, path, progress)


@lru_cache(maxsize=4096)  # names repeat in some lists; a cache as big as a list's distinct names would hold them all
def _initials(name: str) -> str:
    return initials(name)


@service("catalog.import")
def write_import(tx: Tx, kind: Kind, path: Path | str, progress: Progress | None = None) -> ImportReport:
    """Write the plan :func:`import_catalog` made (or, called on its own, read and plan the file here).

    A chunk at a time from the plan's spools, in bulk statements (executemany), never an ORM
    object per row: the new records (parts: with their stock and bin), the changed ones, then the
    stock and bins of parts already in the catalog.
    """
    prepared = _PREPARED.get()
    if prepared is not None and prepared.path == str(path) and prepared.kind == kind:
        if _catalog_seq(tx.session) != prepared.seq:  # written meanwhile: rolled back, planned again
            raise _Stale
        work = prepared.work
    else:
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
    keys = _INSERT_COLUMNS[kind]
    for chunk in work.inserts.chunks():
        rows = [{**dict(zip(keys, row)), "initials": _initials(row[1]), "active": True} for row in chunk]
        if kind == "parts" and any(row[6] is not None or row[7] is not None for row in chunk):
            ids = {number: pid for pid, number in conn.execute(insert(table).returning(table.c.id, table.c.number),
                                                                rows)}
            _write_levels(tx, [(ids[row[0]], None, Decimal(0), row[6], row[7]) for row in chunk
                               if row[6] is not None or row[7] is not None])
        else:
            conn.execute(insert(table), rows)
        done += len(chunk)
        ticker.report(done)
    if work.updates:
        columns = _PART_COLUMNS if kind == "parts" else _LABOR_COLUMNS
        # A value the row does not change is passed as NULL and kept (the plan holds only what changes).
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({c: func.coalesce(bindparam(f"b_{c}", type_=table.c[c].type), table.c[c])
                              for c in (*columns, "initials")}))
        names = ("b_id", *[f"b_{c}" for c in columns])
        for chunk in work.updates.chunks():
            conn.execute(statement, [{**dict(zip(names, row)), "b_initials": None if row[1] is None else _initials(row[1])}
                                     for row in chunk])
            done += len(chunk)
            ticker.report(done)
    for levels in work.stock.chunks():
        _write_levels(tx, levels)
        done += len(levels)
        ticker.report(done)
    if progress is not None:
        progress(STAGE_WRITE, total, total)
    report = ImportReport(report.kind, report.file, report.rows, report.added, report.changed, report.unchanged,
                          stock_moves=report.stock_moves, committed=True)
    tx.audit("catalog_import", None, after={
        "kind": kind, "file": report.file, "sha256": work.digest, "rows": report.rows, "added": len(report.added),
        "changed": len(report.changed), "unchanged": report.unchanged, "stock_movements": report.stock_moves,
    })
    return report


def _write_levels(tx: Tx, levels: list[Level]) -> None:
    """Set this store's on-hand and bins of a chunk of parts, with a movement for every change of on-hand.

    What each level holds was read by the plan, and nothing was written since (or the plan was
    made again): no second read of the store's levels here.
    """
    conn = tx.session.connection()
    store_id = tx.actor.store_id
    t = StockLevel.__table__
    bump = {"version": t.c.version + 1}
    new_levels: list[dict[str, Any]] = []
    level_updates: list[dict[str, Any]] = []
    bin_updates: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for part_id, level_id, on_hand, qty, bin_ in levels:
        if qty is not None and qty != on_hand:
            moves.append({"store_id": store_id, "part_id": part_id, "kind": StockMovementKind.ADJUST,
                          "qty": qty - on_hand, "order_id": None, "part_line_id": None, "reason": IMPORT_REASON,
                          "user_id": tx.actor.user_id, "at": tx.now})
        if level_id is None:
            new_levels.append({"store_id": store_id, "part_id": part_id,
                               "on_hand": qty if qty is not None else Decimal(0), "reserved": Decimal(0),
                               "bin": bin_ or "", "version": 1})
        elif qty is not None:
            level_updates.append({"b_id": level_id, "b_on_hand": qty, **({"b_bin": bin_} if bin_ is not None else {})})
        else:
            bin_updates.append({"b_id": level_id, "b_bin": bin_})
    if new_levels:
        conn.execute(insert(t), new_levels)
    with_bin = [u for u in level_updates if "b_bin" in u]
    without_bin = [u for u in level_updates if "b_bin" not in u]
    if with_bin:
        conn.execute(update(t).where(t.c.id == bindparam("b_id"))
                     .values(on_hand=bindparam("b_on_hand"), bin=bindparam("b_bin"), **bump), with_bin)
    if without_bin:
        conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(on_hand=bindparam("b_on_hand"), **bump),
                     without_bin)
    if bin_updates:
        conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(bin=bindparam("b_bin"), **bump),
                     bin_updates)
    if moves:
        conn.execute(insert(StockMovement.__table__), moves)


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
    "LIMITS",
    "Limits",
    "check_archive",
    "import_catalog",
    "map_columns",
    "match_columns",
    "plan",
    "read_sheet",
    "template_header",
    "write_import",
]
