"""Message catalogs: every string a user can read goes through here.

msgids are English; ``locale/<lang>/LC_MESSAGES/<domain>.po`` holds the translations and
the compiled ``.mo`` beside it is what runs (compiled with ``python -m frontdesk.i18n``,
a test checks they agree). Several domains (one per area of the code, so that people
working on different areas do not edit one file) are chained into one translator.
Python's own ``gettext`` reads the ``.mo`` files: nothing heavy is imported at startup.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_current = DEFAULT_LANGUAGE


def locale_dir() -> Path:
    return Path(str(files("frontdesk") / "locale"))


def domains() -> list[str]:
    """Every domain that has a catalog for the default language, sorted for a stable chain."""
    folder = locale_dir() / DEFAULT_LANGUAGE / "LC_MESSAGES"
    return sorted(p.stem for p in folder.glob("*.po"))


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    chain: _gettext.NullTranslations = _gettext.NullTranslations()
    if lang == "en":
        return chain
    first: _gettext.NullTranslations | None = None
    for domain in domains():
        t = _gettext.translation(domain, localedir=locale_dir(), languages=[lang], fallback=True)
        if first is None:
            first = t
        elif t is not first:
            first.add_fallback(t)
    return first or chain


def set_language(lang: str) -> None:
    """Switch the interface language for the whole process (the console has one user at a time)."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    _current = lang


def current_language() -> str:
    return _current


#: How gettext stores a msgid with its context ("context\x04msgid" in a .mo): a string of
#: this form (made by :func:`C_`) is translated by :func:`gettext` in its context.
CONTEXT_SEPARATOR = "\x04"


def gettext(message: str) -> str:
    """Translate into the current language (a :func:`C_` msgid in its context)."""
    if CONTEXT_SEPARATOR in message:
        context, _sep, text = message.partition(CONTEXT_SEPARATOR)
        return pgettext(context, text)
    return _translations(_current).gettext(message)


def pgettext(context: str, message: str) -> str:
    """Translate a word that means different things in different places ("Record": a key that
    records, or the kind of record in an audit column) in the sense its ``context`` names."""
    return _translations(_current).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_current).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (the gettext marker's name)
    """Mark a msgid for extraction where it is stored, to be translated where it is shown."""
    return message


def C_(context: str, message: str) -> str:  # noqa: N802 (the gettext marker's name)
    """:func:`N_` with a context (:func:`pgettext`), for a key binding's description, say:
    stored as ``context\x04message``, which :func:`gettext` translates in that context."""
    return f"{context}{CONTEXT_SEPARATOR}{message}"


def translator(lang: str) -> Callable[[str], str]:
    """A gettext bound to one language, for documents printed in a language of their own."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return _translations(lang).gettext


def compile_catalogs() -> list[Path]:
    """Compile every ``.po`` into its ``.mo`` (needs Babel, a development dependency)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale_dir().glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    _translations.cache_clear()
    return written


if __name__ == "__main__":
    for path in compile_catalogs():
        print(path)
