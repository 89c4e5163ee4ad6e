"""The installed console in a real terminal, typed at in bursts (issue 17, lost keys).

``frontdesk`` runs in tmux at 80x24 on a small store built here (SQLite, a config file of its
own); ``tmux send-keys`` hands it whole strings at once — sign-in and the plate in one burst,
the check-in form with F6 and the walkaround's keys behind it in the next, the estimate and
the signature in the last — and the database says whether every key landed where it was meant.
Skipped when tmux is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import RepairOrder, Vehicle, Walkaround
from frontdesk.services import desk
from frontdesk.services.runtime import Services
from frontdesk.services.setup import ensure_store, system_actor

from .conftest import PASSWORD, make_actors
from .factories import seed_shop

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed: the console "
                                "cannot be typed at in a real terminal here")

VIN = "LSGPC52U1AF123456"
PLATE = "粤E55667"


class Terminal:
    """One tmux session of its own (its own server socket), 80x24, running ``command``."""

    def __init__(self, tmp_path: Path, command: list[str], env: dict[str, str]) -> None:
        self.socket = str(tmp_path / "tmux.sock")
        self.env = env
        self._tmux("new-session", "-d", "-s", "fd", "-x", "80", "-y", "24", *command)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], env=self.env,
                              capture_output=True, text=True, timeout=10, check=True)
        return done.stdout

    def send(self, *keys: str) -> None:
        """All of ``keys`` in one write to the terminal: tmux key names (Tab, Enter, F2) or literal text."""
        self._tmux("send-keys", "-t", "fd", *keys)

    def screen(self) -> str:
        try:
            return self._tmux("capture-pane", "-p", "-t", "fd")
        except subprocess.CalledProcessError:  # the console has ended
            return ""

    def wait(self, what: str, until: Callable[[], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout:.0f} s for {what}; the terminal shows:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], env=self.env, capture_output=True, timeout=10,
                       check=False)


@pytest.fixture
def store(tmp_path: Path, sqlite_template: Path) -> Services:
    """A store with the catalogs and one user per role (password PASSWORD), on a SQLite file."""
    path = tmp_path / "store.db"
    shutil.copy(sqlite_template, path)
    services = Services(db=Database(f"sqlite:///{path}"), settings=Settings())
    admin = system_actor(ensure_store(services))
    seed_shop(services, admin, make_actors(services, admin))
    return services


def order_of(services: Services) -> RepairOrder | None:
    with services.db.reader() as s:
        return s.scalars(select(RepairOrder).join(Vehicle).where(Vehicle.plate == PLATE)).one_or_none()


def covers_fitted(services: Services, order_id: int) -> bool:
    with services.db.reader() as s:
        walk = s.scalars(select(Walkaround).where(Walkaround.order_id == order_id)).one_or_none()
        return walk is not None and walk.covers_fitted


def marks(services: Services, order_id: int) -> set[tuple[str, str]]:
    walk = desk.order_view(services, order_id).walkaround
    return set(walk.marks) if walk is not None else set()


def test_the_morning_typed_in_bursts_into_the_installed_console(tmp_path: Path, store: Services):
    console = Path(sys.executable).with_name("frontdesk")
    assert console.exists(), "the console is installed in the test's environment (pip install -e .)"
    config = tmp_path / "config.toml"
    config.write_text(f'language = "zh_CN"\npdf_dir = "{tmp_path / "pdf"}"\n', encoding="utf-8")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
           "FRONTDESK_CONFIG": str(config)}
    env.pop("TMUX", None)
    term = Terminal(tmp_path, [str(console), "--db", store.db.url, "--config", str(config)], env)
    try:
        term.wait("the sign-in form", lambda: "advisor" in term.screen())

        # Sign-in and the desk's search in one burst, the plate typed before the desk is there
        term.send("advisor", "Tab", PASSWORD, "Enter", "粤e·55667", "F2")
        term.wait("the check-in with the plate carried in", lambda: PLATE in term.screen())

        # The check-in form in the driving licence's order (Enter to the next required field, Tab to
        # the optional ones), F6, and the walkaround's keys right behind it
        term.send(VIN, "Enter", "别克", "Enter", "英朗", "Tab", "Tab", "珍珠白", "Tab", "2025-06-15", "Enter",
                  "王芳", "Enter", "13712345678", "Enter", "8021", "Enter", "6", "Tab", "Tab", "Tab", "空调不凉",
                  "F6", "1", "Down", "Right", "2", "c", "F6")
        term.wait("the order and its walkaround", lambda: (o := order_of(store)) is not None
                  and covers_fitted(store, o.id) and len(marks(store, o.id)) == 2)
        order = order_of(store)
        assert order is not None and order.odometer_km == 8021 and order.concerns == "空调不凉"
        assert marks(store, order.id) == {("front_bumper", "scratch"), ("front_right_wing", "dent")}

        # The estimate: the oil change by pinyin, the payment method, the signature
        term.send("F2", "jy", "Enter", "F9", "Enter", "Down", "Enter", "F6", "F9", "Enter")
        term.wait("the signed work order", lambda: desk.order_view(store, order.id).status == "authorised")
        signed = desk.order_view(store, order.id)
        assert [ln.code for ln in signed.lines if ln.kind == "labor"] == ["MT0101"]
        assert signed.payment_method == "cash" and signed.signed_by == "王芳"
        term.send("C-q")
    finally:
        term.close()
