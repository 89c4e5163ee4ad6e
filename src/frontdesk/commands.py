"""Command palette (Ctrl+P): every screen this user may open, and the app's own actions."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from frontdesk.i18n import gettext as _
from frontdesk.navigation import allowed


class NavigationCommands(Provider):
    def _entries(self) -> list[tuple[str, str, object]]:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None:
            return []
        out: list[tuple[str, str, object]] = []
        for dest in allowed(actor.role):
            out.append((_(dest.title), _(dest.help), partial(app.open_destination, dest.key)))  # type: ignore[attr-defined]
        out.append((_("Lock the screen"), _("Hide everything until your password is typed"), app.action_lock))  # type: ignore[attr-defined]
        out.append((_("Sign out"), _("Let another user sign in at this terminal"), app.action_logout))  # type: ignore[attr-defined]
        out.append((_("Switch language"), _("中文 / English"), app.action_toggle_language))  # type: ignore[attr-defined]
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self._entries():
            yield DiscoveryHit(title, run, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)  # type: ignore[arg-type]
