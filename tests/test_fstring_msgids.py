"""msgids inside f-strings are translated too, although Babel's extractor cannot see them.

On Python 3.11 an f-string is one STRING token, and Babel's python extractor skips it
whole, so ``f" {_('Due {amount}')} "`` never reaches the template: the msgid is missing
from the catalog (shown in English in Chinese) or, when it was added by hand, dropped by
the next merge. The ``ast`` does see the call inside, so this test reads every module
that way and requires each such msgid to be translated in its domain's zh_CN catalog
(``paperwork`` for ``src/frontdesk/paperwork/``, ``frontdesk`` for the rest). Better
still, write the string without an f-string: ``" " + _("Due {amount}").format(...) + " "``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

from frontdesk.i18n import locale_dir

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "frontdesk"
KEYWORDS = frozenset({"_", "gettext", "ngettext", "N_"})


def _is_translation(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in KEYWORDS
    return isinstance(func, ast.Attribute) and func.attr in KEYWORDS  # kit._("…"), i18n.gettext("…")


def fstring_msgids(source: str, filename: str = "<source>") -> Iterator[tuple[str, int]]:
    """(msgid, line) of every literal msgid translated inside an f-string."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and _is_translation(inner):
                literal = [a.value for a in inner.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                for msgid in literal[: 2 if _name(inner) == "ngettext" else 1]:
                    yield msgid, inner.lineno


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def domain_of(path: Path) -> str:
    return "paperwork" if "paperwork" in path.relative_to(PACKAGE).parts[:1] else "frontdesk"


def _catalog(domain: str) -> dict[str, tuple[str, ...]]:
    with (locale_dir() / "zh_CN" / "LC_MESSAGES" / f"{domain}.po").open("rb") as fh:
        catalog = read_po(fh)
    out: dict[str, tuple[str, ...]] = {}
    for m in catalog:
        if not m.id:
            continue
        strings = tuple(m.string) if isinstance(m.string, (tuple, list)) else (m.string,)
        for msgid in (m.id,) if isinstance(m.id, str) else tuple(m.id):
            out[msgid] = strings
    return out


def test_the_scanner_finds_msgids_babel_misses() -> None:
    source = (
        "x = f\" {_('Due {amount}').format(amount=a)} \"\n"
        "y = f'{kit._(\"safety\")} {n}'\n"
        "z = f\"{ngettext('one car', '{n} cars', n)}\"\n"
        "w = _('not in an f-string') + f'{v}'\n"
        "v = f'{_(name)}'\n"
    )
    assert sorted(fstring_msgids(source)) == [("Due {amount}", 1), ("one car", 3), ("safety", 2), ("{n} cars", 3)]


def test_every_msgid_inside_an_f_string_is_translated() -> None:
    catalogs = {domain: _catalog(domain) for domain in ("frontdesk", "paperwork")}
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        domain = domain_of(path)
        for msgid, line in fstring_msgids(path.read_text("utf-8"), str(path)):
            strings = catalogs[domain].get(msgid)
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if strings is None:
                problems.append(f"{where}: {msgid!r} is not in {domain}.po")
            elif not all(strings):
                problems.append(f"{where}: {msgid!r} has no translation in {domain}.po")
    assert not problems, ("msgids in f-strings that Chinese users would read in English (take them out of the "
                          "f-string so Babel extracts them, then translate):\n" + "\n".join(problems))
