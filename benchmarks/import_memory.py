"""Peak memory of an import: two XLSX bombs, a real-sized price list, and the worst a file within the limits can do.

Issue 15, item 7: a 0.9 MB workbook unpacked to 3 million rows and 2 GB of memory; a 1 MB
shared-string bomb reached 2.1 GB in 10 s. Every import must stay under 300 MB. Each file
is imported (``frontdesk import parts FILE``: read, checked and, for the price list, written)
in a fresh process on an empty store, and its peak resident set (``ru_maxrss``
from ``os.wait4``) is reported, with its wall and CPU time (user + system: on a busy shared
machine the steadier figure to compare). The children run under an address-space cap (2 GB) so a
regression fails its line instead of taking the shared machine down.

    python benchmarks/import_memory.py            # prints one line per file
    python benchmarks/run.py                      # the same lines among the other metrics

The builders are also used by ``tests/test_import_limits.py`` at small sizes.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LIMIT_MB = 300.0
ADDRESS_SPACE_CAP = 2 * 2**30

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _col(n: int) -> str:
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def write_workbook(path: Path, rows: Iterator[str], strings: Iterator[str] = iter(()), *,
                   dimension: str | None = None, rich: bool = False) -> Path:
    """A minimal XLSX whose sheet is the given ``<row>`` elements and whose text table the given strings.

    Written part by part in chunks, so a bomb of hundreds of megabytes is built in little memory.
    ``rich``: each string is the XML inside its ``<si>`` as given (rich-text runs, phonetic guides).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS}>'.encode())
            _chunked(out, (f"<si>{s}</si>" if rich else f"<si><t>{s}</t></si>" for s in strings))
            out.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            out.write((head + "<sheetData>").encode())
            _chunked(out, rows)
            out.write(b"</sheetData></worksheet>")
    return path


def _chunked(out, parts: Iterator[str]) -> None:  # type: ignore[no-untyped-def]
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size > 1 << 20:
            out.write("".join(buffer).encode())
            buffer, size = [], 0
    out.write("".join(buffer).encode())


def _row(number: int, cells: list[tuple[str, str]]) -> str:
    """``cells``: (type, value) — ``s`` a text-table index, ``n`` a number, ``str`` inline text."""
    out = [f'<row r="{number}">']
    for index, (kind, value) in enumerate(cells, start=1):
        ref = f"{_col(index)}{number}"
        if kind == "str":
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif kind == "s":
            out.append(f'<c r="{ref}" t="s"><v>{value}</v></c>')
        else:
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
    out.append("</row>")
    return "".join(out)


HEADER = ["配件编号", "配件名称", "英文名称", "类别", "单位", "单价", "库存", "库位"]


def _header_row() -> str:
    return _row(1, [("str", h) for h in HEADER])


def rows_bomb(path: Path, rows: int = 3_000_000, *, declare: bool = True) -> Path:
    """The issue's first bomb: a tiny workbook of millions of one-cell rows (1 MB for 3 million: rows and
    cells without their optional numbers are all alike, so they compress to nothing)."""
    body = ("<row><c><v>1</v></c></row>" for _n in range(2, rows + 1))
    return write_workbook(path, _chain(_header_row(), body), dimension=f"A1:H{rows}" if declare else None)


def shared_strings_bomb(path: Path, strings: int = 12_000_000) -> Path:
    """The issue's second bomb: a text table of millions of tiny strings, which openpyxl loads whole."""
    return write_workbook(path, iter([_header_row()]), ("A" for _ in range(strings)), dimension="A1:H1")


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


NAMES = ["机油滤清器", "空气滤清器", "空调滤清器", "前刹车片", "后刹车片", "火花塞", "雨刮片", "正时皮带", "水泵", "节温器",
         "氧传感器", "减震器", "刹车盘", "转向拉杆", "球头", "轮毂轴承", "发电机皮带", "蓄电池", "大灯灯泡", "喇叭"]
ENGLISH = ["Oil filter", "Air filter", "Cabin filter", "Front brake pads", "Rear brake pads", "Spark plug", "Wiper blade",
           "Timing belt", "Water pump", "Thermostat", "Oxygen sensor", "Shock absorber", "Brake disc", "Tie rod",
           "Ball joint", "Wheel bearing", "Alternator belt", "Battery", "Headlamp bulb", "Horn"]


def price_list(path: Path, rows: int = 200_000, seed: int = 7, price_rise: int = 0) -> Path:
    """A maker's real-sized price list as Excel saves it: every text in the text table, 8 columns."""
    rnd = random.Random(seed)
    table: list[str] = []
    index: dict[str, int] = {}

    def s(text: str) -> tuple[str, str]:
        if text not in index:
            index[text] = len(table)
            table.append(text)
        return ("s", str(index[text]))

    body = [_row(1, [s(h) for h in HEADER])]
    for n in range(rows):
        k = rnd.randrange(len(NAMES))
        model = rnd.choice(["朗逸", "速腾", "迈腾", "帕萨特", "途观", "宝来"])
        body.append(_row(n + 2, [
            s(f"{rnd.choice('0123456789')}{rnd.randrange(16**6):06X}{rnd.randrange(1000):03d}{n:06d}"),
            s(f"{NAMES[k]}（{model}{rnd.randrange(2008, 2026)}款）"), s(f"{ENGLISH[k]} ({model})"),
            s(rnd.choice(["保养件", "制动", "电气", "底盘", "发动机"])), s(rnd.choice(["个", "套", "只", "条", "升"])),
            ("n", f"{rnd.randrange(5, 5000) + price_rise}.{rnd.randrange(100):02d}"), ("n", str(rnd.randrange(0, 40))),
            s(f"{rnd.choice('ABCDEFGH')}-{rnd.randrange(1, 60):02d}-{rnd.randrange(1, 9)}"),
        ]))
    return write_workbook(path, iter(body), iter(table), dimension=f"A1:H{rows + 1}")


def text_table_at_the_limit(path: Path, size: int | None = None) -> Path:
    """The worst a file within the limits can do to memory: a text table at its limits (size and count),
    of short unique strings (random, so it does not compress past the ratio limit either)."""
    from frontdesk.services.imports import LIMITS

    budget = (size or LIMITS.shared_strings_bytes) - 4096
    most = LIMITS.shared_strings
    rnd = random.Random(3)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

    def strings() -> Iterator[str]:
        used = count = 0
        while used < budget and count < most:
            count += 1
            text = "".join(rnd.choices(alphabet, k=6))
            used += len(text) + len("<si><t></t></si>")
            yield text

    return write_workbook(path, iter([_header_row()]), strings(), dimension="A1:H1")


@dataclass
class Measured:
    name: str
    file_mb: float
    peak_mb: float
    seconds: float
    exit_code: int
    output: str  # the command's last line
    cpu_seconds: float = 0.0  # user + system: what a busy shared machine changes less than wall time


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def measure(name: str, file: Path, db_url: str) -> Measured:
    """``frontdesk import parts FILE`` in a fresh process: its peak resident set."""
    env = dict(os.environ, FRONTDESK_CONFIG=os.devnull + ".toml", FRONTDESK_LANG="en")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "frontdesk", "import", "parts", str(file),
                             "--db", db_url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            preexec_fn=_cap)
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.strip()]
    return Measured(name, file.stat().st_size / 2**20, usage.ru_maxrss / 1024, time.perf_counter() - started,
                    proc.returncode, lines[0][:160] if lines else "", usage.ru_utime + usage.ru_stime)


def build(folder: Path) -> list[tuple[str, Path]]:
    """The files, built once into ``folder`` (kept between runs: the price list takes a while).

    In the order they are imported into one store: the bombs, the price list into the empty
    catalog, then the same list with every price changed (a maker's yearly price update: the
    catalog, the changes and the report all held at once: the most an import holds).
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        ("import_rows_bomb", folder / "rows_bomb.xlsx", rows_bomb),
        ("import_shared_strings_bomb", folder / "shared_strings_bomb.xlsx", shared_strings_bomb),
        ("import_price_list_200k", folder / "price_list_200k.xlsx", price_list),
        ("import_price_update_200k", folder / "price_update_200k.xlsx", lambda path: price_list(path, price_rise=3)),
        ("import_text_table_at_limit", folder / "text_table_at_limit.xlsx", text_table_at_the_limit),
    ]
    for _name, path, make in files:
        if not path.exists():
            part = path.with_suffix(".part")
            make(part)
            part.replace(path)
    return [(name, path) for name, path, _make in files]


def run_all(folder: Path) -> list[Measured]:
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/import.db"
        subprocess.run([sys.executable, "-m", "frontdesk", "db", "upgrade", "--db", db_url], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, FRONTDESK_CONFIG=os.devnull + ".toml"))
        return [measure(name, path, db_url) for name, path in build(folder)]


def main() -> int:
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    folder = Path(__file__).resolve().parent / ".cache" / "imports"
    ok = True
    for m in run_all(folder):
        passed = m.peak_mb <= LIMIT_MB
        ok &= passed
        print(f"{m.name}  file={m.file_mb:.1f}MB  peak={m.peak_mb:.0f}MB  {m.seconds:.1f}s  cpu={m.cpu_seconds:.1f}s  "
              f"exit={m.exit_code}  "
              f"{'PASS' if passed else 'FAIL'}  # {m.output}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
