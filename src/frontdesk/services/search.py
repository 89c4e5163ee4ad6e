"""The desk's one search box: plate fragments, VIN or phone tails, names, order numbers.

Substring matches use the trigram indexes of migration 0002 (FTS5 on SQLite, pg_trgm on
PostgreSQL), so a lookup stays well under a frame over years of history. Trigrams need
three characters; shorter input (a two-character name such as 王芳, "粤B") is matched
as a prefix on the ordinary B-tree indexes instead.

The search box lives on the desk home, so, like the desk home's lists, it reads through
the driver (``frontdesk.dbapi``) and never loads the ORM: a few SELECTs per keystroke.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from frontdesk.dbapi import Columns, Cursor, escape_like, in_list, quoted
from frontdesk.model.enums import OrderStatus

from .campaigns_flag import open_vins
from .runtime import Services
from .validation import phone_search_key, plate_search_key

OPEN = [s for s in OrderStatus if s not in (OrderStatus.CLOSED, OrderStatus.CANCELLED)]
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: What each searched column is indexed by: (table, trigram table of SQLite's FTS5).
INDEXED = {
    "plate": ("vehicle", "vehicle_search"),
    "vin": ("vehicle", "vehicle_search"),
    "name": ("customer", "customer_search"),
    "phone": ("customer", "customer_search"),
    "number": ("repair_order", "order_search"),
}
# What a hit reads of each table, in this order (tests/test_plain_columns.py checks every name against the model).
_VEHICLE = Columns("vehicle", "id", "customer_id", "plate", "vin", "make", "model", alias="v")
_CUSTOMER = Columns("customer", "name", "phone", alias="c")
_ORDER = Columns("repair_order", "id", "number", "status", alias="o")
_BILLED = Columns("account_vehicle", "vehicle_id", alias="av")
_ACCOUNT = Columns("account", "code", "suspended_at", alias="a")
_HIT = f"SELECT {_VEHICLE}, {_CUSTOMER}, {_ORDER} FROM vehicle v JOIN customer c ON c.id = v.customer_id"
_OPEN_ORDER = f" LEFT JOIN repair_order o ON o.vehicle_id = v.id AND o.status IN {quoted([s.value for s in OPEN])}"


@dataclass(frozen=True)
class SearchHit:
    """One line of the search results: a vehicle, its owner, and the order that matched (if any)."""

    vehicle_id: int
    customer_id: int
    plate: str
    vin: str
    model: str
    customer_name: str
    phone: str
    order_id: int | None
    order_number: str | None
    order_status: OrderStatus | None
    matched: str  # plate | vin | phone | name | order
    campaign: bool = False  # an open recall or service campaign for this VIN (services/campaigns.py)
    account: str = ""  # the code of the store's key account the car is billed to (services/accounts.py)
    account_suspended: bool = False  # that account may not be charged: the bill is paid at the counter


def search(services: Services, query: str, *, limit: int = 20, store_id: int | None = None) -> list[SearchHit]:
    """``store_id``: mark the cars on that store's key accounts (the desk's search; others need no mark)."""
    if not query.strip():
        return []
    with services.db.plain_transaction() as cur:
        return search_in(cur, query, limit=limit, store_id=store_id)


def search_in(cur: Cursor, query: str, *, limit: int = 20, store_id: int | None = None) -> list[SearchHit]:
    raw = query.strip()
    if not raw:
        return []
    plate = plate_search_key(raw)
    digits = phone_search_key(raw)
    hits: dict[tuple[int, int | None], SearchHit] = {}

    def add(rows: Sequence[Sequence[Any]], matched: str) -> None:
        for vid, cid, plate_, vin, make, model, name, phone, oid, number, status in rows:
            key = (vid, oid)
            if key not in hits and len(hits) < limit:
                hits[key] = SearchHit(  # a car booked by phone has no VIN yet, perhaps no plate
                    vehicle_id=vid, customer_id=cid, plate=plate_ or "", vin=vin or "", model=f"{make} {model}".strip(),
                    customer_name=name, phone=phone, order_id=oid, order_number=number,
                    order_status=OrderStatus(status) if status else None, matched=matched,
                )

    looks_like_order = bool(re.fullmatch(r"[A-Za-z0-9-]{3,}", raw)) and ("-" in raw or raw.isdigit())
    if looks_like_order:
        add(_orders(cur, matching(cur, "number", raw.upper()), limit), "order")
    if plate and (_CJK.match(plate) or re.fullmatch(r"[A-Z0-9]{2,8}", plate)):
        add(_vehicles(cur, matching(cur, "plate", plate), limit), "plate")
    if re.fullmatch(r"[A-HJ-NPR-Z0-9]{3,17}", raw.upper()) and not raw.isdigit() or (raw.isdigit() and len(raw) >= 3):
        add(_vehicles(cur, matching(cur, "vin", raw.upper()), limit), "vin")
    if digits and len(digits) >= 3 and digits == re.sub(r"[\s+-]", "", raw):
        add(_by_customer(cur, matching(cur, "phone", digits), limit), "phone")
    if _CJK.search(raw) or re.fullmatch(r"[A-Za-z ]{2,}", raw):
        add(_by_customer(cur, matching(cur, "name", raw), limit), "name")
    flagged = open_vins(cur, [h.vin for h in hits.values()]) if hits else set()
    billed = account_codes(cur, store_id, {h.vehicle_id for h in hits.values()}) if hits and store_id else {}
    none = ("", False)
    return [replace(h, campaign=h.vin in flagged, account=billed.get(h.vehicle_id, none)[0],
                    account_suspended=billed.get(h.vehicle_id, none)[1]) if h.vin in flagged or h.vehicle_id in billed
            else h for h in hits.values()]


def account_codes(cur: Cursor, store_id: int, vehicle_ids: set[int]) -> dict[int, tuple[str, bool]]:
    """The hits' key accounts in the store, by vehicle id: (code, suspended). One probe per car on the
    (vehicle_id, store_id) unique index, the hits being at most the search's limit."""
    where, params = in_list("v", sorted(vehicle_ids))
    rows = cur.all(f"SELECT {_BILLED}, {_ACCOUNT} FROM account_vehicle av JOIN account a ON a.id = av.account_id"
                   f" WHERE av.vehicle_id IN {where} AND av.store_id = :store",
                   {**params, "store": store_id})
    return {vid: (code, suspended_at is not None) for vid, code, suspended_at in rows}


def matching(cur: Cursor, column: str, term: str) -> tuple[str, dict[str, Any]]:
    """``(...)`` for ``IN``: the rows whose ``column`` contains ``term`` (trigram index), or starts with it when short."""
    table, fts = INDEXED[column]
    if len(term) < 3:  # below a trigram: a prefix range on the column's B-tree index
        return (f"(SELECT id FROM {table} WHERE {column} >= :lo AND {column} < :hi)",
                {"lo": term, "hi": term + "\uffff"})
    if cur.is_sqlite:  # FTS5 first, on its own: the planner must not fold it into the join
        rows = cur.all(f"SELECT rowid FROM {fts} WHERE {column} MATCH :q LIMIT 200",
                       {"q": '"' + term.replace('"', '""') + '"'})
        return in_list("m", [row[0] for row in rows])
    pattern = f"%{escape_like(term)}%"
    return f"(SELECT id FROM {table} WHERE {column} ILIKE :p LIMIT 200)", {"p": pattern}


def matching_ids(cur: Cursor, column: str, term: str) -> list[int]:
    """The ids :func:`matching` selects (for tests and tools)."""
    where, params = matching(cur, column, term)
    return [row[0] for row in cur.all(f"SELECT id FROM {INDEXED[column][0]} WHERE id IN {where}", params)]


def _vehicles(cur: Cursor, match: tuple[str, dict[str, Any]], limit: int) -> list[Sequence[Any]]:
    where, params = match
    return cur.all(f"{_HIT}{_OPEN_ORDER} WHERE v.id IN {where} ORDER BY v.plate, v.id, o.id LIMIT {int(limit)}",
                   params)


def _by_customer(cur: Cursor, match: tuple[str, dict[str, Any]], limit: int) -> list[Sequence[Any]]:
    where, params = match
    return cur.all(f"{_HIT}{_OPEN_ORDER} WHERE c.id IN {where} ORDER BY c.name, v.plate, v.id, o.id"
                   f" LIMIT {int(limit)}", params)


def _orders(cur: Cursor, match: tuple[str, dict[str, Any]], limit: int) -> list[Sequence[Any]]:
    where, params = match
    return cur.all(f"{_HIT} JOIN repair_order o ON o.vehicle_id = v.id WHERE o.id IN {where}"
                   f" ORDER BY o.checked_in_at DESC, o.id DESC LIMIT {int(limit)}", params)


__all__ = ["SearchHit", "account_codes", "matching", "matching_ids", "search", "search_in"]
