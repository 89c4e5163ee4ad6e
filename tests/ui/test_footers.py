"""Footers at 80 columns (issue 17): the step's main keys first, F1 always, whole labels only.

Textual's Footer let the row run off the right edge (the payment's ended at "r▏", F8 and G
out of sight; the estimate's lost F1 and F12 under the palette key). widgets/key_footer.py
measures first and leaves out whole keys, least important first; F1 lists them all.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from frontdesk import navigation
from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.payment import PaymentScreen
from frontdesk.services import settlement
from frontdesk.widgets.key_footer import FooterEntry, KeyFooter, fit

from .cashier_helpers import deliver_all, open_screen, ready_fixture, settle  # noqa: F401  (a fixture)
from .test_estimate import open_estimate

LANGS = pytest.mark.parametrize("lang", ["zh_CN", "en"])


def shown(app) -> list[FooterKey]:  # type: ignore[no-untyped-def]
    return list(app.screen.query_one(Footer).query(FooterKey))


def footer_problems(app, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every way the footer of the current screen fails a user at this width."""
    footers = list(app.screen.query(Footer))
    if not footers:
        return []
    footer = footers[0]
    problems = [] if isinstance(footer, KeyFooter) else [f"{where}: a plain Textual Footer"]
    keys = shown(app)
    right = footer.region.right
    for key in keys:
        needed = cell_len(key.key_display) + 2 + (cell_len(key.description) + 1 if key.description else 0)
        if key.region.right > right:
            problems.append(f"{where}: {key.key_display} {key.description!r} runs past the edge")
        if key.region.width < needed:
            problems.append(f"{where}: {key.key_display} {key.description!r} is cut")
    spans = sorted((k.region.x, k.region.right, k.key_display) for k in keys)
    for (x0, r0, a), (x1, _r1, b) in zip(spans, spans[1:]):
        if x1 < r0:
            problems.append(f"{where}: {a} and {b} overlap")
    if "f1" in app.screen.active_bindings and not any(k.key == "f1" for k in keys):
        problems.append(f"{where}: no F1")
    return problems


# -- the fitting rule, without a terminal ------------------------------------------------------


def test_fit_keeps_f1_and_whole_entries_in_order() -> None:
    def e(key: str, text: str, kind: str = "screen") -> FooterEntry:
        return FooterEntry(key, key, text, key, True, "", kind)

    entries = [e("f6", "Save"), e("f8", "Print a long statement"), e("g", "Go"), e("f1", "Help", "help"),
               e("f12", "Lock", "app"), e("^p", "Commands", "palette")]
    assert [x.key for x in fit(entries, 200)] == ["f6", "f8", "g", "f1", "f12", "^p"]
    # 9 (f6) + 9 (f1): the long one is left out whole, and nothing less important shows in its place
    assert [x.key for x in fit(entries, 30)] == ["f6", "f1"]
    assert [x.key for x in fit(entries, 53)] == ["f6", "f8", "g", "f1"]
    assert [x.key for x in fit(entries, 5)] == ["f1"]  # never without F1


# -- every screen of every role, at 80 columns -------------------------------------------------


@LANGS
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_no_footer_label_is_cut_and_f1_shows_on_every_screen(app_for, desk_data, role, lang):
    set_language(lang)
    app = app_for(role)
    problems: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        problems += footer_problems(app, f"{role.value} home")
        for dest in navigation.DESTINATIONS:
            if role not in dest.roles:
                continue
            kwargs = {"order_id": desk_data.estimate_order_id} if dest.per_order else {}
            app.open_destination(dest.key, **kwargs)
            await settle(pilot)
            problems += footer_problems(app, f"{role.value} {dest.key}")
            await app.pop_screen()
            await settle(pilot)
    assert not problems, "\n".join(problems)


# -- the two footers the issue names -------------------------------------------------------------


async def _payment(pilot, order_id: int) -> None:  # type: ignore[no-untyped-def]
    screen = PaymentScreen(order_id)
    await open_screen(pilot, screen, lambda: screen.view is not None)
    await settle(pilot)


@pytest.fixture
def paying(ui_services, ui_actors, ready):  # type: ignore[no-untyped-def]
    deliver_all(ui_services, ui_actors, ready.order_id)
    settlement.prepare_settlement(ui_services, ui_actors[Role.ADVISOR], ready.order_id, settlement.SettlementInput(
        safety_ack_by="张伟", warranty_claim_ref="WC-1"))
    settlement.take_payment(ui_services, ui_actors[Role.CASHIER], ready.order_id, "wechat", "300.00", reference="WX1")
    return ready


@LANGS
async def test_payment_footer_shows_its_main_keys_at_80_columns(app_for, paying, lang):
    set_language(lang)
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _payment(pilot, paying.order_id)
        keys = [k.key for k in shown(app)]
        main = ["c", "f6", "f8", "g", "f1"]  # the pay methods (one place), take, statement, gate pass; help
        assert [k for k in keys if k in main] == main, keys
        assert keys[0] == "c"
        assert shown(app)[0].key_display == "c/b/w/a/t"
        assert not footer_problems(app, "payment")


@LANGS
async def test_estimate_footer_keeps_f1_at_80_columns(app_for, desk_data, lang):
    set_language(lang)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_estimate(pilot, desk_data.estimate_order_id)
        keys = [k.key for k in shown(app)]
        assert keys[:7] == ["f2", "f3", "f6", "f8", "f9", "escape", "f1"], keys
        assert not footer_problems(app, "estimate")


async def test_the_footer_fits_again_after_a_resize(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_estimate(pilot, desk_data.estimate_order_id)
        assert "f12" in [k.key for k in shown(app)]
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.pause(0.2)
        assert not footer_problems(app, "estimate after resize")
        assert "f12" not in [k.key for k in shown(app)]


@LANGS
def test_payment_footer_snapshot(snap_compare, app_for, paying, lang):
    set_language(lang)
    app = app_for(Role.CASHIER)
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda pilot: _payment(pilot, paying.order_id))


@LANGS
def test_estimate_footer_snapshot(snap_compare, app_for, desk_data, lang):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def estimate_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_estimate(pilot, desk_data.estimate_order_id)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=estimate_on_screen)
