"""Database URLs as they may be shown: the password replaced by ``***``.

A URL typed with ``--db`` or set in FRONTDESK_DB carries the database password; anything
frontdesk prints, logs or puts on a screen (CLI output, error lines, the settings screen,
the served board's banner) goes through :func:`redact_url` or :func:`redact_text` first.

Plain string handling on purpose, not ``sqlalchemy.engine.make_url``: the console's sign-in
path shows the store's URL and must not pay for importing SQLAlchemy, and a URL that does
not parse (the very thing an error line reports) must still come out without its secret.
"""

from __future__ import annotations

import re

MASK = "***"

# ``password=...`` in a URL's query (``?password=x&...``) or a libpq key/value string.
_PASSWORD_PARAM = re.compile(r"(?i)(\bpassword=)('(?:[^'\\]|\\.)*'|[^&\s;#]*)")
# A URL inside a longer message (a driver error, a tool's stderr).
_SLASHED_PASSWORD = re.compile(r"([^:/?#@]*):([^@?#]*/[^@?#]*)@")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")


def _mask_params(text: str) -> str:
    return _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, text)


def redact_url(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``; the rest verbatim.

    A URL without a password (any SQLite URL, a socket login) is returned unchanged. The
    password is found the way libpq and SQLAlchemy find it (the last ``@`` of the
    authority ends the user part), so a percent-encoded or an unencoded ``@`` in it is
    masked whole.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _mask_params(url)  # a libpq "host=... password=..." string
    end = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        if colon and password:
            authority = f"{user}:{MASK}@{hostport}"
    else:
        # An unencoded "/" in the password ends the authority early: the "@" comes later.
        slashed = _SLASHED_PASSWORD.match(rest)
        if slashed:
            return f"{scheme}://{slashed.group(1)}:{MASK}@{redact_url('x://' + rest[slashed.end():])[4:]}"
    return f"{scheme}://{authority}{_mask_params(tail)}"


def redact_text(text: str) -> str:
    """Every URL inside ``text`` redacted (for driver errors and tool output that echo one)."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    return _mask_params(text)
