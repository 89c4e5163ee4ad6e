"""The wall board's TV view (``/tv`` of ``frontdesk board --serve``; frontdesk/board_tv.py, assets/board/tv.*).

Without a browser: ``/tv/snapshot.json`` holds the cars as the terminal board shows them and
no customer's name or phone number, is read once per period however many browsers ask, and
refuses a foreign page (by its Origin, or by a rebound Host when a same-origin fetch sends no
Origin).

In headless Chromium at 1920x1080 (tests/ui/test_board_browser.py's helpers): with sixteen
cars the plate's glyphs are at least 24 px high, measured in the screenshot as well as in the
DOM, larger than the advisor's and the stage's, and the sixteenth car's row ends in the lowest
quarter of the screen; with thirty cars the board pages. Set ``FRONTDESK_BOARD_SCREENSHOT`` to a
file name to keep the sixteen-car screenshot (``.tv.png`` is added).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from frontdesk.board_tv import CACHE_SECONDS, TvFeed
from frontdesk.model.enums import Role
from frontdesk.services import checkin

from ..factories import order_through
from ..test_board_serve_limits import serve  # noqa: F401  (fixture: a BoardServer on a free port)
from .test_board import workshop_order  # noqa: F401  (fixture: a car of 粤A12345 in the workshop)
from .test_board_browser import PLATE, SECRETS, TV, Cdp, browser_on_board

CAR_KEYS = {"id", "plate", "model", "advisor", "stage", "stage_label", "in_stage", "promised", "flag", "flag_label"}


def add_cars(services, actors, shop, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` cars signed and waiting in the workshop, their owners named and with phone numbers."""
    plates = [f"粤B2{k:04d}" for k in range(1, n + 1)]
    adv = actors[Role.ADVISOR]
    for k, plate in enumerate(plates, start=1):
        customer = checkin.save_customer(services, adv, checkin.CustomerInput(f"车主{k}", f"1390000{k:04d}"))
        vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=f"LFV2A21K6B7654{k:03d}", make="大众", model="朗逸", colour="珍珠白",
            confirm_vin_check_digit=True))
        order_through(services, actors, shop, vehicle.id, stop="authorised")
    return plates


# --- the JSON answer, no browser ------------------------------------------------------------

async def test_the_snapshot_holds_plates_stages_and_times_and_no_personal_data(serve, ui_services,  # noqa: F811
                                                                                 workshop_order):  # noqa: F811
    served = await serve(tv_feed=TvFeed(lambda: ui_services))
    async with aiohttp.ClientSession() as http, http.get(served.url + "tv/snapshot.json") as resp:
        assert resp.status == 200 and resp.content_type == "application/json"
        assert resp.headers["Cache-Control"] == "no-store"
        text = await resp.text()
    body = json.loads(text)
    [car] = [c for c in body["cars"] if c["plate"] == PLATE]
    assert set(car) == CAR_KEYS  # what the terminal board shows, nothing more
    assert (car["stage"], car["stage_label"]) == ("waiting", "Waiting")  # the key for the colour, the word to show
    assert car["promised"] == "12:00"  # set_terms: the fake clock's 09:00 + 3 h, today: "HH:MM"
    assert body["title"].endswith("· workshop progress")
    assert body["summary"][0]["text"].endswith(("car", "cars"))
    for secret in SECRETS:  # the owners' names and phone numbers, the signer's name
        assert secret not in text, secret


async def test_many_browsers_share_one_read_per_period(serve, ui_services, workshop_order):  # noqa: F811
    now = [100.0]
    feed = TvFeed(lambda: ui_services, monotonic=lambda: now[0])
    served = await serve(tv_feed=feed)
    async with aiohttp.ClientSession() as http:
        async def ask() -> int:
            async with http.get(served.url + "tv/snapshot.json") as resp:
                return resp.status
        assert await asyncio.gather(*(ask() for _ in range(12))) == [200] * 12
        assert (feed.reads, feed.snapshots) == (1, 1)  # twelve TVs, one read
        now[0] += CACHE_SECONDS
        assert await ask() == 200
        assert (feed.reads, feed.snapshots) == (2, 1)  # nothing changed: only the change counter was read


async def test_a_foreign_page_gets_no_snapshot(serve, ui_services, workshop_order):  # noqa: F811
    served = await serve(tv_feed=TvFeed(lambda: ui_services))
    port = served.server.port
    json_url = served.url + "tv/snapshot.json"
    async with aiohttp.ClientSession() as http:
        for headers in ({"Origin": "http://evil.example"},
                        {"Origin": f"http://evil.example:{port}"},
                        # DNS rebinding: a same-origin fetch sends no Origin, but the page's own name as Host
                        {"Host": f"evil.example:{port}"},
                        {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}):
            for url in (json_url, served.url + "tv"):
                async with http.get(url, headers=headers) as resp:
                    body = await resp.text()
                    assert resp.status == 403, (headers, url)
                    assert PLATE not in body
        for headers in ({}, {"Origin": served.origin}, {"Host": f"localhost:{port}"}):
            async with http.get(json_url, headers=headers) as resp:
                assert resp.status == 200, headers


async def test_an_origin_allowed_in_the_settings_may_read_the_snapshot(serve, ui_services):  # noqa: F811
    served = await serve(tv_feed=TvFeed(lambda: ui_services), allowed_origins=["http://tv.store.lan:8000"])
    async with aiohttp.ClientSession() as http:
        async with http.get(served.url + "tv/snapshot.json",
                            headers={"Host": "tv.store.lan:8000", "Origin": "http://tv.store.lan:8000"}) as resp:
            assert resp.status == 200
        async with http.get(served.url + "tv/snapshot.json", headers={"Host": "tv.store.lan:9000"}) as resp:
            assert resp.status == 403


async def test_the_tv_page_brings_its_script_style_and_fonts(serve) -> None:  # noqa: F811
    served = await serve()  # no store behind it: the page still loads and says so
    async with aiohttp.ClientSession() as http:
        async with http.get(served.url + "tv") as resp:
            assert resp.status == 200
            page = await resp.text()
        assert 'data-font-size="auto"' in page and 'data-page-seconds="8"' in page
        assert "fonts.googleapis.com" not in page
        for asset in ("board-assets/tv.js", "board-assets/tv.css", "board-fonts/wqy-microhei-gbk.ttf"):
            async with http.get(served.url + asset) as resp:
                assert resp.status == 200, asset
        async with http.get(served.url + "tv?fontsize=30&pageseconds=3") as resp:
            page = await resp.text()
            assert 'data-font-size="30"' in page and 'data-page-seconds="3"' in page
        async with http.get(served.url + "tv/snapshot.json") as resp:
            assert resp.status == 503 and "error" in await resp.json()
    fixed = await serve(font_size=36)
    async with aiohttp.ClientSession() as http, http.get(fixed.url + "tv") as resp:
        assert 'data-font-size="36"' in await resp.text()


# --- in a browser ---------------------------------------------------------------------------

# The page's cars and the measures of the plate, stage, promised time and advisor of each row drawn.
MEASURE = """
(() => {
  const ctx = document.createElement("canvas").getContext("2d");
  function measure(el) {
    if (!el) return null;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const m = ctx.measureText(el.textContent);
    return {text: el.textContent, fontSize: parseFloat(style.fontSize),
            glyphHeight: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent,
            left: box.left, right: box.right, top: box.top, bottom: box.bottom};
  }
  const rows = [...document.querySelectorAll("#tv-table .car")];
  return JSON.stringify({
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    footer: document.getElementById("tv-footer").textContent,
    text: document.body.innerText,
    fontsLoaded: document.fonts.check("32px 'Board Sans'", "粤"),
    rows: rows.map((row) => ({
      plate: measure(row.querySelector(".plate")), stage: measure(row.querySelector(".stage-pill")),
      promised: measure(row.querySelector(".promised")), advisor: measure(row.querySelector(".other span:last-child")),
      bottom: row.querySelector(".plate").getBoundingClientRect().bottom,
    })),
  });
})()
"""


async def _measure(cdp: Cdp, session: str) -> dict[str, Any]:
    result = await cdp.send("Runtime.evaluate", session, expression=MEASURE, returnByValue=True)
    return json.loads(result["result"]["value"])


async def _open_tv(cdp: Cdp, url: str, server_log: Path, deadline: float, *, until: str) -> tuple[str, dict[str, Any]]:
    """Open ``url`` in a fresh 1920x1080 tab; wait until a row shows the plate ``until``, its fonts loaded."""
    from .test_board_browser import _tail

    target = await cdp.send("Target.createTarget", url="about:blank")
    session = (await cdp.send("Target.attachToTarget", targetId=target["targetId"], flatten=True))["sessionId"]
    await cdp.send("Emulation.setDeviceMetricsOverride", session, width=TV[0], height=TV[1],
                   deviceScaleFactor=1, mobile=False)
    await cdp.send("Page.enable", session)
    await cdp.send("Page.navigate", session, url=url)
    measured: dict[str, Any] | None = None
    while True:
        with contextlib.suppress(RuntimeError, KeyError, TypeError, json.JSONDecodeError):
            measured = await _measure(cdp, session)
            if measured["fontsLoaded"] and any(row["plate"]["text"] == until for row in measured["rows"]):
                await asyncio.sleep(0.3)  # the font's last re-layout
                return session, await _measure(cdp, session)
        if time.monotonic() > deadline:
            pytest.fail(f"the TV page never showed {until}: {measured and measured.get('footer')}\n"
                        + _tail(server_log))
        await asyncio.sleep(0.2)


def _ink_height(png: Path, box: dict[str, float]) -> int:
    """Height in pixels of the bright (text) pixels inside ``box`` of the screenshot: the glyphs as drawn."""
    from PIL import Image

    image = Image.open(png).convert("L")
    crop = image.crop((int(box["left"]), int(box["top"]), int(box["right"]), int(box["bottom"])))
    lit = [y for y in range(crop.height) if crop.crop((0, y, crop.width, y + 1)).getextrema()[1] > 128]
    return (lit[-1] - lit[0] + 1) if lit else 0


async def test_on_a_tv_sixteen_plates_are_the_largest_text_and_fill_the_screen(ui_services, ui_actors, desk_data,
                                                                               tmp_path: Path):
    from PIL import Image

    plates = add_cars(ui_services, ui_actors, desk_data.shop, 16)
    async with browser_on_board(ui_services.db.url, tmp_path, window=TV) as (cdp, url, server_log, deadline):
        session, measured = await _open_tv(cdp, url + "tv", server_log, deadline, until=plates[-1])
        shot = base64.b64decode((await cdp.send("Page.captureScreenshot", session, format="png"))["data"])
    png = tmp_path / "tv-1920x1080.png"
    png.write_bytes(shot)
    if keep := os.environ.get("FRONTDESK_BOARD_SCREENSHOT"):
        Path(keep + ".tv.png").write_bytes(shot)

    assert (measured["innerWidth"], measured["innerHeight"]) == TV
    assert measured["scrollWidth"] <= TV[0]  # nothing runs off the right edge
    rows = measured["rows"]
    assert [row["plate"]["text"] for row in rows] == plates  # all sixteen on one page, no paging
    assert measured["footer"] == ""
    last = rows[-1]
    # Read from across the workshop: the plate's glyphs at least 24 px high, in the DOM and on the screen.
    assert last["plate"]["glyphHeight"] >= 24, last
    assert _ink_height(png, last["plate"]) >= 24, last
    # The plate is the largest; the stage and promised time larger than the advisor's name.
    assert last["plate"]["fontSize"] > last["stage"]["fontSize"] > last["advisor"]["fontSize"], last
    assert last["plate"]["fontSize"] > last["promised"]["fontSize"] > last["advisor"]["fontSize"], last
    # The cars fill the height: the sixteenth row ends in the lowest quarter of the screen.
    assert 0.75 * TV[1] <= last["bottom"] <= TV[1], last
    image = Image.open(png).convert("L")
    assert image.size == TV
    assert image.crop((0, int(0.75 * TV[1]), TV[0], int(last["bottom"]))).getextrema()[1] > 128
    for secret in (*SECRETS, "车主16", "13900000016"):
        assert secret not in measured["text"], secret


async def test_on_a_tv_thirty_cars_are_shown_page_by_page(ui_services, ui_actors, desk_data, tmp_path: Path):
    plates = add_cars(ui_services, ui_actors, desk_data.shop, 30)
    async with browser_on_board(ui_services.db.url, tmp_path, window=TV) as (cdp, url, server_log, deadline):
        session, first = await _open_tv(cdp, url + "tv?pageseconds=2", server_log, deadline, until=plates[0])
        _session, second = await _open_tv(cdp, url + "tv?pageseconds=2", server_log, deadline + 4, until=plates[-1])
        del session, _session
    # Both tabs ran the same page; the first was caught on page 1, the second waited for page 2.
    shown_first = [row["plate"]["text"] for row in first["rows"]]
    shown_second = [row["plate"]["text"] for row in second["rows"]]
    assert shown_first == plates[:16] and first["footer"] == "Page 1 of 2", first["footer"]
    assert shown_second == plates[16:] and second["footer"] == "Page 2 of 2", second["footer"]
    assert first["rows"][0]["plate"]["glyphHeight"] >= 24
