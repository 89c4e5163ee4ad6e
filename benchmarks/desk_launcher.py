"""Start the real console already signed in, for the desk-home startup benchmark.

Why a launcher and not an auto-login switch in the product: a variable that skips the
password must not exist in a shipped console. This script does what ``frontdesk run``
does (settings, ``open_services``, ``make_app``) and then hands the app the advisor the
way the tests do (``make_app(services, actor=...)``), reading the user without a password
(``sign_in.actor_named``) — something only a process holding the database file can do anyway.

usage: python benchmarks/desk_launcher.py DB_URL USERNAME
"""

from __future__ import annotations

import sys


def main(url: str, username: str) -> None:
    from frontdesk import gc_hold

    gc_hold.hold()  # as `frontdesk run` does
    from frontdesk.cli import open_services
    from frontdesk.config import load_settings
    from frontdesk.i18n import set_language

    settings = load_settings(database_url=url)
    set_language(settings.language)
    services = open_services(settings)

    from frontdesk.services.sign_in import actor_named

    actor = actor_named(services, username)

    from frontdesk.app import make_app

    make_app(services, actor=actor).run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
