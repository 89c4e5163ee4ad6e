"""The desk's one search box: plate fragments, VIN or phone tails, names, order numbers.

Substring matches use the trigram indexes of migration 0002 (FTS5 on SQLite, pg_trgm on
PostgreSQL), so a lookup stays well under a frame over years of history. Trigrams need
three characters; shorter input (a two-character name such as 王芳, "粤B") is matched
as a prefix on the ordinary B-tree indexes instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from frontdesk.model import Customer, RepairOrder, Vehicle
from frontdesk.model.enums import OrderStatus

from .context import Services
from .validation import phone_search_key, plate_search_key

OPEN = [s for s in OrderStatus if s not in (OrderStatus.CLOSED, OrderStatus.CANCELLED)]
_CJK = re.compile(r"[\u4e00-\u9fff]")


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


def search(services: Services, query: str, *, limit: int = 20) -> list[SearchHit]:
    with services.db.reader() as session:
        return search_in(session, query, limit=limit)


def search_in(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    raw = query.strip()
    if not raw:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    plate = plate_search_key(raw)
    digits = phone_search_key(raw)
    hits: dict[tuple[int, int | None], SearchHit] = {}

    def add(rows, matched: str) -> None:  # type: ignore[no-untyped-def]
        for row in rows:
            key = (row.vehicle_id, row.order_id)
            if key not in hits and len(hits) < limit:
                hits[key] = SearchHit(
                    vehicle_id=row.vehicle_id, customer_id=row.customer_id, plate=row.plate, vin=row.vin,
                    model=f"{row.make} {row.model}", customer_name=row.name, phone=row.phone,
                    order_id=row.order_id, order_number=row.number, order_status=row.status, matched=matched,
                )

    looks_like_order = bool(re.fullmatch(r"[A-Za-z0-9-]{3,}", raw)) and ("-" in raw or raw.isdigit())
    if looks_like_order:
        add(session.execute(_orders(session, _ids(session, sqlite, "order_search", RepairOrder.number, raw.upper()), limit)), "order")
    if plate and (_CJK.match(plate) or re.fullmatch(r"[A-Z0-9]{2,8}", plate)):
        add(session.execute(_vehicles(_ids(session, sqlite, "vehicle_search", Vehicle.plate, plate), limit)), "plate")
    if re.fullmatch(r"[A-HJ-NPR-Z0-9]{3,17}", raw.upper()) and not raw.isdigit() or (raw.isdigit() and len(raw) >= 3):
        add(session.execute(_vehicles(_ids(session, sqlite, "vehicle_search", Vehicle.vin, raw.upper()), limit)), "vin")
    if digits and len(digits) >= 3 and digits == re.sub(r"[\s+-]", "", raw):
        add(session.execute(_by_customer(_ids(session, sqlite, "customer_search", Customer.phone, digits), limit)), "phone")
    if _CJK.search(raw) or re.fullmatch(r"[A-Za-z ]{2,}", raw):
        add(session.execute(_by_customer(_ids(session, sqlite, "customer_search", Customer.name, raw), limit)), "name")
    return list(hits.values())


def _ids(session: Session, sqlite: bool, fts: str, column, term: str) -> Select | list[int]:  # type: ignore[no-untyped-def]
    """Row ids whose ``column`` contains ``term`` (trigram index), or starts with it when short."""
    if len(term) < 3:
        return select(column.table.c.id).where(and_(column >= term, column < term + "\uffff"))
    if sqlite:
        quoted = '"' + term.replace('"', '""') + '"'
        col = column.key
        return list(session.scalars(text(f"SELECT rowid FROM {fts} WHERE {col} MATCH :q LIMIT 200"), {"q": quoted}))
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return select(column.table.c.id).where(column.ilike(pattern)).limit(200)


def _base() -> Select:
    return select(
        Vehicle.id.label("vehicle_id"), Vehicle.customer_id, Vehicle.plate, Vehicle.vin, Vehicle.make, Vehicle.model,
        Customer.name, Customer.phone,
    ).join(Customer, Customer.id == Vehicle.customer_id)


def _open_order_columns(stmt: Select) -> Select:
    return stmt.add_columns(
        RepairOrder.id.label("order_id"), RepairOrder.number, RepairOrder.status
    ).outerjoin(RepairOrder, and_(RepairOrder.vehicle_id == Vehicle.id, RepairOrder.status.in_(OPEN)))


def _vehicles(ids, limit: int) -> Select:  # type: ignore[no-untyped-def]
    return _open_order_columns(_base().where(Vehicle.id.in_(ids))).order_by(Vehicle.plate).limit(limit)


def _by_customer(ids, limit: int) -> Select:  # type: ignore[no-untyped-def]
    return _open_order_columns(_base().where(Customer.id.in_(ids))).order_by(Customer.name, Vehicle.plate).limit(limit)


def _orders(session: Session, ids, limit: int) -> Select:  # type: ignore[no-untyped-def]
    return (
        _base()
        .add_columns(RepairOrder.id.label("order_id"), RepairOrder.number, RepairOrder.status)
        .join(RepairOrder, RepairOrder.vehicle_id == Vehicle.id)
        .where(RepairOrder.id.in_(ids))
        .order_by(RepairOrder.checked_in_at.desc())
        .limit(limit)
    )


__all__ = ["SearchHit", "search", "search_in", "or_"]
