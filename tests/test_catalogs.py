"""The message catalogs: complete for the source, placeholders intact, compiled, nothing fuzzy.

msgids are found the way ``pybabel extract`` finds them (Babel's python extractor over the
package, with the keywords of ``frontdesk.i18n_tools``), plus the msgids the code only
translates at run time (status labels, delivery checklists, label tables, key bindings,
navigation titles), which ``frontdesk.i18n_tools`` collects by importing them.

When a test here fails because the source changed, run ``python -m frontdesk.i18n_tools``
(extract, merge, compile), translate what it lists, and run it again.
"""

from __future__ import annotations

import gettext
import io
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from frontdesk import i18n_tools
from frontdesk.i18n import current_language, gettext as _, locale_dir, ngettext, set_language, translator

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
PO_FILES = sorted(locale_dir().glob("*/LC_MESSAGES/*.po"))
DOMAINS = sorted(i18n_tools.DOMAINS)
CJK = re.compile(r"[\u4e00-\u9fff]")
FIX = "run `python -m frontdesk.i18n_tools` and translate what it lists"


def _read(po: Path) -> Catalog:
    with po.open("rb") as fh:
        return read_po(fh, locale=po.parent.parent.name, domain=po.stem)


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, (tuple, list)):
        return tuple(s or "" for s in message.string)
    return (message.string or "",)


def _ckey(message: Message) -> str:
    """A catalog entry's key: its msgid, after its context if it has one ("context\x04msgid")."""
    return i18n_tools.message_key(message.id, message.context)


def _source_msgids(domain: str) -> dict[str, tuple[str | tuple[str, str], str]]:
    """msgid (after its context, if any) → (the msgid as the source has it, "file:line" of its first use)."""
    dom = i18n_tools.DOMAINS[domain]
    found: dict[str, tuple[str | tuple[str, str], str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        dom.source, dom.method_map, keywords=i18n_tools.KEYWORDS
    ):
        if isinstance(message, tuple):
            if not all(isinstance(m, str) and m for m in message[:2]):
                continue
            message = (message[0], message[1])
        if message:
            found.setdefault(i18n_tools.message_key(message, context), (message, f"{filename}:{lineno}"))
    for collect in dom.collectors:
        for msgid, path, line, _comment in collect():  # a C_() msgid is already "context\x04msgid"
            found.setdefault(msgid, (msgid.rpartition("\x04")[2], f"{path.name}:{line}"))
    return found


@pytest.fixture(scope="module")
def source() -> dict[str, dict[str, tuple[str | tuple[str, str], str]]]:
    return {domain: _source_msgids(domain) for domain in DOMAINS}


# -- extraction ------------------------------------------------------------------------------


def test_babel_cfg_is_the_method_map_the_tools_use() -> None:
    with BABEL_CFG.open() as fh:
        method_map, _options = parse_mapping_cfg(fh, str(BABEL_CFG))
    assert tuple(method_map) == i18n_tools.DOMAINS["frontdesk"].method_map


def test_extraction_finds_the_code_and_the_run_time_tables(source) -> None:
    found = source["frontdesk"]
    assert "Wrong user name or password." in found  # a literal _()
    assert "The VIN has {count} character instead of 17." in found  # ngettext
    assert "Checked in" in found and "QC passed" in found  # labels.STATUS
    assert "Clean inside" in found and "Covers removed in front of the customer" in found  # delivery
    # The paper has its own domain; only printing.py (what a refusing printer means) speaks to the console.
    assert not any(where.startswith(("paperwork/", "paperwork\\")) and "printing.py" not in where
                   for _m, where in found.values())


def test_the_estimate_offers_campaign_kind_is_extracted(source) -> None:
    """The offer strip's table of campaign kinds was bare strings: "Service campaign" read in English in zh_CN."""
    assert {"Recall", "Service campaign"} <= set(source["frontdesk"])


# -- (a) every msgid of the source is translated in its domain's catalog -------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_in_the_source_is_translated(domain: str, source) -> None:
    po = i18n_tools.DOMAINS[domain].po
    assert po.is_file(), f"{po} is missing: {FIX}"
    catalog = {_ckey(m): m for m in _entries(_read(po))}
    problems = []
    for key, (msgid, where) in source[domain].items():
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"{where}: {key!r} is not in {po.name}")
        elif isinstance(msgid, tuple) and entry.id != msgid:
            problems.append(f"{where}: {key!r} must be a plural entry with msgid_plural {msgid[1]!r}")
        elif not all(_strings(entry)):
            problems.append(f"{where}: {key!r} has no translation")
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def test_the_frontdesk_catalog_has_no_stale_entries(source) -> None:
    stale = {_ckey(m) for m in _entries(_read(i18n_tools.DOMAINS["frontdesk"].po))} - set(source["frontdesk"])
    assert not stale, f"no longer in the source ({FIX}): {sorted(stale)}"


def test_the_frontdesk_catalog_is_chinese_with_one_plural_form() -> None:
    catalog = _read(i18n_tools.DOMAINS["frontdesk"].po)
    assert catalog.locale is not None
    assert (catalog.locale.language, catalog.locale.territory) == ("zh", "CN")
    assert catalog.num_plurals == 1
    for m in _entries(catalog):
        assert len(_strings(m)) == (1 if isinstance(m.id, str) else catalog.num_plurals), m.id


# -- (b) placeholders ---------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    """The ``{name}`` fields of a str.format template (with any conversion and spec)."""
    out = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            out.add("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return out


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_translations_keep_the_placeholders(po: Path) -> None:
    problems = []
    for m in _entries(_read(po)):
        ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        try:
            wanted = [_fields(i) for i in ids]
        except ValueError as exc:
            problems.append(f"msgid {ids[0]!r} is not a valid format string: {exc}")
            continue
        for text in _strings(m):
            if not text:
                continue
            try:
                got = _fields(text)
            except ValueError as exc:
                problems.append(f"{ids[0]!r}: translation {text!r} is not a valid format string: {exc}")
                continue
            if got not in wanted:
                problems.append(f"{ids[0]!r}: {sorted(got)} in {text!r}, expected {sorted(wanted[-1])}")
    assert not problems, "\n".join(problems)


# -- (c) the compiled catalogs are up to date ---------------------------------------------------------


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_compiled_catalog_matches_the_po(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.name} is missing: run `python -m frontdesk.i18n`"
    buf = io.BytesIO()
    write_mo(buf, _read(po))
    buf.seek(0)
    expected = gettext.GNUTranslations(buf)._catalog  # type: ignore[attr-defined]
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    differ = sorted(str(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    assert not differ, f"{mo.name} is out of date, run `python -m frontdesk.i18n`; differs for {differ[:10]}"


# -- (d) nothing fuzzy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_entry_is_fuzzy(po: Path) -> None:
    catalog = _read(po)
    fuzzy = [_key(m.id) or "(header)" for m in catalog if m.fuzzy]
    # gettext leaves fuzzy entries out of the .mo: they would silently show in English.
    assert not fuzzy, f"fuzzy in {po.name} (check the translation, then remove the flag): {fuzzy}"


# -- one translator chain for every domain ----------------------------------------------------------------


def test_a_msgid_in_several_domains_has_one_translation() -> None:
    """The domains are chained into one translator, the first domain's catalog wins: a msgid
    translated differently in another domain would silently print the first one there."""
    by_lang: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}
    for po in PO_FILES:
        for m in _entries(_read(po)):
            by_lang.setdefault(po.parent.parent.name, {}).setdefault(_ckey(m), []).append((po.stem, _strings(m)))
    clashes = [
        f"{lang} {msgid!r}: " + ", ".join(f"{domain}.po {strings[0]!r}" for domain, strings in seen)
        for lang, messages in by_lang.items()
        for msgid, seen in messages.items()
        if len({strings for _domain, strings in seen}) > 1
    ]
    assert not clashes, "use the same translation, or tell the two uses apart in the msgid:\n" + "\n".join(clashes)


# -- a word with two meanings says which one ---------------------------------------------------------------


def test_every_word_with_two_meanings_carries_a_context() -> None:
    """The approval dialog's key "Record" read 记录类型 because an audit column used the same msgid."""
    problems = i18n_tools.context_problems("frontdesk")
    assert not problems, "\n".join(problems)


def test_the_context_check_finds_a_bare_use(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        'from frontdesk.i18n import C_, gettext as _, pgettext\n'
        'HEADER = [_("Record"), pgettext("audit column", "Save")]\n'
        'KEY = _("Save")\n'
        'FINE = [pgettext("command", "Record"), C_("tab", "History"), _("Close")]\n')
    domain = i18n_tools.Domain("scratch", tmp_path, (("**.py", "python"),))
    problems = i18n_tools.context_problems(domain)
    assert len(problems) == 2, problems
    assert "'Record' has two meanings" in problems[0] and "a.py:2" in problems[0]
    assert "'Save' is used in the context 'audit column' and without one at" in problems[1]
    assert problems[1].endswith("a.py:3: say which sense there too")
    found = i18n_tools.source_messages(domain)
    assert found["command\x04Record"].context == "command" and found["tab\x04History"].id == "History"


def test_a_word_reads_in_the_sense_its_context_names() -> None:
    from frontdesk.i18n import C_, pgettext

    set_language("zh_CN")
    try:
        assert pgettext("command", "Record") == "记录"
        assert pgettext("audit column", "Record") == "记录类型"
        assert _(C_("command", "Record")) == "记录"  # a key binding's description, as translate_bindings does it
    finally:
        set_language("en")
    assert pgettext("command", "Record") == _(C_("command", "Record")) == "Record"


# -- (e) at run time -----------------------------------------------------------------------------------------


def test_translator_speaks_chinese_and_english() -> None:
    msgid = "Wrong user name or password."
    zh = translator("zh_CN")(msgid)
    assert zh != msgid and CJK.search(zh), zh
    assert zh == "用户名或密码错误。"
    assert translator("en")(msgid) == msgid
    assert current_language() == "en"


def test_status_labels_and_checklists_translate() -> None:
    from frontdesk.model.enums import OrderStatus
    from frontdesk.services.delivery import INTERNAL_ITEMS, WALKTHROUGH_ITEMS
    from frontdesk.labels import STATUS as STATUS_LABELS
    from frontdesk.services.lifecycle import status_label

    zh = translator("zh_CN")
    for msgid in (*STATUS_LABELS.values(), *INTERNAL_ITEMS.values(), *WALKTHROUGH_ITEMS.values()):
        assert CJK.search(zh(msgid)), msgid
    set_language("zh_CN")
    try:
        assert status_label(OrderStatus.SETTLED) == "已结算"
        assert _("Still to do: {items}.").format(items="x") == "尚未完成：x。"
        vin = ngettext("The VIN has {count} character instead of 17.",
                       "The VIN has {count} characters instead of 17.", 16).format(count=16)
        assert vin == "车架号为 16 位，应为 17 位。"
    finally:
        set_language("en")
    assert status_label(OrderStatus.SETTLED) == "Settled"
