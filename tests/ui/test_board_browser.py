"""The served board in a real browser: headless Chromium opens ``frontdesk board --serve``.

Chromium is driven over the Chrome DevTools Protocol with aiohttp (already installed for
textual-serve), so no browser-automation package is needed. textual-serve draws with
xterm.js on a canvas, so the page's DOM holds no text; the test reads xterm's own screen
buffer instead, which is what the canvas shows. A script added before the page's own
catches the page's ``Terminal`` object when textual-serve's client stores it (``this.terminal
= new Terminal(...)``) and leaves everything else alone. Every WebSocket frame the page
received is kept too, to show that no customer name or phone number reached the browser.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it); without it the
test is skipped.

On a wall TV (1920x1080) the page sizes the terminal's text itself: with sixteen cars on the
board the glyphs are at least 24 px high and the cars reach down into the lower part of the
screen (measured in xterm and in a screenshot of the page). Set ``FRONTDESK_BOARD_SCREENSHOT``
to a file name to keep the screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from frontdesk.board_serve import BOARD_CHROME_LINES, CARS_PER_SCREEN, BoardServer, BoardServeError
from frontdesk.model.enums import Role
from frontdesk.services import checkin

from ..factories import order_through
from ..test_board_serve_limits import serve  # noqa: F401  (fixture: a BoardServer on a free port)
from .test_board import workshop_order  # noqa: F401  (fixture: a car of 粤A12345 in the workshop)

PLATE = "粤A12345"
SECRETS = ("张伟", "李娜", "欧阳建国", "13800138000", "13912345678", "18688889999")
DEADLINE = 20.0  # seconds for the whole browser part
TV = (1920, 1080)

# Runs in the page before textual-serve's script. Its client does ``this.terminal = new
# Terminal(...)``; an assignment looks up setters on the prototype chain, so this one sees
# the terminal, stores it as an ordinary property where it was meant to go and keeps a
# reference for the test. Objects that never set ``terminal`` are not affected.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && typeof value.write === "function") window.__boardTerminal = value;
  },
});
"""

# xterm's screen as text, one line per row, or null until the terminal exists.
READ_SCREEN = """
(() => {
  const term = window.__boardTerminal;
  if (!term) return null;
  const buf = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return JSON.stringify({
    rows, cols: term.cols,
    firstByte: document.body.classList.contains("-first-byte"),
    closed: document.body.classList.contains("-closed"),
  });
})()
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen[Any] | None) -> None:
    """End a process started in its own session, and everything it started, for sure."""
    if proc is None or (proc.poll() is not None and not _group_alive(proc.pid)):
        return
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
        if proc.poll() is not None and not _group_alive(proc.pid):
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cdp:
    """A minimal DevTools client: commands in order, events collected per method."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data and (fut := self.pending.pop(data["id"], None)) and not fut.done():
                fut.set_result(data)
            elif "method" in data:
                self.events.append(data)
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("DevTools connection closed"))

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[msg_id] = fut
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        await self.ws.send_json(msg)
        reply = await asyncio.wait_for(fut, 10)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})


async def _devtools_url(profile: Path, browser: subprocess.Popen[bytes], log: Path, deadline: float) -> str:
    """Chromium writes its DevTools port and browser path into the profile once it listens."""
    active = profile / "DevToolsActivePort"
    while True:
        with contextlib.suppress(OSError, ValueError):
            port, path = active.read_text().split()[:2]
            return f"ws://127.0.0.1:{int(port)}{path}"
        if browser.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("chromium did not open its DevTools port:\n" + _tail(log))
        await asyncio.sleep(0.05)


def _tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


async def _wait_http(url: str, server: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    async with aiohttp.ClientSession() as http:
        while True:
            assert server.poll() is None, "frontdesk board --serve exited early:\n" + _tail(log)
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return
            assert time.monotonic() < deadline, f"{url} did not answer:\n" + _tail(log)
            await asyncio.sleep(0.1)


def _frames(cdp: Cdp) -> str:
    """Everything the page received over WebSockets, decoded (terminal output is UTF-8)."""
    out = bytearray()
    for ev in cdp.events:
        if ev["method"] == "Network.webSocketFrameReceived":
            resp = ev["params"]["response"]
            data = resp["payloadData"]
            out += base64.b64decode(data) if resp["opcode"] == 2 else data.encode()
    return out.decode("utf-8", "replace")


@contextlib.asynccontextmanager
async def browser_on_board(db_url: str, tmp_path: Path, *, window: tuple[int, int] = (1280, 800),
                           serve_args: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """``frontdesk board --serve`` and a headless Chromium: yields (DevTools client, page URL, server log, deadline)."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian package 'chromium', installed by .ci/run): browser test skipped")

    deadline = time.monotonic() + DEADLINE
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if k not in ("FRONTDESK_DB", "FRONTDESK_LANG")}
    env["FRONTDESK_CONFIG"] = str(tmp_path / "no-config.toml")  # defaults, not the user's settings file
    profile, server_log, browser_log = tmp_path / "chromium", tmp_path / "serve.log", tmp_path / "chromium.log"
    server = browser = None
    try:
        with server_log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "frontdesk", "board", "--serve", "--host", "127.0.0.1", "--port", str(port),
                 "--db", db_url, "--lang", "en", *serve_args],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        with browser_log.open("wb") as out:
            browser = subprocess.Popen(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                 f"--user-data-dir={profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
                 f"--window-size={window[0]},{window[1]}", "--force-device-scale-factor=1",
                 # Offline and quick: a link to the internet fails at once instead of waiting.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out, start_new_session=True,
            )
        ws_url = await _devtools_url(profile, browser, browser_log, deadline)
        await _wait_http(url, server, server_log, deadline)

        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
            cdp = Cdp(ws)
            try:
                yield cdp, url, server_log, deadline
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(cdp.send("Browser.close"), 2)
            finally:
                cdp.reader.cancel()
    finally:
        _stop(browser)
        _stop(server)


async def test_served_board_shows_plates_in_a_real_browser(ui_services, workshop_order, tmp_path: Path):  # noqa: F811
    async with browser_on_board(ui_services.db.url, tmp_path) as (cdp, url, server_log, deadline):
        screen, received, _session = await _open_board(cdp, url, server_log, deadline)

    text = "\n".join(screen["rows"])
    assert not screen["closed"], "the page says the session ended"
    assert "Plate" in text and "Waiting" in text, text  # the board's table, with the car's stage
    assert PLATE in received, "the WebSocket frames were not captured"
    for secret in SECRETS:
        assert secret not in text, secret
        assert secret not in received, secret


# The terminal's measures once the board is drawn: its font, its cells, where its screen sits on the page,
# and how tall a plate's glyphs are in that font (the canvas measures the font xterm draws with).
MEASURE = """
(() => {
  const term = window.__boardTerminal;
  const cell = term._core._renderService.dimensions.css.cell;
  const box = term.element.querySelector(".xterm-screen").getBoundingClientRect();
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${term.options.fontSize}px ${term.options.fontFamily}`;
  const plate = ctx.measureText("粤B20001"), latin = ctx.measureText("B2000");
  return JSON.stringify({
    fontSize: Number(term.options.fontSize), cellHeight: cell.height, cellWidth: cell.width,
    rows: term.rows, cols: term.cols, top: box.top, height: box.height,
    plateHeight: plate.actualBoundingBoxAscent + plate.actualBoundingBoxDescent,
    latinHeight: latin.actualBoundingBoxAscent + latin.actualBoundingBoxDescent,
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
  });
})()
"""


@pytest.fixture
def sixteen_cars(ui_services, ui_actors, desk_data) -> list[str]:
    """Sixteen cars signed and waiting in the workshop: the wall board's full page."""
    plates = [f"粤B2{n:04d}" for n in range(1, 17)]
    adv = ui_actors[Role.ADVISOR]
    for n, plate in enumerate(plates, start=1):
        customer = checkin.save_customer(ui_services, adv, checkin.CustomerInput(f"车主{n}", f"1390000{n:04d}"))
        vehicle = checkin.save_vehicle(ui_services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=f"LFV2A21K6B76543{n:02d}", make="大众", model="朗逸", colour="珍珠白",
            confirm_vin_check_digit=True))
        order_through(ui_services, ui_actors, desk_data.shop, vehicle.id, stop="authorised")
    return plates


async def test_on_a_tv_sixteen_cars_fill_the_screen_in_large_type(ui_services, sixteen_cars, tmp_path: Path):
    from PIL import Image

    async with browser_on_board(ui_services.db.url, tmp_path, window=TV) as (cdp, url, server_log, deadline):
        screen, _received, session = await _open_board(cdp, url, server_log, deadline, plate=sixteen_cars[-1],
                                                       viewport=TV)
        measured = json.loads((await cdp.send("Runtime.evaluate", session, expression=MEASURE,
                                              returnByValue=True))["result"]["value"])
        shot = base64.b64decode((await cdp.send("Page.captureScreenshot", session, format="png"))["data"])
    png = tmp_path / "board-1920x1080.png"
    png.write_bytes(shot)
    if keep := os.environ.get("FRONTDESK_BOARD_SCREENSHOT"):
        Path(keep).write_bytes(shot)

    assert (measured["innerWidth"], measured["innerHeight"]) == TV
    shown = [plate for plate in sixteen_cars if any(plate in row for row in screen["rows"])]
    assert shown == sixteen_cars, "\n".join(screen["rows"])  # all sixteen on one page
    # Read from across the workshop: the plate's glyphs at least 24 px high.
    assert measured["plateHeight"] >= 24 and measured["latinHeight"] >= 20, measured
    # The cars fill the height: the last car's row ends in the lowest quarter of the screen, not the top third.
    last = max(y for y, row in enumerate(screen["rows"]) if sixteen_cars[-1] in row)
    bottom = measured["top"] + (last + 1) * measured["cellHeight"]
    assert bottom >= 0.75 * TV[1], (bottom, measured)
    assert measured["cols"] >= 80, measured  # and the board's columns still fit across
    # The screenshot agrees: something is drawn in the lowest quarter of the page, not only black.
    image = Image.open(png).convert("L")
    assert image.size == TV
    lowest_quarter = image.crop((0, int(0.75 * TV[1]), TV[0], int(bottom)))
    assert lowest_quarter.getextrema()[1] > 128, "nothing bright in the lower part of the page"


async def _open_board(cdp: Cdp, url: str, server_log: Path, deadline: float, *, plate: str = PLATE,
                      viewport: tuple[int, int] | None = None) -> tuple[dict[str, Any], str, str]:
    """Open the board in a fresh tab; wait until xterm's screen holds ``plate``. Screen, frames and the tab's session."""
    target = await cdp.send("Target.createTarget", url="about:blank")
    session = (await cdp.send("Target.attachToTarget", targetId=target["targetId"], flatten=True))["sessionId"]
    if viewport is not None:
        await cdp.send("Emulation.setDeviceMetricsOverride", session, width=viewport[0], height=viewport[1],
                       deviceScaleFactor=1, mobile=False)
    await cdp.send("Page.enable", session)
    await cdp.send("Network.enable", session)
    await cdp.send("Page.addScriptToEvaluateOnNewDocument", session, source=CATCH_TERMINAL)
    await cdp.send("Page.navigate", session, url=url)
    screen: dict[str, Any] | None = None
    while True:
        with contextlib.suppress(RuntimeError):  # e.g. no execution context while the page loads
            result = await cdp.send("Runtime.evaluate", session, expression=READ_SCREEN, returnByValue=True)
            value = result["result"].get("value")
            screen = json.loads(value) if value else None
        if screen and screen["firstByte"] and any(plate in row for row in screen["rows"]):
            await asyncio.sleep(0.5)  # the rest of the frame that brought the plate
            result = await cdp.send("Runtime.evaluate", session, expression=READ_SCREEN, returnByValue=True)
            return json.loads(result["result"]["value"]), _frames(cdp), session
        if time.monotonic() > deadline:
            pytest.fail(
                "the browser's terminal never showed the plate "
                f"(terminal caught: {screen is not None}, plate in the WebSocket stream: {plate in _frames(cdp)})\n"
                + ("\n".join(screen["rows"]) if screen else "")
                + "\n--- frontdesk board --serve:\n" + _tail(server_log)
            )
        await asyncio.sleep(0.2)


async def test_the_page_takes_a_given_font_size_or_chooses_one_itself(serve):  # noqa: F811
    """No browser: the page as served, with its own script, style and fonts (a TV may have no CJK font)."""
    async with aiohttp.ClientSession() as http:
        auto = await serve()
        async with http.get(auto.url) as resp:
            page = await resp.text()
        assert 'data-font-size="auto"' in page and f'data-board-lines="{CARS_PER_SCREEN + BOARD_CHROME_LINES}"' in page
        assert f'data-session-websocket-url="ws://127.0.0.1:{auto.server.port}/ws"' in page
        assert "fonts.googleapis.com" not in page  # nothing fetched from the internet
        for asset in ("board-assets/board.js", "board-assets/board.css", "board-fonts/wqy-microhei-gbk.ttf",
                      "static/js/textual.js"):
            async with http.get(auto.url + asset) as resp:
                assert resp.status == 200, asset
        async with http.get(auto.url + "?fontsize=30") as resp:
            assert 'data-font-size="30"' in await resp.text()
        fixed = await serve(font_size=36)
        async with http.get(fixed.url) as resp:
            assert 'data-font-size="36"' in await resp.text()
    with pytest.raises(BoardServeError):
        BoardServer("true", host="127.0.0.1", port=0, max_connections=1, font_size=3)
