"""The served board has limits, and keeps the database URL to itself (issue 15, items 8 and 6).

A real aiohttp server on a free port runs :class:`BoardServer`; the "board" it starts for
each websocket is a stand-in that writes down its argv and environment and waits for
textual-serve's quit message, so starting and stopping is real and every process started
is counted by the file it leaves.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from frontdesk import board_serve, cli
from frontdesk.board_serve import TRY_AGAIN_LATER, BoardServer, BoardServeError
from frontdesk.config import Settings
from frontdesk.i18n import gettext, set_language

FAKE_BOARD = r"""
import json, os, sys
with open(os.path.join(sys.argv[1], f"{os.getpid()}.json"), "w") as fh:
    json.dump({"argv": sys.argv, "FRONTDESK_DB": os.environ.get("FRONTDESK_DB")}, fh)
os.write(1, b"__GANGLION__\n")  # what a Textual app says first under textual-serve
while chunk := os.read(0, 4096):  # textual-serve's quit message, or the end of stdin
    if b'"quit"' in chunk:
        break
"""

SECRET_URL = "postgresql+psycopg://frontdesk:Sup3rS3cret@db.store.lan/frontdesk"


class Served:
    """A running BoardServer and the boards it started."""

    def __init__(self, server: BoardServer, url: str, started: Path) -> None:
        self.server, self.url, self.started = server, url, started

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def boards(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.started.glob("*.json"))]

    async def wait_for_boards(self, n: int) -> None:
        for _ in range(200):
            if len(self.boards()) >= n:
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{len(self.boards())} boards started, expected {n}")

    async def wait_for_live(self, n: int) -> None:
        for _ in range(200):
            if self.server.live == n:
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{self.server.live} boards running, expected {n}")


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable[..., asyncio.Future[Served]]]:
    runners: list[web.AppRunner] = []

    async def start(**options: object) -> Served:
        started = tmp_path / f"started-{len(runners)}"
        started.mkdir()
        script = tmp_path / "fake_board.py"
        script.write_text(FAKE_BOARD)
        command = shlex.join([sys.executable, str(script), str(started)])
        options.setdefault("max_connections", 8)
        server = BoardServer(command, host="127.0.0.1", port=0, environment={"FRONTDESK_DB": SECRET_URL},
                             **options)  # type: ignore[arg-type]
        runner = web.AppRunner(await server.make_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        server.port, server.public_url = port, f"http://127.0.0.1:{port}"
        return Served(server, f"http://127.0.0.1:{port}/", started)

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


async def test_with_the_cap_at_two_a_third_browser_gets_the_full_page_and_no_process(serve) -> None:
    served = await serve(max_connections=2)
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(served.url + "ws", origin=served.origin)
        second = await http.ws_connect(served.url + "ws", origin=served.origin)
        await served.wait_for_boards(2)

        third = await http.ws_connect(served.url + "ws", origin=served.origin)
        refused = await third.receive(timeout=5)
        while refused.type == aiohttp.WSMsgType.BINARY:  # the notice written into the terminal
            assert b"The board is full" in refused.data
            refused = await third.receive(timeout=5)
        assert refused.type == aiohttp.WSMsgType.CLOSE
        assert refused.data == TRY_AGAIN_LATER and refused.extra == "The board is full"
        async with http.get(served.url) as page:
            assert page.status == 503
            body = await page.text()
            assert "The board is full" in body and "open in 2 browsers" in body
        await asyncio.sleep(0.2)
        assert len(served.boards()) == 2 and served.server.started == 2  # no third process

        await first.close()  # a screen is closed: its board ends and the slot is free again
        await served.wait_for_live(1)
        async with http.get(served.url) as page:
            assert page.status == 200
        again = await http.ws_connect(served.url + "ws", origin=served.origin)
        await served.wait_for_boards(3)
        await again.close()
        await second.close()
        await served.wait_for_live(0)


async def test_the_full_page_reads_in_the_consoles_language(serve) -> None:
    served = await serve(max_connections=1)
    set_language("zh_CN")
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(served.url + "ws", origin=served.origin)
        await served.wait_for_boards(1)
        async with http.get(served.url) as page:
            body = await page.text()
        await ws.close()
    assert page.status == 503 and 'lang="zh-CN"' in body
    assert f"<h1>{gettext('The board is full')}</h1>" in body  # the zh_CN catalog's words once merged


@pytest.mark.parametrize("origin", [
    "http://evil.example",
    "http://evil.example:{port}",  # a foreign page on this port (DNS rebinding aims here)
    "http://127.0.0.1:1",  # another port of this machine
    "https://127.0.0.1:{port}",
    "null",
])
async def test_a_websocket_from_a_foreign_origin_is_refused_before_any_process(serve, origin: str) -> None:
    served = await serve()
    origin = origin.format(port=served.server.port)
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(served.url + "ws", origin=origin)
        assert refused.value.status == 403
    assert served.boards() == [] and served.server.started == 0 and served.server.live == 0


async def test_a_rebound_name_is_refused_even_when_origin_and_host_agree(serve) -> None:
    served = await serve()
    port = served.server.port
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(served.url + "ws", origin=f"http://evil.example:{port}",
                                  headers={"Host": f"evil.example:{port}"})
        assert refused.value.status == 403
    assert served.boards() == []


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", None])
async def test_the_boards_own_page_is_accepted(serve, origin: str | None) -> None:
    served = await serve()
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(served.url + "ws", origin=origin.format(port=served.server.port) if origin else None)
        await served.wait_for_boards(1)
        await ws.close()
    await served.wait_for_live(0)


async def test_an_origin_allowed_in_the_settings_is_accepted(serve) -> None:
    served = await serve(allowed_origins=["http://tv.store.lan:8000/"])
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(served.url + "ws", origin="http://TV.store.lan:8000")
        await served.wait_for_boards(1)
        await ws.close()
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(served.url + "ws", origin="http://tv.store.lan:9000")


def test_bad_settings_are_refused_in_one_line() -> None:
    for bad in (0, -1, "8", 2.5, True):
        with pytest.raises(BoardServeError, match="board_max_connections"):
            BoardServer("true", host="127.0.0.1", port=0, max_connections=bad)  # type: ignore[arg-type]
    with pytest.raises(BoardServeError, match="board_allowed_origins"):
        BoardServer("true", host="127.0.0.1", port=0, max_connections=8, allowed_origins=["tv.store.lan"])


def test_the_settings_default_to_eight_boards_and_no_other_origin() -> None:
    assert Settings().board_max_connections == 8 and Settings().board_allowed_origins == []


# --- item 6: the database URL stays off the board processes' command lines -------------------

async def test_the_board_process_gets_the_url_in_its_environment_not_its_argv(serve) -> None:
    served = await serve()
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(served.url + "ws", origin=served.origin)
        await served.wait_for_boards(1)
        await ws.close()
    (board,) = served.boards()
    assert board["FRONTDESK_DB"] == SECRET_URL
    assert not any("Sup3rS3cret" in arg or "postgresql" in arg for arg in board["argv"])


def test_board_serve_puts_no_password_on_the_command_line_or_the_screen(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    made: list[BoardServer] = []
    monkeypatch.setattr(BoardServer, "serve", lambda self, debug=False: made.append(self))
    assert cli.main(["board", "--serve", "--db", SECRET_URL, "--lang", "en", "--port", "8123"]) == 0
    (server,) = made
    out = capsys.readouterr()
    assert "Sup3rS3cret" not in server.command and "postgresql" not in server.command
    assert server.environment["FRONTDESK_DB"] == SECRET_URL
    assert server.max_connections == 8
    assert "Sup3rS3cret" not in out.out + out.err and "http://127.0.0.1:8123/" in out.out
    # The command still starts the board: the same program, the console's language.
    assert shlex.split(server.command)[1:] == ["-m", "frontdesk", "board", "--lang", "en"]


def test_board_command_keeps_the_config_file_and_language() -> None:
    settings = replace(Settings(), database_url=SECRET_URL, language="zh_CN")
    command, environment = board_serve.board_command(settings, "/etc/frontdesk.toml")
    assert shlex.split(command)[1:] == ["-m", "frontdesk", "board", "--lang", "zh_CN", "--config", "/etc/frontdesk.toml"]
    assert environment == {"FRONTDESK_DB": SECRET_URL}


def test_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["board", "--serve", "--lang", "en", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"Cannot serve the board on 127.0.0.1:{port}" in err[0], err
