"""How often this store used each catalog item, so the pickers list what the desk picks first.

An advisor typing ``jy`` at a store that does oil services all day wants 更换机油机滤 at
the top, not whichever 机油 operation sorts first by code. Use is counted per store from
the orders themselves (``job.labor_op_id``, ``part_line.part_id``, ``job.package_id``):
nothing new is written when an item is picked, so there is no counter to keep right
under many terminals, and an imported history or the demo ranks from its first search.

Recent months weigh more: a use ``m`` months ago counts ``0.5 ** (m / HALF_LIFE_MONTHS)``,
so a store that changed its oil brand last season sees the new oil first within a few
months. The count is one ``GROUP BY item, month`` per kind (the decay is applied per
month bucket in Python), over ``HORIZON_MONTHS`` of history.

The query reads tens of thousands of rows on a big store, far too slow for a keystroke.
So the weights are cached per process, per database, store and kind: the first call
computes them (the pickers search in worker threads already), later calls answer from
the cache at once, and a cache older than ``REFRESH_AFTER_S`` is recomputed in a
background thread while the keystroke gets the previous weights (stale while
revalidating). A minute-old ranking is as good as a fresh one: use moves slowly.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeVar

from sqlalchemy import extract, func, select

from frontdesk.model import Job, PartLine, RepairOrder, Store

from .runtime import Services

if TYPE_CHECKING:
    from frontdesk.db import Database

Kind = Literal["labour", "part", "package"]
KINDS: tuple[Kind, ...] = ("labour", "part", "package")
HALF_LIFE_MONTHS = 3.0
HORIZON_MONTHS = 36  # older use weighs under 0.5 ** 12: not worth reading
REFRESH_AFTER_S = 180.0
TOP = 100  # the heaviest items a search fetches whatever their code (see ``top_ids``)

# Match quality, best first: what ``rank`` orders by after use.
PREFIX = 0  # the pinyin initials or the name start with what was typed
CODE_PREFIX = 1
SUBSTRING = 2

H = TypeVar("H")
_EMPTY: Mapping[int, float] = MappingProxyType({})
_log = logging.getLogger(__name__)


@dataclass
class _Entry:
    weights: Mapping[int, float]
    top: tuple[int, ...]  # ids by weight, heaviest first (at most TOP)
    at: float  # time.monotonic() when computed
    refreshing: bool = False


_lock = threading.Lock()
# Per database (tests and benchmarks open several in one process; a closed one drops its cache).
_caches: weakref.WeakKeyDictionary[Database, dict[tuple[int, Kind], _Entry]] = weakref.WeakKeyDictionary()
_stores: weakref.WeakKeyDictionary[Database, dict[str, int]] = weakref.WeakKeyDictionary()
_refreshers: set[threading.Thread] = set()
# Counts under way in the background (``warm``): a first search waits for one instead of counting again.
_warming: weakref.WeakKeyDictionary[Database, dict[tuple[int, Kind], threading.Event]] = weakref.WeakKeyDictionary()
_monotonic: Callable[[], float] = time.monotonic  # tests move it on


def weights(services: Services, store_id: int, kind: Kind) -> Mapping[int, float]:
    """Item id -> decayed use count at this store; items never used are absent (weight 0)."""
    return _entry(services, store_id, kind).weights


def top_ids(services: Services, store_id: int, kind: Kind) -> tuple[int, ...]:
    """The most used items, heaviest first: a search fetches these among its candidates even
    when a broad query (one letter, or nothing typed) matches more rows than it reads."""
    return _entry(services, store_id, kind).top


def rank(hits: Iterable[H], weights: Mapping[int, float], *, key_id: Callable[[H], int],
         quality: Callable[[H], int]) -> list[H]:
    """Use first, then match quality (``PREFIX`` < ``CODE_PREFIX`` < ``SUBSTRING``); ties keep
    the order the hits came in (the searches pass them sorted by code)."""
    return sorted(hits, key=lambda h: (-weights.get(key_id(h), 0.0), quality(h)))


def match_quality(text: str, *, code: str, initials: str, name: str = "") -> int:
    """How well ``text`` matches an item: its initials or name start with it, its code does, or
    it is found inside (an empty query matches everything equally)."""
    q = text.strip().lower()
    if not q or initials.startswith(q) or name.lower().startswith(q):
        return PREFIX
    if code.lower().startswith(q):
        return CODE_PREFIX
    return SUBSTRING


def store_of(services: Services) -> int:
    """This terminal's store (``store_code`` in its settings), for searches called without an actor."""
    code = services.settings.store_code
    with _lock:
        known = _stores.setdefault(services.db, {}).get(code)
    if known is not None:
        return known
    with services.db.reader() as s:
        found = s.scalar(select(Store.id).where(Store.code == code))
    if found is None:
        raise LookupError(f"no store with code {code}")
    with _lock:
        _stores.setdefault(services.db, {})[code] = found
    return found


def warm(services: Services, store_id: int) -> None:
    """Count this store's use in the background unless it is counted already.

    A big store takes most of a second to count; the estimate calls this when it opens
    (desk.order_view), so the picker's first keystroke finds the weights ready.
    """
    with _lock:
        cache = _caches.setdefault(services.db, {})
        warming = _warming.setdefault(services.db, {})
        kinds = [k for k in KINDS if (store_id, k) not in cache and (store_id, k) not in warming]
        for kind in kinds:
            warming[(store_id, kind)] = threading.Event()
        if not kinds:
            return
        thread = threading.Thread(target=_warm, args=(services, store_id, kinds, cache), name="catalog-use-warm",
                                  daemon=True)
        _refreshers.add(thread)
    thread.start()


def invalidate(services: Services | None = None) -> None:
    """Forget the cached weights (of one database, or all): the next search recomputes them."""
    with _lock:
        if services is None:
            _caches.clear()
            _stores.clear()
        else:
            _caches.pop(services.db, None)
            _stores.pop(services.db, None)


def settle(timeout: float = 10.0) -> None:
    """Wait for the background refreshes under way (tests, benchmarks, a clean shutdown)."""
    with _lock:
        running = list(_refreshers)
    for thread in running:
        thread.join(timeout)


# The cache -------------------------------------------------------------------------------------


def _entry(services: Services, store_id: int, kind: Kind) -> _Entry:
    key = (store_id, kind)
    with _lock:
        cache = _caches.setdefault(services.db, {})
        entry = cache.get(key)
        stale = entry is not None and not entry.refreshing and _monotonic() - entry.at > REFRESH_AFTER_S
        if stale:
            assert entry is not None
            entry.refreshing = True
    if entry is None:  # the first search of this kind here: counted now, once (or by ``warm`` already)
        with _lock:
            counting = _warming.get(services.db, {}).get(key)
        if counting is not None and counting.wait(30.0):
            with _lock:
                entry = _caches.get(services.db, {}).get(key)
            if entry is not None:
                return entry
        fresh = _computed(services, store_id, kind)
        with _lock:
            return _caches.setdefault(services.db, {}).setdefault(key, fresh)
    if stale:
        thread = threading.Thread(target=_refresh, args=(services, store_id, kind, entry),
                                  name=f"catalog-use-{kind}", daemon=True)
        with _lock:
            _refreshers.add(thread)
        thread.start()
    return entry


def _refresh(services: Services, store_id: int, kind: Kind, old: _Entry) -> None:
    try:
        fresh = _computed(services, store_id, kind)
    except Exception:  # noqa: BLE001 - a closed or busy database: keep the old weights, try again later
        _log.warning("catalog use: refresh failed", exc_info=True)
        fresh = None
    with _lock:
        if fresh is None:
            old.at, old.refreshing = _monotonic(), False
        else:
            cache = _caches.get(services.db)
            if cache is not None and cache.get((store_id, kind)) is old:
                cache[(store_id, kind)] = fresh
        _refreshers.discard(threading.current_thread())


def _warm(services: Services, store_id: int, kinds: list[Kind], cache: dict[tuple[int, Kind], _Entry]) -> None:
    try:
        for kind in kinds:
            try:
                fresh: _Entry | None = _computed(services, store_id, kind)
            except Exception:  # noqa: BLE001 - a closed or busy database: the first search counts again
                _log.warning("catalog use: warming failed", exc_info=True)
                fresh = None
            with _lock:
                if fresh is not None and _caches.get(services.db) is cache:  # not invalidated meanwhile
                    cache.setdefault((store_id, kind), fresh)
                event = _warming.get(services.db, {}).pop((store_id, kind), None)
            if event is not None:
                event.set()
    finally:
        with _lock:
            _refreshers.discard(threading.current_thread())


def _computed(services: Services, store_id: int, kind: Kind) -> _Entry:
    counted = _weights(services, store_id, kind)
    top = tuple(sorted(counted, key=lambda i: -counted[i])[:TOP])
    return _Entry(MappingProxyType(counted) if counted else _EMPTY, top, _monotonic())


# The count -------------------------------------------------------------------------------------


def _month(year: int, month: int) -> int:
    return year * 12 + month - 1


def _weights(services: Services, store_id: int, kind: Kind) -> dict[int, float]:
    today = services.clock()
    now = _month(today.year, today.month)
    since_month = now - HORIZON_MONTHS
    since = today.replace(year=since_month // 12, month=since_month % 12 + 1, day=1, hour=0, minute=0, second=0,
                          microsecond=0)
    checked_in = RepairOrder.checked_in_at
    bucket = (extract("year", checked_in) * 12 + extract("month", checked_in) - 1).label("bucket")
    in_store = (RepairOrder.store_id == store_id, checked_in >= since)
    if kind == "labour":
        item = Job.labor_op_id
        stmt = (select(item, bucket, func.count()).join(RepairOrder, RepairOrder.id == Job.order_id)
                .where(item.is_not(None), *in_store))
    elif kind == "part":
        item = PartLine.part_id
        stmt = select(item, bucket, func.count()).join(RepairOrder, RepairOrder.id == PartLine.order_id).where(*in_store)
    elif kind == "package":
        package = getattr(Job, "package_id", None)  # the column arrives with migration 0011
        if package is None:
            return {}
        item = package
        # One use per order: a package adds several jobs.
        stmt = (select(item, bucket, func.count(Job.order_id.distinct()))
                .join(RepairOrder, RepairOrder.id == Job.order_id).where(item.is_not(None), *in_store))
    else:
        raise ValueError(f"unknown catalog kind {kind!r}")
    with services.db.reader() as s:
        rows: Sequence[tuple[int, int, int]] = s.execute(stmt.group_by(item, bucket)).all()  # type: ignore[assignment]
    out: dict[int, float] = {}
    for item_id, month, count in rows:
        age = max(now - int(month), 0)  # a clock behind the data (tests) counts it as this month
        out[item_id] = out.get(item_id, 0.0) + count * 0.5 ** (age / HALF_LIFE_MONTHS)
    return out
