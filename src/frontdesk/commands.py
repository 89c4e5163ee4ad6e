"""Command palette (Ctrl+P): every screen this user may open, and the app's own actions."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from frontdesk.i18n import gettext as _
from frontdesk.navigation import allowed
from frontdesk.palette import Entry, PinyinProvider


class NavigationCommands(PinyinProvider):
    """Found by title or its pinyin (``yy``, ``yuyue`` → 预约): frontdesk.palette."""

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

    def entries(self) -> Iterable[Entry]:
        return [Entry(title, help_text, run) for title, help_text, run in self._entries()]  # type: ignore[arg-type]
