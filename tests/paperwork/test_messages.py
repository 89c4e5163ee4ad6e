"""The paperwork's message catalog: complete, compiled, and formatted the same in both languages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.pofile import read_po

from frontdesk.i18n import locale_dir, translator

from .msgids import all_msgids

PO = locale_dir() / "zh_CN" / "LC_MESSAGES" / "paperwork.po"
FIELDS = re.compile(r"\{(\w*)\}")


def po_catalog() -> dict[str, str]:
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id}


def test_po_header_names_the_language_and_charset() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.locale is not None and catalog.locale.language == "zh" and catalog.locale.territory == "CN"
    header = PO.read_text("utf-8")
    assert '"Language: zh_CN\\n"' in header
    assert "charset=UTF-8" in header


def test_every_msgid_in_the_code_is_translated() -> None:
    catalog = po_catalog()
    used = all_msgids()
    untranslated = {m: where for m, where in used.items() if not catalog.get(m)}
    assert not untranslated, f"add these to {PO.name}: {untranslated}"


def test_no_stale_entries() -> None:
    stale = set(po_catalog()) - set(all_msgids())
    assert not stale, f"no longer used, remove from {PO.name}: {sorted(stale)}"


def test_translations_keep_the_format_fields() -> None:
    for msgid, msgstr in po_catalog().items():
        assert sorted(FIELDS.findall(msgid)) == sorted(FIELDS.findall(msgstr)), msgid


def test_compiled_catalog_matches_the_po() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.stat().st_mtime >= 0
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in po_catalog().items():
        assert compiled.gettext(msgid) == msgstr, f"recompile: python -m frontdesk.i18n ({msgid!r})"


def test_translator_serves_the_paperwork_domain() -> None:
    zh = translator("zh_CN")
    assert zh("Work order") == "任务委托书"
    assert zh("Customer pay") == "自费"
    assert zh("First free service") == "首保"
    assert translator("en")("Work order") == "Work order"


def test_msgids_are_found_in_every_template_module() -> None:
    modules = {where.split(":")[0] for where in all_msgids().values()}
    for name in ("work_order.py", "checkin_sheet.py", "settlement.py", "gate_pass.py", "labels.py",
                 "blocks.py", "release.py"):
        assert name in modules, name
    assert Path(PO).is_file()
