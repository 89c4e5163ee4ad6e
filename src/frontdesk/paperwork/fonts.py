"""Which CJK font the PDFs use, registered once per process.

Why this order: a PDF must look the same on every printer, so the font is embedded. The
package ships a GBK subset of WenQuanYi Micro Hei (TrueType, embeddable, see
``assets/fonts/README.md``); a store can point ``font_path`` (the setting of the same
name) at another TrueType font. ReportLab cannot embed CFF/OpenType-PS fonts, and its
built-in ``STSong-Light`` is a non-embedded CID font that some printers and Ghostscript
render with ASCII missing — it is only the last resort, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

log = logging.getLogger(__name__)

BUNDLED_FONT_FILE = "wqy-microhei-gbk.ttf"
SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FALLBACK_CID_FONT = "STSong-Light"
FONT_NAME = "FrontdeskCJK"

_lock = threading.Lock()
_registered: dict[str, FontChoice] = {}


@dataclass(frozen=True)
class FontChoice:
    """The font a document is set in: its ReportLab name and what it can draw."""

    name: str
    path: Path | None
    embedded: bool
    #: Code points the font maps to a glyph (empty for the CID fallback: unknown).
    codepoints: frozenset[int] = field(default=frozenset(), repr=False)

    def missing(self, texts: Iterable[str]) -> list[str]:
        """Characters the font has no glyph for (whitespace and controls are ignored)."""
        if not self.codepoints:
            return []
        seen: set[str] = set()
        for text in texts:
            for ch in text:
                if ch in seen or ord(ch) in self.codepoints:
                    continue
                if ch.isspace() or unicodedata.category(ch).startswith("C"):
                    continue
                seen.add(ch)
        return sorted(seen)


def bundled_font_path() -> Path:
    return Path(str(files("frontdesk") / "assets" / "fonts" / BUNDLED_FONT_FILE))


def _register_truetype(path: Path, name: str) -> FontChoice:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(name, str(path), subfontIndex=0)  # index only matters for a .ttc
    pdfmetrics.registerFont(font)
    # One face stands in for bold and italic: <b> in a paragraph must not fail.
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    codepoints = frozenset(font.face.charToGlyph)
    return FontChoice(name=name, path=path, embedded=True, codepoints=codepoints)


def _register_fallback() -> FontChoice:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    pdfmetrics.registerFontFamily(
        FALLBACK_CID_FONT,
        normal=FALLBACK_CID_FONT,
        bold=FALLBACK_CID_FONT,
        italic=FALLBACK_CID_FONT,
        boldItalic=FALLBACK_CID_FONT,
    )
    return FontChoice(name=FALLBACK_CID_FONT, path=None, embedded=False)


def _name_for(path: Path) -> str:
    if path == bundled_font_path():
        return FONT_NAME
    digest = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:8]
    return f"{FONT_NAME}-{digest}"


def resolve_font(font_path: str | Path | None = None) -> FontChoice:
    """Register and return the font to use: ``font_path``, else the bundled one, else a fallback.

    An unusable ``font_path`` (missing, not TrueType) is logged and skipped rather than
    failing the print: the customer is standing at the desk. Registration is cached, so
    only the first document of a process pays for reading the font (~0.3 s).
    """
    candidates: list[Path] = []
    if font_path:
        candidates.append(Path(font_path).expanduser())
    candidates += [bundled_font_path(), SYSTEM_FONT]
    key = "|".join(str(p) for p in candidates)
    with _lock:
        if key in _registered:
            return _registered[key]
        choice: FontChoice | None = None
        for path in candidates:
            if not path.is_file():
                if path != SYSTEM_FONT:
                    log.warning("font %s not found; trying the next one", path)
                continue
            try:
                choice = _register_truetype(path, _name_for(path))
                break
            except Exception as exc:  # TTFError, struct errors: any unreadable font
                log.warning("font %s cannot be embedded (%s); trying the next one", path, exc)
        if choice is None:
            log.warning(
                "no embeddable CJK TrueType font found; falling back to %s, which is NOT "
                "embedded: Latin text may vanish on some printers",
                FALLBACK_CID_FONT,
            )
            choice = _register_fallback()
        _registered[key] = choice
        return choice


def warn_missing(choice: FontChoice, texts: Iterable[str], what: str) -> list[str]:
    """Log characters of a document the font cannot draw (they print as an empty box)."""
    missing = choice.missing(texts)
    if missing:
        listed = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
        log.warning("%s: font %s has no glyph for %s", what, choice.name, listed)
    return missing
