"""The wall board's TV view (``/tv`` of ``frontdesk board --serve``): an HTML page and a small JSON answer.

The terminal board served at ``/`` is one font size on a character grid and one board process
(~70 MB) per browser. A TV read from across the workshop wants the plate, the stage and the
promised time larger than the rest, so this view is a plain web page (``assets/board/tv.*``)
that lays the cars out itself and asks ``/tv/snapshot.json`` once a second.

All browsers share one :class:`TvFeed`: an answer is built at most once per
:data:`CACHE_SECONDS` whatever the number of TVs, from one read of the store's change counter
(the same cheap read the terminal board makes each second); the full snapshot is read again
only when the counter moved, or every :data:`REREAD_SECONDS` because "overdue" moves with the
clock alone. The database is read in a thread, so a slow store never stalls the server.

What the answer holds is what the terminal board shows (screens/board.py) and no more: plates,
model, advisor, stage, time in stage, promised (or pickup) time, the store's name and counts —
never a customer's name or phone number. Its labels are translated here, in the language the
server runs in (``--lang`` or the settings). The page and the answer obey the served board's
Origin rules (:meth:`BoardServer.origin_allowed`) and, because a same-origin ``fetch`` sends no
``Origin``, the ``Host`` too: a page on a foreign name rebound to this machine (DNS rebinding)
is refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from frontdesk.i18n import current_language, gettext as _, ngettext
from frontdesk.labels import STAGE, label
from frontdesk.services.errors import FrontdeskError

if TYPE_CHECKING:
    from aiohttp import web

    from frontdesk.board_serve import BoardServer
    from frontdesk.services.board import BoardSnapshot
    from frontdesk.services.runtime import Services

#: Seconds an answer is shared by every browser before the store is asked again.
CACHE_SECONDS = 1.0
#: Seconds after which the snapshot is read again even if nothing changed (overdue follows the clock).
REREAD_SECONDS = 30.0
#: How often the page asks (ms): as often as the answer can change.
POLL_MS = 1000
#: Seconds a page of cars stays before the next (?pageseconds=N within PAGE_SECONDS_RANGE).
PAGE_SECONDS = 8
PAGE_SECONDS_RANGE = range(2, 121)
#: Cars a screen is sized for when no font size is given: fewer cars are shown larger, down to MIN_ROWS rows.
CARS_PER_SCREEN = 16
MIN_ROWS = 8

log = logging.getLogger(__name__)


def _clock_text(moment: dt.datetime | None, now: dt.datetime) -> str:
    """"16:30" today, "28 09:30" another day (as the terminal board writes it), "—" for none."""
    if moment is None:
        return "—"
    return moment.strftime("%H:%M" if moment.date() == now.date() else "%d %H:%M")


def _in_stage(since: dt.datetime, now: dt.datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def _reception(snap: BoardSnapshot, now: dt.datetime) -> list[dict[str, str]]:
    """Reception (issue 20): how many wait and the longest wait, plates only; nothing while nobody waits."""
    strip = snap.reception
    if strip is None or not strip.waiting or strip.first_arrived_at is None:
        return []
    longest = max(0, int((now - strip.first_arrived_at).total_seconds() // 60))
    return [{"text": _("Reception: {n} waiting").format(n=strip.waiting) + " · "
             + _("longest {minutes} min ({plate})").format(minutes=longest, plate=strip.plates[0]),
             "kind": "reception"}]


def payload(snap: BoardSnapshot, now: dt.datetime, store_name: str) -> dict[str, Any]:
    """The JSON the TV page draws: only what the terminal board shows, its words already translated."""
    from frontdesk.services.lifecycle import BoardStage

    cars = []
    for row in snap.rows:
        flag, flag_label = ("overdue", _("OVERDUE")) if row.overdue else (
            ("at_risk", _("AT RISK")) if row.at_risk else ("", ""))
        promised = _clock_text(row.promised_at, now)
        if row.pickup_at is not None and row.stage == BoardStage.READY:  # done: what counts now is the pickup
            promised, flag, flag_label = _clock_text(row.pickup_at, now), "pickup", _("PICKUP")
        cars.append({
            "id": row.order_id, "plate": row.plate, "model": row.model, "advisor": row.advisor,
            "stage": str(row.stage), "stage_label": label(STAGE, row.stage),
            "in_stage": _in_stage(row.since, now), "promised": promised,
            "flag": flag, "flag_label": flag_label,
        })
    late = sum(1 for r in snap.rows if r.overdue)
    risk = sum(1 for r in snap.rows if r.at_risk)
    return {
        "title": _("{store} · workshop progress").format(store=store_name),
        "now": now.strftime("%Y-%m-%d %H:%M:%S"),
        "seq": snap.seq,
        "summary": [
            {"text": ngettext("{n} car", "{n} cars", len(snap.rows)).format(n=len(snap.rows)), "kind": "total"},
            *({"text": f"{label(STAGE, stage)} {n}", "kind": str(stage)} for stage, n in snap.counts.items()),
            {"text": _("Overdue {n}").format(n=late), "kind": "overdue" if late else ""},
            {"text": _("At risk {n}").format(n=risk), "kind": "at_risk" if risk else ""},
            *_reception(snap, now),
        ],
        "cars": cars,
    }


class TvFeed:
    """The one answer every TV shares; the store is read at most once per :data:`CACHE_SECONDS`."""

    def __init__(self, open_services: Callable[[], Services], *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """``open_services`` is called (in a thread) on the first question, and again after it failed."""
        self._open_services = open_services
        self._monotonic = monotonic
        self._services: Services | None = None
        self._store_id: int | None = None
        self._snap: BoardSnapshot | None = None
        self._read_at = 0.0
        self._answer: tuple[int, bytes] | None = None
        self._answered_at = 0.0
        self._lock = asyncio.Lock()
        self.reads = 0  # change-counter reads (for the tests: one per period, however many browsers)
        self.snapshots = 0  # full snapshots read

    async def answer(self) -> tuple[int, bytes]:
        """(HTTP status, JSON body): fresh at most once per period, shared by every caller in it."""
        if self._fresh():
            assert self._answer is not None
            return self._answer
        async with self._lock:  # callers that arrive while a read is on its way wait for that read
            if not self._fresh():
                self._answer = await asyncio.to_thread(self._build)
                self._answered_at = self._monotonic()
            assert self._answer is not None
            return self._answer

    def _fresh(self) -> bool:
        return self._answer is not None and self._monotonic() - self._answered_at < CACHE_SECONDS

    def _build(self) -> tuple[int, bytes]:
        from frontdesk.services.board import change_seq, snapshot, store_id_for

        try:
            if self._services is None:
                self._services = self._open_services()
            services = self._services
            if self._store_id is None:
                self._store_id = store_id_for(services)
            self.reads += 1
            seq = change_seq(services, self._store_id)
            if self._snap is None or seq != self._snap.seq or self._monotonic() - self._read_at >= REREAD_SECONDS:
                self._snap = snapshot(services, self._store_id)
                self._read_at = self._monotonic()
                self.snapshots += 1
            body = payload(self._snap, services.clock(), services.settings.dealership.name)
            return 200, json.dumps(body, ensure_ascii=False).encode()
        except Exception as error:  # noqa: BLE001 - said on the TV; the next poll tries again
            from frontdesk.error_log import scrub

            # The TV hangs in the workshop: nothing an error message might quote about a customer is shown.
            said = str(error) if isinstance(error, FrontdeskError) else _("Unexpected error: {error}").format(
                error=scrub(f"{type(error).__name__}: {error}"))
            log.warning("the TV board cannot read the store: %s", scrub(str(error)))
            text = _("The board cannot read the store: {error}").format(error=said)
            return 503, json.dumps({"error": text}, ensure_ascii=False).encode()


# --- the rules and the routes ---------------------------------------------------------------

def host_allowed(server: BoardServer, request: web.Request) -> bool:
    """The name the browser reached this server by is this machine's, an address, or an allowed origin's.

    A same-origin ``fetch`` carries no ``Origin``; a page on a foreign name rebound to this
    machine still sends its own name as ``Host``, which is how it is told apart.
    """
    from frontdesk.board_serve import _is_address, _origin

    if server.any_origin:
        return True
    own = _origin(f"{'https' if request.secure else 'http'}://{request.host}")
    if own is None:
        return False
    if own[1] in server._own_names or _is_address(own[1]):
        return True
    return any(origin[1:] == own[1:] for origin in server.allowed_origins)


def _refused(server: BoardServer, request: web.Request) -> bool:
    return not (server.origin_allowed(request) and host_allowed(server, request))


def _size(text: str, allowed: range, default: int | None) -> int | None:
    return int(text) if text.isdigit() and int(text) in allowed else default


async def handle_page(server: BoardServer, request: web.Request) -> web.StreamResponse:
    """``/tv``: the page (assets/board/tv.html); its text size, page time and words filled in."""
    import aiohttp_jinja2
    from aiohttp import web

    from frontdesk.board_serve import FONT_SIZES

    if _refused(server, request):
        raise web.HTTPForbidden(text=_("This page may not open the board (its origin is not allowed)."))
    context = {
        "lang": current_language().replace("_", "-"),
        "title": _("Workshop progress"),
        "assets_url": "/board-assets/",
        "fonts_url": "/board-fonts/",
        "snapshot_url": "/tv/snapshot.json",
        "font_size": _size(request.query.get("fontsize", ""), FONT_SIZES, server.font_size) or "auto",
        "page_seconds": _size(request.query.get("pageseconds", ""), PAGE_SECONDS_RANGE, PAGE_SECONDS),
        "poll_ms": POLL_MS,
        "cars_per_screen": CARS_PER_SCREEN,
        "min_rows": MIN_ROWS,
        "headers": {"plate": _("Plate"), "stage": _("Stage"), "promised": _("Promised"), "since": _("In stage"),
                    "model": _("Model"), "advisor": _("Advisor")},
        "page_of": _("Page {page} of {pages}"),
        "waiting": _("Reading the board…"),
        "lost": _("The board cannot reach the server; it keeps trying."),
    }
    response = aiohttp_jinja2.render_template("tv.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def handle_snapshot(server: BoardServer, request: web.Request) -> web.StreamResponse:
    """``/tv/snapshot.json``: the shared answer; 403 for a foreign page, 503 while the store cannot be read."""
    from aiohttp import web

    if _refused(server, request):
        raise web.HTTPForbidden(text=_("This page may not open the board (its origin is not allowed)."))
    if server.tv_feed is None:
        status, body = 503, json.dumps({"error": _("The board has no store to show.")}, ensure_ascii=False).encode()
    else:
        status, body = await server.tv_feed.answer()
    return web.Response(status=status, body=body, content_type="application/json", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application, server: BoardServer) -> None:
    """The TV view's two routes on the served board's application."""
    app.router.add_get("/tv", partial(handle_page, server), name="tv")
    app.router.add_get("/tv/snapshot.json", partial(handle_snapshot, server), name="tv-snapshot")
