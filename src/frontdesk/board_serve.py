"""``frontdesk board --serve``: the wall board in browsers, with a cap and an Origin check.

textual-serve starts one board process per browser websocket (about 70 MB each) and
accepts a websocket from any page. Served on a store's network that is a way to exhaust
the machine, and any web page a desk PC visits could open the board through the desk's
browser. So :class:`BoardServer` wraps textual-serve's websocket handler:

* at most ``board_max_connections`` boards run at once; a browser beyond that gets a page
  that says so (in the console's language) instead of the board, and a websocket beyond it
  is closed with code 1013 ("try again later") before any process is started;
* a websocket whose ``Origin`` is not the served page itself is refused with 403 before
  any process is started, unless the origin is listed in ``board_allowed_origins``. The
  page's own origin counts only when the browser reached the server by an address or by a
  name this machine answers to: a page on an attacker's name rebound to this address
  (DNS rebinding) has a matching ``Host`` too, and must still be refused.

A wall TV is read from across the workshop: the page (``assets/board``, in place of
textual-serve's own) sizes the terminal's text so that a full page of cars fills the
screen — :data:`CARS_PER_SCREEN` cars and the board's other lines in its height, its
columns in its width — unless a size is given (``--font-size`` or ``?fontsize=``). More
cars than fit: the board pages by itself. The page brings its fonts (Latin and CJK), so a
TV without a Chinese font or without the internet shows the plates. What a TV should open is
``/tv`` (board_tv.py): a plain page, no process per browser, the plate, stage and promised
time larger than the rest.

The board processes get the database URL in their environment (``FRONTDESK_DB``), never
on their command line, which ``ps`` shows to every account on the machine; nothing here
prints it. textual is not imported here; textual-serve and aiohttp only when serving.
"""

from __future__ import annotations

import html
import ipaddress
import shlex
import socket
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from frontdesk import board_tv
from frontdesk.board_tv import TvFeed
from frontdesk.i18n import current_language, gettext as _
from frontdesk.services.errors import FrontdeskError

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from aiohttp import web

    from frontdesk.config import Settings
    from frontdesk.services.runtime import Services

#: Websocket close code for "the server is overloaded, try again later" (RFC 6455, IANA registry).
TRY_AGAIN_LATER = 1013
#: The cars a screen of the served board is sized for (with --font-size unset): more page.
CARS_PER_SCREEN = 16
#: Terminal lines besides the cars: title, counts, the table's header, the footer, one to spare.
BOARD_CHROME_LINES = 5
#: The columns the board's table is laid out for (screens/board.py).
BOARD_COLUMNS = 80
#: Font sizes (px) accepted from --font-size or ?fontsize=.
FONT_SIZES = range(8, 201)
ASSETS = Path(__file__).parent / "assets"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "127.0.0.1", "::1", "[::1]"})


class BoardServeError(FrontdeskError):
    """The board cannot be served as configured."""


def _origin(text: str) -> tuple[str, str, int] | None:
    """``scheme://host[:port]`` as (scheme, host, port) with the default port filled in; None if not one."""
    from yarl import URL

    try:
        url = URL(text.strip())
    except (TypeError, ValueError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return url.scheme, url.host.lower().rstrip("."), url.port or (443 if url.scheme == "https" else 80)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class _BoardProcess(AppService):
    """A board process whose environment carries what must stay off its command line."""

    def __init__(self, *args: Any, environment: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._extra_environment = dict(environment)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self._extra_environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self.process = await super()._open_app_process(width, height)
        return self.process

    async def release(self, grace: float = 5.0) -> None:
        """After ``stop()``: the process ended (killed if it hangs on) and its stdin closed.

        textual-serve leaves both to the garbage collector; a board that ignores "quit"
        would keep its slot and its memory for ever.
        """
        import asyncio

        process: Process | None = getattr(self, "process", None)
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            process.kill()
            await process.wait()


class BoardServer(Server):
    """textual-serve's server with a connection cap and an Origin check in front of each board."""

    def __init__(self, command: str, *, host: str, port: int, max_connections: int,
                 allowed_origins: Iterable[str] = (), environment: Mapping[str, str] | None = None,
                 font_size: int | None = None, tv_feed: TvFeed | None = None) -> None:
        """``font_size`` in pixels, or None: the page chooses it to fill the screen; ``tv_feed``: the TV view's data."""
        super().__init__(command, host=host, port=port, title="frontdesk board",
                         templates_path=ASSETS / "board")
        if font_size is not None and font_size not in FONT_SIZES:
            raise BoardServeError(_("--font-size must be a whole number of pixels from {low} to {high}, not {value}.")
                                  .format(low=FONT_SIZES[0], high=FONT_SIZES[-1], value=font_size))
        self.font_size = font_size
        self.tv_feed = tv_feed  # /tv (board_tv.py): None answers "no store"
        if not isinstance(max_connections, int) or isinstance(max_connections, bool) or max_connections < 1:
            raise BoardServeError(_("board_max_connections must be a whole number of at least 1, not \"{value}\".")
                                  .format(value=max_connections))
        self.max_connections = max_connections
        self.allowed_origins: set[tuple[str, str, int]] = set()
        self.any_origin = False
        for text in allowed_origins:
            if text.strip() == "*":
                self.any_origin = True
                continue
            origin = _origin(text)
            if origin is None:
                raise BoardServeError(_("board_allowed_origins: \"{value}\" is not an origin such as "
                                        "http://tv.store.lan:8000.").format(value=text))
            self.allowed_origins.add(origin)
        self.environment = dict(environment or {})
        self.live = 0  # boards running (or starting): a slot is taken before any await
        self.started = 0  # board processes started since the server began (for the tests and the log)
        self._own_names = {host.lower(), *_LOOPBACK_NAMES}
        for name in (socket.gethostname, socket.getfqdn):
            try:
                self._own_names.add(name().lower())
            except OSError:
                pass

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C; a port that cannot be had is one line, not a traceback."""
        try:
            super().serve(debug=debug)
        except OSError as exc:
            raise BoardServeError(_("Cannot serve the board on {host}:{port} ({reason}): choose another --port "
                                    "or --host.").format(host=self.host, port=self.port,
                                                         reason=exc.strerror or exc)) from exc

    async def make_app(self) -> web.Application:
        """The aiohttp application (textual-serve's routes with these handlers)."""
        return await self._make_app()

    async def _make_app(self) -> web.Application:
        """textual-serve's routes, and the board page's own script, style and fonts."""
        from aiohttp import web

        app = await super()._make_app()
        app.router.add_static("/board-assets", ASSETS / "board", name="board-assets")
        app.router.add_static("/board-fonts", ASSETS / "fonts", name="board-fonts")
        board_tv.add_routes(app, self)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: textual-serve's banner would print the board's command line."""

    # --- the checks -------------------------------------------------------------------------

    @property
    def full(self) -> bool:
        return self.live >= self.max_connections

    def origin_allowed(self, request: web.Request) -> bool:
        """No Origin (not a browser), an allowed one, or a page of this server on a name of this machine.

        "This server" is the scheme and port the websocket came in on; "this machine" is an
        address the browser reached it by, the loopback names, the ``--host`` given and the
        machine's own host names. A page on any other name is foreign even when the name
        resolves here: that is how DNS rebinding gets a browser to talk to a local port.
        """
        header = request.headers.get("Origin")
        if header is None:
            return True
        if self.any_origin:
            return True
        origin = _origin(header)
        if origin is None:
            return False
        if origin in self.allowed_origins:
            return True
        own = _origin(f"{'https' if request.secure else 'http'}://{request.host}")
        if own is None or origin[0] != own[0] or origin[2] != own[2]:
            return False
        names = self._own_names | ({own[1]} if _is_address(own[1]) else set())
        return origin[1] in names

    def full_page(self) -> str:
        title = _("The board is full")
        message = _("The board is already open in {n} browsers, as many as this computer serves at once. "
                    "Close it in one of them, then reload this page.").format(n=self.max_connections)
        return (f'<!DOCTYPE html>\n<html lang="{html.escape(current_language().replace("_", "-"))}">'
                f'<head><meta charset="utf-8"><meta http-equiv="refresh" content="30">'
                f"<title>{html.escape(title)}</title></head>"
                f'<body style="font-family:sans-serif;background:#1e1e1e;color:#eee;padding:3em">'
                f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>\n")

    # --- the handlers -----------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        from aiohttp import web

        if self.full:
            return web.Response(status=503, text=self.full_page(), content_type="text/html",
                                headers={"Retry-After": "30"})
        return self.board_page(request)

    def board_page(self, request: web.Request) -> web.Response:
        """The page (assets/board/board.html): addresses as the browser reached this server, the size to use."""
        import aiohttp_jinja2

        asked = request.query.get("fontsize", "")
        font_size = int(asked) if asked.isdigit() and int(asked) in FONT_SIZES else self.font_size
        scheme = "wss" if request.secure else "ws"
        context = {
            "lang": current_language().replace("_", "-"),
            "title": _("Workshop progress"),
            "session_ended": _("The board stopped. Reload the page to start it again."),
            "restart": _("Reload"),
            "static_url": "/static/",
            "assets_url": "/board-assets/",
            "fonts_url": "/board-fonts/",
            "websocket_url": f"{scheme}://{request.host}/ws",
            "font_size": font_size or "auto",
            "board_lines": CARS_PER_SCREEN + BOARD_CHROME_LINES,
            "board_columns": BOARD_COLUMNS,
        }
        return aiohttp_jinja2.render_template("board.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        from aiohttp import web

        if not self.origin_allowed(request):
            raise web.HTTPForbidden(text=_("This page may not open the board (its origin is not allowed)."))
        websocket = web.WebSocketResponse(heartbeat=15)
        if self.full:
            await websocket.prepare(request)
            reason = _("The board is full")
            await websocket.send_bytes(f"\r\n  {reason}\r\n".encode())
            await websocket.close(code=TRY_AGAIN_LATER, message=reason.encode()[:123])
            return websocket
        self.live += 1  # taken before the first await: no two handlers can both see a free slot
        try:
            return await self._run_board(request, websocket)
        finally:
            self.live -= 1

    async def _run_board(self, request: web.Request, websocket: web.WebSocketResponse) -> web.WebSocketResponse:
        """textual-serve's own handler, with the board process's environment added."""
        import asyncio
        import logging

        log = logging.getLogger("textual-serve")
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: _BoardProcess | None = None
        try:
            await websocket.prepare(request)
            app_service = _BoardProcess(
                self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug,
                environment=self.environment)
            self.started += 1
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 - textual-serve logs and drops the one connection
            log.exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
                await app_service.release()  # the slot is given back only when the process has ended
        return websocket


def board_command(settings: Settings, config: str | None) -> tuple[str, dict[str, str]]:
    """The board process's command line (no database URL in it) and what goes in its environment."""
    command = [sys.executable, "-m", "frontdesk", "board", "--lang", settings.language]
    if config:
        command += ["--config", config]
    return shlex.join(command), {"FRONTDESK_DB": settings.resolved_database_url()}


def make_server(settings: Settings, host: str, port: int, config: str | None = None,
                font_size: int | None = None) -> BoardServer:
    """The server for these settings; its ``serve()`` runs until Ctrl+C (no sign-in: loopback by default)."""
    command, environment = board_command(settings, config)

    def open_store() -> Services:
        from frontdesk.cli import open_services

        return open_services(settings, create=False)

    return BoardServer(command, host=host, port=port, max_connections=settings.board_max_connections,
                       allowed_origins=settings.board_allowed_origins, environment=environment,
                       font_size=font_size, tv_feed=board_tv.TvFeed(open_store))
