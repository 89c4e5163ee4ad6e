"""``frontdesk board``: the read-only wall board, its own small App (no login, no desk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from frontdesk.services.context import Services


class BoardApp(App[None]):
    CSS_PATH = "assets/styles/board.tcss"
    TITLE = "frontdesk board"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        from frontdesk.screens.board import BoardScreen

        self.push_screen(BoardScreen())

