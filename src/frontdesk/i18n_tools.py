"""Keep the message catalogs in step with the source (a maintainer's tool: needs Babel).

    python -m frontdesk.i18n_tools                 extract, merge into frontdesk.po, compile every .mo
    python -m frontdesk.i18n_tools --check         only report what is missing; exit 1 if anything is
    python -m frontdesk.i18n_tools --pot FILE      also write the extracted template to FILE

Each gettext domain (see :mod:`frontdesk.i18n`) has a source folder and a method map. The
map of the ``frontdesk`` domain is the one in ``babel.cfg`` at the repository root, so

    pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ -k pgettext:1c,2 -k C_:1c,2 \\
        --no-default-keywords -o frontdesk.pot src/frontdesk

finds the same literal msgids. Some msgids are not literals at the call site: they are the
values of tables translated at run time (``_(INTERNAL_ITEMS[...])``, the tables of
``frontdesk.labels``), key-binding descriptions and tooltips (translated per screen by
``frontdesk.keys.translate_bindings``) and the navigation's titles: the domain's
*collectors* find those by importing the code, and they are added to the template.

A word that means two things ("Record": the key that records a decision, and the kind of
record in an audit column) carries a context: ``pgettext("audit column", "Record")`` in code,
``C_("command", "Record")`` where it is stored (a key binding's description). The check
fails on a word of :data:`NEEDS_CONTEXT` used without one, and on any msgid used both with
a context and without (once a word is known to be ambiguous, every use must say which sense).

Merging never invents translations: a new msgid arrives with an empty msgstr (the catalog
test then names it), a msgid no longer in the source is dropped, nothing is marked fuzzy.
Only the ``frontdesk`` domain is merged unless ``--domain`` says otherwise (the paperwork's
catalog is kept by its own maintainer).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import io
import pkgutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from frontdesk import __version__
from frontdesk.i18n import CONTEXT_SEPARATOR, DEFAULT_LANGUAGE, compile_catalogs, locale_dir

PACKAGE_DIR = Path(__file__).resolve().parent
#: Locations in the catalogs are written relative to this folder (the repository root in the
#: src layout, so they read ``src/frontdesk/services/auth.py:76``).
ROOT = PACKAGE_DIR.parent.parent if PACKAGE_DIR.parent.name == "src" else PACKAGE_DIR.parent

#: ``pybabel -k`` equivalents: ``_``/``gettext``, ``ngettext(singular, plural, n)``, ``N_`` markers,
#: ``pgettext(context, msgid)`` and its marker ``C_(context, msgid)``.
KEYWORDS: Mapping[str, tuple[object, ...] | None] = {
    "_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2), "C_": ((1, "c"), 2)}
#: Words with two meanings in the console, each of which must carry a context wherever it is used
#: (msgid -> the senses, for whoever adds a use). A word is added here when a translation shows the
#: wrong sense somewhere; a msgid used both with a context and without fails the check anyway.
NEEDS_CONTEXT: Mapping[str, str] = {
    "Record": "the key that records a decision or a call (记录), or the kind of record in an audit column (记录类型)",
}
COMMENT_TAGS = ("TRANSLATORS:",)


#: A collector yields (msgid, file, line, comment) for msgids that are not literals at the
#: call site, so no extractor sees them; it runs at extraction time and may import code.
Collector = Callable[[], Iterable[tuple[str, Path, int, str]]]


@dataclass(frozen=True)
class Domain:
    name: str
    source: Path  # the folder given to the extractor; method-map patterns are relative to it
    method_map: tuple[tuple[str, str], ...]
    collectors: tuple[Collector, ...] = ()

    @property
    def po(self) -> Path:
        return locale_dir() / DEFAULT_LANGUAGE / "LC_MESSAGES" / f"{self.name}.po"


def _line_of(path: Path, name: str) -> int:
    try:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith((f"{name}:", f"{name} =")):
                return n
    except OSError:
        pass
    return 0


def _optional(name: str) -> ModuleType | None:
    """Import a module that may not exist (yet); any other import error is the code's, not ours."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


#: Tables whose *values* are msgids translated at run time, e.g. ``_(INTERNAL_ITEMS[k])``.
TABLES: tuple[tuple[str, str], ...] = (
    ("frontdesk.services.delivery", "INTERNAL_ITEMS"),
    ("frontdesk.services.delivery", "WALKTHROUGH_ITEMS"),
)
#: Every module-level ``dict[str, str]`` of this module is a table of msgids, except these.
LABEL_MODULE = "frontdesk.labels"
NOT_LABEL_TABLES = frozenset({"DAMAGE_KEYS", "DAMAGE_CODES"})


def _tables() -> Iterator[tuple[str, Path, int, str]]:
    tables = list(TABLES)
    labels = _optional(LABEL_MODULE)
    if labels is not None:
        for name, value in vars(labels).items():
            if (name.isupper() and name not in NOT_LABEL_TABLES and isinstance(value, dict)
                    and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
                tables.append((LABEL_MODULE, name))
    for module_name, attribute in tables:
        module = importlib.import_module(module_name)
        path = Path(module.__file__ or module_name)
        line = _line_of(path, attribute)
        for value in getattr(module, attribute).values():
            yield value, path, line, f"{module_name}.{attribute} (translated at run time)"


def _ui_modules() -> Iterator[ModuleType]:
    """The app and every screen and widget module (Textual is imported here, and only here)."""
    for name in ("frontdesk.app", "frontdesk.keys", "frontdesk.navigation", "frontdesk.commands"):
        module = _optional(name)
        if module is not None:
            yield module
    for package_name in ("frontdesk.screens", "frontdesk.widgets"):
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            yield importlib.import_module(info.name)


def _bindings() -> Iterator[tuple[str, Path, int, str]]:
    """Key binding descriptions and tooltips: English msgids in ``BINDINGS``, translated per
    instance by :func:`frontdesk.keys.translate_bindings`."""
    from textual.binding import Binding

    seen: set[type] = set()
    for module in _ui_modules():
        path = Path(module.__file__ or module.__name__)
        if module.__name__ == "frontdesk.keys":
            back = getattr(module, "back", None)
            if back is not None:
                default = inspect.signature(back).parameters["description"].default
                if isinstance(default, str) and default:
                    yield default, path, back.__code__.co_firstlineno, "default description of keys.back()"
        for cls in vars(module).values():
            if not isinstance(cls, type) or cls in seen or cls.__module__ != module.__name__:
                continue
            seen.add(cls)
            own = cls.__dict__.get("BINDINGS")
            if not own:
                continue
            try:
                line = inspect.getsourcelines(cls)[1]
            except (OSError, TypeError):
                line = 0
            for item in own:
                if isinstance(item, Binding):
                    texts = (item.description, item.tooltip, item.group.description if item.group else "")
                elif isinstance(item, tuple) and len(item) >= 3:
                    texts = (item[2],)
                else:
                    continue
                for text in texts:
                    if text:
                        yield text, path, line, f"key binding of {cls.__name__}"


def _destinations() -> Iterator[tuple[str, Path, int, str]]:
    navigation = _optional("frontdesk.navigation")
    if navigation is None:
        return
    path = Path(navigation.__file__ or "navigation.py")
    line = _line_of(path, "DESTINATIONS")
    for dest in getattr(navigation, "DESTINATIONS", ()):
        yield dest.title, path, line, f"title of the {dest.key!r} destination"
        yield dest.help, path, line, f"help of the {dest.key!r} destination"


DOMAINS: dict[str, Domain] = {
    "frontdesk": Domain(
        "frontdesk",
        PACKAGE_DIR,
        # Keep in step with babel.cfg (a test compares them).
        (("paperwork/printing.py", "python"), ("paperwork/**", "ignore"), ("**.py", "python")),
        collectors=(_tables, _bindings, _destinations),
    ),
    "paperwork": Domain(
        "paperwork",
        PACKAGE_DIR / "paperwork",
        # make_font.py is a maintainer's tool that prints nothing on a document; printing.py
        # speaks to the console (the frontdesk domain).
        (("make_font.py", "ignore"), ("printing.py", "ignore"), ("**.py", "python")),
    ),
}


def message_key(msgid: str | tuple[str, ...], context: str | None) -> str:
    """How the catalogs tell messages apart: the (singular) msgid, after its context if it has one
    (``context\x04msgid``, as a .mo stores it and as the translation tables of /work/i18n name it)."""
    key = msgid if isinstance(msgid, str) else msgid[0]
    return f"{context}{CONTEXT_SEPARATOR}{key}" if context else key


@dataclass(frozen=True)
class Found:
    """One msgid as the source has it: ``id`` is a str, or (singular, plural) for ngettext."""

    id: str | tuple[str, str]
    locations: tuple[tuple[str, int], ...]
    comments: tuple[str, ...] = ()
    context: str | None = None

    @property
    def key(self) -> str:
        return message_key(self.id, self.context)


def _where(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _literal_messages(domain: Domain) -> Iterator[tuple[str | tuple[str, str], str, int, list[str], str | None]]:
    for filename, lineno, message, comments, context in extract_from_dir(
        domain.source, domain.method_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    ):
        if isinstance(message, tuple):
            # ngettext: keep (singular, plural); a call with a non-literal argument gives None.
            if not all(isinstance(m, str) and m for m in message[:2]):
                continue
            message = (message[0], message[1])
        elif not message:
            continue
        yield message, _where(domain.source / filename), lineno, list(comments), context or None


def _indirect_messages(domain: Domain) -> Iterator[tuple[str, str, int, list[str], str | None]]:
    for collect in domain.collectors:
        for msgid, path, line, comment in collect():
            context, _sep, text = msgid.rpartition(CONTEXT_SEPARATOR)  # C_("context", "msgid")
            yield text, _where(path), line, [comment], context or None


def source_messages(domain: str | Domain) -> dict[str, Found]:
    """Every msgid of a domain's source, keyed by :func:`message_key`, in extraction order."""
    dom = DOMAINS[domain] if isinstance(domain, str) else domain
    found: dict[str, Found] = {}
    for gen in (_literal_messages(dom), _indirect_messages(dom)):
        for message, where, lineno, comments, context in gen:
            key = message_key(message, context)
            old = found.get(key)
            if old is None:
                found[key] = Found(message, ((where, lineno),), tuple(comments), context)
            else:
                msg_id = message if isinstance(message, tuple) else old.id
                extra = tuple(c for c in comments if c not in old.comments)
                found[key] = Found(msg_id, old.locations + ((where, lineno),), old.comments + extra, context)
    return found


def context_problems(domain: str | Domain) -> list[str]:
    """A word of :data:`NEEDS_CONTEXT` used without a context, or a msgid used both with a context
    and without: one use would show the other's sense (the approval dialog's "Record" key read
    记录类型, the audit column's word)."""
    found = source_messages(domain)
    plain = {f.key: f for f in found.values() if f.context is None}
    with_context: dict[str, list[Found]] = {}
    for f in found.values():
        if f.context is not None:
            with_context.setdefault(message_key(f.id, None), []).append(f)
    problems = []
    for key, f in plain.items():
        where = ", ".join(f"{path}:{line}" for path, line in f.locations)
        if key in NEEDS_CONTEXT:
            problems.append(f"{key!r} has two meanings ({NEEDS_CONTEXT[key]}): give it a context "
                            f"(pgettext / C_) at {where}")
        elif key in with_context:
            contexts = ", ".join(repr(c.context) for c in with_context[key])
            problems.append(f"{key!r} is used in the context {contexts} and without one at {where}: "
                            f"say which sense there too")
    return problems


def template(domain: str | Domain) -> Catalog:
    """The extracted messages of a domain as a Babel catalog (what ``pybabel extract`` writes)."""
    dom = DOMAINS[domain] if isinstance(domain, str) else domain
    catalog = Catalog(project="frontdesk", domain=dom.name, charset="utf-8")
    for found in source_messages(dom).values():
        catalog.add(found.id, None, list(found.locations), auto_comments=list(found.comments), context=found.context)
    return catalog


def _read(po: Path) -> Catalog:
    with po.open("rb") as fh:
        return read_po(fh, locale=DEFAULT_LANGUAGE, domain=po.stem)


def merge(domain: str | Domain) -> tuple[Catalog, list[str], list[str]]:
    """Merge the source's msgids into the domain's .po; returns (catalog, added, removed)."""
    dom = DOMAINS[domain] if isinstance(domain, str) else domain
    po = _read(dom.po)
    before = {message_key(m.id, m.context) for m in po if m.id}
    tmpl = template(dom)
    po.update(tmpl, no_fuzzy_matching=True, update_creation_date=False)
    po.obsolete.clear()
    po.project, po.version = "frontdesk", __version__
    after = {message_key(m.id, m.context) for m in po if m.id}
    return po, sorted(after - before), sorted(before - after)


def render(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, ignore_obsolete=True)
    return buf.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(strings) or m.fuzzy:
            out.append(message_key(m.id, m.context))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m frontdesk.i18n_tools", description=__doc__.splitlines()[0])
    parser.add_argument("--domain", action="append", choices=sorted(DOMAINS),
                        help="domain to merge (repeatable; default: frontdesk)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a catalog is behind")
    parser.add_argument("--pot", metavar="FILE", help="also write the extracted template here (one domain)")
    args = parser.parse_args(argv)
    names = args.domain or ["frontdesk"]
    behind = False
    for name in names:
        dom = DOMAINS[name]
        catalog, added, removed = merge(dom)
        if args.pot:
            with open(args.pot, "wb") as fh:
                write_po(fh, template(dom), width=100)
        missing = untranslated(catalog)
        print(f"{dom.po.relative_to(ROOT) if dom.po.is_relative_to(ROOT) else dom.po}: "
              f"{sum(1 for m in catalog if m.id)} msgids, {len(added)} new, {len(removed)} removed, "
              f"{len(missing)} to translate")
        for m in added:
            print(f"  + {m!r}")
        for m in removed:
            print(f"  - {m!r}")
        for m in missing:
            print(f"  ? {m!r}")
        ambiguous = context_problems(dom)
        for problem in ambiguous:
            print(f"  ! {problem}")
        if args.check:
            behind = behind or bool(added or removed or missing or ambiguous)
            continue
        new = render(catalog)
        if dom.po.read_bytes() != new:
            dom.po.write_bytes(new)
    if not args.check:
        for mo in compile_catalogs():
            print(f"compiled {mo.relative_to(ROOT) if mo.is_relative_to(ROOT) else mo}")
    return 1 if behind else 0


if __name__ == "__main__":
    sys.exit(main())
