"""The catalog-search metric: the estimate's pickers, ranked by use, one keystroke at a time.

An advisor finds a job or a part by typing its pinyin initials (``j``, ``jy``), its code
(``M``, ``MT``, ``MT01``) or the start of its name (``机``, ``机油``); every keystroke runs a
search. The keystrokes are drawn (seeded) from the store's own catalog, each item's
initials, code and name typed one character at a time. The service side is
``desk.find_labor_ops`` / ``desk.find_parts``: the search, the store's use weights
(services/catalog_use.py, warm: the first search of a process computes them, timed apart
as ``cold_ms``) and the ranking. The baseline is the unranked query of the same rows
with the standard library's ``sqlite3`` on the same file: what the ranking adds is the
ratio.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable

ITEMS_PER_KIND = 8
LIMIT = 30

_WHERE = ("{t}.active = 1 AND ({code} LIKE :prefix ESCAPE '\\' OR {t}.name LIKE :inside ESCAPE '\\' "
          "OR {t}.initials LIKE :lowered ESCAPE '\\' OR {t}.name_en LIKE :inside ESCAPE '\\')")
_RAW = {
    "labour": ("SELECT id, code, name, name_en, std_hours, safety, category FROM labor_operation "
               f"WHERE {_WHERE.format(t='labor_operation', code='code')} ORDER BY code LIMIT {LIMIT}"),
    "part": ("SELECT p.id, p.number, p.name, p.name_en, p.unit, p.price, s.on_hand, s.reserved FROM part p "
             "LEFT JOIN stock_level s ON s.part_id = p.id AND s.store_id = :store "
             f"WHERE {_WHERE.format(t='p', code='p.number')} ORDER BY p.number LIMIT {LIMIT}"),
}


def keystrokes(path: str, seed: int = 19) -> list[tuple[str, str]]:
    """``(kind, text)``: each sampled item's initials, code and name, typed a character at a time."""
    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        labour = con.execute("SELECT code, name, initials FROM labor_operation WHERE active = 1 ORDER BY id").fetchall()
        parts = con.execute("SELECT number, name, initials FROM part WHERE active = 1 ORDER BY id").fetchall()
    finally:
        con.close()
    out: list[tuple[str, str]] = []
    for kind, rows in (("labour", labour), ("part", parts)):
        for code, name, initials in rng.sample(rows, min(ITEMS_PER_KIND, len(rows))):
            for typed in (initials[:4], code[:5], name[:2]):
                out.extend((kind, typed[:n]) for n in range(1, len(typed) + 1))
    return out


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def raw_catalog(path: str, store_id: int) -> Callable[[str, str], int]:
    """The unranked search on one open ``sqlite3`` connection: the same rows, by code, ``LIMIT`` 30."""
    con = sqlite3.connect(path, check_same_thread=False)
    con.execute("PRAGMA query_only = 1")

    def search(kind: str, text: str) -> int:
        q = text.strip()
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args = {"prefix": escaped + "%", "inside": _like(q), "lowered": _like(q.lower()), "store": store_id}
        return len(con.execute(_RAW[kind], args).fetchall())

    return search


def service_search(services, actor) -> tuple[Callable[[str, str], int], float]:  # type: ignore[no-untyped-def]
    """The desk's searches, and the milliseconds the first one took (the store's weights counted)."""
    from frontdesk.services import catalog_use, desk

    def search(kind: str, text: str) -> int:
        if kind == "labour":
            return len(desk.find_labor_ops(services, text, store_id=actor.store_id))
        return len(desk.find_parts(services, actor, text))

    catalog_use.invalidate(services)
    start = time.perf_counter()
    search("labour", "")
    search("part", "")
    return search, (time.perf_counter() - start) * 1000
