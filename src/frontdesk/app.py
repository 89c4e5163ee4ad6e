"""The Textual App: nothing but the app class and its factory (screens live in screens/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from frontdesk.i18n import gettext as _

if TYPE_CHECKING:
    from frontdesk.services.context import Services


class FrontdeskApp(App[None]):
    CSS_PATH = "assets/styles/app.tcss"
    TITLE = "frontdesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", _("Quit"), priority=True, id="quit"),
        Binding("q", "quit", _("Quit"), id="quit_q"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static(_("frontdesk is installed and connected to its database.\nThe desk screens arrive next."), id="welcome")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.services.settings.dealership.name


def make_app(services: Services) -> FrontdeskApp:
    """Build the real app on a real database: used by the CLI and the tests alike."""
    return FrontdeskApp(services)
