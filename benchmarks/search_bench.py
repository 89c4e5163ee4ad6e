"""The search metric: 200 realistic desk lookups through the service, and the same lookups raw.

The queries are drawn (seeded) from the database itself, as an advisor types them:
plate fragments, the last four digits of a phone, the last six of a VIN, names, order
numbers — 40 of each. The baseline runs the same lookups with the standard library's
``sqlite3`` on the same file: for every kind of lookup the service makes for a query
(an order number, a plate, a VIN, a phone tail, a name) one hand-written SQL statement
that reads the trigram index and joins the owner and the open order. What the ratio
shows is the cost of the service's own layers (SQLAlchemy, sessions, dataclasses).
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable

QUERIES_PER_KIND = 40
OPEN_STATUSES = ("check_in", "estimate", "authorised", "in_workshop", "ready", "delivered", "settled")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def sample_queries(path: str, seed: int = 8) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs: what advisors type into the search box."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sample(lambda sql, args=(): con.execute(sql.replace("%s", "?"), args).fetchall(), seed)
    finally:
        con.close()


def sample_queries_pg(url: str, seed: int = 8) -> list[tuple[str, str]]:
    """The same kinds of query, drawn from a PostgreSQL store."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        return _sample(lambda sql, args=(): con.execute(sql, args).fetchall(), seed)


def _sample(fetch, seed: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    vehicles = fetch("SELECT plate, vin FROM vehicle ORDER BY id")
    people = fetch("SELECT name, phone FROM customer WHERE NOT is_company ORDER BY id")
    top = fetch("SELECT max(id) FROM repair_order")[0][0]
    numbers: list[str] = []
    for _ in range(QUERIES_PER_KIND * 2):
        numbers += [n for (n,) in fetch("SELECT number FROM repair_order WHERE id = %s", (rng.randint(1, top),))]
    out: list[tuple[str, str]] = []
    for _ in range(QUERIES_PER_KIND):
        plate, _vin = rng.choice(vehicles)
        start = rng.choice((2, 3))
        out.append(("plate", plate[start:start + rng.choice((3, 4))]))  # "B123", "5K2"
    for _ in range(QUERIES_PER_KIND):
        out.append(("phone", rng.choice(people)[1][-4:]))
    for _ in range(QUERIES_PER_KIND):
        out.append(("vin", rng.choice(vehicles)[1][-6:]))
    for _ in range(QUERIES_PER_KIND):
        name = rng.choice(people)[0]
        out.append(("name", name if rng.random() < 0.7 else name[:2]))  # the full name, or surname and one more
    for number in rng.sample(numbers, QUERIES_PER_KIND):
        out.append(("order", number if rng.random() < 0.5 else number[-8:]))  # full, or "1223-0001"
    rng.shuffle(out)
    return out


# The raw baseline -----------------------------------------------------------------------------

_OWNER = ("SELECT v.id, v.customer_id, v.plate, v.vin, v.make, v.model, c.name, c.phone, o.id, o.number, o.status "
          "FROM vehicle v JOIN customer c ON c.id = v.customer_id "
          f"LEFT JOIN repair_order o ON o.vehicle_id = v.id AND o.status IN ({','.join(repr(s) for s in OPEN_STATUSES)}) ")


def _ids(fts: str, column: str, table: str, term: str) -> tuple[str, tuple[str, ...]]:
    if len(term) < 3:
        return f"SELECT id FROM {table} WHERE {column} >= ? AND {column} < ?", (term, term + "\uffff")
    return f"SELECT rowid FROM {fts} WHERE {column} MATCH ? LIMIT 200", ('"' + term.replace('"', '""') + '"',)


def raw_lookups(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The statements a hand-written search box would run for ``text`` (the same kinds the service tries)."""
    raw = text.strip()
    up = raw.upper()
    digits = re.sub(r"\D", "", raw)
    out: list[tuple[str, tuple[str, ...]]] = []
    if re.fullmatch(r"[A-Za-z0-9-]{3,}", raw) and ("-" in raw or raw.isdigit()):
        sql, args = _ids("order_search", "number", "repair_order", up)
        by_order = ("SELECT v.id, v.customer_id, v.plate, v.vin, v.make, v.model, c.name, c.phone, o.id, o.number, "
                    "o.status FROM repair_order o JOIN vehicle v ON v.id = o.vehicle_id "
                    f"JOIN customer c ON c.id = v.customer_id WHERE o.id IN ({sql}) ORDER BY o.checked_in_at DESC LIMIT 20")
        out.append((by_order, args))
    plate = re.sub(r"[\s·.-]", "", up)
    if plate and (_CJK.match(plate) or re.fullmatch(r"[A-Z0-9]{2,8}", plate)):
        sql, args = _ids("vehicle_search", "plate", "vehicle", plate)
        out.append((_OWNER + f"WHERE v.id IN ({sql}) ORDER BY v.plate LIMIT 20", args))
    if (re.fullmatch(r"[A-HJ-NPR-Z0-9]{3,17}", up) and not raw.isdigit()) or (raw.isdigit() and len(raw) >= 3):
        sql, args = _ids("vehicle_search", "vin", "vehicle", up)
        out.append((_OWNER + f"WHERE v.id IN ({sql}) ORDER BY v.plate LIMIT 20", args))
    if len(digits) >= 3 and digits == re.sub(r"[\s+-]", "", raw):
        sql, args = _ids("customer_search", "phone", "customer", digits)
        out.append((_OWNER + f"WHERE c.id IN ({sql}) ORDER BY c.name, v.plate LIMIT 20", args))
    if _CJK.search(raw) or re.fullmatch(r"[A-Za-z ]{2,}", raw):
        sql, args = _ids("customer_search", "name", "customer", raw)
        out.append((_OWNER + f"WHERE c.id IN ({sql}) ORDER BY c.name, v.plate LIMIT 20", args))
    return out


def raw_search(path: str) -> Callable[[str], int]:
    """A search function on one open ``sqlite3`` connection (like the service's pooled one)."""
    con = sqlite3.connect(path, check_same_thread=False)
    con.execute("PRAGMA query_only = 1")

    def search(text: str) -> int:
        found: set[tuple[int, int | None]] = set()
        for sql, args in raw_lookups(text):
            for row in con.execute(sql, args):
                if len(found) < 20:
                    found.add((row[0], row[8]))
        return len(found)

    return search


# The campaign flag (issue 20) ------------------------------------------------------------------

CAMPAIGN_VINS = 50_000


def campaign_store(source: str, target: str, vins: int = CAMPAIGN_VINS, seed: int = 20) -> int:
    """A copy of ``source`` (never written to) at the current schema with ``vins`` open campaign VINs.

    Two campaigns, as a maker sends them: half the VINs are cars of the store (drawn seeded),
    half cars it has never seen. Built once and kept while it is newer than ``source``;
    returns how many of the store's cars are on the lists.
    """
    import datetime as dt
    import os
    import shutil

    from frontdesk import migrate
    from frontdesk.db import Database
    from frontdesk.services.validation import with_check_digit

    def upgraded() -> None:  # the cached store may predate the campaigns' tables (or a later migration)
        database = Database(f"sqlite:///{target}")
        migrate.upgrade(database)
        database.dispose()

    marker = target + ".known"
    if os.path.exists(target) and os.path.exists(marker) and os.path.getmtime(marker) >= os.path.getmtime(source):
        upgraded()
        with open(marker) as fh:
            return int(fh.read())
    shutil.copyfile(source, target)
    upgraded()
    rng = random.Random(seed)
    con = sqlite3.connect(target)
    try:
        store_vins = [v for (v,) in con.execute("SELECT vin FROM vehicle WHERE vin IS NOT NULL ORDER BY id")]
        known = rng.sample(store_vins, min(len(store_vins), vins // 2))
        unknown = [with_check_digit(f"LBV{n:014d}") for n in range(vins - len(known))]
        listed = known + unknown
        rng.shuffle(listed)
        now = dt.datetime(2026, 11, 1).strftime("%Y-%m-%d %H:%M:%S.%f")
        ids = []
        for code, title, kind in (("R2026-B01", "制动软管召回", "recall"), ("S2026-B02", "免费检测活动", "service")):
            cur = con.execute("INSERT INTO campaign (code, title, kind, starts, ends, imported_at, version) "
                              "VALUES (?, ?, ?, NULL, NULL, ?, 1)", (code, title, kind, now))
            ids.append(cur.lastrowid)
        con.executemany("INSERT INTO campaign_vehicle (campaign_id, vin, vehicle_id, status, order_id, reason, "
                        "closed_at, closed_by_id, version) VALUES (?, ?, NULL, 'open', NULL, '', NULL, NULL, 1)",
                        [(ids[i % 2], vin) for i, vin in enumerate(listed)])
        con.commit()
        con.execute("ANALYZE")
    finally:
        con.close()
    with open(marker, "w") as fh:
        fh.write(str(len(known)))
    return len(known)
