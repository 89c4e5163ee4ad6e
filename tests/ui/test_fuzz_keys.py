"""Random keys on every screen: the console never crashes and the database stays whole.

A clerk leans on the keyboard, a cat walks over it: whatever the keys, the app must not
die with a traceback (Pilot's ``run_test`` re-raises anything the app did not handle), and
the database must pass SQLite's integrity check with an audit trail that only grew and no
half-written order (every order has its vehicle, every line its order). Ctrl+Q is left
out: it is the one key that is meant to end the app.

The suite presses 50 keys on each screen (each reached with one role allowed to open
it, per-order screens with a seeded order); benchmarks/fuzz_keys.py presses 1 000 on every
screen for every role. The keys are seeded, so a crash replays.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from frontdesk.model.enums import Role
from frontdesk.navigation import DESTINATIONS

KEYS_PER_SCREEN = int(os.environ.get("FRONTDESK_FUZZ_KEYS", "50"))  # benchmarks/fuzz_keys.py: 1 000; ~65 ms a key at 80x24: 24 screens stay under two minutes

ALPHABET: tuple[str, ...] = (
    *"abcdefghijklmnopqrstuvwxyz", *"0123456789", *(f"f{n}" for n in range(1, 13)),
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "tab", "shift+tab",
    "enter", "enter", "escape", "escape", "backspace", "delete", "space", "ctrl+p", "ctrl+s", "ctrl+l",
    "minus", "full_stop", "comma", "slash", "A", "Z", "张", "粤",
)


@dataclass(frozen=True)
class Target:
    key: str  # destination key, or "estimate"/"walkaround"/"order_history"
    role: Role
    per_order: bool


EXTRA_PER_ORDER = {  # per-order screens opened from lists rather than the palette
    "estimate": ("frontdesk.screens.estimate:EstimateScreen", {Role.ADVISOR, Role.MANAGER}),
    "walkaround": ("frontdesk.screens.walkaround:WalkaroundScreen", {Role.ADVISOR, Role.MANAGER}),
    "order_history": ("frontdesk.screens.order_history:OrderHistoryScreen", {Role.ADVISOR, Role.MANAGER, Role.CASHIER}),
}


def targets(every_role: bool) -> list[Target]:
    """Each screen with one allowed role (``every_role``: with each allowed role)."""
    out = []
    for dest in DESTINATIONS:
        roles = sorted(dest.roles) if every_role else [sorted(dest.roles)[len(dest.key) % len(dest.roles)]]
        out += [Target(dest.key, role, dest.per_order) for role in roles]
    for key, (_, roles) in EXTRA_PER_ORDER.items():
        if key in {d.key for d in DESTINATIONS}:
            continue
        chosen = sorted(roles) if every_role else [sorted(roles)[0]]
        out += [Target(key, role, True) for role in chosen]
    return out


def open_screen(app: Any, target: Target, order_id: int) -> None:
    from importlib import import_module

    kwargs = {"order_id": order_id} if target.per_order else {}
    dest = next((d for d in DESTINATIONS if d.key == target.key), None)
    if dest is not None:
        app.push_screen(dest.open(**kwargs))
        return
    module, cls = EXTRA_PER_ORDER[target.key][0].split(":")
    app.push_screen(getattr(import_module(module), cls)(**kwargs))


def db_state(path: Path) -> tuple[str, int, int]:
    """(integrity_check, audit events, orphans: orders without vehicle, lines/jobs without order)."""
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        audits = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM repair_order o LEFT JOIN vehicle v ON v.id = o.vehicle_id WHERE v.id IS NULL)"
            " + (SELECT count(*) FROM job j LEFT JOIN repair_order o ON o.id = j.order_id WHERE o.id IS NULL)"
            " + (SELECT count(*) FROM part_line p LEFT JOIN repair_order o ON o.id = p.order_id WHERE o.id IS NULL)"
            " + (SELECT count(*) FROM payment p LEFT JOIN repair_order o ON o.id = p.order_id WHERE o.id IS NULL)"
        ).fetchone()[0]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return integrity, audits, orphans + len(fk)


def key_sequence(seed: int, n: int, alphabet: Sequence[str] = ALPHABET) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(alphabet) for _ in range(n)]


async def press_randomly(app: Any, target: Target, order_id: int, keys: Sequence[str]) -> int:
    """Open ``target`` and press ``keys``; return how many were pressed before the app stopped."""
    pressed = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        open_screen(app, target, order_id)
        await pilot.pause()
        for key in keys:
            if not app.is_running:
                break
            await pilot.press(key)
            pressed += 1
        await app.workers.wait_for_complete()
        await pilot.pause()
    return pressed


def order_for(target: Target, data: Any) -> int:
    """The estimate and walkaround get the open order; the rest the closed one (paid, with history)."""
    return data.estimate_order_id if target.key in ("estimate", "walkaround", "delivery") else data.closed_order_id


def db_path(services: Any) -> Path:
    return Path(services.db.engine.url.database)


SUITE_TARGETS = targets(every_role=bool(os.environ.get("FRONTDESK_FUZZ_EVERY_ROLE")))


@pytest.mark.slow
@pytest.mark.parametrize("target", SUITE_TARGETS, ids=lambda t: f"{t.key}-{t.role.value}")
async def test_random_keys_never_crash(target: Target, app_for: Callable[..., Any], desk_data: Any, ui_services: Any) -> None:
    path = db_path(ui_services)
    integrity, audits_before, orphans = db_state(path)
    assert (integrity, orphans) == ("ok", 0)
    keys = key_sequence(sum(map(ord, target.key)), KEYS_PER_SCREEN)
    app = app_for(target.role)
    pressed = await press_randomly(app, target, order_for(target, desk_data), keys)
    assert pressed > 0
    ui_services.db.dispose()
    integrity, audits_after, orphans = db_state(path)
    assert integrity == "ok"
    assert orphans == 0
    assert audits_after >= audits_before
    print(f"\nfuzz_keys {target.key} {target.role.value}: {pressed} keys, {audits_after - audits_before} audit events")


def test_suite_covers_every_destination() -> None:
    covered = {t.key for t in SUITE_TARGETS}
    assert {d.key for d in DESTINATIONS} <= covered
    assert "ctrl+q" not in ALPHABET
