"""The command palette (Ctrl+P) in the console's language, found by pinyin too.

Textual's palette speaks English ("Search for commands…", "No matches found") and offers
Theme, Keys, Maximize and Screenshot, which a service desk has no use for: here it offers
F1's help and quitting, in the console's language, besides the screens
(``frontdesk.commands``). Typing ``yy`` or ``yuyue`` finds 预约 as the catalog pickers
find 更换机油 by ``ghjy`` (services/catalog.py): the initials and the full pinyin of each
title are matched as well as the title itself.

The msgids of Textual's own words shown in the console (the Select menu's "Dismiss menu"
in a footer) are marked here too, to be translated where they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.app import SystemCommand
from textual.widgets.option_list import Option

from frontdesk.i18n import N_, gettext as _

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

#: Textual's words the console shows, translated where shown (the footer, F1).
TEXTUAL_WORDS = (N_("Dismiss menu"),)
CJK = re.compile(r"[\u3400-\u9fff]")


# -- matching by pinyin ------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _syllables(title: str) -> tuple[str, ...]:
    """One lower-case syllable per character of ``title`` (other characters as they are)."""
    from pypinyin import lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(list(title), errors="default"))


def _find(query: str, parts: tuple[str, ...]) -> tuple[int, int, bool] | None:
    """Where ``query`` lies in the joined ``parts``: (first part, last part, at the start)."""
    joined = "".join(parts)
    at = joined.find(query)
    if at < 0:
        return None
    starts, n = [], 0
    for part in parts:
        starts.append(n)
        n += len(part)
    first = max(i for i, s in enumerate(starts) if s <= at)
    last = max(i for i, s in enumerate(starts) if s < at + len(query))
    return first, last, at == 0


def pinyin_match(query: str, title: str) -> tuple[float, tuple[int, int]] | None:
    """How well ``query`` (pinyin initials or full pinyin, no spaces) names ``title``.

    Returns the score (1.0 from the start of the title, 0.8 inside it) and the characters
    of the title it covers, or None. Titles without Chinese are left to the fuzzy matcher.
    """
    query = re.sub(r"\s+", "", query.lower())
    if not query or not query.isascii() or not CJK.search(title):
        return None
    syllables = _syllables(title)
    chars = [i for i, s in enumerate(syllables) if s.strip()]
    for parts in (tuple(syllables[i][0] for i in chars), tuple(syllables[i] for i in chars)):  # initials, full
        found = _find(query, parts)
        if found is not None:
            first, last, start = found
            return (1.0 if start else 0.8), (chars[first], chars[last] + 1)
    return None


def best_match(matcher: Any, query: str, title: str) -> tuple[float, Content] | None:
    """Textual's fuzzy match or the pinyin match, whichever is better, with the title highlighted."""
    fuzzy = matcher.match(title)
    by_pinyin = pinyin_match(query, title)
    if by_pinyin is not None and by_pinyin[0] >= fuzzy:
        score, (start, end) = by_pinyin
        return score, Content(title).stylize(matcher.match_style, start, end)
    if fuzzy > 0:
        return fuzzy, matcher.highlight(title)
    return None


@dataclass(frozen=True)
class Entry:
    title: str
    help: str
    run: Callable[[], Any]


class PinyinProvider(Provider):
    """A palette provider whose entries are found by their title or its pinyin."""

    def entries(self) -> Iterable[Entry]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for entry in self.entries():
            yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            found = best_match(matcher, query, entry.title)
            if found is not None:
                yield Hit(found[0], found[1], entry.run, help=entry.help)


# -- the console's own commands instead of Textual's --------------------------------------------


def system_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """What ``App.get_system_commands`` offers: F1's list of keys and quitting, translated."""
    help_action = getattr(app, "action_help", None)
    if help_action is not None:
        yield SystemCommand(_("Help"), _("Every key of this screen"), help_action)
    yield SystemCommand(_("Quit"), _("Close the console on this terminal"), app.action_quit)


class SystemCommands(PinyinProvider):
    """The app's system commands (``system_commands``), found by pinyin too."""

    def entries(self) -> Iterable[Entry]:
        for title, help_text, run, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield Entry(title, help_text, run)


class DeskPalette(CommandPalette):
    """Textual's palette with its placeholder and its "No matches found" in the console's language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder=_("Search for screens and commands…"), **kwargs)

    # Textual 8.2's _start_no_matches_countdown, with its message translated.
    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                    id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def open_palette(app: App[Any]) -> None:
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(DeskPalette(id="--command-palette"))
