"""Build the CJK font shipped in ``frontdesk/assets/fonts`` (a maintainer's tool, not run at print time).

Why a font is shipped at all: ReportLab embeds only TrueType (``glyf``) fonts, cannot read
CFF/OTF, and its built-in ``STSong-Light`` is never embedded (a printer or Ghostscript
without the Adobe CJK pack drops or garbles the text). WenQuanYi Micro Hei (Apache-2.0,
Debian ``fonts-wqy-microhei``) is TrueType; the whole collection is 5 MB, so this script
keeps one face (Micro Hei, not Mono) and only what a Chinese dealership prints: every GBK
character, the whole CJK Unified Ideographs block, Latin-1 and Latin Extended-A, and the
punctuation, symbol and full-width blocks.

It also repairs 13 glyphs that exist in the source font's ``cmap`` but have *no outline*
(℃ ℉ Ⅴ Ⅹ ˊ ˋ ǎ ǐ ǒ ǔ ǘ ǚ ǜ): a PDF would show a blank where the text extractor still
"sees" the character. Each one is redrawn from glyphs the font does have (° + C, V, a + ˇ,
ü + ´ …), decomposed into plain outlines so any TrueType consumer renders them.

Run (fontTools is a development dependency)::

    python -m frontdesk.paperwork.make_font \\
        --source /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \\
        --out src/frontdesk/assets/fonts/wqy-microhei-gbk.ttf

The output is byte-for-byte reproducible from the same source file and fontTools version
(no timestamps are recalculated); ``assets/fonts/README.md`` records the checksum.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fontTools is only needed by whoever rebuilds the font
    from fontTools.ttLib import TTFont

DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "wqy-microhei-gbk.ttf"
FACE_INDEX = 0  # 0 = WenQuanYi Micro Hei (proportional Latin), 1 = Micro Hei Mono
VERSION_NOTE = "; frontdesk GBK subset, blank glyphs redrawn"

# Blocks kept in full (whatever of them the source font covers), besides GBK itself.
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A (Citroën, Škoda, names)
    (0x01CD, 0x01DC),  # pinyin with caron / ü with tone marks
    (0x02C6, 0x02DD),  # spacing modifier letters (tone marks, ˇ ˊ ˋ)
    (0x0391, 0x03C9),  # Greek (Ω, μ, Δ in part names and specs)
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20CF),  # currency (€)
    (0x2100, 0x218F),  # letterlike symbols and number forms (℃, №, Ⅰ–Ⅻ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (±, ×, ≤, √)
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (□ ■ ○ ● △ ▲)
    (0x2600, 0x26FF),  # miscellaneous symbols (★)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # kana (Japanese makes' part names)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (a little beyond GBK's 4E00–9FA5)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)


def gbk_characters() -> Iterator[str]:
    """Every character of the GBK (CP936) double-byte table, by decoding each code."""
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                yield bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue


def wanted_codepoints() -> set[int]:
    points = {ord(c) for c in gbk_characters()}
    for first, last in EXTRA_RANGES:
        points.update(range(first, last + 1))
    return points


def _bounds(font: TTFont, glyph_name: str) -> tuple[float, float, float, float]:
    from fontTools.pens.boundsPen import BoundsPen

    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[glyph_name].draw(pen)
    if pen.bounds is None:
        raise ValueError(f"glyph {glyph_name} has no outline to build from")
    return pen.bounds


Part = tuple[str, float, float]  # glyph name, dx, dy


def _accented(font: TTFont, base: str, mark: str, *, above: bool = False) -> list[Part]:
    """A mark centred on the base's outline; ``above`` lifts it over a mark already there (ü)."""
    bx0, _, bx1, by1 = _bounds(font, base)
    mx0, my0, mx1, _ = _bounds(font, mark)
    dx = (bx0 + bx1) / 2 - (mx0 + mx1) / 2
    dy = (by1 + 60 - my0) if above else 0
    return [(base, 0, 0), (mark, round(dx), round(dy))]


def _centred(font: TTFont, name: str, advance: int) -> list[Part]:
    x0, _, x1, _ = _bounds(font, name)
    return [(name, round((advance - (x1 - x0)) / 2 - x0), 0)]


def _side_by_side(font: TTFont, names: Iterable[str], advance: int, gap: int = 40) -> list[Part]:
    boxes = [(n, _bounds(font, n)) for n in names]
    width = sum(b[2] - b[0] for _, b in boxes) + gap * (len(boxes) - 1)
    x = (advance - width) / 2
    parts: list[Part] = []
    for name, (x0, _, x1, _) in boxes:
        parts.append((name, round(x - x0), 0))
        x += (x1 - x0) + gap
    return parts


def repairs(font: TTFont) -> dict[int, list[Part]]:
    """Code point → the glyphs (with offsets) that redraw a blank glyph of the source font."""
    full = 2048  # the em, and the advance of the CJK symbols
    return {
        0x2103: _side_by_side(font, ["degree", "C"], full),  # ℃
        0x2109: _side_by_side(font, ["degree", "F"], full),  # ℉
        0x2164: _centred(font, "V", full),  # Ⅴ
        0x2169: _centred(font, "X", full),  # Ⅹ
        0x02CA: [("acute", 0, 0)],  # ˊ (second tone)
        0x02CB: [("grave", 0, 0)],  # ˋ (fourth tone)
        0x01CE: _accented(font, "a", "caron"),  # ǎ
        0x01D0: _accented(font, "dotlessi", "caron"),  # ǐ
        0x01D2: _accented(font, "o", "caron"),  # ǒ
        0x01D4: _accented(font, "u", "caron"),  # ǔ
        0x01D8: _accented(font, "udieresis", "acute", above=True),  # ǘ
        0x01DA: _accented(font, "udieresis", "caron", above=True),  # ǚ
        0x01DC: _accented(font, "udieresis", "grave", above=True),  # ǜ
    }


def redraw_blank_glyphs(font: TTFont) -> list[str]:
    """Replace the outline-less glyphs listed in :func:`repairs`; returns what was redrawn."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    cmap = font.getBestCmap()
    glyf = font["glyf"]
    hmtx = font["hmtx"]
    plan = repairs(font)
    glyph_set = font.getGlyphSet()
    done = []
    for code, parts in plan.items():
        target = cmap.get(code)
        if target is None:
            continue
        if glyf[target].numberOfContours != 0:  # a newer source may have fixed it already
            continue
        pen = TTGlyphPen(None)
        for name, dx, dy in parts:
            outline = DecomposingRecordingPen(glyph_set)  # ü is itself a composite
            glyph_set[name].draw(outline)
            outline.replay(TransformPen(pen, (1, 0, 0, 1, dx, dy)))
        glyph = pen.glyph()
        glyph.recalcBounds(glyf)
        glyf[target] = glyph
        advance = hmtx[target][0]
        hmtx[target] = (advance, glyph.xMin)
        done.append(chr(code))
    return done


def build(source: Path, out: Path) -> dict[str, object]:
    """Subset ``source`` into ``out``; returns facts for the README (size, glyphs, sha256)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=FACE_INDEX, recalcTimestamp=False, lazy=False)
    redrawn = redraw_blank_glyphs(font)
    cmap = font.getBestCmap()
    unicodes = sorted(c for c in wanted_codepoints() if c in cmap)

    options = subset.Options()
    options.hinting = False  # print resolution needs no hinting; saves ~1 MB
    options.layout_features = []  # ReportLab does no shaping
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "vhea", "vmtx", "FFTM"]
    options.notdef_outline = True  # a missing character prints as a box, not as nothing
    options.glyph_names = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)

    name = font["name"]
    for record in name.names:
        if record.nameID == 5:  # version string: say it was modified (Apache-2.0 §4b)
            record.string = str(record.toUnicode()) + VERSION_NOTE
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    data = out.read_bytes()
    return {
        "path": str(out),
        "bytes": len(data),
        "characters": len(unicodes),
        "glyphs": len(font.getGlyphOrder()),
        "redrawn": "".join(redrawn),
        "sha256": hashlib.sha256(data).hexdigest(),
        "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    facts = build(args.source, args.out)
    for key, value in facts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
