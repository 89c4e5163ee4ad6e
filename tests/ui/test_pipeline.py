"""One pipeline for every call a screen makes: an unexpected error is said, logged, and the screen goes on.

The main test walks the role x screen matrix of ``test_role_matrix_ui``: for every screen a
role may open, the database is broken (every session, reader and plain transaction raises a
``RuntimeError`` whose text names a customer and a phone) and the screen is opened. The screen
must say so (an "Unexpected error" notification), stay usable (F1 opens the help, and once the
database answers again F5 reads without an error), and the log file must hold the traceback
and the ids, and neither the name nor the phone. The other tests cover the paths of their own:
sign-in, the record and manager dialogs, printing, the board, the desk's first read, an answer
that cannot be shown, and the log file itself (0600, rotating, opened only when needed).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from frontdesk import error_log, navigation
from frontdesk.board_app import BoardApp
from frontdesk.model.enums import Role
from frontdesk.screens import pipeline
from frontdesk.services.errors import FrontdeskError

from ..conftest import PASSWORD
from .reception import settle
from .test_board import workshop_order  # noqa: F401  (a fixture, used by name)
from .test_role_matrix_ui import PER_ORDER, SECRETS

FAULT = "injected fault: 张伟 13800138000 138 0013 8000"


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The error log configured as the console configures it, in a folder of the test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    error_log.unconfigure()
    path = error_log.configure()
    assert path == tmp_path / "state" / "frontdesk" / "log" / "frontdesk.log"
    yield path
    error_log.unconfigure()


def break_database(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way to the database raises an unexpected error (the ORM's sessions and the plain driver path)."""

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(FAULT)

    for name in ("session", "reader", "plain_transaction"):
        monkeypatch.setattr(services.db, name, broken)


def mend_database(services: Any) -> None:
    for name in ("session", "reader", "plain_transaction"):
        services.db.__dict__.pop(name, None)


def unexpected(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications if "Unexpected error" in str(n.message)]


def assert_logged_without_secrets(path: Path, *, call: str | None = None) -> str:
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: injected fault" in text
    if call is not None:
        assert f"call={call}" in text, text[-2000:]
    for secret in (*SECRETS, "13800138000", "138 0013 8000", "张伟"):
        assert secret not in text, secret
    return text


# Every screen of every role ----------------------------------------------------------------------


#: Screens that read nothing until asked: how they are opened (and the keys pressed) so that they call the database.
TRIGGER: dict[str, tuple[Callable[[Any, Path], dict[str, Any]], tuple[str, ...]]] = {
    "checkin": (lambda data, _folder: {"vehicle_id": data.vehicle_ids["粤B67890"]}, ()),
    "import": (lambda _data, folder: {"kind": "labor", "path": str(folder / "labor.csv")}, ("enter",)),
}


def says_so(app: Any) -> bool:
    """An "Unexpected error" notification, or the screen's own line saying a search failed."""
    if unexpected(app):
        return True
    return any("Search failed" in str(w.render()) for w in app.screen.query(Static))


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_every_screen_says_an_unexpected_error_and_stays_usable(app_for, ui_services, desk_data, log_path,
                                                                      monkeypatch, tmp_path, role):
    (tmp_path / "labor.csv").write_text("Code,Name,Hours\nMT0101,Oil change,1.0\n", encoding="utf-8")
    app = app_for(role)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        home = app.screen
        checked = []
        for dest in navigation.DESTINATIONS:
            if role not in dest.roles:
                continue
            kwargs, keys = TRIGGER.get(dest.key, (lambda _data, _folder: {}, ()))
            opened = {**kwargs(desk_data, tmp_path),
                      **({"order_id": desk_data.closed_order_id} if dest.key in PER_ORDER else {})}
            app._notifications.clear()
            break_database(ui_services, monkeypatch)
            app.open_destination(dest.key, **opened)
            await settle(pilot)
            screen = app.screen
            assert dest.target.endswith(":" + type(screen).__name__), (role, dest.key)
            if keys:
                await pilot.press(*keys)
            await settle(pilot, lambda: says_so(app))
            mend_database(ui_services)
            # Still usable: F1 opens the help over it, and F5 (where the screen has it) reads without an error.
            await pilot.press("f1")
            await settle(pilot)
            assert type(app.screen).__name__ == "HelpScreen", (role, dest.key)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen, (role, dest.key)
            if any(b.action == "refresh" for b in screen._bindings.key_to_bindings.get("f5", [])):
                app._notifications.clear()
                await pilot.press("f5")
                await settle(pilot)
                assert not unexpected(app), (role, dest.key, unexpected(app))
            await app.pop_screen()
            await settle(pilot)
            assert app.screen is home
            checked.append(dest.key)
        assert checked, role
        assert app.return_code is None  # nothing took the console down
    logged = assert_logged_without_secrets(log_path)
    assert "user_id=" in logged and "call=frontdesk." in logged


# Sign-in -------------------------------------------------------------------------------------------


async def test_an_unexpected_error_at_sign_in_is_shown_and_the_form_stays_usable(app_for, monkeypatch, log_path):
    from frontdesk.services import sign_in

    real_login = sign_in.login

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(FAULT)

    monkeypatch.setattr(sign_in, "login", broken)
    app = app_for(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"advisor", "enter", *PASSWORD, "enter")
        await settle(pilot)
        said = str(app.screen.query_one("#login-error", Static).render())
        assert "Checking" not in said and "Unexpected error" in said, said
        assert app.screen.query_one("#password", Input).value == ""  # ready for the next try
        monkeypatch.setattr(sign_in, "login", real_login)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot, lambda: app.actor is not None)
        assert app.actor is not None and app.actor.role == Role.ADVISOR
    assert_logged_without_secrets(log_path, call="tests.ui.test_pipeline.test_an_unexpected_error_at_sign_in_is_shown_and_the_form_stays_usable.<locals>.broken")


async def test_an_unexpected_error_at_unlock_is_shown_and_the_lock_stays_usable(app_for, monkeypatch, log_path):
    from frontdesk.services import sign_in

    real_login = sign_in.login

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(FAULT)

    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("f12")
        await settle(pilot, lambda: type(app.screen).__name__ == "LockScreen")
        monkeypatch.setattr(sign_in, "login", broken)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "LockScreen"
        said = str(app.screen.query_one("#lock-error", Static).render())
        assert "Unexpected error" in said, said
        monkeypatch.setattr(sign_in, "login", real_login)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot, lambda: app.screen is home)
    assert_logged_without_secrets(log_path)


# Dialogs that save ---------------------------------------------------------------------------------


async def test_a_record_dialog_says_nothing_was_saved(app_for, desk_data, log_path):
    from frontdesk.screens.decision import DecisionDialog

    def save(_answer: Any) -> Any:
        raise RuntimeError(FAULT)

    outcomes: list[Any] = []
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        now = app.services.clock()
        await app.push_screen(DecisionDialog(approved=True, title="t", summary="s", customer="张伟", now=now, save=save),
                              outcomes.append)
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot, lambda: bool(outcomes))
        assert isinstance(outcomes[0], pipeline.UnexpectedError)
        assert str(outcomes[0]).startswith("Unexpected error; nothing was saved")
    assert_logged_without_secrets(log_path)


async def test_the_manager_dialog_says_nothing_was_saved_and_logs_no_password(app_for, desk_data, log_path):
    from frontdesk.screens.manager_approval import ManagerApprovalScreen

    def save(_approval: Any, _reason: str) -> Any:
        raise RuntimeError(FAULT)

    outcomes: list[Any] = []
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(ManagerApprovalScreen(title="t", summary="s", save=save), outcomes.append)
        await settle(pilot)
        await pilot.press(*"manager", "enter", *"s3cret-pw", "enter")
        await settle(pilot, lambda: bool(outcomes))
        assert isinstance(outcomes[0], pipeline.UnexpectedError) and "nothing was saved" in str(outcomes[0])
    assert "s3cret-pw" not in assert_logged_without_secrets(log_path)


# Printing ------------------------------------------------------------------------------------------


async def test_a_printing_failure_is_said_and_printing_works_again(app_for, desk_data, log_path, monkeypatch):
    from frontdesk.screens.estimate import EstimateScreen

    estimate_screen = sys.modules[EstimateScreen.__module__]  # where the screen finds print_one
    calls: list[str] = []

    def broken(_services: Any, kind: str, _number: str) -> Any:
        calls.append(kind)
        raise RuntimeError(FAULT)

    monkeypatch.setattr(estimate_screen, "print_one", broken)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = EstimateScreen(order_id=desk_data.estimate_order_id)
        await app.push_screen(screen)
        await settle(pilot, lambda: screen._loaded is not None)
        await pilot.press("f8")
        await settle(pilot)
        assert calls == ["work-order"]
        assert unexpected(app)
        app._notifications.clear()
        await pilot.press("f8")  # not "Still printing…" for ever
        await settle(pilot)
        assert calls == ["work-order", "work-order"]
        assert not any("Still printing" in str(n.message) for n in app._notifications)
    assert_logged_without_secrets(log_path, call="tests.ui.test_pipeline."
                                  "test_a_printing_failure_is_said_and_printing_works_again.<locals>.broken")


# The board -----------------------------------------------------------------------------------------


async def test_the_board_says_it_cannot_read_and_recovers(ui_services, workshop_order, log_path, monkeypatch):  # noqa: F811
    app = BoardApp(ui_services)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, lambda: app.screen._snap is not None)
        app.screen._seq = None  # read everything again
        break_database(ui_services, monkeypatch)
        await settle(pilot, lambda: bool(app.screen._problem), timeout=10)
        footer = str(app.screen.query_one("#board-footer", Static).render())
        assert "cannot read the store" in footer and "Unexpected error" in footer
        for secret in SECRETS:  # the board is public: the error's text is scrubbed too
            assert secret not in footer and secret not in app.export_screenshot()
        mend_database(ui_services)
        await settle(pilot, lambda: not app.screen._problem, timeout=10)
        assert "cannot read" not in str(app.screen.query_one("#board-footer", Static).render())
    assert_logged_without_secrets(log_path)


# Inside the pipeline -------------------------------------------------------------------------------


async def test_an_answer_that_cannot_be_shown_is_said_without_claiming_nothing_was_saved(app_for, log_path):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        def show(_result: Any) -> None:
            raise RuntimeError(FAULT)

        pipeline.call(app.screen, lambda: 42, then=show)
        await settle(pilot)
        said = unexpected(app)
        assert said and not any("nothing was saved" in s for s in said)
    assert "showing the answer failed" in assert_logged_without_secrets(log_path)


async def test_a_read_fails_without_claiming_a_save_and_a_refusal_is_logged_by_kind(app_for, log_path):
    from frontdesk.services.desk_home import desk_home

    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        errors: list[FrontdeskError] = []

        def read(*_args: Any) -> Any:
            raise RuntimeError(FAULT)

        read.__module__ = desk_home.__module__  # a plain function of the services: a read
        pipeline.call(app.screen, read, failed=errors.append)

        def refuse() -> None:
            raise FrontdeskError("张伟 may not 13800138000")

        pipeline.call(app.screen, refuse, failed=errors.append)
        await settle(pilot, lambda: len(errors) == 2)
        by_kind = {type(e).__name__: e for e in errors}
        assert str(by_kind["UnexpectedError"]).startswith("Unexpected error: injected")
        assert str(by_kind["FrontdeskError"]) == "张伟 may not 13800138000"  # the user reads the refusal as it is
    text = assert_logged_without_secrets(log_path)
    assert "refused: FrontdeskError" in text


# The log file --------------------------------------------------------------------------------------


def test_the_log_file_is_private_rotates_and_is_opened_only_when_needed(tmp_path: Path):
    folder = tmp_path / "logs"
    script = f"""
import json, logging, sys
from pathlib import Path
from frontdesk import error_log
path = error_log.configure(Path({str(folder / 'frontdesk.log')!r}))
seen = {{"handlers_loaded": "logging.handlers" in sys.modules, "exists": path.exists()}}
log = logging.getLogger("frontdesk.test")
try:
    raise RuntimeError({FAULT!r})
except RuntimeError:
    log.exception("order %s failed", 12, extra={{"ids": {{"order_id": 12, "user_id": 3, "name": "张伟"}}}})
seen["mode"] = path.stat().st_mode & 0o777
seen["folder"] = path.parent.stat().st_mode & 0o777
for _ in range(3000):  # about 1.2 MB: one rotation
    log.error("x" * 400)
seen["rotated_mode"] = (path.parent / "frontdesk.log.1").stat().st_mode & 0o777
seen["new_mode"] = path.stat().st_mode & 0o777
print(json.dumps(seen))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"handlers_loaded": False, "exists": False, "mode": 0o600, "folder": 0o700,
                    "rotated_mode": 0o600, "new_mode": 0o600}
    first = (folder / "frontdesk.log.1").read_text(encoding="utf-8")
    assert "order 12 failed [order_id=12 user_id=3]" in first  # ids only: the name handed over is left out
    assert "Traceback" in first and "张伟" not in first and "13800138000" not in first


def test_scrub_masks_names_phones_and_sql_parameters():
    text = error_log.scrub("(sqlite3.IntegrityError) UNIQUE failed\n[SQL: INSERT INTO customer (name, phone) "
                           "VALUES (?, ?)]\n[parameters: ('Zhang Wei', '13800138000')]\n"
                           "张伟 138 0013 8000 li@example.com postgresql://u:pw@h/db on 2026-11-24 line 123")
    assert "INSERT INTO customer" in text and "Zhang Wei" not in text and "13800138000" not in text
    assert "张伟" not in text and "138 0013 8000" not in text and "li@example.com" not in text and ":pw@" not in text
    assert "2026-11-24" in text and "line 123" in text  # dates and line numbers stay readable


def test_the_log_path_is_in_the_help(capsys, tmp_path, monkeypatch):
    from frontdesk import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert str(tmp_path / "state" / "frontdesk" / "log" / "frontdesk.log") in out


async def test_f1_shows_the_log_path(app_for, log_path):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert str(log_path) in str(app.screen.query_one("#help-log", Static).render()).replace("\n", "")
